//! What is kept beside the record so that province-wide pages read it instead of computing
//! it: each school's deadlines (`deadline_items`), each province's count of submissions in
//! each state (`submission_tallies`) and each province's data version (the key under which
//! a peer comparison is computed once, `store::peers`).
//!
//! Both follow the record in the transaction of the write that changes it: every write
//! records its change in the history (`history::record`), which hands it to `after_change`
//! here, so that no writer can forget. A new version of the code that computes deadlines
//! differently raises `DEADLINES_VERSION`; `bring_up_to_date` (at start-up and after
//! `migrate`) then rebuilds them once, whichever server gets there first.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::db::schema::{collection_rounds, derived_state, provinces, schools};
use crate::db::{Db, DbConn, write_transaction};
use crate::error::AppError;
use crate::store::deadlines::{self, Schools};
use crate::store::history::Change;

/// The version of the deadline rules that the kept rows were computed by.
pub const DEADLINES_VERSION: i32 = 1;

/// Key of the advisory lock under which one PostgreSQL server rebuilds.
const REBUILD_LOCK_KEY: i64 = 0x0064_6572_6976_6564; // "derived"

/// What a recorded change moves.
#[derive(Debug, Default, PartialEq, Eq)]
struct Moves {
    /// the school's deadlines
    deadlines: bool,
    /// the facts the peer comparison is computed from
    peers: bool,
    /// what a collection round shows of the school
    round: bool,
}

fn moves(change: &Change<'_>) -> Moves {
    let action = change.action;
    let entity = change.entity;
    match entity {
        // A title, a certificate, an audit or a finding (with its corrective action): both.
        "school_title" | "certificate" | "audit" | "finding" => Moves {
            deadlines: true,
            peers: true,
            round: false,
        },
        // A year accepted or reopened changes all three; figures entered, the round only
        // (the comparison and the standards read accepted years only).
        "status_data" => {
            let locking = action == "status_data.lock" || action == "status_data.reopen";
            Moves {
                deadlines: locking,
                peers: locking,
                round: true,
            }
        }
        // A status-data return handed in (or withdrawn) is due no more (or again).
        "submission" => Moves {
            deadlines: true,
            peers: false,
            round: true,
        },
        // A school renamed, moved or of another kind; a read under a grant changes nothing.
        "school" => {
            let changed = action != "grant.read";
            Moves {
                deadlines: changed,
                peers: changed,
                round: changed,
            }
        }
        _ => Moves::default(),
    }
}

/// Brings what is kept up to date with a change, inside its transaction. Called by
/// `history::record` for every change it records.
pub fn after_change(conn: &mut DbConn, change: &Change<'_>) -> Result<(), AppError> {
    if change.entity == "collection_round" {
        // A round opened, moved or closed: every school of its province.
        let province: Option<i64> = collection_rounds::table
            .find(change.entity_id)
            .select(collection_rounds::province_id)
            .first(conn)
            .optional()?;
        if let Some(province) = province {
            deadlines::refresh(conn, Schools::Province(province))?;
            raise(conn, province, Version::Round)?;
        }
        return Ok(());
    }
    let Some(school) = change.school_id else {
        return Ok(());
    };
    let moved = moves(change);
    if moved.deadlines {
        deadlines::refresh(conn, Schools::One(school))?;
    }

    if moved == Moves::default() {
        return Ok(());
    }
    let province: i64 = schools::table
        .find(school)
        .select(schools::province_id)
        .first(conn)?;
    if moved.peers {
        raise(conn, province, Version::Data)?;
    }
    if moved.round {
        raise(conn, province, Version::Round)?;
    }
    if change.entity == "submission" {
        crate::store::submissions::recount(conn, province)?;
    }
    Ok(())
}

/// A province's version numbers.
#[derive(Clone, Copy)]
enum Version {
    /// the facts its schools are compared on
    Data,
    /// what its collection rounds show
    Round,
}

/// Raises one of a province's version numbers.
fn raise(conn: &mut DbConn, province: i64, which: Version) -> Result<(), AppError> {
    let target = diesel::update(provinces::table.find(province));
    match which {
        Version::Data => target
            .set(provinces::data_version.eq(provinces::data_version + 1))
            .execute(conn)?,
        Version::Round => target
            .set(provinces::round_version.eq(provinces::round_version + 1))
            .execute(conn)?,
    };
    Ok(())
}

/// The data version of a province: raised by every change to the facts its schools are
/// compared on.
pub fn data_version(conn: &mut DbConn, province: i64) -> Result<i64, AppError> {
    Ok(provinces::table
        .find(province)
        .select(provinces::data_version)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// The round version of a province: raised by every change to what its rounds show.
pub fn round_version(conn: &mut DbConn, province: i64) -> Result<i64, AppError> {
    Ok(provinces::table
        .find(province)
        .select(provinces::round_version)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// Rebuilds what was kept by older rules, once. On PostgreSQL the servers starting together
/// take turns under an advisory lock, and those after the first find nothing to do.
pub fn bring_up_to_date(db: &Db) -> Result<(), AppError> {
    let mut conn = db.get()?;
    let conn: &mut DbConn = &mut conn;
    if current(conn)? {
        return Ok(());
    }
    if let DbConn::Pg(pg) = conn {
        pg.batch_execute(&format!("SELECT pg_advisory_lock({REBUILD_LOCK_KEY})"))?;
    }
    let result = rebuild_if_stale(conn);
    if let DbConn::Pg(pg) = conn {
        pg.batch_execute(&format!("SELECT pg_advisory_unlock({REBUILD_LOCK_KEY})"))?;
    }
    result
}

fn current(conn: &mut DbConn) -> Result<bool, AppError> {
    let version: Option<i32> = derived_state::table
        .find("deadline_items")
        .select(derived_state::version)
        .first(conn)
        .optional()?;
    Ok(version == Some(DEADLINES_VERSION))
}

fn rebuild_if_stale(conn: &mut DbConn) -> Result<(), AppError> {
    if current(conn)? {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let kept = rebuild(conn)?;
    tracing::info!(
        deadlines = kept,
        ms = started.elapsed().as_millis() as u64,
        "rebuilt the kept deadlines"
    );
    Ok(())
}

/// Recomputes every kept deadline, a province per transaction, and records the rules'
/// version (after a bulk load such as `accredit synth`, and when the rules change).
pub fn rebuild(conn: &mut DbConn) -> Result<usize, AppError> {
    let provinces: Vec<i64> = provinces::table
        .order(provinces::id.asc())
        .select(provinces::id)
        .load(conn)?;
    let mut kept = 0;
    for province in provinces {
        kept += write_transaction(conn, |conn| {
            crate::store::submissions::recount(conn, province)?;
            deadlines::refresh(conn, Schools::Province(province))
        })?;
    }
    write_transaction(conn, |conn| {
        let updated = diesel::update(derived_state::table.find("deadline_items"))
            .set(derived_state::version.eq(DEADLINES_VERSION))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(derived_state::table)
                .values((
                    derived_state::name.eq("deadline_items"),
                    derived_state::version.eq(DEADLINES_VERSION),
                ))
                .execute(conn)?;
        }
        Ok::<_, AppError>(())
    })?;
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change<'a>(action: &'a str, entity: &'a str) -> Change<'a> {
        Change {
            actor_id: None,
            school_id: Some(1),
            action,
            entity,
            entity_id: 1,
            before: None,
            after: None,
        }
    }

    #[test]
    fn what_each_change_moves() {
        let both = Moves {
            deadlines: true,
            peers: true,
            round: false,
        };
        let all = Moves {
            deadlines: true,
            peers: true,
            round: true,
        };
        assert_eq!(moves(&change("finding.update", "finding")), both);
        assert_eq!(moves(&change("title.reevaluate", "school_title")), both);
        assert_eq!(moves(&change("status_data.lock", "status_data")), all);
        assert_eq!(
            moves(&change("status_data.set", "status_data")),
            Moves {
                round: true,
                ..Moves::default()
            }
        );
        assert_eq!(
            moves(&change("submission.submit", "submission")),
            Moves {
                deadlines: true,
                peers: false,
                round: true
            }
        );
        assert_eq!(moves(&change("grant.read", "school")), Moves::default());
        assert_eq!(moves(&change("school.update", "school")), all);
        assert_eq!(moves(&change("evidence.add", "evidence")), Moves::default());
    }
}

//! What is kept beside the record so that province-wide pages read it instead of computing
//! it: each school's deadlines (`deadline_items`), its metrics for the peer comparison
//! (`school_metrics`), each province's count of submissions in each state
//! (`submission_tallies`) and each province's data and round versions (the keys under which
//! a province-wide answer is computed once, `store::kept`).
//!
//! One mechanism for all of them: every use case writes through `app::write`, which hands
//! the typed changes of its unit of work to `follow` here, inside the same transaction; what
//! a change moves is a `match` on its action, checked by the compiler. A new version of the
//! code that computes deadlines differently raises `DEADLINES_VERSION`; `bring_up_to_date`
//! (at start-up and after `migrate`) then rebuilds them once, whichever server gets there
//! first.

use std::collections::BTreeMap;

use crate::db::{Db, DbConn, with_session_lock, write_transaction};
use crate::domain::history::{Action, Change};
use crate::error::AppError;
use crate::store::deadlines::{self, Schools};
use crate::store::provinces::Version;

/// The version of the deadline rules that the kept rows were computed by.
pub const DEADLINES_VERSION: i32 = 1;

/// Key of the advisory lock under which one PostgreSQL server rebuilds.
const REBUILD_LOCK_KEY: i64 = 0x0064_6572_6976_6564; // "derived"

/// What a recorded change moves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Moves {
    /// the school's deadlines
    deadlines: bool,
    /// the facts the peer comparison is computed from
    peers: bool,
    /// the school's kept metrics (open findings, actions on time, latest accepted figures)
    metrics: bool,
    /// what a collection round shows of the school
    round: bool,
    /// the province's tally of submissions by state
    tally: bool,
}

impl Moves {
    fn or(self, other: Moves) -> Moves {
        Moves {
            deadlines: self.deadlines || other.deadlines,
            peers: self.peers || other.peers,
            metrics: self.metrics || other.metrics,
            round: self.round || other.round,
            tally: self.tally || other.tally,
        }
    }
}

/// What a change to one school's record moves.
fn moves(action: Action) -> Moves {
    use Action::*;
    let none = Moves::default();
    match action {
        // A title, a certificate or an audit: its deadlines and the comparison.
        TitleAward | TitleUpdate | TitleReevaluate | CertificateSet | AuditCreate | AuditUpdate
        | AuditVerify | TitleTransfer | TitleReceive | TitleEnd | TitleKeep => Moves {
            deadlines: true,
            peers: true,
            ..none
        },
        // A finding (with its corrective action): its metrics too.
        FindingCreate | FindingUpdate | FindingVerify => Moves {
            deadlines: true,
            peers: true,
            metrics: true,
            ..none
        },
        // A year accepted or reopened changes all; figures entered, the round only (the
        // comparison and the standards read accepted years only).
        StatusDataLock | StatusDataReopen => Moves {
            deadlines: true,
            peers: true,
            metrics: true,
            round: true,
            ..none
        },
        StatusDataSet => Moves {
            round: true,
            ..none
        },
        // A submission made or moved: what is due, what a round shows and the tally.
        SubmissionCreate | Submission(_) => Moves {
            deadlines: true,
            round: true,
            tally: true,
            ..none
        },
        // A school renamed, moved or of another kind; merged, closed or reopened (it leaves or
        // rejoins the peers, the rounds and the deadlines on its date).
        SchoolCreate | SchoolUpdate | SchoolMerge | SchoolAbsorb | SchoolClose | SchoolReopen => {
            Moves {
                deadlines: true,
                peers: true,
                round: true,
                ..none
            }
        }
        // A read under a grant, evidence added, a grant, a programme, a report's text, a
        // standard written, an evaluation's self-assessment: none.
        GrantRead | EvidenceAdd | GrantCreate | GrantRevoke | ProgrammeUpdate | ProgrammeClose
        | ProgrammeReopen | AnnualReportWrite | StandardCreate | EvaluationStart
        | EvaluationStandard | EvaluationSelfAssess | PanelForm | PanelScore | PanelSeal
        | PanelConsensus | NoticePublish | ObjectionReceive | ObjectionResolve => none,
        // A round opened, moved or closed reaches every school of its province (`follow`).
        RoundOpen | RoundUpdate | RoundClose | RoundReopen => none,
    }
}

/// Brings what is kept up to date with the changes of one unit of work, inside its
/// transaction: each school's and province's kept state once, however many changes
/// touched it.
pub fn follow(conn: &mut DbConn, changes: &[Change]) -> Result<(), AppError> {
    let mut by_school: BTreeMap<i64, Moves> = BTreeMap::new();
    let mut rounds: Vec<i64> = Vec::new();
    for change in changes {
        if matches!(
            change.action,
            Action::RoundOpen | Action::RoundUpdate | Action::RoundClose | Action::RoundReopen
        ) {
            rounds.push(change.entity_id);
            continue;
        }
        let Some(school) = change.school_id else {
            continue;
        };
        let moved = moves(change.action);
        if moved != Moves::default() {
            let entry = by_school.entry(school).or_default();
            *entry = entry.or(moved);
        }
    }
    let mut provinces: BTreeMap<i64, Moves> = BTreeMap::new();
    for round in rounds {
        // A round opened, moved or closed: every school of its province.
        let province = crate::store::rounds::province_of(conn, round)?;
        if let Some(province) = province {
            let entry = provinces.entry(province).or_default();
            if !entry.deadlines {
                deadlines::refresh(conn, Schools::Province(province))?;
            }
            *entry = entry.or(Moves {
                deadlines: true,
                round: true,
                ..Moves::default()
            });
        }
    }
    let ids: Vec<i64> = by_school.keys().copied().collect();
    let province_of = crate::store::schools::provinces_of(conn, &ids)?;
    // Provinces whose kept deadlines changed without a refresh of the whole province.
    let mut deadlines_moved: Vec<i64> = Vec::new();
    for (school, moved) in by_school {
        let province = *province_of.get(&school).ok_or(AppError::NotFound)?;
        let of_province = provinces.entry(province).or_default();
        if moved.deadlines && !of_province.deadlines {
            // The province it was kept under too, should the school have moved.
            deadlines_moved.extend(deadlines::kept_provinces(conn, school)?);
            deadlines::refresh(conn, Schools::One(school))?;
            deadlines_moved.push(province);
        }
        if moved.metrics {
            crate::store::peers::refresh_school_metrics(conn, school)?;
        }
        *of_province = of_province.or(Moves {
            deadlines: false,
            ..moved
        });
    }
    deadlines_moved.extend(
        provinces
            .iter()
            .filter(|(_, moved)| moved.deadlines)
            .map(|(province, _)| *province),
    );
    deadlines_moved.sort_unstable();
    deadlines_moved.dedup();
    for province in deadlines_moved {
        crate::store::provinces::raise(conn, province, Version::Deadlines)?;
    }
    for (province, moved) in provinces {
        if moved.peers {
            crate::store::provinces::raise(conn, province, Version::Data)?;
        }
        if moved.round {
            crate::store::provinces::raise(conn, province, Version::Round)?;
        }
        if moved.tally {
            crate::store::submissions::recount(conn, province)?;
        }
    }
    Ok(())
}

/// Rebuilds what was kept by older rules, once. On PostgreSQL the servers starting together
/// take turns under an advisory lock, and those after the first find nothing to do.
pub fn bring_up_to_date(db: &Db) -> Result<(), AppError> {
    let mut conn = db.get()?;
    let conn: &mut DbConn = &mut conn;
    if current(conn)? {
        return Ok(());
    }
    with_session_lock(conn, REBUILD_LOCK_KEY, rebuild_if_stale)
}

fn current(conn: &mut DbConn) -> Result<bool, AppError> {
    Ok(deadlines::kept_version(conn)? == Some(DEADLINES_VERSION))
}

fn rebuild_if_stale(conn: &mut DbConn) -> Result<(), AppError> {
    if current(conn)? {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let kept = rebuild(conn)?;
    crate::db::shrink_memory(conn)?;
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
    let provinces = crate::store::provinces::ids(conn)?;
    let mut kept = 0;
    for province in provinces {
        kept += write_transaction(conn, |conn| {
            crate::store::submissions::recount(conn, province)?;
            crate::store::provinces::raise(conn, province, Version::Deadlines)?;
            deadlines::refresh(conn, Schools::Province(province))
        })?;
    }
    write_transaction(conn, |conn| {
        deadlines::set_kept_version(conn, DEADLINES_VERSION)
    })?;
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow;

    #[test]
    fn what_each_change_moves() {
        let kept = Moves {
            deadlines: true,
            peers: true,
            ..Moves::default()
        };
        assert_eq!(moves(Action::TitleReevaluate), kept);
        assert_eq!(
            moves(Action::FindingUpdate),
            Moves {
                metrics: true,
                ..kept
            }
        );
        assert_eq!(
            moves(Action::StatusDataLock),
            Moves {
                metrics: true,
                round: true,
                ..kept
            }
        );
        assert_eq!(
            moves(Action::StatusDataSet),
            Moves {
                round: true,
                ..Moves::default()
            }
        );
        assert_eq!(
            moves(Action::Submission(workflow::Action::Submit)),
            Moves {
                deadlines: true,
                round: true,
                tally: true,
                ..Moves::default()
            }
        );
        assert_eq!(moves(Action::GrantRead), Moves::default());
        assert_eq!(
            moves(Action::SchoolUpdate),
            Moves {
                round: true,
                ..kept
            }
        );
        assert_eq!(moves(Action::EvidenceAdd), Moves::default());
    }
}

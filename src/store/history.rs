//! The append-only, hash-chained history of every change to a school's record and every
//! workflow step. `record` is called inside the transaction of the change it records; the
//! chain is kept in one order by a lock (SQLite's write lock, a PostgreSQL advisory lock).

use diesel::prelude::*;
use serde::Serialize;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::{history, history_head};
use crate::domain::access::Scoped;
use crate::domain::history::{Change, EntryContent, GENESIS, entry_hash};
use crate::domain::paging::{After, Listing, Paging};
use crate::error::AppError;

/// Key of the advisory lock that orders appends on PostgreSQL.
const HISTORY_LOCK_KEY: i64 = 0x0068_6973_746f_7279; // "history"

#[derive(Clone, Debug, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = history, check_for_backend(crate::db::MultiBackend))]
pub struct HistoryEntry {
    pub id: i64,
    #[serde(serialize_with = "crate::clock::serialize_timestamp")]
    #[schema(value_type = String)]
    pub at: PrimitiveDateTime,
    pub actor_id: Option<i64>,
    pub school_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: i64,
    #[serde(rename = "before")]
    pub before_json: Option<String>,
    #[serde(rename = "after")]
    pub after_json: Option<String>,
    #[serde(skip)]
    pub prev_hash: String,
    pub hash: String,
}

impl HistoryEntry {
    fn content<'a>(&'a self, at: &'a str) -> EntryContent<'a> {
        EntryContent {
            id: self.id,
            at,
            actor_id: self.actor_id,
            school_id: self.school_id,
            action: &self.action,
            entity: &self.entity,
            entity_id: self.entity_id,
            before: self.before_json.as_deref(),
            after: self.after_json.as_deref(),
        }
    }
}

/// Takes the lock that orders appends, until the transaction ends (PostgreSQL; SQLite's
/// write lock does the same).
pub fn lock(conn: &mut DbConn) -> Result<(), AppError> {
    Ok(crate::db::xact_lock(conn, HISTORY_LOCK_KEY)?)
}

/// Appends `change`, after the write it describes and inside its transaction. The history
/// only appends and verifies: what is derived from a change is the use case's to bring up
/// to date (`app::write`).
pub fn append(conn: &mut DbConn, change: &Change) -> Result<i64, AppError> {
    lock(conn)?;
    let head: Option<(i64, String)> = history_head::table
        .find(1)
        .select((history_head::last_id, history_head::last_hash))
        .first(conn)
        .optional()?;
    let (last_id, last_hash) = head.unwrap_or((0, GENESIS.to_owned()));
    let at = crate::clock::to_micros(change.at);
    let at_text = crate::clock::rfc3339(at);
    let before = change.before.as_ref().map(|v| v.to_string());
    let after = change.after.as_ref().map(|v| v.to_string());
    let action = change.action.name();
    let entity = change.action.entity().as_str();
    let id = last_id + 1;
    let hash = entry_hash(
        &last_hash,
        &EntryContent {
            id,
            at: &at_text,
            actor_id: change.actor_id,
            school_id: change.school_id,
            action: &action,
            entity,
            entity_id: change.entity_id,
            before: before.as_deref(),
            after: after.as_deref(),
        },
    );
    diesel::insert_into(history::table)
        .values((
            history::id.eq(id),
            history::at.eq(at),
            history::actor_id.eq(change.actor_id),
            history::school_id.eq(change.school_id),
            history::action.eq(action.as_ref()),
            history::entity.eq(entity),
            history::entity_id.eq(change.entity_id),
            history::before_json.eq(&before),
            history::after_json.eq(&after),
            history::prev_hash.eq(&last_hash),
            history::hash.eq(&hash),
        ))
        .execute(conn)?;
    let moved = diesel::update(history_head::table.find(1))
        .set((
            history_head::last_id.eq(id),
            history_head::last_hash.eq(&hash),
        ))
        .execute(conn)?;
    if moved == 0 {
        diesel::insert_into(history_head::table)
            .values((
                history_head::id.eq(1),
                history_head::last_id.eq(id),
                history_head::last_hash.eq(&hash),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

/// The outcome of walking the chain.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Intact { entries: u64 },
    Broken { entry_id: i64, reason: String },
}

/// Walks the whole chain in order, in batches, recomputing every hash.
pub fn verify(conn: &mut DbConn) -> Result<Verdict, AppError> {
    const BATCH: i64 = 5_000;
    let mut previous_hash = GENESIS.to_owned();
    let mut expected_id = 1;
    let mut count = 0u64;
    loop {
        let batch: Vec<HistoryEntry> = history::table
            .filter(history::id.ge(expected_id))
            .order(history::id.asc())
            .limit(BATCH)
            .select(HistoryEntry::as_select())
            .load(conn)?;
        if batch.is_empty() {
            break;
        }
        for entry in &batch {
            if entry.id != expected_id {
                return Ok(Verdict::Broken {
                    entry_id: expected_id,
                    reason: format!("entry {expected_id} is missing (next is {})", entry.id),
                });
            }
            if entry.prev_hash != previous_hash {
                return Ok(Verdict::Broken {
                    entry_id: entry.id,
                    reason: "its previous hash does not match the entry before it".into(),
                });
            }
            let at = crate::clock::rfc3339(entry.at);
            if entry_hash(&previous_hash, &entry.content(&at)) != entry.hash {
                return Ok(Verdict::Broken {
                    entry_id: entry.id,
                    reason: "its content does not match its hash (edited)".into(),
                });
            }
            previous_hash = entry.hash.clone();
            expected_id += 1;
            count += 1;
        }
    }
    let head: Option<(i64, String)> = history_head::table
        .find(1)
        .select((history_head::last_id, history_head::last_hash))
        .first(conn)
        .optional()?;
    let last_id = expected_id - 1;
    match head {
        None if count == 0 => Ok(Verdict::Intact { entries: 0 }),
        Some((id, hash)) if id == last_id && hash == previous_hash => {
            Ok(Verdict::Intact { entries: count })
        }
        Some((id, _)) if id > last_id => Ok(Verdict::Broken {
            entry_id: last_id + 1,
            reason: format!("entries {} to {id} are missing at the end", last_id + 1),
        }),
        _ => Ok(Verdict::Broken {
            entry_id: last_id,
            reason: "the chain's recorded head does not match its last entry".into(),
        }),
    }
}

/// The history of one school, newest first, without the `hidden` actions (what the reader
/// may not see); the school was found for the reader.
pub fn for_school(
    conn: &mut DbConn,
    school: &Scoped,
    hidden: &[String],
    paging: &Paging,
) -> Result<Listing<HistoryEntry>, AppError> {
    let school_id = school.id();
    let total: i64 = history::table
        .filter(history::school_id.eq(school_id))
        .filter(history::action.ne_all(hidden))
        .count()
        .get_result(conn)?;
    let rows = crate::store::continue_by_id_desc!(
        history::table
            .filter(history::school_id.eq(school_id))
            .filter(history::action.ne_all(hidden))
            .into_boxed::<crate::db::MultiBackend>(),
        history::id,
        &paging.after
    )
    .order(history::id.desc())
    .limit(paging.limit + 1)
    .select(HistoryEntry::as_select())
    .load(conn)?;
    Ok(Listing::by_key(rows, total, paging, |e: &HistoryEntry| {
        After::Id(e.id)
    }))
}

/// How many changes the history holds (the admin's home).
pub fn count(conn: &mut DbConn) -> Result<i64, AppError> {
    Ok(history::table.count().get_result(conn)?)
}

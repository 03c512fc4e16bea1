//! What every part of a school's record shares: finding the school for a read or a write
//! (404 outside the scope, 403 without the right), and describing a change for the history.

use serde::Serialize;
use serde_json::Value;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::domain::access::Access;
use crate::domain::history::{Action, Change};
use crate::error::AppError;
use crate::store::schools::{self, School};

/// The school, if `access` may read it (else 404) and keep its record (else 403).
pub fn writable_school(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
) -> Result<School, AppError> {
    let school = schools::get(conn, access, school_id)?;
    Access::require(access.keeps_record_of(school.id))?;
    Ok(school)
}

/// A value as the history stores it.
pub fn json<T: Serialize>(value: &T) -> Option<Value> {
    serde_json::to_value(value).ok()
}

/// A change to `school_id`'s record by `access`, at `at`.
pub fn change(
    access: &Access,
    school_id: i64,
    action: Action,
    entity_id: i64,
    before: Option<Value>,
    after: Option<Value>,
    at: PrimitiveDateTime,
) -> Change {
    Change {
        actor_id: access.actor_id(),
        school_id: Some(school_id),
        action,
        entity_id,
        before,
        after,
        at,
    }
}

/// Refuses a change made from a stale copy.
pub fn check_version(expected: Option<i64>, current: i64) -> Result<(), AppError> {
    match expected {
        Some(v) if v != current => Err(crate::store::schools::stale_version()),
        _ => Ok(()),
    }
}

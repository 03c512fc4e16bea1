//! The outbox: what is to be mailed, written in the same transaction as what it tells of
//! (a workflow step, a reminder, a digest), so that nothing is told of that did not happen.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::outbox;
use crate::error::AppError;

/// Queues a mail to `user` with what it tells of.
pub fn enqueue(
    conn: &mut DbConn,
    user: i64,
    payload: &serde_json::Value,
    now: PrimitiveDateTime,
) -> Result<(), AppError> {
    diesel::insert_into(outbox::table)
        .values((
            outbox::channel.eq("email"),
            outbox::user_id.eq(user),
            outbox::payload.eq(payload.to_string()),
            outbox::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

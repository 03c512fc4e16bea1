//! Sessions: one row per issued token. A token is valid only while its row is unrevoked,
//! unexpired, and its user active; so revocation works across all servers at once.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::{sessions, users};
use crate::error::AppError;
use crate::store::users::{User, UserRow};

pub fn create(
    conn: &mut DbConn,
    id: &str,
    user_id: i64,
    now: PrimitiveDateTime,
    expires_at: PrimitiveDateTime,
) -> Result<(), AppError> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(id),
            sessions::user_id.eq(user_id),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The user of a live session, read fresh (so role changes apply at the next request).
pub fn authenticate(
    conn: &mut DbConn,
    session_id: &str,
    user_id: i64,
    now: PrimitiveDateTime,
) -> Result<Option<User>, AppError> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .filter(users::active.eq(true))
        .filter(
            users::valid_until
                .is_null()
                .or(users::valid_until.ge(now.date())),
        )
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(User::try_from)
        .transpose()
}

pub fn revoke(conn: &mut DbConn, session_id: &str, now: PrimitiveDateTime) -> Result<(), AppError> {
    diesel::update(sessions::table.filter(sessions::id.eq(session_id)))
        .filter(sessions::revoked_at.is_null())
        .set(sessions::revoked_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// Ends every session of a user (deactivation, password change).
pub fn revoke_all(
    conn: &mut DbConn,
    user_id: i64,
    now: PrimitiveDateTime,
) -> Result<usize, AppError> {
    Ok(
        diesel::update(sessions::table.filter(sessions::user_id.eq(user_id)))
            .filter(sessions::revoked_at.is_null())
            .set(sessions::revoked_at.eq(now))
            .execute(conn)?,
    )
}

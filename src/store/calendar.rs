//! Each user's secret calendar feed address: created on first use, renewable.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::schema::{calendar_feeds, users};
use crate::db::{DbConn, write_transaction};
use crate::error::AppError;
use crate::random::random_id;
use crate::store::users::{User, UserRow};

/// The user's feed token, made now if there is none (or `renew` asks for a new one, which
/// ends the old address at once).
pub fn token(
    conn: &mut DbConn,
    user_id: i64,
    renew: bool,
    now: PrimitiveDateTime,
) -> Result<String, AppError> {
    write_transaction(conn, |conn| {
        let existing: Option<String> = calendar_feeds::table
            .find(user_id)
            .select(calendar_feeds::token)
            .first(conn)
            .optional()?;
        match existing {
            Some(token) if !renew => Ok(token),
            Some(_) => {
                let token = random_id()?;
                diesel::update(calendar_feeds::table.find(user_id))
                    .set((
                        calendar_feeds::token.eq(&token),
                        calendar_feeds::created_at.eq(now),
                    ))
                    .execute(conn)?;
                Ok(token)
            }
            None => {
                let token = random_id()?;
                diesel::insert_into(calendar_feeds::table)
                    .values((
                        calendar_feeds::user_id.eq(user_id),
                        calendar_feeds::token.eq(&token),
                        calendar_feeds::created_at.eq(now),
                    ))
                    .execute(conn)?;
                Ok(token)
            }
        }
    })
}

/// The active user a feed token belongs to.
pub fn owner(conn: &mut DbConn, token: &str) -> Result<Option<User>, AppError> {
    calendar_feeds::table
        .inner_join(users::table)
        .filter(calendar_feeds::token.eq(token))
        .filter(users::active.eq(true))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(User::try_from)
        .transpose()
}

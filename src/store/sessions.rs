//! Sessions: one row per issued token. A token is valid only while its row is unrevoked,
//! unexpired, and its user active; so revocation works across all servers at once.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::schema::{sessions, users};
use crate::db::{DbConn, natively};
use crate::domain::sign_in::SignInMethod;
use crate::error::AppError;
use crate::store::users::{User, UserRow};

/// A session about to be opened.
pub struct NewSession<'a> {
    pub id: &'a str,
    pub user_id: i64,
    pub method: SignInMethod,
    /// a page's (the cookie), which ends after the idle minutes; else an API token's
    pub page: bool,
    pub expires_at: PrimitiveDateTime,
    /// the CAS ticket it was opened with
    pub platform_ticket: Option<&'a str>,
}

pub fn create(
    conn: &mut DbConn,
    session: &NewSession<'_>,
    now: PrimitiveDateTime,
) -> Result<(), AppError> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(session.id),
            sessions::user_id.eq(session.user_id),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(session.expires_at),
            sessions::method.eq(session.method),
            sessions::page.eq(session.page),
            sessions::last_seen_at.eq(now),
            sessions::platform_ticket.eq(session.platform_ticket),
        ))
        .execute(conn)?;
    Ok(())
}

/// What a session's check found.
pub enum Checked {
    /// Live: its user, read fresh (so role changes apply at the next request), and
    /// whether the session is held to the first change of password.
    Live {
        user: User,
        method: SignInMethod,
        page: bool,
        restricted: bool,
    },
    /// A page session unused for longer than the idle time: ended now.
    Idle(User, SignInMethod),
    /// Unknown, revoked, expired, or its user no longer in office.
    Ended,
}

/// A session's row with its user, read in one statement.
#[derive(Queryable, Selectable)]
#[diesel(table_name = sessions, check_for_backend(crate::db::MultiBackend))]
struct LiveRow {
    #[diesel(embed)]
    user: UserRow,
    method: SignInMethod,
    page: bool,
    last_seen_at: Option<PrimitiveDateTime>,
}

/// How often a page session's last use is written (not at every request).
const SEEN_EVERY: time::Duration = time::Duration::minutes(1);

/// Checks a session: live, ended, or (a page's) idle for longer than `idle`, which ends
/// it. A live page session's last use is brought up to date at most once a minute.
pub fn authenticate(
    conn: &mut DbConn,
    session_id: &str,
    user_id: i64,
    now: PrimitiveDateTime,
    idle: time::Duration,
) -> Result<Checked, AppError> {
    // On every signed-in request: asked of the backend's own connection (`natively!`).
    let found: Option<LiveRow> = natively!(conn, |c| sessions::table
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
        .select(LiveRow::as_select())
        .first(c)
        .optional())?;
    let Some(LiveRow {
        user: row,
        method,
        page,
        last_seen_at: last_seen,
    }) = found
    else {
        return Ok(Checked::Ended);
    };
    let user = User::try_from(row)?;
    if page {
        let seen = last_seen.unwrap_or(now);
        if seen + idle <= now {
            revoke(conn, session_id, now)?;
            return Ok(Checked::Idle(user, method));
        }
        if seen + SEEN_EVERY <= now {
            // Another server may have written it meanwhile: the later time wins.
            diesel::update(sessions::table.find(session_id))
                .filter(sessions::last_seen_at.lt(now))
                .set(sessions::last_seen_at.eq(now))
                .execute(conn)?;
        }
    }
    let restricted = user.password_change_required && method == SignInMethod::Password;
    Ok(Checked::Live {
        user,
        method,
        page,
        restricted,
    })
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

/// Ends the sessions opened with a CAS ticket (the CAS server's single logout), and
/// returns whose they were.
pub fn revoke_ticket(
    conn: &mut DbConn,
    ticket: &str,
    now: PrimitiveDateTime,
) -> Result<Vec<User>, AppError> {
    let live = sessions::table
        .filter(sessions::platform_ticket.eq(ticket))
        .filter(sessions::revoked_at.is_null());
    let owners: Vec<UserRow> = live
        .inner_join(users::table)
        .select(UserRow::as_select())
        .load(conn)?;
    diesel::update(live)
        .set(sessions::revoked_at.eq(now))
        .execute(conn)?;
    owners.into_iter().map(User::try_from).collect()
}

//! Login attempts, for throttling. An attempt is recorded as failed *before* the password
//! is checked and marked successful afterwards, so that attempts in flight count too.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::schema::login_attempts as attempts;
use crate::db::{DbConn, write_transaction};
use crate::domain::throttle::{self, MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS, WINDOW};
use crate::error::AppError;

/// Records an attempt, unless the account or the address is throttled: then the error says
/// how long to wait. Returns the attempt's id.
pub fn begin(
    conn: &mut DbConn,
    email: &str,
    client_addr: &str,
    now: PrimitiveDateTime,
) -> Result<i64, AppError> {
    write_transaction(conn, |conn| {
        let since = now - WINDOW;
        // Failures before the account's last success no longer count.
        let last_success: Option<PrimitiveDateTime> = attempts::table
            .filter(attempts::email.eq(email))
            .filter(attempts::succeeded.eq(true))
            .filter(attempts::attempted_at.ge(since))
            .select(diesel::dsl::max(attempts::attempted_at))
            .first(conn)?;
        let account_failures: Vec<PrimitiveDateTime> = attempts::table
            .filter(attempts::email.eq(email))
            .filter(attempts::succeeded.eq(false))
            .filter(attempts::attempted_at.ge(last_success.map_or(since, |s| s.max(since))))
            .order(attempts::attempted_at.asc())
            .select(attempts::attempted_at)
            .load(conn)?;
        let address_failures: Vec<PrimitiveDateTime> = attempts::table
            .filter(attempts::client_addr.eq(client_addr))
            .filter(attempts::succeeded.eq(false))
            .filter(attempts::attempted_at.ge(since))
            .order(attempts::attempted_at.asc())
            .select(attempts::attempted_at)
            .load(conn)?;
        let wait = throttle::retry_after(&account_failures, MAX_FAILURES_PER_ACCOUNT, now)
            .into_iter()
            .chain(throttle::retry_after(
                &address_failures,
                MAX_FAILURES_PER_ADDRESS,
                now,
            ))
            .max();
        if let Some(retry_after_secs) = wait {
            return Err(AppError::TooManyRequests { retry_after_secs });
        }
        let id = diesel::insert_into(attempts::table)
            .values((
                attempts::email.eq(email),
                attempts::client_addr.eq(client_addr),
                attempts::succeeded.eq(false),
                attempts::attempted_at.eq(now),
            ))
            .returning(attempts::id)
            .get_result(conn)?;
        Ok(id)
    })
}

pub fn mark_succeeded(conn: &mut DbConn, attempt_id: i64) -> Result<(), AppError> {
    diesel::update(attempts::table.find(attempt_id))
        .set(attempts::succeeded.eq(true))
        .execute(conn)?;
    Ok(())
}

/// Forgets attempts older than the window (called now and then by sign-ins).
pub fn prune(conn: &mut DbConn, now: PrimitiveDateTime) -> Result<usize, AppError> {
    Ok(
        diesel::delete(attempts::table.filter(attempts::attempted_at.lt(now - WINDOW)))
            .execute(conn)?,
    )
}

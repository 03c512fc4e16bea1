//! The outbox: what is to be mailed, written in the same transaction as what it tells of
//! (a workflow step, a reminder, a digest), so that nothing is told of that did not happen.
//!
//! Delivery takes rows with a lease: on PostgreSQL `FOR UPDATE SKIP LOCKED`, so that several
//! servers each take different rows; on SQLite inside a `BEGIN IMMEDIATE` transaction (one
//! writer at a time). A row is marked delivered after the mail server accepted it; a failure
//! sets when to try again, and after the limit marks it failed until an admin retries it. A
//! sender killed mid-send leaves its rows leased; they are taken again when the lease ends.

use diesel::prelude::*;
use serde::Serialize;
use time::{Duration, PrimitiveDateTime};

use crate::db::schema::{outbox, users, webhooks};
use crate::db::{DbConn, write_transaction};
use crate::domain::mail::{MailChoices, MailKind, retry_after};
use crate::error::AppError;

/// Queues mails of `kind`, one per recipient and what it tells of, leaving out the
/// recipients who have turned that kind off (the in-app notices are written all the same,
/// by the caller); answers how many were queued. One query of choices and one insert for
/// each 500 mails (the daily reminders queue tens of thousands).
pub fn enqueue(
    conn: &mut DbConn,
    kind: MailKind,
    mails: &[(i64, &serde_json::Value)],
    now: PrimitiveDateTime,
) -> Result<usize, AppError> {
    let mut queued = 0;
    for chunk in mails.chunks(500) {
        let mut recipients: Vec<i64> = chunk.iter().map(|(user, _)| *user).collect();
        recipients.sort_unstable();
        recipients.dedup();
        let of_recipients = users::table.filter(users::id.eq_any(&recipients));
        let wanting: Vec<i64> = match kind {
            MailKind::Workflow => of_recipients
                .filter(users::mail_workflow)
                .select(users::id)
                .load(conn)?,
            MailKind::Reminder => of_recipients
                .filter(users::mail_reminders)
                .select(users::id)
                .load(conn)?,
            MailKind::Digest => of_recipients
                .filter(users::mail_digest)
                .select(users::id)
                .load(conn)?,
        };
        let rows: Vec<_> = chunk
            .iter()
            .filter(|(user, _)| wanting.contains(user))
            .map(|(user, payload)| {
                (
                    outbox::channel.eq(EMAIL),
                    outbox::user_id.eq(*user),
                    outbox::kind.eq(kind.as_str()),
                    outbox::payload.eq(payload.to_string()),
                    outbox::created_at.eq(now),
                )
            })
            .collect();
        queued += rows.len();
        if !rows.is_empty() {
            crate::db::insert_batch!(conn, outbox::table, rows)?;
        }
    }
    Ok(queued)
}

/// Which kinds of mail `user` receives.
pub fn choices(conn: &mut DbConn, user: i64) -> Result<MailChoices, AppError> {
    let (workflow, reminders, digest) = users::table
        .find(user)
        .select((
            users::mail_workflow,
            users::mail_reminders,
            users::mail_digest,
        ))
        .first(conn)?;
    Ok(MailChoices {
        workflow,
        reminders,
        digest,
    })
}

/// Sets which kinds of mail `user` receives.
pub fn set_choices(conn: &mut DbConn, user: i64, choices: MailChoices) -> Result<(), AppError> {
    diesel::update(users::table.find(user))
        .set((
            users::mail_workflow.eq(choices.workflow),
            users::mail_reminders.eq(choices.reminders),
            users::mail_digest.eq(choices.digest),
        ))
        .execute(conn)?;
    Ok(())
}

/// Turns one kind of mail off for `user` (the opt-out link): one update of that column
/// only, so that a change of the other kinds made meanwhile is kept.
pub fn turn_off(conn: &mut DbConn, user: i64, kind: MailKind) -> Result<(), AppError> {
    let row = users::table.find(user);
    match kind {
        MailKind::Workflow => diesel::update(row)
            .set(users::mail_workflow.eq(false))
            .execute(conn)?,
        MailKind::Reminder => diesel::update(row)
            .set(users::mail_reminders.eq(false))
            .execute(conn)?,
        MailKind::Digest => diesel::update(row)
            .set(users::mail_digest.eq(false))
            .execute(conn)?,
    };
    Ok(())
}

/// A row taken for delivery.
#[derive(Clone, Debug, Queryable)]
pub struct Claimed {
    pub id: i64,
    /// a mail's recipient
    pub user_id: Option<i64>,
    /// a robot's message: the robot
    pub webhook_id: Option<i64>,
    pub kind: String,
    pub payload: String,
    /// attempts so far, this one included
    pub attempts: i32,
}

/// Rows that may be taken at `$now`: not delivered, not failed, due, and not leased.
macro_rules! claimable {
    ($channel:expr, $now:expr, $after:expr) => {
        outbox::channel
            .eq($channel)
            .and(outbox::delivered_at.is_null())
            .and(outbox::failed_at.is_null())
            .and(outbox::id.gt($after))
            .and(
                outbox::next_attempt_at
                    .is_null()
                    .or(outbox::next_attempt_at.le($now)),
            )
            .and(
                outbox::leased_until
                    .is_null()
                    .or(outbox::leased_until.lt($now)),
            )
    };
}

/// What taking a row changes: its lease, and one more attempt.
macro_rules! lease_taken {
    ($until:expr) => {
        (
            outbox::leased_until.eq($until),
            outbox::attempts.eq(outbox::attempts + 1),
        )
    };
}

/// The channel of mails.
pub const EMAIL: &str = "email";
/// The channel of group robots' messages.
pub const ROBOT: &str = "robot";

/// Takes up to `limit` rows of `channel` after `after` (by id) for `lease`, counting the
/// attempt.
pub fn claim(
    conn: &mut DbConn,
    channel: &str,
    now: PrimitiveDateTime,
    lease: Duration,
    after: i64,
    limit: i64,
) -> Result<Vec<Claimed>, AppError> {
    let ids: Vec<i64> = match conn {
        // Rows another server holds are skipped rather than waited for.
        DbConn::Pg(pg) => pg.transaction(|pg| {
            let ids: Vec<i64> = outbox::table
                .filter(claimable!(channel, now, after))
                .order(outbox::id)
                .limit(limit)
                .select(outbox::id)
                .for_update()
                .skip_locked()
                .load(pg)?;
            diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
                .set(lease_taken!(now + lease))
                .execute(pg)?;
            Ok::<_, diesel::result::Error>(ids)
        })?,
        DbConn::Sqlite(_) => write_transaction(conn, |conn| {
            let ids: Vec<i64> = outbox::table
                .filter(claimable!(channel, now, after))
                .order(outbox::id)
                .limit(limit)
                .select(outbox::id)
                .load(conn)?;
            diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
                .set(lease_taken!(now + lease))
                .execute(conn)?;
            Ok::<_, AppError>(ids)
        })?,
    };
    Ok(outbox::table
        .filter(outbox::id.eq_any(&ids))
        .order(outbox::id)
        .select((
            outbox::id,
            outbox::user_id,
            outbox::webhook_id,
            outbox::kind,
            outbox::payload,
            outbox::attempts,
        ))
        .load(conn)?)
}

/// The mail server accepted the row's mail.
pub fn delivered(conn: &mut DbConn, id: i64, now: PrimitiveDateTime) -> Result<(), AppError> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::delivered_at.eq(now),
            outbox::leased_until.eq(None::<PrimitiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// The row's mail is no longer wanted (its recipient turned that kind off or left): it goes.
pub fn discard(conn: &mut DbConn, id: i64) -> Result<(), AppError> {
    diesel::delete(outbox::table.find(id)).execute(conn)?;
    Ok(())
}

/// The attempt failed with `error`: try again later, or, at the limit, mark it failed.
/// Returns whether it is now failed.
pub fn attempt_failed(
    conn: &mut DbConn,
    row: &Claimed,
    error: &str,
    now: PrimitiveDateTime,
    max_attempts: i32,
    first_wait: Duration,
) -> Result<bool, AppError> {
    let wait = retry_after(row.attempts, max_attempts, first_wait);
    diesel::update(outbox::table.find(row.id))
        .set((
            outbox::leased_until.eq(None::<PrimitiveDateTime>),
            outbox::last_error.eq(error),
            outbox::next_attempt_at.eq(wait.map(|w| now + w)),
            outbox::failed_at.eq(wait.is_none().then_some(now)),
        ))
        .execute(conn)?;
    Ok(wait.is_none())
}

/// An admin asks for failed mails to be tried again (all of them, or one): they start
/// over with a fresh count of attempts. Returns how many.
pub fn retry(conn: &mut DbConn, id: Option<i64>) -> Result<usize, AppError> {
    let failed = outbox::table.filter(outbox::failed_at.is_not_null());
    let reset = (
        outbox::failed_at.eq(None::<PrimitiveDateTime>),
        outbox::next_attempt_at.eq(None::<PrimitiveDateTime>),
        outbox::attempts.eq(0),
    );
    Ok(match id {
        Some(id) => diesel::update(failed.filter(outbox::id.eq(id)))
            .set(reset)
            .execute(conn)?,
        None => diesel::update(failed).set(reset).execute(conn)?,
    })
}

/// How the outbox stands, for the admin.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Standing {
    /// waiting for their first attempt
    pub waiting: i64,
    /// failed at least once, to be tried again
    pub retrying: i64,
    /// given up on until an admin retries
    pub failed: i64,
    pub delivered: i64,
}

pub fn standing(conn: &mut DbConn) -> Result<Standing, AppError> {
    let undelivered = || {
        outbox::table
            .filter(outbox::delivered_at.is_null())
            .filter(outbox::failed_at.is_null())
    };
    Ok(Standing {
        waiting: undelivered()
            .filter(outbox::last_error.is_null())
            .count()
            .get_result(conn)?,
        retrying: undelivered()
            .filter(outbox::last_error.is_not_null())
            .count()
            .get_result(conn)?,
        failed: outbox::table
            .filter(outbox::failed_at.is_not_null())
            .count()
            .get_result(conn)?,
        delivered: outbox::table
            .filter(outbox::delivered_at.is_not_null())
            .count()
            .get_result(conn)?,
    })
}

/// A mail that has not gone out although it was tried.
#[derive(Clone, Debug, Queryable, Serialize)]
pub struct Trouble {
    pub id: i64,
    pub kind: String,
    /// a mail's recipient
    pub email: Option<String>,
    /// a robot's message: the robot and its kind
    pub webhook_id: Option<i64>,
    pub robot: Option<String>,
    pub attempts: i32,
    pub last_error: Option<String>,
    #[serde(serialize_with = "crate::clock::serialize_timestamp")]
    pub created_at: PrimitiveDateTime,
    #[serde(serialize_with = "crate::clock::serialize_opt_timestamp")]
    pub next_attempt_at: Option<PrimitiveDateTime>,
    #[serde(serialize_with = "crate::clock::serialize_opt_timestamp")]
    pub failed_at: Option<PrimitiveDateTime>,
}

/// The failed mails and those being retried, newest first (at most `limit`).
pub fn troubles(conn: &mut DbConn, limit: i64) -> Result<Vec<Trouble>, AppError> {
    Ok(outbox::table
        .left_join(users::table)
        .left_join(webhooks::table)
        .filter(outbox::delivered_at.is_null())
        .filter(outbox::last_error.is_not_null())
        .order((outbox::failed_at.is_null(), outbox::id.desc()))
        .limit(limit)
        .select((
            outbox::id,
            outbox::kind,
            users::email.nullable(),
            outbox::webhook_id,
            webhooks::kind.nullable(),
            outbox::attempts,
            outbox::last_error,
            outbox::created_at,
            outbox::next_attempt_at,
            outbox::failed_at,
        ))
        .load(conn)?)
}

/// Gives rows taken back untried (a robot over its limit for the minute): the attempt
/// does not count, and they are taken again at the next pass.
pub fn release(conn: &mut DbConn, ids: &[i64]) -> Result<(), AppError> {
    diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
        .set((
            outbox::leased_until.eq(None::<PrimitiveDateTime>),
            outbox::attempts.eq(outbox::attempts - 1),
        ))
        .execute(conn)?;
    Ok(())
}

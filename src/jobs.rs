//! Periodic work of `accredit serve`: the daily reminders, which of several servers on one
//! database one runs each day (a lease row in the database), and the mail sender.

use std::time::Duration as StdDuration;

use time::{Date, Duration};

use crate::clock::Clock;
use crate::db::Db;
use crate::error::AppError;
use crate::store::leases;
use crate::store::reminders::{self, Outcome};

/// The lease's name.
const REMINDERS: &str = "reminders";
/// Longer than a run over the national data takes; a server killed mid-run holds the job
/// back this long at most.
const LEASE: Duration = Duration::minutes(30);
/// How often a server looks whether today's reminders are done.
const LOOK_EVERY: StdDuration = StdDuration::from_secs(60);

/// Puts today's reminders in the outbox, if no other run holds the lease; with `once_a_day`,
/// only if today's run is not done yet. `None`: another run holds it (or it is done).
pub fn reminders_for(
    db: &Db,
    holder: &str,
    today: Date,
    once_a_day: bool,
) -> Result<Option<Outcome>, AppError> {
    let mut conn = db.get()?;
    let undone_on = once_a_day.then_some(today);
    let now = crate::clock::now_utc();
    if !leases::take(&mut conn, REMINDERS, holder, now, LEASE, undone_on)? {
        return Ok(None);
    }
    let done = reminders::put_due(&mut conn, today, now);
    crate::db::shrink_memory(&mut conn)?;
    match done {
        Ok(outcome) => {
            leases::release(&mut conn, REMINDERS, holder, Some(today))?;
            Ok(Some(outcome))
        }
        Err(error) => {
            leases::release(&mut conn, REMINDERS, holder, None)?;
            Err(error)
        }
    }
}

/// How often each server sweeps the evidence storage's staging area.
const SWEEP_EVERY: StdDuration = StdDuration::from_secs(3600);

/// Removes what crashed uploads left (staged files, incomplete multipart uploads) once
/// older than `age`: at start-up, then every hour. Harmless on several servers at once.
pub async fn sweep_staging(
    storage: std::sync::Arc<dyn crate::evidence::EvidenceStorage>,
    age: Duration,
) {
    let age = StdDuration::try_from(age).unwrap_or(StdDuration::ZERO);
    loop {
        let storage = storage.clone();
        match actix_web::web::block(move || storage.sweep(age)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(removed)) => tracing::info!(removed, "removed staged uploads left by a crash"),
            Ok(Err(error)) => tracing::error!(%error, "sweeping staged uploads failed"),
            Err(error) => tracing::error!(%error, "sweeping staged uploads did not run"),
        }
        actix_web::rt::time::sleep(SWEEP_EVERY).await;
    }
}

/// Hands the memory a large piece of periodic work freed back to the system. glibc's malloc
/// keeps freed small blocks in its arenas for reuse; after the day's reminders, a rebuild or
/// the file's check they would stay resident for the life of the process.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn return_freed_memory() {
    // SAFETY: malloc_trim only releases free memory of the allocator's own arenas; it takes
    // the arenas' locks itself and touches no block in use.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn return_freed_memory() {}

/// Runs the day's reminders once a day, on whichever server gets there first.
pub async fn daily_reminders(db: Db, clock: Clock) {
    let holder = match crate::random::random_id() {
        Ok(id) => id,
        Err(error) => {
            tracing::error!(%error, "no daily reminders: no randomness for a lease holder");
            return;
        }
    };
    loop {
        let db = db.clone();
        let holder = holder.clone();
        let today = clock.today();
        match actix_web::web::block(move || reminders_for(&db, &holder, today, true)).await {
            Ok(Ok(Some(outcome))) => {
                tracing::info!(
                    %today, due = outcome.due, sent = outcome.sent, digests = outcome.digests,
                    "daily reminders"
                );
                return_freed_memory();
            }
            Ok(Ok(None)) => {}
            Ok(Err(error)) => tracing::error!(%error, "daily reminders failed"),
            Err(error) => tracing::error!(%error, "daily reminders did not run"),
        }
        actix_web::rt::time::sleep(LOOK_EVERY).await;
    }
}

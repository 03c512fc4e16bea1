//! Leases on periodic jobs, so that of several servers on one database one runs a job at a
//! time (and a daily job once a day). A lease ends by itself, so a server killed while it
//! holds one blocks the job only until then.

use diesel::prelude::*;
use time::{Date, Duration, PrimitiveDateTime};

use crate::db::DbConn;
use crate::db::schema::job_leases;
use crate::error::AppError;

/// Takes the lease on job `name` for `holder` if nobody holds it, and, when `undone_on` is
/// given, only if the job has not been done on that day. Returns whether it was taken.
pub fn take(
    conn: &mut DbConn,
    name: &str,
    holder: &str,
    now: PrimitiveDateTime,
    lease: Duration,
    undone_on: Option<Date>,
) -> Result<bool, AppError> {
    let row = diesel::insert_into(job_leases::table)
        .values(job_leases::name.eq(name))
        .on_conflict_do_nothing();
    match conn {
        DbConn::Pg(c) => row.execute(c)?,
        DbConn::Sqlite(c) => row.execute(c)?,
    };
    let free = job_leases::name.eq(name).and(
        job_leases::leased_until
            .is_null()
            .or(job_leases::leased_until.lt(now)),
    );
    let taken = match undone_on {
        Some(day) => diesel::update(job_leases::table)
            .filter(free)
            .filter(
                job_leases::last_done_on
                    .is_null()
                    .or(job_leases::last_done_on.lt(day)),
            )
            .set((
                job_leases::holder.eq(holder),
                job_leases::leased_until.eq(now + lease),
            ))
            .execute(conn)?,
        None => diesel::update(job_leases::table)
            .filter(free)
            .set((
                job_leases::holder.eq(holder),
                job_leases::leased_until.eq(now + lease),
            ))
            .execute(conn)?,
    };
    Ok(taken == 1)
}

/// Gives the lease back; with `done_on`, records the job as done on that day.
pub fn release(
    conn: &mut DbConn,
    name: &str,
    holder: &str,
    done_on: Option<Date>,
) -> Result<(), AppError> {
    let mine = job_leases::table
        .filter(job_leases::name.eq(name))
        .filter(job_leases::holder.eq(holder));
    match done_on {
        Some(day) => diesel::update(mine)
            .set((
                job_leases::leased_until.eq(None::<PrimitiveDateTime>),
                job_leases::last_done_on.eq(day),
            ))
            .execute(conn)?,
        None => diesel::update(mine)
            .set(job_leases::leased_until.eq(None::<PrimitiveDateTime>))
            .execute(conn)?,
    };
    Ok(())
}

//! The use cases, one file per capability: each public function takes the connection, who
//! is asking and a parsed input, opens the transaction, calls the store and returns a
//! domain result. The JSON API and the pages both call these, so a rule is written once.
//!
//! Every write goes through `write`: the store's writers describe their changes in a
//! `Journal`, and `write` appends them to the history and brings what is derived from them
//! up to date (`derived`) before the transaction commits, so that no writer can forget
//! either. Layers point one way: `http → app → store → domain, db`.

use time::PrimitiveDateTime;

use crate::db::{DbConn, write_transaction};
use crate::domain::access::Access;
use crate::domain::history::Journal;
use crate::error::AppError;

pub mod accounts;
pub mod annual_report;
pub mod derived;
pub mod evaluations;
pub mod home;
pub mod input;
pub mod kept;
pub mod notices;
pub mod panels;
pub mod programmes;
pub mod records;
pub mod robots;
pub mod schema;
pub mod schools;
pub mod standards;
pub mod standards_check;
pub mod status_data;
pub mod submissions;

/// Runs one unit of work in a write transaction: `work` writes through the store and notes
/// its changes in the journal; they are appended to the history and followed by the kept
/// state before the commit. A failure anywhere leaves nothing.
///
/// `access` is who does the work and on which day: a unit of work that changes the record
/// of a school merged or closed by that day is refused whole (409 `school_closed`), unless
/// it is the province winding the school down (`Journal::wind_down`). This is the one
/// place that makes such a record read-only, whatever route or page wrote to it.
pub fn write<T>(
    conn: &mut DbConn,
    access: &Access,
    work: impl FnOnce(&mut DbConn, &mut Journal) -> Result<T, AppError>,
) -> Result<T, AppError> {
    write_transaction(conn, |conn| {
        let mut journal = Journal::default();
        let value = work(conn, &mut journal)?;
        settle(conn, journal, access.today)?;
        Ok(value)
    })
}

/// Appends a unit of work's changes to the history and brings the kept state up to date.
fn settle(conn: &mut DbConn, journal: Journal, today: time::Date) -> Result<(), AppError> {
    if journal.is_empty() {
        return Ok(());
    }
    if !journal.winds_down() {
        let mut touched: Vec<i64> = journal.schools().collect();
        touched.sort_unstable();
        touched.dedup();
        if !crate::store::schools::wound_up_among(conn, &touched, today)?.is_empty() {
            return Err(AppError::conflict_of(
                crate::domain::message::Msg::SchoolClosed,
            ));
        }
    }
    let changes = journal.into_changes();
    // The chain's lock first, as every appender takes it: writers queue in one order.
    crate::store::history::lock(conn)?;
    derived::follow(conn, &changes)?;
    for change in &changes {
        crate::store::history::append(conn, change)?;
    }
    Ok(())
}

/// The time a use case stamps on what it writes.
pub fn now() -> PrimitiveDateTime {
    crate::clock::now_utc()
}

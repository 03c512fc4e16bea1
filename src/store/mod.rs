//! Diesel queries, one file per aggregate. Every function takes a `&mut DbConn` and is
//! called from `Db::run` (or the command line); the access policy joins as an argument of
//! every tenant-scoped function once accounts arrive.

pub mod audits;
pub mod calendar;
pub mod certificates;
pub mod deadlines;
pub mod findings;
pub mod grants;
pub mod history;
pub mod indicators;
pub mod login_attempts;
pub mod peers;
pub mod programmes;
pub mod provinces;
pub mod record;
pub mod schools;
pub mod sessions;
pub mod submissions;
pub mod titles;
pub mod users;

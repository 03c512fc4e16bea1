//! Diesel queries, one file per aggregate. Every function takes a `&mut DbConn` and is
//! called from `Db::run` (or the command line); the access policy joins as an argument of
//! every tenant-scoped function once accounts arrive.

pub mod login_attempts;
pub mod provinces;
pub mod schools;
pub mod sessions;
pub mod users;

//! The integration suite: the real server, over HTTP, on SQLite and PostgreSQL.
//! One binary on purpose (link time); browser tests live in tests/browser and join it here.

mod client;
mod helpers;
mod world;

mod access;
mod accounts;
mod backup;
mod cli;
mod deadlines;
mod disk_full;
mod errors;
mod evaluations;
mod grants;
mod health;
mod hostile;
mod incomplete_uploads;
mod mail;
mod matrix;
mod mergers;
mod notices;
mod openapi;
mod pages;
mod paging;
mod panels;
mod peers;
mod platforms;
mod programmes;
mod records;
mod reminders;
mod robots;
mod schema;
mod school_year;
mod standards;
mod storage;
mod two_servers;
mod web_pages;
mod workflow;

#[path = "../browser/mod.rs"]
mod browser;

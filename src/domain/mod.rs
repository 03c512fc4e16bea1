//! Pure types and rules of the domain: no IO, no framework. Values of these types are
//! valid by construction (each has a `parse`), so code that holds one need not check again.

pub mod access;
pub mod calendar;
pub mod clause;
pub mod dates;
pub mod evidence;
pub mod history;
pub mod indicators;
pub mod lang;
pub mod mail;
pub mod message;
pub mod notice;
pub mod numbers;
pub mod paging;
pub mod panel;
pub mod peers;
pub mod person;
pub mod quality;
pub mod reminders;
pub mod robot;
pub mod role;
pub mod school;
pub mod sign_in;
pub mod standard;
pub mod status_data;
pub mod storage;
pub mod text;
pub mod throttle;
pub mod vocabulary;
pub mod workflow;

pub use person::{EmailAddress, NewPassword, PasswordPolicy, PersonName};
pub use role::Role;
pub use school::{SchoolKind, SchoolStatus};

//! Pure types and rules of the domain: no IO, no framework. Values of these types are
//! valid by construction (each has a `parse`), so code that holds one need not check again.

pub mod person;
pub mod role;
pub mod school;

pub use person::{EmailAddress, NewPassword, PersonName};
pub use role::Role;
pub use school::SchoolKind;

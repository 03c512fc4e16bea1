//! Who is asking and what they may do: password hashes, signed tokens backed by session
//! rows, login throttling, the `CurrentUser` extractor and the access policy.

pub mod current_user;
pub mod opt_out;
pub mod password;
pub mod platform;
pub mod session;
pub mod token;

pub use crate::domain::access::Access;
pub use current_user::{CurrentUser, SignedIn, is_api_path};

//! Who is asking and what they may do: password hashes, signed tokens backed by session
//! rows, login throttling, the `CurrentUser` extractor and the access policy.

pub mod current_user;
pub mod password;
pub mod policy;
pub mod session;
pub mod throttle;
pub mod token;

pub use current_user::CurrentUser;
pub use policy::Access;

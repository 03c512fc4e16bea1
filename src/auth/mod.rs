//! Who is asking and what they may do: password hashing now; tokens, the current-user
//! extractor and the access policy as the accounts arrive.

pub mod password;

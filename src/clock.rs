//! The current time, in UTC, as the database stores it.

use time::{OffsetDateTime, PrimitiveDateTime};

pub fn now_utc() -> PrimitiveDateTime {
    let now = OffsetDateTime::now_utc();
    PrimitiveDateTime::new(now.date(), now.time())
}

/// RFC 3339 text of a UTC timestamp, as the API answers it.
pub fn rfc3339(at: PrimitiveDateTime) -> String {
    at.assume_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.to_string())
}

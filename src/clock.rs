//! The current time, in UTC, as the database stores it.

use time::{OffsetDateTime, PrimitiveDateTime};

pub fn now_utc() -> PrimitiveDateTime {
    let now = OffsetDateTime::now_utc();
    PrimitiveDateTime::new(now.date(), now.time())
}

/// RFC 3339 text of a UTC timestamp, to the microsecond, as the API answers it.
pub fn rfc3339(at: PrimitiveDateTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    at.format(&format).unwrap_or_else(|_| at.to_string())
}

/// The timestamp cut to whole microseconds, as both databases store it.
pub fn to_micros(at: PrimitiveDateTime) -> PrimitiveDateTime {
    at.replace_nanosecond(at.nanosecond() / 1_000 * 1_000)
        .unwrap_or(at)
}

/// Serde helper: a UTC timestamp as RFC 3339 text.
pub fn serialize_timestamp<S: serde::Serializer>(
    at: &PrimitiveDateTime,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*at))
}

/// Serde helper: an optional UTC timestamp as RFC 3339 text or null.
pub fn serialize_opt_timestamp<S: serde::Serializer>(
    at: &Option<PrimitiveDateTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => s.serialize_str(&rfc3339(*at)),
        None => s.serialize_none(),
    }
}

/// What day it is, for due dates. Tests and demonstrations may fix it
/// (`ACCREDIT_TODAY=YYYY-MM-DD`); otherwise it is today in UTC+8, China's time.
#[derive(Clone, Copy, Debug, Default)]
pub struct Clock {
    pub fixed_today: Option<time::Date>,
}

impl Clock {
    pub fn today(&self) -> time::Date {
        self.fixed_today
            .unwrap_or_else(|| (OffsetDateTime::now_utc() + time::Duration::hours(8)).date())
    }
}

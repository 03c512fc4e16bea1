//! Login throttling rules. The attempts themselves are kept in the database
//! (`store::login_attempts`), so that every server sees the same counts.

use time::{Duration, PrimitiveDateTime};

/// The window in which failures count.
pub const WINDOW: Duration = Duration::minutes(15);
/// Failures for one account within the window before sign-in is refused.
pub const MAX_FAILURES_PER_ACCOUNT: usize = 5;
/// Failures from one client address within the window (looser: an office shares one).
pub const MAX_FAILURES_PER_ADDRESS: usize = 50;

/// Seconds until another attempt may be made, or `None` if one may be made now.
/// `failures` are the failed attempts within the window, oldest first.
pub fn retry_after(
    failures: &[PrimitiveDateTime],
    limit: usize,
    now: PrimitiveDateTime,
) -> Option<u64> {
    if failures.len() < limit {
        return None;
    }
    // The attempt that must leave the window before one more is allowed.
    let blocking = failures[failures.len() - limit];
    let free_at = blocking + WINDOW;
    let wait = (free_at - now).whole_seconds().max(1);
    Some(wait as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn five_failures_block_until_the_first_leaves_the_window() {
        let now = datetime!(2026-11-21 10:00);
        let failures: Vec<_> = (0..5).map(|i| now - Duration::minutes(10 - i)).collect();
        assert_eq!(retry_after(&failures[..4], 5, now), None);
        // the oldest was 10 minutes ago: 5 minutes to go
        assert_eq!(retry_after(&failures, 5, now), Some(300));
    }

    #[test]
    fn never_zero_seconds() {
        let now = datetime!(2026-11-21 10:00);
        let failures = vec![now - WINDOW; 5];
        assert_eq!(retry_after(&failures, 5, now), Some(1));
    }
}

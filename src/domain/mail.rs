//! What kinds of mail there are (each of which a person can turn off) and when a failed
//! delivery is tried again.

use time::Duration;

/// A kind of mail, as stored in the outbox and named in an opt-out link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    /// a step of a submission's workflow that concerns the recipient
    Workflow,
    /// something of the recipient's school falls due or is overdue
    Reminder,
    /// the weekly digest of a province's overdue items
    Digest,
}

impl MailKind {
    pub const ALL: [MailKind; 3] = [MailKind::Workflow, MailKind::Reminder, MailKind::Digest];

    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Workflow => "workflow",
            MailKind::Reminder => "reminder",
            MailKind::Digest => "digest",
        }
    }

    pub fn parse(raw: &str) -> Option<MailKind> {
        MailKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// Which kinds a person receives; all of them unless turned off.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(deny_unknown_fields)]
pub struct MailChoices {
    /// mails for workflow steps (a submission to review, a decision on one's submission)
    pub workflow: bool,
    /// reminders before things of one's school fall due, and when overdue
    pub reminders: bool,
    /// the weekly digest of the province's overdue items
    pub digest: bool,
}

impl MailChoices {
    pub fn wants(self, kind: MailKind) -> bool {
        match kind {
            MailKind::Workflow => self.workflow,
            MailKind::Reminder => self.reminders,
            MailKind::Digest => self.digest,
        }
    }
}

/// The longest wait between two attempts.
const LONGEST_WAIT: Duration = Duration::hours(1);

/// How long to wait after the `attempts`-th failed attempt: `first`, then twice as long each
/// time, never more than an hour. `None`: the limit is reached and the mail waits for an
/// admin.
pub fn retry_after(attempts: i32, max_attempts: i32, first: Duration) -> Option<Duration> {
    if attempts >= max_attempts {
        return None;
    }
    let doublings = attempts.clamp(1, 20) - 1;
    let wait = first.checked_mul(1 << doublings).unwrap_or(LONGEST_WAIT);
    Some(wait.min(LONGEST_WAIT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_an_hour_then_stop_at_the_limit() {
        let minute = Duration::minutes(1);
        let waits: Vec<_> = (1..=8).map(|a| retry_after(a, 8, minute)).collect();
        assert_eq!(waits[0], Some(Duration::minutes(1)));
        assert_eq!(waits[1], Some(Duration::minutes(2)));
        assert_eq!(waits[5], Some(Duration::minutes(32)));
        assert_eq!(waits[6], Some(Duration::hours(1)));
        assert_eq!(waits[7], None);
        assert_eq!(retry_after(3, 3, minute), None);
        assert_eq!(retry_after(100, 1000, minute), Some(Duration::hours(1)));
        assert_eq!(retry_after(1, 3, Duration::ZERO), Some(Duration::ZERO));
    }

    #[test]
    fn kinds_round_trip_and_choices_pick_theirs() {
        for kind in MailKind::ALL {
            assert_eq!(MailKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(MailKind::parse("all"), None);
        let choices = MailChoices {
            workflow: true,
            reminders: false,
            digest: true,
        };
        assert!(choices.wants(MailKind::Workflow));
        assert!(!choices.wants(MailKind::Reminder));
        assert!(choices.wants(MailKind::Digest));
    }
}

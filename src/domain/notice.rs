//! The public notice (公示) of recommended evaluation results: its dates, its state on a day,
//! how often one address may object, and what the final approval waits for.

use time::Date;

use crate::domain::message::Msg;

/// The fewest days a notice stays open (its first and last day included).
pub const MIN_DAYS: i64 = 5;

/// Objections accepted from one address within `OBJECTION_WINDOW`.
pub const MAX_OBJECTIONS_PER_ADDRESS: usize = 5;
pub const OBJECTION_WINDOW: time::Duration = time::Duration::hours(1);

crate::vocabulary!(
    /// Where a notice stands on a day: not yet open, open for objections, or closed.
    NoticeState {
        Scheduled => "scheduled",
        Open => "open",
        Closed => "closed",
    }
);

/// The notice's state on `today`: open from its first day through its last.
pub fn state_on(opens_on: Date, closes_on: Date, today: Date) -> NoticeState {
    if today < opens_on {
        NoticeState::Scheduled
    } else if today <= closes_on {
        NoticeState::Open
    } else {
        NoticeState::Closed
    }
}

/// What is wrong with a notice's dates, by field: it opens today or later, and stays open at
/// least `MIN_DAYS` days.
pub fn check_dates(opens_on: Date, closes_on: Date, today: Date) -> Vec<(&'static str, Msg)> {
    let mut problems = Vec::new();
    if opens_on < today {
        problems.push(("opens_on", Msg::InPast));
    }
    if (closes_on - opens_on).whole_days() + 1 < MIN_DAYS {
        problems.push(("closes_on", Msg::NoticeTooShort { days: MIN_DAYS }));
    }
    problems
}

/// What an approval waits for, given the states of the notices a submission was on and the
/// resolutions of its objections (`None`: pending; `Some(true)`: upheld).
pub fn approval_refusal(notices: &[NoticeState], objections: &[Option<bool>]) -> Option<Msg> {
    if notices.contains(&NoticeState::Open) {
        return Some(Msg::NoticeOpen);
    }
    if !notices.contains(&NoticeState::Closed) {
        return Some(Msg::NoticeRequired);
    }
    if objections.iter().any(Option::is_none) {
        return Some(Msg::ObjectionPending);
    }
    if objections.contains(&Some(true)) {
        return Some(Msg::ObjectionUpheld);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_notice_is_open_from_its_first_day_through_its_last() {
        let (opens, closes) = (date!(2026 - 12 - 07), date!(2026 - 12 - 11));
        assert_eq!(
            state_on(opens, closes, date!(2026 - 12 - 06)),
            NoticeState::Scheduled
        );
        assert_eq!(state_on(opens, closes, opens), NoticeState::Open);
        assert_eq!(state_on(opens, closes, closes), NoticeState::Open);
        assert_eq!(
            state_on(opens, closes, date!(2026 - 12 - 12)),
            NoticeState::Closed
        );
    }

    #[test]
    fn a_notice_opens_today_or_later_for_at_least_five_days() {
        let today = date!(2026 - 12 - 02);
        assert!(check_dates(today, date!(2026 - 12 - 06), today).is_empty());
        let short = check_dates(today, date!(2026 - 12 - 05), today);
        assert_eq!(short.len(), 1);
        assert_eq!(short[0].0, "closes_on");
        let past = check_dates(date!(2026 - 12 - 01), date!(2026 - 12 - 30), today);
        assert_eq!(past[0].0, "opens_on");
        let backwards = check_dates(date!(2026 - 12 - 10), date!(2026 - 12 - 03), today);
        assert_eq!(backwards[0].0, "closes_on");
    }

    #[test]
    fn the_approval_waits_for_a_closed_notice_and_every_objection() {
        use NoticeState::*;
        assert_eq!(approval_refusal(&[], &[]), Some(Msg::NoticeRequired));
        assert_eq!(
            approval_refusal(&[Scheduled], &[]),
            Some(Msg::NoticeRequired)
        );
        assert_eq!(approval_refusal(&[Open], &[None]), Some(Msg::NoticeOpen));
        assert_eq!(
            approval_refusal(&[Closed, Open], &[]),
            Some(Msg::NoticeOpen)
        );
        assert_eq!(
            approval_refusal(&[Closed], &[None, Some(false)]),
            Some(Msg::ObjectionPending)
        );
        assert_eq!(
            approval_refusal(&[Closed], &[Some(true)]),
            Some(Msg::ObjectionUpheld)
        );
        assert_eq!(approval_refusal(&[Closed], &[Some(false)]), None);
        assert_eq!(approval_refusal(&[Closed], &[]), None);
    }
}

//! Calendar rules: month arithmetic that is right at month ends, and a title's
//! re-evaluation due date and state.

use time::{Date, Month};

/// `date` plus `months` calendar months; a day past the end of the target month becomes its
/// last day (31 January + 1 month = 28 or 29 February).
/// Past the calendar's end the answer is the calendar's last day (never a panic).
pub fn add_months(date: Date, months: u32) -> Date {
    let total = i64::from(date.year()) * 12 + (date.month() as i64 - 1) + i64::from(months);
    let Ok(year) = i32::try_from(total.div_euclid(12)) else {
        return Date::MAX;
    };
    let month = Month::try_from((total.rem_euclid(12) + 1) as u8).unwrap_or(Month::December);
    let last_day = month.length(year);
    Date::from_calendar_date(year, month, date.day().min(last_day)).unwrap_or(Date::MAX)
}

/// Days before the due date from which a re-evaluation is `due_soon`.
pub const DUE_SOON_DAYS: i64 = 180;

crate::vocabulary!(ReevaluationState {
    /// due more than 180 days from today
    Ok => "ok",
    /// due within 180 days
    DueSoon => "due_soon",
    /// past its due date
    Overdue => "overdue",
    /// a permanent title: never re-evaluated
    None => "none",
});

/// When a title must next be re-evaluated: (last evaluated, else awarded) + interval.
pub fn next_reevaluation(
    awarded_on: Date,
    last_evaluated_on: Option<Date>,
    interval_months: Option<u32>,
) -> Option<Date> {
    interval_months.map(|months| add_months(last_evaluated_on.unwrap_or(awarded_on), months))
}

pub fn reevaluation_state(due: Option<Date>, today: Date) -> ReevaluationState {
    match due {
        None => ReevaluationState::None,
        Some(due) if due < today => ReevaluationState::Overdue,
        Some(due) if (due - today).whole_days() <= DUE_SOON_DAYS => ReevaluationState::DueSoon,
        Some(_) => ReevaluationState::Ok,
    }
}

/// The first and last day of a year.
pub fn year_bounds(year: i32) -> (Date, Date) {
    let first = Date::from_calendar_date(year, time::Month::January, 1).unwrap_or(Date::MIN);
    let last = Date::from_calendar_date(year, time::Month::December, 31).unwrap_or(Date::MAX);
    (first, last)
}

/// The first and the last day a date taken from people may be: a record of schools has no
/// business outside them, and date arithmetic on them can never overflow.
pub const EARLIEST: Date = time::macros::date!(1900 - 01 - 01);
pub const LATEST: Date = time::macros::date!(2100 - 12 - 31);

/// A date from `YYYY-MM-DD` between `EARLIEST` and `LATEST`, with a message that says what
/// is wrong. Every date the API and the pages take goes through here.
pub fn parse_date(raw: &str) -> Result<Date, crate::domain::message::Msg> {
    use crate::domain::message::Msg;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    // No spaces around it: a JSON Schema `date` has none, and a form's date field sends none.
    // Four digits of year, no sign: `[year]` alone would take `+2026-06-01`.
    if raw.len() != 10 || !raw.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        return Err(Msg::NotDate);
    }
    let date = Date::parse(raw, &format).map_err(|_| Msg::NotDate)?;
    if (EARLIEST..=LATEST).contains(&date) {
        Ok(date)
    } else {
        Err(Msg::DateOutOfRange {
            min: EARLIEST.to_string(),
            max: LATEST.to_string(),
        })
    }
}

/// `date` moved by `days`, or `None` past the calendar's end (never a panic).
pub fn add_days(date: Date, days: i64) -> Option<Date> {
    date.checked_add(time::Duration::days(days))
}

/// How far ahead a list of deadlines may look: ten years.
pub const MAX_WITHIN_DAYS: i64 = 3_650;

/// `within_days` of a deadlines query: 0 to ten years.
pub fn within_days(days: i64) -> Result<i64, crate::domain::message::Msg> {
    if (0..=MAX_WITHIN_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(crate::domain::message::Msg::Between {
            min: "0".into(),
            max: crate::domain::numbers::grouped(MAX_WITHIN_DAYS as f64, 0),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn arithmetic_at_the_calendars_end_does_not_panic() {
        use super::*;
        assert_eq!(add_months(Date::MAX, 12), Date::MAX);
        assert_eq!(add_months(Date::MAX, u32::MAX), Date::MAX);
        assert_eq!(add_days(Date::MAX, 1), None);
        assert_eq!(add_days(Date::MIN, -1), None);
        assert!(parse_date("2101-01-01").is_err());
        assert!(parse_date("1899-12-31").is_err());
        assert!(parse_date("9999-12-31").is_err());
        assert!(parse_date("2100-12-31").is_ok());
        assert!(within_days(3_000_000).is_err());
        assert!(within_days(-1).is_err());
        assert_eq!(within_days(3_650), Ok(3_650));
    }

    use super::*;
    use time::macros::date;

    #[test]
    fn month_ends_are_clamped() {
        assert_eq!(add_months(date!(2023 - 01 - 31), 1), date!(2023 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 01 - 31), 1), date!(2024 - 02 - 29));
        assert_eq!(add_months(date!(2024 - 03 - 31), 1), date!(2024 - 04 - 30));
        assert_eq!(add_months(date!(2024 - 02 - 29), 12), date!(2025 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 02 - 29), 48), date!(2028 - 02 - 29));
        assert_eq!(add_months(date!(2005 - 06 - 15), 60), date!(2010 - 06 - 15));
        assert_eq!(add_months(date!(2023 - 12 - 15), 1), date!(2024 - 01 - 15));
        assert_eq!(add_months(date!(2023 - 11 - 30), 3), date!(2024 - 02 - 29));
        assert_eq!(add_months(date!(2023 - 05 - 10), 0), date!(2023 - 05 - 10));
    }

    #[test]
    fn next_reevaluation_counts_from_the_last_evaluation() {
        let awarded = date!(1998 - 03 - 01);
        assert_eq!(
            next_reevaluation(awarded, None, Some(60)),
            Some(date!(2003 - 03 - 01))
        );
        assert_eq!(
            next_reevaluation(awarded, Some(date!(2005 - 06 - 30)), Some(60)),
            Some(date!(2010 - 06 - 30))
        );
        assert_eq!(next_reevaluation(awarded, None, None), None);
    }

    #[test]
    fn states_around_the_due_date() {
        let today = date!(2026 - 11 - 21);
        assert_eq!(reevaluation_state(None, today), ReevaluationState::None);
        assert_eq!(
            reevaluation_state(Some(date!(2026 - 11 - 20)), today),
            ReevaluationState::Overdue
        );
        assert_eq!(
            reevaluation_state(Some(today), today),
            ReevaluationState::DueSoon
        );
        assert_eq!(
            reevaluation_state(Some(date!(2027 - 05 - 20)), today),
            ReevaluationState::DueSoon
        );
        assert_eq!(
            reevaluation_state(Some(date!(2027 - 05 - 21)), today),
            ReevaluationState::Ok
        );
    }

    #[test]
    fn dates_must_be_real() {
        assert_eq!(parse_date("2024-02-29"), Ok(date!(2024 - 02 - 29)));
        for bad in [
            "2023-02-29",
            "2023-13-01",
            "2023-1-5",
            "yesterday",
            "2023/01/05",
            "",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }
}

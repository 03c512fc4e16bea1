//! Which reminders fall due on a day. The daily job (`accredit remind`) reads the kept
//! deadlines and asks `due` of each; what it answers is recorded under `Reminder::key` so
//! that each reminder goes out once however often the job runs, and a day the job missed
//! (a server down over a weekend) is caught up the next time: the nearest lead already
//! reached is the one that falls due, never the earlier, looser ones.

use time::Date;

/// How far ahead of a due date a reminder goes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lead {
    /// this many days or fewer ahead
    DaysAhead(i64),
    /// the date has passed
    Overdue,
}

impl Lead {
    /// The part of a reminder's key that names the lead: `d30`, `overdue`.
    pub fn code(self) -> String {
        match self {
            Lead::DaysAhead(days) => format!("d{days}"),
            Lead::Overdue => "overdue".to_owned(),
        }
    }
}

/// The leads of each kind of deadline (the kinds of `deadline_items.kind`), loosest first:
/// a title's re-evaluation 180, 90 and 30 days ahead and when overdue; a certificate's expiry
/// and its surveillance audit 60 and 14 days ahead; a finding's and a corrective action's due
/// date 14 days ahead and when overdue; a collection round's due date 14 days ahead and when
/// overdue. A kind not listed is not reminded.
pub fn leads(kind: &str) -> &'static [Lead] {
    use Lead::{DaysAhead, Overdue};
    match kind {
        "reevaluation" => &[DaysAhead(180), DaysAhead(90), DaysAhead(30), Overdue],
        "certificate_expiry" | "surveillance_audit" => &[DaysAhead(60), DaysAhead(14)],
        "finding_due" | "corrective_action_due" | "status_data_due" => &[DaysAhead(14), Overdue],
        _ => &[],
    }
}

/// The lead of `kind` that a thing due on `due_on` has reached on `today`, if any: the
/// tightest `DaysAhead(n)` with at most `n` days left, or `Overdue` once the day has passed.
/// A thing still further off than its loosest lead has none yet.
pub fn due(kind: &str, due_on: Date, today: Date) -> Option<Lead> {
    let left = (due_on - today).whole_days();
    let leads = leads(kind);
    if left < 0 {
        return leads.iter().copied().find(|l| *l == Lead::Overdue);
    }
    leads
        .iter()
        .copied()
        .filter(|l| matches!(l, Lead::DaysAhead(n) if left <= *n))
        .min_by_key(|l| match l {
            Lead::DaysAhead(n) => *n,
            Lead::Overdue => i64::MAX,
        })
}

/// A reminder that falls due: of which deadline (its calendar uid), at which lead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reminder {
    pub uid: String,
    pub lead: Lead,
    /// days left on the day it was found (negative: days late)
    pub days_left: i64,
}

impl Reminder {
    /// What records that this reminder went out: the same deadline and lead are never
    /// reminded twice. A due date that moves gets a new uid, and so new reminders.
    pub fn key(&self) -> String {
        format!("{}/{}", self.uid, self.lead.code())
    }
}

/// The reminder a deadline gives on `today`, if any.
pub fn reminder(kind: &str, uid: &str, due_on: Date, today: Date) -> Option<Reminder> {
    due(kind, due_on, today).map(|lead| Reminder {
        uid: uid.to_owned(),
        lead,
        days_left: (due_on - today).whole_days(),
    })
}

/// The weekly digest of a province's overdue items goes out on Mondays.
pub fn is_digest_day(today: Date) -> bool {
    today.weekday() == time::Weekday::Monday
}

/// One overdue item of a digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestItem {
    pub school_id: i64,
    pub school: String,
    pub kind: String,
    pub subject: String,
    pub due_on: Date,
}

/// A school's lines of a digest, the latest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestSchool {
    pub school_id: i64,
    pub school: String,
    /// (item, days late)
    pub items: Vec<(DigestItem, i64)>,
}

/// A digest mail names at most this many schools (those with the most overdue items), and
/// of each at most `DIGEST_ITEMS_PER_SCHOOL` items (the longest overdue); it counts the rest
/// and links to the province's page. A province of 700 schools has thousands of overdue
/// items on the national data: a mail of all of them was over a megabyte, and nobody reads it.
pub const DIGEST_SCHOOLS: usize = 30;
pub const DIGEST_ITEMS_PER_SCHOOL: usize = 5;

/// The digest of a province's deadlines on `today`: only what is overdue, grouped by
/// school, schools with the most overdue items first (then by name), each school's items
/// the longest overdue first. Empty when nothing is overdue (and then no mail is sent).
pub fn digest(items: &[DigestItem], today: Date) -> Vec<DigestSchool> {
    let mut schools: Vec<DigestSchool> = Vec::new();
    for item in items.iter().filter(|i| i.due_on < today) {
        let late = (today - item.due_on).whole_days();
        match schools.iter_mut().find(|s| s.school_id == item.school_id) {
            Some(school) => school.items.push((item.clone(), late)),
            None => schools.push(DigestSchool {
                school_id: item.school_id,
                school: item.school.clone(),
                items: vec![(item.clone(), late)],
            }),
        }
    }
    for school in &mut schools {
        school
            .items
            .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.subject.cmp(&b.0.subject)));
    }
    schools.sort_by(|a, b| {
        b.items
            .len()
            .cmp(&a.items.len())
            .then_with(|| a.school.cmp(&b.school))
    });
    schools
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    /// The leads a deadline gives over the days from `from` to `to`, as a daily job would
    /// record them (each key once).
    fn sent(kind: &str, due_on: Date, from: Date, to: Date) -> Vec<(Date, Lead)> {
        let mut keys = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        let mut day = from;
        while day <= to {
            if let Some(r) = reminder(kind, "uid-1", due_on, day)
                && keys.insert(r.key())
            {
                out.push((day, r.lead));
            }
            day = day.next_day().unwrap();
        }
        out
    }

    #[test]
    fn a_reevaluation_is_reminded_180_90_and_30_days_ahead_and_when_overdue_once_each() {
        let due_on = date!(2027 - 06 - 30);
        let got = sent(
            "reevaluation",
            due_on,
            date!(2026 - 01 - 01),
            date!(2027 - 12 - 31),
        );
        assert_eq!(
            got,
            vec![
                (date!(2027 - 01 - 01), Lead::DaysAhead(180)),
                (date!(2027 - 04 - 01), Lead::DaysAhead(90)),
                (date!(2027 - 05 - 31), Lead::DaysAhead(30)),
                (date!(2027 - 07 - 01), Lead::Overdue),
            ]
        );
    }

    #[test]
    fn leap_years_and_month_ends_count_in_days() {
        // 2028 is a leap year: 60 days before 1 March 2028 is 1 January (31 + 29 days).
        assert_eq!(
            due(
                "certificate_expiry",
                date!(2028 - 03 - 01),
                date!(2028 - 01 - 01)
            ),
            Some(Lead::DaysAhead(60))
        );
        assert_eq!(
            due(
                "certificate_expiry",
                date!(2028 - 03 - 01),
                date!(2027 - 12 - 31)
            ),
            None
        );
        // 2027 is not: 60 days before 31 March 2027 is 30 January (1 + 28 + 31 days).
        assert_eq!(
            due(
                "certificate_expiry",
                date!(2027 - 03 - 31),
                date!(2027 - 01 - 30)
            ),
            Some(Lead::DaysAhead(60))
        );
        assert_eq!(
            due(
                "certificate_expiry",
                date!(2027 - 03 - 31),
                date!(2027 - 01 - 29)
            ),
            None
        );
        // Due on 29 February 2028: 14 days ahead is 15 February; overdue from 1 March.
        assert_eq!(
            sent(
                "finding_due",
                date!(2028 - 02 - 29),
                date!(2028 - 01 - 01),
                date!(2028 - 03 - 31)
            ),
            vec![
                (date!(2028 - 02 - 15), Lead::DaysAhead(14)),
                (date!(2028 - 03 - 01), Lead::Overdue),
            ]
        );
        // 180 days before the last day of a month of 31 days, across a year end.
        assert_eq!(
            due("reevaluation", date!(2027 - 01 - 31), date!(2026 - 08 - 04)),
            Some(Lead::DaysAhead(180))
        );
    }

    #[test]
    fn a_missed_day_is_caught_up_with_the_nearest_lead_only() {
        // The job did not run from 150 to 20 days ahead: on its next run, one reminder (the
        // 30-day one), not the 90-day one as well.
        let due_on = date!(2027 - 06 - 30);
        assert_eq!(
            reminder("reevaluation", "r", due_on, date!(2027 - 06 - 10)),
            Some(Reminder {
                uid: "r".into(),
                lead: Lead::DaysAhead(30),
                days_left: 20
            })
        );
        // A thing created already close to its date is reminded at once.
        assert_eq!(
            due(
                "corrective_action_due",
                date!(2027 - 01 - 05),
                date!(2027 - 01 - 01)
            ),
            Some(Lead::DaysAhead(14))
        );
    }

    #[test]
    fn certificates_are_not_reminded_when_overdue_and_unknown_kinds_never() {
        assert_eq!(
            due(
                "certificate_expiry",
                date!(2027 - 01 - 01),
                date!(2027 - 01 - 02)
            ),
            None
        );
        assert_eq!(
            due(
                "something_else",
                date!(2027 - 01 - 01),
                date!(2026 - 12 - 31)
            ),
            None
        );
        assert_eq!(
            Reminder {
                uid: "reevaluation-7-2027-06-30".into(),
                lead: Lead::Overdue,
                days_left: -3
            }
            .key(),
            "reevaluation-7-2027-06-30/overdue"
        );
    }

    #[test]
    fn the_digest_lists_overdue_items_by_school_latest_first_on_mondays() {
        assert!(is_digest_day(date!(2026 - 11 - 30)));
        assert!(!is_digest_day(date!(2026 - 11 - 28)));
        let item = |school_id: i64, school: &str, subject: &str, due_on: Date| DigestItem {
            school_id,
            school: school.into(),
            kind: "finding_due".into(),
            subject: subject.into(),
            due_on,
        };
        let today = date!(2026 - 11 - 30);
        let items = [
            item(1, "Fuzhou No.2", "F-1", date!(2026 - 11 - 20)),
            item(2, "Xiamen Tech", "F-9", date!(2026 - 10 - 01)),
            item(1, "Fuzhou No.2", "F-2", date!(2026 - 09 - 30)),
            item(3, "Quanzhou", "F-3", today),
            item(4, "Putian", "F-4", date!(2027 - 01 - 01)),
        ];
        let got = digest(&items, today);
        let summary: Vec<(String, Vec<(String, i64)>)> = got
            .iter()
            .map(|s| {
                (
                    s.school.clone(),
                    s.items
                        .iter()
                        .map(|(i, late)| (i.subject.clone(), *late))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "Fuzhou No.2".into(),
                    vec![("F-2".into(), 61), ("F-1".into(), 10)]
                ),
                ("Xiamen Tech".into(), vec![("F-9".into(), 60)]),
            ],
            "due today is not yet overdue; what is not due is left out"
        );
        assert!(digest(&items[3..], today).is_empty());
    }
}

//! A school's yearly status data (办学状态数据): the indicator catalogue as data, the one
//! function that derives ratios from entered figures, the check of an entered value, and
//! the plausibility rule that flags figures a reviewer should look at first.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, Serializer};

use crate::domain::lang::Lang;
use crate::domain::message::Msg;
use crate::domain::numbers;
use crate::domain::peers::Standard;

crate::vocabulary!(ValueKind {
    /// counts of people, things, money in whole yuan
    Whole => "whole",
    /// areas and the like, to two decimal places
    Decimal => "decimal",
    /// a share between 0 and 100, to one decimal place
    Percentage => "percentage",
});

crate::vocabulary!(Unit {
    Persons => "persons",
    PersonTimes => "person_times",
    SquareMetres => "m2",
    Cny => "cny",
    Percent => "percent",
    Count => "count",
    Volumes => "volumes",
    Ratio => "ratio",
    SquareMetresPerStudent => "m2_per_student",
    CnyPerStudent => "cny_per_student",
    VolumesPerStudent => "volumes_per_student",
    StudentsPerTeacher => "students_per_teacher",
});

impl Unit {
    /// The unit as written after a figure.
    pub fn label(self, lang: Lang) -> &'static str {
        use Unit::*;
        match (self, lang) {
            (Persons, Lang::ZhCn) => "人",
            (Persons, Lang::En) => "persons",
            (PersonTimes, Lang::ZhCn) => "人次",
            (PersonTimes, Lang::En) => "person-times",
            (SquareMetres, _) => "m²",
            (Cny, Lang::ZhCn) => "元",
            (Cny, Lang::En) => "CNY",
            (Percent, _) => "%",
            (Count, Lang::ZhCn) => "个",
            (Count, Lang::En) => "",
            (Volumes, Lang::ZhCn) => "册",
            (Volumes, Lang::En) => "volumes",
            (Ratio, _) => "",
            (SquareMetresPerStudent, Lang::ZhCn) => "m²/生",
            (SquareMetresPerStudent, Lang::En) => "m² per student",
            (CnyPerStudent, Lang::ZhCn) => "元/生",
            (CnyPerStudent, Lang::En) => "CNY per student",
            (VolumesPerStudent, Lang::ZhCn) => "册/生",
            (VolumesPerStudent, Lang::En) => "volumes per student",
            (StudentsPerTeacher, Lang::ZhCn) => "生/师",
            (StudentsPerTeacher, Lang::En) => "students per teacher",
        }
    }
}

/// A derived indicator: `numerator / denominator × scale`.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Ratio {
    pub numerator: String,
    pub denominator: String,
    pub scale: f64,
}

/// One indicator of the catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Indicator {
    /// stable code, e.g. `students`, `books_per_student`
    pub code: String,
    pub name: String,
    pub name_zh: String,
    pub unit: Unit,
    pub kind: ValueKind,
    /// least allowed value of an entered figure
    pub min: Option<f64>,
    /// greatest allowed value of an entered figure
    pub max: Option<f64>,
    pub help: Option<String>,
    pub help_zh: Option<String>,
    /// computed from entered figures, never typed
    pub derived: bool,
    /// for a derived indicator: how it is computed
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio: Option<Ratio>,
    /// whether more is better (for standings), when it is clear
    pub higher_is_better: Option<bool>,
}

/// Figures of one school and year: indicator code → value.
pub type Figures = BTreeMap<String, f64>;

impl Indicator {
    pub fn name_in(&self, lang: Lang) -> &str {
        lang.pick(&self.name_zh, &self.name)
    }

    pub fn help_in(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::ZhCn => self.help_zh.as_deref().or(self.help.as_deref()),
            Lang::En => self.help.as_deref(),
        }
    }

    /// Decimal places a value of this indicator keeps.
    pub fn decimals(&self) -> usize {
        match self.kind {
            ValueKind::Whole => 0,
            ValueKind::Decimal => 2,
            ValueKind::Percentage => 1,
        }
    }

    /// A value rounded to the indicator's places.
    pub fn round(&self, value: f64) -> f64 {
        let factor = 10f64.powi(self.decimals() as i32);
        (value * factor).round() / factor
    }

    /// The value written for a person: grouped, with the unit.
    pub fn display(&self, value: f64, lang: Lang) -> String {
        let number = numbers::grouped(value, self.decimals());
        match self.unit.label(lang) {
            "" => number,
            "%" => format!("{number}%"),
            unit => format!("{number} {unit}"),
        }
    }

    /// Checks an entered value: a figure of this indicator, of its kind, within its range.
    pub fn check(&self, value: f64) -> Result<f64, Msg> {
        if self.derived {
            return Err(Msg::Derived);
        }
        if !value.is_finite() {
            return Err(Msg::NotNumber);
        }
        if value.abs() >= 1e15 {
            return Err(Msg::TooLarge);
        }
        match self.kind {
            ValueKind::Whole if value.fract() != 0.0 => return Err(Msg::WholeNumber),
            ValueKind::Percentage if !(0.0..=100.0).contains(&value) => {
                return Err(Msg::Percentage);
            }
            _ => {}
        }
        let value = self.round(value);
        let show = |v: f64| numbers::grouped(v, self.decimals());
        match (self.min, self.max) {
            (Some(min), Some(max)) if value < min || value > max => Err(Msg::Between {
                min: show(min),
                max: show(max),
            }),
            (Some(min), None) if value < min => Err(if min == 0.0 {
                Msg::NotNegative
            } else {
                Msg::AtLeast { min: show(min) }
            }),
            (None, Some(max)) if value > max => Err(Msg::AtMost { max: show(max) }),
            _ => Ok(value),
        }
    }
}

/// Parses a value as people type it in a form or a cell: `4,200`, ` 12.5 `, `33%`.
pub fn parse_typed(raw: &str) -> Result<Option<f64>, Msg> {
    let cleaned: String = raw
        .trim()
        .trim_end_matches(['%', '％'])
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '\u{a0}' | '_'))
        .collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    cleaned
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Some)
        .ok_or(Msg::NotNumber)
}

/// Every derived indicator's value from the entered figures: the one place ratios are
/// computed. A ratio whose numerator or denominator is missing, or whose denominator is
/// zero, has no value.
pub fn derive(catalogue: &[Indicator], entered: &Figures) -> Figures {
    catalogue
        .iter()
        .filter_map(|indicator| {
            let ratio = indicator.ratio.as_ref()?;
            let numerator = entered.get(&ratio.numerator)?;
            let denominator = entered.get(&ratio.denominator).filter(|d| **d > 0.0)?;
            let value = numerator / denominator * ratio.scale;
            Some((indicator.code.clone(), indicator.round(value)))
        })
        .collect()
}

/// Why a figure is flagged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum FlagReason {
    /// moved more than the round's threshold since last year (`change_pct` is absent when
    /// last year's figure was zero)
    Changed {
        previous: f64,
        current: f64,
        change_pct: Option<f64>,
    },
    /// under a national minimum standard
    BelowMinimum { current: f64, minimum: f64 },
    /// over a national maximum standard (students per teacher)
    AboveMaximum { current: f64, maximum: f64 },
}

/// A figure the school must explain before it submits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Flag {
    pub code: String,
    #[serde(flatten)]
    pub reason: FlagReason,
}

impl Flag {
    /// The flag in words, with the indicator's unit.
    pub fn describe(&self, indicator: Option<&Indicator>, lang: Lang) -> String {
        let show = |v: f64| match indicator {
            Some(i) => i.display(v, lang),
            None => numbers::figure(v),
        };
        match (&self.reason, lang) {
            (
                FlagReason::Changed {
                    previous,
                    current,
                    change_pct: Some(pct),
                },
                Lang::ZhCn,
            ) => format!(
                "较上年变化 {}%（{} → {}）",
                numbers::grouped(*pct, 1),
                show(*previous),
                show(*current)
            ),
            (
                FlagReason::Changed {
                    previous,
                    current,
                    change_pct: Some(pct),
                },
                Lang::En,
            ) => format!(
                "changed by {}% since last year ({} → {})",
                numbers::grouped(*pct, 1),
                show(*previous),
                show(*current)
            ),
            (
                FlagReason::Changed {
                    previous,
                    current,
                    change_pct: None,
                },
                Lang::ZhCn,
            ) => {
                format!("上年为 {}，本年为 {}", show(*previous), show(*current))
            }
            (
                FlagReason::Changed {
                    previous,
                    current,
                    change_pct: None,
                },
                Lang::En,
            ) => {
                format!(
                    "{} last year, {} this year",
                    show(*previous),
                    show(*current)
                )
            }
            (FlagReason::BelowMinimum { current, minimum }, Lang::ZhCn) => {
                format!("{} 低于国家标准 {}", show(*current), show(*minimum))
            }
            (FlagReason::BelowMinimum { current, minimum }, Lang::En) => {
                format!(
                    "{} is below the national minimum of {}",
                    show(*current),
                    show(*minimum)
                )
            }
            (FlagReason::AboveMaximum { current, maximum }, Lang::ZhCn) => {
                format!("{} 高于国家标准 {}", show(*current), show(*maximum))
            }
            (FlagReason::AboveMaximum { current, maximum }, Lang::En) => {
                format!(
                    "{} is above the national maximum of {}",
                    show(*current),
                    show(*maximum)
                )
            }
        }
    }
}

/// The default share of change from last year above which a figure is flagged.
pub const DEFAULT_CHANGE_THRESHOLD_PCT: i32 = 30;

/// Flags the figures of a year: an entered figure that moved more than `threshold_pct`
/// percent from last year's, and any figure (entered or derived) on the wrong side of a
/// national standard. `current` and `previous` hold entered and derived figures alike.
pub fn flags(
    catalogue: &[Indicator],
    current: &Figures,
    previous: &Figures,
    threshold_pct: f64,
    standards: &[Standard],
) -> Vec<Flag> {
    let mut flags = Vec::new();
    for indicator in catalogue {
        let code = &indicator.code;
        let Some(&now) = current.get(code) else {
            continue;
        };
        if !indicator.derived
            && let Some(&before) = previous.get(code)
        {
            let change_pct = (before != 0.0).then(|| (now - before) / before * 100.0);
            let moved = match change_pct {
                Some(pct) => pct.abs() > threshold_pct,
                None => now != 0.0,
            };
            if moved {
                flags.push(Flag {
                    code: code.clone(),
                    reason: FlagReason::Changed {
                        previous: before,
                        current: now,
                        change_pct: change_pct.map(|p| (p * 10.0).round() / 10.0),
                    },
                });
            }
        }
        for standard in standards.iter().filter(|s| s.measure == code) {
            if let Some(minimum) = standard.minimum
                && now < minimum
            {
                flags.push(Flag {
                    code: code.clone(),
                    reason: FlagReason::BelowMinimum {
                        current: now,
                        minimum,
                    },
                });
            }
            if let Some(maximum) = standard.maximum
                && now > maximum
            {
                flags.push(Flag {
                    code: code.clone(),
                    reason: FlagReason::AboveMaximum {
                        current: now,
                        maximum,
                    },
                });
            }
        }
    }
    flags
}

/// The codes that need an explanation, once each.
pub fn flagged_codes(flags: &[Flag]) -> Vec<&str> {
    let mut codes: Vec<&str> = flags.iter().map(|f| f.code.as_str()).collect();
    codes.dedup();
    codes
}

crate::vocabulary!(YearState {
    /// nothing recorded for the year yet
    NotStarted => "not_started",
    /// figures being entered (or a draft, or a withdrawn submission)
    InProgress => "in_progress",
    /// with the province: submitted or recommended
    Submitted => "submitted",
    /// approved by the province: the year is locked
    Accepted => "accepted",
    /// sent back: changes requested, rejected, or reopened after acceptance
    Returned => "returned",
});

/// Where a school's year stands, from the lock, its latest status-data submission and
/// whether anything is recorded.
pub fn year_state(
    locked: bool,
    latest_submission: Option<crate::domain::workflow::SubmissionStatus>,
    anything_recorded: bool,
) -> YearState {
    use crate::domain::workflow::SubmissionStatus as S;
    if locked {
        return YearState::Accepted;
    }
    match latest_submission {
        Some(S::Submitted | S::Recommended) => YearState::Submitted,
        // approved but no longer locked: the province reopened it
        Some(S::ChangesRequested | S::Rejected | S::Approved) => YearState::Returned,
        Some(S::Draft | S::Withdrawn) => YearState::InProgress,
        None if anything_recorded => YearState::InProgress,
        None => YearState::NotStarted,
    }
}

/// Is a year in this state late once its round's due date has passed?
pub fn overdue(state: YearState, due_on: time::Date, today: time::Date) -> bool {
    today > due_on && !matches!(state, YearState::Submitted | YearState::Accepted)
}

/// Serialises figures with whole values as whole numbers (`4200`, not `4200.0`).
pub fn serialize_figures<S: Serializer>(
    figures: &Figures,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(figures.len()))?;
    for (code, value) in figures {
        map.serialize_entry(code, &Number(*value))?;
    }
    map.end()
}

/// A figure as JSON: whole values as integers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Number(pub f64);

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if v.fract() == 0.0 && v.abs() < 9.0e15 {
            serializer.serialize_i64(v as i64)
        } else {
            serializer.serialize_f64(v)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::SchoolKind;
    use crate::domain::peers::standards;

    fn entered(code: &str, kind: ValueKind) -> Indicator {
        Indicator {
            code: code.into(),
            name: code.into(),
            name_zh: code.into(),
            unit: Unit::Persons,
            kind,
            min: Some(0.0),
            max: None,
            help: None,
            help_zh: None,
            derived: false,
            ratio: None,
            higher_is_better: Some(true),
        }
    }

    fn ratio(code: &str, numerator: &str, denominator: &str, scale: f64) -> Indicator {
        Indicator {
            derived: true,
            kind: ValueKind::Decimal,
            ratio: Some(Ratio {
                numerator: numerator.into(),
                denominator: denominator.into(),
                scale,
            }),
            min: None,
            ..entered(code, ValueKind::Decimal)
        }
    }

    /// The catalogue as the migration seeds it, for the rules' tests.
    pub(crate) fn catalogue() -> Vec<Indicator> {
        vec![
            entered("students", ValueKind::Whole),
            entered("teachers", ValueKind::Whole),
            entered("dual_qualified_teachers", ValueKind::Whole),
            entered("campus_area_m2", ValueKind::Decimal),
            entered("building_area_m2", ValueKind::Decimal),
            entered("equipment_value_cny", ValueKind::Whole),
            entered("library_books", ValueKind::Whole),
            entered("graduates", ValueKind::Whole),
            entered("graduates_employed", ValueKind::Whole),
            entered("graduates_employed_in_field", ValueKind::Whole),
            ratio("students_per_teacher", "students", "teachers", 1.0),
            ratio(
                "campus_area_m2_per_student",
                "campus_area_m2",
                "students",
                1.0,
            ),
            ratio(
                "building_area_m2_per_student",
                "building_area_m2",
                "students",
                1.0,
            ),
            ratio(
                "equipment_value_cny_per_student",
                "equipment_value_cny",
                "students",
                1.0,
            ),
            ratio("books_per_student", "library_books", "students", 1.0),
            ratio(
                "dual_qualified_share_pct",
                "dual_qualified_teachers",
                "teachers",
                100.0,
            ),
            ratio(
                "employment_rate_pct",
                "graduates_employed",
                "graduates",
                100.0,
            ),
            ratio(
                "employment_in_field_pct",
                "graduates_employed_in_field",
                "graduates_employed",
                100.0,
            ),
        ]
    }

    fn figures(pairs: &[(&str, f64)]) -> Figures {
        pairs.iter().map(|(c, v)| ((*c).to_owned(), *v)).collect()
    }

    #[test]
    fn every_ratio_is_derived() {
        let year = figures(&[
            ("students", 1_200.0),
            ("teachers", 80.0),
            ("dual_qualified_teachers", 30.0),
            ("campus_area_m2", 42_000.0),
            ("building_area_m2", 25_000.5),
            ("equipment_value_cny", 3_200_000.0),
            ("library_books", 36_500.0),
            ("graduates", 400.0),
            ("graduates_employed", 388.0),
            ("graduates_employed_in_field", 300.0),
        ]);
        let derived = derive(&catalogue(), &year);
        assert_eq!(derived["students_per_teacher"], 15.0);
        assert_eq!(derived["campus_area_m2_per_student"], 35.0);
        assert_eq!(derived["building_area_m2_per_student"], 20.83);
        assert_eq!(derived["equipment_value_cny_per_student"], 2_666.67);
        assert_eq!(derived["books_per_student"], 30.42);
        assert_eq!(derived["dual_qualified_share_pct"], 37.5);
        assert_eq!(derived["employment_rate_pct"], 97.0);
        assert_eq!(derived["employment_in_field_pct"], 77.32);
        assert_eq!(
            derived.len(),
            8,
            "entered figures are not repeated: {derived:?}"
        );
    }

    #[test]
    fn a_zero_or_missing_denominator_gives_no_ratio() {
        let derived = derive(
            &catalogue(),
            &figures(&[
                ("students", 0.0),
                ("campus_area_m2", 40_000.0),
                ("teachers", 10.0),
            ]),
        );
        assert!(
            !derived.contains_key("campus_area_m2_per_student"),
            "zero students"
        );
        assert!(
            !derived.contains_key("books_per_student"),
            "no books reported"
        );
        assert_eq!(derived.get("students_per_teacher"), Some(&0.0));
    }

    #[test]
    fn entered_values_are_checked_by_kind_and_range() {
        let students = entered("students", ValueKind::Whole);
        assert_eq!(students.check(1200.0), Ok(1200.0));
        assert_eq!(students.check(12.5), Err(Msg::WholeNumber));
        assert_eq!(students.check(-1.0), Err(Msg::NotNegative));
        assert_eq!(students.check(f64::NAN), Err(Msg::NotNumber));
        assert_eq!(students.check(1e16), Err(Msg::TooLarge));
        let area = entered("campus_area_m2", ValueKind::Decimal);
        assert_eq!(area.check(42_000.456), Ok(42_000.46));
        let share = Indicator {
            kind: ValueKind::Percentage,
            ..entered("share", ValueKind::Percentage)
        };
        assert_eq!(share.check(101.0), Err(Msg::Percentage));
        let bounded = Indicator {
            min: Some(1.0),
            max: Some(500.0),
            ..entered("programmes_offered", ValueKind::Whole)
        };
        assert_eq!(
            bounded.check(501.0),
            Err(Msg::Between {
                min: "1".into(),
                max: "500".into()
            })
        );
        let derived = ratio("books_per_student", "library_books", "students", 1.0);
        assert_eq!(derived.check(30.0), Err(Msg::Derived));
    }

    #[test]
    fn typed_values_are_read_as_people_write_them() {
        assert_eq!(parse_typed(" 4,200 "), Ok(Some(4200.0)));
        assert_eq!(parse_typed("3 000 000"), Ok(Some(3_000_000.0)));
        assert_eq!(parse_typed("33.5%"), Ok(Some(33.5)));
        assert_eq!(parse_typed(""), Ok(None));
        assert_eq!(parse_typed("about 40"), Err(Msg::NotNumber));
        assert_eq!(parse_typed("inf"), Err(Msg::NotNumber));
    }

    #[test]
    fn plausibility_flags_large_moves_and_standards() {
        let catalogue = catalogue();
        let previous = figures(&[
            ("students", 1_000.0),
            ("teachers", 80.0),
            ("graduates", 0.0),
        ]);
        let mut current = figures(&[
            ("students", 1_350.0), // +35 %: flagged at 30 %
            ("teachers", 100.0),   // +25 %: not flagged
            ("graduates", 10.0),   // from zero: flagged, no share
            ("campus_area_m2", 30_000.0),
        ]);
        current.extend(derive(&catalogue, &current));
        let standards = standards(SchoolKind::SecondaryVocational);
        let found = flags(&catalogue, &current, &previous, 30.0, standards);
        let reasons: Vec<(&str, &str)> = found
            .iter()
            .map(|f| {
                let reason = match f.reason {
                    FlagReason::Changed { .. } => "changed",
                    FlagReason::BelowMinimum { .. } => "below_minimum",
                    FlagReason::AboveMaximum { .. } => "above_maximum",
                };
                (f.code.as_str(), reason)
            })
            .collect();
        assert_eq!(
            reasons,
            [
                ("students", "changed"),
                ("campus_area_m2", "below_minimum"),
                ("graduates", "changed"),
                ("campus_area_m2_per_student", "below_minimum"),
            ]
        );
        assert_eq!(
            found[0].reason,
            FlagReason::Changed {
                previous: 1000.0,
                current: 1350.0,
                change_pct: Some(35.0)
            }
        );
        assert_eq!(
            found[0].describe(catalogue.first(), Lang::ZhCn),
            "较上年变化 35%（1,000 人 → 1,350 人）"
        );
        // At a threshold of 40 % the move of 35 % passes.
        let lenient = flags(&catalogue, &current, &previous, 40.0, &[]);
        assert!(lenient.iter().all(|f| f.code != "students"));
        // Students per teacher is a maximum.
        let crowded = figures(&[("students_per_teacher", 24.0)]);
        let over = flags(&catalogue, &crowded, &Figures::new(), 30.0, standards);
        assert_eq!(
            over[0].reason,
            FlagReason::AboveMaximum {
                current: 24.0,
                maximum: 20.0
            }
        );
    }

    #[test]
    fn the_state_of_a_year() {
        use crate::domain::workflow::SubmissionStatus as S;
        assert_eq!(year_state(false, None, false), YearState::NotStarted);
        assert_eq!(year_state(false, None, true), YearState::InProgress);
        assert_eq!(
            year_state(false, Some(S::Draft), true),
            YearState::InProgress
        );
        assert_eq!(
            year_state(false, Some(S::Withdrawn), true),
            YearState::InProgress
        );
        assert_eq!(
            year_state(false, Some(S::Submitted), true),
            YearState::Submitted
        );
        assert_eq!(
            year_state(false, Some(S::Recommended), true),
            YearState::Submitted
        );
        assert_eq!(
            year_state(false, Some(S::ChangesRequested), true),
            YearState::Returned
        );
        assert_eq!(
            year_state(false, Some(S::Rejected), true),
            YearState::Returned
        );
        assert_eq!(
            year_state(false, Some(S::Approved), true),
            YearState::Returned,
            "reopened"
        );
        assert_eq!(
            year_state(true, Some(S::Approved), true),
            YearState::Accepted
        );
        let due = time::macros::date!(2026 - 03 - 31);
        let after = time::macros::date!(2026 - 04 - 01);
        assert!(overdue(YearState::InProgress, due, after));
        assert!(overdue(YearState::Returned, due, after));
        assert!(!overdue(YearState::Submitted, due, after));
        assert!(
            !overdue(YearState::InProgress, due, due),
            "due today is not late"
        );
    }

    #[test]
    fn whole_figures_serialise_as_integers() {
        #[derive(Serialize)]
        struct Wrap {
            #[serde(serialize_with = "serialize_figures")]
            figures: Figures,
        }
        let json = serde_json::to_string(&Wrap {
            figures: figures(&[("students", 4200.0), ("books_per_student", 30.42)]),
        })
        .unwrap();
        assert_eq!(
            json,
            r#"{"figures":{"books_per_student":30.42,"students":4200}}"#
        );
    }
}

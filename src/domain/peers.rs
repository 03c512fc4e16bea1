//! Comparing a school with its province's peers: the percentile (defined once here) and the
//! national minimum standards for school conditions, kept as data.

use serde::Serialize;

use crate::domain::SchoolKind;

/// The percentile of a school's `value` among its peers: the share of peers with a lower
/// value plus half the share with an equal one, in 0..=100 ("mid-rank" percentile, so a tie
/// sits in the middle and the scale is symmetric); for figures where lower is better
/// (`higher_is_better` false), the share with a higher value. `sorted` holds the values of
/// every school compared, the school's own included, in ascending order, so that this is
/// two binary searches. `None` when no peer has the figure.
pub fn percentile_among(value: f64, sorted: &[f64], higher_is_better: bool) -> Option<u8> {
    if !value.is_finite() {
        return None;
    }
    let peers = sorted.len().checked_sub(1).filter(|n| *n > 0)? as f64;
    let lower = sorted.partition_point(|p| *p < value);
    let not_higher = sorted.partition_point(|p| *p <= value);
    // The school itself is one of the equal values.
    let equal = not_higher.checked_sub(lower)?.checked_sub(1)? as f64;
    let below = if higher_is_better {
        lower
    } else {
        sorted.len() - not_higher
    } as f64;
    let share = (below + equal / 2.0) / peers;
    Some((share * 100.0).round().clamp(0.0, 100.0) as u8)
}

/// How a school stands against one standard.
/// Ordered from best to worst, so that the worse of two verdicts is their `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Compliance {
    Meets,
    /// within 10 % of the standard
    NearlyMeets,
    DoesNotMeet,
    /// the figure is not reported
    Unknown,
}

/// Within this share of a standard a school "nearly meets" it.
pub const NEARLY: f64 = 0.10;

/// How `actual` stands against a standard's least and greatest values.
pub fn compliance(actual: Option<f64>, standard: &Standard) -> Compliance {
    let Some(a) = actual else {
        return Compliance::Unknown;
    };
    let low = standard.minimum.map_or(Compliance::Meets, |min| {
        if a >= min {
            Compliance::Meets
        } else if a >= min * (1.0 - NEARLY) {
            Compliance::NearlyMeets
        } else {
            Compliance::DoesNotMeet
        }
    });
    let high = standard.maximum.map_or(Compliance::Meets, |max| {
        if a <= max {
            Compliance::Meets
        } else if a <= max * (1.0 + NEARLY) {
            Compliance::NearlyMeets
        } else {
            Compliance::DoesNotMeet
        }
    });
    low.max(high)
}

/// One national standard for school conditions: an indicator of the catalogue (entered or
/// derived) and its least or greatest value.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Standard {
    /// the indicator's code, e.g. `campus_area_m2`, `students_per_teacher`
    pub measure: &'static str,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
}

impl Standard {
    /// Whether `value` is on the wrong side of this standard (below its minimum or above
    /// its maximum): the one meaning of "misses a national standard".
    pub fn missed_by(&self, value: f64) -> bool {
        self.minimum.is_some_and(|m| value < m) || self.maximum.is_some_and(|m| value > m)
    }
}

/// The standards for a school of `kind` that its `figures` miss; a figure not given
/// misses nothing.
pub fn missed<'a>(
    kind: SchoolKind,
    figures: &'a std::collections::BTreeMap<String, f64>,
) -> impl Iterator<Item = &'static Standard> + 'a {
    standards(kind)
        .iter()
        .filter(|s| figures.get(s.measure).is_some_and(|v| s.missed_by(*v)))
}

/// How far a figure falls short of a national standard.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Shortfall {
    /// the indicator's code
    pub code: &'static str,
    pub value: f64,
    /// the least value allowed (null for a standard that sets a greatest one)
    pub minimum: Option<f64>,
    /// the greatest value allowed (students per teacher)
    pub maximum: Option<f64>,
    /// how much is missing (or too much), always positive, to two decimals
    pub gap: f64,
}

/// Each national standard for a school of `kind` that its `figures` miss, with the gap.
pub fn shortfalls(
    kind: SchoolKind,
    figures: &std::collections::BTreeMap<String, f64>,
) -> Vec<Shortfall> {
    missed(kind, figures)
        .filter_map(|s| {
            let value = *figures.get(s.measure)?;
            let gap = match (s.minimum, s.maximum) {
                (Some(min), _) if value < min => min - value,
                (_, Some(max)) => value - max,
                _ => 0.0,
            };
            Some(Shortfall {
                code: s.measure,
                value: (value * 100.0).round() / 100.0,
                minimum: s.minimum,
                maximum: s.maximum,
                gap: (gap * 100.0).round() / 100.0,
            })
        })
        .collect()
}

/// The standards for a school of `kind` whose figure is not among `figures`: not known to
/// be met.
pub fn unknown(
    kind: SchoolKind,
    figures: &std::collections::BTreeMap<String, f64>,
) -> Vec<&'static str> {
    standards(kind)
        .iter()
        .filter(|s| !figures.contains_key(s.measure))
        .map(|s| s.measure)
        .collect()
}

const fn at_least(measure: &'static str, minimum: f64) -> Standard {
    Standard {
        measure,
        minimum: Some(minimum),
        maximum: None,
    }
}

const fn at_most(measure: &'static str, maximum: f64) -> Standard {
    Standard {
        measure,
        minimum: None,
        maximum: Some(maximum),
    }
}

/// The national standards for school conditions, by kind of school: the setting standard
/// of secondary vocational schools (中等职业学校设置标准, 2010) and of technical schools.
pub fn standards(kind: SchoolKind) -> &'static [Standard] {
    const SECONDARY: &[Standard] = &[
        at_least("campus_area_m2", 40_000.0),
        at_least("campus_area_m2_per_student", 33.0),
        at_least("building_area_m2", 24_000.0),
        at_least("building_area_m2_per_student", 20.0),
        at_least("teachers", 60.0),
        at_most("students_per_teacher", 20.0),
        at_least("dual_qualified_share_pct", 30.0),
        at_least("equipment_value_cny", 3_000_000.0),
        at_least("equipment_value_cny_per_student", 2_500.0),
        at_least("books_per_student", 30.0),
    ];
    const TECHNICAL: &[Standard] = &[
        at_least("campus_area_m2", 30_000.0),
        at_least("building_area_m2", 18_000.0),
        at_least("equipment_value_cny", 3_000_000.0),
    ];
    match kind {
        SchoolKind::SecondaryVocational => SECONDARY,
        SchoolKind::TechnicalSchool
        | SchoolKind::SeniorTechnicalSchool
        | SchoolKind::TechnicianCollege => TECHNICAL,
        SchoolKind::HigherVocational => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, over the peers alone (the school not among them).
    fn percentile(value: f64, peers: &[f64]) -> Option<u8> {
        if peers.is_empty() || !value.is_finite() {
            return None;
        }
        let below = peers.iter().filter(|p| **p < value).count() as f64;
        let equal = peers.iter().filter(|p| **p == value).count() as f64;
        let share = (below + equal / 2.0) / peers.len() as f64;
        Some((share * 100.0).round().clamp(0.0, 100.0) as u8)
    }

    #[test]
    fn a_shortfall_names_the_gap() {
        let figures: std::collections::BTreeMap<String, f64> = [
            ("campus_area_m2".to_owned(), 31_000.0),
            ("building_area_m2".to_owned(), 30_000.0),
            ("students_per_teacher".to_owned(), 24.5),
        ]
        .into_iter()
        .collect();
        let found = shortfalls(SchoolKind::SecondaryVocational, &figures);
        let codes: Vec<&str> = found.iter().map(|s| s.code).collect();
        assert_eq!(codes, ["campus_area_m2", "students_per_teacher"]);
        assert_eq!(found[0].gap, 9_000.0);
        assert_eq!(found[0].minimum, Some(40_000.0));
        assert_eq!(found[1].gap, 4.5);
        assert_eq!(found[1].maximum, Some(20.0));
        let unknown = unknown(SchoolKind::SecondaryVocational, &figures);
        assert!(unknown.contains(&"teachers") && !unknown.contains(&"campus_area_m2"));
    }

    #[test]
    fn percentile_is_mid_rank() {
        let peers = [10.0, 20.0, 30.0, 40.0];
        assert_eq!(percentile(5.0, &peers), Some(0));
        assert_eq!(percentile(45.0, &peers), Some(100));
        assert_eq!(percentile(25.0, &peers), Some(50));
        assert_eq!(
            percentile(20.0, &peers),
            Some(38),
            "one below, one equal: (1 + 0.5) / 4"
        );
        assert_eq!(
            percentile(7.0, &[7.0, 7.0]),
            Some(50),
            "all tied: the middle"
        );
        assert_eq!(percentile(1.0, &[]), None);
        assert_eq!(percentile(f64::NAN, &peers), None);
    }

    #[test]
    fn percentile_among_all_agrees_with_percentile_among_peers() {
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) % 12) as f64
        };
        for size in 1..40 {
            let all: Vec<f64> = (0..size).map(|_| next()).collect();
            let mut sorted = all.clone();
            sorted.sort_by(f64::total_cmp);
            for (i, own) in all.iter().enumerate() {
                let peers: Vec<f64> = all
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, v)| *v)
                    .collect();
                let negated: Vec<f64> = peers.iter().map(|v| -v).collect();
                assert_eq!(
                    percentile_among(*own, &sorted, true),
                    percentile(*own, &peers)
                );
                assert_eq!(
                    percentile_among(*own, &sorted, false),
                    percentile(-own, &negated)
                );
            }
        }
    }

    #[test]
    fn compliance_bands() {
        let campus = at_least("campus_area_m2", 40_000.0);
        assert_eq!(compliance(Some(40_000.0), &campus), Compliance::Meets);
        assert_eq!(compliance(Some(36_000.0), &campus), Compliance::NearlyMeets);
        assert_eq!(compliance(Some(35_999.0), &campus), Compliance::DoesNotMeet);
        assert_eq!(compliance(None, &campus), Compliance::Unknown);
        let crowding = at_most("students_per_teacher", 20.0);
        assert_eq!(compliance(Some(18.0), &crowding), Compliance::Meets);
        assert_eq!(compliance(Some(21.5), &crowding), Compliance::NearlyMeets);
        assert_eq!(compliance(Some(23.0), &crowding), Compliance::DoesNotMeet);
    }

    #[test]
    fn standards_name_indicators_of_the_catalogue() {
        let codes: Vec<String> = crate::domain::status_data::tests::catalogue()
            .into_iter()
            .map(|i| i.code)
            .collect();
        for kind in SchoolKind::ALL {
            for standard in standards(*kind) {
                assert!(
                    codes.iter().any(|c| c == standard.measure),
                    "{}",
                    standard.measure
                );
            }
        }
        assert!(standards(SchoolKind::HigherVocational).is_empty());
        assert_eq!(standards(SchoolKind::TechnicalSchool).len(), 3);
    }
}

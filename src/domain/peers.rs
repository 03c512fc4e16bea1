//! Comparing a school with its province's peers: the percentile (defined once here) and the
//! national minimum standards for school conditions, kept as data.

use serde::Serialize;

use crate::domain::SchoolKind;

/// The percentile of `value` among `peers` (the other schools, not the school itself):
/// the share of peers with a lower value plus half the share with an equal one, in 0..=100
/// ("mid-rank" percentile, so a tie sits in the middle and the scale is symmetric).
/// `None` when no peer has the figure. For figures where lower is better, pass them negated.
pub fn percentile(value: f64, peers: &[f64]) -> Option<u8> {
    if peers.is_empty() || !value.is_finite() {
        return None;
    }
    let below = peers.iter().filter(|p| **p < value).count() as f64;
    let equal = peers.iter().filter(|p| **p == value).count() as f64;
    let share = (below + equal / 2.0) / peers.len() as f64;
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

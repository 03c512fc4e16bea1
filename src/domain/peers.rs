//! Comparing a school with its province's peers: the percentile (defined once here) and the
//! national minimum standards for school conditions, kept as data.

use serde::Serialize;

use crate::domain::SchoolKind;
use crate::domain::indicators::Indicators;

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

/// How a school stands against one minimum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Compliance {
    Meets,
    /// within 10 % of the minimum
    NearlyMeets,
    DoesNotMeet,
    /// the figure is not reported
    Unknown,
}

/// Within this share below a minimum a school "nearly meets" it.
pub const NEARLY: f64 = 0.10;

pub fn compliance(actual: Option<f64>, minimum: f64) -> Compliance {
    match actual {
        None => Compliance::Unknown,
        Some(a) if a >= minimum => Compliance::Meets,
        Some(a) if a >= minimum * (1.0 - NEARLY) => Compliance::NearlyMeets,
        Some(_) => Compliance::DoesNotMeet,
    }
}

/// One minimum standard: a figure (absolute or per student) and its least value.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Standard {
    /// e.g. `campus_area_m2`, `campus_area_m2_per_student`, `students_per_teacher_max`
    pub measure: &'static str,
    pub minimum: f64,
}

/// The national standards for school conditions, by kind of school.
pub fn standards(kind: SchoolKind) -> &'static [Standard] {
    const SECONDARY: &[Standard] = &[
        Standard {
            measure: "campus_area_m2",
            minimum: 40_000.0,
        },
        Standard {
            measure: "campus_area_m2_per_student",
            minimum: 33.0,
        },
        Standard {
            measure: "building_area_m2",
            minimum: 24_000.0,
        },
        Standard {
            measure: "building_area_m2_per_student",
            minimum: 20.0,
        },
        Standard {
            measure: "teachers",
            minimum: 60.0,
        },
        // 1 teacher to 20 students: at least 0.05 teachers per student
        Standard {
            measure: "teachers_per_student",
            minimum: 0.05,
        },
        Standard {
            measure: "equipment_value_cny",
            minimum: 3_000_000.0,
        },
        Standard {
            measure: "equipment_value_cny_per_student",
            minimum: 2_500.0,
        },
    ];
    const TECHNICAL: &[Standard] = &[
        Standard {
            measure: "campus_area_m2",
            minimum: 30_000.0,
        },
        Standard {
            measure: "building_area_m2",
            minimum: 18_000.0,
        },
        Standard {
            measure: "equipment_value_cny",
            minimum: 3_000_000.0,
        },
    ];
    match kind {
        SchoolKind::SecondaryVocational => SECONDARY,
        SchoolKind::TechnicalSchool
        | SchoolKind::SeniorTechnicalSchool
        | SchoolKind::TechnicianCollege => TECHNICAL,
        SchoolKind::HigherVocational => &[],
    }
}

/// The value of a measure from a year's indicators (ratios need students).
pub fn measure(figures: &Indicators, name: &str) -> Option<f64> {
    let per_student = |v: Option<i64>| match (v, figures.students) {
        (Some(v), Some(s)) if s > 0 => Some(v as f64 / s as f64),
        _ => None,
    };
    match name {
        "campus_area_m2" => figures.campus_area_m2.map(|v| v as f64),
        "building_area_m2" => figures.building_area_m2.map(|v| v as f64),
        "teachers" => figures.teachers.map(|v| v as f64),
        "equipment_value_cny" => figures.equipment_value_cny.map(|v| v as f64),
        "campus_area_m2_per_student" => per_student(figures.campus_area_m2),
        "building_area_m2_per_student" => per_student(figures.building_area_m2),
        "teachers_per_student" => per_student(figures.teachers),
        "equipment_value_cny_per_student" => per_student(figures.equipment_value_cny),
        _ => None,
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
        assert_eq!(compliance(Some(40_000.0), 40_000.0), Compliance::Meets);
        assert_eq!(
            compliance(Some(36_000.0), 40_000.0),
            Compliance::NearlyMeets
        );
        assert_eq!(
            compliance(Some(35_999.0), 40_000.0),
            Compliance::DoesNotMeet
        );
        assert_eq!(compliance(None, 40_000.0), Compliance::Unknown);
    }

    #[test]
    fn secondary_schools_per_student() {
        let figures = Indicators {
            students: Some(1_200),
            teachers: Some(58),
            campus_area_m2: Some(42_000),
            building_area_m2: Some(20_000),
            equipment_value_cny: Some(3_200_000),
            ..Indicators::default()
        };
        let verdicts: Vec<(&str, Compliance)> = standards(SchoolKind::SecondaryVocational)
            .iter()
            .map(|s| {
                (
                    s.measure,
                    compliance(measure(&figures, s.measure), s.minimum),
                )
            })
            .collect();
        assert_eq!(
            verdicts,
            [
                ("campus_area_m2", Compliance::Meets),
                ("campus_area_m2_per_student", Compliance::Meets),
                ("building_area_m2", Compliance::DoesNotMeet),
                ("building_area_m2_per_student", Compliance::DoesNotMeet),
                ("teachers", Compliance::NearlyMeets),
                ("teachers_per_student", Compliance::NearlyMeets),
                ("equipment_value_cny", Compliance::Meets),
                ("equipment_value_cny_per_student", Compliance::Meets),
            ]
        );
        assert!(standards(SchoolKind::HigherVocational).is_empty());
        assert_eq!(standards(SchoolKind::TechnicalSchool).len(), 3);
    }
}

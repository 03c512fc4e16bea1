//! A school's yearly indicators, as the provincial minimum standards measure them.

use serde::{Deserialize, Serialize};

/// The indicators of one year; each is optional (not every school reports every figure)
/// and none is negative.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Indicators {
    #[schema(minimum = 0, maximum = 1e12)]
    pub students: Option<i64>,
    /// full-time teachers
    #[schema(minimum = 0, maximum = 1e12)]
    pub teachers: Option<i64>,
    #[schema(minimum = 0, maximum = 1e12)]
    pub senior_appraisers: Option<i64>,
    #[schema(minimum = 0, maximum = 1e12)]
    pub campus_area_m2: Option<i64>,
    #[schema(minimum = 0, maximum = 1e12)]
    pub building_area_m2: Option<i64>,
    /// training equipment value, CNY
    #[schema(minimum = 0, maximum = 1e12)]
    pub equipment_value_cny: Option<i64>,
    #[schema(minimum = 0, maximum = 1e12)]
    pub computers: Option<i64>,
    #[schema(minimum = 0, maximum = 1e12)]
    pub graduates: Option<i64>,
    /// training and appraisal person-times
    #[schema(minimum = 0, maximum = 1e12)]
    pub training_person_times: Option<i64>,
}

/// The largest figure a school can report (the schema's `maximum` says the same).
pub const MAX_FIGURE: i64 = 1_000_000_000_000;

impl Indicators {
    /// Each field with its name, in the order the forms show them.
    pub fn fields(&self) -> [(&'static str, Option<i64>); 9] {
        [
            ("students", self.students),
            ("teachers", self.teachers),
            ("senior_appraisers", self.senior_appraisers),
            ("campus_area_m2", self.campus_area_m2),
            ("building_area_m2", self.building_area_m2),
            ("equipment_value_cny", self.equipment_value_cny),
            ("computers", self.computers),
            ("graduates", self.graduates),
            ("training_person_times", self.training_person_times),
        ]
    }

    /// The fields that are negative or implausibly large, with what is wrong.
    pub fn problems(&self) -> Vec<(&'static str, crate::domain::message::Msg)> {
        self.fields()
            .into_iter()
            .filter_map(|(name, value)| match value {
                Some(v) if v < 0 => Some((name, crate::domain::message::Msg::NotNegative)),
                Some(v) if v > MAX_FIGURE => Some((name, crate::domain::message::Msg::TooLarge)),
                _ => None,
            })
            .collect()
    }
}

/// A reporting year between 1950 and next year.
pub fn parse_year(year: i64, this_year: i32) -> Result<i32, crate::domain::message::Msg> {
    match i32::try_from(year) {
        Ok(y) if (1950..=this_year + 1).contains(&y) => Ok(y),
        _ => Err(crate::domain::message::Msg::YearBetween {
            min: 1950,
            max: this_year + 1,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_counts_are_named() {
        let figures = Indicators {
            students: Some(-1),
            computers: Some(300),
            campus_area_m2: Some(-5),
            ..Indicators::default()
        };
        let names: Vec<_> = figures.problems().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["students", "campus_area_m2"]);
        assert!(Indicators::default().problems().is_empty());
    }

    #[test]
    fn years() {
        assert_eq!(parse_year(2006, 2026), Ok(2006));
        assert_eq!(parse_year(2027, 2026), Ok(2027));
        assert!(parse_year(2028, 2026).is_err());
        assert!(parse_year(1900, 2026).is_err());
    }
}

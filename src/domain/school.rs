//! Kinds of school, as the provincial bureaus classify them.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SchoolKind {
    TechnicalSchool,
    SeniorTechnicalSchool,
    TechnicianCollege,
    SecondaryVocational,
    HigherVocational,
}

impl SchoolKind {
    pub const ALL: [SchoolKind; 5] = [
        SchoolKind::TechnicalSchool,
        SchoolKind::SeniorTechnicalSchool,
        SchoolKind::TechnicianCollege,
        SchoolKind::SecondaryVocational,
        SchoolKind::HigherVocational,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SchoolKind::TechnicalSchool => "technical_school",
            SchoolKind::SeniorTechnicalSchool => "senior_technical_school",
            SchoolKind::TechnicianCollege => "technician_college",
            SchoolKind::SecondaryVocational => "secondary_vocational",
            SchoolKind::HigherVocational => "higher_vocational",
        }
    }

    pub fn parse(raw: &str) -> Result<SchoolKind, String> {
        SchoolKind::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
            .ok_or_else(|| {
                format!(
                    "must be one of {}",
                    SchoolKind::ALL.map(SchoolKind::as_str).join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for kind in SchoolKind::ALL {
            assert_eq!(SchoolKind::parse(kind.as_str()), Ok(kind));
        }
        assert!(SchoolKind::parse("university").is_err());
    }
}

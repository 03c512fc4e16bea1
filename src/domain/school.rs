//! Kinds of school, as the provincial bureaus classify them.

crate::vocabulary!(SchoolKind {
    TechnicalSchool => "technical_school",
    SeniorTechnicalSchool => "senior_technical_school",
    TechnicianCollege => "technician_college",
    SecondaryVocational => "secondary_vocational",
    HigherVocational => "higher_vocational",
});

/// Which schools a piece of kept state is recomputed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schools {
    One(i64),
    Province(i64),
    All,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for kind in SchoolKind::ALL {
            assert_eq!(SchoolKind::parse(kind.as_str()), Ok(*kind));
        }
        assert!(
            SchoolKind::parse("university")
                .unwrap_err()
                .to_string()
                .contains("technician_college")
        );
    }
}

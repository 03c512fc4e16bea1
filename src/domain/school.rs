//! Kinds of school, as the provincial bureaus classify them.

crate::vocabulary!(SchoolKind {
    TechnicalSchool => "technical_school",
    SeniorTechnicalSchool => "senior_technical_school",
    TechnicianCollege => "technician_college",
    SecondaryVocational => "secondary_vocational",
    HigherVocational => "higher_vocational",
});

crate::vocabulary!(
    /// Where a school stands: running, merged into another (its successor), or closed. A
    /// merger or closure takes effect on a date; until then the school still runs.
    SchoolStatus {
        Active => "active",
        Merged => "merged",
        Closed => "closed",
    }
);

/// Whether a school of `status`, merged or closed from `effective_on`, has been wound up
/// by `today`: its record is then read-only, and it is no peer, no task in a round and has
/// no deadlines.
pub fn wound_up(status: SchoolStatus, effective_on: Option<time::Date>, today: time::Date) -> bool {
    status != SchoolStatus::Active && effective_on.is_none_or(|day| day <= today)
}

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
    fn a_school_is_wound_up_from_its_effective_date() {
        let day = time::macros::date!(2025 - 09 - 01);
        let before = time::macros::date!(2025 - 08 - 31);
        assert!(!wound_up(SchoolStatus::Active, None, day));
        assert!(!wound_up(SchoolStatus::Active, Some(before), day));
        assert!(!wound_up(SchoolStatus::Merged, Some(day), before));
        assert!(wound_up(SchoolStatus::Merged, Some(day), day));
        assert!(wound_up(SchoolStatus::Closed, Some(before), day));
    }

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

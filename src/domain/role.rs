//! The five roles and what each is attached to.

crate::vocabulary!(Role {
    /// A school's quality-management officer: edits and submits the school's record.
    QualityOfficer => "quality_officer",
    /// School leadership or staff: reads their own school.
    SchoolViewer => "school_viewer",
    /// A provincial reviewer: reads the province's schools, reviews submissions.
    Reviewer => "reviewer",
    /// The province bureau's head of evaluation: manages the province, signs off.
    ProvinceAdmin => "province_admin",
    /// The installation's operator.
    Admin => "admin",
    /// An evaluation expert (评估专家) of a province, perhaps from a school anywhere: sees an
    /// application only while sitting on its panel, and writes only their own scores.
    Expert => "expert",
});

/// What a role's user must belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attachment {
    School,
    Province,
    /// a province, and perhaps a home school in any province (an expert)
    ProvinceAndHomeSchool,
    Nothing,
}

impl Role {
    pub fn attachment(self) -> Attachment {
        match self {
            Role::QualityOfficer | Role::SchoolViewer => Attachment::School,
            Role::Reviewer | Role::ProvinceAdmin => Attachment::Province,
            Role::Expert => Attachment::ProvinceAndHomeSchool,
            Role::Admin => Attachment::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_role() {
        for &role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
    }

    #[test]
    fn unknown_role_lists_the_choices() {
        let err = Role::parse("superuser").unwrap_err().to_string();
        assert!(err.contains("quality_officer") && err.contains("admin"));
    }

    #[test]
    fn attachments() {
        assert_eq!(Role::QualityOfficer.attachment(), Attachment::School);
        assert_eq!(Role::SchoolViewer.attachment(), Attachment::School);
        assert_eq!(Role::Reviewer.attachment(), Attachment::Province);
        assert_eq!(Role::ProvinceAdmin.attachment(), Attachment::Province);
        assert_eq!(Role::Admin.attachment(), Attachment::Nothing);
        assert_eq!(Role::Expert.attachment(), Attachment::ProvinceAndHomeSchool);
    }
}

//! The five roles and what each is attached to.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A school's quality-management officer: edits and submits the school's record.
    QualityOfficer,
    /// School leadership or staff: reads their own school.
    SchoolViewer,
    /// A provincial reviewer: reads the province's schools, reviews submissions.
    Reviewer,
    /// The province bureau's head of evaluation: manages the province, signs off.
    ProvinceAdmin,
    /// The installation's operator.
    Admin,
}

/// What a role's user must belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attachment {
    School,
    Province,
    Nothing,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::QualityOfficer,
        Role::SchoolViewer,
        Role::Reviewer,
        Role::ProvinceAdmin,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::QualityOfficer => "quality_officer",
            Role::SchoolViewer => "school_viewer",
            Role::Reviewer => "reviewer",
            Role::ProvinceAdmin => "province_admin",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| format!("must be one of {}", Role::ALL.map(Role::as_str).join(", ")))
    }

    pub fn attachment(self) -> Attachment {
        match self {
            Role::QualityOfficer | Role::SchoolViewer => Attachment::School,
            Role::Reviewer | Role::ProvinceAdmin => Attachment::Province,
            Role::Admin => Attachment::Nothing,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_role() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
        }
    }

    #[test]
    fn unknown_role_lists_the_choices() {
        let err = Role::parse("superuser").unwrap_err();
        assert!(err.contains("quality_officer") && err.contains("admin"));
    }

    #[test]
    fn attachments() {
        assert_eq!(Role::QualityOfficer.attachment(), Attachment::School);
        assert_eq!(Role::SchoolViewer.attachment(), Attachment::School);
        assert_eq!(Role::Reviewer.attachment(), Attachment::Province);
        assert_eq!(Role::ProvinceAdmin.attachment(), Attachment::Province);
        assert_eq!(Role::Admin.attachment(), Attachment::Nothing);
    }
}

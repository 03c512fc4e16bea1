//! The access policy: what the signed-in user may see and do. Every tenant-scoped store
//! function takes an `Access`, so a query that forgets the scope cannot be written.
//!
//! Seeing comes first: a record outside the user's scope is `NotFound` (404), as if it did
//! not exist. Only for a record they may see does a missing permission become `Forbidden`
//! (403).

use crate::domain::Role;

/// A refusal of the access policy: the caller may see the record but not do this (403).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Forbidden;

/// Who is acting, as far as permissions go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    pub user_id: i64,
    pub role: Role,
    pub province_id: Option<i64>,
    pub school_id: Option<i64>,
    /// Schools whose records this user's school may read under a consulting grant, and
    /// whether the grant includes their evidence files.
    pub grants: Vec<(i64, bool)>,
    /// An expert's seats: the submissions on whose panels they sit, with their schools.
    /// An expert sees these submissions (and their schools' records) and nothing else.
    pub panels: Vec<(i64, i64)>,
    /// The day the request is judged on (the server's clock): its grants and appointments
    /// are that day's, and a school merged or closed by then takes no writes.
    pub today: time::Date,
}

/// A school that the store found for the asking user: proof that its scope was checked, so
/// that a store function reading that school's record needs no second check. Only
/// `store::schools` makes one (through `checked`), after applying the user's `Access`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scoped {
    id: i64,
    province_id: i64,
}

impl Scoped {
    /// For `store::schools` alone, once it has applied the reader's `Access`.
    pub fn checked(id: i64, province_id: i64) -> Scoped {
        Scoped { id, province_id }
    }

    pub fn id(self) -> i64 {
        self.id
    }

    pub fn province_id(self) -> i64 {
        self.province_id
    }
}

/// Which schools a user may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchoolScope {
    All,
    Province(i64),
    School(i64),
    /// An expert: the schools of the panels they sit on, nothing else.
    Panels,
    /// A misconfigured account (a school role without a school): sees nothing.
    Nothing,
}

impl Access {
    /// The operator at the command line, who may do what an admin may.
    pub fn operator(today: time::Date) -> Access {
        Access {
            user_id: 0,
            role: Role::Admin,
            province_id: None,
            school_id: None,
            grants: Vec::new(),
            panels: Vec::new(),
            today,
        }
    }

    /// The store reading on its own behalf, in no request (a verdict, a standard just
    /// written): reads all, on no particular day. Never a writer's access.
    pub fn store_reader() -> Access {
        Access::operator(crate::domain::dates::EARLIEST)
    }

    /// The schools of an expert's panels.
    pub fn panel_schools(&self) -> Vec<i64> {
        let mut schools: Vec<i64> = self.panels.iter().map(|(_, s)| *s).collect();
        schools.sort_unstable();
        schools.dedup();
        schools
    }

    /// The submissions on whose panels an expert sits.
    pub fn panel_submissions(&self) -> Vec<i64> {
        self.panels.iter().map(|(s, _)| *s).collect()
    }

    /// The schools readable only through a consulting grant.
    pub fn granted_schools(&self) -> Vec<i64> {
        self.grants.iter().map(|(s, _)| *s).collect()
    }

    /// Is this school readable only through a grant (not by the user's own right)?
    pub fn reads_under_grant(&self, school_id: i64, province_id: i64) -> bool {
        !self.sees_school_by_right(school_id, province_id)
            && self.grants.iter().any(|(s, _)| *s == school_id)
    }

    /// May the user read the school's evidence files? (An expert, of the submissions on
    /// whose panels they sit: those are the only ones they see.)
    pub fn reads_evidence_of(&self, school_id: i64, province_id: i64) -> bool {
        self.sees_school_by_right(school_id, province_id)
            || self.grants.iter().any(|(s, e)| *s == school_id && *e)
    }

    pub fn school_scope(&self) -> SchoolScope {
        match self.role {
            Role::Admin => SchoolScope::All,
            Role::Reviewer | Role::ProvinceAdmin => self
                .province_id
                .map_or(SchoolScope::Nothing, SchoolScope::Province),
            Role::QualityOfficer | Role::SchoolViewer => self
                .school_id
                .map_or(SchoolScope::Nothing, SchoolScope::School),
            Role::Expert => SchoolScope::Panels,
        }
    }

    /// May this user read the school (in `province_id`), by right or under a grant?
    pub fn sees_school(&self, school_id: i64, province_id: i64) -> bool {
        self.sees_school_by_right(school_id, province_id)
            || self.grants.iter().any(|(s, _)| *s == school_id)
    }

    fn sees_school_by_right(&self, school_id: i64, province_id: i64) -> bool {
        match self.school_scope() {
            SchoolScope::All => true,
            SchoolScope::Province(p) => p == province_id,
            SchoolScope::School(s) => s == school_id,
            SchoolScope::Panels => self.panels.iter().any(|(_, s)| *s == school_id),
            SchoolScope::Nothing => false,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// An admin, or the province admin of `province_id`.
    pub fn administers_province(&self, province_id: i64) -> bool {
        self.is_admin()
            || (self.role == Role::ProvinceAdmin && self.province_id == Some(province_id))
    }

    /// An admin, or the province's own staff (its reviewers and its bureau): who reads an
    /// evaluation's sealed scores, its panel and its objections.
    pub fn reviews_province(&self, province_id: i64) -> bool {
        self.is_admin()
            || (matches!(self.role, Role::Reviewer | Role::ProvinceAdmin)
                && self.province_id == Some(province_id))
    }

    /// An admin, or anyone of the province (its bureau, its reviewers, its schools' staff).
    pub fn belongs_to_province(&self, province_id: i64) -> bool {
        self.is_admin() || self.province_id == Some(province_id)
    }

    /// May edit a school's profile: its quality officer, its province admin, an admin.
    pub fn edits_school_profile(&self, school_id: i64, province_id: i64) -> bool {
        self.administers_province(province_id)
            || (self.role == Role::QualityOfficer && self.school_id == Some(school_id))
    }

    /// May keep the school's quality record (audits, findings, certificate, indicators,
    /// submissions): its quality officer, or an admin.
    pub fn keeps_record_of(&self, school_id: i64) -> bool {
        self.is_admin() || (self.role == Role::QualityOfficer && self.school_id == Some(school_id))
    }

    /// The actor to name in the history (the command-line operator is nobody).
    pub fn actor_id(&self) -> Option<i64> {
        (self.user_id > 0).then_some(self.user_id)
    }

    /// May see a user account: their own, any for an admin, their province's for a
    /// province admin.
    pub fn sees_user(&self, user_id: i64, user_province_id: Option<i64>) -> bool {
        user_id == self.user_id
            || self.is_admin()
            || (self.role == Role::ProvinceAdmin
                && user_province_id.is_some()
                && user_province_id == self.province_id)
    }

    /// Turns a permission into a result: `Forbidden` when it is missing.
    pub fn require(allowed: bool) -> Result<(), Forbidden> {
        if allowed { Ok(()) } else { Err(Forbidden) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(role: Role, province_id: Option<i64>, school_id: Option<i64>) -> Access {
        Access {
            user_id: 1,
            role,
            province_id,
            school_id,
            grants: Vec::new(),
            panels: Vec::new(),
            today: crate::domain::dates::EARLIEST,
        }
    }

    #[test]
    fn scopes_by_role() {
        assert_eq!(
            access(Role::Admin, None, None).school_scope(),
            SchoolScope::All
        );
        assert_eq!(
            access(Role::Reviewer, Some(3), None).school_scope(),
            SchoolScope::Province(3)
        );
        assert_eq!(
            access(Role::ProvinceAdmin, Some(3), None).school_scope(),
            SchoolScope::Province(3)
        );
        assert_eq!(
            access(Role::QualityOfficer, Some(3), Some(7)).school_scope(),
            SchoolScope::School(7)
        );
        assert_eq!(
            access(Role::SchoolViewer, Some(3), Some(7)).school_scope(),
            SchoolScope::School(7)
        );
        assert_eq!(
            access(Role::SchoolViewer, None, None).school_scope(),
            SchoolScope::Nothing
        );
    }

    #[test]
    fn seeing_schools() {
        let officer = access(Role::QualityOfficer, Some(3), Some(7));
        assert!(officer.sees_school(7, 3));
        assert!(
            !officer.sees_school(8, 3),
            "another school of the same province"
        );
        let reviewer = access(Role::Reviewer, Some(3), None);
        assert!(reviewer.sees_school(8, 3));
        assert!(!reviewer.sees_school(9, 4), "another province");
    }

    #[test]
    fn editing_profiles() {
        assert!(access(Role::QualityOfficer, Some(3), Some(7)).edits_school_profile(7, 3));
        assert!(!access(Role::SchoolViewer, Some(3), Some(7)).edits_school_profile(7, 3));
        assert!(!access(Role::Reviewer, Some(3), None).edits_school_profile(7, 3));
        assert!(access(Role::ProvinceAdmin, Some(3), None).edits_school_profile(7, 3));
        assert!(!access(Role::ProvinceAdmin, Some(4), None).edits_school_profile(7, 3));
        assert!(access(Role::Admin, None, None).edits_school_profile(7, 3));
    }

    #[test]
    fn seeing_users() {
        let pa = access(Role::ProvinceAdmin, Some(3), None);
        assert!(pa.sees_user(1, None), "oneself");
        assert!(pa.sees_user(2, Some(3)));
        assert!(!pa.sees_user(2, Some(4)));
        assert!(!pa.sees_user(2, None), "admins are nobody's province");
        assert!(!access(Role::Reviewer, Some(3), None).sees_user(2, Some(3)));
    }
}

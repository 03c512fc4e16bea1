//! Accounts and provinces: creating and changing users (an admin; a province admin within
//! their province) and provinces (an admin), and one's own password.

use crate::app::input::Input;
use crate::domain::access::Access;
use crate::domain::dates::parse_date;
use crate::domain::{EmailAddress, NewPassword, PasswordPolicy, PersonName, Role};
use crate::error::{AppError, Msg, Validator};
use crate::store::provinces::{self, NewProvince};
use crate::store::schools::parse_text;
use crate::store::users::{NewUser, UserPatch};
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvinceInput {
    /// short code, e.g. `FJ`
    #[schema(schema_with = crate::app::schema::province_code)]
    pub code: String,
    #[schema(schema_with = crate::app::schema::short_name)]
    pub name: String,
    #[schema(schema_with = crate::app::schema::name_or_null)]
    pub name_zh: Option<String>,
}

impl ProvinceInput {
    pub fn validate(&self) -> Result<NewProvince, AppError> {
        let mut v = Validator::new();
        let code = v.check("code", provinces::parse_code(&self.code));
        let name = v.check("name", parse_text(&self.name));
        let name_zh = v.check_opt("name_zh", self.name_zh.as_deref(), parse_text);
        v.finish()?;
        match (code, name, name_zh) {
            (Some(code), Some(name), Some(name_zh)) => Ok(NewProvince {
                code,
                name,
                name_zh,
            }),
            _ => Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            ))),
        }
    }
}

/// Adds a province (an admin).
pub fn create_province(
    conn: &mut crate::db::DbConn,
    access: &Access,
    input: &impl Input<ProvinceInput>,
) -> Result<provinces::Province, AppError> {
    Access::require(access.is_admin())?;
    let new = input.read()?.validate()?;
    provinces::create(conn, access, &new)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    #[schema(schema_with = crate::app::schema::email)]
    pub email: String,
    #[schema(schema_with = crate::app::schema::short_name)]
    #[schema(schema_with = crate::app::schema::short_name)]
    pub name: String,
    /// quality_officer, school_viewer, reviewer, province_admin, admin, expert
    #[schema(value_type = crate::domain::Role)]
    pub role: String,
    /// at least 10 characters
    #[schema(schema_with = crate::app::schema::new_password)]
    pub password: String,
    pub province_id: Option<i64>,
    /// a school role's school; an expert's home school (in any province), if any
    pub school_id: Option<i64>,
    /// an expert's last day in office (YYYY-MM-DD)
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_until: Option<String>,
}

impl UserInput {
    /// The account and its password, or every bad field named. A province admin's new
    /// province user belongs to their province unless another is named. The password
    /// follows `policy`, and under it the person may have to choose their own at first.
    pub fn validate(
        &self,
        access: &Access,
        policy: PasswordPolicy,
    ) -> Result<(NewUser, NewPassword), AppError> {
        let mut v = Validator::new();
        let email = v.check("email", EmailAddress::parse(&self.email));
        let name = v.check("name", PersonName::parse(&self.name));
        let role = v.check("role", Role::parse(&self.role));
        let password = v.check("password", policy.parse(&self.password));
        let valid_until = v.check_opt("valid_until", self.valid_until.as_deref(), parse_date);
        if valid_until.flatten().is_some() && role.is_some_and(|r| r != Role::Expert) {
            v.fail("valid_until", Msg::OnlyForExperts);
        }
        v.finish()?;
        match (email, name, role, password) {
            (Some(email), Some(name), Some(role), Some(password)) => {
                use crate::domain::role::Attachment;
                let province_id = match (self.province_id, role.attachment()) {
                    (None, Attachment::Province | Attachment::ProvinceAndHomeSchool)
                        if !access.is_admin() =>
                    {
                        access.province_id
                    }
                    (given, _) => given,
                };
                Ok((
                    NewUser {
                        email,
                        name,
                        role,
                        province_id,
                        school_id: self.school_id,
                        valid_until: valid_until.flatten(),
                        password_change_required: policy.first_change,
                    },
                    password,
                ))
            }
            _ => Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            ))),
        }
    }
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatchInput {
    #[schema(schema_with = crate::app::schema::name_or_null)]
    pub name: Option<String>,
    #[schema(value_type = Option<crate::domain::Role>)]
    pub role: Option<String>,
    pub province_id: Option<i64>,
    pub school_id: Option<i64>,
    /// `false` deactivates the account and ends its sessions at once
    pub active: Option<bool>,
    /// an expert's last day in office; `null` clears it
    #[serde(default, deserialize_with = "crate::app::schools::nullable")]
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_until: Option<Option<String>>,
    /// the person's id at the province's identity platform (OIDC `sub`, CAS user, the
    /// OAuth2 platform's id field); `null` or blank clears it
    #[serde(default, deserialize_with = "crate::app::schools::nullable")]
    #[schema(schema_with = crate::app::schema::optional_short_text)]
    pub external_id: Option<Option<String>>,
}

impl UserPatchInput {
    pub fn validate(&self) -> Result<UserPatch, AppError> {
        let mut v = Validator::new();
        let name = v.check_opt("name", self.name.as_deref(), PersonName::parse);
        let role = v.check_opt("role", self.role.as_deref(), Role::parse);
        let valid_until = match &self.valid_until {
            None => None,
            Some(None) => Some(None),
            Some(Some(raw)) => v.check("valid_until", parse_date(raw)).map(Some),
        };
        let external_id = match &self.external_id {
            None => None,
            Some(raw) => v.check(
                "external_id",
                crate::domain::text::optional(raw.as_deref(), crate::domain::text::SHORT),
            ),
        };
        v.finish()?;
        Ok(UserPatch {
            name: name.flatten(),
            role: role.flatten(),
            province_id: self.province_id,
            school_id: self.school_id,
            active: self.active,
            valid_until,
            external_id,
        })
    }
}

//! User accounts, managed by admins (anyone) and province admins (their province's).

use crate::http::api::body::Body;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::{Access, CurrentUser};
use crate::clock::now_utc;
use crate::domain::{EmailAddress, NewPassword, PersonName, Role};
use crate::error::{AppError, ErrorBody, Validator};
use crate::http::api::paging::Paged;
use crate::state::AppState;
use crate::store::users::{self, NewUser, User, UserPatch};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    #[schema(schema_with = crate::http::api::schema::email)]
    pub email: String,
    #[schema(schema_with = crate::http::api::schema::short_name)]
    #[schema(schema_with = crate::http::api::schema::short_name)]
    pub name: String,
    /// quality_officer, school_viewer, reviewer, province_admin, admin
    #[schema(value_type = crate::domain::Role)]
    pub role: String,
    /// at least 10 characters
    #[schema(schema_with = crate::http::api::schema::new_password)]
    pub password: String,
    pub province_id: Option<i64>,
    pub school_id: Option<i64>,
}

impl UserInput {
    /// The account and its password, or every bad field named. A province admin's new
    /// province user belongs to their province unless another is named.
    pub fn validate(&self, access: &Access) -> Result<(NewUser, NewPassword), AppError> {
        let mut v = Validator::new();
        let email = v.check("email", EmailAddress::parse(&self.email));
        let name = v.check("name", PersonName::parse(&self.name));
        let role = v.check("role", Role::parse(&self.role));
        let password = v.check("password", NewPassword::parse(&self.password));
        v.finish()?;
        match (email, name, role, password) {
            (Some(email), Some(name), Some(role), Some(password)) => {
                let province_id = match (self.province_id, role.attachment()) {
                    (None, crate::domain::role::Attachment::Province) if !access.is_admin() => {
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

/// Create a user (admin; province admin within their province)
#[utoipa::path(
    post, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    request_body = UserInput,
    responses((status = 201, body = User), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: Body<UserInput>,
) -> Result<HttpResponse, AppError> {
    // Who may and what was sent, before any hashing (a second trip stores the account).
    let (new_user, password) = user
        .run(move |_, access| {
            Access::require(access.is_admin() || access.role == Role::ProvinceAdmin)?;
            body.validate(access)
        })
        .await?;
    let hasher = state.clone();
    let hash = web::block(move || hasher.passwords.hash(&password))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing failed: {e}")))??;
    let created = user
        .run(move |conn, access| users::create(conn, access, &new_user, &hash))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// The users the caller manages (admin: all; province admin: their province's)
#[utoipa::path(
    get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = [User]), (status = 403, body = ErrorBody))
)]
pub async fn list(user: CurrentUser, page: Paged) -> Result<HttpResponse, AppError> {
    let paging = page.paging.clone();
    let found = user
        .run(move |conn, access| users::page(conn, access, &paging))
        .await?;
    Ok(page.respond(found))
}

/// One user (oneself, or one the caller manages)
#[utoipa::path(
    get, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = ErrorBody))
)]
pub async fn get(user: CurrentUser, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let found = user
        .run(move |conn, access| users::get(conn, access, id))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatchInput {
    #[schema(schema_with = crate::http::api::schema::name_or_null)]
    pub name: Option<String>,
    #[schema(value_type = Option<crate::domain::Role>)]
    pub role: Option<String>,
    pub province_id: Option<i64>,
    pub school_id: Option<i64>,
    /// `false` deactivates the account and ends its sessions at once
    pub active: Option<bool>,
}

impl UserPatchInput {
    pub fn validate(&self) -> Result<UserPatch, AppError> {
        let mut v = Validator::new();
        let name = v.check_opt("name", self.name.as_deref(), PersonName::parse);
        let role = v.check_opt("role", self.role.as_deref(), Role::parse);
        v.finish()?;
        Ok(UserPatch {
            name: name.flatten(),
            role: role.flatten(),
            province_id: self.province_id,
            school_id: self.school_id,
            active: self.active,
        })
    }
}

/// Change a user: name, role, school or province, active (admin; province admin within
/// their province)
#[utoipa::path(
    patch, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = UserPatchInput,
    responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn patch(
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<UserPatchInput>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let patch = body.validate();
    let updated = user
        .run(move |conn, access| {
            let current = users::get(conn, access, id)?;
            Access::require(users::may_manage(access, current.role, current.province_id))?;
            users::update(conn, access, id, &patch?, now_utc())
        })
        .await?;
    Ok(HttpResponse::Ok().json(updated))
}

//! Consulting grants: read access for a consulting school, for a period, revocable.

use crate::http::api::body::Body;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::domain::dates::parse_date;
use crate::error::{AppError, ErrorBody};
use crate::http::api::paging::Paged;
use crate::state::AppState;
use crate::store::grants::{self, Grant};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    pub consultant_school_id: i64,
    /// YYYY-MM-DD, the last day of the grant
    #[schema(schema_with = crate::app::schema::date)]
    pub until: String,
    /// also the evidence files of submissions
    #[serde(default)]
    pub include_evidence: bool,
}

/// Let a consulting school read this school's records until a date (its quality officer)
#[utoipa::path(
    post, path = "/api/v1/schools/{id}/consulting-grants", tag = "grants", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = GrantInput,
    responses((status = 201, body = Grant), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<GrantInput>,
) -> Result<HttpResponse, AppError> {
    let (school, today) = (id.into_inner(), state.clock.today());
    let input = body.into_inner();
    let grant = user
        .run(move |conn, access| {
            crate::store::schools::get(conn, access, school)?;
            crate::auth::Access::require(
                access.role == crate::domain::Role::QualityOfficer
                    && access.school_id == Some(school),
            )?;
            let until = parse_date(&input.until).map_err(|e| AppError::field("until", e))?;
            let new = grants::NewGrant {
                consultant_school_id: input.consultant_school_id,
                until,
                include_evidence: input.include_evidence,
            };
            crate::app::records::grant(conn, access, school, &new, today, now_utc())
        })
        .await?;
    Ok(HttpResponse::Created().json(grant))
}

/// The grants this school has given (its quality officer)
#[utoipa::path(
    get, path = "/api/v1/schools/{id}/consulting-grants", tag = "grants", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = [Grant]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list(
    user: CurrentUser,
    id: web::Path<i64>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let school = id.into_inner();
    page.slice(
        user.run(move |conn, access| grants::list(conn, access, school))
            .await?,
    )
}

/// Revoke a grant at once (the granting school's quality officer)
#[utoipa::path(
    delete, path = "/api/v1/consulting-grants/{id}", tag = "grants", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn revoke(user: CurrentUser, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    user.run(move |conn, access| crate::app::records::revoke_grant(conn, access, id, now_utc()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

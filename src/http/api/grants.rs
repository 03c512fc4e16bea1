//! Consulting grants: read access for a consulting school, for a period, revocable.

use crate::http::api::body::Body;
use actix_web::{HttpResponse, web};

use crate::app::records::GrantInput;
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::error::{AppError, ErrorBody};
use crate::http::api::paging::Paged;
use crate::state::AppState;
use crate::store::grants::{self, Grant};

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
            crate::app::records::grant(conn, access, school, &input, today, now_utc())
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

//! User accounts, managed by admins (anyone) and province admins (their province's).

use crate::http::api::body::Body;
use actix_web::{HttpResponse, web};

use crate::app::accounts::{UserInput, UserPatchInput};
use crate::auth::{Access, CurrentUser};
use crate::clock::now_utc;
use crate::error::{AppError, ErrorBody};
use crate::http::api::paging::Paged;
use crate::state::AppState;
use crate::store::users::{self, User};

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
    let created = crate::auth::session::create_account(&state, &user, body.into_inner()).await?;
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
    let patch = body.into_inner().read().and_then(|b| b.validate());
    let updated = user
        .run(move |conn, access| {
            let current = users::get(conn, access, id)?;
            Access::require(users::may_manage(access, current.role, current.province_id))?;
            users::update(conn, access, id, &patch?, now_utc())
        })
        .await?;
    Ok(HttpResponse::Ok().json(updated))
}

//! The title catalogue and the titles a school holds.

use crate::http::api::body::Body;
use actix_web::{HttpResponse, web};

use crate::app::records::{self, HoldingInput, HoldingPatchInput, TitleTypeInput};
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::error::{AppError, ErrorBody};
use crate::http::api::paging::Paged;
use crate::state::AppState;
use crate::store::titles::{self, TitleHolding, TitleType};

/// Add a title to the catalogue (admin)
#[utoipa::path(
    post, path = "/api/v1/title-types", tag = "titles", security(("bearer" = [])),
    request_body = TitleTypeInput,
    responses((status = 201, body = TitleType), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create_type(
    user: CurrentUser,
    body: Body<TitleTypeInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let created = user
        .run(move |conn, access| records::add_title_type(conn, access, &input))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// The title catalogue
#[utoipa::path(
    get, path = "/api/v1/title-types", tag = "titles", security(("bearer" = [])),
    responses((status = 200, body = [TitleType]), (status = 401, body = ErrorBody))
)]
pub async fn list_types(user: CurrentUser, page: Paged) -> Result<HttpResponse, AppError> {
    page.slice(user.run(|conn, _| titles::list_types(conn)).await?)
}

/// Register a title a school holds (its province admin; admin)
#[utoipa::path(
    post, path = "/api/v1/schools/{id}/titles", tag = "titles", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = HoldingInput,
    responses((status = 201, body = TitleHolding), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create_holding(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<HoldingInput>,
) -> Result<HttpResponse, AppError> {
    let (school_id, today) = (id.into_inner(), state.clock.today());
    let input = body.into_inner();
    let created = user
        .run(move |conn, access| {
            records::register_title(conn, access, school_id, &input, today, now_utc())
        })
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// The titles a school holds, with their next re-evaluation
#[utoipa::path(
    get, path = "/api/v1/schools/{id}/titles", tag = "titles", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = [TitleHolding]), (status = 404, body = ErrorBody))
)]
pub async fn list_holdings(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let (school_id, today) = (id.into_inner(), state.clock.today());
    let found = user
        .run(move |conn, access| titles::list_holdings(conn, access, school_id, today))
        .await?;
    page.slice(found)
}

/// Change a held title: suspend, revoke or reactivate it, or record a re-evaluation (the
/// province admin of the school's province; admin)
#[utoipa::path(
    patch, path = "/api/v1/titles/{id}", tag = "titles", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = HoldingPatchInput,
    responses((status = 200, body = TitleHolding), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn patch_holding(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<HoldingPatchInput>,
) -> Result<HttpResponse, AppError> {
    let (id, today) = (id.into_inner(), state.clock.today());
    let input = body.into_inner();
    let updated = user
        .run(move |conn, access| records::update_title(conn, access, id, &input, today, now_utc()))
        .await?;
    Ok(HttpResponse::Ok().json(updated))
}

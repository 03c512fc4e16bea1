//! Provincial programmes and their progress.

use crate::http::api::body::Body;
use actix_web::{HttpResponse, web};

use crate::app::{
    self,
    programmes::{ProgrammeInput, ProgrammePatchInput},
};
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::http::api::paging::Paged;
use crate::state::AppState;
use crate::store::programmes::{self, Programme};

/// Set a programme target for the province (its province admin; admin)
#[utoipa::path(
    post, path = "/api/v1/provinces/{id}/programmes", tag = "programmes", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ProgrammeInput,
    responses((status = 201, body = Programme), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<ProgrammeInput>,
) -> Result<HttpResponse, AppError> {
    let (province, today) = (id.into_inner(), state.clock.today());
    let input = body.into_inner();
    let created = user
        .run(move |conn, access| app::programmes::create(conn, access, province, &input, today))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// The province's programmes with their progress and trend (readers in the province)
#[utoipa::path(
    get, path = "/api/v1/provinces/{id}/programmes", tag = "programmes", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = [Programme]), (status = 404, body = ErrorBody))
)]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let (province, today, kept) = (id.into_inner(), state.clock.today(), state.kept.clone());
    page.slice(
        user.run(move |conn, access| {
            programmes::list(conn, access, &kept.programmes, province, today)
        })
        .await?,
    )
}

/// Change or close a programme (a province admin of its province; admin)
#[utoipa::path(
    patch, path = "/api/v1/programmes/{id}", tag = "programmes", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ProgrammePatchInput,
    responses((status = 200, body = Programme), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn patch(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<ProgrammePatchInput>,
) -> Result<HttpResponse, AppError> {
    let (id, today) = (id.into_inner(), state.clock.today());
    let input = body.into_inner();
    let changed = user
        .run(move |conn, access| {
            app::programmes::update(conn, access, id, &input, today, crate::clock::now_utc())?.1
        })
        .await?;
    Ok(HttpResponse::Ok().json(changed))
}

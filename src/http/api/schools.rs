//! Schools: registered by the province (or an admin), read within the caller's scope,
//! profile edited by the school's quality officer or the province admin.

use crate::http::api::body::{Body, Query};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::app::{
    self,
    schools::{SchoolInput, SchoolPatchInput},
};
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::error::{AppError, ErrorBody};
use crate::http::api::paging::Paged;
use crate::state::AppState;
use crate::store::schools::{self, School};

/// Register a school (admin; province admin of its province)
#[utoipa::path(
    post, path = "/api/v1/schools", tag = "schools", security(("bearer" = [])),
    request_body = SchoolInput,
    responses((status = 201, body = School), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: Body<SchoolInput>,
) -> Result<HttpResponse, AppError> {
    let this_year = state.clock.today().year();
    let input = body.into_inner();
    let school = user
        .run(move |conn, access| {
            let province = input.read().map(|i| i.province_id);
            let new = input.read().and_then(|i| i.validate(this_year));
            app::schools::create(conn, access, province, new, now_utc())
        })
        .await?;
    Ok(HttpResponse::Created().json(school))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct SchoolFilter {
    /// only the schools of this province
    pub province_id: Option<i64>,
    /// only the schools whose name (English or Chinese) contains this
    pub q: Option<String>,
}

/// The schools the caller may see, by name
#[utoipa::path(
    get, path = "/api/v1/schools", tag = "schools", security(("bearer" = [])),
    params(SchoolFilter),
    responses((status = 200, body = [School]), (status = 401, body = ErrorBody))
)]
pub async fn list(
    user: CurrentUser,
    filter: Query<SchoolFilter>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let filter = schools::SchoolFilter {
        province_id: filter.province_id,
        search: filter.q.clone(),
    };
    let paging = page.paging.clone();
    let found = user
        .run(move |conn, access| schools::page(conn, access, &filter, &paging))
        .await?;
    Ok(page.respond(found))
}

/// One school
#[utoipa::path(
    get, path = "/api/v1/schools/{id}", tag = "schools", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = School), (status = 404, body = ErrorBody))
)]
pub async fn get(user: CurrentUser, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let school = user
        .run(move |conn, access| schools::get(conn, access, id))
        .await?;
    Ok(HttpResponse::Ok().json(school))
}

/// Edit a school's profile (its quality officer; its province admin; an admin)
#[utoipa::path(
    patch, path = "/api/v1/schools/{id}", tag = "schools", security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = SchoolPatchInput,
    responses((status = 200, body = School), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn patch(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<SchoolPatchInput>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let patch = body
        .into_inner()
        .read()
        .and_then(|i| i.validate(state.clock.today().year()));
    let school = user
        .run(move |conn, access| app::schools::update(conn, access, id, patch, now_utc()))
        .await?;
    Ok(HttpResponse::Ok().json(school))
}

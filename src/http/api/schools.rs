//! Schools: registered by the province (or an admin), read within the caller's scope,
//! profile edited by the school's quality officer or the province admin.

use crate::http::api::body::{Body, Query};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::app::standards_check::{self, CheckFilter, SchoolCheck};
use crate::app::{
    self,
    schools::{CloseInput, MergeInput, SchoolInput, SchoolPatchInput, SettleInput},
};
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::domain::SchoolStatus;
use crate::error::{AppError, ErrorBody};
use crate::http::api::paging::Paged;
use crate::http::export::Format;
use crate::state::AppState;
use crate::store::schools::{self, School};
use crate::store::titles::TitleHolding;

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
    /// only the schools that are `active`, `merged` or `closed`
    pub status: Option<String>,
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
    let status = match filter.status.as_deref() {
        None => None,
        Some(raw) => {
            Some(SchoolStatus::parse(raw).map_err(|problem| AppError::field("status", problem))?)
        }
    };
    let filter = schools::SchoolFilter {
        province_id: filter.province_id,
        search: filter.q.clone(),
        status,
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

/// Merge a school into another of its province (its province admin): from `effective_on`
/// its record is read-only and it leaves the peers, the rounds and the deadlines
#[utoipa::path(
    post, path = "/api/v1/schools/{id}/merge", tag = "schools", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = MergeInput,
    responses((status = 200, body = School), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn merge(
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<MergeInput>,
) -> Result<HttpResponse, AppError> {
    let (id, input) = (id.into_inner(), body.into_inner());
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| app::schools::merge(conn, access, id, &input, now_utc()))
            .await?,
    ))
}

/// Mark a school for closure from a date (its province admin)
#[utoipa::path(
    post, path = "/api/v1/schools/{id}/close", tag = "schools", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CloseInput,
    responses((status = 200, body = School), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn close(
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<CloseInput>,
) -> Result<HttpResponse, AppError> {
    let (id, input) = (id.into_inner(), body.into_inner());
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| app::schools::close(conn, access, id, &input, now_utc()))
            .await?,
    ))
}

/// Call off a closure before it takes effect (its province admin)
#[utoipa::path(
    post, path = "/api/v1/schools/{id}/reopen", tag = "schools", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = School), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn reopen(user: CurrentUser, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| {
            app::schools::reopen(conn, access, id, access.today, now_utc())
        })
        .await?,
    ))
}

/// Settle a title of a merged or closed school: transfer it to the successor, end it, or
/// keep it as history (the province admin)
#[utoipa::path(
    post, path = "/api/v1/titles/{id}/settle", tag = "titles", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = SettleInput,
    responses((status = 200, body = TitleHolding), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn settle_title(
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<SettleInput>,
) -> Result<HttpResponse, AppError> {
    let (id, input) = (id.into_inner(), body.into_inner());
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| {
            app::schools::settle_title(conn, access, id, &input, access.today, now_utc())
        })
        .await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct StandardsCheckQuery {
    /// the year whose accepted figures are judged (default: last year)
    pub year: Option<i64>,
    /// only the schools of this city
    pub city: Option<String>,
    /// only the schools of this kind
    pub kind: Option<String>,
    /// only the schools short of this standard (an indicator's code, e.g. `campus_area_m2`)
    pub below: Option<String>,
    /// `true`: only those meeting every standard; `false`: only the others
    pub met: Option<String>,
    /// `json` (default) or `xlsx`
    pub format: Option<String>,
}

/// The province's schools against the national minimum standards on a year's accepted
/// figures (达标排查)
#[utoipa::path(
    get, path = "/api/v1/provinces/{id}/standards-check", tag = "school year", security(("bearer" = [])),
    params(("id" = i64, Path), StandardsCheckQuery),
    responses((status = 200, body = [SchoolCheck]), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn standards_check(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    query: Query<StandardsCheckQuery>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let province = id.into_inner();
    let year = standards_check::year_of(query.year, state.clock.today())?;
    let sheet = Format::sheet_asked(query.format.as_deref())?;
    let filter = CheckFilter::parse(
        query.city.as_deref(),
        query.kind.as_deref(),
        query.below.as_deref(),
        query.met.as_deref(),
    )?;
    let kept = state.kept.clone();
    let inventory = user
        .run(move |conn, access| {
            standards_check::of_province(conn, access, &kept, province, year, &filter)
        })
        .await?;
    if sheet {
        return crate::http::documents::standards_check_download(&inventory);
    }
    page.slice(inventory.rows)
}

//! The school year: the indicator catalogue, the province's collection rounds, a school's
//! status data (by JSON or by the XLSX template), the lock and its reopening, and the
//! province's accepted figures for the ministry.

use crate::app::status_data::{IndicatorInput, ReopenInput, RoundInput, RoundPatchInput};
use crate::http::api::body::{Body, Query};
use std::collections::BTreeMap;

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use time::Date;

use crate::app;
use crate::app::status_data::RoundQuery;
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::domain::status_data::Indicator;
use crate::error::{AppError, ErrorBody};
use crate::http::api::paging::{After, Paged};
use crate::http::documents::{ProvinceRow, province_download, province_rows};
use crate::http::export::{Format, XLSX_TYPE, attachment};
use crate::http::files::{MAX_TEMPLATE_BYTES, small_upload};
use crate::state::AppState;
use crate::store::indicators::{self};
use crate::store::rounds::{self, RoundDetail, RoundInfo};
use crate::store::status_data::{self, StatusData, StatusInput};

/// A year in a path, checked like every year we take.
fn year_of(raw: i64, today: Date) -> Result<i32, AppError> {
    status_data::parse_year(raw, today).map_err(|p| AppError::field("year", p))
}

/// The indicator catalogue: what schools report each year, entered and derived
#[utoipa::path(
    get, path = "/api/v1/indicators", tag = "school year", security(("bearer" = [])),
    responses((status = 200, body = [Indicator]), (status = 401, body = ErrorBody))
)]
pub async fn list_indicators(user: CurrentUser, page: Paged) -> Result<HttpResponse, AppError> {
    let catalogue = user.run(|conn, _| indicators::catalogue(conn)).await?;
    page.slice(catalogue.indicators().to_vec())
}

/// Add an indicator to the catalogue (admin); schools are asked for it from then on
#[utoipa::path(
    post, path = "/api/v1/indicators", tag = "school year", security(("bearer" = [])),
    request_body = IndicatorInput,
    responses((status = 201, body = Indicator), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create_indicator(
    user: CurrentUser,
    body: Body<IndicatorInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let created = user
        .run(move |conn, access| app::status_data::add_indicator(conn, access, &input, now_utc()))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Open a collection round: every school of the province is to fill in the year (its
/// province admin)
#[utoipa::path(
    post, path = "/api/v1/provinces/{id}/rounds", tag = "school year", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = RoundInput,
    responses((status = 201, body = RoundInfo), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create_round(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<RoundInput>,
) -> Result<HttpResponse, AppError> {
    let (province, today) = (id.into_inner(), state.clock.today());
    let input = body.into_inner();
    let created = user
        .run(move |conn, access| {
            app::status_data::open_round(conn, access, province, &input, today, now_utc())
        })
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// The province's collection rounds, newest year first (readers in the province)
#[utoipa::path(
    get, path = "/api/v1/provinces/{id}/rounds", tag = "school year", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = [RoundInfo]), (status = 404, body = ErrorBody))
)]
pub async fn list_rounds(
    user: CurrentUser,
    id: web::Path<i64>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let province = id.into_inner();
    page.slice(
        user.run(move |conn, access| rounds::list(conn, access, province))
            .await?,
    )
}

/// A round with each visible school's state, overdue flag and link, and counts by state
#[utoipa::path(
    get, path = "/api/v1/rounds/{id}", tag = "school year", security(("bearer" = [])),
    params(("id" = i64, Path), RoundQuery),
    responses((status = 200, body = RoundDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn get_round(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    query: Query<RoundQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, today, kept) = (id.into_inner(), state.clock.today(), state.kept.clone());
    let filter = query.filter()?;
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| {
            rounds::detail(conn, access, &kept.rounds, id, &filter, today)
        })
        .await?,
    ))
}

/// Move a round's due date, change its threshold, close or open it (its province admin)
#[utoipa::path(
    patch, path = "/api/v1/rounds/{id}", tag = "school year", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = RoundPatchInput,
    responses((status = 200, body = RoundInfo), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn patch_round(
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<RoundPatchInput>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let input = body.into_inner();
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| {
            app::status_data::update_round(conn, access, id, &input, now_utc())
        })
        .await?,
    ))
}

/// A school's status data of a year: figures, ratios, last year's, flags, explanations,
/// state and lock (readers of the school)
#[utoipa::path(
    get, path = "/api/v1/schools/{id}/status-data/{year}", tag = "school year", security(("bearer" = [])),
    params(("id" = i64, Path), ("year" = i64, Path)),
    responses((status = 200, body = StatusData), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn get_status(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (id, year) = path.into_inner();
    let year = year_of(year, state.clock.today())?;
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| status_data::read(conn, access, id, year))
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusDataInput {
    /// indicator code → value (`null`: not reported); replaces the year's figures
    #[schema(value_type = Option<BTreeMap<String, Option<f64>>>)]
    pub figures: Option<BTreeMap<String, Option<f64>>>,
    /// indicator code → why a flagged figure is what it is; replaces the explanations
    pub explanations: Option<BTreeMap<String, String>>,
    /// the `version` read; a newer one answers 409 `stale_version`
    pub version: Option<i64>,
}

/// Set a year's figures and explanations (the school's quality officer); 409
/// `year_locked` once the province has accepted the year
#[utoipa::path(
    put, path = "/api/v1/schools/{id}/status-data/{year}", tag = "school year", security(("bearer" = [])),
    params(("id" = i64, Path), ("year" = i64, Path)), request_body = StatusDataInput,
    responses((status = 200, body = StatusData, description = "changed"), (status = 201, body = StatusData, description = "the year's first record"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn put_status(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    body: Body<StatusDataInput>,
) -> Result<HttpResponse, AppError> {
    let (id, year) = path.into_inner();
    let year = year_of(year, state.clock.today())?;
    let input = body.into_inner().map(|body| StatusInput {
        figures: body.figures,
        explanations: body.explanations,
        version: body.version,
    });
    let (saved, created) = user
        .run(move |conn, access| app::status_data::put(conn, access, id, year, &input, now_utc()))
        .await?;
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(saved))
}

/// The year's XLSX template, pre-filled with what is recorded and last year's figures
#[utoipa::path(
    get, path = "/api/v1/schools/{id}/status-data/{year}/template.xlsx", tag = "school year", security(("bearer" = [])),
    params(("id" = i64, Path), ("year" = i64, Path)),
    responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn template_xlsx(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (id, year) = path.into_inner();
    let year = year_of(year, state.clock.today())?;
    let (bytes, name) = user
        .run(move |conn, access| app::status_data::template(conn, access, id, year))
        .await?;
    Ok(attachment(bytes, XLSX_TYPE, &name))
}

/// The multipart body of a template upload, as the document describes it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct TemplateUpload {
    /// the filled-in template (XLSX)
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Upload the filled-in template (multipart field `file`): every bad cell answers 422
/// with `fields` keyed by its reference (`C7`), and nothing is saved
#[utoipa::path(
    post, path = "/api/v1/schools/{id}/status-data/{year}/upload", tag = "school year", security(("bearer" = [])),
    params(("id" = i64, Path), ("year" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = TemplateUpload, description = "field `file`: the filled-in template"),
    responses((status = 200, body = StatusData), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn upload_template(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let (id, year) = path.into_inner();
    let year = year_of(year, state.clock.today())?;
    // Who may, before the file is read.
    user.run(move |conn, access| {
        let school = crate::store::record::writable_school(conn, access, id)?;
        status_data::check_changeable(conn, &school, year)
    })
    .await?;
    let (bytes, _) = small_upload(payload, MAX_TEMPLATE_BYTES).await?;
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| {
            app::status_data::apply_upload(conn, access, id, year, &bytes, now_utc())
        })
        .await?,
    ))
}

/// Reopen an accepted (locked) year, with a reason (the province admin)
#[utoipa::path(
    post, path = "/api/v1/schools/{id}/status-data/{year}/reopen", tag = "school year", security(("bearer" = [])),
    params(("id" = i64, Path), ("year" = i64, Path)), request_body = ReopenInput,
    responses((status = 200, body = StatusData), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn reopen(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    body: Body<ReopenInput>,
) -> Result<HttpResponse, AppError> {
    let (id, year) = path.into_inner();
    let year = year_of(year, state.clock.today())?;
    let input = body.into_inner();
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| {
            app::status_data::reopen(conn, access, id, year, &input, now_utc())
        })
        .await?,
    ))
}

/// The format of the province's table.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct ProvinceQuery {
    /// json (default), csv or xlsx
    #[param(schema_with = crate::app::schema::download_format)]
    pub format: Option<String>,
}

/// The province's table of a year: one row per school with its state in the year, a column
/// per indicator and ratio filled where the year is accepted, below-standard cells marked
/// (readers in the province)
#[utoipa::path(
    get, path = "/api/v1/provinces/{id}/status-data/{year}", tag = "school year", security(("bearer" = [])),
    params(("id" = i64, Path), ("year" = i64, Path), ProvinceQuery),
    responses((status = 200, body = [ProvinceRow], description = "or a CSV / XLSX download with `format`"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn province_figures(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    query: Query<ProvinceQuery>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let (province, year) = path.into_inner();
    let year = year_of(year, state.clock.today())?;
    let format =
        Format::parse(query.format.as_deref()).map_err(|p| AppError::field("format", p))?;
    let kept = state.kept.clone();
    let accepted = user
        .run(move |conn, access| {
            status_data::province_accepted(conn, access, &kept.accepted, province, year)
        })
        .await?;
    if format != Format::Json {
        return province_download(&accepted, year, format);
    }
    // One page of the rows, without copying the others.
    let start = page
        .paging
        .offset()
        .map_err(|e| AppError::field("cursor", e))?;
    let total = accepted.rows().count() as i64;
    let rows = province_rows(
        accepted
            .rows()
            .skip(usize::try_from(start).unwrap_or(usize::MAX))
            .take(usize::try_from(page.paging.limit).unwrap_or(0))
            .cloned(),
    );
    let end = start.saturating_add(page.paging.limit);
    let next = (end < total).then_some(After::Offset(end));
    Ok(page.respond_with(HttpResponse::Ok().json(rows), total, next))
}

//! The annual quality report: generated from the record as a print-ready HTML page or a
//! DOCX, the two sections the officer writes, and attaching the DOCX to the year's
//! `annual_quality_report` submission as evidence.

use crate::http::api::body::{Body, Query};
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::app::annual_report::ReportSectionsInput;
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::error::{AppError, ErrorBody};
use crate::http::documents::{
    DOCX_TYPE, attach_report, docx_bytes, docx_name, html, report_lang, report_view,
};
use crate::http::export::{Format, attachment};
use crate::state::AppState;
use crate::store::status_data::{self, ReportSections};
use crate::store::submissions::Evidence;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ReportQuery {
    /// html (default) or docx
    #[param(schema_with = crate::app::schema::report_format)]
    pub format: Option<String>,
    /// zh-CN (default) or en
    #[param(schema_with = crate::app::schema::report_lang)]
    pub lang: Option<String>,
}

/// The language of the report to attach (always a DOCX).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttachQuery {
    /// zh-CN (default) or en
    #[param(schema_with = crate::app::schema::report_lang)]
    pub lang: Option<String>,
}

fn year_of(raw: i64, state: &AppState) -> Result<i32, AppError> {
    status_data::parse_year(raw, state.clock.today()).map_err(|p| AppError::field("year", p))
}

/// The year's annual quality report, generated from the record: a print-ready page or a
/// DOCX that opens in Word and WPS (readers of the school)
#[utoipa::path(
    get, path = "/api/v1/schools/{id}/annual-report/{year}", tag = "school year", security(("bearer" = [])),
    params(("id" = i64, Path), ("year" = i64, Path), AttachQuery),
    responses(
        (status = 200, description = "the report as HTML, or as DOCX with `format=docx`", content_type = "text/html"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    query: Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, year) = path.into_inner();
    let year = year_of(year, &state)?;
    let lang = report_lang(query.lang.as_deref())?;
    let docx = Format::choice(query.format.as_deref(), &["html", "docx"])? == "docx";
    let view = report_view(&state, &user, id, year, lang).await?;
    if docx {
        let name = docx_name(&view);
        return Ok(attachment(docx_bytes(&view)?, DOCX_TYPE, &name));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(html(&state, &view, lang)?))
}

/// Keep the sections the officer writes for the year's report (the school's quality officer)
#[utoipa::path(
    put, path = "/api/v1/schools/{id}/annual-report/{year}", tag = "school year", security(("bearer" = [])),
    params(("id" = i64, Path), ("year" = i64, Path)), request_body = ReportSectionsInput,
    responses((status = 200, body = ReportSections), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn put_sections(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    body: Body<ReportSectionsInput>,
) -> Result<HttpResponse, AppError> {
    let (id, year) = path.into_inner();
    let year = year_of(year, &state)?;
    let input = body.into_inner();
    let saved = user
        .run(move |conn, access| {
            crate::app::annual_report::put_sections(conn, access, id, year, &input, now_utc())
        })
        .await?;
    Ok(HttpResponse::Ok().json(saved))
}

/// Attach the generated DOCX to the year's annual_quality_report submission as evidence
/// (creating the draft if there is none), ready to submit (the school's quality officer)
#[utoipa::path(
    post, path = "/api/v1/schools/{id}/annual-report/{year}/attach", tag = "school year", security(("bearer" = [])),
    params(("id" = i64, Path), ("year" = i64, Path), AttachQuery),
    responses((status = 201, body = Evidence), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn attach(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    query: Query<AttachQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, year) = path.into_inner();
    let year = year_of(year, &state)?;
    let lang = report_lang(query.lang.as_deref())?;
    let evidence = attach_report(&state, &user, id, year, lang).await?;
    Ok(HttpResponse::Created().json(evidence))
}

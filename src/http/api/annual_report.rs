//! The annual quality report: generated from the record as a print-ready HTML page or a
//! DOCX, the two sections the officer writes, and attaching the DOCX to the year's
//! `annual_quality_report` submission as evidence.

use crate::http::api::body::{Body, Query};
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::app::annual_report::ReportSectionsInput;
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::domain::lang::Lang;
use crate::error::{AppError, ErrorBody, Msg};
use crate::http::api::submissions::{Received, store_upload};
use crate::http::export::attachment;
use crate::report::{self, ReportView};
use crate::state::AppState;
use crate::store::status_data::{self, ReportSections};
use crate::store::submissions::Evidence;

pub use crate::report::docx::CONTENT_TYPE as DOCX_TYPE;

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

/// The report's language: asked for with `lang`, else Chinese.
fn lang_of(raw: Option<&str>) -> Result<Lang, AppError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(Lang::ZhCn),
        Some(tag) => Lang::from_tag(tag).ok_or_else(|| {
            AppError::field(
                "lang",
                Msg::OneOf {
                    choices: "zh-CN, en".into(),
                },
            )
        }),
    }
}

/// The report of a school's year in `lang`, as its view.
pub async fn report_view(
    state: &AppState,
    user: &CurrentUser,
    school_id: i64,
    year: i32,
    lang: Lang,
) -> Result<ReportView, AppError> {
    let (today, kept) = (state.clock.today(), state.kept.clone());
    let gathered = user
        .run(move |conn, access| {
            crate::store::annual_report::gather(conn, access, &kept.peers, school_id, year, today)
        })
        .await?;
    Ok(report::view(&gathered, lang))
}

/// The print-ready HTML of a report.
pub fn html(state: &AppState, view: &ReportView, lang: Lang) -> Result<String, AppError> {
    let mut context = tera::Context::new();
    context.insert("report", view);
    state.templates.render(lang, "report/annual.html", &context)
}

fn docx_bytes(view: &ReportView) -> Result<Vec<u8>, AppError> {
    report::docx::write(view).map_err(|e| AppError::Internal(anyhow::anyhow!("docx: {e}")))
}

fn docx_name(view: &ReportView) -> String {
    format!(
        "{}-{}-annual-quality-report.docx",
        view.school_id, view.year
    )
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
    let lang = lang_of(query.lang.as_deref())?;
    let docx = match query.format.as_deref().map(str::trim) {
        None | Some("") | Some("html") => false,
        Some("docx") => true,
        Some(_) => {
            return Err(AppError::field(
                "format",
                Msg::Format {
                    choices: "html, docx".into(),
                },
            ));
        }
    };
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
    let lang = lang_of(query.lang.as_deref())?;
    let evidence = attach_report(&state, &user, id, year, lang).await?;
    Ok(HttpResponse::Created().json(evidence))
}

/// Generates the year's DOCX and stores it as evidence of the year's report submission.
pub async fn attach_report(
    state: &AppState,
    user: &CurrentUser,
    school_id: i64,
    year: i32,
    lang: Lang,
) -> Result<Evidence, AppError> {
    let (today, kept) = (state.clock.today(), state.kept.clone());
    let (submission, gathered) = user
        .run(move |conn, access| {
            let submission = crate::app::annual_report::submission_to_attach_to(
                conn, access, school_id, year, lang,
            )?;
            let gathered = crate::store::annual_report::gather(
                conn,
                access,
                &kept.peers,
                school_id,
                year,
                today,
            )?;
            Ok((submission, gathered))
        })
        .await?;
    let view = report::view(&gathered, lang);
    let bytes = docx_bytes(&view)?;
    let received = received(state, bytes, docx_name(&view)).await?;
    let description = crate::i18n::t(lang, "report_evidence_description").to_owned();
    store_upload(state, user, submission, received, Some(description)).await
}

/// Generated bytes as a received file: staged, hashed, ready to commit like an upload.
async fn received(
    state: &AppState,
    bytes: Vec<u8>,
    filename: String,
) -> Result<Received, AppError> {
    let storage = state.evidence.clone();
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let size = bytes.len() as u64;
    let staged = web::block(move || {
        let mut staged = storage.stage()?;
        staged.write_all(&bytes)?;
        Ok::<_, std::io::Error>(staged)
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?
    .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("staging a report")))?;
    Ok(Received {
        staged,
        sha256,
        size,
        content_type: DOCX_TYPE,
        filename,
    })
}

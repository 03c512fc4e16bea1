//! The annual quality report: generated from the record as a print-ready HTML page or a
//! DOCX, the two sections the officer writes, and attaching the DOCX to the year's
//! `annual_quality_report` submission as evidence.

use crate::http::api::body::{Body, Query};
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::auth::{Access, CurrentUser};
use crate::clock::now_utc;
use crate::domain::lang::Lang;
use crate::domain::text;
use crate::domain::workflow::{SubmissionKind, SubmissionStatus};
use crate::error::{AppError, ErrorBody, Msg, Validator};
use crate::http::api::submissions::{Received, store_upload};
use crate::http::export::attachment;
use crate::report::{self, ReportView};
use crate::state::AppState;
use crate::store::status_data::{self, ReportSections};
use crate::store::submissions::{self, Evidence, NewSubmission, Subject};

pub use crate::report::docx::CONTENT_TYPE as DOCX_TYPE;

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ReportQuery {
    /// html (default) or docx
    #[param(schema_with = crate::http::api::schema::report_format)]
    pub format: Option<String>,
    /// zh-CN (default) or en
    #[param(schema_with = crate::http::api::schema::report_lang)]
    pub lang: Option<String>,
}

/// The language of the report to attach (always a DOCX).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttachQuery {
    /// zh-CN (default) or en
    #[param(schema_with = crate::http::api::schema::report_lang)]
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
            crate::store::annual_report::gather(conn, access, &kept, school_id, year, today)
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

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportSectionsInput {
    /// highlights of the year, in the school's own words (blank lines separate paragraphs)
    #[schema(schema_with = crate::http::api::schema::optional_long_text)]
    pub highlights: Option<String>,
    /// problems met and the improvement measures taken
    #[schema(schema_with = crate::http::api::schema::optional_long_text)]
    pub problems: Option<String>,
}

impl ReportSectionsInput {
    pub fn validate(&self) -> Result<ReportSections, AppError> {
        let mut v = Validator::new();
        let highlights = v.check(
            "highlights",
            text::optional(self.highlights.as_deref(), text::LONG),
        );
        let problems = v.check(
            "problems",
            text::optional(self.problems.as_deref(), text::LONG),
        );
        v.finish()?;
        Ok(ReportSections {
            highlights: highlights.flatten(),
            problems: problems.flatten(),
        })
    }
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
            crate::store::record::writable_school(conn, access, id)?;
            let sections = input.validate()?;
            status_data::put_report_sections(conn, access, id, year, &sections, now_utc())
        })
        .await?;
    Ok(HttpResponse::Ok().json(saved))
}

/// The year's `annual_quality_report` submission that takes evidence now, created as a
/// draft when the year has none in progress.
fn submission_to_attach_to(
    conn: &mut crate::db::DbConn,
    access: &Access,
    school_id: i64,
    year: i32,
    lang: Lang,
) -> Result<i64, AppError> {
    let found = submissions::of_year(
        conn,
        access,
        school_id,
        SubmissionKind::AnnualQualityReport,
        year,
    )?;
    match found {
        Some((id, SubmissionStatus::Draft | SubmissionStatus::ChangesRequested)) => Ok(id),
        Some((_, status)) if status.is_open() => Err(AppError::conflict_of(Msg::EvidenceLocked {
            status: status.to_string(),
        })),
        _ => {
            let title = crate::i18n::t(lang, "report_submission_title")
                .replace("{year}", &year.to_string());
            let created = submissions::create(
                conn,
                access,
                school_id,
                &NewSubmission {
                    kind: SubmissionKind::AnnualQualityReport,
                    title,
                    summary: None,
                    subject: Subject {
                        year: Some(year),
                        ..Subject::default()
                    },
                },
                now_utc(),
            )?;
            Ok(created.submission.id)
        }
    }
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
            let submission = crate::db::write_transaction(conn, |conn| {
                let school = crate::store::schools::get(conn, access, school_id)?;
                Access::require(submissions::prepares_for(access, school.id))?;
                submission_to_attach_to(conn, access, school_id, year, lang)
            })?;
            let gathered =
                crate::store::annual_report::gather(conn, access, &kept, school_id, year, today)?;
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

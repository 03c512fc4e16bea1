//! The evaluation of a submission against its standard: read, the standard chosen, and the
//! school's self-assessment item by item.

use actix_web::{HttpResponse, web};

use crate::app::{
    self,
    evaluations::{ChooseStandardInput, SelfAssessmentInput},
};
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::error::{AppError, ErrorBody};
use crate::http::api::body::{Body, Query};
use crate::http::documents::{DOCX_TYPE, report_lang, self_evaluation_report};
use crate::http::export::{Format, XLSX_TYPE, attachment};
use crate::state::AppState;
use crate::store::evaluations::Evaluation;

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct EvaluationQuery {
    /// json (default), xlsx (the score sheet) or docx (the self-evaluation report)
    #[param(schema_with = crate::app::schema::evaluation_format)]
    pub format: Option<String>,
    /// the report's language: zh-CN (default) or en
    #[param(schema_with = crate::app::schema::report_lang)]
    pub lang: Option<String>,
}

/// The evaluation of a title application or re-evaluation: the standard, each item with
/// the school's self-assessment, subtotals and totals; with `format=xlsx` the score sheet,
/// with `format=docx` the self-evaluation report (readers of the submission)
#[utoipa::path(
    get, path = "/api/v1/submissions/{id}/evaluation", tag = "evaluations", security(("bearer" = [])),
    params(("id" = i64, Path), EvaluationQuery),
    responses((status = 200, body = Evaluation, description = "or the score sheet with `format=xlsx`, the report with `format=docx`"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn get(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    query: Query<EvaluationQuery>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let lang = report_lang(query.lang.as_deref())?;
    match Format::choice(query.format.as_deref(), &["json", "xlsx", "docx"])? {
        "xlsx" => {
            let (bytes, name) = user
                .run(move |conn, access| app::evaluations::score_sheet(conn, access, id))
                .await?;
            Ok(attachment(bytes, XLSX_TYPE, &name))
        }
        "docx" => {
            let (bytes, name) = self_evaluation_report(&state, &user, id, lang).await?;
            Ok(attachment(bytes, DOCX_TYPE, &name))
        }
        _ => Ok(HttpResponse::Ok().json(
            user.run(move |conn, access| app::evaluations::get(conn, access, id))
                .await?,
        )),
    }
}

/// Score the draft against another standard of its title (the school's quality officer)
#[utoipa::path(
    post, path = "/api/v1/submissions/{id}/evaluation", tag = "evaluations", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ChooseStandardInput,
    responses((status = 200, body = Evaluation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn choose_standard(
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<ChooseStandardInput>,
) -> Result<HttpResponse, AppError> {
    let (id, input) = (id.into_inner(), body.into_inner());
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| {
            app::evaluations::choose_standard(conn, access, id, &input, now_utc())
        })
        .await?,
    ))
}

/// Self-assess one item: a score (steps of 0.5, up to its points) or, for a veto item, met
/// or not; a note; the evidence of this submission that supports it (the school's quality
/// officer, while a draft or sent back for changes)
#[utoipa::path(
    put, path = "/api/v1/submissions/{id}/evaluation/criteria/{ref}", tag = "evaluations", security(("bearer" = [])),
    params(("id" = i64, Path), ("ref" = String, Path, description = "the item's number, e.g. 2.3")),
    request_body = SelfAssessmentInput,
    responses((status = 200, body = Evaluation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn self_assess(
    user: CurrentUser,
    path: web::Path<(i64, String)>,
    body: Body<SelfAssessmentInput>,
) -> Result<HttpResponse, AppError> {
    let ((id, reference), input) = (path.into_inner(), body.into_inner());
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| {
            app::evaluations::self_assess(conn, access, id, &reference, &input, now_utc())
        })
        .await?,
    ))
}

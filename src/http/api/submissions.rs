//! Submissions, their evidence files and the two-level sign-off.

use crate::http::api::body::{Body, OptionalBody, Query};

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::app::{self, submissions::SubmissionInput};
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::domain::workflow::{Action, ReviewDecision, SignOffDecision, SubmissionStatus};
use crate::error::{AppError, ErrorBody};
use crate::http::api::paging::Paged;
use crate::http::files::{receive, refuse_declared_oversize, serve_file, store_upload};
use crate::state::AppState;
use crate::store::submissions::{self, Event, Evidence, Submission, SubmissionDetail};

/// Prepare a submission (the school's quality officer); it starts as a draft
#[utoipa::path(
    post, path = "/api/v1/schools/{id}/submissions", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = SubmissionInput,
    responses((status = 201, body = SubmissionDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<SubmissionInput>,
) -> Result<HttpResponse, AppError> {
    let (school_id, this_year) = (id.into_inner(), state.clock.today().year());
    let input = body.into_inner();
    let created = user
        .run(move |conn, access| {
            let new = || input.read()?.validate(this_year);
            app::submissions::create(conn, access, school_id, new, now_utc())
        })
        .await?;
    Ok(HttpResponse::Created().json(created))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct StatusFilter {
    /// draft, submitted (a reviewer's queue), recommended (the sign-off queue), …
    #[param(schema_with = crate::app::schema::submission_status_filter)]
    pub status: Option<String>,
    /// only this school's
    pub school_id: Option<i64>,
}

/// The submissions the caller may see, newest first
#[utoipa::path(
    get, path = "/api/v1/submissions", tag = "submissions", security(("bearer" = [])),
    params(StatusFilter),
    responses((status = 200, body = [Submission]), (status = 422, body = ErrorBody))
)]
pub async fn list(
    user: CurrentUser,
    filter: Query<StatusFilter>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let status = match filter.status.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(SubmissionStatus::parse(raw).map_err(|e| AppError::field("status", e))?),
    };
    let filter = submissions::SubmissionFilter {
        status,
        school_id: filter.school_id,
    };
    let paging = page.paging.clone();
    let found = user
        .run(move |conn, access| submissions::page(conn, access, filter, &paging))
        .await?;
    Ok(page.respond(found))
}

/// One submission with its evidence (all rounds)
#[utoipa::path(
    get, path = "/api/v1/submissions/{id}", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = SubmissionDetail), (status = 404, body = ErrorBody))
)]
pub async fn get(user: CurrentUser, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| submissions::get(conn, access, id))
            .await?,
    ))
}

/// The steps of a submission, oldest first
#[utoipa::path(
    get, path = "/api/v1/submissions/{id}/events", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = [Event]), (status = 404, body = ErrorBody))
)]
pub async fn events(
    user: CurrentUser,
    id: web::Path<i64>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    page.slice(
        user.run(move |conn, access| submissions::events(conn, access, id))
            .await?,
    )
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// the version last read
    pub version: Option<i64>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// review: recommend, request_changes, reject; sign-off: approve, request_changes, reject
    #[schema(value_type = crate::domain::workflow::ReviewDecision)]
    pub decision: String,
    pub comment: String,
    pub version: Option<i64>,
}

/// The multipart body of an evidence upload, as the document describes it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct EvidenceUpload {
    /// the file: PDF, PNG, JPEG, Office documents, plain text or CSV (judged by its bytes)
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// what the file shows (blank counts as absent)
    #[schema(schema_with = crate::app::schema::optional_long_part)]
    description: Option<String>,
}

/// The body of a sign-off, as the document describes it: a `DecisionInput` whose decision
/// is one of the sign-off's words (the handler reads it as a `DecisionInput`).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct SignOffInput {
    #[schema(value_type = crate::domain::workflow::SignOffDecision)]
    decision: String,
    comment: String,
    version: Option<i64>,
}

/// Takes a step and answers the submission.
async fn take_step(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    kind: Action,
    said: Result<(Action, Option<String>, Option<i64>), AppError>,
) -> Result<SubmissionDetail, AppError> {
    let today = state.clock.today();
    user.run(move |conn, access| {
        app::submissions::decide(conn, access, id, kind, said, today, now_utc())
    })
    .await
}

/// Submit (or resubmit) for review (the school's quality officer); 409 without evidence
#[utoipa::path(
    post, path = "/api/v1/submissions/{id}/submit", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body(content = StepInput, description = "optional"),
    responses((status = 200, body = SubmissionDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn submit(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: OptionalBody<StepInput>,
) -> Result<HttpResponse, AppError> {
    school_step(&state, &user, id.into_inner(), Action::Submit, body).await
}

/// Withdraw a draft or a submission sent back for changes (the school's quality officer)
#[utoipa::path(
    post, path = "/api/v1/submissions/{id}/withdraw", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body(content = StepInput, description = "optional"),
    responses((status = 200, body = SubmissionDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn withdraw(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: OptionalBody<StepInput>,
) -> Result<HttpResponse, AppError> {
    school_step(&state, &user, id.into_inner(), Action::Withdraw, body).await
}

/// A step of the school's own (submit, withdraw): no comment, an optional version.
async fn school_step(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    action: Action,
    body: OptionalBody<StepInput>,
) -> Result<HttpResponse, AppError> {
    let said = body
        .into_inner()
        .into_result()
        .map(|b| (action, None, b.and_then(|b| b.version)));
    Ok(HttpResponse::Ok().json(take_step(state, user, id, action, said).await?))
}

/// Review a submitted submission (a reviewer or province admin of its province)
#[utoipa::path(
    post, path = "/api/v1/submissions/{id}/review", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = DecisionInput,
    responses((status = 200, body = SubmissionDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn review(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<DecisionInput>,
) -> Result<HttpResponse, AppError> {
    let said = body.into_inner().into_result().and_then(|b| {
        let decision =
            ReviewDecision::parse(&b.decision).map_err(|e| AppError::field("decision", e))?;
        Ok((Action::Review(decision), Some(b.comment), b.version))
    });
    let kind = Action::Review(ReviewDecision::Recommend);
    let detail = take_step(&state, &user, id.into_inner(), kind, said).await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// Sign off a recommended submission (a province admin of its province who did not recommend it)
#[utoipa::path(
    post, path = "/api/v1/submissions/{id}/sign-off", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = SignOffInput,
    responses((status = 200, body = SubmissionDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn sign_off(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<DecisionInput>,
) -> Result<HttpResponse, AppError> {
    let said = body.into_inner().into_result().and_then(|b| {
        let decision =
            SignOffDecision::parse(&b.decision).map_err(|e| AppError::field("decision", e))?;
        Ok((Action::SignOff(decision), Some(b.comment), b.version))
    });
    let kind = Action::SignOff(SignOffDecision::Approve);
    let detail = take_step(&state, &user, id.into_inner(), kind, said).await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// Upload an evidence file (multipart field `file`, optional `description`) while the
/// submission is a draft or has changes requested (the school's quality officer)
#[utoipa::path(
    post, path = "/api/v1/submissions/{id}/evidence", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = EvidenceUpload, description = "field `file`, optional `description`"),
    responses((status = 201, body = Evidence), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody))
)]
pub async fn upload(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    req: HttpRequest,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    // Who may upload, and whether the submission takes evidence now, before reading a byte.
    user.run(move |conn, access| submissions::check_evidence_allowed(conn, access, id))
        .await?;
    refuse_declared_oversize(&state, &req)?;
    let (received, fields) = receive(&state, payload).await?;
    let stored = store_upload(&state, &user, id, received, fields.description).await?;
    Ok(HttpResponse::Created().json(stored))
}

/// An evidence file's bytes, with its content type
#[utoipa::path(
    get, path = "/api/v1/evidence/{id}/content", tag = "submissions", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "the file"), (status = 404, body = ErrorBody))
)]
pub async fn content(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let found = user
        .run(move |conn, access| submissions::evidence(conn, access, id))
        .await?;
    serve_file(&state, &found).await
}

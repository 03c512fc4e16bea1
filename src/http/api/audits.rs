//! Audits of a school and their findings with corrective actions.

use crate::http::api::body::Body;
use actix_web::{HttpResponse, web};

use crate::app::records::{self, AuditInput, AuditPatchInput, FindingInput, FindingPatchInput};
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::error::{AppError, ErrorBody};
use crate::http::api::paging::{Listing, Paged};
use crate::state::AppState;
use crate::store::audits::{self, Audit, AuditSummary};
use crate::store::findings::{self, Finding};

/// Record an audit (the school's quality officer)
#[utoipa::path(
    post, path = "/api/v1/schools/{id}/audits", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AuditInput,
    responses((status = 201, body = Audit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create(
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<AuditInput>,
) -> Result<HttpResponse, AppError> {
    let school_id = id.into_inner();
    let input = body.into_inner();
    let audit = user
        .run(move |conn, access| records::create_audit(conn, access, school_id, &input, now_utc()))
        .await?;
    Ok(HttpResponse::Created().json(audit))
}

/// A school's audits, newest first
#[utoipa::path(
    get, path = "/api/v1/schools/{id}/audits", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = [AuditSummary]), (status = 404, body = ErrorBody))
)]
pub async fn list(
    user: CurrentUser,
    id: web::Path<i64>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let (school_id, paging) = (id.into_inner(), page.paging.clone());
    let offset = paging.offset().map_err(|e| AppError::field("cursor", e))?;
    let found = user
        .run(move |conn, access| {
            let (rows, total) = audits::list(conn, access, school_id, paging.limit, offset)?;
            Listing::by_offset(rows, total, &paging).map_err(|e| AppError::field("cursor", e))
        })
        .await?;
    Ok(page.respond(found))
}

/// One audit
#[utoipa::path(
    get, path = "/api/v1/audits/{id}", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Audit), (status = 404, body = ErrorBody))
)]
pub async fn get(user: CurrentUser, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| audits::get(conn, access, id))
            .await?,
    ))
}

/// Change an audit (the school's quality officer)
#[utoipa::path(
    patch, path = "/api/v1/audits/{id}", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AuditPatchInput,
    responses((status = 200, body = Audit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn patch(
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<AuditPatchInput>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let input = body.into_inner();
    let audit = user
        .run(move |conn, access| {
            // An unreadable body has no version: it is answered by `merged`, after the checks.
            let version = input.read().ok().and_then(|i| i.version);
            let merged = move |current: &Audit| input.into_result()?.merged(current);
            records::update_audit(conn, access, id, version, merged, now_utc())
        })
        .await?;
    Ok(HttpResponse::Ok().json(audit))
}

/// Record a finding of an audit (the school's quality officer); it starts `open`
#[utoipa::path(
    post, path = "/api/v1/audits/{id}/findings", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = FindingInput,
    responses((status = 201, body = Finding), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create_finding(
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<FindingInput>,
) -> Result<HttpResponse, AppError> {
    let audit_id = id.into_inner();
    let input = body.into_inner();
    let finding = user
        .run(move |conn, access| records::create_finding(conn, access, audit_id, &input, now_utc()))
        .await?;
    Ok(HttpResponse::Created().json(finding))
}

/// The findings of an audit
#[utoipa::path(
    get, path = "/api/v1/audits/{id}/findings", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = [Finding]), (status = 404, body = ErrorBody))
)]
pub async fn list_findings(
    user: CurrentUser,
    id: web::Path<i64>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    page.slice(
        user.run(move |conn, access| findings::list_for_audit(conn, access, id))
            .await?,
    )
}

/// One finding with its corrective action
#[utoipa::path(
    get, path = "/api/v1/findings/{id}", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Finding), (status = 404, body = ErrorBody))
)]
pub async fn get_finding(user: CurrentUser, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| findings::get(conn, access, id))
            .await?,
    ))
}

// The one place that reads the deprecated flat fields, until they are removed.
/// Change a finding: its corrective action, verification and status (the school's quality
/// officer). Status changes follow the finding's life: open → action_planned → closed →
/// verified; reopening needs `reopen_reason`.
#[utoipa::path(
    patch, path = "/api/v1/findings/{id}", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = FindingPatchInput,
    responses((status = 200, body = Finding), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn patch_finding(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<FindingPatchInput>,
) -> Result<HttpResponse, AppError> {
    let (id, today) = (id.into_inner(), state.clock.today());
    let input = body.into_inner();
    let finding = user
        .run(move |conn, access| {
            records::update_finding(conn, access, id, &input, today, now_utc())
        })
        .await?;
    Ok(HttpResponse::Ok().json(finding))
}

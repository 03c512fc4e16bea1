//! The expert panel of an evaluation: forming it, each member's scores and seal, the lead's
//! consensus; and the conflicts of interest experts and reviewers declare.

use actix_web::{HttpResponse, web};

use crate::app::{
    self,
    panels::{ConflictInput, ConsensusInput, PanelInput, ScoreInput, SiteVisitInput},
};
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::error::{AppError, ErrorBody};
use crate::http::api::body::Body;
use crate::http::api::paging::Paged;
use crate::state::AppState;
use crate::store::evaluations::Evaluation;
use crate::store::panels::{DeclaredConflict, Panel};

/// The panel of a submission: its lead and members, and who has sealed (the province's
/// reviewers and admins, and the panel's members)
#[utoipa::path(
    get, path = "/api/v1/submissions/{id}/panel", tag = "evaluations", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Panel), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get(user: CurrentUser, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| app::panels::get(conn, access, id))
            .await?,
    ))
}

/// Form the panel of a submitted application: a lead and members, experts or reviewers of
/// the school's province without a conflict of interest (the province admin)
#[utoipa::path(
    put, path = "/api/v1/submissions/{id}/panel", tag = "evaluations", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = PanelInput,
    responses((status = 200, body = Panel), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody, description = "a member who may not sit; `conflict_of_interest` names each conflicted member and why"))
)]
pub async fn form(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<PanelInput>,
) -> Result<HttpResponse, AppError> {
    let (id, input, today) = (id.into_inner(), body.into_inner(), state.clock.today());
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| app::panels::form(conn, access, id, &input, today, now_utc()))
            .await?,
    ))
}

/// Score one item: a score (steps of 0.5, up to its points) or met / not met for a veto
/// item, and the reason for any deduction (a member of the panel, until they seal)
#[utoipa::path(
    put, path = "/api/v1/submissions/{id}/evaluation/criteria/{ref}/score", tag = "evaluations", security(("bearer" = [])),
    params(("id" = i64, Path), ("ref" = String, Path, description = "the item's number")),
    request_body = ScoreInput,
    responses((status = 200, body = Evaluation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn score(
    user: CurrentUser,
    path: web::Path<(i64, String)>,
    body: Body<ScoreInput>,
) -> Result<HttpResponse, AppError> {
    let ((id, reference), input) = (path.into_inner(), body.into_inner());
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| {
            app::panels::score(conn, access, id, &reference, &input, now_utc())
        })
        .await?,
    ))
}

/// Seal one's scores: final, and others' sealed scores become visible (a member of the
/// panel, once every item is scored)
#[utoipa::path(
    post, path = "/api/v1/submissions/{id}/evaluation/seal", tag = "evaluations", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Evaluation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody))
)]
pub async fn seal(user: CurrentUser, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| app::panels::seal(conn, access, id, now_utc()))
            .await?,
    ))
}

/// Set the consensus (合议分) of one item: a score other than the median of the sealed
/// scores needs a note (the panel's lead, once every member has sealed)
#[utoipa::path(
    put, path = "/api/v1/submissions/{id}/evaluation/criteria/{ref}/consensus", tag = "evaluations", security(("bearer" = [])),
    params(("id" = i64, Path), ("ref" = String, Path, description = "the item's number")),
    request_body = ConsensusInput,
    responses((status = 200, body = Evaluation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn consensus(
    user: CurrentUser,
    path: web::Path<(i64, String)>,
    body: Body<ConsensusInput>,
) -> Result<HttpResponse, AppError> {
    let ((id, reference), input) = (path.into_inner(), body.into_inner());
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| {
            app::panels::consensus(conn, access, id, &reference, &input, now_utc())
        })
        .await?,
    ))
}

/// Schedule the site visit (现场评估): an audit of kind `provincial_inspection` of the
/// school, linked to the submission; the panel's members record its findings (the province
/// admin)
#[utoipa::path(
    post, path = "/api/v1/submissions/{id}/site-visit", tag = "evaluations", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = SiteVisitInput,
    responses((status = 201, body = crate::store::audits::Audit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn site_visit(
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<SiteVisitInput>,
) -> Result<HttpResponse, AppError> {
    let (id, input) = (id.into_inner(), body.into_inner());
    Ok(HttpResponse::Created().json(
        user.run(move |conn, access| app::panels::site_visit(conn, access, id, &input, now_utc()))
            .await?,
    ))
}

/// One's own declared conflicts of interest (experts and reviewers)
#[utoipa::path(
    get, path = "/api/v1/me/conflicts", tag = "evaluations", security(("bearer" = [])),
    responses((status = 200, body = [DeclaredConflict]), (status = 403, body = ErrorBody))
)]
pub async fn my_conflicts(user: CurrentUser, page: Paged) -> Result<HttpResponse, AppError> {
    page.slice(user.run(app::panels::my_conflicts).await?)
}

/// Declare a conflict of interest with a school: one is then never put on its panels
/// (experts and reviewers)
#[utoipa::path(
    post, path = "/api/v1/me/conflicts", tag = "evaluations", security(("bearer" = [])),
    request_body = ConflictInput,
    responses((status = 201, body = DeclaredConflict), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn declare(
    user: CurrentUser,
    body: Body<ConflictInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    Ok(HttpResponse::Created().json(
        user.run(move |conn, access| app::panels::declare(conn, access, &input, now_utc()))
            .await?,
    ))
}

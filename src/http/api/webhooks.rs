//! A province's group robots (DingTalk, WeCom): added, listed, removed and tried by its
//! province admin.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::app::robots::{self, WebhookInput};
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::http::api::body::Body;
use crate::http::api::paging::Paged;
use crate::state::AppState;
use crate::store::webhooks::{self, Webhook};

/// Add a group robot to the province (its province admin); the secret is never shown again
#[utoipa::path(
    post, path = "/api/v1/provinces/{id}/webhooks", tag = "robots", security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = WebhookInput,
    responses((status = 201, body = Webhook), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<WebhookInput>,
) -> Result<HttpResponse, AppError> {
    let (province, input) = (id.into_inner(), body.into_inner());
    let hosts = state.settings.webhook_hosts.clone();
    let created = user
        .run(move |conn, access| robots::add(conn, access, province, &hosts, &input))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// The province's group robots (its province admin)
#[utoipa::path(
    get, path = "/api/v1/provinces/{id}/webhooks", tag = "robots", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = [Webhook]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list(
    user: CurrentUser,
    id: web::Path<i64>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let province = id.into_inner();
    page.slice(
        user.run(move |conn, access| webhooks::list(conn, access, province))
            .await?,
    )
}

/// Remove a group robot, with what it had still to be told
#[utoipa::path(
    delete, path = "/api/v1/webhooks/{id}", tag = "robots", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn delete(user: CurrentUser, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    user.run(move |conn, access| webhooks::delete(conn, access, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TestOutcome {
    /// the robot accepted the message
    pub delivered: bool,
    /// why not
    pub error: Option<String>,
}

/// Send a test message to a group robot now
#[utoipa::path(
    post, path = "/api/v1/webhooks/{id}/test", tag = "robots", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = TestOutcome), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn test(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let robot = user
        .run(move |conn, access| webhooks::managed(conn, access, id))
        .await?;
    let outcome = crate::robots::test_message(&state.robots, &robot).await;
    Ok(HttpResponse::Ok().json(TestOutcome {
        delivered: outcome.is_ok(),
        error: outcome.err(),
    }))
}

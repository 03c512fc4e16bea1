//! The public notice (公示) of evaluation results and the objections to it: published and
//! read by the province; read and objected to by anyone, without signing in.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::{
    self,
    notices::{NoticeInput, ObjectionInput, ResolveInput},
};
use crate::auth::CurrentUser;
use crate::auth::session::client_addr;
use crate::clock::now_utc;
use crate::error::{AppError, ErrorBody};
use crate::http::api::body::Body;
use crate::http::api::paging::Paged;
use crate::state::AppState;
use crate::store::notices::{Objection, PublicNotice, Received};

/// Publish recommended results for objections (公示), at least five days (the province admin)
#[utoipa::path(
    post, path = "/api/v1/provinces/{id}/notices", tag = "notices", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = NoticeInput,
    responses((status = 201, body = PublicNotice), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn publish(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<NoticeInput>,
) -> Result<HttpResponse, AppError> {
    let (province, input, today) = (id.into_inner(), body.into_inner(), state.clock.today());
    Ok(HttpResponse::Created().json(
        user.run(move |conn, access| {
            app::notices::publish(conn, access, province, &input, today, now_utc())
        })
        .await?,
    ))
}

/// The province's notices, newest first (anyone of the province)
#[utoipa::path(
    get, path = "/api/v1/provinces/{id}/notices", tag = "notices", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = [PublicNotice]), (status = 404, body = ErrorBody))
)]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let (province, today) = (id.into_inner(), state.clock.today());
    page.slice(
        user.run(move |conn, access| app::notices::list(conn, access, province, today))
            .await?,
    )
}

/// A notice as published: the schools, titles, consensus totals and outcomes (anyone, no
/// sign-in)
#[utoipa::path(
    get, path = "/api/v1/notices/{id}", tag = "notices",
    params(("id" = i64, Path)),
    responses((status = 200, body = PublicNotice), (status = 404, body = ErrorBody))
)]
pub async fn public(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (id, today) = (id.into_inner(), state.clock.today());
    Ok(HttpResponse::Ok().json(
        state
            .db
            .run(move |conn| app::notices::public(conn, id, today))
            .await?,
    ))
}

/// Object to one result while the notice is open; the name and contact reach only the
/// province (anyone, no sign-in; a few an hour from one address)
#[utoipa::path(
    post, path = "/api/v1/notices/{id}/objections", tag = "notices",
    params(("id" = i64, Path)), request_body = ObjectionInput,
    responses((status = 201, body = Received), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody))
)]
pub async fn object(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<i64>,
    body: Body<ObjectionInput>,
) -> Result<HttpResponse, AppError> {
    let (id, input, today) = (id.into_inner(), body.into_inner(), state.clock.today());
    let address = client_addr(&request);
    Ok(HttpResponse::Created().json(
        state
            .db
            .run(move |conn| app::notices::object(conn, id, &input, &address, today, now_utc()))
            .await?,
    ))
}

/// Every objection to the province's notices, with its notice and state (the province's
/// reviewers and admin)
#[utoipa::path(
    get, path = "/api/v1/provinces/{id}/objections", tag = "notices", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = [Objection]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn objections(
    user: CurrentUser,
    id: web::Path<i64>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let province = id.into_inner();
    page.slice(
        user.run(move |conn, access| app::notices::objections(conn, access, province))
            .await?,
    )
}

/// Resolve an objection: upheld or not, with the reasoning (the province admin)
#[utoipa::path(
    post, path = "/api/v1/objections/{id}/resolve", tag = "notices", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ResolveInput,
    responses((status = 200, body = Objection), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn resolve(
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<ResolveInput>,
) -> Result<HttpResponse, AppError> {
    let (id, input) = (id.into_inner(), body.into_inner());
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| app::notices::resolve(conn, access, id, &input, now_utc()))
            .await?,
    ))
}

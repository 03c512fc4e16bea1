//! Provinces: listed for everyone signed in, created by admins.

use crate::http::api::body::Body;
use actix_web::{HttpResponse, web};

use crate::app::accounts::ProvinceInput;
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorBody};
use crate::http::api::paging::Paged;
use crate::store::provinces::{self, Province};

/// Create a province (admin)
#[utoipa::path(
    post, path = "/api/v1/provinces", tag = "provinces", security(("bearer" = [])),
    request_body = ProvinceInput,
    responses((status = 201, body = Province), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create(
    user: CurrentUser,
    body: Body<ProvinceInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let province = user
        .run(move |conn, access| crate::app::accounts::create_province(conn, access, &input))
        .await?;
    Ok(HttpResponse::Created().json(province))
}

/// All provinces
#[utoipa::path(
    get, path = "/api/v1/provinces", tag = "provinces", security(("bearer" = [])),
    responses((status = 200, body = [Province]), (status = 401, body = ErrorBody))
)]
pub async fn list(user: CurrentUser, page: Paged) -> Result<HttpResponse, AppError> {
    let all = user.run(|conn, _| provinces::list(conn)).await?;
    page.slice(all)
}

/// One province
#[utoipa::path(
    get, path = "/api/v1/provinces/{id}", tag = "provinces", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Province), (status = 404, body = ErrorBody))
)]
pub async fn get(user: CurrentUser, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let province = user.run(move |conn, _| provinces::get(conn, id)).await?;
    Ok(HttpResponse::Ok().json(province))
}

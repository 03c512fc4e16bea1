//! Provinces: listed for everyone signed in, created by admins.

use crate::http::api::body::Body;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::{Access, CurrentUser};
use crate::error::{AppError, ErrorBody, Validator};
use crate::http::api::paging::Paged;
use crate::store::provinces::{self, NewProvince, Province};
use crate::store::schools::parse_text;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvinceInput {
    /// short code, e.g. `FJ`
    #[schema(schema_with = crate::http::api::schema::province_code)]
    pub code: String,
    #[schema(schema_with = crate::http::api::schema::short_name)]
    pub name: String,
    #[schema(schema_with = crate::http::api::schema::name_or_null)]
    pub name_zh: Option<String>,
}

impl ProvinceInput {
    pub fn validate(&self) -> Result<NewProvince, AppError> {
        let mut v = Validator::new();
        let code = v.check("code", provinces::parse_code(&self.code));
        let name = v.check("name", parse_text(&self.name));
        let name_zh = v.check_opt("name_zh", self.name_zh.as_deref(), parse_text);
        v.finish()?;
        match (code, name, name_zh) {
            (Some(code), Some(name), Some(name_zh)) => Ok(NewProvince {
                code,
                name,
                name_zh,
            }),
            _ => Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            ))),
        }
    }
}

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
    let province = user
        .run(move |conn, access| {
            // Who may, before what was sent.
            Access::require(access.is_admin())?;
            provinces::create(conn, access, &body.validate()?)
        })
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

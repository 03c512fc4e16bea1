//! Provinces: listed for everyone signed in, created by admins.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::{Access, CurrentUser};
use crate::error::{AppError, ErrorBody, Validator};
use crate::state::AppState;
use crate::store::provinces::{self, NewProvince, Province};
use crate::store::schools::parse_text;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvinceInput {
    /// short code, e.g. `FJ`
    pub code: String,
    pub name: String,
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
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Json<ProvinceInput>,
) -> Result<HttpResponse, AppError> {
    let access = user.access();
    Access::require(access.is_admin())?;
    let new = body.validate()?;
    let province = state
        .db
        .run(move |conn| provinces::create(conn, &access, &new))
        .await?;
    Ok(HttpResponse::Created().json(province))
}

/// All provinces
#[utoipa::path(
    get, path = "/api/v1/provinces", tag = "provinces", security(("bearer" = [])),
    responses((status = 200, body = [Province]), (status = 401, body = ErrorBody))
)]
pub async fn list(
    state: web::Data<AppState>,
    _user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let all = state.db.run(provinces::list).await?;
    Ok(HttpResponse::Ok().json(all))
}

/// One province
#[utoipa::path(
    get, path = "/api/v1/provinces/{id}", tag = "provinces", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Province), (status = 404, body = ErrorBody))
)]
pub async fn get(
    state: web::Data<AppState>,
    _user: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let province = state.db.run(move |conn| provinces::get(conn, id)).await?;
    Ok(HttpResponse::Ok().json(province))
}

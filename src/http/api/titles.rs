//! The title catalogue and the titles a school holds.

use crate::http::api::body::Body;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::app::records::{self, HoldingInput, HoldingPatchInput};
use crate::auth::{Access, CurrentUser};
use crate::clock::now_utc;
use crate::domain::quality::TitleLevel;
use crate::domain::text;
use crate::error::{AppError, ErrorBody, Msg, Validator};
use crate::http::api::paging::Paged;
use crate::state::AppState;
use crate::store::titles::{self, NewTitleType, TitleHolding, TitleType};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TitleTypeInput {
    /// e.g. `national_key_technical_school`
    #[schema(schema_with = crate::app::schema::catalogue_code)]
    pub code: String,
    #[schema(schema_with = crate::app::schema::short_text)]
    pub name: String,
    #[schema(schema_with = crate::app::schema::optional_short_text)]
    pub name_zh: Option<String>,
    /// national, provincial, municipal
    #[schema(value_type = crate::domain::quality::TitleLevel)]
    pub level: String,
    #[schema(schema_with = crate::app::schema::short_text)]
    pub awarding_body: String,
    /// months between re-evaluations; absent for a permanent title
    #[schema(nullable, minimum = 1, maximum = 240)]
    pub reevaluation_interval_months: Option<i64>,
}

/// Add a title to the catalogue (admin)
#[utoipa::path(
    post, path = "/api/v1/title-types", tag = "titles", security(("bearer" = [])),
    request_body = TitleTypeInput,
    responses((status = 201, body = TitleType), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create_type(
    user: CurrentUser,
    body: Body<TitleTypeInput>,
) -> Result<HttpResponse, AppError> {
    let created = user
        .run(move |conn, access| {
            // Who may, before what was sent.
            Access::require(access.is_admin())?;
            titles::create_type(conn, access, &body.validate()?)
        })
        .await?;
    Ok(HttpResponse::Created().json(created))
}

impl TitleTypeInput {
    pub fn validate(&self) -> Result<NewTitleType, AppError> {
        let body = self;
        let mut v = Validator::new();
        let code = v.check("code", titles::parse_code(&body.code));
        let name = v.check("name", text::required(&body.name, text::SHORT));
        let name_zh = v.check(
            "name_zh",
            text::optional(body.name_zh.as_deref(), text::SHORT),
        );
        let level = v.check("level", TitleLevel::parse(&body.level));
        let awarding_body = v.check(
            "awarding_body",
            text::required(&body.awarding_body, text::SHORT),
        );
        let interval = v.check_opt(
            "reevaluation_interval_months",
            body.reevaluation_interval_months,
            |m| {
                i32::try_from(m)
                    .ok()
                    .filter(|m| (1..=240).contains(m))
                    .ok_or(Msg::IntervalMonths)
            },
        );
        v.finish()?;
        let (
            Some(code),
            Some(name),
            Some(name_zh),
            Some(level),
            Some(awarding_body),
            Some(interval),
        ) = (code, name, name_zh, level, awarding_body, interval)
        else {
            return Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            )));
        };
        Ok(NewTitleType {
            code,
            name,
            name_zh,
            level,
            awarding_body,
            reevaluation_interval_months: interval,
        })
    }
}

/// The title catalogue
#[utoipa::path(
    get, path = "/api/v1/title-types", tag = "titles", security(("bearer" = [])),
    responses((status = 200, body = [TitleType]), (status = 401, body = ErrorBody))
)]
pub async fn list_types(user: CurrentUser, page: Paged) -> Result<HttpResponse, AppError> {
    page.slice(user.run(|conn, _| titles::list_types(conn)).await?)
}

/// Register a title a school holds (its province admin; admin)
#[utoipa::path(
    post, path = "/api/v1/schools/{id}/titles", tag = "titles", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = HoldingInput,
    responses((status = 201, body = TitleHolding), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create_holding(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<HoldingInput>,
) -> Result<HttpResponse, AppError> {
    let (school_id, today) = (id.into_inner(), state.clock.today());
    let input = body.into_inner();
    let created = user
        .run(move |conn, access| {
            records::register_title(conn, access, school_id, &input, today, now_utc())
        })
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// The titles a school holds, with their next re-evaluation
#[utoipa::path(
    get, path = "/api/v1/schools/{id}/titles", tag = "titles", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = [TitleHolding]), (status = 404, body = ErrorBody))
)]
pub async fn list_holdings(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let (school_id, today) = (id.into_inner(), state.clock.today());
    let found = user
        .run(move |conn, access| titles::list_holdings(conn, access, school_id, today))
        .await?;
    page.slice(found)
}

/// Change a held title: suspend, revoke or reactivate it, or record a re-evaluation (the
/// province admin of the school's province; admin)
#[utoipa::path(
    patch, path = "/api/v1/titles/{id}", tag = "titles", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = HoldingPatchInput,
    responses((status = 200, body = TitleHolding), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn patch_holding(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<HoldingPatchInput>,
) -> Result<HttpResponse, AppError> {
    let (id, today) = (id.into_inner(), state.clock.today());
    let input = body.into_inner();
    let updated = user
        .run(move |conn, access| records::update_title(conn, access, id, &input, today, now_utc()))
        .await?;
    Ok(HttpResponse::Ok().json(updated))
}

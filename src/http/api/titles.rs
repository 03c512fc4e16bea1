//! The title catalogue and the titles a school holds.

use crate::http::api::body::Body;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::{Access, CurrentUser};
use crate::clock::now_utc;
use crate::domain::dates::parse_date;
use crate::domain::quality::TitleLevel;
use crate::domain::text;
use crate::error::{AppError, ErrorBody, Msg, Validator};
use crate::http::api::paging::Paged;
use crate::state::AppState;
use crate::store::titles::{self, NewHolding, NewTitleType, TitleHolding, TitleType};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TitleTypeInput {
    /// e.g. `national_key_technical_school`
    #[schema(schema_with = crate::http::api::schema::catalogue_code)]
    pub code: String,
    #[schema(schema_with = crate::http::api::schema::short_text)]
    pub name: String,
    #[schema(schema_with = crate::http::api::schema::optional_short_text)]
    pub name_zh: Option<String>,
    /// national, provincial, municipal
    #[schema(value_type = crate::domain::quality::TitleLevel)]
    pub level: String,
    #[schema(schema_with = crate::http::api::schema::short_text)]
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

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldingInput {
    #[schema(schema_with = crate::http::api::schema::catalogue_code)]
    pub title_type_code: String,
    /// YYYY-MM-DD
    #[schema(schema_with = crate::http::api::schema::date)]
    pub awarded_on: String,
    /// YYYY-MM-DD
    #[schema(schema_with = crate::http::api::schema::date_or_null)]
    pub last_evaluated_on: Option<String>,
}

impl HoldingInput {
    pub fn validate(&self, today: time::Date) -> Result<NewHolding, AppError> {
        let mut v = Validator::new();
        let code = v.check(
            "title_type_code",
            text::required(&self.title_type_code, text::SHORT),
        );
        let awarded = v.check("awarded_on", parse_date(&self.awarded_on));
        let last = v.check_opt(
            "last_evaluated_on",
            self.last_evaluated_on.as_deref(),
            parse_date,
        );
        if awarded.is_some_and(|a| a > today) {
            v.fail("awarded_on", Msg::InFuture);
        }
        if let (Some(a), Some(Some(l))) = (awarded, last) {
            if l < a {
                v.fail("last_evaluated_on", Msg::BeforeAward);
            } else if l > today {
                v.fail("last_evaluated_on", Msg::InFuture);
            }
        }
        v.finish()?;
        match (code, awarded, last) {
            (Some(title_type_code), Some(awarded_on), Some(last_evaluated_on)) => Ok(NewHolding {
                title_type_code,
                awarded_on,
                last_evaluated_on,
            }),
            _ => Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            ))),
        }
    }
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
            let school = crate::store::schools::get(conn, access, school_id)?;
            Access::require(access.administers_province(school.province_id))?;
            titles::create_holding(
                conn,
                access,
                school_id,
                &input.validate(today)?,
                today,
                now_utc(),
            )
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

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldingPatchInput {
    /// active, suspended, revoked
    #[schema(value_type = Option<crate::domain::quality::HoldingStatus>)]
    pub status: Option<String>,
    /// YYYY-MM-DD: a re-evaluation the province recorded
    #[schema(schema_with = crate::http::api::schema::date_or_blank)]
    pub last_evaluated_on: Option<String>,
    pub version: Option<i64>,
}

impl HoldingPatchInput {
    pub fn validate(&self) -> Result<titles::HoldingPatch, AppError> {
        let mut v = Validator::new();
        let status = v.check_opt(
            "status",
            self.status.as_deref(),
            crate::domain::quality::HoldingStatus::parse,
        );
        let last = v.check_opt(
            "last_evaluated_on",
            self.last_evaluated_on
                .as_deref()
                .filter(|s| !s.trim().is_empty()),
            parse_date,
        );
        v.finish()?;
        Ok(titles::HoldingPatch {
            status: status.flatten(),
            last_evaluated_on: last.flatten(),
            version: self.version,
        })
    }
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
        .run(move |conn, access| {
            let holding = titles::get_holding_scoped(conn, access, id, today)?;
            let school = crate::store::schools::get(conn, access, holding.school_id)?;
            Access::require(access.administers_province(school.province_id))?;
            titles::update_holding(conn, access, id, &input.validate()?, today, now_utc())
        })
        .await?;
    Ok(HttpResponse::Ok().json(updated))
}

//! Provincial programmes and their progress.

use crate::http::api::body::Body;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::domain::dates::parse_date;
use crate::domain::text;
use crate::error::{AppError, ErrorBody, Msg, Validator};
use crate::http::api::paging::Paged;
use crate::state::AppState;
use crate::store::programmes::{self, NewProgramme, Programme};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeInput {
    #[schema(schema_with = crate::http::api::schema::short_text)]
    pub name: String,
    /// count the schools holding this title…
    pub title_type_code: Option<String>,
    /// …or those whose latest figure of this indicator reaches `threshold`
    pub indicator: Option<String>,
    pub threshold: Option<i64>,
    #[schema(minimum = 1, maximum = 2147483647)]
    pub target_count: i64,
    /// YYYY-MM-DD
    #[schema(schema_with = crate::http::api::schema::date)]
    pub target_date: String,
}

impl ProgrammeInput {
    pub fn validate(&self) -> Result<NewProgramme, AppError> {
        let mut v = Validator::new();
        let name = v.check("name", text::required(&self.name, text::SHORT));
        let date = v.check("target_date", parse_date(&self.target_date));
        let count = v.check(
            "target_count",
            i32::try_from(self.target_count)
                .ok()
                .filter(|n| *n > 0)
                .ok_or(Msg::Positive),
        );
        match (&self.title_type_code, &self.indicator) {
            (Some(_), Some(_)) => v.fail("indicator", Msg::TitleOrIndicator),
            (None, None) => v.fail("title_type_code", Msg::TitleOrIndicatorMissing),
            (None, Some(_)) if self.threshold.is_none_or(|t| t < 0) => {
                v.fail("threshold", Msg::ThresholdRequired)
            }
            _ => {}
        }
        v.finish()?;
        match (name, date, count) {
            (Some(name), Some(target_date), Some(target_count)) => Ok(NewProgramme {
                name,
                title_type_code: self.title_type_code.clone(),
                indicator: self.indicator.clone(),
                threshold: self.threshold.filter(|_| self.indicator.is_some()),
                target_count,
                target_date,
            }),
            _ => Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            ))),
        }
    }
}

/// Set a programme target for the province (its province admin; admin)
#[utoipa::path(
    post, path = "/api/v1/provinces/{id}/programmes", tag = "programmes", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ProgrammeInput,
    responses((status = 201, body = Programme), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<ProgrammeInput>,
) -> Result<HttpResponse, AppError> {
    let (province, today) = (id.into_inner(), state.clock.today());
    let input = body.into_inner();
    let created = user
        .run(move |conn, access| {
            programmes::may_set(access, province)?;
            programmes::create(conn, access, province, &input.validate()?, today)
        })
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// The province's programmes with their progress and trend (readers in the province)
#[utoipa::path(
    get, path = "/api/v1/provinces/{id}/programmes", tag = "programmes", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = [Programme]), (status = 404, body = ErrorBody))
)]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let (province, today) = (id.into_inner(), state.clock.today());
    page.slice(
        user.run(move |conn, access| programmes::list(conn, access, province, today))
            .await?,
    )
}

/// A change to a programme: its name, target or date, or `closed` to close it (`false`
/// reopens it); `version` as read, against lost updates.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammePatchInput {
    #[schema(schema_with = crate::http::api::schema::short_text_or_null)]
    pub name: Option<String>,
    #[schema(nullable, minimum = 1, maximum = 2147483647)]
    pub target_count: Option<i64>,
    #[schema(schema_with = crate::http::api::schema::date_or_null)]
    pub target_date: Option<String>,
    pub closed: Option<bool>,
    pub version: Option<i64>,
}

impl ProgrammePatchInput {
    pub fn validate(&self) -> Result<programmes::ProgrammeChange, AppError> {
        let mut v = Validator::new();
        let name = v
            .check_opt("name", self.name.as_deref(), |n| {
                text::required(n, text::SHORT)
            })
            .flatten();
        let target_count = v
            .check_opt("target_count", self.target_count, |n| {
                i32::try_from(n)
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or(Msg::Positive)
            })
            .flatten();
        let target_date = v
            .check_opt("target_date", self.target_date.as_deref(), parse_date)
            .flatten();
        v.finish()?;
        Ok(programmes::ProgrammeChange {
            name,
            target_count,
            target_date,
            closed: self.closed,
            version: self.version,
        })
    }
}

/// Change or close a programme (a province admin of its province; admin)
#[utoipa::path(
    patch, path = "/api/v1/programmes/{id}", tag = "programmes", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ProgrammePatchInput,
    responses((status = 200, body = Programme), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn patch(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<ProgrammePatchInput>,
) -> Result<HttpResponse, AppError> {
    let (id, today) = (id.into_inner(), state.clock.today());
    let input = body.into_inner();
    let changed = user
        .run(move |conn, access| {
            programmes::may_set(access, programmes::province_of(conn, access, id)?)?;
            let change = input.validate()?;
            programmes::update(conn, access, id, &change, today, crate::clock::now_utc())
        })
        .await?;
    Ok(HttpResponse::Ok().json(changed))
}

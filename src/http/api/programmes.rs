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
            // Who may, before what was sent: a stranger learns nothing from validation.
            if !(access.is_admin() || access.province_id == Some(province)) {
                return Err(AppError::NotFound);
            }
            crate::auth::Access::require(
                access.is_admin() || access.role == crate::domain::Role::ProvinceAdmin,
            )?;
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

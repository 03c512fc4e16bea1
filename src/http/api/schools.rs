//! Schools: registered by the province (or an admin), read within the caller's scope,
//! profile edited by the school's quality officer or the province admin.

use crate::http::api::body::{Body, Query};
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Deserializer};

use crate::auth::{Access, CurrentUser};
use crate::clock::now_utc;
use crate::domain::SchoolKind;
use crate::error::{AppError, ErrorBody, Validator};
use crate::http::api::paging::Paged;
use crate::state::AppState;
use crate::store::schools::{self, NewSchool, School, SchoolPatch, parse_founded_year, parse_text};

/// Reads `null` as `Some(None)` (clear the field) and an absent field as `None` (keep it).
pub fn nullable<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::deserialize(deserializer)?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchoolInput {
    pub province_id: i64,
    #[schema(schema_with = crate::http::api::schema::short_name)]
    pub name: String,
    #[schema(schema_with = crate::http::api::schema::name_or_null)]
    pub name_zh: Option<String>,
    #[schema(schema_with = crate::http::api::schema::short_name)]
    pub city: String,
    /// technical_school, senior_technical_school, technician_college, secondary_vocational, higher_vocational
    #[schema(value_type = crate::domain::SchoolKind)]
    pub kind: String,
    pub founded_year: Option<i64>,
}

impl SchoolInput {
    /// `this_year` from the server's clock: a school is founded by this year at the latest.
    pub fn validate(&self, this_year: i32) -> Result<NewSchool, AppError> {
        let mut v = Validator::new();
        let name = v.check("name", parse_text(&self.name));
        let name_zh = v.check_opt("name_zh", self.name_zh.as_deref(), parse_text);
        let city = v.check("city", parse_text(&self.city));
        let kind = v.check("kind", SchoolKind::parse(&self.kind));
        let year = v.check_opt("founded_year", self.founded_year, |y| {
            parse_founded_year(y, this_year)
        });
        v.finish()?;
        match (name, name_zh, city, kind, year) {
            (Some(name), Some(name_zh), Some(city), Some(kind), Some(founded_year)) => {
                Ok(NewSchool {
                    province_id: self.province_id,
                    name,
                    name_zh,
                    city,
                    kind,
                    founded_year,
                })
            }
            _ => Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            ))),
        }
    }
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchoolPatchInput {
    #[schema(schema_with = crate::http::api::schema::name_or_null)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    #[schema(schema_with = crate::http::api::schema::name_or_null)]
    pub name_zh: Option<Option<String>>,
    #[schema(schema_with = crate::http::api::schema::name_or_null)]
    pub city: Option<String>,
    #[schema(value_type = Option<crate::domain::SchoolKind>)]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub founded_year: Option<Option<i64>>,
    /// the version last read; a different current version answers 409 `stale_version`
    pub version: Option<i64>,
}

impl SchoolPatchInput {
    pub fn validate(&self, this_year: i32) -> Result<SchoolPatch, AppError> {
        let mut v = Validator::new();
        let name = v.check_opt("name", self.name.as_deref(), parse_text);
        let name_zh = match &self.name_zh {
            None => Some(None),
            Some(None) => Some(Some(None)),
            Some(Some(raw)) => v.check("name_zh", parse_text(raw)).map(|n| Some(Some(n))),
        };
        let city = v.check_opt("city", self.city.as_deref(), parse_text);
        let kind = v.check_opt("kind", self.kind.as_deref(), SchoolKind::parse);
        let founded_year = match self.founded_year {
            None => Some(None),
            Some(None) => Some(Some(None)),
            Some(Some(y)) => v
                .check("founded_year", parse_founded_year(y, this_year))
                .map(|y| Some(Some(y))),
        };
        v.finish()?;
        match (name, name_zh, city, kind, founded_year) {
            (Some(name), Some(name_zh), Some(city), Some(kind), Some(founded_year)) => {
                Ok(SchoolPatch {
                    name,
                    name_zh,
                    city,
                    kind,
                    founded_year,
                    version: self.version,
                })
            }
            _ => Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            ))),
        }
    }
}

/// Register a school (admin; province admin of its province)
#[utoipa::path(
    post, path = "/api/v1/schools", tag = "schools", security(("bearer" = [])),
    request_body = SchoolInput,
    responses((status = 201, body = School), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: Body<SchoolInput>,
) -> Result<HttpResponse, AppError> {
    let this_year = state.clock.today().year();
    let school = user
        .run(move |conn, access| {
            // Who may, before what was sent.
            Access::require(access.administers_province(body.province_id))?;
            schools::create(conn, access, &body.validate(this_year)?, now_utc())
        })
        .await?;
    Ok(HttpResponse::Created().json(school))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct SchoolFilter {
    /// only the schools of this province
    pub province_id: Option<i64>,
    /// only the schools whose name (English or Chinese) contains this
    pub q: Option<String>,
}

/// The schools the caller may see, by name
#[utoipa::path(
    get, path = "/api/v1/schools", tag = "schools", security(("bearer" = [])),
    params(SchoolFilter),
    responses((status = 200, body = [School]), (status = 401, body = ErrorBody))
)]
pub async fn list(
    user: CurrentUser,
    filter: Query<SchoolFilter>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let filter = schools::SchoolFilter {
        province_id: filter.province_id,
        search: filter.q.clone(),
    };
    let paging = page.paging.clone();
    let found = user
        .run(move |conn, access| schools::page(conn, access, &filter, &paging))
        .await?;
    Ok(page.respond(found))
}

/// One school
#[utoipa::path(
    get, path = "/api/v1/schools/{id}", tag = "schools", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = School), (status = 404, body = ErrorBody))
)]
pub async fn get(user: CurrentUser, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let school = user
        .run(move |conn, access| schools::get(conn, access, id))
        .await?;
    Ok(HttpResponse::Ok().json(school))
}

/// Edit a school's profile (its quality officer; its province admin; an admin)
#[utoipa::path(
    patch, path = "/api/v1/schools/{id}", tag = "schools", security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = SchoolPatchInput,
    responses((status = 200, body = School), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn patch(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<SchoolPatchInput>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let patch = body.validate(state.clock.today().year());
    let school = user
        .run(move |conn, access| {
            // Visibility and permission before validation: a stranger learns nothing.
            let current = schools::get(conn, access, id)?;
            Access::require(access.edits_school_profile(current.id, current.province_id))?;
            schools::update(conn, access, id, &patch?, now_utc())
        })
        .await?;
    Ok(HttpResponse::Ok().json(school))
}

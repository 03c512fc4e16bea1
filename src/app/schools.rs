//! Schools: registering one and changing its name, kind or place (an admin, or the
//! province admin of its province).

use crate::domain::SchoolKind;
use crate::domain::access::Access;
use crate::error::{AppError, Validator};
use crate::store::schools::{self, NewSchool, School, SchoolPatch, parse_founded_year, parse_text};
use serde::{Deserialize, Deserializer};

/// Reads `null` as `Some(None)` (clear the field) and an absent field as `None` (keep it).
pub fn nullable<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::deserialize(deserializer)?))
}

/// Registers a school (an admin, or the province admin of its province). Who may comes
/// before what was sent: `new` is judged after.
pub fn create(
    conn: &mut crate::db::DbConn,
    access: &Access,
    province_id: Result<i64, AppError>,
    new: Result<NewSchool, AppError>,
    now: time::PrimitiveDateTime,
) -> Result<School, AppError> {
    // Who may register schools at all, before what was sent; then in which province.
    Access::require(access.is_admin() || access.role == crate::domain::Role::ProvinceAdmin)?;
    Access::require(access.administers_province(province_id?))?;
    let new = new?;
    super::write(conn, |conn, journal| {
        schools::create(conn, journal, access, &new, now)
    })
}

/// Changes a school's profile. Visibility and permission before validation: a stranger
/// learns nothing of what they sent.
pub fn update(
    conn: &mut crate::db::DbConn,
    access: &Access,
    id: i64,
    patch: Result<SchoolPatch, AppError>,
    now: time::PrimitiveDateTime,
) -> Result<School, AppError> {
    super::write(conn, |conn, journal| {
        let current = schools::get(conn, access, id)?;
        Access::require(access.edits_school_profile(current.id, current.province_id))?;
        schools::update(conn, journal, access, id, &patch?, now)
    })
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchoolInput {
    pub province_id: i64,
    #[schema(schema_with = crate::app::schema::short_name)]
    pub name: String,
    #[schema(schema_with = crate::app::schema::name_or_null)]
    pub name_zh: Option<String>,
    #[schema(schema_with = crate::app::schema::short_name)]
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
    #[schema(schema_with = crate::app::schema::name_or_null)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    #[schema(schema_with = crate::app::schema::name_or_null)]
    pub name_zh: Option<Option<String>>,
    #[schema(schema_with = crate::app::schema::name_or_null)]
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

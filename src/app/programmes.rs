//! A province's programmes: targets of how many schools should reach a title or an
//! indicator by a date, and their progress.

use crate::app::input::Input;
use crate::domain::access::Access;
use crate::domain::dates::parse_date;
use crate::domain::text;
use crate::error::{AppError, Msg, Validator};
use crate::store::programmes::{self, NewProgramme, Programme};
use serde::Deserialize;

/// Sets a programme for the province (its province admin, or an admin).
pub fn create(
    conn: &mut crate::db::DbConn,
    access: &Access,
    province: i64,
    input: &impl Input<ProgrammeInput>,
    today: time::Date,
) -> Result<Programme, AppError> {
    programmes::may_set(access, province)?;
    let input = input.read()?;
    let new = input.validate()?;
    programmes::create(conn, access, province, &new, today)
}

/// Changes, closes or reopens a programme; answers its province too (where a page returns),
/// with the outcome of the change.
pub fn update(
    conn: &mut crate::db::DbConn,
    access: &Access,
    id: i64,
    input: &impl Input<ProgrammePatchInput>,
    today: time::Date,
    now: time::PrimitiveDateTime,
) -> Result<(i64, Result<Programme, AppError>), AppError> {
    let province = programmes::province_of(conn, access, id)?;
    programmes::may_set(access, province)?;
    let input = input.read()?;
    let changed = input.validate().and_then(|change| {
        super::write(conn, access, |conn, journal| {
            programmes::update(conn, journal, access, id, &change, today, now)
        })
    });
    Ok((province, changed))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeInput {
    #[schema(schema_with = crate::app::schema::short_text)]
    pub name: String,
    /// count the schools holding this title…
    pub title_type_code: Option<String>,
    /// …or those whose latest figure of this indicator reaches `threshold`
    pub indicator: Option<String>,
    pub threshold: Option<i64>,
    #[schema(minimum = 1, maximum = 2147483647)]
    pub target_count: i64,
    /// YYYY-MM-DD
    #[schema(schema_with = crate::app::schema::date)]
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

/// A change to a programme: its name, target or date, or `closed` to close it (`false`
/// reopens it); `version` as read, against lost updates.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammePatchInput {
    #[schema(schema_with = crate::app::schema::short_text_or_null)]
    pub name: Option<String>,
    #[schema(nullable, minimum = 1, maximum = 2147483647)]
    pub target_count: Option<i64>,
    #[schema(schema_with = crate::app::schema::date_or_null)]
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

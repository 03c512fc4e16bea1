//! Schools: registering one and changing its name, kind or place (an admin, or the
//! province admin of its province); merging one into another, closing one, and settling
//! the titles of a school so wound down.

use crate::app::input::Input;
use crate::db::DbConn;
use crate::domain::access::Access;
use crate::domain::history::Action;
use crate::domain::message::Msg;
use crate::domain::quality::TitleSettlement;
use crate::domain::{SchoolKind, SchoolStatus};
use crate::error::{AppError, Validator};
use crate::store::schools::{
    self, NewSchool, School, SchoolPatch, Standing, parse_founded_year, parse_text,
};
use crate::store::submissions;
use crate::store::titles::{self, TitleHolding};
use serde::{Deserialize, Deserializer};
use time::{Date, PrimitiveDateTime};

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
    super::write(conn, access, |conn, journal| {
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
    super::write(conn, access, |conn, journal| {
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

/// A merger as the province decides it: the school goes into `into_school_id` from
/// `effective_on`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    pub into_school_id: i64,
    #[schema(value_type = String, format = Date)]
    pub effective_on: String,
    /// why (e.g. the plan's decision)
    pub reason: String,
}

/// A closure as the province decides it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    #[schema(value_type = String, format = Date)]
    pub effective_on: String,
    pub reason: String,
}

/// The effective day and the reason of a merger or closure, validated.
fn day_and_reason(v: &mut Validator, effective_on: &str, reason: &str) -> Option<(Date, String)> {
    let day = v.check(
        "effective_on",
        crate::domain::dates::parse_date(effective_on),
    );
    let reason = v.check(
        "reason",
        crate::domain::text::required(reason, crate::domain::text::LONG),
    );
    day.zip(reason)
}

/// The school the province winds down: visible to the caller (else 404), of a province
/// they administer (else 403), and still active (else 409).
fn to_wind_down(conn: &mut DbConn, access: &Access, id: i64) -> Result<School, AppError> {
    let school = schools::get(conn, access, id)?;
    Access::require(access.administers_province(school.province_id))?;
    if school.status != SchoolStatus::Active {
        return Err(AppError::conflict_of(Msg::SchoolNotActive));
    }
    Ok(school)
}

/// Merges a school into another of its province (its province admin). From `effective_on`
/// its record is read-only; its open submissions are withdrawn now, with the reason; its
/// titles wait for the province to settle them (`settle_title`).
pub fn merge(
    conn: &mut DbConn,
    access: &Access,
    id: i64,
    input: &impl Input<MergeInput>,
    now: PrimitiveDateTime,
) -> Result<School, AppError> {
    wind_down(
        conn,
        access,
        id,
        Action::SchoolMerge,
        now,
        |conn, school, v| {
            let input = input.read()?;
            let decided = day_and_reason(v, &input.effective_on, &input.reason);
            let found = successor(conn, access, school, input.into_school_id)?;
            let successor = v.check("into_school_id", found);
            Ok(decided
                .zip(successor)
                .map(|((day, reason), successor)| Standing {
                    status: SchoolStatus::Merged,
                    successor_id: Some(successor.id),
                    effective_on: Some(day),
                    reason: Some(reason),
                }))
        },
    )
}

/// Marks a school for closure from `effective_on` (its province admin); its open
/// submissions are withdrawn now, with the reason.
pub fn close(
    conn: &mut DbConn,
    access: &Access,
    id: i64,
    input: &impl Input<CloseInput>,
    now: PrimitiveDateTime,
) -> Result<School, AppError> {
    wind_down(conn, access, id, Action::SchoolClose, now, |_, _, v| {
        let input = input.read()?;
        let decided = day_and_reason(v, &input.effective_on, &input.reason);
        Ok(decided.map(|(day, reason)| Standing {
            status: SchoolStatus::Closed,
            successor_id: None,
            effective_on: Some(day),
            reason: Some(reason),
        }))
    })
}

/// A merger or a closure: the school to wind down (`to_wind_down`), then the standing
/// `decide` reads from the input (its problems noted in the validator), then the standing
/// set and the open submissions withdrawn with the reason, in one unit of work.
fn wind_down(
    conn: &mut DbConn,
    access: &Access,
    id: i64,
    action: Action,
    now: PrimitiveDateTime,
    decide: impl FnOnce(&mut DbConn, &School, &mut Validator) -> Result<Option<Standing>, AppError>,
) -> Result<School, AppError> {
    super::write(conn, access, |conn, journal| {
        journal.wind_down();
        let school = to_wind_down(conn, access, id)?;
        let mut v = Validator::new();
        let standing = decide(conn, &school, &mut v)?;
        v.finish()?;
        let standing = standing
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("validated input incomplete")))?;
        let reason = standing.reason.clone().unwrap_or_default();
        let done = schools::set_standing(conn, journal, access, &school, &standing, action, now)?;
        submissions::withdraw_all_open(conn, journal, access, school.id, &reason, now)?;
        Ok(done)
    })
}

/// The school `into` that `school` may merge into: another visible school of its
/// province, neither merged nor closing (else what is wrong with it, for the field).
fn successor(
    conn: &mut DbConn,
    access: &Access,
    school: &School,
    into: i64,
) -> Result<Result<School, Msg>, AppError> {
    if into == school.id {
        return Ok(Err(Msg::SuccessorItself));
    }
    let successor = match schools::get(conn, access, into) {
        Ok(found) => found,
        Err(AppError::NotFound) => return Ok(Err(Msg::NoSchool)),
        Err(other) => return Err(other),
    };
    Ok(if successor.province_id != school.province_id {
        Err(Msg::SuccessorElsewhere)
    } else if successor.status != SchoolStatus::Active {
        Err(Msg::SuccessorNotActive)
    } else {
        Ok(successor)
    })
}

/// Calls off a closure before it takes effect (its province admin): 409 `not_closing` for
/// a school not marked for closure, `school_closed` once the closure is in effect.
pub fn reopen(
    conn: &mut DbConn,
    access: &Access,
    id: i64,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<School, AppError> {
    super::write(conn, access, |conn, journal| {
        journal.wind_down();
        let school = schools::get(conn, access, id)?;
        Access::require(access.administers_province(school.province_id))?;
        if school.status != SchoolStatus::Closed {
            return Err(AppError::conflict_of(Msg::NotClosing));
        }
        if school.wound_up(today) {
            return Err(AppError::conflict_of(Msg::SchoolClosed));
        }
        let standing = Standing {
            status: SchoolStatus::Active,
            successor_id: None,
            effective_on: None,
            reason: None,
        };
        schools::set_standing(
            conn,
            journal,
            access,
            &school,
            &standing,
            Action::SchoolReopen,
            now,
        )
    })
}

/// What the province decides for one title of a merged or closed school.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettleInput {
    /// `transferred` (to the successor, with its dates), `ended`, or `kept` as history
    #[schema(value_type = crate::domain::quality::TitleSettlement)]
    pub settlement: String,
}

/// Settles a title of a merged or closed school (its province admin): 409 `not_wound_up`
/// for a school still active, `title_settled` for a title already settled.
pub fn settle_title(
    conn: &mut DbConn,
    access: &Access,
    title_id: i64,
    input: &impl Input<SettleInput>,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<TitleHolding, AppError> {
    super::write(conn, access, |conn, journal| {
        journal.wind_down();
        let before = titles::get_holding_scoped(conn, access, title_id, today)?;
        let school = schools::get(conn, access, before.school_id)?;
        Access::require(access.administers_province(school.province_id))?;
        let how = TitleSettlement::parse(&input.read()?.settlement)
            .map_err(|problem| AppError::field("settlement", problem))?;
        if school.status == SchoolStatus::Active {
            return Err(AppError::conflict_of(Msg::NotWoundUp));
        }
        // A transferred title belongs to its new school, which may be wound down in turn.
        if let Some(done @ (TitleSettlement::Ended | TitleSettlement::Kept)) = before.settlement {
            return Err(AppError::conflict_of(Msg::TitleSettled {
                how: done.as_str().to_owned(),
            }));
        }
        let successor = match school.status {
            SchoolStatus::Merged => school.successor_id,
            _ => None,
        };
        titles::settle(conn, journal, access, &before, how, successor, today, now)
    })
}

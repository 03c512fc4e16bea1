//! The school year: a province's collection rounds, a school's yearly status data (typed
//! in, or read from a filled-in template), and a year reopened after it was accepted.

use serde::Deserialize;
use time::{Date, PrimitiveDateTime};

use crate::app::input::Input;
use crate::db::DbConn;
use crate::domain::access::Access;
use crate::domain::dates::parse_date;
use crate::domain::indicators::Indicators;
use crate::domain::status_data::{
    DEFAULT_CHANGE_THRESHOLD_PCT, Indicator, Ratio, Unit, ValueKind, YearState,
};
use crate::domain::text;
use crate::error::{AppError, Msg, Validator};
use crate::sheets::template::{self, UploadError};
use crate::store::rounds::{self, NewRound, RoundFilter, RoundInfo, RoundPatch};
use crate::store::status_data::{self, StatusData, StatusInput, YearIndicators};
use crate::store::{indicators, record::writable_school};

/// A collection round as the province opens it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundInput {
    pub year: i64,
    /// YYYY-MM-DD
    #[schema(schema_with = crate::app::schema::date)]
    pub due_on: String,
    /// flag a figure that moves more than this share from last year (percent, default 30)
    #[schema(nullable, minimum = 1, maximum = 1000)]
    pub change_threshold_pct: Option<i64>,
}

impl RoundInput {
    pub fn validate(&self, today: Date) -> Result<NewRound, AppError> {
        let mut v = Validator::new();
        let year = v.check("year", status_data::parse_year(self.year, today));
        let due_on = v.check("due_on", parse_date(&self.due_on));
        let pct = v.check(
            "change_threshold_pct",
            threshold(
                self.change_threshold_pct
                    .unwrap_or(i64::from(DEFAULT_CHANGE_THRESHOLD_PCT)),
            ),
        );
        v.finish()?;
        match (year, due_on, pct) {
            (Some(year), Some(due_on), Some(change_threshold_pct)) => Ok(NewRound {
                year,
                due_on,
                change_threshold_pct,
            }),
            _ => Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            ))),
        }
    }
}

/// A change to a round: its due date, its threshold, open or closed.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundPatchInput {
    /// YYYY-MM-DD
    #[schema(schema_with = crate::app::schema::date_or_null)]
    pub due_on: Option<String>,
    #[schema(nullable, minimum = 1, maximum = 1000)]
    pub change_threshold_pct: Option<i64>,
    /// open or closed; a closed round takes no more submissions
    #[schema(value_type = Option<crate::store::rounds::RoundStatus>)]
    pub status: Option<String>,
}

impl RoundPatchInput {
    pub fn validate(&self) -> Result<RoundPatch, AppError> {
        let mut v = Validator::new();
        let due_on = v.check_opt("due_on", self.due_on.as_deref(), parse_date);
        let pct = v.check_opt("change_threshold_pct", self.change_threshold_pct, threshold);
        let closed = v.check_opt("status", self.status.as_deref(), |s| {
            rounds::RoundStatus::parse(s).map(|s| s == rounds::RoundStatus::Closed)
        });
        v.finish()?;
        Ok(RoundPatch {
            due_on: due_on.flatten(),
            change_threshold_pct: pct.flatten(),
            closed: closed.flatten(),
        })
    }
}

/// A round's change threshold: 1 to 1,000 percent.
fn threshold(raw: i64) -> Result<i32, Msg> {
    i32::try_from(raw)
        .ok()
        .filter(|p| (1..=1000).contains(p))
        .ok_or(Msg::Between {
            min: "1".into(),
            max: "1,000".into(),
        })
}

/// Opens year Y's collection round for the province (its province admin).
pub fn open_round(
    conn: &mut DbConn,
    access: &Access,
    province: i64,
    input: &impl Input<RoundInput>,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<RoundInfo, AppError> {
    super::write(conn, access, |conn, journal| {
        rounds::check_province_reader(conn, access, province)?;
        Access::require(access.administers_province(province))?;
        let new = input.read()?.validate(today)?;
        rounds::create(conn, journal, access, province, &new, now)
    })
}

/// Moves a round's due date or threshold, or closes or reopens it.
pub fn update_round(
    conn: &mut DbConn,
    access: &Access,
    id: i64,
    input: &impl Input<RoundPatchInput>,
    now: PrimitiveDateTime,
) -> Result<RoundInfo, AppError> {
    super::write(conn, access, |conn, journal| {
        let round = rounds::find(conn, access, id)?;
        Access::require(access.administers_province(round.province_id))?;
        let patch = input.read()?.validate()?;
        rounds::update(conn, journal, access, id, &patch, now)
    })
}

/// Sets a year's figures and explanations (the school's quality officer); answers whether
/// the year was recorded for the first time.
pub fn put(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    year: i32,
    input: &impl Input<StatusInput>,
    now: PrimitiveDateTime,
) -> Result<(StatusData, bool), AppError> {
    super::write(conn, access, |conn, journal| {
        writable_school(conn, access, school_id)?;
        let input = input.read()?;
        status_data::put(conn, journal, access, school_id, year, input, now)
    })
}

/// Sets the nine figures of the first `indicators` route (the school's quality officer):
/// the year and the figures judged after the right to change them.
pub fn put_nine(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    (year, this_year): (i64, i32),
    input: &impl Input<Indicators>,
    now: PrimitiveDateTime,
) -> Result<(YearIndicators, bool), AppError> {
    super::write(conn, access, |conn, journal| {
        writable_school(conn, access, school_id)?;
        let nine = input.read()?;
        let mut v = Validator::new();
        let year = v.check(
            "year",
            crate::domain::indicators::parse_year(year, this_year),
        );
        for (field, problem) in nine.problems() {
            v.fail(field, problem);
        }
        v.finish()?;
        let year =
            year.ok_or_else(|| AppError::Internal(anyhow::anyhow!("validated year missing")))?;
        status_data::put_nine(conn, journal, access, school_id, year, nine, now)
    })
}

/// Why an accepted year is opened again.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenInput {
    /// why the accepted year is opened again; kept in the history
    #[schema(schema_with = crate::app::schema::long_text)]
    pub reason: String,
}

/// Reopens an accepted year, with the reason (the province).
pub fn reopen(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    year: i32,
    input: &impl Input<ReopenInput>,
    now: PrimitiveDateTime,
) -> Result<StatusData, AppError> {
    super::write(conn, access, |conn, journal| {
        let school = crate::store::schools::get(conn, access, school_id)?;
        Access::require(access.administers_province(school.province_id))?;
        let reason = &input.read()?.reason;
        status_data::reopen(conn, journal, access, school_id, year, reason, now)
    })
}

/// Reads a filled-in template and sets the year's figures from it: all of it or nothing.
pub fn apply_upload(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    year: i32,
    bytes: &[u8],
    now: PrimitiveDateTime,
) -> Result<StatusData, AppError> {
    super::write(conn, access, |conn, journal| {
        let school = writable_school(conn, access, school_id)?;
        status_data::check_changeable(conn, &school, year)?;
        let catalogue = indicators::catalogue(conn)?;
        let read = template::read(bytes, &catalogue.indicators(), school_id, year).map_err(
            |e| match e {
                UploadError::File(problem) => AppError::field("file", problem),
                UploadError::Cells(cells) => AppError::Validation(cells),
            },
        )?;
        let mut figures = status_data::figures_of(conn, &catalogue, &school, year)?;
        for (code, value) in read {
            match value {
                Some(v) => figures.insert(code, v),
                None => figures.remove(&code),
            };
        }
        let change = status_data::Change {
            figures: Some(figures),
            ..status_data::Change::default()
        };
        status_data::record(
            conn, journal, access, &catalogue, &school, year, change, now,
        )?;
        status_data::compute(conn, &catalogue, &school, year)
    })
}

/// The year's XLSX template for a school, pre-filled with what is recorded and last
/// year's figures, and its file name (readers of the school).
pub fn template(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    year: i32,
) -> Result<(Vec<u8>, String), AppError> {
    let school = crate::store::schools::get(conn, access, school_id)?;
    let catalogue = indicators::catalogue(conn)?;
    let data = status_data::compute(conn, &catalogue, &school, year)?;
    let bytes = template::write(&template::TemplateData {
        school_id,
        school_name: school.name_zh.as_deref().unwrap_or(&school.name),
        year,
        catalogue: &catalogue.indicators(),
        current: &data.figures,
        previous: &data.previous,
    })
    .map_err(|e| AppError::Internal(e.into()))?;
    Ok((bytes, format!("status-data-{school_id}-{year}.xlsx")))
}

/// Which schools of a round to list (the API's query and the page's filter).
#[derive(Deserialize, utoipa::IntoParams, Default)]
pub struct RoundQuery {
    /// only schools in this state: not_started, in_progress, submitted, accepted, returned
    #[param(schema_with = crate::app::schema::year_state_filter)]
    pub state: Option<String>,
    /// only overdue (true) or only not overdue (false) schools
    pub overdue: Option<bool>,
    /// part of a school's name, English or Chinese
    pub q: Option<String>,
}

impl RoundQuery {
    pub fn filter(&self) -> Result<RoundFilter, AppError> {
        Ok(RoundFilter {
            state: match crate::domain::text::choice(self.state.as_deref()) {
                None => None,
                Some(s) => Some(YearState::parse(s).map_err(|p| AppError::field("state", p))?),
            },
            overdue: self.overdue,
            name: self
                .q
                .as_deref()
                .map(str::trim)
                .filter(|q| !q.is_empty())
                .map(|q| q.chars().take(100).collect()),
        })
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatioInput {
    /// code of the entered indicator above the line
    pub numerator: String,
    /// code of the entered indicator below the line
    pub denominator: String,
    /// multiplied by, e.g. 100 for a percentage (default 1)
    pub scale: Option<f64>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorInput {
    /// 2 to 80 lower-case letters, digits or `_`
    #[schema(schema_with = crate::app::schema::catalogue_code)]
    pub code: String,
    #[schema(schema_with = crate::app::schema::short_name)]
    pub name: String,
    #[schema(schema_with = crate::app::schema::short_name)]
    pub name_zh: String,
    /// persons, person_times, m2, cny, percent, count, volumes, ratio, m2_per_student,
    /// cny_per_student, volumes_per_student, students_per_teacher
    #[schema(value_type = crate::domain::status_data::Unit)]
    pub unit: String,
    /// whole, decimal or percentage
    #[schema(value_type = crate::domain::status_data::ValueKind)]
    pub kind: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    pub help: Option<String>,
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    pub help_zh: Option<String>,
    pub higher_is_better: Option<bool>,
    /// makes the indicator derived: computed from two entered ones, never typed
    pub ratio: Option<RatioInput>,
}

impl IndicatorInput {
    pub fn validate(&self) -> Result<Indicator, AppError> {
        let mut v = Validator::new();
        let code = v.check("code", crate::store::titles::parse_code(&self.code));
        let name = v.check("name", text::name(&self.name, text::SHORT));
        let name_zh = v.check("name_zh", text::name(&self.name_zh, text::SHORT));
        let unit = v.check("unit", Unit::parse(&self.unit));
        let kind = v.check("kind", ValueKind::parse(&self.kind));
        let help = v.check("help", text::optional(self.help.as_deref(), text::LONG));
        let help_zh = v.check(
            "help_zh",
            text::optional(self.help_zh.as_deref(), text::LONG),
        );
        for (field, bound) in [("min", self.min), ("max", self.max)] {
            if bound.is_some_and(|b| !b.is_finite() || b.abs() >= 1e15) {
                v.fail(field, Msg::NotNumber);
            }
        }
        if let (Some(min), Some(max)) = (self.min, self.max)
            && min > max
        {
            v.fail(
                "max",
                Msg::AtLeast {
                    min: crate::domain::numbers::figure(min),
                },
            );
        }
        let ratio = self.ratio.as_ref().map(|r| Ratio {
            numerator: r.numerator.trim().to_owned(),
            denominator: r.denominator.trim().to_owned(),
            scale: r.scale.unwrap_or(1.0),
        });
        if let Some(r) = &ratio
            && !(r.scale.is_finite() && r.scale > 0.0)
        {
            v.fail("ratio.scale", Msg::Positive);
        }
        v.finish()?;
        match (code, name, name_zh, unit, kind, help, help_zh) {
            (
                Some(code),
                Some(name),
                Some(name_zh),
                Some(unit),
                Some(kind),
                Some(help),
                Some(help_zh),
            ) => Ok(Indicator {
                code,
                name,
                name_zh,
                unit,
                kind,
                min: self.min,
                max: self.max,
                help,
                help_zh,
                derived: ratio.is_some(),
                ratio,
                higher_is_better: self.higher_is_better,
            }),
            _ => Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            ))),
        }
    }
}

/// Adds an indicator to the catalogue (an admin); schools are asked for it from then on.
pub fn add_indicator(
    conn: &mut DbConn,
    access: &Access,
    input: &impl Input<IndicatorInput>,
    now: PrimitiveDateTime,
) -> Result<Indicator, AppError> {
    Access::require(access.is_admin())?;
    let new = input.read()?.validate()?;
    indicators::create(conn, access, &new, now)
}

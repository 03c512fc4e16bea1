//! The school year: a province's collection rounds, a school's yearly status data (typed
//! in, or read from a filled-in template), and a year reopened after it was accepted.

use serde::Deserialize;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::domain::access::Access;
use crate::domain::indicators::Indicators;
use crate::domain::status_data::YearState;
use crate::error::AppError;
use crate::sheets::template::{self, UploadError};
use crate::store::rounds::{self, NewRound, RoundFilter, RoundInfo, RoundPatch};
use crate::store::status_data::{self, StatusData, StatusInput, YearIndicators};
use crate::store::{indicators, record::writable_school};

/// Opens year Y's collection round for the province (its province admin).
pub fn open_round(
    conn: &mut DbConn,
    access: &Access,
    province: i64,
    new: &NewRound,
    now: PrimitiveDateTime,
) -> Result<RoundInfo, AppError> {
    super::write(conn, |conn, journal| {
        rounds::create(conn, journal, access, province, new, now)
    })
}

/// Moves a round's due date or threshold, or closes or reopens it.
pub fn update_round(
    conn: &mut DbConn,
    access: &Access,
    id: i64,
    patch: &RoundPatch,
    now: PrimitiveDateTime,
) -> Result<RoundInfo, AppError> {
    super::write(conn, |conn, journal| {
        rounds::update(conn, journal, access, id, patch, now)
    })
}

/// Sets a year's figures and explanations (the school's quality officer); answers whether
/// the year was recorded for the first time.
pub fn put(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    year: i32,
    input: &StatusInput,
    now: PrimitiveDateTime,
) -> Result<(StatusData, bool), AppError> {
    super::write(conn, |conn, journal| {
        status_data::put(conn, journal, access, school_id, year, input, now)
    })
}

/// Sets the nine figures of the first `indicators` route.
pub fn put_nine(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    year: i32,
    nine: &Indicators,
    now: PrimitiveDateTime,
) -> Result<(YearIndicators, bool), AppError> {
    super::write(conn, |conn, journal| {
        status_data::put_nine(conn, journal, access, school_id, year, nine, now)
    })
}

/// Reopens an accepted year, with the reason (the province).
pub fn reopen(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    year: i32,
    reason: &str,
    now: PrimitiveDateTime,
) -> Result<StatusData, AppError> {
    super::write(conn, |conn, journal| {
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
    super::write(conn, |conn, journal| {
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
            state: match self.state.as_deref().map(str::trim) {
                None | Some("") => None,
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

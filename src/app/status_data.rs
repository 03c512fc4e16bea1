//! The school year: a province's collection rounds, a school's yearly status data (typed
//! in, or read from a filled-in template), and a year reopened after it was accepted.

use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::domain::access::Access;
use crate::domain::indicators::Indicators;
use crate::error::AppError;
use crate::sheets::template::{self, UploadError};
use crate::store::rounds::{self, NewRound, RoundInfo, RoundPatch};
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
        status_data::check_changeable(conn, school_id, year)?;
        let catalogue = indicators::catalogue(conn)?;
        let read = template::read(bytes, &catalogue.indicators(), school_id, year).map_err(
            |e| match e {
                UploadError::File(problem) => AppError::field("file", problem),
                UploadError::Cells(cells) => AppError::Validation(cells),
            },
        )?;
        let mut figures = status_data::figures_of(conn, &catalogue, school_id, year)?;
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

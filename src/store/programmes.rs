//! Provincial programmes: a target (schools holding a title, or meeting an indicator
//! threshold) by a date, with progress counted from the recorded facts and its trend by year.

use diesel::prelude::*;
use serde::Serialize;
use time::{Date, Month};

use crate::db::DbConn;
use crate::db::schema::{
    programmes, school_titles, school_years, schools, status_figures, title_types,
};
use crate::domain::Role;
use crate::domain::access::Access;
use crate::domain::history::{Action, Change, Journal};
use crate::domain::quality::HoldingStatus;
use crate::domain::status_data::{Figures, derive};
use crate::error::{AppError, Msg};
use crate::store::titles;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = programmes, check_for_backend(crate::db::MultiBackend))]
struct Row {
    id: i64,
    province_id: i64,
    name: String,
    title_type_id: Option<i64>,
    indicator: Option<String>,
    threshold: Option<i64>,
    target_count: i32,
    target_date: Date,
    closed_on: Option<Date>,
    version: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct YearCount {
    pub year: i32,
    pub count: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Programme {
    pub id: i64,
    pub province_id: i64,
    pub name: String,
    pub title_type_code: Option<String>,
    pub indicator: Option<String>,
    pub threshold: Option<i64>,
    pub target_count: i32,
    #[schema(value_type = String, format = Date)]
    pub target_date: Date,
    /// schools counted today
    pub progress: i64,
    /// progress / target, 0..100 (may pass 100)
    pub percent: i64,
    /// the count at the end of each year, oldest first
    pub trend: Vec<YearCount>,
    /// when the province closed the programme (no longer followed on the home page)
    #[schema(value_type = Option<String>, format = Date)]
    pub closed_on: Option<Date>,
    pub version: i64,
}

/// A change to a programme: its name, target and date, or closing (or reopening) it.
#[derive(Debug, Default)]
pub struct ProgrammeChange {
    pub name: Option<String>,
    pub target_count: Option<i32>,
    pub target_date: Option<Date>,
    pub closed: Option<bool>,
    pub version: Option<i64>,
}

#[derive(Debug)]
pub struct NewProgramme {
    pub name: String,
    pub title_type_code: Option<String>,
    pub indicator: Option<String>,
    pub threshold: Option<i64>,
    pub target_count: i32,
    pub target_date: Date,
}

fn member(access: &Access, province_id: i64) -> bool {
    access.is_admin() || access.province_id == Some(province_id)
}

/// May the caller set and change the province's programmes? 404 to those outside the
/// province, 403 to its readers. Handlers ask before they read what was sent, so that a
/// stranger learns nothing from validation.
pub fn may_set(access: &Access, province_id: i64) -> Result<(), AppError> {
    if !member(access, province_id) {
        return Err(AppError::NotFound);
    }
    Ok(Access::require(
        access.is_admin() || access.role == Role::ProvinceAdmin,
    )?)
}

pub fn create(
    conn: &mut DbConn,
    access: &Access,
    province_id: i64,
    new: &NewProgramme,
    today: Date,
) -> Result<Programme, AppError> {
    may_set(access, province_id)?;
    crate::store::provinces::get(conn, province_id)?;
    if let Some(code) = &new.indicator
        && crate::store::indicators::catalogue(conn)?
            .by_code(code)
            .is_none()
    {
        return Err(AppError::field("indicator", Msg::NoIndicator));
    }
    let title_type_id = match &new.title_type_code {
        Some(code) => Some(
            titles::find_type(conn, code)?
                .ok_or_else(|| AppError::field("title_type_code", Msg::NoTitle))?
                .id,
        ),
        None => None,
    };
    let id: i64 = diesel::insert_into(programmes::table)
        .values((
            programmes::province_id.eq(province_id),
            programmes::name.eq(&new.name),
            programmes::title_type_id.eq(title_type_id),
            programmes::indicator.eq(&new.indicator),
            programmes::threshold.eq(new.threshold),
            programmes::target_count.eq(new.target_count),
            programmes::target_date.eq(new.target_date),
        ))
        .returning(programmes::id)
        .get_result(conn)?;
    let row = programmes::table
        .find(id)
        .select(Row::as_select())
        .first(conn)?;
    with_progress(conn, row, today)
}

/// The province of a programme the caller may see (else 404).
pub fn province_of(conn: &mut DbConn, access: &Access, id: i64) -> Result<i64, AppError> {
    let province: i64 = programmes::table
        .find(id)
        .select(programmes::province_id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    if member(access, province) {
        Ok(province)
    } else {
        Err(AppError::NotFound)
    }
}

/// Changes or closes a programme (a province admin of its province, or an admin), against
/// the version the change was made from; the history records it.
pub fn update(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    id: i64,
    change: &ProgrammeChange,
    today: Date,
    now: time::PrimitiveDateTime,
) -> Result<Programme, AppError> {
    let row: Row = programmes::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    may_set(access, row.province_id)?;
    crate::store::record::check_version(change.version, row.version)?;
    let before = with_progress(conn, row.clone(), today)?;
    let closed_on = match change.closed {
        Some(true) => Some(row.closed_on.unwrap_or(today)),
        Some(false) => None,
        None => row.closed_on,
    };
    let updated = diesel::update(
        programmes::table
            .filter(programmes::id.eq(id))
            .filter(programmes::version.eq(row.version)),
    )
    .set((
        programmes::name.eq(change.name.as_ref().unwrap_or(&row.name)),
        programmes::target_count.eq(change.target_count.unwrap_or(row.target_count)),
        programmes::target_date.eq(change.target_date.unwrap_or(row.target_date)),
        programmes::closed_on.eq(closed_on),
        programmes::version.eq(row.version + 1),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(crate::store::schools::stale_version());
    }
    let row: Row = programmes::table
        .find(id)
        .select(Row::as_select())
        .first(conn)?;
    let after = with_progress(conn, row, today)?;
    let action = match (before.closed_on, after.closed_on) {
        (None, Some(_)) => Action::ProgrammeClose,
        (Some(_), None) => Action::ProgrammeReopen,
        _ => Action::ProgrammeUpdate,
    };
    journal.record(Change {
        actor_id: Some(access.user_id),
        school_id: None,
        action,
        entity_id: id,
        before: serde_json::to_value(&before).ok(),
        after: serde_json::to_value(&after).ok(),
        at: now,
    });
    Ok(after)
}

/// A programme's progress, by programme, its version and the day, computed once per data
/// version of its province (`app::Kept`): the titles and accepted figures it counts move
/// that version.
pub type ProgressCache = crate::store::kept::Versioned<(i64, i64, Date), Progress>;

pub fn list(
    conn: &mut DbConn,
    access: &Access,
    cache: &ProgressCache,
    province_id: i64,
    today: Date,
) -> Result<Vec<Programme>, AppError> {
    if !member(access, province_id) {
        return Err(AppError::NotFound);
    }
    crate::store::provinces::get(conn, province_id)?;
    let rows: Vec<Row> = programmes::table
        .filter(programmes::province_id.eq(province_id))
        .order(programmes::target_date.asc())
        .select(Row::as_select())
        .load(conn)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let version = crate::store::provinces::version(
        conn,
        province_id,
        crate::store::provinces::Version::Data,
    )?;
    rows.into_iter()
        .map(|row| {
            let progress = cache.get_or_compute((row.id, row.version, today), version, || {
                progress_of(conn, &row, today)
            })?;
            Ok(programme(row, &progress))
        })
        .collect()
}

/// One indicator's value in every accepted year of the province's schools, newest year
/// first per school: `(school, year, value)`. A derived indicator is computed from its
/// accepted inputs.
fn accepted_values(
    conn: &mut DbConn,
    province_id: i64,
    code: &str,
) -> Result<Vec<(i64, i32, Option<f64>)>, AppError> {
    let catalogue = crate::store::indicators::catalogue(conn)?;
    let ids: Vec<i64> = catalogue
        .inputs_of(code)
        .iter()
        .filter_map(|c| catalogue.id_of(c))
        .collect();
    let province_schools = schools::table
        .filter(schools::province_id.eq(province_id))
        .select(schools::id);
    let rows: Vec<(i64, i32, i64, f64)> = status_figures::table
        .inner_join(
            school_years::table.on(school_years::school_id
                .eq(status_figures::school_id)
                .and(school_years::year.eq(status_figures::year))),
        )
        .filter(school_years::locked_at.is_not_null())
        .filter(status_figures::school_id.eq_any(province_schools))
        .filter(status_figures::indicator_id.eq_any(&ids))
        .select((
            status_figures::school_id,
            status_figures::year,
            status_figures::indicator_id,
            status_figures::value,
        ))
        .load(conn)?;
    let mut years: std::collections::BTreeMap<(i64, std::cmp::Reverse<i32>), Figures> =
        std::collections::BTreeMap::new();
    for (school, year, indicator, value) in rows {
        if let Some(c) = catalogue.code_of(indicator) {
            years
                .entry((school, std::cmp::Reverse(year)))
                .or_default()
                .insert(c.to_owned(), value);
        }
    }
    let indicators = catalogue.indicators();
    Ok(years
        .into_iter()
        .map(|((school, std::cmp::Reverse(year)), mut figures)| {
            figures.extend(derive(&indicators, &figures));
            (school, year, figures.get(code).copied())
        })
        .collect())
}

fn year_end(year: i32) -> Date {
    Date::from_calendar_date(year, Month::December, 31).unwrap_or(Date::MIN)
}

fn with_progress(conn: &mut DbConn, row: Row, today: Date) -> Result<Programme, AppError> {
    let progress = progress_of(conn, &row, today)?;
    Ok(programme(row, &progress))
}

/// What a programme has reached: computed from the province's titles or accepted figures.
pub struct Progress {
    /// schools counted today
    count: i64,
    trend: Vec<YearCount>,
    title_type_code: Option<String>,
}

fn programme(row: Row, progress: &Progress) -> Programme {
    let percent = if row.target_count > 0 {
        progress.count * 100 / i64::from(row.target_count)
    } else {
        0
    };
    Programme {
        id: row.id,
        province_id: row.province_id,
        name: row.name,
        title_type_code: progress.title_type_code.clone(),
        indicator: row.indicator,
        threshold: row.threshold,
        target_count: row.target_count,
        target_date: row.target_date,
        progress: progress.count,
        percent,
        trend: progress.trend.clone(),
        closed_on: row.closed_on,
        version: row.version,
    }
}

fn progress_of(conn: &mut DbConn, row: &Row, today: Date) -> Result<Progress, AppError> {
    let first_year = (row.target_date.year() - 4).min(today.year());
    let last_year = today.year();
    let province_schools = schools::table
        .filter(schools::province_id.eq(row.province_id))
        .select(schools::id);
    let (progress, trend, code) = if let Some(type_id) = row.title_type_id {
        let awarded: Vec<Date> = school_titles::table
            .filter(school_titles::title_type_id.eq(type_id))
            .filter(school_titles::status.eq(HoldingStatus::Active))
            .filter(school_titles::school_id.eq_any(province_schools))
            .select(school_titles::awarded_on)
            .load(conn)?;
        let trend = (first_year..=last_year)
            .map(|year| YearCount {
                year,
                count: awarded.iter().filter(|d| **d <= year_end(year)).count() as i64,
            })
            .collect();
        let code: String = title_types::table
            .find(type_id)
            .select(title_types::code)
            .first(conn)?;
        (
            awarded.iter().filter(|d| **d <= today).count() as i64,
            trend,
            Some(code),
        )
    } else {
        let threshold = row.threshold.unwrap_or(0) as f64;
        let code = row.indicator.clone().unwrap_or_default();
        let figures = accepted_values(conn, row.province_id, &code)?;
        let meets = |year_limit: i32| {
            let mut counted = std::collections::BTreeSet::new();
            let mut seen = std::collections::BTreeSet::new();
            for (school, year, value) in &figures {
                if *year > year_limit || !seen.insert(*school) {
                    continue; // only each school's latest year up to the limit
                }
                if value.is_some_and(|v| v >= threshold) {
                    counted.insert(*school);
                }
            }
            counted.len() as i64
        };
        let trend = (first_year..=last_year)
            .map(|year| YearCount {
                year,
                count: meets(year),
            })
            .collect();
        (meets(today.year()), trend, None)
    };
    Ok(Progress {
        count: progress,
        trend,
        title_type_code: code,
    })
}

//! Provincial programmes: a target (schools holding a title, or meeting an indicator
//! threshold) by a date, with progress counted from the recorded facts and its trend by year.

use diesel::prelude::*;
use serde::Serialize;
use time::{Date, Month};

use crate::auth::policy::Access;
use crate::db::DbConn;
use crate::db::schema::{indicators, programmes, school_titles, schools, title_types};
use crate::domain::Role;
use crate::error::{AppError, Msg};
use crate::store::titles;

/// The indicators a programme may count.
pub const INDICATORS: [&str; 9] = [
    "students",
    "teachers",
    "senior_appraisers",
    "campus_area_m2",
    "building_area_m2",
    "equipment_value_cny",
    "computers",
    "graduates",
    "training_person_times",
];

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
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = indicators, check_for_backend(crate::db::MultiBackend))]
struct YearFigures {
    school_id: i64,
    year: i32,
    students: Option<i64>,
    teachers: Option<i64>,
    senior_appraisers: Option<i64>,
    campus_area_m2: Option<i64>,
    building_area_m2: Option<i64>,
    equipment_value_cny: Option<i64>,
    computers: Option<i64>,
    graduates: Option<i64>,
    training_person_times: Option<i64>,
}

impl YearFigures {
    fn figures(&self) -> crate::domain::indicators::Indicators {
        crate::domain::indicators::Indicators {
            students: self.students,
            teachers: self.teachers,
            senior_appraisers: self.senior_appraisers,
            campus_area_m2: self.campus_area_m2,
            building_area_m2: self.building_area_m2,
            equipment_value_cny: self.equipment_value_cny,
            computers: self.computers,
            graduates: self.graduates,
            training_person_times: self.training_person_times,
        }
    }
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

pub fn create(
    conn: &mut DbConn,
    access: &Access,
    province_id: i64,
    new: &NewProgramme,
    today: Date,
) -> Result<Programme, AppError> {
    if !member(access, province_id) {
        return Err(AppError::NotFound);
    }
    Access::require(access.is_admin() || access.role == Role::ProvinceAdmin)?;
    crate::store::provinces::get(conn, province_id)?;
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

pub fn list(
    conn: &mut DbConn,
    access: &Access,
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
    rows.into_iter()
        .map(|row| with_progress(conn, row, today))
        .collect()
}

fn year_end(year: i32) -> Date {
    Date::from_calendar_date(year, Month::December, 31).unwrap_or(Date::MIN)
}

fn with_progress(conn: &mut DbConn, row: Row, today: Date) -> Result<Programme, AppError> {
    let first_year = (row.target_date.year() - 4).min(today.year());
    let last_year = today.year();
    let province_schools = schools::table
        .filter(schools::province_id.eq(row.province_id))
        .select(schools::id);
    let (progress, trend, code) = if let Some(type_id) = row.title_type_id {
        let awarded: Vec<Date> = school_titles::table
            .filter(school_titles::title_type_id.eq(type_id))
            .filter(school_titles::status.eq("active"))
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
        let threshold = row.threshold.unwrap_or(0);
        let name = row.indicator.clone().unwrap_or_default();
        let rows: Vec<YearFigures> = indicators::table
            .filter(indicators::school_id.eq_any(province_schools))
            .order((indicators::school_id.asc(), indicators::year.desc()))
            .select(YearFigures::as_select())
            .load(conn)?;
        let figures: Vec<(i64, i32, Option<i64>)> = rows
            .into_iter()
            .map(|r| {
                let value = r
                    .figures()
                    .fields()
                    .into_iter()
                    .find(|(n, _)| *n == name)
                    .and_then(|(_, v)| v);
                (r.school_id, r.year, value)
            })
            .collect();
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
    let percent = if row.target_count > 0 {
        progress * 100 / i64::from(row.target_count)
    } else {
        0
    };
    Ok(Programme {
        id: row.id,
        province_id: row.province_id,
        name: row.name,
        title_type_code: code,
        indicator: row.indicator,
        threshold: row.threshold,
        target_count: row.target_count,
        target_date: row.target_date,
        progress,
        percent,
        trend,
    })
}

//! A school's yearly indicators: one row per school and year, replaced as a whole.

use diesel::prelude::*;
use serde::Serialize;
use time::PrimitiveDateTime;

use crate::auth::policy::Access;
use crate::db::schema::indicators as ind;
use crate::db::{DbConn, write_transaction};
use crate::domain::indicators::Indicators;
use crate::error::AppError;
use crate::store::history;
use crate::store::record::{change, json, writable_school};
use crate::store::schools;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = ind, check_for_backend(crate::db::MultiBackend))]
struct Row {
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

/// The indicators of one school and year.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct YearIndicators {
    pub school_id: i64,
    pub year: i32,
    #[serde(flatten)]
    pub figures: Indicators,
}

impl From<Row> for YearIndicators {
    fn from(r: Row) -> Self {
        YearIndicators {
            school_id: r.school_id,
            year: r.year,
            figures: Indicators {
                students: r.students,
                teachers: r.teachers,
                senior_appraisers: r.senior_appraisers,
                campus_area_m2: r.campus_area_m2,
                building_area_m2: r.building_area_m2,
                equipment_value_cny: r.equipment_value_cny,
                computers: r.computers,
                graduates: r.graduates,
                training_person_times: r.training_person_times,
            },
        }
    }
}

fn find(conn: &mut DbConn, school_id: i64, year: i32) -> Result<Option<YearIndicators>, AppError> {
    Ok(ind::table
        .find((school_id, year))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(YearIndicators::from))
}

/// Sets the indicators of a year (creating or replacing them).
pub fn put(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    year: i32,
    figures: &Indicators,
    now: PrimitiveDateTime,
) -> Result<(YearIndicators, bool), AppError> {
    write_transaction(conn, |conn| {
        writable_school(conn, access, school_id)?;
        let before = find(conn, school_id, year)?;
        let values = (
            ind::students.eq(figures.students),
            ind::teachers.eq(figures.teachers),
            ind::senior_appraisers.eq(figures.senior_appraisers),
            ind::campus_area_m2.eq(figures.campus_area_m2),
            ind::building_area_m2.eq(figures.building_area_m2),
            ind::equipment_value_cny.eq(figures.equipment_value_cny),
            ind::computers.eq(figures.computers),
            ind::graduates.eq(figures.graduates),
            ind::training_person_times.eq(figures.training_person_times),
            ind::updated_at.eq(now),
        );
        if before.is_some() {
            diesel::update(ind::table.find((school_id, year)))
                .set(values)
                .execute(conn)?;
        } else {
            diesel::insert_into(ind::table)
                .values((ind::school_id.eq(school_id), ind::year.eq(year), values))
                .execute(conn)?;
        }
        let after = find(conn, school_id, year)?.ok_or(AppError::NotFound)?;
        crate::store::peers::refresh_school_metrics(conn, school_id)?;
        history::record(
            conn,
            change(
                access,
                school_id,
                "indicators.set",
                "indicators",
                i64::from(year),
                before.as_ref().and_then(json),
                json(&after),
            ),
            now,
        )?;
        Ok((after, before.is_none()))
    })
}

/// A school's indicators, newest year first.
pub fn list(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
) -> Result<Vec<YearIndicators>, AppError> {
    schools::get(conn, access, school_id)?;
    Ok(ind::table
        .filter(ind::school_id.eq(school_id))
        .order(ind::year.desc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(YearIndicators::from)
        .collect())
}

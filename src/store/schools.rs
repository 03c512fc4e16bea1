//! Schools: the tenants.

use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConn;
use crate::db::schema::schools;
use crate::error::AppError;

#[derive(Clone, Debug, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = schools, check_for_backend(crate::db::MultiBackend))]
pub struct School {
    pub id: i64,
    pub province_id: i64,
    pub name: String,
    pub name_zh: Option<String>,
    pub city: String,
    pub kind: String,
    pub founded_year: Option<i32>,
    pub version: i64,
}

pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<School>, AppError> {
    Ok(schools::table
        .find(id)
        .select(School::as_select())
        .first(conn)
        .optional()?)
}

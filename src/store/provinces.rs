//! Provinces: the groups of schools that one bureau reviews.

use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConn;
use crate::db::schema::provinces;
use crate::error::AppError;

#[derive(Clone, Debug, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = provinces, check_for_backend(crate::db::MultiBackend))]
pub struct Province {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub name_zh: Option<String>,
}

pub fn find_by_code(conn: &mut DbConn, code: &str) -> Result<Option<Province>, AppError> {
    Ok(provinces::table
        .filter(provinces::code.eq(code.trim().to_uppercase()))
        .select(Province::as_select())
        .first(conn)
        .optional()?)
}

pub fn exists(conn: &mut DbConn, id: i64) -> Result<bool, AppError> {
    let count: i64 = provinces::table
        .filter(provinces::id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

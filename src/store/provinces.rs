//! Provinces: the groups of schools that one bureau reviews. Every signed-in user may
//! list them; only an admin creates them.

use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConn;
use crate::db::schema::provinces;
use crate::domain::access::Access;
use crate::error::{AppError, Msg};

#[derive(Clone, Debug, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = provinces, check_for_backend(crate::db::MultiBackend))]
pub struct Province {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub name_zh: Option<String>,
}

/// A province before it is stored: its code is upper-case letters and digits.
#[derive(Debug)]
pub struct NewProvince {
    pub code: String,
    pub name: String,
    pub name_zh: Option<String>,
}

pub fn parse_code(raw: &str) -> Result<String, Msg> {
    // Judged before the case is changed: `to_uppercase` makes ASCII of some letters that are
    // not (`ß` becomes `SS`).
    let code = raw.trim();
    if code.len() < 2 || code.len() > 10 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Msg::ProvinceCode);
    }
    Ok(code.to_ascii_uppercase())
}

pub fn create(conn: &mut DbConn, access: &Access, new: &NewProvince) -> Result<Province, AppError> {
    Access::require(access.is_admin())?;
    let id: i64 = diesel::insert_into(provinces::table)
        .values((
            provinces::code.eq(&new.code),
            provinces::name.eq(&new.name),
            provinces::name_zh.eq(&new.name_zh),
        ))
        .returning(provinces::id)
        .get_result(conn)
        .map_err(|e| match AppError::from(e) {
            AppError::Conflict { .. } => {
                AppError::conflict("duplicate_code", Msg::DuplicateProvince)
            }
            other => other,
        })?;
    get(conn, id)
}

/// Every province's id, in id order (rebuilding what is kept, province by province).
pub fn ids(conn: &mut DbConn) -> Result<Vec<i64>, AppError> {
    Ok(provinces::table
        .order(provinces::id.asc())
        .select(provinces::id)
        .load(conn)?)
}

pub fn list(conn: &mut DbConn) -> Result<Vec<Province>, AppError> {
    Ok(provinces::table
        .order(provinces::code.asc())
        .select(Province::as_select())
        .load(conn)?)
}

pub fn get(conn: &mut DbConn, id: i64) -> Result<Province, AppError> {
    Ok(provinces::table
        .find(id)
        .select(Province::as_select())
        .first(conn)?)
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

/// A province's version numbers, raised by `app::derived` in the transaction of every
/// write that changes what they stand for.
#[derive(Clone, Copy, Debug)]
pub enum Version {
    /// the facts its schools are compared on
    Data,
    /// what its collection rounds show
    Round,
    /// its schools' kept deadlines (`deadline_items`)
    Deadlines,
}

/// Raises one of a province's version numbers.
pub fn raise(conn: &mut DbConn, province: i64, which: Version) -> Result<(), AppError> {
    let target = diesel::update(provinces::table.find(province));
    match which {
        Version::Data => target
            .set(provinces::data_version.eq(provinces::data_version + 1))
            .execute(conn)?,
        Version::Round => target
            .set(provinces::round_version.eq(provinces::round_version + 1))
            .execute(conn)?,
        Version::Deadlines => target
            .set(provinces::deadline_version.eq(provinces::deadline_version + 1))
            .execute(conn)?,
    };
    Ok(())
}

/// One of a province's version numbers (0 for a province not found).
pub fn version(conn: &mut DbConn, province: i64, which: Version) -> Result<i64, AppError> {
    let query = provinces::table.find(province);
    let found = match which {
        Version::Data => query.select(provinces::data_version).first(conn),
        Version::Round => query.select(provinces::round_version).first(conn),
        Version::Deadlines => query.select(provinces::deadline_version).first(conn),
    };
    Ok(found.optional()?.unwrap_or(0))
}

/// How many provinces there are.
pub fn count(conn: &mut DbConn) -> Result<i64, AppError> {
    Ok(provinces::table.count().get_result(conn)?)
}

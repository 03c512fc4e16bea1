//! Consulting grants: a school lets a consulting school read its records for a period, with
//! or without its evidence files. A grant never lets anyone write; it can be revoked at once;
//! every read under it is recorded in the history.

use diesel::prelude::*;
use serde::Serialize;
use time::{Date, PrimitiveDateTime};

use crate::db::schema::{consulting_grants as grants, schools};
use crate::db::{DbConn, natively};
use crate::domain::Role;
use crate::domain::access::Access;
use crate::domain::history::{Action, Journal};
use crate::error::{AppError, Msg};
use crate::store::record::{change, json};

#[derive(Clone, Debug, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = grants, check_for_backend(crate::db::MultiBackend))]
pub struct Grant {
    pub id: i64,
    pub granting_school_id: i64,
    pub consultant_school_id: i64,
    /// the last day of the grant
    #[schema(value_type = String, format = Date)]
    pub until: Date,
    pub include_evidence: bool,
    #[serde(skip)]
    pub created_by: Option<i64>,
    #[serde(serialize_with = "crate::clock::serialize_opt_timestamp")]
    #[schema(value_type = Option<String>)]
    pub revoked_at: Option<PrimitiveDateTime>,
}

/// The schools a school may read today under grants: (granting school, with evidence?).
pub fn active_for(
    conn: &mut DbConn,
    consultant_school_id: i64,
    today: Date,
) -> Result<Vec<(i64, bool)>, AppError> {
    // In every signed-in request of a school's people: on the backend's own connection.
    Ok(natively!(conn, |c| grants::table
        .filter(grants::consultant_school_id.eq(consultant_school_id))
        .filter(grants::revoked_at.is_null())
        .filter(grants::until.ge(today))
        .select((grants::granting_school_id, grants::include_evidence))
        .load(c))?)
}

/// The schools on the other side of a consulting grant with `school_id`, either way, in
/// force or ended (or revoked) on or after `since`.
pub fn related_schools(
    conn: &mut DbConn,
    school_id: i64,
    since: Date,
) -> Result<Vec<i64>, AppError> {
    let since_moment = time::PrimitiveDateTime::new(since, time::Time::MIDNIGHT);
    let rows: Vec<(i64, i64)> = grants::table
        .filter(
            grants::granting_school_id
                .eq(school_id)
                .or(grants::consultant_school_id.eq(school_id)),
        )
        .filter(grants::until.ge(since))
        .filter(
            grants::revoked_at
                .is_null()
                .or(grants::revoked_at.ge(since_moment)),
        )
        .select((grants::granting_school_id, grants::consultant_school_id))
        .load(conn)?;
    let mut others: Vec<i64> = rows
        .into_iter()
        .map(|(granting, consultant)| {
            if granting == school_id {
                consultant
            } else {
                granting
            }
        })
        .collect();
    others.sort_unstable();
    others.dedup();
    Ok(others)
}

pub fn officer_of(access: &Access, school_id: i64) -> bool {
    access.role == Role::QualityOfficer && access.school_id == Some(school_id)
}

/// What a school grants.
#[derive(Clone, Copy, Debug)]
pub struct NewGrant {
    pub consultant_school_id: i64,
    pub until: Date,
    pub include_evidence: bool,
}

/// The school an officer means by `text` on the grant form: its number, or part of its name
/// (English or Chinese) that exactly one other school of the same province has. Only the
/// school's officer may ask (others learn nothing of the province's schools).
pub fn find_consultant(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    text: &str,
) -> Result<i64, AppError> {
    crate::store::schools::get(conn, access, school_id)?;
    Access::require(officer_of(access, school_id))?;
    let text = text.trim();
    if let Ok(id) = text.parse::<i64>() {
        return Ok(id);
    }
    if text.is_empty() {
        return Err(AppError::field(
            "consultant_school_id",
            Msg::ConsultantMissing,
        ));
    }
    let province: i64 = schools::table
        .find(school_id)
        .select(schools::province_id)
        .first(conn)?;
    let found: Vec<i64> = schools::table
        .filter(schools::province_id.eq(province))
        .filter(schools::id.ne(school_id))
        .filter(crate::store::schools::name_contains!(text))
        .select(schools::id)
        .limit(2)
        .load(conn)?;
    match found[..] {
        [id] => Ok(id),
        [] => Err(AppError::field(
            "consultant_school_id",
            Msg::ConsultantUnknown,
        )),
        _ => Err(AppError::field(
            "consultant_school_id",
            Msg::ConsultantAmbiguous,
        )),
    }
}

/// The school's officer grants a consulting school read access.
pub fn create(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    school_id: i64,
    new: &NewGrant,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<Grant, AppError> {
    let NewGrant {
        consultant_school_id,
        until,
        include_evidence,
    } = *new;
    crate::store::schools::get(conn, access, school_id)?;
    Access::require(officer_of(access, school_id))?;
    let exists: i64 = schools::table
        .filter(schools::id.eq(consultant_school_id))
        .count()
        .get_result(conn)?;
    if exists == 0 || consultant_school_id == school_id {
        return Err(AppError::field("consultant_school_id", Msg::NoOtherSchool));
    }
    if until < today {
        return Err(AppError::field("until", Msg::InPast));
    }
    let id: i64 = diesel::insert_into(grants::table)
        .values((
            grants::granting_school_id.eq(school_id),
            grants::consultant_school_id.eq(consultant_school_id),
            grants::until.eq(until),
            grants::include_evidence.eq(include_evidence),
            grants::created_by.eq(access.actor_id()),
            grants::created_at.eq(now),
        ))
        .returning(grants::id)
        .get_result(conn)?;
    let grant: Grant = grants::table
        .find(id)
        .select(Grant::as_select())
        .first(conn)?;
    journal.record(change(
        access,
        school_id,
        Action::GrantCreate,
        id,
        None,
        json(&grant),
        now,
    ));
    Ok(grant)
}

/// The grants a school has given, newest first (its officer).
pub fn list(conn: &mut DbConn, access: &Access, school_id: i64) -> Result<Vec<Grant>, AppError> {
    crate::store::schools::get(conn, access, school_id)?;
    Access::require(officer_of(access, school_id))?;
    Ok(grants::table
        .filter(grants::granting_school_id.eq(school_id))
        .order(grants::id.desc())
        .select(Grant::as_select())
        .load(conn)?)
}

/// Revokes a grant at once (the granting school's officer).
pub fn revoke(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    id: i64,
    now: PrimitiveDateTime,
) -> Result<(), AppError> {
    let grant: Grant = grants::table
        .find(id)
        .select(Grant::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    crate::store::schools::get(conn, access, grant.granting_school_id)?;
    Access::require(officer_of(access, grant.granting_school_id))?;
    if grant.revoked_at.is_none() {
        diesel::update(grants::table.find(id))
            .set(grants::revoked_at.eq(now))
            .execute(conn)?;
        journal.record(change(
            access,
            grant.granting_school_id,
            Action::GrantRevoke,
            id,
            json(&grant),
            None,
            now,
        ));
    }
    Ok(())
}

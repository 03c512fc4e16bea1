//! Evaluation standards (`standards`, `standard_criteria`): written once, never changed (a
//! revision is a new version), read by everyone signed in: the national ones, and their own
//! province's. Another province's standard answers 404.

use diesel::dsl::{count_star, exists};
use diesel::prelude::*;
use serde::Serialize;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::{evaluations, schools, standard_criteria, standards, title_types};
use crate::domain::Role;
use crate::domain::access::Access;
use crate::domain::history::{Action, Change, Journal};
use crate::domain::standard::{Criterion, Points};
use crate::error::{AppError, Msg};

crate::vocabulary!(
    /// Whose standard it is: the ministry's (national) or a province's.
    StandardScope {
        National => "national",
        Provincial => "provincial",
    }
);

/// A standard as checked, ready to be written.
#[derive(Clone, Debug)]
pub struct NewStandard {
    pub code: String,
    pub version: i32,
    pub name: String,
    pub name_zh: Option<String>,
    pub province_id: Option<i64>,
    pub title_type_code: Option<String>,
    pub pass_points: Points,
    pub criteria: Vec<Criterion>,
}

/// One criterion of a standard, as read.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CriterionView {
    /// its number in the standard, e.g. `2.3`
    #[serde(rename = "ref")]
    pub reference: String,
    pub parent_ref: Option<String>,
    pub name: String,
    pub name_zh: Option<String>,
    /// an item's points, a group's sum of its items'; none for a veto item
    #[schema(value_type = Option<f64>)]
    pub max_points: Option<Points>,
    /// a veto item (否决项): judged met or not met; failing one fails the evaluation
    pub veto: bool,
    /// the standard to meet and the scoring rule (评分办法)
    pub guidance: Option<String>,
    /// the materials kept for checking (备查材料)
    pub evidence_expected: Option<String>,
    /// 0 for a top-level group or item
    pub depth: u32,
    /// an item without sub-items: scored, or a veto item
    pub leaf: bool,
}

/// A standard with its criteria in their order.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Standard {
    pub id: i64,
    pub code: String,
    pub version: i32,
    pub name: String,
    pub name_zh: Option<String>,
    pub scope: StandardScope,
    pub province_id: Option<i64>,
    pub title_type_code: Option<String>,
    /// the sum of the scored items' points
    #[schema(value_type = f64)]
    pub total_points: Points,
    #[schema(value_type = f64)]
    pub pass_points: Points,
    pub criteria: Vec<CriterionView>,
    /// an evaluation is scored against it (it would never change anyway)
    pub in_use: bool,
}

/// A standard in a list: without its criteria.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StandardSummary {
    pub id: i64,
    pub code: String,
    pub version: i32,
    pub name: String,
    pub name_zh: Option<String>,
    pub scope: StandardScope,
    pub province_id: Option<i64>,
    pub title_type_code: Option<String>,
    #[schema(value_type = f64)]
    pub total_points: Points,
    #[schema(value_type = f64)]
    pub pass_points: Points,
    pub criteria_count: i64,
    pub in_use: bool,
}

type Head = (
    i64,
    String,
    i32,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    i32,
    i32,
);

/// Which standards a reader sees besides the national ones: `None` for every province's
/// (an admin), else the reader's province (that of their school for school users).
fn readable_province(conn: &mut DbConn, access: &Access) -> Result<Option<Option<i64>>, AppError> {
    if access.role == Role::Admin {
        return Ok(None);
    }
    if let Some(province) = access.province_id {
        return Ok(Some(Some(province)));
    }
    let Some(school) = access.school_id else {
        return Ok(Some(None));
    };
    let province: Option<i64> = schools::table
        .find(school)
        .select(schools::province_id)
        .first(conn)
        .optional()?;
    Ok(Some(province))
}

/// Who may write a standard of `province` (none: national): an admin any; a province admin
/// their own province's.
pub fn may_write(access: &Access, province: Option<i64>) -> Result<(), AppError> {
    match access.role {
        Role::Admin => Ok(()),
        Role::ProvinceAdmin if province.is_some() && province == access.province_id => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

fn in_use(conn: &mut DbConn, id: i64) -> Result<bool, AppError> {
    Ok(diesel::select(exists(
        evaluations::table.filter(evaluations::standard_id.eq(id)),
    ))
    .get_result(conn)?)
}

fn scope_of(province: Option<i64>) -> StandardScope {
    if province.is_some() {
        StandardScope::Provincial
    } else {
        StandardScope::National
    }
}

/// Reads the heads of the standards the reader sees, newest first within a code.
fn heads(conn: &mut DbConn, access: &Access, id: Option<i64>) -> Result<Vec<Head>, AppError> {
    let mut query = standards::table
        .left_join(title_types::table)
        .select((
            standards::id,
            standards::code,
            standards::version,
            standards::name,
            standards::name_zh,
            standards::province_id,
            title_types::code.nullable(),
            standards::total_half_points,
            standards::pass_half_points,
        ))
        .into_boxed();
    if let Some(id) = id {
        query = query.filter(standards::id.eq(id));
    }
    match readable_province(conn, access)? {
        None => {}
        Some(Some(province)) => {
            query = query.filter(
                standards::province_id
                    .is_null()
                    .or(standards::province_id.eq(province)),
            )
        }
        Some(None) => query = query.filter(standards::province_id.is_null()),
    }
    Ok(query
        // National first (NULLs sort apart on the two databases), then by province.
        .order((
            standards::province_id.is_not_null().asc(),
            standards::province_id.asc(),
            standards::code.asc(),
            standards::version.desc(),
        ))
        .load(conn)?)
}

fn points(halves: i32) -> Points {
    Points::from_halves(u32::try_from(halves).unwrap_or(0))
}

/// Every standard the reader may see: national ones first, then their province's.
pub fn list(conn: &mut DbConn, access: &Access) -> Result<Vec<StandardSummary>, AppError> {
    let heads = heads(conn, access, None)?;
    let ids: Vec<i64> = heads.iter().map(|h| h.0).collect();
    let counts: std::collections::HashMap<i64, i64> = standard_criteria::table
        .filter(standard_criteria::standard_id.eq_any(&ids))
        .group_by(standard_criteria::standard_id)
        .select((standard_criteria::standard_id, count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let used: std::collections::HashSet<i64> = evaluations::table
        .filter(evaluations::standard_id.eq_any(&ids))
        .select(evaluations::standard_id)
        .distinct()
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    Ok(heads
        .into_iter()
        .map(
            |(id, code, version, name, name_zh, province_id, title_type_code, total, pass)| {
                StandardSummary {
                    id,
                    code,
                    version,
                    name,
                    name_zh,
                    scope: scope_of(province_id),
                    province_id,
                    title_type_code,
                    total_points: points(total),
                    pass_points: points(pass),
                    criteria_count: counts.get(&id).copied().unwrap_or(0),
                    in_use: used.contains(&id),
                }
            },
        )
        .collect())
}

type CriterionRow = (
    String,
    Option<String>,
    String,
    Option<String>,
    Option<i32>,
    bool,
    Option<String>,
    Option<String>,
);

/// One standard with its criteria (404 when the reader may not see it).
pub fn get(conn: &mut DbConn, access: &Access, id: i64) -> Result<Standard, AppError> {
    let (id, code, version, name, name_zh, province_id, title_type_code, total, pass) =
        heads(conn, access, Some(id))?
            .into_iter()
            .next()
            .ok_or(AppError::NotFound)?;
    let rows: Vec<CriterionRow> = standard_criteria::table
        .filter(standard_criteria::standard_id.eq(id))
        .order(standard_criteria::position.asc())
        .select((
            standard_criteria::ref_,
            standard_criteria::parent_ref,
            standard_criteria::name,
            standard_criteria::name_zh,
            standard_criteria::max_half_points,
            standard_criteria::veto,
            standard_criteria::guidance,
            standard_criteria::evidence_expected,
        ))
        .load(conn)?;
    Ok(Standard {
        id,
        code,
        version,
        name,
        name_zh,
        scope: scope_of(province_id),
        province_id,
        title_type_code,
        total_points: points(total),
        pass_points: points(pass),
        criteria: views(rows),
        in_use: in_use(conn, id)?,
    })
}

/// The criteria as read, with their depth and whether each is a leaf.
fn views(rows: Vec<CriterionRow>) -> Vec<CriterionView> {
    let parents: std::collections::HashMap<String, Option<String>> =
        rows.iter().map(|r| (r.0.clone(), r.1.clone())).collect();
    let with_children: std::collections::HashSet<&str> =
        rows.iter().filter_map(|r| r.1.as_deref()).collect();
    let depth = |reference: &str| {
        let mut depth = 0;
        let mut at = parents.get(reference).cloned().flatten();
        while let Some(p) = at {
            depth += 1;
            if depth > parents.len() as u32 {
                break;
            }
            at = parents.get(&p).cloned().flatten();
        }
        depth
    };
    rows.iter()
        .map(|r| CriterionView {
            reference: r.0.clone(),
            parent_ref: r.1.clone(),
            name: r.2.clone(),
            name_zh: r.3.clone(),
            max_points: r.4.map(points),
            veto: r.5,
            guidance: r.6.clone(),
            evidence_expected: r.7.clone(),
            depth: depth(&r.0),
            leaf: !with_children.contains(r.0.as_str()),
        })
        .collect()
}

/// The standards for a title type that a school of `province` may be evaluated by: the
/// province's and the national ones, as (id, province, version).
pub fn standards_for_type(
    conn: &mut DbConn,
    title_type: i64,
    province: i64,
) -> Result<Vec<(i64, Option<i64>, i32)>, AppError> {
    Ok(standards::table
        .filter(standards::title_type_id.eq(title_type))
        .filter(
            standards::province_id
                .is_null()
                .or(standards::province_id.eq(province)),
        )
        .select((standards::id, standards::province_id, standards::version))
        .load(conn)?)
}

/// The title type a standard scores, if the standard exists (`Some(None)`: none named).
pub fn title_type_of(conn: &mut DbConn, id: i64) -> Result<Option<Option<i64>>, AppError> {
    Ok(standards::table
        .find(id)
        .select(standards::title_type_id)
        .first(conn)
        .optional()?)
}

/// Writes a new standard (or a new version of one): 409 when its code already has that
/// version; 422 when the title type or the province is unknown.
pub fn create(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    new: &NewStandard,
    now: PrimitiveDateTime,
) -> Result<Standard, AppError> {
    may_write(access, new.province_id)?;
    let title_type_id = match new.title_type_code.as_deref() {
        None => None,
        Some(code) => Some(
            crate::store::titles::find_type(conn, code)?
                .ok_or_else(|| AppError::field("title_type_code", Msg::NoTitle))?
                .id,
        ),
    };
    if let Some(province) = new.province_id
        && !crate::store::provinces::exists(conn, province)?
    {
        return Err(AppError::field("province_id", Msg::NoProvince));
    }
    let taken: bool = diesel::select(exists(
        standards::table
            .filter(standards::code.eq(&new.code))
            .filter(standards::version.eq(new.version)),
    ))
    .get_result(conn)?;
    if taken {
        return Err(AppError::conflict_of(Msg::StandardVersionTaken {
            code: new.code.clone(),
            version: new.version,
        }));
    }
    let total = crate::domain::standard::total(&new.criteria);
    if new.pass_points > total {
        return Err(AppError::field(
            "pass_points",
            Msg::PassAboveTotal {
                total: total.text(),
            },
        ));
    }
    let halves = |p: Points| i32::try_from(p.halves()).unwrap_or(i32::MAX);
    diesel::insert_into(standards::table)
        .values((
            standards::code.eq(&new.code),
            standards::version.eq(new.version),
            standards::name.eq(&new.name),
            standards::name_zh.eq(&new.name_zh),
            standards::province_id.eq(new.province_id),
            standards::title_type_id.eq(title_type_id),
            standards::total_half_points.eq(halves(total)),
            standards::pass_half_points.eq(halves(new.pass_points)),
            standards::created_by.eq(access.actor_id()),
            standards::created_at.eq(now),
        ))
        .execute(conn)?;
    let id: i64 = standards::table
        .filter(standards::code.eq(&new.code))
        .filter(standards::version.eq(new.version))
        .select(standards::id)
        .first(conn)?;
    for (position, c) in new.criteria.iter().enumerate() {
        diesel::insert_into(standard_criteria::table)
            .values((
                standard_criteria::standard_id.eq(id),
                standard_criteria::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
                standard_criteria::ref_.eq(&c.reference),
                standard_criteria::parent_ref.eq(&c.parent_ref),
                standard_criteria::name.eq(&c.name),
                standard_criteria::name_zh.eq(&c.name_zh),
                standard_criteria::max_half_points.eq(c.max_points.map(halves)),
                standard_criteria::veto.eq(c.veto),
                standard_criteria::guidance.eq(&c.guidance),
                standard_criteria::evidence_expected.eq(&c.evidence_expected),
            ))
            .execute(conn)?;
    }
    let written = get(conn, &Access::store_reader(), id)?;
    journal.record(Change {
        actor_id: access.actor_id(),
        school_id: None,
        action: Action::StandardCreate,
        entity_id: id,
        before: None,
        after: crate::store::record::json(&StandardSummary {
            id,
            code: written.code.clone(),
            version: written.version,
            name: written.name.clone(),
            name_zh: written.name_zh.clone(),
            scope: written.scope,
            province_id: written.province_id,
            title_type_code: written.title_type_code.clone(),
            total_points: written.total_points,
            pass_points: written.pass_points,
            criteria_count: written.criteria.len() as i64,
            in_use: false,
        }),
        at: now,
    });
    Ok(written)
}

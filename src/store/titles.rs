//! The title catalogue (admins keep it) and the titles each school holds (the province
//! registers them), with each holding's next re-evaluation computed from the catalogue.

use diesel::prelude::*;
use serde::Serialize;
use time::{Date, PrimitiveDateTime};

use crate::db::DbConn;
use crate::db::schema::{school_titles, title_types};
use crate::domain::access::Access;
use crate::domain::dates::{ReevaluationState, next_reevaluation, reevaluation_state};
use crate::domain::history::{Action, Journal};
use crate::domain::quality::{HoldingStatus, TitleLevel, TitleSettlement};
use crate::error::{AppError, Msg};
use crate::store::record::{change, json};
use crate::store::schools;

#[derive(Clone, Debug, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = title_types, check_for_backend(crate::db::MultiBackend))]
pub struct TitleType {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub name_zh: Option<String>,
    pub level: TitleLevel,
    pub awarding_body: String,
    /// none: a permanent title
    pub reevaluation_interval_months: Option<i32>,
}

#[derive(Debug)]
pub struct NewTitleType {
    pub code: String,
    pub name: String,
    pub name_zh: Option<String>,
    pub level: TitleLevel,
    pub awarding_body: String,
    pub reevaluation_interval_months: Option<i32>,
}

/// A catalogue code: lower-case letters, digits and underscores.
pub fn parse_code(raw: &str) -> Result<String, Msg> {
    // Judged before the case is changed: `to_lowercase` makes ASCII of some letters that are
    // not (the Kelvin sign becomes `k`).
    let code = raw.trim();
    let ok = (2..=80).contains(&code.len())
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(code.to_ascii_lowercase())
    } else {
        Err(Msg::CatalogueCode)
    }
}

pub fn create_type(
    conn: &mut DbConn,
    access: &Access,
    new: &NewTitleType,
) -> Result<TitleType, AppError> {
    Access::require(access.is_admin())?;
    let id: i64 = diesel::insert_into(title_types::table)
        .values((
            title_types::code.eq(&new.code),
            title_types::name.eq(&new.name),
            title_types::name_zh.eq(&new.name_zh),
            title_types::level.eq(new.level),
            title_types::awarding_body.eq(&new.awarding_body),
            title_types::reevaluation_interval_months.eq(new.reevaluation_interval_months),
        ))
        .returning(title_types::id)
        .get_result(conn)
        .map_err(|e| match AppError::from(e) {
            AppError::Conflict { .. } => {
                AppError::conflict("duplicate_code", Msg::DuplicateTitleType)
            }
            other => other,
        })?;
    Ok(title_types::table
        .find(id)
        .select(TitleType::as_select())
        .first(conn)?)
}

pub fn list_types(conn: &mut DbConn) -> Result<Vec<TitleType>, AppError> {
    Ok(title_types::table
        .order((title_types::level.asc(), title_types::code.asc()))
        .select(TitleType::as_select())
        .load(conn)?)
}

/// The catalogue's title of a code, matched as codes are stored: trimmed, in lower case
/// (`NKTS` names `nkts`, as everywhere a code is taken).
/// The code of a title type, by id.
pub fn type_code(conn: &mut DbConn, type_id: i64) -> Result<String, AppError> {
    Ok(title_types::table
        .find(type_id)
        .select(title_types::code)
        .first(conn)?)
}

pub fn find_type(conn: &mut DbConn, code: &str) -> Result<Option<TitleType>, AppError> {
    Ok(title_types::table
        .filter(title_types::code.eq(code.trim().to_lowercase()))
        .select(TitleType::as_select())
        .first(conn)
        .optional()?)
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = school_titles, check_for_backend(crate::db::MultiBackend))]
struct HoldingRow {
    id: i64,
    school_id: i64,
    awarded_on: Date,
    last_evaluated_on: Option<Date>,
    status: HoldingStatus,
    version: i64,
    settlement: Option<TitleSettlement>,
    transferred_from: Option<i64>,
}

/// A title a school holds, with its re-evaluation date and state as of today.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TitleHolding {
    pub id: i64,
    pub school_id: i64,
    pub title_type_code: String,
    pub title_name: String,
    pub title_name_zh: Option<String>,
    pub level: TitleLevel,
    #[schema(value_type = String, format = Date)]
    pub awarded_on: Date,
    #[schema(value_type = Option<String>, format = Date)]
    pub last_evaluated_on: Option<Date>,
    pub status: HoldingStatus,
    #[schema(value_type = Option<String>, format = Date)]
    pub next_reevaluation_due: Option<Date>,
    pub reevaluation_state: ReevaluationState,
    pub version: i64,
    /// for a title of a merged or closed school: what the province decided (`transferred`
    /// to the successor, `ended`, `kept` as history); null while undecided
    pub settlement: Option<TitleSettlement>,
    /// the merged school a transferred title came from
    pub transferred_from: Option<i64>,
}

fn holding(row: HoldingRow, kind: TitleType, today: Date) -> TitleHolding {
    let interval = kind
        .reevaluation_interval_months
        .and_then(|m| u32::try_from(m).ok());
    let due = next_reevaluation(row.awarded_on, row.last_evaluated_on, interval);
    // A suspended, revoked, ended or kept title is not re-evaluated.
    let state = if row.status == HoldingStatus::Active
        && !matches!(
            row.settlement,
            Some(TitleSettlement::Ended | TitleSettlement::Kept)
        ) {
        reevaluation_state(due, today)
    } else {
        ReevaluationState::None
    };
    TitleHolding {
        id: row.id,
        school_id: row.school_id,
        title_type_code: kind.code,
        title_name: kind.name,
        title_name_zh: kind.name_zh,
        level: kind.level,
        awarded_on: row.awarded_on,
        last_evaluated_on: row.last_evaluated_on,
        status: row.status,
        next_reevaluation_due: due,
        reevaluation_state: state,
        version: row.version,
        settlement: row.settlement,
        transferred_from: row.transferred_from,
    }
}

#[derive(Debug)]
pub struct NewHolding {
    pub title_type_code: String,
    pub awarded_on: Date,
    pub last_evaluated_on: Option<Date>,
}

/// Records that a school holds a title (a registration, or an approved application).
/// Called inside the caller's transaction, after its permission checks.
pub fn award(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    school_id: i64,
    new: &NewHolding,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<TitleHolding, AppError> {
    let kind = find_type(conn, &new.title_type_code)?
        .ok_or_else(|| AppError::field("title_type_code", Msg::NoTitle))?;
    let taken: i64 = school_titles::table
        .filter(school_titles::school_id.eq(school_id))
        .filter(school_titles::title_type_id.eq(kind.id))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(AppError::conflict("duplicate_title", Msg::TitleHeld));
    }
    let id: i64 = diesel::insert_into(school_titles::table)
        .values((
            school_titles::school_id.eq(school_id),
            school_titles::title_type_id.eq(kind.id),
            school_titles::awarded_on.eq(new.awarded_on),
            school_titles::last_evaluated_on.eq(new.last_evaluated_on),
            school_titles::status.eq(HoldingStatus::Active),
            school_titles::created_at.eq(now),
            school_titles::updated_at.eq(now),
        ))
        .returning(school_titles::id)
        .get_result(conn)?;
    let created = get_holding(conn, id, today)?;
    journal.record(change(
        access,
        school_id,
        Action::TitleAward,
        id,
        None,
        json(&created),
        now,
    ));
    Ok(created)
}

fn get_holding(conn: &mut DbConn, id: i64, today: Date) -> Result<TitleHolding, AppError> {
    let (row, kind): (HoldingRow, TitleType) = school_titles::table
        .inner_join(title_types::table)
        .filter(school_titles::id.eq(id))
        .select((HoldingRow::as_select(), TitleType::as_select()))
        .first(conn)?;
    Ok(holding(row, kind, today))
}

/// The titles of a school the caller may read, national first.
pub fn list_holdings(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    today: Date,
) -> Result<Vec<TitleHolding>, AppError> {
    schools::get(conn, access, school_id)?;
    let rows: Vec<(HoldingRow, TitleType)> = school_titles::table
        .inner_join(title_types::table)
        .filter(school_titles::school_id.eq(school_id))
        .order((title_types::level.asc(), school_titles::awarded_on.asc()))
        .select((HoldingRow::as_select(), TitleType::as_select()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(row, kind)| holding(row, kind, today))
        .collect())
}

/// Changes to a holding by the province: its status, or a re-evaluation recorded by hand.
#[derive(Debug, Default)]
pub struct HoldingPatch {
    pub status: Option<HoldingStatus>,
    pub last_evaluated_on: Option<Date>,
    pub version: Option<i64>,
}

/// The holding, if the caller may read its school.
pub fn get_holding_scoped(
    conn: &mut DbConn,
    access: &Access,
    id: i64,
    today: Date,
) -> Result<TitleHolding, AppError> {
    let holding = school_titles::table
        .find(id)
        .select(HoldingRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    schools::get(conn, access, holding.school_id)?;
    get_holding(conn, id, today)
}

pub fn update_holding(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    id: i64,
    patch: &HoldingPatch,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<TitleHolding, AppError> {
    let before = get_holding_scoped(conn, access, id, today)?;
    let school = schools::get(conn, access, before.school_id)?;
    Access::require(access.administers_province(school.province_id))?;
    crate::store::record::check_version(patch.version, before.version)?;
    if let Some(day) = patch.last_evaluated_on {
        if day < before.awarded_on {
            return Err(AppError::field("last_evaluated_on", Msg::BeforeAward));
        }
        if day > today {
            return Err(AppError::field("last_evaluated_on", Msg::InFuture));
        }
    }
    diesel::update(school_titles::table.find(id))
        .set((
            school_titles::status.eq(patch.status.unwrap_or(before.status)),
            school_titles::last_evaluated_on
                .eq(patch.last_evaluated_on.or(before.last_evaluated_on)),
            school_titles::version.eq(before.version + 1),
            school_titles::updated_at.eq(now),
        ))
        .execute(conn)?;
    let after = get_holding(conn, id, today)?;
    journal.record(change(
        access,
        after.school_id,
        Action::TitleUpdate,
        id,
        json(&before),
        json(&after),
        now,
    ));
    Ok(after)
}

/// Records a re-evaluation on `day` (an approved re-evaluation submission).
pub fn record_reevaluation(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    holding_id: i64,
    day: Date,
    now: PrimitiveDateTime,
) -> Result<TitleHolding, AppError> {
    let before = get_holding(conn, holding_id, day)?;
    diesel::update(school_titles::table.find(holding_id))
        .set((
            school_titles::last_evaluated_on.eq(day),
            school_titles::version.eq(before.version + 1),
            school_titles::updated_at.eq(now),
        ))
        .execute(conn)?;
    let after = get_holding(conn, holding_id, day)?;
    journal.record(change(
        access,
        after.school_id,
        Action::TitleReevaluate,
        holding_id,
        json(&before),
        json(&after),
        now,
    ));
    Ok(after)
}

/// Settles a title of a merged or closed school as its province decided: `Transferred` to
/// `successor` (the title then belongs to it, with its dates, and names where it came
/// from), `Ended`, or `Kept` as history. Noted on the school's record and, for a
/// transfer, on the successor's. Inside the caller's transaction, after its checks.
#[allow(clippy::too_many_arguments)]
pub fn settle(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    before: &TitleHolding,
    how: TitleSettlement,
    successor: Option<i64>,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<TitleHolding, AppError> {
    let (school_id, from, action) = match (how, successor) {
        (TitleSettlement::Transferred, Some(successor)) => {
            let kind = find_type(conn, &before.title_type_code)?.ok_or(AppError::NotFound)?;
            let taken: i64 = school_titles::table
                .filter(school_titles::school_id.eq(successor))
                .filter(school_titles::title_type_id.eq(kind.id))
                .count()
                .get_result(conn)?;
            if taken > 0 {
                return Err(AppError::conflict("duplicate_title", Msg::TitleHeld));
            }
            (successor, Some(before.school_id), Action::TitleTransfer)
        }
        (TitleSettlement::Transferred, None) => {
            return Err(AppError::field("settlement", Msg::NoSuccessor));
        }
        (TitleSettlement::Ended, _) => (before.school_id, None, Action::TitleEnd),
        (TitleSettlement::Kept, _) => (before.school_id, None, Action::TitleKeep),
    };
    let changed = diesel::update(
        school_titles::table
            .filter(school_titles::id.eq(before.id))
            .filter(school_titles::version.eq(before.version)),
    )
    .set((
        school_titles::school_id.eq(school_id),
        school_titles::settlement.eq(how),
        school_titles::transferred_from.eq(from),
        school_titles::version.eq(before.version + 1),
        school_titles::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(schools::stale_version());
    }
    let after = get_holding(conn, before.id, today)?;
    journal.record(change(
        access,
        before.school_id,
        action,
        before.id,
        json(before),
        json(&after),
        now,
    ));
    if action == Action::TitleTransfer {
        journal.record(change(
            access,
            school_id,
            Action::TitleReceive,
            before.id,
            json(before),
            json(&after),
            now,
        ));
    }
    Ok(after)
}

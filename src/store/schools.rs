//! Schools: the tenants. Reads are filtered by the caller's `SchoolScope`; a school outside
//! it is `NotFound`.

use diesel::prelude::*;
use serde::Serialize;
use time::{Date, PrimitiveDateTime};

use crate::db::schema::schools;
use crate::db::{DbConn, write_transaction};
use crate::domain::access::{Access, SchoolScope, Scoped};
use crate::domain::history::{Action, Journal};
use crate::domain::paging::{After, Listing, Paging};
use crate::domain::{SchoolKind, SchoolStatus};
use crate::error::{AppError, Msg};
use crate::store::provinces;
use crate::store::record::{change, json};

#[derive(Clone, Debug, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = schools, check_for_backend(crate::db::MultiBackend))]
pub struct School {
    pub id: i64,
    pub province_id: i64,
    pub name: String,
    pub name_zh: Option<String>,
    pub city: String,
    pub kind: SchoolKind,
    pub founded_year: Option<i32>,
    /// increases with every change; send it back with a change to detect a stale copy
    pub version: i64,
    /// `active`, or `merged` into `successor_id` or `closed` from `effective_on`
    pub status: SchoolStatus,
    pub successor_id: Option<i64>,
    #[schema(value_type = Option<String>, format = Date)]
    pub effective_on: Option<Date>,
    /// why the school was merged or closed
    #[serde(rename = "reason")]
    pub status_reason: Option<String>,
}

impl School {
    /// Whether the school has been merged or closed by `today` (its record is read-only).
    pub fn wound_up(&self, today: Date) -> bool {
        crate::domain::school::wound_up(self.status, self.effective_on, today)
    }
}

/// A school's profile, validated.
#[derive(Debug)]
pub struct NewSchool {
    pub province_id: i64,
    pub name: String,
    pub name_zh: Option<String>,
    pub city: String,
    pub kind: SchoolKind,
    pub founded_year: Option<i32>,
}

/// Profile changes; absent fields stay. `name_zh: Some(None)` clears the Chinese name.
#[derive(Debug, Default)]
pub struct SchoolPatch {
    pub name: Option<String>,
    pub name_zh: Option<Option<String>>,
    pub city: Option<String>,
    pub kind: Option<SchoolKind>,
    pub founded_year: Option<Option<i32>>,
    pub version: Option<i64>,
}

/// A name or city: one visible line, at most 200 characters.
pub fn parse_text(raw: &str) -> Result<String, Msg> {
    crate::domain::text::name(raw, crate::domain::text::SHORT)
}

/// A founding year between 1850 and `this_year`.
pub fn parse_founded_year(year: i64, this_year: i32) -> Result<i32, Msg> {
    match i32::try_from(year) {
        Ok(y) if (1850..=this_year).contains(&y) => Ok(y),
        _ => Err(Msg::YearBetween {
            min: 1850,
            max: this_year,
        }),
    }
}

/// The schools `access` may see, as a query to narrow further.
pub fn scoped(access: &Access) -> schools::BoxedQuery<'static, crate::db::MultiBackend> {
    let query = schools::table.into_boxed();
    match access.school_scope() {
        SchoolScope::All => query,
        SchoolScope::Province(p) => query.filter(schools::province_id.eq(p)),
        SchoolScope::School(s) => query.filter(
            schools::id
                .eq(s)
                .or(schools::id.eq_any(access.granted_schools())),
        ),
        SchoolScope::Panels => query.filter(schools::id.eq_any(access.panel_schools())),
        SchoolScope::Nothing => query.filter(schools::id.eq(-1)),
    }
}

/// Schools' names by id: (English, Chinese).
pub type Names = std::collections::HashMap<i64, (String, Option<String>)>;

fn names(rows: Vec<(i64, String, Option<String>)>) -> Names {
    rows.into_iter()
        .map(|(id, name, name_zh)| (id, (name, name_zh)))
        .collect()
}

/// The names of the schools `access` may see.
pub fn visible_names(conn: &mut DbConn, access: &Access) -> Result<Names, AppError> {
    Ok(names(
        scoped(access)
            .select((schools::id, schools::name, schools::name_zh))
            .load(conn)?,
    ))
}

/// The names of the schools `ids` (a page's worth; the caller has already scoped them).
pub fn names_of(conn: &mut DbConn, ids: &[i64]) -> Result<Names, AppError> {
    Ok(names(
        schools::table
            .filter(schools::id.eq_any(ids))
            .select((schools::id, schools::name, schools::name_zh))
            .load(conn)?,
    ))
}

/// Schools whose English or Chinese name contains `$text` (a `&str`), as a filter on
/// `schools`; `%` and `_` in the text are taken literally.
macro_rules! name_contains {
    ($text:expr) => {{
        use $crate::db::schema::schools as named;
        let pattern = $crate::store::schools::contains_pattern($text);
        named::name
            .like(pattern.clone())
            .escape('\\')
            .or(named::name_zh.like(pattern).escape('\\'))
    }};
}
pub(crate) use name_contains;

pub fn create(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    new: &NewSchool,
    now: PrimitiveDateTime,
) -> Result<School, AppError> {
    Access::require(access.administers_province(new.province_id))?;
    if !provinces::exists(conn, new.province_id)? {
        return Err(AppError::field("province_id", Msg::NoProvince));
    }
    let id: i64 = diesel::insert_into(schools::table)
        .values((
            schools::province_id.eq(new.province_id),
            schools::name.eq(&new.name),
            schools::name_zh.eq(&new.name_zh),
            schools::city.eq(&new.city),
            schools::kind.eq(new.kind),
            schools::founded_year.eq(new.founded_year),
        ))
        .returning(schools::id)
        .get_result(conn)?;
    let school = get(conn, access, id)?;
    journal.record(change(
        access,
        id,
        Action::SchoolCreate,
        id,
        None,
        json(&school),
        now,
    ));
    Ok(school)
}

/// The schools `access` may see, by name; optionally of one province.
pub fn list(
    conn: &mut DbConn,
    access: &Access,
    province_id: Option<i64>,
) -> Result<Vec<School>, AppError> {
    let mut query = scoped(access);
    if let Some(p) = province_id {
        query = query.filter(schools::province_id.eq(p));
    }
    Ok(query
        .order((schools::name.asc(), schools::id.asc()))
        .select(School::as_select())
        .load(conn)?)
}

/// Which of the visible schools a list shows.
#[derive(Clone, Debug, Default)]
pub struct SchoolFilter {
    pub province_id: Option<i64>,
    /// part of the name, English or Chinese
    pub search: Option<String>,
    pub status: Option<SchoolStatus>,
}

/// One page of the visible schools, by name, and how many match in all.
pub fn page(
    conn: &mut DbConn,
    access: &Access,
    filter: &SchoolFilter,
    paging: &Paging,
) -> Result<Listing<School>, AppError> {
    let matching = || {
        let mut query = scoped(access);
        if let Some(p) = filter.province_id {
            query = query.filter(schools::province_id.eq(p));
        }
        if let Some(text) = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            query = query.filter(name_contains!(text));
        }
        if let Some(status) = filter.status {
            query = query.filter(schools::status.eq(status));
        }
        query
    };
    let total = matching().count().get_result(conn)?;
    let rows =
        crate::store::continue_by_text_id!(matching(), schools::name, schools::id, &paging.after)
            .order((schools::name.asc(), schools::id.asc()))
            .limit(paging.limit + 1)
            .select(School::as_select())
            .load(conn)?;
    Ok(Listing::by_key(rows, total, paging, |s: &School| {
        After::TextId(s.name.clone(), s.id)
    }))
}

/// Schools still running on `$today` (a `Date`), as a filter on `schools`: active, or
/// merged or closed from a later day.
macro_rules! in_service {
    ($today:expr) => {{
        use $crate::db::schema::schools as serving;
        serving::status
            .eq($crate::domain::SchoolStatus::Active)
            .or(serving::effective_on.gt($today))
    }};
}
pub(crate) use in_service;

/// Which of `ids` have been merged or closed by `today`: their records are read-only.
pub fn wound_up_among(conn: &mut DbConn, ids: &[i64], today: Date) -> Result<Vec<i64>, AppError> {
    Ok(schools::table
        .filter(schools::id.eq_any(ids))
        .filter(not_active())
        .filter(schools::effective_on.le(today))
        .select(schools::id)
        .load(conn)?)
}

/// The condition of the partial index `schools_wound_up_idx`, word for word (so that
/// the planner uses it): a school merged or closed, whatever its date.
fn not_active() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql::<diesel::sql_types::Bool>("status <> 'active'")
}

/// Every school merged or closed by `today` (few: the partial index's range).
pub fn wound_up_on(conn: &mut DbConn, today: Date) -> Result<Vec<i64>, AppError> {
    Ok(schools::table
        .filter(not_active())
        .filter(schools::effective_on.le(today))
        .select(schools::id)
        .load(conn)?)
}

/// A `LIKE` pattern that finds `text` anywhere, with `\` as the escape character.
pub fn contains_pattern(text: &str) -> String {
    format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

pub fn get(conn: &mut DbConn, access: &Access, id: i64) -> Result<School, AppError> {
    let school = scoped(access)
        .filter(schools::id.eq(id))
        .select(School::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    if access.reads_under_grant(school.id, school.province_id) {
        // Every read under a consulting grant is in the history. It moves nothing kept, so
        // the read appends it itself (to the history alone: a leaf of the store).
        let now = crate::clock::now_utc();
        let read = change(
            access,
            school.id,
            Action::GrantRead,
            school.id,
            None,
            None,
            now,
        );
        write_transaction(conn, |conn| crate::store::history::append(conn, &read))?;
    }
    Ok(school)
}

/// The school, if `access` may read it (else 404), as a proof that its scope was checked.
pub fn scoped_get(conn: &mut DbConn, access: &Access, id: i64) -> Result<Scoped, AppError> {
    let school = get(conn, access, id)?;
    Ok(Scoped::checked(school.id, school.province_id))
}

/// The province of each of these schools, in one query (what is derived from a unit of
/// work's changes is refreshed per province; no school's record is read).
pub fn provinces_of(
    conn: &mut DbConn,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, i64>, AppError> {
    Ok(schools::table
        .filter(schools::id.eq_any(ids))
        .select((schools::id, schools::province_id))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect())
}

/// Every school of a province, by id (not scoped: for answers computed for the whole
/// province, filtered by the reader afterwards).
pub(super) fn in_province(conn: &mut DbConn, province_id: i64) -> Result<Vec<School>, AppError> {
    Ok(schools::table
        .filter(schools::province_id.eq(province_id))
        .order(schools::id.asc())
        .select(School::as_select())
        .load(conn)?)
}

/// The names of a province's schools, by name: a directory (names are public; their
/// records are not).
pub fn directory(
    conn: &mut DbConn,
    province_id: i64,
) -> Result<Vec<(i64, String, Option<String>)>, AppError> {
    Ok(schools::table
        .filter(schools::province_id.eq(province_id))
        .order((schools::name.asc(), schools::id.asc()))
        .select((schools::id, schools::name, schools::name_zh))
        .load(conn)?)
}

/// A school by id, unscoped: the store's own (users settle a school user's province).
pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<School>, AppError> {
    Ok(schools::table
        .find(id)
        .select(School::as_select())
        .first(conn)
        .optional()?)
}

pub fn update(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    id: i64,
    patch: &SchoolPatch,
    now: PrimitiveDateTime,
) -> Result<School, AppError> {
    let current = get(conn, access, id)?;
    Access::require(access.edits_school_profile(current.id, current.province_id))?;
    if patch.version.is_some_and(|v| v != current.version) {
        return Err(stale_version());
    }
    let changed = diesel::update(
        schools::table
            .filter(schools::id.eq(id))
            .filter(schools::version.eq(current.version)),
    )
    .set((
        schools::name.eq(patch.name.as_ref().unwrap_or(&current.name)),
        schools::name_zh.eq(patch.name_zh.as_ref().unwrap_or(&current.name_zh)),
        schools::city.eq(patch.city.as_ref().unwrap_or(&current.city)),
        schools::kind.eq(patch.kind.unwrap_or(current.kind)),
        schools::founded_year.eq(patch.founded_year.unwrap_or(current.founded_year)),
        schools::version.eq(current.version + 1),
        schools::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(stale_version());
    }
    let after = get(conn, access, id)?;
    journal.record(change(
        access,
        id,
        Action::SchoolUpdate,
        id,
        json(&current),
        json(&after),
        now,
    ));
    Ok(after)
}

pub fn stale_version() -> AppError {
    AppError::conflict_of(Msg::StaleVersion)
}

/// How many active schools there are, of every province (the admin's home): a merged or
/// closed school is no longer counted.
pub fn count(conn: &mut DbConn) -> Result<i64, AppError> {
    Ok(schools::table
        .filter(schools::status.eq(SchoolStatus::Active))
        .count()
        .get_result(conn)?)
}

/// A school's standing as its province decides it: merged into a successor or closed from
/// a day, or active again.
#[derive(Debug)]
pub struct Standing {
    pub status: SchoolStatus,
    pub successor_id: Option<i64>,
    pub effective_on: Option<Date>,
    pub reason: Option<String>,
}

/// Sets a school's standing (`action`: a merger, a closure or a reopening), noting it on
/// the school's record and, for a merger, on its successor's. Inside the caller's
/// transaction, after its checks; a copy changed meanwhile is a 409.
pub fn set_standing(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    current: &School,
    standing: &Standing,
    action: Action,
    now: PrimitiveDateTime,
) -> Result<School, AppError> {
    let changed = diesel::update(
        schools::table
            .filter(schools::id.eq(current.id))
            .filter(schools::version.eq(current.version)),
    )
    .set((
        schools::status.eq(standing.status),
        schools::successor_id.eq(standing.successor_id),
        schools::effective_on.eq(standing.effective_on),
        schools::status_reason.eq(&standing.reason),
        schools::version.eq(current.version + 1),
        schools::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(stale_version());
    }
    let after = find(conn, current.id)?.ok_or(AppError::NotFound)?;
    journal.record(change(
        access,
        current.id,
        action,
        current.id,
        json(current),
        json(&after),
        now,
    ));
    if let Some(successor) = standing.successor_id {
        journal.record(change(
            access,
            successor,
            Action::SchoolAbsorb,
            current.id,
            None,
            json(&after),
            now,
        ));
    }
    Ok(after)
}

/// The schools merged into `successor` that `access` may read, by effective date: their
/// records live on under the successor's name.
pub fn merged_into(
    conn: &mut DbConn,
    access: &Access,
    successor: i64,
) -> Result<Vec<School>, AppError> {
    Ok(scoped(access)
        // The partial index `schools_successor_idx`'s condition, word for word.
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            "status = 'merged'",
        ))
        .filter(schools::successor_id.eq(successor))
        .order((schools::effective_on.asc(), schools::id.asc()))
        .select(School::as_select())
        .load(conn)?)
}

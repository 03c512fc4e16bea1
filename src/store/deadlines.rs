//! What falls due, for the schools the caller may see: re-evaluations, certificates
//! expiring, surveillance audits (yearly after certification), findings and corrective
//! actions, and the status data of an open collection round.
//!
//! The deadlines are kept, one row each, in `deadline_items`: `refresh` recomputes those of
//! a school (or of a whole province, or of every school) from the record, in the
//! transaction of the write that moves them (`store::derived`). Reading is then one indexed
//! query for one page, overdue first then by date; whether one is overdue is decided when it
//! is read, so that nothing kept ages.

use std::collections::HashMap;

use diesel::dsl::count_star;
use diesel::prelude::*;
use serde::Serialize;
use time::Date;

use crate::db::DbConn;
use crate::db::schema::{
    audits, certificates, corrective_actions, deadline_items, derived_state, findings,
    school_titles, schools, title_types,
};
use crate::domain::access::{Access, SchoolScope};
use crate::domain::dates::{add_days, add_months, next_reevaluation};
use crate::domain::paging::{After, Listing, Paging};
use crate::domain::quality::{AuditKind, FindingStatus, HoldingStatus};
use crate::error::AppError;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Deadline {
    pub school_id: i64,
    pub school_name: String,
    pub school_name_zh: Option<String>,
    /// reevaluation, certificate_expiry, surveillance_audit, finding_due,
    /// corrective_action_due, status_data_due
    pub kind: String,
    pub subject: String,
    #[schema(value_type = String, format = Date)]
    pub due_on: Date,
    pub overdue: bool,
    /// stable identity, e.g. for calendar events
    pub uid: String,
    /// the row's place in the list (for the next page's cursor)
    #[serde(skip)]
    pub id: i64,
}

pub use crate::domain::school::Schools;

/// A deadline as kept, before it is stored.
#[derive(Debug, Insertable)]
#[diesel(table_name = deadline_items)]
struct NewItem {
    school_id: i64,
    province_id: i64,
    school_name: String,
    school_name_zh: Option<String>,
    kind: &'static str,
    subject: String,
    due_on: Date,
    uid: String,
}

/// A held title's id, school, award, last evaluation, interval and names.
type HoldingDue = (
    i64,
    i64,
    Date,
    Option<Date>,
    Option<i32>,
    String,
    Option<String>,
);

/// Filters a query to `which` schools by a column holding a school's id.
macro_rules! of_schools {
    ($query:expr, $column:expr, $which:expr) => {{
        let query = $query;
        match $which {
            Schools::One(id) => query.filter($column.eq(id)),
            Schools::Province(p) => query.filter(
                $column.eq_any(
                    schools::table
                        .filter(schools::province_id.eq(p))
                        .select(schools::id),
                ),
            ),
            Schools::All => query,
        }
    }};
}

/// Recomputes the kept deadlines of `which` schools from their record. Runs inside the
/// caller's write transaction (or, for a rebuild, its own).
pub fn refresh(conn: &mut DbConn, which: Schools) -> Result<usize, AppError> {
    let items = compute(conn, which)?;
    match which {
        Schools::One(id) => {
            diesel::delete(deadline_items::table.filter(deadline_items::school_id.eq(id)))
                .execute(conn)?
        }
        Schools::Province(p) => {
            diesel::delete(deadline_items::table.filter(deadline_items::province_id.eq(p)))
                .execute(conn)?
        }
        Schools::All => diesel::delete(deadline_items::table).execute(conn)?,
    };
    for chunk in items.chunks(500) {
        crate::db::insert_batch!(conn, deadline_items::table, chunk)?;
    }
    Ok(items.len())
}

/// The provinces a school's deadlines are kept under (its own; before a refresh, the one it
/// was in when they were last computed).
pub fn kept_provinces(conn: &mut DbConn, school: i64) -> Result<Vec<i64>, AppError> {
    Ok(deadline_items::table
        .filter(deadline_items::school_id.eq(school))
        .select(deadline_items::province_id)
        .distinct()
        .load(conn)?)
}

/// Every deadline of `which` schools, from the record.
fn compute(conn: &mut DbConn, which: Schools) -> Result<Vec<NewItem>, AppError> {
    // Each school's province and names, kept with its deadlines.
    let of_school = schools::table.into_boxed::<crate::db::MultiBackend>();
    let of_school: HashMap<i64, (i64, String, Option<String>)> = match which {
        Schools::One(id) => of_school.filter(schools::id.eq(id)),
        Schools::Province(p) => of_school.filter(schools::province_id.eq(p)),
        Schools::All => of_school,
    }
    .select((
        schools::id,
        schools::province_id,
        schools::name,
        schools::name_zh,
    ))
    .load::<(i64, i64, String, Option<String>)>(conn)?
    .into_iter()
    .map(|(id, province, name, name_zh)| (id, (province, name, name_zh)))
    .collect();
    let mut found: Vec<(i64, &'static str, String, Date, String)> = Vec::new();

    let holdings: Vec<HoldingDue> = of_schools!(
        school_titles::table
            .inner_join(title_types::table)
            .into_boxed::<crate::db::MultiBackend>(),
        school_titles::school_id,
        which
    )
    .filter(school_titles::status.eq(HoldingStatus::Active))
    .select((
        school_titles::id,
        school_titles::school_id,
        school_titles::awarded_on,
        school_titles::last_evaluated_on,
        title_types::reevaluation_interval_months,
        title_types::name,
        title_types::name_zh,
    ))
    .load(conn)?;
    for (id, school, awarded, evaluated, interval, name, name_zh) in holdings {
        let months = interval.and_then(|m| u32::try_from(m).ok());
        if let Some(due) = next_reevaluation(awarded, evaluated, months) {
            let subject = match name_zh {
                Some(zh) => format!("{name} / {zh}"),
                None => name,
            };
            found.push((
                school,
                "reevaluation",
                subject,
                due,
                format!("reevaluation-{id}-{due}"),
            ));
        }
    }

    let certs: Vec<(i64, i64, String, String, Date, Date)> = of_schools!(
        certificates::table.into_boxed::<crate::db::MultiBackend>(),
        certificates::school_id,
        which
    )
    .select((
        certificates::id,
        certificates::school_id,
        certificates::standard,
        certificates::certificate_number,
        certificates::issued_on,
        certificates::expires_on,
    ))
    .load(conn)?;
    let mut surveillance: HashMap<i64, Vec<Date>> = HashMap::new();
    for (school, on) in of_schools!(
        audits::table.into_boxed::<crate::db::MultiBackend>(),
        audits::school_id,
        which
    )
    .filter(audits::kind.eq_any(AuditKind::KEEPING_CERTIFICATION))
    .select((audits::school_id, audits::started_on))
    .load::<(i64, Date)>(conn)?
    {
        surveillance.entry(school).or_default().push(on);
    }
    for (id, school, standard, number, issued, expires) in certs {
        found.push((
            school,
            "certificate_expiry",
            format!("{standard} {number}"),
            expires,
            format!("certificate-{id}-{expires}"),
        ));
        // Surveillance audits fall due each year after certification, until expiry; one
        // is done when an audit was held in the window of three months around it.
        for year in 1..=2u32 {
            let due = add_months(issued, 12 * year);
            if due >= expires {
                break;
            }
            let from = add_days(due, -92).unwrap_or(Date::MIN);
            let to = add_days(due, 92).unwrap_or(Date::MAX);
            let done = surveillance
                .get(&school)
                .is_some_and(|held| held.iter().any(|on| (from..=to).contains(on)));
            if !done {
                found.push((
                    school,
                    "surveillance_audit",
                    format!("{standard} {number}"),
                    due,
                    format!("surveillance-{id}-{year}"),
                ));
            }
        }
    }

    let open: Vec<(i64, i64, String, String, Date)> = of_schools!(
        findings::table.into_boxed::<crate::db::MultiBackend>(),
        findings::school_id,
        which
    )
    .filter(findings::status.eq_any(FindingStatus::UNRESOLVED))
    .filter(findings::due_on.is_not_null())
    .select((
        findings::id,
        findings::school_id,
        findings::clause,
        findings::description,
        findings::due_on.assume_not_null(),
    ))
    .load(conn)?;
    for (id, school, clause, description, due) in open {
        found.push((
            school,
            "finding_due",
            format!("{clause} {}", short(&description)),
            due,
            format!("finding-{id}"),
        ));
    }

    let actions: Vec<(i64, i64, Option<String>, Date)> = of_schools!(
        corrective_actions::table
            .inner_join(findings::table)
            .into_boxed::<crate::db::MultiBackend>(),
        findings::school_id,
        which
    )
    .filter(findings::status.eq(FindingStatus::ActionPlanned))
    .filter(corrective_actions::done_on.is_null())
    .filter(corrective_actions::due_on.is_not_null())
    .select((
        findings::id,
        findings::school_id,
        corrective_actions::action,
        corrective_actions::due_on.assume_not_null(),
    ))
    .load(conn)?;
    for (id, school, action, due) in actions {
        found.push((
            school,
            "corrective_action_due",
            short(action.as_deref().unwrap_or("")),
            due,
            format!("action-{id}"),
        ));
    }

    for (school, round, year, due) in crate::store::rounds::pending(conn, which)? {
        found.push((
            school,
            "status_data_due",
            format!("Status data {year} / {year} 年办学状态数据"),
            due,
            format!("status-data-{round}-{school}"),
        ));
    }

    Ok(found
        .into_iter()
        .filter_map(|(school_id, kind, subject, due_on, uid)| {
            let (province_id, name, name_zh) = of_school.get(&school_id)?;
            Some(NewItem {
                school_id,
                province_id: *province_id,
                school_name: name.clone(),
                school_name_zh: name_zh.clone(),
                kind,
                subject,
                due_on,
                uid: format!("{uid}@accredit"),
            })
        })
        .collect())
}

/// `deadline_items` of the schools `access` may see (and of one of them).
macro_rules! visible {
    ($access:expr, $school:expr, $wound_up:expr) => {{
        // A school merged or closed by today has no deadlines from then on. The list is
        // short (most days empty) and read first, so the planner keeps its plan for the
        // rest (a `NOT IN (SELECT …)` made SQLite walk the province's rows).
        let wound_up: &[i64] = $wound_up;
        let mut query = deadline_items::table.into_boxed::<crate::db::MultiBackend>();
        if !wound_up.is_empty() {
            query = query.filter(deadline_items::school_id.ne_all(wound_up.to_vec()));
        }
        let query = match $access.school_scope() {
            SchoolScope::All => query,
            SchoolScope::Province(p) => query.filter(deadline_items::province_id.eq(p)),
            SchoolScope::School(s) => query.filter(
                deadline_items::school_id
                    .eq(s)
                    .or(deadline_items::school_id.eq_any($access.granted_schools())),
            ),
            // An expert reads an application, not the school's calendar.
            SchoolScope::Panels | SchoolScope::Nothing => {
                query.filter(deadline_items::school_id.eq(-1))
            }
        };
        match $school {
            Some(id) => query.filter(deadline_items::school_id.eq(id)),
            None => query,
        }
    }};
}

/// `visible!` within `due`'s horizon.
macro_rules! bounded {
    ($access:expr, $due:expr, $wound_up:expr) => {{
        let due: Due = $due;
        let query = visible!($access, due.school, $wound_up);
        match due.horizon() {
            Some(h) => query.filter(deadline_items::due_on.le(h)),
            None => query,
        }
    }};
}

/// What a page of deadlines is asked for.
#[derive(Clone, Copy, Debug)]
pub struct Due {
    pub today: Date,
    /// only those due within this many days of today (overdue ones always)
    pub within_days: Option<i64>,
    /// only this school's
    pub school: Option<i64>,
}

impl Due {
    fn horizon(&self) -> Option<Date> {
        self.within_days.map(|d| {
            crate::domain::dates::add_days(
                self.today,
                d.clamp(0, crate::domain::dates::MAX_WITHIN_DAYS),
            )
            .unwrap_or(crate::domain::dates::LATEST)
        })
    }
}

type Row = (
    i64,
    i64,
    String,
    Option<String>,
    String,
    String,
    Date,
    String,
);

/// What a province's deadlines are counted by: the ones overdue, or those due within so
/// many days (overdue ones too).
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum Counted {
    Overdue,
    Due { within_days: Option<i64> },
}

/// A province's deadline counts, by province, day and what is counted, computed once per
/// deadline version of the province (`app::Kept`): a province's bureau counts thousands.
pub type Counts = crate::store::kept::Versioned<(i64, Date, Counted), i64>;

/// `count` of what a reader sees, kept when the reader sees a whole province.
fn counted(
    conn: &mut DbConn,
    access: &Access,
    counts: &Counts,
    key: (Date, Counted),
    count: impl FnOnce(&mut DbConn) -> Result<i64, AppError>,
) -> Result<i64, AppError> {
    match access.school_scope() {
        SchoolScope::Province(province) => {
            let version = crate::store::provinces::version(
                conn,
                province,
                crate::store::provinces::Version::Deadlines,
            )?;
            let (today, what) = key;
            let kept = counts.get_or_compute((province, today, what), version, || count(conn))?;
            Ok(*kept)
        }
        _ => count(conn),
    }
}

/// One page of the deadlines of the visible schools, overdue first then by date, with how
/// many there are in all.
pub fn page(
    conn: &mut DbConn,
    access: &Access,
    counts: &Counts,
    due: Due,
    paging: &Paging,
) -> Result<Listing<Deadline>, AppError> {
    // Read once for the count and the rows.
    let wound_up = crate::store::schools::wound_up_on(conn, due.today)?;
    let count = |conn: &mut DbConn| -> Result<i64, AppError> {
        Ok(bounded!(access, due, &wound_up)
            .select(count_star())
            .first(conn)?)
    };
    let total = match due.school {
        // One school's few are counted as they are.
        Some(_) => count(conn)?,
        None => {
            let what = Counted::Due {
                within_days: due.within_days,
            };
            counted(conn, access, counts, (due.today, what), count)?
        }
    };
    Ok(Listing {
        total,
        ..rows_without(conn, access, due, paging, &wound_up)?
    })
}

/// `page` without counting them all (for the pages after the first of a download).
pub fn rows(
    conn: &mut DbConn,
    access: &Access,
    due: Due,
    paging: &Paging,
) -> Result<Listing<Deadline>, AppError> {
    let wound_up = crate::store::schools::wound_up_on(conn, due.today)?;
    rows_without(conn, access, due, paging, &wound_up)
}

/// `rows`, given the schools wound up by the day (whose deadlines are left out).
fn rows_without(
    conn: &mut DbConn,
    access: &Access,
    due: Due,
    paging: &Paging,
    wound_up: &[i64],
) -> Result<Listing<Deadline>, AppError> {
    let mut query = bounded!(access, due, wound_up);
    match paging.after {
        None => {}
        Some(After::DateId(on, id)) => {
            // `due_on >= on` bounds the index range; the rest skips the rows of that day
            // already given.
            query = query
                .filter(deadline_items::due_on.ge(on))
                .filter(deadline_items::due_on.gt(on).or(deadline_items::id.gt(id)));
        }
        Some(_) => return Err(crate::store::not_cursor()),
    }
    let rows: Vec<Row> = query
        .order((deadline_items::due_on.asc(), deadline_items::id.asc()))
        .limit(paging.limit + 1)
        .select(COLUMNS)
        .load(conn)?;
    let rows = rows.into_iter().map(|r| deadline(r, due.today)).collect();
    Ok(Listing::by_key(rows, 0, paging, |d: &Deadline| {
        After::DateId(d.due_on, d.id)
    }))
}

const COLUMNS: (
    deadline_items::id,
    deadline_items::school_id,
    deadline_items::school_name,
    deadline_items::school_name_zh,
    deadline_items::kind,
    deadline_items::subject,
    deadline_items::due_on,
    deadline_items::uid,
) = (
    deadline_items::id,
    deadline_items::school_id,
    deadline_items::school_name,
    deadline_items::school_name_zh,
    deadline_items::kind,
    deadline_items::subject,
    deadline_items::due_on,
    deadline_items::uid,
);

fn deadline(
    (id, school_id, school_name, school_name_zh, kind, subject, due_on, uid): Row,
    today: Date,
) -> Deadline {
    Deadline {
        school_id,
        school_name,
        school_name_zh,
        kind,
        subject,
        due_on,
        overdue: due_on < today,
        uid,
        id,
    }
}

/// How many deadlines of the visible schools are overdue, and the `first` most overdue: for
/// a home page.
pub fn overdue(
    conn: &mut DbConn,
    access: &Access,
    counts: &Counts,
    today: Date,
    first: i64,
) -> Result<(i64, Vec<Deadline>), AppError> {
    let wound_up = crate::store::schools::wound_up_on(conn, today)?;
    let overdue =
        || visible!(access, None::<i64>, &wound_up).filter(deadline_items::due_on.lt(today));
    let total = counted(conn, access, counts, (today, Counted::Overdue), |conn| {
        Ok(overdue().select(count_star()).first(conn)?)
    })?;
    let rows: Vec<Row> = overdue()
        .order((deadline_items::due_on.asc(), deadline_items::id.asc()))
        .limit(first)
        .select(COLUMNS)
        .load(conn)?;
    Ok((
        total,
        rows.into_iter().map(|r| deadline(r, today)).collect(),
    ))
}

/// The first `n` deadlines of the visible schools (or of one) due within `within_days`.
pub fn first(
    conn: &mut DbConn,
    access: &Access,
    due: Due,
    n: i64,
) -> Result<Vec<Deadline>, AppError> {
    let paging = Paging {
        limit: n,
        after: None,
    };
    Ok(rows(conn, access, due, &paging)?.rows)
}

fn short(text: &str) -> String {
    let mut out: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// The version of the rules the kept deadlines were computed by, if they were.
pub fn kept_version(conn: &mut DbConn) -> Result<Option<i32>, AppError> {
    Ok(derived_state::table
        .find("deadline_items")
        .select(derived_state::version)
        .first(conn)
        .optional()?)
}

/// Records that the kept deadlines follow the rules of `version`.
pub fn set_kept_version(conn: &mut DbConn, version: i32) -> Result<(), AppError> {
    let updated = diesel::update(derived_state::table.find("deadline_items"))
        .set(derived_state::version.eq(version))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(derived_state::table)
            .values((
                derived_state::name.eq("deadline_items"),
                derived_state::version.eq(version),
            ))
            .execute(conn)?;
    }
    Ok(())
}

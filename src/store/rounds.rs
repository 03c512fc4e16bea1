//! The province's yearly collection rounds of status data: the province admin opens year Y
//! with a due date, every school of the province then has the task of filling it in, and
//! the bureau follows each school's state until the round closes.

use std::collections::{BTreeMap, HashSet};

use diesel::dsl::count_star;
use diesel::prelude::*;
use serde::Serialize;
use time::{Date, PrimitiveDateTime};

use crate::db::DbConn;
use crate::db::schema::{
    collection_rounds as rounds, school_years, schools, status_figures, submissions,
};
use crate::domain::access::{Access, SchoolScope};
use crate::domain::history::{Action, Change, Journal};
use crate::domain::school::Schools;
use crate::domain::status_data::{YearState, overdue, year_state};
use crate::domain::workflow::{SubmissionKind, SubmissionStatus};
use crate::error::{AppError, Msg};

crate::vocabulary!(RoundStatus {
    Open => "open",
    Closed => "closed",
});

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = rounds, check_for_backend(crate::db::MultiBackend))]
struct Row {
    id: i64,
    province_id: i64,
    year: i32,
    due_on: Date,
    change_threshold_pct: i32,
    closed_at: Option<PrimitiveDateTime>,
}

/// A collection round.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RoundInfo {
    pub id: i64,
    pub province_id: i64,
    pub year: i32,
    #[schema(value_type = String, format = Date)]
    pub due_on: Date,
    pub status: RoundStatus,
    /// a figure that moves more than this share from last year is flagged, in percent
    pub change_threshold_pct: i32,
    #[serde(skip)]
    pub closed: bool,
}

impl From<Row> for RoundInfo {
    fn from(r: Row) -> Self {
        RoundInfo {
            id: r.id,
            province_id: r.province_id,
            year: r.year,
            due_on: r.due_on,
            status: if r.closed_at.is_some() {
                RoundStatus::Closed
            } else {
                RoundStatus::Open
            },
            change_threshold_pct: r.change_threshold_pct,
            closed: r.closed_at.is_some(),
        }
    }
}

/// A new round, validated.
#[derive(Debug)]
pub struct NewRound {
    pub year: i32,
    pub due_on: Date,
    pub change_threshold_pct: i32,
}

/// Refuses (404) a province the caller does not belong to.
pub fn check_province_reader(
    conn: &mut DbConn,
    access: &Access,
    province_id: i64,
) -> Result<(), AppError> {
    if !access.belongs_to_province(province_id) {
        return Err(AppError::NotFound);
    }
    crate::store::provinces::get(conn, province_id)?;
    Ok(())
}

/// The province a round belongs to, if the round exists.
pub fn province_of(conn: &mut DbConn, round: i64) -> Result<Option<i64>, AppError> {
    Ok(rounds::table
        .find(round)
        .select(rounds::province_id)
        .first(conn)
        .optional()?)
}

/// The province's round for a year, if it opened one.
pub(super) fn for_year(
    conn: &mut DbConn,
    province_id: i64,
    year: i32,
) -> Result<Option<RoundInfo>, AppError> {
    Ok(rounds::table
        .filter(rounds::province_id.eq(province_id))
        .filter(rounds::year.eq(year))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(RoundInfo::from))
}

/// A round of a province the caller belongs to.
pub fn find(conn: &mut DbConn, access: &Access, id: i64) -> Result<RoundInfo, AppError> {
    let round: RoundInfo = rounds::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?
        .into();
    if !access.belongs_to_province(round.province_id) {
        return Err(AppError::NotFound);
    }
    Ok(round)
}

fn record(
    journal: &mut Journal,
    access: &Access,
    action: Action,
    before: Option<&RoundInfo>,
    after: &RoundInfo,
    now: PrimitiveDateTime,
) {
    journal.record(Change {
        actor_id: access.actor_id(),
        school_id: None,
        action,
        entity_id: after.id,
        before: before.and_then(crate::store::record::json),
        after: crate::store::record::json(after),
        at: now,
    });
}

/// Opens year Y for the province (its province admin).
pub fn create(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    province_id: i64,
    new: &NewRound,
    now: PrimitiveDateTime,
) -> Result<RoundInfo, AppError> {
    check_province_reader(conn, access, province_id)?;
    Access::require(access.administers_province(province_id))?;
    if for_year(conn, province_id, new.year)?.is_some() {
        return Err(AppError::conflict_of(Msg::RoundExists { year: new.year }));
    }
    let id: i64 = diesel::insert_into(rounds::table)
        .values((
            rounds::province_id.eq(province_id),
            rounds::year.eq(new.year),
            rounds::due_on.eq(new.due_on),
            rounds::change_threshold_pct.eq(new.change_threshold_pct),
            rounds::created_by.eq(access.actor_id()),
            rounds::created_at.eq(now),
        ))
        .returning(rounds::id)
        .get_result(conn)
        .map_err(|e| match AppError::from(e) {
            AppError::Conflict { .. } => AppError::conflict_of(Msg::RoundExists { year: new.year }),
            other => other,
        })?;
    let round = find(conn, access, id)?;
    record(journal, access, Action::RoundOpen, None, &round, now);
    Ok(round)
}

/// A change to a round: a new due date or threshold, closing or opening it again.
#[derive(Debug, Default)]
pub struct RoundPatch {
    pub due_on: Option<Date>,
    pub change_threshold_pct: Option<i32>,
    pub closed: Option<bool>,
}

pub fn update(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    id: i64,
    patch: &RoundPatch,
    now: PrimitiveDateTime,
) -> Result<RoundInfo, AppError> {
    let before = find(conn, access, id)?;
    Access::require(access.administers_province(before.province_id))?;
    diesel::update(rounds::table.find(id))
        .set((
            rounds::due_on.eq(patch.due_on.unwrap_or(before.due_on)),
            rounds::change_threshold_pct.eq(patch
                .change_threshold_pct
                .unwrap_or(before.change_threshold_pct)),
            rounds::closed_at.eq(match patch.closed {
                Some(true) if !before.closed => Some(now),
                Some(false) => None,
                _ => rounds::table
                    .find(id)
                    .select(rounds::closed_at)
                    .first::<Option<PrimitiveDateTime>>(conn)?,
            }),
        ))
        .execute(conn)?;
    let after = find(conn, access, id)?;
    let action = match (before.closed, after.closed) {
        (false, true) => Action::RoundClose,
        (true, false) => Action::RoundReopen,
        _ => Action::RoundUpdate,
    };
    record(journal, access, action, Some(&before), &after, now);
    Ok(after)
}

/// The province's rounds, newest year first.
pub fn list(
    conn: &mut DbConn,
    access: &Access,
    province_id: i64,
) -> Result<Vec<RoundInfo>, AppError> {
    check_province_reader(conn, access, province_id)?;
    Ok(rounds::table
        .filter(rounds::province_id.eq(province_id))
        .order(rounds::year.desc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(RoundInfo::from)
        .collect())
}

/// One school's place in a round.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SchoolInRound {
    pub school_id: i64,
    pub name: String,
    pub name_zh: Option<String>,
    pub city: String,
    pub state: YearState,
    pub overdue: bool,
    /// how many figures are entered so far
    pub figures_entered: i64,
    /// the year's latest status-data submission
    pub submission_id: Option<i64>,
}

/// A round with every visible school's state and the counts by state.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RoundDetail {
    #[serde(flatten)]
    pub round: RoundInfo,
    /// schools in each state, and `overdue`, over all the visible schools
    pub counts: BTreeMap<String, i64>,
    /// how many entered indicators the catalogue has (for "12 of 20 entered")
    pub indicators_entered: i64,
    pub schools: Vec<SchoolInRound>,
}

/// What the list of a round's schools is narrowed to.
#[derive(Clone, Debug, Default)]
pub struct RoundFilter {
    pub state: Option<YearState>,
    pub overdue: Option<bool>,
    /// part of a school's name, English or Chinese
    pub name: Option<String>,
}

/// Every school of a round's province with its state in the round, as of one day: what a
/// round page shows, computed once per round version of the province (`store::kept`).
pub struct RoundSchools {
    schools: Vec<SchoolInRound>,
}

/// Every school of a round's province with its state, by round and day, computed once
/// per round version of the province (`app::Kept`).
pub type Cache = crate::store::kept::Versioned<(i64, Date), RoundSchools>;

/// A round as the bureau follows it: each visible school of the province with its state.
pub fn detail(
    conn: &mut DbConn,
    access: &Access,
    cache: &Cache,
    id: i64,
    filter: &RoundFilter,
    today: Date,
) -> Result<RoundDetail, AppError> {
    let round = find(conn, access, id)?;
    let version = crate::store::provinces::version(
        conn,
        round.province_id,
        crate::store::provinces::Version::Round,
    )?;
    let all = cache.get_or_compute((id, today), version, || {
        schools_in_round(conn, &round, today)
    })?;
    // Province readers see every school of it; a school's people theirs (and those granted).
    let visible: Option<HashSet<i64>> = match access.school_scope() {
        SchoolScope::All | SchoolScope::Province(_) => None,
        _ => Some(
            crate::store::schools::scoped(access)
                .filter(schools::province_id.eq(round.province_id))
                .select(schools::id)
                .load::<i64>(conn)?
                .into_iter()
                .collect(),
        ),
    };
    let indicators_entered = crate::store::indicators::catalogue(conn)?.entered().count() as i64;
    let mut counts: BTreeMap<String, i64> = YearState::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), 0))
        .collect();
    counts.insert("overdue".into(), 0);
    let pattern = filter.name.as_deref().map(|n| n.to_lowercase());
    let mut rows = Vec::new();
    for school in all
        .schools
        .iter()
        .filter(|s| visible.as_ref().is_none_or(|v| v.contains(&s.school_id)))
    {
        *counts.entry(school.state.as_str().to_owned()).or_default() += 1;
        if school.overdue {
            *counts.entry("overdue".into()).or_default() += 1;
        }
        let matches = filter.state.is_none_or(|s| s == school.state)
            && filter.overdue.is_none_or(|o| o == school.overdue)
            && pattern.as_deref().is_none_or(|p| {
                school.name.to_lowercase().contains(p)
                    || school.name_zh.as_deref().is_some_and(|z| z.contains(p))
            });
        if matches {
            rows.push(school.clone());
        }
    }
    Ok(RoundDetail {
        round,
        counts,
        indicators_entered,
        schools: rows,
    })
}

/// Where one school's year stands in the province's collection.
#[derive(Clone, Copy, Debug)]
pub struct YearOfSchool {
    pub state: YearState,
    /// how many figures are entered so far
    pub figures_entered: i64,
    /// the year's latest status-data submission
    pub submission_id: Option<i64>,
}

/// Where the year stands for each of `schools` (of the province, as the caller read them),
/// by school id: four grouped queries for the province.
pub fn year_states(
    conn: &mut DbConn,
    province_id: i64,
    year: i32,
    schools: impl IntoIterator<Item = i64>,
) -> Result<BTreeMap<i64, YearOfSchool>, AppError> {
    let in_province = schools::table
        .filter(schools::province_id.eq(province_id))
        .select(schools::id);
    let locked: HashSet<i64> = school_years::table
        .filter(school_years::year.eq(year))
        .filter(school_years::locked_at.is_not_null())
        .filter(school_years::school_id.eq_any(in_province))
        .select(school_years::school_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    let explained: HashSet<i64> = school_years::table
        .filter(school_years::year.eq(year))
        .filter(school_years::explanations.ne("{}"))
        .filter(school_years::school_id.eq_any(in_province))
        .select(school_years::school_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    let entered: BTreeMap<i64, i64> = status_figures::table
        .filter(status_figures::year.eq(year))
        .filter(status_figures::school_id.eq_any(in_province))
        .group_by(status_figures::school_id)
        .select((status_figures::school_id, count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let mut latest: BTreeMap<i64, (i64, String)> = BTreeMap::new();
    for (school, submission, status) in submissions::table
        .filter(submissions::year.eq(year))
        .filter(submissions::kind.eq(SubmissionKind::StatusData))
        .filter(submissions::school_id.eq_any(in_province))
        .order(submissions::id.asc())
        .select((submissions::school_id, submissions::id, submissions::status))
        .load::<(i64, i64, String)>(conn)?
    {
        latest.insert(school, (submission, status));
    }
    Ok(schools
        .into_iter()
        .map(|school_id| {
            let submission = latest.get(&school_id);
            let status = submission.and_then(|(_, s)| SubmissionStatus::parse(s).ok());
            let figures_entered = entered.get(&school_id).copied().unwrap_or(0);
            let state = year_state(
                locked.contains(&school_id),
                status,
                figures_entered > 0 || explained.contains(&school_id),
            );
            let of_school = YearOfSchool {
                state,
                figures_entered,
                submission_id: submission.map(|(id, _)| *id),
            };
            (school_id, of_school)
        })
        .collect())
}

/// Every school of the round's province, by id, with its state.
fn schools_in_round(
    conn: &mut DbConn,
    round: &RoundInfo,
    today: Date,
) -> Result<RoundSchools, AppError> {
    // A school merged or closed by today is no task of the round.
    let all: Vec<(i64, String, Option<String>, String)> = schools::table
        .filter(schools::province_id.eq(round.province_id))
        .filter(crate::store::schools::in_service!(today))
        .order(schools::id.asc())
        .select((schools::id, schools::name, schools::name_zh, schools::city))
        .load(conn)?;
    let states = year_states(conn, round.province_id, round.year, all.iter().map(|s| s.0))?;
    let schools = all
        .into_iter()
        .filter_map(|(school_id, name, name_zh, city)| {
            let of_school = states.get(&school_id)?;
            Some(SchoolInRound {
                school_id,
                name,
                name_zh,
                city,
                state: of_school.state,
                overdue: !round.closed && overdue(of_school.state, round.due_on, today),
                figures_entered: of_school.figures_entered,
                submission_id: of_school.submission_id,
            })
        })
        .collect();
    Ok(RoundSchools { schools })
}

/// The status data an open round asks of each of `which` schools while the school has
/// neither handed its year in nor had it accepted: `(school, round id, year, due on)`, for
/// the deadlines and the officer's tasks.
pub fn pending(conn: &mut DbConn, which: Schools) -> Result<Vec<(i64, i64, i32, Date)>, AppError> {
    // A province has one or two open rounds at a time: one query per round.
    let query = rounds::table
        .filter(rounds::closed_at.is_null())
        .into_boxed::<crate::db::MultiBackend>();
    let query = match which {
        Schools::One(id) => query.filter(
            rounds::province_id.eq_any(
                schools::table
                    .filter(schools::id.eq(id))
                    .select(schools::province_id),
            ),
        ),
        Schools::Province(p) => query.filter(rounds::province_id.eq(p)),
        Schools::All => query,
    };
    let open: Vec<Row> = query.select(Row::as_select()).load(conn)?;
    let mut pending = Vec::new();
    for round in open {
        let accepted = school_years::table
            .filter(school_years::year.eq(round.year))
            .filter(school_years::locked_at.is_not_null())
            .select(school_years::school_id);
        let handed_in = submissions::table
            .filter(submissions::year.eq(round.year))
            .filter(submissions::kind.eq(SubmissionKind::StatusData))
            .filter(submissions::status.eq_any([
                SubmissionStatus::Submitted.as_str(),
                SubmissionStatus::Recommended.as_str(),
            ]))
            .select(submissions::school_id);
        let query = schools::table
            .filter(schools::province_id.eq(round.province_id))
            .filter(schools::id.ne_all(accepted))
            .filter(schools::id.ne_all(handed_in))
            .into_boxed::<crate::db::MultiBackend>();
        let query = match which {
            Schools::One(id) => query.filter(schools::id.eq(id)),
            _ => query,
        };
        let ids: Vec<i64> = query.select(schools::id).load(conn)?;
        pending.extend(
            ids.into_iter()
                .map(|s| (s, round.id, round.year, round.due_on)),
        );
    }
    Ok(pending)
}

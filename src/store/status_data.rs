//! A school's status data per year: its figures (one row per figure), the year's row
//! (explanations, report sections, the lock), and the rules that guard them: a locked year
//! answers 409 `year_locked` to every change until its province reopens it, and a year
//! under review cannot change under the reviewer's eyes.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use diesel::prelude::*;
use serde::Serialize;
use time::{Date, PrimitiveDateTime};

use crate::db::DbConn;
use crate::db::schema::{school_years, schools as school_rows, status_figures as figs};
use crate::domain::access::{Access, SchoolScope};
use crate::domain::history::{Action, Journal};
use crate::domain::indicators::Indicators;
use crate::domain::peers::standards;
use crate::domain::status_data::{
    DEFAULT_CHANGE_THRESHOLD_PCT, Figures, Flag, YearState, derive, flagged_codes, flags,
    serialize_figures, year_state,
};
use crate::domain::text;
use crate::domain::workflow::{SubmissionKind, SubmissionStatus};
use crate::error::{AppError, FieldErrors, Msg};
use crate::store::indicators::{Catalogue, catalogue};
use crate::store::record::{change, check_version, json, writable_school};
use crate::store::rounds::{self, RoundInfo};
use crate::store::schools::{self, School};

/// The longest explanation of a flagged figure.
pub const EXPLANATION_MAX: usize = 2_000;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = school_years, check_for_backend(crate::db::MultiBackend))]
pub struct YearRow {
    pub school_id: i64,
    pub year: i32,
    pub explanations: String,
    pub highlights: Option<String>,
    pub problems: Option<String>,
    pub locked_at: Option<PrimitiveDateTime>,
    pub accepted_submission_id: Option<i64>,
    pub reopen_reason: Option<String>,
    pub version: i64,
}

impl YearRow {
    pub fn explanations(&self) -> BTreeMap<String, String> {
        serde_json::from_str(&self.explanations).unwrap_or_default()
    }
}

/// A school's year as its page and `GET …/status-data/{year}` show it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StatusData {
    pub school_id: i64,
    pub year: i32,
    /// entered figures, by indicator code
    #[serde(serialize_with = "serialize_figures")]
    #[schema(value_type = BTreeMap<String, f64>)]
    pub figures: Figures,
    /// ratios computed from the figures, never typed
    #[serde(serialize_with = "serialize_figures")]
    #[schema(value_type = BTreeMap<String, f64>)]
    pub derived: Figures,
    /// last year's figures and ratios, for reference
    #[serde(serialize_with = "serialize_figures")]
    #[schema(value_type = BTreeMap<String, f64>)]
    pub previous: Figures,
    /// figures that moved more than the round's threshold or miss a national standard;
    /// each needs an explanation before the year is submitted
    pub flags: Vec<Flag>,
    /// the school's explanation of each flagged figure, by indicator code
    pub explanations: BTreeMap<String, String>,
    pub state: YearState,
    /// accepted by the province: no change until it reopens the year
    pub locked: bool,
    #[serde(serialize_with = "crate::clock::serialize_opt_timestamp")]
    #[schema(value_type = Option<String>)]
    pub locked_at: Option<PrimitiveDateTime>,
    /// why the province last reopened the year
    pub reopen_reason: Option<String>,
    /// the year's latest status-data submission
    pub submission_id: Option<i64>,
    pub submission_status: Option<SubmissionStatus>,
    /// the province's collection round for the year, if it opened one
    pub round: Option<RoundInfo>,
    /// the change threshold the flags were computed with, in percent
    pub change_threshold_pct: i32,
    /// send it back with a change; 0 before anything is recorded
    pub version: i64,
}

impl StatusData {
    /// Entered and derived figures together.
    pub fn all_figures(&self) -> Figures {
        let mut all = self.figures.clone();
        all.extend(self.derived.clone());
        all
    }

    /// The flagged codes without an explanation.
    pub fn unexplained(&self) -> Vec<String> {
        flagged_codes(&self.flags)
            .into_iter()
            .filter(|code| {
                self.explanations
                    .get(*code)
                    .is_none_or(|t| t.trim().is_empty())
            })
            .map(str::to_owned)
            .collect()
    }
}

pub(super) fn year_row_by_id(
    conn: &mut DbConn,
    school_id: i64,
    year: i32,
) -> Result<Option<YearRow>, AppError> {
    Ok(school_years::table
        .find((school_id, year))
        .select(YearRow::as_select())
        .first(conn)
        .optional()?)
}

/// The entered figures of a school's year.
pub(super) fn figures_by_id(
    conn: &mut DbConn,
    catalogue: &Catalogue,
    school_id: i64,
    year: i32,
) -> Result<Figures, AppError> {
    let rows: Vec<(i64, f64)> = figs::table
        .filter(figs::school_id.eq(school_id))
        .filter(figs::year.eq(year))
        .select((figs::indicator_id, figs::value))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, value)| Some((catalogue.code_of(id)?.to_owned(), value)))
        .collect())
}

/// The latest status-data submission of a school's year: its id and status.
pub(super) fn latest_submission(
    conn: &mut DbConn,
    school_id: i64,
    year: i32,
) -> Result<Option<(i64, SubmissionStatus)>, AppError> {
    crate::store::submissions::latest_of_year_by_id(
        conn,
        school_id,
        SubmissionKind::StatusData,
        year,
    )
}

/// The status data of a school the caller may read.
pub fn read(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    year: i32,
) -> Result<StatusData, AppError> {
    let school = schools::get(conn, access, school_id)?;
    let catalogue = catalogue(conn)?;
    compute(conn, &catalogue, &school, year)
}

/// The status data of a school already read through the caller's scope.
pub fn compute(
    conn: &mut DbConn,
    catalogue: &Catalogue,
    school: &School,
    year: i32,
) -> Result<StatusData, AppError> {
    let indicators = catalogue.indicators();
    let row = year_row_by_id(conn, school.id, year)?;
    let figures = figures_by_id(conn, catalogue, school.id, year)?;
    let derived = derive(&indicators, &figures);
    let mut previous = figures_by_id(conn, catalogue, school.id, year - 1)?;
    previous.extend(derive(&indicators, &previous));
    let round = rounds::for_year(conn, school.province_id, year)?;
    let threshold = round
        .as_ref()
        .map_or(DEFAULT_CHANGE_THRESHOLD_PCT, |r| r.change_threshold_pct);
    let kind = school.kind;
    let mut current = figures.clone();
    current.extend(derived.clone());
    let flags = flags(
        &indicators,
        &current,
        &previous,
        f64::from(threshold),
        standards(kind),
    );
    let submission = latest_submission(conn, school.id, year)?;
    let locked = row.as_ref().is_some_and(|r| r.locked_at.is_some());
    let explanations = row.as_ref().map(YearRow::explanations).unwrap_or_default();
    let recorded = !figures.is_empty() || !explanations.is_empty();
    Ok(StatusData {
        school_id: school.id,
        year,
        state: year_state(locked, submission.map(|(_, s)| s), recorded),
        figures,
        derived,
        previous,
        flags,
        explanations,
        locked,
        locked_at: row.as_ref().and_then(|r| r.locked_at),
        reopen_reason: row.as_ref().and_then(|r| r.reopen_reason.clone()),
        submission_id: submission.map(|(id, _)| id),
        submission_status: submission.map(|(_, s)| s),
        round,
        change_threshold_pct: threshold,
        version: row.map_or(0, |r| r.version),
    })
}

/// Refuses a change to a year that is locked (409 `year_locked`) or with the province
/// for review (409 `year_in_review`).
pub(super) fn check_changeable_by_id(
    conn: &mut DbConn,
    school_id: i64,
    year: i32,
) -> Result<(), AppError> {
    if year_row_by_id(conn, school_id, year)?.is_some_and(|r| r.locked_at.is_some()) {
        return Err(AppError::conflict_of(Msg::YearLocked { year }));
    }
    if let Some((_, SubmissionStatus::Submitted | SubmissionStatus::Recommended)) =
        latest_submission(conn, school_id, year)?
    {
        return Err(AppError::conflict_of(Msg::YearInReview { year }));
    }
    Ok(())
}

/// What a change to a year's status data brings: each part, when given, replaces the
/// year's part as a whole.
#[derive(Clone, Debug, Default)]
pub struct StatusInput {
    /// indicator code → value (`None`: not reported)
    pub figures: Option<BTreeMap<String, Option<f64>>>,
    pub explanations: Option<BTreeMap<String, String>>,
    pub version: Option<i64>,
}

/// Checks entered figures against the catalogue (its kind and range per indicator, on every
/// path that takes figures); problems are named `{prefix}<code>`.
pub fn check_figures(
    catalogue: &Catalogue,
    typed: &BTreeMap<String, Option<f64>>,
    prefix: &str,
) -> Result<Figures, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut figures = Figures::new();
    for (code, value) in typed {
        let field = format!("{prefix}{code}");
        let Some(indicator) = catalogue.by_code(code) else {
            errors.insert(field, Msg::NoIndicator);
            continue;
        };
        let Some(value) = value else {
            if indicator.derived {
                errors.insert(field, Msg::Derived);
            }
            continue;
        };
        match indicator.check(*value) {
            Ok(value) => {
                figures.insert(code.clone(), value);
            }
            Err(problem) => {
                errors.insert(field, problem);
            }
        }
    }
    if errors.is_empty() {
        Ok(figures)
    } else {
        Err(errors)
    }
}

fn check_explanations(
    catalogue: &Catalogue,
    typed: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut kept = BTreeMap::new();
    for (code, raw) in typed {
        let field = format!("explanations.{code}");
        if catalogue.by_code(code).is_none() {
            errors.insert(field, Msg::NoIndicator);
            continue;
        }
        match text::optional(Some(raw), EXPLANATION_MAX) {
            Ok(Some(text)) => {
                kept.insert(code.clone(), text);
            }
            Ok(None) => {}
            Err(problem) => {
                errors.insert(field, problem);
            }
        }
    }
    if errors.is_empty() {
        Ok(kept)
    } else {
        Err(errors)
    }
}

/// Sets a year's figures and explanations (the school's quality officer). Returns the
/// year and whether it was recorded for the first time.
pub fn put(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    school_id: i64,
    year: i32,
    input: &StatusInput,
    now: PrimitiveDateTime,
) -> Result<(StatusData, bool), AppError> {
    let school = writable_school(conn, access, school_id)?;
    let catalogue = catalogue(conn)?;
    let mut errors = FieldErrors::new();
    let figures = match input
        .figures
        .as_ref()
        .map(|f| check_figures(&catalogue, f, "figures."))
    {
        Some(Err(e)) => {
            errors.extend(e);
            None
        }
        Some(Ok(f)) => Some(f),
        None => None,
    };
    let explanations = match input
        .explanations
        .as_ref()
        .map(|e| check_explanations(&catalogue, e))
    {
        Some(Err(e)) => {
            errors.extend(e);
            None
        }
        Some(Ok(e)) => Some(e),
        None => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let created = record(
        conn,
        journal,
        access,
        &catalogue,
        &school,
        year,
        Change {
            figures,
            explanations,
            version: input.version,
        },
        now,
    )?;
    Ok((compute(conn, &catalogue, &school, year)?, created))
}

/// A change to write: each part replaces the year's part when given.
#[derive(Default)]
pub struct Change {
    pub figures: Option<Figures>,
    pub explanations: Option<BTreeMap<String, String>>,
    pub version: Option<i64>,
}

/// Writes a change to a year, with its history entry, inside the caller's transaction:
/// the one writer of figures (the API, the page, the template upload and the old
/// indicators route all come here). Returns whether the year was new.
#[allow(clippy::too_many_arguments)]
pub fn record(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    catalogue: &Catalogue,
    school: &School,
    year: i32,
    change_to: Change,
    now: PrimitiveDateTime,
) -> Result<bool, AppError> {
    check_changeable_by_id(conn, school.id, year)?;
    let row = year_row_by_id(conn, school.id, year)?;
    check_version(change_to.version, row.as_ref().map_or(0, |r| r.version))?;
    let before_figures = figures_by_id(conn, catalogue, school.id, year)?;
    let before_explanations = row.as_ref().map(YearRow::explanations).unwrap_or_default();
    let explanations = change_to
        .explanations
        .clone()
        .unwrap_or_else(|| before_explanations.clone());
    let explanations_json =
        serde_json::to_string(&explanations).map_err(|e| AppError::Internal(e.into()))?;
    match &row {
        Some(current) => {
            let changed = diesel::update(
                school_years::table
                    .find((school.id, year))
                    .filter(school_years::version.eq(current.version)),
            )
            .set((
                school_years::explanations.eq(&explanations_json),
                school_years::version.eq(current.version + 1),
                school_years::updated_at.eq(now),
            ))
            .execute(conn)?;
            if changed == 0 {
                return Err(crate::store::schools::stale_version());
            }
        }
        None => {
            diesel::insert_into(school_years::table)
                .values((
                    school_years::school_id.eq(school.id),
                    school_years::year.eq(year),
                    school_years::explanations.eq(&explanations_json),
                    school_years::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
    }
    if let Some(figures) = &change_to.figures {
        diesel::delete(
            figs::table
                .filter(figs::school_id.eq(school.id))
                .filter(figs::year.eq(year)),
        )
        .execute(conn)?;
        for (code, value) in figures {
            let id = catalogue
                .id_of(code)
                .ok_or_else(|| AppError::field(&format!("figures.{code}"), Msg::NoIndicator))?;
            diesel::insert_into(figs::table)
                .values((
                    figs::school_id.eq(school.id),
                    figs::year.eq(year),
                    figs::indicator_id.eq(id),
                    figs::value.eq(value),
                ))
                .execute(conn)?;
        }
    }
    let after_figures = change_to.figures.unwrap_or_else(|| before_figures.clone());
    journal.record(change(
        access,
        school.id,
        Action::StatusDataSet,
        i64::from(year),
        row.as_ref().map(|_| {
            serde_json::json!({"year": year, "figures": before_figures, "explanations": before_explanations})
        }),
        Some(serde_json::json!({"year": year, "figures": after_figures, "explanations": explanations})),
            now,
        ));
    Ok(row.is_none())
}

/// The province admin reopens an accepted year, with a reason that lands in the history.
pub fn reopen(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    school_id: i64,
    year: i32,
    reason: &str,
    now: PrimitiveDateTime,
) -> Result<StatusData, AppError> {
    let school = schools::get(conn, access, school_id)?;
    Access::require(access.administers_province(school.province_id))?;
    let reason = text::required(reason, text::LONG).map_err(|p| AppError::field("reason", p))?;
    let row = year_row_by_id(conn, school_id, year)?;
    let Some(row) = row.filter(|r| r.locked_at.is_some()) else {
        return Err(AppError::conflict_of(Msg::YearNotLocked { year }));
    };
    diesel::update(school_years::table.find((school_id, year)))
        .set((
            school_years::locked_at.eq(None::<PrimitiveDateTime>),
            school_years::reopen_reason.eq(&reason),
            school_years::version.eq(row.version + 1),
            school_years::updated_at.eq(now),
        ))
        .execute(conn)?;
    journal.record(change(
        access,
        school_id,
        Action::StatusDataReopen,
        i64::from(year),
        Some(serde_json::json!({"year": year, "locked": true})),
        Some(serde_json::json!({"year": year, "locked": false, "reason": reason})),
        now,
    ));
    let catalogue = catalogue(conn)?;
    compute(conn, &catalogue, &school, year)
}

/// Before a status-data submission goes to the province: the year has figures, every flag
/// is explained, and the round (if the province opened one) is not closed. Returns the
/// content the submission keeps: the figures of that moment.
pub(super) fn content_for_submission(
    conn: &mut DbConn,
    school_id: i64,
    year: i32,
) -> Result<serde_json::Value, AppError> {
    let school: School = schools::find(conn, school_id)?.ok_or(AppError::NotFound)?;
    if let Some(round) = rounds::for_year(conn, school.province_id, year)?
        && round.closed
    {
        return Err(AppError::conflict_of(Msg::RoundClosed { year }));
    }
    let catalogue = catalogue(conn)?;
    let data = compute(conn, &catalogue, &school, year)?;
    if data.locked {
        return Err(AppError::conflict_of(Msg::YearLocked { year }));
    }
    if data.figures.is_empty() {
        return Err(AppError::conflict_of(Msg::FiguresRequired { year }));
    }
    let unexplained: FieldErrors = data
        .unexplained()
        .into_iter()
        .map(|code| (format!("explanations.{code}"), Msg::ExplanationRequired))
        .collect();
    if !unexplained.is_empty() {
        return Err(AppError::Validation(unexplained));
    }
    /// What the submission hands in.
    #[derive(Serialize)]
    struct Content<'a> {
        year: i32,
        #[serde(serialize_with = "serialize_figures")]
        figures: &'a Figures,
        #[serde(serialize_with = "serialize_figures")]
        derived: &'a Figures,
        flags: &'a [Flag],
        explanations: &'a BTreeMap<String, String>,
    }
    json(&Content {
        year,
        figures: &data.figures,
        derived: &data.derived,
        flags: &data.flags,
        explanations: &data.explanations,
    })
    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("status data does not serialise")))
}

/// The approval of a status-data submission locks its year (封账). Without a submission,
/// the operator records a year the province accepted before it used accredit.
pub fn lock(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    school_id: i64,
    year: i32,
    submission_id: Option<i64>,
    now: PrimitiveDateTime,
) -> Result<(), AppError> {
    if submission_id.is_none() {
        Access::require(access.is_admin())?;
    }
    let row = year_row_by_id(conn, school_id, year)?;
    match row {
        Some(row) => {
            diesel::update(school_years::table.find((school_id, year)))
                .set((
                    school_years::locked_at.eq(now),
                    school_years::accepted_submission_id.eq(submission_id),
                    school_years::version.eq(row.version + 1),
                    school_years::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        None => {
            diesel::insert_into(school_years::table)
                .values((
                    school_years::school_id.eq(school_id),
                    school_years::year.eq(year),
                    school_years::locked_at.eq(now),
                    school_years::accepted_submission_id.eq(submission_id),
                    school_years::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
    }
    journal.record(change(
        access,
        school_id,
        Action::StatusDataLock,
        i64::from(year),
        Some(serde_json::json!({"year": year, "locked": false})),
        Some(serde_json::json!({"year": year, "locked": true, "submission_id": submission_id})),
        now,
    ));
    Ok(())
}

/// The latest accepted (locked) year of a school and its figures, ratios included: what
/// peers, programmes and reports read.
pub(super) fn latest_accepted(
    conn: &mut DbConn,
    catalogue: &Catalogue,
    school_id: i64,
) -> Result<Option<(i32, Figures)>, AppError> {
    let year: Option<i32> = school_years::table
        .filter(school_years::school_id.eq(school_id))
        .filter(school_years::locked_at.is_not_null())
        .select(diesel::dsl::max(school_years::year))
        .first(conn)?;
    let Some(year) = year else {
        return Ok(None);
    };
    let mut figures = figures_by_id(conn, catalogue, school_id, year)?;
    figures.extend(derive(&catalogue.indicators(), &figures));
    Ok(Some((year, figures)))
}

/// `latest_accepted` of every school of a province that has an accepted year, by school:
/// three queries for the province, not three per school.
pub(super) fn latest_accepted_in_province(
    conn: &mut DbConn,
    catalogue: &Catalogue,
    province_id: i64,
) -> Result<HashMap<i64, Figures>, AppError> {
    let in_province = school_rows::table
        .filter(school_rows::province_id.eq(province_id))
        .select(school_rows::id);
    let latest: HashMap<i64, i32> = school_years::table
        .filter(school_years::school_id.eq_any(in_province))
        .filter(school_years::locked_at.is_not_null())
        .group_by(school_years::school_id)
        .select((
            school_years::school_id,
            diesel::dsl::max(school_years::year),
        ))
        .load::<(i64, Option<i32>)>(conn)?
        .into_iter()
        .filter_map(|(school, year)| Some((school, year?)))
        .collect();
    let mut years: Vec<i32> = latest.values().copied().collect();
    years.sort_unstable();
    years.dedup();
    let in_province = school_rows::table
        .filter(school_rows::province_id.eq(province_id))
        .select(school_rows::id);
    let rows: Vec<(i64, i32, i64, f64)> = figs::table
        .filter(figs::school_id.eq_any(in_province))
        .filter(figs::year.eq_any(&years))
        .select((figs::school_id, figs::year, figs::indicator_id, figs::value))
        .load(conn)?;
    let mut by_school: HashMap<i64, Figures> = HashMap::new();
    for (school, year, indicator, value) in rows {
        if latest.get(&school) == Some(&year)
            && let Some(code) = catalogue.code_of(indicator)
        {
            by_school
                .entry(school)
                .or_default()
                .insert(code.to_owned(), value);
        }
    }
    let indicators = catalogue.indicators();
    for figures in by_school.values_mut() {
        let derived = derive(&indicators, figures);
        figures.extend(derived);
    }
    Ok(by_school)
}

/// The accepted figures of every visible school of a province for a year, ratios
/// included, in school order: the province's hand-over to the ministry. The whole
/// province's are computed once per data version of the province (a year is accepted or
/// reopened, a school renamed) and kept (`store::kept`).
pub struct ProvinceYear {
    pub catalogue: Catalogue,
    rows: Arc<Vec<ProvinceSchool>>,
    /// the schools the reader may see, when not all of the province
    visible: Option<HashSet<i64>>,
}

/// One school of the province in a year's table: where its year stands, and its figures
/// (entered and derived) once the year is accepted.
#[derive(Clone, Debug)]
pub struct ProvinceSchool {
    pub school: School,
    pub state: YearState,
    /// empty until the year is accepted
    pub figures: Figures,
}

impl ProvinceYear {
    /// Every school of the province the reader may see, by id.
    pub fn rows(&self) -> impl Iterator<Item = &ProvinceSchool> {
        self.rows.iter().filter(|row| {
            self.visible
                .as_ref()
                .is_none_or(|v| v.contains(&row.school.id))
        })
    }
}

/// A province's year, by province and year, computed once per round version of the
/// province (`app::Kept`): that version moves with every figure, submission, acceptance
/// and school change.
pub type AcceptedCache = crate::store::kept::Versioned<(i64, i32), Vec<ProvinceSchool>>;

/// Every school of a province with its state in the year and, where the year is accepted,
/// its figures.
pub fn province_accepted(
    conn: &mut DbConn,
    access: &Access,
    cache: &AcceptedCache,
    province_id: i64,
    year: i32,
) -> Result<ProvinceYear, AppError> {
    crate::store::rounds::check_province_reader(conn, access, province_id)?;
    let catalogue = catalogue(conn)?;
    let version = crate::store::provinces::version(
        conn,
        province_id,
        crate::store::provinces::Version::Round,
    )?;
    let rows = cache.get_or_compute((province_id, year), version, || {
        province_year(conn, &catalogue, province_id, year)
    })?;
    let visible = match access.school_scope() {
        SchoolScope::All | SchoolScope::Province(_) => None,
        _ => Some(
            crate::store::schools::scoped(access)
                .filter(school_rows::province_id.eq(province_id))
                .select(school_rows::id)
                .load::<i64>(conn)?
                .into_iter()
                .collect(),
        ),
    };
    Ok(ProvinceYear {
        catalogue,
        rows,
        visible,
    })
}

fn province_year(
    conn: &mut DbConn,
    catalogue: &Catalogue,
    province_id: i64,
    year: i32,
) -> Result<Vec<ProvinceSchool>, AppError> {
    let schools = crate::store::schools::in_province(conn, province_id)?;
    let states = rounds::year_states(conn, province_id, year, schools.iter().map(|s| s.id))?;
    let accepted: Vec<i64> = states
        .iter()
        .filter(|(_, s)| s.state == YearState::Accepted)
        .map(|(id, _)| *id)
        .collect();
    let rows: Vec<(i64, i64, f64)> = figs::table
        .filter(figs::year.eq(year))
        .filter(figs::school_id.eq_any(&accepted))
        .select((figs::school_id, figs::indicator_id, figs::value))
        .load(conn)?;
    let mut by_school: BTreeMap<i64, Figures> =
        accepted.iter().map(|id| (*id, Figures::new())).collect();
    for (school, indicator, value) in rows {
        if let (Some(code), Some(figures)) =
            (catalogue.code_of(indicator), by_school.get_mut(&school))
        {
            figures.insert(code.to_owned(), value);
        }
    }
    let indicators = catalogue.indicators();
    let mut out = Vec::with_capacity(schools.len());
    for school in schools {
        let Some(of_school) = states.get(&school.id) else {
            continue;
        };
        let mut figures = by_school.remove(&school.id).unwrap_or_default();
        if of_school.state == YearState::Accepted {
            figures.extend(derive(&indicators, &figures));
        }
        out.push(ProvinceSchool {
            school,
            state: of_school.state,
            figures,
        });
    }
    Ok(out)
}

/// The codes of the nine figures the first `indicators` route reads and writes.
const NINE: [&str; 9] = [
    "students",
    "teachers",
    "senior_appraisers",
    "campus_area_m2",
    "building_area_m2",
    "equipment_value_cny",
    "computers",
    "graduates",
    "training_person_times",
];

/// The nine figures of one school and year, as the first `indicators` route answers them.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct YearIndicators {
    pub school_id: i64,
    pub year: i32,
    #[serde(flatten)]
    pub figures: Indicators,
}

fn nine_of(school_id: i64, year: i32, figures: &Figures) -> YearIndicators {
    let get = |code: &str| figures.get(code).map(|v| v.round() as i64);
    YearIndicators {
        school_id,
        year,
        figures: Indicators {
            students: get("students"),
            teachers: get("teachers"),
            senior_appraisers: get("senior_appraisers"),
            campus_area_m2: get("campus_area_m2"),
            building_area_m2: get("building_area_m2"),
            equipment_value_cny: get("equipment_value_cny"),
            computers: get("computers"),
            graduates: get("graduates"),
            training_person_times: get("training_person_times"),
        },
    }
}

/// Sets the nine figures of a year (the first `indicators` route): those nine are
/// replaced, the year's other figures stay.
pub fn put_nine(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    school_id: i64,
    year: i32,
    nine: &Indicators,
    now: PrimitiveDateTime,
) -> Result<(YearIndicators, bool), AppError> {
    let school = writable_school(conn, access, school_id)?;
    let catalogue = catalogue(conn)?;
    let mut figures = figures_by_id(conn, &catalogue, school_id, year)?;
    let typed: BTreeMap<String, Option<f64>> = nine
        .fields()
        .into_iter()
        .filter_map(|(code, value)| Some((code.to_owned(), Some(value? as f64))))
        .collect();
    let checked = check_figures(&catalogue, &typed, "").map_err(AppError::Validation)?;
    for (code, value) in nine.fields() {
        match value.and(checked.get(code)) {
            Some(v) => figures.insert(code.to_owned(), *v),
            None => figures.remove(code),
        };
    }
    let created = record(
        conn,
        journal,
        access,
        &catalogue,
        &school,
        year,
        Change {
            figures: Some(figures.clone()),
            ..Change::default()
        },
        now,
    )?;
    Ok((nine_of(school_id, year, &figures), created))
}

/// The nine figures of every recorded year of a school, newest first.
pub fn list_nine(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
) -> Result<Vec<YearIndicators>, AppError> {
    schools::get(conn, access, school_id)?;
    let catalogue = catalogue(conn)?;
    let ids: Vec<i64> = NINE.iter().filter_map(|c| catalogue.id_of(c)).collect();
    let years: BTreeSet<i32> = school_years::table
        .filter(school_years::school_id.eq(school_id))
        .select(school_years::year)
        .load::<i32>(conn)?
        .into_iter()
        .collect();
    let rows: Vec<(i32, i64, f64)> = figs::table
        .filter(figs::school_id.eq(school_id))
        .filter(figs::indicator_id.eq_any(&ids))
        .select((figs::year, figs::indicator_id, figs::value))
        .load(conn)?;
    let mut by_year: BTreeMap<i32, Figures> =
        years.into_iter().map(|y| (y, Figures::new())).collect();
    for (year, id, value) in rows {
        if let Some(code) = catalogue.code_of(id) {
            by_year
                .entry(year)
                .or_default()
                .insert(code.to_owned(), value);
        }
    }
    Ok(by_year
        .iter()
        .rev()
        .map(|(year, figures)| nine_of(school_id, *year, figures))
        .collect())
}

/// One year of a school, for the list of its years.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct YearSummary {
    pub year: i32,
    pub state: YearState,
    pub locked: bool,
    pub figures_entered: i64,
    /// the due date of the province's round for the year, if it opened one
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Date>,
}

/// Every year a school has recorded or its province asks for, newest first.
pub fn years(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
) -> Result<Vec<YearSummary>, AppError> {
    use crate::db::schema::collection_rounds as rounds;
    let school = schools::get(conn, access, school_id)?;
    let rows: Vec<(i32, Option<PrimitiveDateTime>, String)> = school_years::table
        .filter(school_years::school_id.eq(school_id))
        .select((
            school_years::year,
            school_years::locked_at,
            school_years::explanations,
        ))
        .load(conn)?;
    let asked: Vec<(i32, Date)> = rounds::table
        .filter(rounds::province_id.eq(school.province_id))
        .select((rounds::year, rounds::due_on))
        .load(conn)?;
    let entered: BTreeMap<i32, i64> = figs::table
        .filter(figs::school_id.eq(school_id))
        .group_by(figs::year)
        .select((figs::year, diesel::dsl::count_star()))
        .load::<(i32, i64)>(conn)?
        .into_iter()
        .collect();
    let mut years: BTreeSet<i32> = rows.iter().map(|r| r.0).collect();
    years.extend(asked.iter().map(|a| a.0));
    let mut out = Vec::with_capacity(years.len());
    for year in years.into_iter().rev() {
        let row = rows.iter().find(|r| r.0 == year);
        let locked = row.is_some_and(|r| r.1.is_some());
        let figures_entered = entered.get(&year).copied().unwrap_or(0);
        let submission = latest_submission(conn, school_id, year)?;
        let explained = row.is_some_and(|r| r.2 != "{}");
        out.push(YearSummary {
            year,
            state: year_state(
                locked,
                submission.map(|(_, s)| s),
                figures_entered > 0 || explained,
            ),
            locked,
            figures_entered,
            due_on: asked.iter().find(|a| a.0 == year).map(|a| a.1),
        });
    }
    Ok(out)
}

/// The report sections the officer writes for a year.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct ReportSections {
    pub highlights: Option<String>,
    pub problems: Option<String>,
}

pub(super) fn report_sections_by_id(
    conn: &mut DbConn,
    school_id: i64,
    year: i32,
) -> Result<ReportSections, AppError> {
    Ok(year_row_by_id(conn, school_id, year)?
        .map(|r| ReportSections {
            highlights: r.highlights,
            problems: r.problems,
        })
        .unwrap_or_default())
}

/// Keeps the sections the officer wrote for the year's report. The report is the school's
/// own words, so a locked year's report may still be written.
pub fn put_report_sections(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    school_id: i64,
    year: i32,
    sections: &ReportSections,
    now: PrimitiveDateTime,
) -> Result<ReportSections, AppError> {
    writable_school(conn, access, school_id)?;
    let before = year_row_by_id(conn, school_id, year)?;
    match &before {
        Some(row) => {
            diesel::update(school_years::table.find((school_id, year)))
                .set((
                    school_years::highlights.eq(&sections.highlights),
                    school_years::problems.eq(&sections.problems),
                    school_years::version.eq(row.version + 1),
                    school_years::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        None => {
            diesel::insert_into(school_years::table)
                .values((
                    school_years::school_id.eq(school_id),
                    school_years::year.eq(year),
                    school_years::highlights.eq(&sections.highlights),
                    school_years::problems.eq(&sections.problems),
                    school_years::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
    }
    journal.record(change(
        access,
        school_id,
        Action::AnnualReportWrite,
        i64::from(year),
        before.map(|r| serde_json::json!({"highlights": r.highlights, "problems": r.problems})),
        json(sections),
        now,
    ));
    Ok(sections.clone())
}

/// Years are reported between 1950 and next year.
pub fn parse_year(year: i64, today: Date) -> Result<i32, Msg> {
    crate::domain::indicators::parse_year(year, today.year())
}

// What the rest of the application reads of a school's year takes the school as read
// through the reader's access (a `School` leaves the store only so); the by-id forms above
// are the store's own.

/// The stored row of a school's year, if any.
pub fn year_row(
    conn: &mut DbConn,
    school: &School,
    year: i32,
) -> Result<Option<YearRow>, AppError> {
    year_row_by_id(conn, school.id, year)
}

/// The figures typed in for a school's year.
pub fn figures_of(
    conn: &mut DbConn,
    catalogue: &Catalogue,
    school: &School,
    year: i32,
) -> Result<Figures, AppError> {
    figures_by_id(conn, catalogue, school.id, year)
}

/// 409 unless the year may change: not locked, not handed in.
pub fn check_changeable(conn: &mut DbConn, school: &School, year: i32) -> Result<(), AppError> {
    check_changeable_by_id(conn, school.id, year)
}

/// The sections the officer wrote for the year's report.
pub fn report_sections(
    conn: &mut DbConn,
    school: &School,
    year: i32,
) -> Result<ReportSections, AppError> {
    report_sections_by_id(conn, school.id, year)
}

/// The newest year of a school that its province has accepted (locked), if any: one
/// index lookup, for the school's own line against the standards.
pub fn latest_accepted_year(conn: &mut DbConn, school: &School) -> Result<Option<i32>, AppError> {
    Ok(school_years::table
        .filter(school_years::school_id.eq(school.id))
        .filter(school_years::locked_at.is_not_null())
        .order(school_years::year.desc())
        .select(school_years::year)
        .first(conn)
        .optional()?)
}

//! The peer comparison: a school against the other schools of its province, on recorded
//! facts only (titles registered by the province, the certificate, audits, findings,
//! corrective actions and the latest indicators; never submissions, drafts, comments or
//! evidence). A handful of grouped queries for the whole province, never one per school.

use std::collections::HashMap;
use std::sync::Arc;

use diesel::dsl::count_star;
use diesel::prelude::*;
use serde::Serialize;
use time::Date;

use crate::db::DbConn;
use crate::db::schema::{
    audits, certificates, corrective_actions, findings, school_metrics, school_titles, schools,
    title_types,
};
use crate::domain::SchoolKind;
use crate::domain::access::Access;
use crate::domain::dates::next_reevaluation;
use crate::domain::peers::{Compliance, compliance, percentile_among, standards};
use crate::domain::quality::{FindingGrade, FindingStatus, HoldingStatus, TitleLevel};
use crate::error::AppError;
use crate::store::kept::Versioned;

/// The figures compared, per school.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Metrics {
    pub school_id: i64,
    pub name: String,
    pub name_zh: Option<String>,
    #[schema(value_type = crate::domain::SchoolKind)]
    pub kind: SchoolKind,
    pub titles_held: i64,
    pub national_titles: i64,
    /// holds a certificate valid today
    pub certified: bool,
    pub days_to_next_reevaluation: Option<i64>,
    pub overdue_reevaluations: i64,
    pub audits_last_3_years: i64,
    pub open_major_nc: i64,
    pub open_minor_nc: i64,
    pub open_observations: i64,
    pub open_ofi: i64,
    pub actions_closed_on_time: i64,
    /// year of the latest indicators
    pub indicator_year: Option<i32>,
    pub students: Option<i64>,
    pub teachers: Option<i64>,
    pub students_per_teacher: Option<f64>,
    pub campus_m2_per_student: Option<f64>,
    pub equipment_cny_per_student: Option<f64>,
}

/// The numeric metrics, each with whether a higher value is better.
pub const COMPARED: &[(&str, bool)] = &[
    ("titles_held", true),
    ("national_titles", true),
    ("days_to_next_reevaluation", true),
    ("overdue_reevaluations", false),
    ("audits_last_3_years", true),
    ("open_major_nc", false),
    ("open_minor_nc", false),
    ("actions_closed_on_time", true),
    ("students", true),
    ("teachers", true),
    ("students_per_teacher", false),
    ("campus_m2_per_student", true),
    ("equipment_cny_per_student", true),
];

impl Metrics {
    /// A school's metrics before any is counted.
    fn of(school_id: i64, name: String, name_zh: Option<String>, kind: SchoolKind) -> Metrics {
        Metrics {
            school_id,
            name,
            name_zh,
            kind,
            titles_held: 0,
            national_titles: 0,
            certified: false,
            days_to_next_reevaluation: None,
            overdue_reevaluations: 0,
            audits_last_3_years: 0,
            open_major_nc: 0,
            open_minor_nc: 0,
            open_observations: 0,
            open_ofi: 0,
            actions_closed_on_time: 0,
            indicator_year: None,
            students: None,
            teachers: None,
            students_per_teacher: None,
            campus_m2_per_student: None,
            equipment_cny_per_student: None,
        }
    }

    pub fn value(&self, metric: &str) -> Option<f64> {
        let n = |v: i64| Some(v as f64);
        match metric {
            "titles_held" => n(self.titles_held),
            "national_titles" => n(self.national_titles),
            "days_to_next_reevaluation" => self.days_to_next_reevaluation.map(|d| d as f64),
            "overdue_reevaluations" => n(self.overdue_reevaluations),
            "audits_last_3_years" => n(self.audits_last_3_years),
            "open_major_nc" => n(self.open_major_nc),
            "open_minor_nc" => n(self.open_minor_nc),
            "actions_closed_on_time" => n(self.actions_closed_on_time),
            "students" => self.students.map(|v| v as f64),
            "teachers" => self.teachers.map(|v| v as f64),
            "students_per_teacher" => self.students_per_teacher,
            "campus_m2_per_student" => self.campus_m2_per_student,
            "equipment_cny_per_student" => self.equipment_cny_per_student,
            _ => None,
        }
    }
}

/// How the school stands against one national standard, on its latest accepted year.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StandardCheck {
    /// the indicator's code
    pub measure: &'static str,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub actual: Option<f64>,
    pub compliance: Compliance,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Comparison {
    pub school: Metrics,
    pub peers: Vec<Metrics>,
    /// metric → the school's percentile among its peers (0..100; higher is better, also for
    /// figures where less is better); absent when no peer has the figure
    pub percentiles: HashMap<&'static str, u8>,
    pub standards: Vec<StandardCheck>,
}

/// A held title's school, award, last evaluation, interval and level.
type TitleFacts = (i64, Date, Option<Date>, Option<i32>, TitleLevel);
fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// A school's row of `school_metrics`.
#[derive(Clone, Debug, Default, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = school_metrics, check_for_backend(crate::db::MultiBackend))]
pub struct KeptMetrics {
    pub school_id: i64,
    pub open_major_nc: i64,
    pub open_minor_nc: i64,
    pub open_observations: i64,
    pub open_ofi: i64,
    pub actions_closed_on_time: i64,
    pub indicator_year: Option<i32>,
    pub students: Option<i64>,
    pub teachers: Option<i64>,
    pub campus_area_m2: Option<i64>,
    pub equipment_value_cny: Option<i64>,
}

/// Recomputes every school's row of `school_metrics` in two statements (after a bulk load;
/// migrations 000006 and 000008 do the same). Indicators come from each school's latest
/// accepted (locked) year only.
pub const REFRESH_ALL_SQL: &str = "DELETE FROM school_metrics;
INSERT INTO school_metrics (school_id, open_major_nc, open_minor_nc, open_observations,
    open_ofi, actions_closed_on_time, indicator_year, students, teachers, campus_area_m2,
    equipment_value_cny)
SELECT s.id,
    (SELECT COUNT(*) FROM findings f WHERE f.school_id = s.id
        AND f.status IN ('open', 'action_planned') AND f.grade = 'major_nc'),
    (SELECT COUNT(*) FROM findings f WHERE f.school_id = s.id
        AND f.status IN ('open', 'action_planned') AND f.grade = 'minor_nc'),
    (SELECT COUNT(*) FROM findings f WHERE f.school_id = s.id
        AND f.status IN ('open', 'action_planned') AND f.grade = 'observation'),
    (SELECT COUNT(*) FROM findings f WHERE f.school_id = s.id
        AND f.status IN ('open', 'action_planned') AND f.grade = 'ofi'),
    (SELECT COUNT(*) FROM corrective_actions ca JOIN findings f ON f.id = ca.finding_id
        WHERE f.school_id = s.id AND ca.done_on IS NOT NULL
        AND (ca.due_on IS NULL OR ca.done_on <= ca.due_on)),
    y.year,
    (SELECT CAST(v.value AS BIGINT) FROM status_figures v JOIN indicator_defs d ON d.id = v.indicator_id
        WHERE v.school_id = s.id AND v.year = y.year AND d.code = 'students'),
    (SELECT CAST(v.value AS BIGINT) FROM status_figures v JOIN indicator_defs d ON d.id = v.indicator_id
        WHERE v.school_id = s.id AND v.year = y.year AND d.code = 'teachers'),
    (SELECT CAST(v.value AS BIGINT) FROM status_figures v JOIN indicator_defs d ON d.id = v.indicator_id
        WHERE v.school_id = s.id AND v.year = y.year AND d.code = 'campus_area_m2'),
    (SELECT CAST(v.value AS BIGINT) FROM status_figures v JOIN indicator_defs d ON d.id = v.indicator_id
        WHERE v.school_id = s.id AND v.year = y.year AND d.code = 'equipment_value_cny')
FROM schools s
LEFT JOIN school_years y ON y.school_id = s.id
    AND y.year = (SELECT MAX(l.year) FROM school_years l
        WHERE l.school_id = s.id AND l.locked_at IS NOT NULL);";

/// Recomputes one school's row of `school_metrics`: by `app::derived`, inside the
/// transaction of every write that changes a finding or a corrective action, and when a
/// year is locked or reopened.
pub fn refresh_school_metrics(conn: &mut DbConn, school_id: i64) -> Result<(), AppError> {
    let mut kept = KeptMetrics {
        school_id,
        ..KeptMetrics::default()
    };
    let open: Vec<(FindingGrade, i64)> = findings::table
        .filter(findings::school_id.eq(school_id))
        .filter(findings::status.eq_any(FindingStatus::UNRESOLVED))
        .group_by(findings::grade)
        .select((findings::grade, count_star()))
        .load(conn)?;
    for (grade, n) in open {
        match grade {
            FindingGrade::MajorNc => kept.open_major_nc = n,
            FindingGrade::MinorNc => kept.open_minor_nc = n,
            FindingGrade::Observation => kept.open_observations = n,
            FindingGrade::Ofi => kept.open_ofi += n,
        }
    }
    kept.actions_closed_on_time = corrective_actions::table
        .inner_join(findings::table)
        .filter(findings::school_id.eq(school_id))
        .filter(corrective_actions::done_on.is_not_null())
        .filter(
            corrective_actions::due_on
                .is_null()
                .or(corrective_actions::done_on
                    .le(corrective_actions::due_on)
                    .assume_not_null()),
        )
        .count()
        .get_result(conn)?;
    let catalogue = crate::store::indicators::catalogue(conn)?;
    if let Some((year, figures)) =
        crate::store::status_data::latest_accepted(conn, &catalogue, school_id)?
    {
        let whole = |code: &str| figures.get(code).map(|v| v.round() as i64);
        kept.indicator_year = Some(year);
        kept.students = whole("students");
        kept.teachers = whole("teachers");
        kept.campus_area_m2 = whole("campus_area_m2");
        kept.equipment_value_cny = whole("equipment_value_cny");
    }
    diesel::delete(school_metrics::table.find(school_id)).execute(conn)?;
    diesel::insert_into(school_metrics::table)
        .values(&kept)
        .execute(conn)?;
    Ok(())
}

/// The metrics of every school of a province (optionally of one kind).
fn province_metrics(
    conn: &mut DbConn,
    province_id: i64,
    kind: Option<SchoolKind>,
    today: Date,
) -> Result<Vec<Metrics>, AppError> {
    // Peers are the schools still running today.
    let mut query = schools::table
        .filter(schools::province_id.eq(province_id))
        .filter(crate::store::schools::in_service!(today))
        .into_boxed();
    if let Some(kind) = kind {
        query = query.filter(schools::kind.eq(kind));
    }
    let rows: Vec<(i64, String, Option<String>, SchoolKind)> = query
        .order(schools::id.asc())
        .select((schools::id, schools::name, schools::name_zh, schools::kind))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut by_id: HashMap<i64, Metrics> = rows
        .into_iter()
        .map(|(id, name, name_zh, kind)| (id, Metrics::of(id, name, name_zh, kind)))
        .collect();

    let holdings: Vec<TitleFacts> = school_titles::table
        .inner_join(title_types::table)
        .filter(school_titles::school_id.eq_any(&ids))
        .filter(school_titles::status.eq(HoldingStatus::Active))
        .select((
            school_titles::school_id,
            school_titles::awarded_on,
            school_titles::last_evaluated_on,
            title_types::reevaluation_interval_months,
            title_types::level,
        ))
        .load(conn)?;
    for (school, awarded, evaluated, interval, level) in holdings {
        let Some(m) = by_id.get_mut(&school) else {
            continue;
        };
        m.titles_held += 1;
        if level == TitleLevel::National {
            m.national_titles += 1;
        }
        if let Some(due) = next_reevaluation(
            awarded,
            evaluated,
            interval.and_then(|i| u32::try_from(i).ok()),
        ) {
            let days = (due - today).whole_days();
            if days < 0 {
                m.overdue_reevaluations += 1;
            }
            m.days_to_next_reevaluation =
                Some(m.days_to_next_reevaluation.map_or(days, |d| d.min(days)));
        }
    }

    let certified: Vec<i64> = certificates::table
        .filter(certificates::school_id.eq_any(&ids))
        .filter(certificates::issued_on.le(today))
        .filter(certificates::expires_on.ge(today))
        .select(certificates::school_id)
        .load(conn)?;
    for school in certified {
        if let Some(m) = by_id.get_mut(&school) {
            m.certified = true;
        }
    }

    let since = Date::from_calendar_date(today.year() - 3, today.month(), today.day().min(28))
        .unwrap_or(today);
    let audit_counts: Vec<(i64, i64)> = audits::table
        .filter(audits::school_id.eq_any(&ids))
        .filter(audits::started_on.ge(since))
        .group_by(audits::school_id)
        .select((audits::school_id, count_star()))
        .load(conn)?;
    for (school, n) in audit_counts {
        if let Some(m) = by_id.get_mut(&school) {
            m.audits_last_3_years = n;
        }
    }

    // Open findings, actions closed on time and the latest indicators: one row per school,
    // kept by the writes that change them (`refresh_school_metrics`).
    let kept: Vec<KeptMetrics> = school_metrics::table
        .filter(school_metrics::school_id.eq_any(&ids))
        .select(KeptMetrics::as_select())
        .load(conn)?;
    for k in kept {
        let Some(m) = by_id.get_mut(&k.school_id) else {
            continue;
        };
        m.open_major_nc = k.open_major_nc;
        m.open_minor_nc = k.open_minor_nc;
        m.open_observations = k.open_observations;
        m.open_ofi = k.open_ofi;
        m.actions_closed_on_time = k.actions_closed_on_time;
        m.indicator_year = k.indicator_year;
        m.students = k.students;
        m.teachers = k.teachers;
        let per = |v: Option<i64>, d: Option<i64>| match (v, d) {
            (Some(v), Some(d)) if d > 0 => Some(round1(v as f64 / d as f64)),
            _ => None,
        };
        m.students_per_teacher = per(k.students, k.teachers);
        m.campus_m2_per_student = per(k.campus_area_m2, k.students);
        m.equipment_cny_per_student = per(k.equipment_value_cny, k.students);
    }
    let mut all: Vec<Metrics> = by_id.into_values().collect();
    all.sort_by_key(|m| m.school_id);
    Ok(all)
}

/// What every comparison of a province's schools reads, computed once per (province, kind
/// of school or all, day, data version): each school's metrics, each metric's values in
/// ascending order, and each school's standing against the national standards.
pub struct ProvinceFigures {
    /// every school's metrics, by id
    schools: Vec<Metrics>,
    /// per metric of `COMPARED`, the values of the schools that have it, ascending
    sorted: Vec<Vec<f64>>,
    standards: HashMap<i64, Vec<StandardCheck>>,
}

/// A province's figures for the peer comparison: by province, kind of school (or all) and
/// day.
pub type PeerKey = (i64, Option<SchoolKind>, Date);

/// The figures computed once per province's data version (`app::Kept`).
pub type Cache = Versioned<PeerKey, ProvinceFigures>;

/// A province's figures (of one kind of school, or all) as of `today`: kept while the
/// province's data version holds.
fn province_figures(
    conn: &mut DbConn,
    cache: &Cache,
    province: i64,
    kind: Option<SchoolKind>,
    today: Date,
) -> Result<Arc<ProvinceFigures>, AppError> {
    let version =
        crate::store::provinces::version(conn, province, crate::store::provinces::Version::Data)?;
    let key = (province, kind, today);
    cache.get_or_compute(key, version, || {
        let schools = province_metrics(conn, province, kind, today)?;
        let sorted = COMPARED
            .iter()
            .map(|(metric, _)| {
                let mut values: Vec<f64> = schools
                    .iter()
                    .filter_map(|m| m.value(metric))
                    .filter(|v| v.is_finite())
                    .collect();
                values.sort_by(f64::total_cmp);
                values
            })
            .collect();
        let standards = standards_of_province(conn, province, &schools)?;
        Ok(ProvinceFigures {
            schools,
            sorted,
            standards,
        })
    })
}

/// Each school's standing against the national standards of its kind, on its latest
/// accepted year.
fn standards_of_province(
    conn: &mut DbConn,
    province: i64,
    schools: &[Metrics],
) -> Result<HashMap<i64, Vec<StandardCheck>>, AppError> {
    let catalogue = crate::store::indicators::catalogue(conn)?;
    let mut figures =
        crate::store::status_data::latest_accepted_in_province(conn, &catalogue, province)?;
    schools
        .iter()
        .map(|m| {
            let kind = m.kind;
            let own = figures.remove(&m.school_id).unwrap_or_default();
            let checks = standards(kind)
                .iter()
                .map(|s| {
                    let actual = own.get(s.measure).copied();
                    StandardCheck {
                        measure: s.measure,
                        minimum: s.minimum,
                        maximum: s.maximum,
                        actual: actual.map(|a| (a * 100.0).round() / 100.0),
                        compliance: compliance(actual, s),
                    }
                })
                .collect();
            Ok((m.school_id, checks))
        })
        .collect()
}

/// A school within its province's figures.
pub struct Compared {
    figures: Arc<ProvinceFigures>,
    position: usize,
    /// metric → the school's percentile among its peers (see `Comparison::percentiles`)
    pub percentiles: HashMap<&'static str, u8>,
}

impl Compared {
    pub fn school(&self) -> &Metrics {
        &self.figures.schools[self.position]
    }

    /// The other schools of the comparison, by id.
    pub fn peers(&self) -> impl Iterator<Item = &Metrics> {
        let (before, rest) = self.figures.schools.split_at(self.position);
        before.iter().chain(rest.iter().skip(1))
    }

    pub fn peer_count(&self) -> usize {
        self.figures.schools.len() - 1
    }

    /// The peers' values of a metric of `COMPARED`, ascending.
    pub fn peer_values(&self, metric: &str) -> Vec<f64> {
        let Some(index) = COMPARED.iter().position(|(m, _)| *m == metric) else {
            return Vec::new();
        };
        let mut values = self.figures.sorted[index].clone();
        if let Some(own) = self.school().value(metric)
            && let Ok(at) = values.binary_search_by(|v| v.total_cmp(&own))
        {
            values.remove(at);
        }
        values
    }

    pub fn standards(&self) -> &[StandardCheck] {
        self.figures
            .standards
            .get(&self.school().school_id)
            .map_or(&[], Vec::as_slice)
    }

    /// The comparison with `limit` of its peers from the `start`-th.
    pub fn comparison(&self, start: usize, limit: usize) -> Comparison {
        Comparison {
            school: self.school().clone(),
            peers: self.peers().skip(start).take(limit).cloned().collect(),
            percentiles: self.percentiles.clone(),
            standards: self.standards().to_vec(),
        }
    }
}

/// The comparison for a school the caller may read.
pub fn compare(
    conn: &mut DbConn,
    access: &Access,
    cache: &Cache,
    school_id: i64,
    same_kind: bool,
    today: Date,
) -> Result<Compared, AppError> {
    let school = crate::store::schools::get(conn, access, school_id)?;
    compare_school(conn, cache, &school, same_kind, today)
}

/// The comparison for a school already read through the caller's scope (`schools::get`).
pub fn compare_school(
    conn: &mut DbConn,
    cache: &Cache,
    school: &crate::store::schools::School,
    same_kind: bool,
    today: Date,
) -> Result<Compared, AppError> {
    if school.wound_up(today) {
        // It has left the comparison; its record stays readable.
        return Err(AppError::conflict_of(
            crate::domain::message::Msg::SchoolClosed,
        ));
    }
    let kind = same_kind.then_some(school.kind);
    let figures = province_figures(conn, cache, school.province_id, kind, today)?;
    let position = figures
        .schools
        .binary_search_by_key(&school.id, |m| m.school_id)
        .map_err(|_| AppError::NotFound)?;
    let own = &figures.schools[position];
    let mut percentiles = HashMap::new();
    for (index, (metric, higher_is_better)) in COMPARED.iter().enumerate() {
        if let Some(value) = own.value(metric)
            && let Some(p) = percentile_among(value, &figures.sorted[index], *higher_is_better)
        {
            percentiles.insert(*metric, p);
        }
    }
    Ok(Compared {
        figures,
        position,
        percentiles,
    })
}

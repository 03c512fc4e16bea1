//! What a school's annual quality report (学校质量年度报告) is made of, read from its record
//! in one pass: the profile, the year's figures beside last year's and the national
//! standards, the titles, the year's audits and findings, the standing in the province, and
//! the sections the officer wrote. `report` turns it into HTML and DOCX.

use diesel::prelude::*;
use time::Date;

use crate::db::DbConn;
use crate::db::schema::{audits, corrective_actions, findings};
use crate::domain::access::Access;
use crate::domain::peers::{Standard, standards};
use crate::domain::quality::FindingStatus;
use crate::domain::status_data::{Figures, Indicator};
use crate::error::AppError;
use crate::store::audits::Audit;
use crate::store::certificates::Certificate;
use crate::store::provinces::Province;
use crate::store::schools::School;
use crate::store::status_data::{ReportSections, StatusData};
use crate::store::titles::TitleHolding;

/// One audit of the year with its findings by state.
#[derive(Clone, Debug)]
pub struct AuditOfYear {
    pub audit: Audit,
    pub findings: i64,
    pub closed: i64,
    pub verified: i64,
    pub overdue: i64,
}

/// The findings of the year's audits and the timeliness of their corrective actions.
#[derive(Clone, Debug, Default)]
pub struct FindingsOfYear {
    pub opened: i64,
    /// closed or verified
    pub closed: i64,
    pub verified: i64,
    /// still open past their due date (on the report's day)
    pub overdue: i64,
    /// corrective actions due in the year, and how many were done by their due date
    pub actions_due: i64,
    pub actions_on_time: i64,
}

impl FindingsOfYear {
    /// Actions done on time, in percent of those due; `None` when none fell due.
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.actions_due > 0).then(|| {
            (self.actions_on_time as f64 / self.actions_due as f64 * 1000.0).round() / 10.0
        })
    }
}

/// One main figure's standing among the province's peers.
#[derive(Clone, Debug)]
pub struct Standing {
    pub metric: &'static str,
    pub value: Option<f64>,
    /// 0..100, higher is better
    pub percentile: Option<u8>,
}

/// Everything the report shows.
#[derive(Clone, Debug)]
pub struct AnnualReport {
    pub year: i32,
    pub today: Date,
    pub school: School,
    pub province: Province,
    pub certificate: Option<Certificate>,
    pub catalogue: Vec<Indicator>,
    pub status: StatusData,
    pub standards: &'static [Standard],
    pub titles: Vec<TitleHolding>,
    pub audits: Vec<AuditOfYear>,
    pub findings: FindingsOfYear,
    pub standing: Vec<Standing>,
    /// how many peers the standing is counted among
    pub peers: usize,
    pub sections: ReportSections,
}

impl AnnualReport {
    /// Not yet accepted by the province: the report says so on its first page.
    pub fn is_draft(&self) -> bool {
        !self.status.locked
    }

    /// This year's figures and ratios together.
    pub fn figures(&self) -> Figures {
        self.status.all_figures()
    }
}

/// The figures of the standing section, in the order the report shows them.
const STANDING: [&str; 7] = [
    "students",
    "students_per_teacher",
    "campus_m2_per_student",
    "equipment_cny_per_student",
    "titles_held",
    "open_major_nc",
    "actions_closed_on_time",
];

fn findings_of_year(
    conn: &mut DbConn,
    school_id: i64,
    year: i32,
    today: Date,
) -> Result<(Vec<AuditOfYear>, FindingsOfYear), AppError> {
    let (first, last) = crate::domain::dates::year_bounds(year);
    let of_year: Vec<Audit> = audits::table
        .filter(audits::school_id.eq(school_id))
        .filter(audits::started_on.between(first, last))
        .order(audits::started_on.asc())
        .select(Audit::as_select())
        .load(conn)?;
    let ids: Vec<i64> = of_year.iter().map(|a| a.id).collect();
    let rows: Vec<(i64, FindingStatus, Option<Date>)> = findings::table
        .filter(findings::audit_id.eq_any(&ids))
        .select((findings::audit_id, findings::status, findings::due_on))
        .load(conn)?;
    let mut summary = FindingsOfYear::default();
    let mut audits_of_year: Vec<AuditOfYear> = of_year
        .into_iter()
        .map(|audit| AuditOfYear {
            audit,
            findings: 0,
            closed: 0,
            verified: 0,
            overdue: 0,
        })
        .collect();
    for (audit_id, status, due_on) in rows {
        let Some(line) = audits_of_year.iter_mut().find(|a| a.audit.id == audit_id) else {
            continue;
        };
        let closed = status.is_closed();
        let overdue = !closed && due_on.is_some_and(|d| d < today);
        line.findings += 1;
        line.closed += i64::from(closed);
        line.verified += i64::from(status == FindingStatus::Verified);
        line.overdue += i64::from(overdue);
        summary.opened += 1;
        summary.closed += i64::from(closed);
        summary.verified += i64::from(status == FindingStatus::Verified);
        summary.overdue += i64::from(overdue);
    }
    let actions: Vec<(Option<Date>, Option<Date>)> = corrective_actions::table
        .inner_join(findings::table)
        .filter(findings::school_id.eq(school_id))
        .filter(corrective_actions::due_on.between(first, last))
        .select((corrective_actions::due_on, corrective_actions::done_on))
        .load(conn)?;
    summary.actions_due = actions.len() as i64;
    summary.actions_on_time = actions
        .iter()
        .filter(|(due, done)| matches!((due, done), (Some(due), Some(done)) if done <= due))
        .count() as i64;
    Ok((audits_of_year, summary))
}

/// Gathers a school's report for a year (readers of the school).
pub fn gather(
    conn: &mut DbConn,
    access: &Access,
    peers: &crate::store::peers::Cache,
    school_id: i64,
    year: i32,
    today: Date,
) -> Result<AnnualReport, AppError> {
    let school = crate::store::schools::get(conn, access, school_id)?;
    let province = crate::store::provinces::get(conn, school.province_id)?;
    let catalogue = crate::store::indicators::catalogue(conn)?;
    let status = crate::store::status_data::compute(conn, &catalogue, &school, year)?;
    let kind = school.kind;
    let titles = crate::store::titles::list_holdings(conn, access, school_id, today)?;
    let certificate = crate::store::certificates::get(conn, access, school_id)?;
    let (audits, findings) = findings_of_year(conn, school_id, year, today)?;
    // A school merged or closed by today has left the comparison: its report (still
    // readable, for the years it ran) shows no standing among peers.
    let comparison = if school.wound_up(today) {
        None
    } else {
        Some(crate::store::peers::compare_school(
            conn, peers, &school, false, today,
        )?)
    };
    let standing = STANDING
        .iter()
        .map(|metric| Standing {
            metric,
            value: comparison.as_ref().and_then(|c| c.school().value(metric)),
            percentile: comparison
                .as_ref()
                .and_then(|c| c.percentiles.get(metric).copied()),
        })
        .collect();
    Ok(AnnualReport {
        year,
        today,
        certificate,
        catalogue: catalogue.indicators(),
        standards: standards(kind),
        sections: crate::store::status_data::report_sections_by_id(conn, school_id, year)?,
        status,
        titles,
        audits,
        findings,
        standing,
        peers: comparison.as_ref().map_or(0, |c| c.peer_count()),
        province,
        school,
    })
}

//! Audits of a school's quality-management system: internal audits, management reviews,
//! certification, surveillance and provincial inspections.

use diesel::prelude::*;
use serde::Serialize;
use time::{Date, PrimitiveDateTime};

use crate::db::DbConn;
use crate::db::schema::{audits, findings};
use crate::domain::access::Access;
use crate::domain::history::{Action, Journal};
use crate::domain::quality::{AuditKind, FindingStatus};
use crate::error::AppError;
use crate::store::record::{change, check_version, json, writable_school};
use crate::store::schools;

#[derive(Clone, Debug, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = audits, check_for_backend(crate::db::MultiBackend))]
pub struct Audit {
    pub id: i64,
    pub school_id: i64,
    pub kind: AuditKind,
    pub standard: String,
    #[schema(value_type = String, format = Date)]
    pub started_on: Date,
    #[schema(value_type = Option<String>, format = Date)]
    pub ended_on: Option<Date>,
    pub lead_auditor: Option<String>,
    pub auditing_body: Option<String>,
    pub scope: Option<String>,
    pub summary: Option<String>,
    /// set when the province approved the audit report
    #[schema(value_type = Option<String>, format = Date)]
    pub province_verified_on: Option<Date>,
    pub version: i64,
    /// a site visit (现场评估): the evaluated submission it belongs to
    pub submission_id: Option<i64>,
}

/// An audit's fields, validated.
#[derive(Clone, Debug, Serialize)]
pub struct AuditFields {
    pub kind: AuditKind,
    pub standard: String,
    pub started_on: Date,
    pub ended_on: Option<Date>,
    pub lead_auditor: Option<String>,
    pub auditing_body: Option<String>,
    pub scope: Option<String>,
    pub summary: Option<String>,
}

/// An audit in a list, with how many of its findings are still open.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AuditSummary {
    #[serde(flatten)]
    pub audit: Audit,
    pub findings: i64,
    pub open_findings: i64,
}

pub fn create(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    school_id: i64,
    fields: &AuditFields,
    now: PrimitiveDateTime,
) -> Result<Audit, AppError> {
    writable_school(conn, access, school_id)?;
    insert(conn, journal, access, school_id, fields, None, now)
}

/// The province's site visit (现场评估) of an evaluated submission: an audit of the school
/// linked to it (the use case has checked that the asker runs the evaluation).
pub fn create_site_visit(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    school_id: i64,
    submission_id: i64,
    fields: &AuditFields,
    now: PrimitiveDateTime,
) -> Result<Audit, AppError> {
    insert(
        conn,
        journal,
        access,
        school_id,
        fields,
        Some(submission_id),
        now,
    )
}

fn insert(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    school_id: i64,
    fields: &AuditFields,
    submission_id: Option<i64>,
    now: PrimitiveDateTime,
) -> Result<Audit, AppError> {
    let id: i64 = diesel::insert_into(audits::table)
        .values((
            audits::school_id.eq(school_id),
            audits::kind.eq(fields.kind),
            audits::standard.eq(&fields.standard),
            audits::started_on.eq(fields.started_on),
            audits::ended_on.eq(fields.ended_on),
            audits::lead_auditor.eq(&fields.lead_auditor),
            audits::auditing_body.eq(&fields.auditing_body),
            audits::scope.eq(&fields.scope),
            audits::summary.eq(&fields.summary),
            audits::submission_id.eq(submission_id),
            audits::created_at.eq(now),
            audits::updated_at.eq(now),
        ))
        .returning(audits::id)
        .get_result(conn)?;
    let audit = find(conn, id)?;
    journal.record(change(
        access,
        school_id,
        Action::AuditCreate,
        id,
        None,
        json(&audit),
        now,
    ));
    Ok(audit)
}

fn find(conn: &mut DbConn, id: i64) -> Result<Audit, AppError> {
    Ok(audits::table
        .find(id)
        .select(Audit::as_select())
        .first(conn)?)
}

/// An audit, if the caller may read its school.
pub fn get(conn: &mut DbConn, access: &Access, id: i64) -> Result<Audit, AppError> {
    let audit = audits::table
        .find(id)
        .select(Audit::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    schools::get(conn, access, audit.school_id)?;
    Ok(audit)
}

/// The site visits of an evaluated submission the reader may see, in date order.
pub fn site_visits_of(
    conn: &mut DbConn,
    access: &Access,
    submission_id: i64,
) -> Result<Vec<Audit>, AppError> {
    let visits: Vec<Audit> = audits::table
        .filter(audits::submission_id.eq(submission_id))
        .order((audits::started_on.asc(), audits::id.asc()))
        .select(Audit::as_select())
        .load(conn)?;
    if let Some(first) = visits.first() {
        schools::get(conn, access, first.school_id)?;
    }
    Ok(visits)
}

/// A page of a school's audits, newest first, with their finding counts; and the total.
pub fn list(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AuditSummary>, i64), AppError> {
    schools::get(conn, access, school_id)?;
    let total: i64 = audits::table
        .filter(audits::school_id.eq(school_id))
        .count()
        .get_result(conn)?;
    let page: Vec<Audit> = audits::table
        .filter(audits::school_id.eq(school_id))
        .order((audits::started_on.desc(), audits::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(Audit::as_select())
        .load(conn)?;
    let ids: Vec<i64> = page.iter().map(|a| a.id).collect();
    // One query for all the counts of the page, not one per audit.
    let statuses: Vec<(i64, String)> = findings::table
        .filter(findings::audit_id.eq_any(&ids))
        .select((findings::audit_id, findings::status))
        .load(conn)?;
    let summaries = page
        .into_iter()
        .map(|audit| {
            let mine = statuses.iter().filter(|(a, _)| *a == audit.id);
            let findings = mine.clone().count() as i64;
            let open_findings = mine
                .filter(|(_, s)| {
                    s != FindingStatus::Closed.as_str() && s != FindingStatus::Verified.as_str()
                })
                .count() as i64;
            AuditSummary {
                audit,
                findings,
                open_findings,
            }
        })
        .collect();
    Ok((summaries, total))
}

pub fn update(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    id: i64,
    fields: &AuditFields,
    version: Option<i64>,
    now: PrimitiveDateTime,
) -> Result<Audit, AppError> {
    let before = get(conn, access, id)?;
    writable_school(conn, access, before.school_id)?;
    check_version(version, before.version)?;
    let changed = diesel::update(
        audits::table
            .filter(audits::id.eq(id))
            .filter(audits::version.eq(before.version)),
    )
    .set((
        audits::kind.eq(fields.kind),
        audits::standard.eq(&fields.standard),
        audits::started_on.eq(fields.started_on),
        audits::ended_on.eq(fields.ended_on),
        audits::lead_auditor.eq(&fields.lead_auditor),
        audits::auditing_body.eq(&fields.auditing_body),
        audits::scope.eq(&fields.scope),
        audits::summary.eq(&fields.summary),
        audits::version.eq(before.version + 1),
        audits::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(crate::store::schools::stale_version());
    }
    let after = find(conn, id)?;
    journal.record(change(
        access,
        after.school_id,
        Action::AuditUpdate,
        id,
        json(&before),
        json(&after),
        now,
    ));
    Ok(after)
}

/// Marks an audit's report as approved by the province (`today`), on the approval of the
/// submission that handed it in.
pub fn verify_report(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    school_id: i64,
    audit_id: i64,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<(), AppError> {
    diesel::update(audits::table.find(audit_id))
        .set((
            audits::province_verified_on.eq(today),
            audits::updated_at.eq(now),
            audits::version.eq(audits::version + 1),
        ))
        .execute(conn)?;
    journal.record(change(
        access,
        school_id,
        Action::AuditVerify,
        audit_id,
        None,
        json(&today),
        now,
    ));
    Ok(())
}

//! Submissions and their evidence, and the workflow applied to them: each step runs
//! `domain::workflow::transition` in one transaction guarded by the submission's version,
//! and writes the event, the history entry, the notifications and the approval's effect in
//! that same transaction.

use diesel::prelude::*;
use serde::Serialize;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::{
    audits, evidence_files, findings, notifications, school_titles, schools, submission_contents,
    submission_events, submission_tallies, submissions, users,
};
use crate::domain::Role;
use crate::domain::access::{Access, SchoolScope};
use crate::domain::history::{Action as History, Journal};
use crate::domain::paging::{After, Listing, Paging};
use crate::domain::robot::RobotEvent;
use crate::domain::workflow::{
    Action, Facts, Refusal, SubmissionKind, SubmissionStatus, accepts_evidence, transition,
};
use crate::error::{AppError, Msg};
use crate::store::record::{change, json};
use crate::store::{status_data, titles};

#[derive(Clone, Debug, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = submissions, check_for_backend(crate::db::MultiBackend))]
pub struct Submission {
    pub id: i64,
    pub school_id: i64,
    pub kind: SubmissionKind,
    pub title: String,
    pub summary: Option<String>,
    pub title_type_id: Option<i64>,
    pub school_title_id: Option<i64>,
    pub audit_id: Option<i64>,
    pub finding_id: Option<i64>,
    pub year: Option<i32>,
    pub status: SubmissionStatus,
    /// starts at 1; a request for changes opens the next round for new evidence
    pub round: i32,
    /// send it back with a step; a different current version answers 409 `stale_version`
    pub version: i64,
    pub recommended_by: Option<i64>,
    pub created_by: Option<i64>,
    #[serde(serialize_with = "crate::clock::serialize_opt_timestamp")]
    #[schema(value_type = Option<String>)]
    pub submitted_at: Option<PrimitiveDateTime>,
}

#[derive(Clone, Debug, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = evidence_files, check_for_backend(crate::db::MultiBackend))]
pub struct Evidence {
    pub id: i64,
    pub submission_id: i64,
    pub round: i32,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub description: Option<String>,
    pub uploaded_by: Option<i64>,
    #[serde(serialize_with = "crate::clock::serialize_timestamp")]
    #[schema(value_type = String)]
    pub created_at: PrimitiveDateTime,
}

/// A submission with its evidence, as its page and `GET /submissions/{id}` show it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SubmissionDetail {
    #[serde(flatten)]
    pub submission: Submission,
    pub evidence: Vec<Evidence>,
    /// what a status-data submission hands in: the year's figures, ratios, flags and
    /// explanations at the moment it was (last) submitted
    #[schema(value_type = Option<Object>)]
    pub content: Option<serde_json::Value>,
}

#[derive(Clone, Debug, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = submission_events, check_for_backend(crate::db::MultiBackend))]
pub struct Event {
    #[serde(skip)]
    pub id: i64,
    #[serde(skip)]
    pub submission_id: i64,
    #[serde(serialize_with = "crate::clock::serialize_timestamp")]
    #[schema(value_type = String)]
    pub at: PrimitiveDateTime,
    pub actor_id: Option<i64>,
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub round: i32,
    pub comment: Option<String>,
}

/// What a new submission refers to, already checked to be of the same school.
#[derive(Debug, Default)]
pub struct Subject {
    pub title_type_code: Option<String>,
    pub school_title_id: Option<i64>,
    pub audit_id: Option<i64>,
    pub finding_id: Option<i64>,
    pub year: Option<i32>,
}

#[derive(Debug)]
pub struct NewSubmission {
    pub kind: SubmissionKind,
    pub title: String,
    pub summary: Option<String>,
    pub subject: Subject,
}

/// Only a quality officer of the school prepares its submissions.
pub fn prepares_for(access: &Access, school_id: i64) -> bool {
    access.role == Role::QualityOfficer && access.school_id == Some(school_id)
}

/// The submissions `access` may see: a province's by their kept `province_id` (one range
/// of an index), a school's by the school.
fn scoped(access: &Access) -> submissions::BoxedQuery<'static, crate::db::MultiBackend> {
    let query = submissions::table.into_boxed();
    match access.school_scope() {
        SchoolScope::Province(p) => query.filter(submissions::province_id.eq(p)),
        // An expert sees the submissions on whose panels they sit, not their schools' others.
        SchoolScope::Panels => query.filter(submissions::id.eq_any(access.panel_submissions())),
        _ => crate::store::only_visible_schools!(query, submissions::school_id, access),
    }
}

/// How many of the submissions `access` may see are in each state, and how many in all.
/// A province's counts are kept (`submission_tallies`, by `store::derived`); a school's are
/// counted, a few rows.
pub fn tallies(conn: &mut DbConn, access: &Access) -> Result<Vec<(String, i64)>, AppError> {
    Ok(match access.school_scope() {
        SchoolScope::Province(p) => submission_tallies::table
            .filter(submission_tallies::province_id.eq(p))
            .select((submission_tallies::status, submission_tallies::n))
            .load(conn)?,
        SchoolScope::All => {
            // Every province's: a few hundred rows, added up here.
            let mut sums: std::collections::BTreeMap<String, i64> = Default::default();
            for (status, n) in submission_tallies::table
                .select((submission_tallies::status, submission_tallies::n))
                .load::<(String, i64)>(conn)?
            {
                *sums.entry(status).or_default() += n;
            }
            sums.into_iter().collect()
        }
        SchoolScope::Panels => submissions::table
            .filter(submissions::id.eq_any(access.panel_submissions()))
            .group_by(submissions::status)
            .select((submissions::status, diesel::dsl::count_star()))
            .load(conn)?,
        _ => crate::store::only_visible_schools!(
            submissions::table
                .group_by(submissions::status)
                .select((submissions::status, diesel::dsl::count_star()))
                .into_boxed::<crate::db::MultiBackend>(),
            submissions::school_id,
            access
        )
        .load(conn)?,
    })
}

/// Recounts a province's `submission_tallies` (after a submission of it moved).
pub fn recount(conn: &mut DbConn, province: i64) -> Result<(), AppError> {
    let counts: Vec<(String, i64)> = submissions::table
        .filter(submissions::province_id.eq(province))
        .group_by(submissions::status)
        .select((submissions::status, diesel::dsl::count_star()))
        .load(conn)?;
    diesel::delete(submission_tallies::table.filter(submission_tallies::province_id.eq(province)))
        .execute(conn)?;
    for (status, n) in counts {
        diesel::insert_into(submission_tallies::table)
            .values((
                submission_tallies::province_id.eq(province),
                submission_tallies::status.eq(status),
                submission_tallies::n.eq(n),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Checks the subject a kind needs and that it belongs to the school; returns the title
/// type's id for an application.
fn check_subject(
    conn: &mut DbConn,
    school_id: i64,
    kind: SubmissionKind,
    subject: &Subject,
) -> Result<Option<i64>, AppError> {
    let missing = |field: &str| {
        AppError::field(
            field,
            Msg::RequiredForKind {
                kind: kind.to_string(),
            },
        )
    };
    let foreign = |field: &str| AppError::field(field, Msg::NotOfThisSchool);
    match kind {
        SubmissionKind::TitleApplication => {
            let code = subject
                .title_type_code
                .as_deref()
                .ok_or_else(|| missing("title_type_code"))?;
            let kind = titles::find_type(conn, code)?
                .ok_or_else(|| AppError::field("title_type_code", Msg::NoTitle))?;
            Ok(Some(kind.id))
        }
        SubmissionKind::TitleReevaluation => {
            let id = subject
                .school_title_id
                .ok_or_else(|| missing("school_title_id"))?;
            let owner: Option<i64> = school_titles::table
                .find(id)
                .select(school_titles::school_id)
                .first(conn)
                .optional()?;
            if owner != Some(school_id) {
                return Err(foreign("school_title_id"));
            }
            Ok(None)
        }
        SubmissionKind::AuditReport => {
            let id = subject.audit_id.ok_or_else(|| missing("audit_id"))?;
            let owner: Option<i64> = audits::table
                .find(id)
                .select(audits::school_id)
                .first(conn)
                .optional()?;
            if owner != Some(school_id) {
                return Err(foreign("audit_id"));
            }
            Ok(None)
        }
        SubmissionKind::CorrectiveActionClosure => {
            let id = subject.finding_id.ok_or_else(|| missing("finding_id"))?;
            let owner: Option<i64> = findings::table
                .find(id)
                .select(findings::school_id)
                .first(conn)
                .optional()?;
            if owner != Some(school_id) {
                return Err(foreign("finding_id"));
            }
            Ok(None)
        }
        SubmissionKind::AnnualQualityReport => {
            subject.year.ok_or_else(|| missing("year"))?;
            Ok(None)
        }
        SubmissionKind::StatusData => {
            let year = subject.year.ok_or_else(|| missing("year"))?;
            status_data::check_changeable_by_id(conn, school_id, year)?;
            if let Some((_, status)) = status_data::latest_submission(conn, school_id, year)?
                && status.is_open()
            {
                return Err(AppError::conflict_of(Msg::SubmissionOpen));
            }
            Ok(None)
        }
    }
}

pub fn create(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    school_id: i64,
    new: &NewSubmission,
    now: PrimitiveDateTime,
) -> Result<SubmissionDetail, AppError> {
    let school = crate::store::schools::get(conn, access, school_id)?;
    Access::require(prepares_for(access, school_id))?;
    let title_type_id = check_subject(conn, school_id, new.kind, &new.subject)?;
    let id: i64 = diesel::insert_into(submissions::table)
        .values((
            submissions::school_id.eq(school_id),
            submissions::province_id.eq(school.province_id),
            submissions::kind.eq(new.kind),
            submissions::title.eq(&new.title),
            submissions::summary.eq(&new.summary),
            submissions::title_type_id.eq(title_type_id),
            submissions::school_title_id.eq(new
                .subject
                .school_title_id
                .filter(|_| new.kind == SubmissionKind::TitleReevaluation)),
            submissions::audit_id.eq(new
                .subject
                .audit_id
                .filter(|_| new.kind == SubmissionKind::AuditReport)),
            submissions::finding_id.eq(new
                .subject
                .finding_id
                .filter(|_| new.kind == SubmissionKind::CorrectiveActionClosure)),
            submissions::year.eq(new.subject.year.filter(|_| {
                matches!(
                    new.kind,
                    SubmissionKind::AnnualQualityReport | SubmissionKind::StatusData
                )
            })),
            submissions::status.eq(SubmissionStatus::Draft),
            submissions::created_by.eq(access.actor_id()),
        ))
        .returning(submissions::id)
        .get_result(conn)?;
    let created = detail(conn, id)?;
    record_event(
        conn,
        &created.submission,
        access,
        "create",
        None,
        SubmissionStatus::Draft,
        None,
        now,
    )?;
    journal.record(change(
        access,
        school_id,
        History::SubmissionCreate,
        id,
        None,
        json(&created.submission),
        now,
    ));
    Ok(created)
}

fn find(conn: &mut DbConn, id: i64) -> Result<Submission, AppError> {
    Ok(submissions::table
        .find(id)
        .select(Submission::as_select())
        .first(conn)?)
}

fn detail(conn: &mut DbConn, id: i64) -> Result<SubmissionDetail, AppError> {
    let submission = find(conn, id)?;
    let evidence = evidence_files::table
        .filter(evidence_files::submission_id.eq(id))
        .order((evidence_files::round.asc(), evidence_files::id.asc()))
        .select(Evidence::as_select())
        .load(conn)?;
    let content: Option<String> = submission_contents::table
        .filter(submission_contents::submission_id.eq(id))
        .order(submission_contents::round.desc())
        .select(submission_contents::content)
        .first(conn)
        .optional()?;
    Ok(SubmissionDetail {
        submission,
        evidence,
        content: content.and_then(|c| serde_json::from_str(&c).ok()),
    })
}

/// A submission the caller may see, with its evidence.
pub fn get(conn: &mut DbConn, access: &Access, id: i64) -> Result<SubmissionDetail, AppError> {
    let visible: i64 = scoped(access)
        .filter(submissions::id.eq(id))
        .count()
        .get_result(conn)?;
    if visible == 0 {
        return Err(AppError::NotFound);
    }
    detail(conn, id)
}

/// The latest submission of a kind for a school's year: its id and status.
pub(super) fn latest_of_year_by_id(
    conn: &mut DbConn,
    school_id: i64,
    kind: SubmissionKind,
    year: i32,
) -> Result<Option<(i64, SubmissionStatus)>, AppError> {
    let found: Option<(i64, String)> = submissions::table
        .filter(submissions::school_id.eq(school_id))
        .filter(submissions::year.eq(year))
        .filter(submissions::kind.eq(kind))
        .order(submissions::id.desc())
        .select((submissions::id, submissions::status))
        .first(conn)
        .optional()?;
    found
        .map(|(id, status)| {
            SubmissionStatus::parse(&status)
                .map(|s| (id, s))
                .map_err(|e| AppError::Internal(anyhow::anyhow!("submission {id}: {e}")))
        })
        .transpose()
}

/// `latest_of_year` for a school the caller may see.
pub fn of_year(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    kind: SubmissionKind,
    year: i32,
) -> Result<Option<(i64, SubmissionStatus)>, AppError> {
    crate::store::schools::get(conn, access, school_id)?;
    latest_of_year_by_id(conn, school_id, kind, year)
}

/// One page of the submissions the caller may see, newest first, and how many there are.
pub fn page(
    conn: &mut DbConn,
    access: &Access,
    filter: SubmissionFilter,
    paging: &Paging,
) -> Result<Listing<Submission>, AppError> {
    let matching = || {
        let mut query = scoped(access);
        if let Some(status) = filter.status {
            query = query.filter(submissions::status.eq(status));
        }
        if let Some(school) = filter.school_id {
            query = query.filter(submissions::school_id.eq(school));
        }
        query
    };
    let total: i64 = match (filter.status, filter.school_id) {
        (Some(status), None) => tallies(conn, access)?
            .into_iter()
            .find(|(s, _)| s == status.as_str())
            .map_or(0, |(_, n)| n),
        (None, None) => tallies(conn, access)?.into_iter().map(|(_, n)| n).sum(),
        _ => matching().count().get_result(conn)?,
    };
    let rows = crate::store::continue_by_id_desc!(matching(), submissions::id, &paging.after)
        .order(submissions::id.desc())
        .limit(paging.limit + 1)
        .select(Submission::as_select())
        .load(conn)?;
    Ok(Listing::by_key(rows, total, paging, |s: &Submission| {
        After::Id(s.id)
    }))
}

/// Which of the visible submissions a list shows.
#[derive(Clone, Copy, Debug, Default)]
pub struct SubmissionFilter {
    pub status: Option<SubmissionStatus>,
    pub school_id: Option<i64>,
}

/// What the review queue is narrowed to.
#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    pub status: Option<SubmissionStatus>,
    pub school_id: Option<i64>,
    /// part of a school's name, English or Chinese
    pub school_name: Option<String>,
    pub kind: Option<String>,
}

/// One page of the review queue: its rows with their schools' names, how many match in
/// all, and how many of the visible submissions are in each state.
pub struct QueuePage {
    pub rows: Vec<(Submission, String, Option<String>)>,
    pub total: i64,
    pub counts: Vec<(String, i64)>,
}

/// The queue, longest waiting first, a page at a time. Filtering, counting and paging are
/// done by the database, so the cost is a page's, whatever the size of the province.
pub fn queue(
    conn: &mut DbConn,
    access: &Access,
    filter: &QueueFilter,
    page: i64,
    per_page: i64,
) -> Result<QueuePage, AppError> {
    let matching = || {
        let mut query = scoped(access);
        if let Some(status) = filter.status {
            query = query.filter(submissions::status.eq(status));
        }
        if let Some(id) = filter.school_id {
            query = query.filter(submissions::school_id.eq(id));
        }
        if let Some(name) = filter.school_name.as_deref() {
            query = query.filter(
                submissions::school_id.eq_any(
                    schools::table
                        .filter(crate::store::schools::name_contains!(name))
                        .select(schools::id),
                ),
            );
        }
        if let Some(kind) = filter.kind.clone() {
            query = query.filter(submissions::kind.eq(kind));
        }
        query
    };
    let counts = tallies(conn, access)?;
    let only_status =
        filter.school_id.is_none() && filter.school_name.is_none() && filter.kind.is_none();
    let total: i64 = match filter.status {
        Some(status) if only_status => counts
            .iter()
            .find(|(s, _)| s == status.as_str())
            .map_or(0, |(_, n)| *n),
        _ => matching().count().get_result(conn)?,
    };
    let page_rows: Vec<Submission> = matching()
        .order((submissions::submitted_at.asc(), submissions::id.asc()))
        .limit(per_page)
        .offset(page.max(0) * per_page)
        .select(Submission::as_select())
        .load(conn)?;
    let on_page: Vec<i64> = page_rows.iter().map(|s| s.school_id).collect();
    let names = crate::store::schools::names_of(conn, &on_page)?;
    let rows = page_rows
        .into_iter()
        .map(|s| {
            let (name, name_zh) = names.get(&s.school_id).cloned().unwrap_or_default();
            (s, name, name_zh)
        })
        .collect();
    Ok(QueuePage {
        rows,
        total,
        counts,
    })
}

/// The steps of a submission, oldest first.
pub fn events(conn: &mut DbConn, access: &Access, id: i64) -> Result<Vec<Event>, AppError> {
    get(conn, access, id)?;
    Ok(submission_events::table
        .filter(submission_events::submission_id.eq(id))
        .order(submission_events::id.asc())
        .select(Event::as_select())
        .load(conn)?)
}

/// A stored evidence file's description, before its row exists.
#[derive(Debug)]
pub struct NewEvidence {
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub description: Option<String>,
}

/// May evidence be added now? Checked before the upload is read, and again when its row
/// is written.
pub fn check_evidence_allowed(
    conn: &mut DbConn,
    access: &Access,
    id: i64,
) -> Result<Submission, AppError> {
    let submission = get(conn, access, id)?.submission;
    Access::require(prepares_for(access, submission.school_id))?;
    let status = submission.status;
    if !accepts_evidence(status) {
        return Err(AppError::conflict_of(Msg::EvidenceLocked {
            status: status.to_string(),
        }));
    }
    Ok(submission)
}

pub fn add_evidence(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    id: i64,
    file: &NewEvidence,
    now: PrimitiveDateTime,
) -> Result<Evidence, AppError> {
    let submission = check_evidence_allowed(conn, access, id)?;
    let evidence_id: i64 = diesel::insert_into(evidence_files::table)
        .values((
            evidence_files::submission_id.eq(id),
            evidence_files::round.eq(submission.round),
            evidence_files::filename.eq(&file.filename),
            evidence_files::content_type.eq(&file.content_type),
            evidence_files::size_bytes.eq(file.size_bytes),
            evidence_files::sha256.eq(&file.sha256),
            evidence_files::description.eq(&file.description),
            evidence_files::uploaded_by.eq(access.actor_id()),
            evidence_files::created_at.eq(now),
        ))
        .returning(evidence_files::id)
        .get_result(conn)?;
    let stored: Evidence = evidence_files::table
        .find(evidence_id)
        .select(Evidence::as_select())
        .first(conn)?;
    journal.record(change(
        access,
        submission.school_id,
        History::EvidenceAdd,
        evidence_id,
        None,
        json(&stored),
        now,
    ));
    Ok(stored)
}

/// An evidence file the caller may read.
pub fn evidence(
    conn: &mut DbConn,
    access: &Access,
    evidence_id: i64,
) -> Result<Evidence, AppError> {
    let found: Evidence = evidence_files::table
        .find(evidence_id)
        .select(Evidence::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let submission = get(conn, access, found.submission_id)?.submission;
    let province: i64 = schools::table
        .find(submission.school_id)
        .select(schools::province_id)
        .first(conn)?;
    if !access.reads_evidence_of(submission.school_id, province) {
        return Err(AppError::NotFound);
    }
    Ok(found)
}

/// Is any row still referring to this stored content?
pub fn content_in_use(conn: &mut DbConn, sha256: &str) -> Result<bool, AppError> {
    let uses: i64 = evidence_files::table
        .filter(evidence_files::sha256.eq(sha256))
        .count()
        .get_result(conn)?;
    Ok(uses > 0)
}

/// What the workflow asks of who takes a step on a submission, and the school's province.
fn facts(
    conn: &mut DbConn,
    access: &Access,
    before: &SubmissionDetail,
) -> Result<(Facts, i64), AppError> {
    let current = &before.submission;
    let province: i64 = schools::table
        .find(current.school_id)
        .select(schools::province_id)
        .first(conn)?;
    let facts = Facts {
        role: access.role,
        officer_of_school: prepares_for(access, current.school_id),
        of_province: access.province_id == Some(province),
        is_recommender: current.recommended_by.is_some()
            && current.recommended_by == access.actor_id(),
        // A year's status data hands in its figures, not files.
        has_evidence: !before.evidence.is_empty() || current.kind == SubmissionKind::StatusData,
    };
    Ok((facts, province))
}

/// Would the workflow let `access` take a step of `action`'s kind on the submission now?
/// The answer it would give (404, 403, 409), for a request whose details are not read yet.
pub fn may_take(
    conn: &mut DbConn,
    access: &Access,
    id: i64,
    action: Action,
) -> Result<(), AppError> {
    let before = get(conn, access, id)?;
    let (facts, _) = facts(conn, access, &before)?;
    transition(before.submission.status, action, facts)
        .map(|_| ())
        .map_err(refusal)
}

fn refusal(refused: Refusal) -> AppError {
    match refused {
        Refusal::NotYourRole => AppError::Forbidden,
        Refusal::FourEyes => AppError::conflict_of(Msg::FourEyes),
        Refusal::WrongState { from } => AppError::conflict_of(Msg::InvalidTransition {
            from: from.to_string(),
        }),
        Refusal::NoEvidence => AppError::conflict_of(Msg::EvidenceRequired),
    }
}

/// Takes one workflow step. Exactly one of two people acting at once succeeds; the other
/// gets 409 and nothing of theirs is written.
#[allow(clippy::too_many_arguments)]
pub fn step(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    id: i64,
    action: Action,
    comment: Option<&str>,
    version: Option<i64>,
    now: PrimitiveDateTime,
) -> Result<SubmissionDetail, AppError> {
    let before = get(conn, access, id)?;
    let current = &before.submission;
    let (from, kind) = (current.status, current.kind);
    let (facts, province) = facts(conn, access, &before)?;
    let to = transition(from, action, facts).map_err(refusal)?;
    crate::store::record::check_version(version, current.version)?;
    if action.needs_comment() && comment.is_none_or(|c| c.trim().is_empty()) {
        return Err(AppError::field("comment", Msg::CommentRequired));
    }
    let content = match (kind, action, current.year) {
        (SubmissionKind::StatusData, Action::Submit, Some(year)) => {
            Some(status_data::content_for_submission(conn, current.school_id, year)?.to_string())
        }
        _ => None,
    };
    let round = if to == SubmissionStatus::ChangesRequested {
        current.round + 1
    } else {
        current.round
    };
    let recommended_by = match to {
        SubmissionStatus::Recommended => access.actor_id(),
        SubmissionStatus::Submitted | SubmissionStatus::ChangesRequested => None,
        _ => current.recommended_by,
    };
    let submitted_at = if to == SubmissionStatus::Submitted {
        Some(now)
    } else {
        current.submitted_at
    };
    let changed = diesel::update(
        submissions::table
            .filter(submissions::id.eq(id))
            .filter(submissions::version.eq(current.version)),
    )
    .set((
        submissions::status.eq(to),
        submissions::round.eq(round),
        submissions::version.eq(current.version + 1),
        submissions::recommended_by.eq(recommended_by),
        submissions::submitted_at.eq(submitted_at),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(crate::store::schools::stale_version());
    }
    if let Some(content) = content {
        diesel::delete(submission_contents::table.find((id, round))).execute(conn)?;
        diesel::insert_into(submission_contents::table)
            .values((
                submission_contents::submission_id.eq(id),
                submission_contents::round.eq(round),
                submission_contents::content.eq(content),
            ))
            .execute(conn)?;
    }
    let after = detail(conn, id)?;
    record_event(
        conn,
        &after.submission,
        access,
        action.name(),
        Some(from),
        to,
        comment,
        now,
    )?;
    journal.record(change(
        access,
        current.school_id,
        History::Submission(action),
        id,
        json(current),
        json(&after.submission),
        now,
    ));
    notify(conn, &after.submission, province, action, now)?;
    Ok(after)
}

/// Withdraws every open submission of a school that its province merges or closes, with
/// the province's reason: not a step a school's officer takes, so not the workflow's. The
/// school's officers are told. Inside the caller's transaction, after its checks.
pub fn withdraw_all_open(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    school_id: i64,
    reason: &str,
    now: PrimitiveDateTime,
) -> Result<Vec<i64>, AppError> {
    let open: Vec<i64> = submissions::table
        .filter(submissions::school_id.eq(school_id))
        .filter(
            submissions::status.eq_any(
                SubmissionStatus::ALL
                    .iter()
                    .copied()
                    .filter(|s| s.is_open())
                    .collect::<Vec<_>>(),
            ),
        )
        .order(submissions::id.asc())
        .select(submissions::id)
        .load(conn)?;
    let officers: Vec<i64> = users::table
        .filter(users::school_id.eq(school_id))
        .filter(users::role.eq(Role::QualityOfficer))
        .filter(users::active.eq(true))
        .select(users::id)
        .load(conn)?;
    for id in &open {
        let before = detail(conn, *id)?;
        let current = &before.submission;
        diesel::update(submissions::table.find(*id))
            .set((
                submissions::status.eq(SubmissionStatus::Withdrawn),
                submissions::version.eq(current.version + 1),
            ))
            .execute(conn)?;
        let after = detail(conn, *id)?;
        record_event(
            conn,
            &after.submission,
            access,
            Action::Withdraw.name(),
            Some(current.status),
            SubmissionStatus::Withdrawn,
            Some(reason),
            now,
        )?;
        journal.record(change(
            access,
            school_id,
            History::Submission(Action::Withdraw),
            *id,
            json(current),
            json(&after.submission),
            now,
        ));
        tell(
            conn,
            &officers,
            &after.submission,
            Action::Withdraw.name(),
            now,
        )?;
    }
    Ok(open)
}

#[allow(clippy::too_many_arguments)]
fn record_event(
    conn: &mut DbConn,
    submission: &Submission,
    access: &Access,
    action: &str,
    from: Option<SubmissionStatus>,
    to: SubmissionStatus,
    comment: Option<&str>,
    now: PrimitiveDateTime,
) -> Result<(), AppError> {
    diesel::insert_into(submission_events::table)
        .values((
            submission_events::submission_id.eq(submission.id),
            submission_events::at.eq(crate::clock::to_micros(now)),
            submission_events::actor_id.eq(access.actor_id()),
            submission_events::action.eq(action),
            submission_events::from_status.eq(from),
            submission_events::to_status.eq(to),
            submission_events::round.eq(submission.round),
            submission_events::comment.eq(comment.map(str::trim)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Tells the people concerned: the province's reviewers of a submission, its province admins
/// of a recommendation, the school's officers of a decision. Each notice goes to the in-app
/// inbox and to the outbox (from which e-mail can be sent without touching the workflow).
fn notify(
    conn: &mut DbConn,
    submission: &Submission,
    province: i64,
    action: Action,
    now: PrimitiveDateTime,
) -> Result<(), AppError> {
    let recipients: Vec<i64> = match action {
        Action::Submit => users::table
            .filter(users::province_id.eq(province))
            .filter(users::role.eq_any([Role::Reviewer.as_str(), Role::ProvinceAdmin.as_str()]))
            .filter(users::active.eq(true))
            .select(users::id)
            .load(conn)?,
        Action::Review(crate::domain::workflow::ReviewDecision::Recommend) => users::table
            .filter(users::province_id.eq(province))
            .filter(users::role.eq(Role::ProvinceAdmin))
            .filter(users::active.eq(true))
            .select(users::id)
            .load(conn)?,
        Action::Withdraw => Vec::new(),
        Action::Review(_) | Action::SignOff(_) => users::table
            .filter(users::school_id.eq(submission.school_id))
            .filter(users::role.eq(Role::QualityOfficer))
            .filter(users::active.eq(true))
            .select(users::id)
            .load(conn)?,
    };
    tell(conn, &recipients, submission, action.name(), now)?;
    // The province's group robots that chose the event.
    let event = match action {
        Action::Submit => Some(RobotEvent::SubmissionSubmitted),
        Action::Review(crate::domain::workflow::ReviewDecision::Recommend) => {
            Some(RobotEvent::SubmissionRecommended)
        }
        Action::SignOff(_) => Some(RobotEvent::SubmissionDecided),
        Action::Withdraw | Action::Review(_) => None,
    };
    if let Some(event) = event {
        let payload = serde_json::json!({"submission_id": submission.id, "school_id": submission.school_id,
            "kind": submission.kind, "title": submission.title, "status": submission.status, "action": action.name()});
        crate::store::webhooks::enqueue(conn, province, event, &payload, now)?;
    }
    Ok(())
}

/// Tells `recipients` of `event` about a submission: in their inbox and by mail (through
/// the outbox).
pub fn tell(
    conn: &mut DbConn,
    recipients: &[i64],
    submission: &Submission,
    event: &str,
    now: PrimitiveDateTime,
) -> Result<(), AppError> {
    if recipients.is_empty() {
        return Ok(());
    }
    let notices: Vec<_> = recipients
        .iter()
        .map(|&user| {
            (
                notifications::user_id.eq(user),
                notifications::submission_id.eq(submission.id),
                notifications::event.eq(event),
                notifications::created_at.eq(now),
            )
        })
        .collect();
    crate::db::insert_batch!(conn, notifications::table, notices)?;
    let payload = serde_json::json!({"submission_id": submission.id, "school_id": submission.school_id, "kind": submission.kind, "title": submission.title, "event": event, "status": submission.status});
    let mails: Vec<(i64, &serde_json::Value)> =
        recipients.iter().map(|&user| (user, &payload)).collect();
    crate::store::outbox::enqueue(conn, crate::domain::mail::MailKind::Workflow, &mails, now)?;
    Ok(())
}

/// A notice in someone's inbox.
#[derive(Clone, Debug, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = notifications, check_for_backend(crate::db::MultiBackend))]
pub struct Notice {
    pub id: i64,
    #[serde(skip)]
    pub user_id: i64,
    pub submission_id: Option<i64>,
    pub event: String,
    #[serde(serialize_with = "crate::clock::serialize_timestamp")]
    #[schema(value_type = String)]
    pub created_at: PrimitiveDateTime,
    #[serde(serialize_with = "crate::clock::serialize_opt_timestamp")]
    #[schema(value_type = Option<String>)]
    pub read_at: Option<PrimitiveDateTime>,
    /// a reminder's school
    pub school_id: Option<i64>,
    /// what a reminder is about (a title, a certificate, a finding…)
    pub subject: Option<String>,
    /// a reminder's due date
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<time::Date>,
}

/// One's own inbox, newest first, and the number unread.
pub fn inbox(conn: &mut DbConn, user_id: i64) -> Result<(Vec<Notice>, i64), AppError> {
    let notices = notifications::table
        .filter(notifications::user_id.eq(user_id))
        .order(notifications::id.desc())
        .limit(100)
        .select(Notice::as_select())
        .load(conn)?;
    Ok((notices, unread(conn, user_id)?))
}

/// How many of one's notices are unread.
pub fn unread(conn: &mut DbConn, user_id: i64) -> Result<i64, AppError> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Marks all of one's notices read.
pub fn mark_read(
    conn: &mut DbConn,
    user_id: i64,
    now: PrimitiveDateTime,
) -> Result<usize, AppError> {
    Ok(diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now))
    .execute(conn)?)
}

/// The newest submission of a kind for a school's year, with its status (the school as
/// read through the reader's access).
pub fn latest_of_year(
    conn: &mut DbConn,
    school: &crate::store::schools::School,
    kind: SubmissionKind,
    year: i32,
) -> Result<Option<(i64, SubmissionStatus)>, AppError> {
    latest_of_year_by_id(conn, school.id, kind, year)
}

/// How many submissions there are, of every school (the admin's home).
pub fn count(conn: &mut DbConn) -> Result<i64, AppError> {
    Ok(submissions::table.count().get_result(conn)?)
}

//! Submissions and their two-level sign-off: a workflow step, and what an approval writes
//! into the school's record (a title awarded or re-evaluated, an audit report or a
//! corrective action verified, a year's status data accepted).

use serde::Deserialize;
use time::{Date, PrimitiveDateTime};

use crate::db::DbConn;
use crate::domain::access::Access;
use crate::domain::history::Journal;
use crate::domain::text;
use crate::domain::workflow::{
    Action, ReviewDecision, SignOffDecision, SubmissionKind, SubmissionStatus,
};
use crate::error::{AppError, Msg, Validator};
use crate::store::submissions::{
    self, Evidence, NewEvidence, NewSubmission, Subject, Submission, SubmissionDetail,
};
use crate::store::{audits, evaluations, findings, status_data, titles};

/// A step whose details (its decision, comment and version) came in a request body, read
/// only after the workflow's own answer to who is asking: `kind` is a step of the route's
/// kind (any decision: the workflow asks the same of each).
#[allow(clippy::too_many_arguments)]
pub fn decide(
    conn: &mut DbConn,
    access: &Access,
    id: i64,
    kind: Action,
    said: Result<(Action, Option<String>, Option<i64>), AppError>,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<SubmissionDetail, AppError> {
    match said {
        Ok((action, comment, version)) => step(
            conn,
            access,
            id,
            action,
            comment.as_deref(),
            version,
            today,
            now,
        ),
        Err(unread) => {
            submissions::may_take(conn, access, id, kind)?;
            Err(unread)
        }
    }
}

/// Takes one workflow step. Exactly one of two people acting at once succeeds; the other
/// gets 409 and nothing of theirs is written.
#[allow(clippy::too_many_arguments)]
pub fn step(
    conn: &mut DbConn,
    access: &Access,
    id: i64,
    action: Action,
    comment: Option<&str>,
    version: Option<i64>,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<SubmissionDetail, AppError> {
    super::write(conn, access, |conn, journal| {
        let after = submissions::step(conn, journal, access, id, action, comment, version, now)?;
        if action == Action::Submit {
            // Handed in only with every item of its evaluation self-assessed.
            let missing = evaluations::unassessed(conn, &after.submission)?;
            if !missing.is_empty() {
                return Err(AppError::ConflictOver {
                    code: "evaluation_incomplete",
                    message: Msg::EvaluationIncomplete,
                    fields: missing
                        .into_iter()
                        .map(|r| (r, Msg::NotSelfAssessed))
                        .collect(),
                });
            }
        }
        if action == Action::Review(ReviewDecision::Recommend)
            && let Some(verdict) = evaluations::verdict(conn, &after.submission)?
        {
            // Recommended only on the panel's complete consensus, and only when it passes.
            if !verdict.missing.is_empty() {
                return Err(AppError::ConflictOver {
                    code: "evaluation_incomplete",
                    message: Msg::EvaluationIncomplete,
                    fields: verdict
                        .missing
                        .into_iter()
                        .map(|r| (r, Msg::NoConsensus))
                        .collect(),
                });
            }
            if !verdict.pass {
                return Err(AppError::conflict_of(Msg::EvaluationFailed));
            }
        }
        if action == Action::SignOff(SignOffDecision::Approve)
            && evaluations::verdict(conn, &after.submission)?.is_some()
            && let Some(refusal) = super::notices::approval_refusal(conn, &after.submission, today)?
        {
            // An evaluated application is approved only after its public notice.
            return Err(AppError::conflict_of(refusal));
        }
        if after.submission.status == SubmissionStatus::Approved {
            apply_approval(conn, journal, access, &after.submission, today, now)?;
        }
        Ok(after)
    })
}

/// What an approval changes in the school's record.
fn apply_approval(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    submission: &Submission,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<(), AppError> {
    let kind = submission.kind;
    let school_id = submission.school_id;
    let missing = |what: &str| AppError::from(anyhow::anyhow!("{} without {what}", kind));
    match kind {
        SubmissionKind::TitleApplication => {
            let type_id = submission.title_type_id.ok_or_else(|| missing("a title"))?;
            let new = titles::NewHolding {
                title_type_code: titles::type_code(conn, type_id)?,
                awarded_on: today,
                last_evaluated_on: None,
            };
            titles::award(conn, journal, access, school_id, &new, today, now)?;
        }
        SubmissionKind::TitleReevaluation => {
            let holding = submission
                .school_title_id
                .ok_or_else(|| missing("a title"))?;
            titles::record_reevaluation(conn, journal, access, holding, today, now)?;
        }
        SubmissionKind::AuditReport => {
            let audit = submission.audit_id.ok_or_else(|| missing("an audit"))?;
            audits::verify_report(conn, journal, access, school_id, audit, today, now)?;
        }
        SubmissionKind::CorrectiveActionClosure => {
            let finding = submission.finding_id.ok_or_else(|| missing("a finding"))?;
            findings::verify(conn, journal, access, school_id, finding, now)?;
        }
        SubmissionKind::AnnualQualityReport => {}
        SubmissionKind::StatusData => {
            let year = submission.year.ok_or_else(|| missing("a year"))?;
            status_data::lock(
                conn,
                journal,
                access,
                school_id,
                year,
                Some(submission.id),
                now,
            )?;
        }
    }
    Ok(())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionInput {
    /// title_application, title_reevaluation, audit_report, corrective_action_closure, annual_quality_report
    #[schema(value_type = crate::domain::workflow::SubmissionKind)]
    pub kind: String,
    #[schema(schema_with = crate::app::schema::short_text)]
    pub title: String,
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    pub summary: Option<String>,
    /// for a title_application
    pub title_type_code: Option<String>,
    /// for a title_reevaluation: a holding of the same school
    pub school_title_id: Option<i64>,
    /// for an audit_report: an audit of the same school
    pub audit_id: Option<i64>,
    /// for a corrective_action_closure: a finding of the same school
    pub finding_id: Option<i64>,
    /// for an annual_quality_report
    pub year: Option<i64>,
}

impl SubmissionInput {
    pub fn validate(&self, this_year: i32) -> Result<NewSubmission, AppError> {
        let mut v = Validator::new();
        let kind = v.check("kind", SubmissionKind::parse(&self.kind));
        let title = v.check("title", text::required(&self.title, text::SHORT));
        let summary = v.check(
            "summary",
            text::optional(self.summary.as_deref(), text::LONG),
        );
        let year = v.check_opt("year", self.year, |y| {
            crate::domain::indicators::parse_year(y, this_year)
        });
        v.finish()?;
        match (kind, title, summary, year) {
            (Some(kind), Some(title), Some(summary), Some(year)) => Ok(NewSubmission {
                kind,
                title,
                summary,
                subject: Subject {
                    title_type_code: self.title_type_code.clone(),
                    school_title_id: self.school_title_id,
                    audit_id: self.audit_id,
                    finding_id: self.finding_id,
                    year,
                },
            }),
            _ => Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            ))),
        }
    }
}

/// Starts a submission of the school (its quality officer): the school is found for the
/// asker, their right checked, and only then what they sent judged.
pub fn create(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    new: impl FnOnce() -> Result<NewSubmission, AppError>,
    now: PrimitiveDateTime,
) -> Result<SubmissionDetail, AppError> {
    super::write(conn, access, |conn, journal| {
        crate::store::schools::get(conn, access, school_id)?;
        Access::require(
            access.role == crate::domain::Role::QualityOfficer
                && access.school_id == Some(school_id),
        )?;
        let created = submissions::create(conn, journal, access, school_id, &new()?, now)?;
        // A title's application or re-evaluation is scored against its standard in force.
        evaluations::start_for(conn, journal, access, &created.submission, now)?;
        Ok(created)
    })
}

/// Adds a stored file to a submission as its evidence.
pub fn add_evidence(
    conn: &mut DbConn,
    access: &Access,
    id: i64,
    file: &NewEvidence,
    now: PrimitiveDateTime,
) -> Result<Evidence, AppError> {
    super::write(conn, access, |conn, journal| {
        submissions::add_evidence(conn, journal, access, id, file, now)
    })
}

/// Hands in the school's `kind` submission of `year` (a year's status data): the one in
/// progress, or a new one titled `title` when none is.
#[allow(clippy::too_many_arguments)]
pub fn hand_in_year(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    kind: SubmissionKind,
    year: i32,
    title: String,
    now: PrimitiveDateTime,
) -> Result<SubmissionDetail, AppError> {
    super::write(conn, access, |conn, journal| {
        let school = crate::store::schools::get(conn, access, school_id)?;
        Access::require(submissions::prepares_for(access, school_id))?;
        let open =
            submissions::latest_of_year(conn, &school, kind, year)?.filter(|(_, s)| s.is_open());
        let submission = match open {
            Some((submission, _)) => submission,
            None => {
                let new = NewSubmission {
                    kind,
                    title,
                    summary: None,
                    subject: Subject {
                        year: Some(year),
                        ..Default::default()
                    },
                };
                submissions::create(conn, journal, access, school_id, &new, now)?
                    .submission
                    .id
            }
        };
        submissions::step(
            conn,
            journal,
            access,
            submission,
            Action::Submit,
            None,
            None,
            now,
        )
    })
}

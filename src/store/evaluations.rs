//! The evaluation of a title application or re-evaluation against a standard
//! (`evaluations`, `evaluation_items`, `evaluation_evidence`): the standard it is scored by
//! and the school's self-assessment item by item. Read by the submission's readers; written
//! by the school's quality officer while the submission is theirs to change.

use std::collections::{BTreeMap, HashMap};

use diesel::prelude::*;
use serde::Serialize;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::{
    evaluation_evidence, evaluation_items, evaluations, evidence_files, school_titles, schools,
};
use crate::domain::access::Access;
use crate::domain::history::{Action, Journal};
use crate::domain::standard::{Points, StandardKey, in_force, subtotals};
use crate::domain::workflow::{SubmissionKind, SubmissionStatus, accepts_evidence};
use crate::error::{AppError, FieldErrors, Msg};
use crate::store::record::change;
use crate::store::standards::{self, CriterionView};
use crate::store::submissions::{self, Submission, prepares_for};

crate::vocabulary!(
    /// Where an evaluation stands: the school assessing itself, the panel scoring, the
    /// panel agreeing, or decided.
    EvaluationState {
        SelfAssessment => "self_assessment",
        PanelScoring => "panel_scoring",
        Consensus => "consensus",
        Decided => "decided",
    }
);

/// The standard an evaluation is scored by, in short.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StandardRef {
    pub id: i64,
    pub code: String,
    pub version: i32,
    pub name: String,
    #[schema(value_type = f64)]
    pub total_points: Points,
    #[schema(value_type = f64)]
    pub pass_points: Points,
}

/// One criterion of the evaluation with what has been said of it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EvaluatedCriterion {
    #[serde(flatten)]
    pub criterion: CriterionView,
    /// the school's score of an item; of a group, the sum of its items' scores so far
    #[schema(value_type = Option<f64>)]
    pub self_score: Option<Points>,
    /// a veto item: met or not, as the school judges it
    pub self_met: Option<bool>,
    /// why points were deducted, or a note
    pub self_note: Option<String>,
    /// evidence files of the submission that support it
    pub evidence_ids: Vec<i64>,
    /// the experts' sealed scores, as the reader may see them
    pub scores: Vec<serde_json::Value>,
    #[schema(value_type = Option<f64>)]
    pub consensus_score: Option<Points>,
    pub consensus_met: Option<bool>,
    pub consensus_note: Option<String>,
    /// the sealed scores spread by more than 15 % of the points
    pub disagreement: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Totals {
    /// the school's total so far
    #[serde(rename = "self")]
    #[schema(value_type = f64)]
    pub own: Points,
    #[schema(value_type = Option<f64>)]
    pub consensus: Option<Points>,
    #[schema(value_type = f64)]
    pub max: Points,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Evaluation {
    pub submission_id: i64,
    pub standard: StandardRef,
    pub state: EvaluationState,
    pub criteria: Vec<EvaluatedCriterion>,
    pub totals: Totals,
    /// `pass` or `fail` once the panel agreed; none before
    pub outcome: Option<String>,
    pub outcome_reasons: Vec<String>,
    /// the items (leaves) the school has not assessed yet
    pub unassessed: Vec<String>,
}

/// What the school says of one item.
#[derive(Clone, Debug, Default)]
pub struct SelfAssessment {
    pub score: Option<Option<Points>>,
    pub met: Option<Option<bool>>,
    pub note: Option<Option<String>>,
    pub evidence_ids: Option<Vec<i64>>,
}

fn state_of(status: SubmissionStatus) -> EvaluationState {
    match status {
        SubmissionStatus::Draft
        | SubmissionStatus::ChangesRequested
        | SubmissionStatus::Withdrawn => EvaluationState::SelfAssessment,
        SubmissionStatus::Submitted | SubmissionStatus::Recommended => {
            EvaluationState::PanelScoring
        }
        SubmissionStatus::Approved | SubmissionStatus::Rejected => EvaluationState::Decided,
    }
}

struct Candidate {
    id: i64,
    province_id: Option<i64>,
    version: i32,
}

impl StandardKey for Candidate {
    fn province_id(&self) -> Option<i64> {
        self.province_id
    }
    fn version(&self) -> i32 {
        self.version
    }
}

/// The title type a submission asks about: the applied-for type, or the held title's.
fn title_type_of(conn: &mut DbConn, submission: &Submission) -> Result<Option<i64>, AppError> {
    match submission.kind {
        SubmissionKind::TitleApplication => Ok(submission.title_type_id),
        SubmissionKind::TitleReevaluation => match submission.school_title_id {
            None => Ok(None),
            Some(holding) => Ok(school_titles::table
                .find(holding)
                .select(school_titles::title_type_id)
                .first(conn)
                .optional()?),
        },
        _ => Ok(None),
    }
}

/// The standard in force for a new evaluation of `title_type` in `province`.
fn standard_in_force(
    conn: &mut DbConn,
    title_type: i64,
    province: i64,
) -> Result<Option<i64>, AppError> {
    let candidates: Vec<Candidate> = standards::standards_for_type(conn, title_type, province)?
        .into_iter()
        .map(|(id, province_id, version)| Candidate {
            id,
            province_id,
            version,
        })
        .collect();
    Ok(in_force(&candidates, Some(province)).map(|c| c.id))
}

/// The evaluation row of a submission, scored by `standard`.
fn insert(
    conn: &mut DbConn,
    submission_id: i64,
    standard: i64,
    now: PrimitiveDateTime,
) -> Result<(), AppError> {
    diesel::insert_into(evaluations::table)
        .values((
            evaluations::submission_id.eq(submission_id),
            evaluations::standard_id.eq(standard),
            evaluations::created_at.eq(now),
            evaluations::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Starts the evaluation of a new draft when its title type has a standard in force.
pub fn start_for(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    submission: &Submission,
    now: PrimitiveDateTime,
) -> Result<Option<i64>, AppError> {
    let Some(title_type) = title_type_of(conn, submission)? else {
        return Ok(None);
    };
    let province: i64 = schools::table
        .find(submission.school_id)
        .select(schools::province_id)
        .first(conn)?;
    let Some(standard) = standard_in_force(conn, title_type, province)? else {
        return Ok(None);
    };
    insert(conn, submission.id, standard, now)?;
    journal.record(change(
        access,
        submission.school_id,
        Action::EvaluationStart,
        submission.id,
        None,
        Some(serde_json::json!({"standard_id": standard})),
        now,
    ));
    Ok(Some(standard))
}

/// The evaluation of a submission the reader may see (404 when it has none).
pub fn get(conn: &mut DbConn, access: &Access, submission_id: i64) -> Result<Evaluation, AppError> {
    let detail = submissions::get(conn, access, submission_id)?;
    read(conn, &detail.submission)
}

/// An item's row: its number, half-points, met, note.
type ItemRow = (String, Option<i32>, Option<bool>, Option<String>);

/// What the school said of an item: score, met, note.
type Said = (Option<Points>, Option<bool>, Option<String>);

fn read(conn: &mut DbConn, submission: &Submission) -> Result<Evaluation, AppError> {
    let standard_id: i64 = evaluations::table
        .find(submission.id)
        .select(evaluations::standard_id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let standard = standards::get(conn, &Access::operator(), standard_id)?;
    let items: Vec<ItemRow> = evaluation_items::table
        .filter(evaluation_items::submission_id.eq(submission.id))
        .select((
            evaluation_items::ref_,
            evaluation_items::self_half_points,
            evaluation_items::self_met,
            evaluation_items::self_note,
        ))
        .load(conn)?;
    let mut links: HashMap<String, Vec<i64>> = HashMap::new();
    for (reference, evidence) in evaluation_evidence::table
        .filter(evaluation_evidence::submission_id.eq(submission.id))
        .order((
            evaluation_evidence::ref_.asc(),
            evaluation_evidence::evidence_id.asc(),
        ))
        .select((evaluation_evidence::ref_, evaluation_evidence::evidence_id))
        .load::<(String, i64)>(conn)?
    {
        links.entry(reference).or_default().push(evidence);
    }
    let said: HashMap<String, Said> = items
        .into_iter()
        .map(|(r, halves, met, note)| {
            let points = halves.map(|h| Points::from_halves(u32::try_from(h).unwrap_or(0)));
            (r, (points, met, note))
        })
        .collect();
    // Each item's score, summed up through its groups.
    let scores: BTreeMap<String, Points> = standard
        .criteria
        .iter()
        .filter(|c| c.leaf && !c.veto)
        .filter_map(|c| Some((c.reference.clone(), said.get(&c.reference)?.0?)))
        .collect();
    let sums = subtotals(
        standard
            .criteria
            .iter()
            .map(|c| (c.reference.as_str(), c.parent_ref.as_deref())),
        &scores,
    );
    let unassessed: Vec<String> = standard
        .criteria
        .iter()
        .filter(|c| c.leaf)
        .filter(|c| {
            let said = said.get(&c.reference);
            if c.veto {
                said.and_then(|s| s.1).is_none()
            } else {
                said.and_then(|s| s.0).is_none()
            }
        })
        .map(|c| c.reference.clone())
        .collect();
    let own: Points = scores.values().copied().sum();
    let criteria = standard
        .criteria
        .iter()
        .map(|c| {
            let (score, met, note) = said.get(&c.reference).cloned().unwrap_or_default();
            EvaluatedCriterion {
                criterion: c.clone(),
                self_score: if c.leaf {
                    score
                } else {
                    sums.get(&c.reference).copied()
                },
                self_met: met,
                self_note: note,
                evidence_ids: links.get(&c.reference).cloned().unwrap_or_default(),
                scores: Vec::new(),
                consensus_score: None,
                consensus_met: None,
                consensus_note: None,
                disagreement: false,
            }
        })
        .collect();
    Ok(Evaluation {
        submission_id: submission.id,
        standard: StandardRef {
            id: standard.id,
            code: standard.code.clone(),
            version: standard.version,
            name: standard.name.clone(),
            total_points: standard.total_points,
            pass_points: standard.pass_points,
        },
        state: state_of(submission.status),
        criteria,
        totals: Totals {
            own,
            consensus: None,
            max: standard.total_points,
        },
        outcome: None,
        outcome_reasons: Vec::new(),
        unassessed,
    })
}

/// The submission, if the asker prepares it and it is theirs to change (a draft, or sent
/// back for changes): 404 outside their sight, 403 for others, 409 once with the province.
pub fn changeable(
    conn: &mut DbConn,
    access: &Access,
    submission_id: i64,
) -> Result<Submission, AppError> {
    let detail = submissions::get(conn, access, submission_id)?;
    let submission = detail.submission;
    Access::require(prepares_for(access, submission.school_id))?;
    if !accepts_evidence(submission.status) {
        return Err(AppError::conflict_of(Msg::EvaluationLocked {
            status: submission.status.as_str().to_owned(),
        }));
    }
    Ok(submission)
}

/// Scores another standard (a draft only): 422 `standard_id` unless the reader sees it and
/// it is for the submission's title. Earlier self-assessments are kept by item number.
pub fn choose_standard(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    submission_id: i64,
    standard_id: i64,
    now: PrimitiveDateTime,
) -> Result<Evaluation, AppError> {
    let submission = changeable(conn, access, submission_id)?;
    if submission.status != SubmissionStatus::Draft {
        return Err(AppError::conflict_of(Msg::EvaluationLocked {
            status: submission.status.as_str().to_owned(),
        }));
    }
    let title_type = title_type_of(conn, &submission)?
        .ok_or_else(|| AppError::field("standard_id", Msg::NoEvaluationForKind))?;
    let fits = standards::title_type_of(conn, standard_id)?;
    let visible = standards::get(conn, access, standard_id).is_ok();
    if !visible || fits != Some(Some(title_type)) {
        return Err(AppError::field("standard_id", Msg::StandardNotForTitle));
    }
    let before: Option<i64> = evaluations::table
        .find(submission.id)
        .select(evaluations::standard_id)
        .first(conn)
        .optional()?;
    match before {
        Some(_) => {
            diesel::update(evaluations::table.find(submission.id))
                .set((
                    evaluations::standard_id.eq(standard_id),
                    evaluations::version.eq(evaluations::version + 1),
                    evaluations::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        None => {
            insert(conn, submission.id, standard_id, now)?;
        }
    }
    journal.record(change(
        access,
        submission.school_id,
        Action::EvaluationStandard,
        submission.id,
        before.map(|s| serde_json::json!({"standard_id": s})),
        Some(serde_json::json!({"standard_id": standard_id})),
        now,
    ));
    read(conn, &submission)
}

/// The school's self-assessment of one item: a score for a scored item (steps of 0.5, up to
/// its points), met or not for a veto item, a note, and the evidence of this submission
/// that supports it (`submission` as `changeable` gave it). Fields left out keep what was
/// said.
pub fn self_assess(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    submission: &Submission,
    reference: &str,
    said: &SelfAssessment,
    now: PrimitiveDateTime,
) -> Result<Evaluation, AppError> {
    let before = read(conn, submission)?;
    let criterion = before
        .criteria
        .iter()
        .find(|c| c.criterion.reference == reference)
        .ok_or(AppError::NotFound)?
        .clone();
    let mut fields = FieldErrors::new();
    if !criterion.criterion.leaf {
        fields.insert("ref".into(), Msg::GroupNotScored);
    }
    if criterion.criterion.veto {
        if let Some(Some(_)) = said.score {
            fields.insert("self_score".into(), Msg::VetoNoPoints);
        }
    } else {
        if let Some(Some(_)) = said.met {
            fields.insert("self_met".into(), Msg::MetOnlyForVeto);
        }
        if let (Some(Some(score)), Some(max)) = (said.score, criterion.criterion.max_points)
            && score > max
        {
            fields.insert("self_score".into(), Msg::AtMost { max: max.text() });
        }
    }
    if let Some(ids) = &said.evidence_ids {
        let own: Vec<i64> = evidence_files::table
            .filter(evidence_files::submission_id.eq(submission.id))
            .filter(evidence_files::id.eq_any(ids))
            .select(evidence_files::id)
            .load(conn)?;
        for (i, id) in ids.iter().enumerate() {
            if !own.contains(id) {
                fields.insert(format!("evidence_ids[{i}]"), Msg::NotOfThisSubmission);
            }
        }
    }
    if !fields.is_empty() {
        return Err(AppError::Validation(fields));
    }
    let (score, met, note) = (
        said.score.unwrap_or(criterion.self_score),
        said.met.unwrap_or(criterion.self_met),
        said.note.clone().unwrap_or(criterion.self_note.clone()),
    );
    let halves = score.map(|p| i32::try_from(p.halves()).unwrap_or(i32::MAX));
    let updated =
        diesel::update(evaluation_items::table.find((submission.id, reference.to_owned())))
            .set((
                evaluation_items::self_half_points.eq(halves),
                evaluation_items::self_met.eq(met),
                evaluation_items::self_note.eq(&note),
                evaluation_items::updated_by.eq(access.actor_id()),
                evaluation_items::updated_at.eq(now),
            ))
            .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(evaluation_items::table)
            .values((
                evaluation_items::submission_id.eq(submission.id),
                evaluation_items::ref_.eq(reference),
                evaluation_items::self_half_points.eq(halves),
                evaluation_items::self_met.eq(met),
                evaluation_items::self_note.eq(&note),
                evaluation_items::updated_by.eq(access.actor_id()),
                evaluation_items::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    if let Some(ids) = &said.evidence_ids {
        diesel::delete(
            evaluation_evidence::table
                .filter(evaluation_evidence::submission_id.eq(submission.id))
                .filter(evaluation_evidence::ref_.eq(reference)),
        )
        .execute(conn)?;
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        for id in unique {
            diesel::insert_into(evaluation_evidence::table)
                .values((
                    evaluation_evidence::submission_id.eq(submission.id),
                    evaluation_evidence::ref_.eq(reference),
                    evaluation_evidence::evidence_id.eq(id),
                ))
                .execute(conn)?;
        }
    }
    diesel::update(evaluations::table.find(submission.id))
        .set((
            evaluations::version.eq(evaluations::version + 1),
            evaluations::updated_at.eq(now),
        ))
        .execute(conn)?;
    let after = read(conn, submission)?;
    let item = |e: &Evaluation| {
        e.criteria
            .iter()
            .find(|c| c.criterion.reference == reference)
            .map(|c| {
                serde_json::json!({"ref": reference, "self_score": c.self_score, "self_met": c.self_met,
                    "self_note": c.self_note, "evidence_ids": c.evidence_ids})
            })
    };
    journal.record(change(
        access,
        submission.school_id,
        Action::EvaluationSelfAssess,
        submission.id,
        item(&before),
        item(&after),
        now,
    ));
    Ok(after)
}

/// The items of a submission's evaluation not yet self-assessed (none without one).
pub fn unassessed(conn: &mut DbConn, submission: &Submission) -> Result<Vec<String>, AppError> {
    match read(conn, submission) {
        Ok(evaluation) => Ok(evaluation.unassessed),
        Err(AppError::NotFound) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

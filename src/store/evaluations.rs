//! The evaluation of a title application or re-evaluation against a standard
//! (`evaluations`, `evaluation_items`, `evaluation_evidence`): the standard it is scored by
//! and the school's self-assessment item by item. Read by the submission's readers; written
//! by the school's quality officer while the submission is theirs to change.

use std::collections::{BTreeMap, HashMap, HashSet};

use diesel::prelude::*;
use serde::Serialize;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::{
    evaluation_evidence, evaluation_items, evaluations, evidence_files, school_titles, schools,
};
use crate::domain::access::Access;
use crate::domain::history::{Action, Journal};
use crate::domain::panel::{
    Reader, ScoresSeen, Shortfall, Stage, outcome, sight, split, spread_too_wide,
};
use crate::domain::standard::{Points, StandardKey, in_force, subtotals};
use crate::domain::workflow::{SubmissionKind, SubmissionStatus, accepts_evidence};
use crate::error::{AppError, FieldErrors, Msg};
use crate::store::panels::{self, ExpertScore, Panel};
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
    pub name_zh: Option<String>,
    pub title_type_code: Option<String>,
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
    /// the experts' scores of an item, as the reader may see them: a member their own, and
    /// the others' sealed ones once they have sealed theirs; the province the sealed ones;
    /// the school none
    pub scores: Vec<ScoreView>,
    #[schema(value_type = Option<f64>)]
    pub consensus_score: Option<Points>,
    pub consensus_met: Option<bool>,
    pub consensus_note: Option<String>,
    /// the sealed scores spread by more than 15 % of the points
    pub disagreement: bool,
}

/// One expert's score of one item.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ScoreView {
    pub expert_id: i64,
    #[schema(value_type = Option<f64>)]
    pub score: Option<Points>,
    pub met: Option<bool>,
    /// the reason for a deduction (扣分原因)
    pub comment: Option<String>,
    /// the sheet is sealed
    pub sealed: bool,
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

/// What the consensus says of an application, as the recommendation needs it.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// items without a consensus yet
    pub missing: Vec<String>,
    /// the consensus passes the standard (pass mark and veto items)
    pub pass: bool,
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

/// The evaluation of a submission the reader may see (404 when it has none), with the
/// panel's scores as far as the reader may see them.
pub fn get(conn: &mut DbConn, access: &Access, submission_id: i64) -> Result<Evaluation, AppError> {
    let detail = submissions::get(conn, access, submission_id)?;
    read(conn, access, &detail.submission)
}

/// The consensus of a submission's evaluation, for its recommendation (none without one).
pub fn verdict(conn: &mut DbConn, submission: &Submission) -> Result<Option<Verdict>, AppError> {
    let evaluation = match read(conn, &Access::store_reader(), submission) {
        Ok(evaluation) => evaluation,
        Err(AppError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    let missing = evaluation
        .criteria
        .iter()
        .filter(|c| c.criterion.leaf)
        .filter(|c| {
            if c.criterion.veto {
                c.consensus_met.is_none()
            } else {
                c.consensus_score.is_none()
            }
        })
        .map(|c| c.criterion.reference.clone())
        .collect();
    Ok(Some(Verdict {
        missing,
        pass: evaluation.outcome.as_deref() == Some("pass"),
    }))
}

/// Who reads, as far as the panel's scores go: a member of its panel, the province's
/// staff (and the operator), or the school's side.
fn reader_of(access: &Access, panel: &Panel, province: i64) -> Reader {
    if let Some(seat) = panel.members.iter().find(|m| m.user_id == access.user_id) {
        return Reader::Member {
            sealed: seat.sealed,
        };
    }
    if access.reviews_province(province) {
        Reader::Province
    } else {
        Reader::School
    }
}

/// An item's row: its number, half-points, met, note.
type ItemRow = (String, Option<i32>, Option<bool>, Option<String>);

/// What the school said of an item: score, met, note.
type Said = (Option<Points>, Option<bool>, Option<String>);

fn read(
    conn: &mut DbConn,
    access: &Access,
    submission: &Submission,
) -> Result<Evaluation, AppError> {
    let standard_id: i64 = evaluations::table
        .find(submission.id)
        .select(evaluations::standard_id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let standard = standards::get(conn, &Access::store_reader(), standard_id)?;
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
    let mut panel = panel_work(conn, access, submission, &standard)?;
    let criteria = standard
        .criteria
        .iter()
        .map(|c| {
            let (score, met, note) = said.get(&c.reference).cloned().unwrap_or_default();
            let work = panel.items.remove(&c.reference).unwrap_or_default();
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
                scores: work.scores,
                consensus_score: work.consensus.score,
                consensus_met: work.consensus.met,
                consensus_note: work.consensus.comment,
                disagreement: work.disagreement,
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
            name_zh: standard.name_zh.clone(),
            title_type_code: standard.title_type_code.clone(),
            total_points: standard.total_points,
            pass_points: standard.pass_points,
        },
        state: match state_of(submission.status) {
            EvaluationState::PanelScoring
                if panel.all_sealed || submission.status == SubmissionStatus::Recommended =>
            {
                EvaluationState::Consensus
            }
            other => other,
        },
        criteria,
        totals: Totals {
            own,
            consensus: panel.total,
            max: standard.total_points,
        },
        outcome: panel.outcome,
        outcome_reasons: panel.reasons,
        unassessed,
    })
}

/// The panel's work on one criterion, as the reader may see it.
#[derive(Default)]
struct ItemWork {
    scores: Vec<ScoreView>,
    disagreement: bool,
    /// an item's consensus; a group's sum of its items'
    consensus: ExpertScore,
}

/// The panel's work on an evaluation, as the reader may see it.
#[derive(Default)]
struct PanelWork {
    items: HashMap<String, ItemWork>,
    all_sealed: bool,
    total: Option<Points>,
    outcome: Option<String>,
    reasons: Vec<String>,
}

/// The experts' scores, the disagreements, the consensus and the outcome, each as far as
/// `domain::panel::sight` lets the reader see them.
fn panel_work(
    conn: &mut DbConn,
    access: &Access,
    submission: &Submission,
    standard: &standards::Standard,
) -> Result<PanelWork, AppError> {
    let stage = match state_of(submission.status) {
        EvaluationState::SelfAssessment => Stage::SelfAssessment,
        EvaluationState::Decided => Stage::Decided,
        _ => Stage::Panel,
    };
    if stage == Stage::SelfAssessment {
        // Nobody sees anything of a panel's before the school hands its evaluation in:
        // the draft's page (the officer's busiest) reads no panel at all.
        return Ok(PanelWork::default());
    }
    let panel = panels::panel(conn, submission.id)?;
    let province: i64 = schools::table
        .find(submission.school_id)
        .select(schools::province_id)
        .first(conn)?;
    let (seen, consensus_shown) = sight(reader_of(access, &panel, province), stage);
    let sealed: HashSet<i64> = panel
        .members
        .iter()
        .filter(|m| m.sealed)
        .map(|m| m.user_id)
        .collect();
    let shown = |expert: i64| match seen {
        ScoresSeen::None => false,
        ScoresSeen::OwnOnly => expert == access.user_id,
        ScoresSeen::OwnAndSealed => expert == access.user_id || sealed.contains(&expert),
        ScoresSeen::Sealed => sealed.contains(&expert),
    };
    let sees_sealed = matches!(seen, ScoresSeen::OwnAndSealed | ScoresSeen::Sealed);
    let sheets = if seen == ScoresSeen::None {
        HashMap::new()
    } else {
        panels::scores(conn, submission.id)?
    };
    let mut agreed = if consensus_shown {
        panels::consensus(conn, submission.id)?
    } else {
        HashMap::new()
    };
    let mut items: HashMap<String, ItemWork> = HashMap::new();
    for c in standard.criteria.iter().filter(|c| c.leaf) {
        let mut work = ItemWork::default();
        for member in &panel.members {
            let Some(score) = sheets
                .get(&member.user_id)
                .and_then(|s| s.get(&c.reference))
            else {
                continue;
            };
            if shown(member.user_id) {
                work.scores.push(ScoreView {
                    expert_id: member.user_id,
                    score: score.score,
                    met: score.met,
                    comment: score.comment.clone(),
                    sealed: member.sealed,
                });
            }
        }
        if sees_sealed {
            let final_sheets = panel
                .members
                .iter()
                .filter(|m| m.sealed)
                .filter_map(|m| sheets.get(&m.user_id)?.get(&c.reference));
            work.disagreement = if c.veto {
                split(&final_sheets.filter_map(|s| s.met).collect::<Vec<_>>())
            } else {
                let scores: Vec<Points> = final_sheets.filter_map(|s| s.score).collect();
                c.max_points
                    .is_some_and(|max| spread_too_wide(&scores, max))
            };
        }
        work.consensus = agreed.remove(&c.reference).unwrap_or_default();
        items.insert(c.reference.clone(), work);
    }
    // Groups: the sum of their items' consensus scores so far.
    let agreed_scores: BTreeMap<String, Points> = items
        .iter()
        .filter_map(|(r, w)| Some((r.clone(), w.consensus.score?)))
        .collect();
    let sums = subtotals(
        standard
            .criteria
            .iter()
            .map(|c| (c.reference.as_str(), c.parent_ref.as_deref())),
        &agreed_scores,
    );
    for c in standard.criteria.iter().filter(|c| !c.leaf) {
        let work = items.entry(c.reference.clone()).or_default();
        work.consensus.score = sums.get(&c.reference).copied();
    }
    let complete = standard.criteria.iter().filter(|c| c.leaf).all(|c| {
        items.get(&c.reference).is_some_and(|w| {
            if c.veto {
                w.consensus.met.is_some()
            } else {
                w.consensus.score.is_some()
            }
        })
    });
    let total = (consensus_shown && !agreed_scores.is_empty())
        .then(|| agreed_scores.values().copied().sum::<Points>());
    let (outcome, reasons) = if consensus_shown && complete {
        let vetoes: Vec<(String, bool)> = standard
            .criteria
            .iter()
            .filter(|c| c.leaf && c.veto)
            .map(|c| {
                let met = items.get(&c.reference).and_then(|w| w.consensus.met);
                (c.reference.clone(), met == Some(true))
            })
            .collect();
        match outcome(total.unwrap_or_default(), standard.pass_points, &vetoes) {
            Ok(()) => (Some("pass".to_owned()), Vec::new()),
            Err(shortfalls) => (
                Some("fail".to_owned()),
                shortfalls.iter().map(shortfall_text).collect(),
            ),
        }
    } else {
        (None, Vec::new())
    };
    Ok(PanelWork {
        items,
        all_sealed: panel.all_sealed,
        total,
        outcome,
        reasons,
    })
}

/// A reason for a failed evaluation, in both languages (the JSON carries no language).
fn shortfall_text(shortfall: &Shortfall) -> String {
    match shortfall {
        Shortfall::BelowPass { total, pass } => format!(
            "合议总分 {} 分，低于合格分 {} 分 (the consensus total {} is below the pass mark {})",
            total.text(),
            pass.text(),
            total.text(),
            pass.text()
        ),
        Shortfall::VetoNotMet { reference } => {
            format!("否决项 {reference} 不达标 (veto item {reference} is not met)")
        }
    }
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

/// Scores another standard (a draft only, found `changeable`): 422 `standard_id` unless the
/// reader sees it and it is for the submission's title. Earlier self-assessments are kept by item number.
pub fn choose_standard(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    submission: &Submission,
    standard_id: i64,
    now: PrimitiveDateTime,
) -> Result<Evaluation, AppError> {
    if submission.status != SubmissionStatus::Draft {
        return Err(AppError::conflict_of(Msg::EvaluationLocked {
            status: submission.status.as_str().to_owned(),
        }));
    }
    let title_type = title_type_of(conn, submission)?
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
    read(conn, access, submission)
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
    said: Result<SelfAssessment, AppError>,
    now: PrimitiveDateTime,
) -> Result<Evaluation, AppError> {
    let before = read(conn, access, submission)?;
    let criterion = before
        .criteria
        .iter()
        .find(|c| c.criterion.reference == reference)
        .ok_or(AppError::NotFound)?
        .clone();
    // The item first: what was said is judged once it is known to be there.
    let said = &said?;
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
    let after = read(conn, access, submission)?;
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
    match read(conn, &Access::store_reader(), submission) {
        Ok(evaluation) => Ok(evaluation.unassessed),
        Err(AppError::NotFound) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

//! The evaluation of a title application or re-evaluation: read by the submission's
//! readers; the standard chosen and each item self-assessed by the school's quality officer
//! while the submission is theirs to change.

use std::collections::HashMap;

use serde::Deserialize;
use time::{Date, PrimitiveDateTime};

use crate::app::input::Input;
use crate::app::schools::nullable;
use crate::db::DbConn;
use crate::domain::access::Access;
use crate::domain::standard::Points;
use crate::domain::text;
use crate::error::{AppError, Validator};
use crate::report::evaluation::Gathered;
use crate::store::evaluations::{self, Evaluation, SelfAssessment};
use crate::store::{provinces, schools, submissions};

/// `{standard_id}`: the standard to score the draft against.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChooseStandardInput {
    pub standard_id: i64,
}

/// The school's word on one item; what is left out stays as it was, `null` clears it.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfAssessmentInput {
    /// a scored item's score: steps of 0.5, up to its points
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 10000, multiple_of = 0.5)]
    pub self_score: Option<Option<f64>>,
    /// a veto item: met or not
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<bool>)]
    pub self_met: Option<Option<bool>>,
    /// why points were deducted (扣分原因), or a note
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    pub self_note: Option<Option<String>>,
    /// evidence files of this submission (any round) that support the item
    pub evidence_ids: Option<Vec<i64>>,
}

impl SelfAssessmentInput {
    fn validate(&self) -> Result<SelfAssessment, AppError> {
        let mut v = Validator::new();
        let score = match self.self_score {
            None => None,
            Some(None) => Some(None),
            Some(Some(raw)) => v.check("self_score", Points::parse(raw)).map(Some),
        };
        let note = match &self.self_note {
            None => None,
            Some(None) => Some(None),
            Some(Some(raw)) => v.check("self_note", text::optional(Some(raw), text::LONG)),
        };
        v.finish()?;
        Ok(SelfAssessment {
            score,
            met: self.self_met,
            note,
            evidence_ids: self.evidence_ids.clone(),
        })
    }
}

/// The evaluation of a submission (404 when the reader may not see it, or it has none).
pub fn get(conn: &mut DbConn, access: &Access, submission_id: i64) -> Result<Evaluation, AppError> {
    evaluations::get(conn, access, submission_id)
}

/// Scores a draft against another standard.
pub fn choose_standard(
    conn: &mut DbConn,
    access: &Access,
    submission_id: i64,
    input: &impl Input<ChooseStandardInput>,
    now: PrimitiveDateTime,
) -> Result<Evaluation, AppError> {
    super::write(conn, access, |conn, journal| {
        let submission = evaluations::changeable(conn, access, submission_id)?;
        let standard_id = input.read()?.standard_id;
        evaluations::choose_standard(conn, journal, access, &submission, standard_id, now)
    })
}

/// The school's self-assessment of one item. Who may and whether the submission may change
/// are asked before the input is judged.
pub fn self_assess(
    conn: &mut DbConn,
    access: &Access,
    submission_id: i64,
    reference: &str,
    input: &impl Input<SelfAssessmentInput>,
    now: PrimitiveDateTime,
) -> Result<Evaluation, AppError> {
    super::write(conn, access, |conn, journal| {
        let submission = evaluations::changeable(conn, access, submission_id)?;
        let said = input.read().and_then(|i| i.validate());
        evaluations::self_assess(conn, journal, access, &submission, reference, said, now)
    })
}

/// The names of a submission's evidence files, by id.
fn evidence_names(
    conn: &mut DbConn,
    access: &Access,
    submission_id: i64,
) -> Result<HashMap<i64, String>, AppError> {
    Ok(submissions::get(conn, access, submission_id)?
        .evidence
        .into_iter()
        .map(|e| (e.id, e.filename))
        .collect())
}

/// What the self-evaluation report is made of: the school, its province, the submission,
/// the evaluation and the evidence's names (readers of the submission).
pub fn report(
    conn: &mut DbConn,
    access: &Access,
    submission_id: i64,
    today: Date,
) -> Result<Gathered, AppError> {
    let evaluation = evaluations::get(conn, access, submission_id)?;
    let detail = submissions::get(conn, access, submission_id)?;
    let school = schools::get(conn, access, detail.submission.school_id)?;
    let province = provinces::get(conn, school.province_id)?;
    let panel = crate::store::panels::panel(conn, submission_id)?;
    let mut visits = Vec::new();
    for visit in crate::store::audits::site_visits_of(conn, access, submission_id)? {
        let found = crate::store::findings::list_for_audit(conn, access, visit.id)?;
        visits.push((visit, found));
    }
    let evidence = detail
        .evidence
        .into_iter()
        .map(|e| (e.id, e.filename))
        .collect();
    Ok(Gathered {
        school,
        province,
        submission: detail.submission,
        evaluation,
        evidence,
        panel,
        visits,
        today,
    })
}

/// The score sheet as bureaus print it: one row per criterion (groups with the subtotal of
/// their items), the points, the school's score (自评分), its notes (扣分原因) and the
/// evidence named, a column for the province's score (省评分), and the totals.
pub fn score_sheet(
    conn: &mut DbConn,
    access: &Access,
    submission_id: i64,
) -> Result<(Vec<u8>, String), AppError> {
    use crate::sheets::{Cell, Table};
    let evaluation = evaluations::get(conn, access, submission_id)?;
    let names = evidence_names(conn, access, submission_id)?;
    // The experts whose scores the reader may see, in the panel's order.
    let panel = crate::store::panels::panel(conn, submission_id)?;
    let experts: Vec<(i64, String)> = panel
        .members
        .iter()
        .filter(|m| {
            evaluation
                .criteria
                .iter()
                .any(|c| c.scores.iter().any(|s| s.expert_id == m.user_id))
        })
        .map(|m| (m.user_id, m.name.clone()))
        .collect();
    let mut header: Vec<String> = [
        "编号 Ref",
        "评估项目 Criterion",
        "分值 Points",
        "自评分 Self score",
        "扣分原因 Notes",
        "证明材料 Evidence",
    ]
    .iter()
    .map(|h| (*h).to_owned())
    .collect();
    header.extend(
        experts
            .iter()
            .map(|(_, name)| format!("专家评分 Expert score: {name}")),
    );
    header.push("合议分（省评分）Consensus (province score)".to_owned());
    header.push("合议说明 Consensus note".to_owned());
    let mut table = Table::new(header);
    let met_cell = |met: Option<bool>| {
        Cell::from(match met {
            Some(true) => "达标 met",
            Some(false) => "不达标 not met",
            None => "",
        })
    };
    for c in &evaluation.criteria {
        let indent = "　".repeat(c.criterion.depth as usize);
        let name = match &c.criterion.name_zh {
            Some(zh) => format!("{indent}{zh} {}", c.criterion.name),
            None => format!("{indent}{}", c.criterion.name),
        };
        let (points, own) = if c.criterion.veto {
            (
                Cell::from("否决项 veto"),
                Cell::from(match c.self_met {
                    Some(true) => "达标 met",
                    Some(false) => "不达标 not met",
                    None => "",
                }),
            )
        } else {
            (
                c.criterion
                    .max_points
                    .map_or(Cell::Empty, |p| Cell::Number(p.value())),
                c.self_score
                    .map_or(Cell::Empty, |p| Cell::Number(p.value())),
            )
        };
        let evidence: Vec<&str> = c
            .evidence_ids
            .iter()
            .filter_map(|id| names.get(id).map(String::as_str))
            .collect();
        let mut row = vec![
            Cell::from(c.criterion.reference.clone()),
            Cell::from(name),
            points,
            own,
            Cell::from(c.self_note.clone()),
            Cell::from(evidence.join("、")),
        ];
        for (expert, _) in &experts {
            let said = c.scores.iter().find(|s| s.expert_id == *expert);
            row.push(match said {
                None => Cell::Empty,
                Some(s) if c.criterion.veto => met_cell(s.met),
                Some(s) => s.score.map_or(Cell::Empty, |p| Cell::Number(p.value())),
            });
        }
        row.push(if c.criterion.veto {
            met_cell(c.consensus_met)
        } else {
            c.consensus_score
                .map_or(Cell::Empty, |p| Cell::Number(p.value()))
        });
        row.push(Cell::from(c.consensus_note.clone()));
        table.rows.push(row);
    }
    let mut total = vec![
        Cell::Empty,
        Cell::from("合计 Total"),
        Cell::Number(evaluation.totals.max.value()),
        Cell::Number(evaluation.totals.own.value()),
        Cell::Empty,
        Cell::Empty,
    ];
    for (expert, _) in &experts {
        let sum: Points = evaluation
            .criteria
            .iter()
            .filter(|c| c.criterion.leaf && !c.criterion.veto)
            .filter_map(|c| c.scores.iter().find(|s| s.expert_id == *expert)?.score)
            .sum();
        total.push(Cell::Number(sum.value()));
    }
    total.push(
        evaluation
            .totals
            .consensus
            .map_or(Cell::Empty, |p| Cell::Number(p.value())),
    );
    total.push(Cell::Empty);
    table.rows.push(total);
    let bytes = crate::sheets::xlsx(&table, "评分表 Score sheet")
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok((bytes, format!("score-sheet-{submission_id}.xlsx")))
}

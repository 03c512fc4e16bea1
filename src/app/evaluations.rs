//! The evaluation of a title application or re-evaluation: read by the submission's
//! readers; the standard chosen and each item self-assessed by the school's quality officer
//! while the submission is theirs to change.

use std::collections::HashMap;

use serde::Deserialize;
use time::{Date, PrimitiveDateTime};

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
    input: &ChooseStandardInput,
    now: PrimitiveDateTime,
) -> Result<Evaluation, AppError> {
    super::write(conn, |conn, journal| {
        evaluations::choose_standard(conn, journal, access, submission_id, input.standard_id, now)
    })
}

/// The school's self-assessment of one item. Who may and whether the submission may change
/// are asked before the input is judged.
pub fn self_assess(
    conn: &mut DbConn,
    access: &Access,
    submission_id: i64,
    reference: &str,
    input: &SelfAssessmentInput,
    now: PrimitiveDateTime,
) -> Result<Evaluation, AppError> {
    super::write(conn, |conn, journal| {
        let submission = evaluations::changeable(conn, access, submission_id)?;
        let said = input.validate()?;
        evaluations::self_assess(conn, journal, access, &submission, reference, &said, now)
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
    let mut table = Table::new([
        "编号 Ref",
        "评估项目 Criterion",
        "分值 Points",
        "自评分 Self score",
        "扣分原因 Notes",
        "证明材料 Evidence",
        "省评分 Province score",
    ]);
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
        table.rows.push(vec![
            Cell::from(c.criterion.reference.clone()),
            Cell::from(name),
            points,
            own,
            Cell::from(c.self_note.clone()),
            Cell::from(evidence.join("、")),
            c.consensus_score
                .map_or(Cell::Empty, |p| Cell::Number(p.value())),
        ]);
    }
    table.rows.push(vec![
        Cell::Empty,
        Cell::from("合计 Total"),
        Cell::Number(evaluation.totals.max.value()),
        Cell::Number(evaluation.totals.own.value()),
        Cell::Empty,
        Cell::Empty,
        evaluation
            .totals
            .consensus
            .map_or(Cell::Empty, |p| Cell::Number(p.value())),
    ]);
    let bytes = crate::sheets::xlsx(&table, "评分表 Score sheet")
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok((bytes, format!("score-sheet-{submission_id}.xlsx")))
}

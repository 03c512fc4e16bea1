//! Synthetic evaluations: one national standard for the National Key Technical School (six
//! groups, thirty items, two of them veto items, 100 points) and, for a share of the open
//! applications and re-evaluations of that title, the school's self-evaluation against it.
//! Drawn from a random stream of their own, so that the rest of the data set of a seed is
//! what it was before evaluations existed.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use super::{Batch, Generator, Rng, V, take};
use crate::db::DbConn;
use crate::db::schema::title_types;

/// The title the synthetic standard scores.
const TITLE: &str = "national_key_technical_school";
/// Experts on each panel.
const PANEL: usize = 5;
/// Of the open submissions for that title, the share (percent) that carries an evaluation
/// (the first always does, so that even a small data set has one): a few hundred in the
/// national data.
const SHARE: u64 = 40;

/// (English, Chinese) of each group; each has five items.
const GROUPS: [(&str, &str); 6] = [
    ("Conditions for running the school", "办学条件"),
    ("Teaching staff", "师资队伍"),
    ("Teaching and training", "教学与实训"),
    ("Quality management", "质量管理"),
    ("Social service", "社会服务"),
    ("Results and reputation", "办学成效"),
];

const NOTES: [&str; 4] = [
    "部分佐证材料不全，扣分",
    "指标略低于标准要求",
    "实训工位数不足，扣分",
    "未提供近三年完整记录",
];

/// An item of the synthetic standard: its number, half-points (none for a veto item).
pub(super) struct Item {
    reference: String,
    halves: Option<i64>,
}

/// The synthetic standard: its id, the title type it scores, its items.
pub(super) struct SynthStandard {
    id: i64,
    title_type: i64,
    items: Vec<Item>,
}

/// The rows evaluations take.
pub(super) struct EvaluationTables {
    pub standards: Batch,
    pub standard_criteria: Batch,
    pub evaluations: Batch,
    pub evaluation_items: Batch,
    pub panel_members: Batch,
    pub expert_scores: Batch,
    pub consensus_scores: Batch,
}

impl EvaluationTables {
    pub fn new(pg: bool) -> EvaluationTables {
        EvaluationTables {
            standards: Batch::new(
                pg,
                "standards",
                "id, code, version, name, name_zh, province_id, title_type_id, total_half_points, pass_half_points, created_by, created_at",
                true,
            ),
            standard_criteria: Batch::new(
                pg,
                "standard_criteria",
                "standard_id, position, ref, parent_ref, name, name_zh, max_half_points, veto, guidance, evidence_expected",
                false,
            ),
            evaluations: Batch::new(
                pg,
                "evaluations",
                "submission_id, standard_id, version, created_at, updated_at",
                false,
            ),
            evaluation_items: Batch::new(
                pg,
                "evaluation_items",
                "submission_id, ref, self_half_points, self_met, self_note, updated_by, updated_at",
                false,
            ),
            panel_members: Batch::new(
                pg,
                "panel_members",
                "submission_id, user_id, lead, position, sealed_at, added_at",
                false,
            ),
            expert_scores: Batch::new(
                pg,
                "expert_scores",
                "submission_id, user_id, ref, half_points, met, comment, updated_at",
                false,
            ),
            consensus_scores: Batch::new(
                pg,
                "consensus_scores",
                "submission_id, ref, half_points, met, note, set_by, updated_at",
                false,
            ),
        }
    }
}

impl Generator {
    /// Writes the synthetic standard, if the catalogue has its title.
    pub(super) fn standard(&mut self, conn: &mut DbConn) -> anyhow::Result<()> {
        let Some(title_type) = title_types::table
            .filter(title_types::code.eq(TITLE))
            .select(title_types::id)
            .first::<i64>(conn)
            .optional()?
        else {
            return Ok(());
        };
        let id = take(&mut self.ids.standard);
        let mut items = Vec::new();
        let mut position = 0;
        let mut total = 0;
        let rows = &mut self.tables.evaluation.standard_criteria;
        for (g, (en, zh)) in GROUPS.iter().enumerate() {
            let group = (g + 1).to_string();
            // Groups 2 and 5 end with a veto item; the others have five scored items.
            let veto_last = g == 1 || g == 4;
            let mut sum = 0;
            let mut children = Vec::new();
            for k in 1..=5 {
                let veto = veto_last && k == 5;
                let halves = (!veto).then_some(if k % 2 == 1 { 8 } else { 6 });
                sum += halves.unwrap_or(0);
                children.push((format!("{group}.{k}"), halves, veto));
            }
            total += sum;
            rows.row(&[
                V::Int(id),
                V::Int(position),
                V::Text(&group),
                V::Null,
                V::Text(en),
                V::Text(zh),
                V::Int(sum),
                V::Bool(false),
                V::Null,
                V::Null,
            ]);
            position += 1;
            for (reference, halves, veto) in children {
                let (name, name_zh) = if veto {
                    (
                        format!("{en}: no serious violation"),
                        format!("{zh}：无重大违规"),
                    )
                } else {
                    (
                        format!("{en}: indicator {reference}"),
                        format!("{zh}：指标 {reference}"),
                    )
                };
                rows.row(&[
                    V::Int(id),
                    V::Int(position),
                    V::Text(&reference),
                    V::Text(&group),
                    V::Text(&name),
                    V::Text(&name_zh),
                    halves.map_or(V::Null, V::Int),
                    V::Bool(veto),
                    V::Text("按评估细则逐项核查，不达标的按比例扣分"),
                    V::Text("相关文件、台账及统计表"),
                ]);
                position += 1;
                items.push(Item { reference, halves });
            }
        }
        self.tables.evaluation.standards.row(&[
            V::Int(id),
            V::Text("nkts_synth"),
            V::Int(1),
            V::Text("National Key Technical School evaluation standard (synthetic)"),
            V::Text("国家重点技工学校评估标准（合成数据）"),
            V::Null,
            V::Int(title_type),
            V::Int(total),
            V::Int(total * 85 / 100),
            V::Null,
            V::Ts(self.now),
        ]);
        self.standard = Some(SynthStandard {
            id,
            title_type,
            items,
        });
        Ok(())
    }

    /// The evaluation of a new submission for `title_type` in `status`, for a share of the
    /// open ones: every item self-assessed once handed in, about half of them in a draft.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn evaluation(
        &mut self,
        submission: i64,
        province: usize,
        title_type: Option<i64>,
        status: &str,
        officer: i64,
        created: PrimitiveDateTime,
    ) {
        let Some(standard) = &self.standard else {
            return;
        };
        let open = matches!(
            status,
            "draft" | "submitted" | "recommended" | "changes_requested"
        );
        if title_type != Some(standard.title_type) || !open {
            return;
        }
        let first = self.tables.evaluation.evaluations.count == 0
            && self.tables.evaluation.evaluations.written == 0;
        if !self.eval_rng.chance(SHARE) && !first {
            return;
        }
        let tables = &mut self.tables.evaluation;
        tables.evaluations.row(&[
            V::Int(submission),
            V::Int(standard.id),
            V::Int(1),
            V::Ts(created),
            V::Ts(created),
        ]);
        let rng: &mut Rng = &mut self.eval_rng;
        for item in &standard.items {
            if status == "draft" && rng.chance(50) {
                continue;
            }
            let (score, met, note) = match item.halves {
                None => (V::Null, V::Bool(rng.chance(97)), None),
                Some(max) => {
                    let off = if rng.chance(30) { rng.range(1, 4) } else { 0 };
                    let note = (off > 0).then(|| *rng.pick(&NOTES));
                    (V::Int((max - off).max(0)), V::Null, note)
                }
            };
            tables.evaluation_items.row(&[
                V::Int(submission),
                V::Text(&item.reference),
                score,
                met,
                V::opt_text(note),
                V::Int(officer),
                V::Ts(created),
            ]);
        }
        if matches!(status, "submitted" | "recommended") {
            self.panel(submission, province, status == "recommended", created);
        }
    }

    /// A panel of five of the province's experts for a submission with the province: each
    /// member's sheet of every item (sealed by all when recommended, by some while
    /// submitted), and, when recommended, the lead's consensus at the median.
    fn panel(
        &mut self,
        submission: i64,
        province: usize,
        agreed: bool,
        created: PrimitiveDateTime,
    ) {
        let Some(standard) = &self.standard else {
            return;
        };
        let pool = &self.experts[province];
        let rng: &mut Rng = &mut self.eval_rng;
        let first = rng.below(pool.len() as u64) as usize;
        let members: Vec<i64> = (0..PANEL).map(|k| pool[(first + k) % pool.len()]).collect();
        let tables = &mut self.tables.evaluation;
        let scored_at = created + time::Duration::days(3);
        let mut sheets: Vec<Vec<i64>> = vec![Vec::new(); standard.items.len()];
        for (position, member) in members.iter().enumerate() {
            let sealed = agreed || rng.chance(60);
            tables.panel_members.row(&[
                V::Int(submission),
                V::Int(*member),
                V::Bool(position == 0),
                V::Int(position as i64),
                if sealed { V::Ts(scored_at) } else { V::Null },
                V::Ts(created + time::Duration::days(1)),
            ]);
            for (i, item) in standard.items.iter().enumerate() {
                let (score, met, comment) = match item.halves {
                    None => (V::Null, V::Bool(true), None),
                    Some(max) => {
                        let off = if rng.chance(25) { rng.range(1, 2) } else { 0 };
                        sheets[i].push(max - off);
                        let comment = (off > 0).then(|| *rng.pick(&NOTES));
                        (V::Int(max - off), V::Null, comment)
                    }
                };
                tables.expert_scores.row(&[
                    V::Int(submission),
                    V::Int(*member),
                    V::Text(&item.reference),
                    score,
                    met,
                    V::opt_text(comment),
                    V::Ts(scored_at),
                ]);
            }
        }
        if !agreed {
            return;
        }
        for (i, item) in standard.items.iter().enumerate() {
            let (score, met) = match item.halves {
                None => (V::Null, V::Bool(true)),
                Some(_) => {
                    let mut scores = sheets[i].clone();
                    scores.sort_unstable();
                    (V::Int(scores[scores.len() / 2]), V::Null)
                }
            };
            tables.consensus_scores.row(&[
                V::Int(submission),
                V::Text(&item.reference),
                score,
                met,
                V::Null,
                V::Int(members[0]),
                V::Ts(scored_at),
            ]);
        }
    }

    /// One public notice a province, open today, of its recommended applications whose
    /// panel agreed (their consensus passes: the synthetic experts deduct little).
    pub(super) fn notices(&mut self, conn: &mut DbConn) -> anyhow::Result<()> {
        use diesel::connection::SimpleConnection;
        // PostgreSQL types a literal in `INSERT … SELECT` as text: say which it is.
        let (date, timestamp) = if matches!(conn, DbConn::Pg(_)) {
            ("::date", "::timestamp")
        } else {
            ("", "")
        };
        let (opens, closes) = (
            self.today - time::Duration::days(2),
            self.today + time::Duration::days(4),
        );
        conn.batch_execute(&format!(
            "INSERT INTO notices (province_id, title, body, opens_on, closes_on, created_at)
             SELECT DISTINCT sc.province_id, '国家重点技工学校评估结果公示（合成数据）', NULL,
             '{opens}'{date}, '{closes}'{date}, '{now} 09:00:00'{timestamp}
             FROM consensus_scores c JOIN submissions s ON s.id = c.submission_id
             JOIN schools sc ON sc.id = s.school_id WHERE s.status = 'recommended';
             INSERT INTO notice_entries (notice_id, submission_id, position, school_id,
             school_name, title_type_code, consensus_half_points, outcome)
             SELECT n.id, s.id, s.id, s.school_id, COALESCE(sc.name_zh, sc.name),
             '{TITLE}', (SELECT SUM(c.half_points) FROM consensus_scores c
             WHERE c.submission_id = s.id), 'pass'
             FROM submissions s JOIN schools sc ON sc.id = s.school_id
             JOIN notices n ON n.province_id = sc.province_id
             WHERE s.status = 'recommended' AND EXISTS
             (SELECT 1 FROM consensus_scores c WHERE c.submission_id = s.id);",
            now = self.now.date(),
        ))?;
        Ok(())
    }
}

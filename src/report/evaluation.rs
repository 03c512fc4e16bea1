//! The self-evaluation report (自评报告) of a title application or re-evaluation as people
//! read and sign it: the school's profile, the standard and the application, the result,
//! then each top-level group with its items (points, the school's score or met / not met,
//! the notes and the evidence named), and lines for the signatures. Laid out as DOCX by
//! `report::docx`, in the reader's language.

use std::collections::HashMap;

use time::Date;

use super::{Block, Cover, Fact, ReportView, Row, Section, fill};
use crate::domain::lang::Lang;
use crate::domain::standard::Points;
use crate::i18n::t;
use crate::store::audits::Audit;
use crate::store::evaluations::{EvaluatedCriterion, Evaluation};
use crate::store::findings::Finding;
use crate::store::panels::Panel;
use crate::store::provinces::Province;
use crate::store::schools::School;
use crate::store::submissions::Submission;

/// What the report is made of, gathered from the record.
pub struct Gathered {
    pub school: School,
    pub province: Province,
    pub submission: Submission,
    pub evaluation: Evaluation,
    /// the submission's evidence files by id: their names
    pub evidence: HashMap<i64, String>,
    /// the expert panel (no members before one is formed)
    pub panel: Panel,
    /// the site visits and their findings
    pub visits: Vec<(Audit, Vec<Finding>)>,
    pub today: Date,
}

impl Gathered {
    /// Once the reader may see the panel's consensus, the document is the panel's report
    /// (专家组评估意见); before, the school's self-evaluation report.
    fn panel_report(&self) -> bool {
        !self.panel.members.is_empty() && self.evaluation.totals.consensus.is_some()
    }
}

/// A name in the reader's language, and the other one if there is one.
fn names(lang: Lang, name: &str, name_zh: Option<&str>) -> (String, Option<String>) {
    match (lang, name_zh) {
        (Lang::ZhCn, Some(zh)) => (zh.to_owned(), Some(name.to_owned())),
        (Lang::En, Some(zh)) => (name.to_owned(), Some(zh.to_owned())),
        (_, None) => (name.to_owned(), None),
    }
}

fn fact(label: &str, value: String) -> Fact {
    Fact {
        label: label.to_owned(),
        value,
    }
}

fn profile(g: &Gathered, lang: Lang, name: &str, other: Option<&str>, province: &str) -> Section {
    let mut pairs = vec![fact(t(lang, "field_name"), name.to_owned())];
    if let Some(other) = other {
        pairs.push(fact(t(lang, "field_name_other"), other.to_owned()));
    }
    pairs.push(fact(t(lang, "field_province"), province.to_owned()));
    pairs.push(fact(t(lang, "field_city"), g.school.city.clone()));
    pairs.push(fact(
        t(lang, "field_kind"),
        t(lang, &format!("kind_{}", g.school.kind)).to_owned(),
    ));
    if let Some(founded) = g.school.founded_year {
        pairs.push(fact(t(lang, "report_founded"), founded.to_string()));
    }
    Section {
        heading: t(lang, "er_s_profile").to_owned(),
        blocks: vec![Block::Facts { pairs }],
    }
}

fn application(g: &Gathered, lang: Lang) -> Section {
    let standard = &g.evaluation.standard;
    let (standard_name, _) = names(lang, &standard.name, standard.name_zh.as_deref());
    let submitted = g.submission.submitted_at.map_or_else(
        || t(lang, "er_not_submitted").to_owned(),
        |at| at.date().to_string(),
    );
    let pairs = vec![
        fact(t(lang, "er_application"), g.submission.title.clone()),
        fact(
            t(lang, "field_kind"),
            t(lang, &format!("submission_kind_{}", g.submission.kind)).to_owned(),
        ),
        fact(
            t(lang, "field_status"),
            t(lang, &format!("sub_status_{}", g.submission.status)).to_owned(),
        ),
        fact(t(lang, "er_submitted_on"), submitted),
        fact(t(lang, "standard_name"), standard_name),
        fact(
            t(lang, "standard_version"),
            fill(
                t(lang, "er_code_version"),
                &[
                    ("code", standard.code.clone()),
                    ("version", standard.version.to_string()),
                ],
            ),
        ),
        fact(t(lang, "standard_total"), standard.total_points.text()),
        fact(t(lang, "standard_pass"), standard.pass_points.text()),
    ];
    Section {
        heading: t(lang, "er_s_application").to_owned(),
        blocks: vec![Block::Facts { pairs }],
    }
}

fn met_word(lang: Lang, met: Option<bool>) -> String {
    match met {
        Some(true) => t(lang, "eval_met").to_owned(),
        Some(false) => t(lang, "eval_not_met").to_owned(),
        None => "—".to_owned(),
    }
}

/// The veto items as judged (by the school, or by the panel's consensus): those not met
/// marked.
fn veto_table(
    vetoes: &[&EvaluatedCriterion],
    lang: Lang,
    judged_by: &str,
    met: impl Fn(&EvaluatedCriterion) -> Option<bool>,
) -> Block {
    Block::Table {
        header: vec![
            t(lang, "standard_ref").to_owned(),
            t(lang, "standard_veto").to_owned(),
            t(lang, judged_by).to_owned(),
        ],
        rows: vetoes
            .iter()
            .map(|c| Row {
                cells: vec![
                    c.criterion.reference.clone(),
                    names(lang, &c.criterion.name, c.criterion.name_zh.as_deref()).0,
                    met_word(lang, met(c)),
                ],
                marked: met(c) != Some(true),
            })
            .collect(),
        numeric: vec![false; 3],
    }
}

fn result(g: &Gathered, lang: Lang) -> Section {
    let e = &g.evaluation;
    let vetoes: Vec<&EvaluatedCriterion> = e.criteria.iter().filter(|c| c.criterion.veto).collect();
    let mut blocks = vec![Block::Paragraph {
        text: fill(
            t(lang, "er_result_total"),
            &[
                ("score", e.totals.own.text()),
                ("max", e.totals.max.text()),
                ("pass", e.standard.pass_points.text()),
            ],
        ),
    }];
    if !vetoes.is_empty() {
        blocks.push(veto_table(&vetoes, lang, "er_self_judgement", |c| {
            c.self_met
        }));
    }
    blocks.push(Block::Paragraph {
        text: if e.unassessed.is_empty() {
            t(lang, "er_all_assessed").to_owned()
        } else {
            fill(
                t(lang, "er_unassessed"),
                &[("refs", e.unassessed.join(t(lang, "list_separator")))],
            )
        },
    });
    Section {
        heading: t(lang, "er_s_result").to_owned(),
        blocks,
    }
}

/// One row of a group's table.
fn item_row(c: &EvaluatedCriterion, g: &Gathered, lang: Lang, base_depth: u32) -> Row {
    let indent = "　".repeat(c.criterion.depth.saturating_sub(base_depth) as usize);
    let name = names(lang, &c.criterion.name, c.criterion.name_zh.as_deref()).0;
    let (points, score) = if c.criterion.veto {
        (
            t(lang, "standard_veto").to_owned(),
            met_word(lang, c.self_met),
        )
    } else {
        (
            c.criterion.max_points.map(Points::text).unwrap_or_default(),
            c.self_score.map_or_else(|| "—".to_owned(), Points::text),
        )
    };
    let evidence: Vec<&str> = c
        .evidence_ids
        .iter()
        .filter_map(|id| g.evidence.get(id).map(String::as_str))
        .collect();
    let short = c.criterion.leaf
        && if c.criterion.veto {
            c.self_met != Some(true)
        } else {
            c.self_score != c.criterion.max_points
        };
    Row {
        cells: vec![
            c.criterion.reference.clone(),
            format!("{indent}{name}"),
            points,
            score,
            c.self_note.clone().unwrap_or_default(),
            evidence.join(t(lang, "list_separator")),
        ],
        marked: short,
    }
}

/// One row of a group's table in the panel's report: points, the school's score, the
/// consensus, and the reasons for deductions (the consensus note, and the experts' reasons
/// where the reader may see them).
fn consensus_row(c: &EvaluatedCriterion, lang: Lang, base_depth: u32) -> Row {
    let indent = "　".repeat(c.criterion.depth.saturating_sub(base_depth) as usize);
    let name = names(lang, &c.criterion.name, c.criterion.name_zh.as_deref()).0;
    let (points, own, agreed) = if c.criterion.veto {
        (
            t(lang, "standard_veto").to_owned(),
            met_word(lang, c.self_met),
            met_word(lang, c.consensus_met),
        )
    } else {
        (
            c.criterion.max_points.map(Points::text).unwrap_or_default(),
            c.self_score.map_or_else(|| "—".to_owned(), Points::text),
            c.consensus_score
                .map_or_else(|| "—".to_owned(), Points::text),
        )
    };
    let mut reasons: Vec<String> = c.consensus_note.iter().cloned().collect();
    reasons.extend(c.scores.iter().filter_map(|s| s.comment.clone()));
    reasons.dedup();
    let short = c.criterion.leaf
        && if c.criterion.veto {
            c.consensus_met != Some(true)
        } else {
            c.consensus_score != c.criterion.max_points
        };
    Row {
        cells: vec![
            c.criterion.reference.clone(),
            format!("{indent}{name}"),
            points,
            own,
            agreed,
            reasons.join(t(lang, "list_separator")),
        ],
        marked: short,
    }
}

/// A section for each top-level criterion: a group with its items, or an item alone.
fn groups(g: &Gathered, lang: Lang) -> Vec<Section> {
    let panel = g.panel_report();
    let header: Vec<String> = if panel {
        [
            "standard_ref",
            "standard_criterion",
            "standard_points",
            "eval_score",
            "consensus_title",
            "er_deductions",
        ]
    } else {
        [
            "standard_ref",
            "standard_criterion",
            "standard_points",
            "eval_score",
            "eval_note",
            "eval_evidence",
        ]
    }
    .iter()
    .map(|k| t(lang, k).to_owned())
    .collect();
    let criteria = &g.evaluation.criteria;
    let mut sections = Vec::new();
    let mut i = 0;
    while i < criteria.len() {
        let top = &criteria[i];
        let mut end = i + 1;
        while end < criteria.len() && criteria[end].criterion.depth > top.criterion.depth {
            end += 1;
        }
        let name = names(lang, &top.criterion.name, top.criterion.name_zh.as_deref()).0;
        let (template, score) = if panel {
            ("er_group_consensus", top.consensus_score)
        } else {
            ("er_group_heading", top.self_score)
        };
        let heading = match (top.criterion.veto, top.criterion.max_points) {
            (false, Some(max)) => fill(
                t(lang, template),
                &[
                    ("ref", top.criterion.reference.clone()),
                    ("name", name),
                    ("score", score.map_or_else(|| "0".to_owned(), Points::text)),
                    ("max", max.text()),
                ],
            ),
            _ => format!("{} {name}", top.criterion.reference),
        };
        let rows: Vec<Row> = criteria[i..end]
            .iter()
            .filter(|c| c.criterion.leaf || c.criterion.depth > top.criterion.depth)
            .map(|c| {
                if panel {
                    consensus_row(c, lang, top.criterion.depth + 1)
                } else {
                    item_row(c, g, lang, top.criterion.depth + 1)
                }
            })
            .collect();
        let blocks = vec![Block::Table {
            header: header.clone(),
            rows,
            numeric: vec![false, false, true, true, false, false],
        }];
        sections.push(Section { heading, blocks });
        i = end;
    }
    sections
}

/// The panel: its lead and members, and when each sealed their sheet.
fn panel_section(g: &Gathered, lang: Lang) -> Section {
    let rows = g
        .panel
        .members
        .iter()
        .map(|m| Row {
            cells: vec![
                m.name.clone(),
                t(lang, if m.lead { "panel_lead" } else { "panel_member" }).to_owned(),
                t(lang, &format!("role_{}", m.role)).to_owned(),
                m.sealed_at
                    .map(|at| at.date().to_string())
                    .unwrap_or_else(|| t(lang, "panel_open").to_owned()),
            ],
            marked: false,
        })
        .collect();
    Section {
        heading: t(lang, "er_s_panel").to_owned(),
        blocks: vec![Block::Table {
            header: ["er_col_name", "er_col_seat", "er_col_role", "panel_sealed"]
                .iter()
                .map(|k| t(lang, k).to_owned())
                .collect(),
            rows,
            numeric: vec![false; 4],
        }],
    }
}

/// The site visits: when, their scope, and each finding.
fn visits_section(g: &Gathered, lang: Lang) -> Section {
    let mut blocks = Vec::new();
    if g.visits.is_empty() {
        blocks.push(Block::Paragraph {
            text: t(lang, "er_no_visit").to_owned(),
        });
    }
    for (visit, found) in &g.visits {
        let dates = match visit.ended_on {
            Some(end) if end != visit.started_on => format!("{} – {end}", visit.started_on),
            _ => visit.started_on.to_string(),
        };
        let mut pairs = vec![fact(t(lang, "er_visit_dates"), dates)];
        if let Some(scope) = &visit.scope {
            pairs.push(fact(t(lang, "er_visit_scope"), scope.clone()));
        }
        blocks.push(Block::Facts { pairs });
        if !found.is_empty() {
            blocks.push(Block::Table {
                header: [
                    "er_col_clause",
                    "er_col_grade",
                    "er_col_finding",
                    "er_col_due",
                ]
                .iter()
                .map(|k| t(lang, k).to_owned())
                .collect(),
                rows: found
                    .iter()
                    .map(|f| Row {
                        cells: vec![
                            f.clause.clone(),
                            t(lang, &format!("grade_{}", f.grade)).to_owned(),
                            f.description.clone(),
                            f.due_on.map(|d| d.to_string()).unwrap_or_default(),
                        ],
                        marked: false,
                    })
                    .collect(),
                numeric: vec![false; 4],
            });
        }
    }
    Section {
        heading: t(lang, "er_s_visit").to_owned(),
        blocks,
    }
}

/// The panel's conclusion: the consensus total against the pass mark, the veto items as
/// agreed, and the outcome with its reasons.
fn conclusion(g: &Gathered, lang: Lang) -> Section {
    let e = &g.evaluation;
    let mut blocks = vec![Block::Paragraph {
        text: fill(
            t(lang, "er_consensus_total"),
            &[
                (
                    "score",
                    e.totals.consensus.map(Points::text).unwrap_or_default(),
                ),
                ("max", e.totals.max.text()),
                ("pass", e.standard.pass_points.text()),
            ],
        ),
    }];
    let vetoes: Vec<&EvaluatedCriterion> = e.criteria.iter().filter(|c| c.criterion.veto).collect();
    if !vetoes.is_empty() {
        blocks.push(veto_table(&vetoes, lang, "consensus_title", |c| {
            c.consensus_met
        }));
    }
    let outcome = match e.outcome.as_deref() {
        Some("pass") => t(lang, "er_outcome_pass").to_owned(),
        Some(_) => t(lang, "er_outcome_fail").to_owned(),
        None => t(lang, "er_outcome_open").to_owned(),
    };
    blocks.push(Block::Paragraph { text: outcome });
    for reason in &e.outcome_reasons {
        blocks.push(Block::Paragraph {
            text: reason.clone(),
        });
    }
    Section {
        heading: t(lang, "er_s_conclusion").to_owned(),
        blocks,
    }
}

fn panel_signatures(lang: Lang) -> Section {
    Section {
        heading: t(lang, "er_s_panel_signatures").to_owned(),
        blocks: vec![
            Block::Paragraph {
                text: t(lang, "er_panel_declaration").to_owned(),
            },
            Block::Facts {
                pairs: vec![
                    fact(t(lang, "er_sign_lead"), String::new()),
                    fact(t(lang, "er_sign_members"), String::new()),
                    fact(t(lang, "er_sign_date"), String::new()),
                ],
            },
        ],
    }
}

fn signatures(lang: Lang) -> Section {
    Section {
        heading: t(lang, "er_s_declaration").to_owned(),
        blocks: vec![
            Block::Paragraph {
                text: t(lang, "er_declaration").to_owned(),
            },
            Block::Facts {
                pairs: vec![
                    fact(t(lang, "er_sign_school"), String::new()),
                    fact(t(lang, "er_sign_head"), String::new()),
                    fact(t(lang, "er_sign_date"), String::new()),
                ],
            },
        ],
    }
}

/// The self-evaluation report in `lang`.
pub fn view(g: &Gathered, lang: Lang) -> ReportView {
    let (name, other) = names(lang, &g.school.name, g.school.name_zh.as_deref());
    let (province, _) = names(lang, &g.province.name, g.province.name_zh.as_deref());
    let (standard_name, _) = names(
        lang,
        &g.evaluation.standard.name,
        g.evaluation.standard.name_zh.as_deref(),
    );
    let panel = g.panel_report();
    let mut sections = vec![
        profile(g, lang, &name, other.as_deref(), &province),
        application(g, lang),
    ];
    if panel {
        sections.push(panel_section(g, lang));
        sections.push(visits_section(g, lang));
        sections.push(conclusion(g, lang));
    } else {
        sections.push(result(g, lang));
    }
    sections.extend(groups(g, lang));
    sections.push(if panel {
        panel_signatures(lang)
    } else {
        signatures(lang)
    });
    let draft = g.submission.submitted_at.is_none();
    ReportView {
        lang: lang.code(),
        year: g.today.year(),
        school_id: g.school.id,
        cover: Cover {
            title: t(lang, if panel { "er_panel_title" } else { "er_title" }).to_owned(),
            school: name,
            school_other: other,
            year: standard_name,
            province,
            generated: fill(
                t(lang, "report_generated_on"),
                &[("date", g.today.to_string())],
            ),
            draft: draft.then(|| t(lang, "er_draft").to_owned()),
            status_note: g.submission.title.clone(),
        },
        sections,
    }
}

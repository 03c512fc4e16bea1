//! The annual quality report as people read it: `view` turns the gathered record into
//! sections of paragraphs, tables and charts with every number formatted and every word in
//! the reader's language, once; the HTML page (a tera template) and the DOCX (`docx`) only
//! lay that view out, so the two always say the same.

pub mod docx;
pub mod evaluation;

use serde::Serialize;

use crate::domain::lang::Lang;
use crate::domain::numbers;
use crate::domain::status_data::Indicator;
use crate::i18n::t;
use crate::store::annual_report::AnnualReport;

/// A row of a table; `marked` rows need attention (below a standard, overdue).
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub cells: Vec<String>,
    pub marked: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

fn fact(label: &str, value: String) -> Fact {
    Fact {
        label: label.to_owned(),
        value,
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Paragraph {
        text: String,
    },
    /// a label and its value per line
    Facts {
        pairs: Vec<Fact>,
    },
    Table {
        header: Vec<String>,
        rows: Vec<Row>,
        /// which columns hold numbers (aligned right)
        numeric: Vec<bool>,
    },
    /// an SVG drawn here (shown in HTML; the DOCX has the same numbers in a table)
    Chart {
        caption: String,
        svg: String,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

/// The cover page.
#[derive(Clone, Debug, Serialize)]
pub struct Cover {
    pub title: String,
    pub school: String,
    /// the name in the other language, if the school has one
    pub school_other: Option<String>,
    pub year: String,
    pub province: String,
    pub generated: String,
    /// "Draft: figures not yet accepted", on drafts only
    pub draft: Option<String>,
    pub status_note: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportView {
    pub lang: &'static str,
    pub year: i32,
    pub school_id: i64,
    pub cover: Cover,
    pub sections: Vec<Section>,
}

fn fill(template: &str, values: &[(&str, String)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

fn percent(value: f64) -> String {
    format!("{}%", numbers::grouped(value, 1))
}

fn signed_percent(value: f64) -> String {
    let sign = if value > 0.0 { "+" } else { "" };
    format!("{sign}{}", percent(value))
}

/// The written sections as paragraphs (blank lines separate them).
fn paragraphs(text: Option<&str>, lang: Lang) -> Vec<Block> {
    let parts: Vec<Block> = text
        .unwrap_or_default()
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| Block::Paragraph { text: p.to_owned() })
        .collect();
    if parts.is_empty() {
        vec![Block::Paragraph {
            text: t(lang, "report_not_written").to_owned(),
        }]
    } else {
        parts
    }
}

fn figures_section(report: &AnnualReport, lang: Lang) -> Section {
    let current = report.figures();
    let previous = &report.status.previous;
    let year = report.year;
    let mut rows = Vec::new();
    for indicator in &report.catalogue {
        let value = current.get(&indicator.code).copied();
        let before = previous.get(&indicator.code).copied();
        let standard = report
            .standards
            .iter()
            .find(|s| s.measure == indicator.code);
        if value.is_none() && before.is_none() && standard.is_none() {
            continue;
        }
        let show = |v: Option<f64>| match v {
            Some(v) => indicator.display(v, lang),
            None => t(lang, "report_not_reported").to_owned(),
        };
        let change = match (value, before) {
            (Some(now), Some(then)) if then != 0.0 => signed_percent((now - then) / then * 100.0),
            _ => String::new(),
        };
        let (limit, verdict, marked) = match standard {
            None => (String::new(), String::new(), false),
            Some(s) => {
                let limit = match (s.minimum, s.maximum) {
                    (Some(min), _) => fill(
                        t(lang, "report_at_least"),
                        &[("value", indicator.display(min, lang))],
                    ),
                    (None, Some(max)) => fill(
                        t(lang, "report_at_most"),
                        &[("value", indicator.display(max, lang))],
                    ),
                    (None, None) => String::new(),
                };
                let below = value.is_some_and(|v| s.minimum.is_some_and(|m| v < m));
                let above = value.is_some_and(|v| s.maximum.is_some_and(|m| v > m));
                let verdict = match (value, below, above) {
                    (None, _, _) => "",
                    (_, true, _) => t(lang, "report_below"),
                    (_, _, true) => t(lang, "report_above"),
                    _ => t(lang, "report_meets"),
                };
                (limit, verdict.to_owned(), below || above)
            }
        };
        rows.push(Row {
            cells: vec![
                indicator.name_in(lang).to_owned(),
                show(value),
                show(before),
                change,
                limit,
                verdict,
            ],
            marked,
        });
    }
    let mut blocks = vec![Block::Table {
        header: vec![
            t(lang, "report_col_indicator").to_owned(),
            year.to_string(),
            (year - 1).to_string(),
            t(lang, "report_col_change").to_owned(),
            t(lang, "report_col_standard").to_owned(),
            t(lang, "report_col_verdict").to_owned(),
        ],
        rows,
        numeric: vec![false, true, true, true, true, false],
    }];
    let main: Vec<&Indicator> = ["students", "teachers", "graduates", "enrolled"]
        .iter()
        .filter_map(|c| report.catalogue.iter().find(|i| i.code == *c))
        .collect();
    if let Some(svg) = year_on_year_chart(&main, &current, previous, year, lang) {
        blocks.push(Block::Chart {
            caption: t(lang, "report_chart_figures").to_owned(),
            svg,
        });
    }
    Section {
        heading: t(lang, "report_s_figures").to_owned(),
        blocks,
    }
}

fn date(d: Option<time::Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

fn titles_section(report: &AnnualReport, lang: Lang) -> Section {
    let blocks = if report.titles.is_empty() {
        vec![Block::Paragraph {
            text: t(lang, "report_no_titles").to_owned(),
        }]
    } else {
        let rows = report
            .titles
            .iter()
            .map(|h| {
                let name = match (lang, &h.title_name_zh) {
                    (Lang::ZhCn, Some(zh)) => zh.clone(),
                    _ => h.title_name.clone(),
                };
                let state = h.reevaluation_state.as_str();
                Row {
                    cells: vec![
                        name,
                        t(lang, &format!("level_{}", h.level)).to_owned(),
                        h.awarded_on.to_string(),
                        date(h.last_evaluated_on),
                        date(h.next_reevaluation_due),
                        t(lang, &format!("state_{state}")).to_owned(),
                    ],
                    marked: state == "overdue",
                }
            })
            .collect();
        vec![Block::Table {
            header: [
                "field_title",
                "field_level",
                "field_awarded_on",
                "field_last_evaluated_on",
                "field_next_reevaluation",
                "field_status",
            ]
            .iter()
            .map(|k| t(lang, k).to_owned())
            .collect(),
            rows,
            numeric: vec![false; 6],
        }]
    };
    Section {
        heading: t(lang, "report_s_titles").to_owned(),
        blocks,
    }
}

fn quality_section(report: &AnnualReport, lang: Lang) -> Section {
    let mut blocks = Vec::new();
    let certificate = match &report.certificate {
        Some(c) => fill(
            t(lang, "report_certificate_line"),
            &[
                ("standard", c.standard.clone()),
                ("body", c.certification_body.clone()),
                ("number", c.certificate_number.clone()),
                ("issued", c.issued_on.to_string()),
                ("expires", c.expires_on.to_string()),
            ],
        ),
        None => t(lang, "report_no_certificate").to_owned(),
    };
    blocks.push(Block::Facts {
        pairs: vec![fact(t(lang, "report_certificate"), certificate)],
    });
    if report.audits.is_empty() {
        blocks.push(Block::Paragraph {
            text: t(lang, "report_no_audits").to_owned(),
        });
    } else {
        let rows = report
            .audits
            .iter()
            .map(|a| Row {
                cells: vec![
                    t(lang, &format!("audit_kind_{}", a.audit.kind)).to_owned(),
                    match a.audit.ended_on {
                        Some(end) if end != a.audit.started_on => {
                            format!("{} – {end}", a.audit.started_on)
                        }
                        _ => a.audit.started_on.to_string(),
                    },
                    a.audit.lead_auditor.clone().unwrap_or_default(),
                    a.findings.to_string(),
                    a.closed.to_string(),
                    a.verified.to_string(),
                    a.overdue.to_string(),
                ],
                marked: a.overdue > 0,
            })
            .collect();
        blocks.push(Block::Table {
            header: vec![
                t(lang, "field_audit_kind").to_owned(),
                t(lang, "report_col_dates").to_owned(),
                t(lang, "field_lead_auditor").to_owned(),
                t(lang, "report_col_findings").to_owned(),
                t(lang, "report_col_closed").to_owned(),
                t(lang, "report_col_verified").to_owned(),
                t(lang, "report_col_overdue").to_owned(),
            ],
            rows,
            numeric: vec![false, false, false, true, true, true, true],
        });
    }
    let f = &report.findings;
    blocks.push(Block::Paragraph {
        text: fill(
            t(lang, "report_findings_summary"),
            &[
                ("opened", numbers::grouped(f.opened as f64, 0)),
                ("closed", numbers::grouped(f.closed as f64, 0)),
                ("verified", numbers::grouped(f.verified as f64, 0)),
                ("overdue", numbers::grouped(f.overdue as f64, 0)),
            ],
        ),
    });
    blocks.push(Block::Paragraph {
        text: match f.on_time_rate() {
            Some(rate) => fill(
                t(lang, "report_on_time"),
                &[
                    ("due", numbers::grouped(f.actions_due as f64, 0)),
                    ("on_time", numbers::grouped(f.actions_on_time as f64, 0)),
                    ("rate", percent(rate)),
                ],
            ),
            None => t(lang, "report_on_time_none").to_owned(),
        },
    });
    Section {
        heading: t(lang, "report_s_quality").to_owned(),
        blocks,
    }
}

fn standing_section(report: &AnnualReport, lang: Lang) -> Section {
    let mut bars = Vec::new();
    let rows = report
        .standing
        .iter()
        .map(|s| {
            let name = t(lang, &format!("metric_{}", s.metric)).to_owned();
            if let Some(p) = s.percentile {
                bars.push((name.clone(), p));
            }
            Row {
                cells: vec![
                    name,
                    s.value.map(numbers::figure).unwrap_or_else(|| "—".into()),
                    s.percentile
                        .map(|p| p.to_string())
                        .unwrap_or_else(|| "—".into()),
                ],
                marked: s.percentile.is_some_and(|p| p < 25),
            }
        })
        .collect();
    let mut blocks = vec![
        Block::Paragraph {
            text: fill(
                t(lang, "report_standing_note"),
                &[("peers", report.peers.to_string())],
            ),
        },
        Block::Table {
            header: vec![
                t(lang, "report_col_indicator").to_owned(),
                t(lang, "field_value").to_owned(),
                t(lang, "report_col_percentile").to_owned(),
            ],
            rows,
            numeric: vec![false, true, true],
        },
    ];
    if !bars.is_empty() {
        blocks.push(Block::Chart {
            caption: t(lang, "report_col_percentile").to_owned(),
            svg: percentile_chart(&bars),
        });
    }
    Section {
        heading: t(lang, "report_s_standing").to_owned(),
        blocks,
    }
}

/// The report in `lang`.
pub fn view(report: &AnnualReport, lang: Lang) -> ReportView {
    let school = &report.school;
    let (name, other) = match (lang, &school.name_zh) {
        (Lang::ZhCn, Some(zh)) => (zh.clone(), Some(school.name.clone())),
        (Lang::En, Some(zh)) => (school.name.clone(), Some(zh.clone())),
        (_, None) => (school.name.clone(), None),
    };
    let province = match (lang, &report.province.name_zh) {
        (Lang::ZhCn, Some(zh)) => zh.clone(),
        _ => report.province.name.clone(),
    };
    let status_note = match report.status.locked_at {
        Some(at) => fill(
            t(lang, "report_accepted_on"),
            &[("date", at.date().to_string())],
        ),
        None => t(lang, "report_draft_note").to_owned(),
    };
    let mut profile = vec![
        fact(t(lang, "field_name"), name.clone()),
        fact(t(lang, "field_province"), province.clone()),
        fact(t(lang, "field_city"), school.city.clone()),
        fact(
            t(lang, "field_kind"),
            t(lang, &format!("kind_{}", school.kind)).to_owned(),
        ),
    ];
    if let Some(other) = &other {
        profile.insert(1, fact(t(lang, "field_name_other"), other.clone()));
    }
    if let Some(founded) = school.founded_year {
        profile.push(fact(t(lang, "report_founded"), founded.to_string()));
    }
    ReportView {
        lang: lang.code(),
        year: report.year,
        school_id: school.id,
        cover: Cover {
            title: t(lang, "report_title").to_owned(),
            school: name,
            school_other: other,
            year: fill(
                t(lang, "report_cover_year"),
                &[("year", report.year.to_string())],
            ),
            province,
            generated: fill(
                t(lang, "report_generated_on"),
                &[("date", report.today.to_string())],
            ),
            draft: report
                .is_draft()
                .then(|| t(lang, "report_draft").to_owned()),
            status_note,
        },
        sections: vec![
            Section {
                heading: t(lang, "report_s_profile").to_owned(),
                blocks: vec![Block::Facts { pairs: profile }],
            },
            figures_section(report, lang),
            titles_section(report, lang),
            quality_section(report, lang),
            standing_section(report, lang),
            Section {
                heading: t(lang, "report_s_highlights").to_owned(),
                blocks: paragraphs(report.sections.highlights.as_deref(), lang),
            },
            Section {
                heading: t(lang, "report_s_problems").to_owned(),
                blocks: paragraphs(report.sections.problems.as_deref(), lang),
            },
        ],
    }
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Paired bars of this year and last for a few figures, each scaled to its own larger value.
fn year_on_year_chart(
    indicators: &[&Indicator],
    current: &crate::domain::status_data::Figures,
    previous: &crate::domain::status_data::Figures,
    year: i32,
    lang: Lang,
) -> Option<String> {
    let lines: Vec<(&Indicator, f64, f64)> = indicators
        .iter()
        .filter_map(|i| {
            let now = current.get(&i.code).copied()?;
            Some((*i, now, previous.get(&i.code).copied().unwrap_or(0.0)))
        })
        .collect();
    if lines.is_empty() {
        return None;
    }
    let (width, label_w, bar_h, gap) = (640.0, 180.0, 14.0, 14.0);
    let height = 30.0 + lines.len() as f64 * (2.0 * bar_h + gap);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" font-family="sans-serif" font-size="12">"#
    );
    svg.push_str(&format!(
        r##"<rect x="{label_w}" y="4" width="10" height="10" fill="#1f5f99"/><text x="{}" y="13">{year}</text><rect x="{}" y="4" width="10" height="10" fill="#a9c4de"/><text x="{}" y="13">{}</text>"##,
        label_w + 14.0,
        label_w + 70.0,
        label_w + 84.0,
        year - 1
    ));
    for (n, (indicator, now, then)) in lines.iter().enumerate() {
        let top = 24.0 + n as f64 * (2.0 * bar_h + gap);
        let scale = now.max(*then).max(1.0);
        let room = width - label_w - 110.0;
        svg.push_str(&format!(
            r#"<text x="0" y="{}">{}</text>"#,
            top + bar_h + 4.0,
            xml_escape(indicator.name_in(lang))
        ));
        for (k, (value, colour)) in [(*now, "#1f5f99"), (*then, "#a9c4de")].iter().enumerate() {
            let y = top + k as f64 * bar_h;
            let w = (value / scale * room).max(0.0);
            svg.push_str(&format!(
                r#"<rect x="{label_w}" y="{y}" width="{w:.1}" height="{}" fill="{colour}"/><text x="{:.1}" y="{}">{}</text>"#,
                bar_h - 2.0,
                label_w + w + 4.0,
                y + bar_h - 3.0,
                xml_escape(&numbers::figure(*value))
            ));
        }
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// A bar per figure from 0 to 100 with the quartiles marked.
fn percentile_chart(bars: &[(String, u8)]) -> String {
    let (width, label_w, bar_h) = (640.0, 220.0, 18.0);
    let height = 10.0 + bars.len() as f64 * (bar_h + 6.0);
    let room = width - label_w - 40.0;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" font-family="sans-serif" font-size="12">"#
    );
    for q in [25.0, 50.0, 75.0] {
        let x = label_w + q / 100.0 * room;
        svg.push_str(&format!(
            r##"<line x1="{x:.1}" y1="0" x2="{x:.1}" y2="{height}" stroke="#ccc" stroke-dasharray="3 3"/>"##
        ));
    }
    for (n, (name, p)) in bars.iter().enumerate() {
        let y = 5.0 + n as f64 * (bar_h + 6.0);
        let w = f64::from(*p) / 100.0 * room;
        let colour = if *p < 25 { "#c0392b" } else { "#1f5f99" };
        svg.push_str(&format!(
            r##"<text x="0" y="{}">{}</text><rect x="{label_w}" y="{y}" width="{room:.1}" height="{bar_h}" fill="#eef2f6"/><rect x="{label_w}" y="{y}" width="{w:.1}" height="{bar_h}" fill="{colour}"/><text x="{:.1}" y="{}">{p}</text>"##,
            y + bar_h - 5.0,
            xml_escape(name),
            label_w + room + 6.0,
            y + bar_h - 5.0
        ));
    }
    svg.push_str("</svg>");
    svg
}

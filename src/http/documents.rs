//! Documents both faces hand out: the annual quality report (a print-ready page, a DOCX,
//! or the DOCX attached as evidence of the year's report submission) and the province's
//! accepted figures as a table to download.

use actix_web::HttpResponse;
use serde::Serialize;

use crate::auth::CurrentUser;
use crate::domain::lang::Lang;
use crate::domain::peers::missed;
use crate::domain::status_data::{Figures, Indicator, YearState, serialize_figures};
use crate::error::AppError;
use crate::http::export::{Cell, Format, Table, download};
use crate::http::files::{generated, store_upload};
use crate::report::{self, ReportView};
use crate::state::AppState;
use crate::store::indicators::Catalogue;
use crate::store::schools::School;
use crate::store::status_data::{ProvinceSchool, ProvinceYear};
use crate::store::submissions::Evidence;

pub use crate::report::docx::CONTENT_TYPE as DOCX_TYPE;

/// A document's language: asked for with `?lang=` by one of our codes exactly (the API
/// publishes them as an enum), else Chinese.
pub fn report_lang(raw: Option<&str>) -> Result<Lang, AppError> {
    match crate::domain::text::choice(raw) {
        None => Ok(Lang::ZhCn),
        Some(tag) => Lang::ALL
            .into_iter()
            .find(|l| l.code() == tag)
            .ok_or_else(|| {
                AppError::field(
                    "lang",
                    crate::error::Msg::OneOf {
                        choices: "zh-CN, en".into(),
                    },
                )
            }),
    }
}

/// The self-evaluation report of a submission in `lang`, as DOCX bytes and a file name.
pub async fn self_evaluation_report(
    state: &AppState,
    user: &CurrentUser,
    submission_id: i64,
    lang: Lang,
) -> Result<(Vec<u8>, String), AppError> {
    let today = state.clock.today();
    let gathered = user
        .run(move |conn, access| {
            crate::app::evaluations::report(conn, access, submission_id, today)
        })
        .await?;
    let view = report::evaluation::view(&gathered, lang);
    Ok((
        docx_bytes(&view)?,
        format!("self-evaluation-{submission_id}.docx"),
    ))
}

/// The report of a school's year in `lang`, as its view.
pub async fn report_view(
    state: &AppState,
    user: &CurrentUser,
    school_id: i64,
    year: i32,
    lang: Lang,
) -> Result<ReportView, AppError> {
    let (today, kept) = (state.clock.today(), state.kept.clone());
    let gathered = user
        .run(move |conn, access| {
            crate::store::annual_report::gather(conn, access, &kept.peers, school_id, year, today)
        })
        .await?;
    Ok(report::view(&gathered, lang))
}

/// The print-ready HTML of a report.
pub fn html(state: &AppState, view: &ReportView, lang: Lang) -> Result<String, AppError> {
    let mut context = tera::Context::new();
    context.insert("report", view);
    state.templates.render(lang, "report/annual.html", &context)
}

pub fn docx_bytes(view: &ReportView) -> Result<Vec<u8>, AppError> {
    report::docx::write(view).map_err(|e| AppError::Internal(anyhow::anyhow!("docx: {e}")))
}

pub fn docx_name(view: &ReportView) -> String {
    format!(
        "{}-{}-annual-quality-report.docx",
        view.school_id, view.year
    )
}

/// Generates the year's DOCX and stores it as evidence of the year's report submission.
pub async fn attach_report(
    state: &AppState,
    user: &CurrentUser,
    school_id: i64,
    year: i32,
    lang: Lang,
) -> Result<Evidence, AppError> {
    let (today, kept) = (state.clock.today(), state.kept.clone());
    let (submission, gathered) = user
        .run(move |conn, access| {
            let submission = crate::app::annual_report::submission_to_attach_to(
                conn, access, school_id, year, lang,
            )?;
            let gathered = crate::store::annual_report::gather(
                conn,
                access,
                &kept.peers,
                school_id,
                year,
                today,
            )?;
            Ok((submission, gathered))
        })
        .await?;
    let view = report::view(&gathered, lang);
    let bytes = docx_bytes(&view)?;
    let received = generated(state, bytes, docx_name(&view), DOCX_TYPE).await?;
    let description = crate::i18n::t(lang, "report_evidence_description").to_owned();
    store_upload(state, user, submission, received, Some(description)).await
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProvinceRow {
    pub school_id: i64,
    pub name: String,
    pub name_zh: Option<String>,
    pub city: String,
    pub kind: String,
    /// where the school's year stands: not_started, in_progress, submitted, accepted, returned
    #[schema(value_type = String)]
    pub state: YearState,
    /// the accepted figures, entered and derived (empty until the year is accepted)
    #[serde(serialize_with = "serialize_figures")]
    #[schema(value_type = BTreeMap<String, f64>)]
    pub figures: Figures,
    /// indicators on the wrong side of a national standard
    pub below_standard: Vec<String>,
}

/// The codes of a school's figures that miss a national standard for its kind.
fn below_standard(school: &School, figures: &Figures) -> Vec<String> {
    missed(school.kind, figures)
        .map(|s| s.measure.to_owned())
        .collect()
}

/// The province's table: a column per indicator with bilingual headers and units.
fn province_table(catalogue: &Catalogue, rows: &[ProvinceRow]) -> Table {
    let indicators: Vec<&Indicator> = catalogue.entered().chain(catalogue.derived()).collect();
    let mut table = Table::new([
        "学校编号 / School id",
        "学校 / School",
        "学校名称 / Name (zh)",
        "城市 / City",
        "类别 / Kind",
        "状态 / State",
    ]);
    for i in &indicators {
        let unit = match (i.unit.label(Lang::ZhCn), i.unit.label(Lang::En)) {
            ("", _) => String::new(),
            (zh, en) if zh == en || en.is_empty() => format!(" ({zh})"),
            (zh, en) => format!(" ({zh} / {en})"),
        };
        table
            .header
            .push(format!("{} / {}{unit}", i.name_zh, i.name));
    }
    for row in rows {
        let mut cells = vec![
            Cell::from(row.school_id),
            Cell::from(row.name.clone()),
            Cell::from(row.name_zh.clone()),
            Cell::from(row.city.clone()),
            Cell::from(row.kind.clone()),
            Cell::from(both_languages(&format!(
                "year_state_{}",
                row.state.as_str()
            ))),
        ];
        for i in &indicators {
            cells.push(match row.figures.get(&i.code) {
                Some(v) if row.below_standard.contains(&i.code) => Cell::Marked(*v),
                Some(v) => Cell::Number(*v),
                None => Cell::Empty,
            });
        }
        table.rows.push(cells);
    }
    table
}

/// The province's table of a year as a CSV or XLSX download.
pub fn province_download(
    accepted: &ProvinceYear,
    year: i32,
    format: Format,
) -> Result<HttpResponse, AppError> {
    download(
        &province_table(
            &accepted.catalogue,
            &province_rows(accepted.rows().cloned()),
        ),
        format,
        &format!("status-data-{year}"),
    )
}

pub fn province_rows(rows: impl Iterator<Item = ProvinceSchool>) -> Vec<ProvinceRow> {
    rows.map(|row| ProvinceRow {
        below_standard: below_standard(&row.school, &row.figures),
        school_id: row.school.id,
        name: row.school.name,
        name_zh: row.school.name_zh,
        city: row.school.city,
        kind: row.school.kind.as_str().to_owned(),
        state: row.state,
        figures: row.figures,
    })
    .collect()
}

/// A label as both languages read it, for a download both read: "已确认 / accepted".
fn both_languages(key: &str) -> String {
    let (zh, en) = (
        crate::i18n::t(Lang::ZhCn, key),
        crate::i18n::t(Lang::En, key),
    );
    if zh == en {
        zh.to_owned()
    } else {
        format!("{zh} / {en}")
    }
}

/// The province's standards inventory as one XLSX sheet: a column per standard, a figure
/// short of its standard marked, and each school's shortfalls in words.
pub fn standards_check_download(
    inventory: &crate::app::standards_check::Inventory,
) -> Result<HttpResponse, AppError> {
    let codes = crate::app::standards_check::standard_codes();
    let mut table = Table::new([
        "学校编号 / School id",
        "学校 / School",
        "学校名称 / Name (zh)",
        "城市 / City",
        "类别 / Kind",
        "状态 / State",
        "达标 / Meets all",
    ]);
    for code in &codes {
        table
            .header
            .push(both_languages(&format!("standard_{code}")));
    }
    table.header.push("未达标项 / Shortfalls".into());
    for row in &inventory.rows {
        let mut cells = vec![
            Cell::from(row.school_id),
            Cell::from(row.name.clone()),
            Cell::from(row.name_zh.clone()),
            Cell::from(row.city.clone()),
            Cell::from(both_languages(&format!("kind_{}", row.kind.as_str()))),
            Cell::from(both_languages(&format!(
                "year_state_{}",
                row.state.as_str()
            ))),
            Cell::from(if row.met { "是 / yes" } else { "否 / no" }),
        ];
        for code in &codes {
            let short = row.shortfalls.iter().find(|s| s.code == *code);
            cells.push(match short {
                Some(s) => Cell::Marked(s.value),
                None => Cell::Empty,
            });
        }
        let words: Vec<String> = row
            .shortfalls
            .iter()
            .map(|s| {
                let (zh, en) = (
                    crate::i18n::t(Lang::ZhCn, &format!("standard_{}", s.code)),
                    crate::i18n::t(Lang::En, &format!("standard_{}", s.code)),
                );
                let show = crate::domain::numbers::figure;
                let (value, gap) = (show(s.value), show(s.gap));
                let limit = show(s.minimum.or(s.maximum).unwrap_or_default());
                format!(
                    "{zh} {value}（标准 {limit}，差 {gap}）/ {en} {value} (standard {limit}, gap {gap})"
                )
            })
            .collect();
        cells.push(Cell::from(words.join("; ")));
        table.rows.push(cells);
    }
    download(
        &table,
        Format::Xlsx,
        &format!("standards-check-{}", inventory.year),
    )
}

/// The columns of the access log's download (the API's and the page's).
pub fn access_log_columns() -> crate::http::export::Columns<crate::store::access_log::LoggedAccess>
{
    crate::http::export::Columns {
        header: [
            "at",
            "event",
            "method",
            "succeeded",
            "reason",
            "user_id",
            "email",
            "address",
            "user_agent",
        ]
        .map(String::from)
        .to_vec(),
        row: |e| {
            vec![
                crate::http::export::Cell::from(crate::clock::rfc3339(e.at)),
                crate::http::export::Cell::from(e.event.as_str()),
                crate::http::export::Cell::from(e.method.as_str()),
                crate::http::export::Cell::from(e.succeeded),
                crate::http::export::Cell::from(e.reason.map(|r| r.as_str().to_owned())),
                crate::http::export::Cell::from(e.user_id),
                crate::http::export::Cell::from(e.email.clone()),
                crate::http::export::Cell::from(e.client_addr.clone()),
                crate::http::export::Cell::from(e.user_agent.clone()),
            ]
        },
    }
}

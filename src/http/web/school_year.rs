//! The school year's pages: the province's collection rounds and the bureau's view of one,
//! a school's status data of a year (typed on the page or through the XLSX template), its
//! submission and the lock, and the annual quality report with its written sections.

use std::collections::{BTreeMap, HashMap};

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::page::{Page, Posted, see_other};
use crate::app;
use crate::app::annual_report::ReportSectionsInput;
use crate::app::status_data::RoundQuery;
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::domain::lang::Lang;
use crate::domain::status_data::{YearState, parse_typed};
use crate::domain::workflow::SubmissionKind;
use crate::error::{AppError, FieldErrors};
use crate::http::documents::{self as annual_report, DOCX_TYPE};
use crate::http::export::{XLSX_TYPE, attachment};
use crate::http::files::{MAX_TEMPLATE_BYTES, small_upload};
use crate::state::AppState;
use crate::store::rounds::{self};
use crate::store::status_data::{self, StatusInput};
use crate::store::{indicators, schools, submissions};

type Form = Posted<HashMap<String, String>>;

fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map(String::as_str).unwrap_or_default()
}

fn year_of(raw: i64, state: &AppState) -> Result<i32, AppError> {
    status_data::parse_year(raw, state.clock.today()).map_err(|_| AppError::NotFound)
}

/// The text of an error for a notice on the page.
fn problem_text(error: &AppError, lang: Lang) -> String {
    error.public_message().text(lang)
}

// ---- The province's rounds -------------------------------------------------------------

async fn rounds_context(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    province_id: i64,
) -> Result<tera::Context, AppError> {
    let (me, (province, list)) = user
        .load(move |conn, access| {
            let list = rounds::list(conn, access, province_id)?;
            Ok((crate::store::provinces::get(conn, province_id)?, list))
        })
        .await?;
    let mut context = page.context(Some(&me));
    context.insert("province", &province);
    context.insert("collection_rounds", &list);
    context.insert(
        "opens_rounds",
        &me.access().administers_province(province_id),
    );
    context.insert("this_year", &state.clock.today().year());
    context.insert("errors", &BTreeMap::<String, String>::new());
    context.insert("typed", &HashMap::<String, String>::new());
    Ok(context)
}

pub async fn rounds_page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let context = rounds_context(&state, &page, &user, id.into_inner()).await?;
    page.ok(&state, "pages/rounds.html", &context)
}

pub async fn round_create(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (province, today) = (id.into_inner(), state.clock.today());
    // What is not a number is out of range: the use case names the field.
    let input = app::status_data::RoundInput {
        year: field(&form, "year").trim().parse().unwrap_or(0),
        due_on: field(&form, "due_on").to_owned(),
        change_threshold_pct: match field(&form, "change_threshold_pct").trim() {
            "" => None,
            raw => Some(raw.parse().unwrap_or(0)),
        },
    };
    let result = user
        .run(move |conn, access| {
            app::status_data::open_round(conn, access, province, &input, today, now_utc())
        })
        .await;
    match result {
        Ok(round) => Ok(see_other(&format!("/rounds/{}?done=opened", round.id))),
        Err(AppError::Validation(errors)) => {
            rounds_again(&state, &page, &user, province, &form, page.errors(&errors)).await
        }
        Err(e @ AppError::Conflict { .. }) => {
            let message = BTreeMap::from([("year".to_owned(), problem_text(&e, page.lang))]);
            rounds_again(&state, &page, &user, province, &form, message).await
        }
        Err(other) => Err(other),
    }
}

async fn rounds_again(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    province: i64,
    form: &HashMap<String, String>,
    errors: BTreeMap<String, String>,
) -> Result<HttpResponse, AppError> {
    let mut context = rounds_context(state, page, user, province).await?;
    context.insert("errors", &errors);
    context.insert("typed", form);
    page.render(
        state,
        StatusCode::UNPROCESSABLE_ENTITY,
        "pages/rounds.html",
        &context,
    )
}

#[derive(Deserialize)]
pub struct RoundPageQuery {
    #[serde(flatten)]
    filter: RoundQuery,
    done: Option<String>,
    page: Option<i64>,
}

/// Schools a round page lists at a time.
const ROUND_SCHOOLS_PER_PAGE: usize = 100;

pub async fn round_page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    query: web::Query<RoundPageQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, today, kept) = (id.into_inner(), state.clock.today(), state.kept.clone());
    let filter = query.filter.filter()?;
    let (me, mut detail) = user
        .load(move |conn, access| rounds::detail(conn, access, &kept.rounds, id, &filter, today))
        .await?;
    // A page of the schools (a province has hundreds); the counts are of them all.
    let listed = detail.schools.len();
    let pages = listed.div_ceil(ROUND_SCHOOLS_PER_PAGE).max(1);
    let number = usize::try_from(query.page.unwrap_or(1))
        .unwrap_or(1)
        .clamp(1, pages);
    detail.schools = detail
        .schools
        .into_iter()
        .skip((number - 1) * ROUND_SCHOOLS_PER_PAGE)
        .take(ROUND_SCHOOLS_PER_PAGE)
        .collect();
    let mut context = page.context(Some(&me));
    context.insert("listed", &crate::domain::numbers::grouped(listed as f64, 0));
    context.insert("page_number", &number);
    context.insert("pages", &pages);
    let mut pager_query = format!(
        "q={}",
        crate::templates::percent_encode(query.filter.q.as_deref().unwrap_or(""))
    );
    if let Some(state) = query.filter.state.as_deref() {
        pager_query.push_str(&format!(
            "&state={}",
            crate::templates::percent_encode(state)
        ));
    }
    if let Some(overdue) = query.filter.overdue {
        pager_query.push_str(&format!("&overdue={overdue}"));
    }
    context.insert("pager_query", &pager_query);
    context.insert(
        "manages",
        &me.access().administers_province(detail.round.province_id),
    );
    context.insert(
        "round_title",
        &crate::i18n::t(page.lang, "round_title").replace("{year}", &detail.round.year.to_string()),
    );
    context.insert("round", &detail);
    context.insert(
        "states",
        &YearState::ALL
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>(),
    );
    context.insert("state_filter", query.filter.state.as_deref().unwrap_or(""));
    context.insert("overdue_filter", &query.filter.overdue);
    context.insert("search", query.filter.q.as_deref().unwrap_or(""));
    context.insert("done", query.done.as_deref().unwrap_or(""));
    context.insert("today", &today.to_string());
    page.ok(&state, "pages/round.html", &context)
}

pub async fn round_update(
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let id = id.into_inner();
    let patch = app::status_data::RoundPatchInput {
        due_on: Some(field(&form, "due_on").trim())
            .filter(|d| !d.is_empty())
            .map(str::to_owned),
        change_threshold_pct: None,
        status: Some(field(&form, "status"))
            .filter(|s| matches!(*s, "open" | "closed"))
            .map(str::to_owned),
    };
    user.run(move |conn, access| {
        app::status_data::update_round(conn, access, id, &patch, now_utc())
    })
    .await?;
    Ok(see_other(&format!("/rounds/{id}?done=saved")))
}

/// The province's table of a round's year (every school, its state, the accepted figures),
/// as the XLSX the ministry receives.
pub async fn round_download(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (id, kept) = (id.into_inner(), state.kept.clone());
    let (accepted, year) = user
        .run(move |conn, access| {
            let round = rounds::find(conn, access, id)?;
            let accepted = status_data::province_accepted(
                conn,
                access,
                &kept.accepted,
                round.province_id,
                round.year,
            )?;
            Ok((accepted, round.year))
        })
        .await?;
    crate::http::documents::province_download(&accepted, year, crate::http::export::Format::Xlsx)
}

// ---- A school's year -------------------------------------------------------------------

/// One entered indicator as the form shows it.
#[derive(serde::Serialize)]
struct FormLine {
    code: String,
    name: String,
    unit: String,
    help: String,
    previous: String,
    value: String,
    error: Option<String>,
}

/// One derived ratio, with what the live calculation needs.
#[derive(serde::Serialize)]
struct RatioLine {
    code: String,
    name: String,
    unit: String,
    value: String,
    previous: String,
    numerator: String,
    denominator: String,
    scale: f64,
    decimals: usize,
    standard: String,
    below: bool,
}

#[derive(serde::Serialize)]
struct FlagLine {
    code: String,
    name: String,
    text: String,
    explanation: String,
    error: Option<String>,
}

async fn year_context(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    school_id: i64,
    year: i32,
    typed: Option<&HashMap<String, String>>,
    field_errors: &BTreeMap<String, String>,
) -> Result<tera::Context, AppError> {
    let (me, (school, catalogue, data, report_submission)) = user
        .load(move |conn, access| {
            let school = schools::get(conn, access, school_id)?;
            let catalogue = indicators::catalogue(conn)?;
            let data = status_data::compute(conn, &catalogue, &school, year)?;
            let report = submissions::latest_of_year(
                conn,
                &school,
                SubmissionKind::AnnualQualityReport,
                year,
            )?;
            Ok((school, catalogue, data, report))
        })
        .await?;
    let lang = page.lang;
    let standards = crate::domain::peers::standards(school.kind);
    let shown = |code: &str, v: Option<&f64>| {
        let indicator = catalogue.by_code(code);
        match (v, indicator) {
            (Some(v), Some(i)) => i.display(*v, lang),
            (Some(v), None) => crate::domain::numbers::figure(*v),
            (None, _) => String::new(),
        }
    };
    let lines: Vec<FormLine> = catalogue
        .entered()
        .map(|i| FormLine {
            code: i.code.clone(),
            name: i.name_in(lang).to_owned(),
            unit: i.unit.label(lang).to_owned(),
            help: i.help_in(lang).unwrap_or_default().to_owned(),
            // The unit has its own column here.
            previous: data
                .previous
                .get(&i.code)
                .map(|v| crate::domain::numbers::grouped(*v, i.decimals()))
                .unwrap_or_default(),
            value: match typed {
                Some(form) => field(form, &format!("f_{}", i.code)).to_owned(),
                None => data
                    .figures
                    .get(&i.code)
                    .map(|v| crate::domain::numbers::grouped(*v, i.decimals()))
                    .unwrap_or_default(),
            },
            error: field_errors.get(&format!("figures.{}", i.code)).cloned(),
        })
        .collect();
    let ratios: Vec<RatioLine> = catalogue
        .derived()
        .filter_map(|i| {
            let ratio = i.ratio.as_ref()?;
            let value = data.derived.get(&i.code).copied();
            let standard = standards.iter().find(|s| s.measure == i.code);
            let below = match (value, standard) {
                (Some(v), Some(s)) => {
                    s.minimum.is_some_and(|m| v < m) || s.maximum.is_some_and(|m| v > m)
                }
                _ => false,
            };
            Some(RatioLine {
                code: i.code.clone(),
                name: i.name_in(lang).to_owned(),
                unit: i.unit.label(lang).to_owned(),
                value: shown(&i.code, value.as_ref()),
                previous: shown(&i.code, data.previous.get(&i.code)),
                numerator: ratio.numerator.clone(),
                denominator: ratio.denominator.clone(),
                scale: ratio.scale,
                decimals: i.decimals(),
                standard: match standard {
                    Some(s) => match (s.minimum, s.maximum) {
                        (Some(m), _) => format!("≥ {}", i.display(m, lang)),
                        (None, Some(m)) => format!("≤ {}", i.display(m, lang)),
                        _ => String::new(),
                    },
                    None => String::new(),
                },
                below,
            })
        })
        .collect();
    let mut flags: Vec<FlagLine> = Vec::new();
    for flag in &data.flags {
        let indicator = catalogue.by_code(&flag.code);
        let text = flag.describe(indicator, lang);
        if let Some(line) = flags.iter_mut().find(|l| l.code == flag.code) {
            line.text = format!("{}；{text}", line.text);
            continue;
        }
        flags.push(FlagLine {
            code: flag.code.clone(),
            name: indicator.map_or(flag.code.clone(), |i| i.name_in(lang).to_owned()),
            text,
            explanation: match typed {
                Some(form) => field(form, &format!("x_{}", flag.code)).to_owned(),
                None => data
                    .explanations
                    .get(&flag.code)
                    .cloned()
                    .unwrap_or_default(),
            },
            error: field_errors
                .get(&format!("explanations.{}", flag.code))
                .cloned(),
        });
    }
    let access = me.access();
    let keeps = access.keeps_record_of(school.id);
    let changeable = !data.locked && data.state != YearState::Submitted;
    let mut context = page.context(Some(&me));
    context.insert("school", &school);
    context.insert("year", &year);
    context.insert("data", &data);
    context.insert("lines", &lines);
    context.insert("ratios", &ratios);
    context.insert("flags", &flags);
    context.insert("keeps_record", &keeps);
    context.insert("editable", &(keeps && changeable));
    context.insert(
        "can_submit",
        &(submissions::prepares_for(&access, school.id)
            && changeable
            && !data.figures.is_empty()
            && data.round.as_ref().is_none_or(|r| !r.closed)),
    );
    context.insert(
        "can_reopen",
        &(data.locked && access.administers_province(school.province_id)),
    );
    context.insert("report_submission", &report_submission.map(|(id, _)| id));
    context.insert(
        "overdue",
        &data.round.as_ref().is_some_and(|r| {
            crate::domain::status_data::overdue(data.state, r.due_on, state.clock.today())
        }),
    );
    context.insert("entered_count", &data.figures.len());
    context.insert("entered_total", &catalogue.entered().count());
    // The summary names each field as people know it: an indicator, a cell of the sheet.
    let summary: BTreeMap<String, String> = field_errors
        .iter()
        .map(|(key, text)| {
            let label = key
                .split_once('.')
                .and_then(|(_, code)| catalogue.by_code(code))
                .map_or_else(|| key.clone(), |i| i.name_in(lang).to_owned());
            (label, text.clone())
        })
        .collect();
    context.insert("errors", &summary);
    context.insert("done", "");
    context.insert("problem", "");
    Ok(context)
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn year_page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, year) = path.into_inner();
    let year = year_of(year, &state)?;
    let mut context = year_context(&state, &page, &user, id, year, None, &BTreeMap::new()).await?;
    context.insert("done", query.done.as_deref().unwrap_or(""));
    page.ok(&state, "pages/status_data.html", &context)
}

/// The year's page again, with what went wrong: bad fields (422) or a refusal (409).
async fn year_again(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    (school_id, year): (i64, i32),
    typed: Option<&HashMap<String, String>>,
    error: AppError,
) -> Result<HttpResponse, AppError> {
    let (status, errors, problem) = match &error {
        AppError::Validation(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors.clone(),
            String::new(),
        ),
        AppError::Conflict { .. } | AppError::PayloadTooLarge(_) => (
            error.status_code(),
            FieldErrors::new(),
            problem_text(&error, page.lang),
        ),
        _ => return Err(error),
    };
    let localized = page.errors(&errors);
    let mut context = year_context(state, page, user, school_id, year, typed, &localized).await?;
    context.insert("problem", &problem);
    page.render(state, status, "pages/status_data.html", &context)
}

use actix_web::ResponseError;

pub async fn year_save(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (id, year) = path.into_inner();
    let year = year_of(year, &state)?;
    let typed = form.clone();
    let result = user
        .run(move |conn, access| {
            crate::store::record::writable_school(conn, access, id)?;
            let catalogue = indicators::catalogue(conn)?;
            let mut errors = FieldErrors::new();
            let mut figures = BTreeMap::new();
            for indicator in catalogue.entered() {
                match parse_typed(field(&typed, &format!("f_{}", indicator.code))) {
                    Ok(value) => {
                        figures.insert(indicator.code.clone(), value);
                    }
                    Err(problem) => {
                        errors.insert(format!("figures.{}", indicator.code), problem);
                    }
                }
            }
            let explanations: BTreeMap<String, String> = typed
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix("x_")?.to_owned(), v.clone())))
                .collect();
            if !errors.is_empty() {
                return Err(AppError::Validation(errors));
            }
            let input = StatusInput {
                figures: Some(figures),
                explanations: Some(explanations),
                version: field(&typed, "version").parse().ok(),
            };
            app::status_data::put(conn, access, id, year, &input, now_utc())
        })
        .await;
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/schools/{id}/status-data/{year}?done=saved"
        ))),
        Err(error) => year_again(&state, &page, &user, (id, year), Some(&form), error).await,
    }
}

pub async fn year_template(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (id, year) = path.into_inner();
    let year = year_of(year, &state)?;
    let (bytes, name) = user
        .run(move |conn, access| app::status_data::template(conn, access, id, year))
        .await?;
    Ok(attachment(bytes, XLSX_TYPE, &name))
}

pub async fn year_upload(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let (id, year) = path.into_inner();
    let year = year_of(year, &state)?;
    let outcome = async {
        let (bytes, fields) = small_upload(payload, MAX_TEMPLATE_BYTES).await?;
        page.check_csrf(fields.get("csrf_token").map(String::as_str).unwrap_or(""))?;
        user.run(move |conn, access| {
            app::status_data::apply_upload(conn, access, id, year, &bytes, now_utc())
        })
        .await
    }
    .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!(
            "/schools/{id}/status-data/{year}?done=uploaded"
        ))),
        Err(e @ (AppError::CsrfRejected | AppError::NotFound | AppError::Forbidden)) => Err(e),
        Err(error) => year_again(&state, &page, &user, (id, year), None, error).await,
    }
}

/// Hands the year to the province: the year's status-data submission (a new one when none
/// is in progress) is submitted with the figures of this moment.
pub async fn year_submit(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    _form: Form,
) -> Result<HttpResponse, AppError> {
    let (id, year) = path.into_inner();
    let year = year_of(year, &state)?;
    let lang = page.lang;
    let result = user
        .run(move |conn, access| {
            let title = crate::i18n::t(lang, "status_submission_title")
                .replace("{year}", &year.to_string());
            let kind = SubmissionKind::StatusData;
            app::submissions::hand_in_year(conn, access, id, kind, year, title, now_utc())
        })
        .await;
    match result {
        Ok(submitted) => Ok(see_other(&format!(
            "/submissions/{}?done=step",
            submitted.submission.id
        ))),
        Err(error) => year_again(&state, &page, &user, (id, year), None, error).await,
    }
}

pub async fn year_reopen(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (id, year) = path.into_inner();
    let year = year_of(year, &state)?;
    let input = app::status_data::ReopenInput {
        reason: field(&form, "reason").to_owned(),
    };
    let result = user
        .run(move |conn, access| {
            app::status_data::reopen(conn, access, id, year, &input, now_utc())
        })
        .await;
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/schools/{id}/status-data/{year}?done=reopened"
        ))),
        Err(error) => year_again(&state, &page, &user, (id, year), None, error).await,
    }
}

// ---- The annual report -----------------------------------------------------------------

async fn report_context(
    page: &Page,
    user: &CurrentUser,
    school_id: i64,
    year: i32,
) -> Result<tera::Context, AppError> {
    let (me, (school, sections, locked, submission)) = user
        .load(move |conn, access| {
            let school = schools::get(conn, access, school_id)?;
            let sections = status_data::report_sections(conn, &school, year)?;
            let locked =
                status_data::year_row(conn, &school, year)?.is_some_and(|r| r.locked_at.is_some());
            let submission = submissions::latest_of_year(
                conn,
                &school,
                SubmissionKind::AnnualQualityReport,
                year,
            )?;
            Ok((school, sections, locked, submission))
        })
        .await?;
    let access = me.access();
    let mut context = page.context(Some(&me));
    context.insert("school", &school);
    context.insert("year", &year);
    context.insert("sections", &sections);
    context.insert("locked", &locked);
    context.insert("writes", &access.keeps_record_of(school.id));
    context.insert("attaches", &submissions::prepares_for(&access, school.id));
    context.insert("submission_id", &submission.map(|(id, _)| id));
    context.insert(
        "submission_status",
        &submission.map(|(_, s)| s.as_str()).unwrap_or(""),
    );
    context.insert("done", "");
    context.insert("problem", "");
    context.insert("errors", &BTreeMap::<String, String>::new());
    Ok(context)
}

pub async fn report_page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, year) = path.into_inner();
    let year = year_of(year, &state)?;
    let mut context = report_context(&page, &user, id, year).await?;
    context.insert("done", query.done.as_deref().unwrap_or(""));
    page.ok(&state, "pages/annual_report.html", &context)
}

pub async fn report_save(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (id, year) = path.into_inner();
    let year = year_of(year, &state)?;
    let input = ReportSectionsInput {
        highlights: Some(field(&form, "highlights").to_owned()),
        problems: Some(field(&form, "problems").to_owned()),
    };
    let result = user
        .run(move |conn, access| {
            app::annual_report::put_sections(conn, access, id, year, &input, now_utc())
        })
        .await;
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/schools/{id}/annual-report/{year}?done=saved"
        ))),
        Err(AppError::Validation(errors)) => {
            let mut context = report_context(&page, &user, id, year).await?;
            context.insert("errors", &page.errors(&errors));
            context.insert(
                "sections",
                &serde_json::json!({"highlights": field(&form, "highlights"), "problems": field(&form, "problems")}),
            );
            page.render(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                "pages/annual_report.html",
                &context,
            )
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// The report's language on the page: asked for, else the page's.
fn report_lang(query: &LangQuery, page: &Page) -> Lang {
    query
        .lang
        .as_deref()
        .and_then(Lang::from_tag)
        .unwrap_or(page.lang)
}

pub async fn report_print(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, year) = path.into_inner();
    let year = year_of(year, &state)?;
    let lang = report_lang(&query, &page);
    let view = annual_report::report_view(&state, &user, id, year, lang).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(annual_report::html(&state, &view, lang)?))
}

pub async fn report_docx(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, year) = path.into_inner();
    let year = year_of(year, &state)?;
    let lang = report_lang(&query, &page);
    let view = annual_report::report_view(&state, &user, id, year, lang).await?;
    let bytes = crate::report::docx::write(&view)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("docx: {e}")))?;
    Ok(attachment(
        bytes,
        DOCX_TYPE,
        &format!("{id}-{year}-annual-quality-report.docx"),
    ))
}

pub async fn report_attach(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (id, year) = path.into_inner();
    let year = year_of(year, &state)?;
    let lang = Lang::from_tag(field(&form, "lang")).unwrap_or(page.lang);
    match annual_report::attach_report(&state, &user, id, year, lang).await {
        Ok(evidence) => Ok(see_other(&format!(
            "/submissions/{}?done=uploaded#evidence",
            evidence.submission_id
        ))),
        Err(error @ AppError::Conflict { .. }) => {
            let mut context = report_context(&page, &user, id, year).await?;
            context.insert("problem", &problem_text(&error, page.lang));
            page.render(
                &state,
                StatusCode::CONFLICT,
                "pages/annual_report.html",
                &context,
            )
        }
        Err(other) => Err(other),
    }
}

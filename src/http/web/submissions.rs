//! The submission pages: a school's submissions and the form to prepare one, the
//! submission page (evidence by round, upload with progress, submit, review and sign-off
//! forms, the steps so far), the province's queue, and evidence downloads for the pages.

use std::collections::BTreeMap;

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::page::{Checked, Page, Posted, see_other};
use crate::app::{self, submissions::SubmissionInput};
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::domain::Role;
use crate::domain::paging::Paging;
use crate::domain::workflow::{Action, ReviewDecision, SignOffDecision, SubmissionStatus};
use crate::error::{AppError, FieldErrors, Msg};
use crate::http::documents::{DOCX_TYPE, self_evaluation_report};
use crate::http::export::{XLSX_TYPE, attachment};
use crate::http::files::{receive, refuse_declared_oversize, serve_file, store_upload};
use crate::state::AppState;
use crate::store::{audits, findings, schools, submissions, titles};

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn school_submissions_context(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    school_id: i64,
) -> Result<tera::Context, AppError> {
    let today = state.clock.today();
    let (me, (school, list, catalogue, holdings, school_audits, school_findings)) = user
        .load(move |conn, access| {
            let school = schools::get(conn, access, school_id)?;
            let filter = submissions::SubmissionFilter {
                status: None,
                school_id: Some(school_id),
            };
            let list = submissions::page(conn, access, filter, &Paging::default())?.rows;
            Ok((
                school,
                list,
                titles::list_types(conn)?,
                titles::list_holdings(conn, access, school_id, today)?,
                audits::list(conn, access, school_id, 100, 0)?.0,
                findings::for_school(conn, access, school_id)?,
            ))
        })
        .await?;
    let access = me.access();
    let mut context = page.context(Some(&me));
    context.insert(
        "prepares",
        &(access.role == Role::QualityOfficer && access.school_id == Some(school.id)),
    );
    context.insert("school", &school);
    context.insert("submissions", &list);
    context.insert("catalogue", &catalogue);
    context.insert("holdings", &holdings);
    context.insert("audits", &school_audits);
    context.insert("findings", &school_findings);
    context.insert("errors", &BTreeMap::<String, String>::new());
    context.insert("typed", &HashMap::<String, String>::new());
    context.insert("this_year", &today.year());
    Ok(context)
}

pub async fn school_submissions(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let context = school_submissions_context(&state, &page, &user, id.into_inner()).await?;
    page.ok(&state, "pages/submissions.html", &context)
}

pub async fn create(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Posted<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let fields = form.into_inner();
    let text = |name: &str| {
        fields
            .get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let (school_id, this_year) = (id.into_inner(), state.clock.today().year());
    let number = |name: &str| text(name).and_then(|v| v.parse::<i64>().ok());
    let input = SubmissionInput {
        kind: text("kind").unwrap_or_default(),
        title: text("title").unwrap_or_default(),
        summary: text("summary"),
        title_type_code: text("title_type_code"),
        school_title_id: number("school_title_id"),
        audit_id: number("audit_id"),
        finding_id: number("finding_id"),
        year: number("year"),
    };
    let result = user
        .run(move |conn, access| {
            let new = || input.validate(this_year);
            crate::app::submissions::create(conn, access, school_id, new, now_utc())
        })
        .await;
    match result {
        Ok(created) => Ok(see_other(&format!(
            "/submissions/{}?done=created",
            created.submission.id
        ))),
        Err(AppError::Validation(errors)) => {
            let mut context = school_submissions_context(&state, &page, &user, school_id).await?;
            context.insert("errors", &page.errors(&errors));
            context.insert("typed", &fields);
            page.render(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                "pages/submissions.html",
                &context,
            )
        }
        Err(other) => Err(other),
    }
}

async fn submission_context(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    id: i64,
) -> Result<tera::Context, AppError> {
    let today = state.clock.today();
    let (me, (detail, events, school, catalogue, (evaluation, panel))) = user
        .load(move |conn, access| {
            let detail = submissions::get(conn, access, id)?;
            let events = submissions::events(conn, access, id)?;
            let evaluation = match app::evaluations::get(conn, access, id) {
                Ok(evaluation) => {
                    let rights =
                        app::panels::rights(conn, access, &detail.submission, &evaluation, today)?;
                    (Some(evaluation), rights)
                }
                Err(AppError::NotFound) => (None, Default::default()),
                Err(e) => return Err(e),
            };
            let school = schools::get(conn, access, detail.submission.school_id)?;
            let catalogue = match detail.content {
                Some(_) => Some(crate::store::indicators::catalogue(conn)?),
                None => None,
            };
            Ok((detail, events, school, catalogue, evaluation))
        })
        .await?;
    let status = detail.submission.status;
    let access = me.access();
    let officer = access.role == Role::QualityOfficer && access.school_id == Some(school.id);
    let of_province = access.province_id == Some(school.province_id);
    let mut context = page.context(Some(&me));
    context.insert(
        "can_prepare",
        &(officer && crate::domain::workflow::accepts_evidence(status)),
    );
    context.insert(
        "can_review",
        &(status == SubmissionStatus::Submitted
            && of_province
            && matches!(access.role, Role::Reviewer | Role::ProvinceAdmin)),
    );
    let recommender = detail.submission.recommended_by.is_some()
        && detail.submission.recommended_by == access.actor_id();
    context.insert(
        "can_sign_off",
        &(status == SubmissionStatus::Recommended
            && of_province
            && access.role == Role::ProvinceAdmin
            && !recommender),
    );
    context.insert(
        "is_recommender",
        &(status == SubmissionStatus::Recommended && recommender),
    );
    context.insert(
        "handed_in",
        &match (&detail.content, &catalogue) {
            (Some(content), Some(catalogue)) => Some(handed_in(content, catalogue, page.lang)),
            _ => None,
        },
    );
    context.insert("evaluation", &evaluation);
    context.insert("panel_rights", &panel);
    context.insert("submission", &detail.submission);
    context.insert("evidence", &detail.evidence);
    let rounds: Vec<serde_json::Value> = (1..=detail.submission.round)
        .filter_map(|round| {
            let files: Vec<_> = detail
                .evidence
                .iter()
                .filter(|e| e.round == round)
                .collect();
            (!files.is_empty()).then(|| serde_json::json!({"round": round, "files": files}))
        })
        .collect();
    context.insert("rounds", &rounds);
    context.insert("events", &events);
    context.insert("school", &school);
    context.insert("done", "");
    context.insert("problem", "");
    context.insert("problem_text", "");
    context.insert("errors", &BTreeMap::<String, String>::new());
    context.insert(
        "max_upload_mib",
        &(state.settings.max_upload_bytes / (1024 * 1024)),
    );
    Ok(context)
}

/// What a status-data submission handed in, for the reviewer: the flags with the school's
/// explanations first, then every figure and ratio.
fn handed_in(
    content: &serde_json::Value,
    catalogue: &crate::store::indicators::Catalogue,
    lang: crate::domain::lang::Lang,
) -> serde_json::Value {
    use crate::domain::status_data::{Figures, Flag};
    let figures: Figures = serde_json::from_value(content["figures"].clone()).unwrap_or_default();
    let derived: Figures = serde_json::from_value(content["derived"].clone()).unwrap_or_default();
    let flags: Vec<Flag> = serde_json::from_value(content["flags"].clone()).unwrap_or_default();
    let explanations: BTreeMap<String, String> =
        serde_json::from_value(content["explanations"].clone()).unwrap_or_default();
    let name = |code: &str| {
        catalogue
            .by_code(code)
            .map_or(code.to_owned(), |i| i.name_in(lang).to_owned())
    };
    let flagged: Vec<serde_json::Value> = flags
        .iter()
        .map(|f| {
            serde_json::json!({
                "name": name(&f.code),
                "text": f.describe(catalogue.by_code(&f.code), lang),
                "explanation": explanations.get(&f.code),
            })
        })
        .collect();
    let lines: Vec<serde_json::Value> = catalogue
        .iter()
        .filter_map(|i| {
            let value = figures.get(&i.code).or_else(|| derived.get(&i.code))?;
            Some(serde_json::json!({"name": i.name_in(lang), "value": i.display(*value, lang), "derived": i.derived}))
        })
        .collect();
    serde_json::json!({"year": content["year"], "flags": flagged, "figures": lines})
}

pub async fn submission_page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let mut context = submission_context(&state, &page, &user, id.into_inner()).await?;
    context.insert("done", query.done.as_deref().unwrap_or(""));
    page.ok(&state, "pages/submission.html", &context)
}

/// The submission page again with what went wrong: a conflict, a refused file, bad fields.
pub(super) async fn submission_again(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    id: i64,
    error: AppError,
) -> Result<HttpResponse, AppError> {
    let said = error.public_message().text(page.lang);
    let (status, problem, errors) = match error {
        AppError::Validation(errors) => (StatusCode::UNPROCESSABLE_ENTITY, String::new(), errors),
        AppError::Refused { code, fields, .. } => {
            (StatusCode::UNPROCESSABLE_ENTITY, code.to_owned(), fields)
        }
        AppError::Conflict { code, .. } => {
            (StatusCode::CONFLICT, code.to_owned(), FieldErrors::new())
        }
        AppError::ConflictOver { code, fields, .. } => {
            (StatusCode::CONFLICT, code.to_owned(), fields)
        }
        AppError::PayloadTooLarge(_) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large".to_owned(),
            FieldErrors::new(),
        ),
        AppError::UnsupportedMediaType(_) => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "wrong_type".to_owned(),
            FieldErrors::new(),
        ),
        other => return Err(other),
    };
    let mut context = submission_context(state, page, user, id).await?;
    context.insert("problem", &problem);
    context.insert("problem_text", &said);
    context.insert("errors", &page.errors(&errors));
    page.render(state, status, "pages/submission.html", &context)
}

pub async fn upload(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    req: HttpRequest,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    user.run(move |conn, access| submissions::check_evidence_allowed(conn, access, id))
        .await?;
    let outcome = async {
        refuse_declared_oversize(&state, &req)?;
        let (received, fields) = receive(&state, payload).await?;
        // A forged form never gets its file stored: the staged copy is dropped here.
        page.check_csrf(&fields.csrf_token)?;
        store_upload(&state, &user, id, received, fields.description).await
    }
    .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!(
            "/submissions/{id}?done=uploaded#evidence"
        ))),
        Err(e @ AppError::CsrfRejected) => Err(e),
        Err(error) => submission_again(&state, &page, &user, id, error).await,
    }
}

pub async fn step(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Posted<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let fields = form.into_inner();
    let get = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    let id = id.into_inner();
    let action = match (get("step"), get("decision")) {
        ("submit", _) => Ok(Action::Submit),
        ("withdraw", _) => Ok(Action::Withdraw),
        ("review", d) => ReviewDecision::parse(d)
            .map(Action::Review)
            .map_err(|e| AppError::field("decision", e)),
        ("sign_off", d) => SignOffDecision::parse(d)
            .map(Action::SignOff)
            .map_err(|e| AppError::field("decision", e)),
        _ => Err(AppError::bad_request("unknown_step", Msg::UnknownStep)),
    };
    let version = get("version").parse().ok();
    let comment = Some(get("comment").to_owned()).filter(|c| !c.trim().is_empty());
    let outcome = match action {
        Ok(action) => {
            let today = state.clock.today();
            user.run(move |conn, access| {
                let comment = comment.as_deref();
                app::submissions::step(conn, access, id, action, comment, version, today, now_utc())
            })
            .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Ok(see_other(&format!("/submissions/{id}?done=step"))),
        Err(error) => submission_again(&state, &page, &user, id, error).await,
    }
}

#[derive(Deserialize)]
pub struct QueueQuery {
    status: Option<String>,
    /// a school id, or part of a school's name; blank means all
    school: Option<String>,
    kind: Option<String>,
    page: Option<i64>,
}

/// Rows on one page of the queue.
const QUEUE_PER_PAGE: i64 = 50;

/// The province's queue: what waits for review or sign-off, oldest first, with filters,
/// a page at a time.
pub async fn queue(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, AppError> {
    let requested = query
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(SubmissionStatus::parse)
        .transpose()
        .map_err(|e| AppError::field("status", e))?;
    let school_text = query.school.as_deref().map(str::trim).unwrap_or("");
    // A number names the school; other text is part of its name.
    let (school_id, school_name) = match school_text.parse::<i64>() {
        Ok(id) => (Some(id), None),
        Err(_) => (None, Some(school_text.to_owned()).filter(|t| !t.is_empty())),
    };
    let kind = query.kind.clone().filter(|k| !k.is_empty());
    let number = query.page.unwrap_or(1).max(1);
    let (me, (status, found)) = user
        .load(move |conn, access| {
            // What waits for the caller: recommendations for the bureau, else submissions.
            let status = requested.unwrap_or(if access.role == Role::ProvinceAdmin {
                SubmissionStatus::Recommended
            } else {
                SubmissionStatus::Submitted
            });
            let filter = submissions::QueueFilter {
                status: Some(status),
                school_id,
                school_name,
                kind,
            };
            let found = submissions::queue(conn, access, &filter, number - 1, QUEUE_PER_PAGE)?;
            Ok((status, found))
        })
        .await?;
    let counts: HashMap<String, i64> = found.counts.into_iter().collect();
    let rows: Vec<_> = found
        .rows
        .iter()
        .map(|(s, name, name_zh)| {
            serde_json::json!({"submission": s, "school": {"name": name, "name_zh": name_zh}})
        })
        .collect();
    let mut context = page.context(Some(&me));
    context.insert("rows", &rows);
    context.insert("counts", &counts);
    context.insert("status", status.as_str());
    context.insert("school_filter", school_text);
    let pager_query = format!(
        "status={}&school={}&kind={}",
        status.as_str(),
        crate::templates::percent_encode(school_text),
        crate::templates::percent_encode(query.kind.as_deref().unwrap_or(""))
    );
    context.insert("pager_query", &pager_query);
    context.insert("kind_filter", query.kind.as_deref().unwrap_or(""));
    context.insert("total", &found.total);
    context.insert("page_number", &number);
    context.insert(
        "pages",
        &((found.total + QUEUE_PER_PAGE - 1) / QUEUE_PER_PAGE).max(1),
    );
    page.ok(&state, "pages/queue.html", &context)
}

pub async fn evidence_file(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let found = user
        .run(move |conn, access| submissions::evidence(conn, access, id))
        .await?;
    serve_file(&state, &found).await
}

/// One's inbox: the workflow steps that concern one, newest first.
pub async fn inbox(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let (me, (notices, unread)) = user
        .run_as(|conn, me| Ok((me.clone(), submissions::inbox(conn, me.user.id)?)))
        .await?;
    let mut context = page.context(Some(&me));
    context.insert("notices", &notices);
    context.insert("unread", &unread);
    page.ok(&state, "pages/inbox.html", &context)
}

pub async fn inbox_read(user: CurrentUser, _form: Checked) -> Result<HttpResponse, AppError> {
    user.run_as(|conn, me| submissions::mark_read(conn, me.user.id, now_utc()))
        .await?;
    Ok(see_other("/inbox"))
}

/// The officer's word on one item of the evaluation, from its form on the submission page:
/// `self_score` (or `self_met` for a veto item), `self_note`, and a box `evidence_{id}` for
/// each file that supports it.
pub async fn assess(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    path: web::Path<(i64, String)>,
    form: Posted<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (id, reference) = path.into_inner();
    let form = form.into_inner();
    let Scored {
        score,
        met,
        words: note,
        problems,
    } = scored(&form, "self_score", "self_met", "self_note");
    let mut evidence: Vec<i64> = form
        .keys()
        .filter_map(|k| k.strip_prefix("evidence_"))
        .filter_map(|id| id.parse().ok())
        .collect();
    evidence.sort_unstable();
    let input = app::evaluations::SelfAssessmentInput {
        self_score: score,
        self_met: met,
        self_note: note,
        evidence_ids: Some(evidence),
    };
    let outcome = if problems.is_empty() {
        let r = reference.clone();
        user.run(move |conn, access| {
            app::evaluations::self_assess(conn, access, id, &r, &input, now_utc())
        })
        .await
        .map(|_| ())
    } else {
        Err(AppError::Validation(problems))
    };
    match outcome {
        Ok(()) => Ok(see_other(&format!(
            "/submissions/{id}?done=assessed#criterion-{reference}"
        ))),
        Err(error) => submission_again(&state, &page, &user, id, error).await,
    }
}

/// A score form's fields as the use cases take them: the score (a number, `,` or `.`), met
/// or not, and the words (a note, a reason); an empty field leaves a score or a judgement
/// as it is and clears the words.
pub(super) struct Scored {
    pub score: Option<Option<f64>>,
    pub met: Option<Option<bool>>,
    pub words: Option<Option<String>>,
    pub problems: FieldErrors,
}

pub(super) fn scored(
    form: &HashMap<String, String>,
    score_field: &str,
    met_field: &str,
    words_field: &str,
) -> Scored {
    let text = |name: &str| form.get(name).map(|v| v.trim()).unwrap_or("");
    let mut problems = FieldErrors::new();
    let score = match text(score_field) {
        "" => None,
        raw => match raw.replace(',', ".").parse::<f64>() {
            Ok(v) => Some(Some(v)),
            Err(_) => {
                problems.insert(score_field.into(), crate::error::Msg::NotNumber);
                None
            }
        },
    };
    let met = match text(met_field) {
        "true" => Some(Some(true)),
        "false" => Some(Some(false)),
        _ => None,
    };
    let words = Some(Some(text(words_field).to_owned()).filter(|n| !n.is_empty()));
    Scored {
        score,
        met,
        words,
        problems,
    }
}

/// The evaluation's score sheet, from the submission page.
pub async fn score_sheet(user: CurrentUser, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (bytes, name) = user
        .run(move |conn, access| app::evaluations::score_sheet(conn, access, id))
        .await?;
    Ok(attachment(bytes, XLSX_TYPE, &name))
}

/// The self-evaluation report, in the page's language.
pub async fn evaluation_report(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (bytes, name) = self_evaluation_report(&state, &user, id.into_inner(), page.lang).await?;
    Ok(attachment(bytes, DOCX_TYPE, &name))
}

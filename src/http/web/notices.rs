//! The public notice (公示) as pages: the notice itself, for anyone and without signing in,
//! with the form to object while it is open; and the province's page of its notices, the
//! form to publish one and every objection with the form to resolve it. Each form calls the
//! use case the API calls.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::page::{Page, Posted, see_other};
use crate::app::notices::{self as use_case, NoticeInput, ObjectionInput, ResolveInput};
use crate::auth::CurrentUser;
use crate::auth::session::client_addr;
use crate::clock::now_utc;
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;

type Form = Posted<HashMap<String, String>>;

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

fn field(form: &HashMap<String, String>, name: &str) -> String {
    form.get(name)
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

/// The names of the title catalogue, by code, in both languages.
fn title_names(
    conn: &mut crate::db::DbConn,
) -> Result<HashMap<String, (String, Option<String>)>, AppError> {
    Ok(crate::store::titles::list_types(conn)?
        .into_iter()
        .map(|t| (t.code, (t.name, t.name_zh)))
        .collect())
}

/// The title of each entry of a notice, in `lang`.
fn entry_titles(
    notice: &crate::store::notices::PublicNotice,
    titles: &HashMap<String, (String, Option<String>)>,
    lang: crate::domain::lang::Lang,
) -> Vec<String> {
    notice
        .entries
        .iter()
        .map(|e| {
            let found = e.title_type_code.as_ref().and_then(|c| titles.get(c));
            match (found, lang) {
                (Some((_, Some(zh))), crate::domain::lang::Lang::ZhCn) => zh.clone(),
                (Some((en, _)), _) => en.clone(),
                (None, _) => e.title_type_code.clone().unwrap_or_default(),
            }
        })
        .collect()
}

async fn public_context(state: &AppState, page: &Page, id: i64) -> Result<tera::Context, AppError> {
    let today = state.clock.today();
    let (notice, province, titles) = state
        .db
        .run(move |conn| {
            let notice = use_case::public(conn, id, today)?;
            let province = crate::store::provinces::get(conn, notice.province_id)?;
            Ok((notice, province, title_names(conn)?))
        })
        .await?;
    let mut context = page.context(None);
    context.insert("entry_titles", &entry_titles(&notice, &titles, page.lang));
    context.insert("notice", &notice);
    context.insert("province", &province);
    context.insert("errors", &BTreeMap::<String, String>::new());
    context.insert("typed", &HashMap::<String, String>::new());
    context.insert("problem_text", "");
    context.insert("done", "");
    Ok(context)
}

/// The notice as published, for anyone: the schools, titles, consensus totals and outcomes,
/// and while it is open the form to object.
pub async fn public_page(
    state: web::Data<AppState>,
    page: Page,
    id: web::Path<i64>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let mut context = public_context(&state, &page, id.into_inner()).await?;
    context.insert("done", query.done.as_deref().unwrap_or(""));
    page.ok(&state, "pages/notice.html", &context)
}

/// An objection from the notice's form.
pub async fn object(
    state: web::Data<AppState>,
    page: Page,
    request: HttpRequest,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let (id, form, today) = (id.into_inner(), form.into_inner(), state.clock.today());
    let address = client_addr(&request);
    let input = ObjectionInput {
        submission_id: field(&form, "submission_id").parse().unwrap_or(0),
        name: field(&form, "name"),
        contact: field(&form, "contact"),
        text: field(&form, "text"),
    };
    let result = state
        .db
        .run(move |conn| use_case::object(conn, id, &input, &address, today, now_utc()))
        .await;
    let (status, errors, said) = match result {
        Ok(_) => return Ok(see_other(&format!("/notices/{id}?done=objected#objection"))),
        Err(AppError::Validation(errors)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, errors, String::new())
        }
        Err(error @ (AppError::Conflict { .. } | AppError::TooManyRequests { .. })) => {
            let status = actix_web::ResponseError::status_code(&error);
            (
                status,
                FieldErrors::new(),
                error.public_message().text(page.lang),
            )
        }
        Err(other) => return Err(other),
    };
    let mut context = public_context(&state, &page, id).await?;
    context.insert("errors", &page.errors(&errors));
    context.insert("typed", &form);
    context.insert("problem_text", &said);
    page.render(&state, status, "pages/notice.html", &context)
}

async fn province_context(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    province_id: i64,
) -> Result<tera::Context, AppError> {
    let today = state.clock.today();
    let (me, (province, notices, objections, candidates)) = user
        .load(move |conn, access| {
            let notices = use_case::list(conn, access, province_id, today)?;
            let province = crate::store::provinces::get(conn, province_id)?;
            let objections = match use_case::objections(conn, access, province_id) {
                Ok(all) => Some(all),
                Err(AppError::Forbidden) => None,
                Err(e) => return Err(e),
            };
            let candidates = match use_case::candidates(conn, access, province_id, today) {
                Ok(all) => Some(all),
                Err(AppError::Forbidden) => None,
                Err(e) => return Err(e),
            };
            Ok((province, notices, objections, candidates))
        })
        .await?;
    let mut context = page.context(Some(&me));
    context.insert("province", &province);
    context.insert("published", &notices);
    context.insert("objections", &objections);
    context.insert("candidates", &candidates);
    context.insert("today", &today.to_string());
    context.insert("errors", &BTreeMap::<String, String>::new());
    context.insert("typed", &HashMap::<String, String>::new());
    context.insert("failed", &-1);
    context.insert("done", "");
    Ok(context)
}

/// The province's notices and objections; for its admin the forms to publish and resolve.
pub async fn province_page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let mut context = province_context(&state, &page, &user, id.into_inner()).await?;
    context.insert("done", query.done.as_deref().unwrap_or(""));
    page.ok(&state, "pages/notices.html", &context)
}

/// The page again with the errors of the form that failed (`failed`: 0 for a new notice,
/// else the objection's id).
async fn province_again(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    province: i64,
    failed: i64,
    form: &HashMap<String, String>,
    error: AppError,
) -> Result<HttpResponse, AppError> {
    let (status, errors) = match &error {
        AppError::Validation(errors) => (StatusCode::UNPROCESSABLE_ENTITY, page.errors(errors)),
        AppError::Conflict { .. } => (
            StatusCode::CONFLICT,
            BTreeMap::from([("state".to_owned(), error.public_message().text(page.lang))]),
        ),
        _ => return Err(error),
    };
    let mut context = province_context(state, page, user, province).await?;
    context.insert("errors", &errors);
    context.insert("typed", form);
    context.insert("failed", &failed);
    page.render(state, status, "pages/notices.html", &context)
}

/// A notice from the province's form: its title, words, dates and a box `entry_{id}` for
/// each application it publishes.
pub async fn publish(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let (province, form, today) = (id.into_inner(), form.into_inner(), state.clock.today());
    let mut submission_ids: Vec<i64> = form
        .keys()
        .filter_map(|k| k.strip_prefix("entry_"))
        .filter_map(|v| v.parse().ok())
        .collect();
    submission_ids.sort_unstable();
    let body = field(&form, "body");
    let input = NoticeInput {
        title: field(&form, "title"),
        body: (!body.is_empty()).then_some(body),
        submission_ids,
        opens_on: field(&form, "opens_on"),
        closes_on: field(&form, "closes_on"),
    };
    let result = user
        .run(move |conn, access| {
            use_case::publish(conn, access, province, &input, today, now_utc())
        })
        .await;
    match result {
        Ok(notice) => Ok(see_other(&format!(
            "/provinces/{province}/notices?done=published#notice-{}",
            notice.id
        ))),
        Err(error) => province_again(&state, &page, &user, province, 0, &form, error).await,
    }
}

/// An objection's resolution from its form: `upheld` (true or false) and `resolution`.
pub async fn resolve(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let (id, form) = (id.into_inner(), form.into_inner());
    let province: i64 = field(&form, "province_id").parse().unwrap_or(0);
    let input = ResolveInput {
        upheld: field(&form, "upheld") == "true",
        resolution: field(&form, "resolution"),
    };
    let result = user
        .run(move |conn, access| use_case::resolve(conn, access, id, &input, now_utc()))
        .await;
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/provinces/{province}/notices?done=resolved#objection-{id}"
        ))),
        Err(error) => province_again(&state, &page, &user, province, id, &form, error).await,
    }
}

//! The province's programmes page: their progress, and for the province admin a form to set
//! one, and on each a form to change its name, target or date, and to close or reopen it.
//! The checks are the API's (`ProgrammeInput`, `ProgrammePatchInput`).

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::page::{Page, Posted, see_other};
use super::records::Fields;
use crate::app::programmes::{self as use_case, ProgrammeInput, ProgrammePatchInput};
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::programmes;

type Form = Posted<HashMap<String, String>>;

async fn context(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    province_id: i64,
) -> Result<tera::Context, AppError> {
    let (today, kept) = (state.clock.today(), state.kept.clone());
    let (me, (province, list, titles, indicators)) = user
        .load(move |conn, access| {
            let list = programmes::list(conn, access, &kept.programmes, province_id, today)?;
            let province = crate::store::provinces::get(conn, province_id)?;
            let titles = crate::store::titles::list_types(conn)?;
            let indicators: Vec<serde_json::Value> = crate::store::indicators::catalogue(conn)?
                .iter()
                .map(|i| serde_json::json!({"code": i.code, "name": i.name, "name_zh": i.name_zh}))
                .collect();
            Ok((province, list, titles, indicators))
        })
        .await?;
    let mut context = page.context(Some(&me));
    let (open, closed): (Vec<_>, Vec<_>) = list.into_iter().partition(|p| p.closed_on.is_none());
    context.insert("province", &province);
    context.insert("programmes", &open);
    context.insert("closed_programmes", &closed);
    context.insert("title_types", &titles);
    context.insert("indicators", &indicators);
    context.insert("manages", &me.access().administers_province(province_id));
    context.insert("errors", &BTreeMap::<String, String>::new());
    context.insert("typed", &HashMap::<String, String>::new());
    context.insert("failed", &0);
    Ok(context)
}

pub async fn page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let context = context(&state, &page, &user, id.into_inner()).await?;
    page.ok(&state, "pages/programmes.html", &context)
}

/// The page again with the errors of the form that failed (`failed`: 0 for the new one,
/// else the programme's id) and what was typed.
async fn again(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    province: i64,
    failed: i64,
    form: &HashMap<String, String>,
    error: AppError,
) -> Result<HttpResponse, AppError> {
    let errors = match &error {
        AppError::Validation(errors) => page.errors(errors),
        AppError::Conflict { .. } => {
            BTreeMap::from([("version".to_owned(), error.public_message().text(page.lang))])
        }
        _ => return Err(error),
    };
    let mut context = context(state, page, user, province).await?;
    context.insert("errors", &errors);
    context.insert("typed", form);
    context.insert("failed", &failed);
    page.render(
        state,
        StatusCode::UNPROCESSABLE_ENTITY,
        "pages/programmes.html",
        &context,
    )
}

pub async fn create(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let form = Fields(form.into_inner());
    let (province, today) = (id.into_inner(), state.clock.today());
    let input = ProgrammeInput {
        name: form.optional("name").unwrap_or_default(),
        title_type_code: form.optional("title_type_code"),
        indicator: form.optional("indicator"),
        threshold: form.optional("threshold").and_then(|t| t.parse().ok()),
        target_count: form
            .optional("target_count")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0),
        target_date: form.optional("target_date").unwrap_or_default(),
    };
    let result = user
        .run(move |conn, access| use_case::create(conn, access, province, &input, today))
        .await;
    match result {
        Ok(created) => Ok(see_other(&format!(
            "/provinces/{province}/programmes?done=created#programme-{}",
            created.id
        ))),
        Err(error) => again(&state, &page, &user, province, 0, &form.0, error).await,
    }
}

/// One programme's form: `closed=true` closes it, `closed=false` reopens it, otherwise its
/// name, target and date are changed.
pub async fn update(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let form = Fields(form.into_inner());
    let (id, today) = (id.into_inner(), state.clock.today());
    let closing = form.optional("closed").map(|c| c == "true");
    // Closing or reopening sends only that; otherwise the whole programme is edited.
    let editing = closing.is_none();
    let input = ProgrammePatchInput {
        name: editing.then(|| form.optional("name").unwrap_or_default()),
        target_count: editing.then(|| {
            form.optional("target_count")
                .and_then(|t| t.parse().ok())
                .unwrap_or(0)
        }),
        target_date: editing.then(|| form.optional("target_date").unwrap_or_default()),
        closed: closing,
        version: form.optional("version").and_then(|v| v.parse().ok()),
    };
    let (province, result) = user
        .run(move |conn, access| use_case::update(conn, access, id, &input, today, now_utc()))
        .await?;
    match result {
        Ok(changed) => Ok(see_other(&format!(
            "/provinces/{province}/programmes?done=saved#programme-{}",
            changed.id
        ))),
        Err(error) => again(&state, &page, &user, province, id, &form.0, error).await,
    }
}

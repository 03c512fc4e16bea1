//! The administration pages: provinces (admins) and user accounts (admins; province admins
//! for their province).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::page::{Page, Posted, see_other};
use crate::app::accounts::{ProvinceInput, UserInput, UserPatchInput};
use crate::auth::{Access, CurrentUser};
use crate::clock::now_utc;
use crate::domain::Role;
use crate::domain::paging::{After, Paging};
use crate::error::{AppError, FieldErrors, Msg};
use crate::state::AppState;
use crate::store::access_log;
use crate::store::users::UserPatch;
use crate::store::{provinces, schools, users};

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

#[derive(Deserialize, Serialize, Default)]
pub struct ProvinceForm {
    code: String,
    name: String,
    #[serde(default)]
    name_zh: String,
}

pub async fn provinces_page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    provinces_view(
        &state,
        &page,
        &user,
        &ProvinceForm::default(),
        FieldErrors::new(),
        query.done.as_deref(),
        StatusCode::OK,
    )
    .await
}

async fn provinces_view(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    form: &ProvinceForm,
    errors: FieldErrors,
    done: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (me, all) = user
        .load(|conn, access| {
            Access::require(access.is_admin())?;
            provinces::list(conn)
        })
        .await?;
    let mut context = page.context(Some(&me));
    context.insert("provinces", &all);
    context.insert("form", form);
    context.insert("errors", &page.errors(&errors));
    context.insert("done", done.unwrap_or(""));
    page.render(state, status, "pages/provinces.html", &context)
}

pub async fn province_create(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    form: Posted<ProvinceForm>,
) -> Result<HttpResponse, AppError> {
    let input = ProvinceInput {
        code: form.code.clone(),
        name: form.name.clone(),
        name_zh: Some(form.name_zh.trim().to_owned()).filter(|s| !s.is_empty()),
    };
    let outcome = user
        .run(move |conn, access| crate::app::accounts::create_province(conn, access, &input))
        .await;
    let errors = match outcome {
        Ok(_) => return Ok(see_other("/admin/provinces?done=created")),
        Err(AppError::Validation(errors)) => errors,
        Err(AppError::Conflict { .. }) => {
            FieldErrors::from([("code".to_owned(), Msg::DuplicateProvince)])
        }
        Err(other) => return Err(other),
    };
    provinces_view(
        &state,
        &page,
        &user,
        &form,
        errors,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

#[derive(Deserialize, Serialize, Default)]
pub struct UserForm {
    email: String,
    name: String,
    role: String,
    #[serde(default, skip_serializing)]
    password: String,
    #[serde(default)]
    province_id: String,
    #[serde(default)]
    school_id: String,
    /// an expert's last day in office
    #[serde(default)]
    valid_until: String,
}

fn optional_id(raw: &str) -> Option<i64> {
    raw.trim().parse().ok()
}

pub async fn users_page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    users_view(
        &state,
        &page,
        &user,
        &UserForm::default(),
        FieldErrors::new(),
        query.done.as_deref(),
        StatusCode::OK,
    )
    .await
}

async fn users_view(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    form: &UserForm,
    errors: FieldErrors,
    done: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (me, (people, visible_schools, all_provinces)) = user
        .load(move |conn, access| {
            Ok((
                users::list(conn, access)?,
                schools::list(conn, access, None)?,
                provinces::list(conn)?,
            ))
        })
        .await?;
    let access = me.access();
    let managed_provinces: Vec<_> = all_provinces
        .iter()
        .filter(|p| access.administers_province(p.id))
        .collect();
    let roles: Vec<&str> = Role::ALL
        .iter()
        .filter(|r| access.is_admin() || **r != Role::Admin)
        .map(|r| r.as_str())
        .collect();
    let mut context = page.context(Some(&me));
    context.insert("users", &people);
    context.insert("schools", &visible_schools);
    context.insert("provinces", &managed_provinces);
    context.insert("roles", &roles);
    context.insert("form", form);
    context.insert("external_id_failed", &errors.contains_key("external_id"));
    let configured: Vec<_> = state
        .settings
        .platforms
        .configured()
        .into_iter()
        .map(|(method, label, address)| {
            serde_json::json!({"method": method.as_str(), "label": label, "address": address})
        })
        .collect();
    context.insert("platforms_configured", &configured);
    context.insert("errors", &page.errors(&errors));
    context.insert("done", done.unwrap_or(""));
    page.render(state, status, "pages/users.html", &context)
}

pub async fn user_create(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    form: Posted<UserForm>,
) -> Result<HttpResponse, AppError> {
    let input = UserInput {
        email: form.email.clone(),
        name: form.name.clone(),
        role: form.role.clone(),
        password: form.password.clone(),
        province_id: optional_id(&form.province_id),
        school_id: optional_id(&form.school_id),
        valid_until: Some(form.valid_until.trim().to_owned()).filter(|d| !d.is_empty()),
    };
    let outcome = crate::auth::session::create_account(&state, &user, input).await;
    let errors = match outcome {
        Ok(_) => return Ok(see_other("/admin/users?done=created")),
        Err(AppError::Validation(errors)) => errors,
        Err(AppError::Conflict { .. }) => {
            FieldErrors::from([("email".to_owned(), Msg::DuplicateEmail)])
        }
        Err(other) => return Err(other),
    };
    users_view(
        &state,
        &page,
        &user,
        &form,
        errors,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: bool,
}

pub async fn user_set_active(
    user: CurrentUser,
    id: web::Path<i64>,
    form: Posted<ActiveForm>,
) -> Result<HttpResponse, AppError> {
    let (id, active) = (id.into_inner(), form.active);
    let patch = UserPatch {
        active: Some(active),
        ..UserPatch::default()
    };
    user.run(move |conn, access| {
        let current = users::get(conn, access, id)?;
        Access::require(users::may_manage(access, current.role, current.province_id))?;
        users::update(conn, access, id, &patch, now_utc())
    })
    .await?;
    Ok(see_other(if active {
        "/admin/users?done=activated"
    } else {
        "/admin/users?done=deactivated"
    }))
}

#[derive(Deserialize)]
pub struct ExternalIdForm {
    external_id: String,
}

/// Sets (or, blank, clears) the id by which the province's identity platform names the
/// person: the same patch as the API's `external_id`.
pub async fn user_set_external_id(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Posted<ExternalIdForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let input = UserPatchInput {
        external_id: Some(Some(form.external_id.clone())),
        ..UserPatchInput::default()
    };
    let outcome = user
        .run(move |conn, access| {
            let patch = input.validate()?;
            users::update(conn, access, id, &patch, now_utc())
        })
        .await;
    let errors = match outcome {
        Ok(_) => return Ok(see_other("/admin/users?done=external_id")),
        Err(AppError::Validation(fields)) => fields,
        Err(AppError::Conflict { message, .. }) => {
            FieldErrors::from([("external_id".to_owned(), message)])
        }
        Err(other) => return Err(other),
    };
    users_view(
        &state,
        &page,
        &user,
        &UserForm::default(),
        errors,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct AccessLogPageQuery {
    /// `failed`: only the sign-ins that failed
    only: Option<String>,
    cursor: Option<String>,
}

/// Entries of the access log on one page.
const ACCESS_LOG_PER_PAGE: i64 = 100;

/// The access log: the admin's (all) or a province admin's (their province's accounts),
/// newest first, a page at a time, with the CSV of all of it.
pub async fn access_log_page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    query: web::Query<AccessLogPageQuery>,
) -> Result<HttpResponse, AppError> {
    let failed_only = query.only.as_deref() == Some("failed");
    let filter = access_log::AccessFilter {
        succeeded: failed_only.then_some(false),
        ..access_log::AccessFilter::default()
    };
    let after = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(raw) => Some(After::decode(raw).ok_or(AppError::NotFound)?),
    };
    let paging = Paging {
        limit: ACCESS_LOG_PER_PAGE,
        after,
    };
    let (me, entries) = user
        .load(move |conn, access| access_log::page(conn, access, &filter, &paging))
        .await?;
    let mut context = page.context(Some(&me));
    let shown: Vec<_> = entries
        .rows
        .iter()
        .map(|e| {
            serde_json::json!({
                "at": crate::clock::rfc3339(e.at).replace('T', " ").chars().take(19).collect::<String>(),
                "event": e.event.as_str(),
                "method": e.method.as_str(),
                "succeeded": e.succeeded,
                "reason": e.reason.map(|r| r.as_str()),
                "email": e.email,
                "client_addr": e.client_addr,
                "user_agent": e.user_agent,
            })
        })
        .collect();
    context.insert("entries", &shown);
    context.insert("entries_total", &entries.total);
    context.insert("failed_only", &failed_only);
    context.insert(
        "next_cursor",
        &entries.next.map(|n| n.encode()).unwrap_or_default(),
    );
    page.ok(&state, "pages/access_log.html", &context)
}

/// All of the access log the reader may see, as CSV (the same columns as the API's).
pub async fn access_log_csv(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    crate::http::export::download_whole(
        state.db.clone(),
        &user,
        move |conn, access, paging| {
            access_log::page(conn, access, &access_log::AccessFilter::default(), paging)
        },
        crate::http::documents::access_log_columns(),
        crate::http::export::Format::Csv,
        "access-log",
    )
    .await
}

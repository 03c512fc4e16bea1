//! The administration pages: provinces (admins) and user accounts (admins; province admins
//! for their province).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::page::{Page, Posted, see_other};
use crate::app::accounts::{ProvinceInput, UserInput};
use crate::auth::{Access, CurrentUser};
use crate::clock::now_utc;
use crate::domain::Role;
use crate::error::{AppError, FieldErrors, Msg};
use crate::state::AppState;
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
    let outcome = async {
        // Who may and what was sent, before any hashing; a second trip stores the account.
        let (new_user, password) = user
            .run(move |_, access| {
                Access::require(access.is_admin() || access.role == Role::ProvinceAdmin)?;
                input.validate(access)
            })
            .await?;
        let hasher = state.clone();
        let hash = web::block(move || hasher.passwords.hash(&password))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing failed: {e}")))??;
        user.run(move |conn, access| users::create(conn, access, &new_user, &hash))
            .await
    }
    .await;
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

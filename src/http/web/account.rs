//! Signing in and out through the pages, the home page, and one's own account.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::local_path;
use super::page::{Page, see_other};
use crate::auth::CurrentUser;
use crate::auth::current_user::SESSION_COOKIE;
use crate::auth::session::{SignedIn, sign_in, sign_out};
use crate::clock::now_utc;
use crate::domain::PersonName;
use crate::error::{AppError, Validator};
use crate::http::api::auth::client_addr;
use crate::http::api::me::change_own_password;
use crate::state::AppState;
use crate::store::{provinces, schools, users};

fn session_cookie(state: &AppState, signed_in: &SignedIn) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, signed_in.token.clone())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies)
        .max_age(CookieDuration::seconds(
            state.settings.token_ttl.whole_seconds(),
        ))
        .finish()
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    done: Option<String>,
}

pub async fn login_page(
    state: web::Data<AppState>,
    page: Page,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let mut context = page.context(None);
    context.insert("next", local_path(query.next.as_deref()));
    context.insert("email", "");
    context.insert("login_error", "");
    context.insert("retry_minutes", &0);
    page.ok(&state, "pages/login.html", &context)
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    csrf_token: String,
    next: Option<String>,
}

pub async fn login_submit(
    state: web::Data<AppState>,
    page: Page,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    page.check_csrf(&form.csrf_token)?;
    let LoginForm {
        email,
        password,
        next,
        ..
    } = form.into_inner();
    let next = local_path(next.as_deref()).to_owned();
    let (status, error, retry_minutes) =
        match sign_in(&state, &email, password, client_addr(&req)).await {
            Ok(signed_in) => {
                let target = if next == "/" {
                    "/home".to_owned()
                } else {
                    next
                };
                let mut response = see_other(&target);
                response
                    .add_cookie(&session_cookie(&state, &signed_in))
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                return Ok(response);
            }
            Err(AppError::Unauthorized { .. }) => (StatusCode::UNAUTHORIZED, "failed", 0),
            Err(AppError::TooManyRequests { retry_after_secs }) => (
                StatusCode::TOO_MANY_REQUESTS,
                "throttled",
                retry_after_secs.div_ceil(60),
            ),
            Err(other) => return Err(other),
        };
    let mut context = page.context(None);
    context.insert("next", &next);
    context.insert("email", email.trim());
    context.insert("login_error", error);
    context.insert("retry_minutes", &retry_minutes);
    page.render(&state, status, "pages/login.html", &context)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf_token: String,
}

pub async fn logout(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    page.check_csrf(&form.csrf_token)?;
    sign_out(&state, user.session_id).await?;
    let mut gone = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    gone.make_removal();
    let mut response = see_other("/");
    response
        .add_cookie(&gone)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(response)
}

/// The signed-in start page: one's schools, and for the province the form to register one.
pub async fn home(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let context = home_context(&state, &page, &user, query.done.as_deref()).await?;
    page.ok(&state, "pages/home.html", &context)
}

pub async fn home_context(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    done: Option<&str>,
) -> Result<tera::Context, AppError> {
    let access = user.access();
    let (visible, all_provinces) = state
        .db
        .run(move |conn| Ok((schools::list(conn, &access, None)?, provinces::list(conn)?)))
        .await?;
    let access = user.access();
    let registrable: Vec<_> = all_provinces
        .iter()
        .filter(|p| access.administers_province(p.id))
        .collect();
    let mut context = page.context(Some(user));
    context.insert("schools", &visible);
    context.insert("provinces", &all_provinces);
    context.insert("registrable_provinces", &registrable);
    context.insert("done", done.unwrap_or(""));
    context.insert("errors", &crate::error::FieldErrors::new());
    context.insert("form", &serde_json::json!({}));
    Ok(context)
}

pub async fn account_page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let mut context = page.context(Some(&user));
    context.insert("done", query.done.as_deref().unwrap_or(""));
    context.insert("errors", &crate::error::FieldErrors::new());
    page.ok(&state, "pages/account.html", &context)
}

#[derive(Deserialize)]
pub struct NameForm {
    csrf_token: String,
    name: String,
}

pub async fn account_name(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, AppError> {
    page.check_csrf(&form.csrf_token)?;
    let mut v = Validator::new();
    let name = v.check("name", PersonName::parse(&form.name));
    match (name, v.finish()) {
        (Some(name), Ok(())) => {
            let id = user.user.id;
            state
                .db
                .run(move |conn| users::set_name(conn, id, &name, now_utc()))
                .await?;
            Ok(see_other("/account?done=name"))
        }
        (_, Err(AppError::Validation(errors))) => account_with_errors(&state, &page, &user, errors),
        (_, Err(other)) => Err(other),
        (None, Ok(())) => Err(AppError::Internal(anyhow::anyhow!(
            "validated name missing"
        ))),
    }
}

fn account_with_errors(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    errors: crate::error::FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut context = page.context(Some(user));
    context.insert("done", "");
    context.insert("errors", &errors);
    page.render(
        state,
        StatusCode::UNPROCESSABLE_ENTITY,
        "pages/account.html",
        &context,
    )
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf_token: String,
    current_password: String,
    new_password: String,
}

pub async fn account_password(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    page.check_csrf(&form.csrf_token)?;
    match change_own_password(
        &state,
        user.clone(),
        &form.current_password,
        &form.new_password,
    )
    .await
    {
        Ok(signed_in) => {
            let mut response = see_other("/account?done=password");
            response
                .add_cookie(&session_cookie(&state, &signed_in))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(response)
        }
        Err(AppError::Validation(errors)) => account_with_errors(&state, &page, &user, errors),
        Err(other) => Err(other),
    }
}

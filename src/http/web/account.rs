//! Signing in and out through the pages, the home page, and one's own account.

use std::collections::BTreeMap;

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::local_path;
use super::page::{Checked, Page, Posted, see_other};
use crate::auth::current_user::SESSION_COOKIE;
use crate::auth::session::{NewSession, PasswordSignIn, sign_in, sign_out};
use crate::auth::session::{PasswordChange, change_own_password, client_of};
use crate::auth::{CurrentUser, SignedIn};
use crate::clock::now_utc;
use crate::domain::access::SchoolScope;
use crate::domain::paging::{After, Paging};
use crate::domain::{PersonName, SchoolStatus};
use crate::error::{AppError, Validator};
use crate::state::AppState;
use crate::store::{provinces, schools, users};

pub(super) fn session_cookie(state: &AppState, signed_in: &NewSession) -> Cookie<'static> {
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

/// Where a new page session lands, with its cookie: `next` (the home page for `/`), or the
/// password form when the account must choose its own first.
pub(super) fn landing(
    state: &AppState,
    signed_in: &NewSession,
    next: &str,
    must_change: bool,
) -> Result<HttpResponse, AppError> {
    let target = match next {
        _ if must_change => "/account?done=password_required",
        "/" => "/home",
        next => next,
    };
    let mut response = see_other(target);
    response
        .add_cookie(&session_cookie(state, signed_in))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(response)
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    done: Option<String>,
}

/// The school list of the home page: a search and a page number.
#[derive(Deserialize, Default)]
pub struct SchoolListQuery {
    done: Option<String>,
    q: Option<String>,
    page: Option<i64>,
    /// `active`, `merged`, `closed` or `all`; the province's and the admin's list shows
    /// the active schools unless asked
    status: Option<String>,
}

/// Schools on one page of the home page's list.
const SCHOOLS_PER_PAGE: i64 = 50;

pub async fn login_page(
    state: web::Data<AppState>,
    page: Page,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let mut context = login_context(&state, &page, local_path(query.next.as_deref()));
    context.insert("email", "");
    context.insert("login_error", "");
    context.insert("retry_minutes", &0);
    page.ok(&state, "pages/login.html", &context)
}

/// The sign-in page's own context: where to go afterwards, and the identity platforms
/// offered beside the password.
fn login_context(state: &AppState, page: &Page, next: &str) -> tera::Context {
    let mut context = page.context(None);
    context.insert("next", next);
    context.insert("next_query", &crate::templates::percent_encode(next));
    let platforms: Vec<_> = state
        .settings
        .platforms
        .configured()
        .into_iter()
        .map(|(method, label, _)| serde_json::json!({"method": method.as_str(), "label": label}))
        .collect();
    context.insert("platforms", &platforms);
    context
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

pub async fn login_submit(
    state: web::Data<AppState>,
    page: Page,
    req: HttpRequest,
    form: Posted<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let LoginForm {
        email,
        password,
        next,
        ..
    } = form.into_inner();
    let next = local_path(next.as_deref()).to_owned();
    let attempt = PasswordSignIn {
        email: email.clone(),
        password,
        client: client_of(&req),
        page: true,
    };
    let (status, error, retry_minutes) = match sign_in(&state, attempt).await {
        Ok(signed_in) => {
            // An account someone else set up chooses its own password first.
            let must_change = signed_in.user.password_change_required;
            return landing(&state, &signed_in, &next, must_change);
        }
        Err(AppError::Unauthorized { .. }) => (StatusCode::UNAUTHORIZED, "failed", 0),
        Err(AppError::TooManyRequests { retry_after_secs }) => (
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            retry_after_secs.div_ceil(60),
        ),
        Err(other) => return Err(other),
    };
    let mut context = login_context(&state, &page, &next);
    context.insert("email", email.trim());
    context.insert("login_error", error);
    context.insert("retry_minutes", &retry_minutes);
    page.render(&state, status, "pages/login.html", &context)
}

pub async fn logout(user: CurrentUser, _form: Checked) -> Result<HttpResponse, AppError> {
    sign_out(&user).await?;
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
    query: web::Query<SchoolListQuery>,
) -> Result<HttpResponse, AppError> {
    let context = home_context(&state, &page, &user, &query).await?;
    page.ok(&state, "pages/home.html", &context)
}

pub async fn home_context(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    list: &SchoolListQuery,
) -> Result<tera::Context, AppError> {
    let today = state.clock.today();
    let backend = state.db.backend().name();
    let search = list.q.clone().unwrap_or_default();
    let number = list.page.unwrap_or(1).max(1);
    let kept = state.kept.clone();
    let status_asked = list.status.clone().unwrap_or_default();
    let (me, visible, all_provinces, home, status_offered, status_shown) = user
        .run_as(move |conn, me| {
            let access = me.access();
            // The province's and the admin's list: active schools unless asked.
            let offered = matches!(
                access.school_scope(),
                SchoolScope::All | SchoolScope::Province(_)
            );
            let status = match status_asked.as_str() {
                "all" => None,
                "" => offered.then_some(SchoolStatus::Active),
                asked => SchoolStatus::parse(asked).ok(),
            };
            let shown = status.map_or("all", |s| s.as_str());
            let filter = schools::SchoolFilter {
                province_id: None,
                search: Some(search),
                status,
            };
            let paging = Paging {
                limit: SCHOOLS_PER_PAGE,
                after: Some(After::Offset((number - 1).saturating_mul(SCHOOLS_PER_PAGE))),
            };
            let visible = schools::page(conn, &access, &filter, &paging)?;
            let all_provinces = provinces::list(conn)?;
            let home = crate::app::home::of(conn, &access, &kept, today, me.user.id)?;
            Ok((me.clone(), visible, all_provinces, home, offered, shown))
        })
        .await?;
    let access = me.access();
    let registrable: Vec<_> = all_provinces
        .iter()
        .filter(|p| access.administers_province(p.id))
        .collect();
    let mut context = page.context(Some(&me));
    let total = visible.total;
    context.insert("schools", &visible.rows);
    context.insert("schools_total", &total);
    context.insert("search", list.q.as_deref().unwrap_or(""));
    context.insert(
        "search_query",
        &crate::templates::percent_encode(list.q.as_deref().unwrap_or("")),
    );
    context.insert("page_number", &number);
    context.insert("status_offered", &status_offered);
    context.insert("status_shown", status_shown);
    context.insert(
        "pages",
        &((total + SCHOOLS_PER_PAGE - 1) / SCHOOLS_PER_PAGE).max(1),
    );
    context.insert("provinces", &all_provinces);
    context.insert("registrable_provinces", &registrable);
    context.insert("done", list.done.as_deref().unwrap_or(""));
    context.insert("errors", &BTreeMap::<String, String>::new());
    context.insert("form", &serde_json::json!({}));
    context.insert("home", &home);
    context.insert("backend", backend);
    context.insert("smtp_host", &smtp_host(state));
    context.insert("evidence_store", &state.evidence.describe());
    if let Ok(space) = crate::disk::space(&state.settings.data_dir, state.settings.max_upload_bytes)
    {
        let gib = |bytes: u64| {
            crate::domain::numbers::figure((bytes as f64 / 1_073_741_824.0 * 10.0).round() / 10.0)
        };
        context.insert(
            "storage",
            &serde_json::json!({
                "room": space.room.as_str(),
                "free_gib": gib(space.available_bytes),
                "total_gib": gib(space.total_bytes),
            }),
        );
    }
    Ok(context)
}

/// The mail server's host, or `None` when mail is not configured.
pub fn smtp_host(state: &AppState) -> Option<String> {
    state.settings.mail.as_ref().map(|m| m.smtp_host.clone())
}

pub async fn account_page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let (me, url) = calendar_url(&user, false).await?;
    let mail = user
        .run_as(|conn, me| crate::store::outbox::choices(conn, me.user.id))
        .await?;
    let mut context = page.context(Some(&me));
    context.insert("done", query.done.as_deref().unwrap_or(""));
    context.insert("errors", &BTreeMap::<String, String>::new());
    context.insert("calendar_url", &url);
    context.insert("mail", &mail);
    context.insert("mail_language", me.user.language.code());
    page.ok(&state, "pages/account.html", &context)
}

/// The signed-in user and their calendar feed's address.
async fn calendar_url(user: &CurrentUser, renew: bool) -> Result<(SignedIn, String), AppError> {
    let (me, token) = user
        .run_as(move |conn, me| {
            let token = crate::store::calendar::token(conn, me.user.id, renew, now_utc())?;
            Ok((me.clone(), token))
        })
        .await?;
    Ok((me, format!("/calendar/{token}.ics")))
}

/// A new calendar address; the old one stops working at once.
pub async fn renew_calendar(user: CurrentUser, _form: Checked) -> Result<HttpResponse, AppError> {
    calendar_url(&user, true).await?;
    Ok(see_other("/account?done=calendar#calendar"))
}

#[derive(Deserialize)]
pub struct NameForm {
    name: String,
}

pub async fn account_name(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    form: Posted<NameForm>,
) -> Result<HttpResponse, AppError> {
    let mut v = Validator::new();
    let name = v.check("name", PersonName::parse(&form.name));
    match (name, v.finish()) {
        (Some(name), Ok(())) => {
            user.run_as(move |conn, me| users::set_name(conn, me.user.id, &name, now_utc()))
                .await?;
            Ok(see_other("/account?done=name"))
        }
        (_, Err(AppError::Validation(errors))) => {
            account_with_errors(&state, &page, &user.signed_in().await?, errors)
        }
        (_, Err(other)) => Err(other),
        (None, Ok(())) => Err(AppError::Internal(anyhow::anyhow!(
            "validated name missing"
        ))),
    }
}

fn account_with_errors(
    state: &AppState,
    page: &Page,
    me: &SignedIn,
    errors: crate::error::FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut context = page.context(Some(me));
    context.insert("done", "");
    context.insert("errors", &page.errors(&errors));
    context.insert("calendar_url", "");

    page.render(
        state,
        StatusCode::UNPROCESSABLE_ENTITY,
        "pages/account.html",
        &context,
    )
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
}

pub async fn account_password(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    form: Posted<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let input = PasswordChange {
        current_password: form.current_password.clone(),
        new_password: form.new_password.clone(),
    };
    match change_own_password(&state, user.clone(), &input).await {
        Ok(signed_in) => {
            let mut response = see_other("/account?done=password");
            response
                .add_cookie(&session_cookie(&state, &signed_in))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(response)
        }
        Err(AppError::Validation(errors)) => {
            account_with_errors(&state, &page, &user.signed_in().await?, errors)
        }
        Err(other) => Err(other),
    }
}

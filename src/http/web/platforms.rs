//! Signing in through the province's identity platform (`/auth/{oidc,oauth2,cas}/…`): the
//! way out to the platform, the way back, and the CAS server's single logout. The rules are
//! in `auth::platform`; here are the cookies and the pages.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::account::landing;
use super::local_path;
use super::page::Page;
use crate::auth::platform::{self, FLOW_COOKIE, Refused, Returned};
use crate::auth::session::client_of;
use crate::domain::sign_in::{SignInMethod, SignInRefusal};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::sign_in_flows::FLOW_LIFETIME;

/// A platform's word in the path (`oidc`, `oauth2`, `cas`); the password is no platform.
fn method_of(word: &str) -> Result<SignInMethod, AppError> {
    match SignInMethod::parse(word) {
        Ok(SignInMethod::Password) | Err(_) => Err(AppError::NotFound),
        Ok(method) => Ok(method),
    }
}

fn flow_cookie(state: &AppState, value: &str, lifetime: CookieDuration) -> Cookie<'static> {
    Cookie::build(FLOW_COOKIE, value.to_owned())
        .path("/auth")
        .http_only(true)
        // Lax: sent on the platform's top-level redirect back to us, not on a stranger's
        // form or image.
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies)
        .max_age(lifetime)
        .finish()
}

#[derive(Deserialize)]
pub struct LeaveQuery {
    next: Option<String>,
}

/// Sends the browser to the platform, with the flow's cookie.
pub async fn leave(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<LeaveQuery>,
) -> Result<HttpResponse, AppError> {
    let method = method_of(&path)?;
    let next = local_path(query.next.as_deref()).to_owned();
    let leaving = platform::begin(&state, method, &next).await?;
    let lifetime = CookieDuration::seconds(FLOW_LIFETIME.whole_seconds());
    // The one redirect away from our own paths: to the platform the operator configured,
    // built from its settings and never from the request.
    let mut response = HttpResponse::SeeOther()
        .insert_header((header::LOCATION, leaving.location))
        .finish();
    response
        .add_cookie(&flow_cookie(&state, &leaving.state, lifetime))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(response)
}

#[derive(Deserialize)]
pub struct ReturnQuery {
    /// OIDC and OAuth2
    code: Option<String>,
    state: Option<String>,
    /// CAS
    ticket: Option<String>,
    flow: Option<String>,
}

/// The platform sends the browser back: a page session, or a page that says why not.
pub async fn come_back(
    state: web::Data<AppState>,
    page: Page,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<ReturnQuery>,
) -> Result<HttpResponse, AppError> {
    let method = method_of(&path)?;
    let query = query.into_inner();
    let (flow, code) = match method {
        SignInMethod::Cas => (query.flow, query.ticket),
        _ => (query.state, query.code),
    };
    let returned = Returned {
        state: flow.unwrap_or_default(),
        cookie: req.cookie(FLOW_COOKIE).map(|c| c.value().to_owned()),
        code: code.unwrap_or_default(),
    };
    let refusal = match platform::finish(&state, method, returned, client_of(&req)).await {
        Ok((signed_in, next)) => {
            // The platform vouched for the person: no local password to choose.
            let mut response = landing(&state, &signed_in, &next, false)?;
            response
                .add_cookie(&flow_cookie(&state, "", CookieDuration::ZERO))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            return Ok(response);
        }
        Err(Refused::Failed(e)) => return Err(e),
        Err(Refused::Unknown) => (StatusCode::FORBIDDEN, SignInRefusal::UnknownAccount),
        Err(Refused::NotInOffice) => (StatusCode::FORBIDDEN, SignInRefusal::NotInOffice),
        Err(Refused::Rejected(_)) => (StatusCode::BAD_REQUEST, SignInRefusal::Rejected),
    };
    let mut context = page.context(None);
    context.insert("refusal", refusal.1.as_str());
    page.render(&state, refusal.0, "pages/platform_refused.html", &context)
}

#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(rename = "logoutRequest")]
    logout_request: Option<String>,
}

/// The CAS server's single logout (a back-channel POST, no CSRF token: it comes from the
/// CAS server, and only ends the sessions of the ticket it names).
pub async fn cas_logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<LogoutForm>,
) -> Result<HttpResponse, AppError> {
    if method_of(&path)? != SignInMethod::Cas {
        return Err(AppError::NotFound);
    }
    if let Some(request) = form.logout_request.as_deref() {
        let ended = platform::cas_logout(&state, request, client_of(&req)).await?;
        tracing::info!(ended, "CAS single logout");
    }
    Ok(HttpResponse::Ok().finish())
}

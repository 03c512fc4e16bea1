//! `Page`: what every page handler needs besides its data: the language, where it is, and
//! the CSRF token of the browser. Forms carry the token in a hidden field and the browser
//! carries it in a SameSite=Strict cookie; a POST whose two copies differ is refused.

use std::collections::BTreeMap;
use std::future::{Ready, ready};

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use serde::Serialize;
use tera::Context;

use super::i18n::Lang;
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::random::random_id;
use crate::state::AppState;
use crate::templates::page_context;

pub const CSRF_COOKIE: &str = "accredit_csrf";

pub struct Page {
    pub lang: Lang,
    pub path: String,
    csrf_token: String,
    /// The browser had no CSRF cookie yet: the response must set it.
    csrf_is_new: bool,
    secure_cookies: bool,
}

/// What the layout shows of the signed-in user.
#[derive(Serialize)]
struct Me<'a> {
    id: i64,
    name: &'a str,
    email: &'a str,
    role: &'a str,
    is_admin: bool,
    manages_users: bool,
    /// sees the province's queue of submissions
    reviews: bool,
    /// the province whose collection rounds the user follows (its bureau and reviewers)
    rounds_province: Option<i64>,
    /// declares their own conflicts of interest (experts and reviewers)
    declares: bool,
    /// signed in with a password someone else chose: must choose their own first
    must_change_password: bool,
}

impl FromRequest for Page {
    type Error = AppError;
    type Future = Ready<Result<Page, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let existing = req
            .cookie(CSRF_COOKIE)
            .map(|c| c.value().to_owned())
            .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()));
        let secure_cookies = req
            .app_data::<web::Data<AppState>>()
            .is_some_and(|s| s.settings.secure_cookies);
        ready(match existing {
            Some(token) => Ok(Page::new(req, token, false, secure_cookies)),
            None => random_id()
                .map(|token| Page::new(req, token, true, secure_cookies))
                .map_err(AppError::Internal),
        })
    }
}

impl Page {
    fn new(req: &HttpRequest, csrf_token: String, csrf_is_new: bool, secure_cookies: bool) -> Page {
        Page {
            lang: Lang::of_request(req),
            path: req
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned(),
            csrf_token,
            csrf_is_new,
            secure_cookies,
        }
    }

    /// The context every page starts from: path, CSRF token, and the user if signed in.
    pub fn context(&self, user: Option<&SignedIn>) -> Context {
        let mut context = page_context(&self.path);
        context.insert("csrf_token", &self.csrf_token);
        let me = user.map(|u| Me {
            id: u.user.id,
            name: &u.user.name,
            email: &u.user.email,
            role: u.user.role.as_str(),
            is_admin: u.access().is_admin(),
            manages_users: u.access().is_admin()
                || u.user.role == crate::domain::Role::ProvinceAdmin,
            reviews: matches!(
                u.user.role,
                crate::domain::Role::Reviewer | crate::domain::Role::ProvinceAdmin
            ),
            declares: matches!(
                u.user.role,
                crate::domain::Role::Expert | crate::domain::Role::Reviewer
            ),
            must_change_password: u.user.password_change_required
                && u.method == crate::domain::sign_in::SignInMethod::Password,
            rounds_province: u.user.province_id.filter(|_| {
                matches!(
                    u.user.role,
                    crate::domain::Role::Reviewer | crate::domain::Role::ProvinceAdmin
                )
            }),
        });
        context.insert("me", &me);
        context
    }

    /// Renders a template as the answer, with `status`.
    pub fn render(
        &self,
        state: &AppState,
        status: actix_web::http::StatusCode,
        name: &str,
        context: &Context,
    ) -> Result<HttpResponse, AppError> {
        let html = state.templates.render(self.lang, name, context)?;
        let mut response = HttpResponse::build(status);
        response
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"));
        if self.csrf_is_new {
            response.cookie(self.csrf_cookie());
        }
        Ok(response.body(html))
    }

    pub fn ok(
        &self,
        state: &AppState,
        name: &str,
        context: &Context,
    ) -> Result<HttpResponse, AppError> {
        self.render(state, actix_web::http::StatusCode::OK, name, context)
    }

    fn csrf_cookie(&self) -> Cookie<'static> {
        Cookie::build(CSRF_COOKIE, self.csrf_token.clone())
            .path("/")
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.secure_cookies)
            .max_age(CookieDuration::days(7))
            .finish()
    }

    /// Field errors in the page's language, for `partials/errors.html` and the fields.
    pub fn errors(&self, errors: &crate::error::FieldErrors) -> BTreeMap<String, String> {
        crate::error::localize(errors, self.lang)
    }

    /// Refuses a form whose token does not match the browser's cookie.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), AppError> {
        let same = !self.csrf_is_new
            && submitted.len() == self.csrf_token.len()
            && submitted
                .bytes()
                .zip(self.csrf_token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if same {
            Ok(())
        } else {
            Err(AppError::CsrfRejected)
        }
    }
}

/// A 303 to `location` (after a successful form).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// A form posted by a page: the CSRF token is checked first, from the raw body (403
/// `csrf_failed` when it is missing or wrong, whatever else the form holds), and only then
/// is the body read as `T` (400 `malformed_form` when it cannot be). Every form handler
/// takes its fields through this extractor, so that no form can skip the check.
pub struct Posted<T>(pub T);

impl<T> Posted<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Posted<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// The largest form body a page posts (file uploads are multipart and go elsewhere).
const FORM_LIMIT: usize = 64 * 1024;

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for Posted<T> {
    type Error = AppError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        use crate::domain::message::Msg;
        let page = Page::from_request(req, payload).into_inner();
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let page = page?;
            let body = body
                .await
                .map_err(|_| AppError::bad_request("malformed_form", Msg::MalformedForm))?;
            if body.len() > FORM_LIMIT {
                return Err(AppError::PayloadTooLarge(Msg::BodyTooLarge));
            }
            let pairs: Vec<(String, String)> = if is_form {
                serde_urlencoded::from_bytes(&body).unwrap_or_default()
            } else {
                Vec::new()
            };
            let token = pairs
                .iter()
                .find(|(k, _)| k == "csrf_token")
                .map_or("", |(_, v)| v.as_str());
            page.check_csrf(token)?;
            if !is_form {
                return Err(AppError::bad_request("malformed_form", Msg::MalformedForm));
            }
            serde_urlencoded::from_bytes(&body)
                .map(Posted)
                .map_err(|err| {
                    tracing::debug!(error = %err, "unreadable form");
                    AppError::bad_request("malformed_form", Msg::MalformedForm)
                })
        })
    }
}

/// A form that carries nothing but its CSRF token (sign out, mark read, renew).
pub type Checked = Posted<serde::de::IgnoredAny>;

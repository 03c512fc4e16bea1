//! `/api/docs`: the interactive API reference. Swagger UI's files are compiled into the
//! binary (`utoipa-swagger-ui`'s `vendored` feature: no CDN, nothing fetched at build time)
//! and served from here, so the page asks nothing of another origin.
//!
//! "Try it out" sends requests as the person reading, without handing the page their
//! HttpOnly session cookie: the page asks `/api/docs/token` (same origin, the cookie) for a
//! short-lived bearer token of the *same* session, so signing out ends it too.

use std::borrow::Cow;
use std::sync::{Arc, LazyLock};

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa_swagger_ui::Config;

use super::page::Page;
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::error::AppError;
use crate::state::AppState;

/// How long a token handed to the reference page lives (the session may end sooner).
const DOCS_TOKEN_TTL_SECS: i64 = 3600;

/// Swagger UI's own files the page loads; nothing else of the bundle is served.
const ASSETS: &[&str] = &["swagger-ui.css", "swagger-ui-bundle.js"];

const DOCS_SCRIPT: &str = include_str!("../../../templates/static/api_docs.js");

static SWAGGER: LazyLock<Arc<Config<'static>>> =
    LazyLock::new(|| Arc::new(Config::new(["/api/v1/openapi.json"])));

pub fn configure(routes: &mut crate::http::routes::Routes) {
    routes
        .route("/api/docs", web::get().to(page))
        .route("/api/docs/", web::get().to(page))
        .route("/api/docs/token", web::get().to(token))
        .route("/api/docs/accredit.js", web::get().to(script))
        .route("/api/docs/{file}", web::get().to(asset));
}

async fn page(
    state: web::Data<AppState>,
    page: Page,
    user: Option<CurrentUser>,
) -> Result<HttpResponse, AppError> {
    let me = match user {
        Some(user) => user.signed_in().await.ok(),
        None => None,
    };
    let mut context = page.context(me.as_ref());
    context.insert("signed_in", &me.is_some());
    page.ok(&state, "pages/api_docs.html", &context)
}

#[derive(Serialize)]
struct DocsToken {
    token: String,
    expires_at: String,
}

/// A bearer token of the signed-in page session, for the reference's "try it out".
async fn token(state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    let me = user.signed_in().await?;
    let now = now_utc().assume_utc().unix_timestamp();
    let expires = now + DOCS_TOKEN_TTL_SECS;
    let token = state
        .tokens
        .issue(me.user.id, &me.session_id, now, expires)
        .map_err(AppError::Internal)?;
    let expires_at = time::OffsetDateTime::from_unix_timestamp(expires)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(DocsToken { token, expires_at }))
}

async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(DOCS_SCRIPT)
}

async fn asset(file: web::Path<String>) -> Result<HttpResponse, AppError> {
    let name = file.into_inner();
    if !ASSETS.contains(&name.as_str()) {
        return Err(AppError::NotFound);
    }
    let found = utoipa_swagger_ui::serve(&name, SWAGGER.clone())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("swagger-ui asset {name}: {e}")))?
        .ok_or(AppError::NotFound)?;
    let content_type = if name.ends_with(".js") {
        "text/javascript; charset=utf-8"
    } else {
        "text/css; charset=utf-8"
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(match found.bytes {
            Cow::Borrowed(bytes) => web::Bytes::from_static(bytes),
            Cow::Owned(bytes) => web::Bytes::from(bytes),
        }))
}

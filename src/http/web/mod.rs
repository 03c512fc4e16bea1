//! HTML pages, rendered on the server with tera. Handlers here read like the API's:
//! extract, one blocking call into `store` when data is needed, render.

pub mod account;
pub mod admin;
pub mod api_docs;
pub mod calendar;
pub mod charts;
pub mod error_pages;
pub mod i18n;
pub mod mail;
pub mod notices;
pub mod page;
pub mod panels;
pub mod peers;
pub mod platforms;
pub mod programmes;
pub mod records;
pub mod robots;
pub mod school_year;
pub mod schools;
pub mod standards;
pub mod standing;
pub mod submissions;

use crate::http::routes::Routes;
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use self::i18n::{LANG_COOKIE, Lang};
use super::AppState;
use crate::error::AppError;

const STYLESHEET: &str = include_str!("../../../templates/static/app.css");
const REPORT_STYLESHEET: &str = include_str!("../../../templates/static/report.css");

/// The pages of evaluations: the standards, the panel's forms on a submission's page, the
/// declared conflicts, and the public notice with its objections.
fn evaluation_pages(routes: &mut Routes) {
    routes
        .route("/standards", web::get().to(standards::list))
        .route("/standards/import", web::post().to(standards::import))
        .route("/standards/{id}", web::get().to(standards::show))
        .route(
            "/standards/{id}/sheet.xlsx",
            web::get().to(standards::sheet),
        )
        // Before `{ref}`, which would take `seal` for an item's number.
        .route(
            "/submissions/{id}/evaluation/seal",
            web::post().to(panels::seal),
        )
        .route(
            "/submissions/{id}/evaluation/{ref}",
            web::post().to(submissions::assess),
        )
        .route(
            "/submissions/{id}/evaluation/{ref}/score",
            web::post().to(panels::score),
        )
        .route(
            "/submissions/{id}/evaluation/{ref}/consensus",
            web::post().to(panels::consensus),
        )
        .route(
            "/submissions/{id}/panel",
            web::post().to(panels::form_panel),
        )
        .route("/conflicts", web::get().to(panels::conflicts_page))
        .route("/conflicts", web::post().to(panels::declare))
        .route("/notices/{id}", web::get().to(notices::public_page))
        .route("/notices/{id}/objections", web::post().to(notices::object))
        .route(
            "/provinces/{id}/notices",
            web::get().to(notices::province_page),
        )
        .route("/provinces/{id}/notices", web::post().to(notices::publish))
        .route("/objections/{id}/resolve", web::post().to(notices::resolve))
        .route(
            "/submissions/{id}/site-visit",
            web::post().to(panels::site_visit),
        )
        .route(
            "/submissions/{id}/evaluation.xlsx",
            web::get().to(submissions::score_sheet),
        )
        .route(
            "/submissions/{id}/evaluation.docx",
            web::get().to(submissions::evaluation_report),
        );
}

pub fn configure(routes: &mut Routes) {
    routes
        .configure(api_docs::configure)
        .configure(evaluation_pages)
        .route("/", web::get().to(landing))
        .route("/static/app.css", web::get().to(stylesheet))
        .route("/static/report.css", web::get().to(report_stylesheet))
        .route("/lang/{code}", web::get().to(switch_language))
        .route("/login", web::get().to(account::login_page))
        .route("/login", web::post().to(account::login_submit))
        .route("/logout", web::post().to(account::logout))
        .route("/auth/{method}/login", web::get().to(platforms::leave))
        .route(
            "/auth/{method}/callback",
            web::get().to(platforms::come_back),
        )
        .route(
            "/auth/{method}/callback",
            web::post().to(platforms::cas_logout),
        )
        .route("/home", web::get().to(account::home))
        .route("/account", web::get().to(account::account_page))
        .route("/account/name", web::post().to(account::account_name))
        .route(
            "/account/password",
            web::post().to(account::account_password),
        )
        .route("/account/calendar", web::post().to(account::renew_calendar))
        .route(
            "/schools/{id}/grants",
            web::post().to(records::grant_create),
        )
        .route("/grants/{id}/revoke", web::post().to(records::grant_revoke))
        .route("/schools", web::post().to(schools::school_create))
        .route("/schools/{id}", web::get().to(schools::school_page))
        .route("/schools/{id}", web::post().to(schools::school_update))
        .route(
            "/schools/{id}/certificate",
            web::post().to(records::certificate_submit),
        )
        .route(
            "/schools/{id}/titles",
            web::post().to(records::title_submit),
        )
        .route("/schools/{id}/audits", web::get().to(records::audit_list))
        .route(
            "/schools/{id}/audits",
            web::post().to(records::audit_create),
        )
        .route(
            "/schools/{id}/indicators",
            web::get().to(records::indicators_moved),
        )
        .route(
            "/schools/{id}/status-data",
            web::get().to(records::years_page),
        )
        .route("/titles/{id}", web::post().to(records::title_update))
        .route(
            "/schools/{id}/submissions",
            web::get().to(submissions::school_submissions),
        )
        .route(
            "/schools/{id}/submissions",
            web::post().to(submissions::create),
        )
        .route(
            "/submissions/{id}",
            web::get().to(submissions::submission_page),
        )
        .route(
            "/submissions/{id}/evidence",
            web::post().to(submissions::upload),
        )
        .route("/submissions/{id}/step", web::post().to(submissions::step))
        .route("/queue", web::get().to(submissions::queue))
        .route("/schools/{id}/peers", web::get().to(peers::page))
        .route("/calendar/{name}", web::get().to(calendar::feed))
        .route("/inbox", web::get().to(submissions::inbox))
        .route("/inbox/read", web::post().to(submissions::inbox_read))
        .route("/evidence/{id}", web::get().to(submissions::evidence_file))
        .route("/static/upload.js", web::get().to(upload_script))
        .route("/audits/{id}", web::get().to(records::audit_page))
        .route("/audits/{id}", web::post().to(records::audit_update))
        .route(
            "/audits/{id}/findings",
            web::post().to(records::finding_create),
        )
        .route("/findings/{id}", web::post().to(records::finding_update))
        .route(
            "/provinces/{id}/rounds",
            web::get().to(school_year::rounds_page),
        )
        .route(
            "/provinces/{id}/rounds",
            web::post().to(school_year::round_create),
        )
        .route(
            "/provinces/{id}/programmes",
            web::get().to(programmes::page),
        )
        .route(
            "/provinces/{id}/programmes",
            web::post().to(programmes::create),
        )
        .route(
            "/provinces/{id}/standards-check",
            web::get().to(standing::inventory_page),
        )
        .route(
            "/provinces/{id}/standards-check.xlsx",
            web::get().to(standing::inventory_download),
        )
        .route("/schools/{id}/merge", web::post().to(standing::merge))
        .route("/schools/{id}/close", web::post().to(standing::close))
        .route("/schools/{id}/reopen", web::post().to(standing::reopen))
        .route(
            "/titles/{id}/settle",
            web::post().to(standing::settle_title),
        )
        .route("/programmes/{id}", web::post().to(programmes::update))
        .route("/provinces/{id}/robots", web::get().to(robots::page))
        .route("/provinces/{id}/robots", web::post().to(robots::create))
        .route("/robots/{id}/delete", web::post().to(robots::remove))
        .route("/robots/{id}/test", web::post().to(robots::test))
        .route("/rounds/{id}", web::get().to(school_year::round_page))
        .route("/rounds/{id}", web::post().to(school_year::round_update))
        .route(
            "/rounds/{id}/figures.xlsx",
            web::get().to(school_year::round_download),
        )
        .route(
            "/schools/{id}/status-data/{year}",
            web::get().to(school_year::year_page),
        )
        .route(
            "/schools/{id}/status-data/{year}",
            web::post().to(school_year::year_save),
        )
        .route(
            "/schools/{id}/status-data/{year}/template.xlsx",
            web::get().to(school_year::year_template),
        )
        .route(
            "/schools/{id}/status-data/{year}/upload",
            web::post().to(school_year::year_upload),
        )
        .route(
            "/schools/{id}/status-data/{year}/submit",
            web::post().to(school_year::year_submit),
        )
        .route(
            "/schools/{id}/status-data/{year}/reopen",
            web::post().to(school_year::year_reopen),
        )
        .route(
            "/schools/{id}/annual-report/{year}",
            web::get().to(school_year::report_page),
        )
        .route(
            "/schools/{id}/annual-report/{year}",
            web::post().to(school_year::report_save),
        )
        .route(
            "/schools/{id}/annual-report/{year}/print",
            web::get().to(school_year::report_print),
        )
        .route(
            "/schools/{id}/annual-report/{year}/docx",
            web::get().to(school_year::report_docx),
        )
        .route(
            "/schools/{id}/annual-report/{year}/attach",
            web::post().to(school_year::report_attach),
        )
        .route("/static/status.js", web::get().to(status_script))
        .route("/admin/provinces", web::get().to(admin::provinces_page))
        .route("/admin/provinces", web::post().to(admin::province_create))
        .route("/admin/users", web::get().to(admin::users_page))
        .route("/admin/users", web::post().to(admin::user_create))
        .route(
            "/admin/users/{id}/active",
            web::post().to(admin::user_set_active),
        )
        .route(
            "/admin/users/{id}/external-id",
            web::post().to(admin::user_set_external_id),
        )
        .route("/admin/access-log", web::get().to(admin::access_log_page))
        .route(
            "/admin/access-log.csv",
            web::get().to(admin::access_log_csv),
        )
        .route("/account/mail", web::post().to(mail::save_choices))
        .route("/mail/opt-out", web::get().to(mail::opt_out_confirm))
        .route("/mail/opt-out", web::post().to(mail::opt_out))
        .route("/admin/mail", web::get().to(mail::admin_page))
        .route("/admin/mail/retry", web::post().to(mail::admin_retry));
}

async fn landing(state: web::Data<AppState>, page: page::Page) -> Result<HttpResponse, AppError> {
    page.ok(&state, "pages/landing.html", &page.context(None))
}

const UPLOAD_SCRIPT: &str = include_str!("../../../templates/static/upload.js");

const STATUS_SCRIPT: &str = include_str!("../../../templates/static/status.js");

async fn status_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(STATUS_SCRIPT)
}

async fn upload_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(UPLOAD_SCRIPT)
}

async fn report_stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(REPORT_STYLESHEET)
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(STYLESHEET)
}

#[derive(Deserialize)]
struct SwitchQuery {
    next: Option<String>,
}

/// Remembers the chosen language in a cookie and goes back to the page it came from.
async fn switch_language(
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: web::Query<SwitchQuery>,
    user: Option<crate::auth::CurrentUser>,
) -> Result<HttpResponse, AppError> {
    let lang = Lang::from_tag(&code).ok_or(AppError::NotFound)?;
    // Signed in, the switch is also the language of one's mails. A session that has ended
    // still switches the pages.
    if let Some(user) = user {
        let saved = user
            .run_as(move |conn, me| {
                if me.user.language == lang {
                    return Ok(());
                }
                crate::store::users::set_language(conn, me.user.id, lang, crate::clock::now_utc())
                    .map(drop)
            })
            .await;
        match saved {
            Ok(()) | Err(AppError::Unauthorized { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    let cookie = Cookie::build(LANG_COOKIE, lang.code())
        .path("/")
        .max_age(CookieDuration::days(365))
        .same_site(SameSite::Lax)
        .http_only(true)
        .secure(state.settings.secure_cookies)
        .finish();
    Ok(HttpResponse::SeeOther()
        .cookie(cookie)
        .insert_header((header::LOCATION, local_path(query.next.as_deref())))
        .finish())
}

/// Only a path on this site may be a redirect target: never another host. `next` must be a
/// path-absolute reference (RFC 3986) of visible characters: it starts with one `/`, and
/// has no second `/` or `\\` after it (which browsers read as another host), no backslash
/// anywhere, and no control character, space or DEL (browsers drop tabs and line breaks
/// before parsing, so `/\t/evil.example` would become `//evil.example`; and a header
/// cannot hold them). Anything else goes home.
pub fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(p)
            if p.len() <= 2_000
                && p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && !p
                    .chars()
                    .any(|c| c <= ' ' || c == '\u{7f}' || c.is_control()) =>
        {
            p
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn redirects_stay_on_the_site() {
        assert_eq!(local_path(Some("/schools/3")), "/schools/3");
        assert_eq!(local_path(Some("//evil.example")), "/");
        assert_eq!(local_path(Some("https://evil.example")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(None), "/");
        for hostile in [
            "/\t/evil.example",
            "/\n/evil.example",
            "\t//evil.example",
            "/ /evil.example",
            "/\r",
            "/\u{7f}",
            "/\u{85}x",
            "https:evil.example",
            "evil.example",
            "",
        ] {
            assert_eq!(local_path(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(local_path(Some("/schools?q=a%20b")), "/schools?q=a%20b");
    }
}

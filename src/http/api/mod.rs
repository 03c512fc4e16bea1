//! The JSON API. Every route is registered through the one table below (`api_routes!`),
//! which is also what the OpenAPI check and the access matrix test walk: a route cannot be
//! served without appearing there.

pub mod access_log;
pub mod annual_report;
pub mod audits;
pub mod auth;
pub mod body;
pub mod deadlines;
pub mod evaluations;
pub mod grants;
pub mod health;
pub mod me;
pub mod notices;
pub mod openapi;
pub mod paging;
pub mod panels;
pub mod peers;
pub mod programmes;
pub mod provinces;
pub mod record;
pub mod schools;
pub mod standards;
pub mod status_data;
pub mod submissions;
pub mod titles;
pub mod users;
pub mod webhooks;

use std::collections::BTreeMap;

use actix_web::http::Method;
use actix_web::{Route, web};

use crate::error::AppError;

/// One registered API route.
pub struct ApiRoute {
    pub method: Method,
    /// The path in actix's (and OpenAPI's) syntax, e.g. `/api/v1/schools/{id}`.
    pub path: &'static str,
    route: fn() -> Route,
}

macro_rules! api_routes {
    ($($method:ident $path:literal => $handler:path),* $(,)?) => {
        /// Every API route: method, path and handler.
        pub static ROUTES: &[ApiRoute] = &[
            $(ApiRoute {
                method: Method::$method,
                path: $path,
                route: || web::route().method(Method::$method).to($handler),
            }),*
        ];
    };
}

api_routes! {
    GET "/healthz" => health::healthz,
    GET "/api/v1/openapi.json" => openapi::openapi_json,
    POST "/api/v1/auth/login" => auth::login,
    POST "/api/v1/auth/logout" => auth::logout,
    GET "/api/v1/access-log" => access_log::list,
    POST "/api/v1/provinces/{id}/webhooks" => webhooks::create,
    GET "/api/v1/provinces/{id}/webhooks" => webhooks::list,
    DELETE "/api/v1/webhooks/{id}" => webhooks::delete,
    POST "/api/v1/webhooks/{id}/test" => webhooks::test,
    GET "/api/v1/me" => me::get_me,
    PATCH "/api/v1/me" => me::patch_me,
    POST "/api/v1/me/password" => me::change_password,
    GET "/api/v1/me/notifications" => me::notifications,
    POST "/api/v1/me/notifications/read" => me::mark_notifications_read,
    POST "/api/v1/provinces" => provinces::create,
    GET "/api/v1/provinces" => provinces::list,
    GET "/api/v1/provinces/{id}" => provinces::get,
    POST "/api/v1/schools" => schools::create,
    GET "/api/v1/schools" => schools::list,
    GET "/api/v1/schools/{id}" => schools::get,
    PATCH "/api/v1/schools/{id}" => schools::patch,
    POST "/api/v1/schools/{id}/merge" => schools::merge,
    POST "/api/v1/schools/{id}/close" => schools::close,
    POST "/api/v1/schools/{id}/reopen" => schools::reopen,
    POST "/api/v1/titles/{id}/settle" => schools::settle_title,
    GET "/api/v1/provinces/{id}/standards-check" => schools::standards_check,
    POST "/api/v1/users" => users::create,
    GET "/api/v1/users" => users::list,
    GET "/api/v1/users/{id}" => users::get,
    PATCH "/api/v1/users/{id}" => users::patch,
    POST "/api/v1/title-types" => titles::create_type,
    GET "/api/v1/title-types" => titles::list_types,
    POST "/api/v1/schools/{id}/titles" => titles::create_holding,
    GET "/api/v1/schools/{id}/titles" => titles::list_holdings,
    PATCH "/api/v1/titles/{id}" => titles::patch_holding,
    GET "/api/v1/schools/{id}/certificate" => record::get_certificate,
    PUT "/api/v1/schools/{id}/certificate" => record::put_certificate,
    PUT "/api/v1/schools/{id}/indicators/{year}" => record::put_indicators,
    GET "/api/v1/schools/{id}/indicators" => record::list_indicators,
    GET "/api/v1/schools/{id}/history" => record::school_history,
    POST "/api/v1/schools/{id}/audits" => audits::create,
    GET "/api/v1/schools/{id}/audits" => audits::list,
    GET "/api/v1/audits/{id}" => audits::get,
    PATCH "/api/v1/audits/{id}" => audits::patch,
    POST "/api/v1/audits/{id}/findings" => audits::create_finding,
    GET "/api/v1/audits/{id}/findings" => audits::list_findings,
    GET "/api/v1/findings/{id}" => audits::get_finding,
    PATCH "/api/v1/findings/{id}" => audits::patch_finding,
    POST "/api/v1/schools/{id}/submissions" => submissions::create,
    GET "/api/v1/submissions" => submissions::list,
    GET "/api/v1/submissions/{id}" => submissions::get,
    GET "/api/v1/submissions/{id}/events" => submissions::events,
    POST "/api/v1/submissions/{id}/evidence" => submissions::upload,
    GET "/api/v1/evidence/{id}/content" => submissions::content,
    POST "/api/v1/submissions/{id}/submit" => submissions::submit,
    POST "/api/v1/submissions/{id}/withdraw" => submissions::withdraw,
    POST "/api/v1/submissions/{id}/review" => submissions::review,
    POST "/api/v1/submissions/{id}/sign-off" => submissions::sign_off,
    GET "/api/v1/deadlines" => deadlines::list,
    GET "/api/v1/schools/{id}/peer-comparison" => peers::compare,
    POST "/api/v1/schools/{id}/consulting-grants" => grants::create,
    GET "/api/v1/schools/{id}/consulting-grants" => grants::list,
    DELETE "/api/v1/consulting-grants/{id}" => grants::revoke,
    POST "/api/v1/provinces/{id}/programmes" => programmes::create,
    GET "/api/v1/provinces/{id}/programmes" => programmes::list,
    PATCH "/api/v1/programmes/{id}" => programmes::patch,
    GET "/api/v1/me/calendar" => deadlines::my_calendar,
    POST "/api/v1/me/calendar" => deadlines::renew_calendar,
    GET "/api/v1/indicators" => status_data::list_indicators,
    POST "/api/v1/indicators" => status_data::create_indicator,
    POST "/api/v1/provinces/{id}/rounds" => status_data::create_round,
    GET "/api/v1/provinces/{id}/rounds" => status_data::list_rounds,
    GET "/api/v1/rounds/{id}" => status_data::get_round,
    PATCH "/api/v1/rounds/{id}" => status_data::patch_round,
    GET "/api/v1/schools/{id}/status-data/{year}" => status_data::get_status,
    PUT "/api/v1/schools/{id}/status-data/{year}" => status_data::put_status,
    GET "/api/v1/schools/{id}/status-data/{year}/template.xlsx" => status_data::template_xlsx,
    POST "/api/v1/schools/{id}/status-data/{year}/upload" => status_data::upload_template,
    POST "/api/v1/schools/{id}/status-data/{year}/reopen" => status_data::reopen,
    GET "/api/v1/provinces/{id}/status-data/{year}" => status_data::province_figures,
    GET "/api/v1/schools/{id}/annual-report/{year}" => annual_report::get,
    PUT "/api/v1/schools/{id}/annual-report/{year}" => annual_report::put_sections,
    POST "/api/v1/schools/{id}/annual-report/{year}/attach" => annual_report::attach,
    POST "/api/v1/standards" => standards::create,
    POST "/api/v1/standards/import" => standards::import,
    GET "/api/v1/standards" => standards::list,
    GET "/api/v1/standards/{id}" => standards::get,
    GET "/api/v1/submissions/{id}/evaluation" => evaluations::get,
    POST "/api/v1/submissions/{id}/evaluation" => evaluations::choose_standard,
    PUT "/api/v1/submissions/{id}/evaluation/criteria/{ref}" => evaluations::self_assess,
    GET "/api/v1/submissions/{id}/panel" => panels::get,
    PUT "/api/v1/submissions/{id}/panel" => panels::form,
    PUT "/api/v1/submissions/{id}/evaluation/criteria/{ref}/score" => panels::score,
    POST "/api/v1/submissions/{id}/evaluation/seal" => panels::seal,
    PUT "/api/v1/submissions/{id}/evaluation/criteria/{ref}/consensus" => panels::consensus,
    POST "/api/v1/submissions/{id}/site-visit" => panels::site_visit,
    GET "/api/v1/me/conflicts" => panels::my_conflicts,
    POST "/api/v1/provinces/{id}/notices" => notices::publish,
    GET "/api/v1/provinces/{id}/notices" => notices::list,
    GET "/api/v1/notices/{id}" => notices::public,
    POST "/api/v1/notices/{id}/objections" => notices::object,
    GET "/api/v1/provinces/{id}/objections" => notices::objections,
    POST "/api/v1/objections/{id}/resolve" => notices::resolve,
    POST "/api/v1/me/conflicts" => panels::declare,
}

/// Registers every route of `ROUTES`, one resource per path (so that a wrong method on a
/// known path is a 405, not a 404).
pub fn configure(routes: &mut crate::http::routes::Routes) {
    let mut by_path: BTreeMap<&str, Vec<&'static ApiRoute>> = BTreeMap::new();
    for route in ROUTES {
        by_path.entry(route.path).or_default().push(route);
    }
    for (path, routes_of_path) in by_path {
        routes.resource(path, move |rest| {
            let allowed: Vec<String> = routes_of_path.iter().map(|r| r.method.to_string()).collect();
            let mut resource = web::resource(rest);
            for route in &routes_of_path {
                resource = resource.route((route.route)());
            }
            let allow = allowed.join(", ");
            resource.default_service(web::to(move || {
                let allow = allow.clone();
                async move { Err::<actix_web::HttpResponse, _>(AppError::MethodNotAllowed { allow }) }
            }))
        });
    }
}

//! The web application: shared state, middleware, and the two faces of it (the JSON API
//! under `/api` and the HTML pages), assembled by `build_app`.

pub mod api;
pub mod documents;
pub mod export;
pub mod files;
pub mod routes;
pub mod web;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{DefaultHeaders, ErrorHandlers};
use actix_web::{App, Error, HttpMessage, web as aw};
use tracing_actix_web::{RequestId, TracingLogger};

use crate::error::{AppError, Msg};
pub use crate::state::AppState;

/// The longest request target (path and query) served; longer ones get 414 `uri_too_long`.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// The content security policy of every response: no inline script, no framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

pub use crate::auth::is_api_path;

/// Builds the application around its state. `startup` calls it once per worker.
pub fn build_app(
    state: aw::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        // Bodies are read whole by `api::body::Body` and `web::page::Posted` (each with its
        // own checks); this is the most either takes.
        .app_data(aw::PayloadConfig::new(api::body::JSON_LIMIT))
        .app_data(aw::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
        .app_data(aw::QueryConfig::default().error_handler(|err, _| {
            tracing::debug!(error = %err, "unreadable query");
            AppError::bad_request("invalid_query", Msg::MalformedQuery).into()
        }))
        .configure(|cfg| {
            let mut routes = routes::Routes::default();
            routes.configure(api::configure).configure(web::configure);
            routes.register(cfg);
        })
        .default_service(aw::to(|| async {
            Err::<actix_web::HttpResponse, _>(AppError::NotFound)
        }))
        // A long address gets the contract's error (a page, or JSON on the API) well before
        // the HTTP layer's own limit (64 KiB, answered with a bare 400 we cannot dress).
        .wrap_fn(|req, srv| {
            let too_long = req
                .uri()
                .path_and_query()
                .is_some_and(|p| p.as_str().len() > MAX_URI_BYTES);
            // Answered as a response (not an `Err`) so that the error handlers below dress it.
            let outcome = if too_long {
                Err(req.error_response(AppError::UriTooLong))
            } else {
                Ok(srv.call(req))
            };
            async move {
                match outcome {
                    Ok(response) => Ok(response.await?.map_into_left_body()),
                    Err(refused) => Ok(refused.map_into_right_body()),
                }
            }
        })
        .wrap(ErrorHandlers::new().default_handler(web::error_pages::render))
        .wrap(
            DefaultHeaders::new()
                .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("X-Frame-Options", "DENY"))
                .add(("Referrer-Policy", "same-origin"))
                .add(("Cross-Origin-Opener-Policy", "same-origin"))
                .add((
                    "Permissions-Policy",
                    "camera=(), microphone=(), geolocation=()",
                )),
        )
        .wrap_fn(|req, srv| {
            // Hand the request id of the log line back to the client, for support requests.
            let id = req.extensions().get::<RequestId>().copied();
            let response = srv.call(req);
            async move {
                let mut response = response.await?;
                if let Some(id) = id
                    && let Ok(value) = HeaderValue::from_str(&id.to_string())
                {
                    response
                        .headers_mut()
                        .insert(HeaderName::from_static("x-request-id"), value);
                }
                Ok(response)
            }
        })
        .wrap(TracingLogger::default())
}

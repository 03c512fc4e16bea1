//! Error responses of pages become HTML in the user's language. API paths keep the JSON
//! body that `AppError` produced; this is the only place that tells the two apart.

use actix_web::body::EitherBody;
use actix_web::dev::ServiceResponse;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, web};

use super::i18n::Lang;
use super::templates::page_context;
use crate::error::ErrorInfo;
use crate::http::{AppState, is_api_path};

pub fn render<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // API errors keep their JSON; a page that chose its own status (a form shown again
    // with 422, the login page with 401) is already what the user should see.
    if is_api_path(res.request().path()) || res.response().error().is_none() {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let request = res.request();
    let status = res.status();
    // A page that needs a signed-in user sends the visitor to sign in, then back.
    if status == actix_web::http::StatusCode::UNAUTHORIZED
        && request.method() == actix_web::http::Method::GET
    {
        let next = request.uri().path_and_query().map_or("/", |p| p.as_str());
        let location = format!("/login?next={}", super::templates::percent_encode(next));
        let response = HttpResponse::SeeOther()
            .insert_header((actix_web::http::header::LOCATION, location))
            .finish();
        let (req, _) = res.into_parts();
        return Ok(ErrorHandlerResponse::Response(
            ServiceResponse::new(req, response).map_body(|_, body| EitherBody::right(body)),
        ));
    }
    let info = res.response().extensions().get::<ErrorInfo>().cloned();
    let lang = Lang::of_request(request);
    let mut context = page_context(request.path());
    context.insert("me", &Option::<()>::None);
    context.insert("csrf_token", "");
    context.insert("status", &status.as_u16());
    // Details are shown for the user's own mistakes; a server error shows nothing of its cause.
    let detail = info.filter(|_| status.is_client_error());
    context.insert("error_code", &detail.as_ref().map(|i| i.code).unwrap_or(""));
    context.insert(
        "error_message",
        &detail.as_ref().map(|i| i.message.as_str()).unwrap_or(""),
    );
    let html = match request.app_data::<web::Data<AppState>>() {
        Some(state) => state
            .templates
            .render(lang, "pages/error.html", &context)
            .unwrap_or_else(|_| status.to_string()),
        None => status.to_string(),
    };
    let mut response = HttpResponse::build(status);
    for name in ["retry-after", "allow"] {
        if let Some(value) = res.headers().get(name) {
            response.insert_header((name, value.clone()));
        }
    }
    let response = response.content_type("text/html; charset=utf-8").body(html);
    let (req, _) = res.into_parts();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_body(|_, body| EitherBody::right(body)),
    ))
}

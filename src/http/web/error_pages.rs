//! Error responses in the reader's language: pages become HTML, API answers keep the
//! contract's JSON, written again when the request asks for another language than the
//! English that `AppError` wrote. This is the only place that tells the two apart.

use actix_web::body::EitherBody;
use actix_web::dev::ServiceResponse;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, web};

use super::i18n::Lang;
use crate::error::ErrorInfo;
use crate::http::{AppState, is_api_path};
use crate::templates::page_context;

pub fn render<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // A page that chose its own status (a form shown again with 422, the login page with
    // 401) is already what the user should see.
    if res.response().error().is_none() {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    if is_api_path(res.request().path()) {
        return Ok(ErrorHandlerResponse::Response(api_error_in_language(res)));
    }
    let request = res.request();
    let status = res.status();
    // A page that needs a signed-in user sends the visitor to sign in, then back.
    if status == actix_web::http::StatusCode::UNAUTHORIZED
        && request.method() == actix_web::http::Method::GET
    {
        let next = request.uri().path_and_query().map_or("/", |p| p.as_str());
        let location = format!("/login?next={}", crate::templates::percent_encode(next));
        let response = HttpResponse::SeeOther()
            .insert_header((actix_web::http::header::LOCATION, location))
            .finish();
        let (req, _) = res.into_parts();
        return Ok(ErrorHandlerResponse::Response(
            ServiceResponse::new(req, response).map_body(|_, body| EitherBody::right(body)),
        ));
    }
    let info = res.response().extensions().get::<ErrorInfo>().cloned();
    // An account held to its first password change is sent to choose it.
    if info
        .as_ref()
        .is_some_and(|i| i.code == crate::error::AppError::PasswordChangeRequired.code())
    {
        let response = HttpResponse::SeeOther()
            .insert_header((
                actix_web::http::header::LOCATION,
                "/account?done=password_required",
            ))
            .finish();
        let (req, _) = res.into_parts();
        return Ok(ErrorHandlerResponse::Response(
            ServiceResponse::new(req, response).map_body(|_, body| EitherBody::right(body)),
        ));
    }
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
        &detail
            .as_ref()
            .map(|i| i.message.text(lang))
            .unwrap_or_default(),
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

/// The API's error body in the language the request asks for (English unless asked).
fn api_error_in_language<B>(res: ServiceResponse<B>) -> ServiceResponse<EitherBody<B>> {
    let lang = Lang::of_api_request(res.request());
    let info = res.response().extensions().get::<ErrorInfo>().cloned();
    let Some(info) = info.filter(|_| lang != Lang::En) else {
        return res.map_into_left_body();
    };
    let mut response = HttpResponse::build(res.status());
    for (name, value) in res.headers() {
        if name != actix_web::http::header::CONTENT_LENGTH {
            response.append_header((name.clone(), value.clone()));
        }
    }
    let response = response.json(info.body(lang));
    let (req, _) = res.into_parts();
    ServiceResponse::new(req, response).map_body(|_, body| EitherBody::right(body))
}

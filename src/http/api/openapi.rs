//! The OpenAPI description of the API, generated from the handlers' annotations.

use actix_web::HttpResponse;
use utoipa::OpenApi;

use super::health;
use crate::error::{ErrorBody, ErrorDetail};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "accredit",
        description = "Accreditation records of vocational and technical schools and their \
            provincial sign-off. Errors always have the body \
            `{\"error\": {\"code\", \"message\", \"fields\"?}}`."
    ),
    paths(health::healthz, openapi_json),
    components(schemas(ErrorBody, ErrorDetail, health::Health)),
    tags(
        (name = "health", description = "Service status"),
        (name = "meta", description = "This description")
    )
)]
pub struct ApiDoc;

/// This OpenAPI document
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json"))
)]
pub async fn openapi_json() -> HttpResponse {
    match ApiDoc::openapi().to_pretty_json() {
        Ok(json) => HttpResponse::Ok()
            .content_type("application/json")
            .body(json),
        Err(e) => actix_web::ResponseError::error_response(&crate::error::AppError::Internal(
            anyhow::anyhow!("cannot serialise the OpenAPI document: {e}"),
        )),
    }
}

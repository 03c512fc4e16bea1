//! The OpenAPI description of the API, generated from the handlers' annotations.

use actix_web::HttpResponse;
use utoipa::OpenApi;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use super::{
    annual_report, audits, auth, deadlines, grants, health, me, peers, programmes, provinces,
    record, schools, status_data, submissions, titles, users,
};
use crate::domain::{Role, SchoolKind};
use crate::error::{ErrorBody, ErrorDetail};

/// Declares the bearer token scheme the operations refer to.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The paging convention, written once for every list route: a `GET` whose answer is a JSON
/// array takes `limit` and `cursor`, and answers `X-Total-Count` and, while there is more,
/// `Link` (`rel="next"`).
struct PagingConvention;

impl utoipa::Modify for PagingConvention {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::IntoParams;
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{Header, ObjectBuilder, RefOr, Schema, Type};
        for item in openapi.paths.paths.values_mut() {
            let Some(get) = item.get.as_mut() else {
                continue;
            };
            let Some(RefOr::T(ok)) = get.responses.responses.get_mut("200") else {
                continue;
            };
            let answers_array = ok.content.get("application/json").is_some_and(|c| {
                matches!(c, RefOr::T(content) if matches!(content.schema, Some(RefOr::T(Schema::Array(_)))))
            });
            if !answers_array {
                continue;
            }
            let mut total = Header::new(ObjectBuilder::new().schema_type(Type::Integer));
            total.description = Some("how many rows the whole list has".into());
            let mut link = Header::new(ObjectBuilder::new().schema_type(Type::String));
            link.description =
                Some("`<…?cursor=…>; rel=\"next\"` (RFC 8288) while there are more rows".into());
            ok.headers.insert("X-Total-Count".into(), RefOr::T(total));
            ok.headers.insert("Link".into(), RefOr::T(link));
            let parameters = get.parameters.get_or_insert_with(Vec::new);
            for parameter in
                crate::http::api::paging::PageQuery::into_params(|| Some(ParameterIn::Query))
            {
                let present = parameters
                    .iter()
                    .any(|p| matches!(p, RefOr::T(p) if p.name == parameter.name));
                if !present {
                    parameters.push(RefOr::T(parameter));
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "accredit",
        description = "Accreditation records of vocational and technical schools and their \
            provincial sign-off. Errors always have the body \
            `{\"error\": {\"code\", \"message\", \"fields\"?}}`."
    ),
    paths(
        health::healthz, openapi_json,
        auth::login, auth::logout,
        me::get_me, me::patch_me, me::change_password,
        me::notifications, me::mark_notifications_read,
        provinces::create, provinces::list, provinces::get,
        schools::create, schools::list, schools::get, schools::patch,
        users::create, users::list, users::get, users::patch,
        titles::create_type, titles::list_types, titles::create_holding, titles::list_holdings,
        titles::patch_holding,
        record::get_certificate, record::put_certificate, record::put_indicators,
        record::list_indicators, record::school_history,
        audits::create, audits::list, audits::get, audits::patch,
        audits::create_finding, audits::list_findings, audits::get_finding, audits::patch_finding,
        submissions::create, submissions::list, submissions::get, submissions::events,
        submissions::upload, submissions::content, submissions::submit, submissions::withdraw,
        submissions::review, submissions::sign_off,
        deadlines::list, deadlines::my_calendar, deadlines::renew_calendar,
        peers::compare, programmes::create, programmes::list,
        grants::create, grants::list, grants::revoke,
        status_data::list_indicators, status_data::create_indicator,
        status_data::create_round, status_data::list_rounds, status_data::get_round,
        status_data::patch_round, status_data::get_status, status_data::put_status,
        status_data::template_xlsx, status_data::upload_template, status_data::reopen,
        status_data::province_figures,
        annual_report::get, annual_report::put_sections, annual_report::attach,
    ),
    components(schemas(ErrorBody, ErrorDetail, health::Health, Role, SchoolKind)),
    modifiers(&BearerAuth, &PagingConvention),
    tags(
        (name = "health", description = "Service status"),
        (name = "meta", description = "This description"),
        (name = "auth", description = "Signing in and out"),
        (name = "account", description = "One's own account"),
        (name = "provinces", description = "Provinces"),
        (name = "schools", description = "Schools, the tenants"),
        (name = "users", description = "User accounts"),
        (name = "titles", description = "The title catalogue and the titles schools hold"),
        (name = "audits", description = "Audits, findings and corrective actions"),
        (name = "record", description = "Certificate, indicators and history of a school"),
        (name = "submissions", description = "Submissions, evidence and the provincial sign-off"),
        (name = "deadlines", description = "What falls due, as JSON, CSV, XLSX and iCalendar"),
        (name = "peers", description = "A school against its province's peers"),
        (name = "programmes", description = "Provincial programmes and their progress"),
        (name = "grants", description = "Consulting grants between schools"),
        (name = "school year", description = "Status data, collection rounds and the year lock")
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

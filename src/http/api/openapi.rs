//! The OpenAPI description of the API, generated from the handlers' annotations.

use actix_web::HttpResponse;
use utoipa::OpenApi;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use super::{
    access_log, annual_report, audits, auth, deadlines, evaluations, grants, health, me, notices,
    panels, peers, programmes, provinces, record, schools, standards, status_data, submissions,
    titles, users, webhooks,
};
use crate::domain::notice::NoticeState;
use crate::domain::quality::{
    AuditKind, FindingGrade, FindingStatus, HoldingStatus, TitleLevel, TitleSettlement,
};
use crate::domain::robot::{RobotEvent, RobotKind};
use crate::domain::sign_in::{AccessEvent, SignInMethod, SignInRefusal};
use crate::domain::workflow::{SubmissionKind, SubmissionStatus};
use crate::domain::{Role, SchoolKind, SchoolStatus};
use crate::error::{ErrorBody, ErrorDetail};
use crate::store::evaluations::EvaluationState;
use crate::store::standards::StandardScope;

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

/// Calls `f` with the path, the method and each operation of the document.
fn each_operation(
    document: &mut utoipa::openapi::OpenApi,
    f: &mut dyn FnMut(&str, &str, &mut utoipa::openapi::path::Operation),
) {
    for (path, item) in document.paths.paths.iter_mut() {
        for (method, operation) in [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("patch", &mut item.patch),
            ("delete", &mut item.delete),
        ] {
            if let Some(operation) = operation.as_mut() {
                f(path, method, operation);
            }
        }
    }
}

/// The rules every operation of the document keeps, written once: a description on every
/// answer, one operation id per operation, query parameters declared in the query, and the
/// shared set of error answers each kind of route can give (the contract's error body).
struct ExactContract;

/// What each status means, for answers the handler's annotation left without words.
fn status_description(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created",
        "204" => "Done; no content",
        "303" => "See the address in Location",
        "400" => {
            "The request cannot be read: malformed JSON, a value of the wrong type (the field is named), or a malformed query"
        }
        "401" => "Not signed in, or the token is expired, revoked or not ours",
        "403" => "Signed in, but this role may not do this",
        "404" => "No such record, or not one the caller may see",
        "409" => {
            "In conflict with the record's state: changed since it was read (`stale_version`), a duplicate, a locked year, a step the workflow does not allow now, or the record of a school merged or closed by today (`school_closed`)"
        }
        "413" => "The body or file is larger than allowed",
        "414" => "The address (path and query) is longer than 8 KiB",
        "415" => "The body is not of a type this route takes",
        "422" => "A value is out of its range or breaks a rule; `fields` names each field",
        "429" => "Too many attempts; `Retry-After` says when to try again",
        "500" => "A fault of the server; the answer's `X-Request-Id` finds it in the log",
        "503" => {
            "The database does not answer (or was lost during the request); `Retry-After` says when to try again"
        }
        _ => "See the error code",
    }
}

impl utoipa::Modify for ExactContract {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use std::collections::BTreeMap;
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{ContentBuilder, RefOr, ResponseBuilder};

        let error = || {
            ContentBuilder::new()
                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    "ErrorBody",
                ))))
                .build()
        };
        let mut ids: BTreeMap<String, usize> = BTreeMap::new();
        each_operation(openapi, &mut |_, _, op| {
            if let Some(id) = &op.operation_id {
                *ids.entry(id.clone()).or_default() += 1;
            }
        });
        each_operation(openapi, &mut |path, method, op| {
            // One id per operation: a handler's name shared by several modules (`get`,
            // `list`, …) gets the route's resources after it.
            if let Some(id) = op.operation_id.clone()
                && ids.get(&id).copied().unwrap_or(0) > 1
            {
                let resources: Vec<&str> = path
                    .trim_start_matches("/api/v1/")
                    .split('/')
                    .filter(|s| !s.starts_with('{') && !s.is_empty())
                    .collect();
                op.operation_id = Some(format!(
                    "{id}_{}",
                    resources.join("_").replace(['-', '.'], "_")
                ));
            }
            // A parameter the path does not name is a query parameter.
            for parameter in op.parameters.iter_mut().flatten() {
                if let RefOr::T(p) = parameter
                    && matches!(p.parameter_in, ParameterIn::Path)
                    && !path.contains(&format!("{{{}}}", p.name))
                {
                    p.parameter_in = ParameterIn::Query;
                    p.required = utoipa::openapi::Required::False;
                }
            }
            // A `format` parameter names the other media types the answer may have.
            let formats: Vec<String> = op
                .parameters
                .iter()
                .flatten()
                .filter_map(|p| match p {
                    RefOr::T(p) if p.name == "format" => p.schema.as_ref(),
                    _ => None,
                })
                .filter_map(|schema| match schema {
                    RefOr::T(utoipa::openapi::Schema::Object(o)) => o.enum_values.clone(),
                    _ => None,
                })
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            if let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") {
                for format in &formats {
                    let media = match format.as_str() {
                        "csv" => "text/csv; charset=utf-8",
                        "xlsx" => {
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                        }
                        "docx" => {
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                        }
                        "html" => "text/html; charset=utf-8",
                        _ => continue,
                    };
                    let bare = media.split(';').next().unwrap_or(media);
                    if !ok.content.keys().any(|k| k.split(';').next() == Some(bare)) {
                        let file = utoipa::openapi::ObjectBuilder::new()
                            .schema_type(utoipa::openapi::Type::String)
                            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                                utoipa::openapi::KnownFormat::Binary,
                            )));
                        ok.content.insert(
                            bare.to_owned(),
                            RefOr::T(ContentBuilder::new().schema(Some(file)).build()),
                        );
                    }
                }
            }
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let has_body = op.request_body.is_some();
            let has_inputs = has_body
                || op.parameters.as_ref().is_some_and(|p| !p.is_empty())
                || path.contains('{');
            let mut shared: Vec<&str> = vec!["400", "414", "500", "503"];
            if secured {
                shared.extend(["401", "403", "404", "429"]);
            }
            if path.contains('{') {
                shared.push("404");
            }
            if has_inputs {
                shared.push("422");
            }
            if has_body {
                shared.extend(["413", "415"]);
            }
            if method != "get" {
                shared.push("409");
            }
            for status in shared {
                op.responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| {
                        RefOr::T(
                            ResponseBuilder::new()
                                .description(status_description(status))
                                .content("application/json", error())
                                .build(),
                        )
                    });
            }
            for (status, response) in op.responses.responses.iter_mut() {
                if let RefOr::T(response) = response
                    && response.description.is_empty()
                {
                    response.description = status_description(status).to_owned();
                }
            }
        });
    }
}

/// The years the validators take move with the calendar, so the document says them when
/// it is asked for: a reporting year (`year`) between 1950 and next year
/// (`domain::indicators::parse_year`), a school's founding year between 1850 and this year
/// (`store::schools::parse_founded_year`).
fn year_ranges(document: &mut utoipa::openapi::OpenApi, this_year: i32) {
    use utoipa::openapi::{ObjectBuilder, RefOr, Schema, Type};
    let range = |name: &str| match name {
        "year" => Some((1950, this_year + 1)),
        "founded_year" => Some((1850, this_year)),
        _ => None,
    };
    let integer = |(min, max): (i32, i32), nullable: bool| {
        let kind = if nullable {
            utoipa::openapi::schema::SchemaType::from_iter([Type::Integer, Type::Null])
        } else {
            utoipa::openapi::schema::SchemaType::new(Type::Integer)
        };
        RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(kind)
                .minimum(Some(min))
                .maximum(Some(max))
                .build(),
        ))
    };
    if let Some(components) = document.components.as_mut() {
        // Requests only: a record may hold older years (a programme's progress since 1897).
        for (name, schema) in components.schemas.iter_mut() {
            let RefOr::T(Schema::Object(object)) = schema else {
                continue;
            };
            if !name.ends_with("Input") {
                continue;
            }
            let required = object.required.clone();
            for (name, property) in object.properties.iter_mut() {
                if let Some(years) = range(name) {
                    *property = integer(years, !required.contains(name));
                }
            }
        }
    }
    each_operation(document, &mut |_, _, operation| {
        for parameter in operation.parameters.iter_mut().flatten() {
            if let RefOr::T(parameter) = parameter
                && let Some(years) = range(&parameter.name)
            {
                parameter.schema = Some(integer(years, false));
            }
        }
    });
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
        schools::merge, schools::close, schools::reopen, schools::settle_title,
        schools::standards_check,
        users::create, users::list, users::get, users::patch, access_log::list,
        webhooks::create, webhooks::list, webhooks::delete, webhooks::test,
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
        peers::compare, programmes::create, programmes::list, programmes::patch,
        grants::create, grants::list, grants::revoke,
        status_data::list_indicators, status_data::create_indicator,
        status_data::create_round, status_data::list_rounds, status_data::get_round,
        status_data::patch_round, status_data::get_status, status_data::put_status,
        status_data::template_xlsx, status_data::upload_template, status_data::reopen,
        status_data::province_figures,
        annual_report::get, annual_report::put_sections, annual_report::attach,
        standards::create, standards::import, standards::list, standards::get,
        evaluations::get, evaluations::choose_standard, evaluations::self_assess,
        panels::get, panels::form, panels::score, panels::seal, panels::consensus,
        panels::my_conflicts, panels::declare, panels::site_visit,
        notices::publish, notices::list, notices::public, notices::object, notices::objections,
        notices::resolve,
    ),
    components(schemas(
        ErrorBody, ErrorDetail, health::Health, Role, SchoolKind, SubmissionKind, SubmissionStatus,
        AuditKind, FindingGrade, FindingStatus, TitleLevel, HoldingStatus, StandardScope,
        EvaluationState, NoticeState, SchoolStatus, TitleSettlement, SignInMethod, AccessEvent,
        SignInRefusal, RobotKind, RobotEvent
    )),
    modifiers(&BearerAuth, &PagingConvention, &ExactContract),
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
        (name = "school year", description = "Status data, collection rounds and the year lock"),
        (name = "standards", description = "Evaluation standards (评估标准) as data"),
        (name = "evaluations", description = "A submission's evaluation against its standard"),
        (name = "notices", description = "The public notice (公示) of results and objections"),
        (name = "robots", description = "A province's DingTalk and WeCom group robots")
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
pub async fn openapi_json(state: actix_web::web::Data<crate::state::AppState>) -> HttpResponse {
    let mut document = ApiDoc::openapi();
    year_ranges(&mut document, state.clock.today().year());
    match document.to_pretty_json() {
        Ok(json) => HttpResponse::Ok()
            .content_type("application/json")
            .body(json),
        Err(e) => actix_web::ResponseError::error_response(&crate::error::AppError::Internal(
            anyhow::anyhow!("cannot serialise the OpenAPI document: {e}"),
        )),
    }
}

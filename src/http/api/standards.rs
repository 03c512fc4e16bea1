//! Evaluation standards: written as JSON or imported from the sheet bureaus keep, listed,
//! read, and given back as that sheet.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::app::{self, standards::StandardInput};
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::error::{AppError, ErrorBody};
use crate::http::api::body::{Body, Query};
use crate::http::api::paging::Paged;
use crate::http::export::{Format, XLSX_TYPE, attachment};
use crate::http::files::{MAX_TEMPLATE_BYTES, small_upload};
use crate::store::standards::{Standard, StandardSummary};

/// Write an evaluation standard (admin: national, or a province's with `province_id`;
/// province admin: their province's)
#[utoipa::path(
    post, path = "/api/v1/standards", tag = "standards", security(("bearer" = [])),
    request_body = StandardInput,
    responses((status = 201, body = Standard), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create(
    user: CurrentUser,
    body: Body<StandardInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let created = user
        .run(move |conn, access| app::standards::create(conn, access, &input, now_utc()))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// The multipart body of an import, as the document describes it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct StandardUpload {
    /// the sheet (XLSX): a header row naming the columns, one criterion a row
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    #[schema(schema_with = crate::app::schema::catalogue_code)]
    code: String,
    #[schema(pattern = r"^[0-9]{1,4}$")]
    version: String,
    #[schema(schema_with = crate::app::schema::short_text)]
    name: String,
    #[schema(schema_with = crate::app::schema::optional_short_part)]
    name_zh: Option<String>,
    title_type_code: Option<String>,
    #[schema(pattern = r"^[0-9]{1,5}(\.[05])?$")]
    pass_points: String,
    #[schema(pattern = r"^[0-9]{1,18}$")]
    province_id: Option<String>,
}

/// Import a standard from its sheet (multipart: `file` and the standard's fields); every
/// bad cell answers 422 with `fields` keyed by its reference (`E7`), and nothing is saved
#[utoipa::path(
    post, path = "/api/v1/standards/import", tag = "standards", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", content = StandardUpload),
    responses((status = 201, body = Standard), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn import(user: CurrentUser, payload: Multipart) -> Result<HttpResponse, AppError> {
    // Who may, before the file is read.
    user.run(move |_, access| app::standards::may_import(access))
        .await?;
    let (bytes, fields) = small_upload(payload, MAX_TEMPLATE_BYTES).await?;
    let created = user
        .run(move |conn, access| app::standards::import(conn, access, &fields, &bytes, now_utc()))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// The standards one may read: the national ones and one's province's
#[utoipa::path(
    get, path = "/api/v1/standards", tag = "standards", security(("bearer" = [])),
    responses((status = 200, body = [StandardSummary]))
)]
pub async fn list(user: CurrentUser, page: Paged) -> Result<HttpResponse, AppError> {
    page.slice(user.run(app::standards::list).await?)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct StandardQuery {
    /// json (default) or xlsx: the sheet that `import` reads
    #[param(schema_with = crate::app::schema::standard_format)]
    pub format: Option<String>,
}

/// One standard with its criteria, or with `format=xlsx` as the sheet that `import` reads
#[utoipa::path(
    get, path = "/api/v1/standards/{id}", tag = "standards", security(("bearer" = [])),
    params(("id" = i64, Path), StandardQuery),
    responses(
        (status = 200, body = Standard, description = "or the sheet with `format=xlsx`"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)
    )
)]
pub async fn get(
    user: CurrentUser,
    id: web::Path<i64>,
    query: Query<StandardQuery>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    if Format::sheet_asked(query.format.as_deref())? {
        let (bytes, name) = user
            .run(move |conn, access| app::standards::sheet(conn, access, id))
            .await?;
        return Ok(attachment(bytes, XLSX_TYPE, &name));
    }
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| app::standards::get(conn, access, id))
            .await?,
    ))
}

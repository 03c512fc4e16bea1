//! The rest of a school's record: its quality-management certificate, yearly indicators,
//! and the history of changes.

use crate::http::api::body::Body;
use actix_web::{HttpResponse, web};

use crate::app::records::{self, CertificateInput};
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::domain::indicators::Indicators;
use crate::error::{AppError, ErrorBody};
use crate::http::api::paging::Paged;
use crate::state::AppState;
use crate::store::certificates::{self, Certificate};
use crate::store::history::HistoryEntry;
use crate::store::status_data::{self, YearIndicators};

/// The school's quality-management certificate (`null` when none is recorded)
#[utoipa::path(
    get, path = "/api/v1/schools/{id}/certificate", tag = "record", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Option<Certificate>), (status = 404, body = ErrorBody))
)]
pub async fn get_certificate(
    user: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| certificates::get(conn, access, id))
            .await?,
    ))
}

/// Record the school's current certificate (the school's quality officer)
#[utoipa::path(
    put, path = "/api/v1/schools/{id}/certificate", tag = "record", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CertificateInput,
    responses((status = 200, body = Certificate), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn put_certificate(
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<CertificateInput>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let input = body.into_inner();
    let saved = user
        .run(move |conn, access| records::put_certificate(conn, access, id, &input, now_utc()))
        .await?;
    Ok(HttpResponse::Ok().json(saved))
}

/// Set a year's indicators (the school's quality officer); absent figures are not reported
#[utoipa::path(
    put, path = "/api/v1/schools/{id}/indicators/{year}", tag = "record", security(("bearer" = [])),
    params(("id" = i64, Path), ("year" = i64, Path)), request_body = Indicators,
    responses((status = 200, description = "replaced", body = YearIndicators), (status = 201, description = "created", body = YearIndicators), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn put_indicators(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, i64)>,
    body: Body<Indicators>,
) -> Result<HttpResponse, AppError> {
    let ((id, year), this_year) = (path.into_inner(), state.clock.today().year());
    let input = body.into_inner();
    let (saved, created) = user
        .run(move |conn, access| {
            let year = (year, this_year);
            crate::app::status_data::put_nine(conn, access, id, year, &input, now_utc())
        })
        .await?;
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(saved))
}

/// A school's indicators, newest year first
#[utoipa::path(
    get, path = "/api/v1/schools/{id}/indicators", tag = "record", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = [YearIndicators]), (status = 404, body = ErrorBody))
)]
pub async fn list_indicators(
    user: CurrentUser,
    id: web::Path<i64>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    page.slice(
        user.run(move |conn, access| status_data::list_nine(conn, access, id))
            .await?,
    )
}

/// The history of changes to a school's record, newest first
#[utoipa::path(
    get, path = "/api/v1/schools/{id}/history", tag = "record", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = [HistoryEntry]), (status = 404, body = ErrorBody))
)]
pub async fn school_history(
    user: CurrentUser,
    id: web::Path<i64>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let (id, paging) = (id.into_inner(), page.paging.clone());
    let found = user
        .run(move |conn, access| records::school_history(conn, access, id, &paging))
        .await?;
    Ok(page.respond(found))
}

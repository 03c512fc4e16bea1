//! Deadlines as JSON, CSV and XLSX, and the address of one's iCalendar feed (the feed
//! itself is served by `http::web::calendar`).

use crate::http::api::body::Query;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::error::{AppError, ErrorBody};
use crate::http::api::paging::Paged;
use crate::http::export::{Cell, Columns, Format, download_whole};
use crate::state::AppState;
use crate::store::deadlines::{self, Deadline, Due};

#[derive(Deserialize, utoipa::IntoParams)]
pub struct DeadlineQuery {
    /// only those due within this many days (overdue ones always)
    #[param(minimum = 0, maximum = 3650)]
    pub within_days: Option<i64>,
    /// json (default, one page), csv or xlsx (every deadline)
    #[param(schema_with = crate::app::schema::download_format)]
    pub format: Option<String>,
}

/// The columns of a deadlines download.
pub fn columns() -> Columns<Deadline> {
    Columns {
        header: [
            "school_id",
            "school",
            "school_zh",
            "kind",
            "subject",
            "due_on",
            "overdue",
        ]
        .map(String::from)
        .to_vec(),
        row: |d| {
            vec![
                Cell::from(d.school_id),
                Cell::from(d.school_name.clone()),
                Cell::from(d.school_name_zh.clone()),
                Cell::from(d.kind.clone()),
                Cell::from(d.subject.clone()),
                Cell::from(d.due_on.to_string()),
                Cell::from(d.overdue),
            ]
        },
    }
}

/// What falls due for the schools the caller may see, overdue first then by date (paged)
#[utoipa::path(
    get, path = "/api/v1/deadlines", tag = "deadlines", security(("bearer" = [])),
    params(DeadlineQuery),
    responses(
        (status = 200, body = [Deadline], headers(
            ("X-Total-Count" = i64, description = "how many deadlines there are in all"),
            ("Link" = String, description = "`<…>; rel=\"next\"` while there are more")),
            description = "one page, or a CSV / XLSX download of every deadline with `format`"),
        (status = 422, body = ErrorBody))
)]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: Query<DeadlineQuery>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let format =
        Format::parse(query.format.as_deref()).map_err(|e| AppError::field("format", e))?;
    let within_days = query
        .within_days
        .map(crate::domain::dates::within_days)
        .transpose()
        .map_err(|e| AppError::field("within_days", e))?;
    let due = Due {
        today: state.clock.today(),
        within_days,
        school: None,
    };
    if format == Format::Json {
        let (paging, kept) = (page.paging.clone(), state.kept.clone());
        let listing = user
            .run(move |conn, access| deadlines::page(conn, access, &kept.deadlines, due, &paging))
            .await?;
        return Ok(page.respond(listing));
    }
    download_whole(
        state.db.clone(),
        &user,
        move |conn, access, paging| deadlines::rows(conn, access, due, paging),
        columns(),
        format,
        "deadlines",
    )
    .await
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CalendarAddress {
    /// `/calendar/<token>.ics`: subscribe to it in a calendar program; keep it secret
    pub url: String,
}

/// One's own calendar feed address
#[utoipa::path(
    get, path = "/api/v1/me/calendar", tag = "deadlines", security(("bearer" = [])),
    responses((status = 200, body = CalendarAddress), (status = 401, body = ErrorBody))
)]
pub async fn my_calendar(user: CurrentUser) -> Result<HttpResponse, AppError> {
    address(&user, false).await
}

/// A new calendar feed address; the old one stops working at once
#[utoipa::path(
    post, path = "/api/v1/me/calendar", tag = "deadlines", security(("bearer" = [])),
    responses((status = 200, body = CalendarAddress), (status = 401, body = ErrorBody))
)]
pub async fn renew_calendar(user: CurrentUser) -> Result<HttpResponse, AppError> {
    address(&user, true).await
}

pub async fn address(user: &CurrentUser, renew: bool) -> Result<HttpResponse, AppError> {
    let token = user
        .run_as(move |conn, me| crate::store::calendar::token(conn, me.user.id, renew, now_utc()))
        .await?;
    Ok(HttpResponse::Ok().json(CalendarAddress {
        url: format!("/calendar/{token}.ics"),
    }))
}

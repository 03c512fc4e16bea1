//! Deadlines as JSON, CSV, XLSX and an iCalendar feed at a per-user secret address.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::domain::calendar::{CalendarEvent, calendar};
use crate::error::{AppError, ErrorBody};
use crate::http::export::{Cell, Format, Table, download};
use crate::state::AppState;
use crate::store::deadlines::{self, Deadline};

#[derive(Deserialize, utoipa::IntoParams)]
pub struct DeadlineQuery {
    /// only those due within this many days (overdue ones always)
    pub within_days: Option<i64>,
    /// json (default), csv or xlsx
    pub format: Option<String>,
}

pub fn table(rows: &[Deadline]) -> Table {
    Table {
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
        rows: rows
            .iter()
            .map(|d| {
                vec![
                    Cell::from(d.school_id),
                    Cell::from(d.school_name.clone()),
                    Cell::from(d.school_name_zh.clone()),
                    Cell::from(d.kind),
                    Cell::from(d.subject.clone()),
                    Cell::from(d.due_on.to_string()),
                    Cell::from(d.overdue),
                ]
            })
            .collect(),
    }
}

/// What falls due for the schools the caller may see, overdue first then by date
#[utoipa::path(
    get, path = "/api/v1/deadlines", tag = "deadlines", security(("bearer" = [])),
    params(DeadlineQuery),
    responses((status = 200, body = [Deadline], description = "or a CSV / XLSX download with `format`"), (status = 422, body = ErrorBody))
)]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<DeadlineQuery>,
) -> Result<HttpResponse, AppError> {
    let format =
        Format::parse(query.format.as_deref()).map_err(|e| AppError::field("format", e))?;
    let (today, within) = (state.clock.today(), query.within_days);
    let rows = user
        .run(move |conn, access| deadlines::list(conn, access, today, within, None))
        .await?;
    Ok(match format {
        Format::Json => HttpResponse::Ok().json(rows),
        other => download(&table(&rows), other, "deadlines")?,
    })
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

/// The iCalendar feed of a feed token's owner (no sign-in: the address is the secret).
pub async fn feed(
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = name.into_inner();
    let token = token
        .strip_suffix(".ics")
        .ok_or(AppError::NotFound)?
        .to_owned();
    if token.len() != 64 {
        return Err(AppError::NotFound);
    }
    let today = state.clock.today();
    let rows = state
        .db
        .run(move |conn| {
            let owner = crate::store::calendar::owner(conn, &token)?.ok_or(AppError::NotFound)?;
            deadlines::list(conn, &owner.access(), today, None, None)
        })
        .await?;
    let summaries: Vec<(String, String)> = rows
        .iter()
        .map(|d| {
            let school = d
                .school_name_zh
                .clone()
                .unwrap_or_else(|| d.school_name.clone());
            (
                format!("{school}: {} – {}", d.kind.replace('_', " "), d.subject),
                format!("{} ({})", d.school_name, d.kind),
            )
        })
        .collect();
    let events: Vec<CalendarEvent<'_>> = rows
        .iter()
        .zip(&summaries)
        .map(|(d, (summary, description))| CalendarEvent {
            uid: &d.uid,
            on: d.due_on,
            summary,
            description,
        })
        .collect();
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"))
        .body(calendar("accredit", &events, now_utc())))
}

//! The iCalendar feed at a per-user secret address: no sign-in, the address is the secret;
//! the deadlines its owner may read, streamed page by page.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::clock::now_utc;
use crate::domain::calendar::{self, CalendarEvent};
use crate::error::AppError;
use crate::http::export::{PageReader, stream_text};
use crate::state::AppState;
use crate::store::deadlines::{self, Deadline, Due};

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
    let due = Due {
        today: state.clock.today(),
        within_days: None,
        school: None,
    };
    let (access, first) = state
        .db
        .run(move |conn| {
            let owner = crate::store::calendar::owner(conn, &token)?.ok_or(AppError::NotFound)?;
            let access = owner.access(due.today);
            let first = deadlines::rows(conn, &access, due, &crate::http::export::first_batch())?;
            Ok((access, first))
        })
        .await?;
    let read: PageReader<Deadline> =
        Arc::new(move |conn, paging| deadlines::rows(conn, &access, due, paging));
    let stamp = now_utc();
    let events = move |rows: &[Deadline]| {
        let mut out = String::new();
        for d in rows {
            let school = d.school_name_zh.as_deref().unwrap_or(&d.school_name);
            let summary = format!("{school}: {} – {}", d.kind.replace('_', " "), d.subject);
            let description = format!("{} ({})", d.school_name, d.kind);
            let event = CalendarEvent {
                uid: &d.uid,
                on: d.due_on,
                summary: &summary,
                description: &description,
            };
            calendar::push_event(&event, stamp, &mut out);
        }
        out
    };
    let body = stream_text(
        state.db.clone(),
        read,
        first,
        calendar::head("accredit"),
        events,
        calendar::tail(),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"))
        .streaming(body))
}

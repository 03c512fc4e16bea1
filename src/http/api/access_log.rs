//! The access log (等级保护: 安全审计): sign-ins and sign-outs, for the admin (all) and a
//! province admin (their province's accounts), as JSON pages or one CSV / XLSX download.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::domain::dates::parse_date;
use crate::error::{AppError, ErrorBody, Validator};
use crate::http::api::body::Query;
use crate::http::api::paging::Paged;
use crate::http::documents::access_log_columns as columns;
use crate::http::export::{Format, download_whole};
use crate::state::AppState;
use crate::store::access_log::{self, AccessFilter, LoggedAccess};

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AccessLogQuery {
    /// only this account's entries
    pub user_id: Option<i64>,
    /// only successful (true) or failed (false) sign-ins
    pub succeeded: Option<bool>,
    /// from this day on (YYYY-MM-DD, UTC)
    #[param(schema_with = crate::app::schema::date_or_blank)]
    pub from: Option<String>,
    /// up to and including this day (YYYY-MM-DD, UTC)
    #[param(schema_with = crate::app::schema::date_or_blank)]
    pub to: Option<String>,
    /// json (default, one page), csv or xlsx (every entry)
    #[param(schema_with = crate::app::schema::download_format)]
    pub format: Option<String>,
}

impl AccessLogQuery {
    pub fn filter(&self) -> Result<AccessFilter, AppError> {
        let blank_is_none = |raw: &Option<String>| raw.clone().filter(|d| !d.trim().is_empty());
        let mut v = Validator::new();
        let from = v.check_opt("from", blank_is_none(&self.from).as_deref(), parse_date);
        let to = v.check_opt("to", blank_is_none(&self.to).as_deref(), parse_date);
        v.finish()?;
        Ok(AccessFilter {
            user_id: self.user_id,
            succeeded: self.succeeded,
            from: from.flatten(),
            to: to.flatten(),
        })
    }
}

/// Sign-ins (successful or not), sign-outs and idle sessions ended, newest first: all for
/// an admin, their province's accounts' for a province admin (kept a year)
#[utoipa::path(
    get, path = "/api/v1/access-log", tag = "users", security(("bearer" = [])),
    params(AccessLogQuery),
    responses(
        (status = 200, body = [LoggedAccess], description = "one page, or a CSV / XLSX download of every entry with `format`"),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody))
)]
pub async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: Query<AccessLogQuery>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let format =
        Format::parse(query.format.as_deref()).map_err(|e| AppError::field("format", e))?;
    let filter = query.filter()?;
    if format == Format::Json {
        let paging = page.paging.clone();
        let listing = user
            .run(move |conn, access| access_log::page(conn, access, &filter, &paging))
            .await?;
        return Ok(page.respond(listing));
    }
    download_whole(
        state.db.clone(),
        &user,
        move |conn, access, paging| access_log::page(conn, access, &filter, paging),
        columns(),
        format,
        "access-log",
    )
    .await
}

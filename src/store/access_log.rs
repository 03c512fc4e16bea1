//! The access log (等级保护: 安全审计): every sign-in, successful or not, every sign-out
//! and every page session ended for idleness, with the time, the account, the address and
//! the user agent. Admins read all of it; a province admin their province's accounts'.

use diesel::prelude::*;
use serde::Serialize;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::access_log as log;
use crate::domain::access::Access;
use crate::domain::paging::{After, Listing, Paging};
use crate::domain::sign_in::{
    ACCESS_LOG_DAYS, AccessEvent, SignInMethod, SignInRefusal, USER_AGENT_CHARS,
};
use crate::domain::{Role, dates};
use crate::error::AppError;
use crate::store::users::User;

/// Where a request came from, as the log keeps it.
#[derive(Clone, Debug, Default)]
pub struct Client {
    /// the peer's address as this server sees it (never a forwarded header)
    pub addr: String,
    pub user_agent: String,
}

/// What happened, to whom, and how.
pub struct Entry<'a> {
    pub event: AccessEvent,
    pub method: SignInMethod,
    /// why a sign-in failed; `None` when it succeeded (and for sign-outs)
    pub refused: Option<SignInRefusal>,
    /// the account, when one is known (a wrong password for a known address names it)
    pub user: Option<&'a User>,
    /// the address typed, or the account's
    pub email: &'a str,
    pub client: &'a Client,
}

/// Appends one entry, and now and then removes those past the keeping period.
pub fn record(
    conn: &mut DbConn,
    entry: &Entry<'_>,
    now: PrimitiveDateTime,
) -> Result<(), AppError> {
    let agent: String = entry
        .client
        .user_agent
        .chars()
        .take(USER_AGENT_CHARS)
        .collect();
    let email: String = entry.email.chars().take(254).collect();
    let id: i64 = diesel::insert_into(log::table)
        .values((
            log::at.eq(now),
            log::event.eq(entry.event),
            log::method.eq(entry.method),
            log::succeeded.eq(entry.refused.is_none()),
            log::reason.eq(entry.refused),
            log::user_id.eq(entry.user.map(|u| u.id)),
            log::email.eq(&email),
            log::province_id.eq(entry.user.and_then(|u| u.province_id)),
            log::client_addr.eq(&entry.client.addr),
            log::user_agent.eq(&agent),
        ))
        .returning(log::id)
        .get_result(conn)?;
    if id % 500 == 0 {
        prune(conn, now)?;
    }
    Ok(())
}

/// Removes the entries older than the keeping period.
pub fn prune(conn: &mut DbConn, now: PrimitiveDateTime) -> Result<usize, AppError> {
    let before = now - time::Duration::days(ACCESS_LOG_DAYS);
    Ok(diesel::delete(log::table.filter(log::at.lt(before))).execute(conn)?)
}

/// One entry as its readers see it.
#[derive(Clone, Debug, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = log, check_for_backend(crate::db::MultiBackend))]
pub struct LoggedAccess {
    pub id: i64,
    /// RFC 3339, UTC
    #[serde(serialize_with = "crate::clock::serialize_timestamp")]
    #[schema(value_type = String)]
    pub at: PrimitiveDateTime,
    pub event: AccessEvent,
    pub method: SignInMethod,
    pub succeeded: bool,
    /// why a sign-in failed
    pub reason: Option<SignInRefusal>,
    pub user_id: Option<i64>,
    /// the address typed, or the account's
    pub email: String,
    pub client_addr: String,
    pub user_agent: String,
}

/// Which entries a reader asks for.
#[derive(Clone, Debug, Default)]
pub struct AccessFilter {
    pub user_id: Option<i64>,
    pub succeeded: Option<bool>,
    /// from this day on (UTC)
    pub from: Option<time::Date>,
    /// up to and including this day (UTC)
    pub to: Option<time::Date>,
}

type Boxed<'a> = log::BoxedQuery<'a, crate::db::MultiBackend>;

/// The entries `access` may read that `filter` keeps: an admin all; a province admin those
/// of their province's accounts; anyone else nothing (403).
fn readable<'a>(access: &Access, filter: &AccessFilter) -> Result<Boxed<'a>, AppError> {
    let mut query = log::table.into_boxed::<crate::db::MultiBackend>();
    match access.role {
        Role::Admin => {}
        Role::ProvinceAdmin => {
            let province = access.province_id.ok_or(AppError::Forbidden)?;
            query = query.filter(log::province_id.eq(province));
        }
        _ => return Err(AppError::Forbidden),
    }
    if let Some(user) = filter.user_id {
        query = query.filter(log::user_id.eq(user));
    }
    if let Some(succeeded) = filter.succeeded {
        query = query.filter(log::succeeded.eq(succeeded));
    }
    if let Some(from) = filter.from {
        query = query.filter(log::at.ge(from.midnight()));
    }
    if let Some(to) = filter.to {
        let next = to.next_day().unwrap_or(dates::LATEST);
        query = query.filter(log::at.lt(next.midnight()));
    }
    Ok(query)
}

/// A page of the entries, newest first.
pub fn page(
    conn: &mut DbConn,
    access: &Access,
    filter: &AccessFilter,
    paging: &Paging,
) -> Result<Listing<LoggedAccess>, AppError> {
    let total: i64 = readable(access, filter)?.count().get_result(conn)?;
    let rows =
        crate::store::continue_by_id_desc!(readable(access, filter)?, log::id, &paging.after)
            .order(log::id.desc())
            .limit(paging.limit + 1)
            .select(LoggedAccess::as_select())
            .load(conn)?;
    Ok(Listing::by_key(rows, total, paging, |e: &LoggedAccess| {
        After::Id(e.id)
    }))
}

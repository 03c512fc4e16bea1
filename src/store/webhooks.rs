//! A province's group robots and what they are told: each event a robot chose becomes a
//! row of the outbox (channel `robot`), in the same transaction as the event itself.

use diesel::prelude::*;
use serde::Serialize;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::{outbox, webhook_posts, webhooks};
use crate::domain::access::Access;
use crate::domain::robot::{RobotEvent, RobotKind};
use crate::error::AppError;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = webhooks, check_for_backend(crate::db::MultiBackend))]
struct Row {
    id: i64,
    province_id: i64,
    kind: RobotKind,
    url: String,
    secret: Option<String>,
    events: String,
    created_at: PrimitiveDateTime,
}

/// A robot as its province admin sees it: the address shortened and the secret never
/// shown again, only whether there is one.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Webhook {
    pub id: i64,
    pub province_id: i64,
    pub kind: RobotKind,
    /// the address with its token cut short (`…access_token=ab12…`)
    pub url: String,
    pub has_secret: bool,
    pub events: Vec<RobotEvent>,
    #[serde(serialize_with = "crate::clock::serialize_timestamp")]
    #[schema(value_type = String)]
    pub created_at: PrimitiveDateTime,
}

/// A robot as the sender needs it: the whole address and the secret.
#[derive(Clone, Debug)]
pub struct Robot {
    pub id: i64,
    pub province_id: i64,
    pub kind: RobotKind,
    pub url: String,
    pub secret: Option<String>,
}

fn events_of(text: &str) -> Vec<RobotEvent> {
    serde_json::from_str::<Vec<String>>(text)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| RobotEvent::parse(e).ok())
        .collect()
}

/// An address with the query's values cut to four characters: the token in it is a
/// credential too.
fn shortened(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if v.chars().count() > 4 => {
                format!("{k}={}…", v.chars().take(4).collect::<String>())
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", parts.join("&"))
}

impl From<Row> for Webhook {
    fn from(row: Row) -> Webhook {
        Webhook {
            id: row.id,
            province_id: row.province_id,
            kind: row.kind,
            url: shortened(&row.url),
            has_secret: row.secret.is_some(),
            events: events_of(&row.events),
            created_at: row.created_at,
        }
    }
}

/// A robot about to be added (its address already checked).
pub struct NewWebhook {
    pub kind: RobotKind,
    pub url: String,
    pub secret: Option<String>,
    pub events: Vec<RobotEvent>,
}

/// May `access` see the province's robots (its people; admins), and manage them (its
/// province admin; admins)? Not its people: 404; its people but not its head: 403.
fn require_head(access: &Access, province: i64) -> Result<(), AppError> {
    if !(access.is_admin() || access.province_id == Some(province)) {
        return Err(AppError::NotFound);
    }
    Access::require(access.administers_province(province))?;
    Ok(())
}

pub fn create(
    conn: &mut DbConn,
    access: &Access,
    province: i64,
    new: &NewWebhook,
    now: PrimitiveDateTime,
) -> Result<Webhook, AppError> {
    ensure_province(conn, access, province)?;
    let events: Vec<&str> = new.events.iter().map(|e| e.as_str()).collect();
    let id: i64 = diesel::insert_into(webhooks::table)
        .values((
            webhooks::province_id.eq(province),
            webhooks::kind.eq(new.kind),
            webhooks::url.eq(&new.url),
            webhooks::secret.eq(new.secret.as_deref()),
            webhooks::events.eq(serde_json::to_string(&events).unwrap_or_default()),
            webhooks::created_by.eq(Some(access.user_id).filter(|u| *u > 0)),
            webhooks::created_at.eq(now),
        ))
        .returning(webhooks::id)
        .get_result(conn)?;
    Ok(row(conn, id)?.into())
}

fn row(conn: &mut DbConn, id: i64) -> Result<Row, AppError> {
    webhooks::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// The province exists (404) and `access` heads it (see `require_head`).
pub fn ensure_province(conn: &mut DbConn, access: &Access, province: i64) -> Result<(), AppError> {
    crate::store::provinces::get(conn, province)?;
    require_head(access, province)
}

/// The province's robots, oldest first.
pub fn list(conn: &mut DbConn, access: &Access, province: i64) -> Result<Vec<Webhook>, AppError> {
    ensure_province(conn, access, province)?;
    let rows: Vec<Row> = webhooks::table
        .filter(webhooks::province_id.eq(province))
        .order(webhooks::id.asc())
        .select(Row::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(Webhook::from).collect())
}

/// A robot its province's head manages (404 for a stranger, 403 for its other people).
pub fn managed(conn: &mut DbConn, access: &Access, id: i64) -> Result<Robot, AppError> {
    let found = row(conn, id)?;
    require_head(access, found.province_id)?;
    Ok(robot(found))
}

fn robot(row: Row) -> Robot {
    Robot {
        id: row.id,
        province_id: row.province_id,
        kind: row.kind,
        url: row.url,
        secret: row.secret,
    }
}

/// The robot of an outbox row, for its sender (`None`: removed meanwhile).
pub fn for_sending(conn: &mut DbConn, id: i64) -> Result<Option<Robot>, AppError> {
    Ok(webhooks::table
        .find(id)
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(robot))
}

/// Removes a robot with what it had still to be told and its post counts; answers the
/// robot that was.
pub fn delete(conn: &mut DbConn, access: &Access, id: i64) -> Result<Robot, AppError> {
    let robot = managed(conn, access, id)?;
    crate::db::write_transaction(conn, |conn| {
        diesel::delete(outbox::table.filter(outbox::webhook_id.eq(id))).execute(conn)?;
        diesel::delete(webhook_posts::table.filter(webhook_posts::webhook_id.eq(id)))
            .execute(conn)?;
        diesel::delete(webhooks::table.find(id)).execute(conn)?;
        Ok(robot)
    })
}

/// Tells the robots of `province` that chose `event`: one outbox row each, carrying
/// `payload` (what the message is about; the sender writes it). Answers how many.
pub fn enqueue(
    conn: &mut DbConn,
    province: i64,
    event: RobotEvent,
    payload: &serde_json::Value,
    now: PrimitiveDateTime,
) -> Result<usize, AppError> {
    let robots: Vec<(i64, String)> = webhooks::table
        .filter(webhooks::province_id.eq(province))
        .select((webhooks::id, webhooks::events))
        .load(conn)?;
    let mut message = payload.clone();
    message["event"] = serde_json::json!(event.as_str());
    let text = message.to_string();
    let rows: Vec<_> = robots
        .iter()
        .filter(|(_, events)| events_of(events).contains(&event))
        .map(|(id, _)| {
            (
                outbox::channel.eq(crate::store::outbox::ROBOT),
                outbox::webhook_id.eq(Some(*id)),
                outbox::kind.eq("robot"),
                outbox::payload.eq(&text),
                outbox::created_at.eq(now),
            )
        })
        .collect();
    let told = rows.len();
    if !rows.is_empty() {
        crate::db::insert_batch!(conn, outbox::table, rows)?;
    }
    Ok(told)
}

/// Posts sent to a robot in the minute before `now`.
pub fn recent_posts(conn: &mut DbConn, id: i64, now: PrimitiveDateTime) -> Result<usize, AppError> {
    let n: i64 = webhook_posts::table
        .filter(webhook_posts::webhook_id.eq(id))
        .filter(webhook_posts::posted_at.gt(now - time::Duration::minutes(1)))
        .count()
        .get_result(conn)?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// Counts a post to a robot (and forgets those older than an hour).
pub fn posted(conn: &mut DbConn, id: i64, now: PrimitiveDateTime) -> Result<(), AppError> {
    diesel::delete(
        webhook_posts::table
            .filter(webhook_posts::webhook_id.eq(id))
            .filter(webhook_posts::posted_at.lt(now - time::Duration::hours(1))),
    )
    .execute(conn)?;
    diesel::insert_into(webhook_posts::table)
        .values((
            webhook_posts::webhook_id.eq(id),
            webhook_posts::posted_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

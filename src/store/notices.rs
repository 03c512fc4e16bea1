//! Public notices (`notices`, `notice_entries`) of a province's recommended evaluation
//! results, and the objections lodged against them (`objections`). A notice's entries are
//! what it published, kept as they stood that day; the rules are `app::notices`'.

use diesel::prelude::*;
use serde::Serialize;
use time::{Date, PrimitiveDateTime};

use crate::db::DbConn;
use crate::db::schema::{notice_entries, notices, objections};
use crate::domain::access::Access;
use crate::domain::history::{Action, Change, Journal};
use crate::domain::notice::{NoticeState, state_on};
use crate::domain::standard::Points;
use crate::error::AppError;

/// One published result: the school, the title, the consensus total and the outcome.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NoticeEntry {
    pub submission_id: i64,
    pub school_id: i64,
    pub school_name: String,
    pub title_type_code: Option<String>,
    #[schema(value_type = Option<f64>)]
    pub consensus_total: Option<Points>,
    pub outcome: Option<String>,
}

/// A notice as published.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicNotice {
    pub id: i64,
    pub province_id: i64,
    pub title: String,
    pub body: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub opens_on: Date,
    #[schema(value_type = String, format = Date)]
    pub closes_on: Date,
    pub state: NoticeState,
    pub entries: Vec<NoticeEntry>,
}

/// A notice before it is written.
pub struct NewNotice {
    pub province_id: i64,
    pub title: String,
    pub body: Option<String>,
    pub opens_on: Date,
    pub closes_on: Date,
    pub entries: Vec<NoticeEntry>,
}

type NoticeRow = (i64, i64, String, Option<String>, Date, Date);

fn entries_of(conn: &mut DbConn, notice_id: i64) -> Result<Vec<NoticeEntry>, AppError> {
    type Row = (
        i64,
        i64,
        String,
        Option<String>,
        Option<i32>,
        Option<String>,
    );
    let rows: Vec<Row> = notice_entries::table
        .filter(notice_entries::notice_id.eq(notice_id))
        .order(notice_entries::position.asc())
        .select((
            notice_entries::submission_id,
            notice_entries::school_id,
            notice_entries::school_name,
            notice_entries::title_type_code,
            notice_entries::consensus_half_points,
            notice_entries::outcome,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(submission_id, school_id, school_name, title_type_code, halves, outcome)| {
                NoticeEntry {
                    submission_id,
                    school_id,
                    school_name,
                    title_type_code,
                    consensus_total: halves
                        .map(|h| Points::from_halves(u32::try_from(h).unwrap_or(0))),
                    outcome,
                }
            },
        )
        .collect())
}

fn assemble(conn: &mut DbConn, row: NoticeRow, today: Date) -> Result<PublicNotice, AppError> {
    let (id, province_id, title, body, opens_on, closes_on) = row;
    Ok(PublicNotice {
        id,
        province_id,
        title,
        body,
        opens_on,
        closes_on,
        state: state_on(opens_on, closes_on, today),
        entries: entries_of(conn, id)?,
    })
}

fn columns() -> (
    notices::id,
    notices::province_id,
    notices::title,
    notices::body,
    notices::opens_on,
    notices::closes_on,
) {
    (
        notices::id,
        notices::province_id,
        notices::title,
        notices::body,
        notices::opens_on,
        notices::closes_on,
    )
}

/// A notice by id: public, as anyone may read it.
pub fn get(conn: &mut DbConn, id: i64, today: Date) -> Result<PublicNotice, AppError> {
    let row: NoticeRow = notices::table
        .find(id)
        .select(columns())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    assemble(conn, row, today)
}

/// A province's notices, newest first.
pub fn list(
    conn: &mut DbConn,
    province_id: i64,
    today: Date,
) -> Result<Vec<PublicNotice>, AppError> {
    let rows: Vec<NoticeRow> = notices::table
        .filter(notices::province_id.eq(province_id))
        .order((notices::opens_on.desc(), notices::id.desc()))
        .select(columns())
        .load(conn)?;
    rows.into_iter()
        .map(|row| assemble(conn, row, today))
        .collect()
}

/// The notices a submission was published on: (notice, its state on `today`).
pub fn notices_of(
    conn: &mut DbConn,
    submission_id: i64,
    today: Date,
) -> Result<Vec<(i64, NoticeState)>, AppError> {
    let rows: Vec<(i64, Date, Date)> = notice_entries::table
        .inner_join(notices::table.on(notices::id.eq(notice_entries::notice_id)))
        .filter(notice_entries::submission_id.eq(submission_id))
        .select((notices::id, notices::opens_on, notices::closes_on))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, opens, closes)| (id, state_on(opens, closes, today)))
        .collect())
}

/// Publishes a notice: one entry in the history, with what it published.
pub fn publish(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    new: &NewNotice,
    now: PrimitiveDateTime,
) -> Result<i64, AppError> {
    let id: i64 = diesel::insert_into(notices::table)
        .values((
            notices::province_id.eq(new.province_id),
            notices::title.eq(&new.title),
            notices::body.eq(&new.body),
            notices::opens_on.eq(new.opens_on),
            notices::closes_on.eq(new.closes_on),
            notices::created_by.eq(access.actor_id()),
            notices::created_at.eq(now),
        ))
        .returning(notices::id)
        .get_result(conn)?;
    for (position, entry) in new.entries.iter().enumerate() {
        diesel::insert_into(notice_entries::table)
            .values((
                notice_entries::notice_id.eq(id),
                notice_entries::submission_id.eq(entry.submission_id),
                notice_entries::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
                notice_entries::school_id.eq(entry.school_id),
                notice_entries::school_name.eq(&entry.school_name),
                notice_entries::title_type_code.eq(&entry.title_type_code),
                notice_entries::consensus_half_points.eq(entry
                    .consensus_total
                    .map(|p| i32::try_from(p.halves()).unwrap_or(i32::MAX))),
                notice_entries::outcome.eq(&entry.outcome),
            ))
            .execute(conn)?;
    }
    journal.record(Change {
        actor_id: access.actor_id(),
        school_id: None,
        action: Action::NoticePublish,
        entity_id: id,
        before: None,
        after: Some(serde_json::json!({
            "province_id": new.province_id, "title": new.title,
            "opens_on": new.opens_on.to_string(), "closes_on": new.closes_on.to_string(),
            "submission_ids": new.entries.iter().map(|e| e.submission_id).collect::<Vec<_>>(),
        })),
        at: now,
    });
    Ok(id)
}

/// An objection as the province reads it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Objection {
    pub id: i64,
    pub notice_id: i64,
    pub notice_title: String,
    pub submission_id: i64,
    pub school_id: i64,
    pub school_name: String,
    pub name: String,
    pub contact: String,
    pub text: String,
    #[serde(serialize_with = "crate::clock::serialize_timestamp")]
    #[schema(value_type = String)]
    pub received_at: PrimitiveDateTime,
    /// `pending`, `upheld` or `dismissed`
    pub state: String,
    pub upheld: Option<bool>,
    pub resolution: Option<String>,
    #[serde(serialize_with = "crate::clock::serialize_opt_timestamp")]
    #[schema(value_type = Option<String>)]
    pub resolved_at: Option<PrimitiveDateTime>,
}

/// What one who objects is told: that it arrived, and when.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Received {
    pub id: i64,
    #[serde(serialize_with = "crate::clock::serialize_timestamp")]
    #[schema(value_type = String)]
    pub received_at: PrimitiveDateTime,
}

/// An objection before it is written.
pub struct NewObjection {
    pub notice_id: i64,
    pub submission_id: i64,
    pub school_id: i64,
    pub name: String,
    pub contact: String,
    pub text: String,
    pub client_addr: String,
}

/// When `client_addr` lodged objections since `since`, oldest first.
pub fn lodged_from(
    conn: &mut DbConn,
    client_addr: &str,
    since: PrimitiveDateTime,
) -> Result<Vec<PrimitiveDateTime>, AppError> {
    Ok(objections::table
        .filter(objections::client_addr.eq(client_addr))
        .filter(objections::received_at.ge(since))
        .order(objections::received_at.asc())
        .select(objections::received_at)
        .load(conn)?)
}

/// Keeps an objection; the history records it without the objector's name or contact.
pub fn lodge(
    conn: &mut DbConn,
    journal: &mut Journal,
    new: &NewObjection,
    now: PrimitiveDateTime,
) -> Result<Received, AppError> {
    let id: i64 = diesel::insert_into(objections::table)
        .values((
            objections::notice_id.eq(new.notice_id),
            objections::submission_id.eq(new.submission_id),
            objections::name.eq(&new.name),
            objections::contact.eq(&new.contact),
            objections::text.eq(&new.text),
            objections::client_addr.eq(&new.client_addr),
            objections::received_at.eq(now),
        ))
        .returning(objections::id)
        .get_result(conn)?;
    journal.record(Change {
        actor_id: None,
        school_id: Some(new.school_id),
        action: Action::ObjectionReceive,
        entity_id: id,
        before: None,
        after: Some(serde_json::json!({
            "notice_id": new.notice_id, "submission_id": new.submission_id, "text": new.text,
        })),
        at: now,
    });
    // The province's robots are told that there is one, never who objected or what they
    // wrote: that is for the province's staff to read.
    let province: i64 = notices::table
        .find(new.notice_id)
        .select(notices::province_id)
        .first(conn)?;
    let payload = serde_json::json!({"objection_id": id, "notice_id": new.notice_id,
        "submission_id": new.submission_id, "school_id": new.school_id});
    crate::store::webhooks::enqueue(
        conn,
        province,
        crate::domain::robot::RobotEvent::ObjectionReceived,
        &payload,
        now,
    )?;
    Ok(Received {
        id,
        received_at: now,
    })
}

type ObjectionRow = (
    (i64, i64, i64, String, String, String, PrimitiveDateTime),
    (Option<bool>, Option<String>, Option<PrimitiveDateTime>),
    (String, i64, String, i64),
);

/// Which objections to read.
enum Which {
    /// every objection to a province's notices
    OfProvince(i64),
    One(i64),
}

/// Objections with their notice's title, their school and the notice's province, newest
/// first, in one query.
fn load_objections(conn: &mut DbConn, which: Which) -> Result<Vec<(Objection, i64)>, AppError> {
    let query = objections::table
        .inner_join(notices::table.on(notices::id.eq(objections::notice_id)))
        .inner_join(
            notice_entries::table.on(notice_entries::notice_id
                .eq(objections::notice_id)
                .and(notice_entries::submission_id.eq(objections::submission_id))),
        )
        .into_boxed::<crate::db::MultiBackend>();
    let query = match which {
        Which::OfProvince(p) => query.filter(notices::province_id.eq(p)),
        Which::One(id) => query.filter(objections::id.eq(id)),
    };
    let rows: Vec<ObjectionRow> = query
        .order(objections::id.desc())
        .select((
            (
                objections::id,
                objections::notice_id,
                objections::submission_id,
                objections::name,
                objections::contact,
                objections::text,
                objections::received_at,
            ),
            (
                objections::upheld,
                objections::resolution,
                objections::resolved_at,
            ),
            (
                notices::title,
                notice_entries::school_id,
                notice_entries::school_name,
                notices::province_id,
            ),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                (id, notice_id, submission_id, name, contact, text, received_at),
                (upheld, resolution, resolved_at),
                (notice_title, school_id, school_name, province),
            )| {
                (
                    Objection {
                        id,
                        notice_id,
                        notice_title,
                        submission_id,
                        school_id,
                        school_name,
                        name,
                        contact,
                        text,
                        received_at,
                        state: match (upheld, resolved_at) {
                            (_, None) => "pending",
                            (Some(true), Some(_)) => "upheld",
                            _ => "dismissed",
                        }
                        .to_owned(),
                        upheld,
                        resolution,
                        resolved_at,
                    },
                    province,
                )
            },
        )
        .collect())
}

/// Every objection to a province's notices, newest first.
pub fn of_province(conn: &mut DbConn, province_id: i64) -> Result<Vec<Objection>, AppError> {
    Ok(load_objections(conn, Which::OfProvince(province_id))?
        .into_iter()
        .map(|(objection, _)| objection)
        .collect())
}

/// One objection and its notice's province (none when there is no such objection).
pub fn find(conn: &mut DbConn, id: i64) -> Result<Option<(Objection, i64)>, AppError> {
    Ok(load_objections(conn, Which::One(id))?.into_iter().next())
}

/// The resolutions of a submission's objections: `None` while pending.
pub fn resolutions_of(
    conn: &mut DbConn,
    submission_id: i64,
) -> Result<Vec<Option<bool>>, AppError> {
    let rows: Vec<(Option<bool>, Option<PrimitiveDateTime>)> = objections::table
        .filter(objections::submission_id.eq(submission_id))
        .select((objections::upheld, objections::resolved_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(upheld, at)| at.map(|_| upheld == Some(true)))
        .collect())
}

/// Resolves an objection once (upheld or not, with the reasoning): the row changes only
/// while pending, so a second resolution at the same moment finds nothing to change.
pub fn resolve(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    objection: &Objection,
    upheld: bool,
    resolution: &str,
    now: PrimitiveDateTime,
) -> Result<bool, AppError> {
    let changed = diesel::update(
        objections::table
            .find(objection.id)
            .filter(objections::resolved_at.is_null()),
    )
    .set((
        objections::upheld.eq(Some(upheld)),
        objections::resolution.eq(Some(resolution)),
        objections::resolved_by.eq(access.actor_id()),
        objections::resolved_at.eq(Some(now)),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Ok(false);
    }
    journal.record(Change {
        actor_id: access.actor_id(),
        school_id: Some(objection.school_id),
        action: Action::ObjectionResolve,
        entity_id: objection.id,
        before: Some(serde_json::json!({"state": "pending"})),
        after: Some(serde_json::json!({"upheld": upheld, "resolution": resolution})),
        at: now,
    });
    Ok(true)
}

//! The daily reminders (`accredit remind`): each kept deadline asks `domain::reminders`
//! whether a reminder falls due today; each one goes to the school's active quality officers
//! as a notice in their inbox and a row of the outbox (for mail), once per reminder and
//! person, recorded in `reminders_sent` in the same transaction. On Mondays, each province's
//! reviewers and province admins get the weekly digest of its overdue items.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use time::{Date, PrimitiveDateTime};

use crate::db::schema::{deadline_items, notifications, reminders_sent, users};
use crate::db::{DbConn, write_transaction};
use crate::domain::Role;
use crate::domain::mail::MailKind;
use crate::domain::reminders::{self, DigestItem, Lead};
use crate::error::AppError;
use crate::store::outbox;

/// A kept deadline: province, school name, school, kind, subject, due date, uid.
type Item = (i64, String, i64, String, String, Date, String);

/// A reminder due today, for one of its recipients.
struct Due<'a> {
    key: String,
    user: i64,
    event: &'static str,
    school_id: i64,
    subject: &'a str,
    due_on: Date,
    payload: serde_json::Value,
}

/// What one run put in the inboxes and the outbox.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// reminders falling due today, whether sent now or before
    pub due: usize,
    /// notices written now (one per reminder and recipient)
    pub sent: usize,
    /// weekly digests written now (one per province and recipient; Mondays)
    pub digests: usize,
}

/// Rows per statement when reminders are written: far under SQLite's and PostgreSQL's
/// limits on bound values (six columns of 500 rows).
const BATCH: usize = 500;

/// Which of `wanted` (reminder key, recipient) go out now: those not sent before, each
/// once, in their order; and records them as sent `today`. A few statements for 500 of
/// them rather than two for each: the first run on national data sends 90,000.
fn first_times(
    conn: &mut DbConn,
    wanted: &[(&str, i64)],
    today: Date,
) -> Result<Vec<bool>, AppError> {
    let mut sent: HashSet<(String, i64)> = HashSet::new();
    for chunk in wanted.chunks(BATCH) {
        let mut keys: Vec<&str> = chunk.iter().map(|(key, _)| *key).collect();
        keys.sort_unstable();
        keys.dedup();
        sent.extend(
            reminders_sent::table
                .filter(reminders_sent::reminder_key.eq_any(&keys))
                .select((reminders_sent::reminder_key, reminders_sent::user_id))
                .load::<(String, i64)>(conn)?,
        );
    }
    let fresh: Vec<bool> = wanted
        .iter()
        .map(|&(key, user)| sent.insert((key.to_owned(), user)))
        .collect();
    let new: Vec<(&str, i64)> = wanted
        .iter()
        .zip(&fresh)
        .filter_map(|(row, fresh)| fresh.then_some(*row))
        .collect();
    for chunk in new.chunks(BATCH) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|&(key, user)| {
                (
                    reminders_sent::reminder_key.eq(key),
                    reminders_sent::user_id.eq(user),
                    reminders_sent::sent_on.eq(today),
                )
            })
            .collect();
        crate::db::insert_batch!(conn, reminders_sent::table, rows)?;
    }
    Ok(fresh)
}

/// The weekly digest of each province's overdue items, to its reviewers and province
/// admins (the bureau), once per week and person. A province with nothing overdue gets none.
fn put_digests(
    conn: &mut DbConn,
    items: &[Item],
    today: Date,
    now: PrimitiveDateTime,
) -> Result<usize, AppError> {
    let mut provinces: Vec<i64> = items.iter().map(|i| i.0).collect();
    provinces.sort_unstable();
    provinces.dedup();
    let mut written = 0;
    for province in provinces {
        let of_province: Vec<DigestItem> = items
            .iter()
            .filter(|i| i.0 == province && !reminders::leads(&i.3).is_empty())
            .map(|i| DigestItem {
                school_id: i.2,
                school: i.1.clone(),
                kind: i.3.clone(),
                subject: i.4.clone(),
                due_on: i.5,
            })
            .collect();
        let digest = reminders::digest(&of_province, today);
        if digest.is_empty() {
            continue;
        }
        // Language-neutral: the schools by name with their number of overdue items, the
        // first ten of them (the inbox shows one line).
        let mut summary = digest
            .iter()
            .take(10)
            .map(|s| format!("{} ({})", s.school, s.items.len()))
            .collect::<Vec<_>>()
            .join(", ");
        if digest.len() > 10 {
            summary.push_str(&format!(" … (+{})", digest.len() - 10));
        }
        let payload = serde_json::json!({
            "event": "digest",
            "province_id": province,
            "item_count": digest.iter().map(|s| s.items.len()).sum::<usize>(),
            "school_count": digest.len(),
            "schools": digest.iter().take(reminders::DIGEST_SCHOOLS).map(|s| serde_json::json!({
                "school_id": s.school_id,
                "school": s.school,
                "overdue": s.items.len(),
                "items": s.items.iter().take(reminders::DIGEST_ITEMS_PER_SCHOOL).map(|(i, late)| serde_json::json!({
                    "kind": i.kind, "subject": i.subject, "due_on": i.due_on.to_string(), "days_late": late,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        });
        let recipients: Vec<i64> = users::table
            .filter(users::province_id.eq(province))
            .filter(users::role.eq_any([Role::Reviewer.as_str(), Role::ProvinceAdmin.as_str()]))
            .filter(users::active.eq(true))
            .select(users::id)
            .load(conn)?;
        let key = format!("digest-{province}-{today}");
        let wanted: Vec<(&str, i64)> = recipients.iter().map(|&u| (key.as_str(), u)).collect();
        let fresh = first_times(conn, &wanted, today)?;
        let recipients: Vec<i64> = recipients
            .into_iter()
            .zip(fresh)
            .filter_map(|(user, fresh)| fresh.then_some(user))
            .collect();
        if recipients.is_empty() {
            continue;
        }
        let notices: Vec<_> = recipients
            .iter()
            .map(|&user| {
                (
                    notifications::user_id.eq(user),
                    notifications::event.eq("digest"),
                    notifications::created_at.eq(now),
                    notifications::subject.eq(&summary),
                )
            })
            .collect();
        crate::db::insert_batch!(conn, notifications::table, notices)?;
        let mails: Vec<(i64, &serde_json::Value)> =
            recipients.iter().map(|&user| (user, &payload)).collect();
        outbox::enqueue(conn, MailKind::Digest, &mails, now)?;
        // Its robots too, once: the first time the day's digest goes to anyone.
        crate::store::webhooks::enqueue(
            conn,
            province,
            crate::domain::robot::RobotEvent::DigestWeekly,
            &payload,
            now,
        )?;
        written += recipients.len();
    }
    Ok(written)
}

/// Puts the reminders due on `today` into the inboxes and the outbox, skipping any already
/// sent: running it twice on a day sends nothing the second time.
pub fn put_due(
    conn: &mut DbConn,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<Outcome, AppError> {
    write_transaction(conn, |conn| {
        // Every school's active quality officers, read once.
        let mut officers: HashMap<i64, Vec<i64>> = HashMap::new();
        let rows: Vec<(Option<i64>, i64)> = users::table
            .filter(users::role.eq(Role::QualityOfficer))
            .filter(users::active.eq(true))
            .select((users::school_id, users::id))
            .load(conn)?;
        for (school, user) in rows {
            if let Some(school) = school {
                officers.entry(school).or_default().push(user);
            }
        }
        // A province at a time: what one run holds is one province's deadlines, not the
        // country's (a national installation has hundreds of thousands).
        let provinces: Vec<i64> = deadline_items::table
            .select(deadline_items::province_id)
            .distinct()
            .order(deadline_items::province_id)
            .load(conn)?;
        let mut outcome = Outcome::default();
        for province in provinces {
            let items: Vec<Item> = deadline_items::table
                .filter(deadline_items::province_id.eq(province))
                .select((
                    deadline_items::province_id,
                    deadline_items::school_name,
                    deadline_items::school_id,
                    deadline_items::kind,
                    deadline_items::subject,
                    deadline_items::due_on,
                    deadline_items::uid,
                ))
                .order(deadline_items::id)
                .load(conn)?;
            put_of_province(conn, &items, &officers, today, now, &mut outcome)?;
        }
        Ok(outcome)
    })
}

/// One province's digests (on a digest day) and reminders due today.
fn put_of_province(
    conn: &mut DbConn,
    items: &[Item],
    officers: &HashMap<i64, Vec<i64>>,
    today: Date,
    now: PrimitiveDateTime,
    outcome: &mut Outcome,
) -> Result<(), AppError> {
    if reminders::is_digest_day(today) {
        outcome.digests += put_digests(conn, items, today, now)?;
    }
    // Every reminder due today with each of its recipients, then those not sent before,
    // written a batch at a time.
    let mut due: Vec<Due> = Vec::new();
    for (_, _, school_id, kind, subject, due_on, uid) in items {
        let Some(reminder) = reminders::reminder(kind, uid, *due_on, today) else {
            continue;
        };
        outcome.due += 1;
        let key = reminder.key();
        let event = match reminder.lead {
            Lead::Overdue => "reminder_overdue",
            Lead::DaysAhead(_) => "reminder_due",
        };
        let payload = serde_json::json!({
            "event": event,
            "kind": kind,
            "school_id": school_id,
            "subject": subject,
            "due_on": due_on.to_string(),
            "days_left": reminder.days_left,
            "reminder": key,
        });
        for &user in officers.get(school_id).into_iter().flatten() {
            due.push(Due {
                key: key.clone(),
                user,
                event,
                school_id: *school_id,
                subject,
                due_on: *due_on,
                payload: payload.clone(),
            });
        }
    }
    let wanted: Vec<(&str, i64)> = due.iter().map(|d| (d.key.as_str(), d.user)).collect();
    let fresh = first_times(conn, &wanted, today)?;
    let due: Vec<&Due> = due
        .iter()
        .zip(fresh)
        .filter_map(|(d, fresh)| fresh.then_some(d))
        .collect();
    for chunk in due.chunks(BATCH) {
        let notices: Vec<_> = chunk
            .iter()
            .map(|d| {
                (
                    notifications::user_id.eq(d.user),
                    notifications::event.eq(d.event),
                    notifications::created_at.eq(now),
                    notifications::school_id.eq(d.school_id),
                    notifications::subject.eq(d.subject),
                    notifications::due_on.eq(d.due_on),
                )
            })
            .collect();
        crate::db::insert_batch!(conn, notifications::table, notices)?;
    }
    let mails: Vec<(i64, &serde_json::Value)> = due.iter().map(|d| (d.user, &d.payload)).collect();
    outbox::enqueue(conn, MailKind::Reminder, &mails, now)?;
    outcome.sent += due.len();
    Ok(())
}

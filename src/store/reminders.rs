//! The daily reminders (`accredit remind`): each kept deadline asks `domain::reminders`
//! whether a reminder falls due today; each one goes to the school's active quality officers
//! as a notice in their inbox and a row of the outbox (for mail), once per reminder and
//! person, recorded in `reminders_sent` in the same transaction.

use diesel::prelude::*;
use time::{Date, PrimitiveDateTime};

use crate::db::schema::{deadline_items, notifications, outbox, reminders_sent, users};
use crate::db::{DbConn, write_transaction};
use crate::domain::Role;
use crate::domain::reminders::{self, Lead};
use crate::error::AppError;

/// What one run put in the inboxes and the outbox.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// reminders falling due today, whether sent now or before
    pub due: usize,
    /// notices written now (one per reminder and recipient)
    pub sent: usize,
}

/// Puts the reminders due on `today` into the inboxes and the outbox, skipping any already
/// sent: running it twice on a day sends nothing the second time.
pub fn put_due(
    conn: &mut DbConn,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<Outcome, AppError> {
    write_transaction(conn, |conn| {
        let items: Vec<(i64, String, String, Date, String)> = deadline_items::table
            .select((
                deadline_items::school_id,
                deadline_items::kind,
                deadline_items::subject,
                deadline_items::due_on,
                deadline_items::uid,
            ))
            .order(deadline_items::id)
            .load(conn)?;
        let mut outcome = Outcome::default();
        for (school_id, kind, subject, due_on, uid) in items {
            let Some(reminder) = reminders::reminder(&kind, &uid, due_on, today) else {
                continue;
            };
            outcome.due += 1;
            let key = reminder.key();
            let officers: Vec<i64> = users::table
                .filter(users::school_id.eq(school_id))
                .filter(users::role.eq(Role::QualityOfficer.as_str()))
                .filter(users::active.eq(true))
                .select(users::id)
                .load(conn)?;
            for user in officers {
                let sent: i64 = reminders_sent::table
                    .filter(reminders_sent::reminder_key.eq(&key))
                    .filter(reminders_sent::user_id.eq(user))
                    .count()
                    .get_result(conn)?;
                if sent > 0 {
                    continue;
                }
                diesel::insert_into(reminders_sent::table)
                    .values((
                        reminders_sent::reminder_key.eq(&key),
                        reminders_sent::user_id.eq(user),
                        reminders_sent::sent_on.eq(today),
                    ))
                    .execute(conn)?;
                let event = match reminder.lead {
                    Lead::Overdue => "reminder_overdue",
                    Lead::DaysAhead(_) => "reminder_due",
                };
                diesel::insert_into(notifications::table)
                    .values((
                        notifications::user_id.eq(user),
                        notifications::event.eq(event),
                        notifications::created_at.eq(now),
                        notifications::school_id.eq(school_id),
                        notifications::subject.eq(&subject),
                        notifications::due_on.eq(due_on),
                    ))
                    .execute(conn)?;
                let payload = serde_json::json!({
                    "event": event,
                    "kind": kind,
                    "school_id": school_id,
                    "subject": subject,
                    "due_on": due_on.to_string(),
                    "days_left": reminder.days_left,
                    "reminder": key,
                });
                diesel::insert_into(outbox::table)
                    .values((
                        outbox::channel.eq("email"),
                        outbox::user_id.eq(user),
                        outbox::payload.eq(payload.to_string()),
                        outbox::created_at.eq(now),
                    ))
                    .execute(conn)?;
                outcome.sent += 1;
            }
        }
        Ok(outcome)
    })
}

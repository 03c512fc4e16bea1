//! `accredit remind`: the reminders due on a day reach the school's quality officers (inbox
//! and outbox) once each, however often the daily job runs; nobody else gets them.

use serde_json::{Value, json};

use crate::helpers::{TestApp, both_backends};
use crate::world::{Actor, World};

both_backends!(
    a_reevaluation_is_reminded_once_at_30_days_and_once_when_overdue,
    the_weekly_digest_of_overdue_items_reaches_the_province_on_mondays_once,
    one_who_turned_reminders_off_gets_the_notice_but_no_mail,
);

/// The notices of `event` in the inbox of `token`.
async fn notices_of(app: &TestApp, token: Option<&str>, event: &str) -> Vec<Value> {
    let inbox = app.notifications(token).await.json();
    inbox["notifications"]
        .as_array()
        .unwrap_or_else(|| panic!("{inbox}"))
        .iter()
        .filter(|n| n["event"] == event)
        .cloned()
        .collect()
}

async fn the_weekly_digest_of_overdue_items_reaches_the_province_on_mondays_once(app: TestApp) {
    let world = World::build(&app).await;
    let pa = world.bureau(&app);
    // Overdue since 2010.
    let reply = pa.award_title(world.school, json!({"title_type_code": "national_key_technical_school", "awarded_on": "1998-03-01", "last_evaluated_on": "2005-06-30"}))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    // 2026-06-01 is a Monday, the 2nd a Tuesday, the 8th the next Monday.
    for (today, expected) in [
        ("2026-06-02", 0),
        ("2026-06-01", 1),
        ("2026-06-01", 1),
        ("2026-06-08", 2),
    ] {
        let run = app.cli_on(today, &["remind"], None);
        assert_eq!(run.code, 0, "{}", run.stderr);
        for reader in [Actor::Reviewer, Actor::ProvinceAdmin] {
            let got = notices_of(&app, world.token(reader), "digest").await;
            assert_eq!(got.len(), expected, "{today} {reader:?}: {got:?}");
        }
    }
    let got = notices_of(&app, world.token(Actor::Reviewer), "digest").await;
    let summary = got[0]["subject"].as_str().unwrap();
    assert!(
        summary.contains(" ("),
        "the schools with their counts: {summary}"
    );
    // Schools' own people get reminders, not the province's digest.
    for other in [Actor::QualityOfficer, Actor::SchoolViewer] {
        assert!(
            notices_of(&app, world.token(other), "digest")
                .await
                .is_empty()
        );
    }
}

/// The reminders of `subject` in the inbox of `token`.
async fn reminders_of(app: &TestApp, token: Option<&str>, subject: &str) -> Vec<Value> {
    let mut got = notices_of(app, token, "reminder_due").await;
    got.extend(notices_of(app, token, "reminder_overdue").await);
    got.retain(|n| n["subject"] == subject);
    got.sort_by_key(|n| std::cmp::Reverse(n["id"].as_i64()));
    got
}

fn day(date: time::Date, days: i64) -> String {
    (date + time::Duration::days(days)).to_string()
}

async fn a_reevaluation_is_reminded_once_at_30_days_and_once_when_overdue(app: TestApp) {
    let world = World::build(&app).await;
    let pa = world.bureau(&app);
    let qo = world.officer(&app);
    let reply = pa.award_title(world.school, json!({"title_type_code": "migrant_workers_training_base", "awarded_on": "2008-05-01", "last_evaluated_on": "2023-11-15"}))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let deadlines = qo.deadlines("").await.json();
    let item = deadlines
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "reevaluation" && d["due_on"].as_str() > Some("2026-06-01"))
        .unwrap_or_else(|| panic!("{deadlines}"))
        .clone();
    let subject = item["subject"].as_str().unwrap().to_owned();
    let due_on = time::Date::parse(
        item["due_on"].as_str().unwrap(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .unwrap();

    // The job runs on these days (some twice, some days missed): each lead is reminded once,
    // on the first run that reaches it.
    for (offset, expected) in [
        (-181, 0),
        (-180, 1),
        (-180, 1),
        (-150, 1),
        (-91, 1),
        (-90, 2),
        (-31, 2),
        (-30, 3),
        (-30, 3),
        (-29, 3),
        (0, 3),
        (1, 4),
        (1, 4),
        (40, 4),
    ] {
        let run = app.cli_on(&day(due_on, offset), &["remind"], None);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains("reminders for"), "{}", run.stdout);
        let got = reminders_of(&app, qo.token(), &subject).await;
        assert_eq!(
            got.len(),
            expected,
            "{offset} days from the due date: {got:?}"
        );
    }
    let got = reminders_of(&app, qo.token(), &subject).await;
    // Newest first: the overdue one, then the three ahead of the date.
    let events: Vec<&str> = got.iter().map(|n| n["event"].as_str().unwrap()).collect();
    assert_eq!(
        events,
        [
            "reminder_overdue",
            "reminder_due",
            "reminder_due",
            "reminder_due"
        ]
    );
    assert_eq!(got[0]["school_id"], world.school);
    assert_eq!(got[0]["due_on"], item["due_on"]);
    let again = app.cli_on(&day(due_on, 1), &["remind"], None);
    assert!(
        again.stdout.contains(", 0 notices sent now"),
        "{}",
        again.stdout
    );

    // Only the school's quality officers are reminded.
    for other in [Actor::SchoolViewer, Actor::Reviewer, Actor::ProvinceAdmin] {
        let got = reminders_of(&app, world.token(other), &subject).await;
        assert!(got.is_empty(), "{other:?}: {got:?}");
    }
}

/// The outbox rows of `kind` queued for the user with this e-mail address.
fn queued_mails(app: &TestApp, email: &str, kind: &str) -> i64 {
    use accredit::db::schema::{outbox, users};
    use diesel::prelude::*;
    let db = app.db();
    let mut conn = db.get().unwrap();
    outbox::table
        .inner_join(users::table)
        .filter(users::email.eq(email))
        .filter(outbox::kind.eq(kind))
        .count()
        .get_result(&mut conn)
        .unwrap()
}

/// The choice of mails decides the mail only: the inbox keeps every reminder. Reminders
/// are written in batches, the choices read for each batch.
async fn one_who_turned_reminders_off_gets_the_notice_but_no_mail(app: TestApp) {
    let world = World::build(&app).await;
    let qo = world.officer(&app);
    let officer = world.email(Actor::QualityOfficer).unwrap();
    let due = world.award_key_school(&app, "2022-01-15").await;
    let subject_due = due.to_string();
    let before = queued_mails(&app, officer, "reminder");

    let set = |on: bool| {
        qo.update_me(json!({"mail": {"workflow": true, "reminders": on, "digest": true}}))
    };
    assert_eq!(set(false).await.status, 200);
    let run = app.cli_on(&day(due, -90), &["remind"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let notices = notices_of(&app, qo.token(), "reminder_due").await;
    assert!(
        notices.iter().any(|n| n["due_on"] == subject_due.as_str()),
        "{notices:?}"
    );
    assert_eq!(queued_mails(&app, officer, "reminder"), before, "no mail");

    assert_eq!(set(true).await.status, 200);
    let run = app.cli_on(&day(due, -30), &["remind"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(queued_mails(&app, officer, "reminder"), before + 1);
}

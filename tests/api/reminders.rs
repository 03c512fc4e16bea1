//! `accredit remind`: the reminders due on a day reach the school's quality officers (inbox
//! and outbox) once each, however often the daily job runs; nobody else gets them.

use serde_json::{Value, json};

use crate::helpers::{TestApp, both_backends};
use crate::world::{Actor, World};

both_backends!(a_reevaluation_is_reminded_once_at_30_days_and_once_when_overdue);

/// The officer's reminders of `subject`.
async fn reminders_of(app: &TestApp, token: Option<&str>, subject: &str) -> Vec<Value> {
    let inbox = app
        .send("GET", "/api/v1/me/notifications", token, None)
        .await
        .json();
    let notices = inbox["notifications"]
        .as_array()
        .or_else(|| inbox.as_array())
        .cloned()
        .unwrap_or_else(|| panic!("{inbox}"));
    notices
        .into_iter()
        .filter(|n| n["subject"] == subject)
        .collect()
}

fn day(date: time::Date, days: i64) -> String {
    (date + time::Duration::days(days)).to_string()
}

async fn a_reevaluation_is_reminded_once_at_30_days_and_once_when_overdue(app: TestApp) {
    let world = World::build(&app).await;
    let pa = world.token(Actor::ProvinceAdmin);
    let qo = world.token(Actor::QualityOfficer);
    let titles = format!("/api/v1/schools/{}/titles", world.school);
    let reply = app
        .send("POST", &titles, pa, Some(json!({"title_type_code": "migrant_workers_training_base", "awarded_on": "2008-05-01", "last_evaluated_on": "2023-11-15"})))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let deadlines = app.send("GET", "/api/v1/deadlines", qo, None).await.json();
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
        let got = reminders_of(&app, qo, &subject).await;
        assert_eq!(
            got.len(),
            expected,
            "{offset} days from the due date: {got:?}"
        );
    }
    let got = reminders_of(&app, qo, &subject).await;
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

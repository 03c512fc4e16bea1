//! Deadlines: scoped, overdue first then by date, as JSON, CSV, XLSX and an iCalendar feed
//! at a secret, renewable address.

use serde_json::json;

use crate::helpers::{TestApp, both_backends};
use crate::world::World;

both_backends!(
    a_province_s_counts_follow_changes_made_through_another_server,
    kept_deadlines_are_rebuilt_once_when_their_rules_change,
    deadlines_are_scoped_and_ordered,
    the_feed_parses_back_and_its_address_can_be_renewed
);

/// The bureau's counts (the deadlines' `X-Total-Count`, the home page's overdue count and a
/// programme's progress) are kept by each server while the province's versions hold: a
/// change made through another server moves them on both at once.
async fn a_province_s_counts_follow_changes_made_through_another_server(app: TestApp) {
    let world = World::build(&app).await;
    let other = app.beside().await;
    let pa = world.bureau(&app);
    let programmes = format!("/api/v1/provinces/{}/programmes", world.province);
    let made = pa.post(&programmes, json!({"name": "国家重点技工学校 2030", "title_type_code": "national_key_technical_school",
                "target_count": 4, "target_date": "2030-12-31"}))
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let before = counts(&app, pa.token().unwrap(), &programmes).await;
    assert_eq!(
        counts(&other, pa.token().unwrap(), &programmes).await,
        before
    );
    // Through the other server: a title last evaluated in 2005, overdue since 2010.
    let titles = format!("/api/v1/schools/{}/titles", world.school);
    let awarded = other
        .send(
            "POST",
            &titles,
            pa.token(),
            Some(json!({"title_type_code": "national_key_technical_school",
            "awarded_on": "1998-03-01", "last_evaluated_on": "2005-06-30"})),
        )
        .await;
    assert_eq!(awarded.status, 201, "{}", awarded.text);
    let after = (before.0 + 1, before.1 + 1, before.2 + 1);
    assert_eq!(
        counts(&app, pa.token().unwrap(), &programmes).await,
        after,
        "the first server, which kept the counts"
    );
    assert_eq!(
        counts(&other, pa.token().unwrap(), &programmes).await,
        after
    );
}

/// (the deadlines a province admin sees, the overdue count on their home page, their
/// province's programme of national key technical schools' progress), read from one server.
async fn counts(server: &TestApp, pa: &str, programmes: &str) -> (i64, i64, i64) {
    let listed = server
        .send("GET", "/api/v1/deadlines", Some(pa), None)
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    let total: i64 = listed.header("x-total-count").unwrap().parse().unwrap();
    let cookie = format!("accredit_session={pa}");
    let home = server.get_with("/home", &[("Cookie", &cookie)]).await;
    assert_eq!(home.status, 200, "{}", home.text);
    let overdue = home
        .text
        .split("id=\"overdue-count\">(")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no overdue count on the home page"))
        .replace(',', "");
    let list = server.send("GET", programmes, Some(pa), None).await.json();
    let progress = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["title_type_code"] == "national_key_technical_school")
        .unwrap_or_else(|| panic!("{list}"))["progress"]
        .as_i64()
        .unwrap();
    (total, overdue.parse().unwrap(), progress)
}

async fn deadlines_are_scoped_and_ordered(app: TestApp) {
    let world = World::build(&app).await;
    let pa = world.bureau(&app);
    let qo = world.officer(&app);
    // Overdue since 2010, and one due within the half year.
    pa.award_title(world.school, json!({"title_type_code": "national_key_technical_school", "awarded_on": "1998-03-01", "last_evaluated_on": "2005-06-30"})).await;
    pa.award_title(world.school, json!({"title_type_code": "migrant_workers_training_base", "awarded_on": "2008-05-01", "last_evaluated_on": "2023-11-15"})).await;
    let cert = json!({"standard": "ISO 9001:2015", "certification_body": "CQC", "certificate_number": "00124Q", "issued_on": "2025-09-01", "expires_on": "2028-08-31"});
    assert_eq!(qo.put_certificate(world.school, cert).await.status, 200);

    let all = qo.deadlines("").await.json();
    let rows = all.as_array().unwrap();
    assert!(
        rows.iter().all(|d| d["school_id"] == world.school),
        "an officer sees their own school only"
    );
    let kinds: Vec<&str> = rows.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    for kind in [
        "reevaluation",
        "certificate_expiry",
        "surveillance_audit",
        "finding_due",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    // Overdue first (by date), then the rest by date.
    let overdue: Vec<bool> = rows
        .iter()
        .map(|d| d["overdue"].as_bool().unwrap())
        .collect();
    let first_on_time = overdue.iter().position(|o| !o).unwrap_or(overdue.len());
    assert!(
        overdue[first_on_time..].iter().all(|o| !o) && first_on_time >= 2,
        "{overdue:?}"
    );
    let dates: Vec<&str> = rows.iter().map(|d| d["due_on"].as_str().unwrap()).collect();
    let mut sorted = dates[..first_on_time].to_vec();
    sorted.sort();
    assert_eq!(sorted, dates[..first_on_time]);
    assert_eq!(rows[0]["due_on"], "2010-06-30");
    let soon = qo.deadlines("?within_days=200").await.json();
    let soon_dates: Vec<&str> = soon
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["overdue"] == false)
        .map(|d| d["due_on"].as_str().unwrap())
        .collect();
    assert_eq!(
        soon_dates,
        ["2026-09-01", "2026-09-30", "2026-11-15"],
        "surveillance, the year's status data, then the re-evaluation"
    );

    let province = world.reviewer(&app).deadlines("").await.json();
    let schools: std::collections::BTreeSet<i64> = province
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["school_id"].as_i64().unwrap())
        .collect();
    assert!(schools.contains(&world.school) && schools.contains(&world.sibling_school));
    assert!(
        !schools.contains(&world.foreign_school),
        "never another province's"
    );

    let csv = qo.deadlines("?format=csv").await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = csv.text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "school_id,school,school_zh,kind,subject,due_on,overdue"
    );
    assert_eq!(lines.len(), rows.len() + 1, "the same rows as the API");
    assert!(lines[1].contains("2010-06-30"));
    let xlsx = app
        .client
        .get(app.url("/api/v1/deadlines?format=xlsx"))
        .bearer_auth(qo.token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    let bytes = xlsx.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04"));
    // The workbook holds the rows of the JSON answer, column for column.
    let sheet = crate::helpers::xlsx_rows(&bytes);
    assert_eq!(sheet[0].join(","), lines[0]);
    assert_eq!(sheet.len(), rows.len() + 1);
    for (cells, row) in sheet[1..].iter().zip(rows.iter()) {
        assert_eq!(cells[0], row["school_id"].to_string());
        assert_eq!(cells[3], row["kind"].as_str().unwrap());
        assert_eq!(cells[4], row["subject"].as_str().unwrap());
        assert_eq!(cells[5], row["due_on"].as_str().unwrap());
        assert_eq!(cells[6], row["overdue"].to_string());
    }
    assert_eq!(qo.deadlines("?format=pdf").await.status, 422);
}

async fn the_feed_parses_back_and_its_address_can_be_renewed(app: TestApp) {
    let world = World::build(&app).await;
    let qo = world.officer(&app);
    let url = qo.calendar().await.json()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(url.starts_with("/calendar/") && url.ends_with(".ics"));
    assert_eq!(
        qo.calendar().await.json()["url"],
        url,
        "stable until renewed"
    );
    let feed = app.get(&url).await;
    assert_eq!(feed.status, 200);
    assert!(
        feed.header("content-type")
            .unwrap()
            .starts_with("text/calendar")
    );
    // Parse it back: unfold, then read the events.
    let text = feed.text.replace("\r\n ", "");
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"));
    let events: Vec<&str> = text.split("BEGIN:VEVENT\r\n").skip(1).collect();
    let api = qo.deadlines("").await.json();
    assert_eq!(
        events.len(),
        api.as_array().unwrap().len(),
        "one event per deadline"
    );
    for (event, deadline) in events.iter().zip(api.as_array().unwrap()) {
        let field = |name: &str| {
            event
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .unwrap()
                .to_owned()
        };
        assert_eq!(field("UID:"), deadline["uid"].as_str().unwrap());
        assert_eq!(
            field("DTSTART;VALUE=DATE:"),
            deadline["due_on"].as_str().unwrap().replace('-', "")
        );
    }
    let renewed = qo.send("POST", "/api/v1/me/calendar", None).await.json()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(renewed, url);
    assert_eq!(
        app.get(&url).await.status,
        404,
        "the old address ends at once"
    );
    assert_eq!(app.get(&renewed).await.status, 200);
    assert_eq!(app.get("/calendar/not-a-token.ics").await.status, 404);
}

/// Deadlines are kept rows; a server that finds them kept by older rules (here: none kept
/// and the rules' version reset, as after an upgrade) rebuilds them from the record before
/// it serves, and a server after it finds nothing to do.
async fn kept_deadlines_are_rebuilt_once_when_their_rules_change(app: TestApp) {
    let world = World::build(&app).await;
    let pa = world.bureau(&app);
    let before = pa.deadlines("?limit=1000").await;
    let before = before.json();
    assert!(before.as_array().unwrap().len() >= 3, "{before}");
    crate::records::tamper(&app, "DELETE FROM deadline_items");
    let empty = pa.deadlines("").await;
    assert_eq!(empty.json(), json!([]), "what is read is what is kept");
    crate::records::tamper(&app, "UPDATE derived_state SET version = 0");
    let upgraded = app.beside().await;
    let after = upgraded
        .send("GET", "/api/v1/deadlines?limit=1000", pa.token(), None)
        .await;
    assert_eq!(after.json(), before);
    let again = app.beside().await;
    assert_eq!(
        again
            .send("GET", "/api/v1/deadlines?limit=1000", pa.token(), None)
            .await
            .json(),
        before
    );
}

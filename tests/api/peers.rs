//! The peer comparison: province peers only, recorded facts only, the same numbers in the
//! API, the CSV and the XLSX, and a page with a chart per figure.

use serde_json::json;

use crate::helpers::{TestApp, both_backends};
use crate::world::{Actor, PASSWORD, World};

both_backends!(
    peers_are_compared_on_recorded_facts_only,
    a_comparison_follows_a_change_made_through_another_server
);

/// The comparison is computed once per province and data version and kept by each server;
/// the version is in the database, so a change made through one server shows in the next
/// answer of the other.
async fn a_comparison_follows_a_change_made_through_another_server(app: TestApp) {
    let world = World::build(&app).await;
    let other = app.beside().await;
    let (qo, pa) = (
        world.token(Actor::QualityOfficer),
        world.token(Actor::ProvinceAdmin),
    );
    let path = format!("/api/v1/schools/{}/peer-comparison", world.sibling_school);
    let sibling_in = |body: &serde_json::Value| {
        body["peers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["school_id"] == world.school)
            .cloned()
            .unwrap_or_else(|| panic!("{body}"))
    };
    // Both servers have computed the province's figures.
    for server in [&app, &other] {
        let before = server.send("GET", &path, pa, None).await.json();
        assert_eq!(sibling_in(&before)["titles_held"], 1, "{before}");
        assert_eq!(sibling_in(&before)["open_major_nc"], 0, "{before}");
    }
    // A title and a major nonconformity recorded through the second server …
    let titles = format!("/api/v1/schools/{}/titles", world.school);
    let title = other
        .send(
            "POST",
            &titles,
            pa,
            Some(json!({"title_type_code": "national_key_technical_school", "awarded_on": "2020-01-01"})),
        )
        .await;
    assert_eq!(title.status, 201, "{}", title.text);
    let finding = other
        .send(
            "POST",
            &format!("/api/v1/audits/{}/findings", world.audits[0]),
            qo,
            Some(json!({"clause": "8.5.1", "grade": "major_nc", "description": "Work instructions missing", "due_on": "2026-09-01"})),
        )
        .await;
    assert_eq!(finding.status, 201, "{}", finding.text);
    // … show in the first server's next answer, and in the second's.
    for server in [&app, &other] {
        let after = server.send("GET", &path, pa, None).await.json();
        assert_eq!(sibling_in(&after)["titles_held"], 2, "{after}");
        assert_eq!(sibling_in(&after)["open_major_nc"], 1, "{after}");
    }
    // A school's figures typed but not accepted move nothing; its deadlines are kept too.
    let due = app
        .send("GET", "/api/v1/deadlines?limit=1000", qo, None)
        .await
        .json();
    assert!(
        due.as_array()
            .unwrap()
            .iter()
            .any(|d| d["kind"] == "finding_due" && d["subject"].as_str().unwrap().contains("8.5.1")),
        "{due}"
    );
    drop(other);
}

async fn peers_are_compared_on_recorded_facts_only(app: TestApp) {
    let world = World::build(&app).await;
    let (qo, pa) = (
        world.token(Actor::QualityOfficer),
        world.token(Actor::ProvinceAdmin),
    );
    // Figures a school typed but the province has not accepted count for nobody.
    let typed = app
        .send(
            "PUT",
            &format!("/api/v1/schools/{}/indicators/2026", world.school),
            qo,
            Some(json!({"students": 99999, "teachers": 1})),
        )
        .await;
    assert_eq!(typed.status, 201, "{}", typed.text);
    // Accepted figures (the year's status data, through the round) are compared.
    for (school, students, teachers) in
        [(world.school, 4200, 210), (world.sibling_school, 2000, 150)]
    {
        let figures = json!({"students": students, "teachers": teachers, "campus_area_m2": 150000, "equipment_value_cny": 12000000});
        world.accept_year(&app, school, 2025, figures).await;
    }
    app.send(
        "POST",
        &format!("/api/v1/schools/{}/titles", world.school),
        pa,
        Some(
            json!({"title_type_code": "national_key_technical_school", "awarded_on": "2020-01-01"}),
        ),
    )
    .await;
    // A draft of the sibling school: never part of anyone's comparison.
    let draft = app.with_token(&app.token("officer@xiamen.example").await).prepare(world.sibling_school, json!({"kind": "annual_quality_report", "title": "SECRET DRAFT of Xiamen", "year": 2025})).await.id();
    assert!(draft > 0);

    let reply = app
        .send(
            "GET",
            &format!("/api/v1/schools/{}/peer-comparison", world.school),
            qo,
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(!reply.text.contains("SECRET DRAFT"));
    let body = reply.json();
    assert_eq!(body["school"]["school_id"], world.school);
    assert_eq!(
        body["school"]["titles_held"], 2,
        "the world's provincial title and the national one"
    );
    assert_eq!(body["school"]["national_titles"], 1);
    assert_eq!(body["school"]["students_per_teacher"], 20.0);
    let peers: Vec<i64> = body["peers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["school_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        peers,
        [world.sibling_school],
        "the other schools of the province, never another province's"
    );
    assert_eq!(body["percentiles"]["students"], 100);
    assert_eq!(body["percentiles"]["national_titles"], 100);
    assert_eq!(
        body["percentiles"]["students_per_teacher"], 0,
        "20 students per teacher is worse than 13.3"
    );
    let standards = body["standards"].as_array().unwrap();
    assert_eq!(
        standards.len(),
        3,
        "a senior technical school has three minimums"
    );
    assert!(
        standards
            .iter()
            .all(|s| s["compliance"] == "meets" || s["compliance"] == "unknown"),
        "{standards:?}"
    );

    // The same numbers in the CSV and the XLSX.
    let csv = app
        .send(
            "GET",
            &format!(
                "/api/v1/schools/{}/peer-comparison?format=csv",
                world.school
            ),
            qo,
            None,
        )
        .await;
    let lines: Vec<Vec<String>> = csv
        .text
        .trim_start_matches('\u{feff}')
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    let header = &lines[0];
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(lines[1][column("students")], "4200");
    assert_eq!(lines[1][column("row")], "school");
    assert_eq!(lines[2][column("students")], "2000");
    assert_eq!(
        lines.last().unwrap()[column("students")],
        "100",
        "the percentile row"
    );
    let xlsx = app
        .client
        .get(app.url(&format!(
            "/api/v1/schools/{}/peer-comparison?format=xlsx",
            world.school
        )))
        .bearer_auth(qo.unwrap())
        .send()
        .await
        .unwrap();
    let bytes = xlsx.bytes().await.unwrap();
    // The workbook holds the same rows as the CSV, cell for cell.
    let sheet = crate::helpers::xlsx_rows(&bytes);
    assert_eq!(sheet.len(), lines.len());
    for (row, line) in sheet.iter().zip(&lines) {
        let line: Vec<&str> = line.iter().map(String::as_str).collect();
        assert_eq!(row.iter().map(String::as_str).collect::<Vec<_>>(), line);
    }

    // The page: a chart per figure with the school marked, and the standards.
    let login = app
        .login(world.email(Actor::QualityOfficer).unwrap(), PASSWORD)
        .await
        .json();
    let page = app
        .get_with(
            &format!("/schools/{}/peers", world.school),
            &[
                (
                    "Cookie",
                    &format!("accredit_session={}", login["token"].as_str().unwrap()),
                ),
                ("Accept-Language", "en"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("<svg class=\"strip\"") && page.text.contains("class=\"own\""));
    assert!(page.text.contains("National minimum standards"));
    assert!(!page.text.contains("SECRET DRAFT"));
}

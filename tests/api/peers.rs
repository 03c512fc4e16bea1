//! The peer comparison: province peers only, recorded facts only, the same numbers in the
//! API, the CSV and the XLSX, and a page with a chart per figure.

use serde_json::json;

use crate::helpers::{TestApp, both_backends};
use crate::world::{Actor, PASSWORD, World};

both_backends!(peers_are_compared_on_recorded_facts_only);

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
    let draft = app.created(
        &format!("/api/v1/schools/{}/submissions", world.sibling_school),
        &app.token("officer@xiamen.example").await,
        json!({"kind": "annual_quality_report", "title": "SECRET DRAFT of Xiamen", "year": 2025}),
    ).await;
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

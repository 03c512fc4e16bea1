//! The school year, as the people do it: the province opens a round, the officer fills in
//! the year by the XLSX template, explains the flags, submits; the reviewer recommends, the
//! bureau approves and the year is locked; the bureau reopens it with a reason; the report
//! is generated and attached; the province hands its figures on as one workbook.

use std::io::Read;

use serde_json::{Value, json};

use crate::helpers::{TestApp, both_backends, fill_xlsx, template_cell, xlsx_rows};
use crate::world::{Actor, World};

both_backends!(
    implausible_figures_are_refused_on_every_path,
    a_year_from_the_template_to_the_lock_and_back,
    bad_sheets_are_refused_whole_and_named_cell_by_cell,
    the_catalogue_grows_without_a_change_of_code,
    the_report_is_generated_from_the_record_and_attached,
    a_round_and_the_province_figures_follow_changes_made_through_another_server,
);

/// The round's schools and the province's accepted figures are computed once per version of
/// the province and kept by each server; a change through one server shows at the other's
/// next answer.
async fn a_round_and_the_province_figures_follow_changes_made_through_another_server(app: TestApp) {
    let world = World::build(&app).await;
    let other = app.beside().await;
    let pa = world.token(Actor::ProvinceAdmin).unwrap();
    let round = format!("/api/v1/rounds/{}", world.rounds[0]);
    let state_of = |body: &Value, school: i64| {
        body["schools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["school_id"] == school)
            .map(|s| {
                (
                    s["state"].as_str().unwrap().to_owned(),
                    s["figures_entered"].as_i64().unwrap(),
                )
            })
            .unwrap()
    };
    for server in [&app, &other] {
        let before = server.send("GET", &round, Some(pa), None).await.json();
        assert_eq!(
            state_of(&before, world.school),
            ("not_started".into(), 0),
            "{before}"
        );
    }
    let officer = world.officer_of(&app, world.school).await;
    let saved = other
        .send(
            "PUT",
            &format!("/api/v1/schools/{}/status-data/2026", world.school),
            Some(&officer),
            Some(json!({"figures": {"students": 4200, "teachers": 200}})),
        )
        .await;
    assert!(matches!(saved.status, 200 | 201), "{}", saved.text);
    for server in [&app, &other] {
        let after = server.send("GET", &round, Some(pa), None).await.json();
        assert_eq!(
            state_of(&after, world.school),
            ("in_progress".into(), 2),
            "{after}"
        );
        assert_eq!(after["counts"]["in_progress"], 1, "{after}");
    }
    // The province's table of 2025: every school, none accepted, then the school's figures
    // once accepted (through the first server), at both.
    let figures = format!("/api/v1/provinces/{}/status-data/2025", world.province);
    let row_of = |table: &Value, school: i64| {
        table
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["school_id"] == school)
            .cloned()
            .unwrap()
    };
    for server in [&app, &other] {
        let none = server.send("GET", &figures, Some(pa), None).await.json();
        assert_eq!(none.as_array().unwrap().len(), 2, "{none}");
        let own = row_of(&none, world.school);
        assert_eq!(own["state"], "not_started", "{none}");
        assert_eq!(own["figures"], json!({}), "{none}");
    }
    world
        .accept_year(
            &app,
            world.school,
            2025,
            json!({"students": 4000, "teachers": 190}),
        )
        .await;
    for server in [&app, &other] {
        let accepted = server.send("GET", &figures, Some(pa), None).await.json();
        let own = row_of(&accepted, world.school);
        assert_eq!(own["state"], "accepted", "{accepted}");
        assert_eq!(own["figures"]["students"], 4000.0, "{accepted}");
    }
    drop(other);
}

async fn bytes(app: &TestApp, path: &str, token: &str) -> (u16, Vec<u8>) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

async fn a_year_from_the_template_to_the_lock_and_back(app: TestApp) {
    let world = World::build(&app).await;
    let (officer, reviewer, pa) = (
        world.token(Actor::QualityOfficer).unwrap(),
        world.token(Actor::Reviewer).unwrap(),
        world.token(Actor::ProvinceAdmin).unwrap(),
    );
    let school = world.school;
    // The bureau opens 2025 (the world has opened 2026 already); a second time is a conflict.
    let rounds = format!("/api/v1/provinces/{}/rounds", world.province);
    let round = app
        .send(
            "POST",
            &rounds,
            Some(pa),
            Some(json!({"year": 2025, "due_on": "2026-05-31", "change_threshold_pct": 30})),
        )
        .await;
    assert_eq!(round.status, 201, "{}", round.text);
    let round = round.json();
    assert_eq!(
        (round["status"].as_str(), round["year"].as_i64()),
        (Some("open"), Some(2025))
    );
    let again = app
        .send(
            "POST",
            &rounds,
            Some(pa),
            Some(json!({"year": 2025, "due_on": "2026-05-31"})),
        )
        .await;
    assert_eq!(
        (again.status, again.error_code().as_str()),
        (409, "round_exists")
    );
    // Last year's figures, accepted, for the comparison.
    world
        .accept_year(
            &app,
            school,
            2024,
            json!({"students": 3000, "teachers": 150, "campus_area_m2": 60000}),
        )
        .await;

    // The round's due date (2026-05-31) is past on 2026-06-01: the deadline is overdue.
    let due = app.with_token(officer).deadlines("").await.json();
    assert!(
        due.as_array()
            .unwrap()
            .iter()
            .any(|d| d["kind"] == "status_data_due"
                && d["due_on"] == "2026-05-31"
                && d["overdue"] == true),
        "{due}"
    );

    // The officer downloads the template, pre-filled with last year's figures.
    let path = format!("/api/v1/schools/{school}/status-data/2025");
    let (status, template) = bytes(&app, &format!("{path}/template.xlsx"), officer).await;
    assert_eq!(status, 200);
    let sheet = xlsx_rows(&template);
    assert!(
        sheet[3][2].contains("2025") && sheet[3][4].contains("2024"),
        "{:?}",
        sheet[3]
    );
    let students_row = sheet.iter().find(|r| r[0] == "students").unwrap();
    assert_eq!(
        students_row[4], "3000",
        "last year's figure beside this year's"
    );
    assert!(students_row[1].contains("在校生数") && students_row[1].contains("Students"));

    // A program fills it in and uploads it.
    let filled = fill_xlsx(
        &template,
        &[
            (&template_cell(&template, "students"), "4200"),
            (&template_cell(&template, "teachers"), "210"),
            (&template_cell(&template, "campus_area_m2"), "120000"),
            (&template_cell(&template, "library_books"), "126000"),
            (&template_cell(&template, "graduates"), "1380"),
            (&template_cell(&template, "graduates_employed"), "1,340"),
        ],
    );
    let uploaded = app
        .upload_to(
            &format!("{path}/upload"),
            Some(officer),
            "status-2025.xlsx",
            &filled,
        )
        .await;
    assert_eq!(uploaded.status, 200, "{}", uploaded.text);
    let year = uploaded.json();
    assert_eq!(year["figures"]["students"], 4200);
    assert_eq!(year["figures"]["graduates_employed"], 1340);
    assert_eq!(year["derived"]["students_per_teacher"], 20);
    assert_eq!(year["derived"]["books_per_student"], 30);
    assert_eq!(year["derived"]["employment_rate_pct"], 97.1);
    assert_eq!(year["state"], "in_progress");
    assert_eq!(year["previous"]["students"], 3000);

    // Students rose by 40 %: flagged, and the year cannot go without an explanation.
    let flags: Vec<&str> = year["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(flags.contains(&"students"), "{flags:?}");
    let flag = year["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "students")
        .unwrap();
    assert_eq!(
        (flag["reason"].as_str(), flag["change_pct"].as_f64()),
        (Some("changed"), Some(40.0))
    );
    let submission = app
        .with_token(officer)
        .prepare(
            school,
            json!({"kind": "status_data", "title": "Status data 2025", "year": 2025}),
        )
        .await
        .id();
    let refused = app.with_token(officer).submit(submission).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(
        refused.json()["error"]["fields"]["explanations.students"].is_string(),
        "{}",
        refused.text
    );
    // A second status-data submission of the year is refused while this one is open.
    let twice = app
        .with_token(officer)
        .prepare(
            school,
            json!({"kind": "status_data", "title": "again", "year": 2025}),
        )
        .await;
    assert_eq!(
        (twice.status, twice.error_code().as_str()),
        (409, "submission_open")
    );
    let explanations: serde_json::Map<String, Value> = flags
        .iter()
        .map(|c| {
            (
                (*c).to_owned(),
                json!("New programmes in elevator maintenance opened in autumn"),
            )
        })
        .collect();
    let explained = app
        .send(
            "PUT",
            &path,
            Some(officer),
            Some(json!({"explanations": explanations, "version": year["version"]})),
        )
        .await;
    assert_eq!(explained.status, 200, "{}", explained.text);
    let stale = app
        .send(
            "PUT",
            &path,
            Some(officer),
            Some(json!({"explanations": {}, "version": year["version"]})),
        )
        .await;
    assert_eq!(
        (stale.status, stale.error_code().as_str()),
        (409, "stale_version")
    );
    let submitted = app.with_token(officer).submit(submission).await;
    assert_eq!(submitted.status, 200, "{}", submitted.text);
    // The submission keeps the figures of that moment; the year cannot change under review.
    let content = &submitted.json()["content"];
    assert_eq!(content["figures"]["students"], 4200);
    assert_eq!(
        content["explanations"]["students"],
        "New programmes in elevator maintenance opened in autumn"
    );
    let during = app
        .send(
            "PUT",
            &path,
            Some(officer),
            Some(json!({"figures": {"students": 1}})),
        )
        .await;
    assert_eq!(
        (during.status, during.error_code().as_str()),
        (409, "year_in_review")
    );

    // The round shows the school submitted and its sibling not started (and late).
    let view = app.with_token(pa).round(&round["id"], "").await.json();
    let state_of = |view: &Value, id: i64| -> (String, bool) {
        let row = view["schools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["school_id"] == id)
            .unwrap();
        (
            row["state"].as_str().unwrap().to_owned(),
            row["overdue"].as_bool().unwrap(),
        )
    };
    assert_eq!(state_of(&view, school), ("submitted".into(), false));
    assert_eq!(
        state_of(&view, world.sibling_school),
        ("not_started".into(), true)
    );
    assert_eq!(view["counts"]["submitted"], 1);
    assert_eq!(view["counts"]["overdue"], 1);
    let late = app
        .with_token(pa)
        .round(&round["id"], "?overdue=true")
        .await
        .json();
    assert_eq!(late["schools"].as_array().unwrap().len(), 1);
    for (query, status) in [
        ("state=submitted", 200),
        ("state=", 200),
        ("state=%0B", 422),
    ] {
        let reply = app
            .send(
                "GET",
                &format!("/api/v1/rounds/{}?{query}", round["id"]),
                Some(pa),
                None,
            )
            .await;
        assert_eq!(reply.status, status, "{query}: {}", reply.text);
    }

    // Recommended by the reviewer, approved by the bureau: the year is locked.
    for (token, step, decision) in [
        (reviewer, "review", "recommend"),
        (pa, "sign-off", "approve"),
    ] {
        let reply = app
            .send(
                "POST",
                &format!("/api/v1/submissions/{submission}/{step}"),
                Some(token),
                Some(
                    json!({"decision": decision, "comment": "Figures consistent, flags explained"}),
                ),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    let locked = app.send("GET", &path, Some(officer), None).await.json();
    assert_eq!(
        (locked["state"].as_str(), locked["locked"].as_bool()),
        (Some("accepted"), Some(true))
    );
    for (method, target, body) in [
        ("PUT", path.clone(), json!({"figures": {"students": 4300}})),
        (
            "PUT",
            format!("/api/v1/schools/{school}/indicators/2025"),
            json!({"students": 4300}),
        ),
    ] {
        let reply = app.send(method, &target, Some(officer), Some(body)).await;
        assert_eq!(
            (reply.status, reply.error_code().as_str()),
            (409, "year_locked"),
            "{target}"
        );
    }
    let upload = app
        .upload_to(
            &format!("{path}/upload"),
            Some(officer),
            "status-2025.xlsx",
            &filled,
        )
        .await;
    assert_eq!(
        (upload.status, upload.error_code().as_str()),
        (409, "year_locked")
    );
    // The comparison now uses the accepted 2025 figures.
    let peers = app
        .with_token(officer)
        .peer_comparison(school, "")
        .await
        .json();
    assert_eq!(peers["school"]["students"], 4200);
    assert_eq!(peers["school"]["indicator_year"], 2025);

    let table = app
        .with_token(pa)
        .province_status_data(world.province, 2025, "")
        .await
        .json();
    // The province's figures for the ministry: one row per school of the province, with
    // its state in the year, and figures only where the year is accepted.
    let rows = table.as_array().unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r["school_id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![school, world.sibling_school],
        "every school of the province: {table}"
    );
    assert_eq!(rows[0]["state"], "accepted", "{table}");
    assert_eq!(rows[0]["figures"]["students"], 4200);
    assert_ne!(rows[1]["state"], "accepted", "{table}");
    assert_eq!(rows[1]["figures"], json!({}), "{table}");
    assert_eq!(rows[1]["below_standard"], json!([]), "{table}");
    let (status, workbook) = bytes(
        &app,
        &format!(
            "/api/v1/provinces/{}/status-data/2025?format=xlsx",
            world.province
        ),
        pa,
    )
    .await;
    assert_eq!(status, 200);
    let sheet = xlsx_rows(&workbook);
    assert_eq!(
        sheet.len(),
        3,
        "a header and a row per school of the province"
    );
    let column = |code_name: &str| sheet[0].iter().position(|h| h.contains(code_name)).unwrap();
    assert_eq!(sheet[1][column("状态")], "已确认 / accepted");
    assert_eq!(sheet[2][0], world.sibling_school.to_string());
    assert!(
        sheet[2][column("在校生数")].is_empty() && sheet[2][column("生师比")].is_empty(),
        "blank cells where no year is accepted: {:?}",
        sheet[2]
    );
    assert!(
        !sheet[2][column("状态")].contains("accepted"),
        "{:?}",
        sheet[2]
    );
    assert!(
        sheet[0][column("在校生数")].contains("Students enrolled"),
        "bilingual headers"
    );
    assert_eq!(sheet[1][column("在校生数")], "4200");
    assert_eq!(sheet[1][column("生师比")], "20");
    assert_eq!(sheet[1][0], school.to_string());
    let foreign = app
        .with_token(pa)
        .province_status_data(world.other_province, 2025, "")
        .await;
    assert_eq!(foreign.status, 404);

    // The bureau reopens the year with a reason; the history keeps it.
    let reason = "教育局复核：在校生数需按学籍系统核对 / Check students against the register";
    let no_reason = app
        .send(
            "POST",
            &format!("{path}/reopen"),
            Some(pa),
            Some(json!({"reason": " "})),
        )
        .await;
    assert_eq!(no_reason.status, 422);
    let officer_may_not = app
        .send(
            "POST",
            &format!("{path}/reopen"),
            Some(officer),
            Some(json!({"reason": reason})),
        )
        .await;
    assert_eq!(officer_may_not.status, 403);
    let reopened = app
        .send(
            "POST",
            &format!("{path}/reopen"),
            Some(pa),
            Some(json!({"reason": reason})),
        )
        .await;
    assert_eq!(reopened.status, 200, "{}", reopened.text);
    let reopened = reopened.json();
    assert_eq!(
        (reopened["locked"].as_bool(), reopened["state"].as_str()),
        (Some(false), Some("returned"))
    );
    assert_eq!(reopened["reopen_reason"], reason);
    let history = app.with_token(officer).history(school, "").await.json();
    let entry = history
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["action"] == "status_data.reopen")
        .expect("the reopening in the history");
    let after: Value = serde_json::from_str(entry["after"].as_str().unwrap()).unwrap();
    assert_eq!(after["reason"], reason);
    // The school corrects the figure and resubmits; accepted again, locked again.
    let corrected = app
        .send("PUT", &path, Some(officer), Some(json!({"figures": {"students": 4150, "teachers": 210, "campus_area_m2": 120000, "library_books": 126000, "graduates": 1380, "graduates_employed": 1340}})))
        .await;
    assert_eq!(corrected.status, 200, "{}", corrected.text);
    world
        .accept_year(&app, school, 2025, corrected.json()["figures"].clone())
        .await;
    let final_year = app.send("GET", &path, Some(officer), None).await.json();
    assert_eq!(
        (
            final_year["locked"].as_bool(),
            final_year["figures"]["students"].as_i64()
        ),
        (Some(true), Some(4150))
    );
    assert_eq!(app.cli(&["history", "verify"], None).code, 0);
}

async fn bad_sheets_are_refused_whole_and_named_cell_by_cell(app: TestApp) {
    let world = World::build(&app).await;
    let officer = world.officer(&app);
    let school = world.school;
    let path = format!("/api/v1/schools/{school}/status-data/2026");
    let saved = officer
        .put(
            &path,
            json!({"figures": {"students": 4200, "teachers": 210}}),
        )
        .await;
    assert_eq!(saved.status, 201, "{}", saved.text);
    let (_, template) = bytes(
        &app,
        &format!("{path}/template.xlsx"),
        officer.token().unwrap(),
    )
    .await;
    let (students, teachers, campus) = (
        template_cell(&template, "students"),
        template_cell(&template, "teachers"),
        template_cell(&template, "campus_area_m2"),
    );
    let bad = fill_xlsx(
        &template,
        &[
            (&students, "about four thousand"),
            (&teachers, "210.5"),
            (&campus, "-1"),
            (&template_cell(&template, "computers"), "820"),
        ],
    );
    for (accept, word) in [("en", "whole number"), ("zh-CN", "必须是整数")] {
        let part = reqwest::multipart::Part::bytes(bad.clone()).file_name("bad.xlsx");
        let response = app
            .client
            .post(app.url(&format!("{path}/upload")))
            .bearer_auth(officer.token().unwrap())
            .header("Accept-Language", accept)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        let body: Value = response.json().await.unwrap();
        let fields = body["error"]["fields"].as_object().unwrap();
        let mut cells: Vec<&str> = fields.keys().map(String::as_str).collect();
        cells.sort();
        let mut expected = vec![students.as_str(), teachers.as_str(), campus.as_str()];
        expected.sort();
        assert_eq!(cells, expected, "every bad cell, by its reference: {body}");
        let teachers_problem = fields[&teachers].as_str().unwrap();
        assert!(
            teachers_problem.contains(word),
            "{accept}: {teachers_problem}"
        );
        assert!(teachers_problem.contains(&teachers) && teachers_problem.contains("办学状态数据"));
    }
    // Nothing was saved: the good cell (computers) did not go in either.
    let year = officer.get(&path).await.json();
    assert_eq!(year["figures"], json!({"students": 4200, "teachers": 210}));

    // Files that are not this template each get their clear error on `file`.
    let (_, other_year) = bytes(
        &app,
        &format!("/api/v1/schools/{school}/status-data/2025/template.xlsx"),
        officer.token().unwrap(),
    )
    .await;
    let sibling_officer = world.officer_of(&app, world.sibling_school).await;
    let (_, sibling) = bytes(
        &app,
        &format!(
            "/api/v1/schools/{}/status-data/2026/template.xlsx",
            world.sibling_school
        ),
        &sibling_officer,
    )
    .await;
    let plain = {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        workbook
            .add_worksheet()
            .write_string(0, 0, "students")
            .unwrap();
        workbook.save_to_buffer().unwrap()
    };
    for (name, file, code) in [
        ("report.pdf", b"%PDF-1.7\n%fake".to_vec(), "not_xlsx"),
        ("plain.xlsx", plain, "wrong_template"),
        ("2025.xlsx", other_year, "template_year"),
        ("xiamen.xlsx", sibling, "template_other_school"),
    ] {
        let reply = app
            .upload_to(&format!("{path}/upload"), officer.token(), name, &file)
            .await;
        assert_eq!(reply.status, 422, "{name}: {}", reply.text);
        assert!(
            reply.json()["error"]["fields"]["file"].is_string(),
            "{name}: {}",
            reply.text
        );
        let _ = code;
    }
    let nothing = app
        .upload_to(
            &format!("{path}/upload"),
            officer.token(),
            "empty.xlsx",
            b"",
        )
        .await;
    assert_eq!(nothing.status, 422);
    // Issue 26: a workbook over the limit is named as the spreadsheet it is, not as evidence.
    let oversized = vec![b'P'; 2 * 1024 * 1024 + 1];
    let reply = app
        .upload_to(
            &format!("{path}/upload"),
            officer.token(),
            "big.xlsx",
            &oversized,
        )
        .await;
    assert_eq!(reply.status, 413, "{}", reply.text);
    let message = reply.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("spreadsheet") && message.contains("2 MiB"),
        "{message}"
    );
    assert!(!message.contains("evidence"), "{message}");
    let year = officer.get(&path).await.json();
    assert_eq!(
        year["figures"],
        json!({"students": 4200, "teachers": 210}),
        "untouched"
    );

    // The JSON route names the field by its path, and refuses what is not entered.
    let reply = officer
        .put(
            &path,
            json!({"figures": {"students": 12.5, "books_per_student": 30, "happiness": 1}}),
        )
        .await;
    assert_eq!(reply.status, 422);
    let fields = &reply.json()["error"]["fields"];
    assert_eq!(fields["figures.students"], "must be a whole number");
    assert_eq!(
        fields["figures.books_per_student"],
        "is derived from other figures and cannot be entered"
    );
    assert_eq!(
        fields["figures.happiness"],
        "names no indicator of the catalogue"
    );
    let years = officer.status_data(school, 1949).await;
    assert_eq!(years.status, 422);
    assert!(years.json()["error"]["fields"]["year"].is_string());
}

async fn the_catalogue_grows_without_a_change_of_code(app: TestApp) {
    let world = World::build(&app).await;
    let (admin, officer, pa) = (
        world.token(Actor::Admin).unwrap(),
        world.token(Actor::QualityOfficer).unwrap(),
        world.token(Actor::ProvinceAdmin).unwrap(),
    );
    let catalogue = app.with_token(officer).indicator_catalogue().await.json();
    let codes: Vec<&str> = catalogue
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    for code in [
        "students",
        "teachers",
        "senior_appraisers",
        "campus_area_m2",
        "building_area_m2",
        "equipment_value_cny",
        "computers",
        "graduates",
        "training_person_times",
        "dual_qualified_teachers",
        "part_time_industry_teachers",
        "library_books",
        "training_workstations",
        "enrolled",
        "graduates_employed",
        "graduates_employed_in_field",
        "programmes_offered",
        "appraisal_person_times",
        "appraisal_passes",
        "enterprise_agreements",
        "students_per_teacher",
        "campus_area_m2_per_student",
        "building_area_m2_per_student",
        "equipment_value_cny_per_student",
        "books_per_student",
        "dual_qualified_share_pct",
        "employment_rate_pct",
        "employment_in_field_pct",
    ] {
        assert!(codes.contains(&code), "{code}");
    }
    let ratio = catalogue
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "employment_rate_pct")
        .unwrap();
    assert_eq!(
        (
            ratio["derived"].as_bool(),
            ratio["unit"].as_str(),
            ratio["kind"].as_str()
        ),
        (Some(true), Some("percent"), Some("percentage"))
    );

    let grounds = json!({"code": "sports_grounds_m2", "name": "Sports grounds", "name_zh": "体育运动场地面积", "unit": "m2", "kind": "decimal", "min": 0, "help_zh": "田径场、球场等"});
    let refused = app.with_token(pa).add_indicator(grounds.clone()).await;
    assert_eq!(refused.status, 403);
    let added = app.with_token(admin).add_indicator(grounds.clone()).await;
    assert_eq!(added.status, 201, "{}", added.text);
    let twice = app.with_token(admin).add_indicator(grounds).await;
    assert_eq!(
        (twice.status, twice.error_code().as_str()),
        (409, "duplicate_indicator")
    );
    let ratio = json!({"code": "grounds_per_student", "name": "Sports grounds per student", "name_zh": "生均运动场地面积", "unit": "m2_per_student", "kind": "decimal", "ratio": {"numerator": "sports_grounds_m2", "denominator": "students"}});
    let added = app.with_token(admin).add_indicator(ratio).await;
    assert_eq!(added.status, 201, "{}", added.text);
    let broken = json!({"code": "nonsense", "name": "x", "name_zh": "x", "unit": "ratio", "kind": "decimal", "ratio": {"numerator": "happiness", "denominator": "students"}});
    let reply = app.with_token(admin).add_indicator(broken).await;
    assert_eq!(reply.status, 422);
    assert!(reply.json()["error"]["fields"]["ratio.numerator"].is_string());

    // The school is asked for it at once: by JSON, and in the template.
    let path = format!("/api/v1/schools/{}/status-data/2026", world.school);
    let year = app
        .send(
            "PUT",
            &path,
            Some(officer),
            Some(json!({"figures": {"students": 4000, "sports_grounds_m2": 36000.5}})),
        )
        .await;
    assert_eq!(year.status, 201, "{}", year.text);
    assert_eq!(year.json()["derived"]["grounds_per_student"], 9.0);
    let (_, template) = bytes(&app, &format!("{path}/template.xlsx"), officer).await;
    let rows = xlsx_rows(&template);
    assert!(
        rows.iter()
            .any(|r| r[0] == "sports_grounds_m2" && r[1].contains("体育运动场地面积"))
    );
}

async fn the_report_is_generated_from_the_record_and_attached(app: TestApp) {
    let world = World::build(&app).await;
    let officer = world.officer(&app);
    let school = world.school;
    world
        .accept_year(
            &app,
            school,
            2024,
            json!({"students": 4000, "teachers": 200, "campus_area_m2": 120000}),
        )
        .await;
    let sections = officer.write_annual_report(school, 2025, json!({"highlights": "牵头全省技工院校质量管理体系建设。", "problems": "实训指导教师不足。"}))
        .await;
    assert_eq!(sections.status, 200, "{}", sections.text);
    let figures = json!({"students": 4200, "teachers": 210, "campus_area_m2": 120000});
    let typed = officer
        .put_status_data(school, 2025, json!({"figures": figures}))
        .await;
    assert_eq!(
        typed.status, 200,
        "the year exists since its sections were written"
    );

    // Not accepted yet: the report says it is a draft, in both languages.
    let report = |lang: &'static str| {
        let officer = &officer;
        async move {
            officer
                .annual_report(school, 2025, &format!("?lang={lang}"))
                .await
        }
    };
    let zh = report("zh-CN").await;
    assert_eq!(zh.status, 200);
    assert!(zh.header("content-type").unwrap().starts_with("text/html"));
    for text in [
        "学校质量年度报告",
        "福州第二高级技工学校",
        "2025 年度",
        "草稿：数据尚未经省级确认",
        "4,200 人",
        "+5%",
        "牵头全省技工院校质量管理体系建设",
        "<svg",
    ] {
        assert!(zh.text.contains(text), "zh-CN report lacks {text}");
    }
    let en = report("en").await;
    for text in [
        "Annual Quality Report",
        "Fuzhou No.2 Senior Technical School",
        "Draft: figures not yet accepted",
        "4,200 persons",
        "Students enrolled",
        "<html lang=\"en\">",
    ] {
        assert!(en.text.contains(text), "en report lacks {text}");
    }

    // Accepted: no longer a draft; the DOCX is a valid package holding the same facts.
    world.accept_year(&app, school, 2025, figures).await;
    let zh = report("zh-CN").await;
    assert!(
        !zh.text.contains("草稿"),
        "an accepted year's report is no draft"
    );
    let (status, docx) = bytes(
        &app,
        &format!("/api/v1/schools/{school}/annual-report/2025?format=docx"),
        officer.token().unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let mut package =
        zip::ZipArchive::new(std::io::Cursor::new(docx.clone())).expect("a zip package");
    let mut document = String::new();
    package
        .by_name("word/document.xml")
        .expect("the document part")
        .read_to_string(&mut document)
        .unwrap();
    for text in [
        "福州第二高级技工学校",
        "2025 年度",
        "学校质量年度报告",
        "4,200 人",
        "生师比",
        "实训指导教师不足。",
    ] {
        assert!(document.contains(text), "the DOCX lacks {text}");
    }
    assert!(package.by_name("[Content_Types].xml").is_ok());
    // A word outside the published choices is refused, white space and other spellings
    // of a language too (the API's enum lists the exact words; an empty one means none).
    for query in [
        "format=pdf",
        "format=%20",
        "lang=%09",
        "lang=en-GB",
        "lang=zh",
    ] {
        let bad = officer
            .get(&format!(
                "/api/v1/schools/{school}/annual-report/2025?{query}"
            ))
            .await;
        assert_eq!(bad.status, 422, "{query}: {}", bad.text);
    }
    for query in ["format=&lang=", "lang=en"] {
        let fine = officer
            .get(&format!(
                "/api/v1/schools/{school}/annual-report/2025?{query}"
            ))
            .await;
        assert_eq!(fine.status, 200, "{query}: {}", fine.text);
    }

    // One action attaches it to the year's report submission, created as a draft.
    let attached = officer.attach_annual_report(school, 2025).await;
    assert_eq!(attached.status, 201, "{}", attached.text);
    let evidence = attached.json();
    assert!(evidence["filename"].as_str().unwrap().ends_with(".docx"));
    assert_eq!(evidence["sha256"].as_str().unwrap().len(), 64);
    let submission = officer.submission(&evidence["submission_id"]).await.json();
    assert_eq!(
        (
            submission["kind"].as_str(),
            submission["year"].as_i64(),
            submission["status"].as_str()
        ),
        (Some("annual_quality_report"), Some(2025), Some("draft"))
    );
    let (status, stored) = bytes(
        &app,
        &format!("/api/v1/evidence/{}/content", evidence["id"]),
        officer.token().unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    use sha2::Digest;
    assert_eq!(
        format!("{:x}", sha2::Sha256::digest(&stored)),
        evidence["sha256"].as_str().unwrap()
    );
    // Attached again: to the same draft, ready to submit.
    let again = officer.attach_annual_report(school, 2025).await;
    assert_eq!(again.json()["submission_id"], evidence["submission_id"]);
    let submitted = officer
        .submit(evidence["submission_id"].as_i64().unwrap())
        .await;
    assert_eq!(submitted.status, 200, "{}", submitted.text);
    let locked = officer.attach_annual_report(school, 2025).await;
    assert_eq!(
        (locked.status, locked.error_code().as_str()),
        (409, "evidence_locked")
    );
    // Issue 26: handed in, the written sections are what the DOCX on file says; they
    // change again once changes are requested.
    let rewrite = json!({"highlights": "改写后的亮点。", "problems": "实训指导教师不足。"});
    let frozen = officer
        .write_annual_report(school, 2025, rewrite.clone())
        .await;
    assert_eq!(
        (frozen.status, frozen.error_code().as_str()),
        (409, "report_handed_in"),
        "{}",
        frozen.text
    );
    let page = officer.annual_report(school, 2025, "").await;
    assert!(page.text.contains("牵头全省技工院校质量管理体系建设。"));
    assert!(!page.text.contains("改写后的亮点"));
    let id = evidence["submission_id"].as_i64().unwrap();
    let reviewer = world.token(Actor::Reviewer).unwrap();
    let returned = app
        .with_token(reviewer)
        .review(id, "request_changes", "请补充就业数据")
        .await;
    assert_eq!(returned.status, 200, "{}", returned.text);
    let open_again = officer.write_annual_report(school, 2025, rewrite).await;
    assert_eq!(open_again.status, 200, "{}", open_again.text);
}

/// Issue 26: 10^13 students, ten million teachers or a campus of 10^10 m² were taken. The
/// catalogue gives every entered indicator a plausible maximum, and every path applies it:
/// the status data's JSON, the sheet upload and the old indicators route.
async fn implausible_figures_are_refused_on_every_path(app: TestApp) {
    let world = World::build(&app).await;
    let officer = world.officer(&app);
    let school = world.school;
    let catalogue = officer.indicator_catalogue().await.json();
    let max_of = |code: &str| {
        catalogue
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == code)
            .map(|i| i["max"].clone())
            .unwrap()
    };
    assert_eq!(max_of("students"), 200000.0);
    assert_eq!(max_of("teachers"), 20000.0);
    assert_eq!(max_of("campus_area_m2"), 10000000.0);
    assert_eq!(max_of("equipment_value_cny"), 100000000000.0);

    let path = format!("/api/v1/schools/{school}/status-data/2025");
    let reply = officer
        .put(
            &path,
            json!({"figures": {"students": 1e13, "teachers": 10000000, "campus_area_m2": 1e10}}),
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    let fields = &reply.json()["error"]["fields"];
    for field in [
        "figures.students",
        "figures.teachers",
        "figures.campus_area_m2",
    ] {
        assert!(
            fields[field].as_str().unwrap().contains("between"),
            "{field}: {fields}"
        );
    }

    let (status, template) = bytes(
        &app,
        &format!("{path}/template.xlsx"),
        officer.token().unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let filled = fill_xlsx(
        &template,
        &[(&template_cell(&template, "students"), "10000000000000")],
    );
    let reply = app
        .upload_to(
            &format!("{path}/upload"),
            officer.token(),
            "big.xlsx",
            &filled,
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    let cell = template_cell(&template, "students");
    assert!(
        reply.json()["error"]["fields"][&cell].is_string(),
        "{}",
        reply.text
    );

    let reply = officer
        .put_indicators(
            school,
            2025,
            json!({"students": 100000000000_i64, "teachers": 210}),
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(
        reply.json()["error"]["fields"]["students"].is_string(),
        "{}",
        reply.text
    );
    let year = officer.get(&path).await.json();
    assert!(
        year["figures"].get("students").is_none(),
        "nothing was saved: {year}"
    );
    // What a real school reports is taken.
    let reply = officer
        .put_indicators(school, 2025, json!({"students": 4200, "teachers": 210}))
        .await;
    assert!(matches!(reply.status, 200 | 201), "{}", reply.text);
}

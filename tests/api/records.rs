//! A school's quality record through the API: titles and their re-evaluation dates,
//! audits, findings and corrective actions, certificate, indicators, and the history.

use serde_json::{Value, json};

use crate::helpers::{TestApp, both_backends};
use crate::world::{Actor, World};

both_backends!(
    fuzhou_no2_titles_show_when_re_evaluation_is_due,
    audits_and_findings_name_every_bad_field,
    a_finding_follows_its_life_through_its_corrective_action,
    certificate_and_indicators_are_validated_and_kept,
    stale_audit_versions_conflict,
    history_verify_detects_edits_and_deletions,
    parallel_writes_keep_one_unbroken_chain,
    a_corrective_action_is_written_as_it_is_read,
);

async fn fuzhou_no2_titles_show_when_re_evaluation_is_due(app: TestApp) {
    let world = World::build(&app).await;
    let pa = world.bureau(&app);
    // Today is 2026-06-01 in the tests.
    for (code, awarded, evaluated, due, state) in [
        // re-evaluated in 2005, every 60 months: due 2010, long overdue
        (
            "national_key_technical_school",
            "1998-03-01",
            Some("2005-06-30"),
            Some("2010-06-30"),
            "overdue",
        ),
        // 36 months from 2023-11-15: due in 167 days
        (
            "migrant_workers_training_base",
            "2008-05-01",
            Some("2023-11-15"),
            Some("2026-11-15"),
            "due_soon",
        ),
        // a month end: 29 February + 36 months is 28 February
        (
            "electrical_electronic_training_base",
            "2024-02-29",
            None,
            Some("2027-02-28"),
            "ok",
        ),
        // permanent
        (
            "national_key_secondary_vocational_school",
            "2010-09-01",
            None,
            None,
            "none",
        ),
    ] {
        let reply = pa.award_title(world.school, json!({"title_type_code": code, "awarded_on": awarded, "last_evaluated_on": evaluated}))
            .await;
        assert_eq!(reply.status, 201, "{code}: {}", reply.text);
        let holding = reply.json();
        assert_eq!(holding["title_type_code"], code);
        assert_eq!(holding["next_reevaluation_due"], json!(due), "{code}");
        assert_eq!(holding["reevaluation_state"], state, "{code}");
        assert_eq!(holding["status"], "active");
    }
    let listed = world.viewer(&app).titles(world.school).await.json();
    assert_eq!(
        listed.as_array().unwrap().len(),
        5,
        "the world's title and these four"
    );
    let duplicate = pa
        .award_title(
            world.school,
            json!({"title_type_code": "national_key_technical_school", "awarded_on": "1998-03-01"}),
        )
        .await;
    assert_eq!(duplicate.status, 409);
    let bad = pa.award_title(world.school, json!({"title_type_code": "nobel_prize", "awarded_on": "2031-01-01", "last_evaluated_on": "1990-01-01"}))
        .await;
    assert_eq!(bad.status, 422);
    let fields = &bad.json()["error"]["fields"];
    assert!(
        fields["title_type_code"].is_string() || fields["awarded_on"].is_string(),
        "{fields}"
    );
    assert!(
        fields["awarded_on"].is_string(),
        "future award named: {fields}"
    );
    // The province records the 2010 re-evaluation by hand: the next one moves to 2015.
    let key_holding = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["title_type_code"] == "national_key_technical_school")
        .unwrap()["id"]
        .clone();
    let holding_path = format!("/api/v1/titles/{key_holding}");
    let reply = pa
        .patch(&holding_path, json!({"last_evaluated_on": "2010-06-20"}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["next_reevaluation_due"], "2015-06-20");
    let reply = pa
        .patch(&holding_path, json!({"last_evaluated_on": "1990-01-01"}))
        .await;
    assert_eq!(reply.status, 422);
    assert!(reply.json()["error"]["fields"]["last_evaluated_on"].is_string());
    // A suspended title is not due for re-evaluation.
    let reply = pa
        .patch(&holding_path, json!({"status": "suspended"}))
        .await;
    assert_eq!(reply.json()["reevaluation_state"], "none");
    let reply = world
        .officer(&app)
        .patch(&holding_path, json!({"status": "active"}))
        .await;
    assert_eq!(
        reply.status, 403,
        "the school does not change its own titles"
    );
    let catalogue = pa.title_types().await.json();
    let key = catalogue
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "national_key_technical_school")
        .unwrap();
    assert_eq!(key["name_zh"], "国家重点技工学校");
    assert_eq!(key["reevaluation_interval_months"], 60);
}

async fn audits_and_findings_name_every_bad_field(app: TestApp) {
    let world = World::build(&app).await;
    let qo = world.officer(&app);
    let path = format!("/api/v1/schools/{}/audits", world.school);
    let reply = qo.post(&path, json!({"kind": "friendly_chat", "standard": " ", "started_on": "2023-02-30", "ended_on": "2023-13-01"}))
        .await;
    assert_eq!(reply.status, 422);
    let fields = reply.json()["error"]["fields"].clone();
    for field in ["kind", "standard", "started_on", "ended_on"] {
        assert!(fields[field].is_string(), "{field} not named: {fields}");
    }
    let reply = qo.post(&path, json!({"kind": "internal", "standard": "ISO 9001:2015", "started_on": "2026-03-10", "ended_on": "2026-03-09"}))
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.json()["error"]["fields"]["ended_on"],
        "cannot be before the start"
    );

    let audit = qo
        .post(
            &path,
            json!({"kind": "internal", "standard": "ISO 9001:2015", "started_on": "2026-03-10"}),
        )
        .await
        .id();
    for (body, field) in [
        (
            json!({"clause": "11.2", "grade": "minor_nc", "description": "x"}),
            "clause",
        ),
        (
            json!({"clause": "3", "grade": "minor_nc", "description": "x"}),
            "clause",
        ),
        (
            json!({"clause": "8.5.1", "grade": "critical", "description": "x"}),
            "grade",
        ),
        (
            json!({"clause": "8.5.1", "grade": "major_nc", "description": ""}),
            "description",
        ),
        (
            json!({"clause": "8.5.1", "grade": "major_nc", "description": "x", "due_on": "next week"}),
            "due_on",
        ),
    ] {
        let reply = qo.add_finding(audit, body.clone()).await;
        assert_eq!(reply.status, 422, "{body}");
        assert!(
            reply.json()["error"]["fields"][field].is_string(),
            "{field} not named for {body}: {}",
            reply.text
        );
    }
    let reply = qo.add_finding(audit, json!({"clause": "8.5.1", "grade": "major_nc", "description": "Practical training without a written work instruction"}))
        .await;
    assert_eq!(reply.status, 201);
    let finding = reply.json();
    assert_eq!(finding["status"], "open");
    assert_eq!(
        finding["clause_title"],
        "Control of production and service provision"
    );
    assert_eq!(finding["clause_title_zh"], "生产和服务提供的控制");
    let listed = qo.get(&path).await;
    assert_eq!(
        listed.header("x-total-count"),
        Some("2"),
        "the world's audit and this one"
    );
    let first = &listed.json()[0];
    assert_eq!(first["id"], audit, "newest first");
    assert_eq!(first["open_findings"], 1);
}

async fn patch(app: &TestApp, token: Option<&str>, path: &str, body: Value) -> (u16, Value) {
    let reply = app.send("PATCH", path, token, Some(body)).await;
    (reply.status, reply.json())
}

async fn a_finding_follows_its_life_through_its_corrective_action(app: TestApp) {
    let world = World::build(&app).await;
    let qo = world.officer(&app);
    let path = format!("/api/v1/findings/{}", world.findings[0]);
    let field_of = |body: &Value| {
        body["error"]["fields"]
            .as_object()
            .unwrap()
            .keys()
            .next()
            .cloned()
            .unwrap()
    };

    let (status, body) = patch(&app, qo.token(), &path, json!({"status": "action_planned"})).await;
    assert_eq!(
        (status, field_of(&body).as_str()),
        (422, "corrective_action")
    );
    let (status, body) = patch(&app, qo.token(), &path, json!({"status": "verified"})).await;
    assert_eq!(
        (status, field_of(&body).as_str()),
        (422, "status"),
        "no skipping ahead"
    );
    let (status, body) = patch(
        &app,
        qo.token(),
        &path,
        json!({"status": "action_planned", "root_cause": "No calibration schedule for workshop gauges", "corrective_action": "Introduce a calibration register and schedule", "action_owner": "Workshop head Lin", "action_due_on": "2026-05-15"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "action_planned");
    assert_eq!(body["corrective_action"]["owner"], "Workshop head Lin");
    let (status, body) = patch(&app, qo.token(), &path, json!({"status": "closed"})).await;
    assert_eq!((status, field_of(&body).as_str()), (422, "action_done_on"));
    let (status, body) = patch(
        &app,
        qo.token(),
        &path,
        json!({"status": "closed", "action_done_on": "2099-01-01"}),
    )
    .await;
    assert_eq!(
        (status, field_of(&body).as_str()),
        (422, "action_done_on"),
        "not in the future"
    );
    let (status, body) = patch(
        &app,
        qo.token(),
        &path,
        json!({"status": "closed", "action_done_on": "2026-05-10"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = patch(&app, qo.token(), &path, json!({"status": "verified", "verified_by": "Quality office", "verified_on": "2026-05-20", "verification_effective": false})).await;
    assert_eq!((status, field_of(&body).as_str()), (422, "verification"));
    let (status, body) = patch(&app, qo.token(), &path, json!({"status": "verified", "verified_by": "Quality office", "verified_on": "2026-05-20", "verification_effective": true})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "verified");
    assert_eq!(body["corrective_action"]["effective"], true);
    let (status, body) = patch(&app, qo.token(), &path, json!({"status": "open"})).await;
    assert_eq!((status, field_of(&body).as_str()), (422, "reopen_reason"));
    let (status, body) = patch(
        &app,
        qo.token(),
        &path,
        json!({"status": "open", "reopen_reason": "Recurred at the surveillance audit"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "open");
    assert_eq!(body["reopen_reason"], "Recurred at the surveillance audit");
    // Each step is in the school's history, newest first.
    let history = qo.history(world.school, "").await.json();
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["entity"] == "finding" && h["entity_id"] == world.findings[0])
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    let mut expected = vec!["finding.update"; 4];
    expected.push("finding.create");
    assert_eq!(
        &actions[..5],
        expected,
        "four successful changes after the creation; refusals leave no trace"
    );
    assert!(history[0]["before"].as_str().unwrap().contains("verified"));
    assert!(history[0]["after"].as_str().unwrap().contains("Recurred"));
}

async fn certificate_and_indicators_are_validated_and_kept(app: TestApp) {
    let world = World::build(&app).await;
    let qo = world.officer(&app);
    let school = world.school;
    assert_eq!(qo.certificate(school).await.json(), Value::Null);
    let reply = qo.put_certificate(school, json!({"standard": "ISO 9001:2015", "certification_body": "CQC", "certificate_number": "00124Q31542R2M", "issued_on": "2024-04-01", "expires_on": "2024-03-31"}))
        .await;
    assert_eq!(reply.status, 422);
    assert!(reply.json()["error"]["fields"]["expires_on"].is_string());
    let reply = qo.put_certificate(school, json!({"standard": "ISO 9001:2015", "certification_body": "China Quality Certification Centre", "certificate_number": "00124Q31542R2M", "scope": "Vocational education and skills training", "issued_on": "2024-04-01", "expires_on": "2027-03-31"}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        world.reviewer(&app).certificate(school).await.json()["certificate_number"],
        "00124Q31542R2M"
    );

    let year = format!("/api/v1/schools/{school}/indicators/2006");
    let reply = qo
        .put(
            &year,
            json!({"students": -3, "campus_area_m2": -1, "computers": 300}),
        )
        .await;
    assert_eq!(reply.status, 422);
    let fields = reply.json()["error"]["fields"].clone();
    assert!(
        fields["students"].is_string() && fields["campus_area_m2"].is_string(),
        "{fields}"
    );
    let reply = qo.put_indicators(school, 1800, json!({})).await;
    assert_eq!(reply.status, 422);
    assert!(reply.json()["error"]["fields"]["year"].is_string());
    // Fuzhou No.2 in 2006: more than 300 computers, 30 senior appraisers, 2,091 training person-times.
    let figures = json!({"senior_appraisers": 30, "computers": 300, "training_person_times": 2091});
    assert_eq!(qo.put(&year, figures.clone()).await.status, 201);
    let figures = json!({"senior_appraisers": 31, "computers": 320, "training_person_times": 2091});
    assert_eq!(qo.put(&year, figures).await.status, 200);
    let reply = qo.put(&year, json!({"computers": "many"})).await;
    assert_eq!(reply.status, 400);
    let listed = qo.indicators(school).await.json();
    assert_eq!(listed[0]["year"], 2006);
    assert_eq!(listed[0]["computers"], 320);
    assert_eq!(listed[0]["students"], Value::Null);
}

async fn stale_audit_versions_conflict(app: TestApp) {
    let world = World::build(&app).await;
    let qo = world.officer(&app);
    let audit = qo.audit(&world.audits[0]).await.json();
    let version = audit["version"].as_i64().unwrap();
    assert_eq!(
        qo.update_audit(
            &world.audits[0],
            json!({"scope": "All programmes", "version": version})
        )
        .await
        .status,
        200
    );
    let stale = qo
        .update_audit(
            &world.audits[0],
            json!({"scope": "Workshops only", "version": version}),
        )
        .await;
    assert_eq!(stale.status, 409);
    assert_eq!(stale.error_code(), "stale_version");
}

pub fn tamper(app: &TestApp, sql: &str) {
    use diesel::RunQueryDsl;
    let db = app.db();
    let mut conn = db.get().unwrap();
    diesel::sql_query(sql).execute(&mut *conn).unwrap();
}

async fn history_verify_detects_edits_and_deletions(app: TestApp) {
    let world = World::build(&app).await;
    let _ = &world;
    let out = app.cli(&["history", "verify"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let count: u64 = out
        .stdout
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap();
    assert!(count >= 6, "{}", out.stdout);

    // Editing an entry's content breaks it.
    tamper(
        &app,
        "UPDATE history SET action = 'record.erase' WHERE id = 4",
    );
    let out = app.cli(&["history", "verify"], None);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("entry 4"), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"));

    // Deleting the last entry is detected too (the head remembers it).
    let app2 = crate::helpers::spawn_app(app_backend(&app)).await.unwrap();
    let world2 = World::build(&app2).await;
    let _ = &world2;
    let last: u64 = {
        let out = app2.cli(&["history", "verify"], None);
        out.stdout
            .split_whitespace()
            .find_map(|w| w.parse().ok())
            .unwrap()
    };
    tamper(&app2, &format!("DELETE FROM history WHERE id = {last}"));
    let out = app2.cli(&["history", "verify"], None);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains(&format!("entry {last}")),
        "{}",
        out.stderr
    );
    // And a deleted entry in the middle.
    tamper(&app2, "DELETE FROM history WHERE id = 2");
    let out = app2.cli(&["history", "verify"], None);
    assert!(out.stderr.contains("entry 2"), "{}", out.stderr);
}

fn app_backend(app: &TestApp) -> accredit::db::Backend {
    if app.database.url().starts_with("postgres") {
        accredit::db::Backend::Postgres
    } else {
        accredit::db::Backend::Sqlite
    }
}

async fn parallel_writes_keep_one_unbroken_chain(app: TestApp) {
    let world = World::build(&app).await;
    let token = world.token(Actor::QualityOfficer).unwrap().to_owned();
    let path = format!("/api/v1/schools/{}/audits", world.school);
    let mut tasks = Vec::new();
    for i in 0..24 {
        let (client, url, token) = (app.client.clone(), app.url(&path), token.clone());
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"kind": "internal", "standard": "ISO 9001:2015", "started_on": format!("2025-01-{:02}", i + 1)}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 201);
    }
    let out = app.cli(&["history", "verify"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let listed = app
        .send("GET", &format!("{path}?limit=100"), Some(&token), None)
        .await;
    assert_eq!(listed.header("x-total-count"), Some("25"));
}

/// `corrective_action` is written in the shape it is read with; the flat fields of the
/// first version still work (deprecated), and the two together are refused.
async fn a_corrective_action_is_written_as_it_is_read(app: TestApp) {
    let world = World::build(&app).await;
    let qo = world.officer(&app);
    let path = format!("/api/v1/findings/{}", world.findings[0]);
    let action = json!({
        "root_cause": "No calibration plan for the CNC lathes",
        "action": "Calibration plan kept by the training centre",
        "owner": "陈老师",
        "due_on": "2026-06-30",
        "done_on": "2026-05-20",
        "verified_by": null,
        "verified_on": null,
        "effective": null,
        "verification_note": null
    });
    let (status, written) = patch(
        &app,
        qo.token(),
        &path,
        json!({"corrective_action": action}),
    )
    .await;
    assert_eq!(status, 200, "{written}");
    assert_eq!(written["corrective_action"], action, "read back as written");
    let read = qo.get(&path).await.json();
    assert_eq!(read["corrective_action"], action);

    // The first version's shape: the text alone and flat fields.
    let (status, old) = patch(
        &app,
        qo.token(),
        &path,
        json!({"corrective_action": "A new plan", "action_owner": "王老师", "version": read["version"]}),
    )
    .await;
    assert_eq!(status, 200, "{old}");
    assert_eq!(old["corrective_action"]["action"], "A new plan");
    assert_eq!(old["corrective_action"]["owner"], "王老师");

    // Both at once: which one would count?
    let (status, both) = patch(
        &app,
        qo.token(),
        &path,
        json!({"corrective_action": {"owner": "x"}, "action_owner": "y"}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        both["error"]["fields"]["corrective_action"].is_string(),
        "{both}"
    );
    // A bad field of the object is named by its path.
    let (status, bad) = patch(
        &app,
        qo.token(),
        &path,
        json!({"corrective_action": {"done_on": "2026-02-30"}}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        bad["error"]["fields"]["corrective_action.done_on"].is_string(),
        "{bad}"
    );
}

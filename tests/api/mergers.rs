//! Schools that merge or close (seed 002, the Wenzhou plan): the province's inventory
//! against the minimum standards on accepted figures, a merger with every consequence, a
//! closure called off before its date, and a wound-up record that refuses every write.

use serde_json::{Value, json};

use crate::helpers::{TestApp, both_backends, xlsx_rows};
use crate::web_pages::Visitor;
use crate::world::{Actor, PASSWORD, World};

both_backends!(
    a_merged_school_is_kept_read_only_and_leaves_the_province_s_lists,
    a_closure_can_be_called_off_until_its_date,
    the_inventory_judges_accepted_figures_only,
    two_mergers_of_one_school_at_once_one_wins,
    the_pages_merge_a_school_and_keep_its_record_read_only
);

fn ids(reply: &Value) -> Vec<i64> {
    reply
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect()
}

async fn a_merged_school_is_kept_read_only_and_leaves_the_province_s_lists(app: TestApp) {
    let world = World::build(&app).await;
    let (into, merged) = (world.school, world.sibling_school);
    let bureau = world.bureau(&app);
    let officer = app.token("officer@xiamen.example").await;
    let officer = app.with_token(&officer);
    // A second title of the merged school, of a type its successor does not hold.
    let extra = bureau.award_title(merged, json!({"title_type_code": "national_key_technical_school", "awarded_on": "2015-03-01", "last_evaluated_on": "2021-03-01"})).await.id();
    let path = format!("/api/v1/schools/{merged}/merge");
    let body = json!({"into_school_id": into, "effective_on": "2026-05-01", "reason": "温州方案：小散弱学校整合"});

    // Only the province merges, into another school of its own, still active.
    let reviewer = world.reviewer(&app).post(&path, body.clone()).await;
    assert_eq!(reviewer.status, 403, "{}", reviewer.text);
    for (bad, field) in [
        (
            json!({"into_school_id": merged, "effective_on": "2026-05-01", "reason": "x"}),
            "into_school_id",
        ),
        (
            json!({"into_school_id": world.foreign_school, "effective_on": "2026-05-01", "reason": "x"}),
            "into_school_id",
        ),
        (
            json!({"into_school_id": into, "effective_on": "2026-13-01", "reason": "x"}),
            "effective_on",
        ),
        (
            json!({"into_school_id": into, "effective_on": "2026-05-01", "reason": " "}),
            "reason",
        ),
    ] {
        let refused = bureau.post(&path, bad).await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert!(
            refused.json()["error"]["fields"][field].is_string(),
            "{}",
            refused.text
        );
    }

    let done = bureau.post(&path, body.clone()).await;
    assert_eq!(done.status, 200, "{}", done.text);
    let school = done.json();
    assert_eq!(school["status"], "merged");
    assert_eq!(school["successor_id"], into);
    assert_eq!(school["effective_on"], "2026-05-01");
    assert_eq!(school["reason"], "温州方案：小散弱学校整合");
    let again = bureau.post(&path, body).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.error_code(), "school_not_active");

    // Its open submissions are withdrawn, with the reason.
    for id in [world.drafts[1], world.submitted[1], world.recommended[1]] {
        let submission = officer.submission(id).await;
        assert_eq!(submission.status, 200, "{}", submission.text);
        assert_eq!(
            submission.json()["status"],
            "withdrawn",
            "{}",
            submission.text
        );
        let events = officer.events(id).await.json();
        let last = events.as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["comment"], "温州方案：小散弱学校整合", "{last}");
    }

    // The record stays readable to its own people, and refuses every kind of write.
    for read in [
        format!("/api/v1/schools/{merged}"),
        format!("/api/v1/schools/{merged}/audits"),
        format!("/api/v1/schools/{merged}/history"),
        format!("/api/v1/audits/{}/findings", world.audits[1]),
        // The report of a year it ran, with no standing among peers it has left.
        format!("/api/v1/schools/{merged}/annual-report/2025"),
    ] {
        assert_eq!(officer.get(&read).await.status, 200, "{read}");
    }
    let writes: Vec<(&str, String, Value)> = vec![
        (
            "PATCH",
            format!("/api/v1/schools/{merged}"),
            json!({"city": "厦门"}),
        ),
        (
            "PATCH",
            format!("/api/v1/audits/{}", world.audits[1]),
            json!({"summary": "after the merger"}),
        ),
        (
            "POST",
            format!("/api/v1/schools/{merged}/audits"),
            json!({"kind": "internal", "standard": "ISO 9001:2015", "started_on": "2026-05-10", "lead_auditor": "陈静"}),
        ),
        (
            "POST",
            format!("/api/v1/audits/{}/findings", world.audits[1]),
            json!({"grade": "observation", "clause": "8.5.1", "description": "after the merger"}),
        ),
        (
            "PATCH",
            format!("/api/v1/findings/{}", world.findings[1]),
            json!({"description": "after"}),
        ),
        (
            "PUT",
            format!("/api/v1/schools/{merged}/status-data/2026"),
            json!({"figures": {"students": 10}}),
        ),
        (
            "POST",
            format!("/api/v1/schools/{merged}/submissions"),
            json!({"kind": "audit_report", "title": "after the merger", "audit_id": world.audits[1]}),
        ),
        (
            "PUT",
            format!("/api/v1/schools/{merged}/certificate"),
            json!({"standard": "ISO 9001:2015", "certification_body": "CQC", "certificate_number": "00124Q9", "issued_on": "2025-01-01", "expires_on": "2028-01-01"}),
        ),
    ];
    for (method, path, body) in &writes {
        let refused = officer
            .app
            .send(method, path, officer.token.as_deref(), Some(body.clone()))
            .await;
        assert_eq!(refused.status, 409, "{method} {path}: {}", refused.text);
        assert_eq!(refused.error_code(), "school_closed", "{method} {path}");
    }
    let by_bureau = bureau
        .update_title(world.titles[1], json!({"status": "suspended"}))
        .await;
    assert_eq!(
        by_bureau.error_code(),
        "school_closed",
        "{}",
        by_bureau.text
    );

    // Lists: the status filter, and no peers, round tasks or deadlines of it.
    let listed = bureau.schools("?status=merged").await;
    assert_eq!(ids(&listed.json()), [merged]);
    let active = ids(&bureau.schools("?status=active").await.json());
    assert!(active.contains(&into) && !active.contains(&merged));
    assert_eq!(bureau.schools("?status=gone").await.status, 422);
    let peers = bureau.peer_comparison(into, "").await.json();
    let peer_ids: Vec<i64> = peers["peers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["school_id"].as_i64().unwrap())
        .collect();
    assert!(!peer_ids.contains(&merged), "{peers}");
    let own_peers = bureau.peer_comparison(merged, "").await;
    assert_eq!(own_peers.error_code(), "school_closed");
    let deadlines = bureau.deadlines("?limit=200").await.json();
    assert!(
        deadlines
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["school_id"] != merged),
        "{deadlines}"
    );
    let round = bureau.round(world.rounds[0], "").await.json();
    assert!(
        round["schools"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["school_id"] != merged),
        "{round}"
    );

    // Its titles wait for the province: transferred with their dates, ended, or kept.
    let titles = bureau.titles(merged).await.json();
    assert!(
        titles
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["settlement"].is_null()),
        "{titles}"
    );
    let refused = world
        .reviewer(&app)
        .settle_title(extra, json!({"settlement": "kept"}))
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let duplicate = bureau
        .settle_title(world.titles[1], json!({"settlement": "transferred"}))
        .await;
    assert_eq!(
        duplicate.status, 409,
        "the successor holds that title: {}",
        duplicate.text
    );
    let kept = bureau
        .settle_title(world.titles[1], json!({"settlement": "kept"}))
        .await;
    assert_eq!(kept.status, 200, "{}", kept.text);
    assert_eq!(kept.json()["settlement"], "kept");
    assert_eq!(kept.json()["school_id"], merged);
    let twice = bureau
        .settle_title(world.titles[1], json!({"settlement": "ended"}))
        .await;
    assert_eq!(twice.error_code(), "title_settled");
    let moved = bureau
        .settle_title(extra, json!({"settlement": "transferred"}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let moved = moved.json();
    assert_eq!(moved["school_id"], into);
    assert_eq!(moved["transferred_from"], merged);
    assert_eq!(moved["awarded_on"], "2015-03-01");
    assert_eq!(moved["last_evaluated_on"], "2021-03-01");
    let successor_titles = bureau.titles(into).await.json();
    assert!(
        successor_titles
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == extra),
        "{successor_titles}"
    );

    // The province moves the merged school's people to the successor.
    let users = bureau.users("?limit=200").await.json();
    let person = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "officer@xiamen.example")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let moved_user = bureau.update_user(person, json!({"school_id": into})).await;
    assert_eq!(moved_user.status, 200, "{}", moved_user.text);

    // Both histories tell it, and the chain still verifies.
    let history = |school: i64| {
        let bureau = &bureau;
        async move { bureau.history(school, "?limit=200").await.json() }
    };
    let actions = |entries: &Value| -> Vec<String> {
        entries
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect()
    };
    let of_merged = actions(&history(merged).await);
    for action in [
        "school.merge",
        "title.keep",
        "title.transfer",
        "submission.withdraw",
    ] {
        assert!(
            of_merged.iter().any(|a| a == action),
            "{action}: {of_merged:?}"
        );
    }
    let of_successor = actions(&history(into).await);
    for action in ["school.absorb", "title.receive"] {
        assert!(
            of_successor.iter().any(|a| a == action),
            "{action}: {of_successor:?}"
        );
    }
    let verify = app.cli(&["history", "verify"], None);
    assert_eq!(verify.code, 0, "{}", verify.stderr);
}

async fn a_closure_can_be_called_off_until_its_date(app: TestApp) {
    let world = World::build(&app).await;
    let school = world.school;
    let bureau = world.bureau(&app);
    let officer = world.officer(&app);
    let not_closing = bureau.reopen_school(school, json!({})).await;
    assert_eq!(
        not_closing.error_code(),
        "not_closing",
        "{}",
        not_closing.text
    );

    // Marked for closure next month (the test's today is 2026-06-01): it still runs.
    let marked = bureau
        .close_school(
            school,
            json!({"effective_on": "2026-07-01", "reason": "布局调整"}),
        )
        .await;
    assert_eq!(marked.status, 200, "{}", marked.text);
    assert_eq!(marked.json()["status"], "closed");
    assert!(marked.json()["successor_id"].is_null());
    let draft = officer.submission(world.drafts[0]).await;
    assert_eq!(draft.json()["status"], "withdrawn");
    let still = officer
        .update_audit(&world.audits[0], json!({"summary": "winding down"}))
        .await;
    assert_eq!(
        still.status, 200,
        "before its date the school still runs: {}",
        still.text
    );
    let peers = bureau
        .peer_comparison(world.sibling_school, "")
        .await
        .json();
    assert!(
        peers["peers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["school_id"] == school),
        "a peer until its date: {peers}"
    );
    let reopened = bureau.reopen_school(school, json!({})).await;
    assert_eq!(reopened.status, 200, "{}", reopened.text);
    assert_eq!(reopened.json()["status"], "active");
    assert!(reopened.json()["effective_on"].is_null());

    // Closed from today: read-only at once, and too late to call off.
    let closed = bureau
        .close_school(
            school,
            json!({"effective_on": "2026-06-01", "reason": "布局调整"}),
        )
        .await;
    assert_eq!(closed.status, 200, "{}", closed.text);
    let refused = officer
        .update_audit(&world.audits[0], json!({"summary": "after"}))
        .await;
    assert_eq!(refused.error_code(), "school_closed", "{}", refused.text);
    let late = bureau.reopen_school(school, json!({})).await;
    assert_eq!(late.error_code(), "school_closed", "{}", late.text);
    assert_eq!(officer.audit(&world.audits[0]).await.status, 200);
    let listed = bureau.schools("?status=closed").await;
    assert_eq!(ids(&listed.json()), [school]);
}

async fn the_inventory_judges_accepted_figures_only(app: TestApp) {
    let world = World::build(&app).await;
    let bureau = world.bureau(&app);
    // Fuzhou No.2's 2025 is accepted with too little campus (a technical school needs
    // 30,000 m²); Xiamen's figures are typed but not accepted.
    world
        .accept_year(
            &app,
            world.school,
            2025,
            json!({"students": 1200, "teachers": 80, "campus_area_m2": 21000, "building_area_m2": 26000, "equipment_value_cny": 4000000}),
        )
        .await;
    let xiamen = app.token("officer@xiamen.example").await;
    let typed = app
        .with_token(&xiamen)
        .put_status_data(
            world.sibling_school,
            2025,
            json!({"figures": {"students": 900, "campus_area_m2": 1000}}),
        )
        .await;
    assert!(matches!(typed.status, 200 | 201), "{}", typed.text);

    let path = format!(
        "/api/v1/provinces/{}/standards-check?year=2025",
        world.province
    );
    let all = bureau.get(&path).await;
    assert_eq!(all.status, 200, "{}", all.text);
    let rows = all.json();
    let row = |id: i64| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["school_id"] == id)
            .unwrap()
            .clone()
    };
    let own = row(world.school);
    assert_eq!(own["accepted"], true);
    assert_eq!(own["met"], false);
    let short = &own["shortfalls"][0];
    assert_eq!(short["code"], "campus_area_m2", "{own}");
    assert_eq!(short["value"], 21000.0);
    assert_eq!(short["minimum"], 30000.0);
    assert_eq!(short["gap"], 9000.0);
    assert_eq!(own["shortfalls"].as_array().unwrap().len(), 1, "{own}");
    let sibling = row(world.sibling_school);
    assert_eq!(sibling["accepted"], false, "{sibling}");
    assert_eq!(sibling["met"], false);
    assert_eq!(
        sibling["shortfalls"],
        json!([]),
        "typed figures are not judged"
    );

    let below = bureau
        .get(&format!("{path}&below=campus_area_m2"))
        .await
        .json();
    let below: Vec<i64> = below
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["school_id"].as_i64().unwrap())
        .collect();
    assert_eq!(below, [world.school]);
    let bad = bureau.get(&format!("{path}&below=height")).await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.json()["error"]["fields"]["below"].is_string(),
        "{}",
        bad.text
    );
    assert_eq!(app.send("GET", &path, None, None).await.status, 401);
    let zhejiang = app.token("pa@zj.example").await;
    assert_eq!(
        app.send("GET", &path, Some(&zhejiang), None).await.status,
        404
    );

    let sheet = app
        .client
        .get(app.url(&format!("{path}&format=xlsx")))
        .bearer_auth(bureau.token.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(sheet.status().as_u16(), 200);
    let cells = xlsx_rows(&sheet.bytes().await.unwrap());
    assert!(
        cells[0]
            .iter()
            .any(|h| h.contains("占地面积") && h.contains("Campus area (m²)")),
        "{:?}",
        cells[0]
    );
    let line = cells
        .iter()
        .find(|r| r.first().map(String::as_str) == Some(&world.school.to_string()))
        .unwrap();
    assert!(line.iter().any(|c| c == "21000"), "{line:?}");
    assert!(line.iter().any(|c| c.contains("差 9,000")), "{line:?}");
}

async fn two_mergers_of_one_school_at_once_one_wins(app: TestApp) {
    let world = World::build(&app).await;
    let bureau = world.bureau(&app);
    let third = bureau.create_school(json!({"province_id": world.province, "name": "Putian Technical School", "name_zh": "莆田技工学校", "city": "Putian", "kind": "technical_school"})).await.id();
    let into = |school: i64| json!({"into_school_id": school, "effective_on": "2026-05-01", "reason": "整合"});
    let (first, second) = tokio::join!(
        bureau.merge(world.sibling_school, into(world.school)),
        bureau.merge(world.sibling_school, into(third))
    );
    let mut statuses = [first.status, second.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} {}", first.text, second.text);
    let lost = if first.status == 409 { &first } else { &second };
    assert!(
        matches!(
            lost.error_code().as_str(),
            "school_not_active" | "stale_version"
        ),
        "{}",
        lost.text
    );
    let school = bureau.school(world.sibling_school).await.json();
    let won = if first.status == 200 {
        world.school
    } else {
        third
    };
    assert_eq!(school["successor_id"], won, "{school}");
    // One merger in the history, and each open submission withdrawn once.
    let history = bureau
        .history(world.sibling_school, "?limit=200")
        .await
        .json();
    let merges = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "school.merge")
        .count();
    assert_eq!(merges, 1, "{history}");
}

async fn the_pages_merge_a_school_and_keep_its_record_read_only(app: TestApp) {
    let world = World::build(&app).await;
    let merged = world.sibling_school;
    let mut officer = Visitor::new(&app);
    officer.sign_in("officer@xiamen.example", PASSWORD).await;
    let home = officer.get("/home").await;
    assert!(
        home.text.contains("year-task"),
        "the 2026 round asks Xiamen for its year"
    );
    let mut bureau = Visitor::new(&app);
    bureau
        .sign_in(world.email(Actor::ProvinceAdmin).unwrap(), PASSWORD)
        .await;
    let page = bureau.get(&format!("/schools/{merged}")).await;
    assert!(page.text.contains("id=\"merge-form\""), "{}", page.text);
    let csrf = bureau.csrf.clone();
    let into = world.school.to_string();
    let path = format!("/schools/{merged}/merge");
    let reason = "Integration of small schools";
    let refused = bureau
        .post(
            &path,
            &[
                ("csrf_token", &csrf),
                ("into_school_id", &into),
                ("effective_on", "2026-02-30"),
                ("reason", reason),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.text.contains("must be a real date"),
        "{}",
        refused.text
    );
    assert!(refused.text.contains(reason), "what was typed stays");
    let done = bureau
        .post(
            &path,
            &[
                ("csrf_token", &csrf),
                ("into_school_id", &into),
                ("effective_on", "2026-05-01"),
                ("reason", reason),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.text);
    let page = bureau.get(&format!("/schools/{merged}")).await;
    assert!(page.text.contains("id=\"standing-banner\""));
    assert!(page.text.contains("id=\"successor-link\""));
    assert!(
        page.text.contains("settle-form"),
        "its titles wait for the province"
    );
    assert!(!page.text.contains("id=\"merge-form\""));

    // Its officer reads the record, is offered no form, and a stale form is refused.
    let home = officer.get("/home").await;
    assert!(
        !home.text.contains("year-task"),
        "no round asks a merged school for anything"
    );
    let page = officer.get(&format!("/schools/{merged}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.text.contains("This record is kept read-only."),
        "{}",
        page.text
    );
    assert!(
        !page.text.contains("id=\"audit-form\""),
        "no form on a read-only record"
    );
    let audit = format!("/audits/{}", world.audits[1]);
    officer.get(&audit).await;
    let csrf = officer.csrf.clone();
    let stale = officer
        .post(
            &audit,
            &[
                ("csrf_token", &csrf),
                ("kind", "internal"),
                ("standard", "ISO 9001:2015"),
                ("started_on", "2026-03-02"),
                ("summary", "after the merger"),
            ],
        )
        .await;
    assert!(
        stale.text.contains("this school has been merged or closed"),
        "{}: {}",
        stale.status,
        stale.text
    );
}

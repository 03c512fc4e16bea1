//! Submissions and the two-level sign-off, end to end: rounds, four eyes, conflicts,
//! evidence that is immutable once submitted, and uploads that leave no trace when refused.

use std::io::Write;

use serde_json::{Value, json};

use crate::helpers::{TestApp, both_backends};
use crate::world::{Actor, World};

both_backends!(
    a_reevaluation_goes_from_draft_to_approval_and_moves_the_due_date,
    the_recommender_cannot_sign_off,
    submitting_needs_evidence_and_decisions_need_a_comment,
    changes_requested_opens_a_new_round_and_keeps_the_old_one,
    simultaneous_decisions_one_wins_the_others_conflict,
    refused_uploads_leave_no_trace,
    downloads_are_the_stored_bytes,
    the_parts_of_an_upload_are_read_as_the_document_says,
);

async fn step(
    app: &TestApp,
    token: Option<&str>,
    id: i64,
    what: &str,
    body: Value,
) -> (u16, Value) {
    let reply = app
        .send(
            "POST",
            &format!("/api/v1/submissions/{id}/{what}"),
            token,
            Some(body),
        )
        .await;
    (reply.status, reply.json())
}

async fn a_reevaluation_goes_from_draft_to_approval_and_moves_the_due_date(app: TestApp) {
    let world = World::build(&app).await;
    let (qo, rv, pa) = (
        world.token(Actor::QualityOfficer),
        world.token(Actor::Reviewer),
        world.token(Actor::ProvinceAdmin),
    );
    let titles = format!("/api/v1/schools/{}/titles", world.school);
    let holding = app
        .send("POST", &titles, pa, Some(json!({"title_type_code": "national_key_technical_school", "awarded_on": "1998-03-01", "last_evaluated_on": "2005-06-30"})))
        .await
        .json();
    assert_eq!(holding["next_reevaluation_due"], "2010-06-30");
    let created = app
        .send(
            "POST",
            &format!("/api/v1/schools/{}/submissions", world.school),
            qo,
            Some(json!({"kind": "title_reevaluation", "title": "Re-evaluation of the National Key Technical School", "school_title_id": holding["id"]})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let created = created.json();
    assert_eq!(
        (created["status"].as_str(), created["round"].as_i64()),
        (Some("draft"), Some(1))
    );
    let id = created["id"].as_i64().unwrap();
    let up = app
        .upload(
            id,
            qo.unwrap(),
            "自评报告.pdf",
            b"%PDF-1.7\n% self-evaluation\n",
        )
        .await;
    assert_eq!(up.status, 201, "{}", up.text);
    assert_eq!(up.json()["filename"], "自评报告.pdf");

    let (status, body) = step(
        &app,
        qo,
        id,
        "submit",
        json!({"version": created["version"]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "submitted");
    let queue = app
        .send("GET", "/api/v1/submissions?status=submitted", rv, None)
        .await
        .json();
    assert!(
        queue.as_array().unwrap().iter().any(|s| s["id"] == id),
        "in the reviewer's queue"
    );
    let (status, body) = step(&app, rv, id, "review", json!({"decision": "recommend", "comment": "Evidence complete", "version": body["version"]})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "recommended");
    let (status, body) = step(&app, pa, id, "sign-off", json!({"decision": "approve", "comment": "Approved by the bureau", "version": body["version"]})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "approved");

    // The approval took effect: evaluated today (2026-06-01), next due five years on.
    let list = app.send("GET", &titles, qo, None).await.json();
    let moved = list
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == holding["id"])
        .unwrap()
        .clone();
    assert_eq!(moved["last_evaluated_on"], crate::helpers::TODAY);
    assert_eq!(moved["next_reevaluation_due"], "2031-06-01");
    assert_eq!(moved["reevaluation_state"], "ok");

    let events = app
        .send("GET", &format!("/api/v1/submissions/{id}/events"), qo, None)
        .await
        .json();
    let actions: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["create", "submit", "review:recommend", "sign_off:approve"]
    );
    assert_eq!(events[2]["comment"], "Evidence complete");
    assert_eq!(events[3]["from_status"], "recommended");
    for key in [
        "at",
        "actor_id",
        "action",
        "from_status",
        "to_status",
        "comment",
    ] {
        assert!(events[3].get(key).is_some(), "{key}");
    }
    let out = app.cli(&["history", "verify"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);

    // The officer heard of each decision in the inbox; reading clears the count.
    let inbox = app.notifications(qo).await.json();
    let events: Vec<&str> = inbox["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["event"].as_str().unwrap())
        .collect();
    assert!(events.contains(&"sign_off:approve"), "{inbox}");
    assert!(inbox["unread"].as_i64().unwrap() >= 1);
    let reviewer_inbox = app.notifications(rv).await.json();
    assert!(
        reviewer_inbox["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["event"] == "submit" && n["submission_id"] == id)
    );
    assert_eq!(
        app.send("POST", "/api/v1/me/notifications/read", qo, None)
            .await
            .status,
        204
    );
    assert_eq!(app.notifications(qo).await.json()["unread"], 0);
}

async fn the_recommender_cannot_sign_off(app: TestApp) {
    let world = World::build(&app).await;
    let bureau = world.bureau(&app);
    let id = world.submitted[0];
    let version = bureau.submission(id).await.json()["version"].clone();
    let reply = bureau
        .step(
            id,
            "review",
            json!({"decision": "recommend", "comment": "Fine", "version": version}),
        )
        .await;
    assert_eq!(reply.status, 200);
    let reply = bureau.approve(id, "Also fine").await;
    assert_eq!(reply.status, 409);
    assert_eq!(reply.error_code(), "four_eyes");
    let reply = world.reviewer(&app).approve(id, "x").await;
    assert_eq!(reply.status, 403, "reviewers never sign off");
}

async fn submitting_needs_evidence_and_decisions_need_a_comment(app: TestApp) {
    let world = World::build(&app).await;
    let (officer, reviewer) = (world.officer(&app), world.reviewer(&app));
    let id = officer.prepare(world.school, json!({"kind": "annual_quality_report", "title": "Annual quality report 2025", "year": 2025})).await.id();
    let reply = officer.submit(id).await;
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (409, "evidence_required")
    );
    let reply = reviewer.recommend(world.submitted[0], "  ").await;
    assert_eq!(reply.status, 422);
    assert!(reply.json()["error"]["fields"]["comment"].is_string());
    let reply = reviewer.review(world.submitted[0], "maybe", "x").await;
    assert_eq!(reply.status, 422);
    assert!(reply.json()["error"]["fields"]["decision"].is_string());
    for (body, field) in [
        (
            json!({"kind": "title_reevaluation", "title": "x"}),
            "school_title_id",
        ),
        (
            json!({"kind": "title_reevaluation", "title": "x", "school_title_id": world.titles[1]}),
            "school_title_id",
        ),
        (
            json!({"kind": "audit_report", "title": "x", "audit_id": world.audits[2]}),
            "audit_id",
        ),
        (
            json!({"kind": "title_application", "title": "x", "title_type_code": "nobel"}),
            "title_type_code",
        ),
        (json!({"kind": "prize", "title": ""}), "kind"),
    ] {
        let reply = officer.prepare(world.school, body.clone()).await;
        assert_eq!(reply.status, 422, "{body}");
        assert!(
            reply.json()["error"]["fields"][field].is_string(),
            "{field} for {body}: {}",
            reply.text
        );
    }
}

async fn changes_requested_opens_a_new_round_and_keeps_the_old_one(app: TestApp) {
    let world = World::build(&app).await;
    let officer = world.officer(&app);
    let id = world.submitted[0];
    let locked = officer
        .upload_evidence(id, "late.pdf", b"%PDF-1.4 late")
        .await;
    assert_eq!(locked.status, 409);
    assert_eq!(locked.error_code(), "evidence_locked");
    let reply = world
        .reviewer(&app)
        .review(id, "request_changes", "Add the corrective-action records")
        .await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(
        (body["status"].as_str(), body["round"].as_i64()),
        (Some("changes_requested"), Some(2))
    );
    let added = officer
        .upload_evidence(id, "records.csv", b"finding,done_on\n1,2026-05-10\n")
        .await;
    assert_eq!(added.status, 201, "{}", added.text);
    assert_eq!(added.json()["round"], 2);
    assert_eq!(added.json()["content_type"], "text/csv; charset=utf-8");
    let reply = officer.submit(id).await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    let rounds: Vec<i64> = body["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["round"].as_i64().unwrap())
        .collect();
    assert_eq!(rounds, [1, 2], "the first round's file is still there");
}

async fn simultaneous_decisions_one_wins_the_others_conflict(app: TestApp) {
    let world = World::build(&app).await;
    let id = world.submitted[0];
    let version = world.reviewer(&app).submission(id).await.json()["version"].clone();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let actor = if i % 2 == 0 {
            Actor::Reviewer
        } else {
            Actor::ProvinceAdmin
        };
        let (client, url, token) = (
            app.client.clone(),
            app.url(&format!("/api/v1/submissions/{id}/review")),
            world.token(actor).unwrap().to_owned(),
        );
        let decision = ["recommend", "request_changes", "reject"][i % 3];
        let body =
            json!({"decision": decision, "comment": format!("decision {i}"), "version": version});
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        7,
        "{statuses:?}"
    );
    let events = world.reviewer(&app).events(id).await.json();
    let decisions = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("review:"))
        .count();
    assert_eq!(decisions, 1, "exactly one decision was written");
}

/// Evidence rows of a submission and stored files, to check that nothing was left behind.
async fn traces(app: &TestApp, world: &World, id: i64) -> (usize, usize) {
    let rows = world.officer(app).submission(id).await.json()["evidence"]
        .as_array()
        .unwrap()
        .len();
    let files = match &app.s3 {
        // Objects, and the parts of uploads under way; an aborted upload's parts are
        // removed just after the answer, so wait for that.
        Some(s3) => {
            let started = std::time::Instant::now();
            let mut count = s3.files().len();
            while started.elapsed() < std::time::Duration::from_secs(5) {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                let now = s3.files().len();
                if now == count {
                    break;
                }
                count = now;
            }
            count
        }
        None => walk(&app.dir.path().join("evidence"))
            .iter()
            .filter(|e| e.is_file())
            .count(),
    };
    (rows, files)
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

async fn refused_uploads_leave_no_trace(app: TestApp) {
    let world = World::build(&app).await;
    let qo = world.officer(&app);
    let id = world.drafts[0];
    let before = traces(&app, &world, id).await;

    let too_big = vec![b'a'; 1024 * 1024 + 10];
    let reply = qo.upload_evidence(id, "big.txt", &too_big).await;
    assert_eq!(reply.status, 413);
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
    exe.extend(std::iter::repeat_n(0u8, 5000));
    let reply = qo.upload_evidence(id, "report.pdf", &exe).await;
    assert_eq!(reply.status, 415);
    assert_eq!(reply.error_code(), "unsupported_media_type");
    assert_eq!(traces(&app, &world, id).await, before, "no row, no file");

    // A client that stops half-way.
    let port: u16 = app.address.rsplit(':').next().unwrap().parse().unwrap();
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let boundary = "XyZboundary";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.txt\"\r\nContent-Type: text/plain\r\n\r\n"
    );
    let token = qo.token().unwrap();
    let request = format!(
        "POST /api/v1/submissions/{id}/evidence HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 500000\r\n\r\n{head}"
    );
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(&[b'x'; 20_000]).unwrap();
    stream.flush().unwrap();
    drop(stream);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        traces(&app, &world, id).await,
        before,
        "an interrupted upload leaves nothing"
    );

    // Hostile names are labels only; the file is kept by its hash.
    let reply = app
        .upload(
            id,
            qo.token().unwrap(),
            "../../etc/passwd",
            b"plain text evidence",
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.json()["filename"], "passwd");
    assert!(!app.dir.path().join("etc").exists());
    let (rows, files) = traces(&app, &world, id).await;
    assert_eq!((rows, files), (before.0 + 1, before.1 + 1));
}

/// The text parts of an evidence upload follow the document's schema of `description`
/// (optional long text), and each part may come once: the negative cases a fuzzer cannot
/// send through multipart, where a list is repeated parts and a number is its digits.
async fn the_parts_of_an_upload_are_read_as_the_document_says(app: TestApp) {
    let world = World::build(&app).await;
    let qo = world.officer(&app);
    let id = world.drafts[0];
    let before = traces(&app, &world, id).await;
    let file =
        || reqwest::multipart::Part::bytes(b"minutes of the review".to_vec()).file_name("m.txt");
    let text = |t: &[u8]| reqwest::multipart::Part::bytes(t.to_vec());
    let send = |form: reqwest::multipart::Form| {
        app.client
            .post(app.url(&format!("/api/v1/submissions/{id}/evidence")))
            .bearer_auth(qo.token().unwrap())
            .header("Accept-Language", "zh-CN")
            .multipart(form)
            .send()
    };
    let refused = [
        (
            "a second description",
            reqwest::multipart::Form::new()
                .part("description", text(b"one"))
                .part("file", file())
                .part("description", text(b"two")),
            "description",
            "只能提交一次",
        ),
        (
            "two files",
            reqwest::multipart::Form::new()
                .part("file", file())
                .part("file", file()),
            "file",
            "只能提交一次",
        ),
        (
            "a control character",
            reqwest::multipart::Form::new()
                .part("description", text(b"\x0bscan of the certificate"))
                .part("file", file()),
            "description",
            "不能包含控制字符",
        ),
        (
            "bytes that are not UTF-8",
            reqwest::multipart::Form::new()
                .part("description", text(b"\xff\xfe\xc3"))
                .part("file", file()),
            "description",
            "必须是 UTF-8 编码的文本",
        ),
        (
            "10,001 characters",
            reqwest::multipart::Form::new()
                .part("description", text("说".repeat(10_001).as_bytes()))
                .part("file", file()),
            "description",
            "不能超过 10000 个字符",
        ),
    ];
    for (case, form, field, message) in refused {
        let response = send(form).await.unwrap();
        assert_eq!(response.status(), 422, "{case}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "validation_failed", "{case}: {body}");
        assert_eq!(body["error"]["fields"][field], message, "{case}: {body}");
    }
    assert_eq!(traces(&app, &world, id).await, before, "nothing kept");

    // 10,000 characters of Chinese (30,000 bytes) are taken; white space only is no description.
    for (description, kept) in [
        ("说".repeat(10_000), json!("说".repeat(10_000))),
        (" \n\u{3000} ".to_owned(), Value::Null),
    ] {
        let form = reqwest::multipart::Form::new()
            .part("file", file())
            .part("description", text(description.as_bytes()));
        let response = send(form).await.unwrap();
        assert_eq!(response.status(), 201);
        let stored: Value = response.json().await.unwrap();
        let submission = qo.submission(id).await.json();
        let listed = submission["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == stored["id"])
            .cloned()
            .unwrap();
        assert_eq!(listed["description"], kept);
    }
}

async fn downloads_are_the_stored_bytes(app: TestApp) {
    let world = World::build(&app).await;
    let qo = world.token(Actor::QualityOfficer).unwrap();
    let bytes = b"%PDF-1.7\n% management review minutes\n";
    let stored = app
        .upload(world.drafts[0], qo, "管理评审 minutes.pdf", bytes)
        .await
        .json();
    let expected_sha: String = {
        use sha2::{Digest, Sha256};
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    assert_eq!(stored["sha256"], expected_sha);
    assert_eq!(stored["size_bytes"], bytes.len());
    let response = app
        .client
        .get(app.url(&format!("/api/v1/evidence/{}/content", stored["id"])))
        .bearer_auth(world.token(Actor::Reviewer).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("inline;") && disposition.contains("filename*=UTF-8''"),
        "{disposition}"
    );
    let body = response.bytes().await.unwrap();
    assert_eq!(&body[..], bytes);
}

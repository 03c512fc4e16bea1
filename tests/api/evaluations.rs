//! The school's self-evaluation against the standard of the title it applies for: begun
//! with the draft, item by item within the rules, and handed in only when complete.

use serde_json::{Value, json};

use crate::helpers::{TestApp, both_backends};
use crate::world::{Actor, World};

both_backends!(
    an_application_is_self_assessed_item_by_item_and_submitted_when_complete,
    the_standard_of_a_draft_can_be_another_of_its_title,
    the_officer_self_assesses_on_the_submission_page,
);

fn unassessed(evaluation: &Value) -> Vec<String> {
    evaluation["unassessed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_owned())
        .collect()
}

async fn an_application_is_self_assessed_item_by_item_and_submitted_when_complete(app: TestApp) {
    let world = World::build(&app).await;
    let officer = world.officer(&app);
    let reply = officer
        .prepare(
            world.school,
            json!({"kind": "title_application", "title": "申报国家级职业培训基地", "title_type_code": "national_vocational_training_base"}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let id = reply.json()["id"].as_i64().unwrap();
    let path = format!("/api/v1/submissions/{id}/evaluation");
    let evaluation = officer.get(&path).await;
    assert_eq!(evaluation.status, 200, "{}", evaluation.text);
    let evaluation = evaluation.json();
    // The province's own standard comes before the national one.
    assert_eq!(evaluation["standard"]["id"], world.standards[1]);
    assert_eq!(evaluation["state"], "self_assessment");
    assert_eq!(evaluation["totals"]["max"], 30.0);
    assert_eq!(unassessed(&evaluation), ["1.1", "1.2", "2.1", "3"]);
    assert_eq!(evaluation["outcome"], Value::Null);

    let file = officer
        .upload_evidence(id, "土地证.pdf", b"%PDF-1.7\n% land\n")
        .await;
    assert_eq!(file.status, 201, "{}", file.text);
    let file = file.json()["id"].as_i64().unwrap();
    let item = |r: &str| format!("{path}/criteria/{r}");
    let reply = officer
        .put(&item("1.1"), json!({"self_score": 8, "self_note": "校园面积缺 2,000 平方米", "evidence_ids": [file]}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let evaluation = reply.json();
    let criteria = evaluation["criteria"].as_array().unwrap();
    assert_eq!(criteria[1]["self_score"], 8.0);
    assert_eq!(criteria[1]["evidence_ids"], json!([file]));
    assert_eq!(criteria[0]["self_score"], 8.0, "the group's subtotal");
    assert_eq!(evaluation["totals"]["self"], 8.0);

    // Each rule, with the field named.
    for (r, body, field) in [
        ("1.1", json!({"self_score": 10.5}), "self_score"),
        ("1.1", json!({"self_score": 0.25}), "self_score"),
        ("3", json!({"self_score": 1}), "self_score"),
        ("1.2", json!({"self_met": true}), "self_met"),
        ("1", json!({"self_score": 1}), "ref"),
        (
            "1.1",
            json!({"evidence_ids": [world.evidence[0]]}),
            "evidence_ids[0]",
        ),
    ] {
        let reply = officer.put(&item(r), body.clone()).await;
        assert_eq!(reply.status, 422, "{r} {body}: {}", reply.text);
        assert!(
            reply.json()["error"]["fields"][field].is_string(),
            "{r} {body}: {}",
            reply.text
        );
    }
    assert_eq!(
        officer
            .put(&item("9.9"), json!({"self_score": 1}))
            .await
            .status,
        404
    );
    let reviewer = world.reviewer(&app);
    assert_eq!(
        reviewer
            .put(&item("1.2"), json!({"self_score": 1}))
            .await
            .status,
        403
    );
    assert_eq!(
        reviewer.get(&path).await.status,
        200,
        "the province reads it"
    );
    let foreign = world.client(&app, Actor::Admin);
    assert_eq!(foreign.get(&path).await.status, 200);

    // Incomplete: refused, naming each item still open; nothing of the step is kept.
    let reply = officer.submit(id).await;
    assert_eq!(reply.status, 409, "{}", reply.text);
    assert_eq!(reply.error_code(), "evaluation_incomplete");
    let fields = reply.json()["error"]["fields"].clone();
    for r in ["1.2", "2.1", "3"] {
        assert!(fields[r].is_string(), "{r}: {fields}");
    }
    assert_eq!(officer.submission(id).await.json()["status"], "draft");

    for (r, body) in [
        ("1.2", json!({"self_score": 7.5})),
        (
            "2.1",
            json!({"self_score": 10, "self_note": "双师型教师占比 55%"}),
        ),
        ("3", json!({"self_met": true})),
    ] {
        let reply = officer.put(&item(r), body).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    let reply = officer.submit(id).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let evaluation = reviewer.get(&path).await.json();
    assert_eq!(evaluation["state"], "panel_scoring");
    assert_eq!(evaluation["totals"]["self"], 25.5);
    assert!(unassessed(&evaluation).is_empty());
    // The score sheet as the bureau prints it: a row per criterion, the total.
    let response = app
        .client
        .get(app.url(&format!("{path}?format=xlsx")))
        .bearer_auth(world.token(Actor::Reviewer).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let rows = crate::helpers::xlsx_rows(&response.bytes().await.unwrap());
    assert!(rows[0][3].contains("自评分"), "{:?}", rows[0]);
    let campus = rows.iter().find(|r| r[0] == "1.1").unwrap();
    assert_eq!(
        (campus[3].as_str(), campus[4].as_str(), campus[5].as_str()),
        ("8", "校园面积缺 2,000 平方米", "土地证.pdf")
    );
    let veto = rows.iter().find(|r| r[0] == "3").unwrap();
    assert!(veto[3].contains("达标"), "{veto:?}");
    let total = rows.last().unwrap();
    assert_eq!((total[2].as_str(), total[3].as_str()), ("30", "25.5"));
    // The self-evaluation report, in the asked language: the profile, the standard, each
    // group with its items, scores, notes and evidence, the veto item judged.
    for (lang, words) in [
        (
            "zh-CN",
            [
                "自评报告",
                "学校概况",
                "自评总分 25.5 分（满分 30 分",
                "校园面积缺 2,000 平方米",
                "土地证.pdf",
                "达标",
                "校长（签字）",
            ],
        ),
        (
            "en",
            [
                "Self-Evaluation Report",
                "The school",
                "Self-assessed total: 25.5 of 30 points",
                "校园面积缺 2,000 平方米",
                "土地证.pdf",
                "met",
                "Principal (signature)",
            ],
        ),
    ] {
        let response = app
            .client
            .get(app.url(&format!("{path}?format=docx&lang={lang}")))
            .bearer_auth(world.token(Actor::SchoolViewer).unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{lang}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains("wordprocessingml"),
        );
        let text = crate::helpers::docx_text(&response.bytes().await.unwrap());
        for word in words {
            assert!(text.contains(word), "{lang}: {word} in {text}");
        }
    }
    assert_eq!(
        reviewer.get(&format!("{path}?format=pdf")).await.status,
        422
    );
    // Handed in: nothing changes until changes are requested.
    let reply = officer.put(&item("1.1"), json!({"self_score": 10})).await;
    assert_eq!(reply.status, 409);
    assert_eq!(reply.error_code(), "evaluation_locked");
    let standard = world
        .bureau(&app)
        .get(&format!("/api/v1/standards/{}", world.standards[1]))
        .await
        .json();
    assert_eq!(standard["in_use"], true);
    let out = app.cli(&["history", "verify"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

async fn the_standard_of_a_draft_can_be_another_of_its_title(app: TestApp) {
    let world = World::build(&app).await;
    let officer = world.officer(&app);
    let id = officer.prepare(world.school, json!({"kind": "title_application", "title": "申报", "title_type_code": "national_vocational_training_base"})).await.id();
    let path = format!("/api/v1/submissions/{id}/evaluation");
    let reply = officer
        .post(&path, json!({"standard_id": world.standards[0]}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["standard"]["code"], "nvtb_national");
    // Another province's standard is none the school may use.
    let reply = officer
        .post(&path, json!({"standard_id": world.standards[2]}))
        .await;
    assert_eq!(reply.status, 422);
    assert!(reply.json()["error"]["fields"]["standard_id"].is_string());
    let reply = world
        .reviewer(&app)
        .post(&path, json!({"standard_id": world.standards[0]}))
        .await;
    assert_eq!(reply.status, 403);
    // An audit report has no evaluation.
    let reply = officer.evaluation(world.drafts[0]).await;
    assert_eq!(reply.status, 404);
}

async fn the_officer_self_assesses_on_the_submission_page(app: TestApp) {
    use crate::web_pages::Visitor;
    let world = World::build(&app).await;
    let officer = world.officer(&app);
    let id = officer.prepare(world.school, json!({"kind": "title_application", "title": "申报国家级职业培训基地", "title_type_code": "national_vocational_training_base"})).await.id();
    let file = officer
        .upload_evidence(id, "土地证.pdf", b"%PDF-1.7\n% land\n")
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let mut visitor = Visitor::new(&app);
    visitor
        .sign_in(
            world.email(Actor::QualityOfficer).unwrap(),
            crate::world::PASSWORD,
        )
        .await;
    visitor.cookies.insert("lang".into(), "zh-CN".into());
    let page = visitor.get(&format!("/submissions/{id}")).await;
    assert_eq!(page.status, 200);
    for text in [
        "自评",
        "自评总分",
        "尚未自评的项目",
        "id=\"assess-1.1\"",
        "否决项",
    ] {
        assert!(page.text.contains(text), "the page lacks {text}");
    }
    assert!(
        !page.text.contains("id=\"assess-1\""),
        "a group has no form of its own"
    );
    // The report and the score sheet from the page: the report in the page's language.
    for (link, kind) in [
        ("evaluation.docx", "wordprocessingml"),
        ("evaluation.xlsx", "spreadsheetml"),
    ] {
        assert!(page.text.contains(&format!("/submissions/{id}/{link}")));
        let response = app
            .client
            .get(app.url(&format!("/submissions/{id}/{link}")))
            .header("Cookie", visitor.cookie_header())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{link}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains(kind)
        );
        let bytes = response.bytes().await.unwrap();
        if link.ends_with("docx") {
            let text = crate::helpers::docx_text(&bytes);
            assert!(
                text.contains("自评报告") && text.contains("尚未自评的项目"),
                "{text}"
            );
        }
    }
    let csrf = visitor.csrf.clone();
    let evidence = format!("evidence_{file}");
    let saved = visitor
        .post(
            &format!("/submissions/{id}/evaluation/1.1"),
            &[
                ("csrf_token", &csrf),
                ("self_score", "8"),
                ("self_note", "校园面积缺 2,000 平方米"),
                (&evidence, "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let page = visitor
        .get(&format!("/submissions/{id}?done=assessed"))
        .await;
    assert!(page.text.contains("该项自评已保存"));
    assert!(page.text.contains("8 / 30"), "the total as it changes");
    let evaluation = officer.evaluation(id).await.json();
    assert_eq!(evaluation["criteria"][1]["evidence_ids"], json!([file]));
    // A score above the item's points comes back named, in Chinese.
    let refused = visitor
        .post(
            &format!("/submissions/{id}/evaluation/1.1"),
            &[("csrf_token", &csrf), ("self_score", "11")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.text.contains("不能大于 10"),
        "{}",
        &refused.text[refused.text.find("form-errors").unwrap_or(0)..]
            [..300.min(refused.text.len())]
    );
    // Handing it in while items are open names them.
    let version = officer.submission(id).await.json()["version"].to_string();
    let step = visitor
        .post(
            &format!("/submissions/{id}/step"),
            &[
                ("csrf_token", &csrf),
                ("version", &version),
                ("step", "submit"),
            ],
        )
        .await;
    assert_eq!(step.status, 409, "{}", step.text);
    assert!(step.text.contains("提交前须完成评估中每个项目的自评"));
    for r in ["1.2", "2.1", "3"] {
        assert!(
            step.text.contains(&format!("<strong>{r}</strong>")),
            "{r} named"
        );
    }
    // The reviewer reads it without forms.
    let mut reviewer = Visitor::new(&app);
    reviewer
        .sign_in(
            world.email(Actor::Reviewer).unwrap(),
            crate::world::PASSWORD,
        )
        .await;
    let page = reviewer.get(&format!("/submissions/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("id=\"evaluation\""));
    assert!(!page.text.contains("class=\"assess\""));
}

//! The public notice (公示) of recommended results: published by the province, read and
//! objected to by anyone without signing in, resolved by the province; the final approval
//! waits for the notice to close and every objection to be resolved.

use serde_json::json;

use crate::helpers::{TestApp, both_backends};
use crate::panels::agree;
use crate::world::{Actor, World};

both_backends!(
    a_result_is_published_objected_to_and_approved_once_resolved,
    an_upheld_objection_leaves_only_reject_or_changes,
);

fn notice_body(ids: &[i64], opens_on: &str, closes_on: &str) -> serde_json::Value {
    json!({"title": "2026 年国家级职业培训基地评估结果公示", "body": "经专家评审，现将结果予以公示。",
        "submission_ids": ids, "opens_on": opens_on, "closes_on": closes_on})
}

fn objection(submission: i64) -> serde_json::Value {
    json!({"submission_id": submission, "name": "李明", "contact": "13800000000",
        "text": "该校实训设备数量与申报材料不符。"})
}

async fn a_result_is_published_objected_to_and_approved_once_resolved(app: TestApp) {
    let mut world = World::build(&app).await;
    world.with_applications(&app).await;
    let id = world.evaluated[0];
    agree(&app, &world, id, true).await;
    let bureau = world.bureau(&app);
    let notices = format!("/api/v1/provinces/{}/notices", world.province);

    // Not yet published: the approval waits for a notice.
    let early = bureau.approve(id, "同意").await;
    assert_eq!(early.status, 409, "{}", early.text);
    assert_eq!(early.error_code(), "notice_required");

    // The contract's rules, each naming its field.
    for (body, field) in [
        (notice_body(&[id], "2026-05-01", "2026-06-30"), "opens_on"),
        (notice_body(&[id], "2026-06-01", "2026-06-04"), "closes_on"),
        (
            notice_body(&[world.evaluated[1]], "2026-06-01", "2026-06-07"),
            "submission_ids[0]",
        ),
        (
            notice_body(&[id, id], "2026-06-01", "2026-06-07"),
            "submission_ids[1]",
        ),
        (
            notice_body(&[], "2026-06-01", "2026-06-07"),
            "submission_ids",
        ),
    ] {
        let reply = bureau.post(&notices, body.clone()).await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.text);
        assert!(
            reply.json()["error"]["fields"][field].is_string(),
            "{field}: {}",
            reply.text
        );
    }
    assert_eq!(
        world
            .reviewer(&app)
            .post(&notices, notice_body(&[id], "2026-06-01", "2026-06-07"))
            .await
            .status,
        403
    );
    let published = bureau
        .post(&notices, notice_body(&[id], "2026-06-01", "2026-06-07"))
        .await;
    assert_eq!(published.status, 201, "{}", published.text);
    let notice = published.json();
    let notice_id = notice["id"].as_i64().unwrap();
    assert_eq!(notice["state"], "open");
    assert_eq!(notice["entries"][0]["submission_id"], id);
    assert_eq!(notice["entries"][0]["consensus_total"], 30.0);
    assert_eq!(notice["entries"][0]["outcome"], "pass");
    assert_eq!(
        notice["entries"][0]["title_type_code"],
        "national_vocational_training_base"
    );
    let again = bureau
        .post(&notices, notice_body(&[id], "2026-06-01", "2026-06-07"))
        .await;
    assert_eq!(again.status, 422, "on a notice still open: {}", again.text);
    assert_eq!(bureau.approve(id, "同意").await.error_code(), "notice_open");

    // Anyone reads it, without signing in; it names no expert and no score.
    let public = app.get(&format!("/api/v1/notices/{notice_id}")).await;
    assert_eq!(public.status, 200, "{}", public.text);
    let text = public.text.clone();
    assert!(
        !text.contains("scores") && !text.contains("expert"),
        "{text}"
    );
    // Anyone objects while it is open, a few times an hour from one address.
    let path = format!("/api/v1/notices/{notice_id}/objections");
    let wrong = app
        .send("POST", &path, None, Some(objection(world.evaluated[1])))
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    assert!(wrong.json()["error"]["fields"]["submission_id"].is_string());
    let empty = app
        .send(
            "POST",
            &path,
            None,
            Some(json!({"submission_id": id, "name": " ", "contact": "", "text": ""})),
        )
        .await;
    assert_eq!(empty.status, 422);
    for field in ["name", "contact", "text"] {
        assert!(
            empty.json()["error"]["fields"][field].is_string(),
            "{field}"
        );
    }
    let mut received = Vec::new();
    for _ in 0..5 {
        let reply = app.send("POST", &path, None, Some(objection(id))).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert!(reply.json()["received_at"].is_string());
        received.push(reply.json()["id"].as_i64().unwrap());
    }
    let throttled = app.send("POST", &path, None, Some(objection(id))).await;
    assert_eq!(throttled.status, 429, "{}", throttled.text);
    assert!(throttled.header("retry-after").is_some());
    // The public notice never shows who objected.
    let public = app.get(&format!("/api/v1/notices/{notice_id}")).await;
    assert!(!public.text.contains("李明") && !public.text.contains("13800000000"));
    // The province reads them, with who objected, and is told.
    let listed = bureau.objections(world.province).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.json().as_array().unwrap().len(), 5);
    assert_eq!(listed.json()[0]["name"], "李明");
    assert_eq!(listed.json()[0]["state"], "pending");
    assert_eq!(
        world
            .officer(&app)
            .get(&format!("/api/v1/provinces/{}/objections", world.province))
            .await
            .status,
        403
    );
    let inbox = app
        .notifications(world.token(Actor::ProvinceAdmin))
        .await
        .text;
    assert!(inbox.contains("objection_received"), "{inbox}");
    // Resolved by the province admin (not a reviewer), once each.
    let resolve = |o: i64| format!("/api/v1/objections/{o}/resolve");
    let dismissed = json!({"upheld": false, "resolution": "经现场核查，实训设备数量属实。"});
    assert_eq!(
        world
            .reviewer(&app)
            .post(&resolve(received[0]), dismissed.clone())
            .await
            .status,
        403
    );
    for o in &received[..4] {
        let reply = bureau.post(&resolve(*o), dismissed.clone()).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.json()["state"], "dismissed");
    }
    let twice = bureau.post(&resolve(received[0]), dismissed.clone()).await;
    assert_eq!(twice.error_code(), "objection_resolved");

    // After the notice closes: no more objections; the approval waits for the last one.
    let later = app.beside_with(&[("ACCREDIT_TODAY", "2026-06-08")]).await;
    let closed = later.send("POST", &path, None, Some(objection(id))).await;
    assert_eq!(closed.status, 409, "{}", closed.text);
    assert_eq!(closed.error_code(), "notice_closed");
    let head = world.token(Actor::ProvinceAdmin).unwrap();
    let later_bureau = later.with_token(head);
    assert_eq!(
        later_bureau.approve(id, "同意").await.error_code(),
        "objection_pending"
    );
    let reply = later_bureau.post(&resolve(received[4]), dismissed).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let approved = later_bureau.approve(id, "公示无异议，同意").await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    let titles = later_bureau.titles(world.school).await.text;
    assert!(
        titles.contains("national_vocational_training_base"),
        "{titles}"
    );
    // The history has every step, and never the objector's name.
    let history = world
        .officer(&app)
        .get(&format!(
            "/api/v1/schools/{}/history?limit=1000",
            world.school
        ))
        .await
        .text;
    assert!(history.contains("objection.receive") && history.contains("objection.resolve"));
    assert!(
        !history.contains("13800000000"),
        "no contact in the school's history"
    );
    let out = app.cli(&["history", "verify"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

async fn an_upheld_objection_leaves_only_reject_or_changes(app: TestApp) {
    let mut world = World::build(&app).await;
    world.with_applications(&app).await;
    let id = world.evaluated[1];
    agree(&app, &world, id, true).await;
    let bureau = world.bureau(&app);
    let published = bureau
        .post(
            &format!("/api/v1/provinces/{}/notices", world.province),
            notice_body(&[id], "2026-06-01", "2026-06-05"),
        )
        .await;
    assert_eq!(published.status, 201, "{}", published.text);
    let notice = published.json()["id"].as_i64().unwrap();
    let reply = app
        .send(
            "POST",
            &format!("/api/v1/notices/{notice}/objections"),
            None,
            Some(objection(id)),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let objection = reply.json()["id"].as_i64().unwrap();
    let upheld = bureau
        .resolve_objection(
            objection,
            json!({"upheld": true, "resolution": "经核查，实训设备数量与申报不符。"}),
        )
        .await;
    assert_eq!(upheld.status, 200, "{}", upheld.text);
    assert_eq!(upheld.json()["state"], "upheld");
    let later = app.beside_with(&[("ACCREDIT_TODAY", "2026-06-06")]).await;
    let head = later.with_token(world.token(Actor::ProvinceAdmin).unwrap());
    let refused = head.approve(id, "同意").await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert_eq!(refused.error_code(), "objection_upheld");
    let rejected = head.sign_off(id, "reject", "异议成立，不予批准").await;
    assert_eq!(rejected.status, 200, "{}", rejected.text);
    assert_eq!(rejected.json()["status"], "rejected");
}

both_backends!(the_panel_and_the_notice_work_from_their_pages);

async fn the_panel_and_the_notice_work_from_their_pages(app: TestApp) {
    use crate::web_pages::Visitor;
    let mut world = World::build(&app).await;
    world.with_applications(&app).await;
    let id = world.evaluated[0];
    let (lead, _) = crate::panels::expert(
        &app,
        &world,
        "lead@pages.example",
        world.province,
        None,
        None,
    )
    .await;
    let (member, _) = crate::panels::expert(
        &app,
        &world,
        "member@pages.example",
        world.province,
        None,
        None,
    )
    .await;
    let sign_in = |email: &'static str| {
        let app = &app;
        async move {
            let mut visitor = Visitor::new(app);
            let reply = visitor.sign_in(email, crate::world::PASSWORD).await;
            assert_eq!(reply.status, 303, "{email}: {}", reply.text);
            visitor
        }
    };
    // The bureau forms the panel on the submission's page.
    let mut bureau = sign_in("pa@fj.example").await;
    let page = bureau.get(&format!("/submissions/{id}")).await;
    assert!(
        page.text.contains("id=\"panel-form\""),
        "the bureau may form the panel"
    );
    let csrf = bureau.csrf.clone();
    let (lead_s, member_box) = (lead.to_string(), format!("member_{member}"));
    let formed = bureau
        .post(
            &format!("/submissions/{id}/panel"),
            &[
                ("csrf_token", &csrf),
                ("lead_id", &lead_s),
                (&member_box, "on"),
            ],
        )
        .await;
    assert_eq!(formed.status, 303, "{}", formed.text);
    // Each member scores item by item and seals.
    for (email, scores) in [
        ("lead@pages.example", ["10", "7.5", "12.5"]),
        ("member@pages.example", ["9", "7.5", "12.5"]),
    ] {
        let mut expert = sign_in(email).await;
        let page = expert.get(&format!("/submissions/{id}")).await;
        assert!(
            page.text.contains("score-form-1.1"),
            "{email} scores on the page"
        );
        let csrf = expert.csrf.clone();
        for (r, score) in ["1.1", "1.2", "2.1"].iter().zip(scores) {
            let comment = if score == "9" {
                "实训工位不足"
            } else {
                ""
            };
            let reply = expert
                .post(
                    &format!("/submissions/{id}/evaluation/{r}/score"),
                    &[
                        ("csrf_token", &csrf),
                        ("score", score),
                        ("comment", comment),
                    ],
                )
                .await;
            assert_eq!(reply.status, 303, "{email} {r}: {}", reply.text);
        }
        let refused = expert
            .post(
                &format!("/submissions/{id}/evaluation/1.1/score"),
                &[("csrf_token", &csrf), ("score", "8")],
            )
            .await;
        assert_eq!(refused.status, 422, "a deduction without its reason");
        assert!(refused.text.contains("form-errors"));
        let veto = expert
            .post(
                &format!("/submissions/{id}/evaluation/3/score"),
                &[("csrf_token", &csrf), ("met", "true")],
            )
            .await;
        assert_eq!(veto.status, 303, "{}", veto.text);
        let sealed = expert
            .post(
                &format!("/submissions/{id}/evaluation/seal"),
                &[("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(sealed.status, 303, "{}", sealed.text);
    }
    // The lead sets the consensus from the median.
    let mut lead_v = sign_in("lead@pages.example").await;
    let page = lead_v.get(&format!("/submissions/{id}")).await;
    assert!(page.text.contains("consensus-form-1.1"));
    let csrf = lead_v.csrf.clone();
    for (r, field, value) in [
        ("1.1", "score", "9.5"),
        ("1.2", "score", "7.5"),
        ("2.1", "score", "12.5"),
        ("3", "met", "true"),
    ] {
        let reply = lead_v
            .post(
                &format!("/submissions/{id}/evaluation/{r}/consensus"),
                &[("csrf_token", &csrf), (field, value)],
            )
            .await;
        assert_eq!(reply.status, 303, "{r}: {}", reply.text);
    }
    let page = lead_v.get(&format!("/submissions/{id}")).await;
    assert!(page.text.contains("id=\"outcome\""), "the outcome is shown");
    let reply = world.reviewer(&app).recommend(id, "专家组合议通过").await;
    assert_eq!(reply.status, 200, "{}", reply.text);

    // The bureau publishes it on the province's page.
    let page = bureau
        .get(&format!("/provinces/{}/notices", world.province))
        .await;
    assert!(page.text.contains("notice-form"), "{}", page.status);
    let entry = format!("entry_{id}");
    let csrf = bureau.csrf.clone();
    let published = bureau
        .post(
            &format!("/provinces/{}/notices", world.province),
            &[
                ("csrf_token", &csrf),
                ("title", "2026 年评估结果公示"),
                ("opens_on", "2026-06-01"),
                ("closes_on", "2026-06-07"),
                (&entry, "on"),
            ],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.text);
    let notice = world
        .bureau(&app)
        .get(&format!("/api/v1/provinces/{}/notices", world.province))
        .await
        .json()[0]["id"]
        .as_i64()
        .unwrap();
    // Anyone reads it and objects, without signing in, in Chinese by default.
    let mut public = Visitor::new(&app);
    public.cookies.insert("lang".into(), "zh-CN".into());
    let page = public.get(&format!("/notices/{notice}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("公示中") && page.text.contains("福州第二高级技工学校"));
    assert!(!page.text.contains("lead@pages.example"), "no expert named");
    let csrf = public.csrf.clone();
    let id_s = id.to_string();
    let objected = public
        .post(
            &format!("/notices/{notice}/objections"),
            &[
                ("csrf_token", &csrf),
                ("submission_id", &id_s),
                ("name", "李明"),
                ("contact", "13800000000"),
                ("text", "实训设备与申报不符"),
            ],
        )
        .await;
    assert_eq!(objected.status, 303, "{}", objected.text);
    let empty = public
        .post(
            &format!("/notices/{notice}/objections"),
            &[
                ("csrf_token", &csrf),
                ("submission_id", &id_s),
                ("name", ""),
                ("contact", ""),
                ("text", ""),
            ],
        )
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.text.contains("form-errors"));
    // The bureau reads it, with who objected, and resolves it on the page.
    let page = bureau
        .get(&format!("/provinces/{}/notices", world.province))
        .await;
    assert!(page.text.contains("李明") && page.text.contains("13800000000"));
    let objection = world
        .bureau(&app)
        .get(&format!("/api/v1/provinces/{}/objections", world.province))
        .await
        .json()[0]["id"]
        .as_i64()
        .unwrap();
    let csrf = bureau.csrf.clone();
    let province = world.province.to_string();
    let resolved = bureau
        .post(
            &format!("/objections/{objection}/resolve"),
            &[
                ("csrf_token", &csrf),
                ("province_id", &province),
                ("upheld", "false"),
                ("resolution", "经核查，设备数量属实"),
            ],
        )
        .await;
    assert_eq!(resolved.status, 303, "{}", resolved.text);
    // An expert declares a conflict on their page.
    let mut expert = sign_in("member@pages.example").await;
    let page = expert.get("/conflicts").await;
    assert_eq!(page.status, 200);
    let csrf = expert.csrf.clone();
    let school = world.sibling_school.to_string();
    let declared = expert
        .post(
            "/conflicts",
            &[
                ("csrf_token", &csrf),
                ("school_id", &school),
                ("reason", "曾在该校任教"),
            ],
        )
        .await;
    assert_eq!(declared.status, 303, "{}", declared.text);
    assert!(expert.get("/conflicts").await.text.contains("曾在该校任教"));
}

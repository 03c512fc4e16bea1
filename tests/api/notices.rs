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
    let listed = bureau
        .get(&format!("/api/v1/provinces/{}/objections", world.province))
        .await;
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
    let titles = later_bureau
        .get(&format!("/api/v1/schools/{}/titles", world.school))
        .await
        .text;
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
        .post(
            &format!("/api/v1/objections/{objection}/resolve"),
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

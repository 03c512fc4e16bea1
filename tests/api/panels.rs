//! The expert panel of an application: formed without conflicts of interest, scoring blind
//! until each member seals, agreeing a consensus from the median, and recommending only a
//! complete, passing consensus; each reader sees what they should at each stage.

use serde_json::{Value, json};

use crate::helpers::{TestApp, both_backends};
use crate::world::{Actor, PASSWORD, World};

both_backends!(
    a_panel_scores_blind_agrees_and_the_application_is_recommended,
    a_panel_is_formed_only_of_people_without_a_conflict,
    two_experts_seal_at_the_same_moment,
);

/// Creates an expert of `province` through the bureau and signs them in: (id, token).
pub(crate) async fn expert(
    app: &TestApp,
    world: &World,
    email: &str,
    province: i64,
    home: Option<i64>,
    valid_until: Option<&str>,
) -> (i64, String) {
    let id = world
        .client(app, Actor::Admin)
        .create_user(
            json!({"email": email, "name": email.split('@').next().unwrap(), "role": "expert",
                "password": PASSWORD, "province_id": province, "school_id": home,
                "valid_until": valid_until}),
        )
        .await
        .id();
    let token = match valid_until {
        Some(day) if day < "2026-01-01" => String::new(),
        _ => app.token(email).await,
    };
    (id, token)
}

/// The bytes of a download as the holder of `token`.
async fn download(app: &TestApp, token: &str, path: &str) -> Vec<u8> {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.bytes().await.unwrap().to_vec()
}

/// The criterion `reference` of an evaluation.
fn item<'a>(evaluation: &'a Value, reference: &str) -> &'a Value {
    evaluation["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["ref"] == reference)
        .unwrap_or_else(|| panic!("no item {reference}"))
}

/// The experts whose scores of `reference` the reader sees.
fn scorers(evaluation: &Value, reference: &str) -> Vec<i64> {
    item(evaluation, reference)["scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["expert_id"].as_i64().unwrap())
        .collect()
}

/// Scores every item of the world's standard: (1.1, 1.2, 2.1 out of 10, 7.5, 12.5; veto 3).
async fn score_all(client: &crate::client::Client<'_>, id: i64, scores: [f64; 3], met: bool) {
    for (reference, score, max) in [
        ("1.1", scores[0], 10.0),
        ("1.2", scores[1], 7.5),
        ("2.1", scores[2], 12.5),
    ] {
        let body = if score < max {
            json!({"score": score, "comment": "佐证材料不足"})
        } else {
            json!({"score": score})
        };
        let reply = client.score(id, reference, body).await;
        assert_eq!(reply.status, 200, "{reference}: {}", reply.text);
    }
    let body = if met {
        json!({"met": true})
    } else {
        json!({"met": false, "comment": "发生安全事故"})
    };
    let reply = client.score(id, "3", body).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

async fn a_panel_scores_blind_agrees_and_the_application_is_recommended(app: TestApp) {
    let mut world = World::build(&app).await;
    world.with_applications(&app).await;
    let id = world.evaluated[0];
    let (province, foreign) = (world.province, world.foreign_school);
    let (lead, lead_token) = expert(
        &app,
        &world,
        "lead@experts.example",
        province,
        Some(foreign),
        None,
    )
    .await;
    let (member, member_token) =
        expert(&app, &world, "member@experts.example", province, None, None).await;
    let (passer_by, passer_by_token) =
        expert(&app, &world, "passer@experts.example", province, None, None).await;
    let reviewer_id = world.reviewer(&app).me().await.json()["id"]
        .as_i64()
        .unwrap();
    let (lead_c, member_c, passer_c) = (
        app.with_token(&lead_token),
        app.with_token(&member_token),
        app.with_token(&passer_by_token),
    );
    let (bureau, reviewer, officer) = (
        world.bureau(&app),
        world.reviewer(&app),
        world.officer(&app),
    );

    // Before a panel, an expert sees nothing of the school.
    assert_eq!(lead_c.evaluation(id).await.status, 404);
    assert_eq!(lead_c.school(world.school).await.status, 404);
    let panel = bureau
        .form_panel(id, lead, &[member, passer_by, reviewer_id])
        .await;
    assert_eq!(panel.status, 200, "{}", panel.text);
    assert_eq!(panel.json()["lead_id"], lead);
    assert_eq!(panel.json()["members"].as_array().unwrap().len(), 4);
    // On the panel: the application, its school's record and its evidence, nothing else.
    assert_eq!(passer_c.evaluation(id).await.status, 200);
    let detail = passer_c.submission(id).await;
    assert_eq!(detail.status, 200);
    let file = detail.json()["evidence"][0]["id"].as_i64().unwrap();
    assert_eq!(passer_c.evidence_content(file).await.status, 200);
    assert_eq!(passer_c.audits(world.school).await.status, 200);
    assert_eq!(
        passer_c.submission(world.drafts[0]).await.status,
        404,
        "another submission of the school"
    );
    assert_eq!(passer_c.submission(world.evaluated[1]).await.status, 404);
    let inbox = app.notifications(Some(&member_token)).await.json();
    assert!(
        inbox.to_string().contains("panel_appointed"),
        "the member is told: {inbox}"
    );
    // The site visit: scheduled by the province, its findings recorded by the panel; the
    // school follows them up as any finding.
    let visit = bureau
        .post(
            &format!("/api/v1/submissions/{id}/site-visit"),
            json!({"started_on": "2026-06-10", "ended_on": "2026-06-11", "scope": "实训基地与教学管理"}),
        )
        .await;
    assert_eq!(visit.status, 201, "{}", visit.text);
    assert_eq!(visit.json()["kind"], "provincial_inspection");
    assert_eq!(visit.json()["submission_id"], id);
    assert_eq!(visit.json()["lead_auditor"], "lead");
    let visit = visit.json()["id"].as_i64().unwrap();
    let finding = json!({"clause": "7.1.3", "grade": "minor_nc", "description": "实训工位不足", "due_on": "2026-09-30"});
    let found = lead_c.add_finding(visit, finding.clone()).await;
    assert_eq!(found.status, 201, "{}", found.text);
    assert_eq!(
        officer.add_finding(visit, finding.clone()).await.status,
        403,
        "the panel's findings are the panel's"
    );
    let audits = officer.audits(world.school).await.text;
    assert!(audits.contains("provincial_inspection"), "{audits}");
    assert_eq!(
        officer.findings(visit).await.json()[0]["description"],
        "实训工位不足"
    );
    // Off the panel again: no access, at once.
    let panel = bureau.form_panel(id, lead, &[member, reviewer_id]).await;
    assert_eq!(panel.status, 200, "{}", panel.text);
    assert_eq!(passer_c.evaluation(id).await.status, 404);
    assert_eq!(passer_c.submission(id).await.status, 404);
    assert_eq!(
        passer_c.score(id, "1.1", json!({"score": 10})).await.status,
        404
    );

    // Blind scoring: a deduction needs its reason; each sees only their own sheet.
    let refused = lead_c.score(id, "1.1", json!({"score": 9})).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused.json()["error"]["fields"]["comment"].is_string());
    for (body, field) in [
        (json!({"score": 10.5}), "score"),
        (json!({"score": 0.3, "comment": "x"}), "score"),
        (json!({"met": true}), "met"),
    ] {
        let reply = lead_c.score(id, "1.1", body.clone()).await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.text);
        assert!(
            reply.json()["error"]["fields"][field].is_string(),
            "{body}: {}",
            reply.text
        );
    }
    assert_eq!(
        lead_c.score(id, "1", json!({"score": 1})).await.status,
        422,
        "a group"
    );
    assert_eq!(
        officer.score(id, "1.1", json!({"score": 1})).await.status,
        403
    );
    let mine = lead_c
        .score(
            id,
            "1.1",
            json!({"score": 9, "comment": "校园面积略有不足"}),
        )
        .await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert_eq!(scorers(&mine.json(), "1.1"), [lead]);
    assert!(scorers(&member_c.evaluation(id).await.json(), "1.1").is_empty());
    assert!(
        scorers(&bureau.evaluation(id).await.json(), "1.1").is_empty(),
        "nothing sealed yet"
    );
    let early = lead_c.seal(id).await;
    assert_eq!(early.status, 409, "{}", early.text);
    assert_eq!(early.error_code(), "evaluation_incomplete");
    for r in ["1.2", "2.1", "3"] {
        assert!(
            early.json()["error"]["fields"][r].is_string(),
            "{r}: {}",
            early.text
        );
    }
    score_all(&lead_c, id, [9.0, 7.5, 12.5], true).await;
    let sealed = lead_c.seal(id).await;
    assert_eq!(sealed.status, 200, "{}", sealed.text);
    assert_eq!(sealed.json()["state"], "panel_scoring");
    assert_eq!(
        lead_c
            .score(id, "1.1", json!({"score": 10}))
            .await
            .error_code(),
        "scores_sealed"
    );
    assert_eq!(lead_c.seal(id).await.error_code(), "scores_sealed");
    // Once sealed, the lead sees the others' sealed sheets only; the province sees sealed ones.
    score_all(&member_c, id, [6.0, 7.0, 12.0], true).await;
    assert_eq!(scorers(&lead_c.evaluation(id).await.json(), "1.1"), [lead]);
    assert_eq!(
        scorers(&member_c.evaluation(id).await.json(), "1.1"),
        [member],
        "blind until sealed"
    );
    assert_eq!(scorers(&bureau.evaluation(id).await.json(), "1.1"), [lead]);
    assert_eq!(member_c.seal(id).await.status, 200);
    assert_eq!(
        scorers(&member_c.evaluation(id).await.json(), "1.1"),
        [lead, member]
    );
    assert_eq!(
        lead_c
            .agree(id, "1.1", json!({"score": 8}))
            .await
            .error_code(),
        "panel_not_sealed"
    );
    score_all(&reviewer, id, [8.0, 7.5, 12.0], true).await;
    assert_eq!(reviewer.seal(id).await.status, 200);
    let panel = bureau.panel(id).await.json();
    assert_eq!(panel["all_sealed"], true, "{panel}");
    let seen = bureau.evaluation(id).await.json();
    assert_eq!(seen["state"], "consensus");
    assert_eq!(scorers(&seen, "1.1").len(), 3);
    assert_eq!(item(&seen, "1.1")["disagreement"], true, "9, 6 and 8 of 10");
    assert_eq!(
        item(&seen, "2.1")["disagreement"],
        false,
        "12.5, 12 and 12 of 12.5"
    );
    // The school sees no expert's sheet, and no consensus before the decision.
    let school_view = officer.evaluation(id).await.json();
    assert!(
        school_view["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["scores"] == json!([]))
    );
    assert!(!school_view.to_string().contains("校园面积略有不足"));

    // The consensus: the lead only; a departure from the median needs a note.
    assert_eq!(
        member_c.agree(id, "1.1", json!({"score": 8})).await.status,
        403
    );
    let recommend = reviewer.recommend(id, "专家组合议通过").await;
    assert_eq!(recommend.status, 409);
    assert_eq!(recommend.error_code(), "evaluation_incomplete");
    let departs = lead_c.agree(id, "1.1", json!({"score": 7})).await;
    assert_eq!(departs.status, 422, "{}", departs.text);
    assert!(departs.json()["error"]["fields"]["note"].is_string());
    for (r, body) in [
        ("1.1", json!({"score": 8})),
        ("1.2", json!({"score": 7.5})),
        ("2.1", json!({"score": 12})),
        (
            "3",
            json!({"met": false, "note": "现场核查发现安全隐患未整改"}),
        ),
    ] {
        let reply = lead_c.agree(id, r, body).await;
        assert_eq!(reply.status, 200, "{r}: {}", reply.text);
    }
    let agreed = bureau.evaluation(id).await.json();
    assert_eq!(agreed["totals"]["consensus"], 27.5);
    assert_eq!(
        item(&agreed, "1")["consensus_score"],
        15.5,
        "the group's subtotal"
    );
    assert_eq!(agreed["outcome"], "fail");
    assert!(agreed["outcome_reasons"][0].as_str().unwrap().contains('3'));
    assert_eq!(
        reviewer.recommend(id, "推荐").await.error_code(),
        "evaluation_failed"
    );
    assert_eq!(
        lead_c.agree(id, "3", json!({"met": true})).await.status,
        200
    );
    let agreed = bureau.evaluation(id).await.json();
    assert_eq!(agreed["outcome"], "pass");
    // The papers people sign: the score sheet with each expert's column and the consensus;
    // the panel's report with the panel, the visit, each group's consensus and the outcome.
    let head = world.token(Actor::ProvinceAdmin).unwrap();
    let sheet = download(
        &app,
        head,
        &format!("/api/v1/submissions/{id}/evaluation?format=xlsx"),
    )
    .await;
    let rows = crate::helpers::xlsx_rows(&sheet);
    let experts: Vec<&String> = rows[0].iter().filter(|h| h.contains("专家评分")).collect();
    assert_eq!(experts.len(), 3, "{:?}", rows[0]);
    assert!(rows[0].iter().any(|h| h.contains("合议分")));
    let campus = rows.iter().find(|r| r[0] == "1.1").unwrap();
    assert_eq!(campus[6..10], ["9", "6", "8", "8"], "{campus:?}");
    let report = download(
        &app,
        head,
        &format!("/api/v1/submissions/{id}/evaluation?format=docx"),
    )
    .await;
    let text = crate::helpers::docx_text(&report);
    for word in [
        "专家组评估意见",
        "现场评估",
        "实训工位不足",
        "评估结论：通过",
        "专家组组长（签字）",
        "lead",
        "佐证材料不足",
    ] {
        assert!(text.contains(word), "{word} in {text}");
    }
    let officer_sheet = download(
        &app,
        world.token(Actor::QualityOfficer).unwrap(),
        &format!("/api/v1/submissions/{id}/evaluation?format=xlsx"),
    )
    .await;
    let officer_rows = crate::helpers::xlsx_rows(&officer_sheet);
    assert!(
        !officer_rows[0].iter().any(|h| h.contains("专家评分")),
        "the school sees no expert's column"
    );
    // Nor does the school's history show the panel's work; the province's shows no expert's
    // unsealed score (only the operator's shows every entry); an expert reads no history.
    let history = format!("/api/v1/schools/{}/history?limit=1000", world.school);
    let school_history = officer.get(&history).await.text;
    assert!(
        !school_history.contains("evaluation.score")
            && !school_history.contains("evaluation.consensus")
    );
    assert!(!school_history.contains("佐证材料不足"));
    let province_history = bureau.get(&history).await.text;
    assert!(
        province_history.contains("evaluation.seal")
            && !province_history.contains("evaluation.score")
    );
    let operator_history = world.client(&app, Actor::Admin).get(&history).await.text;
    assert!(operator_history.contains("evaluation.score"));
    assert_eq!(lead_c.get(&history).await.status, 403);
    assert_eq!(
        bureau.form_panel(id, lead, &[member]).await.error_code(),
        "consensus_begun"
    );
    let recommend = reviewer.recommend(id, "专家组合议通过").await;
    assert_eq!(recommend.status, 200, "{}", recommend.text);
    assert_eq!(
        bureau.form_panel(id, lead, &[member]).await.error_code(),
        "panel_not_open",
        "a panel is formed while the application is submitted"
    );
    assert_eq!(
        lead_c
            .agree(id, "1.1", json!({"score": 9, "note": "复核"}))
            .await
            .error_code(),
        "evaluation_locked"
    );
    // Decided (after its public notice): the school sees the consensus and its notes,
    // still no expert's sheet.
    assert_eq!(
        bureau.approve(id, "同意").await.error_code(),
        "notice_required"
    );
    let notice = bureau
        .post(
            &format!("/api/v1/provinces/{}/notices", world.province),
            json!({"title": "评估结果公示", "submission_ids": [id], "opens_on": "2026-06-01", "closes_on": "2026-06-05"}),
        )
        .await;
    assert_eq!(notice.status, 201, "{}", notice.text);
    let later = app.beside_with(&[("ACCREDIT_TODAY", "2026-06-06")]).await;
    let approved = later
        .with_token(world.token(Actor::ProvinceAdmin).unwrap())
        .approve(id, "公示无异议，同意")
        .await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    let school_view = officer.evaluation(id).await.json();
    assert_eq!(school_view["state"], "decided");
    assert_eq!(school_view["totals"]["consensus"], 27.5);
    assert_eq!(school_view["outcome"], "pass");
    assert!(
        school_view["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["scores"] == json!([]))
    );
    assert!(!school_view.to_string().contains("校园面积略有不足"));
    let report = download(
        &app,
        world.token(Actor::QualityOfficer).unwrap(),
        &format!("/api/v1/submissions/{id}/evaluation?format=docx"),
    )
    .await;
    let text = crate::helpers::docx_text(&report);
    assert!(
        text.contains("专家组评估意见") && text.contains("27.5"),
        "{text}"
    );
    assert!(
        !text.contains("佐证材料不足"),
        "no expert's own reason: {text}"
    );
    let out = app.cli(&["history", "verify"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

async fn a_panel_is_formed_only_of_people_without_a_conflict(app: TestApp) {
    let mut world = World::build(&app).await;
    world.with_applications(&app).await;
    let id = world.evaluated[0];
    let (province, other) = (world.province, world.other_province);
    let (fine, _) = expert(&app, &world, "fine@experts.example", province, None, None).await;
    let (own, _) = expert(
        &app,
        &world,
        "own@experts.example",
        province,
        Some(world.school),
        None,
    )
    .await;
    // The world's school granted the sibling school a consulting grant.
    let (consulting, _) = expert(
        &app,
        &world,
        "consulting@experts.example",
        province,
        Some(world.sibling_school),
        None,
    )
    .await;
    let (declared, declared_token) = expert(
        &app,
        &world,
        "declared@experts.example",
        province,
        None,
        None,
    )
    .await;
    let (ended, _) = expert(
        &app,
        &world,
        "ended@experts.example",
        province,
        None,
        Some("2020-06-30"),
    )
    .await;
    let (zhejiang, _) = expert(&app, &world, "zj@experts.example", other, None, None).await;
    let declarer = app.with_token(&declared_token);
    let said = declarer
        .declare_conflict(json!({"school_id": world.school, "reason": "我的配偶在该校任教"}))
        .await;
    assert_eq!(said.status, 201, "{}", said.text);
    let mine = declarer.conflicts().await;
    assert_eq!(mine.json()[0]["school_id"], world.school);
    assert_eq!(
        declarer
            .declare_conflict(json!({"school_id": 999_999, "reason": "x"}))
            .await
            .status,
        422
    );
    // The expert whose appointment ended cannot sign in.
    assert_eq!(
        app.login("ended@experts.example", PASSWORD).await.status,
        401
    );

    let bureau = world.bureau(&app);
    let reply = bureau
        .form_panel(id, own, &[fine, consulting, declared])
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(reply.error_code(), "conflict_of_interest");
    let fields = &reply.json()["error"]["fields"];
    let says = |field: &str, words: [&str; 2]| {
        let text = fields[field].as_str().unwrap_or_default();
        assert!(words.iter().any(|w| text.contains(w)), "{field}: {fields}");
    };
    says("lead_id", ["school evaluated", "被评学校"]);
    says("member_ids[1]", ["consulting", "咨询关系"]);
    says("member_ids[2]", ["declared", "已申报"]);
    assert!(fields.get("member_ids[0]").is_none(), "{fields}");
    let colleague = world.colleague;
    let reply = bureau
        .form_panel(
            id,
            fine,
            &[
                ended,
                zhejiang,
                world.foreign_user,
                fine,
                colleague,
                colleague,
            ],
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(reply.error_code(), "validation_failed");
    let fields = &reply.json()["error"]["fields"];
    assert!(
        fields["member_ids[0]"]
            .as_str()
            .unwrap()
            .contains("2020-06-30"),
        "{fields}"
    );
    assert!(
        fields["member_ids[1]"].is_string(),
        "another province's expert: {fields}"
    );
    assert!(
        fields["member_ids[2]"].is_string(),
        "a province admin: {fields}"
    );
    assert!(
        fields.get("member_ids[3]").is_none(),
        "the lead listed again: {fields}"
    );
    assert!(fields["member_ids[5]"].is_string(), "twice: {fields}");
    // Nothing was kept; the reviewer is refused, as is the school's officer.
    let panel = bureau.panel(id).await.json();
    assert_eq!(panel["members"], json!([]));
    assert_eq!(
        world.reviewer(&app).form_panel(id, fine, &[]).await.status,
        403
    );
    assert_eq!(
        world.officer(&app).form_panel(id, fine, &[]).await.status,
        403
    );
    assert_eq!(
        world
            .client(&app, Actor::Expert)
            .form_panel(id, fine, &[])
            .await
            .status,
        404
    );
    // A draft has no panel yet.
    let reply = bureau.form_panel(world.drafts[0], fine, &[]).await;
    assert_eq!(
        reply.status, 404,
        "an audit report has no evaluation: {}",
        reply.text
    );
    let reply = bureau.form_panel(id, fine, &[colleague]).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

async fn two_experts_seal_at_the_same_moment(app: TestApp) {
    let mut world = World::build(&app).await;
    world.with_applications(&app).await;
    let id = world.evaluated[0];
    let province = world.province;
    let (a, a_token) = expert(&app, &world, "a@experts.example", province, None, None).await;
    let (b, b_token) = expert(&app, &world, "b@experts.example", province, None, None).await;
    let reply = world.bureau(&app).form_panel(id, a, &[b]).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let (a_c, b_c) = (app.with_token(&a_token), app.with_token(&b_token));
    score_all(&a_c, id, [10.0, 7.5, 12.5], true).await;
    score_all(&b_c, id, [9.5, 7.5, 12.5], true).await;
    let (first, second) = tokio::join!(a_c.seal(id), b_c.seal(id));
    assert_eq!(
        (first.status, second.status),
        (200, 200),
        "{} {}",
        first.text,
        second.text
    );
    let panel = a_c.panel(id).await.json();
    assert_eq!(panel["all_sealed"], true);
    // Each member is told once that the panel has sealed.
    for token in [&a_token, &b_token] {
        let inbox = app.notifications(Some(token)).await.json().to_string();
        assert_eq!(inbox.matches("panel_sealed").count(), 1, "{inbox}");
    }
    // Sealing twice at once: one wins, the other is told the sheet is sealed.
    let (again, twice) = tokio::join!(a_c.seal(id), a_c.seal(id));
    assert_eq!((again.status, twice.status), (409, 409));
    assert_eq!(scorers(&a_c.evaluation(id).await.json(), "1.1"), [a, b]);
}

/// Takes a submitted application of `world` through its panel (two experts of the world's
/// province, scoring every item at full points, or failing the veto item when `pass` is
/// false), agrees the consensus at the median and has the reviewer recommend it when it
/// passes. Answers the lead's token.
pub(crate) async fn agree(app: &TestApp, world: &World, id: i64, pass: bool) -> String {
    let province = world.province;
    let mut seats = Vec::new();
    for n in 0..2 {
        let email = format!("panel-{id}-{n}@experts.example");
        seats.push(expert(app, world, &email, province, None, None).await);
    }
    let reply = world
        .bureau(app)
        .form_panel(id, seats[0].0, &[seats[1].0])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    for (_, token) in &seats {
        let member = app.with_token(token);
        score_all(&member, id, [10.0, 7.5, 12.5], pass).await;
        assert_eq!(member.seal(id).await.status, 200);
    }
    let lead = app.with_token(&seats[0].1);
    for (r, body) in [
        ("1.1", json!({"score": 10})),
        ("1.2", json!({"score": 7.5})),
        ("2.1", json!({"score": 12.5})),
        ("3", json!({"met": pass})),
    ] {
        let reply = lead.agree(id, r, body).await;
        assert_eq!(reply.status, 200, "{r}: {}", reply.text);
    }
    if pass {
        let reply = world.reviewer(app).recommend(id, "专家组合议通过").await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    seats[0].1.clone()
}

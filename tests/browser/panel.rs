//! In Chinese: an expert scores an application item by item and seals; the lead, once all
//! have sealed, sets the consensus from the median; then the province's public notice is
//! read and objected to without signing in, at a phone's width.

use accredit::db::Backend;
use serde_json::json;

use super::webdriver::Browser;
use crate::helpers::spawn_app;
use crate::panels::expert;
use crate::world::World;

async fn sign_out(browser: &Browser) {
    browser.click("#sign-out").await;
    browser.wait_for_url("/").await;
}

/// Scores the world's standard on the submission page at `page`: (1.1, 1.2, 2.1; the veto
/// item met). Each form is sent from a fresh page, so that waiting for its answer's address
/// never finds the previous one's.
async fn score_on_the_page(browser: &Browser, page: &str, scores: [(&str, &str, &str); 3]) {
    for (reference, score, comment) in scores {
        browser.goto(page).await;
        browser
            .type_into(&format!("[id='expert-score-{reference}']"), score)
            .await;
        if !comment.is_empty() {
            browser
                .type_into(&format!("[id='expert-comment-{reference}']"), comment)
                .await;
        }
        browser
            .click(&format!("[id='score-form-{reference}'] button"))
            .await;
        browser.wait_for_url("done=scored").await;
    }
    browser.goto(page).await;
    browser.select("[id='expert-met-3']", "true").await;
    browser.click("[id='score-form-3'] button").await;
    browser.wait_for_url("done=scored").await;
}

#[tokio::test]
async fn experts_score_and_seal_the_lead_agrees_and_the_public_reads_the_notice() {
    let Some(browser) = Browser::start("zh-CN,zh").await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let mut world = World::build(&app).await;
    world.with_applications(&app).await;
    let id = world.evaluated[0];
    let (lead, _) = expert(
        &app,
        &world,
        "lead@browser.example",
        world.province,
        None,
        None,
    )
    .await;
    let (member, member_token) = expert(
        &app,
        &world,
        "member@browser.example",
        world.province,
        None,
        None,
    )
    .await;
    let reply = world.bureau(&app).form_panel(id, lead, &[member]).await;
    assert_eq!(reply.status, 200, "{}", reply.text);

    // The member scores and seals through the API; the lead does it on the page.
    let member_c = app.with_token(&member_token);
    for (r, body) in [
        ("1.1", json!({"score": 8, "comment": "校园面积不足"})),
        ("1.2", json!({"score": 7.5})),
        ("2.1", json!({"score": 12.5})),
        ("3", json!({"met": true})),
    ] {
        assert_eq!(member_c.score(id, r, body).await.status, 200);
    }
    assert_eq!(member_c.seal(id).await.status, 200);

    browser.sign_in(&app, "lead@browser.example").await;
    browser.goto(&app.url(&format!("/submissions/{id}"))).await;
    browser.wait_for_text("#panel", "专家组").await;
    // Blind: the member's sealed sheet is hidden until the lead seals their own.
    assert!(!browser.text("#evaluation").await.contains("校园面积不足"));
    let page = app.url(&format!("/submissions/{id}"));
    score_on_the_page(
        &browser,
        &page,
        [
            ("1.1", "9", "实训工位不足"),
            ("1.2", "7.5", ""),
            ("2.1", "12.5", ""),
        ],
    )
    .await;
    browser.click("#seal-button").await;
    browser.wait_for_url("done=sealed").await;
    browser.wait_for_text("#done", "评分已封存").await;
    assert!(
        browser.text("#evaluation").await.contains("校园面积不足"),
        "now the member's sheet shows"
    );

    // The consensus starts from the median (8 and 9: 8.5).
    let start = browser
        .attribute("[id='consensus-score-1.1']", "value")
        .await;
    assert_eq!(start.as_deref(), Some("8.5"));
    for reference in ["1.1", "1.2", "2.1", "3"] {
        browser.goto(&page).await;
        browser
            .click(&format!("[id='consensus-form-{reference}'] button"))
            .await;
        browser.wait_for_url("done=agreed").await;
    }
    browser.wait_for_text("#outcome", "通过").await;
    assert!(browser.text("#consensus-total").await.contains("28.5"));
    sign_out(&browser).await;

    // Recommended and published; the public reads it on a phone, without signing in.
    let reply = world.reviewer(&app).recommend(id, "专家组合议通过").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let notice = world
        .bureau(&app)
        .post(
            &format!("/api/v1/provinces/{}/notices", world.province),
            json!({"title": "2026 年国家级职业培训基地评估结果公示", "submission_ids": [id],
                "opens_on": "2026-06-01", "closes_on": "2026-06-07"}),
        )
        .await
        .id();
    browser.resize(390, 844).await;
    browser.goto(&app.url(&format!("/notices/{notice}"))).await;
    browser.wait_for_text("#notice-title", "评估结果公示").await;
    assert!(browser.text("#notice-state").await.contains("公示中"));
    assert!(browser.text("#notice-entries").await.contains("28.5"));
    let overflow = browser
        .script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
        )
        .await;
    assert_eq!(overflow.as_i64(), Some(0), "the notice fits a phone");
    browser.type_into("#objection-name", "李明").await;
    browser.type_into("#objection-contact", "13800000000").await;
    browser
        .type_into("#objection-text", "该校实训设备数量与申报材料不符。")
        .await;
    browser.click("#objection-submit").await;
    browser.wait_for_url("done=objected").await;
    browser.wait_for_text("#done", "异议已收到").await;
    let objections = world
        .bureau(&app)
        .get(&format!("/api/v1/provinces/{}/objections", world.province))
        .await
        .json();
    assert_eq!(objections[0]["name"], "李明");
}

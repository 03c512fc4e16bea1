//! A quality officer, in Chinese, self-assesses an application item by item on its page,
//! sees the total grow, and hands it in once every item is assessed.

use accredit::db::Backend;
use serde_json::json;

use super::webdriver::Browser;
use crate::helpers::spawn_app;
use crate::world::{Actor, World};

#[tokio::test]
async fn an_officer_self_assesses_item_by_item_and_submits() {
    let Some(browser) = Browser::start("zh-CN,zh").await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let world = World::build(&app).await;
    let officer = world.officer(&app);
    let id = officer
        .prepare(
            world.school,
            json!({"kind": "title_application", "title": "申报国家级职业培训基地", "title_type_code": "national_vocational_training_base"}),
        )
        .await
        .id();
    let file = officer
        .upload_evidence(id, "自评报告.pdf", b"%PDF-1.7\n% self-evaluation\n")
        .await;
    assert_eq!(file.status, 201, "{}", file.text);
    browser
        .sign_in(&app, world.email(Actor::QualityOfficer).unwrap())
        .await;
    browser.goto(&app.url(&format!("/submissions/{id}"))).await;
    browser.wait_for_text("#evaluation", "自评").await;
    assert!(browser.text("#evaluation-open").await.contains("1.1"));

    // Item by item; the ids hold dots, so they are matched as attributes.
    for (reference, score, total) in [
        ("1.1", "10", "10 / 30"),
        ("1.2", "7.5", "17.5 / 30"),
        ("2.1", "12.5", "30 / 30"),
    ] {
        browser
            .type_into(&format!("[id='score-{reference}']"), score)
            .await;
        browser
            .click(&format!("[id='assess-{reference}'] button"))
            .await;
        browser.wait_for_url("done=assessed").await;
        browser.wait_for_text("#evaluation-total", total).await;
    }
    browser.select("[id='met-3']", "true").await;
    browser.click("[id='assess-3'] button").await;
    // The address says `done=assessed` already (the items before): wait for the page that
    // follows this form, on which no item is left open.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while browser
        .script("return document.getElementById('evaluation-open') === null;")
        .await
        != json!(true)
    {
        assert!(std::time::Instant::now() < deadline, "no item is left open");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser.click("#submit-button").await;
    browser.wait_for_url("done=step").await;
    browser.wait_for_text("#submission-status", "已提交").await;
    let evaluation = officer
        .get(&format!("/api/v1/submissions/{id}/evaluation"))
        .await
        .json();
    assert_eq!(evaluation["state"], "panel_scoring");
    assert_eq!(evaluation["totals"]["self"], 30.0);
}

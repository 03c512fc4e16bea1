//! The landing page in both languages, through a real browser.

use accredit::db::Backend;

use super::webdriver::Browser;
use crate::helpers::spawn_app;

#[tokio::test]
async fn landing_page_in_chinese_then_english_and_back() {
    let Some(browser) = Browser::start("zh-CN,zh").await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.unwrap();

    browser.goto(&app.url("/")).await;
    browser
        .wait_for_text("#landing-title", "学校的评估认证档案")
        .await;
    assert_eq!(
        browser.attribute("html", "lang").await.as_deref(),
        Some("zh-CN")
    );

    browser.click("#lang-switch").await;
    browser
        .wait_for_text("#landing-title", "The accreditation record of your school")
        .await;
    assert_eq!(
        browser.attribute("html", "lang").await.as_deref(),
        Some("en")
    );
    assert_eq!(browser.current_url().await, app.url("/"));

    // The choice is remembered across visits.
    browser.goto(&app.url("/")).await;
    browser
        .wait_for_text("#landing-title", "The accreditation record")
        .await;

    browser.click("#lang-switch").await;
    browser
        .wait_for_text("#landing-title", "学校的评估认证档案")
        .await;
    assert!(browser.text("#lang-switch").await.contains("English"));
}

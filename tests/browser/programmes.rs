//! A province admin sets a programme on its page, changes its target, and closes it.

use accredit::db::Backend;

use super::webdriver::Browser;
use crate::helpers::spawn_app;
use crate::world::{Actor, World};

#[tokio::test]
async fn a_province_admin_sets_changes_and_closes_a_programme() {
    let Some(browser) = Browser::start("zh-CN,zh").await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let world = World::build(&app).await;
    browser
        .sign_in(&app, world.email(Actor::ProvinceAdmin).unwrap())
        .await;
    browser.click("#nav-programmes").await;
    browser.wait_for_text("#programmes-title", "专项计划").await;

    // A form the server refuses first (no title nor indicator, a target of 0): the errors in
    // Chinese, what was typed kept, nothing created.
    browser.type_into("#name", "国家级重点技工学校创建").await;
    browser.type_into("#target_count", "0").await;
    browser.set_value("#target_date", "2028-12-31").await;
    browser.click("#programme-create").await;
    let errors = browser.wait_for_text("#programme-new", "必须是正数").await;
    assert!(errors.contains("称号"), "{errors}");

    browser.clear("#name").await;
    browser.type_into("#name", "国家级重点技工学校创建").await;
    browser
        .select("#title_type_code", "double_high_school")
        .await;
    browser.clear("#target_count").await;
    browser.type_into("#target_count", "12").await;
    browser.set_value("#target_date", "2028-12-31").await;
    browser.click("#programme-create").await;
    browser.wait_for_url("done=created").await;
    let page = browser.page_text().await;
    assert!(page.contains("国家级重点技工学校创建"), "{page}");
    assert!(page.contains("/ 12"), "{page}");

    // Change the target of the new programme (the last on the page).
    let id = browser
        .script("const s = [...document.querySelectorAll('section.programme')]; return s[s.length - 1].id.replace('programme-', '');")
        .await;
    let id = id.as_str().unwrap().to_owned();
    browser.clear(&format!("#target_count-{id}")).await;
    browser
        .type_into(&format!("#target_count-{id}"), "15")
        .await;
    browser
        .click(&format!("#programme-{id} .programme-edit button"))
        .await;
    browser.wait_for_url("done=saved").await;
    assert!(
        browser
            .text(&format!("#programme-{id}"))
            .await
            .contains("/ 15")
    );

    browser.click(&format!("#close-{id}")).await;
    browser.wait_for_url("done=saved").await;
    let closed = browser.text("#closed-programmes").await;
    assert!(closed.contains("国家级重点技工学校创建"), "{closed}");
    // The API agrees.
    let list = app
        .send(
            "GET",
            &format!("/api/v1/provinces/{}/programmes", world.province),
            world.token(Actor::ProvinceAdmin),
            None,
        )
        .await
        .json();
    let programme = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"].as_i64().map(|n| n.to_string()).as_deref() == Some(id.as_str()))
        .unwrap()
        .clone();
    assert_eq!(programme["target_count"], 15);
    assert!(programme["closed_on"].is_string(), "{programme}");
}

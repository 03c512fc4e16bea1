//! The bureau runs the inventory-and-integration part of a plan such as Wenzhou's in
//! Chinese: it opens the inventory, filters the schools below the campus-area minimum, and
//! merges one of them into another; the merged school's page names its successor.

use accredit::db::Backend;
use serde_json::json;

use super::webdriver::Browser;
use crate::helpers::spawn_app;
use crate::world::{Actor, World};

#[tokio::test]
async fn the_bureau_filters_the_inventory_and_merges_a_school() {
    let Some(browser) = Browser::start("zh-CN,zh").await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let world = World::build(&app).await;
    // Xiamen's 2025 is accepted with too little campus; Fuzhou No.2's has enough.
    world
        .accept_year(
            &app,
            world.sibling_school,
            2025,
            json!({"students": 800, "teachers": 60, "campus_area_m2": 12000, "building_area_m2": 20000, "equipment_value_cny": 3500000}),
        )
        .await;
    world
        .accept_year(
            &app,
            world.school,
            2025,
            json!({"students": 1500, "teachers": 90, "campus_area_m2": 52000, "building_area_m2": 30000, "equipment_value_cny": 9000000}),
        )
        .await;
    browser
        .sign_in(&app, world.email(Actor::ProvinceAdmin).unwrap())
        .await;
    browser.click("#nav-standards-check").await;
    browser.wait_for_text("h1", "办学标准达标排查").await;
    browser.clear("#check-year").await;
    browser.type_into("#check-year", "2025").await;
    browser.select("#check-below", "campus_area_m2").await;
    browser.click("#check-apply").await;
    browser.wait_for_url("below=campus_area_m2").await;
    let list = browser.text("#check-list").await;
    assert!(list.contains("差 18,000"), "{list}");
    let rows = browser
        .script("return document.querySelectorAll('#check-list .check-row').length;")
        .await;
    assert_eq!(rows.as_i64(), Some(1), "{list}");
    let school = browser
        .attribute("#check-list .check-row", "data-school")
        .await
        .unwrap();
    assert_eq!(school, world.sibling_school.to_string());
    assert!(
        browser
            .attribute("#check-download", "href")
            .await
            .unwrap()
            .contains("below=campus_area_m2")
    );

    // From the row to the school, and the merger into Fuzhou No.2.
    browser.click("#check-list .check-row a").await;
    browser.wait_for_text("#standards-line", "未达标").await;
    browser
        .script("document.querySelector('#standing details').open = true; return 1;")
        .await;
    browser
        .select("#into_school_id", &world.school.to_string())
        .await;
    browser.set_value("#merge-effective-on", "2026-05-01").await;
    browser.type_into("#merge-reason", "小散弱学校整合").await;
    browser.click("#merge-submit").await;
    browser.wait_for_url("done=saved").await;
    let banner = browser.text("#standing-banner").await;
    assert!(
        banner.contains("已合并") && banner.contains("2026-05-01"),
        "{banner}"
    );
    assert!(banner.contains("小散弱学校整合"), "{banner}");
    browser.click("#successor-link").await;
    browser
        .wait_for_url(&format!("/schools/{}", world.school))
        .await;
    let absorbed = browser.wait_for_text("#absorbed", "厦门技师学院").await;
    assert!(absorbed.contains("2026-05-01"), "{absorbed}");

    // The API agrees, and the inventory no longer lists the merged school.
    let merged = app
        .send(
            "GET",
            &format!("/api/v1/schools/{}", world.sibling_school),
            world.token(Actor::ProvinceAdmin),
            None,
        )
        .await
        .json();
    assert_eq!(merged["status"], "merged");
    assert_eq!(merged["successor_id"], world.school);
    browser
        .goto(&app.url(&format!(
            "/provinces/{}/standards-check?year=2025",
            world.province
        )))
        .await;
    let all = browser.text("#check-list").await;
    assert!(!all.contains("厦门"), "{all}");
}

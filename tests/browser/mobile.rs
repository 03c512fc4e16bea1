//! On a phone (390 × 844, as school leaders read it), no page is wider than the window:
//! the header folds into a menu, wide tables scroll inside their own box.

use accredit::db::Backend;

use super::webdriver::Browser;
use crate::helpers::spawn_app;
use crate::world::{Actor, World};

/// How much wider than the window the page is, in CSS pixels (0 when it fits).
async fn overflow(browser: &Browser) -> i64 {
    browser
        .script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
        )
        .await
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn every_page_fits_a_phone() {
    let Some(browser) = Browser::start("zh-CN,zh").await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let world = World::build(&app).await;
    browser.goto(&app.url("/")).await;
    browser.resize(390, 844).await;
    let width = browser.script("return window.innerWidth;").await;
    assert!(width.as_i64().unwrap() <= 400, "a phone's width: {width}");
    assert_eq!(overflow(&browser).await, 0, "the landing page");

    let school = world.school;
    for (actor, pages) in [
        (
            Actor::QualityOfficer,
            vec![
                "/home".to_owned(),
                format!("/schools/{school}"),
                format!("/schools/{school}/peers"),
                format!("/schools/{school}/audits"),
                format!("/audits/{}", world.audits[0]),
                format!("/submissions/{}", world.drafts[0]),
                format!("/schools/{school}/status-data/2026"),
                "/account".to_owned(),
                "/inbox".to_owned(),
                "/api/docs".to_owned(),
            ],
        ),
        (
            Actor::ProvinceAdmin,
            vec![
                "/home".to_owned(),
                "/queue".to_owned(),
                format!("/provinces/{}/rounds", world.province),
                format!("/rounds/{}", world.rounds[0]),
                format!("/provinces/{}/programmes", world.province),
                format!("/provinces/{}/standards-check?year=2025", world.province),
                format!("/schools/{school}"),
                "/admin/users".to_owned(),
                "/admin/access-log".to_owned(),
                format!("/provinces/{}/robots", world.province),
            ],
        ),
        (
            Actor::Admin,
            vec!["/home".to_owned(), "/admin/mail".to_owned()],
        ),
    ] {
        browser.sign_in(&app, world.email(actor).unwrap()).await;
        for page in &pages {
            browser.goto(&app.url(page)).await;
            if page == "/api/docs" {
                // Swagger UI draws the operations after the page has loaded.
                browser
                    .wait_for_text("#operations-account-get_me", "/api/v1/me")
                    .await;
            }
            let over = overflow(&browser).await;
            if over > 0 {
                let widest = browser
                    .script(
                        "const w = document.documentElement.clientWidth; return [...document.querySelectorAll('body *')] \
                         .filter(e => e.getBoundingClientRect().right > w + 1) \
                         .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right));",
                    )
                    .await;
                panic!("{actor:?} {page} is {over} px wider than the phone: {widest}");
            }
        }
        // The header's links are in the menu, whole words, one under the other.
        let menu_hidden = browser
            .script("return getComputedStyle(document.getElementById('menu')).display;")
            .await;
        assert_eq!(menu_hidden, "none", "folded");
        browser.click("#menu-button").await;
        let home = browser
            .script(
                "const r = document.getElementById('nav-home').getBoundingClientRect(); \
                 return [r.height, getComputedStyle(document.getElementById('nav-home')).lineHeight];",
            )
            .await;
        let height = home[0].as_f64().unwrap();
        let line: f64 = home[1]
            .as_str()
            .unwrap()
            .trim_end_matches("px")
            .parse()
            .unwrap();
        assert!(height <= line * 1.2, "首页 on one line: {home}");
        browser.click("#sign-out").await;
        browser.wait_for_url("/").await;
    }
}

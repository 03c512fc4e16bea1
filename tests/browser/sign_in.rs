//! A quality officer signs in through the pages, sees their school and no other, switches
//! language and back, and signs out; a wrong password shows a clear message.

use accredit::db::Backend;

use super::webdriver::Browser;
use crate::helpers::spawn_app;
use crate::world::{Actor, PASSWORD, World};

#[tokio::test]
async fn officer_signs_in_sees_only_their_school_switches_language_and_signs_out() {
    let Some(browser) = Browser::start("zh-CN,zh").await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let world = World::build(&app).await;
    let email = world.email(Actor::QualityOfficer).unwrap();

    // A wrong password first.
    browser.goto(&app.url("/login")).await;
    browser.type_into("#email", email).await;
    browser.type_into("#password", "not my password").await;
    browser.click("#login-submit").await;
    browser
        .wait_for_text("#login-error", "电子邮箱或密码错误")
        .await;

    // Then the right one.
    browser.type_into("#password", PASSWORD).await;
    browser.click("#login-submit").await;
    browser.wait_for_text("#home-title", "欢迎").await;
    assert_eq!(browser.current_url().await, app.url("/home"));
    let home = browser.page_text().await;
    assert!(home.contains("福州第二高级技工学校"), "{home}");
    assert!(
        !home.contains("厦门技师学院") && !home.contains("温州"),
        "{home}"
    );

    // English and back, on the same page.
    browser.click("#lang-switch").await;
    browser.wait_for_text("#home-title", "Welcome").await;
    assert!(
        browser
            .page_text()
            .await
            .contains("Fuzhou No.2 Senior Technical School")
    );
    browser.click("#lang-switch").await;
    browser.wait_for_text("#home-title", "欢迎").await;

    // Their school's page opens; another school's does not.
    browser.click(".school-link").await;
    browser
        .wait_for_text("#school-name", "福州第二高级技工学校")
        .await;
    browser
        .goto(&app.url(&format!("/schools/{}", world.sibling_school)))
        .await;
    browser.wait_for_text("h1", "404").await;
    assert!(!browser.page_text().await.contains("厦门"));

    // Signing out returns to the landing page, and the pages ask to sign in again.
    browser.goto(&app.url("/home")).await;
    browser.click("#sign-out").await;
    browser
        .wait_for_text("#landing-title", "学校的评估认证档案")
        .await;
    browser.goto(&app.url("/home")).await;
    browser.wait_for_text("h1", "登录").await;
    assert!(browser.current_url().await.ends_with("/login?next=/home"));
}

//! Each role's home page shows what that role needs first, and the comparison page draws
//! the school within its province.

use accredit::db::Backend;

use super::webdriver::Browser;
use crate::helpers::spawn_app;
use crate::world::{Actor, World};

async fn sign_in(browser: &Browser, app: &crate::helpers::TestApp, email: &str) {
    browser.sign_in(app, email).await;
    browser.wait_for_text("#home-title", "Welcome").await;
}

#[tokio::test]
async fn every_role_sees_its_own_home_and_the_comparison_has_charts() {
    let Some(browser) = Browser::start("en-US,en").await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let world = World::build(&app).await;

    // The officer: deadlines, submissions, inbox.
    sign_in(&browser, &app, world.email(Actor::QualityOfficer).unwrap()).await;
    browser
        .wait_for_text("#home-deadlines", "Finding due")
        .await;
    browser
        .wait_for_text("#home-submissions", "Internal audit report")
        .await;
    browser.wait_for_text("#home-inbox", "unread").await;
    // The comparison page: a chart per figure, the school marked.
    browser
        .goto(&app.url(&format!("/schools/{}/peers", world.school)))
        .await;
    browser
        .wait_for_text("#peers-title", "Standing among peers")
        .await;
    let table = browser.text("#peer-table").await;
    assert!(
        table.contains("Titles held") && table.contains("Open minor nonconformities"),
        "{table}"
    );
    assert!(
        browser
            .attribute("svg.strip circle.own", "r")
            .await
            .is_some(),
        "the school is marked in a chart"
    );
    browser.click("#sign-out").await;
    browser
        .wait_for_text("#landing-title", "accreditation record")
        .await;

    // The reviewer: the review queue and the province's overdue items.
    sign_in(&browser, &app, world.email(Actor::Reviewer).unwrap()).await;
    browser
        .wait_for_text("#home-queue", "Waiting for review")
        .await;
    browser
        .wait_for_text("#home-deadlines", "Overdue in the province")
        .await;
    browser.click("#sign-out").await;
    browser
        .wait_for_text("#landing-title", "accreditation record")
        .await;

    // The province admin: the sign-off queue and the programmes.
    sign_in(&browser, &app, world.email(Actor::ProvinceAdmin).unwrap()).await;
    browser
        .wait_for_text("#home-queue", "Waiting for your sign-off")
        .await;
    browser
        .wait_for_text("#home-programmes", "Programme progress")
        .await;
    browser.click("#sign-out").await;
    browser
        .wait_for_text("#landing-title", "accreditation record")
        .await;

    // The operator: the installation's health.
    sign_in(&browser, &app, world.email(Actor::Admin).unwrap()).await;
    let health = browser
        .wait_for_text("#home-health", "Installation health")
        .await;
    assert!(
        health.contains("sqlite") && health.contains("History entries"),
        "{health}"
    );
}

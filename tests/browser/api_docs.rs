//! The interactive API reference at `/api/docs`: it loads from our own origin alone, and
//! "Try it out" works with the signed-in page session (no token typed in).

use accredit::db::Backend;

use super::webdriver::Browser;
use crate::helpers::spawn_app;
use crate::world::{Actor, World};

#[tokio::test]
async fn the_api_reference_loads_from_our_origin_and_tries_a_call_as_the_signed_in_user() {
    let Some(browser) = Browser::start("zh-CN,zh").await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let world = World::build(&app).await;
    let email = world.email(Actor::QualityOfficer).unwrap();
    browser.sign_in(&app, email).await;
    browser.requests_seen().await;

    browser.click("#nav-api").await;
    browser.wait_for_text("#api-docs-title", "接口参考").await;
    // The operations are drawn from the document, and the page holds a token of the session.
    browser
        .wait_for_text("#operations-account-get_me", "/api/v1/me")
        .await;
    browser
        .wait_for_text("#swagger-ui[data-authorized=true]", "")
        .await;

    browser
        .click("#operations-account-get_me .opblock-summary-control")
        .await;
    browser
        .click("#operations-account-get_me .try-out__btn")
        .await;
    browser.click("#operations-account-get_me .execute").await;
    let status = browser
        .wait_for_text(
            "#operations-account-get_me .live-responses-table tr.response .response-col_status",
            "200",
        )
        .await;
    assert!(status.contains("200"), "{status}");
    let body = browser
        .wait_for_text(
            "#operations-account-get_me .live-responses-table tr.response .response-col_description",
            email,
        )
        .await;
    assert!(body.contains("quality_officer"), "{body}");

    let origin = format!("{}/", app.url(""));
    let requests = browser.requests_seen().await;
    assert!(
        requests
            .iter()
            .any(|u| u.ends_with("/api/docs/swagger-ui-bundle.js")),
        "the log recorded the page's requests: {requests:?}"
    );
    assert!(
        requests.iter().any(|u| u.ends_with("/api/v1/me")),
        "the try-it call went out: {requests:?}"
    );
    let elsewhere: Vec<&String> = requests
        .iter()
        .filter(|u| !u.starts_with(&origin) && !u.starts_with("data:"))
        .collect();
    assert!(
        elsewhere.is_empty(),
        "requests to another origin: {elsewhere:?}"
    );
}

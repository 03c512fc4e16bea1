//! A National Key Technical School's re-evaluation taken from draft through recommendation
//! to approval by three people, entirely through the pages; the approval moves the title's
//! next re-evaluation date.

use accredit::db::Backend;
use serde_json::json;

use super::webdriver::Browser;
use crate::helpers::{TODAY, spawn_app};
use crate::world::{Actor, World};

async fn sign_in(browser: &Browser, app: &crate::helpers::TestApp, email: &str) {
    browser.sign_in(app, email).await;
    browser.wait_for_text("#home-title", "Welcome").await;
}

async fn sign_out(browser: &Browser) {
    browser.click("#sign-out").await;
    browser
        .wait_for_text("#landing-title", "accreditation record")
        .await;
}

#[tokio::test]
async fn reevaluation_from_draft_to_approval_with_three_people() {
    let Some(browser) = Browser::start("en-US,en").await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let world = World::build(&app).await;
    let holding = app
        .send(
            "POST",
            &format!("/api/v1/schools/{}/titles", world.school),
            world.token(Actor::ProvinceAdmin),
            Some(json!({"title_type_code": "national_key_technical_school", "awarded_on": "1998-03-01", "last_evaluated_on": "2005-06-30"})),
        )
        .await
        .json();

    // The quality officer prepares, documents and submits the re-evaluation.
    sign_in(&browser, &app, world.email(Actor::QualityOfficer).unwrap()).await;
    browser
        .goto(&app.url(&format!("/schools/{}/submissions", world.school)))
        .await;
    browser.select("#kind", "title_reevaluation").await;
    browser
        .type_into(
            "#title",
            "Re-evaluation of the National Key Technical School",
        )
        .await;
    browser
        .select("#school_title_id", &holding["id"].to_string())
        .await;
    browser.click("#submission-create").await;
    browser.wait_for_text("#done", "The draft is ready").await;
    let file = app.dir.path().join("self-evaluation.pdf");
    std::fs::write(
        &file,
        b"%PDF-1.7\n% self-evaluation report of Fuzhou No.2\n",
    )
    .unwrap();
    browser.type_into("#file", file.to_str().unwrap()).await;
    browser.click("#upload-submit").await;
    browser.wait_for_text("#done", "The file is uploaded").await;
    assert!(
        browser
            .text("#evidence")
            .await
            .contains("self-evaluation.pdf")
    );
    browser.click("#submit-button").await;
    browser
        .wait_for_text("#submission-status", "submitted")
        .await;
    sign_out(&browser).await;

    // The reviewer finds it in the queue and recommends it.
    sign_in(&browser, &app, world.email(Actor::Reviewer).unwrap()).await;
    browser.click("#nav-queue").await;
    browser
        .wait_for_text(
            "#queue-list",
            "Re-evaluation of the National Key Technical School",
        )
        .await;
    // Filter the queue down to re-evaluations, then open the one there.
    browser.select("#kind", "title_reevaluation").await;
    browser.click(".filters button").await;
    browser.wait_for_url("kind=title_reevaluation").await;
    let listed = browser.text("#queue-list").await;
    assert!(!listed.contains("Internal audit report"), "{listed}");
    browser.click(".queue-link").await;
    browser.wait_for_text("#decision", "Review").await;
    browser.select("#decision-choice", "recommend").await;
    browser
        .type_into(
            "#comment",
            "Self-evaluation complete; site visit confirmed the conditions.",
        )
        .await;
    browser.click("#decision-submit").await;
    browser
        .wait_for_text("#submission-status", "recommended")
        .await;
    sign_out(&browser).await;

    // The province admin signs it off.
    sign_in(&browser, &app, world.email(Actor::ProvinceAdmin).unwrap()).await;
    browser.click("#nav-queue").await;
    browser
        .wait_for_text(
            "#queue-list",
            "Re-evaluation of the National Key Technical School",
        )
        .await;
    // Filter the queue down to re-evaluations, then open the one there.
    browser.select("#kind", "title_reevaluation").await;
    browser.click(".filters button").await;
    browser.wait_for_url("kind=title_reevaluation").await;
    let listed = browser.text("#queue-list").await;
    assert!(!listed.contains("Internal audit report"), "{listed}");
    browser.click(".queue-link").await;
    browser.wait_for_text("#decision", "Sign-off").await;
    browser.select("#decision-choice", "approve").await;
    browser
        .type_into("#comment", "Approved: re-evaluated for five years.")
        .await;
    browser.click("#decision-submit").await;
    browser
        .wait_for_text("#submission-status", "approved")
        .await;
    let steps = browser.text("#events").await;
    assert!(
        steps.contains("Recommended") && steps.contains("Approved") && steps.contains("site visit"),
        "{steps}"
    );

    // The school page shows the new evaluation and the next due date.
    browser
        .goto(&app.url(&format!("/schools/{}", world.school)))
        .await;
    let titles = browser.wait_for_text("#titles", "2031-06-01").await;
    assert!(titles.contains(TODAY), "{titles}");
}

//! An officer records an internal audit with a major finding and plans its corrective
//! action, entirely through the pages.

use accredit::db::Backend;

use super::webdriver::Browser;
use crate::helpers::spawn_app;
use crate::world::{Actor, PASSWORD, World};

#[tokio::test]
async fn officer_records_an_audit_with_a_major_finding_and_plans_its_action() {
    let Some(browser) = Browser::start("en-US,en").await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let world = World::build(&app).await;

    browser.goto(&app.url("/login")).await;
    browser
        .type_into("#email", world.email(Actor::QualityOfficer).unwrap())
        .await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("#login-submit").await;
    browser.wait_for_text("#home-title", "Welcome").await;
    browser.click(".school-link").await;
    browser
        .wait_for_text("#school-name", "Fuzhou No.2 Senior Technical School")
        .await;

    // Record the audit.
    browser.click("#audit-add").await;
    browser.select("#kind", "internal").await;
    browser.type_into("#started_on", "03092026").await;
    browser.type_into("#lead_auditor", "Chen Jing").await;
    browser
        .type_into(
            "#summary",
            "Internal audit of the practical training workshops",
        )
        .await;
    browser.click("#audit-submit").await;
    browser
        .wait_for_text("#done", "The audit is recorded")
        .await;
    assert!(
        browser.text("#audit-title").await.contains("2026-03-09"),
        "the date typed in the date field"
    );

    // A major nonconformity against clause 8.5.1.
    browser.select("#clause", "8.5.1").await;
    browser.select("#grade", "major_nc").await;
    browser
        .type_into(
            "#description",
            "CNC practical training runs without a written work instruction",
        )
        .await;
    browser.click("#finding-submit").await;
    browser
        .wait_for_text("#done", "The finding is recorded")
        .await;
    let finding = browser.text(".finding h3").await;
    assert!(
        finding.contains("Major nonconformity")
            && finding.contains("8.5.1")
            && finding.contains("open"),
        "{finding}"
    );

    // Planning without an owner is refused with a clear message, and nothing is lost.
    browser.click(".finding-update").await;
    let id = browser.attribute(".finding", "id").await.unwrap();
    let n = id.trim_start_matches("finding-");
    browser
        .select(&format!("#status-{n}"), "action_planned")
        .await;
    browser
        .type_into(
            &format!("#root_cause-{n}"),
            "No work instructions were written for the new CNC lathes",
        )
        .await;
    browser
        .type_into(
            &format!("#corrective_action-{n}"),
            "Write and train the work instructions",
        )
        .await;
    browser.click(&format!("#{id} button[type=submit]")).await;
    browser
        .wait_for_text("#form-errors", "Corrective action")
        .await;

    // The form came back open with what was typed; adding the owner plans the action.
    let kept = browser.text(&format!("#root_cause-{n}")).await;
    assert!(
        kept.contains("No work instructions"),
        "typed text kept: {kept:?}"
    );
    browser
        .type_into(&format!("#action_owner-{n}"), "Workshop head Lin")
        .await;
    browser.click(&format!("#{id} button[type=submit]")).await;
    browser.wait_for_text("#done", "Saved").await;
    let card = browser.text(&format!("#{id}")).await;
    assert!(card.contains("action planned"), "{card}");
    assert!(
        card.contains("Workshop head Lin")
            && card.contains("Write and train the work instructions"),
        "{card}"
    );

    // The school page shows it among the open findings.
    browser
        .goto(&app.url(&format!("/schools/{}", world.school)))
        .await;
    browser
        .wait_for_text("#open-findings", "CNC practical training")
        .await;
}

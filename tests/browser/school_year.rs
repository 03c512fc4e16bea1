//! The whole school year through the pages, as the people do it: the bureau opens the
//! round; the officer uploads the filled-in template, explains a flag, writes the report's
//! sections, attaches the generated report and submits the year; the reviewer recommends;
//! a second province admin approves; the officer finds the year locked.

use accredit::db::Backend;
use serde_json::json;

use super::webdriver::Browser;
use crate::helpers::{fill_xlsx, spawn_app, template_cell};
use crate::world::{Actor, PASSWORD, World};

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
async fn the_year_from_the_round_to_the_lock() {
    let Some(browser) = Browser::start("en-US,en").await else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let world = World::build(&app).await;
    let school = world.school;
    // Last year is accepted (3,000 students), so that this year's 4,200 is flagged.
    world
        .accept_year(
            &app,
            school,
            2024,
            json!({"students": 3000, "teachers": 150, "campus_area_m2": 60000}),
        )
        .await;
    let admin = world.token(Actor::Admin).unwrap();
    let deputy = app
        .send(
            "POST",
            "/api/v1/users",
            Some(admin),
            Some(json!({"email": "deputy@fj.example", "name": "Deputy Zheng", "role": "province_admin", "password": PASSWORD, "province_id": world.province})),
        )
        .await;
    assert_eq!(deputy.status, 201, "{}", deputy.text);

    // The bureau opens the 2025 round on its page.
    sign_in(&browser, &app, world.email(Actor::ProvinceAdmin).unwrap()).await;
    browser.click("#nav-rounds").await;
    browser.wait_for_text("h1", "Status-data collection").await;
    browser.clear("#year").await;
    browser.type_into("#year", "2025").await;
    browser.set_value("#due_on", "2026-07-31").await;
    browser.click("#round-open").await;
    browser.wait_for_text("#done", "The round is open").await;
    let counts = browser.text("#round-counts").await;
    assert!(counts.contains("not started (2)"), "{counts}");
    sign_out(&browser).await;

    // The officer fills in the template with a program and uploads it on the page.
    sign_in(&browser, &app, world.email(Actor::QualityOfficer).unwrap()).await;
    let task = browser.wait_for_text("#home-years", "2025").await;
    assert!(task.contains("Fill in the 2025 status data"), "{task}");
    let officer = world.token(Actor::QualityOfficer).unwrap();
    let template = app
        .client
        .get(app.url(&format!(
            "/api/v1/schools/{school}/status-data/2025/template.xlsx"
        )))
        .bearer_auth(officer)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let filled = fill_xlsx(
        &template,
        &[
            (&template_cell(&template, "students"), "4200"),
            (&template_cell(&template, "teachers"), "160"),
            (&template_cell(&template, "campus_area_m2"), "60000"),
            (&template_cell(&template, "library_books"), "126000"),
        ],
    );
    let file = app.dir.path().join("status-2025.xlsx");
    std::fs::write(&file, filled).unwrap();
    browser.click(".year-task").await;
    browser.wait_for_text("#status-title", "2025").await;
    browser
        .type_into("#template-file", file.to_str().unwrap())
        .await;
    browser.click("#template-submit").await;
    browser
        .wait_for_text("#done", "The template was read")
        .await;
    let ratios = browser.text("#ratio-table").await;
    assert!(ratios.contains("26.25 students per teacher"), "{ratios}");
    // Students rose by 40 %: explained on the page.
    let flags = browser.text("#flags").await;
    assert!(
        flags.contains("Students enrolled") && flags.contains("40%"),
        "{flags}"
    );
    browser
        .type_into(
            "#x_students",
            "Two new programmes in elevator maintenance opened in autumn.",
        )
        .await;
    browser.click("#status-save").await;
    browser.wait_for_text("#done", "Saved").await;

    // The report: the sections written, the report generated and attached.
    browser.click("#report-link").await;
    browser
        .wait_for_text("#report-title", "Annual quality report")
        .await;
    browser
        .type_into(
            "#highlights",
            "Leads the province's technical schools in quality management.",
        )
        .await;
    browser
        .type_into(
            "#problems",
            "Too few workshop instructors; ten part-time teachers from industry in 2026.",
        )
        .await;
    browser.click("#report-save").await;
    browser.wait_for_text("#done", "Saved").await;
    browser.click("#report-attach-submit").await;
    browser.wait_for_text("#evidence", ".docx").await;
    browser.click("#submit-button").await;
    browser
        .wait_for_text("#submission-status", "submitted")
        .await;

    // And the year itself goes to the province.
    browser
        .goto(&app.url(&format!("/schools/{school}/status-data/2025")))
        .await;
    browser.click("#status-submit").await;
    browser
        .wait_for_text("#submission-status", "submitted")
        .await;
    browser
        .wait_for_text("#handed-in", "Two new programmes")
        .await;
    sign_out(&browser).await;

    // The reviewer sees the flag and its explanation first, and recommends.
    sign_in(&browser, &app, world.email(Actor::Reviewer).unwrap()).await;
    browser.click("#nav-queue").await;
    browser.select("#kind", "status_data").await;
    browser.click(".filters button").await;
    browser.wait_for_url("kind=status_data").await;
    browser.click(".queue-link").await;
    let handed_in = browser
        .wait_for_text("#handed-in-flags", "Students enrolled")
        .await;
    assert!(handed_in.contains("elevator maintenance"), "{handed_in}");
    browser.select("#decision-choice", "recommend").await;
    browser
        .type_into("#comment", "Figures consistent; the rise is explained.")
        .await;
    browser.click("#decision-submit").await;
    browser
        .wait_for_text("#submission-status", "recommended")
        .await;
    sign_out(&browser).await;

    // A second province admin approves.
    sign_in(&browser, &app, "deputy@fj.example").await;
    browser.click("#nav-queue").await;
    browser.select("#kind", "status_data").await;
    browser.click(".filters button").await;
    browser.wait_for_url("kind=status_data").await;
    browser.click(".queue-link").await;
    browser.wait_for_text("#decision", "Sign-off").await;
    browser.select("#decision-choice", "approve").await;
    browser.type_into("#comment", "Accepted.").await;
    browser.click("#decision-submit").await;
    browser
        .wait_for_text("#submission-status", "approved")
        .await;
    sign_out(&browser).await;

    // The officer finds the year locked.
    sign_in(&browser, &app, world.email(Actor::QualityOfficer).unwrap()).await;
    browser
        .goto(&app.url(&format!("/schools/{school}/status-data/2025")))
        .await;
    browser.wait_for_text("#locked-notice", "locked").await;
    browser.wait_for_text("#year-state", "accepted").await;
    let page = browser.page_text().await;
    assert!(
        !page.contains("Submit the year"),
        "no more submitting a locked year"
    );
}

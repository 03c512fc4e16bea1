//! The landing page and the language choice: cookie, else Accept-Language, else Chinese.

use crate::helpers::{TestApp, both_backends};

both_backends!(
    landing_page_is_chinese_by_default,
    accept_language_selects_english,
    the_language_cookie_wins_over_the_header,
    switching_language_sets_a_cookie_and_returns_to_the_page,
    stylesheet_is_served,
);

async fn landing_page_is_chinese_by_default(app: TestApp) {
    let reply = app.get("/").await;
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(reply.text.contains("<html lang=\"zh-CN\">"));
    assert!(reply.text.contains("学校的评估认证档案"));
    assert!(
        reply.text.contains("href=\"/lang/en?next=/\""),
        "a switch to English"
    );
}

async fn accept_language_selects_english(app: TestApp) {
    let reply = app
        .get_with("/", &[("Accept-Language", "en-GB,en;q=0.8,zh;q=0.5")])
        .await;
    assert!(reply.text.contains("<html lang=\"en\">"));
    assert!(
        reply
            .text
            .contains("The accreditation record of your school")
    );
}

async fn the_language_cookie_wins_over_the_header(app: TestApp) {
    let reply = app
        .get_with("/", &[("Accept-Language", "en"), ("Cookie", "lang=zh-CN")])
        .await;
    assert!(reply.text.contains("<html lang=\"zh-CN\">"));
}

async fn switching_language_sets_a_cookie_and_returns_to_the_page(app: TestApp) {
    let reply = app.get("/lang/en?next=/some/page").await;
    assert_eq!(reply.status, 303);
    assert_eq!(reply.header("location"), Some("/some/page"));
    let cookie = reply.header("set-cookie").unwrap();
    assert!(cookie.starts_with("lang=en"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let away = app.get("/lang/zh-CN?next=//evil.example/").await;
    assert_eq!(away.status, 303);
    assert_eq!(
        away.header("location"),
        Some("/"),
        "never redirects off the site"
    );

    let unknown = app.get("/lang/fr").await;
    assert_eq!(unknown.status, 404);
}

async fn stylesheet_is_served(app: TestApp) {
    let reply = app.get("/static/app.css").await;
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("text/css")
    );
    assert!(reply.text.contains(".top"));
}

both_backends!(figures_are_written_as_people_write_them);

/// The peer page: whole numbers whole and grouped, in both languages, and no negative
/// figure (days to a re-evaluation long past are said as "overdue by …": domain::numbers).
async fn figures_are_written_as_people_write_them(app: TestApp) {
    use crate::world::{Actor, World};
    let world = World::build(&app).await;
    world
        .accept_year(
            &app,
            world.school,
            2025,
            serde_json::json!({"students": 4200, "teachers": 210, "equipment_value_cny": 46000000}),
        )
        .await;
    let officer = world.token(Actor::QualityOfficer).unwrap();
    let cookie = format!("accredit_session={officer}");
    for lang in ["zh-CN", "en"] {
        let page = app
            .get_with(
                &format!("/schools/{}/peers", world.school),
                &[("Cookie", &cookie), ("Accept-Language", lang)],
            )
            .await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(page.text.contains(">4,200<"), "{lang}: grouped");
        assert!(page.text.contains(">46,000,000<"), "{lang}: grouped");
        let cells: Vec<&str> = page
            .text
            .split("<td class=\"num\">")
            .skip(1)
            .map(|c| c.split('<').next().unwrap())
            .collect();
        for cell in &cells {
            assert!(!cell.ends_with(".0"), "{lang}: {cell}");
            assert!(!cell.starts_with('-'), "{lang}: {cell}");
        }
    }
}

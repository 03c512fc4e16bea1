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

//! Every failure answers the contract's shape: JSON for the API, an HTML page for pages.

use serde_json::json;

use crate::helpers::{TestApp, both_backends};
use crate::world::create_admin;

both_backends!(
    validation_messages_are_in_the_readers_language,
    unknown_api_routes_answer_json_404,
    wrong_method_on_a_known_route_is_405_with_allow,
    unknown_pages_answer_a_localised_html_404,
    a_long_address_is_refused_with_the_contract_error,
);

/// An address past 8 KiB (a 100 KB path once got actix-http's bare 400) answers 414 with the
/// contract's body on the API and a page elsewhere, in the reader's language; one just under
/// the limit is served as usual.
async fn a_long_address_is_refused_with_the_contract_error(app: TestApp) {
    let long = "a".repeat(9 * 1024);
    let reply = app
        .get_with(
            &format!("/api/v1/schools/{long}"),
            &[("Accept-Language", "zh-CN")],
        )
        .await;
    assert_eq!(reply.status, 414);
    assert_eq!(reply.error_code(), "uri_too_long");
    assert!(
        reply.text.contains("8 KiB") && reply.text.contains("请求地址"),
        "{}",
        reply.text
    );

    let reply = app.get(&format!("/api/v1/provinces?q={long}")).await;
    assert_eq!(reply.status, 414);
    assert!(reply.text.contains("longer than 8 KiB"), "{}", reply.text);

    let page = app.get(&format!("/schools/{long}")).await;
    assert_eq!(page.status, 414);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text.contains("uri_too_long"), "{}", page.text);

    let under = "a".repeat(8 * 1024 - "/api/v1/schools/".len());
    let reply = app.get(&format!("/api/v1/schools/{under}")).await;
    assert_eq!(
        reply.status, 401,
        "just under the limit, the route's own answer"
    );
}

async fn unknown_api_routes_answer_json_404(app: TestApp) {
    for (method, path) in [
        ("GET", "/api/v1/no-such-thing"),
        ("POST", "/api/v1/schools/999/nothing"),
        ("DELETE", "/api"),
        ("GET", "/api/v2/openapi.json"),
    ] {
        let reply = app.request(method, path, None).await;
        assert_eq!(reply.status, 404, "{method} {path}");
        assert!(
            reply
                .header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
        assert_eq!(reply.error_code(), "not_found", "{method} {path}");
    }
}

async fn wrong_method_on_a_known_route_is_405_with_allow(app: TestApp) {
    let reply = app.request("DELETE", "/api/v1/openapi.json", None).await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.error_code(), "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("GET"));
}

async fn unknown_pages_answer_a_localised_html_404(app: TestApp) {
    let zh = app.get("/no-such-page").await;
    assert_eq!(zh.status, 404);
    assert!(zh.header("content-type").unwrap().starts_with("text/html"));
    assert!(zh.text.contains("<html lang=\"zh-CN\">"));
    assert!(zh.text.contains("页面不存在"), "{}", zh.text);

    let en = app
        .get_with("/no-such-page", &[("Accept-Language", "en-US,en;q=0.9")])
        .await;
    assert_eq!(en.status, 404);
    assert!(en.text.contains("<html lang=\"en\">"));
    assert!(en.text.contains("This page does not exist"));
}

async fn validation_messages_are_in_the_readers_language(app: TestApp) {
    create_admin(&app, "admin@accredit.example");
    let admin = app.token("admin@accredit.example").await;
    let body = json!({"code": "F", "name": "  "});
    for (accept, name, code, message) in [
        (
            None,
            "must not be empty",
            "must be 2 to 10 letters or digits, e.g. FJ",
            "validation failed",
        ),
        (
            Some("en-GB,en;q=0.9"),
            "must not be empty",
            "must be 2 to 10 letters or digits, e.g. FJ",
            "validation failed",
        ),
        (
            Some("zh-CN,zh;q=0.9,en;q=0.8"),
            "不能为空",
            "必须是 2 至 10 个字母或数字，如 FJ",
            "填写的内容有误",
        ),
    ] {
        let headers: Vec<(&str, &str)> = accept.iter().map(|a| ("Accept-Language", *a)).collect();
        let reply = app
            .send_with(
                "POST",
                "/api/v1/provinces",
                Some(&admin),
                Some(body.clone()),
                &headers,
            )
            .await;
        assert_eq!(reply.status, 422, "{}", reply.text);
        assert_eq!(reply.error_code(), "validation_failed");
        let error = &reply.json()["error"];
        assert_eq!(error["fields"]["name"], name, "{accept:?}");
        assert_eq!(error["fields"]["code"], code, "{accept:?}");
        assert_eq!(error["message"], message, "{accept:?}");
    }
    // Other errors follow the same rule.
    let reply = app
        .send_with(
            "GET",
            "/api/v1/schools/99999",
            Some(&admin),
            None,
            &[("Accept-Language", "zh-CN")],
        )
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["error"]["message"], "未找到");
}

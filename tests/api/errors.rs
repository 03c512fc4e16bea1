//! Every failure answers the contract's shape: JSON for the API, an HTML page for pages.

use crate::helpers::{TestApp, both_backends};

both_backends!(
    unknown_api_routes_answer_json_404,
    wrong_method_on_a_known_route_is_405_with_allow,
    unknown_pages_answer_a_localised_html_404,
);

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

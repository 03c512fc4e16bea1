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

/// Issue 26: a PostgreSQL connection lost in the middle of a request is the database being
/// away: 503 `service_unavailable` with `Retry-After` (it answered 500), nothing written,
/// and the same request succeeds once the database answers again. The request is held
/// mid-way deterministically: the test takes the history's advisory lock, so the write
/// waits on it inside its transaction, and then its backend is terminated.
#[tokio::test]
async fn a_connection_lost_mid_request_answers_503_with_retry_after() {
    use accredit::db::Backend;
    use diesel::{Connection, PgConnection, RunQueryDsl};

    use crate::world::World;

    #[derive(diesel::QueryableByName)]
    struct Waiting {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }

    let Some(app) = crate::helpers::spawn_app(Backend::Postgres).await else {
        return;
    };
    let world = World::build(&app).await;
    let officer = world.officer(&app);
    let first = json!({"highlights": "第一稿。", "problems": null});
    let reply = officer.write_annual_report(world.school, 2025, first).await;
    assert_eq!(reply.status, 200, "{}", reply.text);

    let mut holder = PgConnection::establish(&app.database.url()).unwrap();
    diesel::sql_query("SELECT pg_advisory_lock(29389342173524601)")
        .execute(&mut holder)
        .unwrap();
    let second = json!({"highlights": "第二稿。", "problems": null});
    let request = officer.write_annual_report(world.school, 2025, second.clone());
    let killer = async {
        let mut admin = PgConnection::establish(&app.database.url()).unwrap();
        for _ in 0..200 {
            let waiting: Vec<Waiting> = diesel::sql_query(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
                 AND wait_event_type = 'Lock' AND wait_event = 'advisory' \
                 AND pid <> pg_backend_pid()",
            )
            .load(&mut admin)
            .unwrap();
            if let Some(w) = waiting.first() {
                diesel::sql_query(format!("SELECT pg_terminate_backend({})", w.pid))
                    .execute(&mut admin)
                    .unwrap();
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        false
    };
    let (reply, killed) = tokio::join!(request, killer);
    assert!(killed, "the write never waited on the lock");
    assert_eq!(reply.status, 503, "{}", reply.text);
    assert_eq!(reply.error_code(), "service_unavailable");
    let retry: u64 = reply.header("Retry-After").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "Retry-After: {retry}");
    diesel::sql_query("SELECT pg_advisory_unlock(29389342173524601)")
        .execute(&mut holder)
        .unwrap();

    let page = officer.annual_report(world.school, 2025, "").await;
    assert!(page.text.contains("第一稿。") && !page.text.contains("第二稿。"));
    let again = officer
        .write_annual_report(world.school, 2025, second)
        .await;
    assert_eq!(again.status, 200, "{}", again.text);
}

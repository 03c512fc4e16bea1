use crate::helpers::{TestApp, both_backends};

both_backends!(
    healthz_does_a_database_round_trip,
    responses_carry_security_headers_and_request_id
);

async fn healthz_does_a_database_round_trip(app: TestApp) {
    let reply = app.health().await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(
        (body["status"].as_str(), body["database"].as_str()),
        (Some("ok"), Some("ok"))
    );
    // The test's directory is on this machine's disk: plenty, or low on a small one.
    assert!(
        matches!(body["storage"].as_str(), Some("ok" | "low")),
        "{body}"
    );
    assert_eq!(reply.header("content-type"), Some("application/json"));
}

async fn responses_carry_security_headers_and_request_id(app: TestApp) {
    for path in ["/healthz", "/", "/no-such-page", "/api/v1/no-such-route"] {
        let reply = app.get(path).await;
        let csp = reply.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            reply.header("referrer-policy"),
            Some("same-origin"),
            "{path}"
        );
        assert_eq!(reply.header("x-frame-options"), Some("DENY"), "{path}");
        let id = reply.header("x-request-id").unwrap_or_default();
        assert_eq!(id.len(), 36, "{path}: request id {id:?}");
    }
}

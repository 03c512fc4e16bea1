//! Signing in and out, tokens, throttling, and the account lifecycle.

use accredit::auth::token::TokenKeys;
use accredit::config::Secret;
use serde_json::json;

use crate::helpers::{TestApp, both_backends};
use crate::world::{Actor, PASSWORD, World, create_admin};

both_backends!(
    login_answers_a_token_and_the_user,
    wrong_password_and_unknown_email_look_the_same,
    the_sixth_attempt_after_five_failures_is_refused_even_with_the_right_password,
    forged_expired_revoked_and_garbage_tokens_are_refused,
    signing_out_ends_the_session,
    deactivation_ends_sessions_and_sign_in,
    changing_the_password_ends_every_session,
    role_changes_apply_at_the_next_request,
    validation_names_each_bad_field,
    malformed_bodies_are_400_and_nothing_is_written,
    stale_versions_conflict,
);

async fn login_answers_a_token_and_the_user(app: TestApp) {
    create_admin(&app, "admin@accredit.example");
    let reply = app.login("ADMIN@accredit.example ", PASSWORD).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    assert!(body["token"].as_str().unwrap().len() > 40);
    let expires = body["expires_at"].as_str().unwrap();
    assert!(
        expires.ends_with('Z') && expires.contains('T'),
        "RFC 3339 UTC: {expires}"
    );
    assert_eq!(body["user"]["email"], "admin@accredit.example");
    assert_eq!(body["user"]["role"], "admin");
    assert!(body["user"].get("password_hash").is_none());

    let me = app.me(body["token"].as_str()).await;
    assert_eq!(me.status, 200);
    let me = me.json();
    for key in ["id", "email", "name", "role", "province_id", "school_id"] {
        assert!(me.get(key).is_some(), "/me lacks {key}: {me}");
    }
}

async fn wrong_password_and_unknown_email_look_the_same(app: TestApp) {
    create_admin(&app, "admin@accredit.example");
    let wrong = app
        .login("admin@accredit.example", "not the password")
        .await;
    let unknown = app
        .login("nobody@accredit.example", "not the password")
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong.error_code(), "invalid_credentials");
    assert_eq!(wrong.json()["error"], unknown.json()["error"]);
}

async fn the_sixth_attempt_after_five_failures_is_refused_even_with_the_right_password(
    app: TestApp,
) {
    create_admin(&app, "admin@accredit.example");
    create_admin(&app, "other@accredit.example");
    for _ in 0..5 {
        assert_eq!(
            app.login("admin@accredit.example", "wrong password!")
                .await
                .status,
            401
        );
    }
    let sixth = app.login("admin@accredit.example", PASSWORD).await;
    assert_eq!(sixth.status, 429, "{}", sixth.text);
    assert_eq!(sixth.error_code(), "too_many_requests");
    let wait: u64 = sixth.header("retry-after").unwrap().parse().unwrap();
    assert!(wait > 800 && wait <= 900, "about 15 minutes: {wait}");
    // Another account from the same address is not locked by it.
    assert_eq!(
        app.login("other@accredit.example", PASSWORD).await.status,
        200
    );
}

async fn forged_expired_revoked_and_garbage_tokens_are_refused(app: TestApp) {
    create_admin(&app, "admin@accredit.example");
    let good = app.token("admin@accredit.example").await;
    assert_eq!(app.me(Some(&good)).await.status, 200);

    let secret = std::fs::read_to_string(app.dir.path().join("jwt-secret")).unwrap();
    let ours = TokenKeys::new(&Secret::new(secret));
    let theirs = TokenKeys::new(&Secret::new("x".repeat(64)));
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let sid = "not-a-session";
    let forged = theirs.issue(1, sid, now, now + 600).unwrap();
    let expired = ours.issue(1, sid, now - 7200, now - 3600).unwrap();
    let unknown_session = ours.issue(1, sid, now, now + 600).unwrap();
    let tampered = {
        let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
        parts[2] = parts[2].chars().rev().collect();
        parts.join(".")
    };
    for (what, header) in [
        ("forged", format!("Bearer {forged}")),
        ("expired", format!("Bearer {expired}")),
        ("unknown session", format!("Bearer {unknown_session}")),
        ("tampered", format!("Bearer {tampered}")),
        ("garbage", "Bearer garbage".to_owned()),
        ("empty", "Bearer ".to_owned()),
        ("basic", "Basic YWRtaW46YWRtaW4=".to_owned()),
    ] {
        let reply = app
            .client
            .get(app.url("/api/v1/me"))
            .header("Authorization", header)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status().as_u16(), 401, "{what}");
    }
    let none = app.me(None).await;
    assert_eq!(none.status, 401);
    assert_eq!(none.error_code(), "unauthorized");
}

async fn signing_out_ends_the_session(app: TestApp) {
    create_admin(&app, "admin@accredit.example");
    let first = app.token("admin@accredit.example").await;
    let second = app.token("admin@accredit.example").await;
    assert_eq!(app.with_token(&first).sign_out().await.status, 204);
    assert_eq!(app.me(Some(&first)).await.status, 401);
    assert_eq!(
        app.me(Some(&second)).await.status,
        200,
        "other sessions live on"
    );
}

async fn deactivation_ends_sessions_and_sign_in(app: TestApp) {
    let world = World::build(&app).await;
    let officer = world.token(Actor::QualityOfficer).unwrap();
    let me = app.me(Some(officer)).await.json();
    let id = me["id"].as_i64().unwrap();
    let reply = world
        .bureau(&app)
        .update_user(id, json!({"active": false}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["active"], false);
    assert_eq!(app.me(Some(officer)).await.status, 401);
    let login = app
        .login(world.email(Actor::QualityOfficer).unwrap(), PASSWORD)
        .await;
    assert_eq!(login.status, 401);
    assert_eq!(login.error_code(), "invalid_credentials");
    // Nobody deactivates themselves.
    let admin_me = app.me(world.token(Actor::Admin)).await.json();
    let reply = world
        .admin(&app)
        .update_user(&admin_me["id"], json!({"active": false}))
        .await;
    assert_eq!(reply.status, 422);
    assert!(reply.json()["error"]["fields"]["active"].is_string());
}

async fn changing_the_password_ends_every_session(app: TestApp) {
    create_admin(&app, "admin@accredit.example");
    let first = app.token("admin@accredit.example").await;
    let second = app.token("admin@accredit.example").await;
    let short = app
        .with_token(&first)
        .change_password(json!({"current_password": PASSWORD, "new_password": "short"}))
        .await;
    assert_eq!(short.status, 422);
    assert!(short.json()["error"]["fields"]["new_password"].is_string());
    let reply = app
        .with_token(&first)
        .change_password(
            json!({"current_password": PASSWORD, "new_password": "a brand new password"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let fresh = reply.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(app.me(Some(&first)).await.status, 401);
    assert_eq!(app.me(Some(&second)).await.status, 401);
    assert_eq!(app.me(Some(&fresh)).await.status, 200);
    assert_eq!(
        app.login("admin@accredit.example", PASSWORD).await.status,
        401
    );
    assert_eq!(
        app.login("admin@accredit.example", "a brand new password")
            .await
            .status,
        200
    );
}

async fn role_changes_apply_at_the_next_request(app: TestApp) {
    let world = World::build(&app).await;
    let reviewer = world.reviewer(&app);
    assert_eq!(
        reviewer
            .update_school(world.school, json!({"city": "Fuzhou"}))
            .await
            .status,
        403
    );
    let me = app.me(reviewer.token()).await.json();
    let reply = world
        .admin(&app)
        .update_user(&me["id"], json!({"role": "province_admin"}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reviewer
            .update_school(world.school, json!({"city": "Fuzhou"}))
            .await
            .status,
        200
    );
    // A province admin cannot make anyone an admin.
    let reply = world
        .bureau(&app)
        .update_user(world.colleague, json!({"role": "admin"}))
        .await;
    assert_eq!(reply.status, 403);
}

async fn validation_names_each_bad_field(app: TestApp) {
    let world = World::build(&app).await;
    let admin = world.admin(&app);
    let reply = admin
        .create_user(
            json!({"email": "no-at-sign", "name": "", "role": "boss", "password": "short"}),
        )
        .await;
    assert_eq!(reply.status, 422);
    let fields = reply.json()["error"]["fields"].clone();
    for field in ["email", "name", "role", "password"] {
        assert!(fields[field].is_string(), "{field} not named: {fields}");
    }
    let reply = admin.create_user(json!({"email": "qo2@x.example", "name": "QO", "role": "quality_officer", "password": PASSWORD, "province_id": world.other_province, "school_id": world.school}))
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.json()["error"]["fields"]["school_id"],
        "is not in the given province"
    );
    let reply = admin
        .create_user(
            json!({"email": "r2@x.example", "name": "R", "role": "reviewer", "password": PASSWORD}),
        )
        .await;
    assert_eq!(reply.status, 422);
    assert!(reply.json()["error"]["fields"]["province_id"].is_string());
    let duplicate = admin.create_user(json!({"email": world.email(Actor::Reviewer), "name": "R", "role": "reviewer", "password": PASSWORD, "province_id": world.province}))
        .await;
    assert_eq!(duplicate.status, 409);
    assert_eq!(duplicate.error_code(), "duplicate_email");
    let reply = admin.create_school(json!({"province_id": world.province, "name": " ", "city": "", "kind": "university", "founded_year": 1200}))
        .await;
    assert_eq!(reply.status, 422);
    let fields = reply.json()["error"]["fields"].clone();
    for field in ["name", "city", "kind", "founded_year"] {
        assert!(fields[field].is_string(), "{field} not named: {fields}");
    }
    let reply = admin
        .create_province(json!({"code": "F", "name": ""}))
        .await;
    assert_eq!(reply.status, 422);
    let fields = reply.json()["error"]["fields"].clone();
    assert!(
        fields["code"].is_string() && fields["name"].is_string(),
        "{fields}"
    );
}

async fn malformed_bodies_are_400_and_nothing_is_written(app: TestApp) {
    let world = World::build(&app).await;
    let admin = world.admin(&app);
    let before = admin.schools("").await.json();
    for (body, code) in [
        ("{\"province_id\": 1,", "malformed_json"),
        (
            "{\"province_id\": \"one\", \"name\": \"x\", \"city\": \"y\", \"kind\": \"technical_school\"}",
            "invalid_body",
        ),
        (
            "{\"province_id\": 1, \"name\": \"x\", \"city\": \"y\", \"kind\": \"technical_school\", \"colour\": \"red\"}",
            "invalid_body",
        ),
        ("[]", "invalid_body"),
    ] {
        let reply = app
            .client
            .post(app.url("/api/v1/schools"))
            .bearer_auth(admin.token().unwrap())
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status().as_u16(), 400, "{body}");
        let json: serde_json::Value = reply.json().await.unwrap();
        assert_eq!(json["error"]["code"], code, "{body}");
    }
    let text = app
        .client
        .post(app.url("/api/v1/schools"))
        .bearer_auth(admin.token().unwrap())
        .header("Content-Type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(text.status().as_u16(), 415);
    let after = admin.schools("").await.json();
    assert_eq!(before, after, "no school was written");
}

async fn stale_versions_conflict(app: TestApp) {
    let world = World::build(&app).await;
    let officer = world.officer(&app);
    let school = officer.school(world.school).await.json();
    let version = school["version"].as_i64().unwrap();
    let first = officer
        .update_school(world.school, json!({"city": "Fuzhou", "version": version}))
        .await;
    assert_eq!(first.status, 200);
    assert_eq!(first.json()["version"], version + 1);
    let stale = officer
        .update_school(world.school, json!({"city": "Mawei", "version": version}))
        .await;
    assert_eq!(stale.status, 409);
    assert_eq!(stale.error_code(), "stale_version");
    let now = officer.school(world.school).await.json();
    assert_eq!(now["city"], "Fuzhou");
}

//! The graded-protection controls (等级保护): the access log, the idle end of a page
//! session, the password classes and the first change of a password someone else chose,
//! and the identity-platform id of an account.

use accredit::db::schema::sessions;
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, both_backends, both_backends_with};
use crate::web_pages::Visitor;
use crate::world::{Actor, PASSWORD, World};

both_backends!(
    every_sign_in_and_sign_out_is_in_the_access_log,
    a_page_session_ends_after_the_idle_minutes,
    an_account_is_given_its_identity_platform_id
);

both_backends_with!(
    [("ACCREDIT_PASSWORD_CLASSES", "3"), ("ACCREDIT_FIRST_PASSWORD_CHANGE", "true")];
    an_account_set_up_by_someone_else_chooses_its_own_password_first
);

/// Signs in through the API as a named browser would.
async fn login_as(app: &TestApp, email: &str, password: &str, agent: &str) -> Reply {
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("User-Agent", agent)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        text: response.text().await.unwrap(),
    }
}

fn entries_of<'a>(log: &'a Value, email: &str) -> Vec<&'a Value> {
    log.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["email"] == email)
        .collect()
}

async fn every_sign_in_and_sign_out_is_in_the_access_log(app: TestApp) {
    let world = World::build(&app).await;
    let admin = world.client(&app, Actor::Admin);
    let bureau = world.bureau(&app);
    let officer_email = world.email(Actor::QualityOfficer).unwrap().to_owned();

    // A wrong password, an address no account has, then a sign-in and a sign-out.
    let wrong = login_as(&app, &officer_email, "not the password", "Agent/Wrong").await;
    assert_eq!(wrong.status, 401);
    let stranger = login_as(&app, "nobody@nowhere.example", PASSWORD, "Agent/Stranger").await;
    assert_eq!(stranger.status, 401);
    let signed_in = login_as(&app, &officer_email, PASSWORD, "Agent/Officer 1.0").await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.text);
    let token = signed_in.json()["token"].as_str().unwrap().to_owned();
    let out = app.with_token(&token).sign_out().await;
    assert_eq!(out.status, 204);

    // The admin reads all of it, newest first, with the address and the user agent.
    let log = admin.access_log("?limit=200").await;
    assert_eq!(log.status, 200, "{}", log.text);
    let log = log.json();
    let officer_entries = entries_of(&log, &officer_email);
    let (last_out, last_in, failed) = (officer_entries[0], officer_entries[1], officer_entries[2]);
    assert_eq!(last_out["event"], "sign_out");
    assert_eq!(last_out["succeeded"], true);
    assert_eq!(last_in["event"], "sign_in");
    assert_eq!(last_in["method"], "password");
    assert_eq!(last_in["user_agent"], "Agent/Officer 1.0");
    assert_eq!(last_in["client_addr"], "127.0.0.1");
    assert!(last_in["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(failed["succeeded"], false);
    assert_eq!(failed["reason"], "invalid_credentials");
    assert_eq!(failed["user_agent"], "Agent/Wrong");
    assert!(
        failed["user_id"].is_i64(),
        "a known address names its account"
    );
    let unknown = entries_of(&log, "nobody@nowhere.example");
    assert_eq!(unknown.len(), 1);
    assert!(unknown[0]["user_id"].is_null());
    // Only the failures, when asked.
    let failures = admin.access_log("?succeeded=false&limit=200").await.json();
    assert!(
        failures
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["succeeded"] == false)
    );
    assert_eq!(failures.as_array().unwrap().len(), 2);

    // The province admin reads their province's accounts' entries: not Zhejiang's, not
    // an address no account has.
    let theirs = bureau.access_log("?limit=200").await;
    assert_eq!(theirs.status, 200, "{}", theirs.text);
    let theirs = theirs.json();
    assert_eq!(
        entries_of(&theirs, &officer_email).len(),
        officer_entries.len()
    );
    assert!(entries_of(&theirs, "pa@zj.example").is_empty());
    assert!(entries_of(&theirs, "officer@wenzhou.example").is_empty());
    assert!(entries_of(&theirs, "nobody@nowhere.example").is_empty());
    assert!(!entries_of(&log, "pa@zj.example").is_empty());

    // No one else reads it.
    for actor in [Actor::Reviewer, Actor::QualityOfficer, Actor::Expert] {
        let denied = world.client(&app, actor).get("/api/v1/access-log").await;
        assert_eq!(denied.status, 403, "{actor:?}");
    }

    // The CSV has every entry the reader may see, with a header.
    let csv = admin.access_log("?format=csv").await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = csv.text.lines().collect();
    assert!(
        lines[0]
            .trim_start_matches('\u{feff}')
            .starts_with("at,event,method,succeeded,reason"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len() - 1, log.as_array().unwrap().len());
    assert!(csv.text.contains("Agent/Officer 1.0"));
    let bad = admin.access_log("?from=yesterday").await;
    assert_eq!(bad.status, 422);
    assert!(bad.json()["error"]["fields"]["from"].is_string());

    // The page shows the same, and its CSV too.
    let mut visitor = Visitor::new(&app);
    visitor
        .sign_in(world.email(Actor::ProvinceAdmin).unwrap(), PASSWORD)
        .await;
    let page = visitor.get("/admin/access-log?only=failed").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains(&officer_email));
    assert!(!page.text.contains("nobody@nowhere.example"));
    let download = visitor.get("/admin/access-log.csv").await;
    assert_eq!(download.status, 200);
    assert!(download.text.contains(&officer_email));
}

async fn a_page_session_ends_after_the_idle_minutes(app: TestApp) {
    let world = World::build(&app).await;
    let email = world.email(Actor::Reviewer).unwrap().to_owned();
    let mut visitor = Visitor::new(&app);
    let signed_in = visitor.sign_in(&email, PASSWORD).await;
    assert_eq!(signed_in.status, 303);
    assert_eq!(visitor.get("/home").await.status, 200);
    // An API token is not a page session: the idle time does not end it.
    let token = app.token(&email).await;

    // Half an hour without a request (the default idle time) passes.
    let db = app.db();
    let mut conn = db.get().unwrap();
    let earlier = accredit::clock::now_utc() - time::Duration::minutes(31);
    diesel::update(sessions::table.filter(sessions::page.eq(true)))
        .set(sessions::last_seen_at.eq(earlier))
        .execute(&mut conn)
        .unwrap();
    drop(conn);

    let after = visitor.get("/home").await;
    assert_eq!(after.status, 303, "the page session has ended");
    assert!(
        after
            .header("location")
            .unwrap()
            .starts_with("/login?next=")
    );
    // It stays ended (the cookie is no longer a session).
    assert_eq!(visitor.get("/home").await.status, 303);
    let me = app.with_token(&token).me().await;
    assert_eq!(me.status, 200, "the API token is still good");

    // The end is in the access log.
    let log = world
        .client(&app, Actor::Admin)
        .get("/api/v1/access-log")
        .await
        .json();
    let idle: Vec<&Value> = entries_of(&log, &email)
        .into_iter()
        .filter(|e| e["event"] == "idle_timeout")
        .collect();
    assert_eq!(idle.len(), 1, "{log}");

    // A session used within the idle time goes on.
    let mut visitor = Visitor::new(&app);
    visitor.sign_in(&email, PASSWORD).await;
    let mut conn = db.get().unwrap();
    let recently = accredit::clock::now_utc() - time::Duration::minutes(29);
    diesel::update(
        sessions::table
            .filter(sessions::page.eq(true))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::last_seen_at.eq(recently))
    .execute(&mut conn)
    .unwrap();
    drop(conn);
    assert_eq!(visitor.get("/home").await.status, 200);
}

async fn an_account_set_up_by_someone_else_chooses_its_own_password_first(app: TestApp) {
    crate::world::create_admin(&app, "root@accredit.example");
    let root = app.token("root@accredit.example").await;
    let province = app
        .with_token(&root)
        .create_province(json!({"code": "FJ", "name": "Fujian", "name_zh": "福建省"}))
        .await
        .id();
    let new_user = |password: &str| {
        json!({"email": "reviewer@fj.example", "name": "审核员", "role": "reviewer",
            "password": password, "province_id": province})
    };
    // Three classes of characters under graded protection.
    let weak = app
        .with_token(&root)
        .create_user(new_user("onlylowercase letters"))
        .await;
    assert_eq!(weak.status, 422);
    assert!(
        weak.json()["error"]["fields"]["password"]
            .as_str()
            .unwrap()
            .contains("3 kinds"),
        "{}",
        weak.text
    );
    let chinese = app
        .send_with(
            "POST",
            "/api/v1/users",
            Some(&root),
            Some(new_user("onlylowercase letters")),
            &[("Accept-Language", "zh-CN")],
        )
        .await;
    assert!(
        chinese.json()["error"]["fields"]["password"]
            .as_str()
            .unwrap()
            .contains("3 类"),
        "{}",
        chinese.text
    );
    let created = app
        .with_token(&root)
        .create_user(new_user("Initial pass 2026"))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json()["password_change_required"], true);

    // The first sign-in opens a session that may only change the password.
    let login = app.login("reviewer@fj.example", "Initial pass 2026").await;
    assert_eq!(login.status, 200);
    assert_eq!(login.json()["user"]["password_change_required"], true);
    let token = login.json()["token"].as_str().unwrap().to_owned();
    let held = app.with_token(&token).schools("").await;
    assert_eq!(held.status, 403);
    assert_eq!(held.error_code(), "password_change_required");
    let me = app.with_token(&token).me().await;
    assert_eq!(me.status, 200);
    for (new_password, field_problem) in
        [("Initial pass 2026", "differ"), ("alllowercase", "3 kinds")]
    {
        let refused = app
            .with_token(&token)
            .change_password(
                json!({"current_password": "Initial pass 2026", "new_password": new_password}),
            )
            .await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert!(
            refused.json()["error"]["fields"]["new_password"]
                .as_str()
                .unwrap()
                .contains(field_problem),
            "{}",
            refused.text
        );
    }
    let changed = app
        .with_token(&token)
        .change_password(
            json!({"current_password": "Initial pass 2026", "new_password": "My own Pass 77"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let token = changed.json()["token"].as_str().unwrap().to_owned();
    let free = app.with_token(&token).schools("").await;
    assert_eq!(free.status, 200, "{}", free.text);
    let again = app.login("reviewer@fj.example", "My own Pass 77").await;
    assert_eq!(again.json()["user"]["password_change_required"], false);

    // The pages send such an account to choose its password, and hold it there.
    let second = app
        .with_token(&root)
        .create_user(
            json!({"email": "viewer@fj.example", "name": "Viewer", "role": "reviewer",
                "password": "Initial pass 2026", "province_id": province}),
        )
        .await;
    assert_eq!(second.status, 201);
    let mut visitor = Visitor::new(&app);
    let signed_in = visitor
        .sign_in("viewer@fj.example", "Initial pass 2026")
        .await;
    assert_eq!(signed_in.status, 303);
    assert_eq!(
        signed_in.header("location"),
        Some("/account?done=password_required")
    );
    let elsewhere = visitor.get("/home").await;
    assert_eq!(elsewhere.status, 303);
    assert_eq!(
        elsewhere.header("location"),
        Some("/account?done=password_required")
    );
    let account = visitor.get("/account?done=password_required").await;
    assert_eq!(account.status, 200);
    assert!(account.text.contains("id=\"password-required\""));
    let csrf = visitor.csrf.clone();
    let chosen = visitor
        .post(
            "/account/password",
            &[
                ("csrf_token", &csrf),
                ("current_password", "Initial pass 2026"),
                ("new_password", "Chosen Pass 2027"),
            ],
        )
        .await;
    assert_eq!(chosen.status, 303, "{}", chosen.text);
    assert_eq!(visitor.get("/home").await.status, 200);
}

async fn an_account_is_given_its_identity_platform_id(app: TestApp) {
    let world = World::build(&app).await;
    let admin = world.client(&app, Actor::Admin);
    let bureau = world.bureau(&app);
    let set = bureau
        .update_user(world.colleague, json!({"external_id": " 20190001 "}))
        .await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.json()["external_id"], "20190001");
    // Another account may not have the same id.
    let taken = admin
        .update_user(world.foreign_user, json!({"external_id": "20190001"}))
        .await;
    assert_eq!(taken.status, 409, "{}", taken.text);
    assert_eq!(taken.error_code(), "external_id_taken");
    // A province admin sets no id of another province's account.
    let foreign = bureau
        .update_user(world.foreign_user, json!({"external_id": "zj-1"}))
        .await;
    assert_eq!(foreign.status, 404);
    let cleared = bureau
        .update_user(world.colleague, json!({"external_id": null}))
        .await;
    assert_eq!(cleared.status, 200);
    assert!(cleared.json()["external_id"].is_null());

    // The users page sets it too.
    let mut visitor = Visitor::new(&app);
    visitor
        .sign_in(world.email(Actor::ProvinceAdmin).unwrap(), PASSWORD)
        .await;
    let page = visitor.get("/admin/users").await;
    assert!(
        page.text
            .contains(&format!("/admin/users/{}/external-id", world.colleague))
    );
    let csrf = visitor.csrf.clone();
    let saved = visitor
        .post(
            &format!("/admin/users/{}/external-id", world.colleague),
            &[("csrf_token", &csrf), ("external_id", "cas-reviewer")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let user = bureau.user(world.colleague).await.json();
    assert_eq!(user["external_id"], "cas-reviewer");
    let control = visitor
        .post(
            &format!("/admin/users/{}/external-id", world.colleague),
            &[("csrf_token", &csrf), ("external_id", "bad\u{7}id")],
        )
        .await;
    assert_eq!(control.status, 422);
    assert!(control.text.contains("id=\"external-id-error\""));
}

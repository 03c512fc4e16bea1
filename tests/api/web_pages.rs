//! The pages over plain HTTP: sign-in with CSRF, the session cookie, scoping, sign-out.

use std::collections::BTreeMap;

use serde_json::json;

use crate::helpers::{Reply, TestApp, both_backends};
use crate::world::{Actor, PASSWORD, World};

/// A cookie jar and the last CSRF token seen: enough of a browser for form posts.
pub(crate) struct Visitor<'a> {
    app: &'a TestApp,
    pub(crate) cookies: BTreeMap<String, String>,
    pub(crate) csrf: String,
}

impl<'a> Visitor<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Self {
        Visitor {
            app,
            cookies: BTreeMap::new(),
            csrf: String::new(),
        }
    }

    pub(crate) fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, reply: &Reply) {
        for value in reply.headers.get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        if let Some(start) = reply.text.find("name=\"csrf_token\" value=\"") {
            let rest = &reply.text[start + 25..];
            self.csrf = rest[..rest.find('"').unwrap()].to_owned();
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Reply {
        let reply = self
            .app
            .get_with(
                path,
                &[("Cookie", &self.cookie_header()), ("Accept-Language", "en")],
            )
            .await;
        self.keep(&reply);
        reply
    }

    pub(crate) async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{k}={}", accredit::templates::percent_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let response = self
            .app
            .client
            .post(self.app.url(path))
            .header("Cookie", self.cookie_header())
            .header("Accept-Language", "en")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let reply = Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap(),
        };
        self.keep(&reply);
        reply
    }

    pub(crate) async fn sign_in(&mut self, email: &str, password: &str) -> Reply {
        self.get("/login").await;
        let csrf = self.csrf.clone();
        self.post(
            "/login",
            &[
                ("csrf_token", &csrf),
                ("email", email),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }
}

both_backends!(
    the_school_year_pages_in_chinese,
    pages_need_a_session_and_send_strangers_to_sign_in,
    signing_in_needs_the_csrf_token_and_sets_a_safe_cookie,
    a_wrong_password_shows_a_clear_message,
    an_officer_sees_their_school_and_no_other,
    signing_out_ends_the_page_session,
    a_form_with_errors_comes_back_with_them,
    the_api_reference_tries_calls_with_a_token_of_the_page_session,
    the_language_of_mails_is_set_by_the_api_and_by_the_page_switch,
);

async fn pages_need_a_session_and_send_strangers_to_sign_in(app: TestApp) {
    for path in ["/home", "/account", "/admin/users", "/schools/1"] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, 303, "{path}");
        assert_eq!(
            reply.header("location"),
            Some(format!("/login?next={path}").as_str())
        );
    }
    // A bearer token is for the API only; pages read the cookie.
    let reply = app
        .get_with("/home", &[("Authorization", "Bearer x")])
        .await;
    assert_eq!(reply.status, 303);
}

async fn signing_in_needs_the_csrf_token_and_sets_a_safe_cookie(app: TestApp) {
    let world = World::build(&app).await;
    let email = world.email(Actor::QualityOfficer).unwrap();
    let mut visitor = Visitor::new(&app);
    let login = visitor.get("/login").await;
    assert_eq!(login.status, 200);
    assert_eq!(login.header("cache-control"), Some("no-store"));
    let csrf_cookie = login
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Strict"),
        "{csrf_cookie}"
    );

    let forged = visitor
        .post(
            "/login",
            &[
                ("csrf_token", "0".repeat(64).as_str()),
                ("email", email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(forged.text.contains("<html"), "an HTML page, not JSON");
    assert!(!visitor.cookies.contains_key("accredit_session"));

    let reply = visitor.sign_in(email, PASSWORD).await;
    assert_eq!(reply.status, 303);
    assert_eq!(reply.header("location"), Some("/home"));
    let session = reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("accredit_session="))
        .unwrap()
        .to_owned();
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && session.contains("Path=/"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "Secure only when configured");
}

async fn a_wrong_password_shows_a_clear_message(app: TestApp) {
    let world = World::build(&app).await;
    let mut visitor = Visitor::new(&app);
    let reply = visitor
        .sign_in(
            world.email(Actor::QualityOfficer).unwrap(),
            "not my password",
        )
        .await;
    assert_eq!(reply.status, 401);
    assert!(
        reply
            .text
            .contains("The e-mail address or the password is wrong."),
        "{}",
        reply.text
    );
    assert!(
        reply.text.contains("value=\"officer@fz2.example\""),
        "the e-mail stays filled in"
    );
}

async fn an_officer_sees_their_school_and_no_other(app: TestApp) {
    let world = World::build(&app).await;
    let mut visitor = Visitor::new(&app);
    visitor
        .sign_in(world.email(Actor::QualityOfficer).unwrap(), PASSWORD)
        .await;
    let home = visitor.get("/home").await;
    assert_eq!(home.status, 200);
    assert!(home.text.contains("Fuzhou No.2 Senior Technical School"));
    assert!(!home.text.contains("Xiamen Technician College"));
    assert!(!home.text.contains("Wenzhou"));
    assert!(
        !home.text.contains("id=\"school-register\""),
        "officers do not register schools"
    );
    let own = visitor.get(&format!("/schools/{}", world.school)).await;
    assert_eq!(own.status, 200);
    assert!(
        own.text.contains("id=\"school-edit\""),
        "the officer edits their profile"
    );
    for other in [world.sibling_school, world.foreign_school] {
        let reply = visitor.get(&format!("/schools/{other}")).await;
        assert_eq!(reply.status, 404, "school {other}");
        assert!(!reply.text.contains("Xiamen") && !reply.text.contains("Wenzhou"));
    }
    assert_eq!(visitor.get("/admin/users").await.status, 403);
}

async fn signing_out_ends_the_page_session(app: TestApp) {
    let world = World::build(&app).await;
    let mut visitor = Visitor::new(&app);
    visitor
        .sign_in(world.email(Actor::SchoolViewer).unwrap(), PASSWORD)
        .await;
    let session = visitor.cookies.get("accredit_session").unwrap().clone();
    visitor.get("/home").await;
    let csrf = visitor.csrf.clone();
    let reply = visitor.post("/logout", &[("csrf_token", &csrf)]).await;
    assert_eq!(reply.status, 303);
    assert!(!visitor.cookies.contains_key("accredit_session"));
    // The old cookie no longer works, even if someone kept it.
    let reply = app
        .get_with(
            "/home",
            &[("Cookie", &format!("accredit_session={session}"))],
        )
        .await;
    assert_eq!(reply.status, 303);
}

/// `/api/docs` reads without an account; signed in, it gets a short-lived bearer token of
/// the same session (never the HttpOnly cookie itself), which signing out ends.
async fn the_api_reference_tries_calls_with_a_token_of_the_page_session(app: TestApp) {
    let world = World::build(&app).await;
    let page = app.get("/api/docs").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("/api/docs/swagger-ui-bundle.js"));
    for asset in [
        "/api/docs/swagger-ui-bundle.js",
        "/api/docs/swagger-ui.css",
        "/api/docs/accredit.js",
    ] {
        let reply = app.get(asset).await;
        assert_eq!(reply.status, 200, "{asset}");
    }
    // Only the two files the page loads are served from the bundle.
    assert_eq!(app.get("/api/docs/index.html").await.status, 404);
    // Strangers get no token (pages send them to sign in), nor does a bearer token.
    assert_eq!(app.get("/api/docs/token").await.status, 303);
    let token = world.token(Actor::Reviewer).unwrap().to_owned();
    let reply = app
        .get_with(
            "/api/docs/token",
            &[("Authorization", &format!("Bearer {token}"))],
        )
        .await;
    assert_eq!(reply.status, 303);

    let mut visitor = Visitor::new(&app);
    visitor
        .sign_in(world.email(Actor::Reviewer).unwrap(), PASSWORD)
        .await;
    let cookie = visitor.cookies.get("accredit_session").unwrap().clone();
    let reply = visitor.get("/api/docs/token").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let docs_token = reply.json()["token"].as_str().unwrap().to_owned();
    assert_ne!(
        docs_token, cookie,
        "the cookie's own value never reaches the page"
    );
    let bearer = format!("Bearer {docs_token}");
    let me = app
        .get_with("/api/v1/me", &[("Authorization", &bearer)])
        .await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["email"], world.email(Actor::Reviewer).unwrap());

    let csrf = visitor.csrf.clone();
    visitor.post("/logout", &[("csrf_token", &csrf)]).await;
    let me = app
        .get_with("/api/v1/me", &[("Authorization", &bearer)])
        .await;
    assert_eq!(
        me.status, 401,
        "signing out of the pages ends the reference's token"
    );
}

/// `language` (zh-CN by default) is what a user's mails will be written in: set by
/// `PATCH /api/v1/me`, and by the pages' language switch when signed in.
async fn the_language_of_mails_is_set_by_the_api_and_by_the_page_switch(app: TestApp) {
    let world = World::build(&app).await;
    let token = world.token(Actor::Reviewer).unwrap().to_owned();
    let me = app.me(Some(&token)).await;
    assert_eq!(me.json()["language"], "zh-CN");

    let reply = app
        .with_token(&token)
        .update_me(json!({"language": "en"}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["language"], "en");
    let reply = app
        .with_token(&token)
        .update_me(json!({"language": "fr"}))
        .await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(
        reply.json()["error"]["fields"]["language"].is_string(),
        "{}",
        reply.text
    );
    let me = app.me(Some(&token)).await;
    assert_eq!(
        me.json()["language"],
        "en",
        "a refused change changes nothing"
    );

    // The page switch of the signed-in reviewer sets it back; a visitor's switch saves nothing.
    let mut visitor = Visitor::new(&app);
    visitor
        .sign_in(world.email(Actor::Reviewer).unwrap(), PASSWORD)
        .await;
    let reply = visitor.get("/lang/zh-CN?next=/home").await;
    assert_eq!(reply.status, 303);
    let me = app.me(Some(&token)).await;
    assert_eq!(me.json()["language"], "zh-CN");
    assert_eq!(app.get("/lang/en?next=/").await.status, 303);
    let me = app.me(Some(&token)).await;
    assert_eq!(me.json()["language"], "zh-CN");
}

async fn a_form_with_errors_comes_back_with_them(app: TestApp) {
    let world = World::build(&app).await;
    let mut visitor = Visitor::new(&app);
    visitor
        .sign_in(world.email(Actor::ProvinceAdmin).unwrap(), PASSWORD)
        .await;
    visitor.get("/home").await;
    let csrf = visitor.csrf.clone();
    let province = world.province.to_string();
    let reply = visitor
        .post(
            "/schools",
            &[
                ("csrf_token", &csrf),
                ("province_id", &province),
                ("name", "Zhenping Jade Carving School"),
                ("name_zh", ""),
                ("city", ""),
                ("kind", "technical_school"),
                ("founded_year", "abc"),
            ],
        )
        .await;
    assert_eq!(reply.status, 422);
    assert!(reply.text.contains("id=\"form-errors\""));
    assert!(
        reply
            .text
            .contains("value=\"Zhenping Jade Carving School\""),
        "what was typed stays"
    );
    let reply = visitor
        .post(
            "/schools",
            &[
                ("csrf_token", &csrf),
                ("province_id", &province),
                ("name", "Zhenping Jade Carving School"),
                ("name_zh", "镇平玉雕学校"),
                ("city", "Zhenping"),
                ("kind", "secondary_vocational"),
                ("founded_year", "1988"),
            ],
        )
        .await;
    assert_eq!(reply.status, 303);
    let school = visitor.get(reply.header("location").unwrap()).await;
    assert!(school.text.contains("Zhenping Jade Carving School"));
    assert!(school.text.contains("镇平玉雕学校"));
}

both_backends!(record_pages_show_due_states_paginate_and_keep_scope);

async fn record_pages_show_due_states_paginate_and_keep_scope(app: TestApp) {
    let world = World::build(&app).await;
    let pa = world.bureau(&app);
    let body = serde_json::json!({"title_type_code": "national_key_technical_school", "awarded_on": "1998-03-01", "last_evaluated_on": "2005-06-30"});
    assert_eq!(pa.award_title(world.school, body).await.status, 201);
    let qo = world.officer(&app);
    for day in 1..=24 {
        let audit = serde_json::json!({"kind": "internal", "standard": "ISO 9001:2015", "started_on": format!("2024-01-{day:02}")});
        qo.add_audit(world.school, audit).await.id();
    }

    let mut visitor = Visitor::new(&app);
    visitor
        .sign_in(world.email(Actor::SchoolViewer).unwrap(), PASSWORD)
        .await;
    let school = visitor.get(&format!("/schools/{}", world.school)).await;
    assert_eq!(school.status, 200);
    assert!(school.text.contains("National Key Technical School"));
    assert!(
        school.text.contains("2010-06-30") && school.text.contains("state-overdue"),
        "due state at a glance"
    );
    assert!(
        !school.text.contains("id=\"audit-form\""),
        "viewers do not record audits"
    );
    let first = visitor
        .get(&format!("/schools/{}/audits", world.school))
        .await;
    assert!(
        first.text.contains("1 / 2") && first.text.contains("rel=\"next\""),
        "25 audits, 20 a page"
    );
    let second = visitor
        .get(&format!("/schools/{}/audits?page=2", world.school))
        .await;
    assert_eq!(second.text.matches("class=\"audit-link\"").count(), 5);
    for foreign in [
        format!("/audits/{}", world.audits[2]),
        format!("/schools/{}/status-data", world.sibling_school),
        format!("/schools/{}/status-data/2006", world.sibling_school),
    ] {
        assert_eq!(visitor.get(&foreign).await.status, 404, "{foreign}");
    }

    let mut officer = Visitor::new(&app);
    officer
        .sign_in(world.email(Actor::QualityOfficer).unwrap(), PASSWORD)
        .await;
    let moved = officer
        .get(&format!("/schools/{}/indicators", world.school))
        .await;
    assert_eq!(moved.status, 308, "the old address of the years");
    officer
        .get(&format!("/schools/{}/status-data/2006", world.school))
        .await;
    let csrf = officer.csrf.clone();
    let reply = officer
        .post(
            &format!("/schools/{}/status-data/2006", world.school),
            &[
                ("csrf_token", &csrf),
                ("f_students", "-5"),
                ("f_computers", "300"),
            ],
        )
        .await;
    assert_eq!(reply.status, 422);
    assert!(
        reply.text.contains("must be between 0 and 200,000")
            && reply.text.contains("value=\"300\""),
        "error named in the page's language, input kept: {}",
        reply.text
    );
    let reply = officer
        .post(
            &format!("/schools/{}/status-data/2006", world.school),
            &[
                ("csrf_token", &csrf),
                ("f_senior_appraisers", "30"),
                ("f_computers", "300"),
            ],
        )
        .await;
    assert_eq!(reply.status, 303);
    let table = officer
        .get(&format!("/schools/{}/status-data", world.school))
        .await;
    assert!(table.text.contains(">2006</a>"), "{}", table.text);
}

both_backends!(a_decision_on_a_stale_page_shows_a_clear_conflict);

async fn a_decision_on_a_stale_page_shows_a_clear_conflict(app: TestApp) {
    let world = World::build(&app).await;
    let id = world.submitted[0];
    let mut reviewer = Visitor::new(&app);
    reviewer
        .sign_in(world.email(Actor::Reviewer).unwrap(), PASSWORD)
        .await;
    let page = reviewer.get(&format!("/submissions/{id}")).await;
    assert!(page.text.contains("id=\"decision-form\""));
    let version = page
        .text
        .split("name=\"version\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    // Someone else decides first.
    let body = serde_json::json!({"decision": "request_changes", "comment": "Add the minutes"});
    let first = world
        .bureau(&app)
        .post(&format!("/api/v1/submissions/{id}/review"), body)
        .await;
    assert_eq!(first.status, 200);
    let csrf = reviewer.csrf.clone();
    let reply = reviewer
        .post(
            &format!("/submissions/{id}/step"),
            &[
                ("csrf_token", &csrf),
                ("step", "review"),
                ("decision", "recommend"),
                ("comment", "Fine"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(reply.status, 409);
    assert!(reply.text.contains("id=\"problem\""), "{}", reply.text);
    assert!(
        reply.text.contains("changes requested"),
        "the page shows the current state"
    );
    assert!(!reply.text.contains("panicked") && !reply.text.contains("stack"));
    let queue = reviewer
        .get("/queue?status=changes_requested&school=&kind=audit_report")
        .await;
    assert_eq!(queue.status, 200);
    assert!(queue.text.contains("Internal audit report 1"));
}

both_backends!(the_inbox_lists_steps_and_clears);

async fn the_inbox_lists_steps_and_clears(app: TestApp) {
    let world = World::build(&app).await;
    let mut reviewer = Visitor::new(&app);
    reviewer
        .sign_in(world.email(Actor::Reviewer).unwrap(), PASSWORD)
        .await;
    let inbox = reviewer.get("/inbox").await;
    assert_eq!(inbox.status, 200);
    assert!(
        inbox.text.contains("Submitted") && inbox.text.contains("id=\"mark-read\""),
        "{}",
        inbox.text
    );
    let csrf = reviewer.csrf.clone();
    assert_eq!(
        reviewer
            .post("/inbox/read", &[("csrf_token", &csrf)])
            .await
            .status,
        303
    );
    assert!(reviewer.get("/inbox").await.text.contains("(0 unread)"));
}

both_backends!(the_account_page_offers_a_renewable_calendar_address);

async fn the_account_page_offers_a_renewable_calendar_address(app: TestApp) {
    let world = World::build(&app).await;
    let mut officer = Visitor::new(&app);
    officer
        .sign_in(world.email(Actor::QualityOfficer).unwrap(), PASSWORD)
        .await;
    let url_of = |text: &str| {
        text.split("id=\"calendar-url\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_owned()
    };
    let first = url_of(&officer.get("/account").await.text);
    assert!(first.starts_with("/calendar/") && first.ends_with(".ics"));
    assert_eq!(app.get(&first).await.status, 200);
    let csrf = officer.csrf.clone();
    assert_eq!(
        officer
            .post("/account/calendar", &[("csrf_token", &csrf)])
            .await
            .status,
        303
    );
    let second = url_of(&officer.get("/account").await.text);
    assert_ne!(first, second);
    assert_eq!(app.get(&first).await.status, 404);
}

both_backends!(an_officer_gives_and_revokes_a_consulting_grant_on_the_school_page);

async fn an_officer_gives_and_revokes_a_consulting_grant_on_the_school_page(app: TestApp) {
    let world = World::build(&app).await;
    let mut officer = Visitor::new(&app);
    officer
        .sign_in(world.email(Actor::QualityOfficer).unwrap(), PASSWORD)
        .await;
    let page = officer.get(&format!("/schools/{}", world.school)).await;
    assert!(page.text.contains("id=\"grant-form\""));
    let csrf = officer.csrf.clone();
    let sibling = world.sibling_school.to_string();
    let bad = officer
        .post(
            &format!("/schools/{}/grants", world.school),
            &[
                ("csrf_token", &csrf),
                ("consultant_school_id", &sibling),
                ("until", "2020-01-01"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("cannot be in the past"));
    // The consultant is named by number or by part of its name, within the province.
    for (typed, problem) in [
        (
            "Nowhere Institute",
            "no other school of the province has this name",
        ),
        ("Wenzhou", "no other school of the province has this name"),
        ("", "type the consulting school"),
    ] {
        let bad = officer
            .post(
                &format!("/schools/{}/grants", world.school),
                &[
                    ("csrf_token", &csrf),
                    ("consultant_school_id", typed),
                    ("until", "2026-12-31"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422, "{typed}");
        assert!(bad.text.contains(problem), "{typed}: {}", bad.text);
    }
    let good = officer
        .post(
            &format!("/schools/{}/grants", world.school),
            &[
                ("csrf_token", &csrf),
                ("consultant_school_id", "厦门"),
                ("until", "2026-12-31"),
                ("include_evidence", "true"),
            ],
        )
        .await;
    assert_eq!(good.status, 303);
    let consultant = app.token("officer@xiamen.example").await;
    let file = app
        .with_token(&consultant)
        .evidence_content(world.evidence[0])
        .await;
    assert_eq!(file.status, 200, "the new grant includes evidence");
    let page = officer.get(&format!("/schools/{}", world.school)).await;
    let revoke_paths: Vec<&str> = page
        .text
        .split("action=\"/grants/")
        .skip(1)
        .map(|r| r.split('"').next().unwrap())
        .collect();
    for path in revoke_paths {
        assert_eq!(
            officer
                .post(&format!("/grants/{path}"), &[("csrf_token", &csrf)])
                .await
                .status,
            303
        );
    }
    assert_eq!(
        app.with_token(&consultant)
            .school(world.school)
            .await
            .status,
        404
    );
}

both_backends!(home_and_queue_lists_are_searched_by_school_name);

async fn home_and_queue_lists_are_searched_by_school_name(app: TestApp) {
    let world = World::build(&app).await;
    let mut reviewer = Visitor::new(&app);
    reviewer
        .sign_in(world.email(Actor::Reviewer).unwrap(), PASSWORD)
        .await;
    let links =
        |reply: &Reply, class: &str| reply.text.matches(&format!("class=\"{class}\"")).count();

    let home = reviewer.get("/home").await;
    assert_eq!(links(&home, "school-link"), 2, "the province's two schools");
    let home = reviewer.get("/home?q=Xiamen").await;
    assert_eq!(home.status, 200);
    assert_eq!(links(&home, "school-link"), 1);
    assert!(home.text.contains("Xiamen Technician College"));
    // Chinese names are searched too.
    let home = reviewer.get("/home?q=%E7%A6%8F%E5%B7%9E").await; // 福州
    assert_eq!(links(&home, "school-link"), 1);
    assert!(home.text.contains("福州第二高级技工学校"));
    // A wildcard typed in the search is taken literally.
    let home = reviewer.get("/home?q=%25").await;
    assert_eq!(links(&home, "school-link"), 0);

    let all = reviewer.get("/queue?status=submitted").await;
    assert!(links(&all, "queue-link") >= 2, "{}", all.text);
    let one = reviewer.get("/queue?status=submitted&school=Xiamen").await;
    assert_eq!(one.status, 200);
    assert!(links(&one, "queue-link") >= 1);
    assert!(links(&one, "queue-link") < links(&all, "queue-link"));
    assert!(!one.text.contains("Fuzhou No.2 Senior Technical School"));
    // The foreign province's school is not found, by name or by number.
    let foreign = reviewer.get("/queue?status=submitted&school=Wenzhou").await;
    assert_eq!(links(&foreign, "queue-link"), 0);
}

both_backends!(the_bureau_home_calls_a_round_due_date_the_submission_deadline);

/// Issue 26: the bureau's home called a round's due date 整改期限 (a rectification
/// deadline); it is the submission deadline, 报送截止.
async fn the_bureau_home_calls_a_round_due_date_the_submission_deadline(app: TestApp) {
    let world = World::build(&app).await;
    let mut visitor = Visitor::new(&app);
    visitor
        .sign_in(world.email(Actor::ProvinceAdmin).unwrap(), PASSWORD)
        .await;
    visitor.cookies.insert("lang".into(), "zh-CN".into());
    let home = visitor.get("/home").await;
    assert_eq!(home.status, 200);
    assert!(
        home.text.contains("class=\"round-link\""),
        "the home lists the open round"
    );
    assert!(home.text.contains("报送截止"), "{}", home.text);
    assert!(!home.text.contains("整改期限"), "{}", home.text);
}

both_backends!(the_home_page_counts_the_overdue_as_the_deadlines_list_does);

async fn the_home_page_counts_the_overdue_as_the_deadlines_list_does(app: TestApp) {
    let world = World::build(&app).await;
    for actor in [Actor::Reviewer, Actor::ProvinceAdmin] {
        let Some(email) = world.email(actor) else {
            continue;
        };
        let listed = app
            .send("GET", "/api/v1/deadlines", world.token(actor), None)
            .await
            .json();
        let overdue = listed
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["overdue"] == true)
            .count();
        let mut visitor = Visitor::new(&app);
        visitor.sign_in(email, PASSWORD).await;
        let home = visitor.get("/home").await;
        assert!(
            home.text.contains(&format!(
                "<span class=\"count\" id=\"overdue-count\">({overdue})</span>"
            )),
            "{actor:?}: {overdue} overdue in the list"
        );
    }
}

async fn the_school_year_pages_in_chinese(app: TestApp) {
    let world = World::build(&app).await;
    let school = world.school;
    world
        .accept_year(
            &app,
            school,
            2025,
            serde_json::json!({"students": 4200, "teachers": 210}),
        )
        .await;
    let mut officer = Visitor::new(&app);
    officer
        .sign_in(world.email(Actor::QualityOfficer).unwrap(), PASSWORD)
        .await;
    officer.cookies.insert("lang".into(), "zh-CN".into());

    // The year's page: last year's figure beside each field.
    let page = officer
        .get(&format!("/schools/{school}/status-data/2026"))
        .await;
    assert_eq!(page.status, 200);
    for text in [
        "2026 · 办学状态数据",
        "在校生数",
        "4,200",
        "下载填报模板（XLSX）",
        "上传并读取",
    ] {
        assert!(page.text.contains(text), "the page lacks {text}");
    }
    assert!(page.text.contains("<html lang=\"zh-CN\">"));

    // A template with a bad cell comes back with the cell named, in Chinese.
    let template = app
        .client
        .get(app.url(&format!(
            "/api/v1/schools/{school}/status-data/2026/template.xlsx"
        )))
        .bearer_auth(world.token(Actor::QualityOfficer).unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let cell = crate::helpers::template_cell(&template, "teachers");
    let bad = crate::helpers::fill_xlsx(&template, &[(&cell, "二百")]);
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", officer.csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bad).file_name("2026.xlsx"),
        );
    let response = app
        .client
        .post(app.url(&format!("/schools/{school}/status-data/2026/upload")))
        .header("Cookie", officer.cookie_header())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let text = response.text().await.unwrap();
    assert!(
        text.contains(&format!("单元格 {cell}（专任教师数）：必须是数字")),
        "{}",
        &text[text.find("form-errors").unwrap_or(0)..][..600.min(text.len())]
    );
    // Without its CSRF field the upload is refused and nothing is read.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(template.to_vec()).file_name("2026.xlsx"),
    );
    let forged = app
        .client
        .post(app.url(&format!("/schools/{school}/status-data/2026/upload")))
        .header("Cookie", officer.cookie_header())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);

    // The accepted year says so, and a change to it is refused with the reason.
    let locked = officer
        .get(&format!("/schools/{school}/status-data/2025"))
        .await;
    assert!(locked.text.contains("id=\"locked-notice\""));
    assert!(
        !locked.text.contains("id=\"status-form\""),
        "no form on a locked year"
    );
    let csrf = officer.csrf.clone();
    let refused = officer
        .post(
            &format!("/schools/{school}/status-data/2025"),
            &[("csrf_token", &csrf), ("f_students", "1")],
        )
        .await;
    assert_eq!(refused.status, 409);
    assert!(
        refused.text.contains("已被省级部门确认并封账"),
        "{}",
        refused.text
    );

    // The report pages: the editor, the printable report, the Word file.
    let editor = officer
        .get(&format!("/schools/{school}/annual-report/2025"))
        .await;
    assert!(editor.text.contains("学校撰写的部分"));
    let print = officer
        .get(&format!("/schools/{school}/annual-report/2025/print"))
        .await;
    assert!(print.text.contains("福州第二高级技工学校") && print.text.contains("学校质量年度报告"));
    let english = officer
        .get(&format!(
            "/schools/{school}/annual-report/2025/print?lang=en"
        ))
        .await;
    assert!(english.text.contains("Annual Quality Report"));
    let docx = officer
        .get(&format!("/schools/{school}/annual-report/2025/docx"))
        .await;
    assert!(
        docx.header("content-type")
            .unwrap()
            .contains("wordprocessingml")
    );

    // The bureau's view of the round and its download.
    let mut bureau = Visitor::new(&app);
    bureau
        .sign_in(world.email(Actor::ProvinceAdmin).unwrap(), PASSWORD)
        .await;
    bureau.cookies.insert("lang".into(), "zh-CN".into());
    let round = bureau.get(&format!("/rounds/{}", world.rounds[0])).await;
    assert_eq!(round.status, 200);
    assert!(round.text.contains("福州第二高级技工学校") && round.text.contains("未开始"));
    let sheet = bureau
        .get(&format!("/rounds/{}/figures.xlsx", world.rounds[0]))
        .await;
    assert_eq!(sheet.status, 200);
    let foreign = bureau.get(&format!("/rounds/{}", world.rounds[1])).await;
    assert_eq!(foreign.status, 404);
}

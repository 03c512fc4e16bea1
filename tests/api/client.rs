//! A signed-in person talking to the API, one helper per endpoint the tests use often, so a
//! test reads like what its people do: `world.officer(&app).submit(id).await`,
//! `world.reviewer(&app).recommend(id, "Complete").await`. Each helper answers the raw
//! `Reply`; the test asserts what it is about. Endpoints a test uses once stay spelled out.
//! Most helpers are one line of `endpoints!` at the end (name, method, path, whether it sends
//! a body); the ones that build their body stay methods.

use std::fmt::Display;

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};
use crate::world::{Actor, World};

/// One person's session: the app and their bearer token (none: anonymous).
pub struct Client<'a> {
    pub app: &'a TestApp,
    pub token: Option<String>,
}

impl TestApp {
    /// `GET /api/v1/me` as the holder of `token` (none: anonymous).
    pub async fn me(&self, token: Option<&str>) -> Reply {
        self.send("GET", "/api/v1/me", token, None).await
    }

    /// `GET /api/v1/me/notifications`: the holder's inbox.
    pub async fn notifications(&self, token: Option<&str>) -> Reply {
        self.send("GET", "/api/v1/me/notifications", token, None)
            .await
    }

    /// The person holding `token`.
    pub fn with_token(&self, token: &str) -> Client<'_> {
        Client {
            app: self,
            token: Some(token.to_owned()),
        }
    }
}

impl World {
    /// The world's person acting as `actor`.
    pub fn client<'a>(&self, app: &'a TestApp, actor: Actor) -> Client<'a> {
        Client {
            app,
            token: self.token(actor).map(str::to_owned),
        }
    }

    /// The quality officer of the world's own school.
    pub fn officer<'a>(&self, app: &'a TestApp) -> Client<'a> {
        self.client(app, Actor::QualityOfficer)
    }

    /// The reviewer of the world's province.
    pub fn reviewer<'a>(&self, app: &'a TestApp) -> Client<'a> {
        self.client(app, Actor::Reviewer)
    }

    /// The province admin (the bureau) of the world's province.
    pub fn bureau<'a>(&self, app: &'a TestApp) -> Client<'a> {
        self.client(app, Actor::ProvinceAdmin)
    }

    /// The national admin.
    pub fn admin<'a>(&self, app: &'a TestApp) -> Client<'a> {
        self.client(app, Actor::Admin)
    }

    /// The read-only viewer of the world's own school.
    pub fn viewer<'a>(&self, app: &'a TestApp) -> Client<'a> {
        self.client(app, Actor::SchoolViewer)
    }

    /// An expert of the world's province, on no panel.
    pub fn expert<'a>(&self, app: &'a TestApp) -> Client<'a> {
        self.client(app, Actor::Expert)
    }
}

impl Client<'_> {
    /// The bearer token (none: anonymous).
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Any JSON request, for a method or a body the helpers below do not cover.
    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        self.app.send(method, path, self.token(), body).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.app.send("GET", path, self.token(), None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.app.send("POST", path, self.token(), Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.app.send("PUT", path, self.token(), Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.app.send("PATCH", path, self.token(), Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.app.send("DELETE", path, self.token(), None).await
    }

    /// `POST /api/v1/submissions/{id}/evidence`: one PDF-looking file.
    pub async fn upload_evidence(&self, id: i64, filename: &str, bytes: &[u8]) -> Reply {
        let token = self.token().expect("an upload needs someone signed in");
        self.app.upload(id, token, filename, bytes).await
    }

    pub async fn submit(&self, id: impl Display) -> Reply {
        self.step(id, "submit", json!({})).await
    }

    /// A review: `recommend`, `request_changes` or `reject`, with its comment.
    pub async fn review(&self, id: impl Display, decision: &str, comment: &str) -> Reply {
        self.step(
            id,
            "review",
            json!({"decision": decision, "comment": comment}),
        )
        .await
    }

    pub async fn recommend(&self, id: impl Display, comment: &str) -> Reply {
        self.review(id, "recommend", comment).await
    }

    /// A sign-off: `approve`, `request_changes` or `reject`, with its comment.
    pub async fn sign_off(&self, id: impl Display, decision: &str, comment: &str) -> Reply {
        self.step(
            id,
            "sign-off",
            json!({"decision": decision, "comment": comment}),
        )
        .await
    }

    pub async fn approve(&self, id: impl Display, comment: &str) -> Reply {
        self.sign_off(id, "approve", comment).await
    }

    /// `PUT /api/v1/submissions/{id}/panel`
    pub async fn form_panel(&self, id: i64, lead: i64, members: &[i64]) -> Reply {
        self.put(
            &format!("/api/v1/submissions/{id}/panel"),
            json!({"lead_id": lead, "member_ids": members}),
        )
        .await
    }

    /// `POST …/evaluation/seal`
    pub async fn seal(&self, id: impl Display) -> Reply {
        self.post(
            &format!("/api/v1/submissions/{id}/evaluation/seal"),
            json!({}),
        )
        .await
    }

    /// `POST /api/v1/webhooks/{id}/test`
    pub async fn test_robot(&self, id: impl Display) -> Reply {
        self.post(&format!("/api/v1/webhooks/{id}/test"), json!({}))
            .await
    }
}

/// One helper per endpoint: `name(arguments) METHOD "path with {arguments}"`, and `, body`
/// for one that sends JSON. Each answers the raw `Reply`.
macro_rules! endpoints {
    ($($(#[$doc:meta])* $name:ident($($arg:ident),*) $method:ident $path:literal $(, $body:ident)?;)*) => {
        impl Client<'_> {
            $(
                $(#[$doc])*
                pub async fn $name(&self $(, $arg: impl Display)* $(, $body: Value)?) -> Reply {
                    self.send(stringify!($method), &format!($path), endpoints!(@body $($body)?))
                        .await
                }
            )*
        }
    };
    (@body) => { None };
    (@body $body:ident) => { Some($body) };
}

endpoints! {
    /// `POST /api/v1/schools/{school}/submissions`
    prepare(school) POST "/api/v1/schools/{school}/submissions", body;
    /// `POST /api/v1/submissions/{id}/{step}` with `body`.
    step(id, step) POST "/api/v1/submissions/{id}/{step}", body;
    /// `GET /api/v1/submissions/{id}`
    submission(id) GET "/api/v1/submissions/{id}";
    /// `GET /api/v1/submissions/{id}/evaluation`
    evaluation(id) GET "/api/v1/submissions/{id}/evaluation";
    /// `GET /api/v1/schools{query}`: `query` is empty or starts with `?`.
    schools(query) GET "/api/v1/schools{query}";
    /// `POST /api/v1/schools`
    create_school() POST "/api/v1/schools", body;
    /// `GET /api/v1/schools/{id}`
    school(id) GET "/api/v1/schools/{id}";
    /// `PATCH /api/v1/schools/{id}`
    update_school(id) PATCH "/api/v1/schools/{id}", body;
    /// `GET /api/v1/schools/{school}/history{query}`
    history(school, query) GET "/api/v1/schools/{school}/history{query}";
    /// `GET /api/v1/schools/{school}/titles`
    titles(school) GET "/api/v1/schools/{school}/titles";
    /// `POST /api/v1/schools/{school}/titles`
    award_title(school) POST "/api/v1/schools/{school}/titles", body;
    /// `PATCH /api/v1/titles/{id}`
    update_title(id) PATCH "/api/v1/titles/{id}", body;
    /// `GET /api/v1/schools/{school}/audits`
    audits(school) GET "/api/v1/schools/{school}/audits";
    /// `POST /api/v1/schools/{school}/audits`
    add_audit(school) POST "/api/v1/schools/{school}/audits", body;
    /// `GET /api/v1/audits/{id}`
    audit(id) GET "/api/v1/audits/{id}";
    /// `PATCH /api/v1/audits/{id}`
    update_audit(id) PATCH "/api/v1/audits/{id}", body;
    /// `GET /api/v1/audits/{audit}/findings`
    findings(audit) GET "/api/v1/audits/{audit}/findings";
    /// `POST /api/v1/audits/{audit}/findings`
    add_finding(audit) POST "/api/v1/audits/{audit}/findings", body;
    /// `PATCH /api/v1/findings/{id}`
    update_finding(id) PATCH "/api/v1/findings/{id}", body;
    /// `GET /api/v1/schools/{school}/certificate`
    certificate(school) GET "/api/v1/schools/{school}/certificate";
    /// `PUT /api/v1/schools/{school}/certificate`
    put_certificate(school) PUT "/api/v1/schools/{school}/certificate", body;
    /// `GET /api/v1/schools/{school}/peer-comparison{query}`
    peer_comparison(school, query) GET "/api/v1/schools/{school}/peer-comparison{query}";
    /// `GET /api/v1/indicators`: the catalogue.
    indicator_catalogue() GET "/api/v1/indicators";
    /// `POST /api/v1/indicators`
    add_indicator() POST "/api/v1/indicators", body;
    /// `GET /api/v1/schools/{school}/indicators`
    indicators(school) GET "/api/v1/schools/{school}/indicators";
    /// `GET /api/v1/schools/{school}/status-data/{year}`
    status_data(school, year) GET "/api/v1/schools/{school}/status-data/{year}";
    /// `GET /api/v1/provinces/{province}/rounds`
    rounds(province) GET "/api/v1/provinces/{province}/rounds";
    /// `GET /api/v1/rounds/{id}{query}`
    round(id, query) GET "/api/v1/rounds/{id}{query}";
    /// `GET /api/v1/deadlines{query}`
    deadlines(query) GET "/api/v1/deadlines{query}";
    /// `GET /api/v1/evidence/{id}/content`: the file's bytes.
    evidence_content(id) GET "/api/v1/evidence/{id}/content";
    /// `GET /api/v1/submissions/{id}/events`
    events(id) GET "/api/v1/submissions/{id}/events";
    /// `GET /api/v1/users{query}`
    users(query) GET "/api/v1/users{query}";
    /// `POST /api/v1/users`
    create_user() POST "/api/v1/users", body;
    /// `PATCH /api/v1/users/{id}`
    update_user(id) PATCH "/api/v1/users/{id}", body;
    /// `GET /api/v1/provinces`
    provinces() GET "/api/v1/provinces";
    /// `GET /api/v1/standards{query}`
    standards(query) GET "/api/v1/standards{query}";
    /// `POST /api/v1/standards`
    create_standard() POST "/api/v1/standards", body;
    /// `GET /api/v1/standards/{id}{query}`
    standard(id, query) GET "/api/v1/standards/{id}{query}";
    /// `GET /api/v1/provinces/{province}/programmes`
    programmes(province) GET "/api/v1/provinces/{province}/programmes";
    /// `GET /api/v1/provinces/{province}/notices`
    notices(province) GET "/api/v1/provinces/{province}/notices";
    /// `GET /api/v1/provinces/{province}/objections`
    objections(province) GET "/api/v1/provinces/{province}/objections";
    /// `GET /api/v1/provinces/{province}/webhooks`
    robots(province) GET "/api/v1/provinces/{province}/webhooks";
    /// `POST /api/v1/provinces/{province}/webhooks`
    add_robot(province) POST "/api/v1/provinces/{province}/webhooks", body;
    /// `GET /api/v1/access-log{query}`
    access_log(query) GET "/api/v1/access-log{query}";
    /// `POST /api/v1/schools/{school}/merge`
    merge(school) POST "/api/v1/schools/{school}/merge", body;
    /// `POST /api/v1/schools/{school}/close`
    close_school(school) POST "/api/v1/schools/{school}/close", body;
    /// `POST /api/v1/schools/{school}/reopen`
    reopen_school(school) POST "/api/v1/schools/{school}/reopen", body;
    /// `POST /api/v1/titles/{id}/settle`
    settle_title(id) POST "/api/v1/titles/{id}/settle", body;
    /// `GET /api/v1/provinces/{province}/standards-check{query}`
    standards_check(province, query) GET "/api/v1/provinces/{province}/standards-check{query}";
    /// `GET /api/v1/title-types`
    title_types() GET "/api/v1/title-types";
    /// `GET /api/v1/schools/{school}/consulting-grants`
    grants(school) GET "/api/v1/schools/{school}/consulting-grants";
    /// `POST /api/v1/schools/{school}/consulting-grants`
    give_grant(school) POST "/api/v1/schools/{school}/consulting-grants", body;
    /// `GET /api/v1/submissions{query}`: the reviewer's queue.
    submissions(query) GET "/api/v1/submissions{query}";
    /// `POST /api/v1/provinces/{province}/rounds`
    open_round(province) POST "/api/v1/provinces/{province}/rounds", body;
    /// `POST /api/v1/provinces/{province}/programmes`
    add_programme(province) POST "/api/v1/provinces/{province}/programmes", body;
    /// `POST /api/v1/objections/{id}/resolve`
    resolve_objection(id) POST "/api/v1/objections/{id}/resolve", body;
    /// `GET /api/v1/me/conflicts`: the expert's declared conflicts.
    conflicts() GET "/api/v1/me/conflicts";
    /// `GET /api/v1/users/{id}`
    user(id) GET "/api/v1/users/{id}";
    /// `DELETE /api/v1/webhooks/{id}`
    remove_robot(id) DELETE "/api/v1/webhooks/{id}";
    /// `GET /api/v1/me`
    me() GET "/api/v1/me";
    /// `PATCH /api/v1/me`: one's language and mail settings.
    update_me() PATCH "/api/v1/me", body;
    /// `POST /api/v1/me/password`
    change_password() POST "/api/v1/me/password", body;
    /// `POST /api/v1/auth/logout`
    sign_out() POST "/api/v1/auth/logout";
    /// `GET /api/v1/me/calendar`: the address of one's deadline feed.
    calendar() GET "/api/v1/me/calendar";
    /// `POST /api/v1/me/conflicts`: an expert declares a conflict of interest.
    declare_conflict() POST "/api/v1/me/conflicts", body;
    /// `POST /api/v1/provinces`
    create_province() POST "/api/v1/provinces", body;
    /// `GET /api/v1/submissions/{id}/panel`
    panel(id) GET "/api/v1/submissions/{id}/panel";
    /// `PUT …/evaluation/criteria/{ref}/score`: an expert's score of one item.
    score(id, reference) PUT "/api/v1/submissions/{id}/evaluation/criteria/{reference}/score", body;
    /// `PUT …/evaluation/criteria/{ref}/consensus`: the lead's consensus of one item.
    agree(id, reference) PUT "/api/v1/submissions/{id}/evaluation/criteria/{reference}/consensus", body;
    /// `PUT /api/v1/schools/{school}/indicators/{year}`
    put_indicators(school, year) PUT "/api/v1/schools/{school}/indicators/{year}", body;
    /// `PUT /api/v1/schools/{school}/status-data/{year}`
    put_status_data(school, year) PUT "/api/v1/schools/{school}/status-data/{year}", body;
    /// `GET /api/v1/provinces/{province}/status-data/{year}{query}`: the province's table.
    province_status_data(province, year, query) GET "/api/v1/provinces/{province}/status-data/{year}{query}";
    /// `GET /api/v1/schools/{school}/annual-report/{year}{query}`
    annual_report(school, year, query) GET "/api/v1/schools/{school}/annual-report/{year}{query}";
    /// `POST /api/v1/schools/{school}/annual-report/{year}/attach` (no body)
    attach_annual_report(school, year) POST "/api/v1/schools/{school}/annual-report/{year}/attach";
    /// `PUT /api/v1/schools/{school}/annual-report/{year}`: the report's own sections.
    write_annual_report(school, year) PUT "/api/v1/schools/{school}/annual-report/{year}", body;
}

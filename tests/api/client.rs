//! A signed-in person talking to the API, one helper per endpoint the tests use often, so a
//! test reads like what its people do: `world.officer(&app).submit(id).await`,
//! `world.reviewer(&app).recommend(id, "Complete").await`. Each helper answers the raw
//! `Reply`; the test asserts what it is about. Endpoints a test uses once stay spelled out.

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

    /// Creates something and returns its id; panics unless the answer is 201.
    pub async fn created(&self, path: &str, body: Value) -> i64 {
        let reply = self.post(path, body).await;
        assert_eq!(reply.status, 201, "POST {path}: {}", reply.text);
        reply.json()["id"].as_i64().unwrap()
    }

    // Submissions and their sign-off.

    /// `POST /api/v1/schools/{school}/submissions`
    pub async fn prepare(&self, school: impl Display, body: Value) -> Reply {
        self.post(&format!("/api/v1/schools/{school}/submissions"), body)
            .await
    }

    /// `POST /api/v1/submissions/{id}/evidence`: one PDF-looking file.
    pub async fn upload_evidence(&self, id: i64, filename: &str, bytes: &[u8]) -> Reply {
        let token = self.token().expect("an upload needs someone signed in");
        self.app.upload(id, token, filename, bytes).await
    }

    /// `POST /api/v1/submissions/{id}/{step}` with `body`.
    pub async fn step(&self, id: impl Display, step: &str, body: Value) -> Reply {
        self.post(&format!("/api/v1/submissions/{id}/{step}"), body)
            .await
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

    /// `GET /api/v1/submissions/{id}`
    pub async fn submission(&self, id: impl Display) -> Reply {
        self.get(&format!("/api/v1/submissions/{id}")).await
    }

    // Evaluations and their panel.

    /// `GET /api/v1/submissions/{id}/evaluation`
    pub async fn evaluation(&self, id: impl Display) -> Reply {
        self.get(&format!("/api/v1/submissions/{id}/evaluation"))
            .await
    }

    /// `PUT /api/v1/submissions/{id}/panel`
    pub async fn form_panel(&self, id: i64, lead: i64, members: &[i64]) -> Reply {
        self.put(
            &format!("/api/v1/submissions/{id}/panel"),
            json!({"lead_id": lead, "member_ids": members}),
        )
        .await
    }

    /// `PUT …/evaluation/criteria/{ref}/score`: an expert's score of one item.
    pub async fn score(&self, id: impl Display, reference: &str, body: Value) -> Reply {
        self.put(
            &format!("/api/v1/submissions/{id}/evaluation/criteria/{reference}/score"),
            body,
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

    /// `PUT …/evaluation/criteria/{ref}/consensus`: the lead's consensus of one item.
    pub async fn agree(&self, id: impl Display, reference: &str, body: Value) -> Reply {
        self.put(
            &format!("/api/v1/submissions/{id}/evaluation/criteria/{reference}/consensus"),
            body,
        )
        .await
    }

    // Schools and their record.

    /// `GET /api/v1/schools{query}`: `query` is empty or starts with `?`.
    pub async fn schools(&self, query: &str) -> Reply {
        self.get(&format!("/api/v1/schools{query}")).await
    }

    /// `POST /api/v1/schools`
    pub async fn create_school(&self, body: Value) -> Reply {
        self.post("/api/v1/schools", body).await
    }

    /// `GET /api/v1/schools/{id}`
    pub async fn school(&self, id: impl Display) -> Reply {
        self.get(&format!("/api/v1/schools/{id}")).await
    }

    /// `PATCH /api/v1/schools/{id}`
    pub async fn update_school(&self, id: impl Display, body: Value) -> Reply {
        self.patch(&format!("/api/v1/schools/{id}"), body).await
    }

    /// `GET /api/v1/schools/{school}/history{query}`
    pub async fn history(&self, school: impl Display, query: &str) -> Reply {
        self.get(&format!("/api/v1/schools/{school}/history{query}"))
            .await
    }

    /// `GET /api/v1/schools/{school}/titles`
    pub async fn titles(&self, school: impl Display) -> Reply {
        self.get(&format!("/api/v1/schools/{school}/titles")).await
    }

    /// `POST /api/v1/schools/{school}/titles`
    pub async fn award_title(&self, school: impl Display, body: Value) -> Reply {
        self.post(&format!("/api/v1/schools/{school}/titles"), body)
            .await
    }

    /// `PATCH /api/v1/titles/{id}`
    pub async fn update_title(&self, id: impl Display, body: Value) -> Reply {
        self.patch(&format!("/api/v1/titles/{id}"), body).await
    }

    /// `GET /api/v1/schools/{school}/audits`
    pub async fn audits(&self, school: impl Display) -> Reply {
        self.get(&format!("/api/v1/schools/{school}/audits")).await
    }

    /// `POST /api/v1/schools/{school}/audits`
    pub async fn add_audit(&self, school: impl Display, body: Value) -> Reply {
        self.post(&format!("/api/v1/schools/{school}/audits"), body)
            .await
    }

    /// `GET /api/v1/audits/{id}`
    pub async fn audit(&self, id: impl Display) -> Reply {
        self.get(&format!("/api/v1/audits/{id}")).await
    }

    /// `PATCH /api/v1/audits/{id}`
    pub async fn update_audit(&self, id: impl Display, body: Value) -> Reply {
        self.patch(&format!("/api/v1/audits/{id}"), body).await
    }

    /// `GET /api/v1/audits/{audit}/findings`
    pub async fn findings(&self, audit: impl Display) -> Reply {
        self.get(&format!("/api/v1/audits/{audit}/findings")).await
    }

    /// `POST /api/v1/audits/{audit}/findings`
    pub async fn add_finding(&self, audit: impl Display, body: Value) -> Reply {
        self.post(&format!("/api/v1/audits/{audit}/findings"), body)
            .await
    }

    /// `PATCH /api/v1/findings/{id}`
    pub async fn update_finding(&self, id: impl Display, body: Value) -> Reply {
        self.patch(&format!("/api/v1/findings/{id}"), body).await
    }

    /// `GET /api/v1/schools/{school}/certificate`
    pub async fn certificate(&self, school: impl Display) -> Reply {
        self.get(&format!("/api/v1/schools/{school}/certificate"))
            .await
    }

    /// `PUT /api/v1/schools/{school}/certificate`
    pub async fn put_certificate(&self, school: impl Display, body: Value) -> Reply {
        self.put(&format!("/api/v1/schools/{school}/certificate"), body)
            .await
    }

    /// `GET /api/v1/schools/{school}/peer-comparison{query}`
    pub async fn peer_comparison(&self, school: impl Display, query: &str) -> Reply {
        self.get(&format!("/api/v1/schools/{school}/peer-comparison{query}"))
            .await
    }

    // The school year: indicators, status data, the annual report.

    /// `GET /api/v1/indicators`: the catalogue.
    pub async fn indicator_catalogue(&self) -> Reply {
        self.get("/api/v1/indicators").await
    }

    /// `POST /api/v1/indicators`
    pub async fn add_indicator(&self, body: Value) -> Reply {
        self.post("/api/v1/indicators", body).await
    }

    /// `GET /api/v1/schools/{school}/indicators`
    pub async fn indicators(&self, school: impl Display) -> Reply {
        self.get(&format!("/api/v1/schools/{school}/indicators"))
            .await
    }

    /// `PUT /api/v1/schools/{school}/indicators/{year}`
    pub async fn put_indicators(
        &self,
        school: impl Display,
        year: impl Display,
        body: Value,
    ) -> Reply {
        self.put(&format!("/api/v1/schools/{school}/indicators/{year}"), body)
            .await
    }

    /// `GET /api/v1/schools/{school}/status-data/{year}`
    pub async fn status_data(&self, school: impl Display, year: impl Display) -> Reply {
        self.get(&format!("/api/v1/schools/{school}/status-data/{year}"))
            .await
    }

    /// `PUT /api/v1/schools/{school}/status-data/{year}`
    pub async fn put_status_data(
        &self,
        school: impl Display,
        year: impl Display,
        body: Value,
    ) -> Reply {
        self.put(
            &format!("/api/v1/schools/{school}/status-data/{year}"),
            body,
        )
        .await
    }

    /// `GET /api/v1/provinces/{province}/status-data/{year}{query}`: the province's table.
    pub async fn province_status_data(
        &self,
        province: impl Display,
        year: impl Display,
        query: &str,
    ) -> Reply {
        self.get(&format!(
            "/api/v1/provinces/{province}/status-data/{year}{query}"
        ))
        .await
    }

    /// `GET /api/v1/schools/{school}/annual-report/{year}{query}`
    pub async fn annual_report(
        &self,
        school: impl Display,
        year: impl Display,
        query: &str,
    ) -> Reply {
        self.get(&format!(
            "/api/v1/schools/{school}/annual-report/{year}{query}"
        ))
        .await
    }

    /// `POST /api/v1/schools/{school}/annual-report/{year}/attach` (no body)
    pub async fn attach_annual_report(&self, school: impl Display, year: impl Display) -> Reply {
        self.send(
            "POST",
            &format!("/api/v1/schools/{school}/annual-report/{year}/attach"),
            None,
        )
        .await
    }

    /// `GET /api/v1/provinces/{province}/rounds`
    pub async fn rounds(&self, province: impl Display) -> Reply {
        self.get(&format!("/api/v1/provinces/{province}/rounds"))
            .await
    }

    /// `GET /api/v1/rounds/{id}{query}`
    pub async fn round(&self, id: impl Display, query: &str) -> Reply {
        self.get(&format!("/api/v1/rounds/{id}{query}")).await
    }

    /// `GET /api/v1/deadlines{query}`
    pub async fn deadlines(&self, query: &str) -> Reply {
        self.get(&format!("/api/v1/deadlines{query}")).await
    }

    /// `GET /api/v1/evidence/{id}/content`: the file's bytes.
    pub async fn evidence_content(&self, id: impl Display) -> Reply {
        self.get(&format!("/api/v1/evidence/{id}/content")).await
    }

    /// `GET /api/v1/submissions/{id}/events`
    pub async fn events(&self, id: impl Display) -> Reply {
        self.get(&format!("/api/v1/submissions/{id}/events")).await
    }

    // People, provinces, standards.

    /// `GET /api/v1/users{query}`
    pub async fn users(&self, query: &str) -> Reply {
        self.get(&format!("/api/v1/users{query}")).await
    }

    /// `POST /api/v1/users`
    pub async fn create_user(&self, body: Value) -> Reply {
        self.post("/api/v1/users", body).await
    }

    /// `PATCH /api/v1/users/{id}`
    pub async fn update_user(&self, id: impl Display, body: Value) -> Reply {
        self.patch(&format!("/api/v1/users/{id}"), body).await
    }

    /// `GET /api/v1/provinces`
    pub async fn provinces(&self) -> Reply {
        self.get("/api/v1/provinces").await
    }

    /// `GET /api/v1/standards{query}`
    pub async fn standards(&self, query: &str) -> Reply {
        self.get(&format!("/api/v1/standards{query}")).await
    }

    /// `POST /api/v1/standards`
    pub async fn create_standard(&self, body: Value) -> Reply {
        self.post("/api/v1/standards", body).await
    }

    /// `GET /api/v1/standards/{id}{query}`
    pub async fn standard(&self, id: impl Display, query: &str) -> Reply {
        self.get(&format!("/api/v1/standards/{id}{query}")).await
    }

    /// `GET /api/v1/provinces/{province}/programmes`
    pub async fn programmes(&self, province: impl Display) -> Reply {
        self.get(&format!("/api/v1/provinces/{province}/programmes"))
            .await
    }

    /// `GET /api/v1/provinces/{province}/notices`
    pub async fn notices(&self, province: impl Display) -> Reply {
        self.get(&format!("/api/v1/provinces/{province}/notices"))
            .await
    }

    /// `GET /api/v1/provinces/{province}/objections`
    pub async fn objections(&self, province: impl Display) -> Reply {
        self.get(&format!("/api/v1/provinces/{province}/objections"))
            .await
    }

    /// `GET /api/v1/provinces/{province}/webhooks`
    pub async fn robots(&self, province: impl Display) -> Reply {
        self.get(&format!("/api/v1/provinces/{province}/webhooks"))
            .await
    }

    /// `POST /api/v1/provinces/{province}/webhooks`
    pub async fn add_robot(&self, province: impl Display, body: Value) -> Reply {
        self.post(&format!("/api/v1/provinces/{province}/webhooks"), body)
            .await
    }

    /// `GET /api/v1/access-log{query}`
    pub async fn access_log(&self, query: &str) -> Reply {
        self.get(&format!("/api/v1/access-log{query}")).await
    }

    // Schools that merge or close; titles settled after a merger.

    /// `POST /api/v1/schools/{school}/merge`
    pub async fn merge(&self, school: impl Display, body: Value) -> Reply {
        self.post(&format!("/api/v1/schools/{school}/merge"), body)
            .await
    }

    /// `POST /api/v1/schools/{school}/close`
    pub async fn close_school(&self, school: impl Display, body: Value) -> Reply {
        self.post(&format!("/api/v1/schools/{school}/close"), body)
            .await
    }

    /// `POST /api/v1/schools/{school}/reopen`
    pub async fn reopen_school(&self, school: impl Display, body: Value) -> Reply {
        self.post(&format!("/api/v1/schools/{school}/reopen"), body)
            .await
    }

    /// `POST /api/v1/titles/{id}/settle`
    pub async fn settle_title(&self, id: impl Display, body: Value) -> Reply {
        self.post(&format!("/api/v1/titles/{id}/settle"), body)
            .await
    }

    /// `GET /api/v1/provinces/{province}/standards-check{query}`
    pub async fn standards_check(&self, province: impl Display, query: &str) -> Reply {
        self.get(&format!(
            "/api/v1/provinces/{province}/standards-check{query}"
        ))
        .await
    }

    // Further endpoints several tests use.

    /// `GET /api/v1/title-types`
    pub async fn title_types(&self) -> Reply {
        self.get("/api/v1/title-types").await
    }

    /// `GET /api/v1/schools/{school}/consulting-grants`
    pub async fn grants(&self, school: impl Display) -> Reply {
        self.get(&format!("/api/v1/schools/{school}/consulting-grants"))
            .await
    }

    /// `POST /api/v1/schools/{school}/consulting-grants`
    pub async fn give_grant(&self, school: impl Display, body: Value) -> Reply {
        self.post(&format!("/api/v1/schools/{school}/consulting-grants"), body)
            .await
    }

    /// `GET /api/v1/submissions{query}`: the reviewer's queue.
    pub async fn submissions(&self, query: &str) -> Reply {
        self.get(&format!("/api/v1/submissions{query}")).await
    }

    /// `PUT /api/v1/schools/{school}/annual-report/{year}`: the report's own sections.
    pub async fn write_annual_report(
        &self,
        school: impl Display,
        year: impl Display,
        body: Value,
    ) -> Reply {
        self.put(
            &format!("/api/v1/schools/{school}/annual-report/{year}"),
            body,
        )
        .await
    }

    /// `POST /api/v1/provinces/{province}/rounds`
    pub async fn open_round(&self, province: impl Display, body: Value) -> Reply {
        self.post(&format!("/api/v1/provinces/{province}/rounds"), body)
            .await
    }

    /// `POST /api/v1/provinces/{province}/programmes`
    pub async fn add_programme(&self, province: impl Display, body: Value) -> Reply {
        self.post(&format!("/api/v1/provinces/{province}/programmes"), body)
            .await
    }

    /// `POST /api/v1/objections/{id}/resolve`
    pub async fn resolve_objection(&self, id: impl Display, body: Value) -> Reply {
        self.post(&format!("/api/v1/objections/{id}/resolve"), body)
            .await
    }

    /// `GET /api/v1/me/conflicts`: the expert's declared conflicts.
    pub async fn conflicts(&self) -> Reply {
        self.get("/api/v1/me/conflicts").await
    }

    /// `GET /api/v1/users/{id}`
    pub async fn user(&self, id: impl Display) -> Reply {
        self.get(&format!("/api/v1/users/{id}")).await
    }

    /// `POST /api/v1/webhooks/{id}/test`
    pub async fn test_robot(&self, id: impl Display) -> Reply {
        self.post(&format!("/api/v1/webhooks/{id}/test"), json!({}))
            .await
    }

    /// `DELETE /api/v1/webhooks/{id}`
    pub async fn remove_robot(&self, id: impl Display) -> Reply {
        self.delete(&format!("/api/v1/webhooks/{id}")).await
    }

    // One's own account.

    /// `GET /api/v1/me`
    pub async fn me(&self) -> Reply {
        self.get("/api/v1/me").await
    }

    /// `PATCH /api/v1/me`: one's language and mail settings.
    pub async fn update_me(&self, body: Value) -> Reply {
        self.patch("/api/v1/me", body).await
    }

    /// `POST /api/v1/me/password`
    pub async fn change_password(&self, body: Value) -> Reply {
        self.post("/api/v1/me/password", body).await
    }

    /// `POST /api/v1/auth/logout`
    pub async fn sign_out(&self) -> Reply {
        self.send("POST", "/api/v1/auth/logout", None).await
    }

    /// `GET /api/v1/me/calendar`: the address of one's deadline feed.
    pub async fn calendar(&self) -> Reply {
        self.get("/api/v1/me/calendar").await
    }

    /// `POST /api/v1/me/conflicts`: an expert declares a conflict of interest.
    pub async fn declare_conflict(&self, body: Value) -> Reply {
        self.post("/api/v1/me/conflicts", body).await
    }

    /// `POST /api/v1/provinces`
    pub async fn create_province(&self, body: Value) -> Reply {
        self.post("/api/v1/provinces", body).await
    }

    /// `GET /api/v1/submissions/{id}/panel`
    pub async fn panel(&self, id: impl Display) -> Reply {
        self.get(&format!("/api/v1/submissions/{id}/panel")).await
    }
}

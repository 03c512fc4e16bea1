//! A signed-in person talking to the API, one helper per endpoint the tests use often, so a
//! test reads like what its people do: `world.officer(&app).submit(id).await`,
//! `world.reviewer(&app).recommend(id, "Complete").await`. Each helper answers the raw
//! `Reply`; the test asserts what it is about. Endpoints a test uses once stay spelled out.

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
}

impl Client<'_> {
    fn token(&self) -> Option<&str> {
        self.token.as_deref()
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

    /// Creates something and returns its id; panics unless the answer is 201.
    pub async fn created(&self, path: &str, body: Value) -> i64 {
        let reply = self.post(path, body).await;
        assert_eq!(reply.status, 201, "POST {path}: {}", reply.text);
        reply.json()["id"].as_i64().unwrap()
    }

    // Submissions and their sign-off.

    /// `POST /api/v1/schools/{school}/submissions`
    pub async fn prepare(&self, school: i64, body: Value) -> Reply {
        self.post(&format!("/api/v1/schools/{school}/submissions"), body)
            .await
    }

    /// `POST /api/v1/submissions/{id}/evidence`: one PDF-looking file.
    pub async fn upload_evidence(&self, id: i64, filename: &str, bytes: &[u8]) -> Reply {
        let token = self.token().expect("an upload needs someone signed in");
        self.app.upload(id, token, filename, bytes).await
    }

    /// `POST /api/v1/submissions/{id}/{step}` with `body`.
    pub async fn step(&self, id: i64, step: &str, body: Value) -> Reply {
        self.post(&format!("/api/v1/submissions/{id}/{step}"), body)
            .await
    }

    pub async fn submit(&self, id: i64) -> Reply {
        self.step(id, "submit", json!({})).await
    }

    /// A review: `recommend`, `request_changes` or `reject`, with its comment.
    pub async fn review(&self, id: i64, decision: &str, comment: &str) -> Reply {
        self.step(
            id,
            "review",
            json!({"decision": decision, "comment": comment}),
        )
        .await
    }

    pub async fn recommend(&self, id: i64, comment: &str) -> Reply {
        self.review(id, "recommend", comment).await
    }

    /// A sign-off: `approve`, `request_changes` or `reject`, with its comment.
    pub async fn sign_off(&self, id: i64, decision: &str, comment: &str) -> Reply {
        self.step(
            id,
            "sign-off",
            json!({"decision": decision, "comment": comment}),
        )
        .await
    }

    pub async fn approve(&self, id: i64, comment: &str) -> Reply {
        self.sign_off(id, "approve", comment).await
    }

    /// `GET /api/v1/submissions/{id}`
    pub async fn submission(&self, id: i64) -> Reply {
        self.get(&format!("/api/v1/submissions/{id}")).await
    }

    // Evaluations and their panel.

    /// `GET /api/v1/submissions/{id}/evaluation`
    pub async fn evaluation(&self, id: i64) -> Reply {
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
    pub async fn score(&self, id: i64, reference: &str, body: Value) -> Reply {
        self.put(
            &format!("/api/v1/submissions/{id}/evaluation/criteria/{reference}/score"),
            body,
        )
        .await
    }

    /// `POST …/evaluation/seal`
    pub async fn seal(&self, id: i64) -> Reply {
        self.post(
            &format!("/api/v1/submissions/{id}/evaluation/seal"),
            json!({}),
        )
        .await
    }

    /// `PUT …/evaluation/criteria/{ref}/consensus`: the lead's consensus of one item.
    pub async fn agree(&self, id: i64, reference: &str, body: Value) -> Reply {
        self.put(
            &format!("/api/v1/submissions/{id}/evaluation/criteria/{reference}/consensus"),
            body,
        )
        .await
    }
}

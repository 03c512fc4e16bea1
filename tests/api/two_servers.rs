//! Two `accredit serve` processes on one PostgreSQL database and one bucket, as a country's
//! installation runs: a sign-in on one holds on the other, and so does a sign-out; failed
//! sign-ins count across both; of sixteen decisions split across both exactly one wins;
//! a file uploaded through one downloads through the other; the history stays intact.

use serde_json::{Value, json};

use crate::helpers::{ServeProcess, spawn_app};
use crate::storage::{download, sha256_hex};
use crate::world::{Actor, PASSWORD, World};

async fn send(
    client: &reqwest::Client,
    url: String,
    method: reqwest::Method,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = client.request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn login(
    client: &reqwest::Client,
    server: &ServeProcess,
    email: &str,
    password: &str,
) -> (u16, Value) {
    send(
        client,
        server.url("/api/v1/auth/login"),
        reqwest::Method::POST,
        None,
        Some(json!({"email": email, "password": password})),
    )
    .await
}

#[tokio::test]
async fn two_servers_on_one_database_and_one_bucket_behave_as_one() {
    let Some(app) = spawn_app(accredit::db::Backend::Postgres).await else {
        return;
    };
    if app.s3.is_none() {
        // s3s-fs missing: noted once (and a failure when every suite is required).
        return;
    }
    let world = World::build(&app).await;
    let one = ServeProcess::beside(&app, &[]);
    let two = ServeProcess::beside(&app, &[]);
    let client = reqwest::Client::new();
    let servers = [&one, &two];

    // A token from one works on the other; a sign-out on the other ends it on both.
    let email = world.email(Actor::Reviewer).unwrap();
    let (status, body) = login(&client, &one, email, PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().unwrap().to_owned();
    for server in servers {
        let (status, me) = send(
            &client,
            server.url("/api/v1/me"),
            reqwest::Method::GET,
            Some(&token),
            None,
        )
        .await;
        assert_eq!((status, me["email"].as_str()), (200, Some(email)));
    }
    let (status, _) = send(
        &client,
        two.url("/api/v1/auth/logout"),
        reqwest::Method::POST,
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 204);
    for server in servers {
        let (status, _) = send(
            &client,
            server.url("/api/v1/me"),
            reqwest::Method::GET,
            Some(&token),
            None,
        )
        .await;
        assert_eq!(status, 401, "signed out everywhere");
    }

    // Five failed sign-ins split across both: the sixth is refused on either.
    let victim = world.email(Actor::SchoolViewer).unwrap();
    for n in 0..5 {
        let (status, _) = login(&client, servers[n % 2], victim, "not the password").await;
        assert_eq!(status, 401);
    }
    for server in servers {
        let (status, body) = login(&client, server, victim, PASSWORD).await;
        assert_eq!(status, 429, "{body}");
    }

    // Sixteen decisions on one submission, split across both: exactly one wins.
    let id = world.submitted[0];
    let reviewer = world.token(Actor::Reviewer).unwrap().to_owned();
    let admin = world.token(Actor::ProvinceAdmin).unwrap().to_owned();
    let (_, detail) = send(
        &client,
        one.url(&format!("/api/v1/submissions/{id}")),
        reqwest::Method::GET,
        Some(&reviewer),
        None,
    )
    .await;
    let version = detail["version"].clone();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let url = servers[i % 2].url(&format!("/api/v1/submissions/{id}/review"));
        let token = if i % 4 < 2 {
            reviewer.clone()
        } else {
            admin.clone()
        };
        let decision = ["recommend", "request_changes", "reject"][i % 3];
        let body =
            json!({"decision": decision, "comment": format!("decision {i}"), "version": version});
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            send(
                &client,
                url,
                reqwest::Method::POST,
                Some(&token),
                Some(body),
            )
            .await
            .0
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        15,
        "{statuses:?}"
    );
    let (_, events) = send(
        &client,
        two.url(&format!("/api/v1/submissions/{id}/events")),
        reqwest::Method::GET,
        Some(&reviewer),
        None,
    )
    .await;
    let decisions = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("review:"))
        .count();
    assert_eq!(decisions, 1, "exactly one decision was written");

    // Uploaded through one, downloaded through the other: the same bytes.
    let officer = world.token(Actor::QualityOfficer).unwrap();
    let bytes: Vec<u8> = b"minutes of the quality meeting, 2026-05-20\n".repeat(20_000);
    let part = reqwest::multipart::Part::bytes(bytes.clone()).file_name("minutes.txt");
    let response = client
        .post(one.url(&format!("/api/v1/submissions/{}/evidence", world.drafts[0])))
        .bearer_auth(officer)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let evidence: Value = response.json().await.unwrap();
    let downloaded = download(
        &client,
        two.url(&format!("/api/v1/evidence/{}/content", evidence["id"])),
        officer,
    )
    .await;
    assert_eq!(
        sha256_hex(&downloaded),
        evidence["sha256"].as_str().unwrap()
    );
    assert_eq!(downloaded.len(), bytes.len());

    drop(two);
    drop(one);
    let verify = app.cli(&["history", "verify"], None);
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
    assert!(
        verify.stdout.starts_with("history intact: "),
        "{}",
        verify.stdout
    );
    let check = app.cli(&["evidence", "check"], None);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

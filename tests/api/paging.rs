//! The paging convention on every list route: each route whose answer the OpenAPI document
//! declares an array (so a new list route joins by itself, and fails here until it is given
//! a place below) is walked to its end by following `Link`, a row at a time, and must give
//! each row of the whole list exactly once, in the same order, with `X-Total-Count` on
//! every page. Limits and cursors that are not ones answer 422 naming the parameter.

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, both_backends};
use crate::world::{Actor, World};

both_backends!(
    every_list_route_pages_to_its_end_with_each_row_once,
    limits_and_cursors_that_are_not_ones_are_refused,
    the_peer_comparison_pages_its_peers
);

/// Where a list route of the OpenAPI document is walked: its path with ids filled in, and
/// who reads it.
fn place(world: &World, template: &str) -> Option<(String, Actor)> {
    let school = world.school;
    let province = world.province;
    Some(match template {
        "/api/v1/provinces" => (template.into(), Actor::Admin),
        "/api/v1/schools" => (template.into(), Actor::Admin),
        "/api/v1/users" => (template.into(), Actor::Admin),
        "/api/v1/access-log" => (template.into(), Actor::Admin),
        "/api/v1/provinces/{id}/webhooks" => (
            format!("/api/v1/provinces/{province}/webhooks"),
            Actor::ProvinceAdmin,
        ),
        "/api/v1/title-types" => (template.into(), Actor::Reviewer),
        "/api/v1/standards" => (template.into(), Actor::Admin),
        "/api/v1/me/conflicts" => (template.into(), Actor::Expert),
        "/api/v1/provinces/{id}/notices" => (
            format!("/api/v1/provinces/{province}/notices"),
            Actor::Reviewer,
        ),
        "/api/v1/provinces/{id}/standards-check" => (
            format!("/api/v1/provinces/{province}/standards-check?year=2025"),
            Actor::Reviewer,
        ),
        "/api/v1/provinces/{id}/objections" => (
            format!("/api/v1/provinces/{province}/objections"),
            Actor::ProvinceAdmin,
        ),
        "/api/v1/indicators" => (template.into(), Actor::QualityOfficer),
        "/api/v1/submissions" => (template.into(), Actor::ProvinceAdmin),
        "/api/v1/deadlines" => (template.into(), Actor::ProvinceAdmin),
        "/api/v1/schools/{id}/titles" => {
            (format!("/api/v1/schools/{school}/titles"), Actor::Reviewer)
        }
        "/api/v1/schools/{id}/indicators" => (
            format!("/api/v1/schools/{school}/indicators"),
            Actor::SchoolViewer,
        ),
        "/api/v1/schools/{id}/history" => (
            format!("/api/v1/schools/{school}/history"),
            Actor::QualityOfficer,
        ),
        "/api/v1/schools/{id}/audits" => {
            (format!("/api/v1/schools/{school}/audits"), Actor::Reviewer)
        }
        "/api/v1/schools/{id}/consulting-grants" => (
            format!("/api/v1/schools/{school}/consulting-grants"),
            Actor::QualityOfficer,
        ),
        "/api/v1/audits/{id}/findings" => (
            format!("/api/v1/audits/{}/findings", world.audits[0]),
            Actor::QualityOfficer,
        ),
        "/api/v1/submissions/{id}/events" => (
            format!("/api/v1/submissions/{}/events", world.recommended[0]),
            Actor::ProvinceAdmin,
        ),
        "/api/v1/provinces/{id}/programmes" => (
            format!("/api/v1/provinces/{province}/programmes"),
            Actor::Reviewer,
        ),
        "/api/v1/provinces/{id}/rounds" => (
            format!("/api/v1/provinces/{province}/rounds"),
            Actor::Reviewer,
        ),
        "/api/v1/provinces/{id}/status-data/{year}" => (
            format!("/api/v1/provinces/{province}/status-data/2025"),
            Actor::ProvinceAdmin,
        ),
        _ => return None,
    })
}

/// The paths of the OpenAPI document whose `GET` answers a JSON array.
async fn list_routes(app: &TestApp) -> Vec<String> {
    let doc = app.openapi().await;
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let ok = &item["get"]["responses"]["200"];
        if ok["content"]["application/json"]["schema"]["type"] == "array" {
            found.push(path.clone());
            for header in ["X-Total-Count", "Link"] {
                assert!(
                    ok["headers"][header].is_object(),
                    "{path}: {header} not described"
                );
            }
            let params: Vec<&str> = item["get"]["parameters"]
                .as_array()
                .map(|ps| ps.iter().filter_map(|p| p["name"].as_str()).collect())
                .unwrap_or_default();
            assert!(
                params.contains(&"limit") && params.contains(&"cursor"),
                "{path}: {params:?}"
            );
        }
    }
    found
}

/// The address of the next page, from `Link: <…>; rel="next"`.
fn next_link(reply: &Reply) -> Option<String> {
    let link = reply.header("link")?;
    let (target, params) = link.split_once(';')?;
    assert!(params.contains("rel=\"next\""), "{link}");
    let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
    assert!(target.starts_with("/api/v1/"), "our own path: {link}");
    Some(target.to_owned())
}

fn total(reply: &Reply) -> usize {
    reply
        .header("x-total-count")
        .unwrap_or_else(|| panic!("no X-Total-Count: {}", reply.text))
        .parse()
        .unwrap()
}

/// Walks `path` a page of `limit` at a time; returns the rows and the number of pages.
async fn walk(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    limit: usize,
    rows_of: fn(Value) -> Vec<Value>,
) -> (Vec<Value>, usize) {
    let separator = if path.contains('?') { '&' } else { '?' };
    let mut next = Some(format!("{path}{separator}limit={limit}"));
    let (mut rows, mut pages, mut expected_total) = (Vec::new(), 0, None);
    while let Some(address) = next {
        let reply = app.send("GET", &address, token, None).await;
        assert_eq!(reply.status, 200, "{address}: {}", reply.text);
        let count = total(&reply);
        assert_eq!(*expected_total.get_or_insert(count), count, "{address}");
        let page = rows_of(reply.json());
        assert!(page.len() <= limit, "{address}: {} rows", page.len());
        next = next_link(&reply);
        assert!(
            next.is_none() || page.len() == limit,
            "{address}: a short page before the end"
        );
        rows.extend(page);
        pages += 1;
        assert!(pages <= 1_000, "{path}: does not end");
    }
    assert_eq!(rows.len(), expected_total.unwrap_or(0), "{path}");
    (rows, pages)
}

fn array(body: Value) -> Vec<Value> {
    body.as_array().cloned().expect("an array")
}

fn peers(body: Value) -> Vec<Value> {
    body["peers"].as_array().cloned().expect("peers")
}

/// More of everything than one row, so that every list has pages to walk.
/// Two notices of the province, each of one agreed application, and an objection to each.
async fn published(app: &TestApp, world: &mut World) {
    world.with_applications(app).await;
    for id in [world.evaluated[0], world.evaluated[1]] {
        crate::panels::agree(app, world, id, true).await;
        let notice = world
            .bureau(app)
            .post(
                &format!("/api/v1/provinces/{}/notices", world.province),
                json!({"title": "评估结果公示", "submission_ids": [id], "opens_on": "2026-06-01", "closes_on": "2026-06-07"}),
            )
            .await
            .id();
        let reply = app
            .send(
                "POST",
                &format!("/api/v1/notices/{notice}/objections"),
                None,
                Some(json!({"submission_id": id, "name": "王五", "contact": "wang@example.cn", "text": "有异议"})),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
}

async fn grow(app: &TestApp, world: &World) {
    // The expert declares a conflict with each school, to page through.
    for school in [world.school, world.sibling_school, world.foreign_school] {
        let reply = world
            .expert(app)
            .post(
                "/api/v1/me/conflicts",
                json!({"school_id": school, "reason": "曾在该校任职"}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    let pa = world.bureau(app);
    let qo = world.officer(app);
    for (code, awarded) in [
        ("national_key_technical_school", "1998-03-01"),
        ("migrant_workers_training_base", "2008-05-01"),
    ] {
        let reply = pa
            .award_title(
                world.school,
                json!({"title_type_code": code, "awarded_on": awarded}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    let audits = format!("/api/v1/schools/{}/audits", world.school);
    for (n, started) in ["2024-05-06", "2025-05-12", "2025-05-12"]
        .iter()
        .enumerate()
    {
        let reply = qo.post(&audits, json!({"kind": "internal", "standard": "ISO 9001:2015", "started_on": started, "lead_auditor": format!("Auditor {n}")}))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    for clause in ["7.1.5", "8.5.1"] {
        let reply = qo.add_finding(&world.audits[0], json!({"clause": clause, "grade": "minor_nc", "description": "Calibration records incomplete", "due_on": "2026-03-01"}))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    for school in [world.school, world.sibling_school] {
        world
            .accept_year(
                app,
                school,
                2025,
                json!({"students": 4200, "teachers": 180}),
            )
            .await;
    }
    for target in [10, 20] {
        let reply = pa.add_programme(world.province, json!({"name": format!("{target} double-high schools"), "title_type_code": "double_high_school", "target_count": target, "target_date": "2027-12-31"}))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    let grant = qo
        .give_grant(
            world.school,
            json!({"consultant_school_id": world.foreign_school, "until": "2026-12-31"}),
        )
        .await;
    assert_eq!(grant.status, 201, "{}", grant.text);
    for year in [2023, 2024] {
        let reply = qo
            .put_indicators(
                world.school,
                year,
                json!({"students": 3000 + year, "teachers": 200}),
            )
            .await;
        assert!(matches!(reply.status, 200 | 201), "{}", reply.text);
    }
}

async fn every_list_route_pages_to_its_end_with_each_row_once(app: TestApp) {
    let mut world = World::build(&app).await;
    grow(&app, &world).await;
    published(&app, &mut world).await;
    world.with_robots(&app).await;
    // A second robot of the province, so that its list has pages.
    let second = world
        .bureau(&app)
        .post(
            &format!("/api/v1/provinces/{}/webhooks", world.province),
            json!({"kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=p2",
                "events": ["digest.weekly"]}),
        )
        .await;
    assert_eq!(second.status, 201, "{}", second.text);
    let routes = list_routes(&app).await;
    assert!(routes.len() >= 15, "{routes:?}");
    for template in routes {
        let (path, actor) = place(&world, &template).unwrap_or_else(|| {
            panic!("{template} is a list route: give it a place in tests/api/paging.rs")
        });
        let token = world.token(actor);
        let separator = if path.contains('?') { '&' } else { '?' };
        let whole = app
            .send("GET", &format!("{path}{separator}limit=1000"), token, None)
            .await;
        assert_eq!(whole.status, 200, "{path}: {}", whole.text);
        assert!(whole.header("link").is_none(), "{path}: one page holds all");
        let all = array(whole.json());
        assert_eq!(total(&whole), all.len(), "{path}");
        assert!(all.len() >= 2, "{path}: grow() gives it more than one row");
        let (walked, pages) = walk(&app, &path, token, 1, array).await;
        assert_eq!(walked, all, "{path}: each row once, in order");
        assert_eq!(pages, all.len().max(1), "{path}");
        // Two at a time gives the same.
        let (walked, _) = walk(&app, &path, token, 2, array).await;
        assert_eq!(walked, all, "{path}");
        // The default page holds up to 100.
        let default = app.send("GET", &path, token, None).await;
        assert_eq!(array(default.json()).len(), all.len().min(100), "{path}");
    }
    // Filters stay on the next page's address.
    let pa = world.token(Actor::ProvinceAdmin).unwrap();
    let (filtered, _) = walk(
        &app,
        "/api/v1/submissions?status=recommended",
        Some(pa),
        1,
        array,
    )
    .await;
    assert!(!filtered.is_empty());
    assert!(filtered.iter().all(|s| s["status"] == "recommended"));
}

async fn limits_and_cursors_that_are_not_ones_are_refused(app: TestApp) {
    let world = World::build(&app).await;
    let admin = world.admin(&app);
    for limit in ["0", "1001", "-1", "ten", "1.5"] {
        let reply = admin.get(&format!("/api/v1/schools?limit={limit}")).await;
        assert_eq!(reply.status, 422, "limit={limit}: {}", reply.text);
        assert!(
            reply.json()["error"]["fields"]["limit"].is_string(),
            "{}",
            reply.text
        );
    }
    for cursor in ["nonsense", "%00", "AAAA"] {
        let reply = admin
            .get(&format!("/api/v1/deadlines?cursor={cursor}"))
            .await;
        assert_eq!(reply.status, 422, "cursor={cursor}: {}", reply.text);
        assert!(
            reply.json()["error"]["fields"]["cursor"].is_string(),
            "{}",
            reply.text
        );
    }
    // A cursor of one list is not one of another.
    let page = admin.schools("?limit=1").await;
    let next = next_link(&page).expect("more than one school");
    let cursor = next.split("cursor=").nth(1).unwrap();
    let reply = admin
        .get(&format!("/api/v1/deadlines?cursor={cursor}"))
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    // In the reader's language.
    let reply = app
        .send_with(
            "GET",
            "/api/v1/schools?limit=0",
            admin.token(),
            None,
            &[("Accept-Language", "zh-CN")],
        )
        .await;
    let message = reply.json()["error"]["fields"]["limit"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{message}"
    );
}

async fn the_peer_comparison_pages_its_peers(app: TestApp) {
    let world = World::build(&app).await;
    let admin = world.admin(&app);
    let pa = world.bureau(&app);
    for n in 0..3 {
        let reply = admin.create_school(json!({"province_id": world.province, "name": format!("Xiamen No.{n} Technician College"), "city": "Xiamen", "kind": "technician_college"}))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    let path = format!("/api/v1/schools/{}/peer-comparison", world.school);
    let whole = pa.get(&path).await;
    assert_eq!(whole.status, 200, "{}", whole.text);
    let body = whole.json();
    let all = peers(body.clone());
    assert_eq!(total(&whole), all.len());
    assert!(all.len() >= 4, "{body}");
    let (walked, pages) = walk(&app, &path, pa.token(), 1, peers).await;
    assert_eq!(walked, all);
    assert_eq!(pages, all.len());
    // The school's own figures and percentiles come whole with every page.
    let second = pa
        .get(&format!(
            "{path}?limit=1&cursor={}",
            next_link(&pa.get(&format!("{path}?limit=1")).await)
                .unwrap()
                .split("cursor=")
                .nth(1)
                .unwrap()
        ))
        .await;
    let second = second.json();
    assert_eq!(second["school"], body["school"]);
    assert_eq!(second["percentiles"], body["percentiles"]);
    assert_eq!(second["standards"], body["standards"]);
    assert!(all.iter().all(|p| p["school_id"] != world.school));
    // The CSV holds every peer.
    let csv = pa.get(&format!("{path}?format=csv&limit=1")).await;
    assert_eq!(csv.status, 200);
    assert_eq!(
        csv.text.lines().count(),
        1 + 1 + all.len() + 1,
        "header, school, peers, percentiles"
    );
}

//! The OpenAPI document describes every registered route, and nothing that is not served.

use accredit::http::api::ROUTES;

use crate::helpers::{TestApp, both_backends};

both_backends!(every_registered_route_is_described);

async fn every_registered_route_is_described(app: TestApp) {
    let doc = app.openapi().await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    let mut missing = Vec::new();
    for route in ROUTES {
        let method = route.method.as_str().to_lowercase();
        if paths.get(route.path).and_then(|p| p.get(&method)).is_none() {
            missing.push(format!("{} {}", route.method, route.path));
        }
    }
    assert!(
        missing.is_empty(),
        "routes missing from the OpenAPI document: {missing:?}"
    );

    let mut phantom = Vec::new();
    for (path, operations) in paths {
        for method in operations.as_object().unwrap().keys() {
            let served = ROUTES
                .iter()
                .any(|r| r.path == path && r.method.as_str().eq_ignore_ascii_case(method));
            if !served {
                phantom.push(format!("{method} {path}"));
            }
        }
    }
    assert!(phantom.is_empty(), "described but not served: {phantom:?}");
    assert!(ROUTES.iter().any(|r| r.path.starts_with("/api/v1/")));
}

both_backends!(
    the_document_is_exact,
    malformed_bodies_name_their_field,
    codes_match_whatever_their_case
);

/// The rules a generated client relies on: every answer described, one id per operation,
/// every parameter where it is sent, the shared error answers, the vocabularies' words.
async fn the_document_is_exact(app: TestApp) {
    let doc = app.openapi().await;
    let mut ids = std::collections::BTreeSet::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, op) in operations.as_object().unwrap() {
            let what = format!("{method} {path}");
            let id = op["operationId"].as_str().expect("an operationId");
            assert!(ids.insert(id.to_owned()), "{what}: operationId {id} twice");
            for (status, answer) in op["responses"].as_object().unwrap() {
                assert!(
                    answer["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{what} {status}: no description"
                );
            }
            for parameter in op["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap();
                let in_path = path.contains(&format!("{{{name}}}"));
                assert_eq!(parameter["in"] == "path", in_path, "{what}: {name}");
            }
            let responses = &op["responses"];
            for status in ["400", "500"] {
                assert!(responses.get(status).is_some(), "{what}: no {status}");
            }
            if op.get("security").is_some() {
                assert!(responses.get("401").is_some(), "{what}: no 401");
            }
            if op.get("requestBody").is_some() {
                for status in ["413", "415", "422"] {
                    assert!(responses.get(status).is_some(), "{what}: no {status}");
                }
            }
        }
    }
    let schemas = &doc["components"]["schemas"];
    let units: Vec<&str> = schemas["Unit"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    assert!(
        units.contains(&"m2"),
        "the vocabulary's own words: {units:?}"
    );
    assert_eq!(
        schemas["UserInput"]["properties"]["role"]["$ref"],
        "#/components/schemas/Role"
    );
    assert_eq!(
        schemas["AuditInput"]["properties"]["started_on"]["format"],
        "date"
    );
    let year = &schemas["RoundInput"]["properties"]["year"];
    assert_eq!(year["minimum"], 1950);
    assert_eq!(
        year["maximum"], 2027,
        "next year, from the server's today (2026-06-01)"
    );
}

/// A body of the wrong shape answers 400 `invalid_body` naming the field by its JSON path,
/// in the reader's language, and never a Rust type.
async fn malformed_bodies_name_their_field(app: TestApp) {
    crate::world::create_admin(&app, "admin@accredit.example");
    let admin = app.token("admin@accredit.example").await;
    let province = app
        .with_token(&admin)
        .create_province(serde_json::json!({"code": "FJ", "name": "Fujian", "name_zh": "福建"}))
        .await
        .id();
    let school = serde_json::json!({"province_id": province, "name": "Fuzhou No.2", "city": "Fuzhou", "kind": "technical_school"});
    for (path, body, field, en, zh) in [
        (
            "/api/v1/schools",
            {
                let mut b = school.clone();
                b["founded_year"] = "1978".into();
                b
            },
            "founded_year",
            "must be a whole number",
            "必须是整数",
        ),
        (
            "/api/v1/schools",
            {
                let mut b = school.clone();
                b["nickname"] = "x".into();
                b
            },
            "nickname",
            "is not a field of this request",
            "不是此请求的字段",
        ),
        (
            "/api/v1/schools",
            serde_json::json!({"province_id": province}),
            "name",
            "must not be empty",
            "不能为空",
        ),
        (
            "/api/v1/auth/login",
            serde_json::json!([]),
            "$",
            "must be a JSON object",
            "必须是 JSON 对象",
        ),
        (
            "/api/v1/provinces",
            serde_json::json!({"code": 7, "name": "X"}),
            "code",
            "must be text (a JSON string)",
            "必须是文字（JSON 字符串）",
        ),
    ] {
        for (lang, expected) in [("en", en), ("zh-CN", zh)] {
            let reply = app
                .send_with(
                    "POST",
                    path,
                    Some(&admin),
                    Some(body.clone()),
                    &[("Accept-Language", lang)],
                )
                .await;
            assert_eq!(reply.status, 400, "{path} {body}: {}", reply.text);
            assert_eq!(reply.error_code(), "invalid_body");
            assert_eq!(
                reply.json()["error"]["fields"][field],
                expected,
                "{path} {body} {lang}"
            );
            for rust in [
                "i64",
                "struct ",
                "expected i",
                "expected a",
                "line 1",
                "Option<",
            ] {
                assert!(!reply.text.contains(rust), "{}", reply.text);
            }
        }
    }
    // A whole number written with a decimal point is a whole number.
    let mut b = school.clone();
    b["founded_year"] = serde_json::json!(1990.0);
    let reply = app.with_token(&admin).create_school(b).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.json()["founded_year"], 1990);
    // Not JSON at all.
    let reply = app.request("POST", "/api/v1/auth/login", Some("{")).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.error_code(), "malformed_json");
}

/// A code is matched the same way wherever it is taken: `NKTS` names the title `nkts`.
async fn codes_match_whatever_their_case(app: TestApp) {
    crate::world::create_admin(&app, "admin@accredit.example");
    let admin = app.token("admin@accredit.example").await;
    let created = app
        .send(
            "POST",
            "/api/v1/title-types",
            Some(&admin),
            Some(serde_json::json!({"code": "NKTS", "name": "National Key Technical School", "level": "national", "awarding_body": "MOHRSS", "reevaluation_interval_months": 60})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json()["code"], "nkts");
    let province = app
        .with_token(&admin)
        .create_province(serde_json::json!({"code": "FJ", "name": "Fujian", "name_zh": "福建"}))
        .await
        .id();
    let school = app.with_token(&admin).create_school(serde_json::json!({"province_id": province, "name": "Fuzhou No.2", "city": "Fuzhou", "kind": "technical_school"})).await.id();
    for code in ["NKTS", " nkts ", "Nkts"] {
        let reply = app
            .with_token(&admin)
            .award_title(
                school,
                serde_json::json!({"title_type_code": code, "awarded_on": "2010-06-30"}),
            )
            .await;
        assert!(
            matches!(reply.status, 201 | 409),
            "{code}: {} {}",
            reply.status,
            reply.text
        );
    }
}

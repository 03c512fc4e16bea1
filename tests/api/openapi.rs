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

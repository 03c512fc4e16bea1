//! Consulting grants: read-only access for a consulting school, evidence only when granted,
//! every read in the history, and an end or a revocation that takes effect at once.

use serde_json::json;

use crate::helpers::{TestApp, both_backends};
use crate::world::{Actor, World};

both_backends!(a_consulting_school_reads_but_never_writes_until_the_grant_ends);

fn sql(app: &TestApp, statement: &str) {
    use diesel::RunQueryDsl;
    let db = app.db();
    let mut conn = db.get().unwrap();
    diesel::sql_query(statement).execute(&mut *conn).unwrap();
}

async fn a_consulting_school_reads_but_never_writes_until_the_grant_ends(app: TestApp) {
    let world = World::build(&app).await;
    // World: Fuzhou No.2 (own) lets Xiamen (sibling) read its records, without evidence.
    let consultant = app.token("officer@xiamen.example").await;
    let own = world.school;
    let qo = world.token(Actor::QualityOfficer);
    assert_eq!(
        app.send(
            "GET",
            &format!("/api/v1/schools/{own}"),
            Some(&consultant),
            None
        )
        .await
        .status,
        200
    );
    assert_eq!(
        app.send(
            "GET",
            &format!("/api/v1/schools/{own}/audits"),
            Some(&consultant),
            None
        )
        .await
        .status,
        200
    );
    assert_eq!(
        app.send(
            "GET",
            &format!("/api/v1/audits/{}/findings", world.audits[0]),
            Some(&consultant),
            None
        )
        .await
        .status,
        200
    );
    let file = app
        .send(
            "GET",
            &format!("/api/v1/evidence/{}/content", world.evidence[0]),
            Some(&consultant),
            None,
        )
        .await;
    assert_eq!(file.status, 404, "evidence only when the grant includes it");
    let write = app
        .send(
            "PATCH",
            &format!("/api/v1/audits/{}", world.audits[0]),
            Some(&consultant),
            Some(json!({"summary": "changed by a consultant"})),
        )
        .await;
    assert_eq!(write.status, 403, "a grant never lets anyone write");
    let history = app
        .send(
            "GET",
            &format!("/api/v1/schools/{own}/history?limit=200"),
            qo,
            None,
        )
        .await
        .json();
    let reads = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["action"] == "grant.read")
        .count();
    assert!(
        reads >= 3,
        "every read under the grant is in the history ({reads})"
    );

    // Revoked: at once.
    let grant = world.grants[0];
    assert_eq!(
        app.send(
            "DELETE",
            &format!("/api/v1/consulting-grants/{grant}"),
            qo,
            None
        )
        .await
        .status,
        204
    );
    assert_eq!(
        app.send(
            "GET",
            &format!("/api/v1/schools/{own}"),
            Some(&consultant),
            None
        )
        .await
        .status,
        404
    );

    // A new grant with evidence; its end takes effect the day after `until`.
    let path = format!("/api/v1/schools/{own}/consulting-grants");
    let fresh = app
        .send("POST", &path, qo, Some(json!({"consultant_school_id": world.sibling_school, "until": "2026-06-30", "include_evidence": true})))
        .await;
    assert_eq!(fresh.status, 201, "{}", fresh.text);
    let fresh_id = fresh.json()["id"].as_i64().unwrap();
    let file = app
        .send(
            "GET",
            &format!("/api/v1/evidence/{}/content", world.evidence[0]),
            Some(&consultant),
            None,
        )
        .await;
    assert_eq!(file.status, 200);
    sql(
        &app,
        &format!("UPDATE consulting_grants SET until = '2026-05-31' WHERE id = {fresh_id}"),
    );
    assert_eq!(
        app.send(
            "GET",
            &format!("/api/v1/schools/{own}"),
            Some(&consultant),
            None
        )
        .await
        .status,
        404,
        "ended yesterday"
    );

    for (body, field) in [
        (
            json!({"consultant_school_id": world.sibling_school, "until": "2026-05-01"}),
            "until",
        ),
        (
            json!({"consultant_school_id": own, "until": "2026-12-31"}),
            "consultant_school_id",
        ),
        (
            json!({"consultant_school_id": 99999, "until": "2026-12-31"}),
            "consultant_school_id",
        ),
    ] {
        let reply = app.send("POST", &path, qo, Some(body.clone())).await;
        assert_eq!(reply.status, 422, "{body}");
        assert!(reply.json()["error"]["fields"][field].is_string());
    }
    let listed = app.send("GET", &path, qo, None).await.json();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    let out = app.cli(&["history", "verify"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

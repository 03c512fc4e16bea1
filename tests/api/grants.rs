//! Consulting grants: read-only access for a consulting school, evidence only when granted,
//! every read in the history, and an end or a revocation that takes effect at once.

use serde_json::json;

use crate::helpers::{TestApp, both_backends};
use crate::world::World;

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
    let qo = world.officer(&app);
    assert_eq!(app.with_token(&consultant).school(own).await.status, 200);
    assert_eq!(app.with_token(&consultant).audits(own).await.status, 200);
    assert_eq!(
        app.with_token(&consultant)
            .findings(world.audits[0])
            .await
            .status,
        200
    );
    let file = app
        .with_token(&consultant)
        .evidence_content(world.evidence[0])
        .await;
    assert_eq!(file.status, 404, "evidence only when the grant includes it");
    let write = app
        .with_token(&consultant)
        .update_audit(
            &world.audits[0],
            json!({"summary": "changed by a consultant"}),
        )
        .await;
    assert_eq!(write.status, 403, "a grant never lets anyone write");
    let history = qo.history(own, "?limit=200").await.json();
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
        qo.delete(&format!("/api/v1/consulting-grants/{grant}"))
            .await
            .status,
        204
    );
    assert_eq!(app.with_token(&consultant).school(own).await.status, 404);

    // A new grant with evidence; its end takes effect the day after `until`.
    let fresh = qo.give_grant(own, json!({"consultant_school_id": world.sibling_school, "until": "2026-06-30", "include_evidence": true}))
        .await;
    assert_eq!(fresh.status, 201, "{}", fresh.text);
    let fresh_id = fresh.json()["id"].as_i64().unwrap();
    let file = app
        .with_token(&consultant)
        .evidence_content(world.evidence[0])
        .await;
    assert_eq!(file.status, 200);
    sql(
        &app,
        &format!("UPDATE consulting_grants SET until = '2026-05-31' WHERE id = {fresh_id}"),
    );
    assert_eq!(
        app.with_token(&consultant).school(own).await.status,
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
        let reply = qo.give_grant(own, body.clone()).await;
        assert_eq!(reply.status, 422, "{body}");
        assert!(reply.json()["error"]["fields"][field].is_string());
    }
    let listed = qo.grants(own).await.json();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    let out = app.cli(&["history", "verify"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

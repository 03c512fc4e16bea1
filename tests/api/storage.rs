//! Evidence storage on both kinds: the data directory (the SQLite runs) and a bucket of a
//! real S3 server (the PostgreSQL runs): large uploads in parts, nothing left behind by a
//! `kill -9` once the sweep has run, `accredit evidence check [--repair]`, and moving an
//! installation's files to a bucket with `accredit evidence migrate`.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use sha2::Digest;

use crate::helpers::{S3_BUCKET, S3Server, ServeProcess, TestApp, both_backends, spawn_app};
use crate::world::{Actor, World};

both_backends!(
    a_large_upload_goes_in_parts_and_comes_back_the_same,
    kill_9_mid_upload_leaves_nothing_once_swept,
    evidence_check_names_missing_files_and_orphans_and_repairs,
);

/// The bytes of a download that must succeed.
pub(crate) async fn download(client: &reqwest::Client, url: String, token: &str) -> Vec<u8> {
    let response = client.get(url).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.bytes().await.unwrap().to_vec()
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", sha2::Sha256::digest(bytes))
}

/// Where the stored file of a hash is, in the data directory or in s3s-fs's directory.
fn stored_path(app: &TestApp, sha256: &str) -> PathBuf {
    match &app.s3 {
        Some(s3) => s3
            .root
            .join(S3_BUCKET)
            .join("accredit/test")
            .join(&sha256[..2])
            .join(sha256),
        None => app
            .dir
            .path()
            .join("evidence")
            .join(&sha256[..2])
            .join(sha256),
    }
}

/// What uploads under way (or cut off) hold: staged files, multipart parts.
fn leftovers(app: &TestApp) -> Vec<PathBuf> {
    match &app.s3 {
        Some(s3) => s3
            .files()
            .into_iter()
            .filter(|f| {
                let name = f.file_name().unwrap().to_string_lossy();
                name.starts_with(".upload")
                    || name.starts_with(".tmp.")
                    || f.to_string_lossy().contains("/staging/")
            })
            .collect(),
        None => std::fs::read_dir(app.dir.path().join("evidence").join("staging"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect(),
    }
}

fn recorded_uploads(app: &TestApp) -> i64 {
    let db = app.db();
    let mut conn = db.get().unwrap();
    accredit::db::schema::evidence_uploads::table
        .count()
        .get_result(&mut *conn)
        .unwrap()
}

/// Bytes that pass as a text file, `size` long.
fn text_bytes(size: usize) -> Vec<u8> {
    let line = b"accredit evidence line, plain text, repeated to make a large file\n";
    line.iter().copied().cycle().take(size).collect()
}

async fn a_large_upload_goes_in_parts_and_comes_back_the_same(app: TestApp) {
    let world = World::build(&app).await;
    let server = ServeProcess::beside(&app, &[("ACCREDIT_MAX_UPLOAD_BYTES", "67108864")]);
    let qo = world.token(Actor::QualityOfficer).unwrap();
    // 20 MiB: three parts of a multipart upload in the bucket.
    let bytes = text_bytes(20 * 1024 * 1024 + 123);
    let part = reqwest::multipart::Part::bytes(bytes.clone()).file_name("minutes.txt");
    let reply = app
        .client
        .post(server.url(&format!("/api/v1/submissions/{}/evidence", world.drafts[0])))
        .bearer_auth(qo)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    let evidence: serde_json::Value = reply.json().await.unwrap();
    assert_eq!(evidence["sha256"], sha256_hex(&bytes));
    assert_eq!(evidence["size_bytes"], bytes.len());
    let stored = std::fs::read(stored_path(&app, &sha256_hex(&bytes))).unwrap();
    assert_eq!(stored.len(), bytes.len());
    let got = download(
        &app.client,
        app.url(&format!("/api/v1/evidence/{}/content", evidence["id"])),
        qo,
    )
    .await;
    assert_eq!(sha256_hex(&got), sha256_hex(&bytes));
    assert!(leftovers(&app).is_empty(), "{:?}", leftovers(&app));
    assert_eq!(recorded_uploads(&app), 0);
}

async fn kill_9_mid_upload_leaves_nothing_once_swept(app: TestApp) {
    let world = World::build(&app).await;
    let qo = world.token(Actor::QualityOfficer).unwrap().to_owned();
    let server = ServeProcess::beside(&app, &[("ACCREDIT_MAX_UPLOAD_BYTES", "268435456")]);
    // A 200 MiB upload, of which 20 MiB arrive before the server is killed.
    let port: u16 = server.address.rsplit(':').next().unwrap().parse().unwrap();
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let boundary = "CutOffBoundary";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\nContent-Type: text/plain\r\n\r\n"
    );
    let request = format!(
        "POST /api/v1/submissions/{}/evidence HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {qo}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n{head}",
        world.drafts[0],
        200 * 1024 * 1024
    );
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(&text_bytes(20 * 1024 * 1024)).unwrap();
    stream.flush().unwrap();
    let started = Instant::now();
    while leftovers(&app).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "nothing staged"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Let a part or a megabyte land, then kill -9 mid-upload.
    tokio::time::sleep(Duration::from_millis(500)).await;
    server.kill();
    drop(stream);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let left = leftovers(&app);
    assert!(!left.is_empty(), "the crash leaves its staged upload");
    if app.s3.is_some() {
        assert_eq!(
            recorded_uploads(&app),
            1,
            "the upload was recorded when it began"
        );
    }

    // A restart sweeps what is older than the staging age (here: anything).
    let restarted = ServeProcess::beside(&app, &[("ACCREDIT_STAGING_MAX_AGE_MINUTES", "0")]);
    let started = Instant::now();
    while !leftovers(&app).is_empty() || recorded_uploads(&app) != 0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "still there: {:?}",
            leftovers(&app)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(restarted);
    // And the record is sound.
    let check = app.cli(&["evidence", "check"], None);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(check.stdout.contains("evidence storage is consistent"));
}

async fn evidence_check_names_missing_files_and_orphans_and_repairs(app: TestApp) {
    let world = World::build(&app).await;
    let check = app.cli(&["evidence", "check"], None);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let qo = world.officer(&app);
    let detail = qo.submission(world.drafts[0]).await.json();
    let sha = detail["evidence"][0]["sha256"].as_str().unwrap().to_owned();
    let evidence_id = detail["evidence"][0]["id"].as_i64().unwrap();

    // A file gone missing, and a file no row names (an hour old, so not an upload in
    // flight).
    let stored = stored_path(&app, &sha);
    let kept = std::fs::read(&stored).unwrap();
    std::fs::remove_file(&stored).unwrap();
    let orphan_bytes = b"nobody refers to this file".to_vec();
    let orphan_sha = sha256_hex(&orphan_bytes);
    let orphan = stored_path(&app, &orphan_sha);
    std::fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    std::fs::write(&orphan, &orphan_bytes).unwrap();
    let old = std::time::SystemTime::now() - Duration::from_secs(2 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&orphan)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let check = app.cli(&["evidence", "check"], None);
    assert_eq!(check.code, 1, "{}{}", check.stdout, check.stderr);
    assert!(
        check
            .stdout
            .contains(&format!("missing: {sha} (evidence {evidence_id}")),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains(&format!("orphan: {orphan_sha}")),
        "{}",
        check.stdout
    );
    assert!(orphan.exists(), "a check alone changes nothing");

    let repair = app.cli(&["evidence", "check", "--repair"], None);
    assert_eq!(
        repair.code, 1,
        "the missing file is still missing: {}",
        repair.stdout
    );
    assert!(
        repair.stdout.contains("repaired: 1 orphans removed"),
        "{}",
        repair.stdout
    );
    assert!(!orphan.exists());

    std::fs::write(&stored, &kept).unwrap();
    let check = app.cli(&["evidence", "check"], None);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(check.stdout.contains("evidence storage is consistent"));
}

/// An installation on disk moves its files to a bucket, is interrupted, runs again, and
/// serves the same bytes from the bucket.
#[tokio::test]
async fn migrate_moves_every_file_to_a_bucket_verified_and_rerunnable() {
    let app = spawn_app(accredit::db::Backend::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let Some(s3) = S3Server::start(dir.path()) else {
        return;
    };
    let world = World::build(&app).await;
    let qo = world.officer(&app);
    for (n, size) in [(1, 900 * 1024), (2, 10), (3, 70_000)] {
        let mut bytes = text_bytes(size);
        bytes.extend_from_slice(format!("file {n}").as_bytes());
        let reply = qo
            .upload_evidence(world.drafts[0], "minutes.txt", &bytes)
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    let env = s3.env("moved");
    let env: Vec<(&str, &str)> = env
        .iter()
        .filter(|(k, _)| k != "ACCREDIT_EVIDENCE_URL")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let to = format!("s3://{S3_BUCKET}/moved");
    let first = app.cli_with(&env, &["evidence", "migrate", "--to", &to]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    let copied: usize = first
        .stdout
        .lines()
        .filter(|l| l.ends_with(": copied and verified"))
        .count();
    assert!(copied >= 3, "{}", first.stdout);
    assert!(
        first.stdout.contains("set ACCREDIT_EVIDENCE_URL="),
        "{}",
        first.stdout
    );

    // Interrupted: one object never arrived. Running again copies that one only.
    let moved = s3.root.join(S3_BUCKET).join("moved");
    let one = std::fs::read_dir(&moved)
        .unwrap()
        .map(|d| d.unwrap().path())
        .find(|p| p.is_dir())
        .and_then(|d| std::fs::read_dir(d).unwrap().next())
        .unwrap()
        .unwrap()
        .path();
    std::fs::remove_file(&one).unwrap();
    let again = app.cli_with(&env, &["evidence", "migrate", "--to", &to]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(
        again.stdout.contains("1 copied and verified"),
        "{}",
        again.stdout
    );
    assert!(
        again
            .stdout
            .contains(&format!("{} already there", copied - 1)),
        "{}",
        again.stdout
    );

    // A server on the bucket serves the same bytes, and the bucket is consistent.
    let mut bucket_env: Vec<(String, String)> = s3.env("moved");
    bucket_env.retain(|(k, _)| k.starts_with("AWS_") || k == "ACCREDIT_EVIDENCE_URL");
    let bucket_env: Vec<(&str, &str)> = bucket_env
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let on_bucket = app.beside_with(&bucket_env).await;
    let detail = qo.submission(world.drafts[0]).await.json();
    let evidence = &detail["evidence"][0];
    let content = format!("/api/v1/evidence/{}/content", evidence["id"]);
    let from_disk = download(&app.client, app.url(&content), qo.token().unwrap()).await;
    let from_bucket = download(
        &on_bucket.client,
        on_bucket.url(&content),
        qo.token().unwrap(),
    )
    .await;
    assert_eq!(from_bucket, from_disk);
    assert_eq!(
        sha256_hex(&from_bucket),
        evidence["sha256"].as_str().unwrap()
    );
    drop(on_bucket);
    let check = app.cli_with(&bucket_env, &["evidence", "check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(
        check.stdout.contains("s3://evidence/moved"),
        "{}",
        check.stdout
    );
}

/// A bucket that cannot be reached stops the command (and `serve`) at once, naming the
/// variables, instead of failing the first upload.
#[tokio::test]
async fn an_unreachable_bucket_is_refused_at_start_naming_the_variables() {
    let app = spawn_app(accredit::db::Backend::Sqlite).await.unwrap();
    let nothing_listens = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{nothing_listens}");
    let started = Instant::now();
    let run = app.cli_with(
        &[
            ("ACCREDIT_EVIDENCE_URL", "s3://evidence/x"),
            ("AWS_ENDPOINT_URL", &endpoint),
            ("AWS_ACCESS_KEY_ID", "k"),
            ("AWS_SECRET_ACCESS_KEY", "never-shown-secret"),
        ],
        &["evidence", "check"],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("evidence bucket s3://evidence/x"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("AWS_ENDPOINT_URL"), "{}", run.stderr);
    assert!(!run.stderr.contains("never-shown-secret"));
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "a few quick retries only"
    );
}

//! Backups that can be put back: `accredit backup` and `restore` for SQLite (backup while
//! the server writes, `kill -9`, restore: the data equals the backup, table by table), the
//! restore refused under a running server, a damaged file reported by `/healthz`, and
//! `pg_dump -Fc` / `pg_restore` for PostgreSQL as docs/operations.md says.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use accredit::db::{Backend, DatabaseUrl, Db, DbConn};
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::cli::{start_server, terminate};
use crate::helpers::{TestDatabase, run_cli};

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Every table's rows as text, in a stable order: the content of a database, table by table.
fn contents(url: &str) -> Vec<(String, Vec<String>)> {
    let url = DatabaseUrl::parse(url, Path::new("/")).unwrap();
    let db = Db::connect(&url, 1).unwrap();
    let mut conn = db.get().unwrap();
    let conn: &mut DbConn = &mut conn;
    let tables: Vec<String> = match db.backend() {
        Backend::Sqlite => diesel::sql_query(
            "SELECT name AS line FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name",
        ),
        Backend::Postgres => diesel::sql_query(
            "SELECT table_name::text AS line FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
        ),
    }
    .load::<Line>(conn)
    .unwrap()
    .into_iter()
    .map(|l| l.line)
    .collect();
    assert!(tables.len() > 10, "{tables:?}");
    tables
        .into_iter()
        .map(|table| {
            let rows = match db.backend() {
                Backend::Sqlite => {
                    #[derive(QueryableByName)]
                    struct Column {
                        #[diesel(sql_type = Text)]
                        name: String,
                    }
                    let columns: Vec<String> =
                        diesel::sql_query(format!("PRAGMA table_info(\"{table}\")"))
                            .load::<Column>(conn)
                            .unwrap()
                            .into_iter()
                            .map(|c| format!("quote(\"{}\")", c.name))
                            .collect();
                    diesel::sql_query(format!(
                        "SELECT {} AS line FROM \"{table}\" ORDER BY 1",
                        columns.join(" || '|' || ")
                    ))
                    .load::<Line>(conn)
                }
                Backend::Postgres => diesel::sql_query(format!(
                    "SELECT t::text AS line FROM \"{table}\" AS t ORDER BY 1"
                ))
                .load::<Line>(conn),
            }
            .unwrap()
            .into_iter()
            .map(|l| l.line)
            .collect();
            (table, rows)
        })
        .collect()
}

fn env<'a>(url: &'a str, dir: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("DATABASE_URL", url),
        ("ACCREDIT_DATA_DIR", dir),
        ("ACCREDIT_ARGON2_MEMORY_KIB", "64"),
        ("ACCREDIT_ARGON2_ITERATIONS", "1"),
    ]
}

/// An admin, signed in on `address`; answers the token.
async fn admin_token(
    client: &reqwest::Client,
    address: &str,
    cwd: &Path,
    env: &[(&str, &str)],
) -> String {
    let out = run_cli(
        &[
            "user",
            "create",
            "--email",
            "ops@accredit.example",
            "--name",
            "Ops",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("Backups are tested 1\n"),
        env,
        cwd,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let reply: serde_json::Value = client
        .post(format!("{address}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "ops@accredit.example", "password": "Backups are tested 1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["token"].as_str().unwrap().to_owned()
}

/// `n` writes, each a province (with its history entry), numbered from `from`.
async fn write(client: &reqwest::Client, address: &str, token: &str, from: usize, n: usize) {
    let requests = (from..from + n).map(|i| {
        client
            .post(format!("{address}/api/v1/provinces"))
            .bearer_auth(token)
            .json(&serde_json::json!({"code": format!("P{i}"), "name": format!("Province {i}")}))
            .send()
    });
    for reply in futures_util::future::join_all(requests).await {
        let reply = reply.unwrap();
        assert_eq!(reply.status(), 201);
    }
}

#[tokio::test]
async fn sqlite_backup_survives_kill_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("accredit.sqlite3");
    let backup = dir.path().join("backup.sqlite3");
    let (url, data) = (
        database.to_str().unwrap().to_owned(),
        dir.path().to_str().unwrap().to_owned(),
    );
    let env = env(&url, &data);
    let client = reqwest::Client::new();

    let (server, address, _) = start_server(dir.path(), &env);
    let token = admin_token(&client, &address, dir.path(), &env).await;
    write(&client, &address, &token, 0, 20).await;

    // A backup while the server runs and writes.
    let writing = write(&client, &address, &token, 100, 50);
    let backup_path = backup.to_str().unwrap().to_owned();
    let backing_up = tokio::task::spawn_blocking({
        let (env, cwd) = (
            env.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>(),
            dir.path().to_owned(),
        );
        move || {
            let env: Vec<(&str, &str)> =
                env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            run_cli(&["backup", "--to", &backup_path], None, &env, &cwd)
        }
    });
    writing.await;
    let out = backing_up.await.unwrap();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("integrity ok"), "{}", out.stdout);
    assert!(!dir.path().join("backup.sqlite3-wal").exists());
    let saved = contents(backup.to_str().unwrap());

    // Again to the same name: refused, the first copy kept.
    let again = run_cli(
        &["backup", "--to", backup.to_str().unwrap()],
        None,
        &env,
        dir.path(),
    );
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("exists already"), "{}", again.stderr);

    // 400 writes after the backup, then the server is killed without warning.
    write(&client, &address, &token, 1000, 400).await;
    let refused = run_cli(
        &["restore", "--from", backup.to_str().unwrap()],
        None,
        &env,
        dir.path(),
    );
    assert_eq!(refused.code, 1, "a restore under a running server");
    assert!(
        refused.stderr.contains("a server is running"),
        "{}",
        refused.stderr
    );
    let mut server = server;
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(
        dir.path().join("accredit.sqlite3-wal").exists(),
        "the kill left a log"
    );

    // A file that is not a backup is refused and changes nothing.
    std::fs::write(dir.path().join("junk.sqlite3"), b"not a database at all").unwrap();
    let junk = run_cli(
        &["restore", "--from", "junk.sqlite3"],
        None,
        &env,
        dir.path(),
    );
    assert_eq!(junk.code, 1);
    assert!(
        junk.stderr.contains("not a sound backup"),
        "{}",
        junk.stderr
    );

    let out = run_cli(
        &["restore", "--from", backup.to_str().unwrap()],
        None,
        &env,
        dir.path(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("integrity ok"), "{}", out.stdout);
    assert_eq!(
        contents(&url),
        saved,
        "the data equals the backup, table by table"
    );
    let verify = run_cli(&["history", "verify"], None, &env, dir.path());
    assert_eq!(verify.code, 0, "{}", verify.stderr);

    // The restored installation serves, and takes writes again.
    let (server, address, _) = start_server(dir.path(), &env);
    let health: serde_json::Value = client
        .get(format!("{address}/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["database"], "ok");
    let token: serde_json::Value = client
        .post(format!("{address}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "ops@accredit.example", "password": "Backups are tested 1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    write(&client, &address, token["token"].as_str().unwrap(), 5000, 5).await;
    terminate(server);
}

#[tokio::test]
async fn healthz_reports_a_damaged_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("accredit.sqlite3");
    let (url, data) = (
        database.to_str().unwrap().to_owned(),
        dir.path().to_str().unwrap().to_owned(),
    );
    let env = env(&url, &data);
    let client = reqwest::Client::new();
    let (server, address, _) = start_server(dir.path(), &env);
    let token = admin_token(&client, &address, dir.path(), &env).await;
    for i in 0..30 {
        write(&client, &address, &token, i * 10, 10).await;
    }
    terminate(server);
    // The last pages of the file are those the writes just added (the provinces and their
    // history), never the schema's, which the migrations wrote first: overwrite them.
    let mut bytes = std::fs::read(&database).unwrap();
    assert!(!dir.path().join("accredit.sqlite3-wal").exists());
    let pages = bytes.len() / 4096;
    for page in pages - 4..pages {
        for (i, b) in bytes[page * 4096..(page + 1) * 4096].iter_mut().enumerate() {
            *b = (i * 7 % 251) as u8;
        }
    }
    std::fs::write(&database, &bytes).unwrap();

    let (server, address, log) = start_server(dir.path(), &env);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let reply = client
            .get(format!("{address}/healthz"))
            .send()
            .await
            .unwrap();
        if reply.status() == 503 {
            let body: serde_json::Value = reply.json().await.unwrap();
            assert_eq!(body["database"], "damaged");
            break;
        }
        assert!(Instant::now() < deadline, "healthz never said so");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while !log.lock().unwrap().iter().any(|l| l.contains("damaged")) {
        assert!(
            Instant::now() < deadline,
            "the log says what was found: {:?}",
            log.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    terminate(server);
}

#[tokio::test]
async fn postgres_dump_and_restore_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let Some(database) = TestDatabase::create(Backend::Postgres, dir.path()) else {
        return;
    };
    let url = database.url();
    let data = dir.path().to_str().unwrap().to_owned();
    let env = env(&url, &data);
    let client = reqwest::Client::new();
    let (server, address, _) = start_server(dir.path(), &env);
    let token = admin_token(&client, &address, dir.path(), &env).await;
    write(&client, &address, &token, 0, 30).await;
    let dump = dir.path().join("accredit.dump");
    let status = Command::new("pg_dump")
        .args(["-Fc", "-f", dump.to_str().unwrap(), &url])
        .status()
        .expect("pg_dump (Debian: postgresql-client)");
    assert!(status.success());
    let saved = contents(&url);
    write(&client, &address, &token, 100, 50).await;
    terminate(server);

    let status = Command::new("pg_restore")
        .args([
            "--clean",
            "--if-exists",
            "--no-owner",
            "-d",
            &url,
            dump.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        contents(&url),
        saved,
        "the data equals the dump, table by table"
    );
    let verify = run_cli(&["history", "verify"], None, &env, dir.path());
    assert_eq!(verify.code, 0, "{}", verify.stderr);
    // accredit's own commands point PostgreSQL users to those tools.
    let out = run_cli(&["backup", "--to", "x.sqlite3"], None, &env, dir.path());
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("pg_dump"), "{}", out.stderr);
}

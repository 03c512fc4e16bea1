//! The binary itself: `serve` on a fresh machine, `migrate`, `user create`, `--help`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use accredit::db::Backend;

use crate::helpers::{TestApp, TestDatabase, both_backends, run_cli};

both_backends!(
    user_create_stores_an_argon2id_hash_and_refuses_duplicates,
    user_create_names_bad_fields
);

async fn user_create_stores_an_argon2id_hash_and_refuses_duplicates(app: TestApp) {
    let password = "Fuzhou-No2-quality";
    let out = app.cli(
        &[
            "user",
            "create",
            "--email",
            "Admin@Accredit.Example",
            "--name",
            "运维 Ops",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some(&format!("{password}\n")),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("admin@accredit.example"),
        "{}",
        out.stdout
    );

    let again = app.cli(
        &[
            "user",
            "create",
            "--email",
            "admin@accredit.example",
            "--name",
            "Other",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("another password\n"),
    );
    assert_ne!(again.code, 0);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert!(!again.stderr.contains("panicked"));

    let hashes = stored_password_hashes(&app);
    assert_eq!(hashes.len(), 1);
    assert!(hashes[0].starts_with("$argon2id$v=19$"), "{}", hashes[0]);
    assert!(!hashes[0].contains(password));
    if let TestDatabase::Sqlite { path } = &app.database {
        // Nowhere in the database files, not even in the write-ahead log.
        for suffix in ["", "-wal"] {
            let file = format!("{}{suffix}", path.display());
            if let Ok(bytes) = std::fs::read(&file) {
                assert!(
                    !contains(&bytes, password.as_bytes()),
                    "plaintext password in {file}"
                );
            }
        }
    }
}

async fn user_create_names_bad_fields(app: TestApp) {
    let out = app.cli(
        &[
            "user",
            "create",
            "--email",
            "not-an-email",
            "--name",
            " ",
            "--role",
            "boss",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert_eq!(out.code, 1);
    for field in ["email", "name", "role", "password"] {
        assert!(
            out.stderr.contains(&format!("error: {field} ")),
            "{field}: {}",
            out.stderr
        );
    }
    let out = app.cli(
        &[
            "user",
            "create",
            "--email",
            "qo@school.example",
            "--name",
            "QO",
            "--role",
            "quality_officer",
            "--password-stdin",
        ],
        Some("long enough password\n"),
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("school_id is required"),
        "{}",
        out.stderr
    );
    let out = app.cli(
        &[
            "user",
            "create",
            "--email",
            "r@province.example",
            "--name",
            "R",
            "--role",
            "reviewer",
            "--province",
            "XX",
            "--password-stdin",
        ],
        Some("long enough password\n"),
    );
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("names no province"), "{}", out.stderr);
    let out = app.cli(
        &[
            "user",
            "create",
            "--email",
            "a@b.example",
            "--name",
            "A",
            "--role",
            "admin",
        ],
        None,
    );
    assert_eq!(out.code, 2, "--password-stdin is required: {}", out.stderr);
    let out = app.cli(
        &[
            "user",
            "create",
            "--email",
            "a@b.example",
            "--name",
            "A",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some(""),
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("no password on standard input"),
        "{}",
        out.stderr
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn stored_password_hashes(app: &TestApp) -> Vec<String> {
    use diesel::prelude::*;
    let db = app.db();
    let mut conn = db.get().unwrap();
    accredit::db::schema::users::table
        .select(accredit::db::schema::users::password_hash)
        .load(&mut *conn)
        .unwrap()
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["user", "create", "--help"],
    ] {
        let out = run_cli(args, None, &[], dir.path());
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(out.stdout.contains("Usage:"), "{args:?}");
    }
    let out = run_cli(&["user", "create", "--help"], None, &[], dir.path());
    assert!(out.stdout.contains("--password-stdin"));
    let out = run_cli(&["frobnicate"], None, &[], dir.path());
    assert_eq!(out.code, 2);
}

#[test]
fn migrate_twice_is_harmless_and_bad_urls_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let first = run_cli(&["migrate"], None, &[], dir.path());
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stdout.contains("applied"), "{}", first.stdout);
    assert!(dir.path().join("data/accredit.sqlite3").exists());
    let second = run_cli(&["migrate"], None, &[], dir.path());
    assert_eq!(second.code, 0);
    assert!(second.stdout.contains("up to date"), "{}", second.stdout);

    let refused = run_cli(
        &["migrate"],
        None,
        &[("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")],
        dir.path(),
    );
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("Connection refused"),
        "{}",
        refused.stderr
    );
    let unknown = run_cli(
        &["migrate"],
        None,
        &[("DATABASE_URL", "mysql://h/db")],
        dir.path(),
    );
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains("DATABASE_URL"),
        "{}",
        unknown.stderr
    );
}

/// Starts `accredit serve` as a user would, waits for its address, and returns both.
pub type Log = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

pub fn start_server(
    cwd: &std::path::Path,
    env: &[(&str, &str)],
) -> (std::process::Child, String, Log) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_accredit"));
    command
        .arg("serve")
        .current_dir(cwd)
        .env_clear()
        .env("ACCREDIT_BIND", "127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let log = Log::default();
    let lines = log.clone();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            lines.lock().unwrap().push(line.clone());
            if !sent && let Some(rest) = line.split("listening on ").nth(1) {
                let address = rest.split_whitespace().next().unwrap().to_owned();
                let _ = tx.send(address);
                sent = true;
            }
        }
    });
    let address = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the server printed its address");
    (child, address, log)
}

pub fn terminate(mut child: std::process::Child) -> std::process::ExitStatus {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn serve_restart_and_stop(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let database = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => match TestDatabase::create(Backend::Postgres, dir.path()) {
            Some(db) => Some(db),
            None => return,
        },
    };
    let url = database.as_ref().map(TestDatabase::url);
    let env: Vec<(&str, &str)> = url.iter().map(|u| ("DATABASE_URL", u.as_str())).collect();
    let client = reqwest::Client::new();
    let password = "Zhenping jade 1988";
    for round in 0..2 {
        let (child, address, log) = start_server(dir.path(), &env);
        let reply = client
            .get(format!("{address}/healthz"))
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200, "round {round}");
        let body: serde_json::Value = reply.json().await.unwrap();
        assert_eq!(
            (body["status"].as_str(), body["database"].as_str()),
            (Some("ok"), Some("ok")),
            "{body}"
        );
        if round == 0 {
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
                Some(&format!("{password}\n")),
                &env,
                dir.path(),
            );
            assert_eq!(out.code, 0, "{}", out.stderr);
        }
        // Signing in works after a restart too: the user and the secret persisted.
        let login = client
            .post(format!("{address}/api/v1/auth/login"))
            .json(&serde_json::json!({"email": "ops@accredit.example", "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 200, "round {round}");
        let status = terminate(child);
        assert!(status.success(), "clean exit on SIGTERM, got {status}");
        let log = log.lock().unwrap().join("\n");
        assert!(log.contains("/api/v1/auth/login"), "requests are logged");
        assert!(!log.contains(password), "the password appears in the log");
    }
    if backend == Backend::Sqlite {
        assert!(
            dir.path().join("data/accredit.sqlite3").exists(),
            "default database created"
        );
    }
    let secret = dir.path().join("data/jwt-secret");
    assert!(
        secret.exists(),
        "token secret generated in the data directory"
    );
}

#[tokio::test]
async fn serve_on_a_fresh_directory_with_sqlite() {
    serve_restart_and_stop(Backend::Sqlite).await;
}

#[tokio::test]
async fn serve_on_postgres() {
    serve_restart_and_stop(Backend::Postgres).await;
}

both_backends!(demo_loads_once_and_its_accounts_sign_in);

async fn demo_loads_once_and_its_accounts_sign_in(app: TestApp) {
    let first = app.cli(&["demo"], None);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        first.stdout.contains("officer@fz2.demo.accredit.cn")
            && first.stdout.contains("accredit-demo-2026")
    );
    let count = |out: &str| {
        out.split_whitespace()
            .find_map(|w| w.parse::<u64>().ok())
            .unwrap()
    };
    let entries = count(&app.cli(&["history", "verify"], None).stdout);
    let second = app.cli(&["demo"], None);
    assert_eq!(second.code, 0);
    assert!(
        second.stdout.contains("nothing changed"),
        "{}",
        second.stdout
    );
    assert_eq!(
        count(&app.cli(&["history", "verify"], None).stdout),
        entries,
        "a second run writes nothing"
    );

    let login = app
        .login(
            "officer@fz2.demo.accredit.cn",
            accredit::demo::DEMO_PASSWORD,
        )
        .await;
    assert_eq!(login.status, 200);
    let token = login.json()["token"].as_str().unwrap().to_owned();
    let mine = app.with_token(&token).submissions("").await.json();
    let mut states: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    states.sort();
    states.dedup();
    assert_eq!(
        states,
        [
            "approved",
            "changes_requested",
            "draft",
            "recommended",
            "rejected",
            "submitted",
            "withdrawn"
        ]
    );

    // The example standard, and the re-evaluation's self-evaluation against it half done.
    let standards = app.with_token(&token).standards("").await.json();
    let example = standards
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "nkts_example")
        .expect("the example standard");
    assert_eq!(example["total_points"], 100.0);
    assert_eq!(example["scope"], "national");
    let reevaluation = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "title_reevaluation")
        .unwrap();
    let evaluation = app
        .with_token(&token)
        .evaluation(&reevaluation["id"])
        .await
        .json();
    assert_eq!(evaluation["standard"]["code"], "nkts_example");
    assert_eq!(
        evaluation["unassessed"].as_array().unwrap().len(),
        9,
        "{evaluation}"
    );
    assert_eq!(evaluation["totals"]["self"], 43.0);

    // The province's panels: Xiamen's result on an open notice with one objection;
    // Quanzhou's panel half-way, one member sealed.
    let bureau = app
        .login("bureau@fj.demo.accredit.cn", accredit::demo::DEMO_PASSWORD)
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let fujian = app.me(Some(&bureau)).await.json()["province_id"]
        .as_i64()
        .unwrap();
    let notices = app.with_token(&bureau).notices(fujian).await.json();
    assert_eq!(notices[0]["state"], "open", "{notices}");
    assert_eq!(notices[0]["entries"][0]["outcome"], "pass");
    let objections = app.with_token(&bureau).objections(fujian).await.json();
    assert_eq!(objections.as_array().unwrap().len(), 1);
    assert_eq!(objections[0]["state"], "pending");
    let submitted = app
        .with_token(&bureau)
        .submissions("?status=submitted")
        .await
        .json();
    let mut half_way = 0;
    for s in submitted.as_array().unwrap() {
        let panel = app.with_token(&bureau).panel(&s["id"]).await;
        if panel.status != 200 || panel.json()["members"] == serde_json::json!([]) {
            continue;
        }
        let sealed = panel.json()["members"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["sealed"] == true)
            .count();
        assert_eq!(
            (sealed, panel.json()["members"].as_array().unwrap().len()),
            (1, 3)
        );
        half_way += 1;
    }
    assert_eq!(half_way, 1, "one panel half-way through scoring");

    // The integration plan: Minhou merged into Fuzhou No.2 in 2025, its record readable,
    // and the inventory of 2025 with Quanzhou's shortfalls.
    let merged = app
        .with_token(&bureau)
        .schools("?status=merged")
        .await
        .json();
    assert_eq!(merged[0]["name_zh"], "闽侯县技工学校", "{merged}");
    assert_eq!(merged[0]["effective_on"], "2025-09-01");
    let minhou = merged[0]["id"].as_i64().unwrap();
    let titles = app.with_token(&bureau).titles(minhou).await.json();
    assert_eq!(titles[0]["settlement"], "kept", "{titles}");
    let years = app.with_token(&bureau).status_data(minhou, 2024).await;
    assert_eq!(years.status, 200, "{}", years.text);
    let inventory = app
        .with_token(&bureau)
        .standards_check(fujian, "?year=2025")
        .await
        .json();
    let rows = inventory.as_array().unwrap();
    assert!(rows.iter().all(|r| r["school_id"] != minhou), "{inventory}");
    let quanzhou = rows
        .iter()
        .find(|r| r["name_zh"] == "泉州技工学校")
        .unwrap();
    assert_eq!(quanzhou["met"], false, "{quanzhou}");
    assert!(
        quanzhou["shortfalls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == "campus_area_m2"),
        "{quanzhou}"
    );

    // The school year: Fuzhou No.2's 2025 accepted with its report attached, and half-way
    // through Fujian's open 2026 round.
    let me = app.me(Some(&token)).await.json();
    let (school, province) = (
        me["school_id"].as_i64().unwrap(),
        me["province_id"].as_i64().unwrap(),
    );
    let rounds = app.with_token(&token).rounds(province).await.json();
    let open: Vec<i64> = rounds
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "open")
        .map(|r| r["year"].as_i64().unwrap())
        .collect();
    assert_eq!(open, [2026]);
    let y2025 = app
        .with_token(&token)
        .status_data(school, 2025)
        .await
        .json();
    assert_eq!(
        (y2025["state"].as_str(), y2025["locked"].as_bool()),
        (Some("accepted"), Some(true))
    );
    let y2026 = app
        .with_token(&token)
        .status_data(school, 2026)
        .await
        .json();
    assert_eq!(y2026["state"], "in_progress");
    // Issue 26: the written sections read as written, without the source's indentation.
    let written = app.with_token(&token).annual_report(school, 2025, "").await;
    assert_eq!(written.status, 200);
    for paragraph in [
        "<p>职业技能鉴定 2,600 人次，合格率接近 90%。</p>",
        "聘请 10 名兼职教师，并安排 20 名专任教师下企业实践。</p>",
    ] {
        assert!(written.text.contains(paragraph), "{paragraph}");
    }
    assert_eq!(y2026["figures"].as_object().unwrap().len(), 8);
    let report = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["kind"] == "annual_quality_report" && s["year"] == 2025 && s["status"] == "draft"
        })
        .expect("the 2025 report's draft");
    let detail = app
        .with_token(&token)
        .submission(&report["id"])
        .await
        .json();
    assert!(
        detail["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["filename"].as_str().unwrap().ends_with(".docx")),
        "{detail}"
    );
}

both_backends!(synth_fills_an_empty_database_that_the_application_reads);

async fn synth_fills_an_empty_database_that_the_application_reads(app: TestApp) {
    let out = app.cli(&["synth", "--schools", "40", "--seed", "7"], None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let written = |table: &str| {
        out.stdout
            .lines()
            .find_map(|line| {
                let mut words = line.split_whitespace();
                (words.next() == Some(table))
                    .then(|| words.next().and_then(|n| n.parse::<u64>().ok()))
                    .flatten()
            })
            .unwrap_or_else(|| panic!("no count for {table}: {}", out.stdout))
    };
    assert_eq!(written("provinces"), 31);
    assert_eq!(written("schools"), 40);
    assert_eq!(written("audits"), 400);
    assert_eq!(written("findings"), 4000);
    assert_eq!(written("corrective_actions"), 4000);
    // Twenty accepted years a school, and this year for those that have begun it.
    let years = written("school_years");
    assert!((800..=840).contains(&years), "{years}");
    assert!(
        written("status_figures") >= 800 * 8,
        "the figures of those years"
    );
    assert_eq!(written("collection_rounds"), 31 * 4);
    let status_data = written("submissions") - 400;
    assert!(
        status_data <= 40,
        "one status-data submission a school at most"
    );
    // A province's bureau, four reviewers and eight experts; the operator; two a school.
    assert_eq!(written("users"), 31 * (5 + 8) + 1 + 80);
    assert_eq!(written("panel_members") % 5, 0, "panels of five");

    // A second run refuses: synth only fills an empty database.
    let again = app.cli(&["synth", "--schools", "12"], None);
    assert_ne!(again.code, 0);
    assert!(again.stderr.contains("already holds"), "{}", again.stderr);
    assert_eq!(app.cli(&["history", "verify"], None).code, 0);

    // The generated accounts sign in, and the records read back through the API.
    let officer = app
        .login(
            "officer-00001@synth.accredit.cn",
            accredit::synth::SYNTH_PASSWORD,
        )
        .await;
    assert_eq!(officer.status, 200, "{}", officer.text);
    let token = officer.json()["token"].as_str().unwrap().to_owned();
    let me = app.me(Some(&token)).await.json();
    let school = me["school_id"].as_i64().expect("officer's school");
    let audits = app.with_token(&token).audits(school).await;
    assert_eq!(audits.status, 200);
    assert_eq!(audits.json().as_array().unwrap().len(), 10);
    let indicators = app.with_token(&token).indicators(school).await;
    assert!(indicators.json().as_array().unwrap().len() >= 20);
    // Last year is accepted, with the whole catalogue; this year's round is open.
    let last_year = app
        .with_token(&token)
        .status_data(school, 2025)
        .await
        .json();
    assert_eq!(last_year["locked"], true, "{last_year}");
    assert_eq!(last_year["state"], "accepted");
    assert!(last_year["figures"].as_object().unwrap().len() >= 19);
    assert!(last_year["derived"]["students_per_teacher"].is_number());
    let peers = app.with_token(&token).peer_comparison(school, "").await;
    assert_eq!(peers.status, 200, "{}", peers.text);

    // An accepted year is locked, synthetic or not.
    let locked = app
        .with_token(&token)
        .put_indicators(school, 2025, serde_json::json!({"students": 1}))
        .await;
    assert_eq!(locked.status, 409, "{}", locked.text);
    assert_eq!(locked.error_code(), "year_locked");
    // The figures synth computed in bulk are those a write recomputes for the school: a
    // change to a finding recomputes them, and the comparison is unchanged.
    let audit = audits.json()[0]["id"].as_i64().unwrap();
    let finding = app.with_token(&token).findings(audit).await.json()[0].clone();
    let put = app
        .with_token(&token)
        .update_finding(
            &finding["id"],
            serde_json::json!({"description": finding["description"]}),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    let again = app.with_token(&token).peer_comparison(school, "").await;
    assert_eq!(again.json()["school"], peers.json()["school"]);

    // Reviewers of the province see its queue; every submission reads back whole.
    let admin = app
        .login("admin@synth.accredit.cn", accredit::synth::SYNTH_PASSWORD)
        .await;
    let admin = admin.json()["token"].as_str().unwrap().to_owned();
    let all = app.with_token(&admin).submissions("?limit=1000").await;
    assert_eq!(
        all.header("x-total-count"),
        Some((400 + status_data).to_string().as_str())
    );
    let all = all.json();
    let all = all.as_array().unwrap();
    assert_eq!(all.len() as u64, 400 + status_data);
    let mut states: Vec<&str> = all.iter().map(|s| s["status"].as_str().unwrap()).collect();
    states.sort();
    states.dedup();
    assert_eq!(states.len(), 7, "every workflow state: {states:?}");
    // The synthetic standard, and the evaluations of open applications scored by it: each
    // reads back with its thirty items, all self-assessed once handed in.
    assert_eq!(
        (written("standards"), written("standard_criteria")),
        (1, 36)
    );
    let mut evaluated = 0;
    for submission in all.iter().filter(|s| {
        matches!(
            s["kind"].as_str(),
            Some("title_application" | "title_reevaluation")
        )
    }) {
        let id = submission["id"].as_i64().unwrap();
        let reply = app.with_token(&admin).evaluation(id).await;
        if reply.status == 404 {
            continue;
        }
        assert_eq!(reply.status, 200, "{}", reply.text);
        let evaluation = reply.json();
        let leaves = evaluation["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["leaf"] == true)
            .count();
        assert_eq!(leaves, 30);
        assert_eq!(evaluation["totals"]["max"], 100.0);
        if submission["status"] != "draft" {
            assert_eq!(evaluation["unassessed"], serde_json::json!([]), "{id}");
        }
        evaluated += 1;
    }
    assert!(evaluated > 0);
    assert_eq!(evaluated, written("evaluations"));
    let mut downloads = 0;
    for submission in all.iter().take(30) {
        let id = submission["id"].as_i64().unwrap();
        let detail = app.with_token(&admin).submission(id).await;
        assert_eq!(detail.status, 200, "{}", detail.text);
        // Evidence is metadata only: its download is a plain 404, not a server error.
        if let Some(evidence) = detail.json()["evidence"][0]["id"].as_i64() {
            let content = app.with_token(&admin).evidence_content(evidence).await;
            assert_eq!(content.status, 404, "{}", content.text);
            downloads += 1;
        }
    }
    assert!(downloads > 0, "no evidence among the first submissions");
    let deadlines = app.with_token(&admin).deadlines("").await;
    assert_eq!(deadlines.status, 200, "{}", deadlines.text);

    // A reviewer's home page counts the overdue of the province without reading them all:
    // the same number as the full list. The province with the most is taken.
    let codes: Vec<String> = app
        .with_token(&admin)
        .provinces()
        .await
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_lowercase())
        .collect();
    let mut busiest = (0, String::new());
    for code in codes {
        let reviewer = app
            .login(
                &format!("reviewer-{code}-1@synth.accredit.cn"),
                accredit::synth::SYNTH_PASSWORD,
            )
            .await
            .json()["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let overdue = app
            .with_token(&reviewer)
            .deadlines("")
            .await
            .json()
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["overdue"] == true)
            .count();
        if overdue > busiest.0 {
            busiest = (overdue, reviewer);
        }
    }
    let (overdue, reviewer) = busiest;
    assert!(
        overdue > 8,
        "enough to count beyond the first eight: {overdue}"
    );
    let home = app
        .get_with(
            "/home",
            &[("Cookie", &format!("accredit_session={reviewer}"))],
        )
        .await;
    assert!(
        home.text.contains(&format!(
            "<span class=\"count\" id=\"overdue-count\">({overdue})</span>"
        )),
        "{overdue} overdue"
    );
}

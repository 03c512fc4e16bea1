//! The test kit: `spawn_app` starts the real server on port 0 with a fresh database (a temp
//! SQLite file, or a freshly created PostgreSQL database when `TEST_DATABASE_URL` names a
//! server), and `TestApp` talks to it over HTTP. `both_backends!` runs a test on each.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Once};
use std::thread::JoinHandle;

use accredit::config::Settings;
use accredit::db::Backend;
use accredit::startup::Application;
use actix_web::dev::ServerHandle;
use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::Value;
use tempfile::TempDir;

/// Runs each named `async fn name(app: TestApp)` once on SQLite and once on PostgreSQL,
/// as the tests `name::sqlite` and `name::postgres`.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use accredit::db::Backend;
            #[tokio::test]
            async fn sqlite() {
                let app = crate::helpers::spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
                super::$name(app).await;
            }
            #[tokio::test]
            async fn postgres() {
                if let Some(app) = crate::helpers::spawn_app(Backend::Postgres).await {
                    super::$name(app).await;
                }
            }
        }
    )*};
}
pub(crate) use both_backends;

/// `both_backends!` for servers with further settings: `both_backends_with!([(K, V), …];
/// test, …)`.
macro_rules! both_backends_with {
    ($extra:expr; $($name:ident),* $(,)?) => {$(
        mod $name {
            use accredit::db::Backend;
            #[tokio::test]
            async fn sqlite() {
                let app = crate::helpers::spawn_app_with(Backend::Sqlite, &$extra)
                    .await
                    .expect("SQLite is always available");
                super::$name(app).await;
            }
            #[tokio::test]
            async fn postgres() {
                if let Some(app) = crate::helpers::spawn_app_with(Backend::Postgres, &$extra).await {
                    super::$name(app).await;
                }
            }
        }
    )*};
}
pub(crate) use both_backends_with;

/// Set to `1` (CI does) to turn a skipped optional suite into a failure.
const REQUIRE_ALL: &str = "ACCREDIT_REQUIRE_ALL_SUITES";

/// Says once per run, on one line that the test harness does not swallow, that an
/// optional suite is skipped; fails instead when every suite is required.
pub fn skip_suite(once: &'static Once, message: &str) {
    if std::env::var(REQUIRE_ALL).is_ok_and(|v| v == "1") {
        panic!("{message}, but {REQUIRE_ALL}=1 requires it");
    }
    once.call_once(|| {
        // Written to the process's stderr directly: print!/eprint! would be captured.
        let _ = writeln!(std::io::stderr(), "note: {message}");
    });
}

static POSTGRES_SKIPPED: Once = Once::new();

/// The PostgreSQL server to create test databases on, if any.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => Some(url),
        _ => {
            skip_suite(
                &POSTGRES_SKIPPED,
                "PostgreSQL suite skipped: TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/postgres)",
            );
            None
        }
    }
}

/// A database that exists for one test and is removed afterwards.
pub enum TestDatabase {
    Sqlite {
        path: PathBuf,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
    /// Another server's database (`TestApp::beside`): left to that server to remove.
    Shared {
        url: String,
    },
}

impl TestDatabase {
    /// A fresh database on `backend`; `None` when that backend is not available here.
    pub fn create(backend: Backend, dir: &Path) -> Option<TestDatabase> {
        match backend {
            Backend::Sqlite => Some(TestDatabase::Sqlite {
                path: dir.join("test.sqlite3"),
            }),
            Backend::Postgres => {
                let admin_url = postgres_admin_url()?;
                static COUNTER: AtomicU32 = AtomicU32::new(0);
                let name = format!(
                    "accredit_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::Relaxed),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .subsec_nanos()
                );
                let mut admin = PgConnection::establish(&admin_url)
                    .unwrap_or_else(|e| panic!("TEST_DATABASE_URL does not connect: {e}"));
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("create test database");
                let url = with_database(&admin_url, &name);
                Some(TestDatabase::Postgres {
                    admin_url,
                    name,
                    url,
                })
            }
        }
    }

    pub fn url(&self) -> String {
        match self {
            TestDatabase::Sqlite { path } => path.display().to_string(),
            TestDatabase::Postgres { url, .. } | TestDatabase::Shared { url } => url.clone(),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Postgres {
            admin_url, name, ..
        } = self
            && let Ok(mut admin) = PgConnection::establish(admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin);
        }
    }
}

/// The same server URL with another database name.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// "Today" for every test server.
pub const TODAY: &str = "2026-06-01";

/// Settings for a test server: port 0, its own data directory, cheap password hashing;
/// `extra` adds or overrides variables.
pub fn test_settings(database_url: &str, data_dir: &Path, extra: &[(&str, &str)]) -> Settings {
    let values: HashMap<String, String> = [
        ("DATABASE_URL", database_url),
        ("ACCREDIT_BIND", "127.0.0.1:0"),
        ("ACCREDIT_DATA_DIR", data_dir.to_str().unwrap()),
        ("ACCREDIT_ARGON2_MEMORY_KIB", "64"),
        ("ACCREDIT_ARGON2_ITERATIONS", "1"),
        ("ACCREDIT_WORKERS", "2"),
        ("ACCREDIT_DB_POOL_SIZE", "4"),
        // A fixed day, so that due states are the same whenever the tests run.
        ("ACCREDIT_TODAY", TODAY),
        // Small, so that the over-the-limit upload test is quick.
        ("ACCREDIT_MAX_UPLOAD_BYTES", "1048576"),
        // The tests that count reminders run `accredit remind` on the days they choose.
        ("ACCREDIT_DAILY_REMINDERS", "false"),
        // Accounts made by the tests' admins sign in without a first change of password;
        // the test of that control turns it on.
        ("ACCREDIT_FIRST_PASSWORD_CHANGE", "false"),
    ]
    .into_iter()
    .chain(extra.iter().copied())
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    Settings::from_values(&values, data_dir).expect("test settings")
}

/// A running server and a client for it. Dropping it stops the server and removes its
/// database and data directory.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    handle: ServerHandle,
    thread: Option<JoinHandle<()>>,
    /// The variables this server was started with beyond `test_settings` (the bucket's),
    /// given to servers beside it and to the command line too.
    pub env: Vec<(String, String)>,
    // Declared last: dropped after the server has stopped.
    /// The bucket of the evidence, when it is not the data directory.
    pub s3: Option<Arc<S3Server>>,
    pub database: TestDatabase,
    pub dir: TempDir,
}

/// A server on a fresh database: on SQLite with evidence in the data directory, on
/// PostgreSQL with evidence in a bucket of a real S3 server (s3s-fs), so that the whole
/// suite runs on both storages.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, &[]).await
}

/// `spawn_app` with further settings (`extra` overrides the tests' own).
pub async fn spawn_app_with(backend: Backend, extra: &[(&str, &str)]) -> Option<TestApp> {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = TestDatabase::create(backend, dir.path())?;
    let s3 = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => S3Server::start(dir.path()).map(Arc::new),
    };
    let mut env = s3
        .as_ref()
        .map(|s3| s3.env("accredit/test"))
        .unwrap_or_default();
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let data_dir = dir.path().to_owned();
    Some(start(database, dir, &data_dir, env, s3).await)
}

/// A server on SQLite whose data directory (the database file and the evidence) is `dir`,
/// with further settings.
pub async fn spawn_sqlite_in(dir: TempDir, extra: &[(&str, &str)]) -> TestApp {
    let database = TestDatabase::create(Backend::Sqlite, dir.path()).expect("SQLite");
    let data_dir = dir.path().to_owned();
    let env = extra
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    start(database, dir, &data_dir, env, None).await
}

static S3_SKIPPED: Once = Once::new();

/// The bucket every test server keeps its evidence in.
pub const S3_BUCKET: &str = "evidence";

/// A real S3-compatible server (s3s-fs, `cargo install s3s-fs --features binary`) with one
/// bucket, its files under the test's directory; stopped when dropped.
pub struct S3Server {
    child: std::process::Child,
    pub port: u16,
    /// s3s-fs keeps bucket `b`'s object `k` as the file `<root>/b/k`.
    pub root: PathBuf,
}

impl S3Server {
    /// Starts one on a free port; `None` (and a note) when s3s-fs is not installed.
    pub fn start(dir: &Path) -> Option<S3Server> {
        use std::process::{Command, Stdio};
        let root = dir.join("s3");
        std::fs::create_dir_all(root.join(S3_BUCKET)).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("s3s-fs")
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--access-key",
                "accredit-test",
                "--secret-key",
                "accredit-test-secret",
            ])
            .arg(&root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let Ok(child) = child else {
            skip_suite(
                &S3_SKIPPED,
                "object storage suite skipped: s3s-fs is not installed (cargo install s3s-fs@0.14.1 --features binary); PostgreSQL tests keep evidence on disk",
            );
            return None;
        };
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(15),
                "s3s-fs did not listen"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Some(S3Server { child, port, root })
    }

    /// The variables that put evidence in the bucket under `prefix`.
    pub fn env(&self, prefix: &str) -> Vec<(String, String)> {
        [
            (
                "ACCREDIT_EVIDENCE_URL",
                format!("s3://{S3_BUCKET}/{prefix}"),
            ),
            (
                "AWS_ENDPOINT_URL",
                format!("http://127.0.0.1:{}", self.port),
            ),
            ("AWS_REGION", "us-east-1".to_owned()),
            ("AWS_ACCESS_KEY_ID", "accredit-test".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "accredit-test-secret".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    /// Every file s3s-fs holds for objects and for uploads under way (`.upload-*`,
    /// `.upload_id-*.part-*`, `.tmp.*`); not its `.bucket-*` sidecars of object metadata,
    /// which s3s-fs leaves behind when an object is deleted.
    pub fn files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, found);
                } else {
                    found.push(path);
                }
            }
        }
        let mut found = Vec::new();
        walk(&self.root, &mut found);
        found.retain(|f| {
            !f.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(".bucket-"))
        });
        found
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TestApp {
    /// A second server on this server's database and data directory (as when several
    /// `accredit serve` share one PostgreSQL and one evidence store): a token of one is good
    /// at the other. Stop it before this one.
    pub async fn beside(&self) -> TestApp {
        self.beside_with(&[]).await
    }

    /// `beside` with further settings.
    pub async fn beside_with(&self, extra: &[(&str, &str)]) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = TestDatabase::Shared {
            url: self.database.url(),
        };
        let mut env = self.env.clone();
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        start(database, dir, self.dir.path(), env, self.s3.clone()).await
    }
}

async fn start(
    database: TestDatabase,
    dir: TempDir,
    data_dir: &Path,
    env: Vec<(String, String)>,
    s3: Option<Arc<S3Server>>,
) -> TestApp {
    let extra: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let settings = test_settings(&database.url(), data_dir, &extra);
    let (tx, rx) = std::sync::mpsc::channel();
    // The server runs on its own thread and actix system, as in production, so that the
    // test's runtime never has to drive it.
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            match Application::build(settings).await {
                Ok(app) => {
                    let _ = tx.send(Ok((app.port(), app.handle())));
                    let _ = app.run_until_stopped().await;
                }
                Err(e) => {
                    let _ = tx.send(Err(format!("{e:#}")));
                }
            }
        })
    });
    let (port, handle) = tokio::task::spawn_blocking(move || rx.recv())
        .await
        .unwrap()
        .expect("server thread")
        .unwrap_or_else(|e| panic!("the server did not start: {e}"));
    // The server closes a keep-alive connection idle for 5 s (actix's default); a client
    // that reused one at that moment would see it closed under its request
    // (`IncompleteMessage`, seen after a long upload to another server). It lets them go first.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(std::time::Duration::from_secs(2))
        .build()
        .unwrap();
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client,
        handle,
        thread: Some(thread),
        env,
        s3,
        database,
        dir,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // `stop` sends its command at once; the server thread then finishes.
        drop(self.handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A response read whole: status, headers and body.
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The id of what the request created; panics unless the answer is 201.
    #[track_caller]
    pub fn id(&self) -> i64 {
        assert_eq!(self.status, 201, "{}", self.text);
        self.json()["id"].as_i64().unwrap()
    }

    /// Asserts the contract's error shape and returns the error code.
    pub fn error_code(&self) -> String {
        let body = self.json();
        let error = body
            .get("error")
            .unwrap_or_else(|| panic!("no error object: {body}"));
        assert!(
            error["message"].is_string(),
            "error without message: {body}"
        );
        error["code"].as_str().expect("error code").to_owned()
    }
}

async fn read(response: reqwest::Response) -> Reply {
    Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        text: response.text().await.expect("body"),
    }
}

impl TestApp {
    /// The test's database directly (a pool of one), for looking behind the API.
    pub fn db(&self) -> accredit::db::Db {
        let url = accredit::db::DatabaseUrl::parse(&self.database.url(), self.dir.path()).unwrap();
        accredit::db::Db::connect(&url, 1).unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Reply {
        read(self.client.get(self.url(path)).send().await.expect("GET")).await
    }

    /// A GET with extra headers, e.g. `Accept-Language` or `Cookie`.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut request = self.client.get(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        read(request.send().await.expect("GET")).await
    }

    pub async fn request(&self, method: &str, path: &str, body: Option<&str>) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.client.request(method, self.url(path));
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_owned());
        }
        read(request.send().await.expect("request")).await
    }

    pub async fn health(&self) -> Reply {
        self.get("/healthz").await
    }

    pub async fn openapi(&self) -> Value {
        let reply = self.get("/api/v1/openapi.json").await;
        assert_eq!(reply.status, 200);
        reply.json()
    }

    /// Runs the `accredit` binary against this app's database and data directory.
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> CliOutput {
        // The same day as the server's, for commands that date what they write.
        self.cli_on(TODAY, args, stdin)
    }

    /// `cli` on another day (`ACCREDIT_TODAY`), for the daily jobs.
    pub fn cli_on(&self, today: &str, args: &[&str], stdin: Option<&str>) -> CliOutput {
        self.cli_env(&[("ACCREDIT_TODAY", today)], args, stdin)
    }

    /// `cli` with further variables (`env` adds or overrides), and no standard input.
    pub fn cli_with(&self, env: &[(&str, &str)], args: &[&str]) -> CliOutput {
        self.cli_env(env, args, None)
    }

    fn cli_env(&self, env: &[(&str, &str)], args: &[&str], stdin: Option<&str>) -> CliOutput {
        let url = self.database.url();
        let mut all = vec![
            ("DATABASE_URL", url.as_str()),
            ("ACCREDIT_DATA_DIR", self.dir.path().to_str().unwrap()),
            ("ACCREDIT_ARGON2_MEMORY_KIB", "64"),
            ("ACCREDIT_ARGON2_ITERATIONS", "1"),
            ("ACCREDIT_TODAY", TODAY),
        ];
        all.extend(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        all.extend_from_slice(env);
        run_cli(args, stdin, &all, self.dir.path())
    }
}

pub struct CliOutput {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the real binary with a clean environment plus `env`, in `cwd`.
pub fn run_cli(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)], cwd: &Path) -> CliOutput {
    use std::process::{Command, Stdio};
    let mut command = Command::new(env!("CARGO_BIN_EXE_accredit"));
    command
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("run accredit");
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
    }
    let output = child.wait_with_output().unwrap();
    CliOutput {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn database_names_are_swapped_in_urls() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
        "postgres://postgres@127.0.0.1:5432/t1"
    );
    assert_eq!(
        with_database("postgres://u:p@h:5432?sslmode=disable", "t1"),
        "postgres://u:p@h:5432/t1?sslmode=disable"
    );
}

/// The first sheet of an XLSX download, read back with calamine: each cell as text, whole
/// numbers without a decimal point, empty cells as "".
pub fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    let mut book: Xlsx<_> =
        open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an XLSX workbook");
    let range = book
        .worksheet_range_at(0)
        .expect("a first sheet")
        .expect("a readable sheet");
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::String(s) => s.clone(),
                    Data::Bool(b) => b.to_string(),
                    Data::Empty => String::new(),
                    other => format!("{other:?}"),
                })
                .collect()
        })
        .collect()
}

/// Fills in a downloaded XLSX the way a program (or a person in Excel) would: each
/// `(cell reference, value)` of the first sheet gets a number, or a text when the value is
/// not one. Cells are rewritten in the sheet's XML, keeping their style.
pub fn fill_xlsx(bytes: &[u8], values: &[(&str, &str)]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let mut xml = String::from_utf8(content).unwrap();
            for (cell, value) in values {
                let start = xml
                    .find(&format!("<c r=\"{cell}\""))
                    .unwrap_or_else(|| panic!("no cell {cell} in the sheet"));
                let open_end = start + xml[start..].find('>').unwrap();
                let (attributes_end, end) = if xml[..open_end].ends_with('/') {
                    (open_end - 1, open_end + 1)
                } else {
                    (open_end, start + xml[start..].find("</c>").unwrap() + 4)
                };
                let style = xml[start..attributes_end]
                    .split_whitespace()
                    .find(|a| a.starts_with("s="))
                    .map(|s| format!(" {s}"))
                    .unwrap_or_default();
                let escaped = value.replace('&', "&amp;").replace('<', "&lt;");
                let replacement = match value.parse::<f64>() {
                    Ok(_) => format!("<c r=\"{cell}\"{style}><v>{value}</v></c>"),
                    Err(_) => format!(
                        "<c r=\"{cell}\"{style} t=\"inlineStr\"><is><t>{escaped}</t></is></c>"
                    ),
                };
                xml.replace_range(start..end, &replacement);
            }
            content = xml.into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The cell in column C of the row whose column A holds `code`, in the first sheet.
pub fn template_cell(bytes: &[u8], code: &str) -> String {
    let rows = xlsx_rows(bytes);
    let row = rows
        .iter()
        .position(|r| r.first().is_some_and(|c| c == code))
        .unwrap_or_else(|| panic!("no row for {code}"));
    format!("C{}", row + 1)
}

/// A real `accredit serve` process (the binary), on `app`'s database, data directory and
/// storage, for what only a process can show: `kill -9`, and several servers.
pub struct ServeProcess {
    child: std::process::Child,
    pub address: String,
}

impl ServeProcess {
    /// Starts one beside `app` with `extra` variables, and waits until it listens.
    pub fn beside(app: &TestApp, extra: &[(&str, &str)]) -> ServeProcess {
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        let mut command = Command::new(env!("CARGO_BIN_EXE_accredit"));
        command
            .arg("serve")
            .current_dir(app.dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "info")
            .env("DATABASE_URL", app.database.url())
            .env("ACCREDIT_DATA_DIR", app.dir.path())
            .env("ACCREDIT_BIND", "127.0.0.1:0")
            .env("ACCREDIT_ARGON2_MEMORY_KIB", "64")
            .env("ACCREDIT_ARGON2_ITERATIONS", "1")
            .env("ACCREDIT_WORKERS", "2")
            .env("ACCREDIT_TODAY", TODAY)
            .env("ACCREDIT_DAILY_REMINDERS", "false")
            .env("ACCREDIT_FIRST_PASSWORD_CHANGE", "false")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in &app.env {
            command.env(k, v);
        }
        for (k, v) in extra {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("start accredit serve");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads the log for the address, then keeps draining it so the server never blocks.
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(at) = line.find("listening on http://")
                    && let Some(tx) = tx.take()
                {
                    let rest = &line[at + "listening on ".len()..];
                    let address = rest.split_whitespace().next().unwrap_or_default();
                    let _ = tx.send(address.to_owned());
                }
            }
        });
        let address = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("accredit serve did not start");
        ServeProcess { child, address }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// `kill -9`: no clean-up of any kind.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        // SIGTERM: the server finishes what it is doing and exits.
        // SAFETY: kill(2) on our own child's pid, which we have not yet waited for.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let _ = self.child.wait();
    }
}

/// The words of a DOCX download: the text runs of its document part, joined by spaces
/// (the package must be a valid zip with a `word/document.xml`).
pub fn docx_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut package =
        zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip package");
    let mut document = String::new();
    package
        .by_name("word/document.xml")
        .expect("the document part")
        .read_to_string(&mut document)
        .expect("UTF-8 XML");
    let mut words = Vec::new();
    for piece in document.split("<w:t").skip(1) {
        let Some(start) = piece.find('>') else {
            continue;
        };
        let Some(end) = piece.find("</w:t>") else {
            continue;
        };
        if start < end {
            words.push(piece[start + 1..end].to_owned());
        }
    }
    words.join(" ")
}

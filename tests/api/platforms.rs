//! Signing in through the province's identity platform, against real servers started
//! here: npm's `oidc-provider` (OpenID Connect, and the same provider used as a plain
//! OAuth2 platform through its authorize, token and userinfo endpoints only).

use std::collections::BTreeMap;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::Once;

use accredit::db::Backend;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, skip_suite, spawn_app_with};
use crate::world::{Actor, World};

static OIDC_SKIPPED: Once = Once::new();

/// The test provider (tests/oidc/provider.mjs); stopped when dropped.
pub struct OidcProvider {
    child: Child,
    pub issuer: String,
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl OidcProvider {
    /// Starts one for a client whose callbacks are `redirects`; `None` (and a note) when
    /// Node.js or the provider's package is missing.
    pub fn start(redirects: &[String], accounts: Value) -> Option<OidcProvider> {
        let dir = std::env::var("ACCREDIT_OIDC_PROVIDER_DIR")
            .unwrap_or_else(|_| "/tmp/accredit-oidc".to_owned());
        let installed = std::path::Path::new(&dir)
            .join("node_modules/oidc-provider/package.json")
            .exists();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc/provider.mjs");
        let child = installed
            .then(|| {
                Command::new("node")
                    .arg(script)
                    .env("ACCREDIT_OIDC_PROVIDER_DIR", &dir)
                    .env("REDIRECT_URIS", redirects.join(","))
                    .env("ACCOUNTS", accounts.to_string())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::null())
                    .spawn()
                    .ok()
            })
            .flatten();
        let Some(mut child) = child else {
            skip_suite(
                &OIDC_SKIPPED,
                "identity platform suite skipped: Node.js or oidc-provider is missing (npm install --prefix /tmp/accredit-oidc oidc-provider@8.8.1)",
            );
            return None;
        };
        let mut first = String::new();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        out.read_line(&mut first).unwrap();
        // The provider says more on its standard output as it works: keep reading it, or
        // its next line would find the pipe closed and stop it.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let port = first
            .trim()
            .strip_prefix("listening ")
            .unwrap_or_else(|| panic!("the provider said {first:?}"));
        Some(OidcProvider {
            child,
            issuer: format!("http://127.0.0.1:{port}"),
        })
    }

    pub async fn next_login(&self, sub: &str) {
        reqwest::get(format!("{}/test/next-login?sub={sub}", self.issuer))
            .await
            .unwrap();
    }

    pub async fn tamper(&self, on: bool) {
        let on = if on { "1" } else { "0" };
        reqwest::get(format!("{}/test/tamper?on={on}", self.issuer))
            .await
            .unwrap();
    }
}

/// A browser's cookies and its trips through redirects, across accredit and the platform.
#[derive(Default)]
pub struct Browser {
    cookies: BTreeMap<String, String>,
    /// every address asked for, in order
    pub visited: Vec<String>,
}

impl Browser {
    fn keep(&mut self, headers: &reqwest::header::HeaderMap) {
        for value in headers.get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            let gone = value.is_empty()
                || text.to_ascii_lowercase().contains("max-age=0")
                || text.contains("1970");
            if gone {
                self.cookies.remove(name.trim());
            } else {
                self.cookies
                    .insert(name.trim().to_owned(), value.to_owned());
            }
        }
    }

    /// Asks for `url` and follows redirects, as a browser would, until an answer that is
    /// not one.
    pub async fn open(&mut self, app: &TestApp, url: &str) -> Reply {
        let mut url = url.to_owned();
        for _ in 0..20 {
            self.visited.push(url.clone());
            let cookie = self.cookie_header();
            let response = app
                .client
                .get(&url)
                .header("Cookie", cookie)
                .header("Accept-Language", "en")
                .send()
                .await
                .unwrap();
            self.keep(response.headers());
            let status = response.status().as_u16();
            let location = response
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_owned());
            match location {
                Some(next) if (300..400).contains(&status) => {
                    url = if next.starts_with('/') {
                        // Relative to the host that answered.
                        let origin = url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
                        format!("{origin}{next}")
                    } else {
                        next
                    };
                }
                _ => {
                    return Reply {
                        status,
                        headers: response.headers().clone(),
                        text: response.text().await.unwrap(),
                    };
                }
            }
        }
        panic!("too many redirects: {:?}", self.visited);
    }

    pub fn has(&self, cookie: &str) -> bool {
        self.cookies.contains_key(cookie)
    }

    /// Posts a form to `url` (as the page's own form would), then follows the redirects.
    pub async fn post_form(
        &mut self,
        app: &TestApp,
        url: &str,
        fields: &[(String, String)],
    ) -> Reply {
        let body: String = fields
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    accredit::templates::percent_encode(k),
                    accredit::templates::percent_encode(v)
                )
            })
            .collect::<Vec<_>>()
            .join("&");
        let response = app
            .client
            .post(url)
            .header("Cookie", self.cookie_header())
            .header("Referer", url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        self.keep(response.headers());
        let status = response.status().as_u16();
        match response.headers().get("location") {
            Some(next) if (300..400).contains(&status) => {
                let next = next.to_str().unwrap().to_owned();
                self.open(app, &next).await
            }
            _ => Reply {
                status,
                headers: response.headers().clone(),
                text: response.text().await.unwrap(),
            },
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The named inputs of a page's form, with their values (hidden ones included).
fn form_fields(html: &str) -> Vec<(String, String)> {
    let tag = regex_lite::Regex::new(r"<input[^>]*>").unwrap();
    let name = regex_lite::Regex::new(r#"name="([^"]*)""#).unwrap();
    let value = regex_lite::Regex::new(r#"value="([^"]*)""#).unwrap();
    tag.find_iter(html)
        .filter_map(|t| {
            let t = t.as_str();
            let n = name.captures(t)?.get(1)?.as_str().to_owned();
            let v = value
                .captures(t)
                .and_then(|c| c.get(1))
                .map_or("", |m| m.as_str())
                .replace("&amp;", "&");
            Some((n, v))
        })
        .collect()
}

/// A free port for a server that must know its own address before it starts (the
/// platform is told accredit's callback first).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// accredit with both platforms configured against one provider, and the provider.
async fn with_provider(backend: Backend) -> Option<(TestApp, OidcProvider)> {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let accounts = json!({
        "alice-sub": {"email": "alice@elsewhere.example", "email_verified": true},
        "bob-sub": {"email": "reviewer@fj.example", "email_verified": true},
        "carol-sub": {"email": "officer@fz2.example", "email_verified": false},
        "stranger-sub": {"email": "stranger@nowhere.example", "email_verified": true},
    });
    let provider = OidcProvider::start(
        &[
            format!("{base}/auth/oidc/callback"),
            format!("{base}/auth/oauth2/callback"),
        ],
        accounts,
    )?;
    let issuer = provider.issuer.clone();
    let bind = format!("127.0.0.1:{port}");
    let (authorize, token, userinfo) = (
        format!("{issuer}/auth"),
        format!("{issuer}/token"),
        format!("{issuer}/me"),
    );
    let secret = "accredit-test-client-secret-not-for-production";
    let env = [
        ("ACCREDIT_BIND", bind.as_str()),
        ("ACCREDIT_OIDC_ISSUER", issuer.as_str()),
        ("ACCREDIT_OIDC_CLIENT_ID", "accredit"),
        ("ACCREDIT_OIDC_CLIENT_SECRET", secret),
        ("ACCREDIT_OIDC_LABEL", "福建省教育统一身份认证"),
        ("ACCREDIT_OAUTH2_AUTHORIZE_URL", authorize.as_str()),
        ("ACCREDIT_OAUTH2_TOKEN_URL", token.as_str()),
        ("ACCREDIT_OAUTH2_USERINFO_URL", userinfo.as_str()),
        ("ACCREDIT_OAUTH2_CLIENT_ID", "accredit"),
        ("ACCREDIT_OAUTH2_CLIENT_SECRET", secret),
        // The provider grants nothing without `openid`; accredit reads only the userinfo.
        ("ACCREDIT_OAUTH2_SCOPE", "openid email"),
        ("ACCREDIT_OAUTH2_LABEL", "国家职业教育智慧教育平台"),
    ];
    let app = spawn_app_with(backend, &env).await?;
    Some((app, provider))
}

macro_rules! with_provider_on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use accredit::db::Backend;
            #[tokio::test]
            async fn sqlite() {
                if let Some((app, provider)) = super::with_provider(Backend::Sqlite).await {
                    super::$name(app, provider).await;
                }
            }
            #[tokio::test]
            async fn postgres() {
                if let Some((app, provider)) = super::with_provider(Backend::Postgres).await {
                    super::$name(app, provider).await;
                }
            }
        }
    )*};
}

with_provider_on_both!(
    openid_connect_signs_in_known_people_only,
    a_forged_state_a_replayed_code_and_a_tampered_token_are_refused,
    a_plain_oauth2_platform_signs_in_by_its_id_field
);

async fn set_external_id(app: &TestApp, world: &World, user: i64, id: &str) {
    let admin = world.client(app, Actor::Admin);
    let reply = admin.update_user(user, json!({"external_id": id})).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

async fn me_of(app: &TestApp, browser: &mut Browser) -> Reply {
    browser.open(app, &app.url("/account")).await
}

async fn user_id_of(app: &TestApp, world: &World, email: &str) -> i64 {
    let users = world
        .client(app, Actor::Admin)
        .get("/api/v1/users?limit=200")
        .await
        .json();
    users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn access_entries(app: &TestApp, world: &World, method: &str) -> Vec<Value> {
    let log = world
        .client(app, Actor::Admin)
        .get("/api/v1/access-log?limit=200")
        .await
        .json();
    log.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["method"] == method)
        .cloned()
        .collect()
}

async fn openid_connect_signs_in_known_people_only(app: TestApp, provider: OidcProvider) {
    let world = World::build(&app).await;
    let officer_email = world.email(Actor::QualityOfficer).unwrap().to_owned();
    let officer = user_id_of(&app, &world, &officer_email).await;
    set_external_id(&app, &world, officer, "alice-sub").await;

    // The sign-in page offers the platform by its label.
    let mut browser = Browser::default();
    let login = browser.open(&app, &app.url("/login")).await;
    assert!(
        login.text.contains("福建省教育统一身份认证"),
        "{}",
        login.text
    );
    assert!(login.text.contains("/auth/oidc/login?next="));

    // Alice's `sub` is the officer's external_id.
    provider.next_login("alice-sub").await;
    let home = browser
        .open(&app, &app.url("/auth/oidc/login?next=%2Faccount"))
        .await;
    assert_eq!(home.status, 200, "{:?}\n{}", browser.visited, home.text);
    assert!(browser.visited.last().unwrap().ends_with("/account"));
    assert!(
        home.text.contains(&officer_email),
        "signed in as the officer"
    );
    assert!(browser.has("accredit_session"));
    assert!(!browser.has("accredit_flow"), "the flow's cookie is gone");
    assert!(
        browser
            .visited
            .iter()
            .any(|u| u.contains("code_challenge_method=S256") && u.contains("nonce=")),
        "PKCE and a nonce: {:?}",
        browser.visited
    );

    // Bob has no external_id; the provider vouches for his address, which is the
    // reviewer's.
    let reviewer_email = world.email(Actor::Reviewer).unwrap().to_owned();
    assert_eq!(reviewer_email, "reviewer@fj.example");
    let mut bob = Browser::default();
    provider.next_login("bob-sub").await;
    bob.open(&app, &app.url("/auth/oidc/login")).await;
    let page = me_of(&app, &mut bob).await;
    assert!(page.text.contains(&reviewer_email), "{}", page.text);

    // Carol's address is an account's, but the provider does not vouch for it: refused.
    for (sub, whom) in [("carol-sub", "unverified"), ("stranger-sub", "unknown")] {
        let mut someone = Browser::default();
        provider.next_login(sub).await;
        let refused = someone.open(&app, &app.url("/auth/oidc/login")).await;
        assert_eq!(refused.status, 403, "{whom}: {}", refused.text);
        assert!(refused.text.contains("id=\"platform-refused\""));
        assert!(
            refused.text.contains("education department"),
            "says whom to ask"
        );
        assert!(!someone.has("accredit_session"), "{whom} has no session");
    }

    // No account was created by signing in.
    let users = world
        .client(&app, Actor::Admin)
        .get("/api/v1/users?limit=200")
        .await
        .json();
    assert!(
        !users
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["email"] == "stranger@nowhere.example")
    );

    // The access log has the sign-ins and the refusals.
    let entries = access_entries(&app, &world, "oidc").await;
    assert_eq!(entries.iter().filter(|e| e["succeeded"] == true).count(), 2);
    let refused: Vec<_> = entries.iter().filter(|e| e["succeeded"] == false).collect();
    assert_eq!(refused.len(), 2);
    assert!(refused.iter().all(|e| e["reason"] == "unknown_account"));
    assert!(
        refused
            .iter()
            .any(|e| e["email"] == "stranger@nowhere.example")
    );
}

async fn a_forged_state_a_replayed_code_and_a_tampered_token_are_refused(
    app: TestApp,
    provider: OidcProvider,
) {
    let world = World::build(&app).await;
    let officer_email = world.email(Actor::QualityOfficer).unwrap().to_owned();
    let officer = user_id_of(&app, &world, &officer_email).await;
    set_external_id(&app, &world, officer, "alice-sub").await;

    // A sign-in that works, whose callback is then replayed by the same browser.
    let mut browser = Browser::default();
    provider.next_login("alice-sub").await;
    let done = browser.open(&app, &app.url("/auth/oidc/login")).await;
    assert_eq!(done.status, 200, "{:?}", browser.visited);
    let callback = browser
        .visited
        .iter()
        .find(|u| u.contains("/auth/oidc/callback?"))
        .unwrap()
        .clone();
    let mut replay = Browser::default();
    // The replaying browser has the original flow cookie too.
    let state = callback
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("state="))
        .unwrap()
        .to_owned();
    replay.cookies.insert("accredit_flow".into(), state.clone());
    let replayed = replay.open(&app, &callback).await;
    assert_eq!(replayed.status, 400, "a replayed code: {}", replayed.text);
    assert!(!replay.has("accredit_session"));

    // A state this browser never left with: a forged one, and another browser's.
    let mut forger = Browser::default();
    forger
        .cookies
        .insert("accredit_flow".into(), "forged".into());
    let forged = forger
        .open(
            &app,
            &app.url("/auth/oidc/callback?code=anything&state=forged"),
        )
        .await;
    assert_eq!(forged.status, 400);
    let mut victim = Browser::default();
    provider.next_login("alice-sub").await;
    let away = app
        .client
        .get(app.url("/auth/oidc/login"))
        .send()
        .await
        .unwrap();
    let location = away.headers()["location"].to_str().unwrap().to_owned();
    let theirs = location
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("state="))
        .unwrap()
        .to_owned();
    let stolen = victim
        .open(
            &app,
            &app.url(&format!("/auth/oidc/callback?code=anything&state={theirs}")),
        )
        .await;
    assert_eq!(stolen.status, 400, "no flow cookie, no sign-in");

    // An ID token altered on its way: its signature no longer holds.
    provider.tamper(true).await;
    let mut tampered = Browser::default();
    provider.next_login("alice-sub").await;
    let refused = tampered.open(&app, &app.url("/auth/oidc/login")).await;
    provider.tamper(false).await;
    assert_eq!(
        refused.status, 400,
        "{:?}\n{}",
        tampered.visited, refused.text
    );
    assert!(!tampered.has("accredit_session"));

    let entries = access_entries(&app, &world, "oidc").await;
    assert_eq!(
        entries.iter().filter(|e| e["reason"] == "rejected").count(),
        4,
        "{entries:?}"
    );
}

async fn a_plain_oauth2_platform_signs_in_by_its_id_field(app: TestApp, provider: OidcProvider) {
    let world = World::build(&app).await;
    let officer_email = world.email(Actor::QualityOfficer).unwrap().to_owned();
    let officer = user_id_of(&app, &world, &officer_email).await;
    set_external_id(&app, &world, officer, "alice-sub").await;

    let mut browser = Browser::default();
    let login = browser.open(&app, &app.url("/login")).await;
    assert!(login.text.contains("国家职业教育智慧教育平台"));
    provider.next_login("alice-sub").await;
    let page = browser
        .open(&app, &app.url("/auth/oauth2/login?next=%2Faccount"))
        .await;
    assert_eq!(page.status, 200, "{:?}\n{}", browser.visited, page.text);
    assert!(page.text.contains(&officer_email));
    assert!(
        browser
            .visited
            .iter()
            .any(|u| u.contains("code_challenge_method=S256"))
    );

    // A plain platform's address is not taken as proof: Bob, known here only by his
    // address, is refused.
    let mut bob = Browser::default();
    provider.next_login("bob-sub").await;
    let refused = bob.open(&app, &app.url("/auth/oauth2/login")).await;
    assert_eq!(refused.status, 403);

    let entries = access_entries(&app, &world, "oauth2").await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert!(entries.iter().any(|e| e["succeeded"] == true));
}

static CAS_SKIPPED: Once = Once::new();

/// The test CAS server (tests/cas/serve.py on Debian's django-cas-server); stopped when
/// dropped.
pub struct CasServer {
    child: Child,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Drop for CasServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl CasServer {
    /// Starts one that serves accredit on `service_port`, with `users`; `None` (and a note)
    /// when django-cas-server is not installed.
    pub fn start(service_port: u16, users: Value) -> Option<CasServer> {
        let python = "/usr/bin/python3";
        let installed = Command::new(python)
            .args(["-c", "import cas_server, django"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !installed {
            skip_suite(
                &CAS_SKIPPED,
                "CAS suite skipped: django-cas-server is not installed (apt-get install python3-django-cas-server)",
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut child = Command::new(python)
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cas/serve.py"))
            .env("CAS_PORT", port.to_string())
            .env("CAS_DB", dir.path().join("cas.sqlite3"))
            .env("CAS_USERS", users.to_string())
            .env(
                "CAS_SERVICE",
                format!(r"^http://127\.0\.0\.1:{service_port}/.*"),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        out.read_line(&mut first).unwrap();
        assert!(
            first.starts_with("listening"),
            "the CAS server said {first:?}"
        );
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "the CAS server did not listen"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Some(CasServer {
            child,
            url: format!("http://127.0.0.1:{port}/cas"),
            _dir: dir,
        })
    }
}

async fn with_cas(backend: Backend) -> Option<(TestApp, CasServer)> {
    let port = free_port();
    let users = json!([
        {"username": "20190001", "password": "lin-password-1", "email": "lin@elsewhere.example"},
        {"username": "wang", "password": "wang-password-1", "email": "reviewer@fj.example"},
        {"username": "zhao", "password": "zhao-password-1", "email": "zhao@nowhere.example"},
    ]);
    let cas = CasServer::start(port, users)?;
    let bind = format!("127.0.0.1:{port}");
    let env = [
        ("ACCREDIT_BIND", bind.as_str()),
        ("ACCREDIT_CAS_URL", cas.url.as_str()),
        ("ACCREDIT_CAS_LABEL", "福州第二高级技工学校统一身份认证"),
    ];
    let app = spawn_app_with(backend, &env).await?;
    Some((app, cas))
}

mod cas_signs_in_by_its_user_or_mail_once_per_ticket {
    use accredit::db::Backend;
    #[tokio::test]
    async fn sqlite() {
        if let Some((app, cas)) = super::with_cas(Backend::Sqlite).await {
            super::cas_signs_in_by_its_user_or_mail_once_per_ticket(app, cas).await;
        }
    }
    #[tokio::test]
    async fn postgres() {
        if let Some((app, cas)) = super::with_cas(Backend::Postgres).await {
            super::cas_signs_in_by_its_user_or_mail_once_per_ticket(app, cas).await;
        }
    }
}

/// Signs in at the CAS server's form, from accredit's button on.
async fn through_cas(app: &TestApp, browser: &mut Browser, user: &str, password: &str) -> Reply {
    let form = browser
        .open(app, &app.url("/auth/cas/login?next=%2Faccount"))
        .await;
    assert_eq!(form.status, 200, "{:?}", browser.visited);
    let at = browser.visited.last().unwrap().clone();
    assert!(at.contains("/cas/login?service="), "{at}");
    let mut fields: Vec<(String, String)> = form_fields(&form.text)
        .into_iter()
        .filter(|(name, _)| name != "username" && name != "password" && name != "warn")
        .collect();
    fields.push(("username".into(), user.into()));
    fields.push(("password".into(), password.into()));
    browser.post_form(app, &at, &fields).await
}

async fn cas_signs_in_by_its_user_or_mail_once_per_ticket(app: TestApp, cas: CasServer) {
    let world = World::build(&app).await;
    let officer_email = world.email(Actor::QualityOfficer).unwrap().to_owned();
    let officer = user_id_of(&app, &world, &officer_email).await;
    set_external_id(&app, &world, officer, "20190001").await;

    let mut browser = Browser::default();
    let login = browser.open(&app, &app.url("/login")).await;
    assert!(login.text.contains("福州第二高级技工学校统一身份认证"));

    // By `cas:user`, the officer's external_id.
    let account = through_cas(&app, &mut browser, "20190001", "lin-password-1").await;
    assert_eq!(
        account.status, 200,
        "{:?}\n{}",
        browser.visited, account.text
    );
    assert!(account.text.contains(&officer_email));
    let callback = browser
        .visited
        .iter()
        .find(|u| u.contains("/auth/cas/callback?") && u.contains("ticket="))
        .unwrap()
        .clone();

    // The same callback again: the flow is taken and the ticket used.
    let mut replay = Browser::default();
    let flow = callback
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("flow="))
        .unwrap()
        .to_owned();
    replay.cookies.insert("accredit_flow".into(), flow);
    assert_eq!(replay.open(&app, &callback).await.status, 400);
    // A used ticket with a fresh flow of this browser: the CAS server refuses it.
    let away = app
        .client
        .get(app.url("/auth/cas/login"))
        .send()
        .await
        .unwrap();
    let location = away.headers()["location"].to_str().unwrap().to_owned();
    let fresh = away.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("accredit_flow=")
        .to_owned();
    let ticket = callback
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("ticket="))
        .unwrap()
        .to_owned();
    assert!(location.contains(&fresh));
    let mut reuser = Browser::default();
    reuser.cookies.insert("accredit_flow".into(), fresh.clone());
    let reused = reuser
        .open(
            &app,
            &app.url(&format!("/auth/cas/callback?flow={fresh}&ticket={ticket}")),
        )
        .await;
    assert_eq!(reused.status, 400, "a used ticket: {}", reused.text);
    // A forged ticket.
    let away = app
        .client
        .get(app.url("/auth/cas/login"))
        .send()
        .await
        .unwrap();
    let fresh = away.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("accredit_flow=")
        .to_owned();
    let mut forger = Browser::default();
    forger.cookies.insert("accredit_flow".into(), fresh.clone());
    let forged = forger
        .open(
            &app,
            &app.url(&format!(
                "/auth/cas/callback?flow={fresh}&ticket=ST-1-forged"
            )),
        )
        .await;
    assert_eq!(forged.status, 400);

    // By the `mail` attribute, the reviewer's address; someone unknown is refused.
    let mut wang = Browser::default();
    let page = through_cas(&app, &mut wang, "wang", "wang-password-1").await;
    assert_eq!(page.status, 200, "{:?}", wang.visited);
    assert!(page.text.contains("reviewer@fj.example"));
    let mut zhao = Browser::default();
    let refused = through_cas(&app, &mut zhao, "zhao", "zhao-password-1").await;
    assert_eq!(refused.status, 403);
    assert!(refused.text.contains("id=\"platform-refused\""));

    // Single logout: signing out at the CAS server ends the session here.
    assert_eq!(browser.open(&app, &app.url("/home")).await.status, 200);
    browser.open(&app, &format!("{}/logout", cas.url)).await;
    let mut ended = false;
    for _ in 0..50 {
        let home = browser.open(&app, &app.url("/home")).await;
        if browser.visited.last().unwrap().contains("/login?next=") {
            ended = true;
            break;
        }
        assert_eq!(home.status, 200);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ended, "the CAS server's logout ended the session");

    let entries = access_entries(&app, &world, "cas").await;
    let signed_out: Vec<_> = entries
        .iter()
        .filter(|e| e["event"] == "sign_out")
        .collect();
    assert_eq!(
        signed_out.len(),
        1,
        "the single logout is a sign-out: {entries:?}"
    );
    assert_eq!(signed_out[0]["email"], officer_email.as_str());
    assert_eq!(
        entries
            .iter()
            .filter(|e| e["event"] == "sign_in" && e["succeeded"] == true)
            .count(),
        2
    );
    assert_eq!(
        entries.iter().filter(|e| e["reason"] == "rejected").count(),
        3,
        "{entries:?}"
    );
    assert_eq!(
        entries
            .iter()
            .filter(|e| e["reason"] == "unknown_account")
            .count(),
        1
    );
}

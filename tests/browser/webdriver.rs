//! A small W3C WebDriver client for Debian's chromedriver: just what the page tests need.
//! (A crate such as fantoccini would add a second HTTP stack; reqwest is already here.)

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::skip_suite;

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
static BROWSER_SKIPPED: Once = Once::new();

pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

fn program(env: &str, default: &str) -> String {
    std::env::var(env).unwrap_or_else(|_| default.to_owned())
}

impl Browser {
    /// A headless Chromium whose preferred language is `accept_language`; `None` (after a
    /// one-line notice) when the browser suite is not enabled.
    pub async fn start(accept_language: &str) -> Option<Browser> {
        if std::env::var("ACCREDIT_TEST_BROWSER").map_or(true, |v| v.is_empty() || v == "0") {
            skip_suite(
                &BROWSER_SKIPPED,
                "browser suite skipped: set ACCREDIT_TEST_BROWSER=1 (needs Debian's chromium and chromium-driver)",
            );
            return None;
        }
        let chromedriver = program("ACCREDIT_CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = program("ACCREDIT_CHROMIUM", "/usr/bin/chromium");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {chromedriver}: {e}"));
        let profile = tempfile::tempdir().unwrap();
        let mut browser = Browser {
            driver,
            port,
            session: String::new(),
            http: reqwest::Client::new(),
            _profile: profile,
        };
        browser.wait_until_ready().await;
        let language = accept_language.split(',').next().unwrap_or("zh-CN");
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            // Chromium's DevTools network events, read back by `requests_seen`.
            "goog:loggingPrefs": {"performance": "ALL"},
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                    format!("--lang={language}"),
                    format!("--user-data-dir={}", browser._profile.path().display()),
                ],
                "prefs": {"intl.accept_languages": accept_language}
            }
        }}});
        let reply = browser.call("POST", "/session", Some(capabilities)).await;
        browser.session = reply["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {reply}"))
            .to_owned();
        Some(browser)
    }

    async fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = self
                .http
                .get(format!("http://127.0.0.1:{}/status", self.port))
                .send()
                .await
                && let Ok(v) = r.json::<Value>().await
                && v["value"]["ready"] == true
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body)
            .await
            .unwrap_or_else(|error| panic!("webdriver {path}: {error}"))
    }

    /// A WebDriver command whose failure the caller handles (e.g. an element that went
    /// away because the page was replaced while we looked at it).
    async fn try_call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply: Value = request
            .send()
            .await
            .expect("webdriver")
            .json()
            .await
            .expect("json");
        match reply["value"].get("error") {
            Some(error) => Err(format!("{error} {}", reply["value"]["message"])),
            None => Ok(reply["value"].clone()),
        }
    }

    fn session_path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    pub async fn goto(&self, url: &str) {
        self.call(
            "POST",
            &self.session_path("/url"),
            Some(json!({"url": url})),
        )
        .await;
    }

    pub async fn current_url(&self) -> String {
        self.call("GET", &self.session_path("/url"), None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn find(&self, css: &str) -> String {
        let value = self
            .call(
                "POST",
                &self.session_path("/element"),
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        value[ELEMENT_KEY].as_str().unwrap().to_owned()
    }

    /// The element's text; an element replaced while being read is looked up again.
    pub async fn text(&self, css: &str) -> String {
        self.wait_for_text(css, "").await
    }

    pub async fn attribute(&self, css: &str, name: &str) -> Option<String> {
        let id = self.find(css).await;
        self.call(
            "GET",
            &self.session_path(&format!("/element/{id}/attribute/{name}")),
            None,
        )
        .await
        .as_str()
        .map(str::to_owned)
    }

    pub async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.call(
            "POST",
            &self.session_path(&format!("/element/{id}/click")),
            Some(json!({})),
        )
        .await;
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.call(
            "POST",
            &self.session_path(&format!("/element/{id}/value")),
            Some(json!({"text": text})),
        )
        .await;
    }

    /// Empties a text field.
    pub async fn clear(&self, css: &str) {
        let id = self.find(css).await;
        self.call(
            "POST",
            &self.session_path(&format!("/element/{id}/clear")),
            Some(json!({})),
        )
        .await;
    }

    /// Sets a field's value as a date picker would (typing into one depends on the locale).
    pub async fn set_value(&self, css: &str, value: &str) {
        self.call(
            "POST",
            &self.session_path("/execute/sync"),
            Some(json!({
                "script": "document.querySelector(arguments[0]).value = arguments[1];",
                "args": [css, value],
            })),
        )
        .await;
    }

    /// Runs a script in the page and answers its value.
    pub async fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            &self.session_path("/execute/sync"),
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Signs in through the sign-in page with the test password, and waits for the home page.
    /// The session cookie is dropped first (where there is a page to drop it from), so
    /// that a sign-in after another starts from nothing.
    pub async fn sign_in(&self, app: &crate::helpers::TestApp, email: &str) {
        let _ = self
            .try_call(
                "DELETE",
                &self.session_path("/cookie/accredit_session"),
                None,
            )
            .await;
        self.goto(&app.url("/login")).await;
        // The form may not be there the moment navigation returns (seen after a page whose
        // own load was still finishing, once never within 15 s on a busy machine): wait
        // for it, and ask for the page again if it does not come.
        let mut tries = 0;
        while !self
            .shows_within("#login-submit", Duration::from_secs(5))
            .await
        {
            tries += 1;
            assert!(
                tries < 3,
                "the sign-in form never showed: {}",
                self.current_url().await
            );
            self.goto(&app.url("/login")).await;
        }
        self.type_into("#email", email).await;
        self.type_into("#password", crate::world::PASSWORD).await;
        self.click("#login-submit").await;
        self.wait_for_url("/home").await;
    }

    /// Whether an element matching `css` is on the page within `wait`.
    pub async fn shows_within(&self, css: &str, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        loop {
            let found = self
                .try_call(
                    "POST",
                    &self.session_path("/elements"),
                    Some(json!({"using": "css selector", "value": css})),
                )
                .await;
            if found
                .ok()
                .and_then(|f| f.as_array().map(|a| !a.is_empty()))
                .unwrap_or(false)
            {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Every URL the browser asked for since the last call (documents, scripts, styles,
    /// images, fetches), from Chromium's DevTools network log: what a page loads, not only
    /// what it shows.
    pub async fn requests_seen(&self) -> Vec<String> {
        let entries = self
            .call(
                "POST",
                &self.session_path("/se/log"),
                Some(json!({"type": "performance"})),
            )
            .await;
        entries
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|entry| serde_json::from_str::<Value>(entry["message"].as_str()?).ok())
            .filter(|m| m["message"]["method"] == "Network.requestWillBeSent")
            .filter_map(|m| {
                m["message"]["params"]["request"]["url"]
                    .as_str()
                    .map(str::to_owned)
            })
            .collect()
    }

    /// Makes the window `width` × `height` CSS pixels (a phone: 390 × 844).
    pub async fn resize(&self, width: u32, height: u32) {
        self.call(
            "POST",
            &self.session_path("/window/rect"),
            Some(json!({"width": width, "height": height})),
        )
        .await;
    }

    /// Chooses the option with `value` in a select.
    pub async fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value=\"{value}\"]"))
            .await;
    }

    /// Waits until the address contains `fragment` (after a form or link navigates).
    pub async fn wait_for_url(&self, fragment: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(url) = self.try_call("GET", &self.session_path("/url"), None).await
                && url.as_str().is_some_and(|u| u.contains(fragment))
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the address never contained {fragment:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The page's whole visible text.
    pub async fn page_text(&self) -> String {
        self.text("body").await
    }

    /// Waits until the element's text contains `expected` (pages load after a click; an
    /// element replaced while we read it is simply looked up again).
    pub async fn wait_for_text(&self, css: &str, expected: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut last = String::new();
        loop {
            let found = self
                .try_call(
                    "POST",
                    &self.session_path("/elements"),
                    Some(json!({"using": "css selector", "value": css})),
                )
                .await;
            if let Ok(found) = found
                && let Some(id) = found
                    .as_array()
                    .and_then(|a| a.first())
                    .and_then(|e| e[ELEMENT_KEY].as_str())
                && let Ok(text) = self
                    .try_call(
                        "GET",
                        &self.session_path(&format!("/element/{id}/text")),
                        None,
                    )
                    .await
            {
                last = text.as_str().unwrap_or_default().to_owned();
                if last.contains(expected) {
                    return last;
                }
            }
            assert!(
                Instant::now() < deadline,
                "{css} never showed {expected:?}; last seen {last:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // End the session synchronously (closing Chromium), then stop the driver.
        if !self.session.is_empty()
            && let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port))
        {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let request = format!(
                "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.session, self.port
            );
            if stream.write_all(request.as_bytes()).is_ok() {
                let mut sink = Vec::new();
                let _ = stream.read_to_end(&mut sink);
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

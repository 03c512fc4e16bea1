//! Hostile input, as a table: each row one request an attacker (or an unlucky client) sends,
//! and the answer it must get. The defects of issue 15 are rows here, beside the classes
//! that were already handled, so that none comes back unnoticed.

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, both_backends};
use crate::world::{Actor, World};

both_backends!(
    hostile_requests_get_their_answers,
    spreadsheet_cells_never_start_a_formula,
);

/// Who sends the request.
enum Auth {
    Nobody,
    As(Actor),
    /// A raw `Authorization` header.
    Header(String),
}

enum Body {
    Empty,
    Json(Value),
    /// A URL-encoded form, with the browser's CSRF cookie (and the token when asked).
    Form {
        fields: String,
        with_token: bool,
    },
}

/// What must come back.
enum Expect {
    /// The status and the contract's error code; with the field the error names.
    Error(u16, &'static str, Option<&'static str>),
    /// A redirect to exactly this place.
    Redirect(&'static str),
}

struct Row {
    what: &'static str,
    method: &'static str,
    path: String,
    auth: Auth,
    body: Body,
    expect: Expect,
}

fn row(what: &'static str, method: &'static str, path: impl Into<String>) -> Row {
    Row {
        what,
        method,
        path: path.into(),
        auth: Auth::Nobody,
        body: Body::Empty,
        expect: Expect::Redirect("/"),
    }
}

impl Row {
    fn by(mut self, actor: Actor) -> Row {
        self.auth = Auth::As(actor);
        self
    }
    fn header(mut self, value: String) -> Row {
        self.auth = Auth::Header(value);
        self
    }
    fn json(mut self, body: Value) -> Row {
        self.body = Body::Json(body);
        self
    }
    fn form(mut self, fields: &str, with_token: bool) -> Row {
        self.body = Body::Form {
            fields: fields.to_owned(),
            with_token,
        };
        self
    }
    fn error(mut self, status: u16, code: &'static str, field: Option<&'static str>) -> Row {
        self.expect = Expect::Error(status, code, field);
        self
    }
    fn redirect(mut self, to: &'static str) -> Row {
        self.expect = Expect::Redirect(to);
        self
    }
}

/// The browser's CSRF cookie and the token its forms carry, from the sign-in page.
async fn browser(app: &TestApp) -> (String, String) {
    let page = app.get("/login").await;
    let cookie = page
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("accredit_csrf="))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .expect("a CSRF cookie");
    let token = cookie.trim_start_matches("accredit_csrf=").to_owned();
    (cookie, token)
}

/// A JWT whose header says `alg: none` and which has no signature.
fn unsigned_token() -> String {
    use base64::Engine;
    let encode = |v: Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string().as_bytes())
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    format!(
        "{}.{}.",
        encode(json!({"alg": "none", "typ": "JWT"})),
        encode(json!({"sub": 1, "sid": "x", "iat": now, "exp": now + 600}))
    )
}

async fn send(app: &TestApp, world: &World, row: &Row, browser: &(String, String)) -> Reply {
    let method = reqwest::Method::from_bytes(row.method.as_bytes()).unwrap();
    let mut request = app.client.request(method, app.url(&row.path));
    match &row.auth {
        Auth::Nobody => {}
        Auth::As(actor) => request = request.bearer_auth(world.token(*actor).unwrap()),
        Auth::Header(value) => request = request.header("Authorization", value),
    }
    match &row.body {
        Body::Empty => {}
        Body::Json(body) => request = request.json(body),
        Body::Form { fields, with_token } => {
            let mut body = fields.clone();
            if *with_token {
                body.push_str(&format!("&csrf_token={}", browser.1));
            }
            request = request
                .header("Cookie", &browser.0)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body);
        }
    }
    let response = request.send().await.expect("request");
    Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        text: response.text().await.unwrap(),
    }
}

async fn hostile_requests_get_their_answers(app: TestApp) {
    let world = World::build(&app).await;
    let browser = browser(&app).await;
    let school = world.school;
    let audit = world.audits[0];
    let tampered = {
        let good = world.officer(&app);
        let mut parts: Vec<String> = good
            .token()
            .unwrap()
            .split('.')
            .map(str::to_owned)
            .collect();
        parts[1] = parts[1].chars().rev().collect();
        parts.join(".")
    };
    let rows = vec![
        // Open redirects: only a path of this site, else home.
        row("tab before a second slash", "GET", "/lang/en?next=/%09/evil.example"),
        row("line feed in next", "GET", "/lang/en?next=/%0a"),
        row("carriage return in next", "GET", "/lang/en?next=/%0d/x"),
        row("DEL in next", "GET", "/lang/en?next=/%7f"),
        row("backslash for a slash", "GET", "/lang/en?next=/%5Cevil.example"),
        row("protocol-relative", "GET", "/lang/en?next=//evil.example"),
        row("scheme", "GET", "/lang/en?next=https://evil.example"),
        row("scheme without slashes", "GET", "/lang/zh-CN?next=https:evil.example"),
        row("a path of ours is kept", "GET", "/lang/en?next=/schools/1%3Ftab%3Dx")
            .redirect("/schools/1?tab=x"),
        row("sign-in form's next", "POST", "/login")
            .form(
                "email=nobody%40example.com&password=x&next=/%09/evil.example",
                true,
            )
            .error(401, "", None),
        // CSRF: a form without its token is refused like a wrong one.
        row("form without its CSRF field", "POST", "/login")
            .form("email=a%40b.example&password=x", false)
            .error(403, "csrf_failed", None),
        row("form with a wrong CSRF token", "POST", "/login")
            .form("email=a%40b.example&password=x&csrf_token=00", false)
            .error(403, "csrf_failed", None),
        row("an empty form", "POST", "/login")
            .form("", false)
            .error(403, "csrf_failed", None),
        row("a form that is not a form", "POST", "/login")
            .json(json!({"csrf_token": "x"}))
            .error(403, "csrf_failed", None),
        // Ranges of query parameters and dates.
        row("within_days past the calendar", "GET", "/api/v1/deadlines?within_days=3000000")
            .by(Actor::ProvinceAdmin)
            .error(422, "validation_failed", Some("within_days")),
        row("within_days negative", "GET", "/api/v1/deadlines?within_days=-1")
            .by(Actor::ProvinceAdmin)
            .error(422, "validation_failed", Some("within_days")),
        row("within_days not a number", "GET", "/api/v1/deadlines?within_days=soon")
            .by(Actor::ProvinceAdmin)
            .error(400, "invalid_query", Some("within_days")),
        row("a flag not true or false", "GET", format!("/api/v1/schools/{school}/peer-comparison?same_kind=maybe"))
            .by(Actor::QualityOfficer)
            .error(400, "invalid_query", Some("same_kind")),
        row("limit zero", "GET", "/api/v1/deadlines?limit=0")
            .by(Actor::ProvinceAdmin)
            .error(422, "validation_failed", Some("limit")),
        row("limit too large", "GET", "/api/v1/schools?limit=1001")
            .by(Actor::Admin)
            .error(422, "validation_failed", Some("limit")),
        row("a forged cursor", "GET", "/api/v1/schools?cursor=AAAA")
            .by(Actor::Admin)
            .error(422, "validation_failed", Some("cursor")),
        row("a date after 2100", "POST", format!("/api/v1/schools/{school}/audits"))
            .by(Actor::QualityOfficer)
            .json(json!({"kind": "internal", "standard": "ISO 9001:2015", "started_on": "9999-12-31", "lead_auditor": "陈静"}))
            .error(422, "validation_failed", Some("started_on")),
        row("a date before 1900", "POST", format!("/api/v1/audits/{audit}/findings"))
            .by(Actor::QualityOfficer)
            .json(json!({"clause": "7.1.5", "grade": "minor_nc", "description": "x", "due_on": "1066-10-14"}))
            .error(422, "validation_failed", Some("due_on")),
        // Who may comes before what was sent: a stranger learns nothing from validation.
        row("another province's programme, badly written", "POST", format!("/api/v1/provinces/{}/programmes", world.other_province))
            .by(Actor::ProvinceAdmin)
            .json(json!({"name": "", "target_count": 0, "target_date": "x"}))
            .error(404, "not_found", None),
        row("another province's programme changed badly", "PATCH", format!("/api/v1/programmes/{}", world.programmes[1]))
            .by(Actor::ProvinceAdmin)
            .json(json!({"target_count": 0}))
            .error(404, "not_found", None),
        // Text that deceives.
        row("right-to-left override in a name", "PATCH", format!("/api/v1/schools/{school}"))
            .by(Actor::ProvinceAdmin)
            .json(json!({"name": "Fuzhou \u{202E}looh cS"}))
            .error(422, "validation_failed", Some("name")),
        row("isolate in a city", "PATCH", format!("/api/v1/schools/{school}"))
            .by(Actor::ProvinceAdmin)
            .json(json!({"city": "Fu\u{2066}zhou"}))
            .error(422, "validation_failed", Some("city")),
        row("zero-width space in a person's name", "PATCH", "/api/v1/me")
            .by(Actor::QualityOfficer)
            .json(json!({"name": "Chen\u{200B}"}))
            .error(422, "validation_failed", Some("name")),
        // Tokens.
        row("alg none", "GET", "/api/v1/me")
            .header(format!("Bearer {}", unsigned_token()))
            .error(401, "unauthorized", None),
        row("tampered claims", "GET", "/api/v1/me")
            .header(format!("Bearer {tampered}"))
            .error(401, "unauthorized", None),
    ];
    for row in &rows {
        let reply = send(&app, &world, row, &browser).await;
        let what = row.what;
        match &row.expect {
            Expect::Redirect(to) => {
                assert!(
                    matches!(reply.status, 302 | 303),
                    "{what}: {} {}",
                    reply.status,
                    reply.text
                );
                assert_eq!(reply.header("location"), Some(*to), "{what}");
            }
            Expect::Error(status, code, field) => {
                assert_eq!(reply.status, *status, "{what}: {}", reply.text);
                if row.path.starts_with("/api/") {
                    assert_eq!(reply.error_code(), *code, "{what}");
                    if let Some(field) = field {
                        let fields = &reply.json()["error"]["fields"];
                        assert!(fields[*field].is_string(), "{what}: {fields}");
                    }
                } else if !code.is_empty() {
                    assert!(
                        reply
                            .header("content-type")
                            .unwrap()
                            .starts_with("text/html"),
                        "{what}"
                    );
                }
                assert!(!reply.text.contains("panicked"), "{what}");
            }
        }
    }
    // The sign-in form's hostile `next`, with the right password, goes home.
    let reply = send(
        &app,
        &world,
        &row("signed in with a hostile next", "POST", "/login").form(
            &format!(
                "email={}&password={}&next=/%09/evil.example",
                world.email(Actor::Reviewer).unwrap().replace('@', "%40"),
                crate::world::PASSWORD.replace(' ', "+")
            ),
            true,
        ),
        &browser,
    )
    .await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(reply.header("location"), Some("/home"));

    // Uploads: HTML and SVG are text, served as text/plain and never sniffed.
    let qo = world.officer(&app);
    for (name, bytes) in [
        ("page.html", &b"<html><script>alert(1)</script></html>"[..]),
        (
            "image.svg",
            &b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"[..],
        ),
    ] {
        let stored = qo.upload_evidence(world.drafts[0], name, bytes).await;
        assert_eq!(stored.status, 201, "{name}: {}", stored.text);
        let id = stored.json()["id"].as_i64().unwrap();
        let served = qo.evidence_content(id).await;
        assert_eq!(served.status, 200);
        assert_eq!(
            served.header("content-type"),
            Some("text/plain; charset=utf-8"),
            "{name}"
        );
        assert_eq!(served.header("x-content-type-options"), Some("nosniff"));
    }
}

/// A school named like a formula stays text in every CSV and every XLSX of the others.
async fn spreadsheet_cells_never_start_a_formula(app: TestApp) {
    let world = World::build(&app).await;
    let bureau = world.bureau(&app);
    let hostile = "=HYPERLINK(\"http://evil.example\",\"x\")";
    let renamed = bureau
        .update_school(
            world.sibling_school,
            json!({"name": hostile, "city": "+86 591", "name_zh": "@SUM(1)"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let officer = world.token(Actor::QualityOfficer).unwrap();
    for (path, token) in [
        (
            "/api/v1/deadlines?format=csv".to_owned(),
            bureau.token().unwrap(),
        ),
        (
            format!(
                "/api/v1/schools/{}/peer-comparison?format=csv",
                world.school
            ),
            officer,
        ),
    ] {
        let reply = app.send("GET", &path, Some(token), None).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        let mut seen = false;
        for line in reply.text.lines() {
            // Numbers (a negative one too) are figures, not text a program could run.
            for cell in split_csv(line)
                .into_iter()
                .filter(|c| c.parse::<f64>().is_err())
            {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{path}: a cell starts a formula: {cell:?}"
                );
                seen |= cell == format!("'{hostile}");
            }
        }
        if path.contains("deadlines") {
            assert!(
                seen,
                "{path}: the school is listed, as text:\n{}",
                reply.text
            );
        }
    }
    // The XLSX keeps the name as a string cell, never a formula.
    let response = app
        .client
        .get(app.url("/api/v1/deadlines?format=xlsx"))
        .bearer_auth(bureau.token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.unwrap();
    let sheet = xlsx_part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(!sheet.contains("<f>"), "no formula in the sheet");
    let cells = crate::helpers::xlsx_rows(&bytes);
    assert!(cells.iter().flatten().any(|c| c == hostile), "kept as text");
}

/// The cells of one CSV line (quoted cells unquoted).
fn split_csv(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cells.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(String::new()),
            c => cells.last_mut().unwrap().push(c),
        }
    }
    cells
}

fn xlsx_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

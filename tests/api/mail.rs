//! Mail delivery against a real SMTP server (Debian's `python3-aiosmtpd`, started and
//! stopped by each test): one mail per recipient in their language with a link, retries and
//! a visible failure while the server refuses, delivery once it is back, exactly once with
//! two senders at once, the daily reminders sent once by whichever server runs them, and
//! the opt-out link.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{TestApp, both_backends, skip_suite, spawn_app};
use crate::web_pages::Visitor;
use crate::world::{Actor, PASSWORD, World};

both_backends!(
    a_submission_mails_each_reader_of_the_province_once_in_their_language,
    a_refusing_server_means_retries_a_visible_failure_then_delivery,
    the_opt_out_link_turns_one_kind_off_and_cannot_be_forged,
    serve_sends_the_daily_reminders_once_whichever_server_runs_them,
    a_killed_senders_rows_are_taken_again_after_the_lease,
);

const PUBLIC_URL: &str = "https://accredit.example.cn";

/// A real SMTP server that keeps what it receives in a maildir.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

static SMTP_SKIPPED: Once = Once::new();

impl SmtpServer {
    /// Starts aiosmtpd on a free port, or on `port`; `None` when it is not installed.
    fn start(dir: &Path, port: Option<u16>) -> Option<SmtpServer> {
        let python = "/usr/bin/python3";
        let installed = Command::new(python)
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        if !installed {
            skip_suite(
                &SMTP_SKIPPED,
                "mail suite skipped: python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd)",
            );
            return None;
        }
        let port = port.unwrap_or_else(free_port);
        let maildir = dir.join(format!("maildir-{port}"));
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "aiosmtpd did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(SmtpServer {
            child,
            port,
            maildir,
        })
    }

    /// Every mail received so far, parsed.
    fn mails(&self) -> Vec<Mail> {
        let mut mails = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.maildir.join(sub)) else {
                continue;
            };
            for entry in entries {
                let raw = std::fs::read(entry.unwrap().path()).unwrap();
                mails.push(Mail::parse(&raw));
            }
        }
        mails
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What a test reads of a received mail.
#[derive(Debug, Clone)]
struct Mail {
    to: String,
    subject: String,
    text: String,
    html: String,
    message_id: String,
    list_unsubscribe: String,
}

impl Mail {
    fn parse(raw: &[u8]) -> Mail {
        let message = mail_parser::MessageParser::default()
            .parse(raw)
            .expect("a mail");
        let header = |name: &str| {
            message
                .header_raw(name)
                .unwrap_or_default()
                .trim()
                .to_owned()
        };
        Mail {
            to: header("X-RcptTo"),
            subject: message.subject().unwrap_or_default().to_owned(),
            text: message.body_text(0).unwrap_or_default().into_owned(),
            html: message.body_html(0).unwrap_or_default().into_owned(),
            message_id: message.message_id().unwrap_or_default().to_owned(),
            list_unsubscribe: header("List-Unsubscribe"),
        }
    }

    /// The opt-out link at the mail's foot, as a path and query of our server.
    fn opt_out_path(&self) -> String {
        let start = self
            .text
            .find("/mail/opt-out?token=")
            .expect("an opt-out link");
        let rest = &self.text[start..];
        rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())].to_owned()
    }
}

/// The variables that point the command line (or a server) at `smtp`.
fn mail_env(port: u16) -> Vec<(&'static str, String)> {
    vec![
        (
            "ACCREDIT_SMTP_URL",
            format!("smtp://127.0.0.1:{port}?tls=none"),
        ),
        (
            "ACCREDIT_MAIL_FROM",
            "accredit <noreply@accredit.example>".into(),
        ),
        ("ACCREDIT_PUBLIC_URL", PUBLIC_URL.into()),
        ("ACCREDIT_MAIL_RETRY_SECONDS", "0".into()),
        ("ACCREDIT_MAIL_MAX_ATTEMPTS", "3".into()),
        ("ACCREDIT_MAIL_INTERVAL_SECONDS", "1".into()),
    ]
}

/// `accredit mail send-pending` against the SMTP server on `port`; its one line of output.
/// Queues each mail of the outbox once more, as if the steps had been taken twice.
fn double_the_outbox(app: &TestApp) {
    use accredit::db::schema::outbox;
    use diesel::prelude::*;
    let db = app.db();
    let mut conn = db.get().unwrap();
    let rows: Vec<(String, Option<i64>, String, String, time::PrimitiveDateTime)> = outbox::table
        .select((
            outbox::channel,
            outbox::user_id,
            outbox::kind,
            outbox::payload,
            outbox::created_at,
        ))
        .load(&mut conn)
        .unwrap();
    for (channel, user, kind, payload, created) in rows {
        diesel::insert_into(outbox::table)
            .values((
                outbox::channel.eq(channel),
                outbox::user_id.eq(user),
                outbox::kind.eq(kind),
                outbox::payload.eq(payload),
                outbox::created_at.eq(created),
            ))
            .execute(&mut conn)
            .unwrap();
    }
}

/// The mails in the outbox, whatever their state.
fn queued(app: &TestApp) -> i64 {
    use accredit::db::schema::outbox;
    use diesel::prelude::*;
    let db = app.db();
    outbox::table
        .count()
        .get_result(&mut db.get().unwrap())
        .unwrap()
}

fn send_pending(app: &TestApp, port: u16) -> String {
    let env = mail_env(port);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = app.cli_with(&env, &["mail", "send-pending"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    run.stdout
}

async fn submit(app: &TestApp, token: Option<&str>, id: i64) {
    let reply = app.with_token(token.unwrap()).submit(id).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

async fn a_submission_mails_each_reader_of_the_province_once_in_their_language(app: TestApp) {
    let Some(smtp) = SmtpServer::start(app.dir.path(), None) else {
        return;
    };
    let world = World::build(&app).await;
    // The reviewer reads English; the province admin and the colleague keep Chinese.
    let reviewer = world.reviewer(&app);
    let reply = reviewer.update_me(json!({"language": "en"})).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    // What building the world queued (its submissions and recommendations) goes first.
    let first = send_pending(&app, smtp.port);
    assert!(first.contains("0 to be retried, 0 failed"), "{first}");
    let before = smtp.mails().len();
    assert!(before > 0, "{first}");

    submit(&app, world.token(Actor::QualityOfficer), world.drafts[0]).await;
    let out = send_pending(&app, smtp.port);
    assert!(out.starts_with("mail: 3 delivered"), "{out}");
    let mails = smtp.mails();
    let new: Vec<&Mail> = mails
        .iter()
        .filter(|m| {
            m.text
                .contains(&format!("/submissions/{}", world.drafts[0]))
        })
        .collect();
    let mut recipients: Vec<&str> = new.iter().map(|m| m.to.as_str()).collect();
    recipients.sort_unstable();
    let mut expected = vec![
        world.email(Actor::Reviewer).unwrap(),
        world.email(Actor::ProvinceAdmin).unwrap(),
        "colleague@fj.example",
    ];
    expected.sort_unstable();
    assert_eq!(recipients, expected, "one mail per reader of the province");
    let link = format!("{PUBLIC_URL}/submissions/{}", world.drafts[0]);
    for mail in &new {
        assert!(mail.text.contains(&link), "{}", mail.text);
        assert!(mail.html.contains(&link), "{}", mail.html);
        assert!(mail.list_unsubscribe.contains("/mail/opt-out?token="));
        // No secret or evidence: no sign-in token, no stored file's name or hash.
        assert!(!mail.text.contains("Bearer") && !mail.text.contains("sha256"));
        if mail.to == world.email(Actor::Reviewer).unwrap() {
            assert!(
                mail.subject
                    .starts_with("[accredit] Fuzhou No.2 Senior Technical School · "),
                "{}",
                mail.subject
            );
            assert!(mail.subject.ends_with(" · Submitted"), "{}", mail.subject);
            assert!(
                mail.text
                    .contains("A submission is waiting for your review.")
            );
        } else {
            assert!(
                mail.subject
                    .starts_with("[accredit] 福州第二高级技工学校 · "),
                "{}",
                mail.subject
            );
            assert!(mail.subject.ends_with(" · 提交"), "{}", mail.subject);
            assert!(
                mail.text.contains("有一份报送等待您审核。"),
                "{}",
                mail.text
            );
        }
    }
    // Every mail has its own Message-ID, and nothing is sent twice.
    let mut ids: Vec<&str> = mails.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), mails.len());
    let again = send_pending(&app, smtp.port);
    assert!(again.starts_with("mail: 0 delivered"), "{again}");
    assert_eq!(smtp.mails().len(), mails.len());
}

async fn a_refusing_server_means_retries_a_visible_failure_then_delivery(app: TestApp) {
    let world = World::build(&app).await;
    // More than one batch waits: each queued mail once more.
    double_the_outbox(&app);
    // Nothing listens on the port yet.
    let port = free_port();
    let first = send_pending(&app, port);
    assert!(first.contains(" to be retried, 0 failed"), "{first}");
    assert!(first.starts_with("mail: 0 delivered"), "{first}");
    // One connection refused is enough: every mail of the pass, in every batch, counts the
    // same failed attempt without trying (a server that times out would otherwise hold the
    // pass for a timeout per mail).
    assert!(first.contains("could not be reached"), "{first}");
    let pending = queued(&app);
    assert!(pending > 20, "more than one batch queued: {pending}");
    assert!(
        first.contains(&format!(" {pending} to be retried")),
        "{first}"
    );
    send_pending(&app, port);
    let third = send_pending(&app, port);
    assert!(third.contains(" 0 to be retried, "), "{third}");
    assert!(
        !third.contains(" 0 failed"),
        "at the limit of 3 attempts: {third}"
    );

    // The admin sees the failures, with the error, on the page; nobody else does.
    let mut admin = Visitor::new(&app);
    admin.sign_in("admin@accredit.example", PASSWORD).await;
    let page = admin.get("/admin/mail").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("id=\"mail-troubles\""), "{}", page.text);
    assert!(page.text.contains("onnection refused"), "{}", page.text);
    assert!(
        page.text.contains("id=\"mail-configured\"") || page.text.contains("mail-not-configured")
    );
    let home = admin.get("/home").await;
    assert!(home.text.contains("id=\"home-mail-link\""), "{}", home.text);
    let mut officer = Visitor::new(&app);
    officer
        .sign_in(world.email(Actor::QualityOfficer).unwrap(), PASSWORD)
        .await;
    assert_eq!(officer.get("/admin/mail").await.status, 403);
    let csrf = officer.csrf.clone();
    let refused = officer
        .post("/admin/mail/retry", &[("csrf_token", &csrf), ("id", "")])
        .await;
    assert_eq!(refused.status, 403);

    // Failed mails wait: the server comes back, and nothing is sent until the admin retries.
    let Some(smtp) = SmtpServer::start(app.dir.path(), Some(port)) else {
        return;
    };
    let waiting = send_pending(&app, port);
    assert!(waiting.starts_with("mail: 0 delivered"), "{waiting}");
    let csrf = admin.csrf.clone();
    let retried = admin
        .post("/admin/mail/retry", &[("csrf_token", &csrf), ("id", "")])
        .await;
    assert_eq!(retried.status, 303, "{}", retried.text);
    let delivered = send_pending(&app, port);
    assert!(
        delivered.contains("0 to be retried, 0 failed"),
        "{delivered}"
    );
    assert!(!delivered.starts_with("mail: 0 delivered"), "{delivered}");
    assert!(!smtp.mails().is_empty());
    let page = admin.get("/admin/mail").await;
    assert!(page.text.contains("id=\"mail-failed\">0<"), "{}", page.text);
}

async fn the_opt_out_link_turns_one_kind_off_and_cannot_be_forged(app: TestApp) {
    let Some(smtp) = SmtpServer::start(app.dir.path(), None) else {
        return;
    };
    let world = World::build(&app).await;
    send_pending(&app, smtp.port);
    let reviewer_email = world.email(Actor::Reviewer).unwrap();
    let mail = smtp
        .mails()
        .into_iter()
        .find(|m| m.to == reviewer_email)
        .expect("the reviewer's mail");
    let path = mail.opt_out_path();
    assert!(
        mail.list_unsubscribe.contains(&path),
        "{}",
        mail.list_unsubscribe
    );

    // Opening the link asks first (mail scanners open links); nothing changes yet.
    let page = app.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("id=\"opt-out-button\""), "{}", page.text);
    assert!(page.text.contains(reviewer_email));
    // In the language of the mail (the reviewer reads Chinese), whatever the mail client's
    // browser asks for; the language switch of this browser still decides.
    for (cookie, lang) in [(None, "zh-CN"), (Some("lang=en"), "en")] {
        let mut request = app
            .client
            .get(app.url(&path))
            .header("Accept-Language", "en-US,en;q=0.9");
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        let text = request.send().await.unwrap().text().await.unwrap();
        assert!(
            text.contains(&format!("<html lang=\"{lang}\">")),
            "{cookie:?}"
        );
    }
    let reviewer = world.reviewer(&app);
    let me = app.me(reviewer.token()).await.json();
    assert_eq!(
        me["mail"],
        json!({"workflow": true, "reminders": true, "digest": true})
    );

    // A changed token, another kind, a sign-in token: refused, and nothing changes.
    let token = path.split("token=").nth(1).unwrap();
    let mut forged = token.to_owned().into_bytes();
    let at = forged.len() / 2;
    forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    for bad in [forged.as_str(), reviewer.token().unwrap(), "", "x.y.z"] {
        let reply = app
            .request("POST", &format!("/mail/opt-out?token={bad}"), None)
            .await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.text);
        assert!(reply.text.contains("id=\"opt-out-invalid\""));
    }
    let me = app.me(reviewer.token()).await.json();
    assert_eq!(me["mail"]["workflow"], true);

    // The mail program's one-click unsubscribe (RFC 8058): a POST to the link.
    let reply = app
        .client
        .post(app.url(&path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert!(reply.text().await.unwrap().contains("id=\"opt-out-done\""));
    let me = app.me(reviewer.token()).await.json();
    assert_eq!(
        me["mail"],
        json!({"workflow": false, "reminders": true, "digest": true})
    );

    // The next submission reaches the other readers by mail, the reviewer.token() in the inbox only.
    let before = smtp.mails().len();
    submit(&app, world.token(Actor::QualityOfficer), world.drafts[0]).await;
    let out = send_pending(&app, smtp.port);
    assert!(out.starts_with("mail: 2 delivered"), "{out}");
    let mails = smtp.mails();
    assert_eq!(mails.len(), before + 2);
    assert!(
        !mails[..]
            .iter()
            .filter(|m| m
                .text
                .contains(&format!("/submissions/{}", world.drafts[0])))
            .any(|m| m.to == reviewer_email)
    );
    let inbox = app.notifications(reviewer.token()).await.json();
    assert!(
        inbox["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["submission_id"] == world.drafts[0]),
        "{inbox}"
    );

    // The account page and the API turn it back on.
    let mut visitor = Visitor::new(&app);
    visitor.sign_in(reviewer_email, PASSWORD).await;
    let account = visitor.get("/account").await;
    assert!(
        account.text.contains("id=\"mail-workflow\">"),
        "{}",
        account.text
    );
    let csrf = visitor.csrf.clone();
    let saved = visitor
        .post(
            "/account/mail",
            &[
                ("csrf_token", &csrf),
                ("workflow", "on"),
                ("digest", "on"),
                ("language", "en"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let me = app.me(reviewer.token()).await.json();
    assert_eq!(
        me["mail"],
        json!({"workflow": true, "reminders": false, "digest": true})
    );
    assert_eq!(me["language"], "en");
    let reply = reviewer
        .update_me(json!({"mail": {"workflow": true, "reminders": true, "digest": false}}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["mail"]["digest"], false);
    let reply = reviewer
        .update_me(json!({"mail": {"workflow": "yes"}}))
        .await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(
        reply.json()["error"]["fields"]["mail.workflow"].is_string(),
        "{}",
        reply.text
    );
}

async fn serve_sends_the_daily_reminders_once_whichever_server_runs_them(app: TestApp) {
    let Some(smtp) = SmtpServer::start(app.dir.path(), None) else {
        return;
    };
    let world = World::build(&app).await;
    // A title whose re-evaluation falls due in 30 days of the chosen day.
    let due = world.award_key_school(&app, "2022-01-15").await;
    let today = (due - time::Duration::days(30)).to_string();

    // Two servers on the database with the daily job and mail on: one of them sends it.
    let mut env = mail_env(smtp.port);
    env.push(("ACCREDIT_DAILY_REMINDERS", "true".into()));
    env.push(("ACCREDIT_TODAY", today.clone()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let one = app.beside_with(&env).await;
    let two = app.beside_with(&env).await;
    let officer = world.email(Actor::QualityOfficer).unwrap();
    let due_on = due.to_string();
    let reminded = |mails: &[Mail]| {
        mails
            .iter()
            .filter(|m| m.to == officer && m.subject.contains("后到期") && m.text.contains(&due_on))
            .cloned()
            .collect::<Vec<_>>()
    };
    let started = Instant::now();
    while reminded(&smtp.mails()).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no reminder mail"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Both servers look again and send nothing more (the day is done), and the workflow
    // mails that were waiting went out once each.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mails = smtp.mails();
    let got = reminded(&mails);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].subject.contains("福州第二高级技工学校"),
        "{}",
        got[0].subject
    );
    assert!(
        got[0]
            .text
            .contains(&format!("{PUBLIC_URL}/schools/{}", world.school))
    );
    let mut ids: Vec<&str> = mails.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), mails.len(), "a mail went out twice");
    drop(two);
    drop(one);
}

/// Two senders at once on PostgreSQL: every row is delivered exactly once.
#[tokio::test]
async fn two_senders_at_once_deliver_each_mail_exactly_once() {
    let Some(app) = spawn_app(accredit::db::Backend::Postgres).await else {
        return;
    };
    let Some(smtp) = SmtpServer::start(app.dir.path(), None) else {
        return;
    };
    let world = World::build(&app).await;
    // More mail: each of a dozen new submissions tells the province's three readers.
    let qo = world.officer(&app);
    for n in 0..12 {
        let id = qo.prepare(world.school, json!({"kind": "annual_quality_report", "title": format!("Report {n}"), "year": 2000 + n})).await.id();
        let reply = qo
            .upload_evidence(id, "evidence.pdf", b"%PDF-1.4 evidence")
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        submit(&app, qo.token(), id).await;
    }
    let app = std::sync::Arc::new(app);
    let senders: Vec<_> = (0..3)
        .map(|_| {
            let app = app.clone();
            let port = smtp.port;
            std::thread::spawn(move || send_pending(&app, port))
        })
        .collect();
    let mut delivered = 0;
    for sender in senders {
        let out = sender.join().unwrap();
        let n: usize = out
            .trim_start_matches("mail: ")
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        delivered += n;
    }
    let mails = smtp.mails();
    assert!(mails.len() >= 36, "{}", mails.len());
    assert_eq!(delivered, mails.len());
    let mut ids: Vec<&str> = mails.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), mails.len(), "a mail went out twice");
}

/// A sender killed mid-send leaves its rows leased: nobody takes them until the lease
/// ends, then the next sender does.
async fn a_killed_senders_rows_are_taken_again_after_the_lease(app: TestApp) {
    use accredit::store::outbox;
    let _world = World::build(&app).await;
    let db = app.db();
    let mut conn = db.get().unwrap();
    let now = accredit::clock::now_utc();
    let lease = time::Duration::minutes(10);
    let taken = outbox::claim(&mut conn, outbox::EMAIL, now, lease, 0, 1000).unwrap();
    assert!(!taken.is_empty());
    assert!(taken.iter().all(|row| row.attempts == 1));
    // The sender dies here. While the lease lasts, no one else takes its rows.
    let later = now + time::Duration::minutes(9);
    assert!(
        outbox::claim(&mut conn, outbox::EMAIL, later, lease, 0, 1000)
            .unwrap()
            .is_empty()
    );
    let after = now + time::Duration::minutes(11);
    let again = outbox::claim(&mut conn, outbox::EMAIL, after, lease, 0, 1000).unwrap();
    let ids = |rows: &[outbox::Claimed]| rows.iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(&again), ids(&taken));
    assert!(again.iter().all(|row| row.attempts == 2));
}

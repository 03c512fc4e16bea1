//! A province's group robots (DingTalk, WeCom) against a local HTTP receiver the test
//! starts and allows through `ACCREDIT_WEBHOOK_HOSTS`: chosen events only, DingTalk's
//! signature, a failing receiver retried, and the request-forgery table refused.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};
use crate::world::World;

/// One request the receiver was sent.
#[derive(Clone, Debug)]
pub struct Received {
    pub target: String,
    pub body: Value,
}

/// A robot's server in the test: records each request; answers the first `failures` to
/// `/robot/send…` with 500, a path with `/moved` with a redirect, the rest as DingTalk and
/// WeCom do.
pub struct Receiver {
    pub port: u16,
    pub seen: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub fn start(failures: usize) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen: Arc<Mutex<Vec<Received>>> = Arc::default();
        let log = seen.clone();
        std::thread::spawn(move || {
            let mut failures = failures;
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let target = line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_owned();
                let mut length = 0;
                loop {
                    let mut header = String::new();
                    reader.read_line(&mut header).unwrap_or_default();
                    let header = header.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    if let Some((name, value)) = header.split_once(':')
                        && name.eq_ignore_ascii_case("content-length")
                    {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap_or_default();
                let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                log.lock().unwrap().push(Received {
                    target: target.clone(),
                    body,
                });
                let (status, answer) = if target.contains("/moved") {
                    (
                        "302 Found\r\nLocation: http://169.254.169.254/",
                        String::new(),
                    )
                } else if failures > 0 && target.starts_with("/robot/send") {
                    failures -= 1;
                    ("500 Internal Server Error", "down".to_owned())
                } else {
                    ("200 OK", r#"{"errcode":0,"errmsg":"ok"}"#.to_owned())
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
            }
        });
        Receiver { port, seen }
    }

    pub fn requests(&self) -> Vec<Received> {
        self.seen.lock().unwrap().clone()
    }

    /// Waits until `count` requests to a path containing `path` arrived.
    pub async fn wait_for(&self, path: &str, count: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let matching: Vec<Received> = self
                .requests()
                .into_iter()
                .filter(|r| r.target.contains(path))
                .collect();
            if matching.len() >= count {
                return matching;
            }
            assert!(
                Instant::now() < deadline,
                "{count} requests to {path} never came: {:?}",
                self.requests()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn with_receiver(backend: accredit::db::Backend) -> Option<(TestApp, Receiver)> {
    // The first post fails: the robot's message is tried again.
    let receiver = Receiver::start(1);
    let hosts = format!("127.0.0.1:{}", receiver.port);
    let env = [
        ("ACCREDIT_WEBHOOK_HOSTS", hosts.as_str()),
        ("ACCREDIT_MAIL_INTERVAL_SECONDS", "1"),
        ("ACCREDIT_MAIL_RETRY_SECONDS", "1"),
    ];
    let app = spawn_app_with(backend, &env).await?;
    Some((app, receiver))
}

macro_rules! with_receiver_on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use accredit::db::Backend;
            #[tokio::test]
            async fn sqlite() {
                if let Some((app, receiver)) = super::with_receiver(Backend::Sqlite).await {
                    super::$name(app, receiver).await;
                }
            }
            #[tokio::test]
            async fn postgres() {
                if let Some((app, receiver)) = super::with_receiver(Backend::Postgres).await {
                    super::$name(app, receiver).await;
                }
            }
        }
    )*};
}

with_receiver_on_both!(
    robots_are_told_of_their_events_signed_and_retried,
    a_robot_s_address_cannot_reach_inside
);

fn query_value<'a>(target: &'a str, key: &str) -> Option<&'a str> {
    target
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix(&format!("{key}=")))
}

async fn robots_are_told_of_their_events_signed_and_retried(app: TestApp, receiver: Receiver) {
    let world = World::build(&app).await;
    let bureau = world.bureau(&app);
    let base = format!("http://127.0.0.1:{}", receiver.port);
    let ding = bureau
        .add_robot(world.province, json!({"kind": "dingtalk", "url": format!("{base}/robot/send?access_token=tok123456"),
                "secret": "SECtest-secret", "events": ["submission.recommended", "submission.decided"]}))
        .await;
    assert_eq!(ding.status, 201, "{}", ding.text);
    assert!(
        !ding.text.contains("SECtest-secret"),
        "the secret is not shown again"
    );
    assert!(!ding.text.contains("tok123456"), "nor the whole token");
    let ding = ding.json();
    assert_eq!(ding["has_secret"], true);
    let wecom = bureau
        .add_robot(
            world.province,
            json!({"kind": "wecom", "url": format!("{base}/cgi-bin/webhook/send?key=wk"),
                "events": ["submission.submitted"]}),
        )
        .await;
    assert_eq!(wecom.status, 201, "{}", wecom.text);
    let listed = bureau.robots(world.province).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json().as_array().unwrap().len(), 2);
    assert!(!listed.text.contains("SECtest-secret"));

    // A submission, a recommendation and a decision in the province.
    let officer = world.officer(&app);
    assert_eq!(officer.submit(world.drafts[0]).await.status, 200);
    let reviewer = world.reviewer(&app);
    assert_eq!(
        reviewer
            .recommend(world.submitted[0], "Complete and consistent")
            .await
            .status,
        200
    );
    assert_eq!(
        bureau
            .approve(world.recommended[0], "Approved by the bureau")
            .await
            .status,
        200
    );

    // WeCom's robot is told of the submission only.
    let to_wecom = receiver.wait_for("/cgi-bin/webhook/send", 1).await;
    let message = &to_wecom[0].body;
    assert_eq!(message["msgtype"], "markdown");
    let text = message["markdown"]["content"].as_str().unwrap();
    assert!(text.contains("新的申报待审核"), "{text}");
    assert!(
        text.contains(&format!("/submissions/{}", world.drafts[0])),
        "links to the page: {text}"
    );

    // DingTalk's was told of the other two; its first post failed and was tried again.
    let deadline = Instant::now() + Duration::from_secs(20);
    let delivered: String = loop {
        let all: Vec<Received> = receiver
            .requests()
            .into_iter()
            .filter(|r| r.target.starts_with("/robot/send"))
            .collect();
        let text: String = all
            .iter()
            .map(|r| {
                r.body["markdown"]["text"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect::<Vec<_>>()
            .join("\n");
        if text.contains("已由审核员推荐") && text.contains("已批准") {
            for request in &all {
                let timestamp: i64 = query_value(&request.target, "timestamp")
                    .unwrap()
                    .parse()
                    .unwrap();
                let sign = query_value(&request.target, "sign").unwrap();
                let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"SECtest-secret").unwrap();
                mac.update(format!("{timestamp}\nSECtest-secret").as_bytes());
                let expected =
                    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
                let expected: String =
                    form_urlencoded::byte_serialize(expected.as_bytes()).collect();
                assert_eq!(sign, expected, "DingTalk's 加签");
                assert_eq!(
                    query_value(&request.target, "access_token"),
                    Some("tok123456")
                );
                assert_eq!(request.body["msgtype"], "markdown");
                assert_eq!(request.body["markdown"]["title"], "accredit 通知");
            }
            break text;
        }
        assert!(Instant::now() < deadline, "not delivered: {all:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(!delivered.contains("新的申报待审核"), "only its own events");
    let wecom_count = receiver.wait_for("/cgi-bin/webhook/send", 1).await.len();
    assert_eq!(wecom_count, 1, "one message to WeCom's robot");

    // A test message now; then the robot goes.
    let ding_id = ding["id"].as_i64().unwrap();
    let tested = bureau.test_robot(ding_id).await;
    assert_eq!(tested.status, 200, "{}", tested.text);
    assert_eq!(tested.json()["delivered"], true, "{}", tested.text);
    let gone = bureau.remove_robot(ding_id).await;
    assert_eq!(gone.status, 204);
    assert_eq!(
        bureau
            .robots(world.province)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Who may: the province's other people 403, another province's admin 404.
    let reviewer_list = world.reviewer(&app).robots(world.province).await;
    assert_eq!(reviewer_list.status, 403);
    let foreign = app.token("pa@zj.example").await;
    let wecom_id = wecom.json()["id"].as_i64().unwrap();
    let stranger = app
        .send(
            "POST",
            &format!("/api/v1/webhooks/{wecom_id}/test"),
            Some(&foreign),
            None,
        )
        .await;
    assert_eq!(stranger.status, 404);
}

async fn a_robot_s_address_cannot_reach_inside(app: TestApp, receiver: Receiver) {
    let world = World::build(&app).await;
    let bureau = world.bureau(&app);
    let other_port = receiver.port.wrapping_add(1).max(1024);
    let refused = [
        (
            "dingtalk",
            "https://169.254.169.254/latest/meta-data/".to_owned(),
        ),
        ("dingtalk", "http://localhost/robot/send".to_owned()),
        (
            "dingtalk",
            format!("http://127.0.0.1:{other_port}/robot/send"),
        ),
        ("dingtalk", "file:///etc/passwd".to_owned()),
        (
            "dingtalk",
            "http://oapi.dingtalk.com/robot/send?access_token=x".to_owned(),
        ),
        (
            "wecom",
            "https://oapi.dingtalk.com/robot/send?access_token=x".to_owned(),
        ),
        (
            "wecom",
            "https://qyapi.weixin.qq.com.attacker.example/cgi-bin/webhook/send".to_owned(),
        ),
    ];
    for (kind, url) in refused {
        let reply = bureau
            .add_robot(
                world.province,
                json!({"kind": kind, "url": url, "events": ["submission.submitted"]}),
            )
            .await;
        assert_eq!(reply.status, 422, "{url}: {}", reply.text);
        assert!(
            reply.json()["error"]["fields"]["url"].is_string(),
            "{}",
            reply.text
        );
    }
    let vendor = bureau
        .add_robot(
            world.province,
            json!({"kind": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                "secret": "no", "events": []}),
        )
        .await;
    assert_eq!(vendor.status, 422);
    let fields = &vendor.json()["error"]["fields"];
    assert!(
        fields["secret"].is_string() && fields["events"].is_string(),
        "{fields}"
    );
    let unknown = bureau
        .add_robot(
            world.province,
            json!({"kind": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                "events": ["submission.submitted", "everything"]}),
        )
        .await;
    assert!(
        unknown.json()["error"]["fields"]["events[1]"].is_string(),
        "{}",
        unknown.text
    );

    // An allowed host that answers with a redirect: it is not followed.
    let moved = bureau
        .add_robot(world.province, json!({"kind": "dingtalk", "url": format!("http://127.0.0.1:{}/moved?access_token=t", receiver.port),
                "events": ["submission.submitted"]}))
        .await;
    assert_eq!(moved.status, 201, "{}", moved.text);
    let id = moved.json()["id"].as_i64().unwrap();
    let tried = bureau.test_robot(id).await.json();
    assert_eq!(tried["delivered"], false, "{tried}");
    assert!(tried["error"].as_str().unwrap().contains("302"), "{tried}");
    let moved_requests = receiver.wait_for("/moved", 1).await;
    assert_eq!(
        moved_requests.len(),
        1,
        "asked once, the redirect not followed"
    );
}

with_receiver_on_both!(the_robots_page_adds_tries_and_removes_one);

async fn the_robots_page_adds_tries_and_removes_one(app: TestApp, receiver: Receiver) {
    let world = World::build(&app).await;
    let mut visitor = crate::web_pages::Visitor::new(&app);
    visitor
        .sign_in(
            world.email(crate::world::Actor::ProvinceAdmin).unwrap(),
            crate::world::PASSWORD,
        )
        .await;
    let page_path = format!("/provinces/{}/robots", world.province);
    let page = visitor.get(&page_path).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("id=\"robot-add\""));
    let csrf = visitor.csrf.clone();
    let bad = visitor
        .post(
            &page_path,
            &[
                ("csrf_token", &csrf),
                ("kind", "dingtalk"),
                ("url", "http://169.254.169.254/latest"),
                ("secret", "SECnot-shown"),
                ("event.submission.submitted", "on"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("id=\"form-errors\""));
    assert!(
        !bad.text.contains("SECnot-shown"),
        "the secret is not typed back"
    );
    let url = format!("http://127.0.0.1:{}/wecom/send?key=page", receiver.port);
    let added = visitor
        .post(
            &page_path,
            &[
                ("csrf_token", &csrf),
                ("kind", "wecom"),
                ("url", &url),
                ("event.submission.decided", "on"),
                ("event.digest.weekly", "on"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.text);
    let listed = visitor.get(&format!("{page_path}?done=added")).await;
    assert!(listed.text.contains("class=\"robot-row\""));
    let robots = world
        .bureau(&app)
        .get(&format!("/api/v1/provinces/{}/webhooks", world.province))
        .await
        .json();
    let id = robots[0]["id"].as_i64().unwrap();
    assert_eq!(
        robots[0]["events"],
        json!(["submission.decided", "digest.weekly"])
    );
    let csrf = visitor.csrf.clone();
    let tested = visitor
        .post(&format!("/robots/{id}/test"), &[("csrf_token", &csrf)])
        .await;
    assert_eq!(
        tested.header("location"),
        Some(format!("{page_path}?done=tested").as_str())
    );
    let test = receiver.wait_for("/wecom/send", 1).await;
    assert!(
        test[0].body["markdown"]["content"]
            .as_str()
            .unwrap()
            .contains("测试消息")
    );
    let removed = visitor
        .post(&format!("/robots/{id}/delete"), &[("csrf_token", &csrf)])
        .await;
    assert_eq!(removed.status, 303);
    assert!(
        visitor
            .get(&page_path)
            .await
            .text
            .contains("id=\"robots-empty\"")
    );

    // The province's reviewer may not.
    let mut reviewer = crate::web_pages::Visitor::new(&app);
    reviewer
        .sign_in(
            world.email(crate::world::Actor::Reviewer).unwrap(),
            crate::world::PASSWORD,
        )
        .await;
    assert_eq!(reviewer.get(&page_path).await.status, 403);
}

//! Group robots' delivery: the sender that works through the robots' rows of the outbox
//! inside `accredit serve`, with the same leases, retries and admin page as mail. Each
//! pass takes the due rows, and for each robot sends them combined (at most ten to a post)
//! and no more than twenty posts a minute, in Chinese markdown with a link to the page.
//! The client follows no redirect, gives up after ten seconds, and reaches a vendor's host
//! only at public addresses (a DNS answer pointing inside is refused).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use time::Duration;

use crate::config::{Delivery, Settings};
use crate::db::Db;
use crate::domain::robot::{self, RobotEvent, RobotKind};
use crate::error::AppError;
use crate::store::outbox::{self, Claimed};
use crate::store::webhooks::{self, Robot};

/// How long taken rows stay with this sender.
const LEASE: Duration = Duration::minutes(5);
/// Rows taken at once.
const BATCH: i64 = 200;

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    /// messages delivered
    pub delivered: usize,
    /// posts made (several messages each)
    pub posts: usize,
    pub retrying: usize,
    pub failed: usize,
    /// left for a later pass: their robot had its twenty posts this minute
    pub held: usize,
    /// their robot was removed
    pub discarded: usize,
}

/// Resolves a robot's host: the operator's allowed hosts as they are, any other only to
/// public addresses.
struct Guarded {
    hosts: Arc<Vec<String>>,
}

impl reqwest::dns::Resolve for Guarded {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let hosts = self.hosts.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let trusted = hosts
                .iter()
                .any(|h| h == &host || h.split(':').next() == Some(host.as_str()));
            let usable: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| trusted || robot::is_public(a.ip()))
                .collect();
            if usable.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            Ok(Box::new(usable.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Posts to robots.
#[derive(Clone)]
pub struct RobotClient {
    client: reqwest::Client,
    hosts: Arc<Vec<String>>,
}

impl RobotClient {
    pub fn new(settings: &Settings) -> anyhow::Result<RobotClient> {
        let hosts = Arc::new(settings.webhook_hosts.clone());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(StdDuration::from_secs(10))
            .connect_timeout(StdDuration::from_secs(5))
            .dns_resolver(Arc::new(Guarded {
                hosts: hosts.clone(),
            }))
            .build()?;
        Ok(RobotClient { client, hosts })
    }

    /// Posts one markdown message; the vendor's refusal (`errcode`) is an error too.
    pub async fn post(&self, robot: &Robot, title: &str, text: &str) -> Result<(), String> {
        // The address is checked again as it is used: a setting changed since it was saved
        // (a host no longer allowed) holds from now on.
        let url = robot::check_url(robot.kind, &robot.url, &self.hosts)
            .map_err(|e| e.text(crate::domain::lang::Lang::En))?;
        let now_ms = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
        let url = robot::post_url(robot.kind, &url, robot.secret.as_deref(), now_ms);
        let response = self
            .client
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )
            .body(robot::body(robot.kind, title, text).to_string())
            .send()
            .await
            .map_err(|e| format!("not delivered: {}", without_url(&e)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("the robot answered {status}"));
        }
        let answer: serde_json::Value = response
            .bytes()
            .await
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        match answer.get("errcode").and_then(|c| c.as_i64()) {
            None | Some(0) => Ok(()),
            Some(code) => Err(format!(
                "the robot refused: {code} {}",
                answer["errmsg"].as_str().unwrap_or_default()
            )),
        }
    }
}

/// An error's words without the address, which holds the robot's token.
fn without_url(error: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    let mut words = Vec::new();
    while let Some(e) = source {
        words.push(e.to_string());
        source = e.source();
    }
    let text = words.last().cloned().unwrap_or_default();
    if error.is_timeout() {
        format!("timed out ({text})")
    } else if error.is_redirect() || error.status().is_some_and(|s| s.is_redirection()) {
        "redirected (not followed)".to_owned()
    } else {
        text
    }
}

/// Sends what the robots' rows of the outbox hold.
pub struct Sender {
    db: Db,
    client: RobotClient,
    public_url: String,
    delivery: Delivery,
}

impl Sender {
    pub fn new(settings: &Settings, db: Db) -> anyhow::Result<Sender> {
        Ok(Sender {
            db,
            client: RobotClient::new(settings)?,
            public_url: settings.public_url.clone(),
            delivery: settings.delivery,
        })
    }

    /// One pass over the robots' messages due now.
    pub async fn send_pending(&self) -> Result<Pass, AppError> {
        let mut pass = Pass::default();
        let now = crate::clock::now_utc();
        let rows = self
            .db
            .run(move |conn| outbox::claim(conn, outbox::ROBOT, now, LEASE, 0, BATCH))
            .await?;
        let mut by_robot: BTreeMap<i64, Vec<Claimed>> = BTreeMap::new();
        for row in rows {
            by_robot
                .entry(row.webhook_id.unwrap_or_default())
                .or_default()
                .push(row);
        }
        for (robot_id, rows) in by_robot {
            self.send_to(robot_id, rows, &mut pass).await?;
        }
        Ok(pass)
    }

    async fn send_to(
        &self,
        robot_id: i64,
        rows: Vec<Claimed>,
        pass: &mut Pass,
    ) -> Result<(), AppError> {
        let now = crate::clock::now_utc();
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let school_ids: Vec<i64> = rows
            .iter()
            .filter_map(|r| serde_json::from_str::<serde_json::Value>(&r.payload).ok())
            .filter_map(|p| p["school_id"].as_i64())
            .collect();
        let (found, recent, names) = self
            .db
            .run(move |conn| {
                Ok((
                    webhooks::for_sending(conn, robot_id)?,
                    webhooks::recent_posts(conn, robot_id, now)?,
                    crate::store::schools::names_of(conn, &school_ids)?,
                ))
            })
            .await?;
        let Some(robot) = found else {
            pass.discarded += rows.len();
            self.db
                .run(move |conn| ids.iter().try_for_each(|id| outbox::discard(conn, *id)))
                .await?;
            return Ok(());
        };
        let (posts, held) = robot::plan(rows.len(), recent);
        let mut rest = rows.as_slice();
        for size in posts {
            let (these, after) = rest.split_at(size);
            rest = after;
            let text: Vec<String> = these.iter().map(|row| self.message(row, &names)).collect();
            let outcome = self
                .client
                .post(&robot, "accredit 通知", &text.join("\n\n---\n\n"))
                .await;
            let these: Vec<Claimed> = these.to_vec();
            let delivery = self.delivery;
            let now = crate::clock::now_utc();
            let (delivered, retrying, failed) = self
                .db
                .run(move |conn| {
                    let mut counts = (0, 0, 0);
                    match &outcome {
                        Ok(()) => {
                            webhooks::posted(conn, robot_id, now)?;
                            for row in &these {
                                outbox::delivered(conn, row.id, now)?;
                                counts.0 += 1;
                            }
                        }
                        Err(error) => {
                            tracing::warn!(robot = robot_id, %error, "robot message not delivered");
                            for row in &these {
                                let failed = outbox::attempt_failed(
                                    conn,
                                    row,
                                    error,
                                    now,
                                    delivery.max_attempts,
                                    Duration::seconds(delivery.retry_seconds as i64),
                                )?;
                                if failed {
                                    counts.2 += 1;
                                } else {
                                    counts.1 += 1;
                                }
                            }
                        }
                    }
                    Ok(counts)
                })
                .await?;
            pass.posts += usize::from(delivered > 0);
            pass.delivered += delivered;
            pass.retrying += retrying;
            pass.failed += failed;
        }
        if held > 0 {
            let held_ids: Vec<i64> = rest.iter().map(|r| r.id).collect();
            pass.held += held_ids.len();
            self.db
                .run(move |conn| outbox::release(conn, &held_ids))
                .await?;
        }
        Ok(())
    }

    /// One message, in Chinese (a group reads one language), with a link to its page.
    fn message(&self, row: &Claimed, names: &crate::store::schools::Names) -> String {
        let p: serde_json::Value = serde_json::from_str(&row.payload).unwrap_or_default();
        let school = p["school_id"]
            .as_i64()
            .and_then(|id| names.get(&id))
            .map(|(name, zh)| zh.clone().unwrap_or_else(|| name.clone()))
            .unwrap_or_default();
        let school = robot::escape_markdown(&school);
        let title = robot::escape_markdown(p["title"].as_str().unwrap_or_default());
        let submission = format!(
            "{}/submissions/{}",
            self.public_url,
            p["submission_id"].as_i64().unwrap_or_default()
        );
        let event = p["event"].as_str().and_then(|e| RobotEvent::parse(e).ok());
        match event {
            Some(RobotEvent::SubmissionSubmitted) => format!(
                "#### 新的申报待审核\n**{school}** 提交了「{title}」。\n\n[查看申报]({submission})"
            ),
            Some(RobotEvent::SubmissionRecommended) => format!(
                "#### 申报待省厅签批\n**{school}** 的「{title}」已由审核员推荐。\n\n[查看申报]({submission})"
            ),
            Some(RobotEvent::SubmissionDecided) => {
                let decided = match p["status"].as_str() {
                    Some("approved") => "已批准",
                    Some("rejected") => "未获批准",
                    _ => "已退回修改",
                };
                format!(
                    "#### 申报已决定\n**{school}** 的「{title}」{decided}。\n\n[查看申报]({submission})"
                )
            }
            Some(RobotEvent::ObjectionReceived) => format!(
                "#### 公示期间收到异议\n有人对 **{school}** 的公示结果提出异议，请及时核实处理。\n\n[查看公示]({}/notices/{})",
                self.public_url,
                p["notice_id"].as_i64().unwrap_or_default()
            ),
            Some(RobotEvent::DigestWeekly) => {
                let lines: Vec<String> = p["schools"]
                    .as_array()
                    .map(|schools| {
                        schools
                            .iter()
                            .take(10)
                            .map(|s| {
                                format!(
                                    "- {}：逾期 {} 项",
                                    robot::escape_markdown(
                                        s["school"].as_str().unwrap_or_default()
                                    ),
                                    s["overdue"].as_i64().unwrap_or_default()
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                format!(
                    "#### 本周逾期事项\n共 {} 所学校、{} 项逾期：\n{}\n\n[打开 accredit]({}/home)",
                    p["school_count"].as_i64().unwrap_or_default(),
                    p["item_count"].as_i64().unwrap_or_default(),
                    lines.join("\n"),
                    self.public_url
                )
            }
            None => "accredit".to_owned(),
        }
    }

    /// Works through the robots' messages every `interval_seconds` while the server runs.
    pub async fn run(self: Arc<Self>) {
        let every = StdDuration::from_secs(self.delivery.interval_seconds);
        loop {
            match self.send_pending().await {
                Ok(pass) if pass != Pass::default() => tracing::info!(?pass, "robot pass"),
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "robot pass failed"),
            }
            actix_web::rt::time::sleep(every).await;
        }
    }
}

/// A test message to a robot now, outside the outbox (the province admin's "send a test").
pub async fn test_message(client: &RobotClient, robot: &Robot) -> Result<(), String> {
    let kind = match robot.kind {
        RobotKind::DingTalk => "钉钉",
        RobotKind::WeCom => "企业微信",
    };
    client
        .post(
            robot,
            "accredit 测试消息",
            &format!("#### accredit 测试消息\n{kind}群机器人已接通：本群将收到所选事件的通知。"),
        )
        .await
}

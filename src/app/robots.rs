//! A province's group robots: adding one (its address checked against server-side request
//! forgery, its secret kept and never shown again), listing and removing them.

use serde::Deserialize;

use crate::app::input::Input;
use crate::db::DbConn;
use crate::domain::access::Access;
use crate::domain::message::Msg;
use crate::domain::robot::{RobotEvent, RobotKind, check_url};
use crate::error::{AppError, Validator};
use crate::store::webhooks::{self, NewWebhook, Webhook};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// `dingtalk` or `wecom`
    #[schema(value_type = RobotKind)]
    pub kind: String,
    /// the robot's webhook address: `https://oapi.dingtalk.com/robot/send?access_token=…`
    /// or `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`
    pub url: String,
    /// DingTalk's 加签 secret (`SEC…`), if the robot is signed; never shown again
    #[schema(schema_with = crate::app::schema::optional_short_text)]
    pub secret: Option<String>,
    /// what the robot is told of
    #[schema(value_type = Vec<RobotEvent>)]
    pub events: Vec<String>,
}

impl WebhookInput {
    fn validate(&self, hosts: &[String]) -> Result<NewWebhook, AppError> {
        let mut v = Validator::new();
        let kind = v.check("kind", RobotKind::parse(&self.kind));
        let url = kind.and_then(|k| v.check("url", check_url(k, &self.url, hosts)));
        let secret = v
            .check(
                "secret",
                crate::domain::text::optional(self.secret.as_deref(), crate::domain::text::SHORT),
            )
            .flatten();
        if secret.is_some() && kind == Some(RobotKind::WeCom) {
            v.fail("secret", Msg::SecretOnlyDingTalk);
        }
        let mut events = Vec::new();
        for (at, word) in self.events.iter().enumerate() {
            if let Some(event) = v.check(&format!("events[{at}]"), RobotEvent::parse(word))
                && !events.contains(&event)
            {
                events.push(event);
            }
        }
        if self.events.is_empty() {
            v.fail("events", Msg::RobotEventsEmpty);
        }
        v.finish()?;
        match (kind, url) {
            (Some(kind), Some(url)) => Ok(NewWebhook {
                kind,
                url,
                secret,
                events,
            }),
            _ => Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            ))),
        }
    }
}

/// Adds a robot to the province (its province admin; an admin): who may first, then the
/// input.
pub fn add(
    conn: &mut DbConn,
    access: &Access,
    province: i64,
    hosts: &[String],
    input: &impl Input<WebhookInput>,
) -> Result<Webhook, AppError> {
    webhooks::ensure_province(conn, access, province)?;
    let new = input.read()?.validate(hosts)?;
    webhooks::create(conn, access, province, &new, crate::clock::now_utc())
}

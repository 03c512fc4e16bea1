//! Group robots (群机器人): DingTalk's custom robot and WeCom's group robot, told of a
//! province's events in its group chat. Which addresses a robot may have (no server-side
//! request forgery), DingTalk's 加签 signature, the vendors' message bodies, and how a
//! burst of messages is spread under the vendors' limit of 20 a minute.

use std::net::IpAddr;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::message::Msg;

crate::vocabulary!(
    /// Whose robot.
    RobotKind {
        DingTalk => "dingtalk",
        WeCom => "wecom",
    }
);

crate::vocabulary!(
    /// What a robot may be told of.
    RobotEvent {
        /// a school submitted something for review
        SubmissionSubmitted => "submission.submitted",
        /// a reviewer recommended it to the province
        SubmissionRecommended => "submission.recommended",
        /// the province decided (approved, returned, rejected)
        SubmissionDecided => "submission.decided",
        /// someone objected during a public notice (公示)
        ObjectionReceived => "objection.received",
        /// the weekly digest of what is overdue in the province
        DigestWeekly => "digest.weekly",
    }
);

impl RobotKind {
    /// The vendor's host, the only one its robots may call unless the operator allows
    /// another (`ACCREDIT_WEBHOOK_HOSTS`).
    pub fn vendor_host(self) -> &'static str {
        match self {
            RobotKind::DingTalk => "oapi.dingtalk.com",
            RobotKind::WeCom => "qyapi.weixin.qq.com",
        }
    }
}

/// A vendor allows 20 messages a minute to one robot (more are refused for ten minutes).
pub const POSTS_PER_MINUTE: usize = 20;
/// Messages combined into one post when several wait for the same robot.
pub const MESSAGES_PER_POST: usize = 10;

/// How `waiting` messages go out to a robot that was sent `recent` posts in the last
/// minute: the sizes of the posts to send now (each at most `MESSAGES_PER_POST`), and how
/// many messages wait for a later pass.
pub fn plan(waiting: usize, recent: usize) -> (Vec<usize>, usize) {
    let room = POSTS_PER_MINUTE.saturating_sub(recent);
    let mut posts = Vec::new();
    let mut left = waiting;
    while left > 0 && posts.len() < room {
        let size = left.min(MESSAGES_PER_POST);
        posts.push(size);
        left -= size;
    }
    (posts, left)
}

/// Is `host` (with its `port`) among the operator's allowed hosts (`host` or
/// `host:port`, lower case)?
pub fn allowed(host: &str, port: Option<u16>, hosts: &[String]) -> bool {
    let host = host.to_ascii_lowercase();
    hosts.iter().any(|h| match h.rsplit_once(':') {
        Some((name, p)) if p.parse::<u16>().is_ok() => {
            name == host && port.is_some_and(|port| port.to_string() == p)
        }
        _ => *h == host,
    })
}

/// A robot's address, checked: `https://` on its vendor's host, or an address on one of
/// the operator's `allowed` hosts (over `http://` too). Nothing else: no other scheme, no
/// other host or bare address (`169.254.169.254`, `localhost`), no user name in it.
pub fn check_url(kind: RobotKind, raw: &str, hosts: &[String]) -> Result<String, Msg> {
    let url = url::Url::parse(raw.trim()).map_err(|_| Msg::RobotUrl {
        host: kind.vendor_host().into(),
    })?;
    let refused = || Msg::RobotUrl {
        host: kind.vendor_host().into(),
    };
    let host = url.host_str().ok_or_else(refused)?.to_ascii_lowercase();
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refused());
    }
    let operator_allowed = allowed(
        host.trim_matches(['[', ']']),
        url.port_or_known_default(),
        hosts,
    );
    let vendor = host == kind.vendor_host() && url.port().is_none_or(|p| p == 443);
    match url.scheme() {
        "https" if vendor || operator_allowed => Ok(url.to_string()),
        "http" if operator_allowed => Ok(url.to_string()),
        _ => Err(refused()),
    }
}

/// Whether an address may be called for a vendor's host: a public one only (not loopback,
/// private, link-local, shared, documentation, multicast or unspecified), so that a DNS
/// answer cannot point a robot at the server's own network.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19)))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// DingTalk's 加签: `base64(hmac_sha256(secret, "{timestamp}\n{secret}"))`, with the
/// timestamp in milliseconds; sent URL-encoded as `&timestamp=…&sign=…`.
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    use base64::Engine;
    // HMAC takes a key of any length: this never fails.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The address to post to: DingTalk's with its signature when the robot has a secret.
pub fn post_url(kind: RobotKind, url: &str, secret: Option<&str>, timestamp_ms: i64) -> String {
    match (kind, secret) {
        (RobotKind::DingTalk, Some(secret)) => {
            let sign = dingtalk_sign(secret, timestamp_ms);
            let join = if url.contains('?') { '&' } else { '?' };
            format!(
                "{url}{join}timestamp={timestamp_ms}&sign={}",
                form_urlencoded::byte_serialize(sign.as_bytes()).collect::<String>()
            )
        }
        _ => url.to_owned(),
    }
}

/// The vendor's markdown message.
pub fn body(kind: RobotKind, title: &str, text: &str) -> serde_json::Value {
    match kind {
        RobotKind::DingTalk => serde_json::json!({
            "msgtype": "markdown",
            "markdown": {"title": title, "text": text},
        }),
        RobotKind::WeCom => serde_json::json!({
            "msgtype": "markdown",
            "markdown": {"content": text},
        }),
    }
}

/// Markdown of user text: the characters that would make it markup are escaped, so a
/// school's name cannot turn into a link or a heading in the group.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '{'
                | '}'
                | '['
                | ']'
                | '('
                | ')'
                | '#'
                | '+'
                | '-'
                | '!'
                | '<'
                | '>'
                | '|'
                | '~'
        ) {
            out.push('\\');
        }
        if c == '\n' || c == '\r' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ssrf_table() {
        let none: Vec<String> = Vec::new();
        let gateway = vec![
            "127.0.0.1:8099".to_owned(),
            "robots.jyt.internal".to_owned(),
        ];
        let ok = [
            (
                RobotKind::DingTalk,
                "https://oapi.dingtalk.com/robot/send?access_token=abc",
                &none,
            ),
            (
                RobotKind::WeCom,
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                &none,
            ),
            (
                RobotKind::DingTalk,
                "http://127.0.0.1:8099/robot/send",
                &gateway,
            ),
            (
                RobotKind::WeCom,
                "http://robots.jyt.internal/send",
                &gateway,
            ),
        ];
        for (kind, url, hosts) in ok {
            assert!(check_url(kind, url, hosts).is_ok(), "{url}");
        }
        let refused = [
            (
                RobotKind::DingTalk,
                "http://oapi.dingtalk.com/robot/send",
                &none,
            ),
            (
                RobotKind::DingTalk,
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
                &none,
            ),
            (
                RobotKind::DingTalk,
                "https://169.254.169.254/latest/meta-data",
                &none,
            ),
            (RobotKind::DingTalk, "http://localhost:8080/robot", &none),
            (
                RobotKind::DingTalk,
                "http://127.0.0.1:8099/robot/send",
                &none,
            ),
            (
                RobotKind::DingTalk,
                "http://127.0.0.1:8100/robot/send",
                &gateway,
            ),
            (RobotKind::DingTalk, "file:///etc/passwd", &gateway),
            (
                RobotKind::DingTalk,
                "https://oapi.dingtalk.com.evil.example/robot",
                &none,
            ),
            (
                RobotKind::DingTalk,
                "https://x@oapi.dingtalk.com/robot/send",
                &none,
            ),
            (
                RobotKind::DingTalk,
                "https://oapi.dingtalk.com:8443/robot/send",
                &none,
            ),
            (RobotKind::WeCom, "gopher://qyapi.weixin.qq.com/", &none),
            (RobotKind::WeCom, "not an address", &none),
        ];
        for (kind, url, hosts) in refused {
            assert!(check_url(kind, url, hosts).is_err(), "{url} accepted");
        }
    }

    #[test]
    fn only_public_addresses_for_a_vendor() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["203.119.129.1", "120.55.10.1", "2400:3200::1"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn dingtalk_signs_as_its_documentation_says() {
        // Computed independently: printf '1700000000000\nSECxyz' | openssl dgst -sha256
        // -hmac SECxyz -binary | base64
        assert_eq!(
            dingtalk_sign("SECxyz", 1_700_000_000_000),
            "0PUR1j8g85Xg3vlFV/UrEcxXfF5HpCAGzcjrNfyJoyg="
        );
        let url = post_url(
            RobotKind::DingTalk,
            "https://oapi.dingtalk.com/robot/send?access_token=t",
            Some("SECxyz"),
            1_700_000_000_000,
        );
        assert!(
            url.ends_with(
                "&timestamp=1700000000000&sign=0PUR1j8g85Xg3vlFV%2FUrEcxXfF5HpCAGzcjrNfyJoyg%3D"
            ),
            "{url}"
        );
        assert_eq!(
            post_url(RobotKind::WeCom, "https://w/x?key=1", Some("s"), 1),
            "https://w/x?key=1"
        );
    }

    #[test]
    fn a_burst_is_spread_under_the_limit() {
        assert_eq!(plan(0, 0), (vec![], 0));
        assert_eq!(plan(25, 0), (vec![10, 10, 5], 0));
        assert_eq!(plan(25, 19), (vec![10], 15));
        assert_eq!(plan(3, 20), (vec![], 3));
        let (posts, left) = plan(1000, 0);
        assert_eq!(posts.len(), POSTS_PER_MINUTE);
        assert_eq!(left, 1000 - POSTS_PER_MINUTE * MESSAGES_PER_POST);
    }

    #[test]
    fn user_text_is_not_markup() {
        assert_eq!(
            escape_markdown("[点我](http://x) # 标题"),
            "\\[点我\\]\\(http://x\\) \\# 标题"
        );
    }
}

//! Requests to the identity platforms: one client that follows no redirect (a platform's
//! answer is read where it was asked, never from wherever a redirect points) and gives up
//! after ten seconds, adapted to what `openidconnect` and `oauth2` call. Its own module, so
//! that the state holding it imports nothing of the sign-in that uses it.
use std::time::Duration;

/// The platforms' HTTP client.
#[derive(Clone)]
pub struct Outbound(reqwest::Client);

/// Why a platform could not be asked.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct OutboundError(String);

impl Outbound {
    pub fn new() -> anyhow::Result<Outbound> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .build()?;
        Ok(Outbound(client))
    }

    /// Sends one request as the protocol crates build it, and reads the whole answer.
    pub async fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, OutboundError> {
        let (parts, body) = request.into_parts();
        let mut outgoing = self
            .0
            .request(parts.method, parts.uri.to_string())
            .body(body);
        for (name, value) in &parts.headers {
            outgoing = outgoing.header(name, value);
        }
        let response = outgoing
            .send()
            .await
            .map_err(|e| OutboundError(format!("{e}")))?;
        let mut answer = http::Response::builder().status(response.status());
        for (name, value) in response.headers() {
            answer = answer.header(name, value);
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| OutboundError(format!("{e}")))?;
        answer
            .body(bytes.to_vec())
            .map_err(|e| OutboundError(format!("{e}")))
    }

    /// A GET whose answer is read as text (a CAS validation), with its status.
    pub async fn get_text(&self, url: &str) -> Result<(u16, String), OutboundError> {
        let response = self
            .0
            .get(url)
            .send()
            .await
            .map_err(|e| OutboundError(format!("{e}")))?;
        let status = response.status().as_u16();
        let text = response
            .text()
            .await
            .map_err(|e| OutboundError(format!("{e}")))?;
        Ok((status, text))
    }

    /// A GET with a bearer token whose answer is JSON (an OAuth2 userinfo endpoint).
    pub async fn get_json(
        &self,
        url: &str,
        bearer: &str,
    ) -> Result<serde_json::Value, OutboundError> {
        let response = self
            .0
            .get(url)
            .bearer_auth(bearer)
            .header(http::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| OutboundError(format!("{e}")))?;
        if !response.status().is_success() {
            return Err(OutboundError(format!("answered {}", response.status())));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| OutboundError(format!("{e}")))?;
        serde_json::from_slice(&bytes).map_err(|e| OutboundError(format!("not JSON: {e}")))
    }
}

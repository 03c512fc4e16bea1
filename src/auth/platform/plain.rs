//! A plain OAuth2 platform (`oauth2`): the code flow with state and PKCE, then the
//! userinfo endpoint, whose configured field names the person (matched to `external_id`).

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, TokenUrl,
};

use super::{Outbound, Vouched};
use crate::config::OAuth2Settings;
use crate::domain::sign_in::SignInMethod;

type Client = BasicClient<
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

fn client(settings: &OAuth2Settings, redirect: &str) -> Result<Client, String> {
    let mut client = BasicClient::new(ClientId::new(settings.client_id.clone()))
        .set_auth_uri(AuthUrl::new(settings.authorize_url.clone()).map_err(|e| format!("{e}"))?)
        .set_token_uri(TokenUrl::new(settings.token_url.clone()).map_err(|e| format!("{e}"))?)
        .set_redirect_uri(RedirectUrl::new(redirect.to_owned()).map_err(|e| format!("{e}"))?);
    if let Some(secret) = &settings.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.expose().to_owned()));
    }
    Ok(client)
}

/// Where to send the browser: the platform's authorization endpoint for this flow.
pub fn authorize_url(
    settings: &OAuth2Settings,
    redirect: &str,
    state: &str,
    verifier: &str,
) -> Result<String, String> {
    let challenge =
        PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.to_owned()));
    let state = state.to_owned();
    let client = client(settings, redirect)?;
    let mut request = client
        .authorize_url(move || CsrfToken::new(state))
        .set_pkce_challenge(challenge);
    for scope in settings.scope.split_whitespace() {
        request = request.add_scope(Scope::new(scope.to_owned()));
    }
    let (url, _) = request.url();
    Ok(url.to_string())
}

/// Redeems the code and asks the userinfo endpoint who it is.
pub async fn redeem(
    http: &Outbound,
    settings: &OAuth2Settings,
    redirect: &str,
    code: &str,
    verifier: &str,
) -> Result<Vouched, String> {
    let send = |request| http.send(request);
    let token = client(settings, redirect)?
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
        .request_async(&send)
        .await
        .map_err(|e| format!("the code was not redeemed: {e}"))?;
    let info = http
        .get_json(&settings.userinfo_url, token.access_token().secret())
        .await
        .map_err(|e| format!("userinfo: {e}"))?;
    let id = match info.get(&settings.id_field) {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => return Err(format!("userinfo has no field {:?}", settings.id_field)),
    };
    Ok(Vouched {
        method: SignInMethod::Oauth2,
        external_id: id,
        // A plain platform's e-mail address is not known to be verified: the id alone.
        email: None,
        ticket: None,
    })
}

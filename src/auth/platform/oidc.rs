//! OpenID Connect (`openidconnect`): discovery from the issuer, the authorization code
//! flow with PKCE, state and nonce, and the ID token verified (signature by the provider's
//! published keys, issuer, audience, expiry, nonce). The e-mail address counts only when
//! the provider says it is verified, from the ID token or else its userinfo endpoint.

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};

use super::{Outbound, Vouched};
use crate::config::OidcSettings;
use crate::domain::sign_in::SignInMethod;

/// Where to send the browser: the provider's authorization endpoint for this flow.
pub async fn authorize_url(
    http: &Outbound,
    settings: &OidcSettings,
    redirect: &str,
    state: &str,
    nonce: &str,
    verifier: &str,
) -> Result<String, String> {
    let client = client(http, settings, redirect).await?;
    let challenge =
        PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.to_owned()));
    let (state, nonce) = (state.to_owned(), nonce.to_owned());
    let (url, _, _) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            move || CsrfToken::new(state),
            move || Nonce::new(nonce),
        )
        .add_scope(Scope::new("email".to_owned()))
        .add_scope(Scope::new("profile".to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    Ok(url.to_string())
}

/// Redeems the code and verifies what the provider says of the person.
pub async fn redeem(
    http: &Outbound,
    settings: &OidcSettings,
    redirect: &str,
    code: &str,
    nonce: &str,
    verifier: &str,
) -> Result<Vouched, String> {
    let client = client(http, settings, redirect).await?;
    let send = |request| http.send(request);
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|e| format!("the provider has no token endpoint: {e}"))?
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
        .request_async(&send)
        .await
        .map_err(|e| format!("the code was not redeemed: {e}"))?;
    let id_token = token
        .id_token()
        .ok_or_else(|| "the provider gave no ID token".to_owned())?;
    let claims = id_token
        .claims(&client.id_token_verifier(), &Nonce::new(nonce.to_owned()))
        .map_err(|e| format!("the ID token does not verify: {e}"))?;
    let subject = claims.subject().clone();
    let mut email = claims
        .email()
        .filter(|_| claims.email_verified() == Some(true))
        .map(|e| e.as_str().to_owned());
    if email.is_none()
        && let Ok(request) = client.user_info(token.access_token().clone(), Some(subject.clone()))
    {
        let info: Result<openidconnect::core::CoreUserInfoClaims, _> =
            request.request_async(&send).await;
        if let Ok(info) = info {
            email = info
                .email()
                .filter(|_| info.email_verified() == Some(true))
                .map(|e| e.as_str().to_owned());
        }
    }
    Ok(Vouched {
        method: SignInMethod::Oidc,
        external_id: subject.as_str().to_owned(),
        email,
        ticket: None,
    })
}

type Client = openidconnect::core::CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// The provider as its discovery document describes it, for this client.
async fn client(
    http: &Outbound,
    settings: &OidcSettings,
    redirect: &str,
) -> Result<Client, String> {
    let issuer = IssuerUrl::new(settings.issuer.clone()).map_err(|e| format!("issuer: {e}"))?;
    let send = |request| http.send(request);
    let metadata = CoreProviderMetadata::discover_async(issuer, &send)
        .await
        .map_err(|e| format!("discovery failed: {e}"))?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(settings.client_id.clone()),
        settings
            .client_secret
            .as_ref()
            .map(|s| ClientSecret::new(s.expose().to_owned())),
    )
    .set_redirect_uri(RedirectUrl::new(redirect.to_owned()).map_err(|e| format!("{e}"))?);
    Ok(client)
}

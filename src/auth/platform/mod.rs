//! Signing in through the province's identity platform: OpenID Connect (`oidc`), a plain
//! OAuth2 platform (`plain`) or CAS (`cas`). Each sends the browser away with a flow kept
//! in the database (`store::sign_in_flows`) and bound to the browser by a cookie, and on
//! the way back vouches for a person; `finish` finds their account (never creating one)
//! and opens a page session. Every outcome is in the access log.

pub mod cas;
pub mod oidc;
pub mod plain;

pub use crate::outbound::Outbound;

use actix_web::web;

use crate::auth::session::{NewSession, Opening, open_session, refuse_sign_in};
use crate::clock::now_utc;
use crate::config::Settings;
use crate::domain::sign_in::{AccessEvent, SignInMethod, SignInRefusal};
use crate::error::AppError;
use crate::random::random_id;
use crate::state::AppState;
use crate::store::access_log::{self, Client};
use crate::store::sign_in_flows::{self, Flow};
use crate::store::users;

/// The cookie that binds a flow to the browser that started it.
pub const FLOW_COOKIE: &str = "accredit_flow";

/// Who the platform vouched for.
#[derive(Clone, Debug)]
pub struct Vouched {
    pub method: SignInMethod,
    /// OIDC `sub`, the OAuth2 id field, `cas:user`
    pub external_id: String,
    /// an e-mail address the platform vouches for (OIDC: verified; CAS: `mail`)
    pub email: Option<String>,
    /// the CAS ticket, for the single logout
    pub ticket: Option<String>,
}

/// Why a sign-in through a platform opened no session.
#[derive(Debug)]
pub enum Refused {
    /// The platform vouched for someone who has no account here.
    Unknown,
    /// The account is deactivated, or an expert's appointment is over.
    NotInOffice,
    /// The flow or the platform's answer did not hold (a forged or reused state, a code or
    /// ticket refused, a token that does not verify); the reason is for the log.
    Rejected(String),
    /// Something of ours failed.
    Failed(AppError),
}

impl From<AppError> for Refused {
    fn from(e: AppError) -> Refused {
        Refused::Failed(e)
    }
}

/// Our callback for `method`, as the platform knows it.
pub fn callback(settings: &Settings, method: SignInMethod) -> String {
    format!("{}/auth/{}/callback", settings.public_url, method.as_str())
}

/// CAS's service address for a flow: the callback naming the flow, which the ticket is
/// then validated for.
fn cas_service(settings: &Settings, state: &str) -> String {
    format!("{}?flow={state}", callback(settings, SignInMethod::Cas))
}

/// Where the browser leaves for, and the flow's state for its cookie.
pub struct Leaving {
    pub location: String,
    pub state: String,
}

/// Starts a sign-in through `method` (404 when it is not configured), to come back to
/// `next` (one of our own paths).
pub async fn begin(
    state: &web::Data<AppState>,
    method: SignInMethod,
    next: &str,
) -> Result<Leaving, AppError> {
    let settings = &state.settings;
    let flow = Flow {
        state: random_id()?,
        method,
        nonce: random_id()?,
        // 43 to 128 characters of the unreserved set (RFC 7636): two random ids.
        pkce_verifier: format!("{}{}", random_id()?, random_id()?),
        next: next.to_owned(),
        created_at: now_utc(),
    };
    let unreachable = |why: String| AppError::Unavailable(format!("the identity platform: {why}"));
    let location = match method {
        SignInMethod::Oidc => {
            let oidc = settings.platforms.oidc.as_ref().ok_or(AppError::NotFound)?;
            oidc::authorize_url(
                &state.outbound,
                oidc,
                &callback(settings, method),
                &flow.state,
                &flow.nonce,
                &flow.pkce_verifier,
            )
            .await
            .map_err(unreachable)?
        }
        SignInMethod::Oauth2 => {
            let plain = settings
                .platforms
                .oauth2
                .as_ref()
                .ok_or(AppError::NotFound)?;
            plain::authorize_url(
                plain,
                &callback(settings, method),
                &flow.state,
                &flow.pkce_verifier,
            )
            .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?
        }
        SignInMethod::Cas => {
            let cas = settings.platforms.cas.as_ref().ok_or(AppError::NotFound)?;
            cas::login_url(cas, &cas_service(settings, &flow.state))
        }
        SignInMethod::Password => return Err(AppError::NotFound),
    };
    let kept = flow.clone();
    state
        .db
        .run(move |conn| sign_in_flows::begin(conn, &kept))
        .await?;
    Ok(Leaving {
        location,
        state: flow.state,
    })
}

/// What the platform sent the browser back with.
pub struct Returned {
    /// the state (OIDC, OAuth2) or flow (CAS) named in the callback's address
    pub state: String,
    /// the flow cookie of the browser that came back
    pub cookie: Option<String>,
    /// the code (OIDC, OAuth2) or ticket (CAS)
    pub code: String,
}

/// Finishes a sign-in: the flow taken once (it must be this browser's), the platform's
/// answer checked, the account found, a page session opened. Refusals are in the access
/// log.
pub async fn finish(
    state: &web::Data<AppState>,
    method: SignInMethod,
    returned: Returned,
    client: Client,
) -> Result<(NewSession, String), Refused> {
    let outcome = vouch(state, method, &returned).await;
    let (vouched, next) = match outcome {
        Ok(found) => found,
        Err(Refused::Rejected(why)) => {
            tracing::warn!(method = method.as_str(), %why, "sign-in through a platform refused");
            refuse_sign_in(state, method, None, "", SignInRefusal::Rejected, &client).await?;
            return Err(Refused::Rejected(why));
        }
        Err(other) => return Err(other),
    };
    let (external_id, email) = (vouched.external_id.clone(), vouched.email.clone());
    let account = state
        .db
        .run(move |conn| users::find_for_platform(conn, &external_id, email.as_deref()))
        .await?;
    let shown = vouched
        .email
        .clone()
        .unwrap_or_else(|| vouched.external_id.clone());
    let now = now_utc();
    match account {
        None => {
            refuse_sign_in(
                state,
                method,
                None,
                &shown,
                SignInRefusal::UnknownAccount,
                &client,
            )
            .await?;
            Err(Refused::Unknown)
        }
        Some(user) if !user.in_office(now.date()) => {
            refuse_sign_in(
                state,
                method,
                Some(user),
                &shown,
                SignInRefusal::NotInOffice,
                &client,
            )
            .await?;
            Err(Refused::NotInOffice)
        }
        Some(user) => {
            let opening = Opening {
                user,
                method,
                page: true,
                client,
                ticket: vouched.ticket,
            };
            Ok((open_session(state, opening, now).await?, next))
        }
    }
}

/// The flow taken and the platform's answer checked.
async fn vouch(
    state: &web::Data<AppState>,
    method: SignInMethod,
    returned: &Returned,
) -> Result<(Vouched, String), Refused> {
    if returned.cookie.as_deref() != Some(returned.state.as_str()) {
        return Err(Refused::Rejected(
            "the state is not the one this browser left with".into(),
        ));
    }
    let (asked, now) = (returned.state.clone(), now_utc());
    let flow = state
        .db
        .run(move |conn| sign_in_flows::take(conn, &asked, method, now))
        .await?
        .ok_or_else(|| {
            Refused::Rejected("no such sign-in under way (used, expired or forged)".into())
        })?;
    let settings = &state.settings;
    let redirect = callback(settings, method);
    let vouched = match method {
        SignInMethod::Oidc => {
            let oidc = settings.platforms.oidc.as_ref().ok_or(AppError::NotFound)?;
            oidc::redeem(
                &state.outbound,
                oidc,
                &redirect,
                &returned.code,
                &flow.nonce,
                &flow.pkce_verifier,
            )
            .await
        }
        SignInMethod::Oauth2 => {
            let plain = settings
                .platforms
                .oauth2
                .as_ref()
                .ok_or(AppError::NotFound)?;
            plain::redeem(
                &state.outbound,
                plain,
                &redirect,
                &returned.code,
                &flow.pkce_verifier,
            )
            .await
        }
        SignInMethod::Cas => {
            let cas_settings = settings.platforms.cas.as_ref().ok_or(AppError::NotFound)?;
            cas::validate(
                &state.outbound,
                cas_settings,
                &cas_service(settings, &flow.state),
                &returned.code,
            )
            .await
        }
        SignInMethod::Password => return Err(Refused::Failed(AppError::NotFound)),
    };
    Ok((vouched.map_err(Refused::Rejected)?, flow.next))
}

/// The CAS server's single logout: every session opened with the ticket ends, each a
/// sign-out in the access log (from the CAS server's address).
pub async fn cas_logout(
    state: &web::Data<AppState>,
    request: &str,
    client: Client,
) -> Result<usize, AppError> {
    let Some(ticket) = cas::logout_ticket(request) else {
        return Ok(0);
    };
    let now = now_utc();
    state
        .db
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let owners = crate::store::sessions::revoke_ticket(conn, &ticket, now)?;
                for user in &owners {
                    let entry = access_log::Entry {
                        event: AccessEvent::SignOut,
                        method: SignInMethod::Cas,
                        refused: None,
                        user: Some(user),
                        email: &user.email,
                        client: &client,
                    };
                    access_log::record(conn, &entry, now)?;
                }
                Ok(owners.len())
            })
        })
        .await
}

//! Signing in and out: throttling, the password check off the async workers, and the
//! session row behind every token.

use actix_web::{HttpRequest, web};
use time::PrimitiveDateTime;

use crate::app::input::Input;
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::db::write_transaction;
use crate::domain::sign_in::{AccessEvent, SignInMethod, SignInRefusal};
use crate::error::{AppError, Msg, Validator};
use crate::random::random_id;
use crate::state::AppState;
use crate::store::access_log::{self, Client};
use crate::store::users::{self, User};
use crate::store::{login_attempts, sessions};

/// A session just opened: its signed token, when it ends, and whose it is.
pub struct NewSession {
    pub token: String,
    pub expires_at: PrimitiveDateTime,
    pub user: User,
}

pub fn invalid_credentials() -> AppError {
    AppError::Unauthorized {
        code: "invalid_credentials",
        message: crate::error::Msg::InvalidCredentials,
    }
}

/// A sign-in with a password: through the page's form (a page session, which ends after
/// the idle minutes) or the API (a token).
pub struct PasswordSignIn {
    pub email: String,
    pub password: String,
    pub client: Client,
    pub page: bool,
}

/// Checks the credentials and opens a session. An unknown e-mail address costs the same
/// work as a wrong password and gets the same answer. Every attempt is in the access log,
/// with why it failed.
pub async fn sign_in(
    state: &web::Data<AppState>,
    attempt: PasswordSignIn,
) -> Result<NewSession, AppError> {
    let PasswordSignIn {
        email,
        password,
        client,
        page,
    } = attempt;
    let email = email.trim().to_lowercase();
    let now = now_utc();
    // The attempt is recorded, throttled and checked while holding a hashing slot: at most
    // one attempt per core is in flight, however many people sign in at once.
    let checker = state.clone();
    let (typed, addr) = (email.clone(), client.addr.clone());
    let checked = web::block(move || {
        checker.passwords.with_slot(|slot| {
            let mut conn = checker.db.get()?;
            let attempt = login_attempts::begin(&mut conn, &typed, &addr, now)?;
            if attempt % 100 == 0 {
                login_attempts::prune(&mut conn, now)?;
            }
            let credentials = crate::store::users::find_credentials(&mut conn, &typed)?;
            drop(conn);
            let (user, hash) = match credentials {
                Some((user, hash)) => (Some(user), Some(hash)),
                None => (None, None),
            };
            let verified = slot.verify(hash.as_deref(), &password);
            Ok::<_, AppError>((attempt, user, verified))
        })
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("password check failed: {e}")))?;
    let (attempt_id, user, verified) = match checked {
        Ok(checked) => checked,
        Err(throttled @ AppError::TooManyRequests { .. }) => {
            refuse_sign_in(
                state,
                SignInMethod::Password,
                None,
                &email,
                SignInRefusal::Throttled,
                &client,
            )
            .await?;
            return Err(throttled);
        }
        Err(other) => return Err(other),
    };
    match user {
        Some(user) if verified && user.in_office(now.date()) => {
            let opening = Opening {
                user,
                method: SignInMethod::Password,
                page,
                client: client.clone(),
                ticket: None,
            };
            let signed_in = open_session(state, opening, now).await?;
            state
                .db
                .run(move |conn| login_attempts::mark_succeeded(conn, attempt_id))
                .await?;
            Ok(signed_in)
        }
        Some(user) if verified => {
            refuse_sign_in(
                state,
                SignInMethod::Password,
                Some(user),
                &email,
                SignInRefusal::NotInOffice,
                &client,
            )
            .await?;
            Err(invalid_credentials())
        }
        user => {
            refuse_sign_in(
                state,
                SignInMethod::Password,
                user,
                &email,
                SignInRefusal::InvalidCredentials,
                &client,
            )
            .await?;
            Err(invalid_credentials())
        }
    }
}

/// A sign-in that failed, in the access log: by which method, for which account if one is
/// known, under the address typed or vouched for, and why. Shared by the password and the
/// identity platforms.
pub async fn refuse_sign_in(
    state: &web::Data<AppState>,
    method: SignInMethod,
    user: Option<User>,
    shown: &str,
    why: SignInRefusal,
    client: &Client,
) -> Result<(), AppError> {
    let (shown, client, now) = (shown.to_owned(), client.clone(), now_utc());
    state
        .db
        .run(move |conn| {
            let entry = access_log::Entry {
                event: AccessEvent::SignIn,
                method,
                refused: Some(why),
                user: user.as_ref(),
                email: &shown,
                client: &client,
            };
            access_log::record(conn, &entry, now)
        })
        .await
}

/// A session to open for someone whose sign-in held.
pub struct Opening {
    pub user: User,
    pub method: SignInMethod,
    /// a page's session (the cookie) rather than an API token
    pub page: bool,
    pub client: Client,
    /// the CAS ticket it was opened with (the CAS server's single logout names it)
    pub ticket: Option<String>,
}

/// A new session and its token, and the sign-in in the access log, in one transaction.
pub async fn open_session(
    state: &web::Data<AppState>,
    opening: Opening,
    now: PrimitiveDateTime,
) -> Result<NewSession, AppError> {
    let session_id = random_id()?;
    let expires_at = now + state.settings.token_ttl;
    let token = state.tokens.issue(
        opening.user.id,
        &session_id,
        now.assume_utc().unix_timestamp(),
        expires_at.assume_utc().unix_timestamp(),
    )?;
    let user = state
        .db
        .run(move |conn| {
            write_transaction(conn, |conn| {
                let session = sessions::NewSession {
                    id: &session_id,
                    user_id: opening.user.id,
                    method: opening.method,
                    page: opening.page,
                    expires_at,
                    platform_ticket: opening.ticket.as_deref(),
                };
                sessions::create(conn, &session, now)?;
                let entry = access_log::Entry {
                    event: AccessEvent::SignIn,
                    method: opening.method,
                    refused: None,
                    user: Some(&opening.user),
                    email: &opening.user.email,
                    client: &opening.client,
                };
                access_log::record(conn, &entry, now)?;
                Ok(opening.user)
            })
        })
        .await?;
    Ok(NewSession {
        token,
        expires_at,
        user,
    })
}

/// Ends the request's session (a session already ended answers 401, as any request would),
/// and writes the sign-out in the access log.
pub async fn sign_out(user: &crate::auth::CurrentUser) -> Result<(), AppError> {
    let client = user.client();
    user.run_as(move |conn, me| {
        write_transaction(conn, |conn| {
            let now = now_utc();
            sessions::revoke(conn, &me.session_id, now)?;
            let entry = access_log::Entry {
                event: AccessEvent::SignOut,
                method: me.method,
                refused: None,
                user: Some(&me.user),
                email: &me.user.email,
                client: &client,
            };
            access_log::record(conn, &entry, now)
        })
    })
    .await
}

/// The client's address as seen by this server (the peer, never a forwarded header).
pub fn client_addr(req: &HttpRequest) -> String {
    req.peer_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string())
}

/// Where a request came from, for the access log: its address and its user agent (which
/// the log cuts to its length).
pub fn client_of(req: &HttpRequest) -> Client {
    Client {
        addr: client_addr(req),
        user_agent: req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
    }
}

/// Creates an account (an admin; a province admin within their province): who may and
/// what was sent are checked before any hashing, then a second trip stores the account.
/// Shared by the API and the users page.
pub async fn create_account<I>(
    state: &web::Data<AppState>,
    user: &CurrentUser,
    input: I,
) -> Result<User, AppError>
where
    I: Input<crate::app::accounts::UserInput> + Send + 'static,
{
    let policy = state.settings.password_policy;
    let (new_user, password) = user
        .run(move |_, access| {
            crate::domain::access::Access::require(
                access.is_admin() || access.role == crate::domain::Role::ProvinceAdmin,
            )?;
            input.read()?.validate(access, policy)
        })
        .await?;
    let hasher = state.clone();
    let hash = web::block(move || hasher.passwords.hash(&password))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing failed: {e}")))??;
    user.run(move |conn, access| users::create(conn, access, &new_user, &hash))
        .await
}

/// One's own password changed: the current one, and the new.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    #[schema(schema_with = crate::app::schema::new_password)]
    pub new_password: String,
}

/// Checks the current password, stores the new one, ends every session and opens a new
/// one. Shared by the API and the account page.
pub async fn change_own_password(
    state: &web::Data<AppState>,
    user: CurrentUser,
    input: &impl Input<PasswordChange>,
) -> Result<NewSession, AppError> {
    let (me, stored) = user
        .run_as(|conn, me| Ok((me.clone(), users::password_hash(conn, me.user.id)?)))
        .await?;
    let PasswordChange {
        current_password: current,
        new_password: new,
    } = input.read()?;
    let mut v = Validator::new();
    let new_password = v.check("new_password", state.settings.password_policy.parse(new));
    if new == current {
        v.fail("new_password", Msg::SameAsCurrent);
    }
    let user_id = me.user.id;
    let (checker, candidate) = (state.clone(), current.to_owned());
    let (verified, hash) = web::block(move || -> anyhow::Result<(bool, Option<String>)> {
        if !checker.passwords.verify(Some(&stored), &candidate) {
            return Ok((false, None));
        }
        Ok((
            true,
            new_password
                .map(|p| checker.passwords.hash(&p))
                .transpose()?,
        ))
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("password hashing failed: {e}")))??;
    if !verified {
        v.fail("current_password", Msg::NotCurrentPassword);
    }
    v.finish()?;
    let hash =
        hash.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no hash for a valid password")))?;
    let now = now_utc();
    let changed = user
        .run(move |conn, _| {
            users::set_password(conn, user_id, &hash, now)?;
            users::find(conn, user_id)?.ok_or(AppError::NotFound)
        })
        .await?;
    let opening = Opening {
        user: changed,
        method: me.method,
        page: me.page,
        client: user.client(),
        ticket: None,
    };
    open_session(state, opening, now).await
}

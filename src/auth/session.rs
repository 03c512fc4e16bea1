//! Signing in and out: throttling, the password check off the async workers, and the
//! session row behind every token.

use actix_web::{HttpRequest, web};
use time::PrimitiveDateTime;

use crate::app::input::Input;
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::domain::NewPassword;
use crate::error::{AppError, Msg, Validator};
use crate::random::random_id;
use crate::state::AppState;
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

/// Checks the credentials and opens a session. An unknown e-mail address costs the same
/// work as a wrong password and gets the same answer.
pub async fn sign_in(
    state: &web::Data<AppState>,
    email: &str,
    password: String,
    client_addr: String,
) -> Result<NewSession, AppError> {
    let email = email.trim().to_lowercase();
    let now = now_utc();
    // The attempt is recorded, throttled and checked while holding a hashing slot: at most
    // one attempt per core is in flight, however many people sign in at once.
    let checker = state.clone();
    let (attempt_id, user, verified) = web::block(move || {
        checker.passwords.with_slot(|slot| {
            let mut conn = checker.db.get()?;
            let attempt = login_attempts::begin(&mut conn, &email, &client_addr, now)?;
            if attempt % 100 == 0 {
                login_attempts::prune(&mut conn, now)?;
            }
            let credentials = crate::store::users::find_credentials(&mut conn, &email)?;
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
    .map_err(|e| AppError::Internal(anyhow::anyhow!("password check failed: {e}")))??;
    match user {
        Some(user) if verified && user.in_office(now.date()) => {
            let signed_in = open_session(state, user, now).await?;
            state
                .db
                .run(move |conn| login_attempts::mark_succeeded(conn, attempt_id))
                .await?;
            Ok(signed_in)
        }
        _ => Err(invalid_credentials()),
    }
}

/// A new session and its token for `user`.
pub async fn open_session(
    state: &web::Data<AppState>,
    user: User,
    now: PrimitiveDateTime,
) -> Result<NewSession, AppError> {
    let session_id = random_id()?;
    let expires_at = now + state.settings.token_ttl;
    let token = state.tokens.issue(
        user.id,
        &session_id,
        now.assume_utc().unix_timestamp(),
        expires_at.assume_utc().unix_timestamp(),
    )?;
    let user_id = user.id;
    state
        .db
        .run(move |conn| sessions::create(conn, &session_id, user_id, now, expires_at))
        .await?;
    Ok(NewSession {
        token,
        expires_at,
        user,
    })
}

/// Ends the request's session (a session already ended answers 401, as any request would).
pub async fn sign_out(user: &crate::auth::CurrentUser) -> Result<(), AppError> {
    user.run_as(|conn, me| sessions::revoke(conn, &me.session_id, now_utc()))
        .await
}

/// The client's address as seen by this server (the peer, never a forwarded header).
pub fn client_addr(req: &HttpRequest) -> String {
    req.peer_addr()
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string())
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
        .run_as(|conn, me| Ok((me.user.clone(), users::password_hash(conn, me.user.id)?)))
        .await?;
    let PasswordChange {
        current_password: current,
        new_password: new,
    } = input.read()?;
    let mut v = Validator::new();
    let new_password = v.check("new_password", NewPassword::parse(new));
    let user_id = me.id;
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
    user.run(move |conn, _| users::set_password(conn, user_id, &hash, now))
        .await?;
    open_session(state, me, now).await
}

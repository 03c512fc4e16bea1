//! Signing in and out: throttling, the password check off the async workers, and the
//! session row behind every token.

use actix_web::web;
use time::PrimitiveDateTime;

use crate::auth::token::random_id;
use crate::clock::now_utc;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::users::User;
use crate::store::{login_attempts, sessions};

pub struct SignedIn {
    pub token: String,
    pub expires_at: PrimitiveDateTime,
    pub user: User,
}

pub fn invalid_credentials() -> AppError {
    AppError::Unauthorized {
        code: "invalid_credentials",
        message: "the e-mail address or the password is wrong".into(),
    }
}

/// Checks the credentials and opens a session. An unknown e-mail address costs the same
/// work as a wrong password and gets the same answer.
pub async fn sign_in(
    state: &web::Data<AppState>,
    email: &str,
    password: String,
    client_addr: String,
) -> Result<SignedIn, AppError> {
    let email = email.trim().to_lowercase();
    let now = now_utc();
    let (attempt_id, credentials) = {
        let email = email.clone();
        state
            .db
            .run(move |conn| {
                let attempt = login_attempts::begin(conn, &email, &client_addr, now)?;
                if attempt % 100 == 0 {
                    login_attempts::prune(conn, now)?;
                }
                Ok((
                    attempt,
                    crate::store::users::find_credentials(conn, &email)?,
                ))
            })
            .await?
    };
    let (user, hash) = match credentials {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let checker = state.clone();
    let verified = web::block(move || checker.passwords.verify(hash.as_deref(), &password))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("password check failed: {e}")))?;
    match user {
        Some(user) if verified && user.active => {
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
) -> Result<SignedIn, AppError> {
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
    Ok(SignedIn {
        token,
        expires_at,
        user,
    })
}

pub async fn sign_out(state: &web::Data<AppState>, session_id: String) -> Result<(), AppError> {
    state
        .db
        .run(move |conn| sessions::revoke(conn, &session_id, now_utc()))
        .await
}

//! `CurrentUser`: the signed-in user of a request. The API reads the token from
//! `Authorization: Bearer`, the pages from the session cookie; either way the session row
//! and the user are read fresh, so revocation and role changes apply at the next request.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, web};

use crate::auth::policy::Access;
use crate::clock::now_utc;
use crate::error::{AppError, Msg};
use crate::http::is_api_path;
use crate::state::AppState;
use crate::store::sessions;
use crate::store::users::User;

pub const SESSION_COOKIE: &str = "accredit_session";

#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub user: User,
    pub session_id: String,
    /// Schools readable under consulting grants to the user's school.
    pub grants: Vec<(i64, bool)>,
}

impl CurrentUser {
    pub fn access(&self) -> Access {
        Access {
            grants: self.grants.clone(),
            ..self.user.access()
        }
    }
}

pub fn unauthorized(message: Msg) -> AppError {
    AppError::Unauthorized {
        code: "unauthorized",
        message,
    }
}

fn token_of(req: &HttpRequest) -> Option<String> {
    if is_api_path(req.path()) {
        let header = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
        let (scheme, token) = header.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_owned())
    } else {
        req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned())
    }
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<CurrentUser, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = token_of(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no app state")))?;
            let token = token.ok_or_else(|| unauthorized(Msg::SignInFirst))?;
            let subject = state
                .tokens
                .verify(&token)
                .ok_or_else(|| unauthorized(Msg::TokenInvalid))?;
            let session_id = subject.session_id.clone();
            let today = state.clock.today();
            let (user, grants) = state
                .db
                .run(move |conn| {
                    let user = sessions::authenticate(
                        conn,
                        &subject.session_id,
                        subject.user_id,
                        now_utc(),
                    )?;
                    let grants = match user.as_ref().and_then(|u| u.school_id) {
                        Some(school) => crate::store::grants::active_for(conn, school, today)?,
                        None => Vec::new(),
                    };
                    Ok((user, grants))
                })
                .await?;
            let user = user.ok_or_else(|| unauthorized(Msg::SessionEnded))?;
            Ok(CurrentUser {
                user,
                session_id,
                grants,
            })
        })
    }
}

//! `CurrentUser`: the signed-in user of a request. The API reads the token from
//! `Authorization: Bearer`, the pages from the session cookie. The extractor checks the
//! token alone; the session row and the user are read fresh by `CurrentUser::run`, in the
//! same trip to the blocking pool as the handler's own queries, so revocation and role
//! changes apply at the next request at the cost of no extra round trip.

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, web};

use crate::auth::token::TokenSubject as Subject;
use crate::clock::now_utc;
use crate::db::DbConn;
use crate::domain::Role;
use crate::domain::access::Access;
use crate::domain::role::Attachment;
use crate::domain::sign_in::{AccessEvent, SignInMethod};
use crate::error::{AppError, Msg};
use crate::state::AppState;
use crate::store::access_log::{self, Client};
use crate::store::sessions;
use crate::store::users::User;

pub const SESSION_COOKIE: &str = "accredit_session";

/// The person behind a request, once their session has been checked: the user, the
/// session, and the schools their school may read under consulting grants.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub user: User,
    pub session_id: String,
    /// Schools readable under consulting grants to the user's school.
    pub grants: Vec<(i64, bool)>,
    /// An expert's panels: (submission, school).
    pub panels: Vec<(i64, i64)>,
    /// The day the session was checked on.
    pub today: time::Date,
    /// How the session was opened.
    pub method: SignInMethod,
    /// A page's session (the cookie), rather than an API token's.
    pub page: bool,
}

impl SignedIn {
    pub fn access(&self) -> Access {
        Access {
            grants: self.grants.clone(),
            panels: self.panels.clone(),
            ..self.user.access(self.today)
        }
    }
}

/// A request's claim to a session, as the extractor found it.
#[derive(Clone)]
struct Claim {
    subject: Subject,
    /// the peer's address and the user agent, kept as they came: the access log is written
    /// by few requests, and only those build its `Client`
    peer: Option<std::net::IpAddr>,
    agent: Option<actix_web::http::header::HeaderValue>,
    /// the request is one that an account held to its first password change may make
    open_before_change: bool,
}

impl Claim {
    /// Where the request came from, as the access log keeps it (`session::client_of`).
    fn client(&self) -> Client {
        Client {
            addr: self
                .peer
                .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string()),
            user_agent: self
                .agent
                .as_ref()
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
        }
    }
}

/// What an account held to its first password change may do: read itself, change the
/// password, sign out (and the pages that offer that).
fn open_before_password_change(method: &actix_web::http::Method, path: &str) -> bool {
    use actix_web::http::Method;
    matches!(
        (method, path),
        (&Method::GET, "/api/v1/me" | "/account")
            | (
                &Method::POST,
                "/api/v1/me/password" | "/api/v1/auth/logout" | "/account/password" | "/logout"
            )
    )
}

/// Checks a session against the database: its row (not revoked, not expired, a page's
/// not idle), its user (still active, with today's role) and the user's consulting grants.
/// Revocation and role changes apply at the next request; a page session idle too long
/// ends here, in the access log.
fn signed_in(
    conn: &mut DbConn,
    claim: &Claim,
    now: time::PrimitiveDateTime,
    today: time::Date,
    idle: time::Duration,
) -> Result<SignedIn, AppError> {
    let subject = &claim.subject;
    let (user, method, page, restricted) =
        match sessions::authenticate(conn, &subject.session_id, subject.user_id, now, idle)? {
            sessions::Checked::Live {
                user,
                method,
                page,
                restricted,
            } => (user, method, page, restricted),
            sessions::Checked::Idle(user, method) => {
                let entry = access_log::Entry {
                    event: AccessEvent::IdleTimeout,
                    method,
                    refused: None,
                    user: Some(&user),
                    email: &user.email,
                    client: &claim.client(),
                };
                access_log::record(conn, &entry, now)?;
                return Err(unauthorized(Msg::SessionIdle));
            }
            sessions::Checked::Ended => return Err(unauthorized(Msg::SessionEnded)),
        };
    if restricted && !claim.open_before_change {
        return Err(AppError::PasswordChangeRequired);
    }
    // Grants reach a school's own people; an expert's home school lends them nothing.
    let grants = match (user.school_id, user.role.attachment()) {
        (Some(school), Attachment::School) => {
            crate::store::grants::active_for(conn, school, today)?
        }
        _ => Vec::new(),
    };
    let panels = match user.role {
        Role::Expert => crate::store::panels::memberships(conn, user.id)?,
        _ => Vec::new(),
    };
    Ok(SignedIn {
        user,
        session_id: subject.session_id.clone(),
        grants,
        panels,
        today,
        method,
        page,
    })
}

/// A request with a valid token (signature and expiry checked, no database yet). Its
/// handler does all its database work, the session check first, in one trip to the
/// blocking pool with `run`.
#[derive(Clone)]
pub struct CurrentUser {
    claim: Claim,
    state: web::Data<AppState>,
}

impl CurrentUser {
    /// Checks the session, then runs `work` with what the user may do, in one `Db::run`.
    pub async fn run<T, F>(&self, work: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn, &Access) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        self.run_as(move |conn, me| work(conn, &me.access())).await
    }

    /// `run` for work that needs the signed-in user themself.
    pub async fn run_as<T, F>(&self, work: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn, &SignedIn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let claim = self.claim.clone();
        let today = self.state.clock.today();
        let idle = self.state.settings.idle_timeout;
        self.state
            .db
            .run(move |conn| {
                let me = signed_in(conn, &claim, now_utc(), today, idle)?;
                work(conn, &me)
            })
            .await
    }

    /// `run` for a page, which also needs the signed-in user for its layout.
    pub async fn load<T, F>(&self, work: F) -> Result<(SignedIn, T), AppError>
    where
        F: FnOnce(&mut DbConn, &Access) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        self.run_as(move |conn, me| Ok((me.clone(), work(conn, &me.access())?)))
            .await
    }

    /// The signed-in user alone (a page with no data of its own).
    pub async fn signed_in(&self) -> Result<SignedIn, AppError> {
        self.run_as(|_, me| Ok(me.clone())).await
    }

    /// The id of the session the token names (sign-out ends it).
    pub fn session_id(&self) -> &str {
        &self.claim.subject.session_id
    }

    /// Where the request came from (the access log).
    pub fn client(&self) -> Client {
        self.claim.client()
    }
}

/// Paths of the API (a bearer token, JSON errors) rather than of the pages (the session
/// cookie, HTML errors). The interactive reference under `/api/docs` is a page.
pub fn is_api_path(path: &str) -> bool {
    let api = path == "/api" || path.starts_with("/api/") || path == "/healthz";
    api && !(path == "/api/docs" || path.starts_with("/api/docs/"))
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
    type Future = std::future::Ready<Result<CurrentUser, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = token_of(req);
        let open_before_change = open_before_password_change(req.method(), req.path());
        std::future::ready((|| {
            let state = state.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no app state")))?;
            let token = token.ok_or_else(|| unauthorized(Msg::SignInFirst))?;
            let subject = state
                .tokens
                .verify(&token)
                .ok_or_else(|| unauthorized(Msg::TokenInvalid))?;
            Ok(CurrentUser {
                claim: Claim {
                    subject,
                    peer: req.peer_addr().map(|a| a.ip()),
                    agent: req
                        .headers()
                        .get(actix_web::http::header::USER_AGENT)
                        .cloned(),
                    open_before_change,
                },
                state,
            })
        })())
    }
}

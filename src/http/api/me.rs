//! The signed-in user's own account: read it, rename, change the password.

use crate::http::api::body::Body;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::auth::session::{PasswordChange, change_own_password};
use crate::clock::{now_utc, rfc3339};
use crate::domain::PersonName;
use crate::domain::lang::Lang;
use crate::domain::mail::MailChoices;
use crate::error::{AppError, ErrorBody, Validator};
use crate::http::api::auth::LoginResponse;
use crate::state::AppState;
use crate::store::outbox;
use crate::store::users::{self, User};

/// One's own account: the user, and which mails they receive.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Me {
    #[serde(flatten)]
    pub user: User,
    /// which kinds of mail the user receives (each mail's foot has a link that turns its
    /// kind off)
    pub mail: MailChoices,
}

/// The signed-in user
#[utoipa::path(
    get, path = "/api/v1/me", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody))
)]
pub async fn get_me(user: CurrentUser) -> Result<HttpResponse, AppError> {
    let me = user
        .run_as(|conn, me| {
            Ok(Me {
                user: me.user.clone(),
                mail: outbox::choices(conn, me.user.id)?,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(me))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MePatch {
    #[schema(schema_with = crate::app::schema::name_or_null)]
    pub name: Option<String>,
    /// the language of one's mails (the pages' language switch sets it too)
    pub language: Option<Lang>,
    /// which kinds of mail one receives
    pub mail: Option<MailChoices>,
}

/// Change one's own display name, the language of one's mails, or which mails one receives
#[utoipa::path(
    patch, path = "/api/v1/me", tag = "account", security(("bearer" = [])),
    request_body = MePatch,
    responses((status = 200, body = Me), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn patch_me(user: CurrentUser, body: Body<MePatch>) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let updated = user
        .run_as(move |conn, me| {
            let body = input.read()?;
            let mut v = Validator::new();
            let name = v.check_opt("name", body.name.as_deref(), PersonName::parse);
            v.finish()?;
            let (language, mail) = (body.language, body.mail);
            let mut user = me.user.clone();
            if let Some(name) = name.flatten() {
                user = users::set_name(conn, me.user.id, &name, now_utc())?;
            }
            if let Some(language) = language {
                user = users::set_language(conn, me.user.id, language, now_utc())?;
            }
            if let Some(mail) = mail {
                outbox::set_choices(conn, me.user.id, mail)?;
            }
            Ok(Me {
                user,
                mail: outbox::choices(conn, me.user.id)?,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(updated))
}

/// Change one's own password. Every session of the user ends; the answer carries a new
/// token for this client.
#[utoipa::path(
    post, path = "/api/v1/me/password", tag = "account", security(("bearer" = [])),
    request_body = PasswordChange,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn change_password(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: Body<PasswordChange>,
) -> Result<HttpResponse, AppError> {
    let signed_in = change_own_password(&state, user, &body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(LoginResponse {
        token: signed_in.token,
        expires_at: rfc3339(signed_in.expires_at),
        user: signed_in.user,
    }))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Inbox {
    pub unread: i64,
    pub notifications: Vec<crate::store::submissions::Notice>,
}

/// One's inbox: notices of workflow steps, newest first, with the unread count
#[utoipa::path(
    get, path = "/api/v1/me/notifications", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = Inbox), (status = 401, body = ErrorBody))
)]
pub async fn notifications(user: CurrentUser) -> Result<HttpResponse, AppError> {
    let (notifications, unread) = user
        .run_as(|conn, me| crate::store::submissions::inbox(conn, me.user.id))
        .await?;
    Ok(HttpResponse::Ok().json(Inbox {
        unread,
        notifications,
    }))
}

/// Mark every notice read
#[utoipa::path(
    post, path = "/api/v1/me/notifications/read", tag = "account", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody))
)]
pub async fn mark_notifications_read(user: CurrentUser) -> Result<HttpResponse, AppError> {
    user.run_as(|conn, me| crate::store::submissions::mark_read(conn, me.user.id, now_utc()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

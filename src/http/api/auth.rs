//! Signing in and out through the API.

use crate::http::api::body::Body;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::auth::CurrentUser;
use crate::auth::session::{PasswordSignIn, client_of, sign_in, sign_out};
use crate::clock::rfc3339;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;
use crate::store::users::User;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    /// send as `Authorization: Bearer <token>`
    pub token: String,
    /// RFC 3339, UTC
    pub expires_at: String,
    pub user: User,
}

/// Sign in
#[utoipa::path(
    post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "`invalid_credentials`: wrong password or unknown e-mail alike", body = ErrorBody),
        (status = 429, description = "five failures for the account within 15 minutes", body = ErrorBody)
    )
)]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Body<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let LoginRequest { email, password } = body.into_inner().into_result()?;
    let attempt = PasswordSignIn {
        email,
        password,
        client: client_of(&req),
        page: false,
    };
    let signed_in = sign_in(&state, attempt).await?;
    Ok(HttpResponse::Ok().json(LoginResponse {
        token: signed_in.token,
        expires_at: rfc3339(signed_in.expires_at),
        user: signed_in.user,
    }))
}

/// Sign out: the token stops working at once
#[utoipa::path(
    post, path = "/api/v1/auth/logout", tag = "auth",
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody))
)]
pub async fn logout(user: CurrentUser) -> Result<HttpResponse, AppError> {
    sign_out(&user).await?;
    Ok(HttpResponse::NoContent().finish())
}

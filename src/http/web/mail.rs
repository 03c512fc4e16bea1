//! Mail through the pages: one's own choices (on the account page), the opt-out link at the
//! foot of each mail (no sign-in: the signed token is the permission), and the admin's view
//! of the outbox with failed mails to retry.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::page::{Page, Posted, see_other};
use crate::auth::{Access, CurrentUser};
use crate::domain::lang::Lang;
use crate::domain::mail::{MailChoices, MailKind};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{outbox, users};

/// Failed and retried mails shown on the admin's page.
const TROUBLES_SHOWN: i64 = 200;

#[derive(Deserialize)]
pub struct ChoicesForm {
    /// checkboxes: present when ticked
    workflow: Option<String>,
    reminders: Option<String>,
    digest: Option<String>,
    language: String,
}

/// Saves which mails one receives and their language.
pub async fn save_choices(
    user: CurrentUser,
    form: Posted<ChoicesForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let choices = MailChoices {
        workflow: form.workflow.is_some(),
        reminders: form.reminders.is_some(),
        digest: form.digest.is_some(),
    };
    let language = Lang::from_tag(&form.language);
    user.run_as(move |conn, me| {
        outbox::set_choices(conn, me.user.id, choices)?;
        if let Some(language) = language {
            users::set_language(conn, me.user.id, language, crate::clock::now_utc())?;
        }
        Ok(())
    })
    .await?;
    Ok(see_other("/account?done=mail#mail"))
}

#[derive(Deserialize)]
pub struct OptOutQuery {
    #[serde(default)]
    token: String,
}

/// What an opt-out link names, if it is good: the user, their address and the kind.
struct OptOutTarget {
    user: i64,
    email: String,
    kind: MailKind,
    /// the language of the user's mails
    language: Lang,
}

async fn opt_out_target(state: &AppState, token: &str) -> Result<Option<OptOutTarget>, AppError> {
    let Some((user, kind)) = state.opt_out.verify(token) else {
        return Ok(None);
    };
    let found = state.db.run(move |conn| users::find(conn, user)).await?;
    Ok(found.map(|u| OptOutTarget {
        user,
        email: u.email,
        kind,
        language: u.language,
    }))
}

/// The page in the language of the mail its link came from, unless this browser has chosen
/// one with the switch: the reader is not signed in, and a mail client's browser often
/// asks for English whatever its user reads.
fn opt_out_page(
    state: &AppState,
    req: &HttpRequest,
    mut page: Page,
    token: &str,
    target: Option<&OptOutTarget>,
    done: bool,
) -> Result<HttpResponse, AppError> {
    if let Some(target) = target
        && req.cookie(super::i18n::LANG_COOKIE).is_none()
    {
        page.lang = target.language;
    }
    let mut context = page.context(None);
    context.insert("token", token);
    context.insert("valid", &target.is_some());
    context.insert("done", &done);
    if let Some(target) = target {
        context.insert("email", &target.email);
        context.insert("mail_kind", target.kind.as_str());
    }
    let status = if target.is_some() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    page.render(state, status, "pages/mail_opt_out.html", &context)
}

/// The link's page: says what it turns off, with a button (mail scanners that open links
/// must not unsubscribe anyone).
pub async fn opt_out_confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    page: Page,
    query: web::Query<OptOutQuery>,
) -> Result<HttpResponse, AppError> {
    let target = opt_out_target(&state, &query.token).await?;
    opt_out_page(&state, &req, page, &query.token, target.as_ref(), false)
}

/// Turns the kind off: the page's button, and mail programs' one-click unsubscribe
/// (RFC 8058, a POST to the link). The signed token is the permission; no CSRF token is
/// needed, as nobody without the mail has it.
pub async fn opt_out(
    state: web::Data<AppState>,
    req: HttpRequest,
    page: Page,
    query: web::Query<OptOutQuery>,
) -> Result<HttpResponse, AppError> {
    let target = opt_out_target(&state, &query.token).await?;
    if let Some(OptOutTarget { user, kind, .. }) = target {
        state
            .db
            .run(move |conn| outbox::turn_off(conn, user, kind))
            .await?;
    }
    opt_out_page(&state, &req, page, &query.token, target.as_ref(), true)
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<usize>,
}

/// The admin's view of mail delivery.
pub async fn admin_page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let (me, (standing, troubles)) = user
        .load(|conn, access| {
            Access::require(access.is_admin())?;
            Ok((
                outbox::standing(conn)?,
                outbox::troubles(conn, TROUBLES_SHOWN)?,
            ))
        })
        .await?;
    let mut context = page.context(Some(&me));
    context.insert("standing", &standing);
    context.insert("troubles", &troubles);
    context.insert("smtp_host", &super::account::smtp_host(&state));
    context.insert("retried", &query.done);
    page.ok(&state, "pages/mail_admin.html", &context)
}

#[derive(Deserialize)]
pub struct RetryForm {
    /// one mail; empty: every failed mail
    #[serde(default)]
    id: String,
}

/// Failed mails start over.
pub async fn admin_retry(
    user: CurrentUser,
    form: Posted<RetryForm>,
) -> Result<HttpResponse, AppError> {
    let id = form.id.trim().parse::<i64>().ok();
    let count = user
        .run(move |conn, access| {
            Access::require(access.is_admin())?;
            outbox::retry(conn, id)
        })
        .await?;
    Ok(see_other(&format!("/admin/mail?done={count}")))
}

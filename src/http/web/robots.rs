//! The province's group robots page (its province admin): the robots with their events, a
//! form to add one, and on each a test and a removal. The checks are the API's
//! (`app::robots`).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::page::{Page, Posted, see_other};
use crate::app::robots::{self, WebhookInput};
use crate::auth::CurrentUser;
use crate::domain::robot::RobotEvent;
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;
use crate::store::webhooks;

type Form = Posted<HashMap<String, String>>;

async fn render(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    province_id: i64,
    outcome: (StatusCode, FieldErrors, &HashMap<String, String>, &str),
) -> Result<HttpResponse, AppError> {
    let (me, (province, list)) = user
        .load(move |conn, access| {
            let list = webhooks::list(conn, access, province_id)?;
            Ok((crate::store::provinces::get(conn, province_id)?, list))
        })
        .await?;
    let (status, errors, typed, done) = outcome;
    let mut context = page.context(Some(&me));
    context.insert("province", &province);
    context.insert("robots", &list);
    let events: Vec<&str> = RobotEvent::ALL.iter().map(|e| e.as_str()).collect();
    context.insert("robot_events", &events);
    context.insert("errors", &page.errors(&errors));
    context.insert("typed", typed);
    context.insert("done", done);
    page.render(state, status, "pages/robots.html", &context)
}

#[derive(serde::Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let done = query.done.clone().unwrap_or_default();
    let outcome = (
        StatusCode::OK,
        FieldErrors::new(),
        &HashMap::new(),
        done.as_str(),
    );
    render(&state, &page, &user, id.into_inner(), outcome).await
}

/// The event checkboxes are `event.<word>` fields.
fn input_of(form: &HashMap<String, String>) -> WebhookInput {
    WebhookInput {
        kind: form.get("kind").cloned().unwrap_or_default(),
        url: form.get("url").cloned().unwrap_or_default(),
        secret: form.get("secret").cloned(),
        events: RobotEvent::ALL
            .iter()
            .filter(|e| form.contains_key(&format!("event.{}", e.as_str())))
            .map(|e| e.as_str().to_owned())
            .collect(),
    }
}

pub async fn create(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let province = id.into_inner();
    let typed = form.into_inner();
    let input = input_of(&typed);
    let hosts = state.settings.webhook_hosts.clone();
    let added = user
        .run(move |conn, access| robots::add(conn, access, province, &hosts, &input))
        .await;
    let errors = match added {
        Ok(_) => {
            return Ok(see_other(&format!(
                "/provinces/{province}/robots?done=added"
            )));
        }
        Err(AppError::Validation(fields)) => fields,
        Err(other) => return Err(other),
    };
    // The secret is not typed back into the page.
    let mut typed = typed;
    typed.remove("secret");
    let outcome = (StatusCode::UNPROCESSABLE_ENTITY, errors, &typed, "");
    render(&state, &page, &user, province, outcome).await
}

pub async fn remove(
    user: CurrentUser,
    id: web::Path<i64>,
    _form: Form,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let province = user
        .run(move |conn, access| Ok(webhooks::delete(conn, access, id)?.province_id))
        .await?;
    Ok(see_other(&format!(
        "/provinces/{province}/robots?done=removed"
    )))
}

pub async fn test(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    _form: Form,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let robot = user
        .run(move |conn, access| webhooks::managed(conn, access, id))
        .await?;
    let done = match crate::robots::test_message(&state.robots, &robot).await {
        Ok(()) => "tested",
        Err(error) => {
            tracing::warn!(robot = id, %error, "robot test failed");
            "test_failed"
        }
    };
    Ok(see_other(&format!(
        "/provinces/{}/robots?done={done}",
        robot.province_id
    )))
}

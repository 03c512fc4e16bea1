//! The evaluation standards pages: the list of those one may read (with, for the admin and
//! a province admin, the form that imports one from its sheet), and one standard as its
//! tree, with the points of each group and the veto items marked. The rules are the use
//! case's (`app::standards`), as the API's are.

use std::collections::{BTreeMap, HashMap};

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::page::{Page, see_other};
use crate::app;
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::domain::Role;
use crate::error::AppError;
use crate::http::export::{XLSX_TYPE, attachment};
use crate::http::files::{MAX_TEMPLATE_BYTES, small_upload};
use crate::state::AppState;

async fn list_context(page: &Page, user: &CurrentUser) -> Result<tera::Context, AppError> {
    let (me, (standards, titles)) = user
        .load(|conn, access| {
            let standards = app::standards::list(conn, access)?;
            let titles = crate::store::titles::list_types(conn)?;
            Ok((standards, titles))
        })
        .await?;
    let access = me.access();
    let mut context = page.context(Some(&me));
    context.insert("standard_list", &standards);
    context.insert("title_types", &titles);
    context.insert(
        "imports",
        &matches!(access.role, Role::Admin | Role::ProvinceAdmin),
    );
    context.insert("errors", &BTreeMap::<String, String>::new());
    context.insert("typed", &HashMap::<String, String>::new());
    Ok(context)
}

pub async fn list(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let context = list_context(&page, &user).await?;
    page.ok(&state, "pages/standards.html", &context)
}

pub async fn import(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let mut typed = HashMap::new();
    let outcome = async {
        user.run(|_, access| app::standards::may_import(access))
            .await?;
        let (bytes, fields) = small_upload(payload, MAX_TEMPLATE_BYTES).await?;
        page.check_csrf(fields.get("csrf_token").map(String::as_str).unwrap_or(""))?;
        typed = fields.clone();
        typed.remove("csrf_token");
        user.run(move |conn, access| {
            app::standards::import(conn, access, &fields, &bytes, now_utc())
        })
        .await
    }
    .await;
    match outcome {
        Ok(standard) => Ok(see_other(&format!(
            "/standards/{}?done=imported",
            standard.id
        ))),
        Err(error @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            let errors = match &error {
                AppError::Validation(errors) => page.errors(errors),
                _ => {
                    BTreeMap::from([("version".to_owned(), error.public_message().text(page.lang))])
                }
            };
            let mut context = list_context(&page, &user).await?;
            context.insert("errors", &errors);
            context.insert("typed", &typed);
            page.render(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                "pages/standards.html",
                &context,
            )
        }
        Err(error) => Err(error),
    }
}

#[derive(serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (me, standard) = user
        .load(move |conn, access| app::standards::get(conn, access, id))
        .await?;
    let mut context = page.context(Some(&me));
    context.insert("standard", &standard);
    context.insert("done", &query.done.as_deref().unwrap_or(""));
    let groups = standard.criteria.iter().filter(|c| !c.leaf).count();
    let vetoes = standard.criteria.iter().filter(|c| c.veto).count();
    let items = standard
        .criteria
        .iter()
        .filter(|c| c.leaf && !c.veto)
        .count();
    context.insert("groups", &groups);
    context.insert("vetoes", &vetoes);
    context.insert("items", &items);
    page.ok(&state, "pages/standard.html", &context)
}

/// The standard as the sheet the import reads.
pub async fn sheet(user: CurrentUser, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (bytes, name) = user
        .run(move |conn, access| app::standards::sheet(conn, access, id))
        .await?;
    Ok(attachment(bytes, XLSX_TYPE, &name))
}

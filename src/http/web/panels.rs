//! The expert panel on the submission page: the province admin forms it and schedules the
//! site visit; each member scores item by item and seals; the lead sets the consensus. Each
//! form calls the use case the API calls, and comes back to the page.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};

use super::page::{Page, Posted, see_other};
use super::submissions::{Scored, scored, submission_again};
use crate::app::{
    self,
    panels::{ConsensusInput, PanelInput, ScoreInput, SiteVisitInput},
};
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::error::{AppError, Msg};
use crate::state::AppState;

type Form = Posted<HashMap<String, String>>;

/// Back to the page with what was done, or the page again with what went wrong.
async fn outcome(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    id: i64,
    result: Result<(), AppError>,
    done: &str,
    anchor: &str,
) -> Result<HttpResponse, AppError> {
    match result {
        Ok(()) => Ok(see_other(&format!(
            "/submissions/{id}?done={done}#{anchor}"
        ))),
        Err(error) => submission_again(state, page, user, id, error).await,
    }
}

/// The panel from its form: `lead_id` and a box `member_{id}` for each member.
pub async fn form_panel(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let (id, form, today) = (id.into_inner(), form.into_inner(), state.clock.today());
    let lead = form
        .get("lead_id")
        .and_then(|v| v.trim().parse::<i64>().ok());
    let mut members: Vec<i64> = form
        .keys()
        .filter_map(|k| k.strip_prefix("member_"))
        .filter_map(|v| v.parse().ok())
        .collect();
    members.sort_unstable();
    let result = match lead {
        None => Err(AppError::field("lead_id", Msg::Required)),
        Some(lead_id) => {
            let input = PanelInput {
                lead_id,
                member_ids: members,
            };
            user.run(move |conn, access| {
                app::panels::form(conn, access, id, &input, today, now_utc())
            })
            .await
            .map(|_| ())
        }
    };
    outcome(&state, &page, &user, id, result, "panel", "panel").await
}

/// One member's score of one item, from the form beside it.
pub async fn score(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    path: web::Path<(i64, String)>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let ((id, reference), form) = (path.into_inner(), form.into_inner());
    let Scored {
        score,
        met,
        words,
        problems,
    } = scored(&form, "score", "met", "comment");
    let input = ScoreInput {
        score,
        met,
        comment: words,
    };
    let r = reference.clone();
    let result = if problems.is_empty() {
        user.run(move |conn, access| app::panels::score(conn, access, id, &r, &input, now_utc()))
            .await
            .map(|_| ())
    } else {
        Err(AppError::Validation(problems))
    };
    let anchor = format!("criterion-{reference}");
    outcome(&state, &page, &user, id, result, "scored", &anchor).await
}

/// Seals the asker's sheet.
pub async fn seal(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    _form: Form,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let result = user
        .run(move |conn, access| app::panels::seal(conn, access, id, now_utc()))
        .await
        .map(|_| ());
    outcome(&state, &page, &user, id, result, "sealed", "evaluation").await
}

/// The lead's consensus of one item, from the form beside it.
pub async fn consensus(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    path: web::Path<(i64, String)>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let ((id, reference), form) = (path.into_inner(), form.into_inner());
    let Scored {
        score,
        met,
        words,
        problems,
    } = scored(&form, "score", "met", "note");
    let input = ConsensusInput {
        score,
        met,
        note: words,
    };
    let r = reference.clone();
    let result = if problems.is_empty() {
        user.run(move |conn, access| {
            app::panels::consensus(conn, access, id, &r, &input, now_utc())
        })
        .await
        .map(|_| ())
    } else {
        Err(AppError::Validation(problems))
    };
    let anchor = format!("criterion-{reference}");
    outcome(&state, &page, &user, id, result, "agreed", &anchor).await
}

/// The site visit from its form: `started_on`, `ended_on`, `scope`.
pub async fn site_visit(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let (id, form) = (id.into_inner(), form.into_inner());
    let field = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let input = SiteVisitInput {
        started_on: field("started_on").unwrap_or_default(),
        ended_on: field("ended_on"),
        scope: field("scope"),
    };
    let result = user
        .run(move |conn, access| app::panels::site_visit(conn, access, id, &input, now_utc()))
        .await
        .map(|_| ());
    outcome(&state, &page, &user, id, result, "visit", "panel").await
}

/// One's declared conflicts of interest and the form to declare another (experts and
/// reviewers): the schools of one's province to choose from.
pub async fn conflicts_page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let context = conflicts_context(&page, &user, query.done.as_deref().unwrap_or("")).await?;
    page.ok(&state, "pages/conflicts.html", &context)
}

#[derive(serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn conflicts_context(
    page: &Page,
    user: &CurrentUser,
    done: &str,
) -> Result<tera::Context, AppError> {
    let (me, (declared, schools)) = user
        .load(move |conn, access| {
            let declared = app::panels::my_conflicts(conn, access)?;
            let schools = match access.province_id {
                Some(p) => crate::store::schools::directory(conn, p)?,
                None => Vec::new(),
            };
            Ok((declared, schools))
        })
        .await?;
    let mut context = page.context(Some(&me));
    context.insert("declared", &declared);
    context.insert("directory", &schools);
    context.insert("done", done);
    context.insert(
        "errors",
        &std::collections::BTreeMap::<String, String>::new(),
    );
    Ok(context)
}

/// A conflict declared from the form: `school_id` and `reason`.
pub async fn declare(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let input = crate::app::panels::ConflictInput {
        school_id: form
            .get("school_id")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0),
        reason: form.get("reason").cloned().unwrap_or_default(),
    };
    let result = user
        .run(move |conn, access| app::panels::declare(conn, access, &input, now_utc()))
        .await;
    match result {
        Ok(_) => Ok(see_other("/conflicts?done=declared")),
        Err(AppError::Validation(errors)) => {
            let mut context = conflicts_context(&page, &user, "").await?;
            context.insert("errors", &page.errors(&errors));
            page.render(
                &state,
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                "pages/conflicts.html",
                &context,
            )
        }
        Err(other) => Err(other),
    }
}

//! A school's page: its profile, and the form to edit it for those who may; registering a
//! school from the home page.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::account::home_context;
use super::page::{Page, Posted, see_other};
use crate::app::schools::{self as use_case, SchoolInput, SchoolPatchInput};
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::domain::SchoolStatus;
use crate::error::{AppError, FieldErrors, Msg};
use crate::state::AppState;
use crate::store::schools::School;
use crate::store::{provinces, schools};

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The values of a school form, as typed (kept when the form comes back with errors).
#[derive(Deserialize, serde::Serialize)]
pub struct SchoolForm {
    #[serde(default)]
    province_id: Option<i64>,
    name: String,
    #[serde(default)]
    name_zh: String,
    city: String,
    kind: String,
    #[serde(default)]
    founded_year: String,
    #[serde(default)]
    version: Option<i64>,
}

fn optional_text(raw: &str) -> Option<String> {
    Some(raw.trim().to_owned()).filter(|s| !s.is_empty())
}

impl SchoolForm {
    /// The founding year as typed: blank is none; anything else must be a number.
    fn year(&self, errors: &mut FieldErrors) -> Option<i64> {
        let raw = self.founded_year.trim();
        if raw.is_empty() {
            return None;
        }
        match raw.parse() {
            Ok(year) => Some(year),
            Err(_) => {
                errors.insert("founded_year".into(), Msg::NotYear);
                None
            }
        }
    }
}

pub async fn school_page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let mut context = school_context(&state, &page, &user, id.into_inner()).await?;
    context.insert("done", query.done.as_deref().unwrap_or(""));
    page.ok(&state, "pages/school.html", &context)
}

/// The grants given, with the consultants' names.
type GrantsView = Vec<serde_json::Value>;

struct SchoolOverview {
    school: School,
    province: crate::store::provinces::Province,
    certificate: Option<crate::store::certificates::Certificate>,
    titles: Vec<crate::store::titles::TitleHolding>,
    audits: (Vec<crate::store::audits::AuditSummary>, i64),
    open_findings: Vec<crate::store::findings::Finding>,
    catalogue: Vec<crate::store::titles::TitleType>,
    /// For the school's officer: the consulting grants given, with the consultants' names.
    grants: Option<GrantsView>,
    /// The school a merged school went into.
    successor: Option<School>,
    /// The schools merged into this one.
    absorbed: Vec<School>,
    /// For the province admin of an active school: the schools it may merge into.
    successors: Vec<School>,
    /// Its latest accepted year against the national standards.
    standards: Option<(i32, crate::app::standards_check::SchoolCheck)>,
}

/// The grants a school's officer manages (the form names a consultant by name or number).
fn consulting_grants(
    conn: &mut crate::db::DbConn,
    access: &crate::auth::Access,
    school: &School,
) -> Result<Option<GrantsView>, AppError> {
    if !crate::store::grants::officer_of(access, school.id) {
        return Ok(None);
    }
    let grants = crate::store::grants::list(conn, access, school.id)?;
    let ids: Vec<i64> = grants.iter().map(|g| g.consultant_school_id).collect();
    let names = crate::store::schools::names_of(conn, &ids)?;
    let given = grants
        .into_iter()
        .map(|g| {
            let (name, name_zh) = names
                .get(&g.consultant_school_id)
                .cloned()
                .unwrap_or_default();
            serde_json::json!({"grant": g, "name": name, "name_zh": name_zh})
        })
        .collect();
    Ok(Some(given))
}

/// Everything the school page shows: profile, certificate, titles with their due state,
/// the latest audits and the open findings. Loaded in one trip to the database.
pub async fn school_context(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    id: i64,
) -> Result<tera::Context, AppError> {
    let today = state.clock.today();
    let (me, overview) = user
        .load(move |conn, access| {
            let school = schools::get(conn, access, id)?;
            let successor = match school.successor_id {
                Some(successor) => schools::find(conn, successor)?,
                None => None,
            };
            let successors = if access.administers_province(school.province_id)
                && school.status == SchoolStatus::Active
            {
                schools::list(conn, access, Some(school.province_id))?
                    .into_iter()
                    .filter(|s| s.id != school.id && s.status == SchoolStatus::Active)
                    .collect()
            } else {
                Vec::new()
            };
            Ok(SchoolOverview {
                absorbed: schools::merged_into(conn, access, school.id)?,
                successor,
                successors,
                standards: crate::app::standards_check::of_school(conn, &school)?,
                province: provinces::get(conn, school.province_id)?,
                certificate: crate::store::certificates::get(conn, access, id)?,
                titles: crate::store::titles::list_holdings(conn, access, id, today)?,
                audits: crate::store::audits::list(conn, access, id, 5, 0)?,
                open_findings: crate::store::findings::open_for_school(conn, access, id)?,
                catalogue: crate::store::titles::list_types(conn)?,
                grants: consulting_grants(conn, access, &school)?,
                school,
            })
        })
        .await?;
    let mut context = page.context(Some(&me));
    let (school, access) = (&overview.school, me.access());
    // A wound-up school's record is read-only: its forms are not offered.
    let open = !school.wound_up(today);
    context.insert(
        "can_edit",
        &(open && access.edits_school_profile(school.id, school.province_id)),
    );
    context.insert("keeps_record", &(open && access.keeps_record_of(school.id)));
    context.insert(
        "registers_titles",
        &access.administers_province(school.province_id),
    );
    context.insert("school", school);
    context.insert("form", school);
    context.insert("province", &overview.province);
    context.insert("certificate", &overview.certificate);
    context.insert("titles", &overview.titles);
    context.insert("audits", &overview.audits.0);
    context.insert("audit_count", &overview.audits.1);
    context.insert("open_findings", &overview.open_findings);
    context.insert("catalogue", &overview.catalogue);
    context.insert("grants_managed", &overview.grants.is_some());
    context.insert("grants", &overview.grants.clone().unwrap_or_default());
    context.insert("done", "");
    context.insert("errors", &BTreeMap::<String, String>::new());
    context.insert("form_name", "");
    context.insert("typed", &std::collections::HashMap::<String, String>::new());
    context.insert("conflict", &false);
    context.insert("today", &today.to_string());
    context.insert("wound_up", &school.wound_up(today));
    context.insert("successor", &overview.successor);
    context.insert("successors", &overview.successors);
    context.insert("absorbed", &overview.absorbed);
    context.insert(
        "standards_year",
        &overview.standards.as_ref().map(|(year, _)| *year),
    );
    context.insert(
        "standards_line",
        &overview.standards.as_ref().map(|(_, line)| line),
    );
    Ok(context)
}

pub async fn school_update(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Posted<SchoolForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let mut errors = FieldErrors::new();
    let year = form.year(&mut errors);
    let input = SchoolPatchInput {
        name: Some(form.name.clone()),
        name_zh: Some(optional_text(&form.name_zh)),
        city: Some(form.city.clone()),
        kind: Some(form.kind.clone()),
        founded_year: if errors.is_empty() { Some(year) } else { None },
        version: form.version,
    };
    let mut patch = input.validate(state.clock.today().year());
    if !errors.is_empty() {
        if let Err(AppError::Validation(more)) = patch {
            errors.extend(more);
        }
        patch = Err(AppError::Validation(errors));
    }
    // Visibility and permission first (the use case); then what was typed.
    let result = user
        .run(move |conn, access| use_case::update(conn, access, id, patch, now_utc()))
        .await;
    match result {
        Ok(school) => Ok(see_other(&format!("/schools/{}?done=saved", school.id))),
        Err(AppError::Validation(errors)) => {
            school_form_again(&state, &page, &user, id, &form, errors, false).await
        }
        Err(AppError::Conflict { .. }) => {
            school_form_again(&state, &page, &user, id, &form, FieldErrors::new(), true).await
        }
        Err(other) => Err(other),
    }
}

/// The school page again, with what was typed and what is wrong (or the conflict).
async fn school_form_again(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    id: i64,
    form: &SchoolForm,
    errors: FieldErrors,
    conflict: bool,
) -> Result<HttpResponse, AppError> {
    let mut context = school_context(state, page, user, id).await?;
    // After a conflict the form shows the current record, so nothing stale is resubmitted.
    if !conflict {
        context.insert("form", form);
    }
    context.insert("errors", &page.errors(&errors));
    context.insert("form_name", "profile");
    context.insert("conflict", &conflict);
    let status = if conflict {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page.render(state, status, "pages/school.html", &context)
}

pub async fn school_create(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    form: Posted<SchoolForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let year = form.year(&mut errors);
    let Some(province_id) = form.province_id else {
        errors.insert("province_id".into(), Msg::Choose);
        return home_again(&state, &page, &user, &form, errors).await;
    };
    let input = SchoolInput {
        province_id,
        name: form.name.clone(),
        name_zh: optional_text(&form.name_zh),
        city: form.city.clone(),
        kind: form.kind.clone(),
        founded_year: year,
    };
    let this_year = state.clock.today().year();
    let result = user
        .run(move |conn, access| {
            // Who may, before what was typed (the use case).
            let new = match (input.validate(this_year), errors.is_empty()) {
                (Ok(new), true) => Ok(new),
                (Err(AppError::Validation(more)), _) => {
                    errors.extend(more);
                    Err(AppError::Validation(errors))
                }
                (Ok(_), false) => Err(AppError::Validation(errors)),
                (Err(other), _) => Err(other),
            };
            use_case::create(conn, access, Ok(province_id), new, now_utc())
        })
        .await;
    match result {
        Ok(school) => Ok(see_other(&format!("/schools/{}?done=created", school.id))),
        Err(AppError::Validation(errors)) => home_again(&state, &page, &user, &form, errors).await,
        Err(other) => Err(other),
    }
}

async fn home_again(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    form: &SchoolForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut context = home_context(
        state,
        page,
        user,
        &super::account::SchoolListQuery::default(),
    )
    .await?;
    context.insert("errors", &page.errors(&errors));
    context.insert("form", form);
    page.render(
        state,
        StatusCode::UNPROCESSABLE_ENTITY,
        "pages/home.html",
        &context,
    )
}

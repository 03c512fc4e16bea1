//! The pages of a school's quality record: the forms on the school page (certificate,
//! titles, audits), the audit page with its findings and corrective actions, the audit list
//! and the indicators table. Every form reuses the API's validation.

use std::collections::BTreeMap;

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::page::{Page, Posted, see_other};
use super::schools::school_context;
use crate::app::records::{
    self, ActionField, AuditInput, CertificateInput, CorrectiveActionInput, FindingInput,
    FindingPatchInput, HoldingInput, HoldingPatchInput,
};
use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;
use crate::store::{audits, findings, titles};

/// A posted form: field name → value.
pub struct Fields(pub HashMap<String, String>);

impl Fields {
    pub fn text(&self, name: &str) -> String {
        self.0.get(name).cloned().unwrap_or_default()
    }

    /// A field that may be left blank.
    pub fn optional(&self, name: &str) -> Option<String> {
        self.0
            .get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    fn typed(&self) -> HashMap<&str, &str> {
        self.0
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "csrf_token" | "password"))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }
}

pub(super) type Form = Posted<HashMap<String, String>>;

#[derive(Deserialize)]
pub struct PageQuery {
    done: Option<String>,
    page: Option<i64>,
}

/// The school page again with one form's errors and what was typed into it.
pub(super) async fn school_again(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    school_id: i64,
    form_name: &str,
    fields: &Fields,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut context = school_context(state, page, user, school_id).await?;
    context.insert("errors", &page.errors(&errors));
    context.insert("form_name", form_name);
    context.insert("typed", &fields.typed());
    page.render(
        state,
        StatusCode::UNPROCESSABLE_ENTITY,
        "pages/school.html",
        &context,
    )
}

/// Runs a form's database work; validation errors come back to the form, anything else is
/// the error page.
pub(super) async fn outcome<T>(
    result: Result<T, AppError>,
    again: impl AsyncFnOnce(FieldErrors) -> Result<HttpResponse, AppError>,
    done: impl FnOnce(T) -> String,
) -> Result<HttpResponse, AppError> {
    match result {
        Ok(value) => Ok(see_other(&done(value))),
        Err(AppError::Validation(errors)) => again(errors).await,
        Err(AppError::Conflict { message, .. }) => {
            again(FieldErrors::from([("form".to_owned(), message)])).await
        }
        Err(other) => Err(other),
    }
}

pub async fn certificate_submit(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let fields = Fields(form.into_inner());
    let school_id = id.into_inner();
    let input = CertificateInput {
        standard: fields.text("standard"),
        certification_body: fields.text("certification_body"),
        certificate_number: fields.text("certificate_number"),
        scope: fields.optional("scope"),
        issued_on: fields.text("issued_on"),
        expires_on: fields.text("expires_on"),
    };
    let result = user
        .run(move |conn, access| {
            records::put_certificate(conn, access, school_id, &input, now_utc())
        })
        .await;
    outcome(
        result,
        async |errors| {
            school_again(
                &state,
                &page,
                &user,
                school_id,
                "certificate",
                &fields,
                errors,
            )
            .await
        },
        |_| format!("/schools/{school_id}?done=saved#certificate"),
    )
    .await
}

pub async fn title_submit(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let fields = Fields(form.into_inner());
    let (school_id, today) = (id.into_inner(), state.clock.today());
    let input = HoldingInput {
        title_type_code: fields.text("title_type_code"),
        awarded_on: fields.text("awarded_on"),
        last_evaluated_on: fields.optional("last_evaluated_on"),
    };
    let result = user
        .run(move |conn, access| {
            records::register_title(conn, access, school_id, &input, today, now_utc())
        })
        .await;
    outcome(
        result,
        async |errors| {
            school_again(&state, &page, &user, school_id, "title", &fields, errors).await
        },
        |_| format!("/schools/{school_id}?done=saved#titles"),
    )
    .await
}

pub async fn title_update(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let fields = Fields(form.into_inner());
    let (holding_id, today) = (id.into_inner(), state.clock.today());
    let input = HoldingPatchInput {
        status: fields.optional("status"),
        last_evaluated_on: fields.optional("last_evaluated_on"),
        version: fields.text("version").parse().ok(),
    };
    // One trip: the holding's school (where the page returns), then the change.
    let (school_id, result) = user
        .run(move |conn, access| {
            let school_id = titles::get_holding_scoped(conn, access, holding_id, today)?.school_id;
            let updated = records::update_title(conn, access, holding_id, &input, today, now_utc());
            Ok((school_id, updated))
        })
        .await?;
    outcome(
        result,
        async |errors| {
            school_again(&state, &page, &user, school_id, "title", &fields, errors).await
        },
        |_| format!("/schools/{school_id}?done=saved#titles"),
    )
    .await
}

pub async fn grant_create(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let fields = Fields(form.into_inner());
    let (school_id, today) = (id.into_inner(), state.clock.today());
    let consultant = fields.text("consultant_school_id").to_owned();
    let until = fields.text("until").to_owned();
    let include_evidence = fields.optional("include_evidence").is_some();
    let result = user
        .run(move |conn, access| {
            let consultant =
                crate::store::grants::find_consultant(conn, access, school_id, &consultant)?;
            let input = records::GrantInput {
                consultant_school_id: consultant,
                until,
                include_evidence,
            };
            records::grant(conn, access, school_id, &input, today, now_utc())
        })
        .await;
    outcome(
        result,
        async |errors| {
            school_again(&state, &page, &user, school_id, "grant", &fields, errors).await
        },
        |_| format!("/schools/{school_id}?done=saved#grants"),
    )
    .await
}

pub async fn grant_revoke(
    user: CurrentUser,
    id: web::Path<i64>,
    _form: Form,
) -> Result<HttpResponse, AppError> {
    let grant = id.into_inner();
    let school = user
        .run_as(move |conn, me| {
            records::revoke_grant(conn, &me.access(), grant, now_utc())?;
            Ok(me.user.school_id.unwrap_or_default())
        })
        .await?;
    Ok(see_other(&format!("/schools/{school}?done=saved#grants")))
}

fn audit_input(fields: &Fields) -> AuditInput {
    AuditInput {
        kind: fields.text("kind"),
        standard: fields.text("standard"),
        started_on: fields.text("started_on"),
        ended_on: fields.optional("ended_on"),
        lead_auditor: fields.optional("lead_auditor"),
        auditing_body: fields.optional("auditing_body"),
        scope: fields.optional("scope"),
        summary: fields.optional("summary"),
    }
}

pub async fn audit_create(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let fields = Fields(form.into_inner());
    let school_id = id.into_inner();
    let input = audit_input(&fields);
    let result = user
        .run(move |conn, access| records::create_audit(conn, access, school_id, &input, now_utc()))
        .await;
    outcome(
        result,
        async |errors| {
            school_again(&state, &page, &user, school_id, "audit", &fields, errors).await
        },
        |audit| format!("/audits/{}?done=created", audit.id),
    )
    .await
}

const AUDITS_PER_PAGE: i64 = 20;

pub async fn audit_list(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let school_id = id.into_inner();
    let number = query.page.unwrap_or(1).max(1);
    let (me, (school, (rows, total))) = user
        .load(move |conn, access| {
            let school = crate::store::schools::get(conn, access, school_id)?;
            let rows = audits::list(
                conn,
                access,
                school_id,
                AUDITS_PER_PAGE,
                (number - 1) * AUDITS_PER_PAGE,
            )?;
            Ok((school, rows))
        })
        .await?;
    let mut context = page.context(Some(&me));
    context.insert("school", &school);
    context.insert("audits", &rows);
    context.insert("total", &total);
    context.insert("page_number", &number);
    context.insert(
        "pages",
        &((total + AUDITS_PER_PAGE - 1) / AUDITS_PER_PAGE).max(1),
    );
    context.insert("keeps_record", &me.access().keeps_record_of(school_id));
    page.ok(&state, "pages/audits.html", &context)
}

/// The audit page: the audit, its findings with their corrective actions, and the forms.
async fn audit_context(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    audit_id: i64,
) -> Result<tera::Context, AppError> {
    let (me, (audit, school, found)) = user
        .load(move |conn, access| {
            let audit = audits::get(conn, access, audit_id)?;
            let school = crate::store::schools::get(conn, access, audit.school_id)?;
            let found = findings::list_for_audit(conn, access, audit_id)?;
            Ok((audit, school, found))
        })
        .await?;
    let mut context = page.context(Some(&me));
    context.insert("keeps_record", &me.access().keeps_record_of(school.id));
    context.insert("audit", &audit);
    context.insert("school", &school);
    context.insert("findings", &found);
    context.insert("clauses", crate::domain::clause::CLAUSES);
    context.insert("done", "");
    context.insert("errors", &BTreeMap::<String, String>::new());
    context.insert("form_name", "");
    context.insert("typed", &HashMap::<String, String>::new());
    context.insert("today", &state.clock.today().to_string());
    Ok(context)
}

pub async fn audit_page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let mut context = audit_context(&state, &page, &user, id.into_inner()).await?;
    context.insert("done", query.done.as_deref().unwrap_or(""));
    page.ok(&state, "pages/audit.html", &context)
}

async fn audit_again(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    audit_id: i64,
    form_name: &str,
    fields: &Fields,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut context = audit_context(state, page, user, audit_id).await?;
    context.insert("errors", &page.errors(&errors));
    context.insert("form_name", form_name);
    context.insert("typed", &fields.typed());
    page.render(
        state,
        StatusCode::UNPROCESSABLE_ENTITY,
        "pages/audit.html",
        &context,
    )
}

pub async fn audit_update(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let fields = Fields(form.into_inner());
    let audit_id = id.into_inner();
    let input = audit_input(&fields);
    let version = fields.text("version").parse().ok();
    let result = user
        .run(move |conn, access| {
            let whole = |_: &crate::store::audits::Audit| input.validate();
            records::update_audit(conn, access, audit_id, version, whole, now_utc())
        })
        .await;
    outcome(
        result,
        async |errors| audit_again(&state, &page, &user, audit_id, "audit", &fields, errors).await,
        |_| format!("/audits/{audit_id}?done=saved"),
    )
    .await
}

pub async fn finding_create(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let fields = Fields(form.into_inner());
    let audit_id = id.into_inner();
    let input = FindingInput {
        clause: fields.text("clause"),
        grade: fields.text("grade"),
        description: fields.text("description"),
        due_on: fields.optional("due_on"),
    };
    let result = user
        .run(move |conn, access| records::create_finding(conn, access, audit_id, &input, now_utc()))
        .await;
    outcome(
        result,
        async |errors| {
            audit_again(&state, &page, &user, audit_id, "finding", &fields, errors).await
        },
        |finding| format!("/audits/{audit_id}?done=finding#finding-{}", finding.id),
    )
    .await
}

pub async fn finding_update(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
    form: Form,
) -> Result<HttpResponse, AppError> {
    let fields = Fields(form.into_inner());
    let (finding_id, today) = (id.into_inner(), state.clock.today());
    let input = FindingPatchInput {
        status: fields.optional("status"),
        corrective_action: Some(ActionField::Object(CorrectiveActionInput {
            root_cause: fields.optional("root_cause"),
            action: fields.optional("corrective_action"),
            owner: fields.optional("action_owner"),
            due_on: fields.optional("action_due_on"),
            done_on: fields.optional("action_done_on"),
            verified_by: fields.optional("verified_by"),
            verified_on: fields.optional("verified_on"),
            effective: fields
                .optional("verification_effective")
                .map(|v| v == "true"),
            verification_note: fields.optional("verification_note"),
        })),
        reopen_reason: fields.optional("reopen_reason"),
        version: fields.text("version").parse().ok(),
        ..FindingPatchInput::default()
    };
    // One read of the finding: its audit (where the page returns) and its school's record.
    let (audit_of, result) = user
        .run(move |conn, access| {
            let audit_of = findings::get(conn, access, finding_id)?.audit_id;
            let updated =
                records::update_finding(conn, access, finding_id, &input, today, now_utc())
                    .map_err(form_field_names);
            Ok((audit_of, updated))
        })
        .await?;
    let form_name = format!("finding-{finding_id}");
    outcome(
        result,
        async |errors| {
            audit_again(&state, &page, &user, audit_of, &form_name, &fields, errors).await
        },
        |_| format!("/audits/{audit_of}?done=saved#finding-{finding_id}"),
    )
    .await
}

/// The finding form names the action's fields as the page does (`action_owner`), the API
/// by their place in the object (`corrective_action.owner`).
fn form_field_names(error: AppError) -> AppError {
    let AppError::Validation(errors) = error else {
        return error;
    };
    AppError::Validation(
        errors
            .into_iter()
            .map(|(field, problem)| {
                let name = match field.strip_prefix("corrective_action.") {
                    Some("action") => "corrective_action".to_owned(),
                    Some("owner") => "action_owner".to_owned(),
                    Some("due_on") => "action_due_on".to_owned(),
                    Some("done_on") => "action_done_on".to_owned(),
                    Some(other) => other.to_owned(),
                    None => field,
                };
                (name, problem)
            })
            .collect(),
    )
}

/// A school's years: each recorded or asked-for year with its state, and a way to open
/// another year.
pub async fn years_page(
    state: web::Data<AppState>,
    page: Page,
    user: CurrentUser,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let school_id = id.into_inner();
    let (me, (school, years)) = user
        .load(move |conn, access| {
            let school = crate::store::schools::get(conn, access, school_id)?;
            Ok((
                school,
                crate::store::status_data::years(conn, access, school_id)?,
            ))
        })
        .await?;
    let mut context = page.context(Some(&me));
    context.insert("keeps_record", &me.access().keeps_record_of(school.id));
    context.insert("school", &school);
    context.insert("years", &years);
    context.insert("this_year", &state.clock.today().year());
    page.ok(&state, "pages/indicators.html", &context)
}

/// The first address of a school's years, kept for bookmarks.
pub async fn indicators_moved(id: web::Path<i64>) -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/schools/{}/status-data", id.into_inner()),
        ))
        .finish()
}

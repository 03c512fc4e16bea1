//! Audits of a school and their findings with corrective actions.

use crate::http::api::body::Body;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::clock::now_utc;
use crate::domain::clause::ClauseNumber;
use crate::domain::dates::parse_date;
use crate::domain::quality::{AuditKind, FindingGrade, FindingStatus};
use crate::domain::text;
use crate::error::{AppError, ErrorBody, Msg, Validator};
use crate::http::api::paging::{Listing, Paged};
use crate::state::AppState;
use crate::store::audits::{self, Audit, AuditFields, AuditSummary};
use crate::store::findings::{self, Finding, FindingPatch, NewFinding};

#[derive(Deserialize, Default, Clone, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditInput {
    /// internal, management_review, certification_stage1, certification_stage2, surveillance, recertification, provincial_inspection
    #[schema(value_type = crate::domain::quality::AuditKind)]
    pub kind: String,
    /// e.g. `ISO 9001:2015`
    #[schema(schema_with = crate::http::api::schema::short_text)]
    pub standard: String,
    /// YYYY-MM-DD
    #[schema(schema_with = crate::http::api::schema::date)]
    pub started_on: String,
    #[schema(schema_with = crate::http::api::schema::date_or_blank)]
    pub ended_on: Option<String>,
    #[schema(schema_with = crate::http::api::schema::optional_short_text)]
    pub lead_auditor: Option<String>,
    #[schema(schema_with = crate::http::api::schema::optional_short_text)]
    pub auditing_body: Option<String>,
    #[schema(schema_with = crate::http::api::schema::optional_long_text)]
    pub scope: Option<String>,
    #[schema(schema_with = crate::http::api::schema::optional_long_text)]
    pub summary: Option<String>,
}

impl AuditInput {
    pub fn validate(&self) -> Result<AuditFields, AppError> {
        let mut v = Validator::new();
        let kind = v.check("kind", AuditKind::parse(&self.kind));
        let standard = v.check("standard", text::required(&self.standard, text::SHORT));
        let started_on = v.check("started_on", parse_date(&self.started_on));
        let ended_on = v.check_opt(
            "ended_on",
            self.ended_on.as_deref().filter(|s| !s.trim().is_empty()),
            parse_date,
        );
        if let (Some(start), Some(Some(end))) = (started_on, ended_on)
            && end < start
        {
            v.fail("ended_on", Msg::BeforeStart);
        }
        let lead_auditor = v.check(
            "lead_auditor",
            text::optional(self.lead_auditor.as_deref(), text::SHORT),
        );
        let auditing_body = v.check(
            "auditing_body",
            text::optional(self.auditing_body.as_deref(), text::SHORT),
        );
        let scope = v.check("scope", text::optional(self.scope.as_deref(), text::LONG));
        let summary = v.check(
            "summary",
            text::optional(self.summary.as_deref(), text::LONG),
        );
        v.finish()?;
        match (
            kind,
            standard,
            started_on,
            ended_on,
            lead_auditor,
            auditing_body,
            scope,
            summary,
        ) {
            (
                Some(kind),
                Some(standard),
                Some(started_on),
                Some(ended_on),
                Some(lead_auditor),
                Some(auditing_body),
                Some(scope),
                Some(summary),
            ) => Ok(AuditFields {
                kind,
                standard,
                started_on,
                ended_on,
                lead_auditor,
                auditing_body,
                scope,
                summary,
            }),
            _ => Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            ))),
        }
    }

    /// The input an existing audit would give.
    pub fn of(audit: &Audit) -> AuditInput {
        AuditInput {
            kind: audit.kind.clone(),
            standard: audit.standard.clone(),
            started_on: audit.started_on.to_string(),
            ended_on: audit.ended_on.map(|d| d.to_string()),
            lead_auditor: audit.lead_auditor.clone(),
            auditing_body: audit.auditing_body.clone(),
            scope: audit.scope.clone(),
            summary: audit.summary.clone(),
        }
    }
}

/// Record an audit (the school's quality officer)
#[utoipa::path(
    post, path = "/api/v1/schools/{id}/audits", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AuditInput,
    responses((status = 201, body = Audit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create(
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<AuditInput>,
) -> Result<HttpResponse, AppError> {
    let school_id = id.into_inner();
    let input = body.into_inner();
    let audit = user
        .run(move |conn, access| {
            crate::store::record::writable_school(conn, access, school_id)?;
            audits::create(conn, access, school_id, &input.validate()?, now_utc())
        })
        .await?;
    Ok(HttpResponse::Created().json(audit))
}

/// A school's audits, newest first
#[utoipa::path(
    get, path = "/api/v1/schools/{id}/audits", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = [AuditSummary]), (status = 404, body = ErrorBody))
)]
pub async fn list(
    user: CurrentUser,
    id: web::Path<i64>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let (school_id, paging) = (id.into_inner(), page.paging.clone());
    let offset = paging.offset().map_err(|e| AppError::field("cursor", e))?;
    let found = user
        .run(move |conn, access| {
            let (rows, total) = audits::list(conn, access, school_id, paging.limit, offset)?;
            Listing::by_offset(rows, total, &paging).map_err(|e| AppError::field("cursor", e))
        })
        .await?;
    Ok(page.respond(found))
}

/// One audit
#[utoipa::path(
    get, path = "/api/v1/audits/{id}", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Audit), (status = 404, body = ErrorBody))
)]
pub async fn get(user: CurrentUser, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| audits::get(conn, access, id))
            .await?,
    ))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditPatchInput {
    #[schema(value_type = Option<crate::domain::quality::AuditKind>)]
    pub kind: Option<String>,
    #[schema(schema_with = crate::http::api::schema::short_text_or_null)]
    pub standard: Option<String>,
    #[schema(schema_with = crate::http::api::schema::date_or_null)]
    pub started_on: Option<String>,
    #[schema(schema_with = crate::http::api::schema::date_or_blank)]
    pub ended_on: Option<String>,
    #[schema(schema_with = crate::http::api::schema::optional_short_text)]
    pub lead_auditor: Option<String>,
    #[schema(schema_with = crate::http::api::schema::optional_short_text)]
    pub auditing_body: Option<String>,
    #[schema(schema_with = crate::http::api::schema::optional_long_text)]
    pub scope: Option<String>,
    #[schema(schema_with = crate::http::api::schema::optional_long_text)]
    pub summary: Option<String>,
    pub version: Option<i64>,
}

impl AuditPatchInput {
    /// The audit with these changes, validated as a whole.
    pub fn merged(self, current: &Audit) -> Result<AuditFields, AppError> {
        let base = AuditInput::of(current);
        AuditInput {
            kind: self.kind.unwrap_or(base.kind),
            standard: self.standard.unwrap_or(base.standard),
            started_on: self.started_on.unwrap_or(base.started_on),
            ended_on: self.ended_on.or(base.ended_on),
            lead_auditor: self.lead_auditor.or(base.lead_auditor),
            auditing_body: self.auditing_body.or(base.auditing_body),
            scope: self.scope.or(base.scope),
            summary: self.summary.or(base.summary),
        }
        .validate()
    }
}

/// Change an audit (the school's quality officer)
#[utoipa::path(
    patch, path = "/api/v1/audits/{id}", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AuditPatchInput,
    responses((status = 200, body = Audit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn patch(
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<AuditPatchInput>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let input = body.into_inner();
    let audit = user
        .run(move |conn, access| {
            let current = audits::get(conn, access, id)?;
            crate::store::record::writable_school(conn, access, current.school_id)?;
            let version = input.version;
            let fields = input.merged(&current)?;
            audits::update(conn, access, id, &fields, version, now_utc())
        })
        .await?;
    Ok(HttpResponse::Ok().json(audit))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingInput {
    /// an ISO 9001:2015 clause, `4` to `10.3`, e.g. `8.5.1`
    #[schema(schema_with = crate::http::api::schema::clause)]
    pub clause: String,
    /// major_nc, minor_nc, observation, ofi
    #[schema(value_type = crate::domain::quality::FindingGrade)]
    pub grade: String,
    #[schema(schema_with = crate::http::api::schema::long_text)]
    pub description: String,
    /// YYYY-MM-DD
    #[schema(schema_with = crate::http::api::schema::date_or_blank)]
    pub due_on: Option<String>,
}

impl FindingInput {
    pub fn validate(&self) -> Result<NewFinding, AppError> {
        let mut v = Validator::new();
        let clause = v.check("clause", ClauseNumber::parse(&self.clause));
        let grade = v.check("grade", FindingGrade::parse(&self.grade));
        let description = v.check("description", text::required(&self.description, text::LONG));
        let due_on = v.check_opt(
            "due_on",
            self.due_on.as_deref().filter(|s| !s.trim().is_empty()),
            parse_date,
        );
        v.finish()?;
        match (clause, grade, description, due_on) {
            (Some(clause), Some(grade), Some(description), Some(due_on)) => Ok(NewFinding {
                clause,
                grade,
                description,
                due_on,
            }),
            _ => Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            ))),
        }
    }
}

/// Record a finding of an audit (the school's quality officer); it starts `open`
#[utoipa::path(
    post, path = "/api/v1/audits/{id}/findings", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = FindingInput,
    responses((status = 201, body = Finding), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn create_finding(
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<FindingInput>,
) -> Result<HttpResponse, AppError> {
    let audit_id = id.into_inner();
    let input = body.into_inner();
    let finding = user
        .run(move |conn, access| {
            let audit = audits::get(conn, access, audit_id)?;
            crate::store::record::writable_school(conn, access, audit.school_id)?;
            findings::create(conn, access, audit_id, &input.validate()?, now_utc())
        })
        .await?;
    Ok(HttpResponse::Created().json(finding))
}

/// The findings of an audit
#[utoipa::path(
    get, path = "/api/v1/audits/{id}/findings", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = [Finding]), (status = 404, body = ErrorBody))
)]
pub async fn list_findings(
    user: CurrentUser,
    id: web::Path<i64>,
    page: Paged,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    page.slice(
        user.run(move |conn, access| findings::list_for_audit(conn, access, id))
            .await?,
    )
}

/// One finding with its corrective action
#[utoipa::path(
    get, path = "/api/v1/findings/{id}", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Finding), (status = 404, body = ErrorBody))
)]
pub async fn get_finding(user: CurrentUser, id: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    Ok(HttpResponse::Ok().json(
        user.run(move |conn, access| findings::get(conn, access, id))
            .await?,
    ))
}

/// A finding's corrective action as written: the same fields, names and types as it is read
/// (`Finding.corrective_action`). A field left out keeps what is there; blank clears it.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectiveActionInput {
    #[schema(schema_with = crate::http::api::schema::optional_long_text)]
    pub root_cause: Option<String>,
    #[schema(schema_with = crate::http::api::schema::optional_long_text)]
    pub action: Option<String>,
    #[schema(schema_with = crate::http::api::schema::optional_short_text)]
    pub owner: Option<String>,
    #[schema(schema_with = crate::http::api::schema::date_or_blank)]
    pub due_on: Option<String>,
    #[schema(schema_with = crate::http::api::schema::date_or_blank)]
    pub done_on: Option<String>,
    /// who verified the action's effectiveness
    #[schema(schema_with = crate::http::api::schema::optional_short_text)]
    pub verified_by: Option<String>,
    #[schema(schema_with = crate::http::api::schema::date_or_blank)]
    pub verified_on: Option<String>,
    pub effective: Option<bool>,
    #[schema(schema_with = crate::http::api::schema::optional_long_text)]
    pub verification_note: Option<String>,
}

/// `corrective_action` of a finding's change: the object (as read), or, deprecated since
/// this version and to be removed in the next, the action's text alone.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ActionField {
    Object(CorrectiveActionInput),
    /// deprecated: the action's text alone
    #[schema(deprecated)]
    Text(String),
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(deprecated)]
pub struct FindingPatchInput {
    /// open, action_planned, closed, verified
    #[schema(value_type = Option<crate::domain::quality::FindingStatus>)]
    pub status: Option<String>,
    #[schema(schema_with = crate::http::api::schema::optional_long_text)]
    pub description: Option<String>,
    #[schema(schema_with = crate::http::api::schema::date_or_blank)]
    pub due_on: Option<String>,
    #[schema(schema_with = crate::http::api::schema::optional_long_text)]
    #[deprecated(note = "write corrective_action as an object")]
    pub root_cause: Option<String>,
    /// the corrective action, in the shape a finding is read with (an object); the action's
    /// text alone (a string) is deprecated, with the flat fields below
    pub corrective_action: Option<ActionField>,
    #[schema(schema_with = crate::http::api::schema::optional_short_text)]
    #[deprecated(note = "write corrective_action as an object")]
    pub action_owner: Option<String>,
    #[schema(schema_with = crate::http::api::schema::date_or_blank)]
    #[deprecated(note = "write corrective_action as an object")]
    pub action_due_on: Option<String>,
    #[schema(schema_with = crate::http::api::schema::date_or_blank)]
    #[deprecated(note = "write corrective_action as an object")]
    pub action_done_on: Option<String>,
    /// who verified the action's effectiveness
    #[schema(schema_with = crate::http::api::schema::optional_short_text)]
    #[deprecated(note = "write corrective_action as an object")]
    pub verified_by: Option<String>,
    #[schema(schema_with = crate::http::api::schema::date_or_blank)]
    #[deprecated(note = "write corrective_action as an object")]
    pub verified_on: Option<String>,
    #[deprecated(note = "write corrective_action as an object")]
    pub verification_effective: Option<bool>,
    #[schema(schema_with = crate::http::api::schema::optional_long_text)]
    #[deprecated(note = "write corrective_action as an object")]
    pub verification_note: Option<String>,
    /// required to reopen a finding
    pub reopen_reason: Option<String>,
    pub version: Option<i64>,
}

// The one place that reads the deprecated flat fields, until they are removed.
#[allow(deprecated)]
impl FindingPatchInput {
    pub fn validate(&self, today: time::Date) -> Result<FindingPatch, AppError> {
        let mut v = Validator::new();
        let date = |v: &mut Validator, name: &str, raw: &Option<String>| {
            v.check_opt(
                name,
                raw.as_deref().filter(|s| !s.trim().is_empty()),
                parse_date,
            )
            .flatten()
        };
        let short = |v: &mut Validator, name: &str, raw: &Option<String>| {
            v.check(name, text::optional(raw.as_deref(), text::SHORT))
                .flatten()
        };
        let long = |v: &mut Validator, name: &str, raw: &Option<String>| {
            v.check(name, text::optional(raw.as_deref(), text::LONG))
                .flatten()
        };
        let status = v
            .check_opt("status", self.status.as_deref(), FindingStatus::parse)
            .flatten();
        let description = long(&mut v, "description", &self.description);
        let due_on = date(&mut v, "due_on", &self.due_on);
        // The action as an object, or (deprecated) as flat fields and its text alone; not both.
        let flat = [
            &self.root_cause,
            &self.action_owner,
            &self.action_due_on,
            &self.action_done_on,
            &self.verified_by,
            &self.verified_on,
            &self.verification_note,
        ];
        let text_action: Option<String> = match &self.corrective_action {
            Some(ActionField::Text(text)) => Some(text.clone()),
            _ => None,
        };
        let written = match &self.corrective_action {
            Some(ActionField::Object(object)) => {
                if flat.iter().any(|f| f.is_some()) || self.verification_effective.is_some() {
                    v.fail("corrective_action", Msg::ActionTwice);
                }
                [
                    ("corrective_action.root_cause", &object.root_cause),
                    ("corrective_action.action", &object.action),
                    ("corrective_action.owner", &object.owner),
                    ("corrective_action.due_on", &object.due_on),
                    ("corrective_action.done_on", &object.done_on),
                    ("corrective_action.verified_by", &object.verified_by),
                    ("corrective_action.verified_on", &object.verified_on),
                    (
                        "corrective_action.verification_note",
                        &object.verification_note,
                    ),
                ]
            }
            _ => [
                ("root_cause", &self.root_cause),
                ("corrective_action", &text_action),
                ("action_owner", &self.action_owner),
                ("action_due_on", &self.action_due_on),
                ("action_done_on", &self.action_done_on),
                ("verified_by", &self.verified_by),
                ("verified_on", &self.verified_on),
                ("verification_note", &self.verification_note),
            ],
        };
        let effective = match &self.corrective_action {
            Some(ActionField::Object(object)) => object.effective,
            _ => self.verification_effective,
        };
        let [
            (root_cause_at, root_cause_raw),
            (action_at, action_raw),
            (owner_at, owner_raw),
            (due_at, due_raw),
            (done_at, done_raw),
            (verified_by_at, verified_by_raw),
            (verified_on_at, verified_on_raw),
            (note_at, note_raw),
        ] = written;
        let root_cause = long(&mut v, root_cause_at, root_cause_raw);
        let action = long(&mut v, action_at, action_raw);
        let owner = short(&mut v, owner_at, owner_raw);
        let action_due_on = date(&mut v, due_at, due_raw);
        let action_done_on = date(&mut v, done_at, done_raw);
        let verified_by = short(&mut v, verified_by_at, verified_by_raw);
        let verified_on = date(&mut v, verified_on_at, verified_on_raw);
        let verification_note = long(&mut v, note_at, note_raw);
        let reopen_reason = long(&mut v, "reopen_reason", &self.reopen_reason);
        for (name, day) in [(done_at, action_done_on), (verified_on_at, verified_on)] {
            if day.is_some_and(|d| d > today) {
                v.fail(name, Msg::InFuture);
            }
        }
        v.finish()?;
        Ok(FindingPatch {
            description,
            due_on: due_on.map(Some),
            status,
            reopen_reason,
            root_cause,
            action,
            owner,
            action_due_on,
            action_done_on,
            verified_by,
            verified_on,
            effective,
            verification_note,
            version: self.version,
        })
    }
}

/// Change a finding: its corrective action, verification and status (the school's quality
/// officer). Status changes follow the finding's life: open → action_planned → closed →
/// verified; reopening needs `reopen_reason`.
#[utoipa::path(
    patch, path = "/api/v1/findings/{id}", tag = "audits", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = FindingPatchInput,
    responses((status = 200, body = Finding), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub async fn patch_finding(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    body: Body<FindingPatchInput>,
) -> Result<HttpResponse, AppError> {
    let (id, today) = (id.into_inner(), state.clock.today());
    let input = body.into_inner();
    let finding = user
        .run(move |conn, access| {
            let current = findings::get(conn, access, id)?;
            crate::store::record::writable_school(conn, access, current.school_id)?;
            findings::update(conn, access, id, &input.validate(today)?, now_utc())
        })
        .await?;
    Ok(HttpResponse::Ok().json(finding))
}

//! A school's record: its audits with their findings and corrective actions, its
//! certificate, the titles it holds, the consulting grants it gives and its history. Each
//! use case finds the record for the asking user (404 outside their scope), checks the
//! right to change it (403) before judging the input (422), and writes in one transaction.

use serde::Deserialize;
use time::{Date, PrimitiveDateTime};

use crate::app::input::Input;
use crate::db::DbConn;
use crate::domain::access::Access;
use crate::domain::clause::ClauseNumber;
use crate::domain::dates::parse_date;
use crate::domain::paging::{Listing, Paging};
use crate::domain::quality::{AuditKind, FindingGrade, FindingStatus, TitleLevel};
use crate::domain::text;
use crate::error::{AppError, Msg, Validator};
use crate::store::audits::{self, Audit, AuditFields};
use crate::store::certificates::{self, Certificate, CertificateFields};
use crate::store::findings::{self, Finding, FindingPatch, NewFinding};
use crate::store::grants::{self, Grant, NewGrant};
use crate::store::history::{self, HistoryEntry};
use crate::store::record::writable_school;
use crate::store::schools;
use crate::store::titles::{self, NewHolding, NewTitleType, TitleHolding};

/// Records an audit (the school's quality officer).
pub fn create_audit(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    input: &impl Input<AuditInput>,
    now: PrimitiveDateTime,
) -> Result<Audit, AppError> {
    super::write(conn, access, |conn, journal| {
        writable_school(conn, access, school_id)?;
        audits::create(
            conn,
            journal,
            access,
            school_id,
            &input.read()?.validate()?,
            now,
        )
    })
}

/// Changes an audit: `fields` gives its new fields from the current ones (a patch merged,
/// or a whole form), judged after the right to change it.
pub fn update_audit(
    conn: &mut DbConn,
    access: &Access,
    id: i64,
    version: Option<i64>,
    fields: impl FnOnce(&Audit) -> Result<AuditFields, AppError>,
    now: PrimitiveDateTime,
) -> Result<Audit, AppError> {
    super::write(conn, access, |conn, journal| {
        let current = audits::get(conn, access, id)?;
        writable_school(conn, access, current.school_id)?;
        let fields = fields(&current)?;
        audits::update(conn, journal, access, id, &fields, version, now)
    })
}

/// Records a finding of an audit.
pub fn create_finding(
    conn: &mut DbConn,
    access: &Access,
    audit_id: i64,
    input: &impl Input<FindingInput>,
    now: PrimitiveDateTime,
) -> Result<Finding, AppError> {
    super::write(conn, access, |conn, journal| {
        let audit = audits::get(conn, access, audit_id)?;
        // A site visit's findings are its panel's to record; any other audit's the school's.
        match audit.submission_id {
            Some(submission) => {
                let on_its_panel = crate::store::panels::panel(conn, submission)?
                    .members
                    .iter()
                    .any(|m| m.user_id == access.user_id);
                Access::require(on_its_panel || access.is_admin())?;
            }
            None => {
                writable_school(conn, access, audit.school_id)?;
            }
        }
        findings::create(
            conn,
            journal,
            access,
            audit_id,
            &input.read()?.validate()?,
            now,
        )
    })
}

/// Changes a finding or its corrective action, or moves it along its states.
pub fn update_finding(
    conn: &mut DbConn,
    access: &Access,
    id: i64,
    input: &impl Input<FindingPatchInput>,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<Finding, AppError> {
    super::write(conn, access, |conn, journal| {
        let current = findings::get(conn, access, id)?;
        writable_school(conn, access, current.school_id)?;
        findings::update(
            conn,
            journal,
            access,
            id,
            &input.read()?.validate(today)?,
            now,
        )
    })
}

/// Sets the school's ISO 9001 certificate.
pub fn put_certificate(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    input: &impl Input<CertificateInput>,
    now: PrimitiveDateTime,
) -> Result<Certificate, AppError> {
    super::write(conn, access, |conn, journal| {
        writable_school(conn, access, school_id)?;
        certificates::put(
            conn,
            journal,
            access,
            school_id,
            &input.read()?.validate()?,
            now,
        )
    })
}

/// May `access` register and change the titles of `school_id`? (its province admin, or an
/// admin; 404 for a school outside their scope).
fn administers_school(conn: &mut DbConn, access: &Access, school_id: i64) -> Result<(), AppError> {
    let school = schools::get(conn, access, school_id)?;
    Access::require(access.administers_province(school.province_id))?;
    Ok(())
}

/// Registers a title for a school (its province admin, or an admin).
pub fn register_title(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    input: &impl Input<HoldingInput>,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<TitleHolding, AppError> {
    super::write(conn, access, |conn, journal| {
        administers_school(conn, access, school_id)?;
        let new = input.read()?.validate(today)?;
        titles::award(conn, journal, access, school_id, &new, today, now)
    })
}

/// Changes a title a school holds (its province admin, or an admin).
pub fn update_title(
    conn: &mut DbConn,
    access: &Access,
    id: i64,
    input: &impl Input<HoldingPatchInput>,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<TitleHolding, AppError> {
    super::write(conn, access, |conn, journal| {
        let holding = titles::get_holding_scoped(conn, access, id, today)?;
        administers_school(conn, access, holding.school_id)?;
        titles::update_holding(
            conn,
            journal,
            access,
            id,
            &input.read()?.validate()?,
            today,
            now,
        )
    })
}

/// A consulting grant as a school gives it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    pub consultant_school_id: i64,
    /// YYYY-MM-DD, the last day of the grant
    #[schema(schema_with = crate::app::schema::date)]
    pub until: String,
    /// also the evidence files of submissions
    #[serde(default)]
    pub include_evidence: bool,
}

/// Gives a consulting school read access to this school's record (its quality officer).
pub fn grant(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    input: &impl Input<GrantInput>,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<Grant, AppError> {
    super::write(conn, access, |conn, journal| {
        schools::get(conn, access, school_id)?;
        Access::require(grants::officer_of(access, school_id))?;
        let input = input.read()?;
        let new = NewGrant {
            consultant_school_id: input.consultant_school_id,
            until: parse_date(&input.until).map_err(|e| AppError::field("until", e))?,
            include_evidence: input.include_evidence,
        };
        grants::create(conn, journal, access, school_id, &new, today, now)
    })
}

/// Ends a consulting grant.
pub fn revoke_grant(
    conn: &mut DbConn,
    access: &Access,
    id: i64,
    now: PrimitiveDateTime,
) -> Result<(), AppError> {
    super::write(conn, access, |conn, journal| {
        grants::revoke(conn, journal, access, id, now)
    })
}

/// The history of one school, newest first, for those who may read the school.
pub fn school_history(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    paging: &Paging,
) -> Result<Listing<HistoryEntry>, AppError> {
    let school = schools::scoped_get(conn, access, school_id)?;
    history::for_school(
        conn,
        &school,
        &hidden_from(access, school.province_id())?,
        paging,
    )
}

/// The history entries a reader may not see: a panel's work is the province's until the
/// evaluation shows it (an expert's unsealed scores never, for anyone but the operator), and
/// an expert reads the application, not the school's whole history (403).
fn hidden_from(access: &Access, province: i64) -> Result<Vec<String>, AppError> {
    use crate::domain::Role;
    use crate::domain::history::Action;
    let names = |actions: &[Action]| actions.iter().map(|a| a.name().into_owned()).collect();
    Ok(match access.role {
        Role::Admin => Vec::new(),
        Role::Expert => return Err(AppError::Forbidden),
        _ if access.reviews_province(province) => names(&[Action::PanelScore]),
        _ => names(&[
            Action::PanelScore,
            Action::PanelSeal,
            Action::PanelForm,
            Action::PanelConsensus,
        ]),
    })
}

#[derive(Deserialize, Default, Clone, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditInput {
    /// internal, management_review, certification_stage1, certification_stage2, surveillance, recertification, provincial_inspection
    #[schema(value_type = crate::domain::quality::AuditKind)]
    pub kind: String,
    /// e.g. `ISO 9001:2015`
    #[schema(schema_with = crate::app::schema::short_text)]
    pub standard: String,
    /// YYYY-MM-DD
    #[schema(schema_with = crate::app::schema::date)]
    pub started_on: String,
    #[schema(schema_with = crate::app::schema::date_or_blank)]
    pub ended_on: Option<String>,
    #[schema(schema_with = crate::app::schema::optional_short_text)]
    pub lead_auditor: Option<String>,
    #[schema(schema_with = crate::app::schema::optional_short_text)]
    pub auditing_body: Option<String>,
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    pub scope: Option<String>,
    #[schema(schema_with = crate::app::schema::optional_long_text)]
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
            kind: audit.kind.as_str().to_owned(),
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

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditPatchInput {
    #[schema(value_type = Option<crate::domain::quality::AuditKind>)]
    pub kind: Option<String>,
    #[schema(schema_with = crate::app::schema::short_text_or_null)]
    pub standard: Option<String>,
    #[schema(schema_with = crate::app::schema::date_or_null)]
    pub started_on: Option<String>,
    #[schema(schema_with = crate::app::schema::date_or_blank)]
    pub ended_on: Option<String>,
    #[schema(schema_with = crate::app::schema::optional_short_text)]
    pub lead_auditor: Option<String>,
    #[schema(schema_with = crate::app::schema::optional_short_text)]
    pub auditing_body: Option<String>,
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    pub scope: Option<String>,
    #[schema(schema_with = crate::app::schema::optional_long_text)]
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

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingInput {
    /// an ISO 9001:2015 clause, `4` to `10.3`, e.g. `8.5.1`
    #[schema(schema_with = crate::app::schema::clause)]
    pub clause: String,
    /// major_nc, minor_nc, observation, ofi
    #[schema(value_type = crate::domain::quality::FindingGrade)]
    pub grade: String,
    #[schema(schema_with = crate::app::schema::long_text)]
    pub description: String,
    /// YYYY-MM-DD
    #[schema(schema_with = crate::app::schema::date_or_blank)]
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

/// A finding's corrective action as written: the same fields, names and types as it is read
/// (`Finding.corrective_action`). A field left out keeps what is there; blank clears it.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectiveActionInput {
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    pub root_cause: Option<String>,
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    pub action: Option<String>,
    #[schema(schema_with = crate::app::schema::optional_short_text)]
    pub owner: Option<String>,
    #[schema(schema_with = crate::app::schema::date_or_blank)]
    pub due_on: Option<String>,
    #[schema(schema_with = crate::app::schema::date_or_blank)]
    pub done_on: Option<String>,
    /// who verified the action's effectiveness
    #[schema(schema_with = crate::app::schema::optional_short_text)]
    pub verified_by: Option<String>,
    #[schema(schema_with = crate::app::schema::date_or_blank)]
    pub verified_on: Option<String>,
    pub effective: Option<bool>,
    #[schema(schema_with = crate::app::schema::optional_long_text)]
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
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    pub description: Option<String>,
    #[schema(schema_with = crate::app::schema::date_or_blank)]
    pub due_on: Option<String>,
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    #[deprecated(note = "write corrective_action as an object")]
    pub root_cause: Option<String>,
    /// the corrective action, in the shape a finding is read with (an object); the action's
    /// text alone (a string) is deprecated, with the flat fields below
    pub corrective_action: Option<ActionField>,
    #[schema(schema_with = crate::app::schema::optional_short_text)]
    #[deprecated(note = "write corrective_action as an object")]
    pub action_owner: Option<String>,
    #[schema(schema_with = crate::app::schema::date_or_blank)]
    #[deprecated(note = "write corrective_action as an object")]
    pub action_due_on: Option<String>,
    #[schema(schema_with = crate::app::schema::date_or_blank)]
    #[deprecated(note = "write corrective_action as an object")]
    pub action_done_on: Option<String>,
    /// who verified the action's effectiveness
    #[schema(schema_with = crate::app::schema::optional_short_text)]
    #[deprecated(note = "write corrective_action as an object")]
    pub verified_by: Option<String>,
    #[schema(schema_with = crate::app::schema::date_or_blank)]
    #[deprecated(note = "write corrective_action as an object")]
    pub verified_on: Option<String>,
    #[deprecated(note = "write corrective_action as an object")]
    pub verification_effective: Option<bool>,
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    #[deprecated(note = "write corrective_action as an object")]
    pub verification_note: Option<String>,
    /// required to reopen a finding
    pub reopen_reason: Option<String>,
    pub version: Option<i64>,
}

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

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateInput {
    /// e.g. `ISO 9001:2015`
    #[schema(schema_with = crate::app::schema::short_text)]
    pub standard: String,
    #[schema(schema_with = crate::app::schema::short_text)]
    pub certification_body: String,
    #[schema(schema_with = crate::app::schema::short_text)]
    pub certificate_number: String,
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    pub scope: Option<String>,
    /// YYYY-MM-DD
    #[schema(schema_with = crate::app::schema::date)]
    pub issued_on: String,
    /// YYYY-MM-DD; certificates run three years
    #[schema(schema_with = crate::app::schema::date)]
    pub expires_on: String,
}

impl CertificateInput {
    pub fn validate(&self) -> Result<CertificateFields, AppError> {
        let mut v = Validator::new();
        let standard = v.check("standard", text::required(&self.standard, text::SHORT));
        let body = v.check(
            "certification_body",
            text::required(&self.certification_body, text::SHORT),
        );
        let number = v.check(
            "certificate_number",
            text::required(&self.certificate_number, text::SHORT),
        );
        let scope = v.check("scope", text::optional(self.scope.as_deref(), text::LONG));
        let issued = v.check("issued_on", parse_date(&self.issued_on));
        let expires = v.check("expires_on", parse_date(&self.expires_on));
        if let (Some(i), Some(e)) = (issued, expires)
            && e <= i
        {
            v.fail("expires_on", Msg::NotAfterIssue);
        }
        v.finish()?;
        match (standard, body, number, scope, issued, expires) {
            (
                Some(standard),
                Some(certification_body),
                Some(certificate_number),
                Some(scope),
                Some(issued_on),
                Some(expires_on),
            ) => Ok(CertificateFields {
                standard,
                certification_body,
                certificate_number,
                scope,
                issued_on,
                expires_on,
            }),
            _ => Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            ))),
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldingInput {
    #[schema(schema_with = crate::app::schema::catalogue_code)]
    pub title_type_code: String,
    /// YYYY-MM-DD
    #[schema(schema_with = crate::app::schema::date)]
    pub awarded_on: String,
    /// YYYY-MM-DD
    #[schema(schema_with = crate::app::schema::date_or_null)]
    pub last_evaluated_on: Option<String>,
}

impl HoldingInput {
    pub fn validate(&self, today: time::Date) -> Result<NewHolding, AppError> {
        let mut v = Validator::new();
        let code = v.check(
            "title_type_code",
            text::required(&self.title_type_code, text::SHORT),
        );
        let awarded = v.check("awarded_on", parse_date(&self.awarded_on));
        let last = v.check_opt(
            "last_evaluated_on",
            self.last_evaluated_on.as_deref(),
            parse_date,
        );
        if awarded.is_some_and(|a| a > today) {
            v.fail("awarded_on", Msg::InFuture);
        }
        if let (Some(a), Some(Some(l))) = (awarded, last) {
            if l < a {
                v.fail("last_evaluated_on", Msg::BeforeAward);
            } else if l > today {
                v.fail("last_evaluated_on", Msg::InFuture);
            }
        }
        v.finish()?;
        match (code, awarded, last) {
            (Some(title_type_code), Some(awarded_on), Some(last_evaluated_on)) => Ok(NewHolding {
                title_type_code,
                awarded_on,
                last_evaluated_on,
            }),
            _ => Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            ))),
        }
    }
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldingPatchInput {
    /// active, suspended, revoked
    #[schema(value_type = Option<crate::domain::quality::HoldingStatus>)]
    pub status: Option<String>,
    /// YYYY-MM-DD: a re-evaluation the province recorded
    #[schema(schema_with = crate::app::schema::date_or_blank)]
    pub last_evaluated_on: Option<String>,
    pub version: Option<i64>,
}

impl HoldingPatchInput {
    pub fn validate(&self) -> Result<titles::HoldingPatch, AppError> {
        let mut v = Validator::new();
        let status = v.check_opt(
            "status",
            self.status.as_deref(),
            crate::domain::quality::HoldingStatus::parse,
        );
        let last = v.check_opt(
            "last_evaluated_on",
            self.last_evaluated_on
                .as_deref()
                .filter(|s| !s.trim().is_empty()),
            parse_date,
        );
        v.finish()?;
        Ok(titles::HoldingPatch {
            status: status.flatten(),
            last_evaluated_on: last.flatten(),
            version: self.version,
        })
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TitleTypeInput {
    /// e.g. `national_key_technical_school`
    #[schema(schema_with = crate::app::schema::catalogue_code)]
    pub code: String,
    #[schema(schema_with = crate::app::schema::short_text)]
    pub name: String,
    #[schema(schema_with = crate::app::schema::optional_short_text)]
    pub name_zh: Option<String>,
    /// national, provincial, municipal
    #[schema(value_type = crate::domain::quality::TitleLevel)]
    pub level: String,
    #[schema(schema_with = crate::app::schema::short_text)]
    pub awarding_body: String,
    /// months between re-evaluations; absent for a permanent title
    #[schema(nullable, minimum = 1, maximum = 240)]
    pub reevaluation_interval_months: Option<i64>,
}

impl TitleTypeInput {
    pub fn validate(&self) -> Result<NewTitleType, AppError> {
        let body = self;
        let mut v = Validator::new();
        let code = v.check("code", titles::parse_code(&body.code));
        let name = v.check("name", text::required(&body.name, text::SHORT));
        let name_zh = v.check(
            "name_zh",
            text::optional(body.name_zh.as_deref(), text::SHORT),
        );
        let level = v.check("level", TitleLevel::parse(&body.level));
        let awarding_body = v.check(
            "awarding_body",
            text::required(&body.awarding_body, text::SHORT),
        );
        let interval = v.check_opt(
            "reevaluation_interval_months",
            body.reevaluation_interval_months,
            |m| {
                i32::try_from(m)
                    .ok()
                    .filter(|m| (1..=240).contains(m))
                    .ok_or(Msg::IntervalMonths)
            },
        );
        v.finish()?;
        let (
            Some(code),
            Some(name),
            Some(name_zh),
            Some(level),
            Some(awarding_body),
            Some(interval),
        ) = (code, name, name_zh, level, awarding_body, interval)
        else {
            return Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            )));
        };
        Ok(NewTitleType {
            code,
            name,
            name_zh,
            level,
            awarding_body,
            reevaluation_interval_months: interval,
        })
    }
}

/// Adds a title to the catalogue (an admin).
pub fn add_title_type(
    conn: &mut DbConn,
    access: &Access,
    input: &impl Input<TitleTypeInput>,
) -> Result<titles::TitleType, AppError> {
    Access::require(access.is_admin())?;
    let new = input.read()?.validate()?;
    titles::create_type(conn, access, &new)
}

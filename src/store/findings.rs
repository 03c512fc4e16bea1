//! Findings of an audit and their corrective actions. A finding's status follows the rules
//! of `domain::quality::finding_transition`.

use diesel::prelude::*;
use serde::Serialize;
use time::{Date, PrimitiveDateTime};

use crate::db::DbConn;
use crate::db::schema::{corrective_actions, findings};
use crate::domain::access::Access;
use crate::domain::clause::ClauseNumber;
use crate::domain::history::{Action, Journal};
use crate::domain::quality::{FindingFacts, FindingGrade, FindingStatus, finding_transition};
use crate::error::{AppError, Msg};
use crate::store::record::{change, check_version, json, writable_school};
use crate::store::{audits, schools};

#[derive(Clone, Debug, Queryable, Selectable, Serialize)]
#[diesel(table_name = findings, check_for_backend(crate::db::MultiBackend))]
struct FindingRow {
    id: i64,
    audit_id: i64,
    school_id: i64,
    clause: String,
    grade: FindingGrade,
    description: String,
    due_on: Option<Date>,
    status: FindingStatus,
    reopen_reason: Option<String>,
    version: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = corrective_actions, check_for_backend(crate::db::MultiBackend))]
pub struct CorrectiveAction {
    /// Selected so that a finding without an action reads as `None` from the left join.
    #[serde(skip)]
    pub finding_id: i64,
    pub root_cause: Option<String>,
    pub action: Option<String>,
    pub owner: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub done_on: Option<Date>,
    /// who verified the action's effectiveness
    pub verified_by: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub verified_on: Option<Date>,
    pub effective: Option<bool>,
    pub verification_note: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Finding {
    pub id: i64,
    pub audit_id: i64,
    pub school_id: i64,
    /// ISO 9001:2015 clause number, e.g. `8.5.1`
    pub clause: String,
    pub clause_title: Option<String>,
    pub clause_title_zh: Option<String>,
    pub grade: FindingGrade,
    pub description: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Date>,
    pub status: FindingStatus,
    pub reopen_reason: Option<String>,
    pub corrective_action: Option<CorrectiveAction>,
    pub version: i64,
}

fn assemble(row: FindingRow, action: Option<CorrectiveAction>) -> Finding {
    let clause = crate::domain::clause::clause(&row.clause);
    Finding {
        id: row.id,
        audit_id: row.audit_id,
        school_id: row.school_id,
        clause_title: clause.map(|c| c.title_en.to_owned()),
        clause_title_zh: clause.map(|c| c.title_zh.to_owned()),
        clause: row.clause,
        grade: row.grade,
        description: row.description,
        due_on: row.due_on,
        status: row.status,
        reopen_reason: row.reopen_reason,
        corrective_action: action,
        version: row.version,
    }
}

#[derive(Debug)]
pub struct NewFinding {
    pub clause: ClauseNumber,
    pub grade: FindingGrade,
    pub description: String,
    pub due_on: Option<Date>,
}

pub fn create(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    audit_id: i64,
    new: &NewFinding,
    now: PrimitiveDateTime,
) -> Result<Finding, AppError> {
    // Who may record it is the use case's to say: the school's officer, or a member of the
    // panel whose site visit the audit is.
    let audit = audits::get(conn, access, audit_id)?;
    let id: i64 = diesel::insert_into(findings::table)
        .values((
            findings::audit_id.eq(audit_id),
            findings::school_id.eq(audit.school_id),
            findings::clause.eq(new.clause.as_str()),
            findings::grade.eq(new.grade.as_str()),
            findings::description.eq(&new.description),
            findings::due_on.eq(new.due_on),
            findings::status.eq(FindingStatus::Open),
            findings::created_at.eq(now),
            findings::updated_at.eq(now),
        ))
        .returning(findings::id)
        .get_result(conn)?;
    let finding = find(conn, id)?;
    journal.record(change(
        access,
        audit.school_id,
        Action::FindingCreate,
        id,
        None,
        json(&finding),
        now,
    ));
    Ok(finding)
}

fn find(conn: &mut DbConn, id: i64) -> Result<Finding, AppError> {
    let (row, action): (FindingRow, Option<CorrectiveAction>) = findings::table
        .left_join(corrective_actions::table)
        .filter(findings::id.eq(id))
        .select((
            FindingRow::as_select(),
            Option::<CorrectiveAction>::as_select(),
        ))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok(assemble(row, action))
}

pub fn get(conn: &mut DbConn, access: &Access, id: i64) -> Result<Finding, AppError> {
    let finding = find(conn, id)?;
    schools::get(conn, access, finding.school_id)?;
    Ok(finding)
}

/// The findings of an audit, by clause.
pub fn list_for_audit(
    conn: &mut DbConn,
    access: &Access,
    audit_id: i64,
) -> Result<Vec<Finding>, AppError> {
    audits::get(conn, access, audit_id)?;
    let rows: Vec<(FindingRow, Option<CorrectiveAction>)> = findings::table
        .left_join(corrective_actions::table)
        .filter(findings::audit_id.eq(audit_id))
        .order(findings::id.asc())
        .select((
            FindingRow::as_select(),
            Option::<CorrectiveAction>::as_select(),
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|(r, a)| assemble(r, a)).collect())
}

/// The open findings of a school (not closed or verified), most serious first.
pub fn open_for_school(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
) -> Result<Vec<Finding>, AppError> {
    schools::get(conn, access, school_id)?;
    let rows: Vec<(FindingRow, Option<CorrectiveAction>)> = findings::table
        .left_join(corrective_actions::table)
        .filter(findings::school_id.eq(school_id))
        .filter(findings::status.eq_any([
            FindingStatus::Open.as_str(),
            FindingStatus::ActionPlanned.as_str(),
        ]))
        .order((
            findings::grade.asc(),
            findings::due_on.asc(),
            findings::id.asc(),
        ))
        .select((
            FindingRow::as_select(),
            Option::<CorrectiveAction>::as_select(),
        ))
        .load(conn)?;
    let mut open: Vec<Finding> = rows.into_iter().map(|(r, a)| assemble(r, a)).collect();
    open.sort_by_key(|f| (f.grade, f.due_on, f.id));
    Ok(open)
}

/// A change to a finding: its text, its corrective action, its verification, its status.
/// Absent fields stay as they are.
#[derive(Debug, Default)]
pub struct FindingPatch {
    pub description: Option<String>,
    pub due_on: Option<Option<Date>>,
    pub status: Option<FindingStatus>,
    pub reopen_reason: Option<String>,
    pub root_cause: Option<String>,
    pub action: Option<String>,
    pub owner: Option<String>,
    pub action_due_on: Option<Date>,
    pub action_done_on: Option<Date>,
    pub verified_by: Option<String>,
    pub verified_on: Option<Date>,
    pub effective: Option<bool>,
    pub verification_note: Option<String>,
    pub version: Option<i64>,
}

impl FindingPatch {
    fn touches_action(&self) -> bool {
        self.root_cause.is_some()
            || self.action.is_some()
            || self.owner.is_some()
            || self.action_due_on.is_some()
            || self.action_done_on.is_some()
            || self.verified_by.is_some()
            || self.verified_on.is_some()
            || self.effective.is_some()
            || self.verification_note.is_some()
    }

    fn apply(&self, current: &CorrectiveAction) -> CorrectiveAction {
        let pick = |new: &Option<String>, old: &Option<String>| new.clone().or_else(|| old.clone());
        CorrectiveAction {
            finding_id: current.finding_id,
            root_cause: pick(&self.root_cause, &current.root_cause),
            action: pick(&self.action, &current.action),
            owner: pick(&self.owner, &current.owner),
            due_on: self.action_due_on.or(current.due_on),
            done_on: self.action_done_on.or(current.done_on),
            verified_by: pick(&self.verified_by, &current.verified_by),
            verified_on: self.verified_on.or(current.verified_on),
            effective: self.effective.or(current.effective),
            verification_note: pick(&self.verification_note, &current.verification_note),
        }
    }
}

pub fn update(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    id: i64,
    patch: &FindingPatch,
    now: PrimitiveDateTime,
) -> Result<Finding, AppError> {
    let before = get(conn, access, id)?;
    writable_school(conn, access, before.school_id)?;
    check_version(patch.version, before.version)?;
    let (grade, from) = (before.grade, before.status);
    let to = patch.status.unwrap_or(from);
    let current_action = before.corrective_action.clone().unwrap_or_default();
    let action = patch.apply(&current_action);
    let facts = FindingFacts {
        action_planned: action.root_cause.is_some()
            && action.action.is_some()
            && action.owner.is_some(),
        action_done: action.done_on.is_some(),
        verified_effective: action.effective == Some(true)
            && action.verified_by.is_some()
            && action.verified_on.is_some(),
        reopen_reason: patch
            .reopen_reason
            .as_ref()
            .is_some_and(|r| !r.trim().is_empty()),
    };
    finding_transition(grade, from, to, facts)
        .map_err(|(field, problem)| AppError::field(field, problem))?;
    if let (Some(done), Some(verified)) = (action.done_on, action.verified_on)
        && verified < done
    {
        return Err(AppError::field("verified_on", Msg::BeforeDone));
    }
    let reopened = to == FindingStatus::Open && from != FindingStatus::Open;
    let changed = diesel::update(
        findings::table
            .filter(findings::id.eq(id))
            .filter(findings::version.eq(before.version)),
    )
    .set((
        findings::description.eq(patch.description.as_ref().unwrap_or(&before.description)),
        findings::due_on.eq(patch.due_on.unwrap_or(before.due_on)),
        findings::status.eq(to),
        findings::reopen_reason.eq(if reopened {
            patch.reopen_reason.clone()
        } else {
            before.reopen_reason.clone()
        }),
        findings::version.eq(before.version + 1),
        findings::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(crate::store::schools::stale_version());
    }
    if patch.touches_action() {
        save_action(conn, id, &action, before.corrective_action.is_some(), now)?;
    }
    let after = find(conn, id)?;
    journal.record(change(
        access,
        after.school_id,
        Action::FindingUpdate,
        id,
        json(&before),
        json(&after),
        now,
    ));
    Ok(after)
}

fn save_action(
    conn: &mut DbConn,
    finding_id: i64,
    action: &CorrectiveAction,
    exists: bool,
    now: PrimitiveDateTime,
) -> Result<(), AppError> {
    let values = (
        corrective_actions::root_cause.eq(&action.root_cause),
        corrective_actions::action.eq(&action.action),
        corrective_actions::owner.eq(&action.owner),
        corrective_actions::due_on.eq(action.due_on),
        corrective_actions::done_on.eq(action.done_on),
        corrective_actions::verified_by.eq(&action.verified_by),
        corrective_actions::verified_on.eq(action.verified_on),
        corrective_actions::effective.eq(action.effective),
        corrective_actions::verification_note.eq(&action.verification_note),
        corrective_actions::updated_at.eq(now),
    );
    if exists {
        diesel::update(corrective_actions::table.find(finding_id))
            .set(values)
            .execute(conn)?;
    } else {
        diesel::insert_into(corrective_actions::table)
            .values((corrective_actions::finding_id.eq(finding_id), values))
            .execute(conn)?;
    }
    Ok(())
}

/// All findings of a school, newest first (for choosing one to close).
pub fn for_school(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
) -> Result<Vec<Finding>, AppError> {
    schools::get(conn, access, school_id)?;
    let rows: Vec<(FindingRow, Option<CorrectiveAction>)> = findings::table
        .left_join(corrective_actions::table)
        .filter(findings::school_id.eq(school_id))
        .order(findings::id.desc())
        .limit(500)
        .select((
            FindingRow::as_select(),
            Option::<CorrectiveAction>::as_select(),
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|(r, a)| assemble(r, a)).collect())
}
/// Marks a finding verified, on the approval of the submission that closed its corrective
/// action.
pub fn verify(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    school_id: i64,
    finding_id: i64,
    now: PrimitiveDateTime,
) -> Result<(), AppError> {
    diesel::update(findings::table.find(finding_id))
        .set((
            findings::status.eq(FindingStatus::Verified),
            findings::updated_at.eq(now),
            findings::version.eq(findings::version + 1),
        ))
        .execute(conn)?;
    journal.record(change(
        access,
        school_id,
        Action::FindingVerify,
        finding_id,
        None,
        json(&FindingStatus::Verified.as_str()),
        now,
    ));
    Ok(())
}

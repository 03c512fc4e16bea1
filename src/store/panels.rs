//! The expert panel of an evaluation (`panel_members`), each member's scores
//! (`expert_scores`), the consensus the lead sets (`consensus_scores`), and the conflicts of
//! interest experts and reviewers declare (`declared_conflicts`). The rules of who may
//! write what are the use cases' (`app::panels`); this file reads and writes the rows.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;
use time::{Date, PrimitiveDateTime};

use crate::db::schema::{
    consensus_scores, declared_conflicts, expert_scores, panel_members, submission_events,
    submissions, users,
};
use crate::db::{DbConn, natively};
use crate::domain::Role;
use crate::domain::access::Access;
use crate::domain::history::{Action, Journal};
use crate::domain::standard::Points;
use crate::error::{AppError, Msg};
use crate::store::record::change;
use crate::store::submissions::Submission;

/// A member of a panel as others see them.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PanelMember {
    pub user_id: i64,
    pub name: String,
    pub role: Role,
    /// the panel's lead (组长), who sets the consensus
    pub lead: bool,
    /// has sealed their sheet: their scores are final
    pub sealed: bool,
    #[serde(serialize_with = "crate::clock::serialize_opt_timestamp")]
    #[schema(value_type = Option<String>)]
    pub sealed_at: Option<PrimitiveDateTime>,
}

/// The panel of a submission.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Panel {
    pub submission_id: i64,
    pub lead_id: Option<i64>,
    pub members: Vec<PanelMember>,
    /// every member has sealed: the lead may set the consensus
    pub all_sealed: bool,
}

/// The panel of a submission (no members when none was formed).
pub fn panel(conn: &mut DbConn, submission_id: i64) -> Result<Panel, AppError> {
    let rows: Vec<(i64, String, String, bool, Option<PrimitiveDateTime>)> = panel_members::table
        .inner_join(users::table.on(users::id.eq(panel_members::user_id)))
        .filter(panel_members::submission_id.eq(submission_id))
        .order((panel_members::position.asc(), panel_members::user_id.asc()))
        .select((
            panel_members::user_id,
            users::name,
            users::role,
            panel_members::lead,
            panel_members::sealed_at,
        ))
        .load(conn)?;
    let members: Vec<PanelMember> = rows
        .into_iter()
        .map(|(user_id, name, role, lead, sealed_at)| PanelMember {
            user_id,
            name,
            role: Role::parse(&role).unwrap_or(Role::Reviewer),
            lead,
            sealed: sealed_at.is_some(),
            sealed_at,
        })
        .collect();
    Ok(Panel {
        submission_id,
        lead_id: members.iter().find(|m| m.lead).map(|m| m.user_id),
        all_sealed: !members.is_empty() && members.iter().all(|m| m.sealed),
        members,
    })
}

/// The submissions (and their schools) on whose panels a user sits.
pub fn memberships(conn: &mut DbConn, user_id: i64) -> Result<Vec<(i64, i64)>, AppError> {
    // In every signed-in request of an expert: on the backend's own connection.
    Ok(natively!(conn, |c| panel_members::table
        .inner_join(submissions::table.on(submissions::id.eq(panel_members::submission_id)))
        .filter(panel_members::user_id.eq(user_id))
        .select((panel_members::submission_id, submissions::school_id))
        .load(c))?)
}

/// A candidate for a panel as the store knows them: role, province, home school, active,
/// end of appointment, name.
#[derive(Clone, Debug)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub province_id: Option<i64>,
    pub school_id: Option<i64>,
    pub active: bool,
    pub valid_until: Option<Date>,
}

/// The accounts among `ids` (those that exist).
pub fn people(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<Person>, AppError> {
    type Row = (
        i64,
        String,
        String,
        Option<i64>,
        Option<i64>,
        bool,
        Option<Date>,
    );
    let rows: Vec<Row> = users::table
        .filter(users::id.eq_any(ids))
        .select((
            users::id,
            users::name,
            users::role,
            users::province_id,
            users::school_id,
            users::active,
            users::valid_until,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(
            |(id, name, role, province_id, school_id, active, valid_until)| {
                Some(Person {
                    id,
                    name,
                    role: Role::parse(&role).ok()?,
                    province_id,
                    school_id,
                    active,
                    valid_until,
                })
            },
        )
        .collect())
}

/// Who may sit on a province's panels today: its active experts in office and reviewers,
/// by name.
pub fn candidates(
    conn: &mut DbConn,
    province_id: i64,
    today: Date,
) -> Result<Vec<Person>, AppError> {
    let ids: Vec<i64> = users::table
        .filter(users::province_id.eq(province_id))
        .filter(users::role.eq_any([Role::Expert, Role::Reviewer]))
        .filter(users::active.eq(true))
        .filter(
            users::valid_until
                .is_null()
                .or(users::valid_until.ge(today)),
        )
        .select(users::id)
        .load(conn)?;
    let mut found = people(conn, &ids)?;
    found.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(found)
}

/// Those who prepared or handed in a submission.
pub fn submitters(conn: &mut DbConn, submission: &Submission) -> Result<Vec<i64>, AppError> {
    let mut ids: Vec<i64> = submission_events::table
        .filter(submission_events::submission_id.eq(submission.id))
        .filter(submission_events::action.eq("submit"))
        .select(submission_events::actor_id)
        .load::<Option<i64>>(conn)?
        .into_iter()
        .flatten()
        .collect();
    ids.extend(submission.created_by);
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The users who declared a conflict with a school.
pub fn declared_against(conn: &mut DbConn, school_id: i64) -> Result<Vec<i64>, AppError> {
    Ok(declared_conflicts::table
        .filter(declared_conflicts::school_id.eq(school_id))
        .select(declared_conflicts::user_id)
        .load(conn)?)
}

/// Has anyone set a consensus score of the submission yet?
pub fn consensus_begun(conn: &mut DbConn, submission_id: i64) -> Result<bool, AppError> {
    let n: i64 = consensus_scores::table
        .filter(consensus_scores::submission_id.eq(submission_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Puts the panel in place: `lead` and `members` (in order), keeping the sheets of those
/// who stay and removing those of the others at once.
pub fn replace(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    submission: &Submission,
    lead: i64,
    members: &[i64],
    now: PrimitiveDateTime,
) -> Result<Panel, AppError> {
    let before = panel(conn, submission.id)?;
    let mut everyone = vec![lead];
    everyone.extend(members.iter().copied().filter(|m| *m != lead));
    let leaving: Vec<i64> = before
        .members
        .iter()
        .map(|m| m.user_id)
        .filter(|id| !everyone.contains(id))
        .collect();
    diesel::delete(
        expert_scores::table
            .filter(expert_scores::submission_id.eq(submission.id))
            .filter(expert_scores::user_id.eq_any(&leaving)),
    )
    .execute(conn)?;
    diesel::delete(
        panel_members::table
            .filter(panel_members::submission_id.eq(submission.id))
            .filter(panel_members::user_id.eq_any(&leaving)),
    )
    .execute(conn)?;
    for (position, user) in everyone.iter().enumerate() {
        let position = i32::try_from(position).unwrap_or(i32::MAX);
        let updated = diesel::update(panel_members::table.find((submission.id, *user)))
            .set((
                panel_members::lead.eq(*user == lead),
                panel_members::position.eq(position),
            ))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(panel_members::table)
                .values((
                    panel_members::submission_id.eq(submission.id),
                    panel_members::user_id.eq(*user),
                    panel_members::lead.eq(*user == lead),
                    panel_members::position.eq(position),
                    panel_members::added_at.eq(now),
                ))
                .execute(conn)?;
        }
    }
    let after = panel(conn, submission.id)?;
    let shape = |p: &Panel| {
        serde_json::json!({"lead_id": p.lead_id,
            "member_ids": p.members.iter().map(|m| m.user_id).collect::<Vec<_>>()})
    };
    journal.record(change(
        access,
        submission.school_id,
        Action::PanelForm,
        submission.id,
        (!before.members.is_empty()).then(|| shape(&before)),
        Some(shape(&after)),
        now,
    ));
    Ok(after)
}

/// One member's word on one item.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ExpertScore {
    pub score: Option<Points>,
    pub met: Option<bool>,
    pub comment: Option<String>,
}

/// Every member's scores of a submission: by member, by item.
pub fn scores(
    conn: &mut DbConn,
    submission_id: i64,
) -> Result<HashMap<i64, HashMap<String, ExpertScore>>, AppError> {
    type Row = (i64, String, Option<i32>, Option<bool>, Option<String>);
    let rows: Vec<Row> = expert_scores::table
        .filter(expert_scores::submission_id.eq(submission_id))
        .select((
            expert_scores::user_id,
            expert_scores::ref_,
            expert_scores::half_points,
            expert_scores::met,
            expert_scores::comment,
        ))
        .load(conn)?;
    let mut by_member: HashMap<i64, HashMap<String, ExpertScore>> = HashMap::new();
    for (user, reference, halves, met, comment) in rows {
        by_member.entry(user).or_default().insert(
            reference,
            ExpertScore {
                score: halves.map(half_points),
                met,
                comment,
            },
        );
    }
    Ok(by_member)
}

fn half_points(halves: i32) -> Points {
    Points::from_halves(u32::try_from(halves).unwrap_or(0))
}

fn stored(points: Option<Points>) -> Option<i32> {
    points.map(|p| i32::try_from(p.halves()).unwrap_or(i32::MAX))
}

/// Keeps a member's score of an item (as the use case settled it).
#[allow(clippy::too_many_arguments)]
pub fn put_score(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    submission: &Submission,
    reference: &str,
    before: Option<&ExpertScore>,
    score: &ExpertScore,
    now: PrimitiveDateTime,
) -> Result<(), AppError> {
    let user = access.user_id;
    let updated =
        diesel::update(expert_scores::table.find((submission.id, user, reference.to_owned())))
            .set((
                expert_scores::half_points.eq(stored(score.score)),
                expert_scores::met.eq(score.met),
                expert_scores::comment.eq(&score.comment),
                expert_scores::updated_at.eq(now),
            ))
            .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(expert_scores::table)
            .values((
                expert_scores::submission_id.eq(submission.id),
                expert_scores::user_id.eq(user),
                expert_scores::ref_.eq(reference),
                expert_scores::half_points.eq(stored(score.score)),
                expert_scores::met.eq(score.met),
                expert_scores::comment.eq(&score.comment),
                expert_scores::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    let shape = |s: &ExpertScore| {
        serde_json::json!({"ref": reference, "expert_id": user, "score": s.score, "met": s.met,
            "comment": s.comment})
    };
    journal.record(change(
        access,
        submission.school_id,
        Action::PanelScore,
        submission.id,
        before.map(shape),
        Some(shape(score)),
        now,
    ));
    Ok(())
}

/// Seals the asker's sheet, once: 409 `scores_sealed` when it already is (also when two
/// requests race: the row is changed only while unsealed).
pub fn seal(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    submission: &Submission,
    now: PrimitiveDateTime,
) -> Result<(), AppError> {
    let sealed = diesel::update(
        panel_members::table
            .find((submission.id, access.user_id))
            .filter(panel_members::sealed_at.is_null()),
    )
    .set(panel_members::sealed_at.eq(now))
    .execute(conn)?;
    if sealed == 0 {
        return Err(AppError::conflict_of(Msg::ScoresSealed));
    }
    journal.record(change(
        access,
        submission.school_id,
        Action::PanelSeal,
        submission.id,
        None,
        Some(serde_json::json!({"expert_id": access.user_id})),
        now,
    ));
    Ok(())
}

/// The consensus of a submission's items: score, met, note.
pub fn consensus(
    conn: &mut DbConn,
    submission_id: i64,
) -> Result<HashMap<String, ExpertScore>, AppError> {
    type Row = (String, Option<i32>, Option<bool>, Option<String>);
    let rows: Vec<Row> = consensus_scores::table
        .filter(consensus_scores::submission_id.eq(submission_id))
        .select((
            consensus_scores::ref_,
            consensus_scores::half_points,
            consensus_scores::met,
            consensus_scores::note,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(reference, halves, met, note)| {
            (
                reference,
                ExpertScore {
                    score: halves.map(half_points),
                    met,
                    comment: note,
                },
            )
        })
        .collect())
}

/// Keeps the consensus of an item (as the use case settled it).
#[allow(clippy::too_many_arguments)]
pub fn put_consensus(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    submission: &Submission,
    reference: &str,
    before: Option<&ExpertScore>,
    agreed: &ExpertScore,
    now: PrimitiveDateTime,
) -> Result<(), AppError> {
    let updated =
        diesel::update(consensus_scores::table.find((submission.id, reference.to_owned())))
            .set((
                consensus_scores::half_points.eq(stored(agreed.score)),
                consensus_scores::met.eq(agreed.met),
                consensus_scores::note.eq(&agreed.comment),
                consensus_scores::set_by.eq(access.actor_id()),
                consensus_scores::updated_at.eq(now),
            ))
            .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(consensus_scores::table)
            .values((
                consensus_scores::submission_id.eq(submission.id),
                consensus_scores::ref_.eq(reference),
                consensus_scores::half_points.eq(stored(agreed.score)),
                consensus_scores::met.eq(agreed.met),
                consensus_scores::note.eq(&agreed.comment),
                consensus_scores::set_by.eq(access.actor_id()),
                consensus_scores::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    let shape = |s: &ExpertScore| serde_json::json!({"ref": reference, "score": s.score, "met": s.met, "note": s.comment});
    journal.record(change(
        access,
        submission.school_id,
        Action::PanelConsensus,
        submission.id,
        before.map(shape),
        Some(shape(agreed)),
        now,
    ));
    Ok(())
}

/// A conflict of interest as its declarer sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DeclaredConflict {
    pub id: i64,
    pub school_id: i64,
    pub school_name: String,
    pub reason: String,
    #[serde(serialize_with = "crate::clock::serialize_timestamp")]
    #[schema(value_type = String)]
    pub created_at: PrimitiveDateTime,
}

/// One's own declared conflicts, newest first.
pub fn declared_by(conn: &mut DbConn, user_id: i64) -> Result<Vec<DeclaredConflict>, AppError> {
    use crate::db::schema::schools;
    let rows: Vec<(i64, i64, String, String, PrimitiveDateTime)> = declared_conflicts::table
        .inner_join(schools::table.on(schools::id.eq(declared_conflicts::school_id)))
        .filter(declared_conflicts::user_id.eq(user_id))
        .order(declared_conflicts::id.desc())
        .select((
            declared_conflicts::id,
            declared_conflicts::school_id,
            schools::name,
            declared_conflicts::reason,
            declared_conflicts::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, school_id, school_name, reason, created_at)| DeclaredConflict {
                id,
                school_id,
                school_name,
                reason,
                created_at,
            },
        )
        .collect())
}

/// Declares a conflict with a school (any school: one need not see it to know one is
/// conflicted). A second declaration for the same school replaces the reason.
pub fn declare(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    reason: &str,
    now: PrimitiveDateTime,
) -> Result<DeclaredConflict, AppError> {
    let updated = diesel::update(
        declared_conflicts::table
            .filter(declared_conflicts::user_id.eq(access.user_id))
            .filter(declared_conflicts::school_id.eq(school_id)),
    )
    .set(declared_conflicts::reason.eq(reason))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(declared_conflicts::table)
            .values((
                declared_conflicts::user_id.eq(access.user_id),
                declared_conflicts::school_id.eq(school_id),
                declared_conflicts::reason.eq(reason),
                declared_conflicts::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    declared_by(conn, access.user_id)?
        .into_iter()
        .find(|c| c.school_id == school_id)
        .ok_or(AppError::NotFound)
}

//! The expert panel of an evaluation: formed by the province admin while the submission is
//! with the province (members checked for conflicts of interest), each member's blind
//! scores and seal, the lead's consensus, and the conflicts people declare themselves.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use time::{Date, PrimitiveDateTime};

use crate::app::input::Input;
use crate::app::schools::nullable;
use crate::db::DbConn;
use crate::domain::Role;
use crate::domain::access::Access;
use crate::domain::panel::{self, Candidate, Conflict, ConflictFacts};
use crate::domain::standard::Points;
use crate::domain::text;
use crate::domain::workflow::SubmissionStatus;
use crate::error::{AppError, FieldErrors, Msg, Validator};
use crate::store::evaluations::{self, EvaluatedCriterion, Evaluation};
use crate::store::panels::{self, DeclaredConflict, ExpertScore, Panel};
use crate::store::submissions::{self, Submission};
use crate::store::{grants, schools};

/// Most people on one panel.
pub const MAX_PANEL: usize = 15;

/// `{lead_id, member_ids}`: the panel's lead (组长) and its members; the lead scores too.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PanelInput {
    pub lead_id: i64,
    #[serde(default)]
    pub member_ids: Vec<i64>,
}

/// One member's score of one item; what is left out stays, `null` clears it.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    /// a scored item: steps of 0.5, up to its points
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 10000, multiple_of = 0.5)]
    pub score: Option<Option<f64>>,
    /// a veto item: met or not
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<bool>)]
    pub met: Option<Option<bool>>,
    /// the reason for a deduction (扣分原因): needed below full points or when not met
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    pub comment: Option<Option<String>>,
}

/// The lead's consensus (合议分) of one item.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsensusInput {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 10000, multiple_of = 0.5)]
    pub score: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<bool>)]
    pub met: Option<Option<bool>>,
    /// why the consensus departs from the median of the sealed scores
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    pub note: Option<Option<String>>,
}

/// `{school_id, reason}`: a conflict of interest one declares oneself.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictInput {
    pub school_id: i64,
    #[schema(schema_with = crate::app::schema::long_text)]
    pub reason: String,
}

/// A change to one item's score as said: each field left out, cleared or given.
struct Said {
    score: Option<Option<Points>>,
    met: Option<Option<bool>>,
    words: Option<Option<String>>,
}

impl Said {
    fn parse(
        score: Option<Option<f64>>,
        met: Option<Option<bool>>,
        words: &Option<Option<String>>,
        words_field: &str,
    ) -> Result<Said, AppError> {
        let mut v = Validator::new();
        let score = match score {
            None => None,
            Some(None) => Some(None),
            Some(Some(raw)) => v.check("score", Points::parse(raw)).map(Some),
        };
        let words = match words {
            None => None,
            Some(None) => Some(None),
            Some(Some(raw)) => v.check(words_field, text::optional(Some(raw), text::LONG)),
        };
        v.finish()?;
        Ok(Said { score, met, words })
    }

    /// What the item holds once this is applied to `before`.
    fn over(&self, before: Option<&ExpertScore>) -> ExpertScore {
        let before = before.cloned().unwrap_or_default();
        ExpertScore {
            score: self.score.unwrap_or(before.score),
            met: self.met.unwrap_or(before.met),
            comment: self.words.clone().unwrap_or(before.comment),
        }
    }
}

/// The refusals every score of an item shares: a group has none, a veto item takes `met`
/// only, a scored item `score` only and up to its points.
fn check_item(criterion: &EvaluatedCriterion, said: &Said, fields: &mut FieldErrors) {
    let c = &criterion.criterion;
    if !c.leaf {
        fields.insert("ref".into(), Msg::GroupNotScored);
    } else if c.veto {
        if let Some(Some(_)) = said.score {
            fields.insert("score".into(), Msg::VetoNoPoints);
        }
    } else {
        if let Some(Some(_)) = said.met {
            fields.insert("met".into(), Msg::MetOnlyForVeto);
        }
        if let (Some(Some(score)), Some(max)) = (said.score, c.max_points)
            && score > max
        {
            fields.insert("score".into(), Msg::AtMost { max: max.text() });
        }
    }
}

/// The submission as the asker sees it (404 otherwise), with its panel and the asker's
/// seat on it.
fn seated(
    conn: &mut DbConn,
    access: &Access,
    submission_id: i64,
) -> Result<(Submission, Panel), AppError> {
    let submission = submissions::get(conn, access, submission_id)?.submission;
    let panel = panels::panel(conn, submission.id)?;
    Ok((submission, panel))
}

/// The asker's sheet, if it may still change: the submission, its evaluation as the asker
/// sees it and their scores so far. 403 off the panel, 409 when the submission has left the
/// province's hands or the sheet is sealed.
fn open_sheet(
    conn: &mut DbConn,
    access: &Access,
    submission_id: i64,
) -> Result<(Submission, Evaluation, HashMap<String, ExpertScore>), AppError> {
    // The history's lock first (as every writer takes it, only later): scores and seals of
    // one panel then happen one after another, so a score never lands after its sheet's seal
    // and exactly one seal is the last, the one that tells the panel.
    crate::store::history::lock(conn)?;
    let (submission, panel) = seated(conn, access, submission_id)?;
    let evaluation = evaluations::get(conn, access, submission.id)?;
    let seat = panel
        .members
        .iter()
        .find(|m| m.user_id == access.user_id)
        .ok_or(AppError::Forbidden)?;
    while_submitted(&submission)?;
    if seat.sealed {
        return Err(AppError::conflict_of(Msg::ScoresSealed));
    }
    let own = panels::scores(conn, submission.id)?
        .remove(&access.user_id)
        .unwrap_or_default();
    Ok((submission, evaluation, own))
}

/// Scoring and agreeing happen while the submission is with the province.
fn while_submitted(submission: &Submission) -> Result<(), AppError> {
    if submission.status == SubmissionStatus::Submitted {
        Ok(())
    } else {
        Err(AppError::conflict_of(Msg::EvaluationLocked {
            status: submission.status.as_str().to_owned(),
        }))
    }
}

fn criterion<'a>(
    evaluation: &'a Evaluation,
    reference: &str,
) -> Result<&'a EvaluatedCriterion, AppError> {
    evaluation
        .criteria
        .iter()
        .find(|c| c.criterion.reference == reference)
        .ok_or(AppError::NotFound)
}

/// The panel of a submission: the province's staff and the panel's members read it.
pub fn get(conn: &mut DbConn, access: &Access, submission_id: i64) -> Result<Panel, AppError> {
    let (submission, panel) = seated(conn, access, submission_id)?;
    evaluations::get(conn, access, submission.id)?;
    let province = schools::get(conn, access, submission.school_id)?.province_id;
    let member = panel.members.iter().any(|m| m.user_id == access.user_id);
    Access::require(member || access.reviews_province(province))?;
    Ok(panel)
}

/// Forms (or re-forms) the panel of a submitted application: the province admin of the
/// school's province. Every member must be an expert or reviewer of that province, in
/// office, without a conflict of interest with the school (422 `conflict_of_interest`
/// naming each one and why).
pub fn form(
    conn: &mut DbConn,
    access: &Access,
    submission_id: i64,
    input: &impl Input<PanelInput>,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<Panel, AppError> {
    super::write(conn, access, |conn, journal| {
        let (submission, before) = seated(conn, access, submission_id)?;
        let school = schools::get(conn, access, submission.school_id)?;
        Access::require(access.administers_province(school.province_id))?;
        evaluations::get(conn, access, submission.id)?;
        if submission.status != SubmissionStatus::Submitted {
            return Err(AppError::conflict_of(Msg::PanelNotOpen {
                status: submission.status.as_str().to_owned(),
            }));
        }
        if panels::consensus_begun(conn, submission.id)? {
            return Err(AppError::conflict_of(Msg::ConsensusBegun));
        }
        let input = input.read()?;
        let mut seats: Vec<(String, i64)> = vec![("lead_id".into(), input.lead_id)];
        seats.extend(
            input
                .member_ids
                .iter()
                .enumerate()
                .map(|(i, id)| (format!("member_ids[{i}]"), *id)),
        );
        let ids: Vec<i64> = seats.iter().map(|(_, id)| *id).collect();
        let people: HashMap<i64, panels::Person> = panels::people(conn, &ids)?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let facts = ConflictFacts {
            school_id: school.id,
            consulting: grants::related_schools(conn, school.id, panel::consulting_since(today))?
                .into_iter()
                .collect(),
            submitters: panels::submitters(conn, &submission)?.into_iter().collect(),
            declared: panels::declared_against(conn, school.id)?
                .into_iter()
                .collect(),
        };
        let mut fields = FieldErrors::new();
        let mut conflicted = FieldErrors::new();
        let mut seen = HashSet::new();
        for (field, id) in &seats {
            // The lead may be listed among the members too: the same seat.
            if field.starts_with("member_ids") && *id == input.lead_id {
                continue;
            }
            if !seen.insert(*id) {
                fields.insert(field.clone(), Msg::DuplicateMember);
                continue;
            }
            let Some(person) = people.get(id) else {
                fields.insert(field.clone(), Msg::NoSuchPanelist);
                continue;
            };
            let eligible = person.active
                && matches!(person.role, Role::Expert | Role::Reviewer)
                && person.province_id == Some(school.province_id);
            if !eligible {
                fields.insert(field.clone(), Msg::NoSuchPanelist);
                continue;
            }
            if let Some(until) = person.valid_until
                && until < today
            {
                fields.insert(
                    field.clone(),
                    Msg::AppointmentEnded {
                        on: until.to_string(),
                    },
                );
                continue;
            }
            let found = panel::conflicts(
                Candidate {
                    user_id: person.id,
                    home_school: person.school_id,
                },
                &facts,
            );
            if let Some(first) = found.first() {
                conflicted.insert(field.clone(), conflict_message(*first));
            }
        }
        if seen.len() > MAX_PANEL {
            fields.insert("member_ids".into(), Msg::PanelTooLarge { max: MAX_PANEL });
        }
        if !fields.is_empty() {
            return Err(AppError::Validation(fields));
        }
        if !conflicted.is_empty() {
            return Err(AppError::Refused {
                code: "conflict_of_interest",
                message: Msg::ConflictOfInterest,
                fields: conflicted,
            });
        }
        let panel = panels::replace(
            conn,
            journal,
            access,
            &submission,
            input.lead_id,
            &input.member_ids,
            now,
        )?;
        let newcomers: Vec<i64> = panel
            .members
            .iter()
            .map(|m| m.user_id)
            .filter(|id| !before.members.iter().any(|m| m.user_id == *id))
            .collect();
        submissions::tell(conn, &newcomers, &submission, "panel_appointed", now)?;
        Ok(panel)
    })
}

fn conflict_message(conflict: Conflict) -> Msg {
    match conflict {
        Conflict::OwnSchool => Msg::ConflictOwnSchool,
        Conflict::Consulting => Msg::ConflictConsulting {
            years: panel::CONSULTING_YEARS,
        },
        Conflict::Submitter => Msg::ConflictSubmitter,
        Conflict::Declared => Msg::ConflictDeclared,
    }
}

/// A member's score of one item, until they seal: a score below the item's points, or a
/// veto item not met, needs its reason (`comment`).
pub fn score(
    conn: &mut DbConn,
    access: &Access,
    submission_id: i64,
    reference: &str,
    input: &impl Input<ScoreInput>,
    now: PrimitiveDateTime,
) -> Result<Evaluation, AppError> {
    super::write(conn, access, |conn, journal| {
        let (submission, evaluation, own) = open_sheet(conn, access, submission_id)?;
        let item = criterion(&evaluation, reference)?;
        let input = input.read()?;
        let said = Said::parse(input.score, input.met, &input.comment, "comment")?;
        let mut fields = FieldErrors::new();
        check_item(item, &said, &mut fields);
        let before = own.get(reference);
        let after = said.over(before);
        let short = match (item.criterion.veto, item.criterion.max_points) {
            (true, _) => after.met == Some(false),
            (false, Some(max)) => after.score.is_some_and(|s| s < max),
            (false, None) => false,
        };
        if fields.is_empty() && short && after.comment.is_none() {
            fields.insert("comment".into(), Msg::DeductionNeedsReason);
        }
        if !fields.is_empty() {
            return Err(AppError::Validation(fields));
        }
        panels::put_score(
            conn,
            journal,
            access,
            &submission,
            reference,
            before,
            &after,
            now,
        )?;
        evaluations::get(conn, access, submission.id)
    })
}

/// Seals the asker's sheet: 409 `evaluation_incomplete` naming each item still unscored,
/// 409 `scores_sealed` when already sealed. The last seal tells the panel.
pub fn seal(
    conn: &mut DbConn,
    access: &Access,
    submission_id: i64,
    now: PrimitiveDateTime,
) -> Result<Evaluation, AppError> {
    super::write(conn, access, |conn, journal| {
        let (submission, evaluation, own) = open_sheet(conn, access, submission_id)?;
        let open: FieldErrors = evaluation
            .criteria
            .iter()
            .filter(|c| c.criterion.leaf)
            .filter(|c| {
                let said = own.get(&c.criterion.reference);
                if c.criterion.veto {
                    said.and_then(|s| s.met).is_none()
                } else {
                    said.and_then(|s| s.score).is_none()
                }
            })
            .map(|c| (c.criterion.reference.clone(), Msg::NotScored))
            .collect();
        if !open.is_empty() {
            return Err(AppError::ConflictOver {
                code: "evaluation_incomplete",
                message: Msg::EvaluationIncomplete,
                fields: open,
            });
        }
        panels::seal(conn, journal, access, &submission, now)?;
        let after = panels::panel(conn, submission.id)?;
        if after.all_sealed {
            let everyone: Vec<i64> = after.members.iter().map(|m| m.user_id).collect();
            submissions::tell(conn, &everyone, &submission, "panel_sealed", now)?;
        }
        evaluations::get(conn, access, submission.id)
    })
}

/// The lead's consensus of one item, once every member has sealed: a score outside the
/// median of the sealed scores (or a veto judgement against the majority) needs a note.
pub fn consensus(
    conn: &mut DbConn,
    access: &Access,
    submission_id: i64,
    reference: &str,
    input: &impl Input<ConsensusInput>,
    now: PrimitiveDateTime,
) -> Result<Evaluation, AppError> {
    super::write(conn, access, |conn, journal| {
        let (submission, panel) = seated(conn, access, submission_id)?;
        let evaluation = evaluations::get(conn, access, submission.id)?;
        Access::require(panel.lead_id == Some(access.user_id))?;
        while_submitted(&submission)?;
        if !panel.all_sealed {
            return Err(AppError::conflict_of(Msg::PanelNotSealed));
        }
        let item = criterion(&evaluation, reference)?;
        let input = input.read()?;
        let said = Said::parse(input.score, input.met, &input.note, "note")?;
        let mut fields = FieldErrors::new();
        check_item(item, &said, &mut fields);
        let all = panels::scores(conn, submission.id)?;
        let sheets: Vec<&ExpertScore> = all.values().filter_map(|s| s.get(reference)).collect();
        let agreed = panels::consensus(conn, submission.id)?;
        let before = agreed.get(reference);
        let after = said.over(before);
        let departs = if item.criterion.veto {
            let judged: Vec<bool> = sheets.iter().filter_map(|s| s.met).collect();
            after
                .met
                .is_some_and(|m| panel::majority(&judged) != Some(m))
        } else {
            let scored: Vec<Points> = sheets.iter().filter_map(|s| s.score).collect();
            match (after.score, panel::median(&scored)) {
                (Some(score), Some(median)) => median.departs(score),
                _ => false,
            }
        };
        if fields.is_empty() && departs && after.comment.is_none() {
            fields.insert("note".into(), Msg::DepartureNeedsNote);
        }
        if !fields.is_empty() {
            return Err(AppError::Validation(fields));
        }
        panels::put_consensus(
            conn,
            journal,
            access,
            &submission,
            reference,
            before,
            &after,
            now,
        )?;
        evaluations::get(conn, access, submission.id)
    })
}

/// `{started_on, ended_on?, scope?}`: the site visit (现场评估) the province schedules.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteVisitInput {
    #[schema(value_type = String, format = Date)]
    pub started_on: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub ended_on: Option<String>,
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    pub scope: Option<String>,
}

/// Schedules the site visit of an application with the province (its province admin): an
/// audit of kind `provincial_inspection` of the school, linked to the submission, led by
/// the panel's lead; the panel's members record its findings.
pub fn site_visit(
    conn: &mut DbConn,
    access: &Access,
    submission_id: i64,
    input: &impl Input<SiteVisitInput>,
    now: PrimitiveDateTime,
) -> Result<crate::store::audits::Audit, AppError> {
    use crate::domain::dates::parse_date;
    use crate::domain::quality::AuditKind;
    super::write(conn, access, |conn, journal| {
        let (submission, panel) = seated(conn, access, submission_id)?;
        let school = schools::get(conn, access, submission.school_id)?;
        Access::require(access.administers_province(school.province_id))?;
        let evaluation = evaluations::get(conn, access, submission.id)?;
        if !matches!(
            submission.status,
            SubmissionStatus::Submitted | SubmissionStatus::Recommended
        ) {
            return Err(AppError::conflict_of(Msg::EvaluationLocked {
                status: submission.status.as_str().to_owned(),
            }));
        }
        let mut v = Validator::new();
        let input = input.read()?;
        let started_on = v.check("started_on", parse_date(&input.started_on));
        let ended_on = v.check_opt("ended_on", input.ended_on.as_deref(), parse_date);
        let scope = v.check("scope", text::optional(input.scope.as_deref(), text::LONG));
        if let (Some(start), Some(Some(end))) = (started_on, ended_on)
            && end < start
        {
            v.fail("ended_on", Msg::BeforeStart);
        }
        v.finish()?;
        let province = crate::store::provinces::get(conn, school.province_id)?;
        let fields = crate::store::audits::AuditFields {
            kind: AuditKind::ProvincialInspection,
            standard: format!(
                "{} v{}",
                evaluation
                    .standard
                    .name_zh
                    .as_deref()
                    .unwrap_or(&evaluation.standard.name),
                evaluation.standard.version
            ),
            started_on: started_on.unwrap_or(now.date()),
            ended_on: ended_on.flatten(),
            lead_auditor: panel
                .members
                .iter()
                .find(|m| m.lead)
                .map(|m| m.name.clone()),
            auditing_body: Some(format!(
                "{}评估专家组",
                province.name_zh.as_deref().unwrap_or(&province.name)
            )),
            scope: scope.flatten(),
            summary: Some(format!("现场评估：{}", submission.title)),
        };
        crate::store::audits::create_site_visit(
            conn,
            journal,
            access,
            school.id,
            submission.id,
            &fields,
            now,
        )
    })
}

/// What the asker may do with a submission's panel, and what they see of it, for its page:
/// the same rules as the use cases above.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct PanelRights {
    /// the panel, for the province's staff and its members (none for others)
    pub panel: Option<Panel>,
    /// the asker sits on it: (lead, sealed)
    pub seat: Option<(bool, bool)>,
    pub form: bool,
    /// the asker's sheet is open: they score its items and seal it
    pub score: bool,
    pub agree: bool,
    pub visit: bool,
    /// who may be put on the panel: the province's experts in office and reviewers
    pub candidates: Vec<(i64, String, Role)>,
    /// the asker's own sheet, by item
    pub mine: HashMap<String, ExpertScore>,
    /// where the consensus of each item starts: the median (or the majority of a veto
    /// item), for the lead
    pub start: HashMap<String, String>,
}

/// The asker's rights on a submission's panel (an empty answer when it has no evaluation).
pub fn rights(
    conn: &mut DbConn,
    access: &Access,
    submission: &Submission,
    evaluation: &Evaluation,
    today: Date,
) -> Result<PanelRights, AppError> {
    let panel = panels::panel(conn, submission.id)?;
    let school = schools::get(conn, access, submission.school_id)?;
    let seat = panel
        .members
        .iter()
        .find(|m| m.user_id == access.user_id)
        .map(|m| (m.lead, m.sealed));
    let staff = access.reviews_province(school.province_id);
    if seat.is_none() && !staff {
        return Ok(PanelRights::default());
    }
    let submitted = submission.status == SubmissionStatus::Submitted;
    let heads = access.administers_province(school.province_id);
    let form = heads && submitted && !panels::consensus_begun(conn, submission.id)?;
    let candidates = if form {
        panels::candidates(conn, school.province_id, today)?
            .into_iter()
            .map(|p| (p.id, p.name, p.role))
            .collect()
    } else {
        Vec::new()
    };
    let sealed = seat.is_some_and(|(_, s)| s);
    let mut mine = if seat.is_some() {
        panels::scores(conn, submission.id)?
            .remove(&access.user_id)
            .unwrap_or_default()
    } else {
        HashMap::new()
    };
    // Every item has an entry, so that its page finds one.
    for c in evaluation.criteria.iter().filter(|c| c.criterion.leaf) {
        mine.entry(c.criterion.reference.clone()).or_default();
    }
    let agree = submitted && panel.all_sealed && seat.is_some_and(|(lead, _)| lead);
    let mut start = HashMap::new();
    if agree {
        for c in evaluation.criteria.iter().filter(|c| c.criterion.leaf) {
            let said = if c.criterion.veto {
                let judged: Vec<bool> = c.scores.iter().filter_map(|s| s.met).collect();
                panel::majority(&judged).map(|m| m.to_string())
            } else {
                let scored: Vec<Points> = c.scores.iter().filter_map(|s| s.score).collect();
                panel::median(&scored).map(|m| m.start().text())
            };
            start.insert(c.criterion.reference.clone(), said.unwrap_or_default());
        }
    }
    Ok(PanelRights {
        seat,
        form,
        score: submitted && seat.is_some() && !sealed,
        agree,
        visit: heads
            && matches!(
                submission.status,
                SubmissionStatus::Submitted | SubmissionStatus::Recommended
            ),
        candidates,
        mine,
        start,
        panel: Some(panel),
    })
}

/// Who may declare conflicts: experts and reviewers.
fn declares(access: &Access) -> bool {
    matches!(access.role, Role::Expert | Role::Reviewer)
}

/// One's own declared conflicts of interest.
pub fn my_conflicts(conn: &mut DbConn, access: &Access) -> Result<Vec<DeclaredConflict>, AppError> {
    Access::require(declares(access))?;
    panels::declared_by(conn, access.user_id)
}

/// Declares a conflict of interest with a school (any school of the installation).
pub fn declare(
    conn: &mut DbConn,
    access: &Access,
    input: &impl Input<ConflictInput>,
    now: PrimitiveDateTime,
) -> Result<DeclaredConflict, AppError> {
    Access::require(declares(access))?;
    let mut v = Validator::new();
    let input = input.read()?;
    let reason = v.check("reason", text::required(&input.reason, text::LONG));
    v.finish()?;
    if schools::find(conn, input.school_id)?.is_none() {
        return Err(AppError::field("school_id", Msg::NoSchool));
    }
    let reason = reason.unwrap_or_default();
    panels::declare(conn, access, input.school_id, &reason, now)
}

//! The public notice (公示) of a province's recommended evaluation results and the
//! objections to them: the province admin publishes, anyone reads and objects while it is
//! open (throttled by address), the province reads and resolves each objection. The final
//! approval waits for all of it (`approval_refusal`, asked by `app::submissions::step`).

use serde::Deserialize;
use time::{Date, PrimitiveDateTime};

use crate::app::input::Input;
use crate::db::DbConn;
use crate::domain::access::Access;
use crate::domain::dates::parse_date;
use crate::domain::notice::{self, NoticeState};
use crate::domain::text;
use crate::domain::workflow::SubmissionStatus;
use crate::error::{AppError, FieldErrors, Msg, Validator};
use crate::store::notices::{
    self, NewNotice, NewObjection, NoticeEntry, Objection, PublicNotice, Received,
};
use crate::store::submissions::{self, Submission};
use crate::store::{evaluations, provinces, schools};

/// Most results on one notice.
pub const MAX_ENTRIES: usize = 500;

/// `{title, body?, submission_ids, opens_on, closes_on}`
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeInput {
    #[schema(schema_with = crate::app::schema::short_name)]
    pub title: String,
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    pub body: Option<String>,
    /// recommended applications of the province whose evaluation the panel agreed
    pub submission_ids: Vec<i64>,
    /// the first day of the notice (today or later), YYYY-MM-DD
    #[schema(value_type = String, format = Date)]
    pub opens_on: String,
    /// its last day: at least five days after the first, counting both
    #[schema(value_type = String, format = Date)]
    pub closes_on: String,
}

/// `{submission_id, name, contact, text}`: an objection to one result of a notice.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectionInput {
    pub submission_id: i64,
    /// who objects (never shown publicly)
    #[schema(schema_with = crate::app::schema::short_name)]
    pub name: String,
    /// how the province reaches them: a telephone number or an address (never shown)
    #[schema(schema_with = crate::app::schema::short_name)]
    pub contact: String,
    #[schema(schema_with = crate::app::schema::long_text)]
    pub text: String,
}

/// `{upheld, resolution}`: the province's decision on an objection, with its reasoning.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveInput {
    pub upheld: bool,
    #[schema(schema_with = crate::app::schema::long_text)]
    pub resolution: String,
}

/// Who manages a province's notices: 404 outside it, 403 to its other people.
fn may_publish(conn: &mut DbConn, access: &Access, province: i64) -> Result<(), AppError> {
    reads_province(conn, access, province)?;
    Ok(Access::require(access.administers_province(province))?)
}

/// Anyone of the province (and the operator) reads its notices; others get 404.
fn reads_province(conn: &mut DbConn, access: &Access, province: i64) -> Result<(), AppError> {
    if !access.belongs_to_province(province) || !provinces::exists(conn, province)? {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The province's staff read and resolve objections: reviewers read, the head resolves.
fn reads_objections(conn: &mut DbConn, access: &Access, province: i64) -> Result<(), AppError> {
    reads_province(conn, access, province)?;
    Ok(Access::require(access.reviews_province(province))?)
}

/// What a notice publishes of one submission, if it may be published: a recommended
/// application of the province with an agreed, complete evaluation, on no notice still
/// scheduled or open.
fn entry_of(
    conn: &mut DbConn,
    access: &Access,
    province: i64,
    id: i64,
    today: Date,
) -> Result<Result<NoticeEntry, Msg>, AppError> {
    let submission = match submissions::get(conn, access, id) {
        Ok(detail) => detail.submission,
        Err(AppError::NotFound) => return Ok(Err(Msg::NotRecommended)),
        Err(e) => return Err(e),
    };
    let school = schools::get(conn, access, submission.school_id)?;
    if school.province_id != province || submission.status != SubmissionStatus::Recommended {
        return Ok(Err(Msg::NotRecommended));
    }
    if let Some((notice, _)) = notices::notices_of(conn, id, today)?
        .into_iter()
        .find(|(_, state)| *state != NoticeState::Closed)
    {
        return Ok(Err(Msg::AlreadyOnNotice { notice }));
    }
    let evaluation = match evaluations::get(conn, &Access::operator(access.today), id) {
        Ok(evaluation) => evaluation,
        Err(AppError::NotFound) => return Ok(Err(Msg::NotRecommended)),
        Err(e) => return Err(e),
    };
    if evaluation.outcome.is_none() {
        return Ok(Err(Msg::NotRecommended));
    }
    Ok(Ok(NoticeEntry {
        submission_id: id,
        school_id: school.id,
        school_name: school.name_zh.clone().unwrap_or(school.name.clone()),
        title_type_code: evaluation.standard.title_type_code.clone(),
        consensus_total: evaluation.totals.consensus,
        outcome: evaluation.outcome.clone(),
    }))
}

/// What the province admin may publish today: the province's recommended applications whose
/// panel agreed, on no notice still scheduled or open, with what their entry would say.
pub fn candidates(
    conn: &mut DbConn,
    access: &Access,
    province: i64,
    today: Date,
) -> Result<Vec<(NoticeEntry, String)>, AppError> {
    may_publish(conn, access, province)?;
    let filter = submissions::QueueFilter {
        status: Some(SubmissionStatus::Recommended),
        ..Default::default()
    };
    let recommended = submissions::queue(conn, access, &filter, 0, MAX_ENTRIES as i64)?;
    let mut found = Vec::new();
    for (submission, _, _) in recommended.rows {
        if let Ok(entry) = entry_of(conn, access, province, submission.id, today)? {
            found.push((entry, submission.title));
        }
    }
    Ok(found)
}

/// Publishes a notice of recommended results (the province admin).
pub fn publish(
    conn: &mut DbConn,
    access: &Access,
    province: i64,
    input: &impl Input<NoticeInput>,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<PublicNotice, AppError> {
    may_publish(conn, access, province)?;
    let mut v = Validator::new();
    let input = input.read()?;
    let title = v.check("title", text::required(&input.title, text::SHORT));
    let body = v.check("body", text::optional(input.body.as_deref(), text::LONG));
    let opens_on = v.check("opens_on", parse_date(&input.opens_on));
    let closes_on = v.check("closes_on", parse_date(&input.closes_on));
    if input.submission_ids.is_empty() {
        v.fail("submission_ids", Msg::Required);
    }
    if input.submission_ids.len() > MAX_ENTRIES {
        v.fail("submission_ids", Msg::TooManyRows { max: MAX_ENTRIES });
    }
    if let (Some(opens), Some(closes)) = (opens_on, closes_on) {
        for (field, problem) in notice::check_dates(opens, closes, today) {
            v.fail(field, problem);
        }
    }
    let mut fields: FieldErrors = v.into_errors();
    super::write(conn, access, |conn, journal| {
        let mut entries = Vec::new();
        for (i, id) in input.submission_ids.iter().enumerate() {
            if input.submission_ids[..i].contains(id) {
                fields.insert(format!("submission_ids[{i}]"), Msg::ListedTwice);
                continue;
            }
            match entry_of(conn, access, province, *id, today)? {
                Ok(entry) => entries.push(entry),
                Err(problem) => {
                    fields.insert(format!("submission_ids[{i}]"), problem);
                }
            }
        }
        if !fields.is_empty() {
            return Err(AppError::Validation(fields));
        }
        let (Some(title), Some(body), Some(opens_on), Some(closes_on)) =
            (title, body, opens_on, closes_on)
        else {
            return Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            )));
        };
        let new = NewNotice {
            province_id: province,
            title,
            body,
            opens_on,
            closes_on,
            entries,
        };
        let id = notices::publish(conn, journal, access, &new, now)?;
        notices::get(conn, id, today)
    })
}

/// The province's notices (anyone of the province).
pub fn list(
    conn: &mut DbConn,
    access: &Access,
    province: i64,
    today: Date,
) -> Result<Vec<PublicNotice>, AppError> {
    reads_province(conn, access, province)?;
    notices::list(conn, province, today)
}

/// A notice as published, for anyone.
pub fn public(conn: &mut DbConn, id: i64, today: Date) -> Result<PublicNotice, AppError> {
    notices::get(conn, id, today)
}

/// An objection from anyone while the notice is open (409 `notice_closed` outside its
/// dates; 429 after `MAX_OBJECTIONS_PER_ADDRESS` within the hour from one address). The
/// province's staff are told.
pub fn object(
    conn: &mut DbConn,
    notice_id: i64,
    input: &impl Input<ObjectionInput>,
    client_addr: &str,
    today: Date,
    now: PrimitiveDateTime,
) -> Result<Received, AppError> {
    // No one signs in to object: the unit of work needs only the day.
    let anyone = Access::operator(today);
    super::write(conn, &anyone, |conn, journal| {
        let notice = notices::get(conn, notice_id, today)?;
        if notice.state != NoticeState::Open {
            return Err(AppError::conflict_of(Msg::NoticeClosed));
        }
        let recent = notices::lodged_from(conn, client_addr, now - notice::OBJECTION_WINDOW)?;
        if recent.len() >= notice::MAX_OBJECTIONS_PER_ADDRESS {
            let oldest = recent[recent.len() - notice::MAX_OBJECTIONS_PER_ADDRESS];
            let wait = (oldest + notice::OBJECTION_WINDOW - now)
                .whole_seconds()
                .max(1);
            return Err(AppError::TooManyRequests {
                retry_after_secs: u64::try_from(wait).unwrap_or(1),
            });
        }
        let mut v = Validator::new();
        let input = input.read()?;
        let name = v.check("name", text::required(&input.name, text::SHORT));
        let contact = v.check("contact", text::required(&input.contact, text::SHORT));
        let words = v.check("text", text::required(&input.text, text::LONG));
        let entry = notice
            .entries
            .iter()
            .find(|e| e.submission_id == input.submission_id);
        if entry.is_none() {
            v.fail("submission_id", Msg::NotOnNotice);
        }
        v.finish()?;
        let (Some(name), Some(contact), Some(text), Some(entry)) = (name, contact, words, entry)
        else {
            return Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            )));
        };
        let received = notices::lodge(
            conn,
            journal,
            &NewObjection {
                notice_id,
                submission_id: entry.submission_id,
                school_id: entry.school_id,
                name,
                contact,
                text,
                client_addr: client_addr.to_owned(),
            },
            now,
        )?;
        let submission = submissions::get(conn, &anyone, entry.submission_id)?;
        let staff = crate::store::users::staff_of_province(conn, notice.province_id)?;
        submissions::tell(
            conn,
            &staff,
            &submission.submission,
            "objection_received",
            now,
        )?;
        Ok(received)
    })
}

/// Every objection to the province's notices (its reviewers and admin).
pub fn objections(
    conn: &mut DbConn,
    access: &Access,
    province: i64,
) -> Result<Vec<Objection>, AppError> {
    reads_objections(conn, access, province)?;
    notices::of_province(conn, province)
}

/// Resolves an objection (the province admin): 409 `objection_resolved` the second time.
pub fn resolve(
    conn: &mut DbConn,
    access: &Access,
    id: i64,
    input: &impl Input<ResolveInput>,
    now: PrimitiveDateTime,
) -> Result<Objection, AppError> {
    super::write(conn, access, |conn, journal| {
        let (objection, province) = notices::find(conn, id)?.ok_or(AppError::NotFound)?;
        reads_objections(conn, access, province)?;
        Access::require(access.administers_province(province))?;
        let mut v = Validator::new();
        let input = input.read()?;
        let resolution = v.check("resolution", text::required(&input.resolution, text::LONG));
        v.finish()?;
        let resolution = resolution.unwrap_or_default();
        if !notices::resolve(
            conn,
            journal,
            access,
            &objection,
            input.upheld,
            &resolution,
            now,
        )? {
            return Err(AppError::conflict_of(Msg::ObjectionResolved));
        }
        notices::find(conn, id)?
            .map(|(o, _)| o)
            .ok_or(AppError::NotFound)
    })
}

/// Why an approval must wait (none: it may go ahead): asked for a submission with an
/// evaluation, from its notices and its objections.
pub fn approval_refusal(
    conn: &mut DbConn,
    submission: &Submission,
    today: Date,
) -> Result<Option<Msg>, AppError> {
    let states: Vec<NoticeState> = notices::notices_of(conn, submission.id, today)?
        .into_iter()
        .map(|(_, state)| state)
        .collect();
    let resolutions = notices::resolutions_of(conn, submission.id)?;
    Ok(notice::approval_refusal(&states, &resolutions))
}

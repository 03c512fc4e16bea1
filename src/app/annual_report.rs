//! The annual quality report: its written sections (highlights, problems) and the
//! year's report submission that its generated DOCX is attached to.

use serde::Deserialize;
use time::PrimitiveDateTime;

use crate::app::input::Input;
use crate::db::DbConn;
use crate::domain::access::Access;
use crate::domain::history::Journal;
use crate::domain::lang::Lang;
use crate::domain::text;
use crate::domain::workflow::{self, SubmissionKind, SubmissionStatus};
use crate::error::{AppError, Msg, Validator};
use crate::store::status_data::{self, ReportSections};
use crate::store::submissions::{self, NewSubmission, Subject};

/// Writes the year's report sections (the school's quality officer).
pub fn put_sections(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    year: i32,
    input: &impl Input<ReportSectionsInput>,
    now: PrimitiveDateTime,
) -> Result<ReportSections, AppError> {
    super::write(conn, access, |conn, journal| {
        crate::store::record::writable_school(conn, access, school_id)?;
        let sections = input.read()?.validate()?;
        // Ordered with the submission's steps (they append to the history too), so that a
        // hand-in that commits first is seen here.
        crate::store::history::lock(conn)?;
        if let Some((_, status)) = submissions::of_year(
            conn,
            access,
            school_id,
            SubmissionKind::AnnualQualityReport,
            year,
        )? && workflow::holds_handed_in(status)
        {
            return Err(AppError::conflict_of(Msg::ReportHandedIn {
                status: status.to_string(),
            }));
        }
        status_data::put_report_sections(conn, journal, access, school_id, year, &sections, now)
    })
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportSectionsInput {
    /// highlights of the year, in the school's own words (blank lines separate paragraphs)
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    pub highlights: Option<String>,
    /// problems met and the improvement measures taken
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    pub problems: Option<String>,
}

impl ReportSectionsInput {
    pub fn validate(&self) -> Result<ReportSections, AppError> {
        let mut v = Validator::new();
        let highlights = v.check(
            "highlights",
            text::optional(self.highlights.as_deref(), text::LONG),
        );
        let problems = v.check(
            "problems",
            text::optional(self.problems.as_deref(), text::LONG),
        );
        v.finish()?;
        Ok(ReportSections {
            highlights: highlights.flatten(),
            problems: problems.flatten(),
        })
    }
}

/// The year's `annual_quality_report` submission that takes evidence now, created as a
/// draft when the year has none in progress.
pub fn submission_to_attach_to(
    conn: &mut DbConn,
    access: &Access,
    school_id: i64,
    year: i32,
    lang: Lang,
) -> Result<i64, AppError> {
    super::write(conn, access, |conn, journal| {
        let school = crate::store::schools::get(conn, access, school_id)?;
        Access::require(submissions::prepares_for(access, school.id))?;
        draft_to_attach_to(conn, journal, access, school_id, year, lang)
    })
}

fn draft_to_attach_to(
    conn: &mut DbConn,
    journal: &mut Journal,
    access: &Access,
    school_id: i64,
    year: i32,
    lang: Lang,
) -> Result<i64, AppError> {
    let found = submissions::of_year(
        conn,
        access,
        school_id,
        SubmissionKind::AnnualQualityReport,
        year,
    )?;
    match found {
        Some((id, SubmissionStatus::Draft | SubmissionStatus::ChangesRequested)) => Ok(id),
        Some((_, status)) if status.is_open() => Err(AppError::conflict_of(Msg::EvidenceLocked {
            status: status.to_string(),
        })),
        _ => {
            let title = crate::i18n::t(lang, "report_submission_title")
                .replace("{year}", &year.to_string());
            let created = submissions::create(
                conn,
                journal,
                access,
                school_id,
                &NewSubmission {
                    kind: SubmissionKind::AnnualQualityReport,
                    title,
                    summary: None,
                    subject: Subject {
                        year: Some(year),
                        ..Subject::default()
                    },
                },
                crate::clock::now_utc(),
            )?;
            Ok(created.submission.id)
        }
    }
}

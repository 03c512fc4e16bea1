//! What each role sees first on its home page: an officer their school's deadlines,
//! submissions and the years asked of it; an expert their panels; a reviewer the review
//! queue and the province's overdue items; a province admin the sign-off queue, the rounds
//! and the programmes; an admin the installation's counts. The province-wide counts are
//! kept (`app::Kept`), since a bureau's home is read far more often than its record moves.

use serde::Serialize;
use time::Date;

use crate::app::kept::Kept;
use crate::auth::Access;
use crate::db::DbConn;
use crate::domain::Role;
use crate::domain::paging::Paging;
use crate::domain::workflow::SubmissionStatus;
use crate::error::AppError;
use crate::store::deadlines::{self, Deadline};
use crate::store::programmes::Programme;
use crate::store::rounds::RoundInfo;
use crate::store::submissions::{self, Submission};

/// One role's home, as the page shows it (a part another role does not see is left out).
#[derive(Debug, Default, Serialize)]
pub struct Home {
    /// the user's unread notifications
    pub unread: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadlines: Option<Vec<Deadline>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submissions: Option<Vec<Submission>>,
    /// the years the province asks the school to fill in now
    #[serde(skip_serializing_if = "Option::is_none")]
    pub years: Option<Vec<YearAsked>>,
    /// an expert's home: their panels
    #[serde(skip_serializing_if = "Option::is_none")]
    pub panels: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<Vec<Submission>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue_count: Option<i64>,
    /// the province's open rounds
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds: Option<Vec<RoundInfo>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province_id: Option<i64>,
    /// the province's open programmes (closed ones stay on the programmes page)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub programmes: Option<Vec<Programme>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<Health>,
}

/// A year of status data the province asks a school for.
#[derive(Debug, Serialize)]
pub struct YearAsked {
    pub school_id: i64,
    pub year: i32,
    pub due_on: String,
    pub overdue: bool,
}

/// The installation at a glance, for the admin.
#[derive(Debug, Serialize)]
pub struct Health {
    pub provinces: i64,
    pub schools: i64,
    pub users: i64,
    pub submissions: i64,
    pub history: i64,
    pub mail: crate::store::outbox::Standing,
}

/// The home of the user `user_id`, who asks with `access`.
pub fn of(
    conn: &mut DbConn,
    access: &Access,
    kept: &Kept,
    today: Date,
    user_id: i64,
) -> Result<Home, AppError> {
    let unread = submissions::unread(conn, user_id)?;
    let home = Home {
        unread,
        ..Home::default()
    };
    match access.role {
        Role::QualityOfficer | Role::SchoolViewer => school(conn, access, today, home),
        Role::Expert => {
            let seats = newest(conn, access, 20)?;
            Ok(Home {
                submissions: Some(seats),
                panels: Some(true),
                ..home
            })
        }
        Role::Reviewer | Role::ProvinceAdmin => province(conn, access, kept, today, home),
        Role::Admin => Ok(Home {
            health: Some(Health {
                provinces: crate::store::provinces::count(conn)?,
                schools: crate::store::schools::count(conn)?,
                users: crate::store::users::count_active(conn)?,
                submissions: submissions::count(conn)?,
                history: crate::store::history::count(conn)?,
                mail: crate::store::outbox::standing(conn)?,
            }),
            ..home
        }),
    }
}

/// The newest `n` submissions the reader sees.
fn newest(conn: &mut DbConn, access: &Access, n: i64) -> Result<Vec<Submission>, AppError> {
    let paging = Paging {
        limit: n,
        after: None,
    };
    Ok(submissions::page(conn, access, Default::default(), &paging)?.rows)
}

fn school(conn: &mut DbConn, access: &Access, today: Date, home: Home) -> Result<Home, AppError> {
    let soon = deadlines::Due {
        today,
        within_days: Some(180),
        school: None,
    };
    let due = deadlines::first(conn, access, soon, 6)?;
    let mine = newest(conn, access, 6)?;
    let id = access.school_id.unwrap_or(-1);
    // A school merged or closed by today is asked for nothing more.
    let asked = if crate::store::schools::wound_up_among(conn, &[id], today)?.is_empty() {
        crate::store::rounds::pending(conn, deadlines::Schools::One(id))?
    } else {
        Vec::new()
    };
    let years = asked
        .into_iter()
        .map(|(school_id, _, year, due_on)| YearAsked {
            school_id,
            year,
            due_on: due_on.to_string(),
            overdue: due_on < today,
        })
        .collect();
    Ok(Home {
        deadlines: Some(due),
        submissions: Some(mine),
        years: Some(years),
        ..home
    })
}

fn province(
    conn: &mut DbConn,
    access: &Access,
    kept: &Kept,
    today: Date,
    home: Home,
) -> Result<Home, AppError> {
    // A reviewer recommends what was submitted; a province admin signs off what was
    // recommended.
    let status = if access.role == Role::Reviewer {
        SubmissionStatus::Submitted
    } else {
        SubmissionStatus::Recommended
    };
    let filter = submissions::QueueFilter {
        status: Some(status),
        ..submissions::QueueFilter::default()
    };
    let queue = submissions::queue(conn, access, &filter, 0, 6)?;
    let (overdue, first) = deadlines::overdue(conn, access, &kept.deadlines, today, 8)?;
    let mut home = Home {
        queue_count: Some(queue.total),
        queue: Some(queue.rows.into_iter().map(|(s, _, _)| s).collect()),
        queue_status: Some(status.as_str()),
        overdue_count: Some(overdue),
        deadlines: Some(first),
        ..home
    };
    if let Some(province) = access.province_id {
        let rounds = crate::store::rounds::list(conn, access, province)?;
        home.rounds = Some(rounds.into_iter().filter(|r| !r.closed).collect());
        home.province_id = Some(province);
        if access.role == Role::ProvinceAdmin {
            let programmes =
                crate::store::programmes::list(conn, access, &kept.programmes, province, today)?;
            let open = programmes.into_iter().filter(|p| p.closed_on.is_none());
            home.programmes = Some(open.collect());
        }
    }
    Ok(home)
}

//! What falls due, for the schools the caller may see: re-evaluations, certificates
//! expiring, surveillance audits (yearly after certification), findings and corrective
//! actions, and the status data of an open collection round. Overdue first, then by date.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;
use time::Date;

use crate::db::DbConn;
use crate::db::schema::{
    audits, certificates, corrective_actions, findings, school_titles, title_types,
};
use crate::domain::access::Access;
use crate::domain::dates::{add_months, next_reevaluation};
use crate::error::AppError;
use crate::store::schools;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Deadline {
    pub school_id: i64,
    pub school_name: String,
    pub school_name_zh: Option<String>,
    /// reevaluation, certificate_expiry, surveillance_audit, finding_due,
    /// corrective_action_due, status_data_due
    pub kind: &'static str,
    pub subject: String,
    #[schema(value_type = String, format = Date)]
    pub due_on: Date,
    pub overdue: bool,
    /// stable identity, e.g. for calendar events
    pub uid: String,
}

/// A held title's id, school, award, last evaluation, interval and names.
type HoldingDue = (
    i64,
    i64,
    Date,
    Option<Date>,
    Option<i32>,
    String,
    Option<String>,
);

/// The deadlines of the visible schools (or of one of them); with `within_days`, only those
/// due by then (the overdue ones always).
pub fn list(
    conn: &mut DbConn,
    access: &Access,
    today: Date,
    within_days: Option<i64>,
    school: Option<i64>,
) -> Result<Vec<Deadline>, AppError> {
    Ok(collect(conn, access, today, within_days, school, None)?.0)
}

/// How many deadlines of the visible schools are overdue, and the `first` most overdue: for
/// a home page, without reading every overdue finding of a province.
pub fn overdue(
    conn: &mut DbConn,
    access: &Access,
    today: Date,
    first: i64,
) -> Result<(i64, Vec<Deadline>), AppError> {
    let (mut found, not_loaded) = collect(conn, access, today, Some(0), None, Some(first))?;
    found.retain(|d| d.overdue);
    let total = found.len() as i64 + not_loaded;
    found.truncate(usize::try_from(first).unwrap_or(0));
    Ok((total, found))
}

/// The deadlines, and how many overdue findings and actions were counted but not loaded
/// (with `overdue_first`, only that many of each are read, the most overdue).
fn collect(
    conn: &mut DbConn,
    access: &Access,
    today: Date,
    within_days: Option<i64>,
    school: Option<i64>,
    overdue_first: Option<i64>,
) -> Result<(Vec<Deadline>, i64), AppError> {
    // The visible schools, or only `school` of them.
    macro_rules! scoped {
        ($query:expr, $column:expr) => {{
            let query = crate::store::only_visible_schools!($query, $column, access);
            match school {
                Some(id) => query.filter($column.eq(id)),
                None => query,
            }
        }};
    }
    let names = match school {
        Some(id) => schools::names_of(conn, &[id])?,
        None => schools::visible_names(conn, access)?,
    };
    // Overdue ones always; the others up to the horizon, if one is asked for.
    let horizon = within_days.map(|d| today + time::Duration::days(d.max(0)));
    let mut found: Vec<(i64, &'static str, String, Date, String)> = Vec::new();

    let holdings: Vec<HoldingDue> = scoped!(
        school_titles::table
            .inner_join(title_types::table)
            .into_boxed::<crate::db::MultiBackend>(),
        school_titles::school_id
    )
    .filter(school_titles::status.eq("active"))
    .select((
        school_titles::id,
        school_titles::school_id,
        school_titles::awarded_on,
        school_titles::last_evaluated_on,
        title_types::reevaluation_interval_months,
        title_types::name,
        title_types::name_zh,
    ))
    .load(conn)?;
    for (id, school, awarded, evaluated, interval, name, name_zh) in holdings {
        let months = interval.and_then(|m| u32::try_from(m).ok());
        if let Some(due) = next_reevaluation(awarded, evaluated, months) {
            let subject = match name_zh {
                Some(zh) => format!("{name} / {zh}"),
                None => name,
            };
            found.push((
                school,
                "reevaluation",
                subject,
                due,
                format!("reevaluation-{id}-{due}"),
            ));
        }
    }

    let certs: Vec<(i64, i64, String, String, Date, Date)> = scoped!(
        certificates::table.into_boxed::<crate::db::MultiBackend>(),
        certificates::school_id
    )
    .select((
        certificates::id,
        certificates::school_id,
        certificates::standard,
        certificates::certificate_number,
        certificates::issued_on,
        certificates::expires_on,
    ))
    .load(conn)?;
    let mut surveillance: HashMap<i64, Vec<Date>> = HashMap::new();
    for (school, on) in scoped!(
        audits::table.into_boxed::<crate::db::MultiBackend>(),
        audits::school_id
    )
    .filter(audits::kind.eq_any(["surveillance", "recertification"]))
    .select((audits::school_id, audits::started_on))
    .load::<(i64, Date)>(conn)?
    {
        surveillance.entry(school).or_default().push(on);
    }
    for (id, school, standard, number, issued, expires) in certs {
        found.push((
            school,
            "certificate_expiry",
            format!("{standard} {number}"),
            expires,
            format!("certificate-{id}-{expires}"),
        ));
        // Surveillance audits fall due each year after certification, until expiry; one
        // is done when an audit was held in the window of three months around it.
        for year in 1..=2u32 {
            let due = add_months(issued, 12 * year);
            if due >= expires {
                break;
            }
            let done = surveillance.get(&school).is_some_and(|held| {
                held.iter().any(|on| {
                    *on >= due - time::Duration::days(92) && *on <= due + time::Duration::days(92)
                })
            });
            if !done {
                found.push((
                    school,
                    "surveillance_audit",
                    format!("{standard} {number}"),
                    due,
                    format!("surveillance-{id}-{year}"),
                ));
            }
        }
    }

    let open_findings = || {
        let mut open = scoped!(
            findings::table.into_boxed::<crate::db::MultiBackend>(),
            findings::school_id
        )
        .filter(findings::status.eq_any(["open", "action_planned"]))
        .filter(findings::due_on.is_not_null());
        if let Some(horizon) = horizon {
            open = open.filter(findings::due_on.le(horizon));
        }
        if overdue_first.is_some() {
            open = open.filter(findings::due_on.lt(today));
        }
        open
    };
    let mut not_loaded = 0;
    let mut open = open_findings();
    if let Some(first) = overdue_first {
        let all: i64 = open_findings().count().get_result(conn)?;
        not_loaded += (all - first).max(0);
        open = open.order(findings::due_on.asc()).limit(first);
    }
    let open: Vec<(i64, i64, String, String, Date)> = open
        .select((
            findings::id,
            findings::school_id,
            findings::clause,
            findings::description,
            findings::due_on.assume_not_null(),
        ))
        .load(conn)?;
    for (id, school, clause, description, due) in open {
        found.push((
            school,
            "finding_due",
            format!("{clause} {}", short(&description)),
            due,
            format!("finding-{id}"),
        ));
    }

    let planned_actions = || {
        let mut actions = scoped!(
            corrective_actions::table
                .inner_join(findings::table)
                .into_boxed::<crate::db::MultiBackend>(),
            findings::school_id
        )
        .filter(findings::status.eq("action_planned"))
        .filter(corrective_actions::done_on.is_null())
        .filter(corrective_actions::due_on.is_not_null());
        if let Some(horizon) = horizon {
            actions = actions.filter(corrective_actions::due_on.le(horizon));
        }
        if overdue_first.is_some() {
            actions = actions.filter(corrective_actions::due_on.lt(today));
        }
        actions
    };
    let mut actions = planned_actions();
    if let Some(first) = overdue_first {
        let all: i64 = planned_actions().count().get_result(conn)?;
        not_loaded += (all - first).max(0);
        actions = actions.order(corrective_actions::due_on.asc()).limit(first);
    }
    let actions: Vec<(i64, i64, Option<String>, Date)> = actions
        .select((
            findings::id,
            findings::school_id,
            corrective_actions::action,
            corrective_actions::due_on.assume_not_null(),
        ))
        .load(conn)?;
    for (id, school, action, due) in actions {
        found.push((
            school,
            "corrective_action_due",
            short(action.as_deref().unwrap_or("")),
            due,
            format!("action-{id}"),
        ));
    }

    // The year's status data the province asks for, while the school has not handed it in.
    for (school, round, year, due) in crate::store::rounds::pending(conn, access, school)? {
        found.push((
            school,
            "status_data_due",
            format!("Status data {year} / {year} 年办学状态数据"),
            due,
            format!("status-data-{round}-{school}"),
        ));
    }

    let mut deadlines: Vec<Deadline> = found
        .into_iter()
        .filter(|(_, _, _, due, _)| *due < today || horizon.is_none_or(|h| *due <= h))
        .map(|(school_id, kind, subject, due_on, uid)| {
            let (school_name, school_name_zh) = names.get(&school_id).cloned().unwrap_or_default();
            Deadline {
                school_id,
                school_name,
                school_name_zh,
                kind,
                subject,
                due_on,
                overdue: due_on < today,
                uid: format!("{uid}@accredit"),
            }
        })
        .collect();
    deadlines.sort_by(|a, b| {
        (!a.overdue, a.due_on, a.school_id, a.kind).cmp(&(
            !b.overdue,
            b.due_on,
            b.school_id,
            b.kind,
        ))
    });
    Ok((deadlines, not_loaded))
}

fn short(text: &str) -> String {
    let mut out: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        out.push('…');
    }
    out
}

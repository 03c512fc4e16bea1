//! Diesel queries, one file per aggregate. Every function takes a `&mut DbConn` and is
//! called from `Db::run` (or the command line); the access policy joins as an argument of
//! every tenant-scoped function once accounts arrive.

/// Narrows a boxed query to the rows whose `$column` (a school id) belongs to a school that
/// `$access` may see. A province's schools come in as a subquery that the database joins,
/// never as a list of ids that grows with the country.
macro_rules! only_visible_schools {
    ($query:expr, $column:expr, $access:expr) => {{
        use $crate::db::schema::schools as visible;
        use $crate::domain::access::SchoolScope;
        let query = $query;
        match $access.school_scope() {
            SchoolScope::All => query,
            SchoolScope::Province(p) => query.filter(
                $column.eq_any(
                    visible::table
                        .filter(visible::province_id.eq(p))
                        .select(visible::id),
                ),
            ),
            SchoolScope::School(s) => {
                query.filter($column.eq(s).or($column.eq_any($access.granted_schools())))
            }
            SchoolScope::Panels => query.filter($column.eq_any($access.panel_schools())),
            SchoolScope::Nothing => query.filter($column.eq(-1)),
        }
    }};
}
pub(crate) use only_visible_schools;

/// Continues a boxed query ordered by `($text, $id)` ascending after the last row of the
/// previous page (`After::TextId`), or skips `After::Offset` rows (the pages' numbered
/// pages); another kind of cursor is not one of this list's.
macro_rules! continue_by_text_id {
    ($query:expr, $text:expr, $id:expr, $after:expr) => {{
        use $crate::domain::paging::After;
        let query = $query;
        match $after {
            None => query,
            // `$text >= text` bounds the index range; the rest skips the rows already given.
            Some(After::TextId(text, id)) => query
                .filter($text.ge(text.clone()))
                .filter($text.gt(text.clone()).or($id.gt(*id))),
            Some(After::Offset(n)) => query.offset(*n),
            Some(_) => return Err($crate::store::not_cursor()),
        }
    }};
}
pub(crate) use continue_by_text_id;

/// Continues a boxed query ordered by `$id` descending (newest first) after the last row of
/// the previous page (`After::Id`), or skips `After::Offset` rows.
macro_rules! continue_by_id_desc {
    ($query:expr, $id:expr, $after:expr) => {{
        use $crate::domain::paging::After;
        let query = $query;
        match $after {
            None => query,
            Some(After::Id(id)) => query.filter($id.lt(*id)),
            Some(After::Offset(n)) => query.offset(*n),
            Some(_) => return Err($crate::store::not_cursor()),
        }
    }};
}
pub(crate) use continue_by_id_desc;

/// A cursor that belongs to another list.
pub fn not_cursor() -> crate::error::AppError {
    crate::error::AppError::field("cursor", crate::error::Msg::NotCursor)
}

pub mod access_log;
pub mod annual_report;
pub mod audits;
pub mod calendar;
pub mod certificates;
pub mod deadlines;
pub mod evaluations;
pub mod findings;
pub mod grants;
pub mod history;
pub mod indicators;
pub mod kept;
pub mod leases;
pub mod login_attempts;
pub mod notices;
pub mod outbox;
pub mod panels;
pub mod peers;
pub mod programmes;
pub mod provinces;
pub mod record;
pub mod reminders;
pub mod rounds;
pub mod schools;
pub mod sessions;
pub mod sign_in_flows;
pub mod standards;
pub mod status_data;
pub mod submissions;
pub mod titles;
pub mod users;
pub mod webhooks;

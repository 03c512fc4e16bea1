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
            SchoolScope::Nothing => query.filter($column.eq(-1)),
        }
    }};
}
pub(crate) use only_visible_schools;

pub mod annual_report;
pub mod audits;
pub mod calendar;
pub mod certificates;
pub mod deadlines;
pub mod derived;
pub mod findings;
pub mod grants;
pub mod history;
pub mod indicators;
pub mod login_attempts;
pub mod peers;
pub mod programmes;
pub mod provinces;
pub mod record;
pub mod rounds;
pub mod schools;
pub mod sessions;
pub mod status_data;
pub mod submissions;
pub mod titles;
pub mod users;

//! The province's inventory against the national minimum standards (达标排查): every school
//! still running, on its accepted figures of a year, met or not, with each shortfall and its
//! gap. A school whose year is not accepted is listed as such: its figures are not yet the
//! province's to judge. The same rows feed the bureau's page, its XLSX and a school's own
//! line on its page.

use serde::Serialize;
use time::Date;

use crate::app::kept::Kept;
use crate::db::DbConn;
use crate::domain::SchoolKind;
use crate::domain::access::Access;
use crate::domain::message::Msg;
use crate::domain::peers::{Shortfall, shortfalls, unknown};
use crate::domain::status_data::{Figures, YearState};
use crate::error::{AppError, Validator};
use crate::store::schools::School;
use crate::store::status_data;

/// One school against the standards in a year.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SchoolCheck {
    pub school_id: i64,
    pub name: String,
    pub name_zh: Option<String>,
    pub city: String,
    #[schema(value_type = crate::domain::SchoolKind)]
    pub kind: SchoolKind,
    /// where the school's year stands; only an accepted year is judged
    pub state: YearState,
    pub accepted: bool,
    /// accepted, and every standard of its kind known and met
    pub met: bool,
    pub shortfalls: Vec<Shortfall>,
    /// standards whose figure the accepted year does not give
    pub unknown: Vec<&'static str>,
}

/// Which schools of the inventory a reader asks for.
#[derive(Clone, Debug, Default)]
pub struct CheckFilter {
    pub city: Option<String>,
    pub kind: Option<SchoolKind>,
    /// only the schools short of this standard (an indicator's code)
    pub below: Option<&'static str>,
    /// only those that meet every standard (true) or not (false)
    pub met: Option<bool>,
}

impl CheckFilter {
    /// From a query's text: `kind` and `below` must name a kind and a standard's
    /// indicator, `met` be `true` or `false` (else 422 naming the parameter).
    pub fn parse(
        city: Option<&str>,
        kind: Option<&str>,
        below: Option<&str>,
        met: Option<&str>,
    ) -> Result<CheckFilter, AppError> {
        let mut v = Validator::new();
        let kind = v.check_opt("kind", given(kind), SchoolKind::parse);
        let below = v.check_opt("below", given(below), |code| {
            standard_codes()
                .into_iter()
                .find(|c| *c == code)
                .ok_or_else(|| Msg::OneOf {
                    choices: standard_codes().join(", "),
                })
        });
        let met = v.check_opt("met", given(met), |raw| match raw {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(Msg::OneOf {
                choices: "true, false".into(),
            }),
        });
        v.finish()?;
        Ok(CheckFilter {
            city: given(city).map(str::to_owned),
            kind: kind.flatten(),
            below: below.flatten(),
            met: met.flatten(),
        })
    }

    fn keeps(&self, row: &SchoolCheck) -> bool {
        self.city.as_deref().is_none_or(|c| row.city == c)
            && self.kind.is_none_or(|k| row.kind == k)
            && self
                .below
                .is_none_or(|code| row.shortfalls.iter().any(|s| s.code == code))
            && self.met.is_none_or(|m| row.met == m)
    }
}

/// A query parameter given and not blank.
fn given(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|t| !t.is_empty())
}

/// Every indicator some national standard sets, in the order the standards are listed.
pub fn standard_codes() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = Vec::new();
    for kind in SchoolKind::ALL {
        for standard in crate::domain::peers::standards(*kind) {
            if !codes.contains(&standard.measure) {
                codes.push(standard.measure);
            }
        }
    }
    codes
}

/// A province's inventory for a year.
#[derive(Debug)]
pub struct Inventory {
    pub province_id: i64,
    pub year: i32,
    /// the rows the filter keeps, by name
    pub rows: Vec<SchoolCheck>,
    /// of every school the reader may see: how many, accepted, meeting every standard
    pub schools: usize,
    pub accepted: usize,
    pub met: usize,
    /// how many schools fall short of each standard
    pub short_of: Vec<(&'static str, usize)>,
    /// the cities of the province's schools, for the filter
    pub cities: Vec<String>,
}

/// One school judged on its figures of a year (accepted ones only).
fn check(school: &School, state: YearState, figures: &Figures) -> SchoolCheck {
    let accepted = state == YearState::Accepted;
    let (short, missing) = if accepted {
        (
            shortfalls(school.kind, figures),
            unknown(school.kind, figures),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    SchoolCheck {
        school_id: school.id,
        name: school.name.clone(),
        name_zh: school.name_zh.clone(),
        city: school.city.clone(),
        kind: school.kind,
        state,
        accepted,
        met: accepted && short.is_empty() && missing.is_empty(),
        shortfalls: short,
        unknown: missing,
    }
}

/// The inventory of a province for `year`, for a reader of the province: the schools still
/// running today that the reader may see, filtered.
pub fn of_province(
    conn: &mut DbConn,
    access: &Access,
    kept: &Kept,
    province_id: i64,
    year: i32,
    filter: &CheckFilter,
) -> Result<Inventory, AppError> {
    let accepted = status_data::province_accepted(conn, access, &kept.accepted, province_id, year)?;
    let mut all: Vec<SchoolCheck> = accepted
        .rows()
        .filter(|row| !row.school.wound_up(access.today))
        .map(|row| check(&row.school, row.state, &row.figures))
        .collect();
    all.sort_by(|a, b| a.name.cmp(&b.name).then(a.school_id.cmp(&b.school_id)));
    let mut cities: Vec<String> = all.iter().map(|r| r.city.clone()).collect();
    cities.sort();
    cities.dedup();
    let short_of = standard_codes()
        .into_iter()
        .map(|code| {
            let n = all
                .iter()
                .filter(|r| r.shortfalls.iter().any(|s| s.code == code))
                .count();
            (code, n)
        })
        .collect();
    Ok(Inventory {
        province_id,
        year,
        schools: all.len(),
        accepted: all.iter().filter(|r| r.accepted).count(),
        met: all.iter().filter(|r| r.met).count(),
        short_of,
        cities,
        rows: all.into_iter().filter(|r| filter.keeps(r)).collect(),
    })
}

/// A school's own line: its latest accepted year against the standards, if it has one.
/// `school` was read through the asker's scope (the store hands a `School` out only so).
pub fn of_school(
    conn: &mut DbConn,
    school: &School,
) -> Result<Option<(i32, SchoolCheck)>, AppError> {
    let Some(year) = status_data::latest_accepted_year(conn, school)? else {
        return Ok(None);
    };
    let catalogue = crate::store::indicators::catalogue(conn)?;
    let mut figures = status_data::figures_of(conn, &catalogue, school, year)?;
    let derived = crate::domain::status_data::derive(&catalogue.indicators(), &figures);
    figures.extend(derived);
    Ok(Some((year, check(school, YearState::Accepted, &figures))))
}

/// A year of the inventory, from the query: one the province could have; by default last
/// year, the newest whose figures a province has accepted.
pub fn year_of(raw: Option<i64>, today: Date) -> Result<i32, AppError> {
    let raw = raw.unwrap_or(i64::from(today.year()) - 1);
    status_data::parse_year(raw, today).map_err(|p| AppError::field("year", p))
}

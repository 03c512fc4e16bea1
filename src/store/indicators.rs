//! The indicator catalogue: what a school reports each year, as rows an admin can add to.
//! Every reader of figures goes through `Catalogue`, so a new indicator appears in the
//! forms, the template, the checks and the exports without a change of code.

use diesel::prelude::*;
use time::PrimitiveDateTime;

use crate::db::DbConn;
use crate::db::schema::indicator_defs as defs;
use crate::domain::access::Access;
use crate::domain::status_data::{Indicator, Ratio, Unit, ValueKind};
use crate::error::{AppError, Msg};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = defs, check_for_backend(crate::db::MultiBackend))]
struct Row {
    id: i64,
    code: String,
    name: String,
    name_zh: String,
    unit: String,
    kind: String,
    min_value: Option<f64>,
    max_value: Option<f64>,
    help: Option<String>,
    help_zh: Option<String>,
    numerator: Option<String>,
    denominator: Option<String>,
    scale: Option<f64>,
    higher_is_better: Option<bool>,
}

impl Row {
    fn into_indicator(self) -> Result<(i64, Indicator), AppError> {
        let bad = |e: Msg| AppError::Internal(anyhow::anyhow!("indicator {}: {e}", self.code));
        let ratio = match (self.numerator.clone(), self.denominator.clone()) {
            (Some(numerator), Some(denominator)) => Some(Ratio {
                numerator,
                denominator,
                scale: self.scale.unwrap_or(1.0),
            }),
            _ => None,
        };
        Ok((
            self.id,
            Indicator {
                unit: Unit::parse(&self.unit).map_err(bad)?,
                kind: ValueKind::parse(&self.kind).map_err(bad)?,
                derived: ratio.is_some(),
                ratio,
                code: self.code,
                name: self.name,
                name_zh: self.name_zh,
                min: self.min_value,
                max: self.max_value,
                help: self.help,
                help_zh: self.help_zh,
                higher_is_better: self.higher_is_better,
            },
        ))
    }
}

/// The catalogue in its order, with each indicator's row id.
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    entries: Vec<(i64, Indicator)>,
}

impl Catalogue {
    pub fn indicators(&self) -> Vec<Indicator> {
        self.entries.iter().map(|(_, i)| i.clone()).collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Indicator> {
        self.entries.iter().map(|(_, i)| i)
    }

    /// The indicators a school types in, in order.
    pub fn entered(&self) -> impl Iterator<Item = &Indicator> {
        self.iter().filter(|i| !i.derived)
    }

    pub fn derived(&self) -> impl Iterator<Item = &Indicator> {
        self.iter().filter(|i| i.derived)
    }

    /// The indicator of a code, matched as codes are stored: trimmed, in lower case.
    pub fn by_code(&self, code: &str) -> Option<&Indicator> {
        let code = code.trim();
        self.iter().find(|i| i.code.eq_ignore_ascii_case(code))
    }

    pub fn id_of(&self, code: &str) -> Option<i64> {
        self.entries
            .iter()
            .find(|(_, i)| i.code == code)
            .map(|(id, _)| *id)
    }

    pub fn code_of(&self, id: i64) -> Option<&str> {
        self.entries
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, i)| i.code.as_str())
    }

    /// The codes a figure of `code` is computed from (itself when it is entered).
    pub fn inputs_of(&self, code: &str) -> Vec<String> {
        match self.by_code(code).and_then(|i| i.ratio.as_ref()) {
            Some(ratio) => vec![ratio.numerator.clone(), ratio.denominator.clone()],
            None => vec![code.to_owned()],
        }
    }
}

/// The whole catalogue, in the order forms show it.
pub fn catalogue(conn: &mut DbConn) -> Result<Catalogue, AppError> {
    let rows: Vec<Row> = defs::table
        .order((defs::position.asc(), defs::id.asc()))
        .select(Row::as_select())
        .load(conn)?;
    Ok(Catalogue {
        entries: rows
            .into_iter()
            .map(Row::into_indicator)
            .collect::<Result<_, _>>()?,
    })
}

/// Adds an indicator (an admin): it is asked for from the next form and template on.
pub fn create(
    conn: &mut DbConn,
    access: &Access,
    new: &Indicator,
    now: PrimitiveDateTime,
) -> Result<Indicator, AppError> {
    Access::require(access.is_admin())?;
    crate::db::write_transaction(conn, |conn| {
        let current = catalogue(conn)?;
        if let Some(ratio) = &new.ratio {
            for (field, code) in [
                ("ratio.numerator", &ratio.numerator),
                ("ratio.denominator", &ratio.denominator),
            ] {
                if current.by_code(code).is_none_or(|i| i.derived) {
                    return Err(AppError::field(field, Msg::NoIndicator));
                }
            }
        }
        let position: Option<i32> = defs::table
            .select(diesel::dsl::max(defs::position))
            .first(conn)?;
        diesel::insert_into(defs::table)
            .values((
                defs::code.eq(&new.code),
                defs::name.eq(&new.name),
                defs::name_zh.eq(&new.name_zh),
                defs::unit.eq(new.unit),
                defs::kind.eq(new.kind),
                defs::min_value.eq(new.min),
                defs::max_value.eq(new.max),
                defs::help.eq(&new.help),
                defs::help_zh.eq(&new.help_zh),
                defs::numerator.eq(new.ratio.as_ref().map(|r| &r.numerator)),
                defs::denominator.eq(new.ratio.as_ref().map(|r| &r.denominator)),
                defs::scale.eq(new.ratio.as_ref().map(|r| r.scale)),
                defs::higher_is_better.eq(new.higher_is_better),
                defs::position.eq(position.unwrap_or(0) + 10),
                defs::created_at.eq(now),
            ))
            .execute(conn)
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict { .. } => AppError::conflict_of(Msg::DuplicateIndicator),
                other => other,
            })?;
        catalogue(conn)?
            .by_code(&new.code)
            .cloned()
            .ok_or(AppError::NotFound)
    })
}

//! Evaluation standards: written by the admin (national, or for a province) and by a
//! province admin (their province's), by JSON or from the sheet bureaus keep, and read by
//! everyone signed in within their scope; the same sheet comes back out.

use std::collections::HashMap;

use serde::Deserialize;
use time::PrimitiveDateTime;

use crate::app::input::Input;
use crate::db::DbConn;
use crate::domain::Role;
use crate::domain::access::Access;
use crate::domain::standard::{self, CriterionDraft, MAX_CRITERIA, Points};
use crate::domain::text;
use crate::error::{AppError, FieldErrors, Msg, Validator};
use crate::sheets::template::UploadError;
use crate::store::standards::{self, NewStandard, Standard, StandardSummary};

/// The newest version number a standard may have.
const MAX_VERSION: i64 = 9_999;

/// A standard as JSON: its head and its criteria in order (groups and items; a group's
/// points may be left out, they are its items' sum).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StandardInput {
    /// e.g. `nkts_2024`: with `version`, unique
    #[schema(schema_with = crate::app::schema::catalogue_code)]
    pub code: String,
    /// 1, 2, …: a revision is a new version
    #[schema(minimum = 1, maximum = 9999)]
    pub version: i64,
    #[schema(schema_with = crate::app::schema::short_text)]
    pub name: String,
    #[schema(schema_with = crate::app::schema::optional_short_text)]
    pub name_zh: Option<String>,
    /// the title whose applications it scores
    pub title_type_code: Option<String>,
    /// the consensus total that passes (steps of 0.5)
    #[schema(minimum = 0, maximum = 10000, multiple_of = 0.5)]
    pub pass_points: f64,
    /// an admin's standard for one province (none: national); a province admin's is their
    /// province's
    pub province_id: Option<i64>,
    pub criteria: Vec<CriterionInput>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionInput {
    /// its number, e.g. `2.3`: 1 to 20 letters, digits, dots or hyphens
    #[serde(rename = "ref")]
    #[schema(schema_with = crate::app::schema::criterion_ref)]
    pub reference: String,
    /// the group it belongs to (none: top level)
    pub parent_ref: Option<String>,
    #[schema(schema_with = crate::app::schema::short_text)]
    pub name: String,
    #[schema(schema_with = crate::app::schema::optional_short_text)]
    pub name_zh: Option<String>,
    /// an item's points (steps of 0.5); a group's, if given, must be its items' sum
    #[schema(minimum = 0, maximum = 10000, multiple_of = 0.5)]
    pub max_points: Option<f64>,
    /// a veto item (否决项): no points, judged met or not met
    pub veto: Option<bool>,
    /// the standard to meet and the scoring rule (评分办法)
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    pub guidance: Option<String>,
    /// the materials kept for checking (备查材料)
    #[schema(schema_with = crate::app::schema::optional_long_text)]
    pub evidence_expected: Option<String>,
}

/// Whose standard a writer's is: an admin's as asked (none: national), a province admin's
/// their province's; anyone else may not write one (403, before the input is judged).
fn province_for(access: &Access, asked: Option<i64>) -> Result<Option<i64>, AppError> {
    match access.role {
        Role::Admin => Ok(asked),
        Role::ProvinceAdmin => match asked {
            None => Ok(access.province_id),
            Some(p) if Some(p) == access.province_id => Ok(Some(p)),
            Some(_) => Err(AppError::field("province_id", Msg::NotYourProvince)),
        },
        _ => Err(AppError::Forbidden),
    }
}

/// The head of a standard, however it arrived.
struct Head<'a> {
    code: &'a str,
    version: Result<i64, Msg>,
    name: &'a str,
    name_zh: Option<&'a str>,
    title_type_code: Option<&'a str>,
    pass_points: Result<f64, Msg>,
}

struct CheckedHead {
    code: String,
    version: i32,
    name: String,
    name_zh: Option<String>,
    title_type_code: Option<String>,
    pass_points: Points,
}

fn check_head(v: &mut Validator, head: &Head<'_>) -> Option<CheckedHead> {
    let code = v.check("code", crate::store::titles::parse_code(head.code));
    let version = v.check(
        "version",
        head.version.clone().and_then(|n| {
            if (1..=MAX_VERSION).contains(&n) {
                Ok(n as i32)
            } else {
                Err(Msg::Between {
                    min: "1".into(),
                    max: MAX_VERSION.to_string(),
                })
            }
        }),
    );
    let name = v.check("name", text::required(head.name, text::SHORT));
    let name_zh = v.check("name_zh", text::optional(head.name_zh, text::SHORT));
    let title_type_code = v
        .check_opt("title_type_code", head.title_type_code, |c| {
            crate::store::titles::parse_code(c)
        })
        .flatten();
    let pass_points = v.check(
        "pass_points",
        head.pass_points.clone().and_then(Points::parse),
    );
    Some(CheckedHead {
        code: code?,
        version: version?,
        name: name?,
        name_zh: name_zh?,
        title_type_code,
        pass_points: pass_points?,
    })
}

impl StandardInput {
    fn validate(&self, province_id: Option<i64>) -> Result<NewStandard, AppError> {
        let mut v = Validator::new();
        let head = check_head(
            &mut v,
            &Head {
                code: &self.code,
                version: Ok(self.version),
                name: &self.name,
                name_zh: self.name_zh.as_deref(),
                title_type_code: self.title_type_code.as_deref(),
                pass_points: Ok(self.pass_points),
            },
        );
        if self.criteria.is_empty() {
            v.fail("criteria", Msg::NoCriteria);
        } else if self.criteria.len() > MAX_CRITERIA {
            v.fail("criteria", Msg::TooManyRows { max: MAX_CRITERIA });
        }
        let mut drafts = Vec::with_capacity(self.criteria.len());
        for (i, c) in self.criteria.iter().enumerate() {
            let at = |field: &str| format!("criteria[{i}].{field}");
            let name = v.check(&at("name"), text::required(&c.name, text::SHORT));
            let name_zh = v.check(
                &at("name_zh"),
                text::optional(c.name_zh.as_deref(), text::SHORT),
            );
            let guidance = v.check(
                &at("guidance"),
                text::optional(c.guidance.as_deref(), text::LONG),
            );
            let evidence = v.check(
                &at("evidence_expected"),
                text::optional(c.evidence_expected.as_deref(), text::LONG),
            );
            let points = v
                .check_opt(&at("max_points"), c.max_points, Points::parse)
                .flatten();
            drafts.push(CriterionDraft {
                reference: c.reference.trim().to_owned(),
                parent_ref: c
                    .parent_ref
                    .as_deref()
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_owned),
                name: name.unwrap_or_default(),
                name_zh: name_zh.flatten(),
                max_points: points,
                veto: c.veto.unwrap_or(false),
                guidance: guidance.flatten(),
                evidence_expected: evidence.flatten(),
            });
        }
        let tree = standard::build(&drafts);
        let mut errors = v.into_errors();
        if let Err(problems) = &tree {
            for p in problems {
                errors
                    .entry(format!("criteria[{}].{}", p.index, p.field))
                    .or_insert_with(|| p.problem.clone());
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let (Some(head), Ok(criteria)) = (head, tree) else {
            return Err(AppError::Internal(anyhow::anyhow!(
                "validated input incomplete"
            )));
        };
        Ok(new_standard(head, province_id, criteria))
    }
}

fn new_standard(
    head: CheckedHead,
    province_id: Option<i64>,
    criteria: Vec<standard::Criterion>,
) -> NewStandard {
    NewStandard {
        code: head.code,
        version: head.version,
        name: head.name,
        name_zh: head.name_zh,
        province_id,
        title_type_code: head.title_type_code,
        pass_points: head.pass_points,
        criteria,
    }
}

/// Writes a standard given as JSON.
pub fn create(
    conn: &mut DbConn,
    access: &Access,
    input: &impl Input<StandardInput>,
    now: PrimitiveDateTime,
) -> Result<Standard, AppError> {
    may_import(access)?;
    let input = input.read()?;
    let province = province_for(access, input.province_id)?;
    let new = input.validate(province)?;
    super::write(conn, access, |conn, journal| {
        standards::create(conn, journal, access, &new, now)
    })
}

/// Whether the asker may import a standard at all: asked before the file is read.
pub fn may_import(access: &Access) -> Result<(), AppError> {
    province_for(access, access.province_id).map(|_| ())
}

/// Writes a standard from the sheet bureaus keep and the form's text fields (`code`,
/// `version`, `name`, `name_zh`, `title_type_code`, `pass_points`, `province_id`). A bad
/// field is named; a bad cell by its reference (`E7`); nothing is written then.
pub fn import(
    conn: &mut DbConn,
    access: &Access,
    fields: &HashMap<String, String>,
    sheet: &[u8],
    now: PrimitiveDateTime,
) -> Result<Standard, AppError> {
    let field = |name: &str| fields.get(name).map(|s| s.trim()).filter(|s| !s.is_empty());
    let asked = match field("province_id") {
        None => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .map_err(|_| AppError::field("province_id", Msg::WholeNumber))?,
        ),
    };
    let province = province_for(access, asked)?;
    let mut v = Validator::new();
    let head = check_head(
        &mut v,
        &Head {
            code: field("code").unwrap_or_default(),
            version: field("version")
                .ok_or(Msg::Required)
                .and_then(|raw| raw.parse::<i64>().map_err(|_| Msg::WholeNumber)),
            name: field("name").unwrap_or_default(),
            name_zh: field("name_zh"),
            title_type_code: field("title_type_code"),
            pass_points: field("pass_points")
                .ok_or(Msg::Required)
                .and_then(|raw| raw.parse::<f64>().map_err(|_| Msg::NotNumber)),
        },
    );
    let read = match crate::sheets::standard::read(sheet, text::LONG) {
        Ok(read) => Some(read),
        Err(UploadError::File(problem)) => {
            v.fail("file", problem);
            None
        }
        Err(UploadError::Cells(cells)) => {
            let mut errors: FieldErrors = v.into_errors();
            errors.extend(cells);
            return Err(AppError::Validation(errors));
        }
    };
    let mut errors = v.into_errors();
    let tree = read.as_ref().map(|r| {
        (
            r,
            standard::build(&r.criteria).map_err(|problems| {
                problems
                    .into_iter()
                    .map(|p| (r.cell_of(p.index, p.field), p.problem))
                    .collect::<FieldErrors>()
            }),
        )
    });
    let criteria = match tree {
        Some((_, Ok(criteria))) => Some(criteria),
        Some((_, Err(cells))) => {
            for (cell, problem) in cells {
                errors.entry(cell).or_insert(problem);
            }
            None
        }
        None => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (Some(head), Some(criteria)) = (head, criteria) else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "validated import incomplete"
        )));
    };
    let new = new_standard(head, province, criteria);
    super::write(conn, access, |conn, journal| {
        standards::create(conn, journal, access, &new, now)
    })
}

/// The standards the asker may read.
pub fn list(conn: &mut DbConn, access: &Access) -> Result<Vec<StandardSummary>, AppError> {
    standards::list(conn, access)
}

/// One standard (404 outside the asker's scope).
pub fn get(conn: &mut DbConn, access: &Access, id: i64) -> Result<Standard, AppError> {
    standards::get(conn, access, id)
}

/// A standard as the sheet `import` reads, and its file name.
pub fn sheet(conn: &mut DbConn, access: &Access, id: i64) -> Result<(Vec<u8>, String), AppError> {
    let standard = standards::get(conn, access, id)?;
    let rows: Vec<(CriterionDraft, bool)> = standard
        .criteria
        .iter()
        .map(|c| {
            (
                CriterionDraft {
                    reference: c.reference.clone(),
                    parent_ref: c.parent_ref.clone(),
                    name: c.name.clone(),
                    name_zh: c.name_zh.clone(),
                    max_points: c.max_points,
                    veto: c.veto,
                    guidance: c.guidance.clone(),
                    evidence_expected: c.evidence_expected.clone(),
                },
                c.leaf,
            )
        })
        .collect();
    let bytes = crate::sheets::standard::write(&rows, "评估标准 Standard")
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        bytes,
        format!("standard-{}-v{}.xlsx", standard.code, standard.version),
    ))
}

//! An evaluation standard as the sheet bureaus keep it: one criterion a row under a header
//! row whose cells each name one key (`ref`, `parent_ref`, `name`, `name_zh`, `max_points`,
//! `veto`, `guidance`, `evidence_expected`) beside any words of their own, such as a
//! Chinese label (`编号 ref`). `write` makes the sheet that `read` takes back, so a bureau
//! revises a standard in Excel or WPS and imports it as the next version.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use rust_xlsxwriter::XlsxError;

use crate::domain::message::Msg;
use crate::domain::standard::{CriterionDraft, Points};
use crate::sheets::template::{UploadError, check_archive};
use crate::sheets::{Cell, Table, cell_ref};

/// The keys a header cell may name, with the label written before each in `write`.
const COLUMNS: [(&str, &str, &str); 8] = [
    ("ref", "编号", "Ref"),
    ("parent_ref", "上级编号", "Parent"),
    ("name", "评估项目", "Criterion"),
    ("name_zh", "中文名称", "In Chinese"),
    ("max_points", "分值", "Points"),
    ("veto", "否决项", "Veto item"),
    (
        "guidance",
        "评估标准及评分办法",
        "Standard and scoring rule",
    ),
    ("evidence_expected", "备查材料", "Materials for checking"),
];

/// The most rows a standard's sheet may have.
const MAX_ROWS: u32 = 2_000;

/// The sheet of a standard: the header naming every key, then its criteria in order.
pub fn write(criteria: &[(CriterionDraft, bool)], sheet: &str) -> Result<Vec<u8>, XlsxError> {
    let mut table = Table::new(
        COLUMNS
            .iter()
            .map(|(key, zh, en)| format!("{zh} {en} ({key})")),
    );
    for (c, leaf) in criteria {
        table.rows.push(vec![
            Cell::from(c.reference.clone()),
            Cell::from(c.parent_ref.clone()),
            Cell::from(c.name.clone()),
            Cell::from(c.name_zh.clone()),
            match c.max_points {
                Some(p) if !(c.veto && *leaf) => Cell::Number(p.value()),
                _ => Cell::Empty,
            },
            Cell::from(if c.veto { "是" } else { "否" }),
            Cell::from(c.guidance.clone()),
            Cell::from(c.evidence_expected.clone()),
        ]);
    }
    crate::sheets::xlsx(&table, sheet)
}

/// Which key a header cell names: exactly one key, as a whole word (so `name_zh` is not
/// also `name`); `None` for a cell that names none (a column of notes).
fn key_of(header: &str) -> Result<Option<&'static str>, ()> {
    let lower = header.to_lowercase();
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let words: Vec<&str> = lower.split(|c: char| !is_word(c)).collect();
    let found: Vec<&'static str> = COLUMNS
        .iter()
        .map(|(key, _, _)| *key)
        .filter(|key| words.contains(key))
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [key] => Ok(Some(key)),
        _ => Err(()),
    }
}

fn text(value: &Data) -> Option<String> {
    let s = match value {
        Data::Empty => return None,
        Data::String(s) => s.trim().to_owned(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    };
    (!s.is_empty()).then_some(s)
}

/// 是/否, yes/no, true/false or 1/0; an empty cell is no.
fn yes_no(value: &Data) -> Result<bool, Msg> {
    match value {
        Data::Empty => Ok(false),
        Data::Bool(b) => Ok(*b),
        Data::Int(1) => Ok(true),
        Data::Int(0) => Ok(false),
        Data::Float(f) if *f == 1.0 => Ok(true),
        Data::Float(f) if *f == 0.0 => Ok(false),
        Data::String(s) => match s.trim().to_lowercase().as_str() {
            "" | "否" | "no" | "n" | "false" | "0" => Ok(false),
            "是" | "yes" | "y" | "true" | "1" => Ok(true),
            _ => Err(Msg::YesNo),
        },
        _ => Err(Msg::YesNo),
    }
}

fn points(value: &Data) -> Result<Option<Points>, Msg> {
    let number = match value {
        Data::Empty => return Ok(None),
        Data::Int(i) => *i as f64,
        Data::Float(f) => *f,
        Data::String(s) if s.trim().is_empty() => return Ok(None),
        Data::String(s) => s.trim().parse::<f64>().map_err(|_| Msg::NotNumber)?,
        _ => return Err(Msg::NotNumber),
    };
    Points::parse(number).map(Some)
}

/// The criteria of a sheet, each with the row it came from (0-based), and where each key's
/// column is. Every bad cell is reported by its reference, and nothing comes back then.
pub struct Read {
    pub criteria: Vec<CriterionDraft>,
    /// the sheet row of each criterion
    pub rows: Vec<u32>,
    /// key → column
    pub columns: BTreeMap<&'static str, u32>,
}

impl Read {
    /// The cell of a criterion's field, for an error found later (in the tree).
    pub fn cell_of(&self, index: usize, field: &str) -> String {
        let row = self.rows.get(index).copied().unwrap_or(0);
        let column = self
            .columns
            .get(field)
            .or_else(|| self.columns.get("ref"))
            .copied()
            .unwrap_or(0);
        cell_ref(row, column)
    }
}

/// Reads the first sheet of a workbook as a standard's criteria.
pub fn read(bytes: &[u8], max_text: usize) -> Result<Read, UploadError> {
    check_archive(Cursor::new(bytes))?;
    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| UploadError::File(Msg::NotXlsx))?;
    let sheet_name = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or(UploadError::File(Msg::NotXlsx))?;
    let sheet = book
        .worksheet_range(&sheet_name)
        .map_err(|_| UploadError::File(Msg::NotXlsx))?;
    let (start_row, start_col) = sheet.start().unwrap_or((0, 0));
    let (end_row, end_col) = sheet.end().unwrap_or((0, 0));
    let mut errors: BTreeMap<String, Msg> = BTreeMap::new();
    let mut columns: BTreeMap<&'static str, u32> = BTreeMap::new();
    let header_row = start_row;
    for column in start_col..=end_col {
        let Some(label) = sheet.get_value((header_row, column)).and_then(text) else {
            continue;
        };
        match key_of(&label) {
            Ok(Some(key)) => {
                if columns.insert(key, column).is_some() {
                    errors.insert(cell_ref(header_row, column), Msg::HeaderTwice);
                }
            }
            Ok(None) => {}
            Err(()) => {
                errors.insert(cell_ref(header_row, column), Msg::HeaderAmbiguous);
            }
        }
    }
    for key in ["ref", "name"] {
        if !columns.contains_key(key) {
            errors.insert(
                cell_ref(header_row, start_col),
                Msg::HeaderMissing { key: key.into() },
            );
        }
    }
    if !errors.is_empty() {
        return Err(UploadError::Cells(errors));
    }
    if end_row.saturating_sub(header_row) > MAX_ROWS {
        return Err(UploadError::File(Msg::TooManyRows {
            max: MAX_ROWS as usize,
        }));
    }
    let get = |row: u32, key: &str| -> Data {
        columns
            .get(key)
            .and_then(|c| sheet.get_value((row, *c)).cloned())
            .unwrap_or(Data::Empty)
    };
    let mut criteria = Vec::new();
    let mut rows = Vec::new();
    for row in header_row + 1..=end_row {
        let blank = columns
            .values()
            .all(|c| sheet.get_value((row, *c)).and_then(text).is_none());
        if blank {
            continue;
        }
        let at = |key: &str| cell_ref(row, columns.get(key).copied().unwrap_or(start_col));
        let mut checked_text = |key: &'static str, required: bool| -> Option<String> {
            let value = text(&get(row, key));
            let result = match (value, required) {
                (None, true) => Err(Msg::Required),
                (None, false) => Ok(None),
                (Some(v), _) => crate::domain::text::required(&v, max_text).map(Some),
            };
            match result {
                Ok(v) => v,
                Err(problem) => {
                    errors.insert(at(key), problem);
                    None
                }
            }
        };
        let reference = checked_text("ref", true).unwrap_or_default();
        let parent_ref = checked_text("parent_ref", false);
        let name = checked_text("name", true).unwrap_or_default();
        let name_zh = checked_text("name_zh", false);
        let guidance = checked_text("guidance", false);
        let evidence_expected = checked_text("evidence_expected", false);
        let max_points = match points(&get(row, "max_points")) {
            Ok(p) => p,
            Err(problem) => {
                errors.insert(at("max_points"), problem);
                None
            }
        };
        let veto = match yes_no(&get(row, "veto")) {
            Ok(v) => v,
            Err(problem) => {
                errors.insert(at("veto"), problem);
                false
            }
        };
        criteria.push(CriterionDraft {
            reference,
            parent_ref,
            name,
            name_zh,
            max_points,
            veto,
            guidance,
            evidence_expected,
        });
        rows.push(row);
    }
    if criteria.is_empty() && errors.is_empty() {
        return Err(UploadError::File(Msg::NoCriteria));
    }
    if !errors.is_empty() {
        return Err(UploadError::Cells(errors));
    }
    Ok(Read {
        criteria,
        rows,
        columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(r: &str, parent: Option<&str>, points: Option<f64>, veto: bool) -> CriterionDraft {
        CriterionDraft {
            reference: r.into(),
            parent_ref: parent.map(Into::into),
            name: format!("Criterion {r}"),
            name_zh: Some(format!("项目 {r}")),
            max_points: points.map(|p| Points::parse(p).unwrap()),
            veto,
            guidance: Some("每缺一项扣 1 分".into()),
            evidence_expected: None,
        }
    }

    #[test]
    fn a_header_cell_names_one_key_as_a_whole_word() {
        assert_eq!(key_of("编号 ref"), Ok(Some("ref")));
        assert_eq!(key_of("中文名称 In Chinese (name_zh)"), Ok(Some("name_zh")));
        assert_eq!(key_of("Chinese name (name_zh)"), Err(()));
        assert_eq!(key_of("上级编号 PARENT_REF"), Ok(Some("parent_ref")));
        assert_eq!(key_of("备注"), Ok(None));
        assert_eq!(key_of("ref or name"), Err(()));
    }

    #[test]
    fn the_written_sheet_reads_back_as_the_same_criteria() {
        let criteria = vec![
            (draft("1", None, Some(15.5), false), false),
            (draft("1.1", Some("1"), Some(10.0), false), true),
            (draft("1.2", Some("1"), Some(5.5), false), true),
            (draft("2", None, None, true), true),
        ];
        let bytes = write(&criteria, "评估标准").unwrap();
        let read = read(&bytes, 2000).unwrap_or_else(|_| panic!("reads back"));
        let back: Vec<CriterionDraft> = criteria.iter().map(|(c, _)| c.clone()).collect();
        assert_eq!(
            read.criteria
                .iter()
                .map(|c| (
                    &c.reference,
                    &c.parent_ref,
                    c.max_points,
                    c.veto,
                    &c.name_zh
                ))
                .collect::<Vec<_>>(),
            back.iter()
                .map(|c| (
                    &c.reference,
                    &c.parent_ref,
                    c.max_points,
                    c.veto,
                    &c.name_zh
                ))
                .collect::<Vec<_>>()
        );
        assert_eq!(read.rows, [1, 2, 3, 4]);
        assert_eq!(read.cell_of(1, "max_points"), "E3");
    }

    #[test]
    fn every_bad_cell_is_named() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in [
            "编号 ref",
            "评估项目 name",
            "分值 max_points",
            "否决项 veto",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_string(1, 0, "1").unwrap();
        sheet.write_string(1, 1, "办学条件").unwrap();
        sheet.write_number(1, 2, 2.25).unwrap();
        sheet.write_string(1, 3, "也许").unwrap();
        sheet.write_string(2, 0, "2").unwrap();
        sheet.write_string(2, 2, "十").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let Err(UploadError::Cells(cells)) = read(&bytes, 2000) else {
            panic!("refused");
        };
        let found: Vec<(&str, &str)> = cells.iter().map(|(k, v)| (k.as_str(), v.code())).collect();
        assert_eq!(
            found,
            [
                ("B3", "required"),
                ("C2", "half_points"),
                ("C3", "not_number"),
                ("D2", "yes_no")
            ]
        );
    }
}

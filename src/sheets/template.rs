//! The status-data template: one row per indicator, headers in both languages with units,
//! last year's figures beside this year's, cell validation on the values, the ratios as
//! live formulas, and a hidden sheet that says whose template of which year it is. Reading
//! an upload checks it as a whole and reports every bad cell by its reference.
//!
//! ```text
//!    A            B                       C                  D       E             F
//! 1  福州第二高级技工学校 · 2026 年办学状态数据 / Status data 2026
//! 2  请只填写 C 列 … / Fill in column C only …
//! 4  代码 Code | 指标 Indicator | 2026 填报值 Value | 单位 Unit | 2025 上年 Last year | 说明 Notes
//! 5  students  | 在校生数 / Students enrolled | 4200 | 人 / persons | 4105 | 整数，≥ 0 …
//! …  (derived ratios below, as formulas over column C)
//! ```

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Seek};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, Format, Formula, Workbook,
    XlsxError,
};

use crate::domain::lang::Lang;
use crate::domain::message::Msg;
use crate::domain::numbers;
use crate::domain::status_data::{Figures, Indicator, ValueKind, parse_typed};
use crate::sheets::{Formats, cell_ref, col, fit_utf16};

/// What the hidden sheet says a template is.
pub const MARKER: &str = "accredit-status-data";
/// The layout's version: a template of another layout is refused.
pub const LAYOUT: f64 = 1.0;
/// The sheet people fill in.
pub const SHEET: &str = "办学状态数据";
const META: &str = "_meta";
const HEADER_ROW: u32 = 3;
const FIRST_ROW: u32 = 4;
const CODE: u16 = 0;
const NAME: u16 = 1;
const VALUE: u16 = 2;
const UNIT: u16 = 3;
const LAST: u16 = 4;
const NOTES: u16 = 5;
/// An upload may not unpack to more than this (a template of a few hundred rows is far
/// smaller): a zip bomb is refused before it is read.
const MAX_UNPACKED_BYTES: u64 = 32 * 1024 * 1024;
const MAX_ENTRIES: usize = 200;

/// What a template is made of.
pub struct TemplateData<'a> {
    pub school_id: i64,
    pub school_name: &'a str,
    pub year: i32,
    pub catalogue: &'a [Indicator],
    /// this year's entered figures (pre-filled)
    pub current: &'a Figures,
    /// last year's figures and ratios
    pub previous: &'a Figures,
}

fn both(indicator: &Indicator) -> String {
    format!("{} / {}", indicator.name_zh, indicator.name)
}

fn unit_both(indicator: &Indicator) -> String {
    let zh = indicator.unit.label(Lang::ZhCn);
    let en = indicator.unit.label(Lang::En);
    if zh == en || en.is_empty() {
        zh.to_owned()
    } else {
        format!("{zh} / {en}")
    }
}

/// What may be typed in an indicator's cell, in both languages.
fn rule_text(indicator: &Indicator) -> String {
    let kind = match indicator.kind {
        ValueKind::Whole => "整数 / whole number",
        ValueKind::Decimal => "数值，最多两位小数 / number, two decimals at most",
        ValueKind::Percentage => "百分比 0–100 / percentage 0–100",
    };
    let show = |v: f64| numbers::grouped(v, indicator.decimals());
    let range = match (indicator.min, indicator.max) {
        (Some(min), Some(max)) => format!("; {} – {}", show(min), show(max)),
        (Some(min), None) => format!("; ≥ {}", show(min)),
        (None, Some(max)) => format!("; ≤ {}", show(max)),
        (None, None) => String::new(),
    };
    format!("{kind}{range}")
}

fn validation(indicator: &Indicator) -> Result<DataValidation, XlsxError> {
    let min = indicator.min.unwrap_or(0.0);
    let rule = match (indicator.kind, indicator.max) {
        (ValueKind::Percentage, _) => {
            DataValidation::new().allow_decimal_number(DataValidationRule::Between(0.0, 100.0))
        }
        (ValueKind::Whole, Some(max)) if max <= f64::from(i32::MAX) => DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(min as i32, max as i32)),
        (ValueKind::Whole, None) if min >= f64::from(i32::MIN) => DataValidation::new()
            .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(min as i32)),
        (_, Some(max)) => {
            DataValidation::new().allow_decimal_number(DataValidationRule::Between(min, max))
        }
        (_, None) => DataValidation::new()
            .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(min)),
    };
    rule.set_input_title(fit_utf16(&indicator.name_zh, 32))?
        .set_input_message(fit_utf16(&rule_text(indicator), 255))?
        .set_error_title("数值不符合要求 / Invalid value")?
        .set_error_message(fit_utf16(&rule_text(indicator), 255))
        .map(|v| v.set_error_style(DataValidationErrorStyle::Stop))
}

/// The template of a school's year, pre-filled with what is recorded.
pub fn write(data: &TemplateData<'_>) -> Result<Vec<u8>, XlsxError> {
    let formats = Formats::new();
    let title = Format::new().set_bold().set_font_size(14);
    let note = Format::new().set_text_wrap().set_italic();
    let reference = Format::new()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xF2F2F2))
        .set_num_format("#,##0.##");
    let input = Format::new()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xFFF8DC))
        .set_border(rust_xlsxwriter::FormatBorder::Thin)
        .set_num_format("#,##0.##");
    let section = Format::new()
        .set_bold()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xE8EEF4));

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(SHEET)?;
    let year = data.year;
    sheet.write_string_with_format(
        0,
        0,
        format!(
            "{} · {year} 年办学状态数据 / Status data {year}",
            data.school_name
        ),
        &title,
    )?;
    sheet.merge_range(
        1,
        0,
        1,
        NOTES,
        "请只填写黄色的 C 列，灰色为参考，比率自动计算；未填写的指标视为未报送。\
         Fill in the yellow column C only; grey cells are for reference and ratios are computed. \
         A blank cell means the figure is not reported.",
        &note,
    )?;
    sheet.set_row_height(1, 32)?;
    let headers = [
        "代码 / Code".to_owned(),
        "指标 / Indicator".to_owned(),
        format!("{year} 填报值 / Value {year}"),
        "单位 / Unit".to_owned(),
        format!("{} 上年 / Last year {}", year - 1, year - 1),
        "说明 / Notes".to_owned(),
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, col(c)?, h, &formats.header)?;
    }
    let mut row = FIRST_ROW;
    let mut rows_of: BTreeMap<&str, u32> = BTreeMap::new();
    for indicator in data.catalogue.iter().filter(|i| !i.derived) {
        rows_of.insert(&indicator.code, row);
        sheet.write_string(row, CODE, &indicator.code)?;
        sheet.write_string(row, NAME, both(indicator))?;
        match data.current.get(&indicator.code) {
            Some(v) => sheet.write_number_with_format(row, VALUE, *v, &input)?,
            None => sheet.write_blank(row, VALUE, &input)?,
        };
        sheet.add_data_validation(row, VALUE, row, VALUE, &validation(indicator)?)?;
        sheet.write_string(row, UNIT, unit_both(indicator))?;
        match data.previous.get(&indicator.code) {
            Some(v) => sheet.write_number_with_format(row, LAST, *v, &reference)?,
            None => sheet.write_blank(row, LAST, &reference)?,
        };
        let help = indicator.help_in(Lang::ZhCn).unwrap_or_default();
        sheet.write_string(row, NOTES, format!("{}。{help}", rule_text(indicator)))?;
        row += 1;
    }
    row += 1;
    sheet.write_string_with_format(row, CODE, "", &section)?;
    sheet.write_string_with_format(row, NAME, "自动计算的比率 / Ratios (computed)", &section)?;
    row += 1;
    for indicator in data.catalogue.iter().filter(|i| i.derived) {
        let Some(ratio) = &indicator.ratio else {
            continue;
        };
        let (Some(n), Some(d)) = (
            rows_of.get(ratio.numerator.as_str()),
            rows_of.get(ratio.denominator.as_str()),
        ) else {
            continue;
        };
        let (n, d) = (
            cell_ref(*n, u32::from(VALUE)),
            cell_ref(*d, u32::from(VALUE)),
        );
        let places = indicator.decimals();
        sheet.write_string(row, CODE, &indicator.code)?;
        sheet.write_string(row, NAME, both(indicator))?;
        // Our own formula over our own cells: nothing typed by anyone goes into it.
        sheet.write_formula_with_format(
            row,
            VALUE,
            Formula::new(format!(
                "=IF(AND(ISNUMBER({n}),ISNUMBER({d}),{d}>0),ROUND({n}/{d}*{},{places}),\"\")",
                ratio.scale
            )),
            &reference,
        )?;
        sheet.write_string(row, UNIT, unit_both(indicator))?;
        match data.previous.get(&indicator.code) {
            Some(v) => sheet.write_number_with_format(row, LAST, *v, &reference)?,
            None => sheet.write_blank(row, LAST, &reference)?,
        };
        sheet.write_string(
            row,
            NOTES,
            indicator.help_in(Lang::ZhCn).unwrap_or_default(),
        )?;
        row += 1;
    }
    for (c, width) in [
        (CODE, 26.0),
        (NAME, 40.0),
        (VALUE, 18.0),
        (UNIT, 16.0),
        (LAST, 18.0),
        (NOTES, 60.0),
    ] {
        sheet.set_column_width(c, width)?;
    }
    sheet.set_freeze_panes(FIRST_ROW, VALUE)?;
    // Printed on A4 landscape, one page wide.
    sheet.set_landscape();
    sheet.set_paper_size(9);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_selected(true);

    let meta = workbook.add_worksheet();
    meta.set_name(META)?;
    meta.write_string(0, 0, "template")?;
    meta.write_string(0, 1, MARKER)?;
    meta.write_string(1, 0, "layout")?;
    meta.write_number(1, 1, LAYOUT)?;
    meta.write_string(2, 0, "school_id")?;
    meta.write_number(2, 1, data.school_id as f64)?;
    meta.write_string(3, 0, "year")?;
    meta.write_number(3, 1, f64::from(data.year))?;
    meta.set_hidden(true);
    workbook.save_to_buffer()
}

/// Why an upload was refused.
#[derive(Debug, PartialEq)]
pub enum UploadError {
    /// the file as a whole (`file`): not a workbook, not our template, another school's or
    /// another year's
    File(Msg),
    /// cell reference → what is wrong there
    Cells(BTreeMap<String, Msg>),
}

/// Refuses what is not a small zip archive before a reader unpacks it.
pub(crate) fn check_archive<R: Read + Seek>(reader: R) -> Result<(), UploadError> {
    let mut archive = zip::ZipArchive::new(reader).map_err(|_| UploadError::File(Msg::NotXlsx))?;
    if archive.len() > MAX_ENTRIES {
        return Err(UploadError::File(Msg::WorkbookTooLarge));
    }
    // The sizes the central directory declares (the reader never unpacks more than that).
    let mut unpacked: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|_| UploadError::File(Msg::NotXlsx))?;
        unpacked = unpacked.saturating_add(entry.size());
    }
    if unpacked > MAX_UNPACKED_BYTES {
        return Err(UploadError::File(Msg::WorkbookTooLarge));
    }
    Ok(())
}

fn number(value: &Data) -> Result<Option<f64>, Msg> {
    match value {
        Data::Empty => Ok(None),
        Data::Int(i) => Ok(Some(*i as f64)),
        Data::Float(f) => Ok(Some(*f)),
        Data::String(s) => parse_typed(s),
        _ => Err(Msg::NotNumber),
    }
}

/// Reads a filled-in template of `school_id` and `year`. Every entered indicator found in
/// the sheet comes back (`None`: left blank); indicators missing from the sheet are not
/// in the answer. Any bad cell refuses the whole upload.
pub fn read(
    bytes: &[u8],
    catalogue: &[Indicator],
    school_id: i64,
    year: i32,
) -> Result<BTreeMap<String, Option<f64>>, UploadError> {
    check_archive(Cursor::new(bytes))?;
    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| UploadError::File(Msg::NotXlsx))?;
    let meta = book
        .worksheet_range(META)
        .map_err(|_| UploadError::File(Msg::WrongTemplate))?;
    let meta_value = |row: u32| meta.get_value((row, 1)).cloned().unwrap_or(Data::Empty);
    if meta_value(0) != Data::String(MARKER.into()) || number(&meta_value(1)) != Ok(Some(LAYOUT)) {
        return Err(UploadError::File(Msg::WrongTemplate));
    }
    if number(&meta_value(2)) != Ok(Some(school_id as f64)) {
        return Err(UploadError::File(Msg::TemplateOtherSchool));
    }
    match number(&meta_value(3)) {
        Ok(Some(y)) if y == f64::from(year) => {}
        found => {
            return Err(UploadError::File(Msg::TemplateYear {
                expected: year,
                found: match found {
                    Ok(Some(y)) => numbers::grouped(y, 0).replace(',', ""),
                    _ => "?".into(),
                },
            }));
        }
    }
    let sheet = book
        .worksheet_range(SHEET)
        .map_err(|_| UploadError::File(Msg::WrongTemplate))?;
    let end = sheet.end().map_or(0, |(r, _)| r);
    let mut figures = BTreeMap::new();
    let mut errors = BTreeMap::new();
    for row in FIRST_ROW..=end {
        let code = match sheet.get_value((row, u32::from(CODE))) {
            Some(Data::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
            Some(Data::Empty) | None => continue,
            Some(Data::String(_)) => continue,
            Some(_) => {
                errors.insert(
                    cell_ref(row, u32::from(CODE)),
                    Msg::CellUnknownCode {
                        sheet: SHEET.into(),
                        cell: cell_ref(row, u32::from(CODE)),
                    },
                );
                continue;
            }
        };
        let at = cell_ref(row, u32::from(VALUE));
        let Some(indicator) = catalogue.iter().find(|i| i.code == code) else {
            errors.insert(
                cell_ref(row, u32::from(CODE)),
                Msg::CellUnknownCode {
                    sheet: SHEET.into(),
                    cell: cell_ref(row, u32::from(CODE)),
                },
            );
            continue;
        };
        if indicator.derived {
            continue; // a formula of ours
        }
        if figures.contains_key(&code) {
            errors.insert(
                cell_ref(row, u32::from(CODE)),
                Msg::CellDuplicate {
                    sheet: SHEET.into(),
                    cell: cell_ref(row, u32::from(CODE)),
                },
            );
            continue;
        }
        let raw = sheet
            .get_value((row, u32::from(VALUE)))
            .unwrap_or(&Data::Empty);
        let checked = number(raw).and_then(|v| v.map(|v| indicator.check(v)).transpose());
        match checked {
            Ok(value) => {
                figures.insert(code, value);
            }
            Err(problem) => {
                let name = (indicator.name.as_str(), indicator.name_zh.as_str());
                errors.insert(at.clone(), Msg::cell(SHEET, &at, name, &problem));
            }
        }
    }
    if errors.is_empty() {
        Ok(figures)
    } else {
        Err(UploadError::Cells(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::status_data::tests::catalogue;

    fn template(current: &Figures) -> Vec<u8> {
        let catalogue = catalogue();
        let previous: Figures = [("students".to_owned(), 4100.0)].into();
        write(&TemplateData {
            school_id: 7,
            school_name: "福州第二高级技工学校",
            year: 2026,
            catalogue: &catalogue,
            current,
            previous: &previous,
        })
        .unwrap()
    }

    /// Found by Schemathesis: an indicator whose Chinese name is in emoji (two UTF-16 units
    /// each) still gives a template, its cell's prompt cut to what Excel allows.
    #[test]
    fn names_outside_the_basic_plane() {
        let mut catalogue = catalogue();
        catalogue[0].name_zh = "😀".repeat(60);
        let bytes = write(&TemplateData {
            school_id: 7,
            school_name: &"𠀀".repeat(200),
            year: 1950,
            catalogue: &catalogue,
            current: &Figures::new(),
            previous: &Figures::new(),
        })
        .unwrap();
        let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range(SHEET).unwrap();
        assert_eq!(
            range.get_value((FIRST_ROW, u32::from(CODE))),
            Some(&Data::String("students".into()))
        );
    }

    /// A template as someone filled it in: the codes in column A from row 5 and what they
    /// typed in column C (a number, a text, or nothing), with the hidden sheet of school 7's
    /// year 2026.
    fn filled(rows: &[(&str, Option<&str>)]) -> Vec<u8> {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name(SHEET).unwrap();
        for (i, (code, typed)) in rows.iter().enumerate() {
            let row = FIRST_ROW + i as u32;
            sheet.write_string(row, CODE, *code).unwrap();
            match typed.map(|t| (t, t.parse::<f64>())) {
                Some((_, Ok(n))) => sheet.write_number(row, VALUE, n).unwrap(),
                Some((t, Err(_))) => sheet.write_string(row, VALUE, t).unwrap(),
                None => sheet,
            };
        }
        let meta = workbook.add_worksheet();
        meta.set_name(META).unwrap();
        meta.write_string(0, 1, MARKER).unwrap();
        meta.write_number(1, 1, LAYOUT).unwrap();
        meta.write_number(2, 1, 7.0).unwrap();
        meta.write_number(3, 1, 2026.0).unwrap();
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn the_cell_references_of_the_layout() {
        // Row 5 holds the first entered indicator; its value is typed in column C.
        assert_eq!(cell_ref(FIRST_ROW, u32::from(VALUE)), "C5");
        assert_eq!(cell_ref(HEADER_ROW, u32::from(NAME)), "B4");
        let catalogue = catalogue();
        let students_row =
            FIRST_ROW + catalogue.iter().position(|i| i.code == "students").unwrap() as u32;
        assert_eq!(cell_ref(students_row, u32::from(VALUE)), "C5");
    }

    #[test]
    fn a_template_reads_back_as_written() {
        let current: Figures = [
            ("students".to_owned(), 4200.0),
            ("campus_area_m2".to_owned(), 42_000.5),
        ]
        .into();
        let bytes = template(&current);
        let read = read(&bytes, &catalogue(), 7, 2026).unwrap();
        assert_eq!(read["students"], Some(4200.0));
        assert_eq!(read["campus_area_m2"], Some(42_000.5));
        assert_eq!(read["teachers"], None, "blank: not reported");
        assert!(
            !read.contains_key("students_per_teacher"),
            "ratios are not read"
        );
    }

    #[test]
    fn filled_values_are_read_and_every_bad_cell_is_named() {
        let sheet = filled(&[
            ("students", Some("4,200")),
            ("teachers", Some("80.5")),
            ("dual_qualified_teachers", Some("many")),
            ("campus_area_m2", Some("-3")),
            ("graduates", None),
            ("no_such_code", Some("1")),
            ("students_per_teacher", Some("99")),
        ]);
        match read(&sheet, &catalogue(), 7, 2026) {
            Err(UploadError::Cells(errors)) => {
                let cells: Vec<&str> = errors.keys().map(String::as_str).collect();
                assert_eq!(cells, ["A10", "C6", "C7", "C8"]);
                assert_eq!(
                    errors["C6"].text(Lang::En),
                    "sheet \"办学状态数据\", cell C6 (teachers): must be a whole number"
                );
                assert!(
                    errors["C7"].text(Lang::ZhCn).contains("必须是数字"),
                    "{:?}",
                    errors["C7"]
                );
                assert!(
                    errors["C8"]
                        .text(Lang::En)
                        .ends_with("must not be negative")
                );
            }
            other => panic!("{other:?}"),
        }
        let good = filled(&[
            ("students", Some("4,200")),
            ("graduates", None),
            ("students_per_teacher", Some("99")),
        ]);
        let read = read(&good, &catalogue(), 7, 2026).unwrap();
        assert_eq!(read["students"], Some(4200.0));
        assert_eq!(read["graduates"], None);
        assert!(
            !read.contains_key("students_per_teacher"),
            "a ratio is never read"
        );
    }

    #[test]
    fn files_that_are_not_this_template_are_refused() {
        let bytes = template(&Figures::new());
        assert_eq!(
            read(b"%PDF-1.7", &catalogue(), 7, 2026),
            Err(UploadError::File(Msg::NotXlsx))
        );
        assert_eq!(
            read(&bytes, &catalogue(), 8, 2026),
            Err(UploadError::File(Msg::TemplateOtherSchool))
        );
        assert_eq!(
            read(&bytes, &catalogue(), 7, 2025),
            Err(UploadError::File(Msg::TemplateYear {
                expected: 2025,
                found: "2026".into()
            }))
        );
        let plain = crate::sheets::xlsx(&crate::sheets::Table::new(["a"]), "x").unwrap();
        assert_eq!(
            read(&plain, &catalogue(), 7, 2026),
            Err(UploadError::File(Msg::WrongTemplate))
        );
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_unpacked() {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        out.start_file(
            "xl/worksheets/sheet1.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        let zeros = vec![b' '; 1024 * 1024];
        for _ in 0..40 {
            std::io::Write::write_all(&mut out, &zeros).unwrap();
        }
        let bomb = out.finish().unwrap().into_inner();
        assert!(bomb.len() < 1024 * 1024, "compressed: {}", bomb.len());
        assert_eq!(
            read(&bomb, &catalogue(), 7, 2026),
            Err(UploadError::File(Msg::WorkbookTooLarge))
        );
    }
}

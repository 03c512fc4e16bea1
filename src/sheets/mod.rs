//! Spreadsheets: any table as CSV or XLSX (written with `rust_xlsxwriter`, so the cells are
//! typed, numbers formatted, the header frozen), and the status-data template that schools
//! download, fill in and upload (read back with `calamine`).
//!
//! Text from users is never a formula: XLSX cells are written as strings, and CSV cells that
//! a spreadsheet program would take for one (starting with `=`, `+`, `-`, `@`, a tab or a
//! carriage return) are neutralised with a leading apostrophe, as OWASP advises.

pub mod standard;
pub mod template;

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, XlsxError};

/// One cell of a table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    /// a number to draw attention to (below a standard): red in a workbook
    Marked(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}
impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Number(n as f64)
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Empty, Into::into)
    }
}
impl From<f64> for Cell {
    fn from(n: f64) -> Self {
        if n.is_finite() {
            Cell::Number(n)
        } else {
            Cell::Empty
        }
    }
}
impl From<bool> for Cell {
    fn from(b: bool) -> Self {
        Cell::Text(if b { "true" } else { "false" }.to_owned())
    }
}

/// A header row and the rows under it.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(header: impl IntoIterator<Item = impl Into<String>>) -> Table {
        Table {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }
}

/// Would a spreadsheet program read this text as a formula (or a command)?
fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn csv_field(cell: &Cell) -> String {
    let text = match cell {
        Cell::Text(s) if looks_like_formula(s) => format!("'{s}"),
        Cell::Text(s) => s.clone(),
        Cell::Number(n) | Cell::Marked(n) => number_text(*n),
        Cell::Empty => String::new(),
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The table as CSV: UTF-8 with a byte-order mark (so that Excel reads Chinese), CRLF.
pub fn csv(table: &Table) -> String {
    let mut out = csv_head(&table.header);
    for row in &table.rows {
        csv_line(row, &mut out);
    }
    out
}

/// The start of a CSV file: the byte-order mark and the header line.
pub fn csv_head(header: &[String]) -> String {
    let mut out = String::from("\u{feff}");
    let header: Vec<Cell> = header.iter().map(|h| Cell::from(h.as_str())).collect();
    csv_line(&header, &mut out);
    out
}

/// One CSV line, ended by CRLF.
pub fn csv_line(row: &[Cell], out: &mut String) {
    for (i, cell) in row.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_field(cell));
    }
    out.push_str("\r\n");
}

/// The formats a workbook's cells use.
pub(crate) struct Formats {
    pub header: Format,
    pub text: Format,
    pub whole: Format,
    pub decimal: Format,
    pub marked_whole: Format,
    pub marked_decimal: Format,
}

impl Formats {
    pub(crate) fn new() -> Formats {
        let marked = |f: Format| {
            f.set_background_color(Color::RGB(0xFDE2E1))
                .set_font_color(Color::RGB(0x9B1C1C))
        };
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_background_color(Color::RGB(0xE8EEF4))
                .set_border(FormatBorder::Thin),
            text: Format::new(),
            whole: Format::new().set_num_format("#,##0"),
            decimal: Format::new().set_num_format("#,##0.00"),
            marked_whole: marked(Format::new().set_num_format("#,##0")),
            marked_decimal: marked(Format::new().set_num_format("#,##0.00")),
        }
    }

    pub(crate) fn number(&self, n: f64, marked: bool) -> &Format {
        match (n.fract() == 0.0, marked) {
            (true, false) => &self.whole,
            (false, false) => &self.decimal,
            (true, true) => &self.marked_whole,
            (false, true) => &self.marked_decimal,
        }
    }
}

/// The longest start of `text` that fits in `limit` UTF-16 units: Excel counts its limits
/// (sheet names, a validation's title and message) in those, and a character outside the
/// Basic Multilingual Plane (an emoji, a rare hanzi of Extension B) takes two.
pub(crate) fn fit_utf16(text: &str, limit: usize) -> String {
    let mut used = 0;
    text.chars()
        .take_while(|c| {
            used += c.len_utf16();
            used <= limit
        })
        .collect()
}

/// Excel allows sheet names of 31 characters without `[]:*?/\` nor an apostrophe at
/// either end.
pub(crate) fn sheet_name(name: &str) -> String {
    let allowed: String = name
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .collect();
    let cleaned = fit_utf16(allowed.trim_matches('\''), 31)
        .trim_matches('\'')
        .to_owned();
    if cleaned.trim().is_empty() {
        "Sheet1".into()
    } else {
        cleaned
    }
}

/// The table as an XLSX workbook of one sheet: bold frozen header, typed and formatted
/// numbers, text as text, columns wide enough to read.
pub fn xlsx(table: &Table, sheet: &str) -> Result<Vec<u8>, XlsxError> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet_name(sheet))?;
    let mut widths: Vec<usize> = table
        .header
        .iter()
        .map(|h| display_width(h).min(40))
        .collect();
    for (c, title) in table.header.iter().enumerate() {
        worksheet.write_string_with_format(0, col(c)?, title, &formats.header)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, cell) in row.iter().enumerate() {
            let width = match cell {
                Cell::Text(s) => {
                    worksheet.write_string_with_format(r, col(c)?, s, &formats.text)?;
                    display_width(s)
                }
                Cell::Number(n) => {
                    worksheet.write_number_with_format(
                        r,
                        col(c)?,
                        *n,
                        formats.number(*n, false),
                    )?;
                    number_text(*n).len() + 3
                }
                Cell::Marked(n) => {
                    worksheet.write_number_with_format(r, col(c)?, *n, formats.number(*n, true))?;
                    number_text(*n).len() + 3
                }
                Cell::Empty => 0,
            };
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(width.min(60));
            }
        }
    }
    for (c, width) in widths.iter().enumerate() {
        worksheet.set_column_width(col(c)?, (*width).max(8) as f64 + 1.0)?;
    }
    worksheet.set_freeze_panes(1, 0)?;
    workbook.save_to_buffer()
}

pub(crate) fn col(index: usize) -> Result<u16, XlsxError> {
    u16::try_from(index).map_err(|_| XlsxError::RowColumnLimitError)
}

/// Roughly how many Latin characters wide a text is (a Chinese character counts two).
pub(crate) fn display_width(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// A cell reference as people see it: column letters and a row number from 1 (`E7`).
pub fn cell_ref(row: u32, column: u32) -> String {
    let mut index = column as usize;
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    name.reverse();
    format!("{}{}", String::from_utf8_lossy(&name), row + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

    fn table() -> Table {
        Table {
            header: vec!["school".into(), "students".into(), "note".into()],
            rows: vec![
                vec![
                    "福州第二高级技工学校".into(),
                    Cell::from(4200i64),
                    "a, \"quoted\" note".into(),
                ],
                vec!["Zhenping".into(), Cell::Empty, Cell::from(12.5)],
                vec![
                    "=HYPERLINK(\"http://evil.example\",\"x\")".into(),
                    Cell::Marked(-3.0),
                    "@SUM(A1)".into(),
                ],
            ],
        }
    }

    #[test]
    fn csv_quotes_keeps_chinese_and_neutralises_formulas() {
        let text = csv(&table());
        assert!(text.starts_with('\u{feff}'));
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[0], "school,students,note");
        assert_eq!(
            lines[1],
            "福州第二高级技工学校,4200,\"a, \"\"quoted\"\" note\""
        );
        assert_eq!(lines[2], "Zhenping,,12.5");
        assert_eq!(
            lines[3],
            "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",-3,'@SUM(A1)"
        );
        for hostile in ["=1+1", "+1", "-1", "@x", "\tx", "\rx"] {
            assert!(
                csv_field(&Cell::from(hostile))
                    .trim_start_matches('"')
                    .starts_with('\''),
                "{hostile:?}"
            );
        }
    }

    #[test]
    fn xlsx_reads_back_with_text_as_text() {
        let bytes = xlsx(&table(), "peers").unwrap();
        assert_eq!(
            crate::domain::evidence::sniff(&bytes[..bytes.len().min(8192)], "x.xlsx"),
            Some(crate::domain::evidence::EvidenceType::Xlsx)
        );
        let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("peers").unwrap();
        assert_eq!(
            range.get_value((0, 0)),
            Some(&Data::String("school".into()))
        );
        assert_eq!(range.get_value((1, 1)), Some(&Data::Float(4200.0)));
        assert_eq!(range.get_value((2, 2)), Some(&Data::Float(12.5)));
        // The formula stays a string: no formula in the sheet.
        assert_eq!(
            range.get_value((3, 0)),
            Some(&Data::String(
                "=HYPERLINK(\"http://evil.example\",\"x\")".into()
            ))
        );
        assert!(
            book.worksheet_formula("peers")
                .unwrap()
                .used_cells()
                .next()
                .is_none()
        );
    }

    #[test]
    fn cell_references() {
        assert_eq!(cell_ref(0, 0), "A1");
        assert_eq!(cell_ref(6, 4), "E7");
        assert_eq!(cell_ref(9, 27), "AB10");
        assert_eq!(
            sheet_name("办学状态数据 / Status data: 2026"),
            "办学状态数据  Status data 2026"
        );
        assert_eq!(sheet_name("'quoted'"), "quoted");
    }

    /// Found by Schemathesis: an indicator named in characters outside the Basic
    /// Multilingual Plane made the template's validation title too long for Excel.
    #[test]
    fn limits_count_utf16_units() {
        assert_eq!(fit_utf16("abc", 2), "ab");
        assert_eq!(fit_utf16("学校", 2), "学校");
        assert_eq!(fit_utf16("😀😀😀", 5), "😀😀");
        assert_eq!(fit_utf16("𠀀a", 2), "𠀀");
        let long = "😀".repeat(40);
        assert_eq!(sheet_name(&long).encode_utf16().count(), 30);
    }
}

//! The report as a Word document (DOCX) that Word and WPS open and print: A4, SimSun for
//! Chinese and Times New Roman for Latin text (the faces every Chinese office has), a cover
//! page, numbered pages, and the view's sections as headings, paragraphs and tables.

use docx_rs::{
    AlignmentType, BreakType, Docx, Footer, PageMargin, PageNum, Paragraph, Run, RunFonts, Shading,
    ShdType, Table, TableCell, TableLayoutType, TableRow, WidthType,
};

use super::{Block, ReportView, Row};

/// The media type of a DOCX.
pub const CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A4 in twentieths of a point.
const A4: (u32, u32) = (11_906, 16_838);
/// The width between the margins, in twentieths of a point.
const TEXT_WIDTH: usize = 11_906 - 2 * 1_440;
const RED: &str = "9B1C1C";

fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
        .east_asia("SimSun")
}

fn heading_fonts() -> RunFonts {
    RunFonts::new()
        .ascii("Arial")
        .hi_ansi("Arial")
        .east_asia("SimHei")
}

/// Text in a run; line breaks within it become breaks in the document.
fn run(text: &str) -> Run {
    let mut run = Run::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    run
}

fn centred(text: &str, size: usize, bold: bool) -> Paragraph {
    let mut r = run(text).size(size).fonts(heading_fonts());
    if bold {
        r = r.bold();
    }
    Paragraph::new().align(AlignmentType::Center).add_run(r)
}

fn cell(text: &str, header: bool, marked: bool, numeric: bool, width: usize) -> TableCell {
    let mut r = run(text).size(20);
    if header {
        r = r.bold();
    }
    if marked {
        r = r.color(RED);
    }
    let mut p = Paragraph::new().add_run(r);
    if numeric {
        p = p.align(AlignmentType::Right);
    }
    let mut c = TableCell::new()
        .add_paragraph(p)
        .width(width, WidthType::Dxa);
    if header {
        c = c.shading(Shading::new().shd_type(ShdType::Clear).fill("E8EEF4"));
    }
    c
}

fn table(header: &[String], rows: &[Row], numeric: &[bool]) -> Table {
    // The first column names the row: it gets twice the room of the others.
    let columns = header.len().max(1);
    let unit = TEXT_WIDTH / (columns + 1);
    let widths: Vec<usize> = (0..columns)
        .map(|i| if i == 0 { 2 * unit } else { unit })
        .collect();
    let line = |cells: &[String], header: bool, marked: bool| {
        TableRow::new(
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let numeric = numeric.get(i).copied().unwrap_or(false);
                    cell(
                        c,
                        header,
                        marked,
                        numeric,
                        widths.get(i).copied().unwrap_or(unit),
                    )
                })
                .collect(),
        )
    };
    let mut all = vec![line(header, true, false)];
    all.extend(rows.iter().map(|row| line(&row.cells, false, row.marked)));
    Table::new(all)
        .set_grid(widths.clone())
        .width(TEXT_WIDTH, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
}

/// The report as DOCX bytes.
pub fn write(view: &ReportView) -> Result<Vec<u8>, docx_rs::DocxError> {
    let cover = &view.cover;
    let mut doc = Docx::new()
        .page_size(A4.0, A4.1)
        .page_margin(
            PageMargin::new()
                .top(1_440)
                .bottom(1_440)
                .left(1_440)
                .right(1_440),
        )
        .default_fonts(fonts())
        .default_size(22)
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_page_num(PageNum::new()),
            ),
        );
    // The cover.
    for _ in 0..6 {
        doc = doc.add_paragraph(Paragraph::new());
    }
    doc = doc
        .add_paragraph(centred(&cover.school, 44, true))
        .add_paragraph(centred(
            cover.school_other.as_deref().unwrap_or(""),
            24,
            false,
        ))
        .add_paragraph(Paragraph::new())
        .add_paragraph(centred(&cover.title, 52, true))
        .add_paragraph(centred(&cover.year, 32, false))
        .add_paragraph(Paragraph::new());
    if let Some(draft) = &cover.draft {
        doc = doc.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(run(draft).size(32).bold().color(RED).fonts(heading_fonts())),
        );
    }
    doc = doc
        .add_paragraph(centred(&cover.status_note, 21, false))
        .add_paragraph(Paragraph::new())
        .add_paragraph(centred(&cover.province, 28, false))
        .add_paragraph(centred(&cover.generated, 24, false))
        .add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)));
    for section in &view.sections {
        doc = doc.add_paragraph(
            Paragraph::new()
                .outline_lvl(0)
                .keep_next(true)
                .add_run(run(&section.heading).size(30).bold().fonts(heading_fonts())),
        );
        for block in &section.blocks {
            doc = match block {
                Block::Paragraph { text } => {
                    doc.add_paragraph(Paragraph::new().first_line_chars(200).add_run(run(text)))
                }
                Block::Facts { pairs } => {
                    let rows: Vec<Row> = pairs
                        .iter()
                        .map(|f| Row {
                            cells: vec![f.label.clone(), f.value.clone()],
                            marked: false,
                        })
                        .collect();
                    let width = TEXT_WIDTH / 3;
                    doc.add_table(
                        Table::new(
                            rows.iter()
                                .map(|r| {
                                    TableRow::new(vec![
                                        cell(&r.cells[0], true, false, false, width),
                                        cell(&r.cells[1], false, false, false, 2 * width),
                                    ])
                                })
                                .collect(),
                        )
                        .set_grid(vec![width, 2 * width]),
                    )
                }
                Block::Table {
                    header,
                    rows,
                    numeric,
                } => doc.add_table(table(header, rows, numeric)),
                // The charts' numbers are in the tables beside them.
                Block::Chart { .. } => doc,
            };
            doc = doc.add_paragraph(Paragraph::new());
        }
    }
    let mut bytes = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut bytes)?;
    Ok(bytes.into_inner())
}

//! Downloads of a table: `?format=` is parsed here, and the CSV or XLSX (see `sheets`) goes
//! out as an attachment.

use actix_web::HttpResponse;
use actix_web::http::header;

use crate::error::AppError;
pub use crate::sheets::{Cell, Table};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

impl Format {
    /// From `?format=`; anything else is a validation error naming `format`.
    pub fn parse(raw: Option<&str>) -> Result<Format, crate::error::Msg> {
        match raw.map(str::trim) {
            None | Some("") | Some("json") => Ok(Format::Json),
            Some("csv") => Ok(Format::Csv),
            Some("xlsx") => Ok(Format::Xlsx),
            Some(_) => Err(crate::error::Msg::Format {
                choices: "json, csv, xlsx".into(),
            }),
        }
    }
}

/// The table as a download in `format` (CSV or XLSX), named `name`.
pub fn download(table: &Table, format: Format, name: &str) -> Result<HttpResponse, AppError> {
    let (body, content_type, extension) = match format {
        Format::Xlsx => (
            crate::sheets::xlsx(table, name).map_err(|e| AppError::Internal(e.into()))?,
            XLSX_TYPE,
            "xlsx",
        ),
        _ => (
            crate::sheets::csv(table).into_bytes(),
            "text/csv; charset=utf-8",
            "csv",
        ),
    };
    Ok(attachment(
        body,
        content_type,
        &format!("{name}.{extension}"),
    ))
}

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file to save: its bytes, type and name, never cached by a shared cache.
pub fn attachment(body: Vec<u8>, content_type: &str, filename: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_DISPOSITION, content_disposition(filename)))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(body)
}

/// `attachment` with an ASCII name for old clients and the UTF-8 name (RFC 6266) for the
/// rest, so that a Chinese file name survives.
fn content_disposition(filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        crate::http::web::templates::percent_encode(filename)
    )
}

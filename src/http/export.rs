//! Downloads of a table: `?format=` is parsed here, and the CSV or XLSX (see `sheets`) goes
//! out as an attachment. A long list (every deadline of the country) is read a page at a
//! time and streamed (`whole_list`), so that its size is never held in memory as text.

use std::sync::Arc;

use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Bytes;

use crate::auth::CurrentUser;
use crate::db::{Db, DbConn};
use crate::domain::access::Access;
use crate::domain::paging::{After, Listing, MAX_LIMIT, Paging};
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
        match crate::domain::text::choice(raw) {
            None | Some("json") => Ok(Format::Json),
            Some("csv") => Ok(Format::Csv),
            Some("xlsx") => Ok(Format::Xlsx),
            Some(_) => Err(crate::error::Msg::Format {
                choices: "json, csv, xlsx".into(),
            }),
        }
    }

    /// From `?format=` where the answer is JSON or one XLSX sheet (a standard, a score
    /// sheet): `true` for the sheet; anything else is a validation error naming `format`.
    pub fn sheet_asked(raw: Option<&str>) -> Result<bool, AppError> {
        Ok(Format::choice(raw, &["json", "xlsx"])? == "xlsx")
    }

    /// From `?format=`, one of `choices` (the first when none is given); anything else is a
    /// validation error naming `format` and the choices.
    pub fn choice<'a>(raw: Option<&str>, choices: &[&'a str]) -> Result<&'a str, AppError> {
        let asked = crate::domain::text::choice(raw)
            .unwrap_or_else(|| choices.first().copied().unwrap_or_default());
        choices
            .iter()
            .find(|c| **c == asked)
            .copied()
            .ok_or_else(|| {
                AppError::field(
                    "format",
                    crate::error::Msg::Format {
                        choices: choices.join(", "),
                    },
                )
            })
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
        crate::templates::percent_encode(filename)
    )
}

/// Reads one page of a list (with the reader's access already bound in).
pub type PageReader<T> =
    Arc<dyn Fn(&mut DbConn, &Paging) -> Result<Listing<T>, AppError> + Send + Sync>;

/// A list as text, produced a page at a time: `head`, then each page rendered, then `tail`.
/// The first page is the one already read (with the session check); the rest are read in
/// further trips to the database as the client takes them. A change made between two pages
/// may move a row across their boundary: a download is as of the moments it was read.
pub fn stream_text<T: Send + 'static>(
    db: Db,
    read: PageReader<T>,
    first: Listing<T>,
    head: String,
    render: impl Fn(&[T]) -> String + Send + 'static,
    tail: String,
) -> impl futures_util::Stream<Item = Result<Bytes, AppError>> {
    enum Step<T> {
        Head(String, Listing<T>),
        Rows(Listing<T>),
        Next(After),
        Tail,
        Done,
    }
    let render = Arc::new(render);
    futures_util::stream::unfold(Step::Head(head, first), move |step| {
        let (db, read, render, tail) = (db.clone(), read.clone(), render.clone(), tail.clone());
        async move {
            match step {
                Step::Head(head, first) => Some((Ok(Bytes::from(head)), Step::Rows(first))),
                Step::Rows(listing) => {
                    let text = render(&listing.rows);
                    let next = listing.next.map_or(Step::Tail, Step::Next);
                    Some((Ok(Bytes::from(text)), next))
                }
                Step::Next(after) => {
                    let paging = Paging {
                        limit: MAX_LIMIT,
                        after: Some(after),
                    };
                    match db.run(move |conn| read(conn, &paging)).await {
                        Ok(listing) => {
                            let text = render(&listing.rows);
                            let next = listing.next.map_or(Step::Tail, Step::Next);
                            Some((Ok(Bytes::from(text)), next))
                        }
                        Err(error) => {
                            tracing::error!(%error, "a streamed download failed");
                            Some((Err(error), Step::Done))
                        }
                    }
                }
                Step::Tail => Some((Ok(Bytes::from(tail)), Step::Done)),
                Step::Done => None,
            }
        }
    })
}

/// Every row of a list, read a page at a time after the first.
pub async fn read_all<T: Send + 'static>(
    db: &Db,
    read: PageReader<T>,
    first: Listing<T>,
) -> Result<Vec<T>, AppError> {
    let mut rows = first.rows;
    let mut next = first.next;
    while let Some(after) = next {
        let read = read.clone();
        let paging = Paging {
            limit: MAX_LIMIT,
            after: Some(after),
        };
        let page = db.run(move |conn| read(conn, &paging)).await?;
        rows.extend(page.rows);
        next = page.next;
    }
    Ok(rows)
}

/// How a list's rows become a table's.
pub struct Columns<T> {
    pub header: Vec<String>,
    pub row: fn(&T) -> Vec<Cell>,
}

/// A whole list as a download: CSV streamed a page at a time, XLSX (a zip, written whole)
/// from every page. `first` is the first page, read with `MAX_LIMIT` rows.
pub async fn whole_list<T: Send + 'static>(
    db: Db,
    read: PageReader<T>,
    first: Listing<T>,
    columns: Columns<T>,
    format: Format,
    name: &str,
) -> Result<HttpResponse, AppError> {
    if format == Format::Xlsx {
        let rows = read_all(&db, read, first).await?;
        let table = Table {
            header: columns.header,
            rows: rows.iter().map(columns.row).collect(),
        };
        return download(&table, format, name);
    }
    let row = columns.row;
    let body = stream_text(
        db,
        read,
        first,
        crate::sheets::csv_head(&columns.header),
        move |rows: &[T]| {
            let mut out = String::new();
            for r in rows {
                crate::sheets::csv_line(&row(r), &mut out);
            }
            out
        },
        String::new(),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            content_disposition(&format!("{name}.csv")),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .streaming(body))
}

/// A whole list of what `user` may see as a download: the first page read with the session
/// check, the rest with the access it granted, `read` reading a page.
pub async fn download_whole<T, F>(
    db: Db,
    user: &CurrentUser,
    read: F,
    columns: Columns<T>,
    format: Format,
    name: &str,
) -> Result<HttpResponse, AppError>
where
    F: Fn(&mut DbConn, &Access, &Paging) -> Result<Listing<T>, AppError>
        + Send
        + Sync
        + Clone
        + 'static,
    T: Send + 'static,
{
    let first_read = read.clone();
    let (access, first) = user
        .run(move |conn, access| Ok((access.clone(), first_read(conn, access, &first_batch())?)))
        .await?;
    let reader: PageReader<T> = Arc::new(move |conn, paging| read(conn, &access, paging));
    whole_list(db, reader, first, columns, format, name).await
}

/// The first page of a list read whole: as many rows as a page may hold.
pub fn first_batch() -> Paging {
    Paging {
        limit: MAX_LIMIT,
        after: None,
    }
}

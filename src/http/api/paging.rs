//! The paging convention of every list route, over HTTP: `?limit=` (default 100, 1 to
//! 1,000) and an opaque `?cursor=` from the previous answer. The body stays a JSON array;
//! the response says `X-Total-Count`, and `Link: <…>; rel="next"` (RFC 8288) while there is
//! more. The positions themselves are `domain::paging`.

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub use crate::domain::paging::{After, DEFAULT_LIMIT, Listing, MAX_LIMIT, Paging};
use crate::error::{AppError, FieldErrors, Msg};

/// `?limit=&cursor=` as sent.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// rows per page, 1 to 1,000 (default 100)
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
    /// where the page starts: the `cursor` of the previous answer's `Link` header
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The page asked for; a limit out of range or a cursor that is not one answers 422
    /// naming the parameter.
    pub fn paging(&self) -> Result<Paging, AppError> {
        let mut errors = FieldErrors::new();
        let limit = match self.limit.as_deref().map(str::trim) {
            None | Some("") => DEFAULT_LIMIT,
            Some(raw) => match raw.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    errors.insert(
                        "limit".into(),
                        Msg::Between {
                            min: "1".into(),
                            max: "1,000".into(),
                        },
                    );
                    DEFAULT_LIMIT
                }
            },
        };
        let after = match self.cursor.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => match After::decode(raw) {
                Some(after) => Some(after),
                None => {
                    errors.insert("cursor".into(), Msg::NotCursor);
                    None
                }
            },
        };
        if errors.is_empty() {
            Ok(Paging { limit, after })
        } else {
            Err(AppError::Validation(errors))
        }
    }
}

/// The address of the next page: this request's, with the cursor replaced.
fn next_link(req: &HttpRequest, after: &After) -> String {
    let kept: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("cursor="))
        .collect();
    let mut query = kept.join("&");
    if !query.is_empty() {
        query.push('&');
    }
    format!(
        "<{}?{query}cursor={}>; rel=\"next\"",
        req.path(),
        after.encode()
    )
}

/// Adds `X-Total-Count` and, when there is more, `Link` to an answer.
pub fn headers(response: &mut HttpResponse, req: &HttpRequest, total: i64, next: Option<&After>) {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&total.to_string()) {
        headers.insert(HeaderName::from_static("x-total-count"), value);
    }
    if let Some(after) = next
        && let Ok(value) = HeaderValue::from_str(&next_link(req, after))
    {
        headers.insert(actix_web::http::header::LINK, value);
    }
}

/// A page of a list as the answer: the rows as a JSON array, with the paging headers.
pub fn respond<T: Serialize>(req: &HttpRequest, listing: Listing<T>) -> HttpResponse {
    let mut response = HttpResponse::Ok().json(&listing.rows);
    headers(&mut response, req, listing.total, listing.next.as_ref());
    response
}

/// A page of a short list held whole in memory, as the answer.
pub fn respond_slice<T: Serialize>(
    req: &HttpRequest,
    all: Vec<T>,
    paging: &Paging,
) -> Result<HttpResponse, AppError> {
    let listing = Listing::slice(all, paging).map_err(|p| AppError::field("cursor", p))?;
    Ok(respond(req, listing))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(limit: Option<&str>, cursor: Option<&str>) -> PageQuery {
        PageQuery {
            limit: limit.map(str::to_owned),
            cursor: cursor.map(str::to_owned),
        }
    }

    #[test]
    fn limits_and_cursors_are_checked() {
        assert_eq!(query(None, None).paging().unwrap(), Paging::default());
        assert_eq!(query(Some("1000"), None).paging().unwrap().limit, 1000);
        for bad in ["0", "1001", "-5", "abc", "1e3", "99999999999999999999"] {
            match query(Some(bad), None).paging() {
                Err(AppError::Validation(fields)) => assert!(fields.contains_key("limit"), "{bad}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
        match query(None, Some("not-a-cursor")).paging() {
            Err(AppError::Validation(fields)) => assert!(fields.contains_key("cursor")),
            other => panic!("{other:?}"),
        }
    }
}

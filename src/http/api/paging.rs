//! The paging convention of every list route, over HTTP: `?limit=` (default 100, 1 to
//! 1,000) and an opaque `?cursor=` from the previous answer. The body stays a JSON array;
//! the response says `X-Total-Count`, and `Link: <…>; rel="next"` (RFC 8288) while there is
//! more. The positions themselves are `domain::paging`.

use actix_web::dev::Payload;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub use crate::domain::paging::{After, DEFAULT_LIMIT, Listing, MAX_LIMIT, Paging};
use crate::error::{AppError, FieldErrors, Msg};

/// `?limit=&cursor=` as sent. (Every route answering an array gets both parameters in the
/// OpenAPI document from `openapi::PagingConvention`; a route that pages a list inside a
/// larger answer names them itself.)
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// rows per page, 1 to 1,000 (default 100)
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
    /// where the page starts: the `cursor` of the previous answer's `Link` header
    pub cursor: Option<String>,
}

/// The page a list route is asked for, checked before any work (a bad `limit` or `cursor`
/// answers 422 naming it), and the request, to write the next page's address.
pub struct Paged {
    pub paging: Paging,
    req: HttpRequest,
}

impl Paged {
    /// A page of `listing`'s rows as the answer.
    pub fn respond<T: Serialize>(&self, listing: Listing<T>) -> HttpResponse {
        respond(&self.req, listing)
    }

    /// An answer that holds one page of a list (inside a larger body): with the list's
    /// paging headers.
    pub fn respond_with(
        &self,
        mut response: HttpResponse,
        total: i64,
        next: Option<After>,
    ) -> HttpResponse {
        headers(&mut response, &self.req, total, next.as_ref());
        response
    }

    /// A page of a short list held whole in memory, as the answer.
    pub fn slice<T: Serialize>(&self, all: Vec<T>) -> Result<HttpResponse, AppError> {
        respond_slice(&self.req, all, &self.paging)
    }
}

impl FromRequest for Paged {
    type Error = AppError;
    type Future = std::future::Ready<Result<Paged, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            actix_web::web::Query::<PageQuery>::from_query(req.query_string())
                .map_err(|_| AppError::bad_request("invalid_query", Msg::MalformedQuery))
                .and_then(|query| query.paging())
                .map(|paging| Paged {
                    paging,
                    req: req.clone(),
                }),
        )
    }
}

impl PageQuery {
    /// The page asked for; a limit out of range or a cursor that is not one answers 422
    /// naming the parameter.
    pub fn paging(&self) -> Result<Paging, AppError> {
        let mut errors = FieldErrors::new();
        // Exactly a whole number, as the document says (`limit=` or ` 5` is not one).
        let limit = match self.limit.as_deref() {
            None => DEFAULT_LIMIT,
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

//! `Body<T>`: a JSON request body read into `T`, with errors a person (and a client
//! generator) can act on. Every API handler that takes a JSON body takes it through here.
//!
//! A body that cannot be read is answered only after the use case has checked who is
//! asking (`app::input::Sent`): a stranger's malformed request is 404 like any other.
//!
//! - not `application/json`: 415 `unsupported_media_type`;
//! - larger than 1 MiB: 413 `payload_too_large`;
//! - not JSON: 400 `malformed_json`;
//! - JSON of the wrong shape: 400 `invalid_body` with `fields` naming each problem by its
//!   JSON path (`year`, `figures.students`, `items[2].code`; the body itself is `$`), in
//!   words (never a Rust type name), in the reader's language.
//!
//! A whole number written with a decimal point (`1990.0`) is a whole number, as JSON Schema
//! says: numbers with no fraction are read as integers before the body is read into `T`.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::app::input::{Sent, Unreadable};
use crate::domain::message::Msg;
use crate::error::{AppError, FieldErrors};

/// The largest JSON body the API takes.
pub const JSON_LIMIT: usize = 1024 * 1024;

pub struct Body<T>(pub Sent<T>);

impl<T> Body<T> {
    /// The body as the use case reads it, after its checks (`app::input`).
    pub fn into_inner(self) -> Sent<T> {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    /// Never fails: what cannot be read is handed on (`Sent`) and answered once the use
    /// case has checked who is asking.
    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                let v = v.trim().to_ascii_lowercase();
                v == "application/json" || (v.starts_with("application/") && v.ends_with("+json"))
            });
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let read = async {
                // The body is taken off the wire either way, so that the connection stays
                // usable for the answer.
                let bytes = bytes.await.map_err(|e| {
                    if e.as_response_error().status_code()
                        == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                    {
                        Unreadable::TooLarge(Msg::BodyTooLarge)
                    } else {
                        Unreadable::BadRequest {
                            code: "malformed_body",
                            message: Msg::MalformedBody,
                        }
                    }
                })?;
                if !is_json {
                    return Err(Unreadable::MediaType(Msg::NotJson));
                }
                if bytes.len() > JSON_LIMIT {
                    return Err(Unreadable::TooLarge(Msg::BodyTooLarge));
                }
                read_json(&bytes)
            };
            Ok(Body(match read.await {
                Ok(value) => Sent::read_ok(value),
                Err(why) => Sent::unreadable(why),
            }))
        })
    }
}

/// A JSON body that may be left out: no body at all is `None`; a body that is sent is read
/// as `Body<T>` is, errors and all (garbage is refused, not taken for "no body").
pub struct OptionalBody<T>(pub Sent<Option<T>>);

impl<T> OptionalBody<T> {
    pub fn into_inner(self) -> Sent<Option<T>> {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for OptionalBody<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let chunked = req.headers().contains_key(header::TRANSFER_ENCODING);
        if length.unwrap_or(0) == 0 && !chunked {
            return Box::pin(async { Ok(OptionalBody(Sent::read_ok(None))) });
        }
        let body = Body::<T>::from_request(req, payload);
        Box::pin(async move { Ok(OptionalBody(body.await?.into_inner().map(Some))) })
    }
}

/// The query string read into `T` the same way: a value of the wrong kind answers 400
/// `invalid_query` with `fields` naming the parameter (`?within_days=soon`), in words.
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Query<T> {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let pairs = form_urlencoded::parse(req.query_string().as_bytes());
        let read = serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs))
            .map(Query)
            .map_err(|error| {
                let path = error.path().to_string();
                let (field, problem) = explain(&path, &error.inner().to_string());
                AppError::BadQuery(FieldErrors::from([(field, problem)]))
            });
        std::future::ready(read)
    }
}

/// Reads a JSON body into `T` (see the module's text).
fn read_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Unreadable> {
    let mut value: Value = serde_json::from_slice(bytes).map_err(|_| Unreadable::BadRequest {
        code: "malformed_json",
        message: Msg::MalformedJson,
    })?;
    // serde reads a struct from an array too (`[null, null]`); a request body is an object.
    if !value.is_object() {
        return Err(Unreadable::Shape(FieldErrors::from([(
            "$".to_owned(),
            Msg::NotObject,
        )])));
    }
    whole_numbers(&mut value);
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let (field, problem) = explain(&path, &error.inner().to_string());
        Unreadable::Shape(FieldErrors::from([(field, problem)]))
    })
}

/// `1990.0` → `1990`, everywhere in the document.
fn whole_numbers(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => {
            // Every f64 without a fraction in i64's range is exactly an integer.
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && (-9.223_372_036_854_775e18..9.223_372_036_854_775e18).contains(&f)
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        Value::Object(map) => map.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

/// The field and the problem, from serde's account of it. serde's words name Rust types
/// ("expected i64"); these are what a person is told instead.
fn explain(path: &str, message: &str) -> (String, Msg) {
    let at = |name: &str| -> String {
        match path {
            "." | "" => name.to_owned(),
            _ => format!("{path}.{name}"),
        }
    };
    let here = || -> String {
        match path {
            "." | "" => "$".to_owned(),
            _ => path.to_owned(),
        }
    };
    let quoted = |text: &str| -> Option<String> {
        let start = text.find('`')? + 1;
        let end = start + text[start..].find('`')?;
        Some(text[start..end].to_owned())
    };
    if let Some(rest) = message.strip_prefix("missing field ") {
        return (at(&quoted(rest).unwrap_or_default()), Msg::Required);
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let _ = rest;
        return (here(), Msg::UnknownField);
    }
    if message.starts_with("unknown variant ") {
        let choices = message
            .split_once("expected ")
            .map(|(_, c)| c.replace("one of ", "").replace('`', ""))
            .unwrap_or_default();
        return (here(), Msg::OneOf { choices });
    }
    if message.starts_with("invalid type: null") {
        return (here(), Msg::Required);
    }
    let expected = message
        .split_once("expected ")
        .map(|(_, e)| e.split(" at line").next().unwrap_or(e).to_owned())
        .unwrap_or_default();
    let problem = if [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "integer",
    ]
    .iter()
    .any(|t| {
        expected
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w == *t)
    }) {
        Msg::WholeNumber
    } else if expected.starts_with("struct") || expected.contains("map") {
        Msg::NotObject
    } else if expected.contains("f64") || expected.contains("f32") || expected.contains("number") {
        Msg::NotNumber
    } else if expected.contains("string") || expected.contains("str") || expected.contains("char") {
        Msg::NotText
    } else if expected.contains("bool") {
        Msg::NotTrueFalse
    } else if expected.contains("sequence")
        || expected.contains("tuple")
        || expected.contains("array")
    {
        Msg::NotList
    } else {
        Msg::WrongKind
    };
    (here(), problem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        code: String,
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        year: i64,
        share: Option<f64>,
        items: Option<Vec<Inner>>,
        on: Option<bool>,
    }

    fn problem(body: &str) -> (String, Msg) {
        match read_json::<Outer>(body.as_bytes()) {
            Err(Unreadable::Shape(fields)) => fields.into_iter().next().unwrap(),
            other => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn fields_are_named_by_path_in_words() {
        assert_eq!(
            problem(r#"{"year": "1978"}"#),
            ("year".into(), Msg::WholeNumber)
        );
        assert_eq!(
            problem(r#"{"year": 1.5}"#),
            ("year".into(), Msg::WholeNumber)
        );
        assert_eq!(problem(r#"{}"#), ("year".into(), Msg::Required));
        assert_eq!(problem(r#"[]"#), ("$".into(), Msg::NotObject));
        assert_eq!(
            problem(r#"{"year": 1, "nope": 1}"#),
            ("nope".into(), Msg::UnknownField)
        );
        assert_eq!(
            problem(r#"{"year": 1, "items": [{"code": "a"}, {"code": 5}]}"#),
            ("items[1].code".into(), Msg::NotText)
        );
        assert_eq!(
            problem(r#"{"year": 1, "on": "yes"}"#),
            ("on".into(), Msg::NotTrueFalse)
        );
        assert_eq!(
            problem(r#"{"year": 1, "share": "x"}"#),
            ("share".into(), Msg::NotNumber)
        );
        assert_eq!(
            problem(r#"{"year": 1, "items": {}}"#),
            ("items".into(), Msg::NotList)
        );
        assert!(matches!(
            read_json::<Outer>(b"{"),
            Err(Unreadable::BadRequest {
                code: "malformed_json",
                ..
            })
        ));
    }

    #[test]
    fn whole_numbers_may_have_a_decimal_point() {
        let outer: Outer = read_json(br#"{"year": 1990.0, "share": 5}"#).unwrap();
        assert_eq!(outer.year, 1990);
        let large: Outer = read_json(br#"{"year": -1989120146250391.0}"#).unwrap();
        assert_eq!(large.year, -1_989_120_146_250_391);
        assert_eq!(outer.share, Some(5.0));
    }
}

//! `AppError`: the one place where failures become HTTP answers.
//!
//! Which variant to use:
//! - `Validation` when the request was well-formed but a field's value is wrong (422, names
//!   every bad field);
//! - `BadRequest` when the body or query cannot be read at all (400);
//! - `NotFound` for a missing record *and* for one the caller may not see (404);
//! - `Forbidden` when the caller may see the record but their role may not do this (403);
//! - `Conflict` for invalid state transitions, stale versions and duplicates (409);
//! - `Internal` for anything unexpected: logged with its cause chain, answered opaquely.
//!
//! API responses carry `{"error": {"code", "message", "fields"?}}`. Pages get the same
//! status with an HTML page, rendered by `http::web::error_pages` from the `ErrorInfo`
//! that this module leaves in the response.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::lang::Lang;
pub use crate::domain::message::Msg;

/// Field name (a JSON path, or a cell reference in a sheet) → what is wrong with it.
pub type FieldErrors = BTreeMap<String, Msg>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    BadRequest { code: &'static str, message: Msg },
    #[error("{message}")]
    Unauthorized { code: &'static str, message: Msg },
    #[error("your role may not do this")]
    Forbidden,
    /// A session of an account set up by someone else, before its own password is chosen:
    /// only the password change, the account itself and signing out are open (403).
    #[error("choose your own password first")]
    PasswordChangeRequired,
    #[error("the form has expired; reload the page and try again")]
    CsrfRejected,
    #[error("not found")]
    NotFound,
    #[error("method not allowed here; allowed: {allow}")]
    MethodNotAllowed { allow: String },
    #[error("{message}")]
    Conflict { code: &'static str, message: Msg },
    /// A conflict that names the fields it is about (the items an evaluation still lacks).
    #[error("{message}")]
    ConflictOver {
        code: &'static str,
        message: Msg,
        fields: FieldErrors,
    },
    #[error("{0}")]
    PayloadTooLarge(Msg),
    /// A request target longer than `http::MAX_URI_BYTES`.
    #[error("the address is too long")]
    UriTooLong,
    #[error("{0}")]
    UnsupportedMediaType(Msg),
    #[error("validation failed")]
    Validation(FieldErrors),
    /// A validation failure of its own kind (422 with its code), naming the fields it is
    /// about: a conflict of interest of a proposed panel member.
    #[error("{message}")]
    Refused {
        code: &'static str,
        message: Msg,
        fields: FieldErrors,
    },
    /// A JSON body that is JSON but not of the request's shape: the fields are named.
    #[error("the request body does not have the expected shape")]
    BadBody(FieldErrors),
    /// A query string with a parameter of the wrong kind: the parameters are named.
    #[error("the query string cannot be read")]
    BadQuery(FieldErrors),
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// The disk under the database or the evidence is full: the write was undone.
    #[error("storage full: {0}")]
    InsufficientStorage(String),
    #[error(transparent)]
    Internal(anyhow::Error),
}

/// An unexpected failure, unless its cause is a full disk (`AppError::internal`).
impl From<anyhow::Error> for AppError {
    fn from(cause: anyhow::Error) -> Self {
        AppError::internal(cause)
    }
}

impl AppError {
    /// An unexpected failure; 507 when what failed was a write to a full disk (the
    /// database's file, the evidence's directory, a staged upload), wherever it happened.
    pub fn internal(cause: anyhow::Error) -> Self {
        if storage_full(&cause) {
            AppError::InsufficientStorage(format!("{cause:#}"))
        } else {
            AppError::Internal(cause)
        }
    }

    pub fn bad_request(code: &'static str, message: Msg) -> Self {
        AppError::BadRequest { code, message }
    }

    pub fn conflict(code: &'static str, message: Msg) -> Self {
        AppError::Conflict { code, message }
    }

    /// A conflict whose code is the message's own.
    pub fn conflict_of(message: Msg) -> Self {
        AppError::Conflict {
            code: message.code(),
            message,
        }
    }

    /// A validation error for a single field.
    pub fn field(field: &str, problem: Msg) -> Self {
        AppError::Validation(FieldErrors::from([(field.to_owned(), problem)]))
    }

    /// The contract's snake_case error code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { code, .. }
            | AppError::Unauthorized { code, .. }
            | AppError::Conflict { code, .. }
            | AppError::ConflictOver { code, .. }
            | AppError::Refused { code, .. } => code,
            AppError::Forbidden => "forbidden",
            AppError::PasswordChangeRequired => "password_change_required",
            AppError::CsrfRejected => "csrf_failed",
            AppError::NotFound => "not_found",
            AppError::MethodNotAllowed { .. } => "method_not_allowed",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::UriTooLong => "uri_too_long",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::Validation(_) => "validation_failed",
            AppError::BadBody(_) => "invalid_body",
            AppError::BadQuery(_) => "invalid_query",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Unavailable(_) => "service_unavailable",
            AppError::InsufficientStorage(_) => "insufficient_storage",
            AppError::Internal(_) => "internal_error",
        }
    }

    /// What the user is told. Internal errors never show their cause.
    pub fn public_message(&self) -> Msg {
        match self {
            AppError::BadRequest { message, .. }
            | AppError::Unauthorized { message, .. }
            | AppError::Conflict { message, .. }
            | AppError::ConflictOver { message, .. }
            | AppError::Refused { message, .. }
            | AppError::PayloadTooLarge(message)
            | AppError::UnsupportedMediaType(message) => message.clone(),
            AppError::Forbidden => Msg::Forbidden,
            AppError::PasswordChangeRequired => Msg::PasswordChangeRequired,
            AppError::UriTooLong => Msg::UriTooLong,
            AppError::CsrfRejected => Msg::CsrfFailed,
            AppError::NotFound => Msg::NotFound,
            AppError::MethodNotAllowed { allow } => Msg::MethodNotAllowed {
                allow: allow.clone(),
            },
            AppError::Validation(_) => Msg::ValidationFailed,
            AppError::BadBody(_) => Msg::BodyShape,
            AppError::BadQuery(_) => Msg::MalformedQuery,
            AppError::TooManyRequests { retry_after_secs } => Msg::TooManyAttempts {
                seconds: *retry_after_secs,
            },
            AppError::Unavailable(_) => Msg::Unavailable,
            AppError::InsufficientStorage(_) => Msg::StorageFull,
            AppError::Internal(_) => Msg::Unexpected,
        }
    }

    /// What an error response carries for the layers that render it in a language.
    pub fn info(&self) -> ErrorInfo {
        ErrorInfo {
            code: self.code(),
            message: self.public_message(),
            fields: match self {
                AppError::Validation(fields)
                | AppError::BadBody(fields)
                | AppError::BadQuery(fields)
                | AppError::ConflictOver { fields, .. }
                | AppError::Refused { fields, .. } => Some(fields.clone()),
                _ => None,
            },
        }
    }
}

/// What a renderer needs to know about an error response, before it picks a language:
/// `AppError` leaves it in the response's extensions.
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub message: Msg,
    pub fields: Option<FieldErrors>,
}

impl ErrorInfo {
    /// The contract's error body, in `lang`.
    pub fn body(&self, lang: Lang) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message.text(lang),
                fields: self.fields.as_ref().map(|f| localize(f, lang)),
            },
        }
    }
}

/// Field errors as text in `lang`.
pub fn localize(fields: &FieldErrors, lang: Lang) -> BTreeMap<String, String> {
    fields
        .iter()
        .map(|(field, problem)| (field.clone(), problem.text(lang)))
        .collect()
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// snake_case code, e.g. `validation_failed`, `not_found`, `stale_version`
    pub code: String,
    /// human-readable text, in the language of `Accept-Language` (English by default)
    pub message: String,
    /// on validation errors: field (its JSON path, or a cell reference) → what is wrong
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::CsrfRejected | AppError::PasswordChangeRequired => {
                StatusCode::FORBIDDEN
            }
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict { .. } | AppError::ConflictOver { .. } => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UriTooLong => StatusCode::URI_TOO_LONG,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Validation(_) | AppError::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadBody(_) | AppError::BadQuery(_) => StatusCode::BAD_REQUEST,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::InsufficientStorage(_) => StatusCode::INSUFFICIENT_STORAGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::Internal(cause) => {
                tracing::error!(error = ?cause, "unexpected error");
            }
            AppError::Unavailable(cause) => tracing::error!(%cause, "service unavailable"),
            AppError::InsufficientStorage(cause) => tracing::error!(%cause, "storage full"),
            _ => {}
        }
        let info = self.info();
        let mut response = HttpResponse::build(self.status_code());
        match self {
            AppError::TooManyRequests { retry_after_secs } => {
                response.insert_header(("Retry-After", retry_after_secs.to_string()));
            }
            AppError::MethodNotAllowed { allow } => {
                response.insert_header(("Allow", allow.as_str()));
            }
            AppError::Unavailable(_) => {
                response.insert_header(("Retry-After", RETRY_UNAVAILABLE_SECS.to_string()));
            }
            _ => {}
        }
        // English here; `http` renders it again in the language the request asks for.
        let mut response = response.json(info.body(Lang::En));
        response.extensions_mut().insert(info);
        response
    }
}

impl From<crate::domain::access::Forbidden> for AppError {
    fn from(_: crate::domain::access::Forbidden) -> Self {
        AppError::Forbidden
    }
}

/// When to try again after a 503: the pool reconnects within a second or two once the
/// database is back.
const RETRY_UNAVAILABLE_SECS: u64 = 5;

/// Does any cause in the chain say the disk is full? An I/O error of that kind (ENOSPC,
/// EDQUOT), or a database's words for it: SQLite's SQLITE_FULL, PostgreSQL's 53100
/// `disk_full` ("could not extend file … No space left on device").
fn storage_full(cause: &anyhow::Error) -> bool {
    const ENOSPC: i32 = 28;
    const EDQUOT: i32 = 122;
    cause.chain().any(|c| {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
            ) || matches!(io.raw_os_error(), Some(ENOSPC | EDQUOT));
        }
        let text = c.to_string();
        text.contains("database or disk is full") || text.contains("No space left on device")
    })
}

impl From<diesel::result::Error> for AppError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::NotFound => AppError::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                tracing::debug!(detail = info.message(), "unique violation");
                AppError::conflict_of(Msg::Duplicate)
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                AppError::conflict("conflict", Msg::TryAgain)
            }
            // The connection went away under the request (a restart, a failover, a killed
            // backend): the database is away, as when the pool cannot connect.
            Error::DatabaseError(
                kind @ (DatabaseErrorKind::ClosedConnection
                | DatabaseErrorKind::UnableToSendCommand),
                info,
            ) => AppError::Unavailable(format!(
                "database connection lost ({kind:?}): {}",
                info.message()
            )),
            other => AppError::internal(anyhow::Error::new(other).context("database error")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    fn body_of(error: AppError) -> (StatusCode, serde_json::Value) {
        let response = error.error_response();
        let status = response.status();
        let bytes = response.into_body().try_into_bytes().unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[test]
    fn validation_names_fields() {
        let (status, body) = body_of(AppError::field("email", Msg::NotEmail));
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["code"], "validation_failed");
        assert_eq!(body["error"]["fields"]["email"], "is not an e-mail address");
    }

    #[test]
    fn internal_errors_are_opaque() {
        let (status, body) = body_of(AppError::Internal(anyhow::anyhow!(
            "secret connection string postgres://x:y@z"
        )));
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["error"]["code"], "internal_error");
        assert!(!body.to_string().contains("postgres://"));
        assert!(body["error"].get("fields").is_none());
    }

    #[test]
    fn diesel_not_found_is_404() {
        let error: AppError = diesel::result::Error::NotFound.into();
        assert_eq!(error.status_code(), StatusCode::NOT_FOUND);
    }
}

/// Collects the problems of several fields, so that one answer names them all.
#[derive(Default)]
pub struct Validator {
    errors: FieldErrors,
}

impl Validator {
    pub fn new() -> Self {
        Validator::default()
    }

    /// Keeps the value, or records the problem under `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, Msg>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(problem) => {
                self.errors.entry(field.to_owned()).or_insert(problem);
                None
            }
        }
    }

    /// Like `check`, for an optional input: `None` stays `None`.
    pub fn check_opt<T, R>(
        &mut self,
        field: &str,
        raw: Option<R>,
        parse: impl FnOnce(R) -> Result<T, Msg>,
    ) -> Option<Option<T>> {
        match raw {
            None => Some(None),
            Some(raw) => self.check(field, parse(raw)).map(Some),
        }
    }

    pub fn fail(&mut self, field: &str, problem: Msg) {
        self.errors.entry(field.to_owned()).or_insert(problem);
    }

    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The problems found so far, to merge with others (cells of a sheet).
    pub fn into_errors(self) -> FieldErrors {
        self.errors
    }

    /// `Ok` when every field was fine, else the `Validation` error naming them.
    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.errors))
        }
    }
}

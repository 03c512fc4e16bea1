//! What a client sent, read only once the use case has checked who is asking.
//!
//! A use case first finds what it works on under the caller's access (404 for what the
//! caller may not see, 403 for what their role may not do) and only then reads the input:
//! so a stranger learns nothing from the shape of an answer, and a body of the wrong shape
//! is a stranger's 404 like any other. The API's `Body<T>` hands over a `Sent<T>` (the body,
//! or why it could not be read); the pages' parsed forms are inputs already.

use crate::domain::message::Msg;
use crate::error::{AppError, FieldErrors};

/// An input of type `T` as a use case reads it: `input.read()?` after its checks.
pub trait Input<T> {
    fn read(&self) -> Result<&T, AppError>;
}

/// A value is its own input (a page's parsed form, a test's, the demo's).
impl<T> Input<T> for T {
    fn read(&self) -> Result<&T, AppError> {
        Ok(self)
    }
}

/// A request body: what was read, or why it could not be.
pub struct Sent<T>(Result<T, Unreadable>);

impl<T> Sent<T> {
    pub fn read_ok(value: T) -> Self {
        Sent(Ok(value))
    }

    pub fn unreadable(why: Unreadable) -> Self {
        Sent(Err(why))
    }

    /// The body, or why not, for a handler with no access check of its own to wait for
    /// (signing in, a public objection form).
    pub fn into_result(self) -> Result<T, AppError> {
        self.0.map_err(AppError::from)
    }

    /// The body, or the answer to give for it.
    pub fn read(&self) -> Result<&T, AppError> {
        self.0.as_ref().map_err(|why| why.clone().into())
    }

    /// Reads a part of the body (`version` of a patch) the same way.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Sent<U> {
        Sent(self.0.map(f))
    }
}

impl<T> Input<T> for Sent<T> {
    fn read(&self) -> Result<&T, AppError> {
        Sent::read(self)
    }
}

/// Why a request body could not be read (each is the API's answer).
#[derive(Clone, Debug)]
pub enum Unreadable {
    /// 400 with its code: not JSON, cut off
    BadRequest { code: &'static str, message: Msg },
    /// 413
    TooLarge(Msg),
    /// 415
    MediaType(Msg),
    /// 400 `invalid_body`, naming the fields
    Shape(FieldErrors),
}

impl From<Unreadable> for AppError {
    fn from(why: Unreadable) -> AppError {
        match why {
            Unreadable::BadRequest { code, message } => AppError::BadRequest { code, message },
            Unreadable::TooLarge(message) => AppError::PayloadTooLarge(message),
            Unreadable::MediaType(message) => AppError::UnsupportedMediaType(message),
            Unreadable::Shape(fields) => AppError::BadBody(fields),
        }
    }
}

//! The language of a request: the user's choice (the `lang` cookie), else the best of
//! `Accept-Language`, else Chinese for pages and English for the API. The texts themselves
//! are in `crate::i18n`.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header::ACCEPT_LANGUAGE;
use actix_web::{FromRequest, HttpRequest};

pub const LANG_COOKIE: &str = "lang";

pub use crate::domain::lang::Lang;

impl Lang {
    /// The language of a page: the `lang` cookie, else `Accept-Language`, else Chinese.
    pub fn of_request(req: &HttpRequest) -> Lang {
        Lang::requested(req, Lang::ZhCn)
    }

    /// The language of an API answer: as for pages, but English when nothing is asked
    /// for (the API's clients are programs first).
    pub fn of_api_request(req: &HttpRequest) -> Lang {
        Lang::requested(req, Lang::En)
    }

    fn requested(req: &HttpRequest, fallback: Lang) -> Lang {
        let cookie = req.cookie(LANG_COOKIE);
        let accept = req
            .headers()
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        Lang::negotiate(cookie.as_ref().map(|c| c.value()), accept, fallback)
    }
}

impl FromRequest for Lang {
    type Error = actix_web::Error;
    type Future = Ready<Result<Lang, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Lang::of_request(req)))
    }
}

pub use crate::i18n::{Catalogue, catalogue};

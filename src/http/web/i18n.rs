//! Languages and message catalogues. Every user-facing string of a page comes from
//! `templates/i18n/<lang>.json`; the language is the user's choice (the `lang` cookie),
//! else the best of `Accept-Language`, else Chinese.

use std::collections::BTreeMap;
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

pub type Catalogue = BTreeMap<String, String>;

/// The catalogue of a language, parsed from the file embedded in the binary.
pub fn catalogue(lang: Lang) -> Result<Catalogue, serde_json::Error> {
    let raw = match lang {
        Lang::ZhCn => include_str!("../../../templates/i18n/zh-CN.json"),
        Lang::En => include_str!("../../../templates/i18n/en.json"),
    };
    serde_json::from_str(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogues_have_the_same_keys_and_no_blank_text() {
        let zh = catalogue(Lang::ZhCn).unwrap();
        let en = catalogue(Lang::En).unwrap();
        let zh_keys: Vec<_> = zh.keys().collect();
        let en_keys: Vec<_> = en.keys().collect();
        assert_eq!(
            zh_keys, en_keys,
            "zh-CN.json and en.json must have the same keys"
        );
        for (key, text) in zh.iter().chain(en.iter()) {
            assert!(!text.trim().is_empty(), "{key} is blank");
        }
    }
}

//! Languages and message catalogues. Every user-facing string of a page comes from
//! `templates/i18n/<lang>.json`; the language is the user's choice (the `lang` cookie),
//! else the best of `Accept-Language`, else Chinese.

use std::collections::BTreeMap;
use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header::ACCEPT_LANGUAGE;
use actix_web::{FromRequest, HttpRequest};

pub const LANG_COOKIE: &str = "lang";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    ZhCn,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::ZhCn, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Accepts our own codes and the common spellings of them (`zh`, `zh-cn`, `en-US`).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::ZhCn),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The best supported language of an `Accept-Language` header, by quality value
    /// (the first listed wins a tie).
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(Lang, f32)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::from_tag) else {
                continue;
            };
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if quality > 0.0 && best.is_none_or(|(_, q)| quality > q) {
                best = Some((lang, quality));
            }
        }
        best.map(|(lang, _)| lang)
    }

    pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        cookie
            .and_then(Lang::from_tag)
            .or_else(|| accept_language.and_then(Lang::from_accept_language))
            .unwrap_or(Lang::ZhCn)
    }

    pub fn of_request(req: &HttpRequest) -> Lang {
        let cookie = req.cookie(LANG_COOKIE);
        let accept = req
            .headers()
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        Lang::negotiate(cookie.as_ref().map(|c| c.value()), accept)
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::ZhCn => Lang::En,
            Lang::En => Lang::ZhCn,
        }
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
    fn cookie_wins_then_header_then_chinese() {
        assert_eq!(Lang::negotiate(Some("en"), Some("zh-CN")), Lang::En);
        assert_eq!(Lang::negotiate(Some("zh-CN"), Some("en")), Lang::ZhCn);
        assert_eq!(
            Lang::negotiate(Some("fr"), Some("en-GB,en;q=0.9")),
            Lang::En
        );
        assert_eq!(Lang::negotiate(None, None), Lang::ZhCn);
        assert_eq!(Lang::negotiate(None, Some("fr-FR, de;q=0.8")), Lang::ZhCn);
    }

    #[test]
    fn quality_values_are_honoured() {
        assert_eq!(
            Lang::from_accept_language("zh;q=0.5, en;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("en;q=0, zh-TW"),
            Some(Lang::ZhCn)
        );
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Lang::ZhCn)
        );
        assert_eq!(Lang::from_accept_language("*"), None);
    }

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

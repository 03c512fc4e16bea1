//! The texts people read, in each language: `templates/i18n/<lang>.json`, embedded in the
//! binary. Pages, reports and mails take their words from here, so a text is translated
//! once for all of them.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::domain::lang::Lang;

pub type Catalogue = BTreeMap<String, String>;

/// The catalogue of a language, parsed from the file embedded in the binary.
pub fn catalogue(lang: Lang) -> Result<Catalogue, serde_json::Error> {
    let raw = match lang {
        Lang::ZhCn => include_str!("../templates/i18n/zh-CN.json"),
        Lang::En => include_str!("../templates/i18n/en.json"),
    };
    serde_json::from_str(raw)
}

/// The catalogue of a language, parsed once.
pub fn texts(lang: Lang) -> &'static Catalogue {
    static ZH: OnceLock<Catalogue> = OnceLock::new();
    static EN: OnceLock<Catalogue> = OnceLock::new();
    let cell = match lang {
        Lang::ZhCn => &ZH,
        Lang::En => &EN,
    };
    // A catalogue that does not parse is caught by the tests (and by start-up, which
    // compiles the templates with it); here it would only leave every key untranslated.
    cell.get_or_init(|| catalogue(lang).unwrap_or_default())
}

/// One text by its key; a missing key shows itself, so that it is noticed.
pub fn t(lang: Lang, key: &str) -> &'static str {
    match texts(lang).get(key) {
        Some(text) => text.as_str(),
        None => {
            tracing::warn!(key, "missing text");
            "?"
        }
    }
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
        assert_eq!(t(Lang::ZhCn, "kind_technician_college"), "技师学院");
    }

    /// The pages name a national standard by `t["standard_" ~ measure]`: a measure without
    /// its text made the peer page fail to render (found on the national data).
    #[test]
    fn every_national_standard_has_its_name() {
        use crate::domain::SchoolKind;
        for lang in Lang::ALL {
            let texts = catalogue(lang).unwrap();
            for kind in SchoolKind::ALL {
                for standard in crate::domain::peers::standards(*kind) {
                    let key = format!("standard_{}", standard.measure);
                    assert!(texts.contains_key(&key), "{key} in {lang:?}");
                }
            }
        }
    }
}

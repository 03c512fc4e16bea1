//! The languages people read accredit in, and how a preference names one. Pages, mails,
//! messages and reports are all given in one of these.

/// A language of the interface.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub enum Lang {
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
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

    /// The chosen language (a cookie, a setting), else the best of `Accept-Language`,
    /// else `fallback`.
    pub fn negotiate(chosen: Option<&str>, accept_language: Option<&str>, fallback: Lang) -> Lang {
        chosen
            .and_then(Lang::from_tag)
            .or_else(|| accept_language.and_then(Lang::from_accept_language))
            .unwrap_or(fallback)
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::ZhCn => Lang::En,
            Lang::En => Lang::ZhCn,
        }
    }

    /// One of two texts: the Chinese or the English.
    pub fn pick<T>(self, zh: T, en: T) -> T {
        match self {
            Lang::ZhCn => zh,
            Lang::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choice_wins_then_header_then_fallback() {
        let zh = Lang::ZhCn;
        assert_eq!(Lang::negotiate(Some("en"), Some("zh-CN"), zh), Lang::En);
        assert_eq!(Lang::negotiate(Some("zh-CN"), Some("en"), zh), Lang::ZhCn);
        assert_eq!(
            Lang::negotiate(Some("fr"), Some("en-GB,en;q=0.9"), zh),
            Lang::En
        );
        assert_eq!(Lang::negotiate(None, None, zh), Lang::ZhCn);
        assert_eq!(Lang::negotiate(None, None, Lang::En), Lang::En);
        assert_eq!(
            Lang::negotiate(None, Some("fr-FR, de;q=0.8"), zh),
            Lang::ZhCn
        );
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
}

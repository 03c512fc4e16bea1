//! The page templates, embedded in the binary and compiled once at start-up: one tera
//! instance per language, whose global context holds that language's catalogue as `t`.

use std::collections::HashMap;

use actix_web::HttpResponse;
use tera::{Context, Tera};

use super::i18n::{Lang, catalogue};
use crate::error::AppError;

/// Every template, by name. A test renders each of them in both languages.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../../templates/base.html")),
    (
        "pages/landing.html",
        include_str!("../../../templates/pages/landing.html"),
    ),
    (
        "pages/error.html",
        include_str!("../../../templates/pages/error.html"),
    ),
];

pub struct Templates {
    by_lang: HashMap<Lang, Tera>,
}

impl Templates {
    pub fn load() -> anyhow::Result<Templates> {
        let mut by_lang = HashMap::new();
        for lang in Lang::ALL {
            let mut tera = Tera::new();
            tera.add_raw_templates(TEMPLATES.iter().copied())
                .map_err(|e| anyhow::anyhow!("template error: {e}"))?;
            let strings = catalogue(lang)?;
            let global = tera.global_context();
            global.insert("t", &strings);
            global.insert("lang", lang.code());
            global.insert("other_lang", lang.other().code());
            by_lang.insert(lang, tera);
        }
        Ok(Templates { by_lang })
    }

    pub fn render(&self, lang: Lang, name: &str, context: &Context) -> Result<String, AppError> {
        let tera = self
            .by_lang
            .get(&lang)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no templates for {lang:?}")))?;
        tera.render(name, context)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering {name}: {e:?}")))
    }

    /// A rendered page as a response.
    pub fn page(
        &self,
        lang: Lang,
        name: &str,
        context: &Context,
    ) -> Result<HttpResponse, AppError> {
        let html = self.render(lang, name, context)?;
        Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(html))
    }
}

/// The context every page needs: where it is (for the language switch's way back).
pub fn page_context(path: &str) -> Context {
    let mut context = Context::new();
    context.insert("path", path);
    context.insert("next_param", &percent_encode(path));
    context
}

/// Percent-encodes everything but unreserved characters and `/`, for a path in a query.
pub fn percent_encode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sample values for every variable a template may use.
    fn sample_context() -> Context {
        let mut context = page_context("/");
        context.insert("status", &404);
        context.insert("error_code", "not_found");
        context.insert("error_message", "not found");
        context
    }

    #[test]
    fn every_template_renders_in_both_languages() {
        let templates = Templates::load().unwrap();
        for lang in Lang::ALL {
            for (name, _) in TEMPLATES {
                let html = templates
                    .render(lang, name, &sample_context())
                    .unwrap_or_else(|e| panic!("{name} in {lang:?}: {e:?}"));
                assert!(
                    html.contains(&format!("lang=\"{}\"", lang.code())),
                    "{name}"
                );
            }
        }
    }

    #[test]
    fn output_is_escaped() {
        let templates = Templates::load().unwrap();
        let mut context = sample_context();
        context.insert("error_message", "<script>alert(1)</script>");
        let html = templates
            .render(Lang::En, "pages/error.html", &context)
            .unwrap();
        assert!(!html.contains("<script>alert(1)</script>"));
        assert!(html.contains("&lt;script&gt;"));
    }
}

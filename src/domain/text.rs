//! Free text typed by people: trimmed, bounded, never control characters but line breaks.

/// Text that must be there: not blank, at most `max` characters.
pub fn required(raw: &str, max: usize) -> Result<String, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Err("must not be empty".into());
    }
    if text.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err("must not contain control characters".into());
    }
    Ok(text.to_owned())
}

/// Text that may be left out: blank counts as absent.
pub fn optional(raw: Option<&str>, max: usize) -> Result<Option<String>, String> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => required(text, max).map(Some),
    }
}

/// Lengths used across the record.
pub const SHORT: usize = 200;
pub const LONG: usize = 10_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(
            required("  ISO 9001:2015 ", SHORT).unwrap(),
            "ISO 9001:2015"
        );
        assert!(required("   ", SHORT).is_err());
        assert!(required(&"x".repeat(201), SHORT).is_err());
        assert!(required("a\u{0007}b", SHORT).is_err());
        assert_eq!(
            required("line one\nline two", LONG).unwrap(),
            "line one\nline two"
        );
        assert_eq!(optional(Some("  "), SHORT), Ok(None));
        assert_eq!(optional(None, SHORT), Ok(None));
    }
}

//! Free text typed by people: trimmed, bounded, never control characters but line breaks.

use crate::domain::message::Msg;

/// Text that must be there: not blank, at most `max` characters.
pub fn required(raw: &str, max: usize) -> Result<String, Msg> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(Msg::Required);
    }
    // Counted as sent (spaces around it too), as a JSON Schema `maxLength` counts.
    if raw.chars().count() > max {
        return Err(Msg::TooLong { max });
    }
    // The whole of what was sent, as the document's pattern reads it: a vertical tab
    // before the text is refused as much as one inside it, though trimming would drop it.
    if raw
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Msg::ControlCharacters);
    }
    Ok(text.to_owned())
}

/// A name (of a person, a school, a city, a body): one line of visible text. Besides what
/// `required` refuses, it refuses line breaks and the invisible format characters
/// (Unicode's `Cf`, among them the bidirectional controls such as U+202E) with which a
/// name can be made to read as something else.
pub fn name(raw: &str, max: usize) -> Result<String, Msg> {
    let text = required(raw, max)?;
    // The whole of what was sent: a line break before the name is no better than in it.
    if raw.chars().any(char::is_control) {
        return Err(Msg::ControlCharacters);
    }
    if raw.chars().any(is_invisible_format) {
        return Err(Msg::InvisibleCharacters);
    }
    Ok(text)
}

/// A name that may be left out: blank counts as absent.
pub fn optional_name(raw: Option<&str>, max: usize) -> Result<Option<String>, Msg> {
    match raw {
        None => Ok(None),
        Some(text) if text.trim().is_empty() => Ok(None),
        Some(text) => name(text, max).map(Some),
    }
}

/// Unicode's format characters (general category `Cf`): invisible, and some of them
/// (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) reorder the text around them.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// Text that may be left out: blank counts as absent.
pub fn optional(raw: Option<&str>, max: usize) -> Result<Option<String>, Msg> {
    match raw {
        None => Ok(None),
        Some(text) if text.trim().is_empty() => Ok(None),
        Some(text) => required(text, max).map(Some),
    }
}

/// A word chosen from a closed list in a query (`?format=`, `?lang=`, `?state=`): left out
/// or empty means none chosen; anything else is taken exactly as sent, since the published
/// enum lists the exact words (white space is not an empty choice but a wrong one).
pub fn choice(raw: Option<&str>) -> Option<&str> {
    raw.filter(|word| !word.is_empty())
}

/// Lengths used across the record.
pub const SHORT: usize = 200;
pub const LONG: usize = 10_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_visible_single_lines() {
        assert_eq!(
            name(" 福州第二高级技工学校 ", SHORT).unwrap(),
            "福州第二高级技工学校"
        );
        assert_eq!(name("a\nb", SHORT), Err(Msg::ControlCharacters));
        for deceptive in [
            "\u{202E}loohcs",
            "a\u{200B}b",
            "x\u{2066}y",
            "\u{FEFF}z",
            "a\u{061C}b",
        ] {
            assert_eq!(
                name(deceptive, SHORT),
                Err(Msg::InvisibleCharacters),
                "{deceptive:?}"
            );
        }
        // Descriptions may hold line breaks; names may not.
        assert!(required("a\nb", SHORT).is_ok());
    }

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
        assert_eq!(optional_name(Some(" "), SHORT), Ok(None));
        assert_eq!(optional(None, SHORT), Ok(None));
    }
}

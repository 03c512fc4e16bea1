//! The schemas of the values the API takes, written once beside the validators they
//! describe, so that what the document allows is exactly what the server accepts: request
//! fields name them with `#[schema(schema_with = …)]`. Patterns are ECMA-262 regular
//! expressions that Python's `re` reads too (client generators and Schemathesis).

use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};

use crate::domain::text;

/// Control characters other than tab and line breaks (Unicode `Cc`): refused in all text.
const CONTROLS: &str = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f";
/// Line breaks, tab, and the invisible format characters (`Cf`, among them the
/// bidirectional controls) that `domain::text::name` refuses besides.
const NOT_IN_NAMES: &str = r"\u0009\u000a\u000d\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb";

/// White space as Rust's `char::is_whitespace` (Unicode's `White_Space`) reads it, which is
/// what `str::trim` removes. Spelled out, because `\s` means different sets in ECMA-262
/// (U+FEFF too) and in Python (U+001C–U+001F too).
const SPACE: &str =
    r"\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// The same schema, and `null` (a field that may be sent as null, as if left out).
fn or_null(builder: ObjectBuilder) -> ObjectBuilder {
    builder.schema_type(utoipa::openapi::schema::SchemaType::from_iter([
        Type::String,
        Type::Null,
    ]))
}

const DATE: &str = r"(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])";

/// Text that must be there (`text::required`): not blank, no control characters.
fn required(max: usize) -> ObjectBuilder {
    string()
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(Some(format!(
            r"^[^{CONTROLS}]*[^{SPACE}{CONTROLS}][^{CONTROLS}]*$"
        )))
}

/// Text that may be blank (`text::optional`; blank counts as absent, whatever its white
/// space, a vertical tab included).
fn optional(max: usize) -> ObjectBuilder {
    string()
        .max_length(Some(max))
        .pattern(Some(format!(r"^([^{CONTROLS}]*|[{SPACE}]*)$")))
}

/// A name (`text::name`): one line of visible text.
fn name(max: usize) -> ObjectBuilder {
    string()
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(Some(format!(
            r"^[^{CONTROLS}{NOT_IN_NAMES}]*[^{SPACE}{CONTROLS}{NOT_IN_NAMES}][^{CONTROLS}{NOT_IN_NAMES}]*$"
        )))
}

/// A short required text (200 characters).
pub fn short_text() -> ObjectBuilder {
    required(text::SHORT)
}

/// A long required text (10,000 characters).
pub fn long_text() -> ObjectBuilder {
    required(text::LONG)
}

/// A short text that may be left out or blank.
pub fn optional_short_text() -> ObjectBuilder {
    or_null(optional(text::SHORT))
}

/// A long text that may be left out or blank.
pub fn optional_long_text() -> ObjectBuilder {
    or_null(optional(text::LONG))
}

/// A long text that may be left out or blank, as a part of a multipart body (where there
/// is no null).
pub fn optional_long_part() -> ObjectBuilder {
    optional(text::LONG)
}

/// A short text that may be left out or blank, as a part of a multipart body.
pub fn optional_short_part() -> ObjectBuilder {
    optional(text::SHORT)
}

/// A criterion's number in its standard, e.g. `2.3` (`domain::standard::valid_ref`).
pub fn criterion_ref() -> ObjectBuilder {
    string().pattern(Some(format!(
        r"^[{SPACE}]*[A-Za-z0-9.\-]{{1,20}}[{SPACE}]*$"
    )))
}

/// `format` of a standard: JSON, or the sheet that the import reads.
pub fn standard_format() -> ObjectBuilder {
    string().enum_values(Some(["", "json", "xlsx"]))
}

pub fn evaluation_format() -> ObjectBuilder {
    string().enum_values(Some(["", "json", "xlsx", "docx"]))
}

/// A short required text, in a change: left out (or null) keeps what is there.
pub fn short_text_or_null() -> ObjectBuilder {
    or_null(required(text::SHORT))
}

/// A long required text, in a change.
pub fn long_text_or_null() -> ObjectBuilder {
    or_null(required(text::LONG))
}

/// A name, in a change.
pub fn name_or_null() -> ObjectBuilder {
    or_null(name(text::SHORT))
}

/// A name of a school, a province, a person or a city (200 characters).
pub fn short_name() -> ObjectBuilder {
    name(text::SHORT)
}

/// A name that may be left out.
pub fn optional_name() -> ObjectBuilder {
    // Blank counts as absent, so the blank string is allowed too.
    let visible = format!(
        r"^([^{CONTROLS}{NOT_IN_NAMES}]*[^{SPACE}{CONTROLS}{NOT_IN_NAMES}][^{CONTROLS}{NOT_IN_NAMES}]*|[{SPACE}]*)$"
    );
    or_null(
        string()
            .max_length(Some(text::SHORT))
            .pattern(Some(visible)),
    )
}

/// A date between 1900-01-01 and 2100-12-31 (`domain::dates::parse_date`).
pub fn date() -> ObjectBuilder {
    string()
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .pattern(Some(format!(r"^{DATE}$")))
}

/// A date that may be left out or sent as null.
pub fn date_or_null() -> ObjectBuilder {
    or_null(date())
}

/// A date that may be left out, null or blank (blank counts as absent).
pub fn date_or_blank() -> ObjectBuilder {
    or_null(string().pattern(Some(format!(r"^({DATE}|[{SPACE}]*)$"))))
}

/// An e-mail address (`EmailAddress::parse`).
pub fn email() -> ObjectBuilder {
    // The pattern alone: `format: email` (RFC 5322) refuses some addresses the validator
    // takes, such as `a*@b.cn`.
    string()
        .max_length(Some(254))
        .pattern(Some(format!(
            r"^[{SPACE}]*[^{SPACE}{CONTROLS}@]{{1,64}}@([^{SPACE}{CONTROLS}@.]+\.)+[^{SPACE}{CONTROLS}@.]+[{SPACE}]*$"
        )))
}

/// A new password (`NewPassword::parse`): 10 to 1,000 characters.
pub fn new_password() -> ObjectBuilder {
    string().min_length(Some(10)).max_length(Some(1000))
}

/// A code of the title or indicator catalogue: letters, digits and `_`, matched without
/// regard to case.
pub fn catalogue_code() -> ObjectBuilder {
    string().pattern(Some(format!(r"^[{SPACE}]*[A-Za-z0-9_]{{2,80}}[{SPACE}]*$")))
}

/// A province's code, e.g. `FJ`.
pub fn province_code() -> ObjectBuilder {
    string().pattern(Some(format!(r"^[{SPACE}]*[A-Za-z0-9]{{2,10}}[{SPACE}]*$")))
}

/// A clause of ISO 9001:2015 that a finding can be raised against.
pub fn clause() -> ObjectBuilder {
    let numbers: Vec<&str> = crate::domain::clause::CLAUSES
        .iter()
        .map(|c| c.number)
        .collect();
    string().enum_values(Some(numbers))
}

/// `format` of a list that can also be downloaded (`http::export::Format`).
pub fn download_format() -> ObjectBuilder {
    string().enum_values(Some(["", "json", "csv", "xlsx"]))
}

/// `state` of a round's filter: a school's state in the round, or blank for all.
pub fn year_state_filter() -> ObjectBuilder {
    let words = std::iter::once("").chain(
        crate::domain::status_data::YearState::ALL
            .iter()
            .map(|s| s.as_str()),
    );
    string().enum_values(Some(words))
}

/// `status` of the submissions list: a submission's state, or blank for all.
pub fn submission_status_filter() -> ObjectBuilder {
    let words = std::iter::once("").chain(
        crate::domain::workflow::SubmissionStatus::ALL
            .iter()
            .map(|s| s.as_str()),
    );
    string().enum_values(Some(words))
}

/// `format` of a generated report.
pub fn report_format() -> ObjectBuilder {
    string().enum_values(Some(["", "html", "docx"]))
}

/// `lang` of a generated report.
pub fn report_lang() -> ObjectBuilder {
    string().enum_values(Some(["", "zh-CN", "en"]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::{RefOr, Schema};

    fn pattern(builder: ObjectBuilder) -> regex_lite::Regex {
        let RefOr::T(Schema::Object(object)) = builder.into() else {
            unreachable!()
        };
        regex_lite::Regex::new(&object.pattern.unwrap()).unwrap()
    }

    /// Characters on every edge of the rules: each control character, each white space,
    /// each invisible format character, letters that change length or script when their
    /// case changes, `@` and `.`, and plain letters.
    fn edge_characters() -> Vec<char> {
        let mut chars: Vec<char> = (0u32..=0xA0).filter_map(char::from_u32).collect();
        chars.extend(
            (0x1680..=0x3000)
                .filter_map(char::from_u32)
                .filter(|c| c.is_whitespace() || text::is_invisible_format(*c)),
        );
        chars.extend([
            '\u{FEFF}', '\u{180E}', '\u{061C}', '\u{212A}', 'ß', 'İ', 'ﬀ', '报', 'é',
        ]);
        chars
    }

    /// Texts made of the edge characters: each alone, twice, around and inside a word, and
    /// around and inside an e-mail address and a code.
    fn edge_samples() -> Vec<String> {
        let mut samples = vec![String::new(), "a@b@c.cn".to_owned(), "ab".to_owned()];
        for c in edge_characters() {
            for sample in [
                format!("{c}"),
                format!("{c}{c}"),
                format!("{c}ab"),
                format!("ab{c}"),
                format!("a{c}b"),
                format!("{c}a@b.cn"),
                format!("a@b.cn{c}"),
                format!("a{c}@b.cn"),
                format!("a@b{c}.cn"),
                format!("{c}{c}fj"),
                format!("{c}2026-06-01"),
            ] {
                samples.push(sample);
            }
        }
        samples
    }

    /// The patterns agree with the validators they describe, on every edge sample: a text
    /// the document refuses is refused, and one it allows is taken.
    #[test]
    fn patterns_are_the_validators() {
        let samples = edge_samples();
        type Check = fn(&str) -> bool;
        let rules: [(&str, ObjectBuilder, Check); 9] = [
            ("name", short_name(), |s| text::name(s, text::SHORT).is_ok()),
            ("optional name", optional_name(), |s| {
                text::optional_name(Some(s), text::SHORT).is_ok()
            }),
            ("required text", long_text(), |s| {
                text::required(s, text::LONG).is_ok()
            }),
            ("optional text", optional_short_text(), |s| {
                text::optional(Some(s), text::SHORT).is_ok()
            }),
            ("e-mail", email(), |s| {
                crate::domain::EmailAddress::parse(s).is_ok()
            }),
            ("catalogue code", catalogue_code(), |s| {
                crate::store::titles::parse_code(s).is_ok()
            }),
            ("province code", province_code(), |s| {
                crate::store::provinces::parse_code(s).is_ok()
            }),
            ("date", date(), |s| {
                crate::domain::dates::parse_date(s).is_ok()
            }),
            ("date or blank", date_or_blank(), |s| {
                s.trim().is_empty() || crate::domain::dates::parse_date(s).is_ok()
            }),
        ];
        for (rule, builder, valid) in rules {
            let pattern = pattern(builder);
            for sample in &samples {
                assert_eq!(
                    pattern.is_match(sample),
                    valid(sample),
                    "{rule}: {sample:?}"
                );
            }
        }
        for sample in [
            "福州第二高级技工学校",
            " Fuzhou No.2 ",
            "line one\nline two",
        ] {
            assert!(pattern(long_text()).is_match(sample), "{sample:?}");
        }
        let date = pattern(date());
        for sample in [
            "2026-06-01",
            " 2026-06-01 ",
            "1900-01-01",
            "2100-12-31",
            "1899-12-31",
            "2101-01-01",
            "9999-12-31",
        ] {
            assert_eq!(
                date.is_match(sample),
                crate::domain::dates::parse_date(sample).is_ok(),
                "{sample:?}"
            );
        }
        let email = pattern(email());
        for sample in [
            "a@b.cn",
            " Officer@FZ2.demo.cn ",
            "a@b",
            "@b.cn",
            "a b@c.cn",
        ] {
            assert_eq!(
                email.is_match(sample),
                crate::domain::EmailAddress::parse(sample).is_ok(),
                "{sample:?}"
            );
        }
    }
}

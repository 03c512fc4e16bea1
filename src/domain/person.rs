//! A person's e-mail address, name and a new password, each valid by construction.

use std::fmt;

use crate::domain::message::Msg;

/// An e-mail address, trimmed and lower-cased so that one person has one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<EmailAddress, Msg> {
        // At most 254 characters as sent, spaces around it too (the document's `maxLength`).
        if raw.chars().count() > 254 {
            return Err(Msg::NotEmail);
        }
        let email = raw.trim().to_lowercase();
        if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Msg::NotEmail);
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return Err(Msg::NotEmail);
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
            return Err(Msg::NotEmail);
        }
        Ok(EmailAddress(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A display name: not blank, at most 200 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<PersonName, Msg> {
        crate::domain::text::name(raw, 200).map(PersonName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password someone chose: at least 10 characters, at most 1,000 (argon2 accepts any
/// length, but an endless one is a denial of service). Its `Debug` never shows it.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 10;

    pub fn parse(raw: &str) -> Result<NewPassword, Msg> {
        let count = raw.chars().count();
        if count < Self::MIN_CHARS {
            return Err(Msg::TooShort {
                min: Self::MIN_CHARS,
            });
        }
        if count > 1000 {
            return Err(Msg::TooLong { max: 1000 });
        }
        Ok(NewPassword(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The deployment's password rules (`ACCREDIT_PASSWORD_CLASSES`,
/// `ACCREDIT_FIRST_PASSWORD_CHANGE`): the length rule always; under graded protection also
/// characters of several classes, and a first change of a password someone else chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// How many of the four classes (lower case, upper case, digits, symbols) a new
    /// password needs; 0 or 1: the length rule alone.
    pub classes: u8,
    /// An account that someone else created must change its password at its first
    /// password sign-in.
    pub first_change: bool,
}

impl Default for PasswordPolicy {
    fn default() -> PasswordPolicy {
        PasswordPolicy {
            classes: 0,
            first_change: true,
        }
    }
}

impl PasswordPolicy {
    /// A new password under these rules: the length first, then the classes.
    pub fn parse(&self, raw: &str) -> Result<NewPassword, Msg> {
        let password = NewPassword::parse(raw)?;
        if password_classes(raw) < self.classes {
            return Err(Msg::PasswordClasses {
                needed: self.classes,
            });
        }
        Ok(password)
    }
}

/// How many of lower case, upper case, digits and symbols `raw` holds. A symbol is any
/// other character that is not white space: punctuation, and Chinese characters too.
fn password_classes(raw: &str) -> u8 {
    let has = |test: fn(char) -> bool| u8::from(raw.chars().any(test));
    has(char::is_lowercase)
        + has(char::is_uppercase)
        + has(char::is_numeric)
        + has(|c| !(c.is_lowercase() || c.is_uppercase() || c.is_numeric() || c.is_whitespace()))
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            EmailAddress::parse(" QO@Fz2.Edu.CN ").unwrap().as_str(),
            "qo@fz2.edu.cn"
        );
        for bad in [
            "", "plain", "@x.cn", "a@", "a@b", "a@.cn", "a@b..cn", "a b@c.cn", "a@b.cn.",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn names() {
        assert_eq!(PersonName::parse("  林老师 ").unwrap().as_str(), "林老师");
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse(&"x".repeat(201)).is_err());
    }

    #[test]
    fn passwords() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse("ten chars!").is_ok());
        assert!(NewPassword::parse("质量管理体系认证通过了").is_ok());
        assert_eq!(
            format!("{:?}", NewPassword::parse("a secret password").unwrap()),
            "NewPassword([redacted])"
        );
    }

    #[test]
    fn password_classes_under_graded_protection() {
        let strict = PasswordPolicy {
            classes: 3,
            first_change: true,
        };
        for weak in ["alllowercase", "lower and 123", "UPPER lower x"] {
            assert_eq!(
                strict.parse(weak).unwrap_err(),
                Msg::PasswordClasses { needed: 3 },
                "{weak}"
            );
        }
        for strong in [
            "Lower and 123",
            "lower 123 !!!",
            "UPPER 123 质量",
            "Aa1-Aa1-Aa1",
        ] {
            assert!(strict.parse(strong).is_ok(), "{strong}");
        }
        // The length rule comes first, whatever the classes.
        assert!(matches!(strict.parse("Aa1!"), Err(Msg::TooShort { .. })));
        assert!(PasswordPolicy::default().parse("alllowercase").is_ok());
    }
}

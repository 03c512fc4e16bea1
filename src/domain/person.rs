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
}

//! The link at the foot of each mail that turns that kind of mail off without signing in: a
//! token signed with a key of its own (derived from the token secret), naming one user and
//! one kind of mail. It can do nothing else: it is no sign-in token, and a sign-in token is
//! no opt-out token.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Secret;
use crate::domain::mail::MailKind;

/// The one audience of these tokens.
const PURPOSE: &str = "accredit-mail-opt-out";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    aud: String,
    kind: MailKind,
}

pub struct OptOutKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl OptOutKeys {
    pub fn new(secret: &Secret) -> OptOutKeys {
        let key = Sha256::new()
            .chain_update(PURPOSE.as_bytes())
            .chain_update([0])
            .chain_update(secret.expose().as_bytes())
            .finalize();
        let mut validation = Validation::new(Algorithm::HS256);
        // A mail may be read months later; the link keeps working (it can only turn off).
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.set_audience(&[PURPOSE]);
        OptOutKeys {
            encoding: EncodingKey::from_secret(&key),
            decoding: DecodingKey::from_secret(&key),
            validation,
        }
    }

    pub fn sign(&self, user_id: i64, kind: MailKind) -> anyhow::Result<String> {
        let claims = Claims {
            sub: user_id.to_string(),
            aud: PURPOSE.to_owned(),
            kind,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| anyhow::anyhow!("cannot sign an opt-out link: {e}"))
    }

    /// The user and kind of a well-signed token; `None` for anything else.
    pub fn verify(&self, token: &str) -> Option<(i64, MailKind)> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        Some((data.claims.sub.parse().ok()?, data.claims.kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::token::TokenKeys;

    fn secret(s: &str) -> Secret {
        Secret::new(s.repeat(8))
    }

    #[test]
    fn names_one_user_and_kind_and_nothing_else() {
        let keys = OptOutKeys::new(&secret("abcd"));
        let token = keys.sign(42, MailKind::Digest).unwrap();
        assert_eq!(keys.verify(&token), Some((42, MailKind::Digest)));
        // another installation's secret, a changed character, a sign-in token: refused
        assert_eq!(OptOutKeys::new(&secret("wxyz")).verify(&token), None);
        let mut forged = token.clone().into_bytes();
        let at = forged.len() - 3;
        forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
        assert_eq!(keys.verify(&String::from_utf8(forged).unwrap()), None);
        let sign_in = TokenKeys::new(&secret("abcd"))
            .issue(42, "sid", 0, i64::MAX / 2)
            .unwrap();
        assert_eq!(keys.verify(&sign_in), None);
        assert!(TokenKeys::new(&secret("abcd")).verify(&token).is_none());
    }
}

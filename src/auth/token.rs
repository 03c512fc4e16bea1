//! Signed tokens. A token names a user and a session; the session row in the database is
//! what makes it valid, so signing out, deactivation and password changes end it at once,
//! on every server.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::Secret;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    /// user id
    sub: String,
    /// session id (the token's revocable identity)
    sid: String,
    iat: i64,
    exp: i64,
}

/// What a valid signature vouches for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenSubject {
    pub user_id: i64,
    pub session_id: String,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    pub fn new(secret: &Secret) -> TokenKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        TokenKeys {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            validation,
        }
    }

    pub fn issue(
        &self,
        user_id: i64,
        session_id: &str,
        issued_at: i64,
        expires_at: i64,
    ) -> anyhow::Result<String> {
        let claims = Claims {
            sub: user_id.to_string(),
            sid: session_id.to_owned(),
            iat: issued_at,
            exp: expires_at,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| anyhow::anyhow!("cannot sign token: {e}"))
    }

    /// The subject of a well-signed, unexpired token; `None` for anything else.
    pub fn verify(&self, token: &str) -> Option<TokenSubject> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        Some(TokenSubject {
            user_id: data.claims.sub.parse().ok()?,
            session_id: data.claims.sid,
        })
    }
}

pub use crate::random::random_id;

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str) -> TokenKeys {
        TokenKeys::new(&Secret::new(secret.repeat(8)))
    }

    fn now() -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp()
    }

    #[test]
    fn round_trip() {
        let k = keys("abcd");
        let token = k.issue(42, "sid-1", now(), now() + 60).unwrap();
        assert_eq!(
            k.verify(&token),
            Some(TokenSubject {
                user_id: 42,
                session_id: "sid-1".into()
            })
        );
    }

    #[test]
    fn refuses_forged_expired_and_garbage() {
        let k = keys("abcd");
        let forged = keys("wxyz").issue(42, "s", now(), now() + 60).unwrap();
        assert_eq!(k.verify(&forged), None);
        let expired = k.issue(42, "s", now() - 120, now() - 60).unwrap();
        assert_eq!(k.verify(&expired), None);
        assert_eq!(k.verify("garbage"), None);
        assert_eq!(k.verify(""), None);
        // "alg": "none" with the same claims
        let mut parts = k.issue(42, "s", now(), now() + 60).unwrap();
        parts = format!(
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
            parts.split('.').nth(1).unwrap()
        );
        assert_eq!(k.verify(&parts), None);
    }

    #[test]
    fn ids_are_random() {
        let a = random_id().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_id().unwrap());
    }
}

//! Password hashes: argon2id in PHC string form. The cost comes from `Settings`, so that
//! production uses OWASP's parameters and only tests use cheaper ones.

use std::sync::{Condvar, Mutex};

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordVerifier, Version};

use crate::config::PasswordHashing;
use crate::domain::NewPassword;

fn hasher(cost: PasswordHashing) -> anyhow::Result<Argon2<'static>> {
    let params = Params::new(cost.memory_kib, cost.iterations, cost.lanes, None)
        .map_err(|e| anyhow::anyhow!("invalid argon2 parameters: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a new password with a fresh random salt. This is deliberately slow: call it
/// off the async workers.
pub fn hash_password(password: &NewPassword, cost: PasswordHashing) -> anyhow::Result<String> {
    let hash = argon2::PasswordHasher::hash_password(&hasher(cost)?, password.expose().as_bytes())
        .map_err(|e| anyhow::anyhow!("cannot hash password: {e}"))?;
    Ok(hash.to_string())
}

/// Checks a candidate against a stored hash, with the parameters recorded in the hash.
pub fn verify_password(stored_hash: &str, candidate: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored_hash) else {
        return false;
    };
    Argon2::default()
        .verify_password(candidate.as_bytes(), &parsed)
        .is_ok()
}

/// Hashes and verifies for the server: never more hashes at once than there are cores
/// (each takes 19 MiB and a core's time), and the same work for an unknown e-mail address as
/// for a wrong password. Call its methods off the async workers (`web::block`).
pub struct PasswordHasher {
    cost: PasswordHashing,
    dummy_hash: String,
    running: Mutex<usize>,
    freed: Condvar,
    limit: usize,
}

impl PasswordHasher {
    pub fn new(cost: PasswordHashing) -> anyhow::Result<PasswordHasher> {
        let dummy = NewPassword::parse("no account has this password")
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(PasswordHasher {
            cost,
            dummy_hash: hash_password(&dummy, cost)?,
            running: Mutex::new(0),
            freed: Condvar::new(),
            limit: std::thread::available_parallelism().map_or(2, |n| n.get()),
        })
    }

    fn limited<T>(&self, work: impl FnOnce() -> T) -> T {
        {
            let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
            while *running >= self.limit {
                running = self.freed.wait(running).unwrap_or_else(|p| p.into_inner());
            }
            *running += 1;
        }
        let result = work();
        *self.running.lock().unwrap_or_else(|p| p.into_inner()) -= 1;
        self.freed.notify_one();
        result
    }

    pub fn hash(&self, password: &NewPassword) -> anyhow::Result<String> {
        self.limited(|| hash_password(password, self.cost))
    }

    /// Checks `candidate` against `stored`, or, when there is no account, against a dummy
    /// hash of the same cost, so that both take equally long.
    pub fn verify(&self, stored: Option<&str>, candidate: &str) -> bool {
        self.with_slot(|slot| slot.verify(stored, candidate))
    }

    /// Runs `work` once a hashing slot is free, with the slot. A sign-in does its whole
    /// attempt here (record it, look the account up, check the password), so that requests
    /// waiting for a slot are not yet attempts: a queue of people signing in at once is
    /// not mistaken for an attack.
    pub fn with_slot<T>(&self, work: impl FnOnce(Slot<'_>) -> T) -> T {
        self.limited(|| work(Slot { hasher: self }))
    }
}

/// A held hashing slot (see `PasswordHasher::with_slot`).
pub struct Slot<'a> {
    hasher: &'a PasswordHasher,
}

impl Slot<'_> {
    pub fn verify(&self, stored: Option<&str>, candidate: &str) -> bool {
        match stored {
            Some(hash) => verify_password(hash, candidate),
            None => {
                verify_password(&self.hasher.dummy_hash, candidate);
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: PasswordHashing = PasswordHashing {
        memory_kib: 64,
        iterations: 1,
        lanes: 1,
    };

    #[test]
    fn hashes_with_argon2id_and_verifies() {
        let password = NewPassword::parse("correct horse battery").unwrap();
        let hash = hash_password(&password, CHEAP).unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{hash}");
        assert!(!hash.contains("correct horse"));
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "correct horse battery!"));
        assert!(!verify_password("not a hash", "correct horse battery"));
    }

    #[test]
    fn default_cost_is_owasp() {
        let password = NewPassword::parse("correct horse battery").unwrap();
        let hash = hash_password(&password, PasswordHashing::default()).unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
    }

    #[test]
    fn salts_differ() {
        let password = NewPassword::parse("correct horse battery").unwrap();
        assert_ne!(
            hash_password(&password, CHEAP).unwrap(),
            hash_password(&password, CHEAP).unwrap()
        );
    }
}

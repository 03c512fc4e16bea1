//! Province-wide answers computed once and kept in this process while the database says they
//! still hold. What is kept is never the source of truth: each entry carries the version
//! number it was computed from, a version that lives in the database (`provinces`'
//! `data_version`, `round_version` and `deadline_version`, raised in the transaction of
//! every write that changes what the answer depends on, by `app::derived`). Every request reads that number (one
//! indexed row) and recomputes when it moved, so that several servers sharing one database
//! never serve what another has changed.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use crate::error::AppError;

/// Values computed from the database, by key, each with the version it was computed from.
pub struct Versioned<K, V> {
    entries: Mutex<HashMap<K, (i64, Arc<V>)>>,
    capacity: usize,
}

impl<K: Hash + Eq + Clone, V> Versioned<K, V> {
    pub fn new(capacity: usize) -> Self {
        Versioned {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// The value for `key` as of `version`: kept, or computed now (outside the lock; two
    /// requests that miss at once both compute, and the newer version stays).
    pub fn get_or_compute(
        &self,
        key: K,
        version: i64,
        compute: impl FnOnce() -> Result<V, AppError>,
    ) -> Result<Arc<V>, AppError> {
        if let Some(value) = self.get(&key, version) {
            return Ok(value);
        }
        let value = Arc::new(compute()?);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.get(&key).is_some_and(|(v, _)| *v > version) {
            return Ok(value);
        }
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            // Rare (the keys are provinces and rounds): start again rather than track age.
            entries.clear();
        }
        entries.insert(key, (version, value.clone()));
        Ok(value)
    }

    fn get(&self, key: &K, version: i64) -> Option<Arc<V>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(v, _)| *v == version)
            .map(|(_, value)| value.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_kept_while_its_version_holds() {
        let kept: Versioned<i64, String> = Versioned::new(2);
        let computed = std::cell::Cell::new(0);
        let get = |key: i64, version: i64, text: &str| {
            let value = kept
                .get_or_compute(key, version, || {
                    computed.set(computed.get() + 1);
                    Ok(text.to_owned())
                })
                .unwrap();
            (*value).clone()
        };
        assert_eq!(get(1, 7, "a"), "a");
        assert_eq!(get(1, 7, "b"), "a", "kept");
        assert_eq!(get(1, 8, "c"), "c", "the version moved");
        // An older version computed late does not replace a newer one.
        assert_eq!(get(1, 7, "d"), "d");
        assert_eq!(get(1, 8, "e"), "c");
        assert_eq!(computed.get(), 3);
        // Past the bound, everything goes.
        get(2, 1, "f");
        get(3, 1, "g");
        assert_eq!(get(1, 8, "h"), "h");
    }
}

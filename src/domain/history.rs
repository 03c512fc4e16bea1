//! The history's hash chain. Each entry's hash covers the previous entry's hash and the
//! entry's own content, so that editing or deleting any entry breaks the chain from there on.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The "previous hash" of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry says, exactly as stored (timestamps as RFC 3339 text in UTC, with
/// microseconds; before and after as the JSON text stored).
#[derive(Debug, Serialize)]
pub struct EntryContent<'a> {
    pub id: i64,
    pub at: &'a str,
    pub actor_id: Option<i64>,
    pub school_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: i64,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// The hash of an entry following `previous`: SHA-256 over the previous hash and the
/// entry's canonical JSON, in lower-case hex.
pub fn entry_hash(previous: &str, content: &EntryContent<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(previous.as_bytes());
    hasher.update(b"\n");
    // Field order is fixed by the struct, so the text is canonical.
    hasher.update(
        serde_json::to_string(content)
            .unwrap_or_default()
            .as_bytes(),
    );
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(after: &str) -> EntryContent<'_> {
        EntryContent {
            id: 1,
            at: "2026-11-21T08:00:00.000000Z",
            actor_id: Some(3),
            school_id: Some(7),
            action: "audit.create",
            entity: "audit",
            entity_id: 12,
            before: None,
            after: Some(after),
        }
    }

    #[test]
    fn any_change_changes_the_hash() {
        let a = entry_hash(GENESIS, &content("{\"kind\":\"internal\"}"));
        assert_eq!(a.len(), 64);
        assert_eq!(a, entry_hash(GENESIS, &content("{\"kind\":\"internal\"}")));
        assert_ne!(
            a,
            entry_hash(GENESIS, &content("{\"kind\":\"surveillance\"}"))
        );
        assert_ne!(a, entry_hash(&a, &content("{\"kind\":\"internal\"}")));
    }
}

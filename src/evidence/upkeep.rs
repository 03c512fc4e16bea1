//! Keeping evidence storage consistent with its rows: `accredit evidence check [--repair]`
//! (rows whose file is missing, files no row names) and `accredit evidence migrate --to`
//! (every file copied to another storage and verified by its SHA-256; rerunnable).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};
use std::time::{Duration, SystemTime};

use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::{EvidenceStorage, Stored};
use crate::db::Db;
use crate::db::schema::evidence_files;

/// A file younger than this that no row names may be an upload whose row is being written:
/// `--repair` leaves it.
pub const ORPHAN_GRACE: Duration = Duration::from_secs(3600);

/// What `check` found.
#[derive(Debug, Default)]
pub struct Check {
    /// distinct files the rows name
    pub named: usize,
    /// files in the storage
    pub stored: usize,
    /// files named by rows but not stored (with the ids of their rows)
    pub missing: Vec<Missing>,
    /// stored files no row names
    pub orphans: Vec<Stored>,
}

#[derive(Debug)]
pub struct Missing {
    pub sha256: String,
    pub evidence_ids: Vec<i64>,
}

/// The distinct files the rows name, with their sizes and rows.
fn named(db: &Db) -> anyhow::Result<BTreeMap<String, (i64, Vec<i64>)>> {
    let mut conn = db.get()?;
    let rows: Vec<(i64, String, i64)> = evidence_files::table
        .select((
            evidence_files::id,
            evidence_files::sha256,
            evidence_files::size_bytes,
        ))
        .order(evidence_files::id)
        .load(&mut conn)?;
    let mut named: BTreeMap<String, (i64, Vec<i64>)> = BTreeMap::new();
    for (id, sha256, size) in rows {
        named.entry(sha256).or_insert((size, Vec::new())).1.push(id);
    }
    Ok(named)
}

/// Compares the rows with the storage.
pub fn check(db: &Db, storage: &dyn EvidenceStorage) -> anyhow::Result<Check> {
    let named = named(db)?;
    let stored = storage.list()?;
    let stored_set: BTreeSet<&str> = stored.iter().map(|s| s.sha256.as_str()).collect();
    let missing = named
        .iter()
        .filter(|(sha, _)| !stored_set.contains(sha.as_str()))
        .map(|(sha, (_, ids))| Missing {
            sha256: sha.clone(),
            evidence_ids: ids.clone(),
        })
        .collect();
    let orphans = stored
        .iter()
        .filter(|s| !named.contains_key(&s.sha256))
        .cloned()
        .collect();
    Ok(Check {
        named: named.len(),
        stored: stored.len(),
        missing,
        orphans,
    })
}

/// Removes the orphans older than `ORPHAN_GRACE`; answers how many.
pub fn remove_orphans(storage: &dyn EvidenceStorage, orphans: &[Stored]) -> io::Result<usize> {
    let cutoff = SystemTime::now() - ORPHAN_GRACE;
    let mut removed = 0;
    for orphan in orphans.iter().filter(|o| o.modified <= cutoff) {
        storage.remove(&orphan.sha256)?;
        removed += 1;
    }
    Ok(removed)
}

/// The SHA-256 of everything a reader gives, read in chunks.
pub fn sha256_of(reader: impl Read) -> io::Result<(String, u64)> {
    hashed_chunks(reader, |_| Ok(()))
}

/// Reads `reader` to its end in chunks, handing each to `each` while hashing it: the
/// SHA-256 and the size of the whole.
fn hashed_chunks(
    mut reader: impl Read,
    mut each: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = reader.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        each(&buffer[..n])?;
        size += n as u64;
    }
    Ok((format!("{:x}", hasher.finalize()), size))
}

/// What `migrate` did.
#[derive(Debug, Default)]
pub struct Migration {
    pub copied: usize,
    /// already in the destination with the right SHA-256 (an earlier, interrupted run)
    pub already_there: usize,
    /// named by rows but not in the source
    pub missing_in_source: Vec<String>,
    pub bytes: u64,
}

/// Copies every file the rows name from `from` to `to`, each verified by reading it back
/// from `to` and hashing it. A file already in `to` with the right hash is left alone, so an
/// interrupted run can simply be run again. `progress` is told each file's outcome.
pub fn migrate(
    db: &Db,
    from: &dyn EvidenceStorage,
    to: &dyn EvidenceStorage,
    mut progress: impl FnMut(usize, usize, &str, &str),
) -> anyhow::Result<Migration> {
    let named = named(db)?;
    let total = named.len();
    let mut done = Migration::default();
    for (n, sha256) in named.keys().enumerate() {
        if to.size_of(sha256)?.is_some() {
            let (hash, _) = sha256_of(to.open(sha256)?)?;
            if &hash == sha256 {
                done.already_there += 1;
                progress(n + 1, total, sha256, "already there");
                continue;
            }
            // A damaged copy: replaced below.
            to.remove(sha256)?;
        }
        let source = match from.open(sha256) {
            Ok(source) => source,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                done.missing_in_source.push(sha256.clone());
                progress(n + 1, total, sha256, "missing in the source");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let size = copy(source, to, sha256)?;
        let (hash, _) = sha256_of(to.open(sha256)?)?;
        if &hash != sha256 {
            to.remove(sha256)?;
            anyhow::bail!("{sha256}: the copy reads back as {hash}; removed it, run again");
        }
        done.copied += 1;
        done.bytes += size;
        progress(n + 1, total, sha256, "copied and verified");
    }
    Ok(done)
}

/// Streams one file into `to` under `sha256`, refusing it if its bytes hash otherwise.
fn copy(
    source: Box<dyn Read + Send>,
    to: &dyn EvidenceStorage,
    sha256: &str,
) -> anyhow::Result<u64> {
    let mut staged = to.stage()?;
    let (hash, size) = hashed_chunks(source, |chunk| staged.write_all(chunk))?;
    if hash != sha256 {
        // Dropping the staged upload removes it.
        anyhow::bail!("{sha256}: the source file is damaged (its bytes hash to {hash})");
    }
    to.commit(staged, sha256)?;
    Ok(size)
}

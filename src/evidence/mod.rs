//! Storing and reading evidence files, kept by content hash behind `EvidenceStorage`: in the
//! data directory (`DiskStorage`, the default) or in an S3-compatible bucket (`s3::S3Storage`,
//! `ACCREDIT_EVIDENCE_URL=s3://bucket/prefix`). An upload is written to a staging name (a
//! file, or a multipart upload), and moved into place under its hash before its row is
//! committed; a staged upload that is never committed removes itself, and what a crash
//! leaves behind is swept once older than the staging age.

pub mod s3;
mod s3_uploads;
mod upkeep;

pub use s3_uploads::OpenUpload;
pub use upkeep::{Check, Migration, check, migrate, remove_orphans, sha256_of};

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::config::EvidenceLocation;
use crate::db::Db;
use crate::random::random_id;

/// Where evidence files live.
pub trait EvidenceStorage: Send + Sync {
    /// A new, empty staged upload.
    fn stage(&self) -> io::Result<Staged>;
    /// Completes the staged upload and moves it into place under its hash. Answers whether
    /// the content is new (false: the same bytes were already stored, the staged copy is
    /// gone).
    fn commit(&self, staged: Staged, sha256: &str) -> io::Result<bool>;
    /// The stored file of a hash, to be read in chunks (never held whole).
    fn open(&self, sha256: &str) -> io::Result<Box<dyn Read + Send>>;
    /// Forgets a stored file (when the row that was to refer to it could not be written).
    fn remove(&self, sha256: &str) -> io::Result<()>;
    /// Every stored file.
    fn list(&self) -> io::Result<Vec<Stored>>;
    /// The size of a stored file, if it is there.
    fn size_of(&self, sha256: &str) -> io::Result<Option<u64>>;
    /// Removes staged uploads older than `age` (left by a crash); answers how many.
    fn sweep(&self, age: Duration) -> io::Result<usize>;
    /// Uploads begun in the storage, older than `age`, that no recorded upload owns (a crash
    /// between beginning one and recording it, a database restored from an older backup);
    /// `None` when the storage cannot list them. A directory has none: its staged files
    /// are the uploads, and `sweep` finds them.
    fn abandoned(&self, _age: Duration) -> io::Result<Option<Vec<OpenUpload>>> {
        Ok(Some(Vec::new()))
    }
    /// Aborts one of `abandoned`'s uploads (gone already is fine).
    fn abort(&self, _upload: &OpenUpload) -> io::Result<()> {
        Ok(())
    }
    /// Where the files are, for messages (no secret).
    fn describe(&self) -> String;
}

/// A stored file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub sha256: String,
    pub size: u64,
    pub modified: SystemTime,
}

/// The storage at `location` (`Settings::evidence`, or a migration's destination).
pub fn open_storage(
    location: &EvidenceLocation,
    db: &Db,
) -> anyhow::Result<Arc<dyn EvidenceStorage>> {
    Ok(match location {
        EvidenceLocation::Directory(dir) => Arc::new(
            DiskStorage::new(dir)
                .map_err(|e| anyhow::anyhow!("evidence directory {}: {e}", dir.display()))?,
        ),
        EvidenceLocation::Bucket(bucket) => Arc::new(s3::S3Storage::new(bucket, db.clone())?),
    })
}

/// Whether `text` is a SHA-256 in lower-case hex: the only thing that ever becomes a path or
/// an object key.
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn not_a_hash() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "not a sha256")
}

/// A file being received. Dropped without `commit`, it removes itself.
pub struct Staged(StagedKind);

enum StagedKind {
    Disk { file: Option<File>, path: PathBuf },
    Bucket(s3::S3Staged),
}

impl Staged {
    pub fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.0 {
            StagedKind::Disk {
                file: Some(file), ..
            } => file.write_all(bytes),
            StagedKind::Disk { file: None, .. } => {
                Err(io::Error::other("staged file already closed"))
            }
            StagedKind::Bucket(upload) => upload.write_all(bytes),
        }
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let StagedKind::Disk { file, path } = &mut self.0
            && file.take().is_some()
        {
            let _ = fs::remove_file(&*path);
        }
        // A bucket's staged upload aborts itself (`S3Staged`'s own Drop).
    }
}

/// Evidence on the local disk: `<root>/<first two hex digits>/<sha256>`, staging in
/// `<root>/staging/`.
pub struct DiskStorage {
    root: PathBuf,
}

impl DiskStorage {
    pub fn new(root: &Path) -> io::Result<DiskStorage> {
        fs::create_dir_all(root.join("staging"))?;
        Ok(DiskStorage {
            root: root.to_owned(),
        })
    }

    fn path_of(&self, sha256: &str) -> io::Result<PathBuf> {
        // The hash is ours (computed while receiving), but check its shape anyway.
        if !is_sha256(sha256) {
            return Err(not_a_hash());
        }
        Ok(self.root.join(&sha256[..2]).join(sha256))
    }
}

impl EvidenceStorage for DiskStorage {
    fn stage(&self) -> io::Result<Staged> {
        let name = random_id().map_err(io::Error::other)?;
        let path = self.root.join("staging").join(name);
        let file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(Staged(StagedKind::Disk {
            file: Some(file),
            path,
        }))
    }

    fn commit(&self, mut staged: Staged, sha256: &str) -> io::Result<bool> {
        let target = self.path_of(sha256)?;
        let StagedKind::Disk { file, path } = &mut staged.0 else {
            return Err(io::Error::other("staged in another storage"));
        };
        let file = file
            .take()
            .ok_or_else(|| io::Error::other("staged file already closed"))?;
        let staged_path = path.clone();
        let result = (|| {
            file.sync_all()?;
            drop(file);
            if target.exists() {
                fs::remove_file(&staged_path)?;
                return Ok(false);
            }
            let dir = target
                .parent()
                .ok_or_else(|| io::Error::other("no parent"))?;
            fs::create_dir_all(dir)?;
            fs::rename(&staged_path, &target)?;
            // The rename must survive a crash too.
            File::open(dir)?.sync_all()?;
            Ok(true)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&staged_path);
        }
        result
    }

    fn open(&self, sha256: &str) -> io::Result<Box<dyn Read + Send>> {
        Ok(Box::new(File::open(self.path_of(sha256)?)?))
    }

    fn remove(&self, sha256: &str) -> io::Result<()> {
        fs::remove_file(self.path_of(sha256)?)
    }

    fn list(&self) -> io::Result<Vec<Stored>> {
        let mut stored = Vec::new();
        for dir in fs::read_dir(&self.root)? {
            let dir = dir?;
            let name = dir.file_name();
            let is_fan_out = name.len() == 2
                && name
                    .to_str()
                    .is_some_and(|n| n.bytes().all(|b| b.is_ascii_hexdigit()));
            if !is_fan_out || !dir.file_type()?.is_dir() {
                continue;
            }
            for file in fs::read_dir(dir.path())? {
                let file = file?;
                let Some(sha256) = file
                    .file_name()
                    .to_str()
                    .filter(|n| is_sha256(n))
                    .map(str::to_owned)
                else {
                    continue;
                };
                let meta = file.metadata()?;
                stored.push(Stored {
                    sha256,
                    size: meta.len(),
                    modified: meta.modified()?,
                });
            }
        }
        stored.sort_by(|a, b| a.sha256.cmp(&b.sha256));
        Ok(stored)
    }

    fn size_of(&self, sha256: &str) -> io::Result<Option<u64>> {
        match fs::metadata(self.path_of(sha256)?) {
            Ok(meta) => Ok(Some(meta.len())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn sweep(&self, age: Duration) -> io::Result<usize> {
        let cutoff = SystemTime::now() - age;
        let mut removed = 0;
        for entry in fs::read_dir(self.root.join("staging"))? {
            let entry = entry?;
            if entry.metadata()?.modified()? <= cutoff {
                match fs::remove_file(entry.path()) {
                    Ok(()) => removed += 1,
                    // Committed or swept by another process meanwhile.
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(removed)
    }

    fn describe(&self) -> String {
        format!("the directory {}", self.root.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    #[test]
    fn staged_files_vanish_unless_committed() {
        let dir = tempfile::tempdir().unwrap();
        let storage = DiskStorage::new(dir.path()).unwrap();
        let mut staged = storage.stage().unwrap();
        staged.write_all(b"test").unwrap();
        drop(staged);
        assert_eq!(fs::read_dir(dir.path().join("staging")).unwrap().count(), 0);

        let mut staged = storage.stage().unwrap();
        staged.write_all(b"test").unwrap();
        assert!(storage.commit(staged, HASH).unwrap());
        assert_eq!(fs::read(dir.path().join("9f").join(HASH)).unwrap(), b"test");
        let mut again = storage.stage().unwrap();
        again.write_all(b"test").unwrap();
        assert!(
            !storage.commit(again, HASH).unwrap(),
            "same content is stored once"
        );
        assert_eq!(fs::read_dir(dir.path().join("staging")).unwrap().count(), 0);
    }

    #[test]
    fn a_crash_leaves_staged_files_that_the_sweep_removes_once_old_enough() {
        let dir = tempfile::tempdir().unwrap();
        let storage = DiskStorage::new(dir.path()).unwrap();
        let mut staged = storage.stage().unwrap();
        staged.write_all(b"half an upload").unwrap();
        // A crash: the process is gone without dropping it.
        std::mem::forget(staged);
        assert_eq!(storage.sweep(Duration::from_secs(3600)).unwrap(), 0);
        assert_eq!(storage.sweep(Duration::ZERO).unwrap(), 1);
        assert_eq!(fs::read_dir(dir.path().join("staging")).unwrap().count(), 0);
        let mut staged = storage.stage().unwrap();
        staged.write_all(b"test").unwrap();
        storage.commit(staged, HASH).unwrap();
        let listed = storage.list().unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].sha256.as_str(), listed[0].size), (HASH, 4));
        assert_eq!(storage.size_of(HASH).unwrap(), Some(4));
        let mut read = String::new();
        storage
            .open(HASH)
            .unwrap()
            .read_to_string(&mut read)
            .unwrap();
        assert_eq!(read, "test");
    }

    #[test]
    fn only_hashes_become_paths() {
        let dir = tempfile::tempdir().unwrap();
        let storage = DiskStorage::new(dir.path()).unwrap();
        assert!(storage.open("../../etc/passwd").is_err());
        assert!(storage.open(&"A".repeat(64)).is_err());
    }
}

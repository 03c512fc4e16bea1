//! Storing and reading evidence files. Files are kept by content hash under the data
//! directory, behind `EvidenceStorage` so that object storage can be added later. A file is
//! written to a staging name, synced, and moved into place before its row is committed; a
//! staged file that is never committed removes itself.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::random::random_id;

/// Where evidence files live.
pub trait EvidenceStorage: Send + Sync {
    /// A new, empty staging file.
    fn stage(&self) -> io::Result<Staged>;
    /// Syncs the staged file and moves it into place under its hash. Answers whether the
    /// content is new (false: the same bytes were already stored, the staged copy is gone).
    fn commit(&self, staged: Staged, sha256: &str) -> io::Result<bool>;
    /// The stored file of a hash.
    fn open(&self, sha256: &str) -> io::Result<File>;
    /// Forgets a stored file (when the row that was to refer to it could not be written).
    fn remove(&self, sha256: &str) -> io::Result<()>;
}

/// A file being received. Dropped without `commit`, it deletes itself.
pub struct Staged {
    file: Option<File>,
    path: PathBuf,
}

impl Staged {
    pub fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.write_all(bytes),
            None => Err(io::Error::other("staged file already closed")),
        }
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.path);
        }
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
        // The hash is ours (computed while receiving), but check its shape anyway: it is
        // the only thing that ever becomes a path.
        if sha256.len() != 64
            || !sha256
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a sha256"));
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
        Ok(Staged {
            file: Some(file),
            path,
        })
    }

    fn commit(&self, mut staged: Staged, sha256: &str) -> io::Result<bool> {
        let target = self.path_of(sha256)?;
        let file = staged
            .file
            .take()
            .ok_or_else(|| io::Error::other("staged file already closed"))?;
        let result = (|| {
            file.sync_all()?;
            drop(file);
            if target.exists() {
                fs::remove_file(&staged.path)?;
                return Ok(false);
            }
            let dir = target
                .parent()
                .ok_or_else(|| io::Error::other("no parent"))?;
            fs::create_dir_all(dir)?;
            fs::rename(&staged.path, &target)?;
            // The rename must survive a crash too.
            File::open(dir)?.sync_all()?;
            Ok(true)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&staged.path);
        }
        result
    }

    fn open(&self, sha256: &str) -> io::Result<File> {
        File::open(self.path_of(sha256)?)
    }

    fn remove(&self, sha256: &str) -> io::Result<()> {
        fs::remove_file(self.path_of(sha256)?)
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
    fn only_hashes_become_paths() {
        let dir = tempfile::tempdir().unwrap();
        let storage = DiskStorage::new(dir.path()).unwrap();
        assert!(storage.open("../../etc/passwd").is_err());
        assert!(storage.open(&"A".repeat(64)).is_err());
    }
}

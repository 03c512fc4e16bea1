//! Backup and restore of a SQLite installation, and the checks that tell a sound database
//! from a damaged one.
//!
//! `backup` takes a consistent copy while servers run (`VACUUM INTO`: one read transaction,
//! a fresh file without a write-ahead log), checks the copy, and only then gives it its
//! name. Evidence files are not inside it: they are content-addressed and never change,
//! and the copy lists each by its SHA-256 in `evidence`; `restore` reports any that the
//! data directory lacks.
//!
//! `restore` refuses while a server holds the database (every `serve` keeps a shared lock
//! on `<database>.lock`), checks the backup before it touches anything, removes the old
//! `-wal` and `-shm` files (replayed over a restored file, a stale log corrupts it), puts
//! the copy in place by a rename, and checks the result: `integrity_check` and the whole
//! history chain.
//!
//! PostgreSQL is backed up with its own tools (`pg_dump -Fc`, `pg_restore`), as
//! `docs/operations.md` says.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::{DatabaseUrl, Db, DbConn};
use crate::store::history::{self, Verdict};

/// What a check of a database found.
#[derive(Debug)]
pub struct Soundness {
    pub history_entries: u64,
    pub evidence_files: i64,
}

#[derive(QueryableByName)]
struct CheckLine {
    #[diesel(sql_type = Text)]
    #[diesel(column_name = integrity_check)]
    line: String,
}

#[derive(QueryableByName)]
struct QuickLine {
    #[diesel(sql_type = Text)]
    #[diesel(column_name = quick_check)]
    line: String,
}

/// SQLite's own check of every page and index: `Ok` or the first problems it names.
pub fn integrity_check(conn: &mut DbConn, quick: bool) -> anyhow::Result<Result<(), String>> {
    let lines: Vec<String> = if quick {
        diesel::sql_query("PRAGMA quick_check(20)")
            .load::<QuickLine>(conn)?
            .into_iter()
            .map(|l| l.line)
            .collect()
    } else {
        diesel::sql_query("PRAGMA integrity_check(20)")
            .load::<CheckLine>(conn)?
            .into_iter()
            .map(|l| l.line)
            .collect()
    };
    Ok(if lines == ["ok"] {
        Ok(())
    } else {
        Err(lines.join("; "))
    })
}

/// The whole check of a SQLite database: its pages and indexes, then the history chain.
fn check_sound(conn: &mut DbConn) -> anyhow::Result<Soundness> {
    // A damaged file may fail the check itself rather than report.
    match integrity_check(conn, false) {
        Ok(Ok(())) => {}
        Ok(Err(problems)) => bail!("the database is damaged: {problems}"),
        Err(error) => bail!("the database is damaged: {error:#}"),
    }
    let history_entries = match history::verify(conn)? {
        Verdict::Intact { entries } => entries,
        Verdict::Broken { entry_id, reason } => {
            bail!("its history is broken at entry {entry_id}: {reason}")
        }
    };
    use crate::db::schema::evidence_files as evidence;
    let evidence_files = evidence::table.count().get_result(conn)?;
    Ok(Soundness {
        history_entries,
        evidence_files,
    })
}

fn sqlite_path(url: &DatabaseUrl, what: &str) -> anyhow::Result<PathBuf> {
    match url {
        DatabaseUrl::Sqlite(path) => Ok(path.clone()),
        DatabaseUrl::Postgres(_) => bail!(
            "{what} is for SQLite installations; for PostgreSQL use pg_dump -Fc and \
             pg_restore (docs/operations.md, \"Backups\")"
        ),
    }
}

/// A file beside `path` with `suffix` added to its name.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Opens a SQLite file as the server would, but with one connection.
fn open(path: &Path) -> anyhow::Result<Db> {
    Db::connect(&DatabaseUrl::Sqlite(path.to_owned()), 1)
        .with_context(|| format!("cannot open {}", path.display()))
}

/// Removes a SQLite file and its log and shared-memory files.
fn remove_database(path: &Path) {
    for file in [path.to_owned(), beside(path, "-wal"), beside(path, "-shm")] {
        let _ = std::fs::remove_file(file);
    }
}

fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent()
        && let Ok(dir) = File::open(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })
    {
        let _ = dir.sync_all();
    }
}

/// `accredit backup --to FILE`: a consistent, checked copy of the running database.
pub fn backup(url: &DatabaseUrl, to: &Path) -> anyhow::Result<Soundness> {
    let source = sqlite_path(url, "accredit backup")?;
    if !source.exists() {
        bail!("there is no database at {}", source.display());
    }
    if to.exists() {
        bail!("{} exists already; name a new file", to.display());
    }
    let partial = beside(to, ".partial");
    remove_database(&partial);
    let db = open(&source)?;
    let mut conn = db.get()?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(partial.to_string_lossy().as_ref())
        .execute(&mut *conn)
        .with_context(|| format!("cannot write {}", partial.display()))?;
    drop(conn);
    drop(db);
    let checked = {
        let copy = open(&partial)?;
        let mut conn = copy.get()?;
        // The copy is a file of its own: no log beside it once its connection closes.
        diesel::sql_query("PRAGMA journal_mode = DELETE").execute(&mut *conn)?;
        check_sound(&mut conn)
    };
    let soundness = match checked {
        Ok(soundness) => soundness,
        Err(error) => {
            remove_database(&partial);
            return Err(error.context("the copy failed its check; nothing was kept"));
        }
    };
    File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, to)?;
    remove_database(&partial);
    sync_dir(to);
    Ok(soundness)
}

/// The lock every `serve` on a SQLite database holds shared, and `restore` exclusive.
pub struct ServerLock {
    _file: File,
}

fn lock_file(database: &Path) -> anyhow::Result<File> {
    let path = beside(database, ".lock");
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))
}

impl ServerLock {
    /// Taken by `serve`; several servers may share it, a restore may not.
    pub fn serving(url: &DatabaseUrl) -> anyhow::Result<Option<ServerLock>> {
        let DatabaseUrl::Sqlite(path) = url else {
            return Ok(None);
        };
        let file = lock_file(path)?;
        match file.try_lock_shared() {
            Ok(()) => Ok(Some(ServerLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => {
                bail!(
                    "the database {} is being restored; start again when it is done",
                    path.display()
                )
            }
            Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
        }
    }

    fn restoring(path: &Path) -> anyhow::Result<ServerLock> {
        let file = lock_file(path)?;
        match file.try_lock() {
            Ok(()) => Ok(ServerLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "a server is running on {}: stop every `accredit serve` on it first",
                path.display()
            ),
            Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
        }
    }
}

/// `accredit restore --from FILE`: puts a backup in place of the (stopped) database.
pub fn restore(url: &DatabaseUrl, from: &Path) -> anyhow::Result<Soundness> {
    let target = sqlite_path(url, "accredit restore")?;
    if !from.is_file() {
        bail!("there is no backup at {}", from.display());
    }
    let _lock = ServerLock::restoring(&target)?;
    // Check a copy, never the backup itself (opening it could change it), beside the target
    // so that the final rename stays on one file system.
    let incoming = beside(&target, ".restoring");
    remove_database(&incoming);
    std::fs::copy(from, &incoming)
        .with_context(|| format!("cannot copy {} to {}", from.display(), incoming.display()))?;
    let checked = (|| {
        let copy = open(&incoming)?;
        let mut conn = copy.get()?;
        diesel::sql_query("PRAGMA journal_mode = DELETE").execute(&mut *conn)?;
        check_sound(&mut conn)
    })();
    if let Err(error) = checked {
        remove_database(&incoming);
        return Err(error.context(format!(
            "{} is not a sound backup; the database was not touched",
            from.display()
        )));
    }
    File::open(&incoming)?.sync_all()?;
    // The old log and shared memory belong to the old file: replayed over the restored
    // one, they would corrupt it.
    for stale in [beside(&target, "-wal"), beside(&target, "-shm")] {
        match std::fs::remove_file(&stale) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot remove {}", stale.display())),
        }
    }
    std::fs::rename(&incoming, &target)?;
    remove_database(&incoming);
    sync_dir(&target);
    let restored = open(&target)?;
    let mut conn = restored.get()?;
    check_sound(&mut conn).context("the restored database failed its check")
}

/// The evidence rows whose file the evidence storage lacks, after a restore.
pub fn missing_evidence(settings: &crate::config::Settings) -> anyhow::Result<Vec<String>> {
    let db = Db::connect(&settings.database_url, 2)?;
    let store = crate::evidence::open_storage(&settings.evidence, &db)?;
    let check = crate::evidence::check(&db, store.as_ref())?;
    Ok(check.missing.into_iter().map(|m| m.sha256).collect())
}

/// What the last check of a running SQLite database found, for `/healthz`.
#[derive(Default)]
pub struct Integrity(std::sync::atomic::AtomicU8);

impl Integrity {
    const DAMAGED: u8 = 2;
    const SOUND: u8 = 1;

    pub fn is_damaged(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed) == Self::DAMAGED
    }

    fn set(&self, sound: bool) {
        let value = if sound { Self::SOUND } else { Self::DAMAGED };
        self.0.store(value, std::sync::atomic::Ordering::Relaxed);
    }
}

/// How often a server checks its SQLite file (`PRAGMA quick_check`: about 2 s of one core
/// for the national synthetic data set).
const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Checks the SQLite database at start-up (in the background, so that start-up stays fast)
/// and every hour after, and keeps the verdict for `/healthz`. A damaged file is logged as
/// an error with what SQLite found.
pub async fn watch_integrity(db: Db, integrity: std::sync::Arc<Integrity>) {
    if db.backend() != crate::db::Backend::Sqlite {
        return;
    }
    loop {
        let verdict = db
            .run(|conn| {
                let verdict = integrity_check(conn, true).map_err(crate::error::AppError::Internal);
                crate::db::shrink_memory(conn)?;
                verdict
            })
            .await;
        match verdict {
            Ok(Ok(())) => integrity.set(true),
            Ok(Err(problems)) => {
                tracing::error!(%problems, "the SQLite database is damaged");
                integrity.set(false);
            }
            Err(error) => {
                // SQLite answers a damaged file's check with an error of its own
                // ("database disk image is malformed") rather than a report.
                tracing::error!(%error, "the SQLite database is damaged: its check failed");
                integrity.set(false);
            }
        }
        crate::jobs::return_freed_memory();
        actix_web::rt::time::sleep(CHECK_EVERY).await;
    }
}

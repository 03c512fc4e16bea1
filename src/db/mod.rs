//! The database: one connection type over PostgreSQL and SQLite, a pool that picks the
//! backend from the URL and prepares every SQLite connection, the embedded migrations, and
//! the bridge that runs blocking diesel work off the async workers.

pub mod schema;

use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::R2D2Connection;
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::AppError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// How long a SQLite connection waits for a lock before it gives up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;
/// Key of the advisory lock that serialises migrations when several servers start at once.
const MIGRATION_LOCK_KEY: i64 = 0x6163_6372_6564_6974; // "accredit"

/// One connection to either backend. Queries written against it run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Inserts many rows in one statement: `insert_batch!(conn, table, rows)` with `rows` a `Vec`
/// or slice of insertable records. Diesel writes multi-row `INSERT`s for each backend but not
/// through `DbConn` for both, so the statement is built for the backend at hand.
macro_rules! insert_batch {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
            $crate::db::DbConn::Pg(c) => diesel::insert_into($table).values($rows).execute(c),
        }
    };
}
pub(crate) use insert_batch;

/// Runs a statement on the backend's own connection: `natively!(conn, |c| query.first(c))`.
/// Through `DbConn`, diesel's multi-backend connection writes a statement's whole SQL again
/// at every execution (to see whether it may be cached and to collect its binds), even when
/// the prepared statement is cached; on the backend's own connection a statement of a
/// fixed shape is found in the cache by its type and nothing is written. For the
/// statements every signed-in request runs (docs/performance.md, "the session check").
macro_rules! natively {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Pg($c) => $body,
        }
    };
}
pub(crate) use natively;

/// Which database engine a URL selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A parsed `DATABASE_URL`: a file path or `sqlite://PATH` selects SQLite, `postgres://…`
/// (or `postgresql://…`) selects PostgreSQL.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses a URL; relative SQLite paths resolve against `base` (the working directory).
    pub fn parse(raw: &str, base: &Path) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("is empty".into());
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(raw.to_owned()));
        }
        let path = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
            .unwrap_or(raw);
        if path.is_empty() {
            return Err("names no SQLite file".into());
        }
        if path.contains("://") {
            return Err(format!(
                "has an unsupported scheme (use a file path, sqlite://PATH or postgres://…): {}",
                redact(raw)
            ));
        }
        Ok(DatabaseUrl::Sqlite(base.join(path)))
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
            DatabaseUrl::Postgres(_) => Backend::Postgres,
        }
    }

    /// A form safe to print: the password of a PostgreSQL URL is hidden.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => path.display().to_string(),
            DatabaseUrl::Postgres(url) => redact(url),
        }
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

fn redact(url: &str) -> String {
    // scheme://user:password@host → scheme://user:***@host
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// Opens connections for the pool. Our own manager (not diesel's) so that the backend is
/// chosen by the URL scheme, the real connection error is kept, and every SQLite
/// connection gets its pragmas.
pub struct ConnectionManager {
    url: DatabaseUrl,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot connect to the database")]
    Connection(#[from] diesel::ConnectionError),
    #[error("cannot prepare the database connection")]
    Query(#[from] diesel::result::Error),
    #[error("cannot create the database directory {0}")]
    Directory(PathBuf, #[source] std::io::Error),
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        ConnectionManager { url }
    }

    pub fn establish(&self) -> Result<DbConn, ConnectError> {
        match &self.url {
            DatabaseUrl::Postgres(url) => Ok(DbConn::Pg(PgConnection::establish(url)?)),
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| ConnectError::Directory(dir.to_owned(), e))?;
                }
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                // busy_timeout first: switching to WAL needs a lock another process may hold.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;"
                ))?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConn, ConnectError> {
        self.establish()
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), ConnectError> {
        Ok(conn.ping()?)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;
pub type PooledConn = r2d2::PooledConnection<ConnectionManager>;

/// The application's handle on the database: a pool and its backend.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    backend: Backend,
}

impl Db {
    /// Opens a pool of `size` connections. The first connection is made at once, so that a
    /// wrong URL or a database that is down is reported with its real cause.
    pub fn connect(url: &DatabaseUrl, size: u32) -> Result<Db, ConnectError> {
        let manager = ConnectionManager::new(url.clone());
        // Fail fast with the real error rather than r2d2's generic time-out.
        drop(manager.establish()?);
        let pool = r2d2::Pool::builder()
            .max_size(size.max(1))
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build_unchecked(manager);
        Ok(Db {
            pool,
            backend: url.backend(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection for synchronous callers (the command line).
    pub fn get(&self) -> Result<PooledConn, AppError> {
        self.pool
            .get()
            .map_err(|e| AppError::Unavailable(format!("no database connection: {e}")))
    }

    /// Runs one unit of database work on the blocking thread pool, never on the async
    /// workers. Handlers call this once per request with a closure into `store`.
    pub async fn run<T, F>(&self, work: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || {
            let mut conn = db.get()?;
            work(&mut conn)
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("database task failed: {e}")))?
    }

    /// Applies pending migrations; returns the versions it applied.
    pub fn migrate(&self) -> anyhow::Result<Vec<String>> {
        let mut conn = self
            .pool
            .get()
            .map_err(|e| anyhow::anyhow!("no database connection: {e}"))?;
        run_migrations(&mut conn)
    }
}

/// Applies the pending migrations of the connection's backend. On PostgreSQL an advisory
/// lock makes servers that start together take turns.
pub fn run_migrations(conn: &mut DbConn) -> anyhow::Result<Vec<String>> {
    let applied = match conn {
        DbConn::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?
            .into_iter()
            .map(|v| v.to_string())
            .collect(),
        DbConn::Pg(_) => with_session_lock(conn, MIGRATION_LOCK_KEY, |conn| {
            let DbConn::Pg(c) = conn else {
                unreachable!("matched as PostgreSQL above")
            };
            c.run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|vs| vs.into_iter().map(|v| v.to_string()).collect::<Vec<_>>())
                .map_err(|e| anyhow::anyhow!("migration failed: {e}"))
        })?,
    };
    Ok(applied)
}

/// Runs `work` holding PostgreSQL's session-level advisory lock `key`, so that servers
/// doing the same once-only work (migrations, rebuilds) take turns; the lock is released
/// whatever `work` answers. SQLite has one writer at a time already: `work` just runs.
pub fn with_session_lock<T, E>(
    conn: &mut DbConn,
    key: i64,
    work: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    if !matches!(conn, DbConn::Pg(_)) {
        return work(conn);
    }
    lock_sql(conn, "pg_advisory_lock", key)?;
    let result = work(conn);
    lock_sql(conn, "pg_advisory_unlock", key)?;
    result
}

/// Takes PostgreSQL's advisory lock `key` until the current transaction ends (orders
/// appends to one chain); on SQLite the transaction's write lock does that already.
pub fn xact_lock(conn: &mut DbConn, key: i64) -> Result<(), diesel::result::Error> {
    if matches!(conn, DbConn::Pg(_)) {
        lock_sql(conn, "pg_advisory_xact_lock", key)?;
    }
    Ok(())
}

/// The one place the advisory-lock SQL is written.
fn lock_sql(conn: &mut DbConn, function: &str, key: i64) -> Result<(), diesel::result::Error> {
    if let DbConn::Pg(c) = conn {
        c.batch_execute(&format!("SELECT {function}({key})"))?;
    }
    Ok(())
}

/// Runs `work` in a transaction that takes the write lock at its start. On SQLite a plain
/// (deferred) transaction that reads and then writes fails at once with "database is
/// locked" when another writer got there first; `BEGIN IMMEDIATE` waits its turn instead
/// (up to the busy timeout). On PostgreSQL it is an ordinary transaction.
pub fn write_transaction<T, E>(
    conn: &mut DbConn,
    work: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Sqlite(c) => {
            match AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE") {
                // Inside the caller's transaction, which already holds the write lock: a savepoint.
                Err(diesel::result::Error::AlreadyInTransaction) => {
                    AnsiTransactionManager::begin_transaction(c)?
                }
                other => other?,
            }
        }
        DbConn::Pg(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    type Manager = <DbConn as Connection>::TransactionManager;
    match work(conn) {
        Ok(value) => {
            Manager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            if let Err(rollback) = Manager::rollback_transaction(conn) {
                tracing::error!(error = %rollback, "rollback failed");
            }
            Err(error)
        }
    }
}

/// Frees what a SQLite connection keeps of a large piece of work (its page cache), so that
/// the pool's idle connection does not hold it; nothing on PostgreSQL, whose memory is the
/// server's.
pub fn shrink_memory(conn: &mut DbConn) -> Result<(), AppError> {
    if let DbConn::Sqlite(sqlite) = conn {
        sqlite.batch_execute("PRAGMA shrink_memory")?;
    }
    Ok(())
}

/// One trivial round trip: the health check.
pub fn ping(conn: &mut DbConn) -> Result<(), AppError> {
    conn.batch_execute("SELECT 1")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_selects_backend() {
        let base = Path::new("/srv/accredit");
        assert_eq!(
            DatabaseUrl::parse("data/accredit.sqlite3", base).unwrap(),
            DatabaseUrl::Sqlite(PathBuf::from("/srv/accredit/data/accredit.sqlite3"))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/a.db", base).unwrap(),
            DatabaseUrl::Sqlite(PathBuf::from("/tmp/a.db"))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://rel/a.db", base).unwrap(),
            DatabaseUrl::Sqlite(PathBuf::from("/srv/accredit/rel/a.db"))
        );
        assert_eq!(
            DatabaseUrl::parse("postgres://u:p@h/db", base)
                .unwrap()
                .backend(),
            Backend::Postgres
        );
        assert!(DatabaseUrl::parse("mysql://h/db", base).is_err());
        assert!(DatabaseUrl::parse("  ", base).is_err());
    }

    #[test]
    fn password_never_printed() {
        let url =
            DatabaseUrl::parse("postgres://app:s3cret@db:5432/accredit", Path::new("/")).unwrap();
        assert_eq!(url.redacted(), "postgres://app:***@db:5432/accredit");
        assert!(!format!("{url:?}").contains("s3cret"));
    }
}

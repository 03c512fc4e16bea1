fn main() -> std::process::ExitCode {
    tune_memory();
    accredit::cli::run()
}

/// Process-wide settings that concurrent requests need, made first thing in main,
/// before any other thread or database connection exists. Measured in docs/performance.md.
fn tune_memory() {
    // SQLite keeps allocation statistics under one global mutex by default; every thread
    // reading the database then queues on it. We never read those statistics.
    // SAFETY: sqlite3_config is allowed before SQLite initialises, which happens with the
    // first connection, later than this; the argument is a plain int as the option expects.
    unsafe {
        libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS, 0);
    }
    // Each connection of the pool is used by one thread at a time (r2d2 hands it out), so
    // SQLite's per-connection mutexes only cost: "multi-thread" mode leaves them out.
    // SAFETY: as above, before SQLite initialises.
    unsafe {
        libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MULTITHREAD);
    }
    // Every new connection gets the query planner stability guarantee (see
    // `stable_query_plans`).
    // SAFETY: the entry point has the signature SQLite calls it with, and lives as long as
    // the process.
    unsafe {
        libsqlite3_sys::sqlite3_auto_extension(Some(stable_query_plans));
    }
    tune_allocator();
}

/// Without the query planner stability guarantee, SQLite plans a statement with the values
/// bound to it (`LIMIT ?`, `LIKE ?`, and every column with `ANALYZE` samples), and then
/// prepares it again each time a value is bound anew: a quarter of a page's time went to
/// re-preparing diesel's cached statements (docs/performance.md). With it, a statement is
/// planned once and kept.
unsafe extern "C" fn stable_query_plans(
    db: *mut libsqlite3_sys::sqlite3,
    _error: *mut *mut std::ffi::c_char,
    _api: *const libsqlite3_sys::sqlite3_api_routines,
) -> std::ffi::c_int {
    // SAFETY: SQLite calls this with the connection it is opening; the option takes an int
    // and a pointer for the previous setting, which may be null.
    unsafe {
        libsqlite3_sys::sqlite3_db_config(
            db,
            libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
            1 as std::ffi::c_int,
            std::ptr::null_mut::<std::ffi::c_int>(),
        );
    }
    libsqlite3_sys::SQLITE_OK
}

/// glibc's malloc, left alone, raises its mmap threshold each time a large block is freed;
/// a server whose blocking threads each check a password (19 MiB of Argon2 memory) or read
/// a large result then keeps hundreds of MiB it no longer uses in its per-thread arenas. A
/// fixed threshold gives large blocks back to the system when they are freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // SAFETY: mallopt only sets a parameter of the allocator; no other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

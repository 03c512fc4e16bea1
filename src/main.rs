fn main() -> std::process::ExitCode {
    tune_memory();
    accredit::cli::run()
}

/// Two process-wide settings that concurrent requests need, made first thing in main,
/// before any other thread or database connection exists. Measured in docs/performance.md.
fn tune_memory() {
    // SQLite keeps allocation statistics under one global mutex by default; every thread
    // reading the database then queues on it. We never read those statistics.
    // SAFETY: sqlite3_config is allowed before SQLite initialises, which happens with the
    // first connection, later than this; the argument is a plain int as the option expects.
    unsafe {
        libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS, 0);
    }
    tune_allocator();
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

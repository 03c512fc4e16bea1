//! The free space of the data directory (the SQLite file, evidence kept on disk, staged
//! uploads), as `statvfs` reports it to an unprivileged process.

use std::path::Path;

use crate::domain::storage::{Room, room};

/// The data directory's disk: free and total bytes, and what that leaves room for.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Space {
    pub available_bytes: u64,
    pub total_bytes: u64,
    pub room: Room,
}

/// Reads the disk under `dir`; `largest_write` is the largest single write the server
/// takes (an upload at its limit), below which the disk counts as full.
pub fn space(dir: &Path, largest_write: u64) -> std::io::Result<Space> {
    let stat = rustix::fs::statvfs(dir)?;
    let available_bytes = stat.f_bavail.saturating_mul(stat.f_frsize);
    let total_bytes = stat.f_blocks.saturating_mul(stat.f_frsize);
    Ok(Space {
        available_bytes,
        total_bytes,
        room: room(available_bytes, total_bytes, largest_write),
    })
}

//! How much room the server's storage has left: what `/healthz` and the admin's home say.

crate::vocabulary!(Room {
    /// plenty of free space
    Ok => "ok",
    /// under 5 % or under 1 GiB free: time to add space
    Low => "low",
    /// less free space than one upload of the largest size allowed: writes are failing or
    /// about to (answered 507 `insufficient_storage`, nothing kept)
    Full => "full",
});

/// Below this much free space storage is low, however large the disk.
pub const LOW_BYTES: u64 = 1024 * 1024 * 1024;
/// Below this share free (in percent) storage is low.
pub const LOW_PERCENT: u64 = 5;

/// The room left, from the free bytes, the disk's size and the largest single write the
/// server takes (an upload at `ACCREDIT_MAX_UPLOAD_BYTES`).
pub fn room(available: u64, total: u64, largest_write: u64) -> Room {
    if available < largest_write.max(1) {
        Room::Full
    } else if available < LOW_BYTES
        || available.saturating_mul(100) < total.saturating_mul(LOW_PERCENT)
    {
        Room::Low
    } else {
        Room::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1024 * 1024 * 1024;
    const MIB: u64 = 1024 * 1024;

    #[test]
    fn room_is_low_under_five_percent_or_a_gibibyte_and_full_under_one_upload() {
        assert_eq!(room(100 * GIB, 200 * GIB, 50 * MIB), Room::Ok);
        // 4 % of a large disk is still many GiB, but low.
        assert_eq!(room(40 * GIB, 1000 * GIB, 50 * MIB), Room::Low);
        assert_eq!(room(50 * GIB, 1000 * GIB, 50 * MIB), Room::Ok);
        // A small disk, mostly free, but under 1 GiB.
        assert_eq!(room(900 * MIB, 1000 * MIB, 50 * MIB), Room::Low);
        assert_eq!(room(49 * MIB, 200 * GIB, 50 * MIB), Room::Full);
        assert_eq!(room(0, 200 * GIB, 0), Room::Full);
        assert_eq!(room(1, 200 * GIB, 0), Room::Low);
    }
}

//! What this process keeps of province-wide answers, each by the version in the database it
//! was computed from (`store::kept::Versioned`): the store's readers take the one they use.

use crate::store::kept::Versioned;
use crate::store::{deadlines, peers, programmes, rounds, status_data};

/// Everything this process keeps.
pub struct Kept {
    /// `store::peers`: by the province's `data_version`
    pub peers: peers::Cache,
    /// `store::rounds`: every school of a round's province with its state, by round and
    /// day, by the province's `round_version`
    pub rounds: rounds::Cache,
    /// `store::status_data`: a province's accepted figures of a year, by province and year,
    /// by the province's `data_version`
    pub accepted: status_data::AcceptedCache,
    /// `store::deadlines`: a province's deadline counts, by province, day and horizon, by
    /// the province's `deadline_version`
    pub deadlines: deadlines::Counts,
    /// `store::programmes`: each programme's progress, by programme, its version and day,
    /// by its province's `data_version`
    pub programmes: programmes::ProgressCache,
}

impl Kept {
    pub fn new() -> Kept {
        Kept {
            // 31 provinces, with or without a kind filter, today and perhaps yesterday.
            peers: Versioned::new(256),
            // A province has a round or two open.
            rounds: Versioned::new(128),
            // A province's last few years.
            accepted: Versioned::new(128),
            // 31 provinces, overdue and a few horizons, today and perhaps yesterday.
            deadlines: Versioned::new(512),
            // A province follows a handful of programmes.
            programmes: Versioned::new(512),
        }
    }
}

impl Default for Kept {
    fn default() -> Self {
        Kept::new()
    }
}

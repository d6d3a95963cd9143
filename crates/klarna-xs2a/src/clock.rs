//! The clock: jose-core's (`jose::clock`), re-exported here, so timestamps and replay windows can
//! be tested without sleeping.

pub use jose::clock::{Clock, ManualClock, SystemClock, unix_millis};
use std::time::Duration;

/// Milliseconds of a duration, saturating.
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

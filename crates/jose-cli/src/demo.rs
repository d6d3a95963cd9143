//! `jose demo` (being written).

use crate::error::Result;
use zeroize::Zeroizing;

/// Runs the demo; returns its text.
pub(crate) fn run() -> Result<Zeroizing<Vec<u8>>> {
    Ok(Zeroizing::new(Vec::new()))
}

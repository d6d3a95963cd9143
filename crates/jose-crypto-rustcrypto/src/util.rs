//! Small helpers shared by the key modules.

use jose_core::{Error, KeyKind};

/// Compares two big-endian integers given with any number of leading zero bytes. Runs in time that
/// depends only on the lengths.
pub(crate) fn ct_eq_trimmed(a: &[u8], b: &[u8]) -> bool {
    let len = a.len().max(b.len());
    let pad = |x: &[u8]| -> Vec<u8> {
        let mut v = vec![0u8; len.saturating_sub(x.len())];
        v.extend_from_slice(x);
        v
    };
    let a = zeroize::Zeroizing::new(pad(a));
    let b = zeroize::Zeroizing::new(pad(b));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// The error for an algorithm that does not fit the key it is used with.
pub(crate) fn key_mismatch(alg: &str, kind: KeyKind) -> Error {
    Error::invalid_key(format!("a key for {alg}"), kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ct_eq_ignores_leading_zeros() {
        assert!(ct_eq_trimmed(&[0, 0, 1, 2], &[1, 2]));
        assert!(!ct_eq_trimmed(&[1, 2], &[1, 3]));
        assert!(!ct_eq_trimmed(&[1, 0, 0], &[0, 0]));
        assert!(ct_eq_trimmed(&[], &[0]));
    }
}

//! Size limits applied by every parser.

/// Bounds on untrusted input. Every parser in jose-core takes one; [`Limits::default`] suits API
/// traffic, and a caller can raise or lower each field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest token (compact or JSON text) accepted, in bytes. Default 16 MiB.
    pub max_token_len: usize,
    /// Largest decoded JOSE header (protected or unprotected), in bytes. Default 16 KiB.
    pub max_header_len: usize,
    /// Most signatures in a general JWS JSON. Default 16.
    pub max_signatures: usize,
    /// Most recipients in a general JWE JSON. Default 16.
    pub max_recipients: usize,
    /// Largest key file (PEM, DER, JWK or JWKS) accepted, in bytes. Default 1 MiB.
    pub max_key_len: usize,
    /// Most keys in a JWKS. Default 256.
    pub max_jwks_keys: usize,
    /// The largest PBES2 iteration count (`p2c`) a JWE may ask for: a larger one is refused when
    /// the JWE is parsed, before any work (a `p2c` of 10⁹ is an attacker's way of spending the
    /// server's CPU). Default 100,000.
    pub max_pbes2_count: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_token_len: 16 * 1024 * 1024,
            max_header_len: 16 * 1024,
            max_signatures: 16,
            max_recipients: 16,
            max_key_len: 1024 * 1024,
            max_jwks_keys: 256,
            max_pbes2_count: 100_000,
        }
    }
}

impl Limits {
    /// Checks `found <= limit`, naming `what` in the error.
    pub(crate) fn check(
        what: &'static str,
        limit: usize,
        found: usize,
    ) -> Result<(), crate::Error> {
        if found > limit {
            Err(crate::Error::LimitExceeded { what, limit, found })
        } else {
            Ok(())
        }
    }
}

//! What every test file of the crate uses.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;

use jose::clock::ManualClock;
use jose::{CryptoProvider, EcCurve, Error, JwsAlgorithm, KeySpec, PrivateKey, SigningKey};

/// The tests' "now", in seconds.
pub(crate) const NOW: i64 = 1_700_000_000;

/// A clock stopped at `seconds`.
pub(crate) fn clock_at(seconds: i64) -> Arc<ManualClock> {
    Arc::new(ManualClock::at_millis(
        u64::try_from(seconds).unwrap() * 1000,
    ))
}

/// Both providers.
pub(crate) fn providers() -> [&'static dyn CryptoProvider; 2] {
    [
        jose::jose_crypto_awslc::provider(),
        jose::jose_crypto_rustcrypto::provider(),
    ]
}

/// A fresh P-256 key bound to ES256.
pub(crate) fn es256() -> SigningKey {
    SigningKey::new(
        PrivateKey::generate(KeySpec::Ec(EcCurve::P256), jose::default_provider()).unwrap(),
        JwsAlgorithm::Es256,
    )
    .unwrap()
}

/// The claim a claim error names (a test failure for any other error).
pub(crate) fn claim_of(error: &Error) -> &str {
    match error {
        Error::Claim(claim) => claim.claim(),
        other => panic!("expected a claim error, found {other:?}"),
    }
}

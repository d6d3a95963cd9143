//! JWTs and DPoP proofs: untrusted text through `jwt::verify` with the fixed keys of every
//! algorithm (claims validated at a fixed time), `Claims::from_json` on the raw bytes, and
//! jose-fapi's `DpopVerifier` (the key from the proof's own `jwk` header) and `normalize_htu`.
#![no_main]

use jose::clock::ManualClock;
use jose::jwt::{self, Claims, Validation};
use jose_fapi::dpop::{DpopVerifier, normalize_htu};
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

/// 2019-07-04T17:50:16Z: the `iat` of RFC 9449's examples, so their proofs (in the seeds) verify.
const NOW_MS: u64 = 1_562_262_616_000;

fuzz_target!(|data: &[u8]| {
    // Claims from any bytes: refused or read, never a panic; what is read serializes back to
    // claims that read the same.
    if let Ok(claims) = Claims::from_json(data) {
        let again = Claims::from_json(claims.to_json().as_bytes()).expect("re-read own JSON");
        assert_eq!(again, claims);
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let clock = Arc::new(ManualClock::at_millis(NOW_MS));
    let fixture = jose_fuzz::aws_lc();
    let validation = Validation::new()
        .any_issuer()
        .any_audience()
        .allow_missing_exp()
        .clock(clock.clone());
    if let Ok(verified) = jwt::verify(text, &fixture.verifying, &validation) {
        // The algorithm that verified is the one the header names.
        let token = jwt::UnverifiedJwt::parse(text, validation.parse_limits()).expect("parsed");
        assert_eq!(
            token.header().alg().ok().flatten(),
            Some(verified.alg.name())
        );
    }
    let dpop = DpopVerifier::new()
        .provider(fixture.provider)
        .clock(clock);
    let request = "https://server.example.com/token";
    if let Ok(proof) = dpop.verify(text, "POST", request, None) {
        assert_eq!(proof.jkt.len(), 43);
        assert_eq!(
            normalize_htu(proof.claims.get_str("htu").ok().flatten().unwrap_or("")).ok(),
            normalize_htu(request).ok()
        );
    }
    // The URI normaliser on its own: idempotent where it accepts.
    if let Ok(once) = normalize_htu(text) {
        assert_eq!(normalize_htu(&once).as_deref(), Ok(once.as_str()));
    }
});

//! Klarna XS2A: open an untrusted body (a compact JWE holding an RS512 JWS) with the fixed keys,
//! then run the request and response field checks on what opened.
//!
//! Keys: our decryption key is test-only-rsa2048-b (kid "fuzz-enc"), the sender's signing key
//! test-only-rsa2048-a (kid "fuzz-sig"); the seeds are sealed with the same keys.
#![no_main]

use std::sync::OnceLock;

use jose_klarna_xs2a::{InMemoryReplayStore, KeyRing, Opener, Policy, VerifierSet};
use libfuzzer_sys::fuzz_target;

fn opener() -> Option<&'static Opener> {
    static OPENER: OnceLock<Option<Opener>> = OnceLock::new();
    OPENER
        .get_or_init(|| {
            let fixture = jose_fuzz::aws_lc();
            let sig = fixture.private.first()?.clone().with_kid("fuzz-sig");
            let enc = fixture.private.get(1)?.clone().with_kid("fuzz-enc");
            let ring = KeyRing::new().with(enc).ok()?;
            let verifiers = VerifierSet::new().with(sig.public_key()).ok()?;
            Some(Opener::new(ring, verifiers))
        })
        .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let Some(opener) = opener() else {
        return;
    };
    let provider = jose_fuzz::aws_lc().provider;
    if let Ok(opened) = opener.open(token, provider) {
        // The seeds are stamped at 1_700_000_000_000 ms.
        let now = 1_700_000_000_000;
        let store = InMemoryReplayStore::new(16);
        let policy = Policy::default();
        if let Ok((id, _)) =
            jose_klarna_xs2a::server::check_request_fields(&opened.body, now, &policy)
        {
            let window = policy.min_replay_window();
            let _ = jose_klarna_xs2a::server::record_request_id(&store, &id, now, window);
        }
        let _ = jose_klarna_xs2a::client::check_response(&opened.body, now, &Policy::default());
    }
});

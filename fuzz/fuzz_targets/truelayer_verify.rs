//! TrueLayer request signing: the `Tl-Signature` header parser, the webhook `jku` check, and
//! verification of a fuzzed signature over a fuzzed request with the fixed ES512 key.
//!
//! Input: the `Tl-Signature` value, a newline, then the request body. The request is
//! `POST /payouts` with `Idempotency-Key: idemp-1` (what the seeds sign).
#![no_main]

use jose_truelayer_signing::{JkuAllowList, Verifier, extract_header};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (signature, body) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let Ok(signature) = std::str::from_utf8(signature) else {
        return;
    };
    let _ = extract_header(signature);
    let _ = JkuAllowList::default().webhook_jku(signature);
    let fixture = jose_fuzz::aws_lc();
    let Some(p521) = fixture.private.get(4) else {
        return;
    };
    let Ok(verifier) = Verifier::new(&p521.public_key()) else {
        return;
    };
    let _ = verifier
        .method("POST")
        .path("/payouts")
        .header("Idempotency-Key", "idemp-1")
        .body(body)
        .verify(signature);
    // The same signature against the whole input as the body, with v1 allowed.
    if let Ok(verifier) = Verifier::new(&p521.public_key()) {
        let _ = verifier
            .method("POST")
            .path("/payouts")
            .body(data)
            .allow_v1(true)
            .verify(signature);
    }
});

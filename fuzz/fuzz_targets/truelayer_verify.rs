//! TrueLayer request signing: the `Tl-Signature` header parser, the webhook `jku` check, the
//! `X-Tl-Webhook-Timestamp` parser and freshness check (the first line as a timestamp, against a
//! fixed clock and the widest and narrowest tolerances), and verification of a fuzzed signature
//! over a fuzzed request with the fixed ES512 key.
//!
//! Input: the `Tl-Signature` value, a newline, then the request body. The request is
//! `POST /payouts` with `Idempotency-Key: idemp-1` (what the seeds sign).
#![no_main]

use jose_truelayer_signing::{JkuAllowList, Verifier, WebhookFreshness, extract_header};
use libfuzzer_sys::fuzz_target;
use std::time::{Duration, SystemTime};

fuzz_target!(|data: &[u8]| {
    let (signature, body) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    // 2021-11-29T11:42:55Z, the time of TrueLayer's recorded webhook.
    let clock = SystemTime::UNIX_EPOCH + Duration::from_secs(1_638_186_175);
    for tolerance in [Duration::ZERO, Duration::from_secs(300), Duration::MAX] {
        let _ = WebhookFreshness::new(tolerance)
            .as_of(clock)
            .check(signature);
    }
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

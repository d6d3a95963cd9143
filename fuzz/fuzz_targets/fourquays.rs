//! 4Quays: the engine handling an untrusted protect or unprotect request body (request parsing,
//! policy lookup, JWE envelope parsing, unprotect decryption), and the client's response parsers
//! and the destination's `open` on the same bytes.
//!
//! The engine has one service ("bank") whose managed key is test-only-rsa2048-b (kid
//! "bank-2026"), one policy "FUZZ-001", and the API key "sk_fuzz". Input: byte 0 picks protect
//! (even) or unprotect (odd); the rest is the JSON body.
#![no_main]

use std::sync::OnceLock;

use jose_4quays::engine::{ApiKey, DestinationKey, DestinationService, Engine, Policy};
use jose_4quays::{Operation, ProtectResponse, UnprotectRequest};
use libfuzzer_sys::fuzz_target;

fn engine() -> Option<&'static Engine> {
    static ENGINE: OnceLock<Option<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let fixture = jose_fuzz::aws_lc();
            let key = DestinationKey::managed("bank-2026", fixture.private.get(1)?.clone()).ok()?;
            Engine::builder(fixture.provider)
                .service(DestinationService::new("bank").active_key(key))
                .policy(Policy::new("FUZZ-001", "bank"))
                .api_key(ApiKey::from_secret(
                    "fuzzer",
                    "sk_fuzz",
                    "FUZZ-001",
                    fixture.provider,
                ))
                .build()
                .ok()
        })
        .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let Some(engine) = engine() else {
        return;
    };
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let (operation, path) = if selector % 2 == 0 {
        (Operation::Protect, "/api/v1/protect")
    } else {
        (Operation::Unprotect, "/api/v1/unprotect")
    };
    let Ok(request) = http::Request::post(path)
        .header("authorization", "Bearer sk_fuzz")
        .header("content-type", "application/json")
        .body(body.to_vec())
    else {
        return;
    };
    let handled = engine.handle(operation, &request);
    let _ = handled.response.status();

    // The same bytes as a response body, and as an unprotect request opened by the destination.
    let _ = ProtectResponse::from_json(body);
    let _ = jose_4quays::client::parse_error(400, body);
    if let Ok(UnprotectRequest {
        jwe: Some(envelope),
        ..
    }) = serde_json::from_slice::<UnprotectRequest>(body)
    {
        let fixture = jose_fuzz::aws_lc();
        let _ = envelope.kid(&jose_fuzz::limits());
        let _ = envelope.to_compact();
        let _ = jose_4quays::destination::open(
            &envelope,
            &fixture.decrypting,
            &jose_fuzz::ENCS,
            &jose_fuzz::limits(),
            fixture.provider,
        );
    }
    if let Ok(text) = std::str::from_utf8(body) {
        let _ = jose_4quays::legacy::decode(text, &jose_fuzz::limits());
    }
});

//! JWS in every serialization (compact, flattened and general JSON; detached and unencoded
//! payloads): parse untrusted text, then verify with the fixed keys of every algorithm.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let fixture = jose_fuzz::aws_lc();
    let limits = jose_fuzz::limits();
    // Each parser on its own (they must agree with `parse`), then the verifier.
    // `parse` trims ASCII whitespace, then picks a serialization (documented); the
    // serialization parsers take the text exactly.
    let trimmed = text.trim_ascii();
    let compact = jose::jws::Jws::from_compact(trimmed, &limits);
    let json = jose::jws::Jws::from_json(trimmed, &limits);
    let Ok(jws) = jose::jws::Jws::parse(text, &limits) else {
        assert!(
            compact.is_err() && json.is_err(),
            "parse refused what a serialization parser accepted"
        );
        return;
    };
    assert!(
        compact.is_ok() || json.is_ok(),
        "parse accepted what neither serialization parser accepts"
    );
    // Serializing a parsed JWS must not panic; what it returns is not checked here.
    let _ = jws.to_compact();
    let _ = jws.to_flattened_json();
    let _ = jws.to_general_json();
    for signature in jws.signatures() {
        let _ = signature.header();
    }
    let _ = jws.verify_detached(jose_fuzz::DETACHED_PAYLOAD, &fixture.verifying);
    if let Ok(payload) = jws.verify(&fixture.verifying) {
        assert_eq!(Some(payload), jws.unverified_payload());
    }
});

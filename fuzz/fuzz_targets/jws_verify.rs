//! JWS in every serialization (compact, flattened and general JSON; detached and unencoded
//! payloads): parse untrusted text, then verify with the fixed keys of every algorithm; the
//! constant-time codec of a confidential (nested) JWS must give the same results as the fast one.
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
    // The constant-time codec (a JWS nested in a JWE) must agree with the fast one on every
    // input: same verdict, same payload, same serializations.
    let confidential = jose::jws::Jws::parse_confidential(text, &limits);
    match (jose::jws::Jws::parse(text, &limits), &confidential) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.unverified_payload(), b.unverified_payload());
            assert_eq!(a.to_compact().ok(), b.to_compact().ok());
            assert_eq!(a.to_general_json().ok(), b.to_general_json().ok());
        }
        (Err(_), Err(_)) => {}
        (a, b) => panic!(
            "the codecs disagree: public {:?}, confidential {:?}",
            a.is_ok(),
            b.is_ok()
        ),
    }
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

//! JWE in every serialization (compact, flattened and general JSON): parse untrusted text, then
//! decrypt with the fixed keys of every key management algorithm and every `enc` allowed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let fixture = jose_fuzz::aws_lc();
    let limits = jose_fuzz::limits();
    // `parse` trims ASCII whitespace, then picks a serialization (documented); the
    // serialization parsers take the text exactly.
    let trimmed = text.trim_ascii();
    let compact = jose::jwe::Jwe::from_compact(trimmed, &limits);
    let json = jose::jwe::Jwe::from_json(trimmed, &limits);
    let Ok(jwe) = jose::jwe::Jwe::parse(text, &limits) else {
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
    let _ = jwe.to_compact();
    let _ = jwe.to_flattened_json();
    let _ = jwe.to_general_json();
    for index in 0..jwe.recipients().len() {
        let _ = jwe.joint_header(index);
    }
    let options = jose::jwe::DecryptOptions::default().max_pbes2_count(jose_fuzz::FUZZ_MAX_P2C);
    if let Ok(decrypted) = jwe.decrypt_with(
        &fixture.decrypting,
        &jose_fuzz::ENCS,
        &options,
        fixture.provider,
    ) {
        assert!(decrypted.recipient_index < jwe.recipients().len());
        // GCM keeps the length; CBC removes 1 to 16 bytes of padding (no zip: not allowed here).
        let (plain, cipher) = (decrypted.plaintext.len(), jwe.ciphertext().len());
        assert!(plain == cipher || (plain < cipher && cipher - plain <= 16));
    }
    // Nested: a JWE whose plaintext is a compact JWS.
    let _ = jose::nested::decrypt_then_verify(
        text,
        &fixture.decrypting,
        &jose_fuzz::ENCS,
        &fixture.verifying,
        &limits,
        fixture.provider,
    );
});

//! Inputs the fuzz targets in `fuzz/` flagged, kept as tests with the input inline.
//!
//! Each test says what the fuzzer reported, what the cause was, and what it now checks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use jose_core::jwe::Jwe;
use jose_core::jws::Jws;
use jose_core::{
    ContentEncryption, CryptoProvider, DecryptingKey, EcCurve, JwsAlgorithm,
    KeyManagementAlgorithm, KeySpec, Limits, PrivateKey, SigningKey,
};

fn providers() -> [&'static dyn CryptoProvider; 2] {
    [
        jose_crypto_awslc::provider(),
        jose_crypto_rustcrypto::provider(),
    ]
}

/// fuzz/artifacts/jws_verify/crash-eef9d271652e7b750a422d4e22de60f24607cb5f (2026-11-23).
///
/// Reported: `Jws::parse` accepted a token that neither `from_compact` nor `from_json` accepted.
/// Cause: the token ends in `\n`; `parse` trims ASCII whitespace by design (documented), the
/// serialization parsers take the text exactly, and the target compared them untrimmed. The
/// target now compares against the trimmed text. Checked here: `parse` equals `from_compact` of
/// the trimmed text, `from_compact` refuses the untrimmed text, and the forged signature over
/// the empty payload verifies with no key on either provider, attached or detached.
#[test]
fn jws_with_trailing_newline_parses_as_its_trimmed_text_and_does_not_verify() {
    let input = "eyJhbGciOiJFUzI1NiJ9..5EqcQxi32tSOlDLpLvxjrMYnotek8kurD5wa5eYva_gxUea5mfvcikurD5wa5eYva_gxUea5mfvciK8\n";
    let limits = Limits::default();
    let parsed = Jws::parse(input, &limits).expect("parse trims the newline");
    let exact =
        Jws::from_compact(input.trim_ascii(), &limits).expect("the trimmed text is compact");
    assert_eq!(parsed.to_compact().unwrap(), exact.to_compact().unwrap());
    assert!(Jws::from_compact(input, &limits).is_err());
    assert!(Jws::from_json(input, &limits).is_err());
    for provider in providers() {
        let key = SigningKey::new(
            PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider).unwrap(),
            JwsAlgorithm::Es256,
        )
        .unwrap();
        let keys = [key.verifying_key()];
        assert!(parsed.verify(&keys).is_err(), "{}", provider.name());
        assert!(
            parsed.verify_detached(b"anything", &keys).is_err(),
            "{}",
            provider.name()
        );
    }
}

/// fuzz/artifacts/jwe_decrypt/crash-8e0c2a12abdc0ba5bac2c8c8b1fda9b3a58c29bc (2026-11-23).
///
/// Reported: `Jwe::parse` accepted what neither serialization parser accepted. Cause: ten
/// leading form feeds (`\x0c`, ASCII whitespace), trimmed by `parse` by design; same harness fix
/// as above. Checked here: `parse` equals `from_compact` of the trimmed text, and the token (an
/// RFC 7520 A256KW/A192CBC-HS384 JWE, algorithms this crate does not implement) is refused at
/// decryption on both providers.
#[test]
fn jwe_with_leading_form_feeds_parses_as_its_trimmed_text_and_is_refused() {
    let input = "\x0c\x0c\x0c\x0c\x0c\x0c\x0c\x0c\x0c\x0ceyJhbGciOiJBMjU2S1ciLCJlbmMiOiJBMTkyQ0JDLUhTMzg0In0.Oi1qci0uv3Me3PkCxN1Mg7af4hcB2Wde9CdHOOpj2YtcY5GddySBNDZRkxMgsvg07LWQVneF_Y0.JrpEsj0RgGXay6HHQJ2hqw.1rNud9EwsfXY0FF80DoOftg.BjiF-rqpDWZ41dR3vEewTRYOkj056w3S";
    let limits = Limits::default();
    let parsed = Jwe::parse(input, &limits).expect("parse trims the form feeds");
    let exact =
        Jwe::from_compact(input.trim_ascii(), &limits).expect("the trimmed text is compact");
    assert_eq!(parsed.to_compact().unwrap(), exact.to_compact().unwrap());
    assert!(Jwe::from_compact(input, &limits).is_err());
    for provider in providers() {
        let key = DecryptingKey::new(
            PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider).unwrap(),
            KeyManagementAlgorithm::RsaOaep256,
        )
        .unwrap();
        assert!(
            parsed
                .decrypt(&[key], &[ContentEncryption::A256Gcm], provider)
                .is_err(),
            "{}",
            provider.name()
        );
    }
}

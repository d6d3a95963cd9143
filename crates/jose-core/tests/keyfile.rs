//! Key files (`jose_core::keyfile`): the format detected from the content, PEM, DER, JWK and JWKS
//! × private and public × good and bad, the bounded read, and errors that name the file but never
//! quote it. The keys are the throwaway test-only fixtures of `tests/fixtures/formats/` (OpenSSL 3
//! `test-only-*` files and the RFC 7520 section 3 JWKs) or are generated here.

// Test helpers outside #[test] functions may panic too: a failing test should fail loudly.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use jose_core::error::display_chain;
use jose_core::keyfile::{Format, Key, KeyFile, SetEntry, read_limited};
use jose_core::{
    CryptoProvider, EcCurve, Error, ErrorClass, Jwk, Jwks, KeyKind, KeySpec, Limits, PrivateKey,
};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name)
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The DER inside a PEM fixture.
fn pem_der(name: &str) -> Vec<u8> {
    pem_rfc7468::decode_vec(&bytes(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .1
}

fn providers() -> [&'static dyn CryptoProvider; 2] {
    [
        jose_crypto_awslc::provider(),
        jose_crypto_rustcrypto::provider(),
    ]
}

fn parse(input: &[u8]) -> Result<KeyFile, Error> {
    KeyFile::parse(input, &Limits::default(), jose_crypto_awslc::provider())
}

/// A directory of its own for each test, under cargo's scratch directory for integration tests.
fn scratch(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("keyfile")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[track_caller]
fn single(file: KeyFile) -> Key {
    match file {
        KeyFile::Single(key) => key,
        KeyFile::Set(entries) => panic!("expected one key, found a set of {}", entries.len()),
    }
}

#[track_caller]
fn private_kind(input: &[u8], provider: &'static dyn CryptoProvider) -> KeyKind {
    match single(KeyFile::parse(input, &Limits::default(), provider).unwrap()) {
        Key::Private(k) => k.kind(),
        other => panic!("expected a private key, found {}", other.describe()),
    }
}

#[track_caller]
fn public_kind(input: &[u8], provider: &'static dyn CryptoProvider) -> KeyKind {
    match single(KeyFile::parse(input, &Limits::default(), provider).unwrap()) {
        Key::Public(k) => k.kind(),
        other => panic!("expected a public key, found {}", other.describe()),
    }
}

const RSA2048: KeyKind = KeyKind::Rsa { bits: 2048 };
const P256: KeyKind = KeyKind::Ec(EcCurve::P256);
const P384: KeyKind = KeyKind::Ec(EcCurve::P384);
const P521: KeyKind = KeyKind::Ec(EcCurve::P521);

#[test]
fn pem_private_and_public_keys_import_by_label() {
    let private = [
        ("test-only-p256-pkcs8.pem", P256),
        ("test-only-p256-sec1.pem", P256),
        // An EC PARAMETERS block before the key, as `openssl ecparam -genkey` writes it.
        ("test-only-p256-sec1-with-params.pem", P256),
        ("test-only-p384-sec1.pem", P384),
        ("test-only-p521-pkcs8.pem", P521),
        ("test-only-rsa2048-pkcs8.pem", RSA2048),
        ("test-only-rsa2048-pkcs1.pem", RSA2048),
    ];
    let public = [
        ("test-only-p256-spki.pem", P256),
        ("test-only-p521-spki.pem", P521),
        ("test-only-rsa2048-spki.pem", RSA2048),
        ("test-only-rsa2048-pkcs1-pub.pem", RSA2048),
    ];
    for provider in providers() {
        for (name, kind) in private {
            let input = bytes(name);
            assert_eq!(Format::detect(&input, &Limits::default()), Ok(Format::Pem));
            assert_eq!(private_kind(&input, provider), kind, "{name}");
        }
        for (name, kind) in public {
            assert_eq!(public_kind(&bytes(name), provider), kind, "{name}");
        }
    }
    // Text around the block is ignored, and leading whitespace.
    let mut wrapped = b"\n  A test-only key, with a comment above it.\n".to_vec();
    wrapped.extend(bytes("test-only-p256-spki.pem"));
    wrapped.extend(b"trailing text\n");
    assert_eq!(public_kind(&wrapped, jose_crypto_awslc::provider()), P256);
}

#[test]
fn bad_pem_is_refused_with_the_parsers_error() {
    for (name, expected) in [
        // Private labels.
        ("test-only-rsa1024-pkcs8.pem", "at least 2048 bits"),
        ("test-only-p256-encrypted.pem", "encrypted"),
        ("test-only-p256-sec1-nopub.pem", "public key"),
        ("test-only-secp256k1-sec1.pem", "secp256k1"),
        ("test-only-ed448-pkcs8.pem", "Ed448"),
        ("test-only-rsapss2048-pkcs8.pem", "RSASSA-PSS"),
        ("test-only-rsa2048-3prime-pkcs1.pem", "two-prime"),
        // Public labels.
        ("test-only-rsa1024-spki.pem", "at least 2048 bits"),
        ("test-only-p256-spki-compressed.pem", "compressed"),
    ] {
        let err = parse(&bytes(name)).unwrap_err();
        assert!(
            err.to_string().contains(expected),
            "{name}: expected {expected:?} in: {err}"
        );
    }
    // A truncated block, a certificate, two key blocks, a private label over public content.
    let spki = String::from_utf8(bytes("test-only-p256-spki.pem")).unwrap();
    let pkcs8 = String::from_utf8(bytes("test-only-p256-pkcs8.pem")).unwrap();
    let cases = [
        ("-----BEGIN PRIVATE KEY-----\nMIIB\n".to_owned(), "END line"),
        (spki.replace("PUBLIC KEY", "CERTIFICATE"), "CERTIFICATE"),
        (format!("{pkcs8}{spki}"), "exactly one PEM key block"),
        (spki.replace("PUBLIC KEY", "PRIVATE KEY"), "label"),
    ];
    for (text, expected) in cases {
        let err = parse(text.as_bytes()).unwrap_err();
        assert!(matches!(err, Error::Malformed { .. }), "{err:?}");
        assert!(err.to_string().contains(expected), "{expected}: {err}");
    }
    // PEM that is not UTF-8.
    let mut latin1 = b"\xe9t\xe9\n".to_vec();
    latin1.extend(bytes("test-only-p256-spki.pem"));
    let err = parse(&latin1).unwrap_err();
    assert!(err.to_string().contains("UTF-8"), "{err}");
    assert_eq!(Format::detect(&latin1, &Limits::default()), Ok(Format::Pem));
}

#[test]
fn der_private_and_public_keys_are_told_apart_by_structure() {
    let private = [
        ("test-only-p256-pkcs8.der", P256),
        ("test-only-p256-sec1.der", P256),
        ("test-only-p384-pkcs8.der", P384),
        ("test-only-p521-sec1.der", P521),
        ("test-only-rsa2048-pkcs8.der", RSA2048),
        ("test-only-rsa2048-pkcs1.der", RSA2048),
    ];
    let public = [
        ("test-only-p256-spki.der", P256),
        ("test-only-p384-spki.der", P384),
        ("test-only-rsa2048-spki.der", RSA2048),
        ("test-only-rsa2048-pkcs1-pub.der", RSA2048),
    ];
    for provider in providers() {
        for (name, kind) in private {
            let input = bytes(name);
            assert_eq!(Format::detect(&input, &Limits::default()), Ok(Format::Der));
            assert_eq!(private_kind(&input, provider), kind, "{name}");
        }
        for (name, kind) in public {
            assert_eq!(public_kind(&bytes(name), provider), kind, "{name}");
        }
    }
}

#[test]
fn bad_der_is_refused_by_the_parser_of_its_shape() {
    // A private key that fails validation is refused as a private key, a public one as public.
    let err = parse(&pem_der("test-only-rsa1024-pkcs8.pem")).unwrap_err();
    assert!(err.to_string().contains("at least 2048 bits"), "{err}");
    let err = parse(&pem_der("test-only-rsa1024-spki.pem")).unwrap_err();
    assert!(err.to_string().contains("at least 2048 bits"), "{err}");
    let err = parse(&pem_der("test-only-p256-encrypted.pem")).unwrap_err();
    assert!(err.to_string().contains("encrypted"), "{err}");
    let err = parse(&pem_der("test-only-secp256k1-sec1.pem")).unwrap_err();
    assert!(
        matches!(err, Error::UnsupportedAlgorithm { kind: "curve", .. }),
        "{err:?}"
    );
    // A well-formed SEQUENCE that is no key: an X.509-like shape, and an empty one.
    for der in [
        &[0x30, 0x06, 0x30, 0x00, 0x30, 0x00, 0x03, 0x00][..],
        &[0x30, 0x00],
    ] {
        let err = parse(der).unwrap_err();
        assert_eq!(
            err,
            Error::malformed(
                "key DER",
                "a private key (PKCS#8, PKCS#1 or SEC1) or a public key (SPKI or PKCS#1)",
                "an unrecognized ASN.1 structure",
            )
        );
    }
    // A key cut short, and one with bytes after it.
    let der = bytes("test-only-p256-pkcs8.der");
    let err = parse(&der[..der.len() - 1]).unwrap_err();
    assert!(err.to_string().contains("not DER"), "{err}");
    let mut longer = der.clone();
    longer.push(0);
    assert!(parse(&longer).is_err());
}

#[test]
fn jwks_import_as_private_or_public_keeping_their_kid() {
    let kid = "bilbo.baggins@hobbiton.example";
    for provider in providers() {
        for (name, private, kind) in [
            ("rfc7520/3_1.ec_public_key.json", false, P521),
            ("rfc7520/3_2.ec_private_key.json", true, P521),
            ("rfc7520/3_3.rsa_public_key.json", false, RSA2048),
            ("rfc7520/3_4.rsa_private_key.json", true, RSA2048),
        ] {
            let input = bytes(name);
            assert_eq!(Format::detect(&input, &Limits::default()), Ok(Format::Jwk));
            let key = single(KeyFile::parse(&input, &Limits::default(), provider).unwrap());
            assert_eq!(key.is_private(), private, "{name}");
            assert_eq!(key.kind(), Some(kind), "{name}");
            assert_eq!(key.kid(), Some(kid), "{name}");
            assert_eq!(key.public_key().unwrap().kid(), Some(kid), "{name}");
            assert_eq!(key.private_key().is_some(), private, "{name}");
        }
    }
}

#[test]
fn bad_jwks_are_refused() {
    let ec = String::from_utf8(bytes("rfc7520/3_2.ec_private_key.json")).unwrap();
    let cases: [(String, &str); 6] = [
        // A shared secret too short to be one (6 bytes).
        (
            r#"{"kty":"oct","k":"c2VjcmV0"}"#.to_owned(),
            "a shared secret of 16 to 1024 bytes, found 6 bytes",
        ),
        // A private scalar too long for the curve.
        (
            ec.replace("\"d\": \"AAhR", "\"d\": \"AQABAAhR"),
            "\"d\" of exactly 66 bytes",
        ),
        // A public key off its length.
        (
            ec.replace("\"x\": \"AHKZ", "\"x\": \""),
            "\"x\" of exactly 66 bytes",
        ),
        (
            r#"{"kty":"EC","kty":"RSA"}"#.to_owned(),
            "duplicate member \"kty\"",
        ),
        (
            "{\"kty\":\"EC\",\n\"crv\":".to_owned(),
            "invalid JSON (at line 2 column 6)",
        ),
        (
            r#"{"kid":"no-type"}"#.to_owned(),
            "found an object with neither",
        ),
    ];
    for (text, expected) in cases {
        let err = parse(text.as_bytes()).unwrap_err();
        assert!(err.to_string().contains(expected), "{expected}: {err}");
        // The private scalar is never quoted.
        assert!(!err.to_string().contains("AAhRON2r9cqXX1hg"), "{err}");
        assert!(!format!("{err:?}").contains("AAhRON2r9cqXX1hg"), "{err:?}");
    }
}

#[test]
fn a_jwks_with_mixed_keys_keeps_every_entry_in_order() {
    let provider = jose_crypto_awslc::provider();
    let ec_private = Jwk::from_json(
        &String::from_utf8(bytes("rfc7520/3_2.ec_private_key.json")).unwrap(),
        &Limits::default(),
    )
    .unwrap();
    let mut rsa_public = Jwk::from_json(
        &String::from_utf8(bytes("rfc7520/3_3.rsa_public_key.json")).unwrap(),
        &Limits::default(),
    )
    .unwrap();
    rsa_public.kid = Some("rsa-public".into());
    let generated = PrivateKey::generate(KeySpec::Ec(EcCurve::P384), provider)
        .unwrap()
        .with_kid("p384-generated");
    let oct = Jwk::from_json(
        r#"{"kty":"oct","kid":"oct-1","k":"c2VjcmV0"}"#,
        &Limits::default(),
    )
    .unwrap();
    let mut broken = generated.public_key().to_jwk().unwrap();
    broken.kid = None;
    broken.x = Some("AAAA".into());
    let set = Jwks::new(vec![
        ec_private,
        rsa_public,
        oct,
        generated.public_key().to_jwk().unwrap(),
        broken,
    ])
    .to_json();
    assert_eq!(
        Format::detect(set.as_bytes(), &Limits::default()),
        Ok(Format::Jwks)
    );
    let KeyFile::Set(entries) = parse(set.as_bytes()).unwrap() else {
        panic!("a JWKS is a set");
    };
    let summary: Vec<(Option<&str>, Option<bool>)> = entries
        .iter()
        .map(|SetEntry { kid, key }| {
            (
                kid.as_deref(),
                key.as_ref().ok().map(|k: &Key| k.is_private()),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (Some("bilbo.baggins@hobbiton.example"), Some(true)),
            (Some("rsa-public"), Some(false)),
            (Some("oct-1"), None),
            (Some("p384-generated"), Some(false)),
            (None, None),
        ]
    );
    // Each imported key carries its kid; each refused one its own error.
    for entry in &entries {
        if let Ok(key) = &entry.key {
            assert_eq!(key.kid(), entry.kid.as_deref());
        }
    }
    // "oct-1" is a secret of 6 bytes: too short to be one.
    assert!(matches!(entries[2].key, Err(Error::InvalidKey { .. })));
    assert!(matches!(entries[4].key, Err(Error::InvalidKey { .. })));

    // A malformed set fails as a whole; so does one over the key count limit.
    let err = parse(br#"{"keys":"nope"}"#).unwrap_err();
    assert!(err.to_string().contains("\"keys\" array"), "{err}");
    let limits = Limits {
        max_jwks_keys: 2,
        ..Limits::default()
    };
    let err = KeyFile::parse(set.as_bytes(), &limits, provider).unwrap_err();
    assert_eq!(
        err,
        Error::LimitExceeded {
            what: "JWKS keys",
            limit: 2,
            found: 5
        }
    );
    // An empty set is a set.
    let KeyFile::Set(none) = parse(br#"{"keys":[]}"#).unwrap() else {
        panic!("a JWKS is a set");
    };
    assert!(none.is_empty());
}

#[test]
fn input_that_is_no_key_file_is_refused_without_quoting_it() {
    let expected = "a key in PEM, DER, JWK or JWKS form";
    for (input, found) in [
        (&b""[..], "nothing"),
        (b" \n\t\r\n", "nothing"),
        (b"hunter2 is my password", "text that is neither PEM"),
        (
            b"\x00\x9fhunter2\xff\xfe binary",
            "binary data that is neither PEM, JSON nor DER",
        ),
        (
            b"\x30\x82\xff\xffhunter2",
            "binary data starting like DER but not DER",
        ),
        (b"[\"hunter2\"]", "text that is neither PEM"),
    ] {
        let err = parse(input).unwrap_err();
        assert!(
            matches!(&err, Error::Malformed { what: "key", expected: e, found: f }
                if *e == expected && f.starts_with(found)),
            "{input:?}: {err:?}"
        );
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert!(Format::detect(input, &Limits::default()).is_err());
    }
}

#[test]
fn hostile_json_is_refused_without_a_panic() {
    // Deep nesting in a member's value (skipped while detecting) and at the top, up to the size
    // limit; a JWKS whose keys are not objects.
    let deep = "[".repeat(Limits::default().max_key_len - 16);
    for text in [
        format!("{{\"kty\":{deep}"),
        format!("{{\"keys\":[{deep}"),
        format!("{{\"a\":{}", "{\"a\":".repeat(100_000)),
        r#"{"keys":[1,"two",null]}"#.to_owned(),
    ] {
        let err = parse(text.as_bytes()).unwrap_err();
        assert!(matches!(err, Error::Malformed { .. }), "{err:?}");
    }
}

#[test]
fn oversized_input_is_refused_before_it_is_parsed() {
    let pem = bytes("test-only-p256-pkcs8.pem");
    let limits = Limits {
        max_key_len: pem.len() - 1,
        ..Limits::default()
    };
    let provider = jose_crypto_awslc::provider();
    let too_large = Error::LimitExceeded {
        what: "key file",
        limit: pem.len() - 1,
        found: pem.len(),
    };
    assert_eq!(
        KeyFile::parse(&pem, &limits, provider).unwrap_err(),
        too_large
    );
    assert_eq!(Format::detect(&pem, &limits).unwrap_err(), too_large);
    let exact = Limits {
        max_key_len: pem.len(),
        ..Limits::default()
    };
    assert!(KeyFile::parse(&pem, &exact, provider).is_ok());
}

#[test]
fn read_limited_reads_up_to_the_limit_and_names_the_file() {
    let dir = scratch("read_limited");
    let contents = b"0123456789";
    let path = write(&dir, "ten.txt", contents);
    assert_eq!(&*read_limited(&path, "test file", 10).unwrap(), contents);
    assert_eq!(&*read_limited(&path, "test file", 1000).unwrap(), contents);
    let empty = write(&dir, "empty.txt", b"");
    assert!(read_limited(&empty, "test file", 0).unwrap().is_empty());

    let err = read_limited(&path, "test file", 9).unwrap_err();
    assert_eq!(
        err,
        Error::FileTooLarge {
            what: "test file",
            path: path.clone(),
            limit: 9
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "test file {} is too large: expected at most 9 bytes, found more",
            path.display()
        )
    );
    assert!(!err.to_string().contains("0123"), "{err}");
    assert_eq!(err.class(), ErrorClass::Local);

    let missing = dir.join("missing.txt");
    let err = read_limited(&missing, "test file", 10).unwrap_err();
    let Error::Io {
        what: "test file",
        path: named,
        source,
    } = &err
    else {
        panic!("expected Error::Io, found {err:?}");
    };
    assert_eq!(named, &missing);
    assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
    assert_eq!(err.class(), ErrorClass::Local);
    assert_eq!(err.clone(), err);
    // A directory opens but does not read.
    let err = read_limited(&dir, "test file", 10).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
}

#[test]
fn load_reads_detects_and_imports() {
    let dir = scratch("load");
    let provider = jose_crypto_awslc::provider();
    let limits = Limits::default();
    for (name, private) in [
        ("test-only-p256-pkcs8.pem", true),
        ("test-only-rsa2048-spki.der", false),
        ("rfc7520/3_1.ec_public_key.json", false),
    ] {
        let key = single(KeyFile::load(&fixture(name), &limits, provider).unwrap());
        assert_eq!(key.is_private(), private, "{name}");
    }
    // Over the limit: refused by the read, naming the file.
    let big = write(&dir, "big.pem", bytes("test-only-p256-pkcs8.pem"));
    let small = Limits {
        max_key_len: 100,
        ..Limits::default()
    };
    assert_eq!(
        KeyFile::load(&big, &small, provider).unwrap_err(),
        Error::FileTooLarge {
            what: "key file",
            path: big.clone(),
            limit: 100
        }
    );
    let missing = dir.join("missing.pem");
    let err = KeyFile::load(&missing, &limits, provider).unwrap_err();
    assert!(
        matches!(&err, Error::Io { what: "key file", path, .. } if *path == missing),
        "{err:?}"
    );
}

#[test]
fn a_key_file_error_names_the_file_once_and_keeps_its_cause() {
    let dir = scratch("key_file_error");
    let provider = jose_crypto_awslc::provider();
    let path = write(&dir, "weak.pem", bytes("test-only-rsa1024-pkcs8.pem"));
    let err = KeyFile::load(&path, &Limits::default(), provider).unwrap_err();
    let Error::KeyFile {
        path: named,
        source,
    } = &err
    else {
        panic!("expected Error::KeyFile, found {err:?}");
    };
    assert_eq!(named, &path);
    assert!(matches!(**source, Error::InvalidKey { .. }), "{source:?}");
    // The variant's own message is the file; the cause is its source, printed once.
    assert_eq!(err.to_string(), format!("key file {}", path.display()));
    assert_eq!(
        display_chain(&err),
        format!("key file {}: {source}", path.display())
    );
    assert!(err.is_key_error());
    assert_eq!(err.class(), ErrorClass::Local);
    // Nothing of the file is in the message or the Debug output.
    let pem = String::from_utf8(bytes("test-only-rsa1024-pkcs8.pem")).unwrap();
    let body_line = pem.lines().nth(3).unwrap();
    assert!(!display_chain(&err).contains(body_line));
    assert!(!format!("{err:?}").contains(body_line));
}

#[test]
fn each_cause_is_printed_once() {
    let dir = scratch("causes");
    let missing = dir.join("missing.pem");
    let io = read_limited(&missing, "key file", 10).unwrap_err();
    let Error::Io { source, .. } = &io else {
        panic!("expected Error::Io, found {io:?}");
    };
    let os = source.to_string();
    assert!(!io.to_string().contains(&os), "{io}");
    let line = display_chain(&io);
    assert_eq!(
        line,
        format!("cannot read key file {}: {os}", missing.display())
    );
    let wrapped = Error::KeyFile {
        path: missing.clone(),
        source: Box::new(Error::DecryptionFailed),
    };
    assert_eq!(
        display_chain(&wrapped),
        format!("key file {}: decryption failed", missing.display())
    );
}

#[test]
fn debug_output_holds_no_key_material() {
    let text = String::from_utf8(bytes("rfc7520/3_2.ec_private_key.json")).unwrap();
    let file = parse(text.as_bytes()).unwrap();
    let debug = format!("{file:?}");
    assert!(debug.contains("bilbo.baggins"), "{debug}");
    for secret in ["AAhRON2r9cqXX1hg", "AHKZLLOsCOzz5cY9"] {
        assert!(!debug.contains(secret), "{debug}");
    }
    let set = format!("{{\"keys\":[{text}]}}");
    let debug = format!("{:?}", parse(set.as_bytes()).unwrap());
    assert!(!debug.contains("AAhRON2r9cqXX1hg"), "{debug}");
}

#[test]
fn a_loaded_key_round_trips_through_every_format() {
    let provider = jose_crypto_rustcrypto::provider();
    let key = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider)
        .unwrap()
        .with_kid("round-trip");
    let jwk = key.to_jwk().unwrap().to_json();
    let public_jwk = key.public_key().to_jwk().unwrap().to_json();
    let pkcs8_pem = key.to_pkcs8_pem().unwrap();
    let pkcs8_der = key.to_pkcs8_der().unwrap();
    let spki_pem = key.public_key().to_spki_pem().unwrap();
    let spki_der = key.public_key().to_spki_der().unwrap();
    let expected_public = key.public_key().to_spki_der().unwrap();
    for (input, private, kid) in [
        (jwk.as_bytes(), true, Some("round-trip")),
        (public_jwk.as_bytes(), false, Some("round-trip")),
        (pkcs8_pem.as_bytes(), true, None),
        (&pkcs8_der[..], true, None),
        (spki_pem.as_bytes(), false, None),
        (&spki_der[..], false, None),
    ] {
        let loaded = single(KeyFile::parse(input, &Limits::default(), provider).unwrap());
        assert_eq!(loaded.is_private(), private);
        assert_eq!(loaded.kid(), kid);
        assert_eq!(
            loaded.public_key().unwrap().to_spki_der().unwrap(),
            expected_public
        );
        assert_eq!(loaded.clone().with_kid("other").kid(), Some("other"));
        assert_eq!(loaded.to_jwk().unwrap().is_private(), private);
    }
}

#[test]
fn okp_key_files_load_in_every_format() {
    const ED25519: KeyKind = KeyKind::Okp(jose_core::OkpCurve::Ed25519);
    const X25519: KeyKind = KeyKind::Okp(jose_core::OkpCurve::X25519);
    for provider in providers() {
        // PEM and DER, private and public.
        assert_eq!(
            private_kind(&bytes("test-only-ed25519-pkcs8.pem"), provider),
            ED25519
        );
        assert_eq!(
            private_kind(&pem_der("test-only-ed25519-pkcs8.pem"), provider),
            ED25519
        );
        assert_eq!(
            public_kind(&bytes("test-only-ed25519-spki.pem"), provider),
            ED25519
        );
        assert_eq!(
            public_kind(&pem_der("test-only-ed25519-spki.pem"), provider),
            ED25519
        );
        assert_eq!(
            private_kind(&bytes("test-only-x25519-pkcs8.pem"), provider),
            X25519
        );
        // JWK: the RFC 8037 A.1 key, private and public; a JWKS with an Ed448 entry kept as its
        // error.
        let a1 = r#"{"kty":"OKP","crv":"Ed25519","kid":"a1","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        assert_eq!(
            Format::detect(a1.as_bytes(), &Limits::default()),
            Ok(Format::Jwk)
        );
        assert_eq!(private_kind(a1.as_bytes(), provider), ED25519);
        let public = Jwk::from_json(a1, &Limits::default()).unwrap().to_public();
        assert_eq!(public_kind(public.to_json().as_bytes(), provider), ED25519);
        let ed448 = Jwk::from_json(
            r#"{"kty":"OKP","crv":"Ed448","kid":"ed448","x":"AAAA"}"#,
            &Limits::default(),
        )
        .unwrap();
        let set = Jwks::new(vec![public, ed448]).to_json();
        let KeyFile::Set(entries) =
            KeyFile::parse(set.as_bytes(), &Limits::default(), provider).unwrap()
        else {
            panic!("a JWKS is a set");
        };
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].kid.as_deref(), Some("a1"));
        assert_eq!(entries[0].key.as_ref().unwrap().kind(), Some(ED25519));
        let err = entries[1].key.as_ref().unwrap_err();
        assert!(err.to_string().contains("Ed448"), "{err}");
    }
}

#[test]
fn an_oct_jwk_is_a_shared_secret_with_its_metadata() {
    let provider = jose_crypto_awslc::provider();
    let text = format!(
        r#"{{"kty":"oct","kid":"s-1","alg":"HS256","k":"{}"}}"#,
        jose_core::b64::encode(&[7u8; 32])
    );
    let key = single(KeyFile::parse(text.as_bytes(), &Limits::default(), provider).unwrap());
    let secret = key.secret_key().expect("a shared secret");
    assert_eq!(secret.len(), 32);
    assert_eq!(key.kid(), Some("s-1"));
    assert_eq!(key.kind(), None);
    assert!(!key.is_private() && key.private_key().is_none());
    assert!(matches!(
        key.public_key(),
        Err(jose_core::Error::InvalidKey { .. })
    ));
    assert_eq!(key.describe(), "a 32-byte shared secret");
    assert_eq!(key.to_jwk().unwrap().kty, "oct");
    assert!(!format!("{key:?}").contains("BwcH"), "{key:?}");
    // In a JWKS too, beside other keys; a secret too short to be one is kept as its error.
    let short = format!(
        r#"{{"keys":[{text},{{"kty":"oct","kid":"tiny","k":"{}"}}]}}"#,
        jose_core::b64::encode(&[1u8; 8])
    );
    let KeyFile::Set(entries) =
        KeyFile::parse(short.as_bytes(), &Limits::default(), provider).unwrap()
    else {
        panic!("a JWKS is a set");
    };
    assert!(entries[0].key.as_ref().unwrap().secret_key().is_some());
    assert!(entries[1].key.is_err());
}

//! The rest of JWA through the engines (issue 14): HS256/384/512 JWS with shared secrets, and the
//! JWE key management algorithms with their header parameters, on both providers and across
//! them, in every serialization; the RFC 7520 vectors for each; the attacks each algorithm
//! invites (alg confusion, short keys, `dir` keys of the wrong length, tampered key-management
//! headers, `p2c` bombs).

// clippy.toml allows unwrap/expect/panic/indexing inside #[test] functions only; the helpers of this
// test file may fail loudly as well.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{json, m, pairs, providers, s};
use jose_core::jwe::{DecryptOptions, Jwe, JweBuilder};
use jose_core::jws::{Jws, JwsBuilder};
use jose_core::{
    ContentEncryption, CryptoProvider, DecryptingKey, EcCurve, EncryptingKey, Error, Header, Jwk,
    JwsAlgorithm, KeyManagementAlgorithm, KeyManagementMode, KeySpec, Limits, OkpCurve, Password,
    PrivateKey, SecretKey, SigningKey, VerifyingKey,
};

const JWS_4_4: &str = include_str!("vectors/rfc7520/jws/4_4.hmac-sha2_integrity_protection.json");
const JWS_4_5: &str = include_str!("vectors/rfc7520/jws/4_5.signature_with_detached_content.json");
const JWS_4_6: &str =
    include_str!("vectors/rfc7520/jws/4_6.protecting_specific_header_fields.json");
const JWS_4_7: &str = include_str!("vectors/rfc7520/jws/4_7.protecting_content_only.json");
const JWS_4_8: &str = include_str!("vectors/rfc7520/jws/4_8.multiple_signatures.json");
const JWE_5_6: &str = include_str!("vectors/rfc7520/jwe/5_6.direct_encryption_using_aes-gcm.json");
/// RFC 7520 section 5's ECDH-ES vectors (P-384 keys) and the cookbook's X25519 example.
const RFC7520_5_ECDH: &[(&str, &str)] = &[
    (
        "5.4 ECDH-ES+A128KW, A128GCM",
        include_str!(
            "vectors/rfc7520/jwe/5_4.key_agreement_with_key_wrapping_using_ecdh-es_and_aes-keywrap_with_aes-gcm.json"
        ),
    ),
    (
        "5.5 ECDH-ES, A128CBC-HS256",
        include_str!(
            "vectors/rfc7520/jwe/5_5.key_agreement_using_ecdh-es_with_aes-cbc-hmac-sha2.json"
        ),
    ),
    (
        "cookbook X25519 ECDH-ES, A128GCM",
        include_str!("vectors/rfc7520/curve25519/ecdh-es.json"),
    ),
];
const JWE_5_13: &str =
    include_str!("vectors/rfc7520/jwe/5_13.encrypting_to_multiple_recipients.json");

/// RFC 7520 section 5's vectors with one shared-secret or password recipient.
const RFC7520_5_SYMMETRIC: &[(&str, &str)] = &[
    (
        "5.3 PBES2-HS512+A256KW, A128CBC-HS256",
        include_str!(
            "vectors/rfc7520/jwe/5_3.key_wrap_using_pbes2-aes-keywrap_with-aes-cbc-hmac-sha2.json"
        ),
    ),
    ("5.6 dir, A128GCM", JWE_5_6),
    (
        "5.7 A256GCMKW, A128CBC-HS256",
        include_str!(
            "vectors/rfc7520/jwe/5_7.key_wrap_using_aes-gcm_keywrap_with_aes-cbc-hmac-sha2.json"
        ),
    ),
    (
        "5.8 A128KW, A128GCM",
        include_str!("vectors/rfc7520/jwe/5_8.key_wrap_using_aes-keywrap_with_aes-gcm.json"),
    ),
    (
        "5.9 A128KW, A128GCM, zip DEF",
        include_str!("vectors/rfc7520/jwe/5_9.compressed_content.json"),
    ),
    (
        "5.10 A128KW, A128GCM, AAD",
        include_str!("vectors/rfc7520/jwe/5_10.including_additional_authentication_data.json"),
    ),
    (
        "5.11 A128KW, A128GCM, alg unprotected",
        include_str!("vectors/rfc7520/jwe/5_11.protecting_specific_header_fields.json"),
    ),
    (
        "5.12 A128KW, A128GCM, no protected header",
        include_str!("vectors/rfc7520/jwe/5_12.protecting_content_only.json"),
    ),
];

const PAYLOAD: &[u8] = b"{\"amount\":\"10.00\",\"currency\":\"EUR\"}";

fn limits() -> Limits {
    Limits::default()
}

fn secret_from(jwk: &serde_json::Value, p: &'static dyn CryptoProvider) -> SecretKey {
    let jwk = Jwk::from_json(&jwk.to_string(), &limits()).unwrap();
    SecretKey::from_jwk(&jwk, p).unwrap()
}

/// A secret of `len` bytes with a fixed pattern, the same on every provider.
fn secret(len: usize, p: &'static dyn CryptoProvider) -> SecretKey {
    let bytes: Vec<u8> = (0..len)
        .map(|i| (i as u8).wrapping_mul(37) ^ 0x5c)
        .collect();
    SecretKey::from_bytes(&bytes, p).unwrap()
}

// ---------------------------------------------------------------------------------------------
// HS256, HS384, HS512
// ---------------------------------------------------------------------------------------------

#[test]
fn rfc7520_4_4_to_4_7_hs256_verify_and_sign_byte_for_byte() {
    for p in providers() {
        let name = p.name();
        for (section, text) in [
            ("4.4", JWS_4_4),
            ("4.5", JWS_4_5),
            ("4.6", JWS_4_6),
            ("4.7", JWS_4_7),
        ] {
            let v = json(text);
            let key = secret_from(m(&v, &["input", "key"]), p);
            let verifier = VerifyingKey::symmetric(key.clone(), JwsAlgorithm::Hs256).unwrap();
            let payload = s(&v, &["input", "payload"]).as_bytes();
            let output = m(&v, &["output"]);
            let mut forms = vec![
                ("flattened", m(output, &["json_flat"]).to_string()),
                ("general", m(output, &["json"]).to_string()),
            ];
            if let Some(c) = output.get("compact") {
                forms.push(("compact", c.as_str().unwrap().to_owned()));
            }
            for (ser, token) in forms {
                let jws = Jws::parse(&token, &limits()).unwrap();
                // 4.5's payload is detached (in compact form, an empty payload part).
                if section == "4.5" {
                    jws.verify_detached(payload, [&verifier])
                        .unwrap_or_else(|e| panic!("[{name}] {section} {ser}: {e}"));
                } else {
                    assert_eq!(
                        jws.verify([&verifier])
                            .unwrap_or_else(|e| panic!("[{name}] {section} {ser}: {e}")),
                        payload,
                        "[{name}] {section} {ser}"
                    );
                }
                // One bit off anywhere in the signature: BadSignature.
                let mut tampered = jws.signatures()[0].signature().to_vec();
                tampered[0] ^= 1;
                assert_eq!(
                    verifier.verify(s(&v, &["signing", "sig-input"]).as_bytes(), &tampered),
                    Err(Error::BadSignature),
                    "[{name}] {section}"
                );
            }
            // HMAC is deterministic: signing the same input gives the vector's signature.
            let signer = SigningKey::symmetric(key, JwsAlgorithm::Hs256).unwrap();
            assert_eq!(
                jose_core::b64::encode(
                    &signer
                        .sign(s(&v, &["signing", "sig-input"]).as_bytes())
                        .unwrap()
                ),
                s(&v, &["signing", "sig"]),
                "[{name}] {section} signature"
            );
        }
        // 4.4 through the builder: the same compact token, byte for byte.
        let v = json(JWS_4_4);
        let signer = SigningKey::symmetric(
            secret_from(m(&v, &["input", "key"]), p),
            JwsAlgorithm::Hs256,
        )
        .unwrap();
        let token = JwsBuilder::new(s(&v, &["input", "payload"]).as_bytes())
            .signer(&signer)
            .sign()
            .unwrap()
            .to_compact()
            .unwrap();
        assert_eq!(token, s(&v, &["output", "compact"]), "[{name}] 4.4 compact");
    }
}

#[test]
fn rfc7520_4_8_hs256_signature_verifies_with_its_oct_key() {
    let v = json(JWS_4_8);
    let oct = &m(&v, &["input", "key"]).as_array().unwrap()[2];
    for p in providers() {
        let verifier = VerifyingKey::symmetric(secret_from(oct, p), JwsAlgorithm::Hs256).unwrap();
        let jws = Jws::parse(&m(&v, &["output", "json"]).to_string(), &limits()).unwrap();
        assert_eq!(
            jws.verify([&verifier]).unwrap(),
            s(&v, &["input", "payload"]).as_bytes(),
            "[{}] 4.8 HS256 signature",
            p.name()
        );
    }
}

#[test]
fn hmac_round_trips_every_algorithm_every_serialization_across_providers() {
    for (a, b) in pairs() {
        let (pa, pb) = (providers()[a], providers()[b]);
        for &alg in JwsAlgorithm::HMAC {
            let len = alg.min_hmac_key_len().unwrap();
            let signer = SigningKey::symmetric(secret(len, pa).with_kid("hs"), alg).unwrap();
            let verifier = VerifyingKey::symmetric(secret(len, pb).with_kid("hs"), alg).unwrap();
            let jws = JwsBuilder::new(PAYLOAD).signer(&signer).sign().unwrap();
            assert_eq!(
                jws.signatures()[0].signature().len(),
                alg.hash().output_len()
            );
            for token in [
                jws.to_compact().unwrap(),
                jws.to_flattened_json().unwrap(),
                jws.to_general_json().unwrap(),
            ] {
                let parsed = Jws::parse(&token, &limits()).unwrap();
                assert_eq!(
                    parsed.verify([&verifier]).unwrap(),
                    PAYLOAD,
                    "{alg} {} -> {}",
                    pa.name(),
                    pb.name()
                );
            }
            // Another secret of the same length does not verify.
            let other = VerifyingKey::symmetric(secret(len + 1, pb).with_kid("hs"), alg).unwrap();
            assert_eq!(
                Jws::parse(&jws.to_compact().unwrap(), &limits())
                    .unwrap()
                    .verify([&other]),
                Err(Error::BadSignature)
            );
        }
    }
}

#[test]
fn an_rsa_public_key_is_never_an_hmac_secret() {
    // The classic alg confusion (RFC 8725 section 2.1): a verifier holding an RSA public key is
    // sent an HS256 token whose secret is that public key's bytes.
    for p in providers() {
        let rsa = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, p).unwrap();
        let public = rsa.public_key();
        let pem = public.to_spki_pem().unwrap();
        let der = public.to_spki_der().unwrap();
        // The bytes of a key file are refused as a secret, PEM or DER, public or private.
        for (what, bytes) in [
            ("SPKI PEM", pem.as_bytes().to_vec()),
            ("SPKI DER", der.clone()),
            (
                "PKCS#8 PEM",
                rsa.to_pkcs8_pem().unwrap().as_bytes().to_vec(),
            ),
            ("PKCS#8 DER", rsa.to_pkcs8_der().unwrap().to_vec()),
        ] {
            let err = SecretKey::from_bytes(&bytes, p).unwrap_err();
            assert!(matches!(err, Error::InvalidKey { .. }), "{what}: {err:?}");
            assert!(
                err.to_string().contains("never a shared secret"),
                "{what}: {err}"
            );
        }
        // The forged token, its tag made with the PEM bytes as the HMAC key.
        let header = jose_core::b64::encode(br#"{"alg":"HS256"}"#);
        let body = jose_core::b64::encode(PAYLOAD);
        let input = format!("{header}.{body}");
        let tag = p
            .hmac_sign(jose_core::HashAlg::Sha256, pem.as_bytes(), input.as_bytes())
            .unwrap();
        let forged = format!("{input}.{}", jose_core::b64::encode(&tag));
        let jws = Jws::parse(&forged, &limits()).unwrap();
        for alg in [JwsAlgorithm::Rs256, JwsAlgorithm::Ps256] {
            let verifier = VerifyingKey::new(public.clone(), alg).unwrap();
            let err = jws.verify([&verifier]).unwrap_err();
            assert!(
                matches!(&err, Error::AlgorithmNotAllowed { found, .. } if found == "HS256"),
                "{alg}: {err:?}"
            );
        }
        // And no binding mixes the two kinds.
        for &alg in JwsAlgorithm::HMAC {
            assert!(matches!(
                SigningKey::new(rsa.clone(), alg),
                Err(Error::InvalidKey { .. })
            ));
            assert!(matches!(
                VerifyingKey::new(public.clone(), alg),
                Err(Error::InvalidKey { .. })
            ));
        }
        let secret = secret(64, p);
        for alg in [
            JwsAlgorithm::Rs256,
            JwsAlgorithm::Es256,
            JwsAlgorithm::EdDsa,
        ] {
            assert!(matches!(
                SigningKey::symmetric(secret.clone(), alg),
                Err(Error::InvalidKey { .. })
            ));
            assert!(matches!(
                VerifyingKey::symmetric(secret.clone(), alg),
                Err(Error::InvalidKey { .. })
            ));
        }
        // An HS256 verifier does not take an RS256 token either.
        let rs = SigningKey::new(rsa, JwsAlgorithm::Rs256).unwrap();
        let token = JwsBuilder::new(PAYLOAD).signer(&rs).sign().unwrap();
        let hs = VerifyingKey::symmetric(secret, JwsAlgorithm::Hs256).unwrap();
        assert!(matches!(
            token.verify([&hs]),
            Err(Error::AlgorithmNotAllowed { .. })
        ));
    }
}

#[test]
fn short_hmac_keys_and_mismatched_metadata_are_refused() {
    for p in providers() {
        for &alg in JwsAlgorithm::HMAC {
            let min = alg.min_hmac_key_len().unwrap();
            let err = SigningKey::symmetric(secret(min - 1, p), alg).unwrap_err();
            assert!(
                err.to_string()
                    .contains(&format!("at least {min} bytes for {alg}")),
                "{err}"
            );
            assert!(VerifyingKey::symmetric(secret(min - 1, p), alg).is_err());
            assert!(SigningKey::symmetric(secret(min, p), alg).is_ok());
        }
        // An oct JWK whose alg is HS512 binds to HS512 only; one with "use":"enc" not at all.
        let jwk = Jwk::from_json(
            &format!(
                r#"{{"kty":"oct","alg":"HS512","k":"{}"}}"#,
                jose_core::b64::encode(&[7u8; 64])
            ),
            &limits(),
        )
        .unwrap();
        let key = SecretKey::from_jwk(&jwk, p).unwrap();
        assert!(SigningKey::symmetric(key.clone(), JwsAlgorithm::Hs512).is_ok());
        assert!(matches!(
            SigningKey::symmetric(key, JwsAlgorithm::Hs256),
            Err(Error::AlgorithmNotAllowed { .. })
        ));
        let jwk = Jwk::from_json(
            &format!(
                r#"{{"kty":"oct","use":"enc","k":"{}"}}"#,
                jose_core::b64::encode(&[7u8; 32])
            ),
            &limits(),
        )
        .unwrap();
        let key = SecretKey::from_jwk(&jwk, p).unwrap();
        assert!(matches!(
            VerifyingKey::symmetric(key, JwsAlgorithm::Hs256),
            Err(Error::InvalidKey { .. })
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// JWE key management
// ---------------------------------------------------------------------------------------------

/// Every key management algorithm.
fn engine_algs() -> Vec<KeyManagementAlgorithm> {
    KeyManagementAlgorithm::ALL.to_vec()
}

fn engine_encs() -> Vec<ContentEncryption> {
    ContentEncryption::ALL.to_vec()
}

/// A key pair for `alg` whose halves live on providers `a` (encrypting) and `b` (decrypting),
/// for content encryption `enc` (`dir` needs its length).
fn keys_for(
    alg: KeyManagementAlgorithm,
    enc: ContentEncryption,
    a: &'static dyn CryptoProvider,
    b: &'static dyn CryptoProvider,
) -> (EncryptingKey, DecryptingKey) {
    match alg.mode() {
        KeyManagementMode::RsaOaep(_) => {
            let private = rsa_key(b);
            let public = PrivateKey::from_der(&private.to_pkcs8_der().unwrap(), a)
                .unwrap()
                .public_key();
            (
                EncryptingKey::new(public.with_kid("r"), alg).unwrap(),
                DecryptingKey::new(private.with_kid("r"), alg).unwrap(),
            )
        }
        KeyManagementMode::Direct => (
            EncryptingKey::symmetric(secret(enc.key_len(), a).with_kid("d"), alg).unwrap(),
            DecryptingKey::symmetric(secret(enc.key_len(), b).with_kid("d"), alg).unwrap(),
        ),
        KeyManagementMode::AesKw(len) | KeyManagementMode::AesGcmKw(len) => (
            EncryptingKey::symmetric(secret(len, a).with_kid("s"), alg).unwrap(),
            DecryptingKey::symmetric(secret(len, b).with_kid("s"), alg).unwrap(),
        ),
        KeyManagementMode::Pbes2 { .. } => {
            // The fewest iterations allowed: the tests run every pair.
            let password = || {
                Password::new(b"correct horse battery staple")
                    .unwrap()
                    .with_count(jose_core::MIN_PBES2_COUNT)
                    .unwrap()
                    .with_kid("p")
            };
            (
                EncryptingKey::password(password(), alg).unwrap(),
                DecryptingKey::password(password(), alg).unwrap(),
            )
        }
        KeyManagementMode::EcdhEs(_) => {
            // Each ECDH-ES variant on a curve of its own, X25519 included.
            let spec = match alg {
                KeyManagementAlgorithm::EcdhEs => KeySpec::Okp(OkpCurve::X25519),
                KeyManagementAlgorithm::EcdhEsA128Kw => KeySpec::Ec(EcCurve::P256),
                KeyManagementAlgorithm::EcdhEsA192Kw => KeySpec::Ec(EcCurve::P384),
                _ => KeySpec::Ec(EcCurve::P521),
            };
            let private = PrivateKey::generate(spec, b).unwrap();
            let public = PrivateKey::from_der(&private.to_pkcs8_der().unwrap(), a)
                .unwrap()
                .public_key();
            (
                EncryptingKey::new(public.with_kid("e"), alg).unwrap(),
                DecryptingKey::new(private.with_kid("e"), alg).unwrap(),
            )
        }
    }
}

fn rsa_key(p: &'static dyn CryptoProvider) -> PrivateKey {
    static KEYS: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let der = KEYS.get_or_init(|| {
        PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, providers()[0])
            .unwrap()
            .to_pkcs8_der()
            .unwrap()
            .to_vec()
    });
    PrivateKey::from_der(der, p).unwrap()
}

#[test]
fn jwe_every_alg_and_enc_every_serialization_across_providers() {
    let mut count = 0;
    for (a, b) in pairs() {
        let (pa, pb) = (providers()[a], providers()[b]);
        for alg in engine_algs() {
            for enc in engine_encs() {
                let (encrypting, decrypting) = keys_for(alg, enc, pa, pb);
                let jwe = JweBuilder::new(enc)
                    .recipient(&encrypting)
                    .encrypt(PAYLOAD, pa)
                    .unwrap_or_else(|e| panic!("{alg} {enc} on {}: {e}", pa.name()));
                for token in [
                    jwe.to_compact().unwrap(),
                    jwe.to_flattened_json().unwrap(),
                    jwe.to_general_json().unwrap(),
                ] {
                    let parsed = Jwe::parse(&token, &limits()).unwrap();
                    let opened = parsed
                        .decrypt([&decrypting], &[enc], pb)
                        .unwrap_or_else(|e| {
                            panic!("{alg} {enc} {} -> {}: {e}", pa.name(), pb.name())
                        });
                    assert_eq!(&opened.plaintext[..], PAYLOAD);
                    assert_eq!(opened.header.alg().unwrap(), Some(alg.name()));
                    count += 1;
                }
                // The encrypted key: empty for dir, the CEK's length (+ 8 for AES-KW) else.
                let encrypted_key = jwe.recipients()[0].encrypted_key();
                match alg.mode() {
                    KeyManagementMode::Direct => assert!(encrypted_key.is_empty()),
                    KeyManagementMode::AesGcmKw(_) => {
                        assert_eq!(encrypted_key.len(), enc.key_len());
                        let header = jwe.protected_header();
                        let iv =
                            jose_core::b64::decode("iv", header.get_str("iv").unwrap().unwrap());
                        let tag =
                            jose_core::b64::decode("tag", header.get_str("tag").unwrap().unwrap());
                        assert_eq!(iv.unwrap().len(), 12);
                        assert_eq!(tag.unwrap().len(), 16);
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(count >= 4 * 3 * 3 * 7, "{count}");
}

#[test]
fn several_recipients_with_different_key_management() {
    for (a, b) in pairs() {
        let (pa, pb) = (providers()[a], providers()[b]);
        let enc = ContentEncryption::A256Gcm;
        let wrapping: Vec<_> = engine_algs()
            .into_iter()
            .filter(|alg| {
                !matches!(
                    alg.mode(),
                    KeyManagementMode::Direct | KeyManagementMode::EcdhEs(None)
                )
            })
            .map(|alg| keys_for(alg, enc, pa, pb))
            .collect();
        let mut builder = JweBuilder::new(enc);
        for (e, _) in &wrapping {
            builder = builder.recipient(e);
        }
        let token = builder
            .encrypt(PAYLOAD, pa)
            .unwrap()
            .to_general_json()
            .unwrap();
        let jwe = Jwe::parse(&token, &limits()).unwrap();
        for (i, (_, d)) in wrapping.iter().enumerate() {
            let opened = jwe.decrypt([d], &[enc], pb).unwrap();
            assert_eq!(&opened.plaintext[..], PAYLOAD);
            assert_eq!(opened.recipient_index, i, "{}", d.alg());
        }
        // dir and ECDH-ES determine the CEK: one recipient only.
        let (dir, _) = keys_for(KeyManagementAlgorithm::Dir, enc, pa, pb);
        let err = JweBuilder::new(enc)
            .recipient(&dir)
            .recipient(&wrapping[0].0)
            .encrypt(PAYLOAD, pa)
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest(m) if m.contains("one recipient only")),
            "{err:?}"
        );
    }
}

/// The serializations a vector gives, as token text.
fn vector_forms(v: &serde_json::Value) -> Vec<(&'static str, String)> {
    ["compact", "json_flat", "json"]
        .into_iter()
        .filter_map(|ser| {
            v["output"].get(ser).map(|t| match t {
                serde_json::Value::String(t) => (ser, t.clone()),
                other => (ser, other.to_string()),
            })
        })
        .collect()
}

#[test]
fn rfc7520_5_symmetric_and_password_vectors_decrypt() {
    let mut count = 0;
    for p in providers() {
        for (what, text) in RFC7520_5_SYMMETRIC {
            let v = json(text);
            let alg: KeyManagementAlgorithm = s(&v, &["input", "alg"]).parse().unwrap();
            let enc: ContentEncryption = s(&v, &["input", "enc"]).parse().unwrap();
            let key = match v["input"].get("pwd") {
                Some(pwd) => DecryptingKey::password(
                    Password::new(pwd.as_str().unwrap().as_bytes()).unwrap(),
                    alg,
                )
                .unwrap(),
                None => {
                    DecryptingKey::symmetric(secret_from(m(&v, &["input", "key"]), p), alg).unwrap()
                }
            };
            let options = DecryptOptions::default().allow_zip(64 * 1024);
            for (ser, token) in vector_forms(&v) {
                let opened = Jwe::parse(&token, &limits())
                    .unwrap()
                    .decrypt_with([&key], &[enc], &options, p)
                    .unwrap_or_else(|e| panic!("[{}] {what} {ser}: {e}", p.name()));
                assert_eq!(
                    &opened.plaintext[..],
                    s(&v, &["input", "plaintext"]).as_bytes(),
                    "[{}] {what} {ser}",
                    p.name()
                );
                count += 1;
            }
        }
    }
    assert_eq!(count, 2 * (3 * 5 + 2 * 3));
}

#[test]
fn rfc7520_5_13_the_a256gcmkw_recipient_decrypts_and_rsa1_5_stays_refused() {
    let v = json(JWE_5_13);
    let keys = m(&v, &["input", "key"]).as_array().unwrap();
    let token = m(&v, &["output", "json"]).to_string();
    for p in providers() {
        let oct = keys.iter().find(|k| k["kty"] == "oct").unwrap();
        let key = DecryptingKey::symmetric(secret_from(oct, p), KeyManagementAlgorithm::A256GcmKw)
            .unwrap();
        let jwe = Jwe::parse(&token, &limits()).unwrap();
        let opened = jwe
            .decrypt([&key], &[ContentEncryption::A128CbcHs256], p)
            .unwrap();
        assert_eq!(
            &opened.plaintext[..],
            s(&v, &["input", "plaintext"]).as_bytes()
        );
        assert_eq!(opened.recipient_index, 2);
        // The RSA1_5 recipient's header is refused by name when it is the only one tried.
        let err = jwe.joint_header(0).unwrap();
        assert_eq!(err.alg().unwrap(), Some("RSA1_5"));
        assert!(KeyManagementAlgorithm::from_name("RSA1_5").is_err());
    }
}

#[test]
fn rfc7520_5_6_dir_decrypts() {
    let v = json(JWE_5_6);
    for p in providers() {
        let key = secret_from(m(&v, &["input", "key"]), p);
        let decrypting = DecryptingKey::symmetric(key, KeyManagementAlgorithm::Dir).unwrap();
        for ser in ["compact", "json_flat", "json"] {
            let token = match m(&v, &["output", ser]) {
                serde_json::Value::String(t) => t.clone(),
                other => other.to_string(),
            };
            let opened = Jwe::parse(&token, &limits())
                .unwrap()
                .decrypt([&decrypting], &[ContentEncryption::A128Gcm], p)
                .unwrap_or_else(|e| panic!("[{}] 5.6 {ser}: {e}", p.name()));
            assert_eq!(
                &opened.plaintext[..],
                s(&v, &["input", "plaintext"]).as_bytes()
            );
        }
        // The key names A128GCM as its alg: it refuses to be used for another enc.
        let encrypting = DecryptingKey::symmetric(
            secret_from(m(&v, &["input", "key"]), p),
            KeyManagementAlgorithm::Dir,
        )
        .unwrap()
        .encrypting_key();
        let err = JweBuilder::new(ContentEncryption::A256Gcm)
            .recipient(&encrypting)
            .encrypt(PAYLOAD, p)
            .unwrap_err();
        assert!(matches!(err, Error::AlgorithmNotAllowed { .. }), "{err:?}");
    }
}

#[test]
fn dir_keys_of_the_wrong_length_are_refused_both_ways() {
    for p in providers() {
        let short = secret(16, p);
        let encrypting =
            EncryptingKey::symmetric(short.clone(), KeyManagementAlgorithm::Dir).unwrap();
        let err = JweBuilder::new(ContentEncryption::A256Gcm)
            .recipient(&encrypting)
            .encrypt(PAYLOAD, p)
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidKey { expected, found }
                if expected.contains("32-byte secret for dir with A256GCM") && found == "16 bytes"),
            "{err:?}"
        );
        let (right, _) = keys_for(
            KeyManagementAlgorithm::Dir,
            ContentEncryption::A256Gcm,
            p,
            p,
        );
        let token = JweBuilder::new(ContentEncryption::A256Gcm)
            .recipient(&right)
            .encrypt(PAYLOAD, p)
            .unwrap()
            .to_compact()
            .unwrap();
        let decrypting = DecryptingKey::symmetric(short, KeyManagementAlgorithm::Dir).unwrap();
        let err = Jwe::parse(&token, &limits())
            .unwrap()
            .decrypt([&decrypting], &[ContentEncryption::A256Gcm], p)
            .unwrap_err();
        assert!(matches!(err, Error::InvalidKey { .. }), "{err:?}");
        // A dir token with an encrypted key: the same opaque failure as any other.
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[1] = jose_core::b64::encode(&[0u8; 40]);
        let (_, good) = keys_for(
            KeyManagementAlgorithm::Dir,
            ContentEncryption::A256Gcm,
            p,
            p,
        );
        assert_eq!(
            Jwe::parse(&parts.join("."), &limits())
                .unwrap()
                .decrypt([&good], &[ContentEncryption::A256Gcm], p)
                .unwrap_err(),
            Error::DecryptionFailed
        );
        // A*KW and A*GCMKW keys must be exactly their length.
        for alg in [
            KeyManagementAlgorithm::A128Kw,
            KeyManagementAlgorithm::A256Kw,
            KeyManagementAlgorithm::A128GcmKw,
            KeyManagementAlgorithm::A256GcmKw,
        ] {
            let err = EncryptingKey::symmetric(secret(24, p), alg).unwrap_err();
            assert!(matches!(err, Error::InvalidKey { .. }), "{alg}: {err:?}");
        }
    }
}

#[test]
fn gcmkw_header_parameters_are_checked() {
    let p = providers()[0];
    let enc = ContentEncryption::A128Gcm;
    let alg = KeyManagementAlgorithm::A256GcmKw;
    let (encrypting, decrypting) = keys_for(alg, enc, p, p);
    // Per-recipient headers (general JSON) so the parameters can be changed without touching
    // the protected header, which is the content's AAD.
    let jwe = JweBuilder::new(enc)
        .recipient_with(&encrypting, Some(Header::new()))
        .encrypt(PAYLOAD, p)
        .unwrap();
    let token: serde_json::Value = serde_json::from_str(&jwe.to_general_json().unwrap()).unwrap();
    let with = |name: &str, value: Option<serde_json::Value>| {
        let mut t = token.clone();
        let header = t["recipients"][0]["header"].as_object_mut().unwrap();
        match value {
            Some(v) => header.insert(name.to_owned(), v),
            None => header.remove(name),
        };
        Jwe::parse(&t.to_string(), &limits())
            .unwrap()
            .decrypt([&decrypting], &[enc], p)
    };
    assert_eq!(&with("x", None).unwrap().plaintext[..], PAYLOAD);
    for name in ["iv", "tag"] {
        let err = with(name, None).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidHeader(m) if m.contains(&format!("\"{name}\""))),
            "{name} missing: {err:?}"
        );
        let err = with(name, Some(jose_core::b64::encode(&[0u8; 8]).into())).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidHeader(m) if m.contains("found 8 bytes")),
            "{name} short: {err:?}"
        );
        // The right length, the wrong value: the opaque failure.
        let len = if name == "iv" { 12 } else { 16 };
        assert_eq!(
            with(name, Some(jose_core::b64::encode(&vec![0u8; len]).into())).unwrap_err(),
            Error::DecryptionFailed,
            "{name} wrong"
        );
    }
}

#[test]
fn callers_cannot_set_key_management_parameters() {
    let p = providers()[0];
    let (encrypting, _) = keys_for(
        KeyManagementAlgorithm::A128GcmKw,
        ContentEncryption::A128Gcm,
        p,
        p,
    );
    for name in ["epk", "iv", "tag", "p2s", "p2c"] {
        let mut header = Header::new();
        header.set(name, "x");
        let err = JweBuilder::new(ContentEncryption::A128Gcm)
            .protected(header)
            .recipient(&encrypting)
            .encrypt(PAYLOAD, p)
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest(m) if m.contains(name)),
            "{name}: {err:?}"
        );
    }
}

#[test]
fn p2c_above_the_limit_is_refused_when_parsing() {
    // A PBES2 token asking for 10^9 iterations: refused before any key is looked at.
    let protected = jose_core::b64::encode(
        br#"{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2s":"c2FsdHNhbHRzYWx0","p2c":1000000000}"#,
    );
    let token = format!(
        "{protected}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA"
    );
    let err = Jwe::parse(&token, &limits()).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidHeader(m) if m.contains("100000") && m.contains("1000000000")),
        "{err:?}"
    );
    let raised = Limits {
        max_pbes2_count: 2_000_000_000,
        ..Limits::default()
    };
    assert!(Jwe::parse(&token, &raised).is_ok());
    for bad in ["-1", "1.5", "\"1000\""] {
        let protected = jose_core::b64::encode(
            format!(r#"{{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2c":{bad}}}"#).as_bytes(),
        );
        let token = format!("{protected}.AAAA.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA");
        assert!(
            matches!(Jwe::parse(&token, &limits()), Err(Error::InvalidHeader(_))),
            "{bad}"
        );
    }
    assert_eq!(DecryptOptions::default().max_pbes2_count, 100_000);
}

// ---------------------------------------------------------------------------------------------
// zip "DEF"
// ---------------------------------------------------------------------------------------------

#[test]
fn zip_def_round_trips_only_when_allowed() {
    let text = br#"{"items":["aaaaaaaaaaaaaaaa","aaaaaaaaaaaaaaaa","aaaaaaaaaaaaaaaa","aaaaaaaaaaaaaaaa"]}"#
        .repeat(20);
    for (a, b) in pairs() {
        let (pa, pb) = (providers()[a], providers()[b]);
        let enc = ContentEncryption::A256Gcm;
        let (encrypting, decrypting) = keys_for(KeyManagementAlgorithm::RsaOaep256, enc, pa, pb);
        let jwe = JweBuilder::new(enc)
            .compress(true)
            .recipient(&encrypting)
            .encrypt(&text, pa)
            .unwrap();
        assert_eq!(jwe.protected_header().get_str("zip").unwrap(), Some("DEF"));
        assert!(jwe.ciphertext().len() < text.len() / 4, "compressed");
        for token in [
            jwe.to_compact().unwrap(),
            jwe.to_flattened_json().unwrap(),
            jwe.to_general_json().unwrap(),
        ] {
            let parsed = Jwe::parse(&token, &limits()).unwrap();
            // Refused by default, before any key is used.
            let err = parsed.decrypt([&decrypting], &[enc], pb).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidHeader(m) if m.contains("allow_zip")),
                "{err:?}"
            );
            let allowed = DecryptOptions::default().allow_zip(text.len());
            let opened = parsed
                .decrypt_with([&decrypting], &[enc], &allowed, pb)
                .unwrap();
            assert_eq!(&opened.plaintext[..], &text[..]);
            // One byte less than the plaintext: refused.
            let tight = DecryptOptions::default().allow_zip(text.len() - 1);
            let err = parsed
                .decrypt_with([&decrypting], &[enc], &tight, pb)
                .unwrap_err();
            assert!(
                matches!(&err, Error::Malformed { found, .. } if found.contains("more than")),
                "{err:?}"
            );
        }
    }
}

#[test]
fn a_deflate_bomb_stops_at_the_bound() {
    let p = providers()[0];
    let enc = ContentEncryption::A128Gcm;
    let (encrypting, decrypting) = keys_for(KeyManagementAlgorithm::A128GcmKw, enc, p, p);
    // 16 MiB of zeros deflate to about 16 KiB; the recipient allows 1 MiB.
    let bomb = vec![0u8; 16 * 1024 * 1024];
    let token = JweBuilder::new(enc)
        .compress(true)
        .recipient(&encrypting)
        .encrypt(&bomb, p)
        .unwrap()
        .to_compact()
        .unwrap();
    assert!(token.len() < 40 * 1024, "{}", token.len());
    let options = DecryptOptions::default().allow_zip(1024 * 1024);
    let err = Jwe::parse(&token, &limits())
        .unwrap()
        .decrypt_with([&decrypting], &[enc], &options, p)
        .unwrap_err();
    assert!(
        matches!(&err, Error::Malformed { found, .. } if found == "more than 1048576 bytes"),
        "{err:?}"
    );
}

#[test]
fn zip_values_and_places_are_checked() {
    let p = providers()[0];
    let enc = ContentEncryption::A128Gcm;
    let (encrypting, _) = keys_for(KeyManagementAlgorithm::A128GcmKw, enc, p, p);
    // Only "DEF", only in the protected header.
    let mut header = Header::new();
    header.set("zip", "GZIP");
    let err = JweBuilder::new(enc)
        .protected(header)
        .recipient(&encrypting)
        .encrypt(PAYLOAD, p)
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    let mut header = Header::new();
    header.set("zip", "DEF");
    let err = JweBuilder::new(enc)
        .unprotected(header.clone())
        .recipient(&encrypting)
        .encrypt(PAYLOAD, p)
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    // "zip":"DEF" in the caller's protected header is the same as compress(true).
    let jwe = JweBuilder::new(enc)
        .protected(header)
        .recipient(&encrypting)
        .encrypt(PAYLOAD, p)
        .unwrap();
    assert_eq!(jwe.protected_header().get_str("zip").unwrap(), Some("DEF"));
    // Parsing: another value is unsupported, an unprotected zip is refused.
    let json: serde_json::Value = serde_json::from_str(&jwe.to_flattened_json().unwrap()).unwrap();
    let mut gzip = json.clone();
    gzip["protected"] =
        jose_core::b64::encode(br#"{"alg":"A128GCMKW","enc":"A128GCM","zip":"GZIP"}"#).into();
    assert!(matches!(
        Jwe::parse(&gzip.to_string(), &limits()),
        Err(Error::UnsupportedAlgorithm {
            kind: "JWE zip",
            ..
        })
    ));
    let mut unprotected = json;
    unprotected["unprotected"] = serde_json::json!({"zip": "DEF"});
    unprotected["protected"] =
        jose_core::b64::encode(br#"{"alg":"A128GCMKW","enc":"A128GCM"}"#).into();
    assert!(matches!(
        Jwe::parse(&unprotected.to_string(), &limits()),
        Err(Error::InvalidHeader(_))
    ));
}

// ---------------------------------------------------------------------------------------------
// ECDH-ES
// ---------------------------------------------------------------------------------------------

#[test]
fn rfc7520_5_4_5_5_and_the_x25519_example_decrypt() {
    let mut count = 0;
    for p in providers() {
        for (what, text) in RFC7520_5_ECDH {
            let v = json(text);
            let alg: KeyManagementAlgorithm = s(&v, &["input", "alg"]).parse().unwrap();
            let enc: ContentEncryption = s(&v, &["input", "enc"]).parse().unwrap();
            let jwk = Jwk::from_json(&m(&v, &["input", "key"]).to_string(), &limits()).unwrap();
            let key = DecryptingKey::new(
                PrivateKey::from_jwk(&jwk, p)
                    .unwrap()
                    .with_meta(Default::default()),
                alg,
            )
            .unwrap();
            for (ser, token) in vector_forms(&v) {
                let opened = Jwe::parse(&token, &limits())
                    .unwrap()
                    .decrypt([&key], &[enc], p)
                    .unwrap_or_else(|e| panic!("[{}] {what} {ser}: {e}", p.name()));
                assert_eq!(
                    &opened.plaintext[..],
                    s(&v, &["input", "plaintext"]).as_bytes(),
                    "[{}] {what} {ser}",
                    p.name()
                );
                count += 1;
            }
        }
        // 5.13's ECDH-ES+A256KW recipient (P-384).
        let v = json(JWE_5_13);
        let ec = m(&v, &["input", "key"])
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kty"] == "EC")
            .unwrap();
        let jwk = Jwk::from_json(&ec.to_string(), &limits()).unwrap();
        let key = DecryptingKey::new(
            PrivateKey::from_jwk(&jwk, p)
                .unwrap()
                .with_meta(Default::default()),
            KeyManagementAlgorithm::EcdhEsA256Kw,
        )
        .unwrap();
        let opened = Jwe::parse(&m(&v, &["output", "json"]).to_string(), &limits())
            .unwrap()
            .decrypt([&key], &[ContentEncryption::A128CbcHs256], p)
            .unwrap();
        assert_eq!(opened.recipient_index, 1);
        assert_eq!(
            &opened.plaintext[..],
            s(&v, &["input", "plaintext"]).as_bytes()
        );
    }
    assert_eq!(count, 2 * 3 * 3);
}

/// A token for `alg` as general JSON with its `epk` in the per-recipient header, so the `epk` can
/// be changed without touching the protected header.
fn ecdh_token(
    p: &'static dyn CryptoProvider,
    alg: KeyManagementAlgorithm,
) -> (serde_json::Value, DecryptingKey) {
    let (encrypting, decrypting) = keys_for(alg, ContentEncryption::A128Gcm, p, p);
    let jwe = JweBuilder::new(ContentEncryption::A128Gcm)
        .recipient_with(&encrypting, Some(Header::new()))
        .encrypt(PAYLOAD, p)
        .unwrap();
    (
        serde_json::from_str(&jwe.to_general_json().unwrap()).unwrap(),
        decrypting,
    )
}

fn with_epk(token: &serde_json::Value, epk: Option<serde_json::Value>) -> String {
    let mut t = token.clone();
    let header = t["recipients"][0]["header"].as_object_mut().unwrap();
    match epk {
        Some(e) => header.insert("epk".into(), e),
        None => header.remove("epk"),
    };
    t.to_string()
}

#[test]
fn hostile_epks_are_refused_by_name() {
    for p in providers() {
        let (token, key) = ecdh_token(p, KeyManagementAlgorithm::EcdhEsA128Kw);
        let decrypt = |text: String| {
            Jwe::parse(&text, &limits())
                .unwrap()
                .decrypt([&key], &[ContentEncryption::A128Gcm], p)
        };
        assert_eq!(&decrypt(token.to_string()).unwrap().plaintext[..], PAYLOAD);
        let epk = token["recipients"][0]["header"]["epk"].clone();
        assert_eq!(epk["crv"], "P-256");
        // Off the curve: y with its last bit flipped.
        let mut y = jose_core::b64::decode("y", epk["y"].as_str().unwrap()).unwrap();
        let last = y.len() - 1;
        y[last] ^= 1;
        let mut off = epk.clone();
        off["y"] = jose_core::b64::encode(&y).into();
        let err = decrypt(with_epk(&token, Some(off))).unwrap_err();
        assert!(
            matches!(err, Error::InvalidKey { .. } | Error::InvalidHeader(_)),
            "[{}] off the curve: {err:?}",
            p.name()
        );
        // Another curve: a valid P-384 point.
        let other = PrivateKey::generate(KeySpec::Ec(EcCurve::P384), p)
            .unwrap()
            .public_key()
            .to_jwk()
            .unwrap();
        let err = decrypt(with_epk(
            &token,
            Some(serde_json::to_value(&other).unwrap()),
        ))
        .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidHeader(m) if m.contains("P-256") && m.contains("P-384")),
            "[{}] other curve: {err:?}",
            p.name()
        );
        // A private epk, a missing one, one that is not an object.
        let mut private = epk.clone();
        private["d"] = "AAAA".into();
        let err = decrypt(with_epk(&token, Some(private))).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidHeader(m) if m.contains("\"d\"")),
            "{err:?}"
        );
        let err = decrypt(with_epk(&token, None)).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidHeader(m) if m.contains("epk")),
            "{err:?}"
        );
        let err = decrypt(with_epk(&token, Some("x".into()))).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidHeader(m) if m.contains("epk")),
            "{err:?}"
        );
        // Another valid P-256 point: the derived key differs, the opaque failure.
        let stranger = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), p)
            .unwrap()
            .public_key()
            .to_jwk()
            .unwrap();
        assert_eq!(
            decrypt(with_epk(
                &token,
                Some(serde_json::to_value(&stranger).unwrap())
            ))
            .unwrap_err(),
            Error::DecryptionFailed
        );
    }
}

#[test]
fn low_order_x25519_points_are_refused() {
    // u-coordinates of points of small order on Curve25519: X25519 with any of them gives an
    // all-zero secret, which would make the derived key public.
    let low_order: [&str; 4] = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    ];
    for p in providers() {
        let (token, key) = ecdh_token(p, KeyManagementAlgorithm::EcdhEs);
        let epk = &token["recipients"][0]["header"]["epk"];
        assert_eq!(epk["crv"], "X25519");
        for hex in low_order {
            let bytes: Vec<u8> = (0..32)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            let mut bad = epk.clone();
            bad["x"] = jose_core::b64::encode(&bytes).into();
            let err = Jwe::parse(&with_epk(&token, Some(bad)), &limits())
                .unwrap()
                .decrypt([&key], &[ContentEncryption::A128Gcm], p)
                .unwrap_err();
            assert!(
                matches!(err, Error::InvalidKey { .. }),
                "[{}] {hex}: {err:?}",
                p.name()
            );
        }
    }
}

#[test]
fn apu_and_apv_are_bound_into_the_derived_key() {
    for p in providers() {
        let alg = KeyManagementAlgorithm::EcdhEs;
        let (encrypting, decrypting) = keys_for(alg, ContentEncryption::A256Gcm, p, p);
        let mut header = Header::new();
        header.set("apu", jose_core::b64::encode(b"Alice"));
        header.set("apv", jose_core::b64::encode(b"Bob"));
        let jwe = JweBuilder::new(ContentEncryption::A256Gcm)
            .recipient_with(&encrypting, Some(header))
            .encrypt(PAYLOAD, p)
            .unwrap();
        let token: serde_json::Value =
            serde_json::from_str(&jwe.to_general_json().unwrap()).unwrap();
        let open = |t: &serde_json::Value| {
            Jwe::parse(&t.to_string(), &limits()).unwrap().decrypt(
                [&decrypting],
                &[ContentEncryption::A256Gcm],
                p,
            )
        };
        assert_eq!(&open(&token).unwrap().plaintext[..], PAYLOAD);
        for (name, value) in [("apu", "Mallory"), ("apv", "Eve")] {
            let mut t = token.clone();
            t["recipients"][0]["header"][name] = jose_core::b64::encode(value.as_bytes()).into();
            assert_eq!(open(&t).unwrap_err(), Error::DecryptionFailed, "{name}");
        }
    }
}

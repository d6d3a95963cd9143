//! Interoperability between the two providers: what aws-lc produces RustCrypto consumes and the
//! other way round, for every JWS algorithm and every (alg, enc) pair, in every serialization;
//! and identical observable behaviour on hostile input.
//!
//! Keys are generated on one provider and moved to the other as PKCS#8 DER (public keys also as
//! SPKI DER). RSA keys are generated once per test binary.

// Test code: a failing expectation should fail loudly (clippy.toml only covers #[test] bodies).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use jose_core::jwe::{Jwe, JweBuilder};
use jose_core::jws::{Jws, JwsBuilder, VerifyOptions};
use jose_core::{
    ContentEncryption, CryptoProvider, DecryptingKey, EcCurve, Error, Header, JwsAlgorithm,
    KeyManagementAlgorithm, KeySpec, Limits, OkpCurve, PrivateKey, SigningKey, VerifyingKey, b64,
};
use serde_json::Value;

/// No '.' in it, so it can also travel unencoded in the compact form; not ASCII-only.
const PAYLOAD: &[u8] =
    "{\"iss\":\"cross-provider\",\"amount\":\"10,00 EUR\",\"note\":\"caf\u{e9} \u{2713}\"}"
        .as_bytes();
const PLAINTEXT: &[u8] = b"You can trust us to stick with you through thick and thin.";

fn limits() -> Limits {
    Limits::default()
}

fn label(alg: impl std::fmt::Display, p: &dyn CryptoProvider, c: &dyn CryptoProvider) -> String {
    format!("{alg}: produced on {}, consumed on {}", p.name(), c.name())
}

/// A fresh key for `alg` on provider `i` (RSA keys come from the once-generated pool).
fn key_for(alg: JwsAlgorithm, i: usize) -> PrivateKey {
    let key = match alg {
        JwsAlgorithm::Es256 => {
            PrivateKey::generate(KeySpec::Ec(EcCurve::P256), providers()[i]).unwrap()
        }
        JwsAlgorithm::Es384 => {
            PrivateKey::generate(KeySpec::Ec(EcCurve::P384), providers()[i]).unwrap()
        }
        JwsAlgorithm::Es512 => {
            PrivateKey::generate(KeySpec::Ec(EcCurve::P521), providers()[i]).unwrap()
        }
        JwsAlgorithm::EdDsa => {
            PrivateKey::generate(KeySpec::Okp(OkpCurve::Ed25519), providers()[i]).unwrap()
        }
        _ => rsa_keys()[i].clone(),
    };
    key.with_kid(format!("{alg}-{}", providers()[i].name()))
}

fn must_err<T: std::fmt::Debug>(r: Result<T, Error>, expected: &str, what: &str) -> Error {
    match r {
        Ok(v) => panic!("{what}: expected {expected}, got Ok({v:?})"),
        Err(e) => {
            assert_eq!(variant(&e), expected, "{what}: got {e:?}");
            e
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JWS
// ---------------------------------------------------------------------------------------------

#[test]
fn jws_every_algorithm_every_serialization_both_directions() {
    for alg in JwsAlgorithm::asymmetric() {
        for (pi, ci) in pairs() {
            let (p, c) = (providers()[pi], providers()[ci]);
            let ctx = label(alg, p, c);
            let key = key_for(alg, pi);
            assert!(alg.fits(key.kind()), "{ctx}");
            let moved = transfer(&key, c);
            assert_eq!(moved.kind(), key.kind(), "{ctx}: kind survives PKCS#8");
            let signer = SigningKey::new(key.clone(), alg).unwrap();
            let verifiers = [
                VerifyingKey::new(moved.public_key(), alg).unwrap(),
                VerifyingKey::new(transfer_public(&key.public_key(), c), alg).unwrap(),
            ];
            // The moved key also signs on the consumer, and the producer verifies that.
            let back = JwsBuilder::new(PAYLOAD)
                .signer(&SigningKey::new(moved.clone(), alg).unwrap())
                .sign()
                .unwrap();
            assert_eq!(
                Jws::parse(&back.to_compact().unwrap(), &limits())
                    .unwrap()
                    .verify(&[signer.verifying_key()])
                    .unwrap(),
                PAYLOAD,
                "{ctx}: reverse direction with the moved key"
            );

            // Attached payload, three serializations.
            let jws = JwsBuilder::new(PAYLOAD).signer(&signer).sign().unwrap();
            let forms = [
                ("compact", jws.to_compact().unwrap()),
                ("flattened", jws.to_flattened_json().unwrap()),
                ("general", jws.to_general_json().unwrap()),
            ];
            for (ser, token) in &forms {
                let parsed = Jws::parse(token, &limits()).unwrap();
                for v in &verifiers {
                    assert_eq!(parsed.verify([v]).unwrap(), PAYLOAD, "{ctx} {ser}");
                }
                let header = parsed.signatures()[0].header();
                assert_eq!(header.alg().unwrap(), Some(alg.name()), "{ctx} {ser}");
                assert_eq!(header.kid().unwrap(), key.kid(), "{ctx} {ser}");
            }
            let tampered = Jws::parse(&flip_compact_segment(&forms[0].1, 2), &limits()).unwrap();
            must_err(
                tampered.verify(&verifiers),
                "BadSignature",
                &format!("{ctx}: tampered"),
            );
            let tampered = Jws::parse(&flip_compact_segment(&forms[0].1, 1), &limits()).unwrap();
            must_err(
                tampered.verify(&verifiers),
                "BadSignature",
                &format!("{ctx}: tampered payload"),
            );

            // Detached payload (RFC 7515 appendix F).
            let detached = JwsBuilder::new(PAYLOAD)
                .detached(true)
                .signer(&signer)
                .sign()
                .unwrap();
            assert!(detached.is_detached(), "{ctx}");
            let compact = detached.to_compact().unwrap();
            assert_eq!(
                compact.split('.').nth(1),
                Some(""),
                "{ctx}: detached compact has an empty payload"
            );
            let flat = detached.to_flattened_json().unwrap();
            assert!(
                json(&flat).get("payload").is_none(),
                "{ctx}: detached JSON has no payload"
            );
            for (ser, token) in [
                ("compact", compact),
                ("flattened", flat),
                ("general", detached.to_general_json().unwrap()),
            ] {
                let parsed = Jws::parse(&token, &limits()).unwrap();
                parsed
                    .verify_detached(PAYLOAD, &verifiers)
                    .unwrap_or_else(|e| panic!("{ctx} detached {ser}: {e}"));
                must_err(
                    parsed.verify_detached(b"another payload", &verifiers),
                    "BadSignature",
                    &format!("{ctx} detached {ser} with another payload"),
                );
                if ser != "compact" {
                    must_err(
                        parsed.verify(&verifiers),
                        "InvalidRequest",
                        &format!("{ctx} detached {ser} without payload"),
                    );
                }
            }

            // Unencoded payload (RFC 7797), attached and detached.
            let unencoded = JwsBuilder::new(PAYLOAD)
                .unencoded(true)
                .signer(&signer)
                .sign()
                .unwrap();
            assert!(unencoded.is_unencoded(), "{ctx}");
            let protected = unencoded.signatures()[0].protected_header();
            assert_eq!(protected.b64().unwrap(), Some(false), "{ctx}");
            assert_eq!(protected.crit().unwrap(), Some(vec!["b64"]), "{ctx}");
            let compact = unencoded.to_compact().unwrap();
            assert!(
                compact.contains(std::str::from_utf8(PAYLOAD).unwrap()),
                "{ctx}: payload travels as is"
            );
            for (ser, token) in [
                ("compact", compact),
                ("flattened", unencoded.to_flattened_json().unwrap()),
                ("general", unencoded.to_general_json().unwrap()),
            ] {
                let parsed = Jws::parse(&token, &limits()).unwrap();
                assert!(parsed.is_unencoded(), "{ctx} unencoded {ser}");
                assert_eq!(
                    parsed.verify(&verifiers).unwrap(),
                    PAYLOAD,
                    "{ctx} unencoded {ser}"
                );
            }
            let both = JwsBuilder::new(PAYLOAD)
                .unencoded(true)
                .detached(true)
                .signer(&signer)
                .sign()
                .unwrap();
            let parsed = Jws::parse(&both.to_compact().unwrap(), &limits()).unwrap();
            parsed
                .verify_detached(PAYLOAD, &verifiers)
                .unwrap_or_else(|e| panic!("{ctx} unencoded detached: {e}"));
            must_err(
                parsed.verify_detached(b"x", &verifiers),
                "BadSignature",
                &format!("{ctx} unencoded detached"),
            );
            // An unencoded payload with a '.' cannot be attached in compact form (RFC 7797
            // section 5.2), but travels in JSON and detached.
            let dotted = b"amount=10.00";
            let with_dot = JwsBuilder::new(dotted)
                .unencoded(true)
                .signer(&signer)
                .sign()
                .unwrap();
            must_err(
                with_dot.to_compact(),
                "InvalidRequest",
                &format!("{ctx}: unencoded compact with a '.'"),
            );
            let parsed = Jws::parse(&with_dot.to_flattened_json().unwrap(), &limits()).unwrap();
            assert_eq!(
                parsed.verify(&verifiers).unwrap(),
                dotted,
                "{ctx} unencoded JSON with a '.'"
            );

            // JSON with an unprotected header.
            let mut extra = Header::new();
            extra.set("typ", "JOSE+JSON");
            let mut unprotected = Header::new();
            unprotected.set("x-trace", "abc");
            let with_header = JwsBuilder::new(PAYLOAD)
                .signer_with(&signer, extra, Some(unprotected))
                .sign()
                .unwrap();
            must_err(
                with_header.to_compact(),
                "InvalidRequest",
                &format!("{ctx}: compact with an unprotected header"),
            );
            for token in [
                with_header.to_flattened_json().unwrap(),
                with_header.to_general_json().unwrap(),
            ] {
                let parsed = Jws::parse(&token, &limits()).unwrap();
                let verified = parsed
                    .verify_with(&verifiers, None, &VerifyOptions::default())
                    .unwrap();
                assert_eq!(
                    verified.header.get_str("x-trace").unwrap(),
                    Some("abc"),
                    "{ctx}"
                );
                assert_eq!(verified.header.typ().unwrap(), Some("JOSE+JSON"), "{ctx}");
            }

            // General JSON with two signatures (the second with a key of another family).
            let second_alg = if matches!(
                alg,
                JwsAlgorithm::Es256 | JwsAlgorithm::Es384 | JwsAlgorithm::Es512
            ) {
                JwsAlgorithm::Rs256
            } else {
                JwsAlgorithm::Es256
            };
            let second_key = key_for(second_alg, pi).with_kid("second");
            let second = SigningKey::new(second_key.clone(), second_alg).unwrap();
            let second_verifier =
                VerifyingKey::new(transfer(&second_key, c).public_key(), second_alg).unwrap();
            let two = JwsBuilder::new(PAYLOAD)
                .signer(&signer)
                .signer(&second)
                .sign()
                .unwrap();
            must_err(
                two.to_compact(),
                "InvalidRequest",
                &format!("{ctx}: compact with two signatures"),
            );
            must_err(
                two.to_flattened_json(),
                "InvalidRequest",
                &format!("{ctx}: flattened with two signatures"),
            );
            let parsed = Jws::parse(&two.to_general_json().unwrap(), &limits()).unwrap();
            assert_eq!(parsed.signatures().len(), 2, "{ctx}");
            let first = parsed
                .verify_with(&verifiers[..1], None, &VerifyOptions::default())
                .unwrap();
            assert_eq!(
                (first.signature_index, first.alg),
                (0, alg),
                "{ctx}: first signature"
            );
            let other = parsed
                .verify_with([&second_verifier], None, &VerifyOptions::default())
                .unwrap();
            assert_eq!(
                (other.signature_index, other.alg),
                (1, second_alg),
                "{ctx}: second signature"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JWE
// ---------------------------------------------------------------------------------------------

/// Encrypts on `p` to `encrypting` keys and decrypts on `c`, in every serialization and shape.
#[allow(clippy::too_many_arguments)]
fn jwe_round_trips(
    ctx: &str,
    enc: ContentEncryption,
    p: &dyn CryptoProvider,
    c: &dyn CryptoProvider,
    producer: &DecryptingKey,
    consumer: &DecryptingKey,
    producer_2: &DecryptingKey,
    consumer_2: &DecryptingKey,
) {
    let ek = producer.encrypting_key();
    let alg = ek.alg();
    let kid = producer.kid().map(str::to_owned);

    // One recipient, no extras: all three serializations.
    let jwe = JweBuilder::new(enc)
        .content_type("text/plain")
        .recipient(&ek)
        .encrypt(PLAINTEXT, p)
        .unwrap();
    assert_eq!(jwe.iv().len(), 12, "{ctx}");
    assert_eq!(jwe.tag().len(), 16, "{ctx}");
    assert_eq!(jwe.ciphertext().len(), PLAINTEXT.len(), "{ctx}");
    let compact = jwe.to_compact().unwrap();
    for (ser, token) in [
        ("compact", compact.clone()),
        ("flattened", jwe.to_flattened_json().unwrap()),
        ("general", jwe.to_general_json().unwrap()),
    ] {
        let parsed = Jwe::parse(&token, &limits()).unwrap();
        let out = parsed
            .decrypt([consumer], &[enc], c)
            .unwrap_or_else(|e| panic!("{ctx} {ser}: {e}"));
        assert_eq!(&out.plaintext[..], PLAINTEXT, "{ctx} {ser}");
        assert_eq!(out.header.alg().unwrap(), Some(alg.name()), "{ctx} {ser}");
        assert_eq!(out.header.enc().unwrap(), Some(enc.name()), "{ctx} {ser}");
        assert_eq!(out.header.cty().unwrap(), Some("text/plain"), "{ctx} {ser}");
        assert_eq!(out.header.kid().unwrap(), kid.as_deref(), "{ctx} {ser}");
    }
    for segment in [1, 2, 3, 4] {
        let t = Jwe::parse(&flip_compact_segment(&compact, segment), &limits()).unwrap();
        must_err(
            t.decrypt([consumer], &[enc], c),
            "DecryptionFailed",
            &format!("{ctx}: compact segment {segment} tampered"),
        );
    }

    // AAD and a shared unprotected header (JSON only).
    let mut shared = Header::new();
    shared.set("x-shared", "s");
    let with_aad = JweBuilder::new(enc)
        .aad(b"additional authenticated data \x00\xff")
        .unprotected(shared.clone())
        .recipient(&ek)
        .encrypt(PLAINTEXT, p)
        .unwrap();
    must_err(
        with_aad.to_compact(),
        "InvalidRequest",
        &format!("{ctx}: compact with AAD"),
    );
    for (ser, token) in [
        ("flattened+aad", with_aad.to_flattened_json().unwrap()),
        ("general+aad", with_aad.to_general_json().unwrap()),
    ] {
        let parsed = Jwe::parse(&token, &limits()).unwrap();
        assert!(parsed.aad_b64().is_some(), "{ctx} {ser}");
        let out = parsed
            .decrypt([consumer], &[enc], c)
            .unwrap_or_else(|e| panic!("{ctx} {ser}: {e}"));
        assert_eq!(&out.plaintext[..], PLAINTEXT, "{ctx} {ser}");
        assert_eq!(
            out.header.get_str("x-shared").unwrap(),
            Some("s"),
            "{ctx} {ser}"
        );
        for member in ["aad", "tag", "ciphertext"] {
            let t = Jwe::parse(&flip_json_member(&json(&token), &[member]), &limits()).unwrap();
            must_err(
                t.decrypt([consumer], &[enc], c),
                "DecryptionFailed",
                &format!("{ctx} {ser}: {member} tampered"),
            );
        }
        // Dropping the AAD is detected too.
        let mut v = json(&token);
        v.as_object_mut().unwrap().remove("aad");
        let t = Jwe::parse(&v.to_string(), &limits()).unwrap();
        must_err(
            t.decrypt([consumer], &[enc], c),
            "DecryptionFailed",
            &format!("{ctx} {ser}: AAD dropped"),
        );
    }

    // Two recipients (general JSON), with AAD and a shared unprotected header.
    let ek2 = producer_2.encrypting_key();
    let two = JweBuilder::new(enc)
        .aad(b"two")
        .unprotected(shared)
        .recipient(&ek)
        .recipient(&ek2)
        .encrypt(PLAINTEXT, p)
        .unwrap();
    assert_eq!(two.recipients().len(), 2, "{ctx}");
    must_err(
        two.to_compact(),
        "InvalidRequest",
        &format!("{ctx}: compact with two recipients"),
    );
    must_err(
        two.to_flattened_json(),
        "InvalidRequest",
        &format!("{ctx}: flattened with two recipients"),
    );
    let token = two.to_general_json().unwrap();
    let parsed = Jwe::parse(&token, &limits()).unwrap();
    for (keys, index) in [
        (&[consumer][..], 0),
        (&[consumer_2][..], 1),
        (&[consumer_2, consumer][..], 0),
    ] {
        let out = parsed
            .decrypt(keys, &[enc], c)
            .unwrap_or_else(|e| panic!("{ctx} two recipients: {e}"));
        assert_eq!(&out.plaintext[..], PLAINTEXT, "{ctx} two recipients");
        assert_eq!(out.recipient_index, index, "{ctx} two recipients");
        assert_eq!(
            out.header.get_str("x-shared").unwrap(),
            Some("s"),
            "{ctx} two recipients"
        );
        assert_eq!(
            out.header.alg().unwrap(),
            Some(alg.name()),
            "{ctx} two recipients"
        );
    }
    let t = Jwe::parse(&flip_json_member(&json(&token), &["tag"]), &limits()).unwrap();
    must_err(
        t.decrypt([&consumer, &consumer_2], &[enc], c),
        "DecryptionFailed",
        &format!("{ctx}: two recipients, tag tampered"),
    );
}

#[test]
fn jwe_every_alg_and_enc_every_serialization_both_directions() {
    for &alg in KeyManagementAlgorithm::RSA_OAEP {
        for &enc in ContentEncryption::GCM {
            for (pi, ci) in pairs() {
                let (p, c) = (providers()[pi], providers()[ci]);
                let key = rsa_keys()[pi].clone().with_kid("rsa-1");
                let moved = transfer(&key, c);
                let on_p = DecryptingKey::new(key, alg).unwrap();
                let on_c = DecryptingKey::new(moved, alg).unwrap();
                let on_p2 =
                    DecryptingKey::new(rsa_keys_2()[pi].clone().with_kid("rsa-2"), alg).unwrap();
                let on_c2 =
                    DecryptingKey::new(rsa_keys_2()[ci].clone().with_kid("rsa-2"), alg).unwrap();
                let ctx = format!(
                    "{alg}/{enc}: encrypted on {}, decrypted on {}",
                    p.name(),
                    c.name()
                );
                jwe_round_trips(&ctx, enc, p, c, &on_p, &on_c, &on_p2, &on_c2);
                let ctx = format!(
                    "{alg}/{enc}: encrypted on {}, decrypted on {} (key from {})",
                    c.name(),
                    p.name(),
                    p.name()
                );
                jwe_round_trips(&ctx, enc, c, p, &on_c, &on_p, &on_c2, &on_p2);
            }
        }
    }
}

#[test]
fn aead_and_rsa_primitives_agree_between_providers() {
    let [a, r] = providers();
    for &enc in ContentEncryption::GCM {
        let key = vec![7u8; enc.key_len()];
        let iv = [9u8; 12];
        for pt in [&b""[..], b"x", PLAINTEXT] {
            let sa = a.aead_seal(enc, &key, &iv, b"aad", pt).unwrap();
            let sr = r.aead_seal(enc, &key, &iv, b"aad", pt).unwrap();
            assert_eq!(
                sa,
                sr,
                "{enc}: aws-lc and RustCrypto seal identically ({} bytes)",
                pt.len()
            );
            assert_eq!(
                &r.aead_open(enc, &key, &iv, b"aad", &sa.0, &sa.1).unwrap()[..],
                pt,
                "{enc}"
            );
            assert_eq!(
                &a.aead_open(enc, &key, &iv, b"aad", &sr.0, &sr.1).unwrap()[..],
                pt,
                "{enc}"
            );
            for p in [a, r] {
                let name = p.name();
                must_err(
                    p.aead_open(enc, &key, &iv, b"aaD", &sa.0, &sa.1),
                    "DecryptionFailed",
                    &format!("{name} {enc} wrong AAD"),
                );
                must_err(
                    p.aead_open(enc, &key, &iv, b"aad", &sa.0, &sa.1[..15]),
                    "DecryptionFailed",
                    &format!("{name} {enc} short tag"),
                );
                must_err(
                    p.aead_open(enc, &key[1..], &iv, b"aad", &sa.0, &sa.1),
                    "DecryptionFailed",
                    &format!("{name} {enc} short key"),
                );
                must_err(
                    p.aead_seal(enc, &key[1..], &iv, b"aad", pt),
                    "InvalidRequest",
                    &format!("{name} {enc} seal with a short key"),
                );
            }
        }
    }
    assert_eq!(a.sha256(b"abc"), r.sha256(b"abc"), "SHA-256 agrees");
    // RS256 is deterministic: both providers produce the same signature with the same key.
    let key = &rsa_keys_2()[0];
    let moved = &rsa_keys_2()[1];
    let sa = SigningKey::new(key.clone(), JwsAlgorithm::Rs256)
        .unwrap()
        .sign(b"input")
        .unwrap();
    let sr = SigningKey::new(moved.clone(), JwsAlgorithm::Rs256)
        .unwrap()
        .sign(b"input")
        .unwrap();
    assert_eq!(sa, sr, "RS256 signatures are identical on both providers");
    // Public keys export to the same SPKI DER.
    assert_eq!(
        key.public_key().to_spki_der().unwrap(),
        moved.public_key().to_spki_der().unwrap(),
        "SPKI agrees"
    );
}

// ---------------------------------------------------------------------------------------------
// Hostile input: the same verdict, to the variant, on both providers.
// ---------------------------------------------------------------------------------------------

/// A compact JWS over `payload` with the protected header exactly `header_json`, signed by `key`.
fn raw_jws(header_json: &str, payload_segment: &str, key: &SigningKey) -> String {
    let protected = b64::encode(header_json.as_bytes());
    let input = format!("{protected}.{payload_segment}");
    let sig = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", b64::encode(&sig))
}

/// Replaces the protected header of a compact JWE.
fn with_jwe_header(token: &str, header_json: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[0] = b64::encode(header_json.as_bytes());
    parts.join(".")
}

/// Replaces segment `i` of a compact token.
fn with_segment(token: &str, i: usize, value: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[i] = value.to_owned();
    parts.join(".")
}

/// DER-encodes a raw r||s ECDSA signature (what some libraries send instead of JOSE's r||s).
fn ecdsa_der(raw: &[u8]) -> Vec<u8> {
    let (r, s) = raw.split_at(raw.len() / 2);
    let int = |x: &[u8]| {
        let x: Vec<u8> = x.iter().copied().skip_while(|b| *b == 0).collect();
        let mut out = vec![0x02];
        let pad = x.first().is_some_and(|b| b & 0x80 != 0);
        out.push(u8::try_from(x.len() + usize::from(pad)).unwrap());
        if pad {
            out.push(0);
        }
        out.extend_from_slice(&x);
        out
    };
    let body = [int(r), int(s)].concat();
    let mut out = vec![0x30, u8::try_from(body.len()).unwrap()];
    out.extend_from_slice(&body);
    out
}

enum Kind {
    Jws,
    Jwe,
}

#[test]
fn hostile_inputs_give_the_same_error_on_both_providers() {
    // One ES256 key and one RSA key, each the same key on both providers.
    let es = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), providers()[0])
        .unwrap()
        .with_kid("k1");
    let es_keys = [es.clone(), transfer(&es, providers()[1])];
    let enc_keys = [
        rsa_keys_2()[0].clone().with_kid("enc"),
        rsa_keys_2()[1].clone().with_kid("enc"),
    ];
    let signer = SigningKey::new(es.clone(), JwsAlgorithm::Es256).unwrap();
    let payload = b64::encode(PAYLOAD);

    let good_jws = raw_jws(r#"{"alg":"ES256","kid":"k1"}"#, &payload, &signer);
    let good_sig = b64::decode("t", good_jws.rsplit('.').next().unwrap()).unwrap();
    let ek = DecryptingKey::new(enc_keys[0].clone(), KeyManagementAlgorithm::RsaOaep256)
        .unwrap()
        .encrypting_key();
    let good_jwe = JweBuilder::new(ContentEncryption::A256Gcm)
        .recipient(&ek)
        .encrypt(PLAINTEXT, providers()[0])
        .unwrap()
        .to_compact()
        .unwrap();
    let a192 = JweBuilder::new(ContentEncryption::A192Gcm)
        .recipient(&ek)
        .encrypt(PLAINTEXT, providers()[0])
        .unwrap()
        .to_compact()
        .unwrap();
    let oaep1_ek = DecryptingKey::new(enc_keys[0].clone(), KeyManagementAlgorithm::RsaOaep)
        .unwrap()
        .encrypting_key();
    let oaep1 = JweBuilder::new(ContentEncryption::A256Gcm)
        .recipient(&oaep1_ek)
        .encrypt(PLAINTEXT, providers()[0])
        .unwrap()
        .to_compact()
        .unwrap();
    let jwe_json = JweBuilder::new(ContentEncryption::A256Gcm)
        .recipient(&ek)
        .encrypt(PLAINTEXT, providers()[0])
        .unwrap()
        .to_flattened_json()
        .unwrap();

    let mut oversized_sig = good_sig.clone();
    oversized_sig.push(0);
    let mut both_json: Value = json(
        &Jws::parse(&good_jws, &limits())
            .unwrap()
            .to_flattened_json()
            .unwrap(),
    );
    both_json["signatures"] = json(r#"[{"protected":"eyJhbGciOiJFUzI1NiJ9","signature":"AA"}]"#);
    let mut padded = good_jws.clone();
    padded.push_str("==");

    let cases: Vec<(&str, Kind, String, &str)> = vec![
        (
            "JWS truncated",
            Kind::Jws,
            good_jws.rsplit_once('.').unwrap().0.to_owned(),
            "Malformed",
        ),
        (
            "JWS alg none",
            Kind::Jws,
            format!("{}.{payload}.", b64::encode(br#"{"alg":"none"}"#)),
            "UnsupportedAlgorithm",
        ),
        (
            "JWS alg HS256 (key confusion)",
            Kind::Jws,
            raw_jws(r#"{"alg":"HS256","kid":"k1"}"#, &payload, &signer),
            // HS256 is supported, but only an HMAC key bound to it allows it: never an EC key.
            "AlgorithmNotAllowed",
        ),
        (
            "JWS alg ES384 against an ES256 key",
            Kind::Jws,
            raw_jws(r#"{"alg":"ES384","kid":"k1"}"#, &payload, &signer),
            "AlgorithmNotAllowed",
        ),
        (
            "JWS tampered signature",
            Kind::Jws,
            flip_compact_segment(&good_jws, 2),
            "BadSignature",
        ),
        (
            "JWS tampered payload",
            Kind::Jws,
            flip_compact_segment(&good_jws, 1),
            "BadSignature",
        ),
        (
            "JWS wrong kid",
            Kind::Jws,
            raw_jws(r#"{"alg":"ES256","kid":"k2"}"#, &payload, &signer),
            "NoMatchingKey",
        ),
        (
            "JWS crit unknown",
            Kind::Jws,
            raw_jws(
                r#"{"alg":"ES256","kid":"k1","crit":["exp"],"exp":1}"#,
                &payload,
                &signer,
            ),
            "InvalidHeader",
        ),
        (
            "JWS crit lists a registered name",
            Kind::Jws,
            raw_jws(
                r#"{"alg":"ES256","kid":"k1","crit":["alg"]}"#,
                &payload,
                &signer,
            ),
            "InvalidHeader",
        ),
        (
            "JWS duplicate header member",
            Kind::Jws,
            raw_jws(
                r#"{"alg":"ES256","kid":"k1","kid":"k1"}"#,
                &payload,
                &signer,
            ),
            "DuplicateMember",
        ),
        (
            "JWS b64 false without crit",
            Kind::Jws,
            raw_jws(r#"{"alg":"ES256","kid":"k1","b64":false}"#, "abc", &signer),
            "InvalidHeader",
        ),
        (
            "JWS empty signature",
            Kind::Jws,
            with_segment(&good_jws, 2, ""),
            "BadSignature",
        ),
        (
            "JWS oversized ECDSA signature (65 bytes)",
            Kind::Jws,
            with_segment(&good_jws, 2, &b64::encode(&oversized_sig)),
            "BadSignature",
        ),
        (
            "JWS DER-encoded ECDSA signature",
            Kind::Jws,
            with_segment(&good_jws, 2, &b64::encode(&ecdsa_der(&good_sig))),
            "BadSignature",
        ),
        (
            "JWS all-zero ECDSA signature",
            Kind::Jws,
            with_segment(&good_jws, 2, &b64::encode(&[0u8; 64])),
            "BadSignature",
        ),
        ("JWS padded base64", Kind::Jws, padded, "Malformed"),
        (
            "JWS header is not an object",
            Kind::Jws,
            with_segment(&good_jws, 0, &b64::encode(b"[\"ES256\"]")),
            "Malformed",
        ),
        (
            "JWS JSON with both signature and signatures",
            Kind::Jws,
            both_json.to_string(),
            "Malformed",
        ),
        (
            "JWE truncated",
            Kind::Jwe,
            good_jwe.rsplit_once('.').unwrap().0.to_owned(),
            "Malformed",
        ),
        (
            "JWE zip DEF",
            Kind::Jwe,
            with_jwe_header(
                &good_jwe,
                r#"{"alg":"RSA-OAEP-256","kid":"enc","enc":"A256GCM","zip":"DEF"}"#,
            ),
            "InvalidHeader",
        ),
        (
            "JWE tampered tag",
            Kind::Jwe,
            flip_compact_segment(&good_jwe, 4),
            "DecryptionFailed",
        ),
        (
            "JWE tampered ciphertext",
            Kind::Jwe,
            flip_compact_segment(&good_jwe, 3),
            "DecryptionFailed",
        ),
        (
            "JWE tampered encrypted key",
            Kind::Jwe,
            flip_compact_segment(&good_jwe, 1),
            "DecryptionFailed",
        ),
        (
            "JWE empty encrypted key",
            Kind::Jwe,
            with_segment(&good_jwe, 1, ""),
            "DecryptionFailed",
        ),
        (
            "JWE encrypted key of all ones",
            Kind::Jwe,
            with_segment(&good_jwe, 1, &b64::encode(&[0xff; 256])),
            "DecryptionFailed",
        ),
        (
            "JWE enc A128CBC-HS256, not allowed",
            Kind::Jwe,
            with_jwe_header(
                &good_jwe,
                r#"{"alg":"RSA-OAEP-256","kid":"enc","enc":"A128CBC-HS256"}"#,
            ),
            "AlgorithmNotAllowed",
        ),
        (
            "JWE alg RSA1_5",
            Kind::Jwe,
            with_jwe_header(&good_jwe, r#"{"alg":"RSA1_5","kid":"enc","enc":"A256GCM"}"#),
            "UnsupportedAlgorithm",
        ),
        (
            "JWE alg dir, no dir key given",
            Kind::Jwe,
            with_jwe_header(&good_jwe, r#"{"alg":"dir","enc":"A256GCM"}"#),
            "AlgorithmNotAllowed",
        ),
        (
            "JWE alg none",
            Kind::Jwe,
            with_jwe_header(&good_jwe, r#"{"alg":"none","enc":"A256GCM"}"#),
            "UnsupportedAlgorithm",
        ),
        (
            "JWE enc A192GCM not allowed",
            Kind::Jwe,
            a192,
            "AlgorithmNotAllowed",
        ),
        (
            "JWE RSA-OAEP against an RSA-OAEP-256 key",
            Kind::Jwe,
            oaep1,
            "AlgorithmNotAllowed",
        ),
        (
            "JWE wrong kid",
            Kind::Jwe,
            with_jwe_header(
                &good_jwe,
                r#"{"alg":"RSA-OAEP-256","kid":"other","enc":"A256GCM"}"#,
            ),
            "NoMatchingKey",
        ),
        (
            "JWE crit unknown",
            Kind::Jwe,
            with_jwe_header(
                &good_jwe,
                r#"{"alg":"RSA-OAEP-256","kid":"enc","enc":"A256GCM","crit":["x"],"x":1}"#,
            ),
            "InvalidHeader",
        ),
        (
            "JWE duplicate header member",
            Kind::Jwe,
            with_jwe_header(
                &good_jwe,
                r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","enc":"A256GCM"}"#,
            ),
            "DuplicateMember",
        ),
        (
            "JWE no enc",
            Kind::Jwe,
            with_jwe_header(&good_jwe, r#"{"alg":"RSA-OAEP-256","kid":"enc"}"#),
            "InvalidHeader",
        ),
        (
            "JWE short tag",
            Kind::Jwe,
            with_segment(&good_jwe, 4, &b64::encode(&[1u8; 15])),
            "Malformed",
        ),
        (
            "JWE short IV",
            Kind::Jwe,
            with_segment(&good_jwe, 2, &b64::encode(&[1u8; 8])),
            "Malformed",
        ),
        (
            "JWE JSON alg in both headers",
            Kind::Jwe,
            {
                let mut v = json(&jwe_json);
                v["header"] = json(r#"{"alg":"RSA-OAEP-256"}"#);
                v.to_string()
            },
            "InvalidHeader",
        ),
        (
            "JWE JSON enc in a per-recipient header",
            Kind::Jwe,
            {
                let mut v = json(&jwe_json);
                v["protected"] =
                    Value::String(b64::encode(br#"{"alg":"RSA-OAEP-256","kid":"enc"}"#));
                v["unprotected"] = json(r#"{"x":1}"#);
                v["header"] = json(r#"{"enc":"A256GCM"}"#);
                v.to_string()
            },
            "InvalidHeader",
        ),
    ];
    assert!(cases.len() >= 15, "a table of hostile tokens");

    // `Limits` is non-exhaustive: set the field on a default value.
    #[allow(clippy::field_reassign_with_default)]
    let tiny = {
        let mut l = Limits::default();
        l.max_token_len = 64;
        l
    };

    for (what, kind, token, expected) in &cases {
        let errors: Vec<Error> = providers()
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let result: Result<Vec<u8>, Error> = match kind {
                    Kind::Jws => {
                        let vk = VerifyingKey::new(es_keys[i].public_key(), JwsAlgorithm::Es256)
                            .unwrap();
                        Jws::parse(token, &limits())
                            .and_then(|j| j.verify(&[vk]).map(<[u8]>::to_vec))
                    }
                    Kind::Jwe => {
                        let dk = DecryptingKey::new(
                            enc_keys[i].clone(),
                            KeyManagementAlgorithm::RsaOaep256,
                        )
                        .unwrap();
                        Jwe::parse(token, &limits())
                            .and_then(|j| {
                                j.decrypt(
                                    &[dk],
                                    &[ContentEncryption::A128Gcm, ContentEncryption::A256Gcm],
                                    p,
                                )
                            })
                            .map(|d| d.plaintext.to_vec())
                    }
                };
                must_err(result, expected, &format!("[{}] {what}", p.name()))
            })
            .collect();
        assert_eq!(
            errors[0], errors[1],
            "{what}: aws-lc and RustCrypto disagree"
        );
        // The size limit applies before anything else, on both.
        let limited = match kind {
            Kind::Jws => Jws::parse(token, &tiny).map(|_| ()),
            Kind::Jwe => Jwe::parse(token, &tiny).map(|_| ()),
        };
        if token.len() > 64 {
            must_err(
                limited,
                "LimitExceeded",
                &format!("{what} under a 64-byte limit"),
            );
        }
    }

    // The control tokens are fine on both providers.
    for (i, p) in providers().into_iter().enumerate() {
        let vk = VerifyingKey::new(es_keys[i].public_key(), JwsAlgorithm::Es256).unwrap();
        assert_eq!(
            Jws::parse(&good_jws, &limits())
                .unwrap()
                .verify(&[vk])
                .unwrap(),
            PAYLOAD,
            "[{}] control JWS",
            p.name()
        );
        let dk =
            DecryptingKey::new(enc_keys[i].clone(), KeyManagementAlgorithm::RsaOaep256).unwrap();
        for t in [&good_jwe, &jwe_json] {
            let d = Jwe::parse(t, &limits())
                .unwrap()
                .decrypt([&dk], &[ContentEncryption::A256Gcm], p)
                .unwrap();
            assert_eq!(&d.plaintext[..], PLAINTEXT, "[{}] control JWE", p.name());
        }
    }
}

#[test]
fn hostile_keys_are_refused_the_same_way() {
    // Truncated and garbage PKCS#8, and an EC key moved onto the wrong binding.
    let key = PrivateKey::generate(KeySpec::Ec(EcCurve::P384), providers()[0]).unwrap();
    let der = key.to_pkcs8_der().unwrap();
    for p in providers() {
        let truncated = PrivateKey::from_der(&der[..der.len() - 3], p);
        assert!(
            truncated.is_err(),
            "[{}] truncated PKCS#8 must not import",
            p.name()
        );
        assert!(
            PrivateKey::from_der(b"\x30\x03\x02\x01\x00", p).is_err(),
            "[{}] garbage DER",
            p.name()
        );
        let moved = PrivateKey::from_der(&der, p).unwrap();
        must_err(
            SigningKey::new(moved.clone(), JwsAlgorithm::Es256),
            "InvalidKey",
            &format!("[{}] P-384 as ES256", p.name()),
        );
        must_err(
            SigningKey::new(moved.clone(), JwsAlgorithm::Rs256),
            "InvalidKey",
            &format!("[{}] P-384 as RS256", p.name()),
        );
        must_err(
            DecryptingKey::new(moved, KeyManagementAlgorithm::RsaOaep),
            "InvalidKey",
            &format!("[{}] P-384 as RSA-OAEP", p.name()),
        );
        must_err(
            PrivateKey::generate(KeySpec::Rsa { bits: 1024 }, p),
            "InvalidKey",
            &format!("[{}] RSA-1024 generation", p.name()),
        );
    }
    let a = PrivateKey::from_der(&der[..der.len() - 3], providers()[0]).unwrap_err();
    let b = PrivateKey::from_der(&der[..der.len() - 3], providers()[1]).unwrap_err();
    assert_eq!(variant(&a), variant(&b), "truncated PKCS#8: {a:?} vs {b:?}");
}

/// RFC 8037 appendix A.4 and A.5 through the JWS engine on both providers: the A.1 key (from its
/// JWK) signs "Example of Ed25519 signing" into exactly the published compact JWS (Ed25519 is
/// deterministic, and the builder writes `{"alg":"EdDSA"}`), and that JWS verifies with the
/// public JWK on both providers; a tampered one does not.
#[test]
fn rfc8037_a4_eddsa_jws_on_both_providers() {
    const A1: &str = r#"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
    const A4: &str = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
    let jwk = jose_core::Jwk::from_json(A1, &limits()).unwrap();
    for p in providers() {
        let key = PrivateKey::from_jwk(&jwk, p).unwrap();
        let signer = SigningKey::new(key, JwsAlgorithm::EdDsa).unwrap();
        let token = JwsBuilder::new(b"Example of Ed25519 signing")
            .signer(&signer)
            .sign()
            .unwrap()
            .to_compact()
            .unwrap();
        assert_eq!(token, A4, "{}", p.name());
        for c in providers() {
            let public = jose_core::PublicKey::from_jwk(&jwk.to_public(), c).unwrap();
            let verifier = VerifyingKey::new(public, JwsAlgorithm::EdDsa).unwrap();
            assert_eq!(
                Jws::from_compact(A4, &limits())
                    .unwrap()
                    .verify(std::slice::from_ref(&verifier))
                    .unwrap(),
                b"Example of Ed25519 signing",
                "{} -> {}",
                p.name(),
                c.name()
            );
            let tampered = Jws::from_compact(&flip_compact_segment(A4, 2), &limits()).unwrap();
            must_err(
                tampered.verify(&[verifier]),
                "BadSignature",
                "RFC 8037 A.4 tampered",
            );
        }
    }
}

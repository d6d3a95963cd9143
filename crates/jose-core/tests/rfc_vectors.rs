//! Published test vectors on both providers: RFC 7520 (the JOSE cookbook: sections 3, 4.1, 4.2,
//! 4.3, 4.8, 5.2 and 6; 5.1 and 5.13, RSA1_5, refused) and RFC 7515 A.2/A.3/A.4/A.6/A.7 and
//! RFC 7516 A.1. Each token verifies or decrypts, the deterministic parts (RS256 signatures, the
//! AES-GCM half of each JWE, protected headers) are reproduced byte for byte, and tampered tokens
//! are rejected.

// Test code: a failing expectation should fail loudly (clippy.toml only covers #[test] bodies).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use jose_core::jwe::{Jwe, content_aad};
use jose_core::jws::{Jws, JwsBuilder, VerifyOptions};
use jose_core::{
    ContentEncryption, CryptoProvider, DecryptingKey, EcCurve, Error, Header, Jwk, JwsAlgorithm,
    KeyKind, KeyManagementAlgorithm, KeyMeta, Limits, PrivateKey, PublicKey, SigningKey,
    VerifyingKey, b64, nested,
};
use serde_json::Value;

const JWS_4_1: &str = include_str!("vectors/rfc7520/jws/4_1.rsa_v15_signature.json");
const JWS_4_2: &str = include_str!("vectors/rfc7520/jws/4_2.rsa-pss_signature.json");
const JWS_4_3: &str = include_str!("vectors/rfc7520/jws/4_3.ecdsa_signature.json");
const JWS_4_8: &str = include_str!("vectors/rfc7520/jws/4_8.multiple_signatures.json");
const JWE_5_2: &str =
    include_str!("vectors/rfc7520/jwe/5_2.key_encryption_using_rsa-oaep_with_aes-gcm.json");
const NESTED_6: &str = include_str!("vectors/rfc7520/6.nesting_signatures_and_encryption.json");
const JWK_3_1: &str = include_str!("vectors/rfc7520/jwk/3_1.ec_public_key.json");
const JWK_3_2: &str = include_str!("vectors/rfc7520/jwk/3_2.ec_private_key.json");
const JWK_3_3: &str = include_str!("vectors/rfc7520/jwk/3_3.rsa_public_key.json");
const JWK_3_4: &str = include_str!("vectors/rfc7520/jwk/3_4.rsa_private_key.json");

const JWE_5_1: &str =
    include_str!("vectors/rfc7520/jwe/5_1.key_encryption_using_rsa_v15_and_aes-hmac-sha2.json");
const JWE_5_13: &str =
    include_str!("vectors/rfc7520/jwe/5_13.encrypting_to_multiple_recipients.json");

const A2_RS256: &str = include_str!("vectors/rfc7515_7516/rfc7515_A2_rs256.json");
const A3_ES256: &str = include_str!("vectors/rfc7515_7516/rfc7515_A3_es256.json");
const A4_ES512: &str = include_str!("vectors/rfc7515_7516/rfc7515_A4_es512.json");
const A6_GENERAL: &str = include_str!("vectors/rfc7515_7516/rfc7515_A6_general_json.json");
const A7_FLATTENED: &str = include_str!("vectors/rfc7515_7516/rfc7515_A7_flattened_json.json");
const JWE_A1: &str = include_str!("vectors/rfc7515_7516/rfc7516_A1_rsa-oaep_a256gcm.json");

fn limits() -> Limits {
    Limits::default()
}

fn vk(key: PublicKey, alg: JwsAlgorithm, p: &dyn CryptoProvider) -> VerifyingKey {
    VerifyingKey::new(key, alg).unwrap_or_else(|e| panic!("[{}] bind {alg}: {e}", p.name()))
}

fn assert_err(
    result: Result<impl std::fmt::Debug, Error>,
    expected: &str,
    what: &str,
    p: &dyn CryptoProvider,
) {
    match result {
        Ok(v) => panic!("[{}] {what}: expected {expected}, got Ok({v:?})", p.name()),
        Err(e) => assert_eq!(variant(&e), expected, "[{}] {what}: got {e:?}", p.name()),
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 7520 section 4.1-4.3: one signature, three serializations.
// ---------------------------------------------------------------------------------------------

/// The three outputs of an RFC 7520 section 4 vector: (name, text).
fn outputs(v: &Value) -> Vec<(&'static str, String)> {
    vec![
        ("compact", s(v, &["output", "compact"]).to_owned()),
        ("flattened", m(v, &["output", "json_flat"]).to_string()),
        ("general", m(v, &["output", "json"]).to_string()),
    ]
}

/// Checks that every output of a section 4.1-4.3 vector parses with each parser and verifies with
/// the vector's key (imported as a private and as a public JWK), and that tampering is rejected.
fn check_single_signature_vector(
    v: &Value,
    alg: JwsAlgorithm,
    wrong: &[VerifyingKey],
    p: &dyn CryptoProvider,
) {
    let name = p.name();
    let payload = s(v, &["input", "payload"]).as_bytes();
    let key_json = m(v, &["input", "key"]);
    let kid = s(key_json, &["kid"]);
    let keys = [
        vk(private_from_jwk(key_json, p).public_key(), alg, p),
        vk(public_from_jwk(key_json, p), alg, p),
    ];
    let protected_b64u = s(v, &["signing", "protected_b64u"]);
    for key in &keys {
        for (ser, text) in outputs(v) {
            let parsed = if ser == "compact" {
                Jws::from_compact(&text, &limits())
            } else {
                Jws::from_json(&text, &limits())
            }
            .unwrap_or_else(|e| panic!("[{name}] {alg} {ser} parses: {e}"));
            assert_eq!(
                parsed.verify([key]).unwrap(),
                payload,
                "[{name}] {alg} {ser}"
            );
            let any = Jws::parse(&text, &limits()).unwrap();
            assert_eq!(
                any, parsed,
                "[{name}] {alg} {ser}: parse and the specific parser agree"
            );
            let verified = any
                .verify_with([key], None, &VerifyOptions::default())
                .unwrap();
            assert_eq!(verified.signature_index, 0, "[{name}] {alg} {ser}");
            assert_eq!(verified.alg, alg, "[{name}] {alg} {ser}");
            assert_eq!(
                verified.header.kid().unwrap(),
                Some(kid),
                "[{name}] {alg} {ser}"
            );
            assert_eq!(
                any.signatures()[0].protected_b64(),
                protected_b64u,
                "[{name}] {alg} {ser}"
            );
            assert_eq!(
                any.signatures()[0].signature(),
                unb64(s(v, &["signing", "sig"])),
                "[{name}] {alg} {ser}"
            );
        }
    }
    // Tampering: signature and payload, in every serialization.
    let out = m(v, &["output"]);
    let compact = s(out, &["compact"]);
    let tampered = [
        ("compact signature", flip_compact_segment(compact, 2)),
        ("compact payload", flip_compact_segment(compact, 1)),
        (
            "flattened signature",
            flip_json_member(&out["json_flat"], &["signature"]),
        ),
        (
            "flattened payload",
            flip_json_member(&out["json_flat"], &["payload"]),
        ),
        (
            "general signature",
            flip_json_member(&out["json"], &["signatures", "0", "signature"]),
        ),
        (
            "general payload",
            flip_json_member(&out["json"], &["payload"]),
        ),
    ];
    for (what, token) in &tampered {
        let jws = Jws::parse(token, &limits())
            .unwrap_or_else(|e| panic!("[{name}] {alg} {what} still parses: {e}"));
        assert_err(
            jws.verify(&keys),
            "BadSignature",
            &format!("{alg} tampered {what}"),
            p,
        );
    }
    // The right key bound to the wrong algorithm (or a key for another algorithm) is refused.
    for (ser, text) in outputs(v) {
        let jws = Jws::parse(&text, &limits()).unwrap();
        for w in wrong {
            assert_err(
                jws.verify([w]),
                "AlgorithmNotAllowed",
                &format!("{alg} {ser} verified with a {} key", w.alg()),
                p,
            );
        }
        assert_err(
            jws.verify(&[] as &[VerifyingKey]),
            "AlgorithmNotAllowed",
            &format!("{alg} {ser} with no keys"),
            p,
        );
    }
}

#[test]
fn rfc7520_4_1_rs256_verifies_and_is_reproduced_byte_for_byte() {
    let v = json(JWS_4_1);
    for p in providers() {
        let name = p.name();
        let key_json = m(&v, &["input", "key"]);
        let public = private_from_jwk(key_json, p).public_key();
        let wrong = [
            vk(public.clone(), JwsAlgorithm::Ps256, p),
            vk(public.clone(), JwsAlgorithm::Rs512, p),
        ];
        check_single_signature_vector(&v, JwsAlgorithm::Rs256, &wrong, p);

        // RS256 is deterministic: the protected header from the vector (in its member order) and
        // the vector's key reproduce every output exactly.
        let header = header_at(JWS_4_1, &["signing", "protected"]);
        assert_eq!(
            b64::encode(header.to_json().as_bytes()),
            s(&v, &["signing", "protected_b64u"]),
            "[{name}] protected header serializes exactly"
        );
        let signer = SigningKey::new(private_from_jwk(key_json, p), JwsAlgorithm::Rs256).unwrap();
        let payload = s(&v, &["input", "payload"]).as_bytes();
        let jws = JwsBuilder::new(payload)
            .signer_with(&signer, header, None)
            .sign()
            .unwrap();
        assert_eq!(
            jws.to_compact().unwrap(),
            s(&v, &["output", "compact"]),
            "[{name}] 4.1 compact"
        );
        assert_eq!(
            jws.signatures()[0].signature(),
            unb64(s(&v, &["signing", "sig"])),
            "[{name}] 4.1 signature"
        );
        assert_eq!(
            json(&jws.to_flattened_json().unwrap()),
            v["output"]["json_flat"],
            "[{name}] 4.1 flattened"
        );
        assert_eq!(
            json(&jws.to_general_json().unwrap()),
            v["output"]["json"],
            "[{name}] 4.1 general"
        );
        // The builder's default header (alg, then the key's kid) is the same header.
        let default = JwsBuilder::new(payload).signer(&signer).sign().unwrap();
        assert_eq!(
            default.to_compact().unwrap(),
            s(&v, &["output", "compact"]),
            "[{name}] 4.1 default header"
        );
    }
}

/// Signs the vector's payload anew (randomized algorithms) with the vector's protected header on
/// `p` and verifies it on the other provider. `text` is the vector file `v` was parsed from.
fn sign_anew_and_cross_verify(text: &str, v: &Value, alg: JwsAlgorithm, sig_len: usize) {
    for (i, p) in providers().into_iter().enumerate() {
        let q = other(i);
        let key_json = m(v, &["input", "key"]);
        let signer = SigningKey::new(private_from_jwk(key_json, p), alg).unwrap();
        let payload = s(v, &["input", "payload"]).as_bytes();
        let header = header_at(text, &["signing", "protected"]);
        let jws = JwsBuilder::new(payload)
            .signer_with(&signer, header, None)
            .sign()
            .unwrap();
        assert_eq!(
            jws.signatures()[0].protected_b64(),
            s(v, &["signing", "protected_b64u"]),
            "[{}] {alg}",
            p.name()
        );
        assert_eq!(
            jws.signatures()[0].signature().len(),
            sig_len,
            "[{}] {alg} signature length",
            p.name()
        );
        let verifier = vk(private_from_jwk(key_json, q).public_key(), alg, q);
        for token in [
            jws.to_compact().unwrap(),
            jws.to_flattened_json().unwrap(),
            jws.to_general_json().unwrap(),
        ] {
            let parsed = Jws::parse(&token, &limits()).unwrap();
            assert_eq!(
                parsed.verify([&verifier]).unwrap(),
                payload,
                "{alg}: signed on {}, verified on {}",
                p.name(),
                q.name()
            );
            assert_err(
                Jws::parse(
                    &flip_compact_segment(&jws.to_compact().unwrap(), 2),
                    &limits(),
                )
                .unwrap()
                .verify([&verifier]),
                "BadSignature",
                &format!("{alg} fresh signature tampered, signed on {}", p.name()),
                q,
            );
        }
    }
}

#[test]
fn rfc7520_4_2_ps384_verifies_and_signs_across_providers() {
    let v = json(JWS_4_2);
    for p in providers() {
        let public = private_from_jwk(m(&v, &["input", "key"]), p).public_key();
        let wrong = [
            vk(public.clone(), JwsAlgorithm::Ps256, p),
            vk(public.clone(), JwsAlgorithm::Rs384, p),
        ];
        check_single_signature_vector(&v, JwsAlgorithm::Ps384, &wrong, p);
    }
    sign_anew_and_cross_verify(JWS_4_2, &v, JwsAlgorithm::Ps384, 256);
}

#[test]
fn rfc7520_4_3_es512_verifies_and_signs_across_providers() {
    let v = json(JWS_4_3);
    let a3 = json(A3_ES256);
    for p in providers() {
        // A P-521 key cannot be bound to ES256; a P-256 key bound to ES256 is the wrong algorithm.
        let key = private_from_jwk(m(&v, &["input", "key"]), p).public_key();
        assert_err(
            VerifyingKey::new(key.clone(), JwsAlgorithm::Es256),
            "InvalidKey",
            "binding a P-521 key to ES256",
            p,
        );
        assert_err(
            VerifyingKey::new(key, JwsAlgorithm::Rs256),
            "InvalidKey",
            "binding a P-521 key to RS256",
            p,
        );
        let wrong = [vk(
            public_from_jwk(m(&a3, &["key"]), p),
            JwsAlgorithm::Es256,
            p,
        )];
        check_single_signature_vector(&v, JwsAlgorithm::Es512, &wrong, p);
    }
    sign_anew_and_cross_verify(JWS_4_3, &v, JwsAlgorithm::Es512, 132);
}

// ---------------------------------------------------------------------------------------------
// RFC 7520 section 4.8: RS256 + ES512 (no protected header) + HS256 in one general JSON.
// ---------------------------------------------------------------------------------------------

#[test]
fn rfc7520_4_8_multiple_signatures() {
    let v = json(JWS_4_8);
    let payload = s(&v, &["input", "payload"]).as_bytes();
    let token = m(&v, &["output", "json"]).clone();
    for p in providers() {
        let name = p.name();
        let keys = m(&v, &["input", "key"]).as_array().unwrap();
        let rs = vk(
            private_from_jwk(&keys[0], p).public_key(),
            JwsAlgorithm::Rs256,
            p,
        );
        let es = vk(public_from_jwk(&keys[1], p), JwsAlgorithm::Es512, p);
        let jws = Jws::from_json(&token.to_string(), &limits()).unwrap();
        assert_eq!(jws.signatures().len(), 3, "[{name}]");
        assert_eq!(
            jws.signatures()[1].protected_b64(),
            "",
            "[{name}] ES512 signature has no protected header"
        );
        assert_eq!(
            jws,
            Jws::parse(&token.to_string(), &limits()).unwrap(),
            "[{name}]"
        );

        let by_rs = jws
            .verify_with([&rs], None, &VerifyOptions::default())
            .unwrap();
        assert_eq!(
            (by_rs.signature_index, by_rs.alg),
            (0, JwsAlgorithm::Rs256),
            "[{name}] RS256 key"
        );
        assert_eq!(
            by_rs.header.kid().unwrap(),
            Some("bilbo.baggins@hobbiton.example"),
            "[{name}]"
        );
        let by_es = jws
            .verify_with([&es], None, &VerifyOptions::default())
            .unwrap();
        assert_eq!(
            (by_es.signature_index, by_es.alg),
            (1, JwsAlgorithm::Es512),
            "[{name}] ES512 key"
        );
        assert_eq!(
            by_es.header.alg().unwrap(),
            Some("ES512"),
            "[{name}] ES512 alg from the unprotected header"
        );
        assert_eq!(jws.verify([&rs]).unwrap(), payload, "[{name}] RS256 key");
        assert_eq!(jws.verify([&es]).unwrap(), payload, "[{name}] ES512 key");
        let both = jws
            .verify_with([&es, &rs], None, &VerifyOptions::default())
            .unwrap();
        assert_eq!(
            both.signature_index, 0,
            "[{name}] first verifying signature wins"
        );

        // Tampering with one signature: its own key rejects, the other still accepts.
        let bad_es = Jws::parse(
            &flip_json_member(&token, &["signatures", "1", "signature"]),
            &limits(),
        )
        .unwrap();
        assert_err(
            bad_es.verify([&es]),
            "BadSignature",
            "4.8 tampered ES512 signature",
            p,
        );
        assert_eq!(
            bad_es
                .verify_with([&es, &rs], None, &VerifyOptions::default())
                .unwrap()
                .signature_index,
            0,
            "[{name}] RS256 still verifies"
        );
        let bad_rs = Jws::parse(
            &flip_json_member(&token, &["signatures", "0", "signature"]),
            &limits(),
        )
        .unwrap();
        assert_err(
            bad_rs.verify([&rs]),
            "BadSignature",
            "4.8 tampered RS256 signature",
            p,
        );
        assert_eq!(
            bad_rs
                .verify_with([&rs, &es], None, &VerifyOptions::default())
                .unwrap()
                .signature_index,
            1,
            "[{name}] ES512 still verifies"
        );
        let bad_payload = Jws::parse(&flip_json_member(&token, &["payload"]), &limits()).unwrap();
        assert_err(
            bad_payload.verify([&rs, &es]),
            "BadSignature",
            "4.8 tampered payload",
            p,
        );

        // Wrong binding / wrong kid.
        let ps = vk(rs.public_key().unwrap().clone(), JwsAlgorithm::Ps256, p);
        assert_err(
            jws.verify(&[ps]),
            "AlgorithmNotAllowed",
            "4.8 with a PS256 binding",
            p,
        );
        let other_kid = vk(
            rs.public_key()
                .unwrap()
                .clone()
                .with_kid("someone.else@example"),
            JwsAlgorithm::Rs256,
            p,
        );
        assert_err(
            jws.verify(&[other_kid]),
            "NoMatchingKey",
            "4.8 with an RS256 key of another kid",
            p,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 7520 section 5.2: RSA-OAEP + A256GCM.
// ---------------------------------------------------------------------------------------------

/// Reproduces the AES-GCM half of a JWE and checks that `p` opens it.
#[allow(clippy::too_many_arguments)]
fn check_aes_gcm_half(
    p: &dyn CryptoProvider,
    what: &str,
    enc: ContentEncryption,
    cek: &str,
    iv: &str,
    protected_b64u: &str,
    plaintext: &[u8],
    ciphertext: &str,
    tag: &str,
) {
    let (cek, iv) = (unb64(cek), unb64(iv));
    assert_eq!(cek.len(), enc.key_len(), "{what}: CEK length");
    let aad = content_aad(protected_b64u, None);
    let (ct, t) = p.aead_seal(enc, &cek, &iv, &aad, plaintext).unwrap();
    assert_eq!(
        b64::encode(&ct),
        ciphertext,
        "[{}] {what}: ciphertext byte for byte",
        p.name()
    );
    assert_eq!(
        b64::encode(&t),
        tag,
        "[{}] {what}: tag byte for byte",
        p.name()
    );
    let opened = p.aead_open(enc, &cek, &iv, &aad, &ct, &t).unwrap();
    assert_eq!(&opened[..], plaintext, "[{}] {what}: opens", p.name());
    let mut bad_tag = t;
    bad_tag[0] ^= 1;
    assert_err(
        p.aead_open(enc, &cek, &iv, &aad, &ct, &bad_tag),
        "DecryptionFailed",
        what,
        p,
    );
}

/// Decrypts each serialized form with `keys`, expecting `plaintext`; then checks tampering.
fn check_jwe_outputs(
    p: &dyn CryptoProvider,
    what: &str,
    forms: &[(&str, String)],
    keys: &[&DecryptingKey],
    enc: ContentEncryption,
    plaintext: &[u8],
) {
    let name = p.name();
    for (ser, text) in forms {
        let parsed = if *ser == "compact" {
            Jwe::from_compact(text, &limits())
        } else {
            Jwe::from_json(text, &limits())
        }
        .unwrap_or_else(|e| panic!("[{name}] {what} {ser} parses: {e}"));
        assert_eq!(
            parsed,
            Jwe::parse(text, &limits()).unwrap(),
            "[{name}] {what} {ser}"
        );
        let out = parsed
            .decrypt(keys, &[enc], p)
            .unwrap_or_else(|e| panic!("[{name}] {what} {ser}: {e}"));
        assert_eq!(&out.plaintext[..], plaintext, "[{name}] {what} {ser}");
        assert_eq!(out.recipient_index, 0, "[{name}] {what} {ser}");
        assert_eq!(
            out.header.enc().unwrap(),
            Some(enc.name()),
            "[{name}] {what} {ser}"
        );
        // Every enc other than the token's is refused by the allow-list.
        let others: Vec<ContentEncryption> = ContentEncryption::ALL
            .iter()
            .copied()
            .filter(|e| *e != enc)
            .collect();
        assert_err(
            parsed.decrypt(keys, &others, p),
            "AlgorithmNotAllowed",
            &format!("{what} {ser} enc not allowed"),
            p,
        );
        assert_err(
            parsed.decrypt(&[] as &[DecryptingKey], &[enc], p),
            "AlgorithmNotAllowed",
            &format!("{what} {ser} no keys"),
            p,
        );
        // Re-serializing what we parsed gives a token that still decrypts.
        for again in [
            parsed.to_compact().unwrap(),
            parsed.to_flattened_json().unwrap(),
            parsed.to_general_json().unwrap(),
        ] {
            let d = Jwe::parse(&again, &limits())
                .unwrap()
                .decrypt(keys, &[enc], p)
                .unwrap();
            assert_eq!(
                &d.plaintext[..],
                plaintext,
                "[{name}] {what} {ser} re-serialized"
            );
        }
    }
    // Tampering with the encrypted key, IV, ciphertext or tag: the same opaque error.
    let (_, compact) = forms
        .iter()
        .find(|(k, _)| *k == "compact")
        .expect("a compact form");
    for (segment, part) in [
        (1, "encrypted key"),
        (2, "IV"),
        (3, "ciphertext"),
        (4, "tag"),
    ] {
        let token = flip_compact_segment(compact, segment);
        let jwe = Jwe::parse(&token, &limits())
            .unwrap_or_else(|e| panic!("[{name}] {what} tampered {part} parses: {e}"));
        assert_err(
            jwe.decrypt(keys, &[enc], p),
            "DecryptionFailed",
            &format!("{what} compact, tampered {part}"),
            p,
        );
    }
    for (ser, text) in forms.iter().filter(|(k, _)| *k != "compact") {
        let v = json(text);
        let ek_path: Vec<&str> = if v.get("recipients").is_some() {
            vec!["recipients", "0", "encrypted_key"]
        } else {
            vec!["encrypted_key"]
        };
        for path in [vec!["tag"], vec!["ciphertext"], vec!["iv"], ek_path] {
            let jwe = Jwe::parse(&flip_json_member(&v, &path), &limits()).unwrap();
            assert_err(
                jwe.decrypt(keys, &[enc], p),
                "DecryptionFailed",
                &format!("{what} {ser}, tampered {path:?}"),
                p,
            );
        }
    }
}

#[test]
fn rfc7520_5_2_rsa_oaep_a256gcm_decrypts_and_aes_gcm_half_is_reproduced() {
    let v = json(JWE_5_2);
    let plaintext = s(&v, &["input", "plaintext"]).as_bytes();
    let protected_b64u = s(&v, &["encrypting_content", "protected_b64u"]);
    let forms = vec![
        ("compact", s(&v, &["output", "compact"]).to_owned()),
        ("flattened", m(&v, &["output", "json_flat"]).to_string()),
        ("general", m(&v, &["output", "json"]).to_string()),
    ];
    for p in providers() {
        let name = p.name();
        let key = private_from_jwk(m(&v, &["input", "key"]), p);
        let dk = DecryptingKey::new(key.clone(), KeyManagementAlgorithm::RsaOaep).unwrap();
        check_jwe_outputs(
            p,
            "5.2",
            &forms,
            &[&dk],
            ContentEncryption::A256Gcm,
            plaintext,
        );

        // The protected header is reproduced from the vector's JSON, and the RSA half unwraps to
        // the vector's CEK.
        let header = header_at(JWE_5_2, &["encrypting_content", "protected"]);
        assert_eq!(
            b64::encode(header.to_json().as_bytes()),
            protected_b64u,
            "[{name}] 5.2 protected header"
        );
        let cek = dk
            .private_key()
            .unwrap()
            .ops()
            .unwrap_key(
                dk.alg(),
                &unb64(s(&v, &["encrypting_key", "encrypted_key"])),
            )
            .unwrap();
        assert_eq!(
            &cek[..],
            unb64(s(&v, &["generated", "cek"])),
            "[{name}] 5.2 unwrapped CEK"
        );
        check_aes_gcm_half(
            p,
            "5.2",
            ContentEncryption::A256Gcm,
            s(&v, &["generated", "cek"]),
            s(&v, &["generated", "iv"]),
            protected_b64u,
            plaintext,
            s(&v, &["encrypting_content", "ciphertext"]),
            s(&v, &["encrypting_content", "tag"]),
        );
        // With the vector's encrypted key, our AES-GCM output rebuilds the whole compact token.
        let (ct, tag) = p
            .aead_seal(
                ContentEncryption::A256Gcm,
                &unb64(s(&v, &["generated", "cek"])),
                &unb64(s(&v, &["generated", "iv"])),
                &content_aad(protected_b64u, None),
                plaintext,
            )
            .unwrap();
        let rebuilt = format!(
            "{protected_b64u}.{}.{}.{}.{}",
            s(&v, &["encrypting_key", "encrypted_key"]),
            s(&v, &["generated", "iv"]),
            b64::encode(&ct),
            b64::encode(&tag)
        );
        assert_eq!(
            rebuilt,
            s(&v, &["output", "compact"]),
            "[{name}] 5.2 compact rebuilt"
        );

        // Wrong algorithm: the JWK says "alg":"RSA-OAEP", so binding to RSA-OAEP-256 fails; without
        // that metadata it binds, and the token's RSA-OAEP is then not allowed.
        assert_err(
            DecryptingKey::new(key.clone(), KeyManagementAlgorithm::RsaOaep256),
            "AlgorithmNotAllowed",
            "5.2 key (alg RSA-OAEP) bound to RSA-OAEP-256",
            p,
        );
        let bare = DecryptingKey::new(
            key.clone().with_meta(KeyMeta::default()),
            KeyManagementAlgorithm::RsaOaep256,
        )
        .unwrap();
        for (ser, text) in &forms {
            let jwe = Jwe::parse(text, &limits()).unwrap();
            assert_err(
                jwe.decrypt([&bare], &[ContentEncryption::A256Gcm], p),
                "AlgorithmNotAllowed",
                &format!("5.2 {ser} with an RSA-OAEP-256 key"),
                p,
            );
            // A key of the right algorithm but another kid does not match.
            let stranger = DecryptingKey::new(
                key.clone().with_kid("someone.else"),
                KeyManagementAlgorithm::RsaOaep,
            )
            .unwrap();
            assert_err(
                jwe.decrypt([&stranger], &[ContentEncryption::A256Gcm], p),
                "NoMatchingKey",
                &format!("5.2 {ser} with another kid"),
                p,
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 7520 section 6: a PS256 JWS inside an RSA-OAEP + A128GCM JWE.
// ---------------------------------------------------------------------------------------------

#[test]
fn rfc7520_6_nested_jws_in_jwe() {
    let v = json(NESTED_6);
    let inner = s(&v, &["sign", "output", "compact"]);
    assert_eq!(
        inner,
        s(&v, &["encrypt", "input", "plaintext"]),
        "vector consistency"
    );
    let payload = s(&v, &["sign", "input", "payload"]).as_bytes();
    let enc_v = m(&v, &["encrypt"]);
    let forms = vec![
        ("compact", s(enc_v, &["output", "compact"]).to_owned()),
        ("flattened", m(enc_v, &["output", "json_flat"]).to_string()),
        ("general", m(enc_v, &["output", "json"]).to_string()),
    ];
    for p in providers() {
        let name = p.name();
        let dk = DecryptingKey::new(
            private_from_jwk(m(enc_v, &["input", "key"]), p),
            KeyManagementAlgorithm::RsaOaep,
        )
        .unwrap();
        let sign_key = m(&v, &["sign", "input", "key"]);
        let verifier = vk(public_from_jwk(sign_key, p), JwsAlgorithm::Ps256, p);
        check_jwe_outputs(
            p,
            "6",
            &forms,
            &[&dk],
            ContentEncryption::A128Gcm,
            inner.as_bytes(),
        );

        for (ser, text) in &forms {
            // The manual path: decrypt, then parse and verify the inner compact JWS.
            let d = Jwe::parse(text, &limits())
                .unwrap()
                .decrypt([&dk], &[ContentEncryption::A128Gcm], p)
                .unwrap();
            assert_eq!(d.header.cty().unwrap(), Some("JWT"), "[{name}] 6 {ser}");
            let jws =
                Jws::from_compact(std::str::from_utf8(&d.plaintext).unwrap(), &limits()).unwrap();
            assert_eq!(
                jws.verify([&verifier]).unwrap(),
                payload,
                "[{name}] 6 {ser} manual"
            );

            // The library path.
            let opened = nested::decrypt_then_verify(
                text,
                [&dk],
                &[ContentEncryption::A128Gcm],
                [&verifier],
                &limits(),
                p,
            )
            .unwrap_or_else(|e| panic!("[{name}] 6 {ser} decrypt_then_verify: {e}"));
            assert_eq!(opened.payload, payload, "[{name}] 6 {ser}");
            assert_eq!(
                opened.jwe_header.cty().unwrap(),
                Some("JWT"),
                "[{name}] 6 {ser}"
            );
            assert_eq!(
                opened.jws_header.alg().unwrap(),
                Some("PS256"),
                "[{name}] 6 {ser}"
            );
            assert_eq!(
                opened.jws_header.typ().unwrap(),
                Some("JWT"),
                "[{name}] 6 {ser}"
            );

            // The inner JWS checked with the wrong binding, and the outer JWE tampered.
            let rs = vk(public_from_jwk(sign_key, p), JwsAlgorithm::Rs256, p);
            assert_err(
                nested::decrypt_then_verify(
                    text,
                    [&dk],
                    &[ContentEncryption::A128Gcm],
                    &[rs],
                    &limits(),
                    p,
                ),
                "AlgorithmNotAllowed",
                &format!("6 {ser} inner JWS with an RS256 binding"),
                p,
            );
        }
        let tampered = flip_compact_segment(&forms[0].1, 3);
        assert_err(
            nested::decrypt_then_verify(
                &tampered,
                [&dk],
                &[ContentEncryption::A128Gcm],
                [&verifier],
                &limits(),
                p,
            ),
            "DecryptionFailed",
            "6 tampered outer ciphertext",
            p,
        );
        // The inner JWS alone, tampered.
        assert_err(
            Jws::from_compact(&flip_compact_segment(inner, 2), &limits())
                .unwrap()
                .verify([&verifier]),
            "BadSignature",
            "6 inner JWS tampered",
            p,
        );
        // The AES-GCM half from the generated CEK and IV.
        check_aes_gcm_half(
            p,
            "6",
            ContentEncryption::A128Gcm,
            s(enc_v, &["generated", "cek"]),
            s(enc_v, &["generated", "iv"]),
            s(enc_v, &["encrypting_content", "protected_b64u"]),
            inner.as_bytes(),
            s(enc_v, &["encrypting_content", "ciphertext"]),
            s(enc_v, &["encrypting_content", "tag"]),
        );
        let header = header_at(NESTED_6, &["encrypt", "encrypting_content", "protected"]);
        assert_eq!(
            b64::encode(header.to_json().as_bytes()),
            s(enc_v, &["encrypting_content", "protected_b64u"]),
            "[{name}] 6 JWE protected header"
        );
        let cek = dk
            .private_key()
            .unwrap()
            .ops()
            .unwrap_key(
                dk.alg(),
                &unb64(s(enc_v, &["encrypting_key", "encrypted_key"])),
            )
            .unwrap();
        assert_eq!(
            &cek[..],
            unb64(s(enc_v, &["generated", "cek"])),
            "[{name}] 6 unwrapped CEK"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 7515 appendix A and RFC 7516 appendix A.1.
// ---------------------------------------------------------------------------------------------

/// The protected header of an RFC 7515 appendix vector (its JSON text), parsed in its member
/// order.
fn header_from_text(text: &str) -> Header {
    Header::from_json_bytes(text.as_bytes(), &limits()).expect("vector header parses")
}

#[test]
fn rfc7515_a2_rs256_verifies_and_is_reproduced() {
    let v = json(A2_RS256);
    let payload = unb64(s(&v, &["payload_b64u"]));
    for p in providers() {
        let name = p.name();
        let key = private_from_jwk(m(&v, &["key"]), p);
        let verifier = vk(key.public_key(), JwsAlgorithm::Rs256, p);
        let compact = s(&v, &["compact"]);
        let jws = Jws::from_compact(compact, &limits()).unwrap();
        assert_eq!(
            jws.verify([&verifier]).unwrap(),
            &payload[..],
            "[{name}] A.2"
        );
        assert_eq!(jws.signatures()[0].signature().len(), 256, "[{name}] A.2");

        let header = header_from_text(s(&v, &["protected"]));
        assert_eq!(
            b64::encode(header.to_json().as_bytes()),
            s(&v, &["protected_b64u"]),
            "[{name}] A.2 header"
        );
        let signer = SigningKey::new(key, JwsAlgorithm::Rs256).unwrap();
        let again = JwsBuilder::new(&payload)
            .signer_with(&signer, header, None)
            .sign()
            .unwrap();
        assert_eq!(
            again.to_compact().unwrap(),
            compact,
            "[{name}] A.2 reproduced byte for byte"
        );
        assert_eq!(
            b64::encode(again.signatures()[0].signature()),
            s(&v, &["signature_b64u"]),
            "[{name}] A.2"
        );

        for (seg, what) in [(1, "payload"), (2, "signature")] {
            let t = Jws::from_compact(&flip_compact_segment(compact, seg), &limits()).unwrap();
            assert_err(
                t.verify([&verifier]),
                "BadSignature",
                &format!("A.2 tampered {what}"),
                p,
            );
        }
        let ps = vk(
            verifier.public_key().unwrap().clone(),
            JwsAlgorithm::Ps256,
            p,
        );
        assert_err(
            jws.verify(&[ps]),
            "AlgorithmNotAllowed",
            "A.2 with a PS256 binding",
            p,
        );
    }
}

/// RFC 7515 A.3 (ES256) and A.4 (ES512): the vector verifies; a fresh signature made on one
/// provider verifies on the other; tampering and a wrong binding are rejected.
fn check_ecdsa_appendix(
    v: &Value,
    alg: JwsAlgorithm,
    wrong_alg_vector: &Value,
    wrong_alg: JwsAlgorithm,
) {
    let payload = unb64(s(v, &["payload_b64u"]));
    for (i, p) in providers().into_iter().enumerate() {
        let name = p.name();
        let compact = s(v, &["compact"]);
        let verifier = vk(public_from_jwk(m(v, &["key"]), p), alg, p);
        let jws = Jws::parse(compact, &limits()).unwrap();
        assert_eq!(
            jws.verify([&verifier]).unwrap(),
            &payload[..],
            "[{name}] {alg}"
        );
        assert_eq!(
            jws.signatures()[0].signature().len(),
            usize::try_from(m(v, &["signature_len"]).as_u64().unwrap()).unwrap(),
            "[{name}] {alg} signature length"
        );
        for (seg, what) in [(1, "payload"), (2, "signature")] {
            let t = Jws::from_compact(&flip_compact_segment(compact, seg), &limits()).unwrap();
            assert_err(
                t.verify([&verifier]),
                "BadSignature",
                &format!("{alg} tampered {what}"),
                p,
            );
        }
        let wrong = vk(
            public_from_jwk(m(wrong_alg_vector, &["key"]), p),
            wrong_alg,
            p,
        );
        assert_err(
            jws.verify(&[wrong]),
            "AlgorithmNotAllowed",
            &format!("{alg} with a {wrong_alg} key"),
            p,
        );

        // Fresh signature on this provider, verified on the other.
        let header = header_from_text(s(v, &["protected"]));
        let signer = SigningKey::new(private_from_jwk(m(v, &["key"]), p), alg).unwrap();
        let fresh = JwsBuilder::new(&payload)
            .signer_with(&signer, header, None)
            .sign()
            .unwrap();
        let token = fresh.to_compact().unwrap();
        assert!(
            token.starts_with(&format!(
                "{}.{}.",
                s(v, &["protected_b64u"]),
                s(v, &["payload_b64u"])
            )),
            "[{name}]"
        );
        let q = other(i);
        let cross = vk(public_from_jwk(m(v, &["key"]), q), alg, q);
        assert_eq!(
            Jws::parse(&token, &limits())
                .unwrap()
                .verify(&[cross])
                .unwrap(),
            &payload[..],
            "{alg}: signed on {name}, verified on {}",
            q.name()
        );
    }
}

#[test]
fn rfc7515_a3_es256_verifies() {
    check_ecdsa_appendix(
        &json(A3_ES256),
        JwsAlgorithm::Es256,
        &json(A4_ES512),
        JwsAlgorithm::Es512,
    );
}

#[test]
fn rfc7515_a4_es512_verifies() {
    check_ecdsa_appendix(
        &json(A4_ES512),
        JwsAlgorithm::Es512,
        &json(A3_ES256),
        JwsAlgorithm::Es256,
    );
}

#[test]
fn rfc7515_a6_general_and_a7_flattened_json() {
    let a6 = json(A6_GENERAL);
    let a7 = json(A7_FLATTENED);
    let a2 = json(A2_RS256);
    let a3 = json(A3_ES256);
    let payload = unb64(s(&a2, &["payload_b64u"]));
    for p in providers() {
        let name = p.name();
        let rs = vk(public_from_jwk(m(&a2, &["key"]), p), JwsAlgorithm::Rs256, p);
        let es = vk(public_from_jwk(m(&a3, &["key"]), p), JwsAlgorithm::Es256, p);

        let general = m(&a6, &["serialized"]).clone();
        let jws = Jws::from_json(&general.to_string(), &limits()).unwrap();
        assert_eq!(jws.signatures().len(), 2, "[{name}] A.6");
        let r = jws
            .verify_with([&rs], None, &VerifyOptions::default())
            .unwrap();
        assert_eq!(
            (r.signature_index, r.alg),
            (0, JwsAlgorithm::Rs256),
            "[{name}] A.6 RS256"
        );
        assert_eq!(
            r.header.kid().unwrap(),
            Some("2010-12-29"),
            "[{name}] A.6 RS256 kid"
        );
        let e = jws
            .verify_with([&es], None, &VerifyOptions::default())
            .unwrap();
        assert_eq!(
            (e.signature_index, e.alg),
            (1, JwsAlgorithm::Es256),
            "[{name}] A.6 ES256"
        );
        assert_eq!(
            jws.verify([&es]).unwrap(),
            &payload[..],
            "[{name}] A.6 payload"
        );
        // Keys carrying the right kid still match; a wrong kid does not.
        let rs_kid = vk(
            rs.public_key().unwrap().clone().with_kid("2010-12-29"),
            JwsAlgorithm::Rs256,
            p,
        );
        assert_eq!(
            jws.verify(&[rs_kid]).unwrap(),
            &payload[..],
            "[{name}] A.6 RS256 with kid"
        );
        let rs_wrong_kid = vk(
            rs.public_key().unwrap().clone().with_kid("2011-01-01"),
            JwsAlgorithm::Rs256,
            p,
        );
        assert_err(
            jws.verify(&[rs_wrong_kid]),
            "NoMatchingKey",
            "A.6 RS256 key with another kid",
            p,
        );
        let bad = Jws::parse(
            &flip_json_member(&general, &["signatures", "1", "signature"]),
            &limits(),
        )
        .unwrap();
        assert_err(
            bad.verify([&es]),
            "BadSignature",
            "A.6 tampered ES256 signature",
            p,
        );
        assert_eq!(
            bad.verify([&rs]).unwrap(),
            &payload[..],
            "[{name}] A.6 RS256 unaffected"
        );

        let flat = m(&a7, &["serialized"]).clone();
        let jws = Jws::from_json(&flat.to_string(), &limits()).unwrap();
        assert_eq!(
            jws,
            Jws::parse(&flat.to_string(), &limits()).unwrap(),
            "[{name}] A.7"
        );
        assert_eq!(jws.verify([&es]).unwrap(), &payload[..], "[{name}] A.7");
        assert_err(
            jws.verify([&rs]),
            "AlgorithmNotAllowed",
            "A.7 with an RS256 key",
            p,
        );
        for path in [&["signature"][..], &["payload"][..]] {
            let bad = Jws::parse(&flip_json_member(&flat, path), &limits()).unwrap();
            assert_err(
                bad.verify([&es]),
                "BadSignature",
                &format!("A.7 tampered {path:?}"),
                p,
            );
        }
        // A.7 is A.6's second signature alone: the same signature and headers.
        assert_eq!(
            Jws::from_json(&general.to_string(), &limits())
                .unwrap()
                .signatures()[1],
            jws.signatures()[0],
            "[{name}] A.6/A.7 consistency"
        );
    }
}

#[test]
fn rfc7516_a1_rsa_oaep_a256gcm_decrypts_and_aes_gcm_half_is_reproduced() {
    let v = json(JWE_A1);
    let plaintext = s(&v, &["plaintext"]).as_bytes();
    let compact = s(&v, &["compact"]);
    for p in providers() {
        let name = p.name();
        let dk = DecryptingKey::new(
            private_from_jwk(m(&v, &["key"]), p),
            KeyManagementAlgorithm::RsaOaep,
        )
        .unwrap();
        let jwe = Jwe::from_compact(compact, &limits()).unwrap();
        let forms = vec![
            ("compact", compact.to_owned()),
            ("flattened", jwe.to_flattened_json().unwrap()),
            ("general", jwe.to_general_json().unwrap()),
        ];
        check_jwe_outputs(
            p,
            "RFC 7516 A.1",
            &forms,
            &[&dk],
            ContentEncryption::A256Gcm,
            plaintext,
        );
        assert_eq!(
            b64::encode(
                header_at(JWE_A1, &["protected_header"])
                    .to_json()
                    .as_bytes()
            ),
            s(&v, &["protected_b64u"]),
            "[{name}] A.1 protected header"
        );
        let cek = dk
            .private_key()
            .unwrap()
            .ops()
            .unwrap_key(dk.alg(), &unb64(s(&v, &["encrypted_key_b64u"])))
            .unwrap();
        assert_eq!(
            b64::encode(&cek),
            s(&v, &["cek_b64u"]),
            "[{name}] A.1 unwrapped CEK"
        );
        check_aes_gcm_half(
            p,
            "RFC 7516 A.1",
            ContentEncryption::A256Gcm,
            s(&v, &["cek_b64u"]),
            s(&v, &["iv_b64u"]),
            s(&v, &["protected_b64u"]),
            plaintext,
            s(&v, &["ciphertext_b64u"]),
            s(&v, &["tag_b64u"]),
        );
        let bare = DecryptingKey::new(
            dk.private_key().unwrap().clone(),
            KeyManagementAlgorithm::RsaOaep256,
        )
        .unwrap();
        assert_err(
            jwe.decrypt(&[bare], &[ContentEncryption::A256Gcm], p),
            "AlgorithmNotAllowed",
            "A.1 with an RSA-OAEP-256 binding",
            p,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 7520 section 3 JWKs and the RFC 7638 thumbprint.
// ---------------------------------------------------------------------------------------------

#[test]
fn rfc7520_3_jwks_import_and_export_with_the_same_members() {
    let ec_pub = json(JWK_3_1);
    let ec_priv = json(JWK_3_2);
    let rsa_pub = json(JWK_3_3);
    let rsa_priv = json(JWK_3_4);
    for (i, p) in providers().into_iter().enumerate() {
        let name = p.name();
        for (what, v) in [
            ("3.1", &ec_pub),
            ("3.2", &ec_priv),
            ("3.3", &rsa_pub),
            ("3.4", &rsa_priv),
        ] {
            let parsed = jwk(v);
            assert_eq!(
                jwk_value(&parsed),
                *v,
                "[{name}] {what}: JWK parse/print round trip"
            );
            assert_eq!(
                parsed.kid.as_deref(),
                Some("bilbo.baggins@hobbiton.example"),
                "[{name}] {what}"
            );
            assert_eq!(parsed.use_.as_deref(), Some("sig"), "[{name}] {what}");
        }
        for (what, v, public_v, curve_or_rsa) in [
            ("3.2", &ec_priv, &ec_pub, Some(EcCurve::P521)),
            ("3.4", &rsa_priv, &rsa_pub, None),
        ] {
            let key = private_from_jwk(v, p);
            match curve_or_rsa {
                Some(c) => assert_eq!(key.kind(), KeyKind::Ec(c), "[{name}] {what}"),
                None => assert_eq!(key.kind(), KeyKind::Rsa { bits: 2048 }, "[{name}] {what}"),
            }
            assert_eq!(
                key.kid(),
                Some("bilbo.baggins@hobbiton.example"),
                "[{name}] {what}"
            );
            assert_eq!(
                jwk_value(&key.to_jwk().unwrap()),
                *v,
                "[{name}] {what}: private export"
            );
            assert_eq!(
                jwk_value(&key.public_key().to_jwk().unwrap()),
                *public_v,
                "[{name}] {what}: public half"
            );
            let public = public_from_jwk(public_v, p);
            assert_eq!(
                jwk_value(&public.to_jwk().unwrap()),
                *public_v,
                "[{name}] {what}: public export"
            );
            // A private JWK imported as public gives the public key only.
            assert_eq!(
                jwk_value(&public_from_jwk(v, p).to_jwk().unwrap()),
                *public_v,
                "[{name}] {what}"
            );

            // The keys work: sign with the private key here, verify with the public JWK there.
            let alg = if curve_or_rsa.is_some() {
                JwsAlgorithm::Es512
            } else {
                JwsAlgorithm::Rs256
            };
            let signer = SigningKey::new(key, alg).unwrap();
            let token = JwsBuilder::new(b"section 3")
                .signer(&signer)
                .sign()
                .unwrap()
                .to_compact()
                .unwrap();
            let q = other(i);
            let verifier = vk(public_from_jwk(public_v, q), alg, q);
            assert_eq!(
                Jws::parse(&token, &limits())
                    .unwrap()
                    .verify(&[verifier])
                    .unwrap(),
                b"section 3",
                "[{name}] {what}"
            );
        }
    }
}

#[test]
fn rfc7638_thumbprint_example() {
    let parsed = jwk(&json(RFC7638_KEY));
    for p in providers() {
        assert_eq!(
            thumbprint(&parsed, p),
            RFC7638_THUMBPRINT,
            "[{}] RFC 7638 3.1 thumbprint",
            p.name()
        );
        // Through the provider and back: the same thumbprint.
        let key = PublicKey::from_jwk(&parsed, p).unwrap();
        assert_eq!(
            thumbprint(&key.to_jwk().unwrap(), p),
            RFC7638_THUMBPRINT,
            "[{}] after import/export",
            p.name()
        );
        // Member order and optional members do not matter; the key does.
        let reordered = jwk(&json(&format!(
            r#"{{"kid":"x","use":"sig","e":"AQAB","n":"{}","kty":"RSA"}}"#,
            s(&json(RFC7638_KEY), &["n"])
        )));
        assert_eq!(
            thumbprint(&reordered, p),
            RFC7638_THUMBPRINT,
            "[{}] reordered",
            p.name()
        );
        let other_key = jwk(&json(JWK_3_3));
        assert_ne!(
            thumbprint(&other_key, p),
            RFC7638_THUMBPRINT,
            "[{}] another key",
            p.name()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 7520 section 5 vectors that use algorithms this library does not implement.
// ---------------------------------------------------------------------------------------------

// RFC 7520 sections 5.3-5.12 (and 5.13's other recipients) decrypt in tests/jwa_engine.rs.

#[test]
fn rfc7520_vectors_unsupported_key_types_are_rejected() {
    // The symmetric JWKs of the cookbook (HS256, A128KW, dir) are not keys this library imports.
    let v = json(JWS_4_8);
    let oct = &m(&v, &["input", "key"]).as_array().unwrap()[2];
    for p in providers() {
        let parsed = Jwk::from_json(&oct.to_string(), &limits());
        let result = parsed.and_then(|j| PrivateKey::from_jwk(&j, p));
        let err = result.expect_err(&format!("[{}] an oct JWK must not import", p.name()));
        assert!(
            matches!(
                err,
                Error::UnsupportedAlgorithm { .. } | Error::InvalidKey { .. }
            ),
            "[{}] oct JWK: {err:?}",
            p.name()
        );
    }
    // And the HS256 signature of 4.8 never verifies with a non-HMAC key.
    let token = m(&v, &["output", "json"]).clone();
    let only_hs = json(&format!(
        r#"{{"payload":{},"signatures":[{}]}}"#,
        token["payload"], token["signatures"][2]
    ));
    for p in providers() {
        let rs = vk(
            private_from_jwk(&m(&v, &["input", "key"])[0], p).public_key(),
            JwsAlgorithm::Rs256,
            p,
        );
        let jws = Jws::from_json(&only_hs.to_string(), &limits()).unwrap();
        assert_err(
            jws.verify(&[rs]),
            "AlgorithmNotAllowed",
            "4.8 HS256 signature alone",
            p,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// RSA1_5 (RFC 7520 sections 5.1 and 5.13): refused, with no key work (see `KeyManagementAlgorithm`).
// ---------------------------------------------------------------------------------------------

/// `Some(name)` when `err` is `UnsupportedAlgorithm` for a JWE `alg` or `enc`, else `None`.
fn unsupported(err: &Error) -> Option<(&'static str, String)> {
    match err {
        Error::UnsupportedAlgorithm { kind, found, .. } => Some((*kind, found.clone())),
        _ => None,
    }
}

#[test]
fn rfc7520_5_1_and_5_13_rsa1_5_is_refused_before_any_key_work() {
    // The name itself: UnsupportedAlgorithm naming RSA1_5, and not among the supported names.
    let err = KeyManagementAlgorithm::from_name("RSA1_5").unwrap_err();
    assert_eq!(
        unsupported(&err),
        Some(("JWE alg", "RSA1_5".to_owned())),
        "{err:?}"
    );
    match &err {
        Error::UnsupportedAlgorithm { supported, .. } => assert_eq!(
            *supported,
            "RSA-OAEP RSA-OAEP-256 RSA-OAEP-384 RSA-OAEP-512 dir A128KW A192KW A256KW \
             A128GCMKW A192GCMKW A256GCMKW ECDH-ES ECDH-ES+A128KW ECDH-ES+A192KW ECDH-ES+A256KW \
             PBES2-HS256+A128KW PBES2-HS384+A192KW PBES2-HS512+A256KW"
        ),
        other => panic!("{other:?}"),
    }
    assert!(
        KeyManagementAlgorithm::RSA_OAEP
            .iter()
            .all(|a| a.name() != "RSA1_5")
    );

    let v51 = json(JWE_5_1);
    let v513 = json(JWE_5_13);
    for p in providers() {
        let name = p.name();
        // 5.1's own RSA key (frodo), bound to every algorithm we have: the allow-list holds the
        // right key, so only the algorithm can refuse.
        let key = private_from_jwk(m(&v51, &["input", "key"]), p);
        let keys: Vec<DecryptingKey> = KeyManagementAlgorithm::RSA_OAEP
            .iter()
            .map(|&alg| DecryptingKey::new(key.clone(), alg).unwrap())
            .collect();
        let compact = m(&v51, &["output", "compact"]).as_str().unwrap().to_owned();
        let forms = [
            ("5.1 compact", compact.clone()),
            (
                "5.1 flattened",
                m(&v51, &["output", "json_flat"]).to_string(),
            ),
            ("5.1 general", m(&v51, &["output", "json"]).to_string()),
            ("5.13 general", m(&v513, &["output", "json"]).to_string()),
        ];
        for (what, token) in forms {
            // Any key work that failed would be the opaque DecryptionFailed (the engine substitutes
            // a random CEK); UnsupportedAlgorithm means no unwrap was attempted.
            let err = Jwe::parse(&token, &limits())
                .and_then(|jwe| jwe.decrypt(&keys, ContentEncryption::ALL, p))
                .map(|d| d.plaintext.len())
                .expect_err(&format!("[{name}] {what} must be refused"));
            assert!(
                unsupported(&err).is_some_and(|(kind, _)| kind == "JWE alg" || kind == "JWE enc"),
                "[{name}] {what}: expected UnsupportedAlgorithm, got {err:?}"
            );
        }
        // 5.1's header with an `enc` we support: now only RSA1_5 can refuse it, and does, naming it.
        let mut parts: Vec<String> = compact.split('.').map(str::to_owned).collect();
        parts[0] = b64::encode(
            br#"{"alg":"RSA1_5","kid":"frodo.baggins@hobbiton.example","enc":"A128GCM"}"#,
        );
        // A 96-bit IV, as A128GCM has (5.1's is 128-bit, for CBC).
        parts[2] = b64::encode(&[7; 12]);
        let token = parts.join(".");
        let err = Jwe::parse(&token, &limits())
            .and_then(|jwe| jwe.decrypt(&keys, ContentEncryption::ALL, p))
            .map(|d| d.plaintext.len())
            .expect_err(&format!("[{name}] 5.1 with A128GCM must be refused"));
        assert_eq!(
            unsupported(&err),
            Some(("JWE alg", "RSA1_5".to_owned())),
            "[{name}] 5.1 with A128GCM: {err:?}"
        );
    }
}

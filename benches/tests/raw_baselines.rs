//! The raw baselines do the same cryptographic work as the JOSE operations they stand beside:
//! the raw HMAC is byte for byte the JWS signature, the raw signatures (EdDSA included) verify
//! with jose and jose's with raw, the raw symmetric and ECDH-ES JWE decryption opens what jose
//! encrypts (so its key agreement, Concat KDF, key management and content encryption are the
//! same algorithms), and the raw compact RSA-OAEP-256/384/512 tokens (base64-simd) decrypt with
//! jose and jose's with raw; and (feature `peers`) the `jsonwebtoken` baseline of the JWT bench
//! verifies the tokens `jwt::sign` makes, and jose its.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

use jose::jwe::{Jwe, JweBuilder};
use jose::jws::{Jws, JwsBuilder};
use jose::{ContentEncryption, KeyManagementAlgorithm, Limits, SigningKey, b64};
use jose_benches::raw::{RawJweKeys, RawSigner};
use jose_benches::raw_symmetric::{RawHmac, RawSymmetricSealed};
use jose_benches::{
    HMAC_ALGS, JWS_ALGS, JweCase, RSA_OAEP_1KIB, hmac_keys, jwe_keys, jws_keys, payload,
};

/// `body` signed by `key`, compact.
fn compact_jws(key: &SigningKey, body: &[u8]) -> String {
    JwsBuilder::new(body)
        .signer(key)
        .sign()
        .unwrap()
        .to_compact()
        .unwrap()
}

#[test]
fn raw_hmac_is_the_jws_signature() {
    let body = payload(1024);
    for alg in HMAC_ALGS {
        for provider in jose::providers() {
            let (key, _) = hmac_keys(alg, provider).unwrap();
            let token = compact_jws(&key, &body);
            let (input, signature) = token.rsplit_once('.').unwrap();
            let raw = RawHmac::new(alg);
            assert_eq!(
                raw.sign(input.as_bytes()),
                b64::decode("part", signature).unwrap(),
                "{alg}"
            );
            raw.verify(input.as_bytes(), &b64::decode("part", signature).unwrap())
                .unwrap();
        }
    }
}

#[test]
fn raw_signatures_and_jws_verify_each_other() {
    let body = payload(1024);
    for alg in JWS_ALGS {
        let raw = RawSigner::new(alg).unwrap();
        for provider in jose::providers() {
            let (key, vkey) = jws_keys(alg, provider).unwrap();
            let token = compact_jws(&key, &body);
            let (input, signature) = token.rsplit_once('.').unwrap();
            let signature = b64::decode("part", signature).unwrap();
            raw.verify(input.as_bytes(), &signature).unwrap();
            let raw_signature = raw.sign(input.as_bytes()).unwrap();
            if alg == jose::JwsAlgorithm::EdDsa {
                // Ed25519 is deterministic: the same key signs the same bytes.
                assert_eq!(raw_signature, signature, "{alg}");
            }
            let raw_token = format!("{input}.{}", b64::encode(&raw_signature));
            let jws = Jws::from_compact(&raw_token, &Limits::default()).unwrap();
            assert_eq!(
                jws.verify([&vkey]).unwrap(),
                body,
                "{alg} on {}",
                provider.name()
            );
        }
    }
}

/// The raw bytes of an `epk` JWK: the uncompressed point of an EC key, `x` of an OKP key.
fn epk(header: &serde_json::Value) -> Vec<u8> {
    let Some(epk) = header.get("epk") else {
        return Vec::new();
    };
    let x = field(epk, "x");
    match epk.get("kty").and_then(serde_json::Value::as_str) {
        Some("EC") => [vec![4], x, field(epk, "y")].concat(),
        _ => x,
    }
}

fn field(header: &serde_json::Value, name: &str) -> Vec<u8> {
    header
        .get(name)
        .and_then(serde_json::Value::as_str)
        .map(|text| b64::decode("part", text).unwrap())
        .unwrap_or_default()
}

#[test]
fn raw_symmetric_and_ecdh_open_what_jose_encrypts() {
    let plaintext = payload(1024);
    for case in JweCase::all() {
        let JweCase { alg, enc, .. } = case;
        let label = case.label();
        let raw = case.raw().unwrap();
        for provider in jose::providers() {
            let (key, _) = case.keys(provider).unwrap();
            let token = JweBuilder::new(enc)
                .recipient(&key)
                .encrypt(&plaintext, provider)
                .unwrap()
                .to_compact()
                .unwrap();
            let parts: Vec<&str> = token.split('.').collect();
            let header: serde_json::Value =
                serde_json::from_slice(&b64::decode("part", parts[0]).unwrap()).unwrap();
            if let Some(p2c) = header.get("p2c") {
                assert_eq!(p2c.as_u64(), Some(u64::from(jose_benches::PBES2_COUNT)));
            }
            // Raw's Concat KDF has empty PartyUInfo and PartyVInfo.
            assert!(header.get("apu").is_none() && header.get("apv").is_none());
            assert_eq!(header.get("epk").is_some(), case.curve.is_some(), "{label}");
            let sealed = RawSymmetricSealed {
                encrypted_key: b64::decode("part", parts[1]).unwrap(),
                key_iv: field(&header, "iv").try_into().unwrap_or([0; 12]),
                key_tag: field(&header, "tag"),
                p2s: field(&header, "p2s").try_into().unwrap_or([0; 16]),
                epk: epk(&header),
                iv: b64::decode("part", parts[2]).unwrap(),
                ciphertext: b64::decode("part", parts[3]).unwrap(),
                tag: b64::decode("part", parts[4]).unwrap(),
            };
            let opened = raw.decrypt(parts[0].as_bytes(), &sealed).unwrap();
            assert_eq!(opened, plaintext, "{label} from {}", provider.name());
        }
        // And the raw round trip, the same aad, and through the compact serialization.
        let sealed = raw.encrypt(b"aad", &plaintext).unwrap();
        assert_eq!(raw.decrypt(b"aad", &sealed).unwrap(), plaintext);
        assert!(raw.decrypt(b"other aad", &sealed).is_err(), "{label}");
        let header = b64::encode(format!(r#"{{"alg":"{alg}","enc":"{enc}"}}"#).as_bytes());
        let (token, params) = raw.encrypt_compact(&header, &plaintext).unwrap();
        assert_eq!(raw.decrypt_compact(&token, &params).unwrap(), plaintext);
    }
}

/// Raw's compact RSA-OAEP tokens decrypt with jose, and raw decrypts jose's.
#[test]
fn raw_compact_rsa_oaep_is_a_jwe() {
    let raw = RawJweKeys::new().unwrap();
    let rsa_oaep_256 = (
        KeyManagementAlgorithm::RsaOaep256,
        ContentEncryption::A256Gcm,
    );
    for (alg, enc) in [rsa_oaep_256].into_iter().chain(RSA_OAEP_1KIB) {
        let header = b64::encode(format!(r#"{{"alg":"{alg}","enc":"{enc}"}}"#).as_bytes());
        for size in [1024, 64 * 1024] {
            let plaintext = payload(size);
            let token = raw.encrypt_compact(alg, enc, &header, &plaintext).unwrap();
            for provider in jose::providers() {
                let (key, dkey) = jwe_keys(alg, provider).unwrap();
                let jwe = Jwe::from_compact(&token, &Limits::default()).unwrap();
                assert_eq!(
                    *jwe.decrypt(&[dkey], &[enc], provider).unwrap().plaintext,
                    plaintext,
                    "{alg}"
                );
                let ours = JweBuilder::new(enc)
                    .recipient(&key)
                    .encrypt(&plaintext, provider)
                    .unwrap()
                    .to_compact()
                    .unwrap();
                assert_eq!(raw.decrypt_compact(alg, enc, &ours).unwrap(), plaintext);
            }
        }
    }
}

/// The `jsonwebtoken` baseline of the JWT bench verifies the very token `jwt::sign` makes (the
/// same claims come out), ours verifies its token, and its validation refuses what ours refuses
/// on the claims the bench states as equivalent: `iss`, `aud`, `exp`, `nbf`.
#[cfg(feature = "peers")]
#[test]
fn jsonwebtoken_and_jwt_verify_each_other() {
    use jose::Header;
    use jose::jwt;
    use jose_benches::peers::{AccessTokenClaims, JsonwebtokenJwt};
    use jose_benches::{
        JWT_ALGS, access_token_claims, access_token_validation, jwt_keys, now_seconds,
    };

    let now = now_seconds();
    let claims = access_token_claims(now).unwrap();
    let typed = AccessTokenClaims::at(now).unwrap();
    for alg in JWT_ALGS {
        let peer = JsonwebtokenJwt::new(alg, "at+jwt").unwrap();
        for provider in jose::providers() {
            let (signer, verifier) = jwt_keys(alg, provider).unwrap();
            let ours = jwt::sign(&claims, &signer, Header::with_typ("at+jwt")).unwrap();
            assert_eq!(peer.verify(&ours).unwrap(), typed, "{alg}");
            let theirs = peer.sign(&typed).unwrap();
            let verified = jwt::verify(&theirs, [&verifier], &access_token_validation()).unwrap();
            assert_eq!(verified.claims, claims, "{alg}");
        }
        let (signer, verifier) = jwt_keys(alg, jose::default_provider()).unwrap();
        let refused = [
            AccessTokenClaims {
                iss: "https://other.example.com".into(),
                ..typed.clone()
            },
            AccessTokenClaims {
                aud: "https://other.example.com".into(),
                ..typed.clone()
            },
            AccessTokenClaims {
                exp: now - 120,
                ..typed.clone()
            },
            AccessTokenClaims {
                nbf: now + 120,
                ..typed.clone()
            },
        ];
        for bad in refused {
            let token = peer.sign(&bad).unwrap();
            assert!(peer.verify(&token).is_err(), "{alg}: {bad:?}");
            let ours = jose::jwt::Claims::from_serialize(&bad).unwrap();
            let ours = jwt::sign(&ours, &signer, Header::with_typ("at+jwt")).unwrap();
            assert!(
                jwt::verify(&ours, [&verifier], &access_token_validation()).is_err(),
                "{alg}: {bad:?}"
            );
        }
    }
}

//! The raw baselines do the same cryptographic work as the JOSE operations they stand beside:
//! the raw HMAC is byte for byte the JWS signature, the raw symmetric JWE decryption opens what
//! jose encrypts (so its key management and content encryption are the same algorithms), and the
//! raw compact RSA-OAEP-256 token (base64-simd) decrypts with jose.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

use jose::jwe::{Jwe, JweBuilder};
use jose::jws::JwsBuilder;
use jose::{ContentEncryption, KeyManagementAlgorithm, Limits, b64};
use jose_benches::raw::RawJweKeys;
use jose_benches::raw_symmetric::{RawHmac, RawSymmetricJwe, RawSymmetricSealed};
use jose_benches::{HMAC_ALGS, SYMMETRIC_JWE, hmac_keys, jwe_keys, payload, symmetric_jwe_keys};

#[test]
fn raw_hmac_is_the_jws_signature() {
    let body = payload(1024);
    for alg in HMAC_ALGS {
        for provider in jose::providers() {
            let (key, _) = hmac_keys(alg, provider).unwrap();
            let token = JwsBuilder::new(&body)
                .signer(&key)
                .sign()
                .unwrap()
                .to_compact()
                .unwrap();
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

fn field(header: &serde_json::Value, name: &str) -> Vec<u8> {
    header
        .get(name)
        .and_then(serde_json::Value::as_str)
        .map(|text| b64::decode("part", text).unwrap())
        .unwrap_or_default()
}

#[test]
fn raw_symmetric_opens_what_jose_encrypts() {
    let plaintext = payload(1024);
    for (alg, enc) in SYMMETRIC_JWE {
        let raw = RawSymmetricJwe::new(alg, enc).unwrap();
        for provider in jose::providers() {
            let (key, _) = symmetric_jwe_keys(alg, enc, provider).unwrap();
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
            let sealed = RawSymmetricSealed {
                encrypted_key: b64::decode("part", parts[1]).unwrap(),
                key_iv: field(&header, "iv").try_into().unwrap_or([0; 12]),
                key_tag: field(&header, "tag"),
                p2s: field(&header, "p2s").try_into().unwrap_or([0; 16]),
                iv: b64::decode("part", parts[2]).unwrap(),
                ciphertext: b64::decode("part", parts[3]).unwrap(),
                tag: b64::decode("part", parts[4]).unwrap(),
            };
            let opened = raw.decrypt(parts[0].as_bytes(), &sealed).unwrap();
            assert_eq!(opened, plaintext, "{alg}+{enc} from {}", provider.name());
        }
        // And the raw round trip, the same aad.
        let sealed = raw.encrypt(b"aad", &plaintext).unwrap();
        assert_eq!(raw.decrypt(b"aad", &sealed).unwrap(), plaintext);
        assert!(raw.decrypt(b"other aad", &sealed).is_err(), "{alg}+{enc}");
    }
}

#[test]
fn raw_compact_rsa_oaep_256_is_a_jwe() {
    let (alg, enc) = (
        KeyManagementAlgorithm::RsaOaep256,
        ContentEncryption::A256Gcm,
    );
    let raw = RawJweKeys::new().unwrap();
    let header = b64::encode(br#"{"alg":"RSA-OAEP-256","enc":"A256GCM"}"#);
    for size in [1024, 64 * 1024] {
        let plaintext = payload(size);
        let token = raw.encrypt_compact(alg, enc, &header, &plaintext).unwrap();
        for provider in jose::providers() {
            let (key, dkey) = jwe_keys(alg, provider).unwrap();
            let jwe = Jwe::from_compact(&token, &Limits::default()).unwrap();
            assert_eq!(
                *jwe.decrypt(&[dkey], &[enc], provider).unwrap().plaintext,
                plaintext
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

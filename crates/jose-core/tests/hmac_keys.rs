//! HMAC keys (`SecretKey`, JWK `kty` `oct`): sizes, JWK round trips, RFC 7638 thumbprints, `Debug`,
//! and the binding rules, on both providers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use jose_core::jwk::Jwk;
use jose_core::{CryptoProvider, Error, JwsAlgorithm, Limits, SecretKey};

fn providers() -> [&'static dyn CryptoProvider; 2] {
    [
        jose_crypto_awslc::provider(),
        jose_crypto_rustcrypto::provider(),
    ]
}

/// RFC 7515 appendix A.1's HMAC key.
const RFC7515_A1_JWK: &str = r#"{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#;

#[test]
fn short_and_huge_secrets_are_refused() {
    for p in providers() {
        let err = SecretKey::from_bytes(&[1u8; 15], p).unwrap_err();
        assert!(matches!(err, Error::InvalidKey { .. }), "{err:?}");
        assert!(err.to_string().contains("15 bytes"), "{err}");
        assert!(SecretKey::from_bytes(&[1u8; 16], p).is_ok());
        assert!(SecretKey::from_bytes(&[1u8; 1025], p).is_err());
        // 31 bytes is a secret, but too short for any HS* (RFC 7518 section 3.2).
        let short = SecretKey::from_bytes(&[1u8; 31], p).unwrap();
        let err = short.sign(JwsAlgorithm::Hs256, b"m").unwrap_err();
        assert!(matches!(err, Error::InvalidKey { .. }), "{err:?}");
        assert!(err.to_string().contains("31 bytes"), "{err}");
        let err = jose_core::SigningKey::symmetric(short.clone(), JwsAlgorithm::Hs256).unwrap_err();
        assert!(err.to_string().contains("at least 32 bytes"), "{err}");
        assert!(jose_core::VerifyingKey::symmetric(short, JwsAlgorithm::Hs256).is_err());
        // A 32-byte key is enough for HS256 only.
        let key = SecretKey::from_bytes(&[1u8; 32], p).unwrap();
        assert!(key.sign(JwsAlgorithm::Hs256, b"m").is_ok());
        for alg in [JwsAlgorithm::Hs384, JwsAlgorithm::Hs512] {
            let err = key.sign(alg, b"m").unwrap_err();
            assert!(matches!(err, Error::InvalidKey { .. }), "{alg}: {err:?}");
        }
        let key = SecretKey::from_bytes(&[1u8; 48], p).unwrap();
        assert!(key.sign(JwsAlgorithm::Hs384, b"m").is_ok());
        assert!(key.sign(JwsAlgorithm::Hs512, b"m").is_err());
        // Never an asymmetric algorithm.
        let err = key.sign(JwsAlgorithm::Rs256, b"m").unwrap_err();
        assert!(matches!(err, Error::InvalidKey { .. }), "{err:?}");
    }
}

#[test]
fn sign_verify_and_wrong_tags() {
    for p in providers() {
        let key = SecretKey::generate(512, p).unwrap();
        assert_eq!(key.len(), 64);
        for &alg in JwsAlgorithm::HMAC {
            let tag = key.sign(alg, b"input").unwrap();
            assert_eq!(tag.len(), alg.hash().output_len());
            key.verify(alg, b"input", &tag).unwrap();
            let mut bad = tag.clone();
            bad[0] ^= 1;
            assert_eq!(key.verify(alg, b"input", &bad), Err(Error::BadSignature));
            assert_eq!(
                key.verify(alg, b"input", &tag[..tag.len() - 1]),
                Err(Error::BadSignature)
            );
            assert_eq!(key.verify(alg, b"other", &tag), Err(Error::BadSignature));
        }
        assert_eq!(SecretKey::generate(128, p).unwrap().len(), 16);
        assert!(SecretKey::generate(100, p).is_err());
        assert_ne!(
            SecretKey::generate(256, p).unwrap().to_jwk().to_json(),
            SecretKey::generate(256, p).unwrap().to_jwk().to_json()
        );
    }
}

#[test]
fn both_providers_compute_the_same_tags() {
    let [a, b] = providers();
    let jwk = Jwk::from_json(RFC7515_A1_JWK, &Limits::default()).unwrap();
    let ka = SecretKey::from_jwk(&jwk, a).unwrap();
    let kb = SecretKey::from_jwk(&jwk, b).unwrap();
    for &alg in JwsAlgorithm::HMAC {
        let tag = ka.sign(alg, b"cross").unwrap();
        assert_eq!(tag, kb.sign(alg, b"cross").unwrap());
        kb.verify(alg, b"cross", &tag).unwrap();
    }
}

#[test]
fn oct_jwk_round_trip_metadata_and_thumbprint() {
    for p in providers() {
        let text = r#"{"kty":"oct","kid":"h1","use":"sig","alg":"HS256","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#;
        let jwk = Jwk::from_json(text, &Limits::default()).unwrap();
        let key = SecretKey::from_jwk(&jwk, p).unwrap();
        assert_eq!(key.kid(), Some("h1"));
        assert_eq!(key.to_jwk().to_json(), text);
        // The key's "alg" is the allow-list: HS256 only.
        assert!(key.sign(JwsAlgorithm::Hs256, b"m").is_ok());
        let err = key.sign(JwsAlgorithm::Hs384, b"m").unwrap_err();
        assert!(matches!(err, Error::AlgorithmNotAllowed { .. }), "{err:?}");
        // RFC 7638 section 3.2: the oct thumbprint input is {"k":..,"kty":"oct"}.
        assert_eq!(
            jwk.thumbprint_input().unwrap(),
            r#"{"k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow","kty":"oct"}"#
        );
        assert_eq!(jwk.thumbprint_sha256(p).unwrap().len(), 43);
    }
}

#[test]
fn oct_jwk_errors_never_show_the_secret() {
    let p = providers()[0];
    for (text, what) in [
        (
            r#"{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CA=="}"#,
            "padded",
        ),
        (r#"{"kty":"oct","k":"AyM1SysPpbyDfgZld3um"}"#, "short"),
        (
            r#"{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ+EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#,
            "not base64url",
        ),
        (r#"{"kty":"oct","k":7}"#, "not a string"),
        (r#"{"kty":"oct"}"#, "no k"),
        (
            r#"{"kty":"RSA","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#,
            "not oct",
        ),
    ] {
        let jwk = Jwk::from_json(text, &Limits::default()).unwrap();
        let err = SecretKey::from_jwk(&jwk, p).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("AyM1Sy"), "{what}: {shown}");
    }
}

#[test]
fn debug_never_shows_the_secret() {
    let p = providers()[1];
    let jwk = Jwk::from_json(RFC7515_A1_JWK, &Limits::default()).unwrap();
    let key = SecretKey::from_jwk(&jwk, p).unwrap().with_kid("k");
    let debug = format!("{key:?}");
    assert!(
        debug.contains("len: 64") && debug.contains("rustcrypto"),
        "{debug}"
    );
    assert!(
        !debug.contains("AyM1") && !debug.contains("[3, 35"),
        "{debug}"
    );
}

#[test]
fn unsupported_hmac_is_a_typed_error() {
    #[derive(Debug)]
    struct Partial;
    impl CryptoProvider for Partial {
        fn name(&self) -> &'static str {
            "partial"
        }
        fn fill_random(&self, dest: &mut [u8]) -> Result<(), Error> {
            dest.fill(7);
            Ok(())
        }
        fn sha256(&self, _: &[u8]) -> [u8; 32] {
            [0; 32]
        }
        fn aead_seal(
            &self,
            _: jose_core::ContentEncryption,
            _: &[u8],
            _: &[u8],
            _: &[u8],
            _: &[u8],
        ) -> Result<(Vec<u8>, [u8; 16]), Error> {
            Err(Error::Provider("no".into()))
        }
        fn aead_open(
            &self,
            _: jose_core::ContentEncryption,
            _: &[u8],
            _: &[u8],
            _: &[u8],
            _: &[u8],
            _: &[u8],
        ) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
            Err(Error::DecryptionFailed)
        }
        fn import_private_pkcs8(
            &self,
            _: &[u8],
        ) -> Result<std::sync::Arc<dyn jose_core::PrivateKeyOps>, Error> {
            Err(Error::Provider("no".into()))
        }
        fn import_public_spki(
            &self,
            _: &[u8],
        ) -> Result<std::sync::Arc<dyn jose_core::PublicKeyOps>, Error> {
            Err(Error::Provider("no".into()))
        }
        fn generate(
            &self,
            _: jose_core::KeySpec,
        ) -> Result<std::sync::Arc<dyn jose_core::PrivateKeyOps>, Error> {
            Err(Error::Provider("no".into()))
        }
    }
    static PARTIAL: Partial = Partial;
    let key = SecretKey::from_bytes(&[1; 32], &PARTIAL).unwrap();
    let err = key.sign(JwsAlgorithm::Hs256, b"m").unwrap_err();
    assert_eq!(
        err,
        Error::Unsupported {
            provider: "partial",
            operation: "HMAC-SHA-256".into()
        }
    );
    assert_eq!(err.class(), jose_core::ErrorClass::Local);
    assert_eq!(
        key.verify(JwsAlgorithm::Hs256, b"m", &[0; 32]).unwrap_err(),
        err
    );
}

/// RFC 7515 appendix A.1: the HS256 signature over the example's signing input verifies with its
/// key on both providers, and each provider computes exactly that tag.
#[test]
fn rfc7515_a1_hs256_signature() {
    let input = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
    let signature =
        jose_core::b64::decode("sig", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
    let jwk = Jwk::from_json(RFC7515_A1_JWK, &Limits::default()).unwrap();
    for p in providers() {
        let key = SecretKey::from_jwk(&jwk, p).unwrap();
        key.verify(JwsAlgorithm::Hs256, input.as_bytes(), &signature)
            .unwrap();
        assert_eq!(
            key.sign(JwsAlgorithm::Hs256, input.as_bytes()).unwrap(),
            signature
        );
        let mut other = input.as_bytes().to_vec();
        other[0] ^= 1;
        assert_eq!(
            key.verify(JwsAlgorithm::Hs256, &other, &signature),
            Err(Error::BadSignature)
        );
    }
}

/// RFC 7520 section 4.8: the third (HS256) signature of the general JSON example verifies with
/// the cookbook's symmetric key, which carries "alg":"HS256" (so HS384 is not allowed).
#[test]
fn rfc7520_4_8_hs256_signature() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/rfc7520/jws/4_8.multiple_signatures.json"
    ))
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let jwk = Jwk::from_json(&v["input"]["key"][2].to_string(), &Limits::default()).unwrap();
    let json = &v["output"]["json"];
    let sig = &json["signatures"][2];
    let input = format!(
        "{}.{}",
        sig["protected"].as_str().unwrap(),
        json["payload"].as_str().unwrap()
    );
    let signature = jose_core::b64::decode("sig", sig["signature"].as_str().unwrap()).unwrap();
    for p in providers() {
        let key = SecretKey::from_jwk(&jwk, p).unwrap();
        assert_eq!(key.kid(), Some("018c0ae5-4d9b-471b-bfd6-eef314bc7037"));
        key.verify(JwsAlgorithm::Hs256, input.as_bytes(), &signature)
            .unwrap();
        assert!(matches!(
            key.verify(JwsAlgorithm::Hs384, input.as_bytes(), &signature),
            Err(Error::InvalidKey { .. } | Error::AlgorithmNotAllowed { .. })
        ));
    }
}

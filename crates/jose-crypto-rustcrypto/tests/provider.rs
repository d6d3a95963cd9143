//! Behaviour of the RustCrypto provider through the jose-core traits.

// clippy.toml lets `#[test]` functions unwrap, index and panic; the helpers below follow the same
// policy.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use jose_core::{
    ContentEncryption, CryptoProvider, EcCurve, Error, JwsAlgorithm, KeyKind,
    KeyManagementAlgorithm, KeySpec, PrivateKeyOps,
};
use jose_crypto_rustcrypto::{RUSTCRYPTO, RustCryptoProvider, provider};
use std::sync::{Arc, OnceLock};

const RSA2048: &[u8] = include_bytes!("fixtures/test-fixture-rsa2048-private-pkcs8.der");
const RSA1024: &[u8] = include_bytes!("fixtures/test-fixture-rsa1024-private-pkcs8.der");
const RSA1024_SPKI: &[u8] = include_bytes!("fixtures/test-fixture-rsa1024-public-spki.der");
const P256: &[u8] = include_bytes!("fixtures/test-fixture-ec-p256-private-pkcs8.der");
const P256_NO_PUBLIC: &[u8] =
    include_bytes!("fixtures/test-fixture-ec-p256-private-pkcs8-no-public.der");
const P384: &[u8] = include_bytes!("fixtures/test-fixture-ec-p384-private-pkcs8.der");
const P521: &[u8] = include_bytes!("fixtures/test-fixture-ec-p521-private-pkcs8.der");
const OPENSSL_MESSAGE: &[u8] = b"openssl interop test message";

fn p() -> &'static dyn CryptoProvider {
    provider()
}

fn rsa_key() -> Arc<dyn PrivateKeyOps> {
    static KEY: OnceLock<Arc<dyn PrivateKeyOps>> = OnceLock::new();
    KEY.get_or_init(|| p().import_private_pkcs8(RSA2048).unwrap())
        .clone()
}

fn ec_key(curve: EcCurve) -> Arc<dyn PrivateKeyOps> {
    let der = match curve {
        EcCurve::P256 => P256,
        EcCurve::P384 => P384,
        EcCurve::P521 => P521,
    };
    p().import_private_pkcs8(der).unwrap()
}

fn key_for(alg: JwsAlgorithm) -> Arc<dyn PrivateKeyOps> {
    match alg {
        JwsAlgorithm::Es256 => ec_key(EcCurve::P256),
        JwsAlgorithm::Es384 => ec_key(EcCurve::P384),
        JwsAlgorithm::Es512 => ec_key(EcCurve::P521),
        _ => rsa_key(),
    }
}

fn assert_invalid_key<T: std::fmt::Debug>(r: Result<T, Error>) -> (String, String) {
    match r {
        Err(Error::InvalidKey { expected, found }) => (expected, found),
        other => panic!("expected InvalidKey, got {other:?}"),
    }
}

#[test]
fn identity() {
    assert_eq!(p().name(), "rustcrypto");
    assert_eq!(RUSTCRYPTO.name(), RustCryptoProvider.name());
    assert_eq!(format!("{:?}", RustCryptoProvider), "RustCryptoProvider");
}

#[test]
fn random_and_sha256() {
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    p().fill_random(&mut a).unwrap();
    p().fill_random(&mut b).unwrap();
    assert_ne!(a, b);
    p().fill_random(&mut []).unwrap();
    // FIPS 180-2 "abc".
    assert_eq!(
        p().sha256(b"abc"),
        [
            0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
            0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61,
            0xf2, 0x00, 0x15, 0xad
        ]
    );
}

#[test]
fn sign_verify_round_trip_all_algorithms() {
    for &alg in JwsAlgorithm::ALL {
        let key = key_for(alg);
        let msg = format!("message for {alg}");
        let sig = key.sign(alg, msg.as_bytes()).unwrap();
        let expected_len = match key.kind() {
            KeyKind::Rsa { bits } => bits / 8,
            KeyKind::Ec(c) => c.signature_len(),
        };
        assert_eq!(sig.len(), expected_len, "{alg}");
        let public = key.public_key();
        public.verify(alg, msg.as_bytes(), &sig).unwrap();
        // Through a DER round trip of the public key too.
        let reimported = p()
            .import_public_spki(&public.to_spki_der().unwrap())
            .unwrap();
        reimported.verify(alg, msg.as_bytes(), &sig).unwrap();
        // Wrong message, flipped bit, truncated, extended: all BadSignature.
        assert_eq!(
            public.verify(alg, b"other", &sig),
            Err(Error::BadSignature),
            "{alg}"
        );
        let mut flipped = sig.clone();
        flipped[sig.len() / 2] ^= 1;
        assert_eq!(
            public.verify(alg, msg.as_bytes(), &flipped),
            Err(Error::BadSignature)
        );
        assert_eq!(
            public.verify(alg, msg.as_bytes(), &sig[..sig.len() - 1]),
            Err(Error::BadSignature)
        );
        let mut longer = sig.clone();
        longer.push(0);
        assert_eq!(
            public.verify(alg, msg.as_bytes(), &longer),
            Err(Error::BadSignature)
        );
        assert_eq!(
            public.verify(alg, msg.as_bytes(), &[]),
            Err(Error::BadSignature)
        );
    }
}

#[test]
fn rsa_signature_schemes_are_not_interchangeable() {
    let key = rsa_key();
    let public = key.public_key();
    let rs = key.sign(JwsAlgorithm::Rs256, b"m").unwrap();
    let ps = key.sign(JwsAlgorithm::Ps256, b"m").unwrap();
    assert_eq!(
        public.verify(JwsAlgorithm::Ps256, b"m", &rs),
        Err(Error::BadSignature)
    );
    assert_eq!(
        public.verify(JwsAlgorithm::Rs256, b"m", &ps),
        Err(Error::BadSignature)
    );
    assert_eq!(
        public.verify(JwsAlgorithm::Rs384, b"m", &rs),
        Err(Error::BadSignature)
    );
    assert_eq!(
        public.verify(JwsAlgorithm::Ps512, b"m", &ps),
        Err(Error::BadSignature)
    );
    // PKCS#1 v1.5 is deterministic, PSS is randomized.
    assert_eq!(rs, key.sign(JwsAlgorithm::Rs256, b"m").unwrap());
    assert_ne!(ps, key.sign(JwsAlgorithm::Ps256, b"m").unwrap());
}

#[test]
fn openssl_signatures_verify() {
    let cases: [(JwsAlgorithm, &[u8]); 5] = [
        (
            JwsAlgorithm::Es256,
            include_bytes!("fixtures/test-fixture-openssl-es256.sig"),
        ),
        (
            JwsAlgorithm::Es384,
            include_bytes!("fixtures/test-fixture-openssl-es384.sig"),
        ),
        (
            JwsAlgorithm::Es512,
            include_bytes!("fixtures/test-fixture-openssl-es512.sig"),
        ),
        (
            JwsAlgorithm::Rs256,
            include_bytes!("fixtures/test-fixture-openssl-rs256.sig"),
        ),
        (
            JwsAlgorithm::Ps512,
            include_bytes!("fixtures/test-fixture-openssl-ps512.sig"),
        ),
    ];
    for (alg, sig) in cases {
        let public = key_for(alg).public_key();
        public.verify(alg, OPENSSL_MESSAGE, sig).unwrap();
        assert_eq!(public.verify(alg, b"other", sig), Err(Error::BadSignature));
    }
    // RS256 is deterministic: our signature is byte-identical to OpenSSL's.
    assert_eq!(
        rsa_key()
            .sign(JwsAlgorithm::Rs256, OPENSSL_MESSAGE)
            .unwrap(),
        include_bytes!("fixtures/test-fixture-openssl-rs256.sig")
    );
}

/// Big-endian `n - s` for equal-length operands.
fn sub_be(n: &[u8], s: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; n.len()];
    let mut borrow = 0i16;
    for i in (0..n.len()).rev() {
        let mut d = i16::from(n[i]) - i16::from(s[i]) - borrow;
        borrow = 0;
        if d < 0 {
            d += 256;
            borrow = 1;
        }
        out[i] = d as u8;
    }
    assert_eq!(borrow, 0);
    out
}

#[test]
fn ecdsa_accepts_both_s_and_n_minus_s() {
    // P-256 group order.
    let n: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x51,
    ];
    let key = ec_key(EcCurve::P256);
    let sig = key.sign(JwsAlgorithm::Es256, b"malleable").unwrap();
    let mut other = sig[..32].to_vec();
    other.extend(sub_be(&n, &sig[32..]));
    let public = key.public_key();
    public
        .verify(JwsAlgorithm::Es256, b"malleable", &sig)
        .unwrap();
    public
        .verify(JwsAlgorithm::Es256, b"malleable", &other)
        .unwrap();
    // r = 0 or s = 0, and s = n, are never valid.
    let mut zero_s = sig.clone();
    zero_s[32..].fill(0);
    assert_eq!(
        public.verify(JwsAlgorithm::Es256, b"malleable", &zero_s),
        Err(Error::BadSignature)
    );
    let mut s_is_n = sig[..32].to_vec();
    s_is_n.extend_from_slice(&n);
    assert_eq!(
        public.verify(JwsAlgorithm::Es256, b"malleable", &s_is_n),
        Err(Error::BadSignature)
    );
    assert_eq!(
        public.verify(JwsAlgorithm::Es256, b"malleable", &[0u8; 64]),
        Err(Error::BadSignature)
    );
}

#[test]
fn ecdsa_signature_of_wrong_length_is_bad_signature() {
    let key = ec_key(EcCurve::P521);
    let sig = key.sign(JwsAlgorithm::Es512, b"m").unwrap();
    assert_eq!(sig.len(), 132);
    let public = key.public_key();
    // 130 bytes (what a library that drops leading zeros of 521-bit values might send).
    assert_eq!(
        public.verify(JwsAlgorithm::Es512, b"m", &sig[..130]),
        Err(Error::BadSignature)
    );
    // A DER-encoded signature is not accepted either.
    let key = ec_key(EcCurve::P256);
    let sig = key.sign(JwsAlgorithm::Es256, b"m").unwrap();
    let mut der = vec![0x30, 0x46, 0x02, 0x21, 0x00];
    der.extend_from_slice(&sig[..32]);
    der.extend_from_slice(&[0x02, 0x21, 0x00]);
    der.extend_from_slice(&sig[32..]);
    assert_eq!(
        key.public_key().verify(JwsAlgorithm::Es256, b"m", &der),
        Err(Error::BadSignature)
    );
}

#[test]
fn algorithm_must_fit_the_key() {
    let es256 = ec_key(EcCurve::P256);
    let (expected, found) = assert_invalid_key(es256.sign(JwsAlgorithm::Es384, b"m"));
    assert_eq!(expected, "a key for ES384");
    assert_eq!(found, "EC P-256 key");
    assert_invalid_key(es256.sign(JwsAlgorithm::Rs256, b"m"));
    assert_invalid_key(rsa_key().sign(JwsAlgorithm::Es256, b"m"));
    let sig = es256.sign(JwsAlgorithm::Es256, b"m").unwrap();
    assert_invalid_key(es256.public_key().verify(JwsAlgorithm::Es384, b"m", &sig));
    assert_invalid_key(
        rsa_key()
            .public_key()
            .verify(JwsAlgorithm::Es256, b"m", &sig),
    );
    assert_invalid_key(
        es256
            .public_key()
            .wrap_key(KeyManagementAlgorithm::RsaOaep, &[0; 16]),
    );
    // Unwrap with an EC key: still the one opaque error.
    assert!(matches!(
        es256.unwrap_key(KeyManagementAlgorithm::RsaOaep, &[0; 256]),
        Err(Error::DecryptionFailed)
    ));
}

#[test]
fn wrap_unwrap_both_oaep_algorithms() {
    let key = rsa_key();
    let public = key.public_key();
    for &alg in KeyManagementAlgorithm::ALL {
        for cek in [vec![7u8; 16], vec![9u8; 32], vec![]] {
            let wrapped = public.wrap_key(alg, &cek).unwrap();
            assert_eq!(wrapped.len(), 256);
            assert_ne!(
                wrapped,
                public.wrap_key(alg, &cek).unwrap(),
                "OAEP is randomized"
            );
            assert_eq!(&*key.unwrap_key(alg, &wrapped).unwrap(), &cek);
        }
    }
    // The two OAEP variants do not decrypt each other's output.
    let wrapped = public
        .wrap_key(KeyManagementAlgorithm::RsaOaep, &[1; 32])
        .unwrap();
    assert!(matches!(
        key.unwrap_key(KeyManagementAlgorithm::RsaOaep256, &wrapped),
        Err(Error::DecryptionFailed)
    ));
    // Too long for the key: a request error, not a panic.
    assert!(matches!(
        public.wrap_key(KeyManagementAlgorithm::RsaOaep256, &[0; 300]),
        Err(Error::InvalidRequest(_))
    ));
}

#[test]
fn openssl_oaep_ciphertexts_unwrap() {
    let cek: Vec<u8> = (1..=32).collect();
    let key = rsa_key();
    let oaep = include_bytes!("fixtures/test-fixture-openssl-rsa-oaep.bin");
    let oaep256 = include_bytes!("fixtures/test-fixture-openssl-rsa-oaep-256.bin");
    assert_eq!(
        &*key
            .unwrap_key(KeyManagementAlgorithm::RsaOaep, oaep)
            .unwrap(),
        &cek
    );
    assert_eq!(
        &*key
            .unwrap_key(KeyManagementAlgorithm::RsaOaep256, oaep256)
            .unwrap(),
        &cek
    );
}

#[test]
fn unwrap_garbage_is_decryption_failed() {
    let key = rsa_key();
    let wrapped = key
        .public_key()
        .wrap_key(KeyManagementAlgorithm::RsaOaep256, &[5; 32])
        .unwrap();
    let mut tampered = wrapped.clone();
    tampered[100] ^= 0x40;
    let cases: Vec<Vec<u8>> = vec![
        vec![],
        vec![0; 1],
        vec![0; 255],
        vec![0; 256],
        vec![0xff; 256], // larger than the modulus
        vec![0x42; 257],
        tampered,
        wrapped[1..].to_vec(),
    ];
    for alg in KeyManagementAlgorithm::ALL {
        for c in &cases {
            assert!(
                matches!(key.unwrap_key(*alg, c), Err(Error::DecryptionFailed)),
                "{alg} {} bytes",
                c.len()
            );
        }
    }
}

#[test]
fn aead_round_trip_and_tampering() {
    for &enc in ContentEncryption::ALL {
        let key: Vec<u8> = (0..enc.key_len() as u8).collect();
        let iv = [3u8; 12];
        let aad = b"protected header";
        for pt in [&b""[..], b"x", &[0x55; 1000][..]] {
            let (ct, tag) = p().aead_seal(enc, &key, &iv, aad, pt).unwrap();
            assert_eq!(ct.len(), pt.len());
            assert_eq!(&*p().aead_open(enc, &key, &iv, aad, &ct, &tag).unwrap(), pt);

            let mut bad_tag = tag;
            bad_tag[0] ^= 1;
            assert!(matches!(
                p().aead_open(enc, &key, &iv, aad, &ct, &bad_tag),
                Err(Error::DecryptionFailed)
            ));
            if !ct.is_empty() {
                let mut bad_ct = ct.clone();
                bad_ct[ct.len() - 1] ^= 0x80;
                assert!(matches!(
                    p().aead_open(enc, &key, &iv, aad, &bad_ct, &tag),
                    Err(Error::DecryptionFailed)
                ));
            }
            assert!(matches!(
                p().aead_open(enc, &key, &iv, b"protected headeR", &ct, &tag),
                Err(Error::DecryptionFailed)
            ));
            let mut other_iv = iv;
            other_iv[11] ^= 1;
            assert!(matches!(
                p().aead_open(enc, &key, &other_iv, aad, &ct, &tag),
                Err(Error::DecryptionFailed)
            ));
            let mut other_key = key.clone();
            other_key[0] ^= 1;
            assert!(matches!(
                p().aead_open(enc, &other_key, &iv, aad, &ct, &tag),
                Err(Error::DecryptionFailed)
            ));
            // Wrong lengths of key, IV and tag on open: the same opaque error.
            assert!(matches!(
                p().aead_open(enc, &key[1..], &iv, aad, &ct, &tag),
                Err(Error::DecryptionFailed)
            ));
            assert!(matches!(
                p().aead_open(enc, &key, &iv[1..], aad, &ct, &tag),
                Err(Error::DecryptionFailed)
            ));
            assert!(matches!(
                p().aead_open(enc, &key, &iv, aad, &ct, &tag[..15]),
                Err(Error::DecryptionFailed)
            ));
        }
    }
}

#[test]
fn aead_known_answer() {
    // NIST GCM test case 3 (AES-128, 96-bit IV, no AAD) from the GCM specification.
    let key = hex("feffe9928665731c6d6a8f9467308308");
    let iv = hex("cafebabefacedbaddecaf888");
    let pt = hex(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
    );
    let (ct, tag) = p()
        .aead_seal(ContentEncryption::A128Gcm, &key, &iv, &[], &pt)
        .unwrap();
    assert_eq!(
        ct,
        hex(
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"
        )
    );
    assert_eq!(tag.to_vec(), hex("4d5c2af327cd64a62cf35abd2ba6fab4"));
    // RFC 7516 appendix A.1 uses A256GCM; test case 15 of the GCM spec is AES-256.
    let key = hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
    let (ct, tag) = p()
        .aead_seal(ContentEncryption::A256Gcm, &key, &iv, &[], &pt)
        .unwrap();
    assert_eq!(
        ct,
        hex(
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"
        )
    );
    assert_eq!(tag.to_vec(), hex("b094dac5d93471bdec1a502270e3cc6c"));
    // Test case 9 of the GCM spec is AES-192.
    let key = hex("feffe9928665731c6d6a8f9467308308feffe9928665731c");
    let (ct, tag) = p()
        .aead_seal(ContentEncryption::A192Gcm, &key, &iv, &[], &pt)
        .unwrap();
    assert_eq!(
        ct,
        hex(
            "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710acade256"
        )
    );
    assert_eq!(tag.to_vec(), hex("9924a7c8587336bfb118024db8674a14"));
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn aead_seal_checks_lengths() {
    for &enc in ContentEncryption::ALL {
        let key = vec![0u8; enc.key_len()];
        match p().aead_seal(enc, &key[1..], &[0; 12], b"", b"pt") {
            Err(Error::InvalidRequest(msg)) => {
                assert!(
                    msg.contains(&format!("{}-byte key", enc.key_len())),
                    "{msg}"
                );
                assert!(
                    msg.contains(&format!("found {} bytes", enc.key_len() - 1)),
                    "{msg}"
                );
            }
            other => panic!("{other:?}"),
        }
        match p().aead_seal(enc, &key, &[0; 16], b"", b"pt") {
            Err(Error::InvalidRequest(msg)) => {
                assert!(
                    msg.contains("12-byte IV") && msg.contains("found 16"),
                    "{msg}"
                )
            }
            other => panic!("{other:?}"),
        }
    }
    // A 32-byte key is not accepted for A128GCM.
    assert!(matches!(
        p().aead_seal(ContentEncryption::A128Gcm, &[0; 32], &[0; 12], b"", b""),
        Err(Error::InvalidRequest(_))
    ));
}

#[test]
fn export_import_round_trip() {
    let keys: Vec<Arc<dyn PrivateKeyOps>> = vec![
        rsa_key(),
        ec_key(EcCurve::P256),
        ec_key(EcCurve::P384),
        ec_key(EcCurve::P521),
    ];
    for key in keys {
        let spki = key.public_key().to_spki_der().unwrap();
        let pkcs8 = key.to_pkcs8_der().unwrap();
        let again = p().import_private_pkcs8(&pkcs8).unwrap();
        assert_eq!(again.kind(), key.kind());
        assert_eq!(again.public_key().to_spki_der().unwrap(), spki);
        assert_eq!(*again.to_pkcs8_der().unwrap(), *pkcs8);
        let public = p().import_public_spki(&spki).unwrap();
        assert_eq!(public.kind(), key.kind());
        assert_eq!(public.to_spki_der().unwrap(), spki);
    }
    // Our PKCS#8 for the OpenSSL fixtures is the same DER as OpenSSL's.
    assert_eq!(&*ec_key(EcCurve::P256).to_pkcs8_der().unwrap(), P256);
    assert_eq!(&*ec_key(EcCurve::P521).to_pkcs8_der().unwrap(), P521);
    assert_eq!(&*rsa_key().to_pkcs8_der().unwrap(), RSA2048);
}

#[test]
fn ec_spki_is_uncompressed_and_kinds_are_right() {
    for (curve, len) in [
        (EcCurve::P256, 91),
        (EcCurve::P384, 120),
        (EcCurve::P521, 158),
    ] {
        let key = ec_key(curve);
        assert_eq!(key.kind(), KeyKind::Ec(curve));
        let spki = key.public_key().to_spki_der().unwrap();
        assert_eq!(spki.len(), len, "{curve}");
        let point_len = 1 + 2 * curve.coordinate_len();
        assert_eq!(spki[spki.len() - point_len], 0x04);
    }
    assert_eq!(rsa_key().kind(), KeyKind::Rsa { bits: 2048 });
}

#[test]
fn ec_pkcs8_without_public_key_is_accepted() {
    let key = p().import_private_pkcs8(P256_NO_PUBLIC).unwrap();
    assert_eq!(
        key.public_key().to_spki_der().unwrap(),
        ec_key(EcCurve::P256).public_key().to_spki_der().unwrap()
    );
    // Export always includes the public key.
    assert_eq!(&*key.to_pkcs8_der().unwrap(), P256);
}

#[test]
fn ec_pkcs8_with_a_foreign_public_key_is_refused() {
    let own = ec_key(EcCurve::P256).public_key().to_spki_der().unwrap();
    let other = p().generate(KeySpec::Ec(EcCurve::P256)).unwrap();
    let foreign = other.public_key().to_spki_der().unwrap();
    let own_point = &own[own.len() - 65..];
    let foreign_point = &foreign[foreign.len() - 65..];
    let pos = P256.windows(65).position(|w| w == own_point).unwrap();
    let mut der = P256.to_vec();
    der[pos..pos + 65].copy_from_slice(foreign_point);
    assert_invalid_key(p().import_private_pkcs8(&der));
}

#[test]
fn small_rsa_keys_are_refused() {
    let (expected, found) = assert_invalid_key(p().import_private_pkcs8(RSA1024));
    assert!(expected.contains("2048"), "{expected}");
    assert!(found.contains("1024"), "{found}");
    let (expected, found) = assert_invalid_key(p().import_public_spki(RSA1024_SPKI));
    assert!(expected.contains("2048"), "{expected}");
    assert!(found.contains("1024"), "{found}");
    assert_invalid_key(p().generate(KeySpec::Rsa { bits: 1024 }));
    assert_invalid_key(p().generate(KeySpec::Rsa { bits: 2047 }));
}

#[test]
fn garbage_is_invalid_key_and_never_echoed() {
    let secretish = [0xA5u8; 48];
    for der in [
        &[][..],
        &[0x30, 0x00],
        &secretish[..],
        &RSA2048[..RSA2048.len() - 1],
        &P256[1..],
    ] {
        let (e, f) = assert_invalid_key(p().import_private_pkcs8(der));
        assert!(!e.is_empty() && !f.is_empty());
        assert!(
            !f.contains("a5") && !f.contains("A5") && !f.contains("165"),
            "{f}"
        );
        assert_invalid_key(p().import_public_spki(der));
    }
    // A private key where a public key is expected and the other way round.
    assert_invalid_key(p().import_public_spki(RSA2048));
    let spki = rsa_key().public_key().to_spki_der().unwrap();
    assert_invalid_key(p().import_private_pkcs8(&spki));
    // Trailing data after the DER.
    let mut long = P256.to_vec();
    long.push(0);
    assert_invalid_key(p().import_private_pkcs8(&long));
}

#[test]
fn ec_points_must_be_on_the_curve() {
    let spki = ec_key(EcCurve::P384).public_key().to_spki_der().unwrap();
    let mut off_curve = spki.clone();
    let last = off_curve.len() - 1;
    off_curve[last] ^= 1;
    let (_, found) = assert_invalid_key(p().import_public_spki(&off_curve));
    assert!(found.contains("not on the curve"), "{found}");
    // Compressed points are refused (the provider contract is uncompressed points).
    let coord = EcCurve::P384.coordinate_len();
    let mut compressed = spki[..spki.len() - (1 + 2 * coord)].to_vec();
    compressed.push(0x02 | (spki[spki.len() - 1] & 1));
    compressed.extend_from_slice(&spki[spki.len() - 2 * coord..spki.len() - coord]);
    // Fix the BIT STRING and SEQUENCE lengths (both are short-form here).
    let shrink = (2 * coord - coord) as u8;
    compressed[1] -= shrink;
    let bit_string_len_pos = spki.len() - (1 + 2 * coord) - 2;
    compressed[bit_string_len_pos] -= shrink;
    let (_, found) = assert_invalid_key(p().import_public_spki(&compressed));
    assert!(found.contains("compressed"), "{found}");
}

#[test]
fn debug_output_shows_only_the_kind() {
    let rsa = rsa_key();
    let ec = ec_key(EcCurve::P256);
    assert_eq!(
        format!("{rsa:?}"),
        "RsaPrivateKey { kind: Rsa { bits: 2048 }, .. }"
    );
    assert_eq!(format!("{ec:?}"), "EcPrivateKey { kind: Ec(P256), .. }");
    assert_eq!(
        format!("{:?}", ec.public_key()),
        "EcPublicKey { kind: Ec(P256), .. }"
    );
    assert_eq!(
        format!("{:?}", rsa.public_key()),
        "RsaPublicKey { kind: Rsa { bits: 2048 }, .. }"
    );
}

#[test]
fn generate_ec_keys() {
    for &curve in EcCurve::ALL {
        let key = p().generate(KeySpec::Ec(curve)).unwrap();
        assert_eq!(key.kind(), KeyKind::Ec(curve));
        let alg = JwsAlgorithm::for_curve(curve);
        let sig = key.sign(alg, b"fresh").unwrap();
        key.public_key().verify(alg, b"fresh", &sig).unwrap();
        let other = p().generate(KeySpec::Ec(curve)).unwrap();
        assert_ne!(
            other.public_key().to_spki_der().unwrap(),
            key.public_key().to_spki_der().unwrap()
        );
    }
}

/// The one RSA key generation in the tests (slow in debug builds).
#[test]
fn generate_rsa_2048() {
    let key = p().generate(KeySpec::Rsa { bits: 2048 }).unwrap();
    assert_eq!(key.kind(), KeyKind::Rsa { bits: 2048 });
    let sig = key.sign(JwsAlgorithm::Ps256, b"fresh").unwrap();
    key.public_key()
        .verify(JwsAlgorithm::Ps256, b"fresh", &sig)
        .unwrap();
    let again = p()
        .import_private_pkcs8(&key.to_pkcs8_der().unwrap())
        .unwrap();
    let wrapped = key
        .public_key()
        .wrap_key(KeyManagementAlgorithm::RsaOaep256, &[1; 16])
        .unwrap();
    assert_eq!(
        &*again
            .unwrap_key(KeyManagementAlgorithm::RsaOaep256, &wrapped)
            .unwrap(),
        &[1; 16]
    );
    // e = 65537 (the last bytes of the SPKI are the exponent INTEGER 01 00 01).
    let spki = key.public_key().to_spki_der().unwrap();
    assert!(spki.ends_with(&[0x02, 0x03, 0x01, 0x00, 0x01]));
}

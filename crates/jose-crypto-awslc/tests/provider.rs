//! Behaviour of the aws-lc-rs provider through jose-core's traits only.

// Test code: a failing test should fail loudly (clippy.toml allows this inside #[test] functions;
// this extends it to the helpers of this file).
#![allow(clippy::unwrap_used, clippy::panic)]

use base64ct::{Base64UrlUnpadded, Encoding};
use jose_core::Error;
use jose_core::alg::{
    ContentEncryption, EcCurve, JwsAlgorithm, KeyKind, KeyManagementAlgorithm, KeySpec,
};
use jose_core::provider::{CryptoProvider, PrivateKeyOps};
use jose_crypto_awslc::{AWS_LC, AwsLcProvider, provider};
use std::sync::{Arc, OnceLock};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/",
            $name
        ))
        .as_slice()
    };
}

macro_rules! vector {
    ($path:literal) => {
        serde_json::from_str::<serde_json::Value>(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/",
            $path
        )))
        .unwrap()
    };
}

fn p() -> &'static dyn CryptoProvider {
    provider()
}

fn b64(v: &serde_json::Value) -> Vec<u8> {
    Base64UrlUnpadded::decode_vec(v.as_str().unwrap()).unwrap()
}

fn rsa2048() -> Arc<dyn PrivateKeyOps> {
    static KEY: OnceLock<Arc<dyn PrivateKeyOps>> = OnceLock::new();
    KEY.get_or_init(|| p().generate(KeySpec::Rsa { bits: 2048 }).unwrap())
        .clone()
}

fn ec(curve: EcCurve) -> Arc<dyn PrivateKeyOps> {
    p().generate(KeySpec::Ec(curve)).unwrap()
}

fn key_for(alg: JwsAlgorithm) -> Arc<dyn PrivateKeyOps> {
    match alg {
        JwsAlgorithm::Es256 => ec(EcCurve::P256),
        JwsAlgorithm::Es384 => ec(EcCurve::P384),
        JwsAlgorithm::Es512 => ec(EcCurve::P521),
        _ => rsa2048(),
    }
}

fn assert_invalid_key(result: Result<impl std::fmt::Debug, Error>, needle: &str) {
    match result {
        Err(e @ Error::InvalidKey { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains(needle), "{msg:?} does not mention {needle:?}");
        }
        other => panic!("expected InvalidKey mentioning {needle:?}, got {other:?}"),
    }
}

#[test]
fn identity() {
    assert_eq!(p().name(), "aws-lc");
    assert_eq!(AWS_LC.name(), "aws-lc");
    let made: AwsLcProvider = Default::default();
    assert_eq!(made.name(), "aws-lc");
    assert_eq!(format!("{:?}", AWS_LC), "AwsLcProvider");
}

#[test]
fn sha256_known_answer() {
    let expected = "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0";
    assert_eq!(
        Base64UrlUnpadded::encode_string(&p().sha256(b"abc")),
        expected
    );
}

#[test]
fn random_bytes_differ() {
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    p().fill_random(&mut a).unwrap();
    p().fill_random(&mut b).unwrap();
    assert_ne!(a, b);
    p().fill_random(&mut []).unwrap();
}

#[test]
fn sign_verify_all_algorithms() {
    for &alg in JwsAlgorithm::ALL {
        let key = key_for(alg);
        assert!(alg.fits(key.kind()));
        let message = format!("signing input for {alg}");
        let sig = key.sign(alg, message.as_bytes()).unwrap();
        match key.kind() {
            KeyKind::Ec(curve) => assert_eq!(sig.len(), curve.signature_len(), "{alg}"),
            KeyKind::Rsa { bits } => assert_eq!(sig.len() * 8, bits, "{alg}"),
        }
        // Through the private key's public half and through a re-imported SPKI.
        key.public_key()
            .verify(alg, message.as_bytes(), &sig)
            .unwrap();
        let public = p()
            .import_public_spki(&key.public_key().to_spki_der().unwrap())
            .unwrap();
        assert_eq!(public.kind(), key.kind());
        public.verify(alg, message.as_bytes(), &sig).unwrap();

        assert_eq!(
            public.verify(alg, b"another message", &sig),
            Err(Error::BadSignature),
            "{alg}"
        );
        let mut bad = sig.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert_eq!(
            public.verify(alg, message.as_bytes(), &bad),
            Err(Error::BadSignature),
            "{alg}"
        );
        assert_eq!(
            public.verify(alg, message.as_bytes(), &[]),
            Err(Error::BadSignature),
            "{alg}"
        );
    }
}

#[test]
fn rsa_signature_schemes_and_hashes_are_not_interchangeable() {
    let key = rsa2048();
    let public = key.public_key();
    let sig = key.sign(JwsAlgorithm::Rs256, b"m").unwrap();
    for alg in [
        JwsAlgorithm::Rs384,
        JwsAlgorithm::Rs512,
        JwsAlgorithm::Ps256,
    ] {
        assert_eq!(
            public.verify(alg, b"m", &sig),
            Err(Error::BadSignature),
            "{alg}"
        );
    }
    let sig = key.sign(JwsAlgorithm::Ps384, b"m").unwrap();
    for alg in [
        JwsAlgorithm::Ps256,
        JwsAlgorithm::Ps512,
        JwsAlgorithm::Rs384,
    ] {
        assert_eq!(
            public.verify(alg, b"m", &sig),
            Err(Error::BadSignature),
            "{alg}"
        );
    }
}

#[test]
fn ecdsa_signature_of_wrong_length_is_bad_signature() {
    for (curve, alg) in [
        (EcCurve::P256, JwsAlgorithm::Es256),
        (EcCurve::P384, JwsAlgorithm::Es384),
        (EcCurve::P521, JwsAlgorithm::Es512),
    ] {
        let key = ec(curve);
        let public = key.public_key();
        let sig = key.sign(alg, b"m").unwrap();
        let n = curve.signature_len();
        let mut longer = sig.clone();
        longer.push(0);
        let mut zero_prefixed = vec![0];
        zero_prefixed.extend(&sig);
        for bad in [
            &sig[..n - 1],
            &longer[..],
            &zero_prefixed[..],
            &[][..],
            &sig[..n / 2],
        ] {
            assert_eq!(
                public.verify(alg, b"m", bad),
                Err(Error::BadSignature),
                "{alg} {}",
                bad.len()
            );
        }
        // All-zero r and s.
        assert_eq!(
            public.verify(alg, b"m", &vec![0; n]),
            Err(Error::BadSignature)
        );
    }
}

#[test]
fn algorithm_must_fit_the_key() {
    let p256 = ec(EcCurve::P256);
    assert_invalid_key(p256.sign(JwsAlgorithm::Es384, b"m"), "ES384");
    assert_invalid_key(p256.sign(JwsAlgorithm::Rs256, b"m"), "RS256");
    assert_invalid_key(rsa2048().sign(JwsAlgorithm::Es256, b"m"), "ES256");

    let sig = p256.sign(JwsAlgorithm::Es256, b"m").unwrap();
    assert_invalid_key(
        p256.public_key().verify(JwsAlgorithm::Es384, b"m", &sig),
        "ES384",
    );
    assert_invalid_key(
        p256.public_key().verify(JwsAlgorithm::Ps256, b"m", &sig),
        "PS256",
    );
    assert_invalid_key(
        p256.public_key()
            .wrap_key(KeyManagementAlgorithm::RsaOaep, &[0; 16]),
        "RSA-OAEP",
    );
    assert_eq!(
        p256.unwrap_key(KeyManagementAlgorithm::RsaOaep, &[0; 256]),
        Err(Error::DecryptionFailed)
    );
}

#[test]
fn wrap_unwrap_both_oaep_algorithms() {
    let key = rsa2048();
    for &alg in KeyManagementAlgorithm::ALL {
        for len in [16usize, 24, 32, 64] {
            let cek: Vec<u8> = (0..len as u8).collect();
            let wrapped = key.public_key().wrap_key(alg, &cek).unwrap();
            assert_eq!(wrapped.len(), 256);
            assert_eq!(
                key.unwrap_key(alg, &wrapped).unwrap().as_slice(),
                cek.as_slice()
            );
            // OAEP is randomized.
            assert_ne!(key.public_key().wrap_key(alg, &cek).unwrap(), wrapped);
        }
    }
    let wrapped = key
        .public_key()
        .wrap_key(KeyManagementAlgorithm::RsaOaep, &[7; 32])
        .unwrap();
    assert_eq!(
        key.unwrap_key(KeyManagementAlgorithm::RsaOaep256, &wrapped),
        Err(Error::DecryptionFailed)
    );
}

#[test]
fn wrap_refuses_a_cek_too_long_for_the_key() {
    let key = rsa2048();
    // 2048-bit modulus: OAEP-SHA-256 carries at most 256 - 2*32 - 2 = 190 bytes.
    let err = key
        .public_key()
        .wrap_key(KeyManagementAlgorithm::RsaOaep256, &[0; 191])
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.contains("190") && m.contains("191")),
        "{err}"
    );
    key.public_key()
        .wrap_key(KeyManagementAlgorithm::RsaOaep256, &[0; 190])
        .unwrap();
}

#[test]
fn unwrap_of_garbage_is_decryption_failed() {
    let key = rsa2048();
    let mut random = vec![0u8; 256];
    p().fill_random(&mut random).unwrap();
    let wrapped = key
        .public_key()
        .wrap_key(KeyManagementAlgorithm::RsaOaep256, &[1; 32])
        .unwrap();
    let mut flipped = wrapped.clone();
    flipped[100] ^= 0x40;
    for &alg in KeyManagementAlgorithm::ALL {
        for garbage in [
            &random[..],
            &[][..],
            &[0u8; 255][..],
            &[0u8; 257][..],
            &[0xffu8; 256][..],
            &[0u8; 256][..],
            &flipped[..],
            &wrapped[..255],
        ] {
            assert_eq!(
                key.unwrap_key(alg, garbage),
                Err(Error::DecryptionFailed),
                "{alg} {}",
                garbage.len()
            );
        }
    }
}

#[test]
fn aead_round_trip_and_tampering() {
    for &enc in ContentEncryption::ALL {
        let mut key = vec![0u8; enc.key_len()];
        p().fill_random(&mut key).unwrap();
        let iv = [3u8; 12];
        let aad = b"protected header";
        for plaintext in [&b""[..], b"x", &[0x5a; 1000][..]] {
            let (ct, tag) = p().aead_seal(enc, &key, &iv, aad, plaintext).unwrap();
            assert_eq!(ct.len(), plaintext.len());
            let opened = p().aead_open(enc, &key, &iv, aad, &ct, &tag).unwrap();
            assert_eq!(opened.as_slice(), plaintext);
        }

        let plaintext = b"attack at dawn";
        let (ct, tag) = p().aead_seal(enc, &key, &iv, aad, plaintext).unwrap();
        assert_ne!(&ct[..], &plaintext[..]);
        let fail = Err(Error::DecryptionFailed);

        let mut bad_tag = tag;
        bad_tag[15] ^= 1;
        assert_eq!(
            p().aead_open(enc, &key, &iv, aad, &ct, &bad_tag),
            fail,
            "{enc} tag"
        );
        let mut bad_ct = ct.clone();
        bad_ct[0] ^= 1;
        assert_eq!(
            p().aead_open(enc, &key, &iv, aad, &bad_ct, &tag),
            fail,
            "{enc} ciphertext"
        );
        assert_eq!(
            p().aead_open(enc, &key, &iv, b"protected headeR", &ct, &tag),
            fail,
            "{enc} aad"
        );
        assert_eq!(
            p().aead_open(enc, &key, &iv, b"", &ct, &tag),
            fail,
            "{enc} empty aad"
        );
        assert_eq!(
            p().aead_open(enc, &key, &[4u8; 12], aad, &ct, &tag),
            fail,
            "{enc} iv"
        );
        let mut other_key = key.clone();
        other_key[0] ^= 1;
        assert_eq!(
            p().aead_open(enc, &other_key, &iv, aad, &ct, &tag),
            fail,
            "{enc} key"
        );
        assert_eq!(
            p().aead_open(enc, &key, &iv, aad, &ct[..ct.len() - 1], &tag),
            fail
        );
        // Wrong lengths on open are the same opaque failure.
        assert_eq!(
            p().aead_open(enc, &key, &iv, aad, &ct, &tag[..15]),
            fail,
            "{enc} short tag"
        );
        assert_eq!(
            p().aead_open(enc, &key, &iv, aad, &ct, &[tag.as_slice(), &[0]].concat()),
            fail
        );
        assert_eq!(
            p().aead_open(enc, &key[1..], &iv, aad, &ct, &tag),
            fail,
            "{enc} short key"
        );
        assert_eq!(
            p().aead_open(enc, &key, &iv[1..], aad, &ct, &tag),
            fail,
            "{enc} short iv"
        );
        assert_eq!(
            p().aead_open(enc, &key, &[0; 16], aad, &ct, &tag),
            fail,
            "{enc} long iv"
        );
    }
}

#[test]
fn aead_seal_checks_lengths() {
    for &enc in ContentEncryption::ALL {
        let key = vec![1u8; enc.key_len()];
        let err = p()
            .aead_seal(enc, &key[1..], &[0; 12], b"", b"p")
            .unwrap_err();
        let expected = format!(
            "{}-byte key, found {} bytes",
            enc.key_len(),
            enc.key_len() - 1
        );
        assert!(
            matches!(&err, Error::InvalidRequest(m) if m.contains(&expected) && m.contains(enc.name())),
            "{err}"
        );
        let err = p().aead_seal(enc, &key, &[0; 16], b"", b"p").unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest(m) if m.contains("12-byte IV, found 16 bytes")),
            "{err}"
        );
        let err = p()
            .aead_seal(enc, &[0; 33], &[0; 12], b"", b"p")
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)));
    }
}

#[test]
fn export_import_round_trip() {
    let keys = [
        rsa2048(),
        ec(EcCurve::P256),
        ec(EcCurve::P384),
        ec(EcCurve::P521),
        p().import_private_pkcs8(fixture!("rfc7515_A3_p256.pkcs8.der"))
            .unwrap(),
        p().import_private_pkcs8(fixture!("rfc7515_A2_rsa2048.pkcs8.der"))
            .unwrap(),
    ];
    for key in keys {
        let spki = key.public_key().to_spki_der().unwrap();
        let pkcs8 = key.to_pkcs8_der().unwrap();
        let again = p().import_private_pkcs8(&pkcs8).unwrap();
        assert_eq!(again.kind(), key.kind());
        assert_eq!(again.public_key().to_spki_der().unwrap(), spki);
        assert_eq!(again.to_pkcs8_der().unwrap(), pkcs8, "export is stable");
        let public = p().import_public_spki(&spki).unwrap();
        assert_eq!(public.to_spki_der().unwrap(), spki);
        assert_eq!(public.kind(), key.kind());
        if let KeyKind::Ec(curve) = key.kind() {
            // Uncompressed point at the end of the SPKI, and the PKCS#8 carries the same point.
            let point = &spki[spki.len() - (2 * curve.coordinate_len() + 1)..];
            assert_eq!(point[0], 0x04);
            assert!(
                pkcs8.windows(point.len()).any(|w| w == point),
                "PKCS#8 includes the public key"
            );
        } else {
            assert_eq!(
                &pkcs8[..7],
                &[0x30, 0x82, pkcs8[2], pkcs8[3], 0x02, 0x01, 0x00],
                "PKCS#8 v1"
            );
        }
    }
}

#[test]
fn imports_of_fixture_keys_match_their_spki() {
    for (pkcs8, spki, kind) in [
        (
            fixture!("rfc7515_A2_rsa2048.pkcs8.der"),
            fixture!("rfc7515_A2_rsa2048.spki.der"),
            KeyKind::Rsa { bits: 2048 },
        ),
        (
            fixture!("rfc7515_A3_p256.pkcs8.der"),
            fixture!("rfc7515_A3_p256.spki.der"),
            KeyKind::Ec(EcCurve::P256),
        ),
        (
            fixture!("rfc7515_A4_p521.pkcs8.der"),
            fixture!("rfc7515_A4_p521.spki.der"),
            KeyKind::Ec(EcCurve::P521),
        ),
    ] {
        let key = p().import_private_pkcs8(pkcs8).unwrap();
        assert_eq!(key.kind(), kind);
        assert_eq!(key.public_key().to_spki_der().unwrap(), spki);
        // aws-lc writes the same DER as OpenSSL (EC: public key included, no inner curve OID).
        assert_eq!(key.to_pkcs8_der().unwrap().as_slice(), pkcs8);
        assert_eq!(p().import_public_spki(spki).unwrap().kind(), kind);
    }
}

#[test]
fn ec_pkcs8_without_public_key_is_accepted() {
    let key = p()
        .import_private_pkcs8(fixture!("test_only_p256_no_public.pkcs8.der"))
        .unwrap();
    assert_eq!(
        key.public_key().to_spki_der().unwrap(),
        fixture!("rfc7515_A3_p256.spki.der")
    );
    // Export always includes the public key.
    assert_eq!(
        key.to_pkcs8_der().unwrap().as_slice(),
        fixture!("rfc7515_A3_p256.pkcs8.der")
    );
}

#[test]
fn ecdsa_high_s_is_accepted_and_out_of_range_scalars_are_not() {
    // P-256 group order.
    const N: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x51,
    ];
    fn n_minus(s: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; 32];
        let mut borrow = 0i16;
        for i in (0..32).rev() {
            let mut d = i16::from(N[i]) - i16::from(s[i]) - borrow;
            borrow = i16::from(d < 0);
            if d < 0 {
                d += 256;
            }
            out[i] = d as u8;
        }
        out
    }
    let key = ec(EcCurve::P256);
    let public = key.public_key();
    let sig = key.sign(JwsAlgorithm::Es256, b"malleable").unwrap();
    let mut flipped = sig[..32].to_vec();
    flipped.extend(n_minus(&sig[32..]));
    // Like OpenSSL and RustCrypto's p256, aws-lc does not insist on low s.
    public
        .verify(JwsAlgorithm::Es256, b"malleable", &flipped)
        .unwrap();
    let mut s_is_n = sig[..32].to_vec();
    s_is_n.extend(N);
    assert_eq!(
        public.verify(JwsAlgorithm::Es256, b"malleable", &s_is_n),
        Err(Error::BadSignature)
    );
    let mut zero_s = sig.clone();
    zero_s[32..].fill(0);
    assert_eq!(
        public.verify(JwsAlgorithm::Es256, b"malleable", &zero_s),
        Err(Error::BadSignature)
    );
}

#[test]
fn rsa_signature_must_be_exactly_the_modulus_length() {
    let key = rsa2048();
    let public = key.public_key();
    for alg in [JwsAlgorithm::Rs256, JwsAlgorithm::Ps256] {
        let sig = key.sign(alg, b"m").unwrap();
        let mut zero_prefixed = vec![0];
        zero_prefixed.extend(&sig);
        assert_eq!(
            public.verify(alg, b"m", &zero_prefixed),
            Err(Error::BadSignature)
        );
        assert_eq!(
            public.verify(alg, b"m", &sig[1..]),
            Err(Error::BadSignature)
        );
        let mut appended = sig.clone();
        appended.push(0);
        assert_eq!(
            public.verify(alg, b"m", &appended),
            Err(Error::BadSignature)
        );
    }
}

#[test]
fn generate_every_spec() {
    for bits in [2048, 3072, 4096] {
        let key = p().generate(KeySpec::Rsa { bits }).unwrap();
        assert_eq!(key.kind(), KeyKind::Rsa { bits });
        let sig = key.sign(JwsAlgorithm::Ps512, b"m").unwrap();
        key.public_key()
            .verify(JwsAlgorithm::Ps512, b"m", &sig)
            .unwrap();
    }
    for &curve in EcCurve::ALL {
        assert_eq!(ec(curve).kind(), KeyKind::Ec(curve));
    }
    for bits in [1024, 2047, 2049, 8192] {
        assert_invalid_key(p().generate(KeySpec::Rsa { bits }), &bits.to_string());
    }
    let a = ec(EcCurve::P256).public_key().to_spki_der().unwrap();
    let b = ec(EcCurve::P256).public_key().to_spki_der().unwrap();
    assert_ne!(a, b);
}

#[test]
fn rsa_1024_is_refused() {
    assert_invalid_key(
        p().import_private_pkcs8(fixture!("test_only_rsa1024.pkcs8.der")),
        "1024 bits",
    );
    assert_invalid_key(
        p().import_public_spki(fixture!("test_only_rsa1024.spki.der")),
        "1024 bits",
    );
    let err = p()
        .import_public_spki(fixture!("test_only_rsa1024.spki.der"))
        .unwrap_err();
    assert!(err.to_string().contains("2048"), "{err}");
}

#[test]
fn rsa_exponent_must_be_odd_and_at_least_3() {
    assert_invalid_key(
        p().import_public_spki(fixture!("test_only_rsa2048_e1.spki.der")),
        "exponent 1",
    );
    assert_invalid_key(
        p().import_public_spki(fixture!("test_only_rsa2048_e65536.spki.der")),
        "exponent 65536",
    );
}

#[test]
fn ec_point_must_be_on_the_curve_and_uncompressed() {
    let good = fixture!("rfc7515_A3_p256.spki.der");
    let mut off_curve = good.to_vec();
    *off_curve.last_mut().unwrap() ^= 1;
    assert_invalid_key(p().import_public_spki(&off_curve), "P-256");
    let mut zero = good.to_vec();
    let len = zero.len();
    zero[len - 64..].fill(0);
    assert_invalid_key(p().import_public_spki(&zero), "P-256");
    assert_invalid_key(
        p().import_public_spki(fixture!("test_only_p256_compressed.spki.der")),
        "compressed",
    );
}

#[test]
fn inconsistent_ec_private_key_is_refused() {
    assert_invalid_key(
        p().import_private_pkcs8(fixture!("test_only_p256_mismatched_public.pkcs8.der")),
        "P-256",
    );
}

#[test]
fn unsupported_and_malformed_keys() {
    assert_invalid_key(
        p().import_private_pkcs8(fixture!("test_only_ed25519.pkcs8.der")),
        "1.3.101.112",
    );
    for garbage in [
        &b""[..],
        b"\x30\x00",
        b"\x30\x80\x00\x00",
        b"not DER at all",
        &[0xff; 64],
    ] {
        assert_invalid_key(p().import_private_pkcs8(garbage), "DER");
        assert_invalid_key(p().import_public_spki(garbage), "DER");
    }
    // A private key where a public one is expected and vice versa.
    assert!(
        p().import_public_spki(fixture!("rfc7515_A3_p256.pkcs8.der"))
            .is_err()
    );
    assert!(
        p().import_private_pkcs8(fixture!("rfc7515_A3_p256.spki.der"))
            .is_err()
    );
    // Every truncation, and trailing data, of valid documents is an InvalidKey, never a panic.
    for der in [
        fixture!("rfc7515_A2_rsa2048.pkcs8.der"),
        fixture!("rfc7515_A2_rsa2048.spki.der"),
        fixture!("rfc7515_A4_p521.pkcs8.der"),
        fixture!("rfc7515_A4_p521.spki.der"),
    ] {
        for cut in 0..der.len() {
            let r1 = p().import_private_pkcs8(&der[..cut]).map(|_| ());
            let r2 = p().import_public_spki(&der[..cut]).map(|_| ());
            assert!(matches!(r1, Err(Error::InvalidKey { .. })), "{cut}: {r1:?}");
            assert!(matches!(r2, Err(Error::InvalidKey { .. })), "{cut}: {r2:?}");
        }
        let mut longer = der.to_vec();
        longer.push(0);
        assert!(p().import_private_pkcs8(&longer).is_err());
        assert!(p().import_public_spki(&longer).is_err());
    }
}

#[test]
fn errors_and_debug_never_show_key_material() {
    let pkcs8 = fixture!("rfc7515_A3_p256.pkcs8.der");
    let key = p().import_private_pkcs8(pkcs8).unwrap();
    assert_eq!(format!("{key:?}"), "AwsLcPrivateKey { kind: Ec(P256), .. }");
    assert_eq!(
        format!("{:?}", key.public_key()),
        "AwsLcPublicKey { kind: Ec(P256), .. }"
    );
    let rsa = rsa2048();
    assert_eq!(
        format!("{rsa:?}"),
        "AwsLcPrivateKey { kind: Rsa { bits: 2048 }, .. }"
    );

    // Messages are short and hold no trace of the private scalar (hex or base64url).
    let v = vector!("rfc7515_7516/rfc7515_A3_es256.json");
    let d = b64(&v["key"]["d"]);
    let d_hex: String = d.iter().take(6).map(|b| format!("{b:02x}")).collect();
    let d_b64 = &v["key"]["d"].as_str().unwrap()[..8];
    let mut tampered = pkcs8.to_vec();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    let mut messages = vec![
        format!("{key:?}"),
        p().import_private_pkcs8(&tampered).unwrap_err().to_string(),
        p().import_private_pkcs8(&pkcs8[..pkcs8.len() - 1])
            .unwrap_err()
            .to_string(),
    ];
    tampered[40] ^= 0x80;
    messages.push(p().import_private_pkcs8(&tampered).unwrap_err().to_string());
    for msg in messages {
        assert!(msg.len() < 200, "{msg}");
        let lower = msg.to_ascii_lowercase();
        assert!(!lower.contains(&d_hex) && !msg.contains(d_b64), "{msg}");
    }
}

// ---- known answers ---------------------------------------------------------------------------

#[test]
fn rfc7515_a2_rs256_is_deterministic() {
    let v = vector!("rfc7515_7516/rfc7515_A2_rs256.json");
    let key = p()
        .import_private_pkcs8(fixture!("rfc7515_A2_rsa2048.pkcs8.der"))
        .unwrap();
    let input = format!(
        "{}.{}",
        v["protected_b64u"].as_str().unwrap(),
        v["payload_b64u"].as_str().unwrap()
    );
    let expected = b64(&v["signature_b64u"]);
    assert_eq!(
        key.sign(JwsAlgorithm::Rs256, input.as_bytes()).unwrap(),
        expected
    );
    let public = p()
        .import_public_spki(fixture!("rfc7515_A2_rsa2048.spki.der"))
        .unwrap();
    public
        .verify(JwsAlgorithm::Rs256, input.as_bytes(), &expected)
        .unwrap();
}

#[test]
fn rfc7515_a3_es256_and_a4_es512_verify() {
    for (v, spki, alg) in [
        (
            vector!("rfc7515_7516/rfc7515_A3_es256.json"),
            fixture!("rfc7515_A3_p256.spki.der"),
            JwsAlgorithm::Es256,
        ),
        (
            vector!("rfc7515_7516/rfc7515_A4_es512.json"),
            fixture!("rfc7515_A4_p521.spki.der"),
            JwsAlgorithm::Es512,
        ),
    ] {
        let input = format!(
            "{}.{}",
            v["protected_b64u"].as_str().unwrap(),
            v["payload_b64u"].as_str().unwrap()
        );
        let sig = b64(&v["signature_b64u"]);
        let public = p().import_public_spki(spki).unwrap();
        public.verify(alg, input.as_bytes(), &sig).unwrap();
        assert_eq!(public.verify(alg, b"other", &sig), Err(Error::BadSignature));
    }
}

#[test]
fn rfc7520_4_2_ps384_verifies() {
    let v = vector!("rfc7520/4_2.rsa-pss_signature.json");
    let input = v["signing"]["sig-input"].as_str().unwrap();
    let sig = b64(&v["signing"]["sig"]);
    let public = p()
        .import_public_spki(fixture!("rfc7520_4_2_rsa2048.spki.der"))
        .unwrap();
    public
        .verify(JwsAlgorithm::Ps384, input.as_bytes(), &sig)
        .unwrap();
    assert_eq!(
        public.verify(JwsAlgorithm::Ps256, input.as_bytes(), &sig),
        Err(Error::BadSignature)
    );
}

#[test]
fn rfc7516_a1_rsa_oaep_and_a256gcm() {
    let v = vector!("rfc7515_7516/rfc7516_A1_rsa-oaep_a256gcm.json");
    let key = p()
        .import_private_pkcs8(fixture!("rfc7516_A1_rsa2048.pkcs8.der"))
        .unwrap();
    let cek = key
        .unwrap_key(
            KeyManagementAlgorithm::RsaOaep,
            &b64(&v["encrypted_key_b64u"]),
        )
        .unwrap();
    assert_eq!(cek.as_slice(), b64(&v["cek_b64u"]).as_slice());

    let aad = v["protected_b64u"].as_str().unwrap().as_bytes();
    let iv = b64(&v["iv_b64u"]);
    let ct = b64(&v["ciphertext_b64u"]);
    let tag = b64(&v["tag_b64u"]);
    let plaintext = p()
        .aead_open(ContentEncryption::A256Gcm, &cek, &iv, aad, &ct, &tag)
        .unwrap();
    assert_eq!(
        plaintext.as_slice(),
        v["plaintext"].as_str().unwrap().as_bytes()
    );
    let (ct2, tag2) = p()
        .aead_seal(ContentEncryption::A256Gcm, &cek, &iv, aad, &plaintext)
        .unwrap();
    assert_eq!((ct2, tag2.to_vec()), (ct, tag));
}

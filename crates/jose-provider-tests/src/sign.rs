//! JWS signatures: [`PrivateKeyOps::sign`] and [`PublicKeyOps::verify`] for every
//! [`JwsAlgorithm`].
//!
//! The contract: every signature that does not verify is [`Error::BadSignature`], whatever is
//! wrong with it; ECDSA signatures are raw r||s of exactly [`EcCurve::signature_len`] bytes,
//! EdDSA (Ed25519) signatures 64 bytes; an algorithm that does not fit the key is
//! [`Error::InvalidKey`].

use crate::{fails_with, fixtures, flipped, invalid_key_naming, joined, ok};
use jose_core::alg::SignatureScheme;
use jose_core::{
    CryptoProvider, EcCurve, Error, JwsAlgorithm, KeyKind, KeyManagementAlgorithm, KeySpec,
    OkpCurve, PrivateKeyOps, PublicKeyOps,
};
use std::sync::Arc;

/// The OpenSSL fixture key (imported) for the key type of `alg`.
pub(crate) fn fixture_key(
    provider: &dyn CryptoProvider,
    alg: JwsAlgorithm,
) -> Arc<dyn PrivateKeyOps> {
    let der = match alg.scheme() {
        SignatureScheme::Ecdsa(EcCurve::P256) => fixtures::OPENSSL_P256_PKCS8,
        SignatureScheme::Ecdsa(EcCurve::P384) => fixtures::OPENSSL_P384_PKCS8,
        SignatureScheme::Ecdsa(EcCurve::P521) => fixtures::OPENSSL_P521_PKCS8,
        SignatureScheme::RsaPkcs1v15 | SignatureScheme::RsaPss => fixtures::OPENSSL_RSA2048_PKCS8,
        SignatureScheme::Hmac => panic!("{alg} has no private key (see the hmac rules)"),
        SignatureScheme::EdDsa(_) => fixtures::OPENSSL_ED25519_PKCS8,
    };
    ok(
        provider,
        provider.import_private_pkcs8(der),
        format_args!("import the OpenSSL fixture key for {alg}"),
    )
}

/// The OpenSSL fixture key (imported) on `curve`.
pub(crate) fn fixture_ec_key(
    provider: &dyn CryptoProvider,
    curve: EcCurve,
) -> Arc<dyn PrivateKeyOps> {
    fixture_key(provider, JwsAlgorithm::for_curve(curve))
}

/// The public half of `key`, through SPKI DER: exported, then imported again.
fn reimported_public(
    provider: &dyn CryptoProvider,
    key: &dyn PrivateKeyOps,
) -> Arc<dyn PublicKeyOps> {
    let spki = ok(
        provider,
        key.public_key().to_spki_der(),
        format_args!("export the SPKI of a {} key", key.kind()),
    );
    ok(
        provider,
        provider.import_public_spki(&spki),
        format_args!("import the SPKI of a {} key", key.kind()),
    )
}

/// The length of a signature by a key of `kind`: the modulus length for RSA, r||s for ECDSA.
fn signature_len(kind: KeyKind) -> usize {
    match kind {
        KeyKind::Rsa { bits } => bits.div_ceil(8),
        KeyKind::Ec(curve) => curve.signature_len(),
        KeyKind::Okp(_) => 64,
    }
}

/// The keys a signature rule runs on: for each algorithm, one the provider generated and the
/// OpenSSL fixture it imported (a provider may hold the two differently, a KMS for one).
struct KeySet {
    generated_rsa: Arc<dyn PrivateKeyOps>,
    generated_ec: Vec<(EcCurve, Arc<dyn PrivateKeyOps>)>,
    generated_ed25519: Arc<dyn PrivateKeyOps>,
}

impl KeySet {
    /// Generates an RSA 2048 key, a key on each curve and an Ed25519 key.
    fn new(provider: &dyn CryptoProvider) -> Self {
        let generated_rsa = ok(
            provider,
            provider.generate(KeySpec::Rsa { bits: 2048 }),
            "generate an RSA 2048 key",
        );
        let generated_ec = EcCurve::ALL
            .iter()
            .map(|&curve| {
                let key = ok(
                    provider,
                    provider.generate(KeySpec::Ec(curve)),
                    format_args!("generate a {curve} key"),
                );
                (curve, key)
            })
            .collect();
        let generated_ed25519 = ok(
            provider,
            provider.generate(KeySpec::Okp(OkpCurve::Ed25519)),
            "generate an Ed25519 key",
        );
        KeySet {
            generated_rsa,
            generated_ec,
            generated_ed25519,
        }
    }

    /// The generated key and the imported fixture key for `alg`, each with its source.
    fn for_alg(
        &self,
        provider: &dyn CryptoProvider,
        alg: JwsAlgorithm,
    ) -> [(&'static str, Arc<dyn PrivateKeyOps>); 2] {
        let generated = match alg.scheme() {
            SignatureScheme::Ecdsa(curve) => self
                .generated_ec
                .iter()
                .find(|(c, _)| *c == curve)
                .map(|(_, key)| key.clone())
                .unwrap_or_else(|| panic!("KeySet has a {curve} key")),
            SignatureScheme::RsaPkcs1v15 | SignatureScheme::RsaPss => self.generated_rsa.clone(),
            SignatureScheme::Hmac => panic!("{alg} has no private key (see the hmac rules)"),
            SignatureScheme::EdDsa(_) => self.generated_ed25519.clone(),
        };
        [
            ("generated", generated),
            ("imported", fixture_key(provider, alg)),
        ]
    }
}

/// Every asymmetric [`JwsAlgorithm`] (EdDSA included) signs and verifies, with generated keys
/// and with imported ones: the signature has the right length (the modulus for RSA, raw r||s for
/// ECDSA, 64 bytes for EdDSA) and verifies with the
/// private key's public half and with that public key exported to SPKI and imported again.
pub fn round_trip_every_algorithm(provider: &dyn CryptoProvider) {
    let keys = KeySet::new(provider);
    for alg in JwsAlgorithm::asymmetric() {
        for (source, key) in keys.for_alg(provider, alg) {
            ensure!(
                provider,
                alg.fits(key.kind()),
                "{alg}: the {source} key is a {}",
                key.kind()
            );
            let message = format!("signing input for {alg}");
            let signature = ok(
                provider,
                key.sign(alg, message.as_bytes()),
                format_args!("{alg}: sign with the {source} {}", key.kind()),
            );
            ensure_eq!(
                provider,
                signature.len(),
                signature_len(key.kind()),
                "{alg}: signature length with the {source} {}",
                key.kind()
            );
            ok(
                provider,
                key.public_key().verify(alg, message.as_bytes(), &signature),
                format_args!("{alg}: verify with the {source} key's public_key()"),
            );
            let public = reimported_public(provider, key.as_ref());
            ensure_eq!(
                provider,
                public.kind(),
                key.kind(),
                "{alg}: kind of the {source} key's public key after an SPKI round trip"
            );
            ok(
                provider,
                public.verify(alg, message.as_bytes(), &signature),
                format_args!("{alg}: verify with the {source} key's public key through SPKI"),
            );
        }
    }
}

/// A signature of the right length that does not verify is [`Error::BadSignature`]: another
/// message, or one bit flipped in the first, middle or last byte of the signature.
pub fn tampered_signatures_are_bad_signature(provider: &dyn CryptoProvider) {
    let keys = KeySet::new(provider);
    for alg in JwsAlgorithm::asymmetric() {
        for (source, key) in keys.for_alg(provider, alg) {
            let message = format!("signing input for {alg}");
            let signature = ok(
                provider,
                key.sign(alg, message.as_bytes()),
                format_args!("{alg}: sign with the {source} key"),
            );
            let len = signature.len();
            for (how, public) in [
                ("public_key()", key.public_key()),
                ("SPKI import", reimported_public(provider, key.as_ref())),
            ] {
                fails_with(
                    provider,
                    public.verify(alg, b"another message", &signature),
                    &Error::BadSignature,
                    format_args!("{alg} ({source} key, {how}): a signature over another message"),
                );
                for (index, place) in [(0, "first"), (len / 2, "middle"), (len - 1, "last")] {
                    fails_with(
                        provider,
                        public.verify(alg, message.as_bytes(), &flipped(&signature, index, 1)),
                        &Error::BadSignature,
                        format_args!(
                            "{alg} ({source} key, {how}): a signature with a bit of its {place} \
                             byte flipped"
                        ),
                    );
                }
            }
        }
    }
}

/// A signature of the wrong length is [`Error::BadSignature`], never another error or a panic:
/// empty, cut by a byte at either end, extended by a zero byte at either end, half, and for ECDSA
/// the 130 bytes of a P-521 signature with its leading zeros dropped and a DER-encoded signature.
pub fn wrong_length_signatures_are_bad_signature(provider: &dyn CryptoProvider) {
    let keys = KeySet::new(provider);
    for alg in JwsAlgorithm::asymmetric() {
        for (source, key) in keys.for_alg(provider, alg) {
            let public = key.public_key();
            let signature = ok(
                provider,
                key.sign(alg, b"m"),
                format_args!("{alg}: sign with the {source} key"),
            );
            let len = signature.len();
            let cases: [(&str, Vec<u8>); 6] = [
                ("empty", Vec::new()),
                ("without its last byte", signature[..len - 1].to_vec()),
                ("without its first byte", signature[1..].to_vec()),
                ("with a zero byte appended", joined(&signature, &[0])),
                ("with a zero byte in front", joined(&[0], &signature)),
                ("cut in half", signature[..len / 2].to_vec()),
            ];
            for (how, bad) in cases {
                fails_with(
                    provider,
                    public.verify(alg, b"m", &bad),
                    &Error::BadSignature,
                    format_args!(
                        "{alg} ({source} key): a {len}-byte signature {how} ({} bytes)",
                        bad.len()
                    ),
                );
            }
        }
    }

    // 130 bytes: what a library that drops the leading zeros of 521-bit values might send.
    let key = fixture_ec_key(provider, EcCurve::P521);
    let signature = ok(provider, key.sign(JwsAlgorithm::Es512, b"m"), "ES512: sign");
    fails_with(
        provider,
        key.public_key()
            .verify(JwsAlgorithm::Es512, b"m", &signature[..130]),
        &Error::BadSignature,
        "ES512: the first 130 bytes of a signature",
    );

    // A DER-encoded ECDSA signature (SEQUENCE of two INTEGERs) is not raw r||s.
    let key = fixture_ec_key(provider, EcCurve::P256);
    let signature = ok(provider, key.sign(JwsAlgorithm::Es256, b"m"), "ES256: sign");
    let mut der = vec![0x30, 0x46, 0x02, 0x21, 0x00];
    der.extend_from_slice(&signature[..32]);
    der.extend_from_slice(&[0x02, 0x21, 0x00]);
    der.extend_from_slice(&signature[32..]);
    fails_with(
        provider,
        key.public_key().verify(JwsAlgorithm::Es256, b"m", &der),
        &Error::BadSignature,
        "ES256: the signature DER-encoded",
    );
}

/// The order n of the P-256 group, big-endian.
const P256_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// Big-endian `n - s` for `s < n` of the same length.
fn n_minus(n: &[u8], s: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; n.len()];
    let mut borrow = 0i16;
    for i in (0..n.len()).rev() {
        let mut digit = i16::from(n[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(digit < 0);
        if digit < 0 {
            digit += 256;
        }
        out[i] = u8::try_from(digit).unwrap_or_default();
    }
    assert_eq!(borrow, 0, "n_minus: s must be below n");
    out
}

/// ECDSA accepts both s and n - s (like OpenSSL, aws-lc and RustCrypto, no low-s rule), and
/// refuses out-of-range scalars as [`Error::BadSignature`]: r = s = 0 on every curve, and on
/// P-256 s = n, s = 0, r = 0.
pub fn ecdsa_high_s_verifies_and_out_of_range_scalars_do_not(provider: &dyn CryptoProvider) {
    for &curve in EcCurve::ALL {
        let alg = JwsAlgorithm::for_curve(curve);
        fails_with(
            provider,
            fixture_ec_key(provider, curve).public_key().verify(
                alg,
                b"m",
                &vec![0; curve.signature_len()],
            ),
            &Error::BadSignature,
            format_args!("{alg}: a signature of {} zero bytes", curve.signature_len()),
        );
    }

    let key = fixture_ec_key(provider, EcCurve::P256);
    let public = key.public_key();
    let alg = JwsAlgorithm::Es256;
    let signature = ok(provider, key.sign(alg, b"malleable"), "ES256: sign");
    let (r, s) = signature.split_at(32);
    ok(
        provider,
        public.verify(alg, b"malleable", &signature),
        "ES256: verify (r, s)",
    );
    ok(
        provider,
        public.verify(alg, b"malleable", &joined(r, &n_minus(&P256_ORDER, s))),
        "ES256: verify (r, n - s)",
    );
    let cases: [(&str, Vec<u8>); 4] = [
        ("s = n", joined(r, &P256_ORDER)),
        ("s = 0", joined(r, &[0; 32])),
        ("r = 0", joined(&[0; 32], s)),
        ("r = s = 0", vec![0; 64]),
    ];
    for (how, bad) in cases {
        fails_with(
            provider,
            public.verify(alg, b"malleable", &bad),
            &Error::BadSignature,
            format_args!("ES256: a signature with {how}"),
        );
    }
}

/// An RSA signature verifies only under the exact algorithm that made it: not under the other
/// padding scheme (PKCS#1 v1.5 or PSS), not with another hash. Each is [`Error::BadSignature`].
pub fn rsa_schemes_and_hashes_are_not_interchangeable(provider: &dyn CryptoProvider) {
    let rsa = [
        JwsAlgorithm::Rs256,
        JwsAlgorithm::Rs384,
        JwsAlgorithm::Rs512,
        JwsAlgorithm::Ps256,
        JwsAlgorithm::Ps384,
        JwsAlgorithm::Ps512,
    ];
    let keys = KeySet::new(provider);
    for (source, key) in keys.for_alg(provider, JwsAlgorithm::Rs256) {
        let public = key.public_key();
        for signer in rsa {
            let signature = ok(
                provider,
                key.sign(signer, b"m"),
                format_args!("{signer}: sign with the {source} key"),
            );
            for verifier in rsa.into_iter().filter(|&alg| alg != signer) {
                fails_with(
                    provider,
                    public.verify(verifier, b"m", &signature),
                    &Error::BadSignature,
                    format_args!("a {signer} signature ({source} key) verified as {verifier}"),
                );
            }
        }
    }
}

/// RSASSA-PKCS1-v1_5 (RS*) gives the same signature for the same message each time; RSASSA-PSS
/// (PS*) uses a random salt and so gives a different one.
pub fn rsa_pkcs1_is_deterministic_and_pss_is_randomized(provider: &dyn CryptoProvider) {
    let key = fixture_key(provider, JwsAlgorithm::Rs256);
    for alg in [
        JwsAlgorithm::Rs256,
        JwsAlgorithm::Rs384,
        JwsAlgorithm::Rs512,
    ] {
        ensure_eq!(
            provider,
            ok(provider, key.sign(alg, b"m"), format_args!("{alg}: sign")),
            ok(provider, key.sign(alg, b"m"), format_args!("{alg}: sign")),
            "{alg} is deterministic: two signatures of one message must be equal"
        );
    }
    for alg in [
        JwsAlgorithm::Ps256,
        JwsAlgorithm::Ps384,
        JwsAlgorithm::Ps512,
    ] {
        ensure_ne!(
            provider,
            ok(provider, key.sign(alg, b"m"), format_args!("{alg}: sign")),
            ok(provider, key.sign(alg, b"m"), format_args!("{alg}: sign")),
            "{alg} has a random salt: two signatures of one message must differ"
        );
    }
}

/// Signing or verifying with an algorithm that does not fit the key (another curve, RSA with an
/// EC key, ECDSA with an RSA key, EdDSA with an EC or X25519 key, ECDSA with an Ed25519 key), and
/// wrapping with an EC or OKP key, is [`Error::InvalidKey`] whose `expected` names the algorithm
/// asked for and whose `found` names the key (its curve or size). Unwrapping with an EC or OKP
/// key is the one opaque [`Error::DecryptionFailed`].
pub fn algorithm_must_fit_the_key(provider: &dyn CryptoProvider) {
    let ed25519 = fixture_key(provider, JwsAlgorithm::EdDsa);
    let x25519 = ok(
        provider,
        provider.import_private_pkcs8(fixtures::OPENSSL_X25519_PKCS8),
        "import the OpenSSL X25519 key",
    );
    let eddsa = ok(
        provider,
        ed25519.sign(JwsAlgorithm::EdDsa, b"m"),
        "EdDSA: sign",
    );
    let okp_cases: [(&str, Result<(), Error>, &str, &str); 7] = [
        (
            "sign EdDSA with a P-256 key",
            fixture_ec_key(provider, EcCurve::P256)
                .sign(JwsAlgorithm::EdDsa, b"m")
                .map(drop),
            "EdDSA",
            "P-256",
        ),
        (
            "sign ES256 with an Ed25519 key",
            ed25519.sign(JwsAlgorithm::Es256, b"m").map(drop),
            "ES256",
            "Ed25519",
        ),
        (
            "sign EdDSA with an X25519 key",
            x25519.sign(JwsAlgorithm::EdDsa, b"m").map(drop),
            "EdDSA",
            "X25519",
        ),
        (
            "verify EdDSA with an X25519 key",
            x25519
                .public_key()
                .verify(JwsAlgorithm::EdDsa, b"m", &eddsa),
            "EdDSA",
            "X25519",
        ),
        (
            "verify RS256 with an Ed25519 key",
            ed25519
                .public_key()
                .verify(JwsAlgorithm::Rs256, b"m", &eddsa),
            "RS256",
            "Ed25519",
        ),
        (
            "wrap a key with RSA-OAEP and an Ed25519 key",
            ed25519
                .public_key()
                .wrap_key(KeyManagementAlgorithm::RsaOaep, &[0; 16])
                .map(drop),
            "RSA-OAEP",
            "Ed25519",
        ),
        (
            "wrap a key with RSA-OAEP-256 and an X25519 key",
            x25519
                .public_key()
                .wrap_key(KeyManagementAlgorithm::RsaOaep256, &[0; 16])
                .map(drop),
            "RSA-OAEP-256",
            "X25519",
        ),
    ];
    for (what, result, alg, key) in okp_cases {
        invalid_key_naming(provider, result, &[alg], &[key], what);
    }
    for (name, key) in [("Ed25519", &ed25519), ("X25519", &x25519)] {
        fails_with(
            provider,
            key.unwrap_key(KeyManagementAlgorithm::RsaOaep, &[0; 256]),
            &Error::DecryptionFailed,
            format_args!("unwrap a key with RSA-OAEP and an {name} key"),
        );
    }

    let p256 = fixture_ec_key(provider, EcCurve::P256);
    let rsa = fixture_key(provider, JwsAlgorithm::Rs256);
    let es256 = ok(
        provider,
        p256.sign(JwsAlgorithm::Es256, b"m"),
        "ES256: sign",
    );
    let cases: [(&str, Result<(), Error>, &str, &str); 7] = [
        (
            "sign ES384 with a P-256 key",
            p256.sign(JwsAlgorithm::Es384, b"m").map(drop),
            "ES384",
            "P-256",
        ),
        (
            "sign RS256 with a P-256 key",
            p256.sign(JwsAlgorithm::Rs256, b"m").map(drop),
            "RS256",
            "P-256",
        ),
        (
            "sign ES256 with an RSA 2048 key",
            rsa.sign(JwsAlgorithm::Es256, b"m").map(drop),
            "ES256",
            "2048",
        ),
        (
            "verify ES384 with a P-256 key",
            p256.public_key().verify(JwsAlgorithm::Es384, b"m", &es256),
            "ES384",
            "P-256",
        ),
        (
            "verify PS256 with a P-256 key",
            p256.public_key().verify(JwsAlgorithm::Ps256, b"m", &es256),
            "PS256",
            "P-256",
        ),
        (
            "verify ES256 with an RSA 2048 key",
            rsa.public_key().verify(JwsAlgorithm::Es256, b"m", &es256),
            "ES256",
            "2048",
        ),
        (
            "wrap a key with RSA-OAEP and a P-256 key",
            p256.public_key()
                .wrap_key(KeyManagementAlgorithm::RsaOaep, &[0; 16])
                .map(drop),
            "RSA-OAEP",
            "P-256",
        ),
    ];
    for (what, result, alg, key) in cases {
        invalid_key_naming(provider, result, &[alg], &[key], what);
    }
    fails_with(
        provider,
        p256.unwrap_key(KeyManagementAlgorithm::RsaOaep, &[0; 256]),
        &Error::DecryptionFailed,
        "unwrap a key with RSA-OAEP and a P-256 key",
    );
}

/// EdDSA (PureEdDSA, RFC 8032) is deterministic: the same key and message give the same 64-byte
/// signature every time, whether the key was generated or imported, and OpenSSL's signature
/// over [`fixtures::OPENSSL_MESSAGE`] is exactly what the provider computes with the same key.
pub fn eddsa_is_deterministic(provider: &dyn CryptoProvider) {
    let keys = KeySet::new(provider);
    for (source, key) in keys.for_alg(provider, JwsAlgorithm::EdDsa) {
        ensure_eq!(
            provider,
            ok(provider, key.sign(JwsAlgorithm::EdDsa, b"m"), "EdDSA: sign"),
            ok(provider, key.sign(JwsAlgorithm::EdDsa, b"m"), "EdDSA: sign"),
            "EdDSA is deterministic: two signatures of one message with the {source} key"
        );
    }
    ensure_eq!(
        provider,
        ok(
            provider,
            fixture_key(provider, JwsAlgorithm::EdDsa)
                .sign(JwsAlgorithm::EdDsa, fixtures::OPENSSL_MESSAGE),
            "EdDSA: sign OpenSSL's message",
        )
        .as_slice(),
        fixtures::OPENSSL_EDDSA_SIG,
        "EdDSA: the signature is OpenSSL's"
    );
}

/// The encodings of the Ed25519 points of small order (libsodium's list; the sign bit may also
/// be set): the identity, the points of order 2, 4 and 8, and the non-canonical p and p + 1.
pub const ED25519_SMALL_ORDER_POINTS: [[u8; 32]; 7] = {
    let mut points = [[0u8; 32]; 7];
    points[1][0] = 1;
    points[2] = [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ];
    points[3] = [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ];
    let mut i = 4;
    while i < 7 {
        let mut j = 1;
        while j < 31 {
            points[i][j] = 0xff;
            j += 1;
        }
        points[i][31] = 0x7f;
        i += 1;
    }
    points[4][0] = 0xec;
    points[5][0] = 0xed;
    points[6][0] = 0xee;
    points
};

/// EdDSA signatures with a public key or an R of small order are [`Error::BadSignature`], though
/// RFC 8032's cofactorless equation holds for some of them (for every message with the identity
/// as key, R the identity and S = 0): every small-order encoding, with and without the sign
/// bit, as the key with R = identity and S = 0 and with R = the same point, over 16 messages;
/// and the OpenSSL key's signature with its R replaced by each of them.
pub fn eddsa_small_order_points_are_bad_signature(provider: &dyn CryptoProvider) {
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let template = fixtures::OPENSSL_ED25519_SPKI;
    let at = template.len() - 32;
    for (index, point) in ED25519_SMALL_ORDER_POINTS.iter().enumerate() {
        for sign in [0u8, 0x80] {
            let mut encoded = *point;
            encoded[31] |= sign;
            let mut spki = template.to_vec();
            spki[at..].copy_from_slice(&encoded);
            // An Ed25519 key that is a point imports (it is decoded when verifying) or is refused
            // as InvalidKey; either way it verifies nothing.
            let Ok(public) = provider.import_public_spki(&spki) else {
                continue;
            };
            for r in [identity, encoded] {
                let signature = joined(&r, &[0; 32]);
                for n in 0..16u8 {
                    fails_with(
                        provider,
                        public.verify(JwsAlgorithm::EdDsa, &[n], &signature),
                        &Error::BadSignature,
                        format_args!(
                            "EdDSA: small-order key {index} (sign bit {}), R = {}, S = 0, message {n}",
                            sign >> 7,
                            if r == identity { "identity" } else { "the key" }
                        ),
                    );
                }
            }
        }
    }
    let key = fixture_key(provider, JwsAlgorithm::EdDsa);
    let public = key.public_key();
    let signature = ok(provider, key.sign(JwsAlgorithm::EdDsa, b"m"), "EdDSA: sign");
    for (index, point) in ED25519_SMALL_ORDER_POINTS.iter().enumerate() {
        fails_with(
            provider,
            public.verify(JwsAlgorithm::EdDsa, b"m", &joined(point, &signature[32..])),
            &Error::BadSignature,
            format_args!("EdDSA: a signature with R replaced by small-order point {index}"),
        );
    }
}

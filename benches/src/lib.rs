//! Shared setup for the jose benchmarks: test-only keys, payloads, the raw aws-lc-rs baselines
//! (the same primitives called directly, without JOSE), and the peers behind the `peers` feature.
//!
//! The benches live in `benches/` (`cargo bench -p jose-benches`); `cargo xtask bench` runs them
//! and writes BENCHMARKS.md. The `jwe_peak_memory` binary measures the peak memory of a 64 MiB
//! JWE round trip; the `fourquays_load` binary is the load bench of the 4Quays service over
//! HTTP/1.1 and TLS (its own section of BENCHMARKS.md).
//!
//! ```
//! use jose_benches::{payload, raw};
//!
//! // The raw baseline of a JWE: RSA-OAEP of a fresh CEK, then AES-GCM, no base64 or JSON.
//! let keys = raw::RawJweKeys::new().expect("the test-only key imports");
//! let sealed = keys
//!     .encrypt(jose::KeyManagementAlgorithm::RsaOaep256, jose::ContentEncryption::A256Gcm, b"aad", &payload(1024))
//!     .expect("raw encryption");
//! let opened = keys
//!     .decrypt(jose::KeyManagementAlgorithm::RsaOaep256, jose::ContentEncryption::A256Gcm, b"aad", &sealed)
//!     .expect("raw decryption");
//! assert_eq!(opened, payload(1024));
//! ```

use jose::{
    ContentEncryption, CryptoProvider, DecryptingKey, EncryptingKey, JwsAlgorithm,
    KeyManagementAlgorithm, KeyManagementMode, Password, PrivateKey, SecretKey, SigningKey,
    VerifyingKey,
};

/// The RSA 2048 test-only key (PKCS#8 PEM) used for RS*/PS* and RSA-OAEP.
pub const RSA_PEM: &str = include_str!("../keys/test-only-rsa2048.pem");
/// Its public half (SPKI PEM).
pub const RSA_PUBLIC_PEM: &str = include_str!("../keys/test-only-rsa2048-public.pem");
/// The P-256 test-only key.
pub const P256_PEM: &str = include_str!("../keys/test-only-p256.pem");
/// Its public half.
pub const P256_PUBLIC_PEM: &str = include_str!("../keys/test-only-p256-public.pem");
/// The P-384 test-only key.
pub const P384_PEM: &str = include_str!("../keys/test-only-p384.pem");
/// Its public half.
pub const P384_PUBLIC_PEM: &str = include_str!("../keys/test-only-p384-public.pem");
/// The P-521 test-only key (ES512, TrueLayer).
pub const P521_PEM: &str = include_str!("../keys/test-only-p521.pem");
/// Its public half.
pub const P521_PUBLIC_PEM: &str = include_str!("../keys/test-only-p521-public.pem");
/// The Ed25519 test-only key (PKCS#8 PEM, `openssl genpkey -algorithm ed25519`), for EdDSA.
pub const ED25519_PEM: &str = include_str!("../keys/test-only-ed25519.pem");
/// Its public half.
pub const ED25519_PUBLIC_PEM: &str = include_str!("../keys/test-only-ed25519-public.pem");
/// The X25519 test-only key (PKCS#8 PEM, `openssl genpkey -algorithm x25519`), for ECDH-ES.
pub const X25519_PEM: &str = include_str!("../keys/test-only-x25519.pem");
/// Its public half.
pub const X25519_PUBLIC_PEM: &str = include_str!("../keys/test-only-x25519-public.pem");

/// Every asymmetric JWS algorithm, in the order the report lists them (EdDSA with Ed25519).
pub const JWS_ALGS: [JwsAlgorithm; 10] = [
    JwsAlgorithm::Rs256,
    JwsAlgorithm::Rs384,
    JwsAlgorithm::Rs512,
    JwsAlgorithm::Ps256,
    JwsAlgorithm::Ps384,
    JwsAlgorithm::Ps512,
    JwsAlgorithm::Es256,
    JwsAlgorithm::Es384,
    JwsAlgorithm::Es512,
    JwsAlgorithm::EdDsa,
];

/// The JWE key management algorithms benchmarked.
pub const JWE_ALGS: [KeyManagementAlgorithm; 2] = [
    KeyManagementAlgorithm::RsaOaep,
    KeyManagementAlgorithm::RsaOaep256,
];

/// The content encryptions benchmarked.
pub const JWE_ENCS: [ContentEncryption; 2] =
    [ContentEncryption::A128Gcm, ContentEncryption::A256Gcm];

/// The JWE payload sizes benchmarked, with their labels.
pub const JWE_SIZES: [(usize, &str); 3] =
    [(1024, "1KiB"), (64 * 1024, "64KiB"), (1024 * 1024, "1MiB")];

/// The RSA-OAEP cases of issue 14, benchmarked at 1 KiB only (in the same groups and with the
/// same RSA key as [`JWE_ALGS`]).
pub const RSA_OAEP_1KIB: [(KeyManagementAlgorithm, ContentEncryption); 2] = [
    (
        KeyManagementAlgorithm::RsaOaep384,
        ContentEncryption::A256Gcm,
    ),
    (
        KeyManagementAlgorithm::RsaOaep512,
        ContentEncryption::A256Gcm,
    ),
];

/// `len` bytes of JSON-looking text (the content does not change the timings).
pub fn payload(len: usize) -> Vec<u8> {
    const PATTERN: &[u8] =
        b"{\"amount_in_minor\":100,\"currency\":\"GBP\",\"ref\":\"abcdefghij\"},";
    PATTERN.iter().copied().cycle().take(len).collect()
}

/// The PEM of the private key a JWS algorithm uses here, and of its public half.
pub fn jws_pems(alg: JwsAlgorithm) -> (&'static str, &'static str) {
    match alg {
        JwsAlgorithm::Es256 => (P256_PEM, P256_PUBLIC_PEM),
        JwsAlgorithm::Es384 => (P384_PEM, P384_PUBLIC_PEM),
        JwsAlgorithm::Es512 => (P521_PEM, P521_PUBLIC_PEM),
        JwsAlgorithm::EdDsa => (ED25519_PEM, ED25519_PUBLIC_PEM),
        _ => (RSA_PEM, RSA_PUBLIC_PEM),
    }
}

/// The keys of this crate bound for `alg` in `provider`: a signing and a verifying key.
pub fn jws_keys(
    alg: JwsAlgorithm,
    provider: &dyn CryptoProvider,
) -> Result<(SigningKey, VerifyingKey), jose::Error> {
    let (private, _) = jws_pems(alg);
    let signing = SigningKey::new(PrivateKey::from_pem(private, provider)?, alg)?;
    let verifying = signing.verifying_key();
    Ok((signing, verifying))
}

/// The RSA key bound for `alg` in `provider`: an encrypting and a decrypting key.
pub fn jwe_keys(
    alg: KeyManagementAlgorithm,
    provider: &dyn CryptoProvider,
) -> Result<(EncryptingKey, DecryptingKey), jose::Error> {
    pem_jwe_keys(RSA_PEM, alg, provider)
}

/// The private key of `pem` bound for `alg` in `provider`, and its public half.
fn pem_jwe_keys(
    pem: &str,
    alg: KeyManagementAlgorithm,
    provider: &dyn CryptoProvider,
) -> Result<(EncryptingKey, DecryptingKey), jose::Error> {
    let decrypting = DecryptingKey::new(PrivateKey::from_pem(pem, provider)?, alg)?;
    Ok((decrypting.encrypting_key(), decrypting))
}

/// The HMAC JWS algorithms (issue 14), benchmarked at 1 KiB.
pub const HMAC_ALGS: [JwsAlgorithm; 3] = [
    JwsAlgorithm::Hs256,
    JwsAlgorithm::Hs384,
    JwsAlgorithm::Hs512,
];

/// The symmetric and password JWE cases (issue 14), each at 1 KiB: every new `alg` with the
/// `enc` of its own key size, then every CBC-HS `enc` under `dir` (so its row isolates the
/// content encryption).
pub const SYMMETRIC_JWE: [(KeyManagementAlgorithm, ContentEncryption); 13] = [
    (KeyManagementAlgorithm::Dir, ContentEncryption::A128Gcm),
    (KeyManagementAlgorithm::A128Kw, ContentEncryption::A128Gcm),
    (KeyManagementAlgorithm::A192Kw, ContentEncryption::A192Gcm),
    (KeyManagementAlgorithm::A256Kw, ContentEncryption::A256Gcm),
    (
        KeyManagementAlgorithm::A128GcmKw,
        ContentEncryption::A128Gcm,
    ),
    (
        KeyManagementAlgorithm::A192GcmKw,
        ContentEncryption::A192Gcm,
    ),
    (
        KeyManagementAlgorithm::A256GcmKw,
        ContentEncryption::A256Gcm,
    ),
    (
        KeyManagementAlgorithm::Pbes2Hs256A128Kw,
        ContentEncryption::A128Gcm,
    ),
    (
        KeyManagementAlgorithm::Pbes2Hs384A192Kw,
        ContentEncryption::A192Gcm,
    ),
    (
        KeyManagementAlgorithm::Pbes2Hs512A256Kw,
        ContentEncryption::A256Gcm,
    ),
    (KeyManagementAlgorithm::Dir, ContentEncryption::A128CbcHs256),
    (KeyManagementAlgorithm::Dir, ContentEncryption::A192CbcHs384),
    (KeyManagementAlgorithm::Dir, ContentEncryption::A256CbcHs512),
];

/// The PBKDF2 iteration count of the PBES2 cases, on every side: the smallest jose accepts
/// (10,000), so those rows measure PBKDF2 above all.
pub const PBES2_COUNT: u32 = jose::MIN_PBES2_COUNT;

/// The test-only password of the PBES2 cases.
pub const PASSWORD: &[u8] = b"test-only bench password";

/// `len` bytes of a test-only shared secret (0, 1, 2, ...: the value does not change timings).
pub fn secret(len: usize) -> Vec<u8> {
    (0..len).map(|i| i as u8).collect()
}

/// The length of the shared secret `alg` uses with `enc`: the `enc` key for `dir`, the
/// key-wrap key otherwise, the hash length for HMAC (see [`hmac_secret_len`]).
pub fn jwe_secret_len(alg: KeyManagementAlgorithm, enc: ContentEncryption) -> usize {
    match alg.mode() {
        KeyManagementMode::AesKw(len) | KeyManagementMode::AesGcmKw(len) => len,
        _ => enc.key_len(),
    }
}

/// The shared-secret length of an HMAC algorithm: its hash length.
pub fn hmac_secret_len(alg: JwsAlgorithm) -> usize {
    match alg {
        JwsAlgorithm::Hs384 => 48,
        JwsAlgorithm::Hs512 => 64,
        _ => 32,
    }
}

/// The HMAC keys for `alg` in `provider`: a signing and a verifying key over the same secret.
pub fn hmac_keys(
    alg: JwsAlgorithm,
    provider: &'static dyn CryptoProvider,
) -> Result<(SigningKey, VerifyingKey), jose::Error> {
    let secret = SecretKey::from_bytes(&secret(hmac_secret_len(alg)), provider)?;
    Ok((
        SigningKey::symmetric(secret.clone(), alg)?,
        VerifyingKey::symmetric(secret, alg)?,
    ))
}

/// The shared-secret or password keys for `alg` (with `enc`) in `provider`.
pub fn symmetric_jwe_keys(
    alg: KeyManagementAlgorithm,
    enc: ContentEncryption,
    provider: &'static dyn CryptoProvider,
) -> Result<(EncryptingKey, DecryptingKey), jose::Error> {
    if let KeyManagementMode::Pbes2 { .. } = alg.mode() {
        let password = || Password::new(PASSWORD)?.with_count(PBES2_COUNT);
        return Ok((
            EncryptingKey::password(password()?, alg)?,
            DecryptingKey::password(password()?, alg)?,
        ));
    }
    let secret = SecretKey::from_bytes(&secret(jwe_secret_len(alg, enc)), provider)?;
    Ok((
        EncryptingKey::symmetric(secret.clone(), alg)?,
        DecryptingKey::symmetric(secret, alg)?,
    ))
}

/// A curve of the ECDH-ES cases, with its test-only key (the EC keys are the ES* ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EcdhCurve {
    /// P-256.
    P256,
    /// P-384.
    P384,
    /// P-521.
    P521,
    /// X25519.
    X25519,
}

impl EcdhCurve {
    /// Every curve, in the order the report lists them.
    pub const ALL: [EcdhCurve; 4] = [
        EcdhCurve::P256,
        EcdhCurve::P384,
        EcdhCurve::P521,
        EcdhCurve::X25519,
    ];

    /// The JWK `crv` name.
    pub fn name(self) -> &'static str {
        match self {
            EcdhCurve::P256 => "P-256",
            EcdhCurve::P384 => "P-384",
            EcdhCurve::P521 => "P-521",
            EcdhCurve::X25519 => "X25519",
        }
    }

    /// The PEM of the recipient's private key, and of its public half.
    pub fn pems(self) -> (&'static str, &'static str) {
        match self {
            EcdhCurve::P256 => (P256_PEM, P256_PUBLIC_PEM),
            EcdhCurve::P384 => (P384_PEM, P384_PUBLIC_PEM),
            EcdhCurve::P521 => (P521_PEM, P521_PUBLIC_PEM),
            EcdhCurve::X25519 => (X25519_PEM, X25519_PUBLIC_PEM),
        }
    }
}

/// The ECDH-ES cases (issue 14), each on every curve of [`EcdhCurve::ALL`] at 1 KiB: the
/// Concat KDF output as the CEK (`ECDH-ES`), or as the key-wrap key of a fresh CEK, with the
/// `enc` of its own key size.
pub const ECDH_JWE: [(KeyManagementAlgorithm, ContentEncryption); 3] = [
    (KeyManagementAlgorithm::EcdhEs, ContentEncryption::A256Gcm),
    (
        KeyManagementAlgorithm::EcdhEsA128Kw,
        ContentEncryption::A128Gcm,
    ),
    (
        KeyManagementAlgorithm::EcdhEsA256Kw,
        ContentEncryption::A256Gcm,
    ),
];

/// One of issue 14's 1 KiB JWE cases with a `raw+b64` baseline: a symmetric or password one
/// ([`SYMMETRIC_JWE`], no curve), or an ECDH-ES one ([`ECDH_JWE`]) on a curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JweCase {
    /// The key management algorithm.
    pub alg: KeyManagementAlgorithm,
    /// The content encryption.
    pub enc: ContentEncryption,
    /// The recipient key's curve (ECDH-ES only).
    pub curve: Option<EcdhCurve>,
}

impl JweCase {
    /// Every case: [`SYMMETRIC_JWE`], then each of [`ECDH_JWE`] on each curve.
    pub fn all() -> Vec<JweCase> {
        let symmetric = SYMMETRIC_JWE.map(|(alg, enc)| JweCase {
            alg,
            enc,
            curve: None,
        });
        let ecdh = ECDH_JWE.into_iter().flat_map(|(alg, enc)| {
            EcdhCurve::ALL.map(|curve| JweCase {
                alg,
                enc,
                curve: Some(curve),
            })
        });
        symmetric.into_iter().chain(ecdh).collect()
    }

    /// The bench parameter: `A128KW+A128GCM/1KiB`, `ECDH-ES+A128KW+A128GCM/X25519/1KiB`.
    pub fn label(&self) -> String {
        match self.curve {
            None => format!("{}+{}/1KiB", self.alg, self.enc),
            Some(curve) => format!("{}+{}/{}/1KiB", self.alg, self.enc, curve.name()),
        }
    }

    /// This workspace's keys for the case in `provider`.
    pub fn keys(
        &self,
        provider: &'static dyn CryptoProvider,
    ) -> Result<(EncryptingKey, DecryptingKey), jose::Error> {
        match self.curve {
            None => symmetric_jwe_keys(self.alg, self.enc, provider),
            Some(curve) => pem_jwe_keys(curve.pems().0, self.alg, provider),
        }
    }

    /// The raw baseline of the case.
    pub fn raw(&self) -> Result<raw_symmetric::RawSymmetricJwe, raw::RawError> {
        match self.curve {
            None => raw_symmetric::RawSymmetricJwe::new(self.alg, self.enc),
            Some(curve) => raw_symmetric::RawSymmetricJwe::ecdh(self.alg, self.enc, curve),
        }
    }
}

/// The algorithms of the JWT bench (`benches/jwt.rs`): HMAC, RSA PKCS#1 v1.5 and PSS (2048),
/// ECDSA P-256 and Ed25519, each with the test-only key the JWS benches use.
pub const JWT_ALGS: [JwsAlgorithm; 5] = [
    JwsAlgorithm::Hs256,
    JwsAlgorithm::Rs256,
    JwsAlgorithm::Ps256,
    JwsAlgorithm::Es256,
    JwsAlgorithm::EdDsa,
];

/// The issuer of the bench's access token.
pub const JWT_ISSUER: &str = "https://as.bank.example.com";

/// The audience of the bench's access token.
pub const JWT_AUDIENCE: &str = "https://api.bank.example.com";

/// The access token's lifetime: long enough for a bench run.
pub const JWT_LIFETIME: i64 = 3600;

/// Seconds since the Unix epoch, from the system clock.
pub fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A typical access token's ten claims (RFC 9068-like), issued at `now`: `iss`, `sub`, `aud`,
/// `exp` (`now` + [`JWT_LIFETIME`]), `iat`, `nbf`, `jti`, `scope`, `client_id` and a custom
/// `tenant`. About 330 bytes of JSON.
pub fn access_token_claims(now: i64) -> Result<jose::jwt::Claims, jose::Error> {
    jose::jwt::Claims::new()
        .issuer(JWT_ISSUER)
        .subject("5f2b8c1e-9d4a-4c7b-a1e3-7b6d0c9e2f41")
        .audience(JWT_AUDIENCE)
        .expires_at(now + JWT_LIFETIME)
        .issued_at(now)
        .not_before(now)
        .jwt_id("b7Q2xW9kLm4nR8sT1vY6zA")
        .claim("scope", "openid accounts payments:read payments:write")?
        .claim("client_id", "s6BhdRkqt3-tpp-0042")?
        .claim("tenant", "bank-7")
}

/// What the resource server checks of the access token: its issuer and audience, and (the
/// defaults) `exp` present and unexpired, `nbf` and `iat` not in the future, 60 s leeway.
pub fn access_token_validation() -> jose::jwt::Validation {
    jose::jwt::Validation::new()
        .issuer(JWT_ISSUER)
        .audience(JWT_AUDIENCE)
}

/// The signing and verifying keys of a [`JWT_ALGS`] algorithm in `provider`: the bench secret
/// for HS256 ([`hmac_keys`]), the test-only PEM otherwise ([`jws_keys`]).
pub fn jwt_keys(
    alg: JwsAlgorithm,
    provider: &'static dyn CryptoProvider,
) -> Result<(SigningKey, VerifyingKey), jose::Error> {
    if alg.is_hmac() {
        hmac_keys(alg, provider)
    } else {
        jws_keys(alg, provider)
    }
}

/// The raw baselines: aws-lc-rs called directly, with the same keys, doing the same
/// cryptographic work as the JOSE operation and nothing else (no base64, no JSON).
pub mod raw {
    use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
    use aws_lc_rs::rand::{SecureRandom, SystemRandom};
    use aws_lc_rs::rsa::{
        OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OAEP_SHA384_MGF1SHA384, OAEP_SHA512_MGF1SHA512,
        OaepAlgorithm, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, PrivateDecryptingKey,
    };
    use aws_lc_rs::signature::{
        self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair, UnparsedPublicKey,
    };
    use base64_simd::URL_SAFE_NO_PAD;
    use jose::{ContentEncryption, JwsAlgorithm, KeyManagementAlgorithm, PrivateKeyDer};

    /// A failure in the baseline setup or operation (the benches treat it as fatal).
    #[derive(Debug)]
    pub struct RawError(pub &'static str);

    impl std::fmt::Display for RawError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for RawError {}

    pub(crate) fn pkcs8(pem: &str) -> Result<Vec<u8>, RawError> {
        PrivateKeyDer::from_pem(pem)
            .map(|der| der.pkcs8().to_vec())
            .map_err(|_| RawError("a test-only PEM that parses"))
    }

    enum Signer {
        Rsa(RsaKeyPair),
        Ec(EcdsaKeyPair),
        Ed25519(Ed25519KeyPair),
    }

    /// A signing key and its public key, held by aws-lc-rs, for one algorithm.
    pub struct RawSigner {
        alg: JwsAlgorithm,
        signer: Signer,
        public: Vec<u8>,
        rng: SystemRandom,
    }

    fn rsa_encoding(alg: JwsAlgorithm) -> &'static dyn signature::RsaEncoding {
        match alg {
            JwsAlgorithm::Rs256 => &signature::RSA_PKCS1_SHA256,
            JwsAlgorithm::Rs384 => &signature::RSA_PKCS1_SHA384,
            JwsAlgorithm::Rs512 => &signature::RSA_PKCS1_SHA512,
            JwsAlgorithm::Ps256 => &signature::RSA_PSS_SHA256,
            JwsAlgorithm::Ps384 => &signature::RSA_PSS_SHA384,
            _ => &signature::RSA_PSS_SHA512,
        }
    }

    fn verification(alg: JwsAlgorithm) -> &'static dyn signature::VerificationAlgorithm {
        match alg {
            JwsAlgorithm::Rs256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            JwsAlgorithm::Rs384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            JwsAlgorithm::Rs512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            JwsAlgorithm::Ps256 => &signature::RSA_PSS_2048_8192_SHA256,
            JwsAlgorithm::Ps384 => &signature::RSA_PSS_2048_8192_SHA384,
            JwsAlgorithm::Ps512 => &signature::RSA_PSS_2048_8192_SHA512,
            JwsAlgorithm::Es256 => &signature::ECDSA_P256_SHA256_FIXED,
            JwsAlgorithm::Es384 => &signature::ECDSA_P384_SHA384_FIXED,
            JwsAlgorithm::EdDsa => &signature::ED25519,
            _ => &signature::ECDSA_P521_SHA512_FIXED,
        }
    }

    impl RawSigner {
        /// The test-only key for `alg`, imported straight into aws-lc-rs.
        pub fn new(alg: JwsAlgorithm) -> Result<Self, RawError> {
            let der = pkcs8(super::jws_pems(alg).0)?;
            let signer = match alg {
                JwsAlgorithm::Es256 | JwsAlgorithm::Es384 | JwsAlgorithm::Es512 => {
                    let fixed = match alg {
                        JwsAlgorithm::Es256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                        JwsAlgorithm::Es384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                        _ => &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
                    };
                    Signer::Ec(
                        EcdsaKeyPair::from_pkcs8(fixed, &der).map_err(|_| RawError("EC key"))?,
                    )
                }
                JwsAlgorithm::EdDsa => Signer::Ed25519(
                    Ed25519KeyPair::from_pkcs8(&der).map_err(|_| RawError("Ed25519 key"))?,
                ),
                _ => Signer::Rsa(RsaKeyPair::from_pkcs8(&der).map_err(|_| RawError("RSA key"))?),
            };
            let public = match &signer {
                Signer::Rsa(key) => key.public_key().as_ref().to_vec(),
                Signer::Ec(key) => key.public_key().as_ref().to_vec(),
                Signer::Ed25519(key) => key.public_key().as_ref().to_vec(),
            };
            Ok(Self {
                alg,
                signer,
                public,
                rng: SystemRandom::new(),
            })
        }

        /// Signs `message` (the JWS signing input).
        pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, RawError> {
            match &self.signer {
                Signer::Rsa(key) => {
                    let mut signature = vec![0; key.public_modulus_len()];
                    key.sign(rsa_encoding(self.alg), &self.rng, message, &mut signature)
                        .map_err(|_| RawError("RSA signing"))?;
                    Ok(signature)
                }
                Signer::Ec(key) => key
                    .sign(&self.rng, message)
                    .map(|signature| signature.as_ref().to_vec())
                    .map_err(|_| RawError("ECDSA signing")),
                Signer::Ed25519(key) => Ok(key.sign(message).as_ref().to_vec()),
            }
        }

        /// Verifies `signature` over `message` with the public key.
        pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), RawError> {
            UnparsedPublicKey::new(verification(self.alg), &self.public)
                .verify(message, signature)
                .map_err(|_| RawError("signature verification"))
        }
    }

    /// What a raw JWE encryption produces: the wrapped CEK, IV, ciphertext and tag.
    pub struct RawSealed {
        /// RSA-OAEP of the CEK.
        pub encrypted_key: Vec<u8>,
        /// The 96-bit IV.
        pub iv: [u8; 12],
        /// AES-GCM ciphertext.
        pub ciphertext: Vec<u8>,
        /// AES-GCM tag.
        pub tag: Vec<u8>,
    }

    /// The compact serialization of a raw JWE: `header_b64` and the four binary parts encoded
    /// with `base64-simd` (URL-safe, no padding; the fastest strict codec measured here, see the
    /// `b64_codec` group), straight into one string.
    pub fn compact(header_b64: &str, parts: [&[u8]; 4]) -> String {
        let encoded = |n: usize| n.div_ceil(3) * 4;
        let len = parts.iter().map(|p| 1 + encoded(p.len())).sum::<usize>();
        let mut out = String::with_capacity(header_b64.len() + len);
        out.push_str(header_b64);
        for part in parts {
            out.push('.');
            URL_SAFE_NO_PAD.encode_append(part, &mut out);
        }
        out
    }

    /// The five parts of a compact JWE (no more are looked for: raw knows its own tokens).
    pub fn split(token: &str) -> Result<[&str; 5], RawError> {
        let mut parts = token.split('.');
        let mut next = || parts.next().ok_or(RawError("five parts"));
        Ok([next()?, next()?, next()?, next()?, next()?])
    }

    /// Strict base64url decoding with `base64-simd`.
    pub fn decode(text: &str) -> Result<Vec<u8>, RawError> {
        URL_SAFE_NO_PAD
            .decode_to_vec(text)
            .map_err(|_| RawError("base64url"))
    }

    /// The RSA key for RSA-OAEP, both halves, in aws-lc-rs.
    pub struct RawJweKeys {
        public: OaepPublicEncryptingKey,
        private: OaepPrivateDecryptingKey,
        rng: SystemRandom,
    }

    fn oaep(alg: KeyManagementAlgorithm) -> &'static OaepAlgorithm {
        match alg {
            KeyManagementAlgorithm::RsaOaep => &OAEP_SHA1_MGF1SHA1,
            KeyManagementAlgorithm::RsaOaep384 => &OAEP_SHA384_MGF1SHA384,
            KeyManagementAlgorithm::RsaOaep512 => &OAEP_SHA512_MGF1SHA512,
            _ => &OAEP_SHA256_MGF1SHA256,
        }
    }

    fn gcm(enc: ContentEncryption) -> &'static aead::Algorithm {
        match enc {
            ContentEncryption::A128Gcm => &aead::AES_128_GCM,
            ContentEncryption::A192Gcm => &aead::AES_192_GCM,
            _ => &aead::AES_256_GCM,
        }
    }

    impl RawJweKeys {
        /// The test-only RSA key, imported straight into aws-lc-rs.
        pub fn new() -> Result<Self, RawError> {
            let der = pkcs8(super::RSA_PEM)?;
            let private =
                PrivateDecryptingKey::from_pkcs8(&der).map_err(|_| RawError("RSA key"))?;
            let public = private.public_key();
            Ok(Self {
                public: OaepPublicEncryptingKey::new(public)
                    .map_err(|_| RawError("OAEP public key"))?,
                private: OaepPrivateDecryptingKey::new(private)
                    .map_err(|_| RawError("OAEP private key"))?,
                rng: SystemRandom::new(),
            })
        }

        /// A fresh CEK and IV, the CEK wrapped with RSA-OAEP, the plaintext sealed with AES-GCM
        /// over `aad` (a copy of the plaintext is sealed in place, as any caller must).
        pub fn encrypt(
            &self,
            alg: KeyManagementAlgorithm,
            enc: ContentEncryption,
            aad: &[u8],
            plaintext: &[u8],
        ) -> Result<RawSealed, RawError> {
            let mut cek = [0u8; 32];
            let cek = cek.get_mut(..enc.key_len()).ok_or(RawError("CEK length"))?;
            let mut iv = [0u8; 12];
            self.rng.fill(cek).map_err(|_| RawError("random"))?;
            self.rng.fill(&mut iv).map_err(|_| RawError("random"))?;
            let mut encrypted_key = vec![0u8; self.public.ciphertext_size()];
            let len = self
                .public
                .encrypt(oaep(alg), cek, &mut encrypted_key, None)
                .map_err(|_| RawError("RSA-OAEP encryption"))?
                .len();
            encrypted_key.truncate(len);
            let key =
                LessSafeKey::new(UnboundKey::new(gcm(enc), cek).map_err(|_| RawError("AES key"))?);
            let mut ciphertext = plaintext.to_vec();
            let tag = key
                .seal_in_place_separate_tag(
                    Nonce::assume_unique_for_key(iv),
                    Aad::from(aad),
                    &mut ciphertext,
                )
                .map_err(|_| RawError("AES-GCM seal"))?;
            Ok(RawSealed {
                encrypted_key,
                iv,
                ciphertext,
                tag: tag.as_ref().to_vec(),
            })
        }

        /// Unwraps the CEK with RSA-OAEP and opens the ciphertext (copied, then opened in place).
        pub fn decrypt(
            &self,
            alg: KeyManagementAlgorithm,
            enc: ContentEncryption,
            aad: &[u8],
            sealed: &RawSealed,
        ) -> Result<Vec<u8>, RawError> {
            let mut cek = vec![0u8; self.private.min_output_size()];
            let len = self
                .private
                .decrypt(oaep(alg), &sealed.encrypted_key, &mut cek, None)
                .map_err(|_| RawError("RSA-OAEP decryption"))?
                .len();
            cek.truncate(len);
            let key =
                LessSafeKey::new(UnboundKey::new(gcm(enc), &cek).map_err(|_| RawError("AES key"))?);
            let mut buffer = Vec::with_capacity(sealed.ciphertext.len() + sealed.tag.len());
            buffer.extend_from_slice(&sealed.ciphertext);
            buffer.extend_from_slice(&sealed.tag);
            let plaintext_len = key
                .open_in_place(
                    Nonce::assume_unique_for_key(sealed.iv),
                    Aad::from(aad),
                    &mut buffer,
                )
                .map_err(|_| RawError("AES-GCM open"))?
                .len();
            buffer.truncate(plaintext_len);
            Ok(buffer)
        }

        /// [`RawJweKeys::encrypt`], then the compact serialization: `header_b64` (the protected
        /// header's base64url, also the AAD) and the four other parts base64url-encoded with
        /// `base64-simd` (URL-safe alphabet, no padding), straight into one string.
        pub fn encrypt_compact(
            &self,
            alg: KeyManagementAlgorithm,
            enc: ContentEncryption,
            header_b64: &str,
            plaintext: &[u8],
        ) -> Result<String, RawError> {
            let sealed = self.encrypt(alg, enc, header_b64.as_bytes(), plaintext)?;
            Ok(compact(
                header_b64,
                [
                    &sealed.encrypted_key,
                    &sealed.iv,
                    &sealed.ciphertext,
                    &sealed.tag,
                ],
            ))
        }

        /// Splits a compact JWE into its five parts, decodes the four binary ones with the
        /// `base64-simd`, strict (the ciphertext and tag straight into one buffer), and
        /// opens it as [`RawJweKeys::decrypt`] does. The header is not parsed (raw knows it).
        pub fn decrypt_compact(
            &self,
            alg: KeyManagementAlgorithm,
            enc: ContentEncryption,
            token: &str,
        ) -> Result<Vec<u8>, RawError> {
            let [header, encrypted_key, iv, ciphertext, tag] = split(token)?;
            let encrypted_key = decode(encrypted_key)?;
            let iv: [u8; 12] = decode(iv)?
                .try_into()
                .map_err(|_| RawError("a 96-bit IV"))?;
            let mut cek = vec![0u8; self.private.min_output_size()];
            let len = self
                .private
                .decrypt(oaep(alg), &encrypted_key, &mut cek, None)
                .map_err(|_| RawError("RSA-OAEP decryption"))?
                .len();
            cek.truncate(len);
            let key =
                LessSafeKey::new(UnboundKey::new(gcm(enc), &cek).map_err(|_| RawError("AES key"))?);
            let mut buffer = Vec::with_capacity((ciphertext.len() + tag.len()) / 4 * 3 + 6);
            URL_SAFE_NO_PAD
                .decode_append(ciphertext, &mut buffer)
                .map_err(|_| RawError("base64url"))?;
            URL_SAFE_NO_PAD
                .decode_append(tag, &mut buffer)
                .map_err(|_| RawError("base64url"))?;
            let plaintext_len = key
                .open_in_place(
                    Nonce::assume_unique_for_key(iv),
                    Aad::from(header.as_bytes()),
                    &mut buffer,
                )
                .map_err(|_| RawError("AES-GCM open"))?
                .len();
            buffer.truncate(plaintext_len);
            Ok(buffer)
        }
    }
}

/// The raw baselines of the HMAC JWS and the symmetric, password and ECDH-ES JWE cases (issue
/// 14): aws-lc-rs called directly for the same cryptographic work, no base64 and no JSON. Keys
/// that live across messages (the HMAC key, `dir`'s CEK, the key-wrap and GCMKW keys, the ECDH-ES
/// recipient's key pair) are imported once, as an application calling aws-lc-rs would; a fresh
/// CEK (and for ECDH-ES a fresh ephemeral key) is made per message. ECDH-ES sits here because
/// after the agreement and the Concat KDF it ends as `dir` or A*KW does.
pub mod raw_symmetric {
    use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
    use aws_lc_rs::agreement::{self, EphemeralPrivateKey, ParsedPublicKey};
    use aws_lc_rs::cipher::{
        self, DecryptionContext, EncryptionContext, PaddedBlockDecryptingKey,
        PaddedBlockEncryptingKey, UnboundCipherKey,
    };
    use aws_lc_rs::digest;
    use aws_lc_rs::hmac;
    use aws_lc_rs::iv::FixedLength;
    use aws_lc_rs::key_wrap::{self, AesBlockCipher, KeyEncryptionKey, KeyWrap};
    use aws_lc_rs::pbkdf2;
    use aws_lc_rs::rand::{SecureRandom, SystemRandom};
    use jose::alg::HashAlg;
    use jose::{ContentEncryption, JwsAlgorithm, KeyManagementAlgorithm, KeyManagementMode};
    use std::num::NonZeroU32;

    use crate::EcdhCurve;
    use crate::raw::RawError;

    fn hmac_algorithm(hash: HashAlg) -> hmac::Algorithm {
        match hash {
            HashAlg::Sha384 => hmac::HMAC_SHA384,
            HashAlg::Sha512 => hmac::HMAC_SHA512,
            _ => hmac::HMAC_SHA256,
        }
    }

    /// An HMAC key in aws-lc-rs for HS256/384/512.
    pub struct RawHmac {
        key: hmac::Key,
    }

    impl RawHmac {
        /// The bench secret of `alg` ([`crate::secret`]).
        pub fn new(alg: JwsAlgorithm) -> Self {
            let hash = match alg {
                JwsAlgorithm::Hs384 => HashAlg::Sha384,
                JwsAlgorithm::Hs512 => HashAlg::Sha512,
                _ => HashAlg::Sha256,
            };
            let secret = crate::secret(crate::hmac_secret_len(alg));
            Self {
                key: hmac::Key::new(hmac_algorithm(hash), &secret),
            }
        }

        /// The tag of `message` (the JWS signing input).
        pub fn sign(&self, message: &[u8]) -> Vec<u8> {
            hmac::sign(&self.key, message).as_ref().to_vec()
        }

        /// Checks `tag` over `message` (constant time).
        pub fn verify(&self, message: &[u8], tag: &[u8]) -> Result<(), RawError> {
            hmac::verify(&self.key, message, tag).map_err(|_| RawError("HMAC verification"))
        }
    }

    fn gcm(len: usize) -> &'static aead::Algorithm {
        match len {
            16 => &aead::AES_128_GCM,
            24 => &aead::AES_192_GCM,
            _ => &aead::AES_256_GCM,
        }
    }

    fn cbc(len: usize) -> &'static cipher::Algorithm {
        match len {
            16 => &cipher::AES_128,
            24 => &cipher::AES_192,
            _ => &cipher::AES_256,
        }
    }

    /// A content encryption key, imported: AES-GCM, or AES-CBC with its HMAC key (RFC 7518
    /// section 5.2: the first half of the CEK is the MAC key, the second the AES key).
    // Built once per key, never moved in the measured loop: the size difference does not matter.
    #[allow(clippy::large_enum_variant)]
    enum Content {
        Gcm(LessSafeKey),
        CbcHs {
            mac: hmac::Key,
            encrypt: PaddedBlockEncryptingKey,
            decrypt: PaddedBlockDecryptingKey,
            tag_len: usize,
        },
    }

    /// The IV, ciphertext and tag of a content encryption.
    type SealedParts = (Vec<u8>, Vec<u8>, Vec<u8>);

    impl Content {
        fn new(enc: ContentEncryption, cek: &[u8]) -> Result<Self, RawError> {
            let error = |_| RawError("content key");
            Ok(match enc.cbc_hmac_hash() {
                None => Content::Gcm(LessSafeKey::new(
                    UnboundKey::new(gcm(cek.len()), cek).map_err(error)?,
                )),
                Some(hash) => {
                    let (mac, key) = cek.split_at(cek.len() / 2);
                    let unbound = || UnboundCipherKey::new(cbc(key.len()), key);
                    Content::CbcHs {
                        mac: hmac::Key::new(hmac_algorithm(hash), mac),
                        encrypt: PaddedBlockEncryptingKey::cbc_pkcs7(unbound().map_err(error)?)
                            .map_err(error)?,
                        decrypt: PaddedBlockDecryptingKey::cbc_pkcs7(unbound().map_err(error)?)
                            .map_err(error)?,
                        tag_len: enc.tag_len(),
                    }
                }
            })
        }

        /// RFC 7518 5.2.2.1 step 4: HMAC over AAD || IV || ciphertext || AL.
        fn cbc_tag(mac: &hmac::Key, aad: &[u8], iv: &[u8], ciphertext: &[u8]) -> hmac::Tag {
            let mut context = hmac::Context::with_key(mac);
            context.update(aad);
            context.update(iv);
            context.update(ciphertext);
            context.update(&((aad.len() as u64) * 8).to_be_bytes());
            context.sign()
        }

        fn seal(
            &self,
            rng: &SystemRandom,
            aad: &[u8],
            plaintext: &[u8],
        ) -> Result<SealedParts, RawError> {
            let random = |_| RawError("random");
            match self {
                Content::Gcm(key) => {
                    let mut iv = [0u8; 12];
                    rng.fill(&mut iv).map_err(random)?;
                    let mut ciphertext = plaintext.to_vec();
                    let tag = key
                        .seal_in_place_separate_tag(
                            Nonce::assume_unique_for_key(iv),
                            Aad::from(aad),
                            &mut ciphertext,
                        )
                        .map_err(|_| RawError("AES-GCM seal"))?;
                    Ok((iv.to_vec(), ciphertext, tag.as_ref().to_vec()))
                }
                Content::CbcHs {
                    mac,
                    encrypt,
                    tag_len,
                    ..
                } => {
                    let mut iv = [0u8; 16];
                    rng.fill(&mut iv).map_err(random)?;
                    let mut ciphertext = Vec::with_capacity(plaintext.len() + 16);
                    ciphertext.extend_from_slice(plaintext);
                    encrypt
                        .less_safe_encrypt(
                            &mut ciphertext,
                            EncryptionContext::Iv128(FixedLength::from(iv)),
                        )
                        .map_err(|_| RawError("AES-CBC encryption"))?;
                    let tag = Self::cbc_tag(mac, aad, &iv, &ciphertext);
                    let tag = tag.as_ref().get(..*tag_len).ok_or(RawError("tag length"))?;
                    Ok((iv.to_vec(), ciphertext, tag.to_vec()))
                }
            }
        }

        fn open(&self, aad: &[u8], sealed: &RawSymmetricSealed) -> Result<Vec<u8>, RawError> {
            match self {
                Content::Gcm(key) => {
                    let iv: [u8; 12] = sealed
                        .iv
                        .as_slice()
                        .try_into()
                        .map_err(|_| RawError("IV"))?;
                    let mut buffer = Vec::with_capacity(sealed.ciphertext.len() + sealed.tag.len());
                    buffer.extend_from_slice(&sealed.ciphertext);
                    buffer.extend_from_slice(&sealed.tag);
                    let len = key
                        .open_in_place(
                            Nonce::assume_unique_for_key(iv),
                            Aad::from(aad),
                            &mut buffer,
                        )
                        .map_err(|_| RawError("AES-GCM open"))?
                        .len();
                    buffer.truncate(len);
                    Ok(buffer)
                }
                Content::CbcHs {
                    mac,
                    decrypt,
                    tag_len,
                    ..
                } => {
                    let tag = Self::cbc_tag(mac, aad, &sealed.iv, &sealed.ciphertext);
                    let expected = tag.as_ref().get(..*tag_len).ok_or(RawError("tag length"))?;
                    #[allow(deprecated)]
                    aws_lc_rs::constant_time::verify_slices_are_equal(expected, &sealed.tag)
                        .map_err(|_| RawError("CBC-HS tag"))?;
                    let iv: [u8; 16] = sealed
                        .iv
                        .as_slice()
                        .try_into()
                        .map_err(|_| RawError("IV"))?;
                    let mut buffer = sealed.ciphertext.clone();
                    let len = decrypt
                        .decrypt(&mut buffer, DecryptionContext::Iv128(FixedLength::from(iv)))
                        .map_err(|_| RawError("AES-CBC decryption"))?
                        .len();
                    buffer.truncate(len);
                    Ok(buffer)
                }
            }
        }
    }

    /// An AES key-wrap key: aws-lc-rs' `key_wrap` for AES-128 and AES-256 (its
    /// `KeyEncryptionKey` wraps or unwraps once, by value, so it is imported per message), and
    /// for AES-192 (which `key_wrap` lacks) RFC 3394 over aws-lc-rs' single-block AES, as the
    /// aws-lc provider does.
    #[allow(clippy::large_enum_variant)]
    enum Kek {
        Native(&'static AesBlockCipher, Vec<u8>),
        Aes192(cipher::EncryptingKey, cipher::DecryptingKey),
    }

    impl Kek {
        fn new(kek: &[u8]) -> Result<Self, RawError> {
            let error = |_| RawError("key-wrap key");
            let native = |cipher: &'static AesBlockCipher| Ok(Kek::Native(cipher, kek.to_vec()));
            match kek.len() {
                16 => native(&key_wrap::AES_128),
                32 => native(&key_wrap::AES_256),
                _ => {
                    let unbound = || UnboundCipherKey::new(&cipher::AES_192, kek);
                    Ok(Kek::Aes192(
                        cipher::EncryptingKey::ecb(unbound().map_err(error)?).map_err(error)?,
                        cipher::DecryptingKey::ecb(unbound().map_err(error)?).map_err(error)?,
                    ))
                }
            }
        }

        fn wrap(&self, cek: &[u8]) -> Result<Vec<u8>, RawError> {
            let error = |_| RawError("key wrap");
            match self {
                Kek::Native(cipher, kek) => {
                    let kek = KeyEncryptionKey::new(*cipher, kek).map_err(error)?;
                    let mut out = vec![0u8; cek.len() + 8];
                    let len = kek.wrap(cek, &mut out).map_err(error)?.len();
                    out.truncate(len);
                    Ok(out)
                }
                Kek::Aes192(key, _) => {
                    // RFC 3394 2.2.1, index-based.
                    let mut out = vec![0u8; cek.len() + 8];
                    let (a, r) = out.split_at_mut(8);
                    a.copy_from_slice(&[0xa6; 8]);
                    r.copy_from_slice(cek);
                    let n = (cek.len() / 8) as u64;
                    let mut block = [0u8; 16];
                    for j in 0..6u64 {
                        for (i, ri) in (1u64..).zip(r.chunks_exact_mut(8)) {
                            block[..8].copy_from_slice(a);
                            block[8..].copy_from_slice(ri);
                            key.encrypt(&mut block).map_err(error)?;
                            let t = u64::from_be_bytes(
                                block[..8].try_into().map_err(|_| RawError("block"))?,
                            );
                            a.copy_from_slice(&(t ^ (n * j + i)).to_be_bytes());
                            ri.copy_from_slice(&block[8..]);
                        }
                    }
                    Ok(out)
                }
            }
        }

        fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, RawError> {
            let error = |_| RawError("key unwrap");
            match self {
                Kek::Native(cipher, kek) => {
                    let kek = KeyEncryptionKey::new(*cipher, kek).map_err(error)?;
                    let mut out = vec![0u8; wrapped.len()];
                    let len = kek.unwrap(wrapped, &mut out).map_err(error)?.len();
                    out.truncate(len);
                    Ok(out)
                }
                Kek::Aes192(_, key) => {
                    // RFC 3394 2.2.2, index-based.
                    let (first, rest) = wrapped.split_at(8);
                    let mut a =
                        u64::from_be_bytes(first.try_into().map_err(|_| RawError("block"))?);
                    let mut r = rest.to_vec();
                    let n = (r.len() / 8) as u64;
                    let mut block = [0u8; 16];
                    for j in (0..6u64).rev() {
                        for (i, ri) in (1u64..=n).rev().zip(r.chunks_exact_mut(8).rev()) {
                            block[..8].copy_from_slice(&(a ^ (n * j + i)).to_be_bytes());
                            block[8..].copy_from_slice(ri);
                            key.decrypt(&mut block, DecryptionContext::None)
                                .map_err(error)?;
                            a = u64::from_be_bytes(
                                block[..8].try_into().map_err(|_| RawError("block"))?,
                            );
                            ri.copy_from_slice(&block[8..]);
                        }
                    }
                    #[allow(deprecated)]
                    aws_lc_rs::constant_time::verify_slices_are_equal(&a.to_be_bytes(), &[0xa6; 8])
                        .map_err(|_| RawError("key unwrap integrity"))?;
                    Ok(r)
                }
            }
        }
    }

    /// The PKCS#8 v1 prefix of an X25519 private key (RFC 8410); the 32-byte seed follows.
    /// aws-lc-rs reads X25519 private keys only from the raw seed.
    const X25519_PKCS8_PREFIX: [u8; 16] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04,
        0x20,
    ];

    /// ECDH-ES (RFC 7518 section 4.6) to and by one recipient key pair, imported once.
    struct Ecdh {
        algorithm: &'static agreement::Algorithm,
        /// The recipient's private key (decryption).
        private: agreement::PrivateKey,
        /// Its public key, parsed once (encryption agrees a fresh ephemeral key with it).
        public: ParsedPublicKey,
        /// The Concat KDF's AlgorithmID: the `enc` name (ECDH-ES) or the `alg` name (+A*KW).
        algorithm_id: &'static str,
        /// The derived key's length in bytes.
        len: usize,
        /// Whether the derived key wraps a fresh CEK (+A*KW) or is the CEK (ECDH-ES).
        wrap: bool,
    }

    impl Ecdh {
        fn new(
            alg: KeyManagementAlgorithm,
            enc: ContentEncryption,
            curve: EcdhCurve,
        ) -> Result<Self, RawError> {
            let (algorithm_id, len, wrap) = match alg.mode() {
                KeyManagementMode::EcdhEs(None) => (enc.name(), enc.key_len(), false),
                KeyManagementMode::EcdhEs(Some(len)) => (alg.name(), len, true),
                _ => return Err(RawError("not an ECDH-ES algorithm")),
            };
            let der = crate::raw::pkcs8(curve.pems().0)?;
            let key_error = |_| RawError("ECDH key");
            let (algorithm, private) = match curve {
                EcdhCurve::X25519 => {
                    let seed = der
                        .strip_prefix(&X25519_PKCS8_PREFIX)
                        .ok_or(RawError("an X25519 PKCS#8 v1 key"))?;
                    let algorithm = &agreement::X25519;
                    let key = agreement::PrivateKey::from_private_key(algorithm, seed);
                    (algorithm, key.map_err(key_error)?)
                }
                _ => {
                    let algorithm = match curve {
                        EcdhCurve::P256 => &agreement::ECDH_P256,
                        EcdhCurve::P384 => &agreement::ECDH_P384,
                        _ => &agreement::ECDH_P521,
                    };
                    let key = agreement::PrivateKey::from_private_key_der(algorithm, &der);
                    (algorithm, key.map_err(key_error)?)
                }
            };
            let public = private
                .compute_public_key()
                .map_err(|_| RawError("ECDH public key"))?;
            let public = ParsedPublicKey::try_from(agreement::UnparsedPublicKey::new(
                algorithm,
                public.as_ref(),
            ))
            .map_err(key_error)?;
            Ok(Self {
                algorithm,
                private,
                public,
                algorithm_id,
                len,
                wrap,
            })
        }

        /// The sender's side: a fresh ephemeral key agreed with the recipient's public key.
        /// Returns the ephemeral public key (the `epk`: an uncompressed point, or the 32 bytes
        /// of X25519) and the derived key.
        fn send(&self, rng: &SystemRandom) -> Result<(Vec<u8>, Vec<u8>), RawError> {
            let ephemeral = EphemeralPrivateKey::generate(self.algorithm, rng)
                .map_err(|_| RawError("ephemeral key"))?;
            let epk = ephemeral
                .compute_public_key()
                .map_err(|_| RawError("ephemeral public key"))?
                .as_ref()
                .to_vec();
            let derived = agreement::agree_ephemeral(
                ephemeral,
                self.public.clone(),
                RawError("ECDH"),
                |z| self.kdf(z),
            )?;
            Ok((epk, derived))
        }

        /// The recipient's side: its private key agreed with `epk` (parsed and checked on the
        /// curve by aws-lc-rs), then the Concat KDF.
        fn receive(&self, epk: &[u8]) -> Result<Vec<u8>, RawError> {
            agreement::agree(
                &self.private,
                agreement::UnparsedPublicKey::new(self.algorithm, epk),
                RawError("ECDH"),
                |z| self.kdf(z),
            )
        }

        /// The Concat KDF of NIST SP 800-56A section 5.8.1 as RFC 7518 section 4.6.2 uses it:
        /// SHA-256 rounds over `round || Z || OtherInfo`, where OtherInfo is the length-prefixed
        /// AlgorithmID, empty PartyUInfo and PartyVInfo, and the key length in bits.
        fn kdf(&self, z: &[u8]) -> Result<Vec<u8>, RawError> {
            let id = self.algorithm_id.as_bytes();
            let too_long = |_| RawError("Concat KDF length");
            let id_len = u32::try_from(id.len()).map_err(too_long)?;
            let bits = u32::try_from(self.len * 8).map_err(too_long)?;
            let mut out = Vec::with_capacity(self.len.next_multiple_of(32));
            let mut round: u32 = 1;
            while out.len() < self.len {
                let mut context = digest::Context::new(&digest::SHA256);
                context.update(&round.to_be_bytes());
                context.update(z);
                context.update(&id_len.to_be_bytes());
                context.update(id);
                context.update(&0u32.to_be_bytes());
                context.update(&0u32.to_be_bytes());
                context.update(&bits.to_be_bytes());
                out.extend_from_slice(context.finish().as_ref());
                round += 1;
            }
            out.truncate(self.len);
            Ok(out)
        }
    }

    #[allow(clippy::large_enum_variant)]
    enum Management {
        Dir(Content),
        Kw(Kek),
        GcmKw(LessSafeKey),
        Pbes2 {
            prf: pbkdf2::Algorithm,
            kw_len: usize,
            name: &'static str,
        },
        EcdhEs(Ecdh),
    }

    /// What a raw symmetric JWE encryption produces.
    pub struct RawSymmetricSealed {
        /// The wrapped or encrypted CEK (empty for `dir`).
        pub encrypted_key: Vec<u8>,
        /// A*GCMKW: the IV and tag of the CEK's encryption (`iv`, `tag` header parameters).
        pub key_iv: [u8; 12],
        /// A*GCMKW: the tag of the CEK's encryption.
        pub key_tag: Vec<u8>,
        /// PBES2: the salt input (`p2s`).
        pub p2s: [u8; 16],
        /// ECDH-ES: the ephemeral public key (`epk`; an uncompressed point, or X25519's 32
        /// bytes). Empty otherwise.
        pub epk: Vec<u8>,
        /// The content IV.
        pub iv: Vec<u8>,
        /// The ciphertext.
        pub ciphertext: Vec<u8>,
        /// The authentication tag.
        pub tag: Vec<u8>,
    }

    /// The key-management header members of a raw compact token ([`RawSymmetricJwe::encrypt_compact`]).
    pub struct RawKeyParams {
        key_iv: [u8; 12],
        key_tag: Vec<u8>,
        p2s: [u8; 16],
        epk: Vec<u8>,
    }

    /// One symmetric, password or ECDH-ES JWE case in aws-lc-rs.
    pub struct RawSymmetricJwe {
        enc: ContentEncryption,
        management: Management,
        rng: SystemRandom,
    }

    impl RawSymmetricJwe {
        /// The keys of `alg` with `enc` ([`crate::secret`], [`crate::PASSWORD`]).
        pub fn new(alg: KeyManagementAlgorithm, enc: ContentEncryption) -> Result<Self, RawError> {
            let secret = crate::secret(crate::jwe_secret_len(alg, enc));
            let management = match alg.mode() {
                KeyManagementMode::Direct => Management::Dir(Content::new(enc, &secret)?),
                KeyManagementMode::AesKw(_) => Management::Kw(Kek::new(&secret)?),
                KeyManagementMode::AesGcmKw(len) => Management::GcmKw(LessSafeKey::new(
                    UnboundKey::new(gcm(len), &secret).map_err(|_| RawError("GCMKW key"))?,
                )),
                KeyManagementMode::Pbes2 { hash, kw_len } => Management::Pbes2 {
                    prf: match hash {
                        HashAlg::Sha384 => pbkdf2::PBKDF2_HMAC_SHA384,
                        HashAlg::Sha512 => pbkdf2::PBKDF2_HMAC_SHA512,
                        _ => pbkdf2::PBKDF2_HMAC_SHA256,
                    },
                    kw_len,
                    name: alg.name(),
                },
                _ => return Err(RawError("not a symmetric or password algorithm")),
            };
            Ok(Self {
                enc,
                management,
                rng: SystemRandom::new(),
            })
        }

        /// ECDH-ES `alg` with `enc` to the test-only key on `curve` (the recipient's key pair in
        /// aws-lc-rs: its public key for encryption, its private key for decryption).
        pub fn ecdh(
            alg: KeyManagementAlgorithm,
            enc: ContentEncryption,
            curve: EcdhCurve,
        ) -> Result<Self, RawError> {
            Ok(Self {
                enc,
                management: Management::EcdhEs(Ecdh::new(alg, enc, curve)?),
                rng: SystemRandom::new(),
            })
        }

        fn pbes2_kek(
            prf: pbkdf2::Algorithm,
            kw_len: usize,
            name: &str,
            p2s: &[u8],
        ) -> Result<Kek, RawError> {
            let mut salt = Vec::with_capacity(name.len() + 1 + p2s.len());
            salt.extend_from_slice(name.as_bytes());
            salt.push(0);
            salt.extend_from_slice(p2s);
            let mut kek = [0u8; 32];
            let kek = kek.get_mut(..kw_len).ok_or(RawError("KEK length"))?;
            let count = NonZeroU32::new(crate::PBES2_COUNT).ok_or(RawError("count"))?;
            pbkdf2::derive(prf, count, &salt, crate::PASSWORD, kek);
            Kek::new(kek)
        }

        /// Encrypts `plaintext` with `aad` (the protected header's base64url).
        pub fn encrypt(
            &self,
            aad: &[u8],
            plaintext: &[u8],
        ) -> Result<RawSymmetricSealed, RawError> {
            let random = |_| RawError("random");
            let mut key_iv = [0u8; 12];
            let mut key_tag = Vec::new();
            let mut p2s = [0u8; 16];
            let mut epk = Vec::new();
            let fresh_cek = || -> Result<Vec<u8>, RawError> {
                let mut cek = vec![0u8; self.enc.key_len()];
                self.rng.fill(&mut cek).map_err(random)?;
                Ok(cek)
            };
            let (encrypted_key, (iv, ciphertext, tag)) = match &self.management {
                Management::Dir(content) => (Vec::new(), content.seal(&self.rng, aad, plaintext)?),
                Management::Kw(kek) => {
                    let cek = fresh_cek()?;
                    let wrapped = kek.wrap(&cek)?;
                    (
                        wrapped,
                        Content::new(self.enc, &cek)?.seal(&self.rng, aad, plaintext)?,
                    )
                }
                Management::EcdhEs(ecdh) => {
                    let (public, derived) = ecdh.send(&self.rng)?;
                    epk = public;
                    if ecdh.wrap {
                        let cek = fresh_cek()?;
                        (
                            Kek::new(&derived)?.wrap(&cek)?,
                            Content::new(self.enc, &cek)?.seal(&self.rng, aad, plaintext)?,
                        )
                    } else {
                        let content = Content::new(self.enc, &derived)?;
                        (Vec::new(), content.seal(&self.rng, aad, plaintext)?)
                    }
                }
                Management::GcmKw(kek) => {
                    let cek = fresh_cek()?;
                    self.rng.fill(&mut key_iv).map_err(random)?;
                    let mut encrypted = cek.clone();
                    key_tag = kek
                        .seal_in_place_separate_tag(
                            Nonce::assume_unique_for_key(key_iv),
                            Aad::empty(),
                            &mut encrypted,
                        )
                        .map_err(|_| RawError("GCMKW seal"))?
                        .as_ref()
                        .to_vec();
                    (
                        encrypted,
                        Content::new(self.enc, &cek)?.seal(&self.rng, aad, plaintext)?,
                    )
                }
                Management::Pbes2 { prf, kw_len, name } => {
                    let cek = fresh_cek()?;
                    self.rng.fill(&mut p2s).map_err(random)?;
                    let wrapped = Self::pbes2_kek(*prf, *kw_len, name, &p2s)?.wrap(&cek)?;
                    (
                        wrapped,
                        Content::new(self.enc, &cek)?.seal(&self.rng, aad, plaintext)?,
                    )
                }
            };
            Ok(RawSymmetricSealed {
                encrypted_key,
                key_iv,
                key_tag,
                p2s,
                epk,
                iv,
                ciphertext,
                tag,
            })
        }

        /// Recovers the CEK and opens the ciphertext.
        pub fn decrypt(
            &self,
            aad: &[u8],
            sealed: &RawSymmetricSealed,
        ) -> Result<Vec<u8>, RawError> {
            let cek = match &self.management {
                Management::Dir(content) => return content.open(aad, sealed),
                Management::Kw(kek) => kek.unwrap(&sealed.encrypted_key)?,
                Management::GcmKw(kek) => {
                    let mut buffer = sealed.encrypted_key.clone();
                    buffer.extend_from_slice(&sealed.key_tag);
                    let len = kek
                        .open_in_place(
                            Nonce::assume_unique_for_key(sealed.key_iv),
                            Aad::empty(),
                            &mut buffer,
                        )
                        .map_err(|_| RawError("GCMKW open"))?
                        .len();
                    buffer.truncate(len);
                    buffer
                }
                Management::Pbes2 { prf, kw_len, name } => {
                    Self::pbes2_kek(*prf, *kw_len, name, &sealed.p2s)?
                        .unwrap(&sealed.encrypted_key)?
                }
                Management::EcdhEs(ecdh) => {
                    let derived = ecdh.receive(&sealed.epk)?;
                    if !ecdh.wrap {
                        return Content::new(self.enc, &derived)?.open(aad, sealed);
                    }
                    Kek::new(&derived)?.unwrap(&sealed.encrypted_key)?
                }
            };
            Content::new(self.enc, &cek)?.open(aad, sealed)
        }

        /// [`RawSymmetricJwe::encrypt`], then the compact serialization: `header_b64` (the
        /// protected header's base64url, also the AAD) and the four binary parts encoded with the
        /// `base64-simd` straight into one string. The key-management header members
        /// (A*GCMKW's `iv` and `tag`, PBES2's `p2s` and `p2c`, ECDH-ES's `epk`) are returned
        /// beside the token, not encoded into its header: raw knows them, so this baseline does
        /// less than a real token (for ECDH-ES: no JWK of the ephemeral key written into the
        /// header, a shorter header as AAD, and on decryption no `epk` read back from JSON and
        /// base64url; the point is still parsed and checked by aws-lc-rs).
        pub fn encrypt_compact(
            &self,
            header_b64: &str,
            plaintext: &[u8],
        ) -> Result<(String, RawKeyParams), RawError> {
            let sealed = self.encrypt(header_b64.as_bytes(), plaintext)?;
            let out = crate::raw::compact(
                header_b64,
                [
                    &sealed.encrypted_key,
                    &sealed.iv,
                    &sealed.ciphertext,
                    &sealed.tag,
                ],
            );
            let params = RawKeyParams {
                key_iv: sealed.key_iv,
                key_tag: sealed.key_tag,
                p2s: sealed.p2s,
                epk: sealed.epk,
            };
            Ok((out, params))
        }

        /// Splits a compact JWE, decodes its four binary parts with `base64-simd` (strict) and decrypts as [`RawSymmetricJwe::decrypt`] does (the header is not parsed:
        /// raw knows it, and `params` are its key-management members).
        pub fn decrypt_compact(
            &self,
            token: &str,
            params: &RawKeyParams,
        ) -> Result<Vec<u8>, RawError> {
            let [header, encrypted_key, iv, ciphertext, tag] = crate::raw::split(token)?;
            let decode = crate::raw::decode;
            let sealed = RawSymmetricSealed {
                encrypted_key: decode(encrypted_key)?,
                key_iv: params.key_iv,
                key_tag: params.key_tag.clone(),
                p2s: params.p2s,
                epk: params.epk.clone(),
                iv: decode(iv)?,
                ciphertext: decode(ciphertext)?,
                tag: decode(tag)?,
            };
            self.decrypt(header.as_bytes(), &sealed)
        }
    }
}

/// The peers, behind the `peers` feature: josekit (OpenSSL), TrueLayer's `truelayer-signing` and
/// `jsonwebtoken` (aws-lc-rs).
#[cfg(feature = "peers")]
pub mod peers {
    use jose::{ContentEncryption, JwsAlgorithm, KeyManagementAlgorithm};
    use josekit::jwe::{self, JweDecrypter, JweEncrypter, JweHeader};
    use josekit::jws::{self, JwsHeader, JwsSigner, JwsVerifier};

    /// The test-only RSA key as JWK JSON (private, or its public half).
    fn rsa_jwk(public: bool) -> Result<String, josekit::JoseError> {
        let provider = jose::default_provider();
        let to_error = |e: jose::Error| josekit::JoseError::InvalidKeyFormat(e.into());
        let key = jose::PrivateKey::from_pem(super::RSA_PEM, provider).map_err(to_error)?;
        let jwk = if public {
            key.public_key().to_jwk()
        } else {
            key.to_jwk()
        }
        .map_err(to_error)?;
        Ok(jwk.to_json())
    }

    /// A josekit signer and verifier for one algorithm, from the same test-only PEMs.
    pub struct JosekitJws {
        signer: Box<dyn JwsSigner>,
        verifier: Box<dyn JwsVerifier>,
    }

    impl JosekitJws {
        /// Imports the key for `alg`.
        pub fn new(alg: JwsAlgorithm) -> Result<Self, josekit::JoseError> {
            let (private, public) = super::jws_pems(alg);
            let (private, public) = (private.as_bytes(), public.as_bytes());
            // josekit reads RSA-PSS keys from PEM only with the RSASSA-PSS OID; from a JWK it
            // takes the same rsaEncryption key.
            let pss_private = josekit::jwk::Jwk::from_bytes(rsa_jwk(false)?)?;
            let pss_public = josekit::jwk::Jwk::from_bytes(rsa_jwk(true)?)?;
            let (signer, verifier): (Box<dyn JwsSigner>, Box<dyn JwsVerifier>) = match alg {
                JwsAlgorithm::Rs256 => (
                    Box::new(jws::RS256.signer_from_pem(private)?),
                    Box::new(jws::RS256.verifier_from_pem(public)?),
                ),
                JwsAlgorithm::Rs384 => (
                    Box::new(jws::RS384.signer_from_pem(private)?),
                    Box::new(jws::RS384.verifier_from_pem(public)?),
                ),
                JwsAlgorithm::Rs512 => (
                    Box::new(jws::RS512.signer_from_pem(private)?),
                    Box::new(jws::RS512.verifier_from_pem(public)?),
                ),
                JwsAlgorithm::Ps256 => (
                    Box::new(jws::PS256.signer_from_jwk(&pss_private)?),
                    Box::new(jws::PS256.verifier_from_jwk(&pss_public)?),
                ),
                JwsAlgorithm::Ps384 => (
                    Box::new(jws::PS384.signer_from_jwk(&pss_private)?),
                    Box::new(jws::PS384.verifier_from_jwk(&pss_public)?),
                ),
                JwsAlgorithm::Ps512 => (
                    Box::new(jws::PS512.signer_from_jwk(&pss_private)?),
                    Box::new(jws::PS512.verifier_from_jwk(&pss_public)?),
                ),
                JwsAlgorithm::Es256 => (
                    Box::new(jws::ES256.signer_from_pem(private)?),
                    Box::new(jws::ES256.verifier_from_pem(public)?),
                ),
                JwsAlgorithm::Es384 => (
                    Box::new(jws::ES384.signer_from_pem(private)?),
                    Box::new(jws::ES384.verifier_from_pem(public)?),
                ),
                JwsAlgorithm::EdDsa => (
                    Box::new(jws::EdDSA.signer_from_pem(private)?),
                    Box::new(jws::EdDSA.verifier_from_pem(public)?),
                ),
                _ => (
                    Box::new(jws::ES512.signer_from_pem(private)?),
                    Box::new(jws::ES512.verifier_from_pem(public)?),
                ),
            };
            Ok(Self { signer, verifier })
        }

        /// The HMAC signer and verifier of `alg` over the bench secret ([`crate::secret`]).
        pub fn hmac(alg: JwsAlgorithm) -> Result<Self, josekit::JoseError> {
            let secret = crate::secret(crate::hmac_secret_len(alg));
            let algorithm = match alg {
                JwsAlgorithm::Hs384 => jws::HS384,
                JwsAlgorithm::Hs512 => jws::HS512,
                _ => jws::HS256,
            };
            Ok(Self {
                signer: Box::new(algorithm.signer_from_bytes(&secret)?),
                verifier: Box::new(algorithm.verifier_from_bytes(&secret)?),
            })
        }

        /// A compact JWS of `payload`.
        pub fn sign(&self, payload: &[u8]) -> Result<String, josekit::JoseError> {
            jws::serialize_compact(payload, &JwsHeader::new(), &*self.signer)
        }

        /// Verifies a compact JWS and returns its payload.
        pub fn verify(&self, token: &str) -> Result<Vec<u8>, josekit::JoseError> {
            jws::deserialize_compact(token, &*self.verifier).map(|(payload, _)| payload)
        }
    }

    /// A josekit encrypter and decrypter for one key management algorithm.
    pub struct JosekitJwe {
        encrypter: Box<dyn JweEncrypter>,
        decrypter: Box<dyn JweDecrypter>,
        header: JweHeader,
    }

    impl JosekitJwe {
        /// Imports the RSA key for `alg`, with `enc` in the header.
        pub fn new(
            alg: KeyManagementAlgorithm,
            enc: ContentEncryption,
        ) -> Result<Self, josekit::JoseError> {
            let (private, public) = (super::RSA_PEM.as_bytes(), super::RSA_PUBLIC_PEM.as_bytes());
            let algorithm = match alg {
                KeyManagementAlgorithm::RsaOaep => jwe::RSA_OAEP,
                KeyManagementAlgorithm::RsaOaep384 => jwe::RSA_OAEP_384,
                KeyManagementAlgorithm::RsaOaep512 => jwe::RSA_OAEP_512,
                _ => jwe::RSA_OAEP_256,
            };
            let encrypter = Box::new(algorithm.encrypter_from_pem(public)?);
            let decrypter = Box::new(algorithm.decrypter_from_pem(private)?);
            Ok(Self::with(encrypter, decrypter, enc))
        }

        fn with(
            encrypter: Box<dyn JweEncrypter>,
            decrypter: Box<dyn JweDecrypter>,
            enc: ContentEncryption,
        ) -> Self {
            let mut header = JweHeader::new();
            header.set_content_encryption(enc.name());
            Self {
                encrypter,
                decrypter,
                header,
            }
        }

        /// The encrypter and decrypter of one of issue 14's 1 KiB cases ([`crate::JweCase`]).
        pub fn case(case: crate::JweCase) -> Result<Self, josekit::JoseError> {
            match case.curve {
                None => Self::symmetric(case.alg, case.enc),
                Some(curve) => Self::ecdh(case.alg, case.enc, curve),
            }
        }

        /// The ECDH-ES encrypter (to the test-only key on `curve`, no `apu`/`apv`) and
        /// decrypter of `alg` with `enc`.
        pub fn ecdh(
            alg: KeyManagementAlgorithm,
            enc: ContentEncryption,
            curve: crate::EcdhCurve,
        ) -> Result<Self, josekit::JoseError> {
            let algorithm = match alg {
                KeyManagementAlgorithm::EcdhEsA128Kw => jwe::ECDH_ES_A128KW,
                KeyManagementAlgorithm::EcdhEsA192Kw => jwe::ECDH_ES_A192KW,
                KeyManagementAlgorithm::EcdhEsA256Kw => jwe::ECDH_ES_A256KW,
                _ => jwe::ECDH_ES,
            };
            let (private, public) = curve.pems();
            Ok(Self::with(
                Box::new(algorithm.encrypter_from_pem(public)?),
                Box::new(algorithm.decrypter_from_pem(private)?),
                enc,
            ))
        }

        /// The shared-secret or password encrypter and decrypter of `alg` with `enc`, over the
        /// bench secret ([`crate::secret`]) or password; PBES2 with [`crate::PBES2_COUNT`]
        /// iterations and a 16-byte salt, as ours.
        pub fn symmetric(
            alg: KeyManagementAlgorithm,
            enc: ContentEncryption,
        ) -> Result<Self, josekit::JoseError> {
            let secret = crate::secret(crate::jwe_secret_len(alg, enc));
            type Pair = (Box<dyn JweEncrypter>, Box<dyn JweDecrypter>);
            let aeskw = |algorithm: jwe::alg::aeskw::AeskwJweAlgorithm| -> Result<Pair, josekit::JoseError> {
                Ok((
                    Box::new(algorithm.encrypter_from_bytes(&secret)?),
                    Box::new(algorithm.decrypter_from_bytes(&secret)?),
                ))
            };
            let gcmkw = |algorithm: jwe::alg::aesgcmkw::AesgcmkwJweAlgorithm| -> Result<Pair, josekit::JoseError> {
                Ok((
                    Box::new(algorithm.encrypter_from_bytes(&secret)?),
                    Box::new(algorithm.decrypter_from_bytes(&secret)?),
                ))
            };
            let pbes2 = |algorithm: jwe::alg::pbes2_hmac_aeskw::Pbes2HmacAeskwJweAlgorithm| -> Result<Pair, josekit::JoseError> {
                let mut encrypter = algorithm.encrypter_from_bytes(crate::PASSWORD)?;
                encrypter.set_iter_count(crate::PBES2_COUNT as usize);
                encrypter.set_salt_len(16);
                Ok((
                    Box::new(encrypter),
                    Box::new(algorithm.decrypter_from_bytes(crate::PASSWORD)?),
                ))
            };
            let (encrypter, decrypter) = match alg {
                KeyManagementAlgorithm::A128Kw => aeskw(jwe::A128KW)?,
                KeyManagementAlgorithm::A192Kw => aeskw(jwe::A192KW)?,
                KeyManagementAlgorithm::A256Kw => aeskw(jwe::A256KW)?,
                KeyManagementAlgorithm::A128GcmKw => gcmkw(jwe::A128GCMKW)?,
                KeyManagementAlgorithm::A192GcmKw => gcmkw(jwe::A192GCMKW)?,
                KeyManagementAlgorithm::A256GcmKw => gcmkw(jwe::A256GCMKW)?,
                KeyManagementAlgorithm::Pbes2Hs256A128Kw => pbes2(jwe::PBES2_HS256_A128KW)?,
                KeyManagementAlgorithm::Pbes2Hs384A192Kw => pbes2(jwe::PBES2_HS384_A192KW)?,
                KeyManagementAlgorithm::Pbes2Hs512A256Kw => pbes2(jwe::PBES2_HS512_A256KW)?,
                _ => (
                    Box::new(jwe::Dir.encrypter_from_bytes(&secret)?) as Box<dyn JweEncrypter>,
                    Box::new(jwe::Dir.decrypter_from_bytes(&secret)?) as Box<dyn JweDecrypter>,
                ),
            };
            Ok(Self::with(encrypter, decrypter, enc))
        }

        /// A compact JWE of `payload`.
        pub fn encrypt(&self, payload: &[u8]) -> Result<String, josekit::JoseError> {
            jwe::serialize_compact(payload, &self.header, &*self.encrypter)
        }

        /// Decrypts a compact JWE.
        pub fn decrypt(&self, token: &str) -> Result<Vec<u8>, josekit::JoseError> {
            jwe::deserialize_compact(token, &*self.decrypter).map(|(payload, _)| payload)
        }
    }

    /// The access token's claims as `jsonwebtoken` users write them: a typed serde struct (the
    /// same ten claims as [`crate::access_token_claims`]).
    #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    pub struct AccessTokenClaims {
        /// Issuer.
        pub iss: String,
        /// Subject.
        pub sub: String,
        /// Audience (one).
        pub aud: String,
        /// Expiry.
        pub exp: i64,
        /// Issued at.
        pub iat: i64,
        /// Not before.
        pub nbf: i64,
        /// Token id.
        pub jti: String,
        /// OAuth scope.
        pub scope: String,
        /// The client the token was issued to.
        pub client_id: String,
        /// A custom claim.
        pub tenant: String,
    }

    impl AccessTokenClaims {
        /// The claims of [`crate::access_token_claims`] at `now`, typed.
        pub fn at(now: i64) -> Result<Self, jose::Error> {
            crate::access_token_claims(now)?.deserialize()
        }
    }

    /// The content of a DER TLV at the start of `der` (definite lengths only), and what follows.
    fn der_tlv(der: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
        let (&found, rest) = der.split_first()?;
        if found != tag {
            return None;
        }
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            let (bytes, after) = (rest.get(..count)?, rest.get(count..)?);
            rest = after;
            bytes.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b))
        };
        Some((rest.get(..len)?, rest.get(len..)?))
    }

    /// The PKCS#1 `RSAPrivateKey` inside a PKCS#8 `PrivateKeyInfo` (what `jsonwebtoken`'s
    /// `EncodingKey::from_rsa_der` takes).
    fn pkcs1_from_pkcs8(pkcs8: &[u8]) -> Option<Vec<u8>> {
        let (info, _) = der_tlv(pkcs8, 0x30)?;
        let (_, rest) = der_tlv(info, 0x02)?; // version
        let (_, rest) = der_tlv(rest, 0x30)?; // AlgorithmIdentifier
        let (key, _) = der_tlv(rest, 0x04)?;
        Some(key.to_vec())
    }

    /// `jsonwebtoken` 12 on its aws-lc-rs backend (feature `aws_lc_rs`), set up as its users do:
    /// the signing key from DER (PKCS#8; PKCS#1 for RSA), the verifying key from the public JWK
    /// (as from a JWKS), and a `Validation` equivalent to [`crate::access_token_validation`]:
    /// the one algorithm, `iss` and `aud` named and required with `exp`, `nbf` checked, 60 s
    /// leeway (its default).
    pub struct JsonwebtokenJwt {
        header: jsonwebtoken::Header,
        encoding: jsonwebtoken::EncodingKey,
        decoding: jsonwebtoken::DecodingKey,
        validation: jsonwebtoken::Validation,
    }

    impl JsonwebtokenJwt {
        /// The test-only key of `alg` (one of [`crate::JWT_ALGS`]); the header carries `typ`.
        pub fn new(alg: JwsAlgorithm, typ: &str) -> Result<Self, Box<dyn std::error::Error>> {
            use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
            let algorithm = match alg {
                JwsAlgorithm::Hs256 => Algorithm::HS256,
                JwsAlgorithm::Rs256 => Algorithm::RS256,
                JwsAlgorithm::Ps256 => Algorithm::PS256,
                JwsAlgorithm::Es256 => Algorithm::ES256,
                JwsAlgorithm::EdDsa => Algorithm::EdDSA,
                other => return Err(format!("no jsonwebtoken case for {other}").into()),
            };
            let (encoding, decoding) = if alg.is_hmac() {
                let secret = crate::secret(crate::hmac_secret_len(alg));
                (
                    EncodingKey::from_secret(&secret)?,
                    DecodingKey::from_secret(&secret)?,
                )
            } else {
                let (private, _) = crate::jws_pems(alg);
                let pkcs8 = crate::raw::pkcs8(private)?;
                let encoding = match alg {
                    JwsAlgorithm::Es256 => EncodingKey::from_ec_der(&pkcs8),
                    JwsAlgorithm::EdDsa => EncodingKey::from_ed_der(&pkcs8),
                    _ => EncodingKey::from_rsa_der(
                        &pkcs1_from_pkcs8(&pkcs8).ok_or("an RSA PKCS#8 key")?,
                    ),
                };
                let public = jose::PrivateKey::from_pem(private, jose::default_provider())?
                    .public_key()
                    .to_jwk()?
                    .to_json();
                let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_str(&public)?;
                (encoding, DecodingKey::from_jwk(&jwk)?)
            };
            let mut header = jsonwebtoken::Header::new(algorithm);
            header.typ = Some(typ.to_owned());
            let mut validation = jsonwebtoken::Validation::new(algorithm);
            validation.set_issuer(&[crate::JWT_ISSUER]);
            validation.set_audience(&[crate::JWT_AUDIENCE]);
            validation.set_required_spec_claims(&["exp", "iss", "aud"]);
            validation.validate_nbf = true;
            Ok(Self {
                header,
                encoding,
                decoding,
                validation,
            })
        }

        /// `jsonwebtoken::encode` of `claims`.
        pub fn sign(&self, claims: &AccessTokenClaims) -> jsonwebtoken::errors::Result<String> {
            jsonwebtoken::encode(&self.header, claims, &self.encoding)
        }

        /// `jsonwebtoken::decode` of `token` into [`AccessTokenClaims`], validated.
        pub fn verify(&self, token: &str) -> jsonwebtoken::errors::Result<AccessTokenClaims> {
            jsonwebtoken::decode::<AccessTokenClaims>(token, &self.decoding, &self.validation)
                .map(|data| data.claims)
        }
    }

    /// TrueLayer's own library: a `Tl-Signature` over the bench request.
    pub fn truelayer_sign(kid: &str, body: &[u8]) -> Result<String, truelayer_signing::Error> {
        truelayer_signing::sign_with_pem(kid, super::P521_PEM.as_bytes())
            .method(truelayer_signing::Method::Post)
            .path("/v3/payouts")
            .header("Idempotency-Key", b"idemp-2026-11-23")
            .body(body)
            .build_signer()
            .sign()
    }

    /// TrueLayer's own library: verifies a `Tl-Signature` over the bench request.
    pub fn truelayer_verify(signature: &str, body: &[u8]) -> Result<(), truelayer_signing::Error> {
        truelayer_signing::verify_with_pem(super::P521_PUBLIC_PEM.as_bytes())
            .method(truelayer_signing::Method::Post)
            .path("/v3/payouts")
            .require_header("Idempotency-Key")
            .header("Idempotency-Key", b"idemp-2026-11-23")
            .body(body)
            .build_verifier()
            .verify(signature)
    }
}

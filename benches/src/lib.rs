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
    KeyManagementAlgorithm, PrivateKey, SigningKey, VerifyingKey,
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

/// Every JWS algorithm, in the order the report lists them.
pub const JWS_ALGS: [JwsAlgorithm; 9] = [
    JwsAlgorithm::Rs256,
    JwsAlgorithm::Rs384,
    JwsAlgorithm::Rs512,
    JwsAlgorithm::Ps256,
    JwsAlgorithm::Ps384,
    JwsAlgorithm::Ps512,
    JwsAlgorithm::Es256,
    JwsAlgorithm::Es384,
    JwsAlgorithm::Es512,
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
    let decrypting = DecryptingKey::new(PrivateKey::from_pem(RSA_PEM, provider)?, alg)?;
    Ok((decrypting.encrypting_key(), decrypting))
}

/// The raw baselines: aws-lc-rs called directly, with the same keys, doing the same
/// cryptographic work as the JOSE operation and nothing else (no base64, no JSON).
pub mod raw {
    use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
    use aws_lc_rs::rand::{SecureRandom, SystemRandom};
    use aws_lc_rs::rsa::{
        OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepAlgorithm, OaepPrivateDecryptingKey,
        OaepPublicEncryptingKey, PrivateDecryptingKey,
    };
    use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair as _, RsaKeyPair, UnparsedPublicKey};
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

    fn pkcs8(pem: &str) -> Result<Vec<u8>, RawError> {
        PrivateKeyDer::from_pem(pem)
            .map(|der| der.pkcs8().to_vec())
            .map_err(|_| RawError("a test-only PEM that parses"))
    }

    enum Signer {
        Rsa(RsaKeyPair),
        Ec(EcdsaKeyPair),
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
                _ => Signer::Rsa(RsaKeyPair::from_pkcs8(&der).map_err(|_| RawError("RSA key"))?),
            };
            let public = match &signer {
                Signer::Rsa(key) => key.public_key().as_ref().to_vec(),
                Signer::Ec(key) => key.public_key().as_ref().to_vec(),
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

    /// The RSA key for RSA-OAEP, both halves, in aws-lc-rs.
    pub struct RawJweKeys {
        public: OaepPublicEncryptingKey,
        private: OaepPrivateDecryptingKey,
        rng: SystemRandom,
    }

    fn oaep(alg: KeyManagementAlgorithm) -> &'static OaepAlgorithm {
        match alg {
            KeyManagementAlgorithm::RsaOaep => &OAEP_SHA1_MGF1SHA1,
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
    }
}

/// The peers, behind the `peers` feature: josekit (OpenSSL) and TrueLayer's `truelayer-signing`.
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
                _ => (
                    Box::new(jws::ES512.signer_from_pem(private)?),
                    Box::new(jws::ES512.verifier_from_pem(public)?),
                ),
            };
            Ok(Self { signer, verifier })
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
            let (encrypter, decrypter): (Box<dyn JweEncrypter>, Box<dyn JweDecrypter>) = match alg {
                KeyManagementAlgorithm::RsaOaep => (
                    Box::new(jwe::RSA_OAEP.encrypter_from_pem(public)?),
                    Box::new(jwe::RSA_OAEP.decrypter_from_pem(private)?),
                ),
                _ => (
                    Box::new(jwe::RSA_OAEP_256.encrypter_from_pem(public)?),
                    Box::new(jwe::RSA_OAEP_256.decrypter_from_pem(private)?),
                ),
            };
            let mut header = JweHeader::new();
            header.set_content_encryption(enc.name());
            Ok(Self {
                encrypter,
                decrypter,
                header,
            })
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

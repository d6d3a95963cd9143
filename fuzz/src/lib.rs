//! Shared fixtures for the fuzz targets: fixed test-only keys imported once into each provider,
//! bound to every algorithm the workspace supports, and small helpers the targets share.
//!
//! The keys in `fuzz/keys/` are test fixtures (their file names say so); the seed generator
//! (`cargo run --example gen_seeds`) makes tokens with the same keys, so seeded tokens verify and
//! decrypt and the fuzzer starts inside the crypto paths.

use std::sync::OnceLock;

use jose::{
    ContentEncryption, CryptoProvider, DecryptingKey, EncryptingKey, JwsAlgorithm,
    KeyManagementAlgorithm, KeyManagementMode, Limits, Password, PrivateKey, SecretKey, SigningKey,
    VerifyingKey,
};

/// The RSA key every RS*/PS* fixture binds (signatures).
pub const RSA_SIGNING_PEM: &str = include_str!("../keys/test-only-rsa2048-a.pem");
/// The RSA key every RSA-OAEP fixture binds (decryption).
pub const RSA_DECRYPTION_PEM: &str = include_str!("../keys/test-only-rsa2048-b.pem");
/// P-256, P-384 and P-521 keys (ES256, ES384, ES512; ES512 also for TrueLayer).
pub const P256_PEM: &str = include_str!("../keys/test-only-p256.pem");
/// See [`P256_PEM`].
pub const P384_PEM: &str = include_str!("../keys/test-only-p384.pem");
/// See [`P256_PEM`].
pub const P521_PEM: &str = include_str!("../keys/test-only-p521.pem");
/// The Ed25519 key for EdDSA.
pub const ED25519_PEM: &str = include_str!("../keys/test-only-ed25519.pem");
/// The X25519 key ECDH-ES binds (test fixture, `openssl genpkey -algorithm X25519`).
pub const X25519_PEM: &str = include_str!("../keys/test-only-x25519.pem");

/// The shared secret every HS*, `dir`, A*KW and A*GCMKW fixture takes its first bytes of (a
/// test fixture: public, never a real key).
pub const TEST_ONLY_SECRET: [u8; 64] =
    *b"test-only fuzz secret, public, never a key: 0123456789abcdefghij";

/// The PBES2 password of the fixtures (a test fixture).
pub const TEST_ONLY_PASSWORD: &[u8] = b"test-only fuzz password";

/// Every JWS algorithm, in a fixed order (index = selector byte modulo the length).
pub const JWS_ALGS: [JwsAlgorithm; 13] = [
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
    JwsAlgorithm::Hs256,
    JwsAlgorithm::Hs384,
    JwsAlgorithm::Hs512,
];

/// The RSA-OAEP algorithms: the first entries of the fixture's JWE keys (the `structured`
/// target wraps CEKs for them by hand).
pub const JWE_ALGS: [KeyManagementAlgorithm; 2] = [
    KeyManagementAlgorithm::RsaOaep,
    KeyManagementAlgorithm::RsaOaep256,
];

/// Every content encryption algorithm (all allowed when fuzzing).
pub const ENCS: [ContentEncryption; 6] = [
    ContentEncryption::A128Gcm,
    ContentEncryption::A192Gcm,
    ContentEncryption::A256Gcm,
    ContentEncryption::A128CbcHs256,
    ContentEncryption::A192CbcHs384,
    ContentEncryption::A256CbcHs512,
];

/// The PBES2 iteration count the fixture encrypts with, and the most a fuzzed token may ask for
/// ([`limits`]): the lowest count the library encrypts with, so that an execution stays fast.
pub const FUZZ_MAX_P2C: u32 = jose::MIN_PBES2_COUNT;

/// The fixed keys imported into one provider.
pub struct Fixture {
    /// The provider the keys live in.
    pub provider: &'static dyn CryptoProvider,
    /// One signing key per entry of [`JWS_ALGS`], same order, no `kid`.
    pub signing: Vec<SigningKey>,
    /// The matching verifying keys (the allow-list: every algorithm).
    pub verifying: Vec<VerifyingKey>,
    /// One decrypting key per entry of [`JWE_ALGS`], same order, no `kid`; then one for every
    /// other key management algorithm (`dir` with a 32-byte secret, A*KW, A*GCMKW, ECDH-ES on
    /// X25519, ECDH-ES+A128/192/256KW on P-256/384/521, PBES2 with [`TEST_ONLY_PASSWORD`]).
    pub decrypting: Vec<DecryptingKey>,
    /// The matching encrypting keys.
    pub encrypting: Vec<EncryptingKey>,
    /// The raw private keys: RSA signing, RSA decryption, P-256, P-384, P-521, Ed25519, X25519.
    pub private: Vec<PrivateKey>,
}

fn build(provider: &'static dyn CryptoProvider) -> Result<Fixture, jose::Error> {
    let rsa_sig = PrivateKey::from_pem(RSA_SIGNING_PEM, provider)?;
    let rsa_enc = PrivateKey::from_pem(RSA_DECRYPTION_PEM, provider)?;
    let p256 = PrivateKey::from_pem(P256_PEM, provider)?;
    let p384 = PrivateKey::from_pem(P384_PEM, provider)?;
    let p521 = PrivateKey::from_pem(P521_PEM, provider)?;
    let ed25519 = PrivateKey::from_pem(ED25519_PEM, provider)?;
    let x25519 = PrivateKey::from_pem(X25519_PEM, provider)?;
    let secret = |len: usize| SecretKey::from_bytes(&TEST_ONLY_SECRET[..len], provider);
    let mut signing = Vec::new();
    for alg in JWS_ALGS {
        let key = match alg {
            JwsAlgorithm::Es256 => p256.clone(),
            JwsAlgorithm::Es384 => p384.clone(),
            JwsAlgorithm::Es512 => p521.clone(),
            JwsAlgorithm::EdDsa => ed25519.clone(),
            JwsAlgorithm::Hs256 | JwsAlgorithm::Hs384 | JwsAlgorithm::Hs512 => {
                let len = alg.min_hmac_key_len().unwrap_or(64);
                signing.push(SigningKey::symmetric(secret(len)?, alg)?);
                continue;
            }
            _ => rsa_sig.clone(),
        };
        signing.push(SigningKey::new(key, alg)?);
    }
    let verifying = signing.iter().map(SigningKey::verifying_key).collect();
    let mut decrypting = Vec::new();
    for alg in JWE_ALGS {
        decrypting.push(DecryptingKey::new(rsa_enc.clone(), alg)?);
    }
    for &alg in KeyManagementAlgorithm::ALL {
        let key = match alg.mode() {
            KeyManagementMode::RsaOaep(_) => continue,
            KeyManagementMode::Direct => DecryptingKey::symmetric(secret(32)?, alg)?,
            KeyManagementMode::AesKw(len) | KeyManagementMode::AesGcmKw(len) => {
                DecryptingKey::symmetric(secret(len)?, alg)?
            }
            KeyManagementMode::EcdhEs(_) => {
                let key = match alg {
                    KeyManagementAlgorithm::EcdhEsA128Kw => p256.clone(),
                    KeyManagementAlgorithm::EcdhEsA192Kw => p384.clone(),
                    KeyManagementAlgorithm::EcdhEsA256Kw => p521.clone(),
                    _ => x25519.clone(),
                };
                DecryptingKey::new(key, alg)?
            }
            KeyManagementMode::Pbes2 { .. } => DecryptingKey::password(
                Password::new(TEST_ONLY_PASSWORD)?.with_count(FUZZ_MAX_P2C)?,
                alg,
            )?,
        };
        decrypting.push(key);
    }
    let encrypting = decrypting
        .iter()
        .map(DecryptingKey::encrypting_key)
        .collect();
    Ok(Fixture {
        provider,
        signing,
        verifying,
        decrypting,
        encrypting,
        private: vec![rsa_sig, rsa_enc, p256, p384, p521, ed25519, x25519],
    })
}

static AWS_LC: OnceLock<Fixture> = OnceLock::new();
static RUSTCRYPTO: OnceLock<Fixture> = OnceLock::new();

fn provider(name: &str) -> &'static dyn CryptoProvider {
    match jose::provider_by_name(name) {
        Some(provider) => provider,
        None => panic!("the fuzz crate enables both providers, but {name} is missing"),
    }
}

fn fixture_in(cell: &'static OnceLock<Fixture>, name: &str) -> &'static Fixture {
    cell.get_or_init(|| match build(provider(name)) {
        Ok(fixture) => fixture,
        Err(error) => panic!("the test-only fixture keys do not import into {name}: {error}"),
    })
}

/// The fixture keys in the aws-lc provider.
pub fn aws_lc() -> &'static Fixture {
    fixture_in(&AWS_LC, "aws-lc")
}

/// The fixture keys in the RustCrypto provider.
pub fn rustcrypto() -> &'static Fixture {
    fixture_in(&RUSTCRYPTO, "rustcrypto")
}

/// Both fixtures, aws-lc first.
pub fn both() -> [&'static Fixture; 2] {
    [aws_lc(), rustcrypto()]
}

/// The limits every target parses with: the defaults (so fuzzing tests what users get), except
/// a PBES2 `p2c` of at most [`FUZZ_MAX_P2C`], so that a fuzzed token cannot make one execution
/// take tens of milliseconds.
pub fn limits() -> Limits {
    Limits {
        max_pbes2_count: FUZZ_MAX_P2C,
        ..Limits::default()
    }
}

/// The payload a detached JWS is verified against in the targets and seeds.
pub const DETACHED_PAYLOAD: &[u8] = b"detached payload for the fuzz targets";

/// The outcome of verifying a JWS: the payload when one signature verified.
pub fn jws_verdict(text: &str, fixture: &Fixture) -> Option<Vec<u8>> {
    let jws = jose::jws::Jws::parse(text, &limits()).ok()?;
    if jws.is_detached() {
        jws.verify_detached(DETACHED_PAYLOAD, &fixture.verifying)
            .ok()
            .map(|()| DETACHED_PAYLOAD.to_vec())
    } else {
        jws.verify(&fixture.verifying).ok().map(<[u8]>::to_vec)
    }
}

/// The outcome of decrypting a JWE: the plaintext when it decrypted.
pub fn jwe_verdict(text: &str, fixture: &Fixture) -> Option<Vec<u8>> {
    let jwe = jose::jwe::Jwe::parse(text, &limits()).ok()?;
    let options = jose::jwe::DecryptOptions::default().max_pbes2_count(FUZZ_MAX_P2C);
    jwe.decrypt_with(&fixture.decrypting, &ENCS, &options, fixture.provider)
        .ok()
        .map(|decrypted| decrypted.plaintext.to_vec())
}

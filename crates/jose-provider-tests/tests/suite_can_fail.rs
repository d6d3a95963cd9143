//! The suite can fail: a provider that wraps aws-lc but answers a tampered signature with the
//! wrong error fails the rule about it, with a message naming the provider and the breach; the
//! same wrapper without the fault passes the whole suite.

use jose_core::{
    ContentEncryption, CryptoProvider, Error, HashAlg, JwsAlgorithm, KeyKind,
    KeyManagementAlgorithm, KeySpec, PrivateKeyOps, PublicKeyOps,
};
use jose_crypto_awslc::AWS_LC;
use std::sync::Arc;
use zeroize::Zeroizing;

/// aws-lc behind a pass-through wrapper; with `faulty`, every `BadSignature` from `verify` comes
/// back as an `InvalidKey` instead.
#[derive(Debug)]
struct Wrapper {
    faulty: bool,
}

/// The control: the wrapper without the fault.
static FAITHFUL: Wrapper = Wrapper { faulty: false };
/// The wrapper with the fault.
static FAULTY: Wrapper = Wrapper { faulty: true };

#[derive(Debug)]
struct WrappedPrivate {
    inner: Arc<dyn PrivateKeyOps>,
    faulty: bool,
}

#[derive(Debug)]
struct WrappedPublic {
    inner: Arc<dyn PublicKeyOps>,
    faulty: bool,
}

impl Wrapper {
    fn private(&self, inner: Arc<dyn PrivateKeyOps>) -> Arc<dyn PrivateKeyOps> {
        Arc::new(WrappedPrivate {
            inner,
            faulty: self.faulty,
        })
    }
}

impl CryptoProvider for Wrapper {
    fn name(&self) -> &'static str {
        if self.faulty {
            "aws-lc, wrong error for a bad signature"
        } else {
            "aws-lc, wrapped"
        }
    }
    fn fill_random(&self, dest: &mut [u8]) -> Result<(), Error> {
        AWS_LC.fill_random(dest)
    }
    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        AWS_LC.sha256(data)
    }
    fn digest(&self, hash: HashAlg, data: &[u8]) -> Result<Vec<u8>, Error> {
        AWS_LC.digest(hash, data)
    }
    fn aead_seal(
        &self,
        enc: ContentEncryption,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<(Vec<u8>, [u8; 16]), Error> {
        AWS_LC.aead_seal(enc, key, iv, aad, plaintext)
    }
    fn aead_open(
        &self,
        enc: ContentEncryption,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        AWS_LC.aead_open(enc, key, iv, aad, ciphertext, tag)
    }
    fn import_private_pkcs8(&self, der: &[u8]) -> Result<Arc<dyn PrivateKeyOps>, Error> {
        AWS_LC
            .import_private_pkcs8(der)
            .map(|key| self.private(key))
    }
    fn import_public_spki(&self, der: &[u8]) -> Result<Arc<dyn PublicKeyOps>, Error> {
        let inner = AWS_LC.import_public_spki(der)?;
        Ok(Arc::new(WrappedPublic {
            inner,
            faulty: self.faulty,
        }))
    }
    fn generate(&self, spec: KeySpec) -> Result<Arc<dyn PrivateKeyOps>, Error> {
        AWS_LC.generate(spec).map(|key| self.private(key))
    }
    fn hmac_sign(&self, hash: HashAlg, key: &[u8], data: &[u8]) -> Result<Vec<u8>, Error> {
        AWS_LC.hmac_sign(hash, key, data)
    }
    fn aes_key_wrap(&self, kek: &[u8], key_data: &[u8]) -> Result<Vec<u8>, Error> {
        AWS_LC.aes_key_wrap(kek, key_data)
    }
    fn aes_key_unwrap(&self, kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        AWS_LC.aes_key_unwrap(kek, wrapped)
    }
    fn aes_cbc_encrypt(&self, key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        AWS_LC.aes_cbc_encrypt(key, iv, plaintext)
    }
    fn aes_cbc_decrypt(
        &self,
        key: &[u8],
        iv: &[u8],
        ct: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        AWS_LC.aes_cbc_decrypt(key, iv, ct)
    }
    fn pbkdf2(
        &self,
        hash: HashAlg,
        pw: &[u8],
        salt: &[u8],
        n: u32,
        out: &mut [u8],
    ) -> Result<(), Error> {
        AWS_LC.pbkdf2(hash, pw, salt, n, out)
    }
    // `hmac_verify` is the trait's default (constant-time compare of `hmac_sign`'s tag), so the
    // control also runs the default through the suite.
}

impl PrivateKeyOps for WrappedPrivate {
    fn kind(&self) -> KeyKind {
        self.inner.kind()
    }
    fn sign(&self, alg: JwsAlgorithm, message: &[u8]) -> Result<Vec<u8>, Error> {
        self.inner.sign(alg, message)
    }
    fn unwrap_key(
        &self,
        alg: KeyManagementAlgorithm,
        encrypted_key: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        self.inner.unwrap_key(alg, encrypted_key)
    }
    fn public_key(&self) -> Arc<dyn PublicKeyOps> {
        Arc::new(WrappedPublic {
            inner: self.inner.public_key(),
            faulty: self.faulty,
        })
    }
    fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        self.inner.to_pkcs8_der()
    }
    fn agree(&self, peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        self.inner.agree(peer)
    }
}

impl PublicKeyOps for WrappedPublic {
    fn kind(&self) -> KeyKind {
        self.inner.kind()
    }
    fn verify(&self, alg: JwsAlgorithm, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        match self.inner.verify(alg, message, signature) {
            // The fault: a signature that does not verify is blamed on the key.
            Err(Error::BadSignature) if self.faulty => Err(Error::invalid_key(
                format!("a key that verifies this {alg} signature"),
                self.kind(),
            )),
            other => other,
        }
    }
    fn wrap_key(&self, alg: KeyManagementAlgorithm, cek: &[u8]) -> Result<Vec<u8>, Error> {
        self.inner.wrap_key(alg, cek)
    }
    fn to_spki_der(&self) -> Result<Vec<u8>, Error> {
        self.inner.to_spki_der()
    }
}

// The control: the wrapper itself is faithful, so the fault is the only difference.
jose_provider_tests::conformance!(faithful_wrapper, &FAITHFUL);

#[test]
fn a_wrong_error_for_a_tampered_signature_fails_the_rule() {
    let rule = jose_provider_tests::sign::tampered_signatures_are_bad_signature;
    assert!(
        jose_provider_tests::RULES
            .iter()
            .any(|r| r.name == "sign::tampered_signatures_are_bad_signature"),
        "the rule is in RULES, so conformance! runs it"
    );
    rule(&FAITHFUL);

    let panic = std::panic::catch_unwind(|| rule(&FAULTY))
        .expect_err("the faulty provider must fail the rule");
    let message = panic
        .downcast_ref::<String>()
        .expect("the rule panics with a formatted message");
    assert_eq!(
        message,
        "provider \"aws-lc, wrong error for a bad signature\": RS256 (generated key, \
         public_key()): a signature over another message: expected Err(BadSignature), got \
         Err(InvalidKey { expected: \"a key that verifies this RS256 signature\", found: \"RSA \
         2048-bit key\" })"
    );
}

//! Nested JOSE: a JWS inside a JWE (sign, then encrypt), as RFC 7520 section 6 and RFC 7519
//! section 11.2 describe.
//!
//! ```
//! # fn main() -> Result<(), jose_core::Error> {
//! # let provider = jose_crypto_awslc::provider();
//! use jose_core::*;
//! use jose_core::nested;
//!
//! let signer = SigningKey::new(
//!     PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?.with_kid("sig"),
//!     JwsAlgorithm::Rs512,
//! )?;
//! let decrypter = DecryptingKey::new(
//!     PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?.with_kid("enc"),
//!     KeyManagementAlgorithm::RsaOaep256,
//! )?;
//! let token = nested::sign_then_encrypt(
//!     br#"{"amount":100}"#,
//!     &signer,
//!     Header::new(),
//!     &decrypter.encrypting_key(),
//!     ContentEncryption::A256Gcm,
//!     "JWT",
//!     provider,
//! )?;
//! let opened = nested::decrypt_then_verify(
//!     &token,
//!     &[decrypter],
//!     &[ContentEncryption::A256Gcm],
//!     &[signer.verifying_key()],
//!     &Limits::default(),
//!     provider,
//! )?;
//! assert_eq!(opened.payload, br#"{"amount":100}"#);
//! # Ok(()) }
//! ```

use crate::alg::ContentEncryption;
use crate::error::Error;
use crate::header::Header;
use crate::jwe::{Jwe, JweBuilder};
use crate::jws::{Jws, JwsBuilder};
use crate::key::{DecryptingKey, EncryptingKey, KeyRef, SigningKey, VerifyingKey};
use crate::limits::Limits;
use crate::provider::CryptoProvider;
use zeroize::Zeroizing;

/// The result of [`decrypt_then_verify`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Opened {
    /// The verified payload of the inner JWS.
    pub payload: Vec<u8>,
    /// The JWE's joint header.
    pub jwe_header: Header,
    /// The inner JWS's header.
    pub jws_header: Header,
}

/// Signs `payload` into a compact JWS (extra protected members in `jws_header`), then encrypts that
/// JWS into a compact JWE whose protected header says `"cty": cty` (`"JWT"` for a nested JWT, or a
/// media type such as `"application/jose"`).
pub fn sign_then_encrypt(
    payload: &[u8],
    signer: &SigningKey,
    jws_header: Header,
    recipient: &EncryptingKey,
    enc: ContentEncryption,
    cty: &str,
    provider: &dyn CryptoProvider,
) -> Result<String, Error> {
    // The inner JWS is as secret as the payload: encoded in constant time, wiped when dropped.
    let jws = Zeroizing::new(
        JwsBuilder::new(payload)
            .confidential(true)
            .signer_with(signer, jws_header, None)
            .sign()?
            .to_compact()?,
    );
    JweBuilder::new(enc)
        .content_type(cty)
        .recipient(recipient)
        .encrypt(jws.as_bytes(), provider)?
        .to_compact()
}

/// Decrypts a JWE (any serialization) whose header declares a `cty`, parses its plaintext as a
/// compact JWS and verifies it. Both allow-lists apply: `decrypting` and `allowed_enc` for the
/// JWE, `verifying` for the JWS.
pub fn decrypt_then_verify<D, V>(
    token: &str,
    decrypting: D,
    allowed_enc: &[ContentEncryption],
    verifying: V,
    limits: &Limits,
    provider: &dyn CryptoProvider,
) -> Result<Opened, Error>
where
    D: IntoIterator,
    D::Item: KeyRef<DecryptingKey>,
    V: IntoIterator,
    V::Item: KeyRef<VerifyingKey>,
{
    let jwe = Jwe::parse(token, limits)?;
    let (jws, jwe_header) = decrypt_inner(&jwe, decrypting, allowed_enc, limits, provider)?;
    let payload = jws.verify(verifying)?.to_vec();
    let jws_header = jws
        .signatures()
        .first()
        .map(|s| s.header())
        .unwrap_or_default();
    Ok(Opened {
        payload,
        jwe_header,
        jws_header,
    })
}

/// Decrypts `jwe` (the caller's allow-lists), requires its header to declare a `cty`, and parses
/// the plaintext as a compact JWS with the constant-time codec: the inner JWS, not yet verified,
/// and the JWE's header. What [`decrypt_then_verify`] and `jwt::decrypt_verify` share.
pub(crate) fn decrypt_inner<D>(
    jwe: &Jwe,
    decrypting: D,
    allowed_enc: &[ContentEncryption],
    limits: &Limits,
    provider: &dyn CryptoProvider,
) -> Result<(Jws, Header), Error>
where
    D: IntoIterator,
    D::Item: KeyRef<DecryptingKey>,
{
    let decrypted = jwe.decrypt(decrypting, allowed_enc, provider)?;
    if decrypted.header.cty()?.is_none() {
        return Err(Error::InvalidHeader(
            "a nested JWE must declare its content type in \"cty\"".into(),
        ));
    }
    let inner = std::str::from_utf8(&decrypted.plaintext)
        .map_err(|_| Error::malformed("nested JWS", "a compact JWS (ASCII)", "non-UTF-8 bytes"))?;
    let jws = Jws::from_compact_confidential(inner, limits)?;
    Ok((jws, decrypted.header))
}

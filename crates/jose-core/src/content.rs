//! JWE content encryption: the one place an `enc` value is dispatched.
//!
//! [`seal`] and [`open`] take the content encryption key (CEK), the IV, the additional
//! authenticated data (the JWE's `ASCII(BASE64URL(protected))`, plus `'.' BASE64URL(aad)` in the
//! JSON serializations) and the plaintext or ciphertext and detached [`Tag`].
//!
//! - A128GCM, A192GCM, A256GCM go to the provider's
//!   [`aead_seal`](CryptoProvider::aead_seal) / [`aead_open`](CryptoProvider::aead_open).
//! - A128CBC-HS256, A192CBC-HS384, A256CBC-HS512 (RFC 7518 section 5.2) are composed here from the
//!   provider's [`aes_cbc_encrypt`](CryptoProvider::aes_cbc_encrypt) /
//!   [`aes_cbc_decrypt`](CryptoProvider::aes_cbc_decrypt) and
//!   [`hmac_sign`](CryptoProvider::hmac_sign): `MAC_KEY` is the first half of the CEK, `ENC_KEY`
//!   the second; the tag is the first `T_LEN` bytes of
//!   `HMAC(MAC_KEY, AAD || IV || ciphertext || AL)`, `AL` being the AAD's length in bits as a
//!   64-bit big-endian integer. [`open`] checks the tag, in constant time, before it decrypts
//!   anything.
//!
//! Every [`open`] failure (a key, IV or tag of the wrong length, a tag that does not match,
//! padding) is the same [`Error::DecryptionFailed`].
//!
//! ```
//! use jose_core::ContentEncryption;
//! use jose_core::content;
//!
//! let provider = jose_crypto_awslc::provider();
//! let enc = ContentEncryption::A128CbcHs256;
//! let key = [7u8; 32]; // enc.key_len(): MAC key, then AES key
//! let iv = [9u8; 16]; // enc.iv_len()
//! let (ciphertext, tag) = content::seal(provider, enc, &key, &iv, b"aad", b"plaintext")?;
//! assert_eq!(tag.as_bytes().len(), enc.tag_len());
//! let plaintext = content::open(provider, enc, &key, &iv, b"aad", &ciphertext, tag.as_bytes())?;
//! assert_eq!(plaintext.as_slice(), b"plaintext");
//! assert_eq!(
//!     content::open(provider, enc, &key, &iv, b"other aad", &ciphertext, tag.as_bytes()),
//!     Err(jose_core::Error::DecryptionFailed)
//! );
//! # Ok::<(), jose_core::Error>(())
//! ```

use crate::Plaintext;
use crate::alg::ContentEncryption;
use crate::error::Error;
use crate::provider::CryptoProvider;
use crate::provider::support::constant_time_eq;
use std::fmt;
use zeroize::Zeroizing;

/// The longest tag of any `enc`: A256CBC-HS512's 32 bytes.
const MAX_TAG_LEN: usize = 32;

/// The AES-CBC IV length of the CBC-HS encryptions.
const CBC_IV_LEN: usize = 16;

/// A detached authentication tag: [`ContentEncryption::tag_len`] bytes (16 for AES-GCM and
/// A128CBC-HS256, 24 for A192CBC-HS384, 32 for A256CBC-HS512). A tag is public (it travels in
/// the JWE), so `Debug` shows it in hex.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Tag {
    bytes: [u8; MAX_TAG_LEN],
    len: usize,
}

impl Tag {
    /// The tag's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }

    /// A tag of the first `len` bytes of `bytes` (at most 32); `None` if there are fewer.
    fn truncated(bytes: &[u8], len: usize) -> Option<Self> {
        let source = bytes.get(..len)?;
        let mut tag = Tag {
            bytes: [0; MAX_TAG_LEN],
            len,
        };
        tag.bytes.get_mut(..len)?.copy_from_slice(source);
        Some(tag)
    }
}

impl AsRef<[u8]> for Tag {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tag(")?;
        for byte in self.as_bytes() {
            write!(f, "{byte:02x}")?;
        }
        f.write_str(")")
    }
}

/// Encrypts `plaintext` with `enc` under `key` and `iv`, authenticating `aad`: returns the
/// ciphertext and the detached tag.
///
/// `key` must be [`enc.key_len()`](ContentEncryption::key_len) bytes and `iv`
/// [`enc.iv_len()`](ContentEncryption::iv_len), else [`Error::InvalidRequest`]; the caller draws
/// them fresh from the provider (a CBC IV must be unpredictable, a GCM IV never repeated under a
/// key). Errors of the provider (such as [`Error::Unsupported`]) are passed on.
pub fn seal(
    provider: &dyn CryptoProvider,
    enc: ContentEncryption,
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<(Vec<u8>, Tag), Error> {
    let Some(hash) = enc.cbc_hmac_hash() else {
        let (ciphertext, tag) = provider.aead_seal(enc, key, iv, aad, plaintext)?;
        let tag = Tag::truncated(&tag, tag.len())
            .ok_or_else(|| Error::Provider(format!("{enc}: the provider gave no 16-byte tag")))?;
        return Ok((ciphertext, tag));
    };
    for (what, expected, found) in [
        ("key", enc.key_len(), key.len()),
        ("IV", enc.iv_len(), iv.len()),
    ] {
        if found != expected {
            return Err(Error::InvalidRequest(format!(
                "{enc} needs a {expected}-byte {what}, found {found} bytes"
            )));
        }
    }
    let (mac_key, enc_key) = key.split_at(enc.key_len() / 2);
    let ciphertext = provider.aes_cbc_encrypt(enc_key, iv, plaintext)?;
    let al = aad_bits(aad).ok_or_else(|| {
        Error::InvalidRequest(format!(
            "{enc}: the AAD of {} bytes is too long to authenticate",
            aad.len()
        ))
    })?;
    let full =
        Zeroizing::new(provider.hmac_sign(hash, mac_key, &mac_input(aad, iv, &ciphertext, al))?);
    let tag = Tag::truncated(&full, enc.tag_len()).ok_or_else(|| {
        Error::Provider(format!(
            "{enc}: HMAC-{hash} gave {} bytes, expected {}",
            full.len(),
            hash.output_len()
        ))
    })?;
    Ok((ciphertext, tag))
}

/// Decrypts `ciphertext` with `enc` under `key` and `iv`, checking `tag` over it and `aad`.
///
/// Every failure that depends on the input (a key, IV or tag of the wrong length, a tag that does
/// not match, bad padding) is [`Error::DecryptionFailed`]; only a provider that cannot do the
/// operation at all answers otherwise ([`Error::Unsupported`]).
///
/// # What runs in constant time (CBC-HS)
///
/// - The HMAC is computed whatever the lengths of the key, IV and tag: with a key of the wrong
///   length, over a dummy MAC key of the right length, so a wrong key length costs the same HMAC
///   as a right one. Its running time depends on the lengths of the AAD, IV and ciphertext,
///   which are public.
/// - The tag is compared with [`constant_time_eq`] (no early exit on the first differing byte),
///   and the length checks and the comparison are combined without short-circuit, so the one
///   decision "decrypt or fail" is taken after the same work for every kind of failure.
/// - AES-CBC decryption and the PKCS#7 padding check run only after the tag verified, that is
///   only for a ciphertext made with this key: their timing (the providers remove padding in
///   variable time) is not an oracle for anyone without the key.
/// - Not constant time: the HMAC implementation itself is the provider's (both providers' HMACs
///   are constant-time in the key and data), and the work grows with the input lengths.
pub fn open(
    provider: &dyn CryptoProvider,
    enc: ContentEncryption,
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Plaintext, Error> {
    let Some(hash) = enc.cbc_hmac_hash() else {
        return provider
            .aead_open(enc, key, iv, aad, ciphertext, tag)
            .map(Plaintext::from);
    };
    let half = enc.key_len() / 2;
    let lengths_ok = (key.len() == enc.key_len())
        & (iv.len() == CBC_IV_LEN)
        & (tag.len() == enc.tag_len())
        & aad_bits(aad).is_some();
    // A key of the wrong length is replaced by a dummy of the right length, so the HMAC below
    // costs the same; its result is never accepted (`lengths_ok` is false).
    let dummy = Zeroizing::new(vec![0u8; enc.key_len()]);
    let (mac_key, enc_key) = if key.len() == enc.key_len() {
        key.split_at(half)
    } else {
        dummy.split_at(half)
    };
    let al = aad_bits(aad).unwrap_or(0);
    let full = match provider.hmac_sign(hash, mac_key, &mac_input(aad, iv, ciphertext, al)) {
        Ok(full) => Zeroizing::new(full),
        Err(error @ Error::Unsupported { .. }) => return Err(error),
        Err(_) => return Err(Error::DecryptionFailed),
    };
    let expected = full.get(..enc.tag_len()).unwrap_or_default();
    let tag_ok = constant_time_eq(expected, tag) & (expected.len() == enc.tag_len());
    if !(lengths_ok & tag_ok) {
        return Err(Error::DecryptionFailed);
    }
    match provider.aes_cbc_decrypt(enc_key, iv, ciphertext) {
        Ok(plaintext) => Ok(Plaintext::from(plaintext)),
        Err(error @ Error::Unsupported { .. }) => Err(error),
        Err(_) => Err(Error::DecryptionFailed),
    }
}

/// [`open`] for a ciphertext the caller gives up: AES-GCM opens it in place
/// ([`CryptoProvider::aead_open_in_place`]) and returns the same buffer as the plaintext, so a
/// large JWE is never held twice; CBC-HS opens a copy as [`open`] does. Same errors as [`open`].
pub fn open_owned(
    provider: &dyn CryptoProvider,
    enc: ContentEncryption,
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: Vec<u8>,
    tag: &[u8],
) -> Result<Plaintext, Error> {
    if enc.cbc_hmac_hash().is_some() {
        return open(provider, enc, key, iv, aad, &ciphertext, tag);
    }
    // Wiped on drop whatever happens: after a failed open it holds unspecified bytes.
    let mut buffer = Plaintext::new(ciphertext);
    provider.aead_open_in_place(enc, key, iv, aad, &mut buffer, tag)?;
    Ok(buffer)
}

/// `AL`: the AAD's length in bits, which RFC 7518 section 5.2.2.1 writes as a 64-bit integer.
fn aad_bits(aad: &[u8]) -> Option<u64> {
    u64::try_from(aad.len()).ok()?.checked_mul(8)
}

/// `AAD || IV || ciphertext || AL`, what the CBC-HS tag authenticates.
fn mac_input(aad: &[u8], iv: &[u8], ciphertext: &[u8], al: u64) -> Vec<u8> {
    let mut input = Vec::with_capacity(aad.len() + iv.len() + ciphertext.len() + 8);
    input.extend_from_slice(aad);
    input.extend_from_slice(iv);
    input.extend_from_slice(ciphertext);
    input.extend_from_slice(&al.to_be_bytes());
    input
}

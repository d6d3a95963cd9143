//! AES-GCM content encryption with a detached 128-bit tag (`A128GCM`, `A192GCM`, `A256GCM`).

use aes_gcm::aead::array::Array;
use aes_gcm::aead::consts::{U12, U16};
use aes_gcm::aead::{AeadCore, AeadInOut, KeyInit};
use aes_gcm::{Aes128Gcm, Aes256Gcm, AesGcm};
use jose_core::provider::support::{check_aead_open_inputs, check_aead_seal_inputs};
use jose_core::{ContentEncryption, Error};
use zeroize::Zeroizing;

/// AES-192 in GCM mode with a 96-bit nonce (aes-gcm does not name this one).
type Aes192Gcm = AesGcm<aes::Aes192, U12>;

/// Encrypts `plaintext`, returning the ciphertext and the detached tag.
pub(crate) fn seal(
    enc: ContentEncryption,
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<(Vec<u8>, [u8; 16]), Error> {
    // The buffer holds the plaintext until it is encrypted in place: zeroize it if anything fails.
    let mut buf = Zeroizing::new(plaintext.to_vec());
    let tag = seal_in_place(enc, key, iv, aad, &mut buf)?;
    Ok((std::mem::take(&mut *buf), tag))
}

/// Encrypts `in_out` in place, returning the detached tag.
pub(crate) fn seal_in_place(
    enc: ContentEncryption,
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    in_out: &mut [u8],
) -> Result<[u8; 16], Error> {
    check_aead_seal_inputs(enc, key, iv)?;
    match enc {
        ContentEncryption::A128Gcm => seal_with::<Aes128Gcm>(key, iv, aad, in_out),
        ContentEncryption::A192Gcm => seal_with::<Aes192Gcm>(key, iv, aad, in_out),
        ContentEncryption::A256Gcm => seal_with::<Aes256Gcm>(key, iv, aad, in_out),
        // `check_aead_seal_inputs` refused every other `enc`.
        ContentEncryption::A128CbcHs256
        | ContentEncryption::A192CbcHs384
        | ContentEncryption::A256CbcHs512 => None,
    }
    .ok_or_else(|| {
        Error::InvalidRequest(format!(
            "{enc} cannot encrypt this input (plaintext or AAD too long)"
        ))
    })
}

/// Decrypts and authenticates; every failure is [`Error::DecryptionFailed`].
pub(crate) fn open(
    enc: ContentEncryption,
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    // `buf` is zeroized on drop, whatever it holds after a failure.
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    open_in_place(enc, key, iv, aad, &mut buf, tag)?;
    Ok(buf)
}

/// Decrypts `in_out` in place and authenticates; every failure is [`Error::DecryptionFailed`].
pub(crate) fn open_in_place(
    enc: ContentEncryption,
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    in_out: &mut [u8],
    tag: &[u8],
) -> Result<(), Error> {
    check_aead_open_inputs(enc, key, iv, tag)?;
    let ok = match enc {
        ContentEncryption::A128Gcm => open_with::<Aes128Gcm>(key, iv, aad, in_out, tag),
        ContentEncryption::A192Gcm => open_with::<Aes192Gcm>(key, iv, aad, in_out, tag),
        ContentEncryption::A256Gcm => open_with::<Aes256Gcm>(key, iv, aad, in_out, tag),
        ContentEncryption::A128CbcHs256
        | ContentEncryption::A192CbcHs384
        | ContentEncryption::A256CbcHs512 => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::DecryptionFailed)
    }
}

fn seal_with<A>(key: &[u8], iv: &[u8], aad: &[u8], buf: &mut [u8]) -> Option<[u8; 16]>
where
    A: KeyInit + AeadInOut + AeadCore<NonceSize = U12, TagSize = U16>,
{
    let cipher = A::new_from_slice(key).ok()?;
    let nonce = Array::<u8, U12>::try_from(iv).ok()?;
    let tag = cipher
        .encrypt_inout_detached(&nonce, aad, buf.into())
        .ok()?;
    Some(tag.into())
}

fn open_with<A>(key: &[u8], iv: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> bool
where
    A: KeyInit + AeadInOut + AeadCore<NonceSize = U12, TagSize = U16>,
{
    let Ok(cipher) = A::new_from_slice(key) else {
        return false;
    };
    let Ok(nonce) = Array::<u8, U12>::try_from(iv) else {
        return false;
    };
    let Ok(tag) = Array::<u8, U16>::try_from(tag) else {
        return false;
    };
    cipher
        .decrypt_inout_detached(&nonce, aad, buf.into(), &tag)
        .is_ok()
}

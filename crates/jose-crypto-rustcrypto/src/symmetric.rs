//! The symmetric primitives JWA builds on: AES key wrap (RFC 3394, `aes-kw`, for
//! A128KW/A192KW/A256KW), AES-CBC with PKCS#7 padding (`cbc` over `aes`, under jose-core's
//! AES-CBC-HMAC-SHA2) and PBKDF2 with HMAC-SHA-2 (`pbkdf2`, for PBES2).

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit};
use jose_core::Error;
use jose_core::alg::HashAlg;
use jose_core::provider::support::{
    check_aes_cbc_inputs, check_key_wrap_inputs, check_pbkdf2_inputs,
};
use zeroize::Zeroizing;

/// AES key wrap (RFC 3394) of `key_data` under `kek`.
pub(crate) fn aes_key_wrap(kek: &[u8], key_data: &[u8]) -> Result<Vec<u8>, Error> {
    check_key_wrap_inputs(kek, key_data)?;
    let mut out = vec![0u8; key_data.len() + aes_kw::IV_LEN];
    macro_rules! wrap {
        ($kw:ty) => {
            <$kw>::new_from_slice(kek)
                .map_err(|_| Error::Provider("aes-kw refused the key-encryption key".into()))?
                .wrap_key(key_data, &mut out)
                .map(<[u8]>::len)
        };
    }
    let len = match kek.len() {
        16 => wrap!(aes_kw::KwAes128),
        24 => wrap!(aes_kw::KwAes192),
        32 => wrap!(aes_kw::KwAes256),
        // check_key_wrap_inputs refused every other length.
        _ => return Err(Error::Provider("aes-kw: no key wrap for this KEK".into())),
    }
    .map_err(|e| Error::Provider(format!("aes-kw failed to wrap a key: {e}")))?;
    out.truncate(len);
    Ok(out)
}

/// AES key unwrap (RFC 3394); every failure is [`Error::DecryptionFailed`].
pub(crate) fn aes_key_unwrap(kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    if wrapped.len() < 24 || !wrapped.len().is_multiple_of(8) {
        return Err(Error::DecryptionFailed);
    }
    // aes-kw wipes the buffer when the integrity check fails; Zeroizing wipes it on drop too.
    let mut out = Zeroizing::new(vec![0u8; wrapped.len() - aes_kw::IV_LEN]);
    macro_rules! unwrap {
        ($kw:ty) => {
            <$kw>::new_from_slice(kek)
                .map_err(|_| Error::DecryptionFailed)?
                .unwrap_key(wrapped, &mut out)
                .map(<[u8]>::len)
        };
    }
    let len = match kek.len() {
        16 => unwrap!(aes_kw::KwAes128),
        24 => unwrap!(aes_kw::KwAes192),
        32 => unwrap!(aes_kw::KwAes256),
        _ => return Err(Error::DecryptionFailed),
    }
    .map_err(|_| Error::DecryptionFailed)?;
    out.truncate(len);
    Ok(out)
}

/// AES-CBC with PKCS#7 padding.
pub(crate) fn aes_cbc_encrypt(key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, Error> {
    check_aes_cbc_inputs(key, iv)?;
    // Room for the padding block; the buffer holds the plaintext until it is encrypted in place,
    // so it is wiped if anything fails.
    let padded_len = (plaintext.len() / 16 + 1) * 16;
    let mut buffer = Zeroizing::new(vec![0u8; padded_len]);
    if let Some(head) = buffer.get_mut(..plaintext.len()) {
        head.copy_from_slice(plaintext);
    }
    macro_rules! encrypt {
        ($aes:ty) => {
            cbc::Encryptor::<$aes>::new_from_slices(key, iv)
                .map_err(|_| Error::Provider("cbc refused the AES key or IV".into()))?
                .encrypt_padded::<Pkcs7>(&mut buffer, plaintext.len())
                .map(<[u8]>::len)
        };
    }
    let len = match key.len() {
        16 => encrypt!(aes::Aes128),
        24 => encrypt!(aes::Aes192),
        32 => encrypt!(aes::Aes256),
        // check_aes_cbc_inputs refused every other length.
        _ => return Err(Error::Provider("cbc: no cipher for this key".into())),
    }
    .map_err(|_| Error::Provider("cbc failed to pad the plaintext".into()))?;
    buffer.truncate(len);
    Ok(std::mem::take(&mut *buffer))
}

/// AES-CBC decryption with the PKCS#7 padding removed; every failure is
/// [`Error::DecryptionFailed`].
pub(crate) fn aes_cbc_decrypt(
    key: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    if iv.len() != 16 || ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
        return Err(Error::DecryptionFailed);
    }
    // On a padding failure the buffer holds the decrypted blocks; Zeroizing wipes them on drop.
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    macro_rules! decrypt {
        ($aes:ty) => {
            cbc::Decryptor::<$aes>::new_from_slices(key, iv)
                .map_err(|_| Error::DecryptionFailed)?
                .decrypt_padded::<Pkcs7>(&mut buffer)
                .map(<[u8]>::len)
        };
    }
    let len = match key.len() {
        16 => decrypt!(aes::Aes128),
        24 => decrypt!(aes::Aes192),
        32 => decrypt!(aes::Aes256),
        _ => return Err(Error::DecryptionFailed),
    }
    .map_err(|_| Error::DecryptionFailed)?;
    buffer.truncate(len);
    Ok(buffer)
}

/// PBKDF2 with HMAC-SHA-256/384/512, 1 to 64 bytes of output, at least one iteration.
pub(crate) fn pbkdf2(
    hash: HashAlg,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    out: &mut [u8],
) -> Result<(), Error> {
    check_pbkdf2_inputs(hash, iterations, out.len())?;
    let derived = match hash {
        HashAlg::Sha256 => {
            pbkdf2::pbkdf2::<hmac::Hmac<sha2::Sha256>>(password, salt, iterations, out)
        }
        HashAlg::Sha384 => {
            pbkdf2::pbkdf2::<hmac::Hmac<sha2::Sha384>>(password, salt, iterations, out)
        }
        HashAlg::Sha512 => {
            pbkdf2::pbkdf2::<hmac::Hmac<sha2::Sha512>>(password, salt, iterations, out)
        }
        // check_pbkdf2_inputs refused SHA-1.
        HashAlg::Sha1 => {
            return Err(Error::InvalidRequest(format!(
                "PBKDF2 with {hash} is not offered"
            )));
        }
    };
    derived.map_err(|_| Error::Provider("PBKDF2 refused the password as an HMAC key".into()))
}

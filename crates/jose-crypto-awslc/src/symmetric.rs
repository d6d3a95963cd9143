//! The symmetric primitives JWA builds on: AES key wrap (RFC 3394, for A128KW/A192KW/A256KW),
//! AES-CBC with PKCS#7 padding (under jose-core's AES-CBC-HMAC-SHA2) and PBKDF2 (for PBES2).
//!
//! aws-lc-rs' `key_wrap` offers AES-128 and AES-256 only, so AES-192 key wrap is RFC 3394
//! section 2.2.1's index-based algorithm written here over aws-lc-rs' single-block AES (ECB on one
//! block at a time), with the integrity check compared in constant time. The RFC 3394 and
//! Wycheproof vectors of jose-provider-tests and jose-core check it beside the native sizes.

use aws_lc_rs::cipher::{
    AES_128, AES_192, AES_256, Algorithm, DecryptingKey, DecryptionContext, EncryptingKey,
    EncryptionContext, PaddedBlockDecryptingKey, PaddedBlockEncryptingKey, UnboundCipherKey,
};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::key_wrap::{self, KeyEncryptionKey, KeyWrap};
use aws_lc_rs::pbkdf2;
use jose_core::Error;
use jose_core::alg::HashAlg;
use jose_core::provider::support::{
    check_aes_cbc_inputs, check_key_wrap_inputs, check_pbkdf2_inputs, constant_time_eq,
};
use std::num::NonZeroU32;
use zeroize::Zeroizing;

/// The RFC 3394 default initial value.
const KW_IV: [u8; 8] = [0xa6; 8];

/// AES key wrap (RFC 3394) of `key_data` under `kek`.
pub(crate) fn aes_key_wrap(kek: &[u8], key_data: &[u8]) -> Result<Vec<u8>, Error> {
    check_key_wrap_inputs(kek, key_data)?;
    let failure = || Error::Provider("aws-lc-rs failed to wrap a key with AES key wrap".into());
    let mut out = vec![0u8; key_data.len() + 8];
    let cipher = match kek.len() {
        16 => &key_wrap::AES_128,
        32 => &key_wrap::AES_256,
        _ => return rfc3394_wrap_aes192(kek, key_data).map_err(|_| failure()),
    };
    let kek = KeyEncryptionKey::new(cipher, kek).map_err(|_| failure())?;
    let len = kek.wrap(key_data, &mut out).map_err(|_| failure())?.len();
    out.truncate(len);
    Ok(out)
}

/// AES key unwrap (RFC 3394); every failure is [`Error::DecryptionFailed`].
pub(crate) fn aes_key_unwrap(kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    if !matches!(kek.len(), 16 | 24 | 32) || wrapped.len() < 24 || !wrapped.len().is_multiple_of(8)
    {
        return Err(Error::DecryptionFailed);
    }
    let cipher = match kek.len() {
        16 => &key_wrap::AES_128,
        32 => &key_wrap::AES_256,
        _ => return rfc3394_unwrap_aes192(kek, wrapped),
    };
    let kek = KeyEncryptionKey::new(cipher, kek).map_err(|_| Error::DecryptionFailed)?;
    // On failure the buffer may hold part of the unwrapped data; Zeroizing wipes it on drop.
    let mut out = Zeroizing::new(vec![0u8; wrapped.len() - 8]);
    let len = kek
        .unwrap(wrapped, &mut out)
        .map_err(|_| Error::DecryptionFailed)?
        .len();
    out.truncate(len);
    Ok(out)
}

/// RFC 3394 section 2.2.1 (index-based wrap) with AES-192, which aws-lc-rs' `key_wrap` lacks.
/// The caller has checked the lengths.
fn rfc3394_wrap_aes192(
    kek: &[u8],
    key_data: &[u8],
) -> Result<Vec<u8>, aws_lc_rs::error::Unspecified> {
    let key = EncryptingKey::ecb(UnboundCipherKey::new(&AES_192, kek)?)?;
    let mut r: Zeroizing<Vec<[u8; 8]>> = Zeroizing::new(
        key_data
            .chunks_exact(8)
            .map(|c| c.try_into().unwrap_or_default())
            .collect(),
    );
    let n = r.len() as u64;
    let mut a = KW_IV;
    let mut block = Zeroizing::new([0u8; 16]);
    for j in 0..6u64 {
        for (i, ri) in (1u64..).zip(r.iter_mut()) {
            {
                let (hi, lo) = block.split_at_mut(8);
                hi.copy_from_slice(&a);
                lo.copy_from_slice(ri);
            }
            key.encrypt(block.as_mut_slice())?;
            let (hi, lo) = block.split_at(8);
            let msb = u64::from_be_bytes(hi.try_into().map_err(|_| aws_lc_rs::error::Unspecified)?);
            a = (msb ^ (n * j + i)).to_be_bytes();
            ri.copy_from_slice(lo);
        }
    }
    let mut out = Vec::with_capacity(key_data.len() + 8);
    out.extend_from_slice(&a);
    for ri in r.iter() {
        out.extend_from_slice(ri);
    }
    Ok(out)
}

/// RFC 3394 section 2.2.2 (index-based unwrap) with AES-192; the integrity check compares the
/// recovered initial value in constant time. The caller has checked the lengths.
fn rfc3394_unwrap_aes192(kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    let fail = |_| Error::DecryptionFailed;
    let key =
        DecryptingKey::ecb(UnboundCipherKey::new(&AES_192, kek).map_err(fail)?).map_err(fail)?;
    let (first, rest) = wrapped.split_at(8);
    let mut a: [u8; 8] = first.try_into().map_err(|_| Error::DecryptionFailed)?;
    let mut r: Zeroizing<Vec<[u8; 8]>> = Zeroizing::new(
        rest.chunks_exact(8)
            .map(|c| c.try_into().unwrap_or_default())
            .collect(),
    );
    let n = r.len() as u64;
    let mut block = Zeroizing::new([0u8; 16]);
    for j in (0..6u64).rev() {
        for (i, ri) in (1u64..=n).rev().zip(r.iter_mut().rev()) {
            {
                let (hi, lo) = block.split_at_mut(8);
                hi.copy_from_slice(&(u64::from_be_bytes(a) ^ (n * j + i)).to_be_bytes());
                lo.copy_from_slice(ri);
            }
            key.decrypt(block.as_mut_slice(), DecryptionContext::None)
                .map_err(fail)?;
            let (hi, lo) = block.split_at(8);
            a = hi.try_into().map_err(|_| Error::DecryptionFailed)?;
            ri.copy_from_slice(lo);
        }
    }
    if !constant_time_eq(&a, &KW_IV) {
        // `r` is wiped on drop.
        return Err(Error::DecryptionFailed);
    }
    let mut out = Zeroizing::new(Vec::with_capacity(wrapped.len() - 8));
    for ri in r.iter() {
        out.extend_from_slice(ri);
    }
    Ok(out)
}

fn cbc_algorithm(key: &[u8]) -> Option<&'static Algorithm> {
    match key.len() {
        16 => Some(&AES_128),
        24 => Some(&AES_192),
        32 => Some(&AES_256),
        _ => None,
    }
}

/// AES-CBC with PKCS#7 padding.
pub(crate) fn aes_cbc_encrypt(key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, Error> {
    check_aes_cbc_inputs(key, iv)?;
    let failure = || Error::Provider("aws-lc-rs failed to encrypt with AES-CBC".into());
    let algorithm = cbc_algorithm(key).ok_or_else(failure)?;
    let iv: [u8; 16] = iv.try_into().map_err(|_| failure())?;
    let key = UnboundCipherKey::new(algorithm, key).map_err(|_| failure())?;
    let key = PaddedBlockEncryptingKey::cbc_pkcs7(key).map_err(|_| failure())?;
    // Room for the padding up front, so the plaintext is never left behind by a reallocation;
    // the buffer is wiped if encryption fails before it holds only ciphertext.
    let mut buffer = Zeroizing::new(Vec::with_capacity(plaintext.len() + 16));
    buffer.extend_from_slice(plaintext);
    key.less_safe_encrypt(
        &mut *buffer,
        EncryptionContext::Iv128(FixedLength::from(iv)),
    )
    .map_err(|_| failure())?;
    Ok(std::mem::take(&mut *buffer))
}

/// AES-CBC decryption with the PKCS#7 padding removed; every failure is
/// [`Error::DecryptionFailed`].
pub(crate) fn aes_cbc_decrypt(
    key: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let algorithm = cbc_algorithm(key).ok_or(Error::DecryptionFailed)?;
    let iv: [u8; 16] = iv.try_into().map_err(|_| Error::DecryptionFailed)?;
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
        return Err(Error::DecryptionFailed);
    }
    let key = UnboundCipherKey::new(algorithm, key).map_err(|_| Error::DecryptionFailed)?;
    let key = PaddedBlockDecryptingKey::cbc_pkcs7(key).map_err(|_| Error::DecryptionFailed)?;
    // On a padding failure the buffer holds the decrypted blocks; Zeroizing wipes them on drop.
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    let len = key
        .decrypt(&mut buffer, DecryptionContext::Iv128(FixedLength::from(iv)))
        .map_err(|_| Error::DecryptionFailed)?
        .len();
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
    let refused = || Error::InvalidRequest(format!("PBKDF2 with {hash} is not offered"));
    let algorithm = match hash {
        HashAlg::Sha256 => pbkdf2::PBKDF2_HMAC_SHA256,
        HashAlg::Sha384 => pbkdf2::PBKDF2_HMAC_SHA384,
        HashAlg::Sha512 => pbkdf2::PBKDF2_HMAC_SHA512,
        HashAlg::Sha1 => return Err(refused()),
    };
    let iterations = NonZeroU32::new(iterations).ok_or_else(refused)?;
    pbkdf2::derive(algorithm, iterations, salt, password, out);
    Ok(())
}

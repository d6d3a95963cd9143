//! RSAES-OAEP decryption (RFC 8017 section 7.1.2) on top of the `rsa` crate's blinded raw RSA.
//!
//! Why not `rsa::PrivateKey::oaep_decrypt`: rsa 0.10 deliberately ignores the first octet `Y` of the
//! encoded message (its test `decrypt_ignores_first_octet`), so a ciphertext whose `Y` is not zero
//! decrypts successfully. RFC 8017 step 3.g requires a decryption error, Wycheproof marks such
//! cases invalid (e.g. `rsa_oaep_2048_sha1_mgf1sha1` tcId 23, "First byte is 1"), and aws-lc
//! rejects them. We keep the crate's blinded private operation (with its CRT fault check) and
//! decode the padding here, folding every check (Y, lHash, PS, the 0x01 separator) into one
//! validity mask computed without secret-dependent branches or indexes.

use getrandom::SysRng;
use rsa::BoxedUint;
use rsa::traits::PublicKeyParts;
use sha2::Digest;
use std::hint::black_box;
use zeroize::Zeroizing;

/// `0xff` if `x == 0`, else `0x00`, without branching on `x`.
fn ct_is_zero(x: u8) -> u8 {
    let x = u16::from(x);
    // For x in 1..=255, x | -x has bit 15 set; for x == 0 it is 0.
    let nonzero = ((x | x.wrapping_neg()) >> 15) as u8;
    black_box(nonzero.wrapping_sub(1))
}

/// `0xff` if `a == b` (same length, same bytes), else `0x00`. Lengths are public.
fn ct_eq(a: &[u8], b: &[u8]) -> u8 {
    if a.len() != b.len() {
        return 0;
    }
    ct_is_zero(a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)))
}

/// `a` if `mask == 0xff`, `b` if `mask == 0x00`.
fn ct_select(mask: u8, a: usize, b: usize) -> usize {
    let m = usize::from(mask & 1).wrapping_neg();
    (a & m) | (b & !m)
}

/// XORs MGF1-with-`D`(`seed`) into `out`.
fn mgf1_xor<D: Digest>(out: &mut [u8], seed: &[u8]) {
    for (counter, chunk) in (0u32..).zip(out.chunks_mut(<D as Digest>::output_size())) {
        let mut d = D::new();
        d.update(seed);
        d.update(counter.to_be_bytes());
        let mask = Zeroizing::new(d.finalize());
        for (o, m) in chunk.iter_mut().zip(mask.iter()) {
            *o ^= *m;
        }
    }
}

/// EME-OAEP decoding with hash and MGF1 hash `D` and an empty label. `None` for any failure.
fn decode<D: Digest>(em: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let h_len = <D as Digest>::output_size();
    // Public length check (k >= 2 hLen + 2, RFC 8017 7.1.2 step 1.c).
    if em.len() < h_len.checked_mul(2)?.checked_add(2)? {
        return None;
    }
    let (y, rest) = em.split_first()?;
    let (masked_seed, masked_db) = rest.split_at_checked(h_len)?;
    let mut seed = Zeroizing::new(masked_seed.to_vec());
    let mut db = Zeroizing::new(masked_db.to_vec());
    mgf1_xor::<D>(&mut seed, &db);
    mgf1_xor::<D>(&mut db, &seed);
    let l_hash = D::digest([]);
    let (db_hash, ps_m) = db.split_at_checked(h_len)?;

    let mut good = ct_eq(db_hash, &l_hash) & ct_is_zero(*y);
    // PS is zero or more 0x00, then 0x01, then M: find the first 0x01, flag any other
    // non-zero byte before it.
    let mut looking = 0xffu8;
    let mut index = 0usize;
    let mut invalid = 0u8;
    for (i, &b) in ps_m.iter().enumerate() {
        let is_zero = ct_is_zero(b);
        let is_one = ct_is_zero(b ^ 1);
        index = ct_select(looking & is_one, i, index);
        looking &= !is_one;
        invalid |= looking & !is_zero;
    }
    good &= !invalid & !looking;
    if black_box(good) != 0xff {
        return None;
    }
    let start = index.checked_add(1)?;
    ps_m.get(start..).map(|m| Zeroizing::new(m.to_vec()))
}

/// The RSA private operation with blinding (OS RNG) and the crate's CRT consistency check,
/// returning EM as exactly k = `key.size()` bytes.
fn raw_decrypt(key: &rsa::PrivateKey, ciphertext: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let k = key.size();
    if ciphertext.len() != k {
        return None;
    }
    let c = BoxedUint::from_be_slice(ciphertext, key.n_bits_precision()).ok()?;
    // Fails for c >= n, among others.
    let m = Zeroizing::new(rsa::hazmat::rsa_decrypt_and_check(key, Some(&mut SysRng), &c).ok()?);
    let bytes = Zeroizing::new(m.to_be_bytes());
    // m < n < 2^(8k): the bytes above the last k are zero.
    let skip = bytes.len().checked_sub(k)?;
    bytes.get(skip..).map(|em| Zeroizing::new(em.to_vec()))
}

/// RSAES-OAEP-DECRYPT with hash and MGF1 hash `D` and an empty label. `None` for any failure.
pub(crate) fn decrypt<D: Digest>(
    key: &rsa::PrivateKey,
    ciphertext: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    decode::<D>(&raw_decrypt(key, ciphertext)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_helpers() {
        for x in 0..=255u8 {
            assert_eq!(ct_is_zero(x), if x == 0 { 0xff } else { 0 });
        }
        assert_eq!(ct_eq(b"abc", b"abc"), 0xff);
        assert_eq!(ct_eq(b"abc", b"abd"), 0);
        assert_eq!(ct_eq(b"abc", b"ab"), 0);
        assert_eq!(ct_select(0xff, 1, 2), 1);
        assert_eq!(ct_select(0, 1, 2), 2);
    }

    /// Builds EM = 0x00 || maskedSeed || maskedDB for `m` with hash `D` (RFC 8017 7.1.1 step 2).
    fn encode<D: Digest>(m: &[u8], k: usize, seed: &[u8]) -> Vec<u8> {
        let h_len = <D as Digest>::output_size();
        let mut db = D::digest([]).to_vec();
        db.resize(k - m.len() - h_len - 2, 0);
        db.push(1);
        db.extend_from_slice(m);
        let mut seed = seed[..h_len].to_vec();
        mgf1_xor::<D>(&mut db, &seed);
        mgf1_xor::<D>(&mut seed, &db);
        let mut em = vec![0];
        em.extend(seed);
        em.extend(db);
        em
    }

    /// Well-formed messages decode under `D` and under no other hash; a non-zero `Y` or a
    /// flipped bit before M fails; too short an EM fails.
    fn check_decode<D: Digest, Other: Digest>() {
        let k = 256;
        let h_len = <D as Digest>::output_size();
        let max = k - 2 * h_len - 2;
        for m in [
            &b""[..],
            b"x",
            &[7u8; 32][..],
            &[1u8; 64][..],
            &vec![1u8; max][..],
        ] {
            let em = encode::<D>(m, k, &[9u8; 64]);
            assert_eq!(em.len(), k);
            assert_eq!(&**decode::<D>(&em).unwrap(), m);
            let mut bad_y = em.clone();
            bad_y[0] = 1;
            assert!(decode::<D>(&bad_y).is_none());
            // Any flipped bit in the masked seed or DB breaks lHash, PS or the separator,
            // unless it lands in M itself (the tail).
            for pos in [1, 20, 40, 70, 100, 130, 200] {
                let mut bad = em.clone();
                bad[pos] ^= 0x10;
                if pos < k - m.len() {
                    assert!(decode::<D>(&bad).is_none(), "{pos}");
                }
            }
            assert!(decode::<Other>(&em).is_none());
        }
        assert!(decode::<D>(&vec![0u8; 2 * h_len + 1]).is_none());
        assert!(decode::<D>(&[]).is_none());
    }

    #[test]
    fn decode_accepts_only_well_formed_messages() {
        check_decode::<sha2::Sha256, sha1::Sha1>();
        check_decode::<sha1::Sha1, sha2::Sha256>();
        check_decode::<sha2::Sha384, sha2::Sha512>();
        check_decode::<sha2::Sha512, sha2::Sha384>();
    }
}

//! `jose_core::content`: AES-CBC-HMAC-SHA2 (RFC 7518 section 5.2) on both providers.
//!
//! - RFC 7518 appendix B.1, B.2 and B.3 exactly (ciphertext and tag), sealed and opened on each
//!   provider.
//! - Every tamper is the same `DecryptionFailed`: a tag, ciphertext, IV, AAD or key byte, the AL
//!   encoding, a truncated or extended tag or ciphertext, wrong key, IV and tag lengths.
//! - The tag is checked before any decryption, and the HMAC runs for every failure (a counting
//!   wrapper around aws-lc shows which primitives ran).
//! - Round trips for every `enc` (GCM included) with the seal on one provider and the open on the
//!   other.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{pairs, providers};
use jose_core::content::{self, Tag};
use jose_core::{ContentEncryption, CryptoProvider, Error, HashAlg, KeySpec};
use jose_core::{PrivateKeyOps, PublicKeyOps};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use zeroize::Zeroizing;

const CBC_HS: [ContentEncryption; 3] = [
    ContentEncryption::A128CbcHs256,
    ContentEncryption::A192CbcHs384,
    ContentEncryption::A256CbcHs512,
];

/// RFC 7518 appendix B: the plaintext P.
const P: &[u8] = b"A cipher system must not be required to be secret, and it must be able to fall into the hands of the enemy without inconvenience";
/// RFC 7518 appendix B: the associated data A.
const A: &[u8] = b"The second principle of Auguste Kerckhoffs";
/// RFC 7518 appendix B: the IV.
const IV: &str = "1af38c2dc2b96ffdd86694092341bc04";

/// RFC 7518 appendix B.1, B.2, B.3: (section, enc, E, T); K is `00 01 02 ...` of `enc.key_len()`
/// bytes.
const APPENDIX_B: [(&str, ContentEncryption, &str, &str); 3] = [
    (
        "B.1",
        ContentEncryption::A128CbcHs256,
        "c80edfa32ddf39d5ef00c0b468834279a2e46a1b8049f792f76bfe54b903a9c9\
         a94ac9b47ad2655c5f10f9aef71427e2fc6f9b3f399a221489f16362c7032336\
         09d45ac69864e3321cf82935ac4096c86e133314c54019e8ca7980dfa4b9cf1b\
         384c486f3a54c51078158ee5d79de59fbd34d848b3d69550a67646344427ade5\
         4b8851ffb598f7f80074b9473c82e2db",
        "652c3fa36b0a7c5b3219fab3a30bc1c4",
    ),
    (
        "B.2",
        ContentEncryption::A192CbcHs384,
        "ea65da6b59e61edb419be62d19712ae5d303eeb50052d0dfd6697f77224c8edb\
         000d279bdc14c1072654bd30944230c657bed4ca0c9f4a8466f22b226d174621\
         4bf8cfc2400add9f5126e479663fc90b3bed787a2f0ffcbf3904be2a641d5c21\
         05bfe591bae23b1d7449e532eef60a9ac8bb6c6b01d35d49787bcd57ef484927\
         f280adc91ac0c4e79c7b11efc60054e3",
        "8490ac0e58949bfe51875d733f93ac2075168039ccc733d7",
    ),
    (
        "B.3",
        ContentEncryption::A256CbcHs512,
        "4affaaadb78c31c5da4b1b590d10ffbd3dd8d5d302423526912da037ecbcc7bd\
         822c301dd67c373bccb584ad3e9279c2e6d12a1374b77f077553df829410446b\
         36ebd97066296ae6427ea75c2e0846a11a09ccf5370dc80bfecbad28c73f09b3\
         a3b75e662a2594410ae496b2e2e6609e31e6e02cc837f053d21f37ff4f51950b\
         be2638d09dd7a4930930806d0703b1f6",
        "4dd3b4c088a7f45c216839645b2012bf2e6269a8c56a816dbc1b267761955bc5",
    ),
];

fn hex(text: &str) -> Vec<u8> {
    hex::decode(text).unwrap()
}

fn rfc_key(enc: ContentEncryption) -> Vec<u8> {
    (0..enc.key_len() as u8).collect()
}

#[test]
fn rfc7518_appendix_b_on_both_providers() {
    let iv = hex(IV);
    for provider in providers() {
        for (section, enc, e, t) in APPENDIX_B {
            let key = rfc_key(enc);
            let (ciphertext, tag) = content::seal(provider, enc, &key, &iv, A, P).unwrap();
            assert_eq!(
                hex::encode(&ciphertext),
                e,
                "{} {section}: E",
                provider.name()
            );
            assert_eq!(
                hex::encode(tag.as_bytes()),
                t,
                "{} {section}: T",
                provider.name()
            );
            let opened = content::open(provider, enc, &key, &iv, A, &hex(e), &hex(t)).unwrap();
            assert_eq!(opened.as_slice(), P, "{} {section}: P", provider.name());
        }
    }
}

/// The tag is the first T_LEN bytes of HMAC(MAC_KEY, A || IV || E || AL) with AL the AAD length
/// in bits as 64-bit big-endian (RFC 7518 section 5.2.2.1), computed here by hand; a tag made
/// with AL in bytes, little-endian, or without AL is refused.
#[test]
fn the_tag_covers_al_as_bits_big_endian() {
    let iv = hex(IV);
    for provider in providers() {
        for (section, enc, e, t) in APPENDIX_B {
            let key = rfc_key(enc);
            let hash = enc.cbc_hmac_hash().unwrap();
            let mac_key = &key[..enc.key_len() / 2];
            let e = hex(e);
            let tag_with = |al: &[u8]| {
                let input = [A, &iv, &e, al].concat();
                provider.hmac_sign(hash, mac_key, &input).unwrap()[..enc.tag_len()].to_vec()
            };
            let bits = (A.len() as u64 * 8).to_be_bytes();
            assert_eq!(hex::encode(tag_with(&bits)), t, "{section}: tag by hand");
            for (what, al) in [
                ("AL in bytes", (A.len() as u64).to_be_bytes().to_vec()),
                (
                    "AL little-endian",
                    (A.len() as u64 * 8).to_le_bytes().to_vec(),
                ),
                ("AL as 32 bits", (A.len() as u32 * 8).to_be_bytes().to_vec()),
                ("no AL", Vec::new()),
            ] {
                let tag = tag_with(&al);
                assert_eq!(
                    content::open(provider, enc, &key, &iv, A, &e, &tag),
                    Err(Error::DecryptionFailed),
                    "{} {section}: {what}",
                    provider.name()
                );
            }
        }
    }
}

/// (what, key, iv, aad, ciphertext, tag)
type Tampered = (String, Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>);

fn flip(bytes: &[u8], at: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[at] ^= 0x01;
    out
}

/// Every way a CBC-HS input can be wrong, for one sealed message.
fn tampers(
    enc: ContentEncryption,
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    ct: &[u8],
    tag: &[u8],
) -> Vec<Tampered> {
    let case = |what: &str, k: &[u8], i: &[u8], a: &[u8], c: &[u8], t: &[u8]| {
        (
            what.to_owned(),
            k.to_vec(),
            i.to_vec(),
            a.to_vec(),
            c.to_vec(),
            t.to_vec(),
        )
    };
    let half = enc.key_len() / 2;
    let mut out = vec![
        case("first tag byte", key, iv, aad, ct, &flip(tag, 0)),
        case("last tag byte", key, iv, aad, ct, &flip(tag, tag.len() - 1)),
        case("first ciphertext byte", key, iv, aad, &flip(ct, 0), tag),
        case(
            "last ciphertext byte",
            key,
            iv,
            aad,
            &flip(ct, ct.len() - 1),
            tag,
        ),
        case(
            "a middle ciphertext byte",
            key,
            iv,
            aad,
            &flip(ct, ct.len() / 2),
            tag,
        ),
        case("first IV byte", key, &flip(iv, 0), aad, ct, tag),
        case("last IV byte", key, &flip(iv, 15), aad, ct, tag),
        case("a MAC key byte", &flip(key, 0), iv, aad, ct, tag),
        // Not here: a wrong AES half under the right MAC half. The tag does not cover ENC_KEY
        // (RFC 7518 treats the CEK as one key), so that decrypts to garbage whose padding fails
        // only most of the time.
        case(
            "tag cut by one byte",
            key,
            iv,
            aad,
            ct,
            &tag[..tag.len() - 1],
        ),
        case("tag cut to half", key, iv, aad, ct, &tag[..tag.len() / 2]),
        case(
            "tag extended by a byte",
            key,
            iv,
            aad,
            ct,
            &[tag, &[0]].concat(),
        ),
        case(
            "the full HMAC as tag",
            key,
            iv,
            aad,
            ct,
            &[tag, tag].concat(),
        ),
        case("empty tag", key, iv, aad, ct, &[]),
        case(
            "ciphertext extended by a block",
            key,
            iv,
            aad,
            &[ct, &[0; 16]].concat(),
            tag,
        ),
        case(
            "ciphertext extended by a byte",
            key,
            iv,
            aad,
            &[ct, &[0]].concat(),
            tag,
        ),
        case(
            "ciphertext cut by a block",
            key,
            iv,
            aad,
            &ct[..ct.len() - 16],
            tag,
        ),
        case("empty ciphertext", key, iv, aad, &[], tag),
        case(
            "key one byte short",
            &key[..key.len() - 1],
            iv,
            aad,
            ct,
            tag,
        ),
        case("key one byte long", &[key, &[0]].concat(), iv, aad, ct, tag),
        case("empty key", &[], iv, aad, ct, tag),
        case("the MAC key alone", &key[..half], iv, aad, ct, tag),
        case("a 12-byte IV", key, &iv[..12], aad, ct, tag),
        case("a 17-byte IV", key, &[iv, &[0]].concat(), aad, ct, tag),
        case("empty IV", key, &[], aad, ct, tag),
        case(
            "AAD extended by a byte",
            key,
            iv,
            &[aad, b"x"].concat(),
            ct,
            tag,
        ),
    ];
    if !aad.is_empty() {
        out.push(case("empty AAD", key, iv, &[], ct, tag));
        out.push(case("first AAD byte", key, iv, &flip(aad, 0), ct, tag));
        out.push(case(
            "AAD cut by a byte",
            key,
            iv,
            &aad[..aad.len() - 1],
            ct,
            tag,
        ));
        // The last AAD byte moved into the IV position: same MAC input bytes up to AL, but the
        // AL differs; the IV is then 17 bytes.
        let moved_iv = [&aad[aad.len() - 1..], iv].concat();
        out.push(case(
            "an AAD byte moved to the IV",
            key,
            &moved_iv,
            &aad[..aad.len() - 1],
            ct,
            tag,
        ));
    }
    out
}

#[test]
fn every_tamper_is_decryption_failed() {
    let mut checked = 0;
    for provider in providers() {
        for enc in CBC_HS {
            let key: Vec<u8> = (0..enc.key_len()).map(|i| (i * 7 + 3) as u8).collect();
            let iv = [0x5cu8; 16];
            for (aad, plaintext) in [(A, P), (&b""[..], &b"x"[..]), (&b"hdr"[..], &[0u8; 32][..])] {
                let (ct, tag) = content::seal(provider, enc, &key, &iv, aad, plaintext).unwrap();
                // The untampered message opens: every failure below is the tamper's doing.
                let opened = content::open(provider, enc, &key, &iv, aad, &ct, tag.as_bytes());
                assert_eq!(opened.unwrap().as_slice(), plaintext);
                for (what, k, i, a, c, t) in tampers(enc, &key, &iv, aad, &ct, tag.as_bytes()) {
                    assert_eq!(
                        content::open(provider, enc, &k, &i, &a, &c, &t),
                        Err(Error::DecryptionFailed),
                        "{} {enc}: {what}",
                        provider.name()
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 400, "tampers checked: {checked}");
}

/// A ciphertext whose tag is right but whose padding is not (sealed by hand: AES-CBC of a block
/// that ends in 0x00, with no padding block, then the right tag) is `DecryptionFailed` too.
#[test]
fn bad_padding_under_a_valid_tag_is_decryption_failed() {
    for provider in providers() {
        for enc in CBC_HS {
            let key = rfc_key(enc);
            let (mac_key, enc_key) = key.split_at(enc.key_len() / 2);
            let iv = [1u8; 16];
            // 32 bytes of plaintext encrypt to three blocks; the first two alone end in the
            // plaintext's last byte, 0x00, which is not a PKCS#7 pad.
            let full = provider.aes_cbc_encrypt(enc_key, &iv, &[0u8; 32]).unwrap();
            let ct = &full[..32];
            let al = 0u64.to_be_bytes();
            let input = [&iv[..], ct, &al].concat();
            let hash = enc.cbc_hmac_hash().unwrap();
            let tag = provider.hmac_sign(hash, mac_key, &input).unwrap()[..enc.tag_len()].to_vec();
            assert_eq!(
                content::open(provider, enc, &key, &iv, b"", ct, &tag),
                Err(Error::DecryptionFailed),
                "{} {enc}",
                provider.name()
            );
            // The same construction with the padding block kept opens: the test's tag is right.
            let input = [&iv[..], &full, &al].concat();
            let tag = provider.hmac_sign(hash, mac_key, &input).unwrap()[..enc.tag_len()].to_vec();
            let opened = content::open(provider, enc, &key, &iv, b"", &full, &tag).unwrap();
            assert_eq!(opened.as_slice(), &[0u8; 32]);
        }
    }
}

#[test]
fn round_trips_across_providers_for_every_enc() {
    let encs = [ContentEncryption::GCM, &CBC_HS[..]].concat();
    for (sealer, opener) in pairs() {
        let (sealer, opener) = (providers()[sealer], providers()[opener]);
        for &enc in &encs {
            let mut key = vec![0u8; enc.key_len()];
            let mut iv = vec![0u8; enc.iv_len()];
            sealer.fill_random(&mut key).unwrap();
            sealer.fill_random(&mut iv).unwrap();
            for len in [0usize, 1, 15, 16, 17, 31, 32, 33, 1000] {
                for aad in [&b""[..], b"e", &[0x41; 100]] {
                    let plaintext: Vec<u8> = (0..len).map(|i| i as u8).collect();
                    let (ct, tag) = content::seal(sealer, enc, &key, &iv, aad, &plaintext).unwrap();
                    assert_eq!(tag.as_bytes().len(), enc.tag_len(), "{enc}: tag length");
                    let expected_len = if enc.is_gcm() {
                        len
                    } else {
                        (len / 16 + 1) * 16
                    };
                    assert_eq!(ct.len(), expected_len, "{enc}: ciphertext length");
                    let opened = content::open(opener, enc, &key, &iv, aad, &ct, tag.as_bytes())
                        .unwrap_or_else(|e| {
                            panic!(
                                "{enc}, {len} bytes, sealed by {}, opened by {}: {e}",
                                sealer.name(),
                                opener.name()
                            )
                        });
                    assert_eq!(opened.as_slice(), plaintext.as_slice());
                }
            }
        }
    }
}

#[test]
fn seal_with_a_wrong_key_or_iv_length_is_invalid_request() {
    for provider in providers() {
        for enc in CBC_HS {
            for (key_len, iv_len) in [
                (enc.key_len() - 1, 16),
                (enc.key_len() + 1, 16),
                (0, 16),
                (enc.key_len() / 2, 16),
                (enc.key_len(), 12),
                (enc.key_len(), 0),
                (enc.key_len(), 17),
            ] {
                let result = content::seal(
                    provider,
                    enc,
                    &vec![1; key_len],
                    &vec![2; iv_len],
                    b"",
                    b"x",
                );
                match result {
                    Err(Error::InvalidRequest(message)) => {
                        let found = if key_len != enc.key_len() {
                            key_len
                        } else {
                            iv_len
                        };
                        assert!(
                            message.contains(&enc.to_string())
                                && message.contains(&format!("found {found} bytes")),
                            "{enc}: {message}"
                        );
                    }
                    other => panic!("{enc}, key {key_len}, IV {iv_len}: {other:?}"),
                }
            }
        }
    }
}

#[test]
fn tag_debug_shows_hex_and_as_ref_is_the_bytes() {
    let provider = providers()[0];
    let enc = ContentEncryption::A128CbcHs256;
    let key = rfc_key(enc);
    let (_, tag): (Vec<u8>, Tag) = content::seal(provider, enc, &key, &hex(IV), A, P).unwrap();
    assert_eq!(format!("{tag:?}"), "Tag(652c3fa36b0a7c5b3219fab3a30bc1c4)");
    assert_eq!(tag.as_ref(), tag.as_bytes());
}

/// aws-lc behind a wrapper that counts the HMACs and CBC decryptions it is asked for.
#[derive(Debug, Default)]
struct Counting {
    hmacs: AtomicUsize,
    decryptions: AtomicUsize,
}

fn aws() -> &'static dyn CryptoProvider {
    providers()[0]
}

impl CryptoProvider for Counting {
    fn name(&self) -> &'static str {
        "aws-lc, counting"
    }
    fn fill_random(&self, dest: &mut [u8]) -> Result<(), Error> {
        aws().fill_random(dest)
    }
    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        aws().sha256(data)
    }
    fn aead_seal(
        &self,
        enc: ContentEncryption,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<(Vec<u8>, [u8; 16]), Error> {
        aws().aead_seal(enc, key, iv, aad, plaintext)
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
        aws().aead_open(enc, key, iv, aad, ciphertext, tag)
    }
    fn import_private_pkcs8(&self, der: &[u8]) -> Result<Arc<dyn PrivateKeyOps>, Error> {
        aws().import_private_pkcs8(der)
    }
    fn import_public_spki(&self, der: &[u8]) -> Result<Arc<dyn PublicKeyOps>, Error> {
        aws().import_public_spki(der)
    }
    fn generate(&self, spec: KeySpec) -> Result<Arc<dyn PrivateKeyOps>, Error> {
        aws().generate(spec)
    }
    fn hmac_sign(&self, hash: HashAlg, key: &[u8], data: &[u8]) -> Result<Vec<u8>, Error> {
        self.hmacs.fetch_add(1, Ordering::SeqCst);
        aws().hmac_sign(hash, key, data)
    }
    fn aes_cbc_encrypt(&self, key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        aws().aes_cbc_encrypt(key, iv, plaintext)
    }
    fn aes_cbc_decrypt(
        &self,
        key: &[u8],
        iv: &[u8],
        ct: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Error> {
        self.decryptions.fetch_add(1, Ordering::SeqCst);
        aws().aes_cbc_decrypt(key, iv, ct)
    }
}

/// Every failure costs exactly one HMAC and no decryption (the tag is checked first, and the
/// HMAC runs even when a length is wrong); a valid message costs one HMAC and one decryption.
#[test]
fn the_tag_is_checked_first_and_the_hmac_always_runs() {
    for enc in CBC_HS {
        let key = rfc_key(enc);
        let iv = hex(IV);
        let (ct, tag) = content::seal(aws(), enc, &key, &iv, A, P).unwrap();
        for (what, k, i, a, c, t) in tampers(enc, &key, &iv, A, &ct, tag.as_bytes()) {
            let counting = Counting::default();
            let result = content::open(&counting, enc, &k, &i, &a, &c, &t);
            assert_eq!(result, Err(Error::DecryptionFailed), "{enc}: {what}");
            assert_eq!(
                counting.hmacs.load(Ordering::SeqCst),
                1,
                "{enc}: {what}: HMACs"
            );
            assert_eq!(
                counting.decryptions.load(Ordering::SeqCst),
                0,
                "{enc}: {what}: decryptions before the tag verified"
            );
        }
        let counting = Counting::default();
        let opened = content::open(&counting, enc, &key, &iv, A, &ct, tag.as_bytes()).unwrap();
        assert_eq!(opened.as_slice(), P);
        assert_eq!(counting.hmacs.load(Ordering::SeqCst), 1);
        assert_eq!(counting.decryptions.load(Ordering::SeqCst), 1);
    }
}

/// A provider without the CBC or HMAC methods answers `Unsupported`, on seal and on open: the
/// only error of `open` that is not `DecryptionFailed`, and one that does not depend on the input.
#[test]
fn a_provider_without_hmac_is_unsupported() {
    #[derive(Debug)]
    struct GcmOnly;
    impl CryptoProvider for GcmOnly {
        fn name(&self) -> &'static str {
            "gcm only"
        }
        fn fill_random(&self, dest: &mut [u8]) -> Result<(), Error> {
            aws().fill_random(dest)
        }
        fn sha256(&self, data: &[u8]) -> [u8; 32] {
            aws().sha256(data)
        }
        fn aead_seal(
            &self,
            enc: ContentEncryption,
            key: &[u8],
            iv: &[u8],
            aad: &[u8],
            plaintext: &[u8],
        ) -> Result<(Vec<u8>, [u8; 16]), Error> {
            aws().aead_seal(enc, key, iv, aad, plaintext)
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
            aws().aead_open(enc, key, iv, aad, ciphertext, tag)
        }
        fn import_private_pkcs8(&self, der: &[u8]) -> Result<Arc<dyn PrivateKeyOps>, Error> {
            aws().import_private_pkcs8(der)
        }
        fn import_public_spki(&self, der: &[u8]) -> Result<Arc<dyn PublicKeyOps>, Error> {
            aws().import_public_spki(der)
        }
        fn generate(&self, spec: KeySpec) -> Result<Arc<dyn PrivateKeyOps>, Error> {
            aws().generate(spec)
        }
    }
    let enc = ContentEncryption::A128CbcHs256;
    let key = rfc_key(enc);
    let iv = hex(IV);
    assert!(matches!(
        content::seal(&GcmOnly, enc, &key, &iv, A, P),
        Err(Error::Unsupported { .. })
    ));
    let (ct, tag) = content::seal(aws(), enc, &key, &iv, A, P).unwrap();
    assert!(matches!(
        content::open(&GcmOnly, enc, &key, &iv, A, &ct, tag.as_bytes()),
        Err(Error::Unsupported { .. })
    ));
    // GCM still works through the same dispatch.
    let gcm = ContentEncryption::A128Gcm;
    let (ct, tag) = content::seal(&GcmOnly, gcm, &[3; 16], &[4; 12], A, P).unwrap();
    let opened = content::open(&GcmOnly, gcm, &[3; 16], &[4; 12], A, &ct, tag.as_bytes()).unwrap();
    assert_eq!(opened.as_slice(), P);
}

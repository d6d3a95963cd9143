//! Core benchmarks: JWE encrypt/decrypt (RSA-OAEP and RSA-OAEP-256 with A128GCM and A256GCM, at
//! 1 KiB, 64 KiB and 1 MiB; RSA-OAEP-384 and RSA-OAEP-512 with A256GCM, `dir`, A*KW, A*GCMKW and
//! PBES2 with their GCM, the CBC-HS encs under `dir`, and ECDH-ES, ECDH-ES+A128KW and
//! ECDH-ES+A256KW on P-256, P-384, P-521 and X25519, at 1 KiB) and JWS sign/verify for every
//! algorithm (HS* and EdDSA included) at 1 KiB, each on both providers, beside the raw aws-lc-rs
//! baseline and (feature `peers`) josekit. RSA-OAEP-256+A256GCM, RSA-OAEP-384/512 and every
//! symmetric and ECDH-ES case also have `raw+b64`: the raw baseline through the compact
//! serialization, base64url by `base64-simd` (the fastest strict codec measured here; the
//! `b64_codec` group puts it beside the `base64` crate's engine).
//!
//! The workspace columns measure the compact path: `JweBuilder::encrypt_compact` and
//! `Jwe::from_compact` + `Jwe::into_decrypted`.
//!
//! Ids: group `jwe_encrypt` / `jwe_decrypt` / `jws_sign` / `jws_verify`; function `aws-lc`,
//! `rustcrypto`, `raw` (aws-lc-rs directly) or `josekit`; parameter the case
//! (`RSA-OAEP-256+A256GCM/64KiB`, `ES256/1KiB`; ECDH-ES with the curve:
//! `ECDH-ES+A128KW+A128GCM/X25519/1KiB`). `cargo xtask bench` reads them back from
//! target/criterion.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};
use jose::jwe::{DecryptOptions, Jwe, JweBuilder};
use jose::jws::{Jws, JwsBuilder};
use jose::{
    ContentEncryption, CryptoProvider, DecryptingKey, EncryptingKey, KeyManagementAlgorithm,
    Limits, b64,
};
use jose_benches::raw::{RawJweKeys, RawSigner};
use jose_benches::raw_symmetric::RawHmac;
use jose_benches::{
    HMAC_ALGS, JWE_ALGS, JWE_ENCS, JWE_SIZES, JWS_ALGS, JweCase, RSA_OAEP_1KIB, hmac_keys,
    jwe_keys, jws_keys, payload,
};

mod common;
use common::config;

/// An encrypting and a decrypting key of this workspace for a provider.
type JweKeys = Result<(EncryptingKey, DecryptingKey), jose::Error>;

/// This workspace on both providers in the `jwe_encrypt` group: `JweBuilder::encrypt_compact`
/// to the key `keys` gives for each provider.
fn ours_encrypt(
    group: &mut BenchmarkGroup<'_, WallTime>,
    case: &str,
    enc: ContentEncryption,
    plaintext: &[u8],
    keys: impl Fn(&'static dyn CryptoProvider) -> JweKeys,
) {
    for provider in jose::providers() {
        let (key, _) = keys(provider).expect("keys");
        group.bench_function(BenchmarkId::new(provider.name(), case), |b| {
            b.iter(|| {
                JweBuilder::new(enc)
                    .recipient(&key)
                    .encrypt_compact(black_box(plaintext), provider)
                    .expect("encrypt")
            })
        });
    }
}

/// This workspace on both providers in the `jwe_decrypt` group: `Jwe::from_compact` +
/// `Jwe::into_decrypted` of a token encrypted beforehand to the key `keys` gives.
fn ours_decrypt(
    group: &mut BenchmarkGroup<'_, WallTime>,
    case: &str,
    enc: ContentEncryption,
    plaintext: &[u8],
    limits: &Limits,
    keys: impl Fn(&'static dyn CryptoProvider) -> JweKeys,
) {
    let options = DecryptOptions::default();
    for provider in jose::providers() {
        let (key, dkey) = keys(provider).expect("keys");
        let token = JweBuilder::new(enc)
            .recipient(&key)
            .encrypt(plaintext, provider)
            .expect("encrypt")
            .to_compact()
            .expect("compact");
        let keys = [dkey];
        group.bench_function(BenchmarkId::new(provider.name(), case), |b| {
            b.iter(|| {
                let jwe = Jwe::from_compact(black_box(&token), limits).expect("parse");
                jwe.into_decrypted(&keys, &[enc], &options, provider)
                    .expect("decrypt")
            })
        });
    }
}

fn jwe(c: &mut Criterion) {
    let raw = RawJweKeys::new().expect("raw keys");
    for alg in JWE_ALGS {
        for enc in JWE_ENCS {
            for (size, label) in JWE_SIZES {
                jwe_rsa(c, &raw, alg, enc, size, label);
            }
        }
    }
    for (alg, enc) in RSA_OAEP_1KIB {
        jwe_rsa(c, &raw, alg, enc, 1024, "1KiB");
    }
}

/// One RSA-OAEP case in the JWE groups: ours on both providers, raw, `raw+b64` for
/// [`RAW_B64_CASE`] and the 1 KiB-only cases, and josekit.
fn jwe_rsa(
    c: &mut Criterion,
    raw: &RawJweKeys,
    alg: KeyManagementAlgorithm,
    enc: ContentEncryption,
    size: usize,
    label: &str,
) {
    let limits = Limits {
        max_token_len: 64 * 1024 * 1024,
        ..Limits::default()
    };
    let with_b64 = (alg, enc) == RAW_B64_CASE || RSA_OAEP_1KIB.contains(&(alg, enc));
    #[cfg(feature = "peers")]
    let josekit = jose_benches::peers::JosekitJwe::new(alg, enc).expect("josekit keys");
    let case = format!("{alg}+{enc}/{label}");
    let plaintext = payload(size);
    let mut encrypt = c.benchmark_group("jwe_encrypt");
    ours_encrypt(&mut encrypt, &case, enc, &plaintext, |p| jwe_keys(alg, p));
    let header = b64::encode(format!("{{\"alg\":\"{alg}\",\"enc\":\"{enc}\"}}").as_bytes());
    encrypt.bench_function(BenchmarkId::new("raw", &case), |b| {
        b.iter(|| {
            raw.encrypt(alg, enc, header.as_bytes(), black_box(&plaintext))
                .expect("raw")
        })
    });
    // The same, through the compact serialization with the fastest strict codec
    // (issue 14's baseline for RSA-OAEP-256/A256GCM and the new RSA-OAEP cases).
    if with_b64 {
        encrypt.bench_function(BenchmarkId::new("raw+b64", &case), |b| {
            b.iter(|| {
                raw.encrypt_compact(alg, enc, &header, black_box(&plaintext))
                    .expect("raw+b64")
            })
        });
    }
    #[cfg(feature = "peers")]
    encrypt.bench_function(BenchmarkId::new("josekit", &case), |b| {
        b.iter(|| josekit.encrypt(black_box(&plaintext)).expect("josekit"))
    });
    encrypt.finish();

    let mut decrypt = c.benchmark_group("jwe_decrypt");
    ours_decrypt(&mut decrypt, &case, enc, &plaintext, &limits, |p| {
        jwe_keys(alg, p)
    });
    let sealed = raw
        .encrypt(alg, enc, header.as_bytes(), &plaintext)
        .expect("raw");
    decrypt.bench_function(BenchmarkId::new("raw", &case), |b| {
        b.iter(|| {
            raw.decrypt(alg, enc, header.as_bytes(), black_box(&sealed))
                .expect("raw")
        })
    });
    if with_b64 {
        let token = raw
            .encrypt_compact(alg, enc, &header, &plaintext)
            .expect("raw+b64");
        decrypt.bench_function(BenchmarkId::new("raw+b64", &case), |b| {
            b.iter(|| {
                raw.decrypt_compact(alg, enc, black_box(&token))
                    .expect("raw+b64")
            })
        });
    }
    #[cfg(feature = "peers")]
    {
        let token = josekit.encrypt(&plaintext).expect("josekit");
        decrypt.bench_function(BenchmarkId::new("josekit", &case), |b| {
            b.iter(|| josekit.decrypt(black_box(&token)).expect("josekit"))
        });
    }
    decrypt.finish();
}

/// The JWE case with a second raw baseline through the compact serialization (`raw+b64`).
const RAW_B64_CASE: (KeyManagementAlgorithm, ContentEncryption) = (
    KeyManagementAlgorithm::RsaOaep256,
    ContentEncryption::A256Gcm,
);

/// Issue 14's symmetric, password and ECDH-ES JWE cases at 1 KiB ([`JweCase::all`]), in the
/// same groups.
fn jwe_symmetric(c: &mut Criterion) {
    let limits = Limits::default();
    let plaintext = payload(1024);
    for jwe_case in JweCase::all() {
        let JweCase { alg, enc, .. } = jwe_case;
        let case = jwe_case.label();
        let raw = jwe_case.raw().expect("raw keys");
        #[cfg(feature = "peers")]
        let josekit = jose_benches::peers::JosekitJwe::case(jwe_case).expect("josekit keys");
        let header = b64::encode(format!("{{\"alg\":\"{alg}\",\"enc\":\"{enc}\"}}").as_bytes());

        let mut encrypt = c.benchmark_group("jwe_encrypt");
        ours_encrypt(&mut encrypt, &case, enc, &plaintext, |p| jwe_case.keys(p));
        encrypt.bench_function(BenchmarkId::new("raw", &case), |b| {
            b.iter(|| {
                raw.encrypt(header.as_bytes(), black_box(&plaintext))
                    .expect("raw")
            })
        });
        encrypt.bench_function(BenchmarkId::new("raw+b64", &case), |b| {
            b.iter(|| {
                raw.encrypt_compact(&header, black_box(&plaintext))
                    .expect("raw+b64")
            })
        });
        #[cfg(feature = "peers")]
        encrypt.bench_function(BenchmarkId::new("josekit", &case), |b| {
            b.iter(|| josekit.encrypt(black_box(&plaintext)).expect("josekit"))
        });
        encrypt.finish();

        let mut decrypt = c.benchmark_group("jwe_decrypt");
        ours_decrypt(&mut decrypt, &case, enc, &plaintext, &limits, |p| {
            jwe_case.keys(p)
        });
        let sealed = raw.encrypt(header.as_bytes(), &plaintext).expect("raw");
        assert_eq!(
            raw.decrypt(header.as_bytes(), &sealed).expect("raw"),
            plaintext
        );
        decrypt.bench_function(BenchmarkId::new("raw", &case), |b| {
            b.iter(|| {
                raw.decrypt(header.as_bytes(), black_box(&sealed))
                    .expect("raw")
            })
        });
        let (token, params) = raw.encrypt_compact(&header, &plaintext).expect("raw+b64");
        assert_eq!(
            raw.decrypt_compact(&token, &params).expect("raw+b64"),
            plaintext
        );
        decrypt.bench_function(BenchmarkId::new("raw+b64", &case), |b| {
            b.iter(|| {
                raw.decrypt_compact(black_box(&token), &params)
                    .expect("raw+b64")
            })
        });
        #[cfg(feature = "peers")]
        {
            let token = josekit.encrypt(&plaintext).expect("josekit");
            decrypt.bench_function(BenchmarkId::new("josekit", &case), |b| {
                b.iter(|| josekit.decrypt(black_box(&token)).expect("josekit"))
            });
        }
        decrypt.finish();
    }
}

/// The public-data base64url codec (`jose::b64`, on `base64-simd`, the codec of the `raw+b64`
/// baselines too) beside the `base64` crate's general-purpose engine, at 1 KiB and 1 MiB. Group
/// `b64_codec`, functions `jose` and `base64`; `cargo xtask bench` does not tabulate it (the
/// figures go into the hand-written notes).
fn b64_codec(c: &mut Criterion) {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut group = c.benchmark_group("b64_codec");
    for (size, label) in [(1024, "1KiB"), (1024 * 1024, "1MiB")] {
        let bytes = payload(size);
        let text = b64::encode(&bytes);
        assert_eq!(URL_SAFE_NO_PAD.encode(&bytes), text);
        group.bench_function(BenchmarkId::new("jose", format!("encode/{label}")), |b| {
            b.iter(|| b64::encode(black_box(&bytes)))
        });
        group.bench_function(BenchmarkId::new("base64", format!("encode/{label}")), |b| {
            b.iter(|| URL_SAFE_NO_PAD.encode(black_box(&bytes)))
        });
        group.bench_function(BenchmarkId::new("jose", format!("decode/{label}")), |b| {
            b.iter(|| b64::decode("bench", black_box(&text)).expect("decode"))
        });
        group.bench_function(BenchmarkId::new("base64", format!("decode/{label}")), |b| {
            b.iter(|| URL_SAFE_NO_PAD.decode(black_box(&text)).expect("decode"))
        });
    }
    group.finish();
}

/// HS256/384/512 at 1 KiB, in the JWS groups.
fn jws_hmac(c: &mut Criterion) {
    let limits = Limits::default();
    let body = payload(1024);
    for alg in HMAC_ALGS {
        let case = format!("{alg}/1KiB");
        let raw = RawHmac::new(alg);
        #[cfg(feature = "peers")]
        let josekit = jose_benches::peers::JosekitJws::hmac(alg).expect("josekit key");
        let signing_input = format!(
            "{}.{}",
            b64::encode(format!("{{\"alg\":\"{alg}\"}}").as_bytes()),
            b64::encode(&body)
        );

        let mut sign = c.benchmark_group("jws_sign");
        for provider in jose::providers() {
            let (key, _) = hmac_keys(alg, provider).expect("keys");
            sign.bench_function(BenchmarkId::new(provider.name(), &case), |b| {
                b.iter(|| {
                    JwsBuilder::new(black_box(&body))
                        .signer(&key)
                        .sign()
                        .expect("sign")
                        .to_compact()
                        .expect("compact")
                })
            });
        }
        sign.bench_function(BenchmarkId::new("raw", &case), |b| {
            b.iter(|| raw.sign(black_box(signing_input.as_bytes())))
        });
        #[cfg(feature = "peers")]
        sign.bench_function(BenchmarkId::new("josekit", &case), |b| {
            b.iter(|| josekit.sign(black_box(&body)).expect("josekit"))
        });
        sign.finish();

        let mut verify = c.benchmark_group("jws_verify");
        for provider in jose::providers() {
            let (key, vkey) = hmac_keys(alg, provider).expect("keys");
            let token = JwsBuilder::new(&body)
                .signer(&key)
                .sign()
                .expect("sign")
                .to_compact()
                .expect("compact");
            let keys = [vkey];
            verify.bench_function(BenchmarkId::new(provider.name(), &case), |b| {
                b.iter(|| {
                    let jws = Jws::from_compact(black_box(&token), &limits).expect("parse");
                    jws.verify(&keys).expect("verify").len()
                })
            });
        }
        let tag = raw.sign(signing_input.as_bytes());
        verify.bench_function(BenchmarkId::new("raw", &case), |b| {
            b.iter(|| {
                raw.verify(black_box(signing_input.as_bytes()), &tag)
                    .expect("raw")
            })
        });
        #[cfg(feature = "peers")]
        {
            let token = josekit.sign(&body).expect("josekit");
            verify.bench_function(BenchmarkId::new("josekit", &case), |b| {
                b.iter(|| josekit.verify(black_box(&token)).expect("josekit"))
            });
        }
        verify.finish();
    }
}

fn jws(c: &mut Criterion) {
    let limits = Limits::default();
    let body = payload(1024);
    for alg in JWS_ALGS {
        let case = format!("{alg}/1KiB");
        let raw = RawSigner::new(alg).expect("raw key");
        #[cfg(feature = "peers")]
        let josekit = jose_benches::peers::JosekitJws::new(alg).expect("josekit key");

        let mut sign = c.benchmark_group("jws_sign");
        for provider in jose::providers() {
            let (key, _) = jws_keys(alg, provider).expect("keys");
            sign.bench_function(BenchmarkId::new(provider.name(), &case), |b| {
                b.iter(|| {
                    JwsBuilder::new(black_box(&body))
                        .signer(&key)
                        .sign()
                        .expect("sign")
                        .to_compact()
                        .expect("compact")
                })
            });
        }
        // The raw signature is over the same signing input our JWS signs.
        let signing_input = format!(
            "{}.{}",
            b64::encode(format!("{{\"alg\":\"{alg}\"}}").as_bytes()),
            b64::encode(&body)
        );
        sign.bench_function(BenchmarkId::new("raw", &case), |b| {
            b.iter(|| raw.sign(black_box(signing_input.as_bytes())).expect("raw"))
        });
        #[cfg(feature = "peers")]
        sign.bench_function(BenchmarkId::new("josekit", &case), |b| {
            b.iter(|| josekit.sign(black_box(&body)).expect("josekit"))
        });
        sign.finish();

        let mut verify = c.benchmark_group("jws_verify");
        for provider in jose::providers() {
            let (key, vkey) = jws_keys(alg, provider).expect("keys");
            let token = JwsBuilder::new(&body)
                .signer(&key)
                .sign()
                .expect("sign")
                .to_compact()
                .expect("compact");
            let keys = [vkey];
            verify.bench_function(BenchmarkId::new(provider.name(), &case), |b| {
                b.iter(|| {
                    let jws = Jws::from_compact(black_box(&token), &limits).expect("parse");
                    jws.verify(&keys).expect("verify").len()
                })
            });
        }
        let signature = raw.sign(signing_input.as_bytes()).expect("raw");
        verify.bench_function(BenchmarkId::new("raw", &case), |b| {
            b.iter(|| {
                raw.verify(black_box(signing_input.as_bytes()), &signature)
                    .expect("raw")
            })
        });
        #[cfg(feature = "peers")]
        {
            let token = josekit.sign(&body).expect("josekit");
            verify.bench_function(BenchmarkId::new("josekit", &case), |b| {
                b.iter(|| josekit.verify(black_box(&token)).expect("josekit"))
            });
        }
        verify.finish();
    }
}

criterion_group! {
    name = benches;
    config = config();
    targets = jws, jws_hmac, jwe, jwe_symmetric, b64_codec
}
criterion_main!(benches);

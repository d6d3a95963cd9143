//! Where the time of a 1 KiB symmetric JOSE operation goes, piece by piece, on aws-lc-rs and
//! jose's base64url: `cargo run --release -p jose-benches --example overhead`. Each line is the
//! median of 15 runs of a tight loop (a rough attribution, not a criterion measurement).
#![allow(
    missing_docs,
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::time::Instant;

use aws_lc_rs::aead::{AES_128_GCM, LessSafeKey, UnboundKey};
use aws_lc_rs::cipher::{AES_128, PaddedBlockEncryptingKey, UnboundCipherKey};
use aws_lc_rs::hmac;
use aws_lc_rs::key_wrap::{AES_128 as KW_AES_128, KeyEncryptionKey, KeyWrap};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use jose::b64;
use jose_benches::{payload, secret};

fn time(label: &str, mut f: impl FnMut()) {
    const ITERS: u32 = 20_000;
    let mut runs: Vec<f64> = (0..15)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..ITERS {
                f();
            }
            start.elapsed().as_nanos() as f64 / f64::from(ITERS)
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    println!("{label:<58} {:>8.0} ns", runs[runs.len() / 2]);
}

fn main() {
    let body = payload(1024);
    let encoded = b64::encode(&body);
    let signing_input = format!("{}.{}", b64::encode(br#"{"alg":"HS256"}"#), encoded);
    let key16 = secret(16);
    let key32 = secret(32);
    let rng = SystemRandom::new();
    let prebuilt = hmac::Key::new(hmac::HMAC_SHA256, &key32);

    time("b64::encode, 1 KiB", || {
        black_box(b64::encode(black_box(&body)));
    });
    time("b64::decode, 1 KiB (1,366 characters)", || {
        black_box(b64::decode("payload", black_box(&encoded)).unwrap());
    });
    time(
        "HMAC-SHA-256 of the 1 KiB JWS signing input, key held",
        || {
            black_box(hmac::sign(&prebuilt, black_box(signing_input.as_bytes())));
        },
    );
    time("hmac::Key::new (SHA-256, 32-byte key)", || {
        black_box(hmac::Key::new(hmac::HMAC_SHA256, black_box(&key32)));
    });
    time("hmac::Key::new (SHA-512, 64-byte key)", || {
        black_box(hmac::Key::new(hmac::HMAC_SHA512, black_box(&secret(64))));
    });
    time("LessSafeKey::new (AES-128-GCM)", || {
        black_box(LessSafeKey::new(
            UnboundKey::new(&AES_128_GCM, black_box(&key16)).unwrap(),
        ));
    });
    time("PaddedBlockEncryptingKey::cbc_pkcs7 (AES-128)", || {
        black_box(
            PaddedBlockEncryptingKey::cbc_pkcs7(
                UnboundCipherKey::new(&AES_128, black_box(&key16)).unwrap(),
            )
            .unwrap(),
        );
    });
    time(
        "AES-128 key wrap of a 16-byte CEK (key import included)",
        || {
            let kek = KeyEncryptionKey::new(&KW_AES_128, black_box(&key16)).unwrap();
            let mut out = [0u8; 24];
            black_box(kek.wrap(black_box(&key16), &mut out).unwrap().len());
        },
    );
    time("SystemRandom::fill, 16 bytes", || {
        let mut out = [0u8; 16];
        rng.fill(&mut out).unwrap();
        black_box(out);
    });
    time("copy of 1 KiB into a new Vec", || {
        black_box(black_box(&body).to_vec());
    });
}

//! Protocol benchmarks on both providers, beside the raw aws-lc-rs baseline of the same
//! primitives and, for TrueLayer (feature `peers`), TrueLayer's own `truelayer-signing` crate:
//!
//! - TrueLayer request signing: sign and verify a `Tl-Signature` (ES512 detached JWS) over a
//!   1 KiB POST body; raw = one ES512 signature / verification over the same signing input.
//! - Klarna XS2A: seal and open a 1 KiB body (RS512 JWS inside an RSA-OAEP-256/A256GCM JWE,
//!   replay and timestamp checks left out of `open`: `Opener::open` only); raw = RS512 sign +
//!   RSA-OAEP-256 + AES-256-GCM, and the reverse.
//! - Request4R: the partner encrypting a 1 KiB request and the gateway decrypting it (http
//!   types in and out); raw = RSA-OAEP-256 + AES-256-GCM, and the reverse.
//! - 4Quays: the engine handling a protect and an unprotect request (JSON parsing, API-key hash,
//!   policy, RSA-OAEP + A256GCM, flattened JSON); raw = RSA-OAEP + AES-256-GCM, and the reverse.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use jose::{ContentEncryption, JwsAlgorithm, KeyManagementAlgorithm, PrivateKey, b64};
use jose_benches::raw::{RawJweKeys, RawSigner};
use jose_benches::{P521_PEM, RSA_PEM, payload};
use serde_json::{Map, Value, json};

mod common;
use common::config;

/// A JSON object of about `len` bytes.
fn body_map(len: usize) -> Map<String, Value> {
    let filler = String::from_utf8(payload(len.saturating_sub(64)))
        .expect("ASCII")
        .replace('"', "'");
    let mut map = Map::new();
    map.insert("data".into(), json!({"note": filler}));
    map
}

fn truelayer(c: &mut Criterion) {
    use jose_truelayer_signing::{Es512SigningKey, Signer, Verifier};
    let body = serde_json::to_vec(&body_map(1024)).expect("json");
    let raw = RawSigner::new(JwsAlgorithm::Es512).expect("raw");
    let mut sign = c.benchmark_group("truelayer_sign");
    let mut signatures = Vec::new();
    for provider in jose::providers() {
        let key = Es512SigningKey::from_pem(P521_PEM, provider).expect("key");
        let signer = || {
            Signer::new("bench-kid")
                .method("POST")
                .path("/v3/payouts")
                .header("Idempotency-Key", "idemp-2026-11-23")
                .body(&body)
        };
        signatures.push((provider, signer().sign(&key).expect("sign")));
        sign.bench_function(BenchmarkId::new(provider.name(), "ES512/1KiB"), |b| {
            b.iter(|| signer().sign(black_box(&key)).expect("sign"))
        });
    }
    // TrueLayer signs `POST /v3/payouts\nIdempotency-Key: ...\n<body>` under its header.
    let mut signing_input = b64::encode(
        br#"{"alg":"ES512","kid":"bench-kid","tl_version":"2","tl_headers":"Idempotency-Key"}"#,
    )
    .into_bytes();
    signing_input.push(b'.');
    let mut signed = b"POST /v3/payouts\nIdempotency-Key: idemp-2026-11-23\n".to_vec();
    signed.extend_from_slice(&body);
    signing_input.extend_from_slice(b64::encode(&signed).as_bytes());
    sign.bench_function(BenchmarkId::new("raw", "ES512/1KiB"), |b| {
        b.iter(|| raw.sign(black_box(&signing_input)).expect("raw"))
    });
    #[cfg(feature = "peers")]
    sign.bench_function(BenchmarkId::new("truelayer-signing", "ES512/1KiB"), |b| {
        b.iter(|| jose_benches::peers::truelayer_sign("bench-kid", black_box(&body)).expect("peer"))
    });
    sign.finish();

    let mut verify = c.benchmark_group("truelayer_verify");
    for (provider, signature) in &signatures {
        let public = PrivateKey::from_pem(P521_PEM, *provider)
            .expect("key")
            .public_key();
        verify.bench_function(BenchmarkId::new(provider.name(), "ES512/1KiB"), |b| {
            b.iter(|| {
                Verifier::new(&public)
                    .expect("verifier")
                    .method("POST")
                    .path("/v3/payouts")
                    .header("Idempotency-Key", "idemp-2026-11-23")
                    .require_header("Idempotency-Key")
                    .body(&body)
                    .verify(black_box(signature))
                    .expect("verify")
            })
        });
    }
    let raw_signature = raw.sign(&signing_input).expect("raw");
    verify.bench_function(BenchmarkId::new("raw", "ES512/1KiB"), |b| {
        b.iter(|| {
            raw.verify(black_box(&signing_input), &raw_signature)
                .expect("raw")
        })
    });
    #[cfg(feature = "peers")]
    {
        let signature = jose_benches::peers::truelayer_sign("bench-kid", &body).expect("peer");
        verify.bench_function(BenchmarkId::new("truelayer-signing", "ES512/1KiB"), |b| {
            b.iter(|| {
                jose_benches::peers::truelayer_verify(black_box(&signature), &body).expect("peer")
            })
        });
    }
    verify.finish();
}

/// The raw nested baseline (Klarna): RS512 over a JWS signing input, then the JWS sealed.
fn klarna(c: &mut Criterion) {
    use jose_klarna_xs2a::{KeyRing, Opener, Sealer, VerifierSet};
    let body = body_map(1024);
    let raw_signer = RawSigner::new(JwsAlgorithm::Rs512).expect("raw");
    let raw_jwe = RawJweKeys::new().expect("raw");
    let mut seal = c.benchmark_group("klarna_seal");
    let mut sealed = Vec::new();
    for provider in jose::providers() {
        let key = PrivateKey::from_pem(RSA_PEM, provider).expect("key");
        let sealer = Sealer::new(
            key.clone().with_kid("sig-1"),
            key.public_key().with_kid("enc-1"),
        )
        .expect("sealer");
        let opener = Opener::new(
            KeyRing::new()
                .with(key.clone().with_kid("enc-1"))
                .expect("ring"),
            VerifierSet::new()
                .with(key.public_key().with_kid("sig-1"))
                .expect("verifiers"),
        );
        sealed.push((
            provider,
            opener,
            sealer.seal(&body, provider).expect("seal"),
        ));
        seal.bench_function(
            BenchmarkId::new(provider.name(), "RS512+RSA-OAEP-256+A256GCM/1KiB"),
            |b| b.iter(|| sealer.seal(black_box(&body), provider).expect("seal")),
        );
    }
    let json = serde_json::to_vec(&body).expect("json");
    let header = b64::encode(
        br#"{"alg":"RSA-OAEP-256","kid":"enc-1","enc":"A256GCM","cty":"application/jose"}"#,
    );
    let jws_input = format!(
        "{}.{}",
        b64::encode(br#"{"alg":"RS512","kid":"sig-1","cty":"application/json"}"#),
        b64::encode(&json)
    );
    let inner = format!(
        "{jws_input}.{}",
        b64::encode(&raw_signer.sign(jws_input.as_bytes()).expect("raw"))
    );
    seal.bench_function(
        BenchmarkId::new("raw", "RS512+RSA-OAEP-256+A256GCM/1KiB"),
        |b| {
            b.iter(|| {
                let signature = raw_signer
                    .sign(black_box(jws_input.as_bytes()))
                    .expect("raw");
                let sealed = raw_jwe
                    .encrypt(
                        KeyManagementAlgorithm::RsaOaep256,
                        ContentEncryption::A256Gcm,
                        header.as_bytes(),
                        inner.as_bytes(),
                    )
                    .expect("raw");
                (signature, sealed)
            })
        },
    );
    seal.finish();

    let mut open = c.benchmark_group("klarna_open");
    for (provider, opener, token) in &sealed {
        open.bench_function(
            BenchmarkId::new(provider.name(), "RS512+RSA-OAEP-256+A256GCM/1KiB"),
            |b| b.iter(|| opener.open(black_box(token), *provider).expect("open")),
        );
    }
    let raw_sealed = raw_jwe
        .encrypt(
            KeyManagementAlgorithm::RsaOaep256,
            ContentEncryption::A256Gcm,
            header.as_bytes(),
            inner.as_bytes(),
        )
        .expect("raw");
    let signature = raw_signer.sign(jws_input.as_bytes()).expect("raw");
    open.bench_function(
        BenchmarkId::new("raw", "RS512+RSA-OAEP-256+A256GCM/1KiB"),
        |b| {
            b.iter(|| {
                let inner = raw_jwe
                    .decrypt(
                        KeyManagementAlgorithm::RsaOaep256,
                        ContentEncryption::A256Gcm,
                        header.as_bytes(),
                        black_box(&raw_sealed),
                    )
                    .expect("raw");
                raw_signer
                    .verify(jws_input.as_bytes(), &signature)
                    .expect("raw");
                inner
            })
        },
    );
    open.finish();
}

/// A raw single-layer JWE baseline for `alg` + A256GCM over a 1 KiB payload, both directions.
fn raw_jwe_pair(
    encrypt_group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    alg: KeyManagementAlgorithm,
    plaintext: &[u8],
    case: &str,
) -> impl Fn() -> Vec<u8> + use<> {
    let raw = RawJweKeys::new().expect("raw");
    let header = b64::encode(format!("{{\"alg\":\"{alg}\",\"enc\":\"A256GCM\"}}").as_bytes());
    encrypt_group.bench_function(BenchmarkId::new("raw", case), |b| {
        b.iter(|| {
            raw.encrypt(
                alg,
                ContentEncryption::A256Gcm,
                header.as_bytes(),
                black_box(plaintext),
            )
            .expect("raw")
        })
    });
    let sealed = raw
        .encrypt(
            alg,
            ContentEncryption::A256Gcm,
            header.as_bytes(),
            plaintext,
        )
        .expect("raw");
    move || {
        raw.decrypt(
            alg,
            ContentEncryption::A256Gcm,
            header.as_bytes(),
            black_box(&sealed),
        )
        .expect("raw")
    }
}

fn request4r(c: &mut Criterion) {
    use jose_request4r::{Gateway, OpeningKey, Partner};
    let json = serde_json::to_string(&body_map(1024)).expect("json");
    let case = "RSA-OAEP-256+A256GCM/1KiB";
    let mut encrypt = c.benchmark_group("request4r_encrypt");
    let mut encrypted = Vec::new();
    for provider in jose::providers() {
        let key =
            OpeningKey::new(PrivateKey::from_pem(RSA_PEM, provider).expect("key")).expect("key");
        let partner = Partner::new(key.sealing_key(), key.clone());
        let gateway = Gateway::new(key.clone(), key.sealing_key());
        let request = || {
            http::Request::post("https://api.leap.example/v1/auth/register-user-v2")
                .header("api_key", "tenant-key")
                .body(json.clone())
                .expect("request")
        };
        let sent = partner
            .encrypt_request(request(), provider)
            .expect("encrypt");
        encrypted.push((provider, gateway, sent));
        encrypt.bench_function(BenchmarkId::new(provider.name(), case), |b| {
            b.iter(|| {
                partner
                    .encrypt_request(black_box(request()), provider)
                    .expect("encrypt")
            })
        });
    }
    let raw_decrypt = raw_jwe_pair(
        &mut encrypt,
        KeyManagementAlgorithm::RsaOaep256,
        json.as_bytes(),
        case,
    );
    encrypt.finish();
    let mut decrypt = c.benchmark_group("request4r_decrypt");
    for (provider, gateway, sent) in &encrypted {
        decrypt.bench_function(BenchmarkId::new(provider.name(), case), |b| {
            b.iter(|| {
                gateway
                    .decrypt_request(black_box(sent.clone()), *provider)
                    .expect("decrypt")
            })
        });
    }
    decrypt.bench_function(BenchmarkId::new("raw", case), |b| b.iter(&raw_decrypt));
    decrypt.finish();
}

fn fourquays(c: &mut Criterion) {
    use jose_4quays::client::{Client, parse_protect_response};
    use jose_4quays::engine::{ApiKey, DestinationKey, DestinationService, Engine, Policy};
    use jose_4quays::{Operation, ProtectRequest, UnprotectRequest};
    let payload = Value::Object(body_map(1024));
    let case = "RSA-OAEP+A256GCM/1KiB";
    let client = Client::new("http://127.0.0.1:8080", "sk_bench").expect("client");
    let mut protect = c.benchmark_group("4quays_protect");
    let mut protected = Vec::new();
    for provider in jose::providers() {
        let key = PrivateKey::from_pem(RSA_PEM, provider).expect("key");
        let engine = Engine::builder(provider)
            .service(
                DestinationService::new("bank")
                    .active_key(DestinationKey::managed("bank-1", key).expect("key")),
            )
            .policy(Policy::new("BENCH-001", "bank"))
            .api_key(ApiKey::from_secret(
                "bench",
                "sk_bench",
                "BENCH-001",
                provider,
            ))
            .build()
            .expect("engine");
        let request = client
            .protect_request(&ProtectRequest::new(payload.clone()), Some("req-1"))
            .expect("request");
        let response =
            parse_protect_response(&engine.handle(Operation::Protect, &request).response)
                .expect("protect");
        let envelope = response.jwe().cloned().expect("encrypted");
        let unprotect = client
            .unprotect_request(&UnprotectRequest::jwe(envelope), Some("req-2"))
            .expect("request");
        // Benchmark the success path only.
        let opened = jose_4quays::client::parse_unprotect_response(
            &engine.handle(Operation::Unprotect, &unprotect).response,
        )
        .expect("unprotect");
        assert_eq!(opened.payload, payload);
        protect.bench_function(BenchmarkId::new(provider.name(), case), |b| {
            b.iter(|| engine.handle(Operation::Protect, black_box(&request)))
        });
        protected.push((provider, engine, unprotect));
    }
    let json = serde_json::to_vec(&payload).expect("json");
    let raw_decrypt = raw_jwe_pair(&mut protect, KeyManagementAlgorithm::RsaOaep, &json, case);
    protect.finish();
    let mut unprotect = c.benchmark_group("4quays_unprotect");
    for (provider, engine, request) in &protected {
        unprotect.bench_function(BenchmarkId::new(provider.name(), case), |b| {
            b.iter(|| engine.handle(Operation::Unprotect, black_box(request)))
        });
    }
    unprotect.bench_function(BenchmarkId::new("raw", case), |b| b.iter(&raw_decrypt));
    unprotect.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = truelayer, klarna, request4r, fourquays
}
criterion_main!(benches);

//! The JWT layer (jose-core's `jwt` module) and DPoP (jose-fapi), each beside the layer below it
//! and (feature `peers`) the `jsonwebtoken` crate on its aws-lc-rs backend.
//!
//! - `jwt_verify`: `jwt::verify` of a typical access token (ten claims, about 330 bytes of JSON:
//!   [`jose_benches::access_token_claims`], header `{"alg":..,"typ":"at+jwt"}`) with the
//!   resource server's validation (`iss`, `aud`, `exp`, `nbf`, `iat`; no replay store), beside
//!   `below-*`: `Jws::from_compact` + `Jws::verify` of the same token (the ratio is the claims
//!   layer: strict JSON parse of the payload into `Claims`, then the checks), `raw`: aws-lc-rs's
//!   signature check of its signing input, and `jsonwebtoken`: `jsonwebtoken::decode` of the same
//!   token into a typed serde struct with the equivalent validation.
//! - `jwt_sign`: `jwt::sign` of the same claims, beside `below-*`: `JwsBuilder` signing the claims
//!   already serialized with the same protected header, `raw`: the signature of a signing input
//!   of that size, and `jsonwebtoken::encode` of the serde struct.
//! - `dpop_verify`: `DpopVerifier::verify` of an ES256 proof (token-endpoint form: `htm`, `htu`,
//!   `iat`, `jti`; no `ath`) on each provider, beside `below-*`: `jwt::verify` of the same kind
//!   of proof with its key already known and the verifier's own validation (typ `dpop+jwt`,
//!   `iat` at most 60 s old ± 5 s, `jti` `htm` `htu` required, an in-memory replay store of its
//!   own): the ratio is the cost of reading and importing the header's `jwk`, its RFC 7638
//!   thumbprint and the `htm`/`htu` checks. The default verifier refuses a `jti` it has seen, so
//!   every iteration gets a proof of its own (`iter_batched`: a fresh `jti` and `iat`, signed
//!   outside the timed routine); both columns record that `jti` in their store, as a server does.
//!
//! - `jwt_parts` (not tabulated; for the notes): `Claims::to_json`, `Claims::from_json` and
//!   `Validation::validate_claims` alone, beside serde_json reading the same JSON into a `Map`
//!   and (feature `peers`) into and out of the typed struct `jsonwebtoken` is given; and what
//!   `DpopVerifier` adds: `PublicKey::from_jwk` (P-256, each provider), `Jwk::thumbprint_sha256`,
//!   `normalize_htu`.
//!
//! Ids: group `jwt_verify` / `jwt_sign` / `dpop_verify`; function `aws-lc`, `rustcrypto`,
//! `below-aws-lc`, `below-rustcrypto`, `raw` or `jsonwebtoken`; parameter the algorithm
//! (`ES256`). `cargo xtask bench` renders them as the "JWT" table of BENCHMARKS.md.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use jose::jws::{Jws, JwsBuilder};
use jose::jwt::{self, Validation};
use jose::replay::InMemoryReplayStore;
use jose::{Header, JwsAlgorithm, Limits, b64};
use jose_benches::raw::RawSigner;
use jose_benches::raw_symmetric::RawHmac;
use jose_benches::{JWT_ALGS, access_token_claims, access_token_validation, jwt_keys, now_seconds};
use jose_fapi::dpop::{DpopProof, DpopVerifier};

mod common;
use common::config;

/// The access token's `typ` (RFC 9068).
const TYP: &str = "at+jwt";

/// The request a DPoP proof is for.
const HTM: &str = "POST";
const HTU: &str = "https://as.bank.example.com/token";

/// aws-lc-rs alone: the signature or HMAC over a signing input. One per algorithm, held for the
/// bench: its size does not matter, and a box would add an indirection to the timed path.
#[allow(clippy::large_enum_variant)]
enum Raw {
    Hmac(RawHmac),
    Signer(RawSigner),
}

impl Raw {
    fn new(alg: JwsAlgorithm) -> Self {
        if alg.is_hmac() {
            Raw::Hmac(RawHmac::new(alg))
        } else {
            Raw::Signer(RawSigner::new(alg).expect("raw key"))
        }
    }

    fn sign(&self, input: &[u8]) -> Vec<u8> {
        match self {
            Raw::Hmac(key) => key.sign(input),
            Raw::Signer(key) => key.sign(input).expect("raw"),
        }
    }

    fn verify(&self, input: &[u8], signature: &[u8]) {
        match self {
            Raw::Hmac(key) => key.verify(input, signature).expect("raw"),
            Raw::Signer(key) => key.verify(input, signature).expect("raw"),
        }
    }
}

fn jwt_verify(c: &mut Criterion) {
    let limits = Limits::default();
    let validation = access_token_validation();
    let claims = access_token_claims(now_seconds()).expect("claims");
    let mut group = c.benchmark_group("jwt_verify");
    for alg in JWT_ALGS {
        let case = alg.name();
        // One token, signed once (aws-lc), verified by every column.
        let (signer, _) = jwt_keys(alg, jose::default_provider()).expect("keys");
        let token = jwt::sign(&claims, &signer, Header::with_typ(TYP)).expect("sign");
        for provider in jose::providers() {
            let (_, key) = jwt_keys(alg, provider).expect("keys");
            let keys = [key];
            let verified = jwt::verify(&token, &keys, &validation).expect("verify");
            assert_eq!(verified.claims, claims);
            group.bench_function(BenchmarkId::new(provider.name(), case), |b| {
                b.iter(|| jwt::verify(black_box(&token), &keys, &validation).expect("verify"))
            });
            group.bench_function(
                BenchmarkId::new(format!("below-{}", provider.name()), case),
                |b| {
                    b.iter(|| {
                        let jws = Jws::from_compact(black_box(&token), &limits).expect("parse");
                        jws.verify(&keys).expect("verify").len()
                    })
                },
            );
        }
        let raw = Raw::new(alg);
        let (input, signature) = token.rsplit_once('.').expect("compact");
        let signature = b64::decode("signature", signature).expect("b64");
        raw.verify(input.as_bytes(), &signature);
        group.bench_function(BenchmarkId::new("raw", case), |b| {
            b.iter(|| raw.verify(black_box(input.as_bytes()), &signature))
        });
        #[cfg(feature = "peers")]
        {
            let peer = jose_benches::peers::JsonwebtokenJwt::new(alg, TYP).expect("peer keys");
            let typed = jose_benches::peers::AccessTokenClaims::at(claims.iat.expect("iat"))
                .expect("typed claims");
            assert_eq!(peer.verify(&token).expect("jsonwebtoken"), typed);
            group.bench_function(BenchmarkId::new("jsonwebtoken", case), |b| {
                b.iter(|| peer.verify(black_box(&token)).expect("jsonwebtoken"))
            });
        }
    }
    group.finish();
}

fn jwt_sign(c: &mut Criterion) {
    let claims = access_token_claims(now_seconds()).expect("claims");
    let json = claims.to_json();
    let mut group = c.benchmark_group("jwt_sign");
    for alg in JWT_ALGS {
        let case = alg.name();
        let mut header_b64 = String::new();
        for provider in jose::providers() {
            let (signer, _) = jwt_keys(alg, provider).expect("keys");
            let token = jwt::sign(&claims, &signer, Header::with_typ(TYP)).expect("sign");
            header_b64 = token.split('.').next().expect("header").to_owned();
            group.bench_function(BenchmarkId::new(provider.name(), case), |b| {
                b.iter(|| {
                    jwt::sign(black_box(&claims), &signer, Header::with_typ(TYP)).expect("sign")
                })
            });
            let below = JwsBuilder::new(json.as_bytes())
                .signer_with(&signer, Header::with_typ(TYP), None)
                .sign()
                .expect("sign")
                .to_compact()
                .expect("compact");
            // The same header and payload parts: the same work but the claims' serialization.
            assert!(below.split('.').take(2).eq(token.split('.').take(2)));
            group.bench_function(
                BenchmarkId::new(format!("below-{}", provider.name()), case),
                |b| {
                    b.iter(|| {
                        JwsBuilder::new(black_box(json.as_bytes()))
                            .signer_with(&signer, Header::with_typ(TYP), None)
                            .sign()
                            .expect("sign")
                            .to_compact()
                            .expect("compact")
                    })
                },
            );
        }
        let raw = Raw::new(alg);
        let input = format!("{header_b64}.{}", b64::encode(json.as_bytes()));
        group.bench_function(BenchmarkId::new("raw", case), |b| {
            b.iter(|| raw.sign(black_box(input.as_bytes())))
        });
        #[cfg(feature = "peers")]
        {
            let peer = jose_benches::peers::JsonwebtokenJwt::new(alg, TYP).expect("peer keys");
            let typed = jose_benches::peers::AccessTokenClaims::at(claims.iat.expect("iat"))
                .expect("typed claims");
            let token = peer.sign(&typed).expect("jsonwebtoken");
            let (_, key) = jwt_keys(alg, jose::default_provider()).expect("keys");
            let verified = jwt::verify(&token, [&key], &access_token_validation()).expect("ours");
            assert_eq!(verified.claims, claims);
            group.bench_function(BenchmarkId::new("jsonwebtoken", case), |b| {
                b.iter(|| peer.sign(black_box(&typed)).expect("jsonwebtoken"))
            });
        }
    }
    group.finish();
}

/// The validation `DpopVerifier::new` keeps (see jose-fapi's `dpop` module), with a replay
/// store of its own.
fn dpop_validation() -> Validation {
    Validation::new()
        .any_issuer()
        .any_audience()
        .typ(jose_fapi::dpop::DPOP_TYP)
        .allow_missing_exp()
        .max_age(jose_fapi::dpop::DEFAULT_MAX_AGE)
        .require("jti")
        .require("htm")
        .require("htu")
        .replay_store(Arc::new(InMemoryReplayStore::default()))
        .leeway(jose_fapi::dpop::DEFAULT_LEEWAY)
        .expect("leeway")
}

fn dpop_verify(c: &mut Criterion) {
    let alg = JwsAlgorithm::Es256;
    let case = alg.name();
    let (signer, _) = jwt_keys(alg, jose::default_provider()).expect("keys");
    let request = DpopProof::new(HTM, HTU).expect("proof");
    // A new proof (random jti, iat now) for every iteration, made outside the timed routine.
    let proof = || {
        request
            .sign(&signer, jose::default_provider())
            .expect("proof")
    };
    let mut group = c.benchmark_group("dpop_verify");
    for provider in jose::providers() {
        let verifier = DpopVerifier::new().provider(provider);
        let verified = verifier.verify(&proof(), HTM, HTU, None).expect("dpop");
        assert!(verified.claims.jti.is_some());
        group.bench_function(BenchmarkId::new(provider.name(), case), |b| {
            b.iter_batched(
                proof,
                |proof| {
                    verifier
                        .verify(black_box(&proof), HTM, HTU, None)
                        .expect("dpop")
                },
                BatchSize::SmallInput,
            )
        });
        let (_, key) = jwt_keys(alg, provider).expect("keys");
        let keys = [key];
        let validation = dpop_validation();
        jwt::verify(&proof(), &keys, &validation).expect("jwt");
        group.bench_function(
            BenchmarkId::new(format!("below-{}", provider.name()), case),
            |b| {
                b.iter_batched(
                    proof,
                    |proof| jwt::verify(black_box(&proof), &keys, &validation).expect("jwt"),
                    BatchSize::SmallInput,
                )
            },
        );
    }
    group.finish();
}

/// The pieces of the claims layer, for the notes (not tabulated by `cargo xtask bench`), beside
/// what `jsonwebtoken` does in their place: group `jwt_parts`, function `jose` or `serde_json`.
fn jwt_parts(c: &mut Criterion) {
    let claims = access_token_claims(now_seconds()).expect("claims");
    let json = claims.to_json();
    let validation = access_token_validation();
    let header = Header::with_typ(TYP);
    let mut group = c.benchmark_group("jwt_parts");
    group.bench_function(BenchmarkId::new("jose", "Claims::to_json"), |b| {
        b.iter(|| black_box(&claims).to_json())
    });
    group.bench_function(BenchmarkId::new("jose", "Claims::from_json"), |b| {
        b.iter(|| jwt::Claims::from_json(black_box(json.as_bytes())).expect("claims"))
    });
    group.bench_function(
        BenchmarkId::new("jose", "Validation::validate_claims"),
        |b| {
            b.iter(|| {
                validation
                    .validate_claims(&header, black_box(&claims))
                    .expect("valid")
            })
        },
    );
    group.bench_function(BenchmarkId::new("serde_json", "from_slice-Map"), |b| {
        b.iter(|| {
            serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(black_box(
                json.as_bytes(),
            ))
            .expect("map")
        })
    });
    // What DpopVerifier adds to jwt::verify: the proof's `jwk` imported, its thumbprint, the
    // request URI normalized (twice: the request's and the proof's `htu`).
    let (signer, _) = jwt_keys(JwsAlgorithm::Es256, jose::default_provider()).expect("keys");
    let jwk = signer
        .verifying_key()
        .public_key()
        .expect("public")
        .to_jwk()
        .expect("jwk");
    for provider in jose::providers() {
        group.bench_function(
            BenchmarkId::new(
                "jose",
                format!("PublicKey::from_jwk-P-256/{}", provider.name()),
            ),
            |b| b.iter(|| jose::PublicKey::from_jwk(black_box(&jwk), provider).expect("key")),
        );
    }
    group.bench_function(BenchmarkId::new("jose", "Jwk::thumbprint_sha256"), |b| {
        b.iter(|| {
            black_box(&jwk)
                .thumbprint_sha256(jose::default_provider())
                .expect("thumbprint")
        })
    });
    group.bench_function(BenchmarkId::new("jose", "normalize_htu"), |b| {
        b.iter(|| jose_fapi::dpop::normalize_htu(black_box(HTU)).expect("htu"))
    });
    #[cfg(feature = "peers")]
    {
        use jose_benches::peers::AccessTokenClaims;
        let typed = AccessTokenClaims::at(claims.iat.expect("iat")).expect("typed");
        group.bench_function(BenchmarkId::new("serde_json", "from_slice-typed"), |b| {
            b.iter(|| {
                serde_json::from_slice::<AccessTokenClaims>(black_box(json.as_bytes()))
                    .expect("typed")
            })
        });
        group.bench_function(BenchmarkId::new("serde_json", "to_vec-typed"), |b| {
            b.iter(|| serde_json::to_vec(black_box(&typed)).expect("json"))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = jwt_verify, jwt_sign, dpop_verify, jwt_parts
}
criterion_main!(benches);

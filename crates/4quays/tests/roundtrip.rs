//! protect -> unprotect round trips over HTTP for every payload type the documentation lists, on
//! both providers, through the typed async client; a destination opening envelopes with its own key;
//! key rotation (at run time and across a restart with a new configuration).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::{API_KEY, TestServer, engine, key, material, rbc_2};
use jose::{ContentEncryption, DecryptingKey, KeyManagementAlgorithm, Limits};
use jose_4quays::engine::{ApiKey, DestinationKey, DestinationService, Engine, Policy};
use jose_4quays::{
    AsyncClient, Error, ErrorCode, JweEnvelope, ProtectRequest, ProtectResponse, UnprotectRequest,
    destination,
};
use serde_json::{Value, json};

/// The payload types the documentation lists, and a few more.
fn payloads() -> Vec<Value> {
    vec![
        json!({"key": "value"}),
        json!([1, 2, 3]),
        json!("sensitive-data"),
        json!(12345),
        json!({"user": {"id": 1}, "items": [{"id": 1}]}),
        json!(25000.5),
        json!(true),
        json!({"unicode": "Zürich — 東京 🏦", "escaped": "a\"b\\c\n"}),
        json!([]),
        json!({}),
        json!(null),
    ]
}

fn kid_of(envelope: &JweEnvelope) -> String {
    envelope.kid(&Limits::default()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_payload_type_round_trips_on_both_providers() {
    for provider in jose::providers() {
        let server = TestServer::start(engine(provider)).await;
        let client = AsyncClient::new(&server.base, API_KEY).unwrap();
        for policy in ["RBC-TRANSFER-001", "RBC-STATEMENT-001", "RBC-A128"] {
            for payload in payloads() {
                let protected = client
                    .protect(
                        &ProtectRequest::new(payload.clone()).policy(policy),
                        Some("rt-1"),
                    )
                    .await
                    .unwrap();
                let ProtectResponse::Protected(p) = protected else {
                    panic!("expected an encrypted answer, found {protected:?}");
                };
                assert_eq!(p.request_id, "rt-1");
                assert_eq!(p.operations, ["encrypt"]);
                let opened = client
                    .unprotect(&UnprotectRequest::jwe(p.jwe.clone()).policy(policy), None)
                    .await
                    .unwrap();
                assert_eq!(opened.payload, payload, "{} {policy}", provider.name());
                assert_eq!(opened.operations, ["decrypt"]);
                // The legacy form of the same JWE opens too.
                let legacy = client
                    .unprotect(
                        &UnprotectRequest::protected_payload(p.jwe.to_protected_payload())
                            .policy(policy),
                        None,
                    )
                    .await
                    .unwrap();
                assert_eq!(legacy.payload, payload);
            }
        }
        // Documented errors come back as typed errors.
        let e = client
            .protect(&ProtectRequest::new(json!(1)).policy("NOPE"), Some("rt-2"))
            .await
            .unwrap_err();
        let body = e.api_body().unwrap();
        assert_eq!(body.error.code, ErrorCode::PolicyNotFound);
        assert_eq!(body.error.message, "Policy not found: NOPE");
        assert_eq!(body.request_id, "rt-2");
        assert!(matches!(e, Error::Api { status: 404, .. }));
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn envelopes_cross_providers() {
    // Protected on one provider's engine, unprotected by the other's (same keys).
    let providers = jose::providers();
    let a = TestServer::start(engine(providers[0])).await;
    let b = TestServer::start(engine(providers[1])).await;
    let to_a = AsyncClient::new(&a.base, API_KEY).unwrap();
    let to_b = AsyncClient::new(&b.base, API_KEY).unwrap();
    for (from, to) in [(&to_a, &to_b), (&to_b, &to_a)] {
        let payload = json!({"amount": 5000, "currency": "CAD"});
        let p = from
            .protect(&ProtectRequest::new(payload.clone()), None)
            .await
            .unwrap();
        let opened = to
            .unprotect(&UnprotectRequest::jwe(p.jwe().unwrap().clone()), None)
            .await
            .unwrap();
        assert_eq!(opened.payload, payload);
    }
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destination_opens_envelopes_with_its_own_key() {
    let m = material();
    for provider in jose::providers() {
        let server = TestServer::start(engine(provider)).await;
        let client = AsyncClient::new(&server.base, API_KEY).unwrap();
        // The destination-managed policy: the service only has acme's public key.
        let payload = json!({"payoutId": "po-1", "amount": 120.75});
        let p = client
            .protect(
                &ProtectRequest::new(payload.clone()).policy("ACME-PAYOUT-001"),
                None,
            )
            .await
            .unwrap();
        let envelope = p.jwe().unwrap();
        assert_eq!(kid_of(envelope), "acme-1");
        // The bank opens it on either provider with its own private key.
        for bank_provider in jose::providers() {
            let ours = DecryptingKey::new(
                key(&m.acme, bank_provider).with_kid("acme-1"),
                KeyManagementAlgorithm::RsaOaep,
            )
            .unwrap();
            let opened = destination::open(
                envelope,
                &[ours],
                &[ContentEncryption::A256Gcm],
                &Limits::default(),
                bank_provider,
            )
            .unwrap();
            assert_eq!(opened, payload);
        }
        // Another key, or another allowed enc, does not open it.
        let not_ours =
            DecryptingKey::new(key(&m.rbc_1, provider), KeyManagementAlgorithm::RsaOaep).unwrap();
        assert!(
            destination::open(
                envelope,
                &[not_ours],
                &[ContentEncryption::A256Gcm],
                &Limits::default(),
                provider
            )
            .is_err()
        );
        let ours =
            DecryptingKey::new(key(&m.acme, provider), KeyManagementAlgorithm::RsaOaep).unwrap();
        assert!(
            destination::open(
                envelope,
                &[ours],
                &[ContentEncryption::A128Gcm],
                &Limits::default(),
                provider
            )
            .is_err()
        );
        // A managed policy's envelope opens with the managed key as well (e.g. by the bank, if
        // it holds a copy).
        let p = client
            .protect(&ProtectRequest::new(payload.clone()), None)
            .await
            .unwrap();
        let rbc = DecryptingKey::new(
            key(&m.rbc_1, provider).with_kid("rbc-1"),
            KeyManagementAlgorithm::RsaOaep,
        )
        .unwrap();
        let opened = destination::open(
            p.jwe().unwrap(),
            &[rbc],
            &[ContentEncryption::A256Gcm],
            &Limits::default(),
            provider,
        )
        .unwrap();
        assert_eq!(opened, payload);
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jwe_made_before_a_rotation_still_unprotects_after_it() {
    for provider in jose::providers() {
        let server = TestServer::start(engine(provider)).await;
        let client = AsyncClient::new(&server.base, API_KEY).unwrap();
        let before_payload = json!({"made": "before"});
        let before = client
            .protect(&ProtectRequest::new(before_payload.clone()), None)
            .await
            .unwrap();
        let before = before.jwe().unwrap().clone();
        assert_eq!(kid_of(&before), "rbc-1");

        // Rotate while the service runs.
        server.engine.rotate_key("rbc", rbc_2(provider)).unwrap();
        let after_payload = json!({"made": "after"});
        let after = client
            .protect(&ProtectRequest::new(after_payload.clone()), None)
            .await
            .unwrap();
        let after = after.jwe().unwrap().clone();
        assert_eq!(kid_of(&after), "rbc-2");

        for (jwe, payload) in [(&before, &before_payload), (&after, &after_payload)] {
            let opened = client
                .unprotect(&UnprotectRequest::jwe(jwe.clone()), None)
                .await
                .unwrap();
            assert_eq!(&opened.payload, payload);
        }
        // Rotation refuses an existing kid, an unknown service, and a key a policy cannot use.
        assert!(server.engine.rotate_key("rbc", rbc_2(provider)).is_err());
        assert!(server.engine.rotate_key("nope", rbc_2(provider)).is_err());
        server.stop().await;
    }

    // Across a restart: a new configuration with a new active key and the old one retired.
    let provider = jose::default_provider();
    let m = material();
    let build = |rotated: bool| -> Engine {
        let old = DestinationKey::managed("bank-2025", key(&m.rbc_1, provider)).unwrap();
        let service = if rotated {
            DestinationService::new("bank")
                .key(old)
                .active_key(DestinationKey::managed("bank-2026", key(&m.rbc_2, provider)).unwrap())
        } else {
            DestinationService::new("bank").active_key(old)
        };
        Engine::builder(provider)
            .service(service)
            .policy(Policy::new("BANK-001", "bank"))
            .api_key(ApiKey::from_secret("p", API_KEY, "BANK-001", provider))
            .build()
            .unwrap()
    };
    let server = TestServer::start(build(false)).await;
    let client = AsyncClient::new(&server.base, API_KEY).unwrap();
    let old = client
        .protect(&ProtectRequest::new(json!("old")), None)
        .await
        .unwrap();
    server.stop().await;

    let server = TestServer::start(build(true)).await;
    let client = AsyncClient::new(&server.base, API_KEY).unwrap();
    let opened = client
        .unprotect(&UnprotectRequest::jwe(old.jwe().unwrap().clone()), None)
        .await
        .unwrap();
    assert_eq!(opened.payload, json!("old"));
    let new = client
        .protect(&ProtectRequest::new(json!("new")), None)
        .await
        .unwrap();
    assert_eq!(kid_of(new.jwe().unwrap()), "bank-2026");
    server.stop().await;
}

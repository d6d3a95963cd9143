//! Tenant isolation: an envelope unprotects only under the policy it was protected under, and only
//! for an API key allowed to use that policy; unbound (pre-binding) envelopes only where a policy
//! accepts them; retired keys open nothing. In-process on both providers, and over HTTP.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{TestServer, key, material, post};
use jose::jwe::JweBuilder;
use jose::{ContentEncryption, CryptoProvider, EncryptingKey, Header, KeyManagementAlgorithm};
use jose_4quays::engine::{
    ApiKey, DestinationKey, DestinationService, Engine, POLICY_HEADER, Policy,
};
use jose_4quays::{JweEnvelope, Operation};
use serde_json::{Value, json};

const PARTNER: &str = "sk_test_example_partner_000001";
const OTHER: &str = "sk_test_other_partner_0000002";

/// The set-up: `example-partner` on RBC-TRANSFER-001, `other-partner` on
/// OTHER-TENANT-001, both policies on the destination service `rbc`. `accept_unbound` on
/// RBC-TRANSFER-001 when asked; `rbc-0` is an older key of `rbc`, retired when asked.
fn engine(provider: &'static dyn CryptoProvider, accept_unbound: bool, retire_old: bool) -> Engine {
    let m = material();
    let mut old = DestinationKey::managed("rbc-0", key(&m.rbc_2, provider)).unwrap();
    if retire_old {
        old = old.retired();
    }
    Engine::builder(provider)
        .service(
            DestinationService::new("rbc")
                .key(old)
                .active_key(DestinationKey::managed("rbc-1", key(&m.rbc_1, provider)).unwrap()),
        )
        .policy(Policy::new("RBC-TRANSFER-001", "rbc").accept_unbound(accept_unbound))
        .policy(Policy::new("OTHER-TENANT-001", "rbc").accept_unbound(accept_unbound))
        .api_key(ApiKey::from_secret(
            "example-partner",
            PARTNER,
            "RBC-TRANSFER-001",
            provider,
        ))
        .api_key(ApiKey::from_secret(
            "other-partner",
            OTHER,
            "OTHER-TENANT-001",
            provider,
        ))
        .build()
        .unwrap()
}

fn providers() -> [&'static dyn CryptoProvider; 2] {
    [
        jose::provider_by_name("aws-lc").unwrap(),
        jose::provider_by_name("rustcrypto").unwrap(),
    ]
}

/// Runs one request in-process: (status, body).
fn call(engine: &Engine, operation: Operation, api_key: &str, body: &Value) -> (u16, Value) {
    let request = http::Request::post(operation.path())
        .header("authorization", format!("Bearer {api_key}"))
        .header("content-type", "application/json")
        .body(body.to_string().into_bytes())
        .unwrap();
    let handled = engine.handle(operation, &request);
    (
        handled.response.status().as_u16(),
        serde_json::from_slice(handled.response.body()).unwrap(),
    )
}

fn protect(engine: &Engine, api_key: &str, payload: &Value) -> Value {
    let (status, body) = call(
        engine,
        Operation::Protect,
        api_key,
        &json!({ "payload": payload }),
    );
    assert_eq!(status, 200, "{body}");
    body["jwe"].clone()
}

/// An envelope to `rbc`'s key `kid` made without a binding (as before bindings existed), or
/// with `binding` as the policy member.
fn envelope(
    provider: &'static dyn CryptoProvider,
    der: &[u8],
    kid: &str,
    binding: Option<&str>,
    payload: &Value,
) -> Value {
    let public = key(der, provider).public_key().with_kid(kid);
    let encrypting = EncryptingKey::new(public, KeyManagementAlgorithm::RsaOaep).unwrap();
    let mut header = Header::new();
    if let Some(policy) = binding {
        header.set(POLICY_HEADER, policy);
    }
    let jwe = JweBuilder::new(ContentEncryption::A256Gcm)
        .protected(header)
        .recipient(&encrypting)
        .encrypt(payload.to_string().as_bytes(), provider)
        .unwrap();
    serde_json::to_value(JweEnvelope::from_jwe(&jwe).unwrap()).unwrap()
}

fn assert_opaque(answer: &(u16, Value)) {
    assert_eq!(answer.0, 500, "{}", answer.1);
    assert_eq!(answer.1["error"]["code"], "INTERNAL_ERROR");
    assert_eq!(
        answer.1["error"]["message"],
        "Unprotection operation failed"
    );
}

#[test]
fn another_tenant_cannot_unprotect_in_process() {
    let secret = json!({"secret": "tenant-A-data"});
    for provider in providers() {
        let engine = engine(provider, false, false);
        let jwe = protect(&engine, PARTNER, &secret);

        // other-partner under its own policy: the binding says RBC-TRANSFER-001.
        let answer = call(&engine, Operation::Unprotect, OTHER, &json!({ "jwe": jwe }));
        assert_opaque(&answer);
        assert!(!answer.1.to_string().contains("tenant-A-data"));
        // other-partner naming example-partner's policy: not allowed, so not found.
        let answer = call(
            &engine,
            Operation::Unprotect,
            OTHER,
            &json!({ "jwe": jwe, "policyNumber": "RBC-TRANSFER-001" }),
        );
        assert_eq!(answer.0, 404, "{}", answer.1);
        assert_eq!(answer.1["error"]["code"], "POLICY_NOT_FOUND");

        // example-partner still can.
        let answer = call(
            &engine,
            Operation::Unprotect,
            PARTNER,
            &json!({ "jwe": jwe }),
        );
        assert_eq!(answer.0, 200, "{}", answer.1);
        assert_eq!(answer.1["payload"], secret);
    }
}

#[test]
fn a_rewritten_binding_fails_authentication() {
    let provider = providers()[0];
    let engine = engine(provider, false, false);
    let mut jwe = protect(&engine, PARTNER, &json!({"secret": "tenant-A-data"}));
    let header = jose::b64::decode("protected", jwe["protected"].as_str().unwrap()).unwrap();
    let rewritten = String::from_utf8(header)
        .unwrap()
        .replace("RBC-TRANSFER-001", "OTHER-TENANT-001");
    jwe["protected"] = json!(jose::b64::encode(rewritten.as_bytes()));
    assert_opaque(&call(
        &engine,
        Operation::Unprotect,
        OTHER,
        &json!({ "jwe": jwe }),
    ));
}

#[test]
fn unbound_envelopes_open_only_where_the_policy_accepts_them() {
    let payload = json!({"made": "before bindings"});
    for provider in providers() {
        let unbound = envelope(provider, &material().rbc_1, "rbc-1", None, &payload);
        let strict = engine(provider, false, false);
        assert_opaque(&call(
            &strict,
            Operation::Unprotect,
            PARTNER,
            &json!({ "jwe": unbound }),
        ));
        let lenient = engine(provider, true, false);
        let answer = call(
            &lenient,
            Operation::Unprotect,
            PARTNER,
            &json!({ "jwe": unbound }),
        );
        assert_eq!(answer.0, 200, "{}", answer.1);
        assert_eq!(answer.1["payload"], payload);
        // A bound envelope still needs its own policy, even where unbound ones are accepted.
        let bound = protect(&lenient, PARTNER, &payload);
        assert_opaque(&call(
            &lenient,
            Operation::Unprotect,
            OTHER,
            &json!({ "jwe": bound }),
        ));
        // A binding that is not a string is no binding at all.
        let odd = {
            let public = key(&material().rbc_1, provider)
                .public_key()
                .with_kid("rbc-1");
            let encrypting = EncryptingKey::new(public, KeyManagementAlgorithm::RsaOaep).unwrap();
            let mut header = Header::new();
            header.set(POLICY_HEADER, 1);
            let jwe = JweBuilder::new(ContentEncryption::A256Gcm)
                .protected(header)
                .recipient(&encrypting)
                .encrypt(b"1", provider)
                .unwrap();
            serde_json::to_value(JweEnvelope::from_jwe(&jwe).unwrap()).unwrap()
        };
        assert_opaque(&call(
            &lenient,
            Operation::Unprotect,
            PARTNER,
            &json!({ "jwe": odd }),
        ));
    }
}

#[test]
fn retired_keys_open_nothing() {
    let payload = json!({"old": true});
    for provider in providers() {
        let made_with_old = envelope(
            provider,
            &material().rbc_2,
            "rbc-0",
            Some("RBC-TRANSFER-001"),
            &payload,
        );
        let answer = call(
            &engine(provider, false, false),
            Operation::Unprotect,
            PARTNER,
            &json!({ "jwe": made_with_old }),
        );
        assert_eq!(
            answer.0, 200,
            "an older key that is not retired opens: {}",
            answer.1
        );
        assert_opaque(&call(
            &engine(provider, false, true),
            Operation::Unprotect,
            PARTNER,
            &json!({ "jwe": made_with_old }),
        ));
    }
    // A retired key cannot be the active one.
    let provider = providers()[0];
    let retired = DestinationKey::managed("rbc-1", key(&material().rbc_1, provider))
        .unwrap()
        .retired();
    let err = Engine::builder(provider)
        .service(DestinationService::new("rbc").active_key(retired.clone()))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("retired"), "{err}");
    let engine = engine(provider, false, false);
    let err = engine.rotate_key("rbc", retired).unwrap_err();
    assert!(err.to_string().contains("retired"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_tenant_cannot_unprotect_over_http() {
    let secret = json!({"secret": "tenant-A-data"});
    let server = TestServer::start(engine(providers()[0], false, false)).await;
    let http = reqwest::Client::new();
    let headers = |key: &'static str| {
        vec![
            (
                "authorization",
                if key == PARTNER {
                    "Bearer sk_test_example_partner_000001"
                } else {
                    "Bearer sk_test_other_partner_0000002"
                },
            ),
            ("content-type", "application/json"),
        ]
    };
    let protected = post(
        &http,
        &server.url(Operation::Protect.path()),
        &headers(PARTNER),
        json!({ "payload": secret }).to_string(),
    )
    .await;
    assert_eq!(protected.status, 200, "{}", protected.text);
    let body = json!({ "jwe": protected.json["jwe"] }).to_string();
    let stolen = post(
        &http,
        &server.url(Operation::Unprotect.path()),
        &headers(OTHER),
        body.clone(),
    )
    .await;
    assert_eq!(stolen.status, 500, "{}", stolen.text);
    assert_eq!(stolen.json["error"]["code"], "INTERNAL_ERROR");
    assert!(!stolen.text.contains("tenant-A-data"));
    let own = post(
        &http,
        &server.url(Operation::Unprotect.path()),
        &headers(PARTNER),
        body,
    )
    .await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert_eq!(own.json["payload"], secret);
    server.stop().await;
}

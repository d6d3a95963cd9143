//! Client -> server -> client exchanges on both providers and across them, tokens built step by
//! step with jose-core (independently of the crate's sealer) and ours taken apart step by step,
//! key rotation, and the `http` helpers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use http::Method;
use jose::jwe::{Jwe, JweBuilder};
use jose::jws::{Jws, JwsBuilder};
use jose::{
    ContentEncryption, DecryptingKey, EncryptingKey, Header, JwsAlgorithm, KeyManagementAlgorithm,
    Limits, SigningKey, VerifyingKey, b64,
};
use jose_klarna_xs2a::{Error, Layer, RequestStamp, Sealer};
use serde_json::{Value, json};
use std::time::Duration;

#[test]
fn client_server_client_on_each_provider() {
    for keys in all_keys() {
        let p = keys.provider;
        let clock = clock();
        let client = keys.client(&clock);
        let server = keys.server(&clock);

        let body =
            obj(json!({"psu": {"ip_address": "136.71.143.70", "user_agent": "Mozilla/5.0"}}));
        let sealed = client.seal_request(body, p).unwrap();
        assert_eq!(sealed.stamp.request_id.len(), 36, "{}", p.name());
        assert_eq!(sealed.stamp.request_timestamp, T0);

        clock.advance(Duration::from_millis(250));
        let request = server.open_request(&sealed.token, p).unwrap();
        assert_eq!(request.request_id, sealed.stamp.request_id);
        assert_eq!(request.request_timestamp, T0);
        assert_eq!(request.signing_kid, CLIENT_SIG);
        assert_eq!(request.body["psu"]["ip_address"], "136.71.143.70");
        // request_id and request_timestamp come first on the wire, as in the spec's example body
        // (the parsed `Map` has serde_json's order, sorted unless `preserve_order` is on).
        let signed = signed_json(&sealed.token, &keys.server_enc, p);
        let id = &sealed.stamp.request_id;
        assert!(
            signed.starts_with(&format!(
                r#"{{"request_id":"{id}","request_timestamp":{T0},"psu":{{"#
            )),
            "{signed}"
        );

        let answer = obj(json!({"data": {"session_id": "s-1", "self": "/xs2a/v1/sessions/s-1"}}));
        let response_token = server.seal_response(answer, p).unwrap();
        clock.advance(Duration::from_millis(250));
        let response = client.open_response(&response_token, p).unwrap();
        assert_eq!(response.response_timestamp, T0 + 250);
        assert_eq!(response.signing_kid, SERVER_SIG);
        assert_eq!(response.body["data"]["session_id"], "s-1");
        let signed = signed_json(&response_token, &keys.client_enc, p);
        assert!(
            signed.starts_with(&format!(r#"{{"response_timestamp":{},"data":{{"#, T0 + 250)),
            "{signed}"
        );
    }
}

#[test]
fn client_server_client_across_providers() {
    let all = all_keys();
    assert_eq!(all.len(), 2, "both providers are compiled in for tests");
    for a in &all {
        for b in &all {
            if a.provider.name() == b.provider.name() {
                continue;
            }
            let clock = clock();
            // The client's keys and randomness on `a`, the server's on `b`.
            let client = a.client(&clock);
            let server = b.server(&clock);
            let sealed = client
                .seal_request(obj(json!({"amount": "10.00"})), a.provider)
                .unwrap();
            let request = server.open_request(&sealed.token, b.provider).unwrap();
            assert_eq!(request.body["amount"], "10.00");
            let token = server
                .seal_response(obj(json!({"ok": true})), b.provider)
                .unwrap();
            let response = client.open_response(&token, a.provider).unwrap();
            assert_eq!(
                response.body["ok"],
                true,
                "{} -> {}",
                a.provider.name(),
                b.provider.name()
            );
        }
    }
}

/// Splits a compact token and decodes its protected header to the exact JSON text.
fn header_json(token: &str) -> String {
    let first = token.split('.').next().unwrap();
    String::from_utf8(b64::decode("header", first).unwrap()).unwrap()
}

#[test]
fn our_token_has_the_protocols_headers_and_opens_step_by_step() {
    for keys in all_keys() {
        let p = keys.provider;
        let sealer = keys.client_sealer();
        let body = obj(
            json!({"request_id": "b5c9edb2-319f-4f5a-bef1-9cad8f7e785e", "request_timestamp": T0}),
        );
        let token = sealer.seal(&body, p).unwrap();

        // Five parts, header exactly {alg, enc, kid, cty}.
        assert_eq!(token.split('.').count(), 5);
        assert_eq!(
            header_json(&token),
            format!(
                r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{SERVER_ENC}","cty":"application/jose"}}"#
            )
        );

        // With jose-core's JWE and JWS engines, on the other provider's keys.
        for other in all_keys() {
            let q = other.provider;
            let ours =
                DecryptingKey::new(other.server_enc.clone(), KeyManagementAlgorithm::RsaOaep256)
                    .unwrap();
            let jwe = Jwe::from_compact(&token, &Limits::default()).unwrap();
            let inner = jwe
                .decrypt(&[ours], &[ContentEncryption::A256Gcm], q)
                .unwrap();
            let jws_text = std::str::from_utf8(&inner.plaintext).unwrap().to_owned();
            assert_eq!(
                header_json(&jws_text),
                format!(r#"{{"alg":"RS512","kid":"{CLIENT_SIG}","cty":"application/json"}}"#)
            );
            let verifier =
                VerifyingKey::new(other.client_sig.public_key(), JwsAlgorithm::Rs512).unwrap();
            let jws = Jws::from_compact(&jws_text, &Limits::default()).unwrap();
            let payload: Value = serde_json::from_slice(jws.verify(&[verifier]).unwrap()).unwrap();
            assert_eq!(Value::Object(body.clone()), payload);
        }

        // By hand, with the provider's primitives only: unwrap the CEK, open AES-GCM over the
        // protected header, verify RSASSA-PKCS1-v1_5 SHA-512 over the JWS signing input.
        let parts: Vec<&str> = token.split('.').collect();
        let cek = keys
            .server_enc
            .ops()
            .unwrap_key(
                KeyManagementAlgorithm::RsaOaep256,
                &b64::decode("ek", parts[1]).unwrap(),
            )
            .unwrap();
        assert_eq!(cek.len(), 32);
        let plaintext = p
            .aead_open(
                ContentEncryption::A256Gcm,
                &cek,
                &b64::decode("iv", parts[2]).unwrap(),
                parts[0].as_bytes(),
                &b64::decode("ct", parts[3]).unwrap(),
                &b64::decode("tag", parts[4]).unwrap(),
            )
            .unwrap();
        let jws_text = std::str::from_utf8(&plaintext).unwrap();
        let jws_parts: Vec<&str> = jws_text.split('.').collect();
        assert_eq!(jws_parts.len(), 3);
        let signing_input = format!("{}.{}", jws_parts[0], jws_parts[1]);
        keys.client_sig
            .public_key()
            .ops()
            .verify(
                JwsAlgorithm::Rs512,
                signing_input.as_bytes(),
                &b64::decode("sig", jws_parts[2]).unwrap(),
            )
            .unwrap();
        let payload: Value =
            serde_json::from_slice(&b64::decode("payload", jws_parts[1]).unwrap()).unwrap();
        assert_eq!(payload, Value::Object(body));
    }
}

/// Builds a request token by hand from provider primitives, with the header bytes exactly as in
/// Klarna's published example (`{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":…}`, no `cty`).
fn hand_built_token(keys: &Keys, payload: &[u8]) -> String {
    let p = keys.provider;
    let jws_header = format!(r#"{{"alg":"RS512","kid":"{CLIENT_SIG}"}}"#);
    let signing_input = format!(
        "{}.{}",
        b64::encode(jws_header.as_bytes()),
        b64::encode(payload)
    );
    let signature = keys
        .client_sig
        .ops()
        .sign(JwsAlgorithm::Rs512, signing_input.as_bytes())
        .unwrap();
    let jws = format!("{signing_input}.{}", b64::encode(&signature));

    let jwe_header = format!(r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{SERVER_ENC}"}}"#);
    let protected = b64::encode(jwe_header.as_bytes());
    let mut cek = [0u8; 32];
    let mut iv = [0u8; 12];
    p.fill_random(&mut cek).unwrap();
    p.fill_random(&mut iv).unwrap();
    let encrypted_key = keys
        .server_enc
        .public_key()
        .ops()
        .wrap_key(KeyManagementAlgorithm::RsaOaep256, &cek)
        .unwrap();
    let (ciphertext, tag) = p
        .aead_seal(
            ContentEncryption::A256Gcm,
            &cek,
            &iv,
            protected.as_bytes(),
            jws.as_bytes(),
        )
        .unwrap();
    format!(
        "{protected}.{}.{}.{}.{}",
        b64::encode(&encrypted_key),
        b64::encode(&iv),
        b64::encode(&ciphertext),
        b64::encode(&tag)
    )
}

#[test]
fn independently_built_tokens_open() {
    for keys in all_keys() {
        for server_keys in all_keys() {
            let clock = clock();
            let server = server_keys.server(&clock);
            let payload = format!(
                r#"{{"request_id":"b5c9edb2-319f-4f5a-bef1-9cad8f7e785e","request_timestamp":{T0},"psu":{{"ip_address":"136.71.143.70"}}}}"#
            );
            // 1. By hand, Klarna's header layout.
            let token = hand_built_token(&keys, payload.as_bytes());
            assert_eq!(
                header_json(&token),
                format!(r#"{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{SERVER_ENC}"}}"#)
            );
            let opened = server.open_request(&token, server_keys.provider).unwrap();
            assert_eq!(opened.body["psu"]["ip_address"], "136.71.143.70");
            assert_eq!(opened.request_timestamp, T0);

            // 2. With jose-core's builders step by step (JWS, then JWE), the spec's headers.
            let signer = SigningKey::new(keys.client_sig.clone(), JwsAlgorithm::Rs512).unwrap();
            let mut cty = Header::new();
            cty.set("cty", "application/json");
            let jws = JwsBuilder::new(
                br#"{"request_id":"0123456789-second","request_timestamp":1585063812156}"#,
            )
            .signer_with(&signer, cty, None)
            .sign()
            .unwrap()
            .to_compact()
            .unwrap();
            let recipient = EncryptingKey::new(
                keys.server_enc_old.public_key(),
                KeyManagementAlgorithm::RsaOaep256,
            )
            .unwrap();
            let token = JweBuilder::new(ContentEncryption::A256Gcm)
                .content_type("application/jose")
                .recipient(&recipient)
                .encrypt(jws.as_bytes(), keys.provider)
                .unwrap()
                .to_compact()
                .unwrap();
            let opened = server.open_request(&token, server_keys.provider).unwrap();
            assert_eq!(opened.request_id, "0123456789-second");
        }
    }
}

#[test]
fn key_rotation_by_kid() {
    let keys = Keys::on(jose::default_provider());
    let p = keys.provider;
    let clock = clock();
    // A client still sealing to the server's old key, and one on the new key.
    let old_client = jose_klarna_xs2a::Client::new(
        Sealer::new(keys.client_sig.clone(), keys.server_enc_old.public_key()).unwrap(),
        keys.client_opener(),
    )
    .with_clock(clock.clone());
    let new_client = keys.client(&clock);
    let mut server = keys.server(&clock);

    let old = old_client.seal_request(obj(json!({"n": 1})), p).unwrap();
    let new = new_client.seal_request(obj(json!({"n": 2})), p).unwrap();
    assert_eq!(server.open_request(&old.token, p).unwrap().body["n"], 1);
    assert_eq!(server.open_request(&new.token, p).unwrap().body["n"], 2);

    // The old key retired: its kid is now unknown, and the message says which kids we know.
    assert!(server.opener_mut().ring_mut().remove(SERVER_ENC_OLD));
    let old = old_client.seal_request(obj(json!({"n": 3})), p).unwrap();
    match server.open_request(&old.token, p) {
        Err(Error::UnknownKid {
            layer: Layer::Jwe,
            found,
            known,
        }) => {
            assert_eq!(found, format!("{SERVER_ENC_OLD:?}"));
            assert_eq!(known, format!("{SERVER_ENC:?}"));
        }
        other => panic!("expected an unknown JWE kid, found {other:?}"),
    }

    // Responses encrypted to either of the client's keys open.
    let to_old = Sealer::new(keys.server_sig.clone(), keys.client_enc_old.public_key()).unwrap();
    let token = to_old
        .seal(&obj(json!({"response_timestamp": T0, "k": "old"})), p)
        .unwrap();
    assert_eq!(
        new_client.open_response(&token, p).unwrap().body["k"],
        "old"
    );
}

#[test]
fn http_helpers_map_routes_and_headers_both_ways() {
    for keys in all_keys() {
        let p = keys.provider;
        let clock = clock();
        let client = keys.client(&clock);
        let server = keys.server(&clock);
        let cases: [(Method, &str, &[u8], Method, &str); 4] = [
            (
                Method::GET,
                "https://api.example/xs2a/v1/sessions/s1?x=1",
                b"",
                Method::POST,
                "/xs2a/v1/sessions/s1/get?x=1",
            ),
            (
                Method::DELETE,
                "/xs2a/v1/sessions/s1/flows/f1",
                b"",
                Method::POST,
                "/xs2a/v1/sessions/s1/flows/f1/delete",
            ),
            (
                Method::PUT,
                "/xs2a/v1/sessions",
                br#"{"psu":{"ip_address":"1.2.3.4"}}"#,
                Method::PUT,
                "/xs2a/v1/sessions",
            ),
            (
                Method::POST,
                "/xs2a/v1/sessions/s1/flows",
                br#"{"a":1}"#,
                Method::POST,
                "/xs2a/v1/sessions/s1/flows",
            ),
        ];
        for (method, uri, body, wire_method, wire_path) in cases {
            let request = http::Request::builder()
                .method(method.clone())
                .uri(uri)
                .header("Authorization", "Token t")
                .header("Content-Type", "application/json")
                .body(body.to_vec())
                .unwrap();
            let encrypted = client.encrypt_request(request, p).unwrap();
            assert_eq!(encrypted.method(), wire_method);
            assert_eq!(
                encrypted.uri().path_and_query().unwrap().as_str(),
                wire_path
            );
            assert_eq!(encrypted.headers()["content-type"], "application/jose");
            assert_eq!(encrypted.headers()["authorization"], "Token t");
            assert_eq!(
                encrypted.headers()["content-length"],
                encrypted.body().len().to_string().as_str()
            );
            let stamp = encrypted
                .extensions()
                .get::<RequestStamp>()
                .unwrap()
                .clone();

            let plain = server.decrypt_request(encrypted, p).unwrap();
            assert_eq!(plain.method(), method);
            assert_eq!(plain.uri().to_string(), uri);
            assert_eq!(plain.headers()["content-type"], "application/json");
            assert_eq!(plain.headers()["authorization"], "Token t");
            assert!(plain.headers().get("content-length").is_none());
            assert_eq!(plain.body().request_id, stamp.request_id);
            if !body.is_empty() {
                let original: Value = serde_json::from_slice(body).unwrap();
                for (k, v) in original.as_object().unwrap() {
                    assert_eq!(&plain.body().body[k], v);
                }
            }

            let response = http::Response::builder()
                .status(201)
                .header("Location", "/xs2a/v1/sessions/s1")
                .body(obj(json!({"data": {"method": method.as_str()}})))
                .unwrap();
            let encrypted = server.encrypt_response(response, p).unwrap();
            assert_eq!(encrypted.status(), 201);
            assert_eq!(encrypted.headers()["content-type"], "application/jose");
            let opened = client.decrypt_response(encrypted, p).unwrap();
            assert_eq!(opened.status(), 201);
            assert_eq!(opened.headers()["location"], "/xs2a/v1/sessions/s1");
            let secure = opened.body().secure().expect("a sealed answer");
            assert_eq!(secure.body["data"]["method"], method.as_str());
        }
    }
}

#[test]
fn caller_given_request_id_is_kept_and_uuids_are_v4() {
    let keys = Keys::on(jose::default_provider());
    let p = keys.provider;
    let clock = clock();
    let client = keys.client(&clock);
    let server = keys.server(&clock);
    let sealed = client
        .seal_request(
            obj(json!({"request_id": "my-own-id-42", "request_timestamp": 1})),
            p,
        )
        .unwrap();
    assert_eq!(sealed.stamp.request_id, "my-own-id-42");
    let opened = server.open_request(&sealed.token, p).unwrap();
    assert_eq!(opened.request_id, "my-own-id-42");
    // The caller's stale request_timestamp is replaced by the clock's.
    assert_eq!(opened.request_timestamp, T0);

    let mut seen = std::collections::HashSet::new();
    for provider in jose::providers() {
        for _ in 0..50 {
            let id = jose_klarna_xs2a::client::new_request_id(provider).unwrap();
            let uuid = uuid::Uuid::parse_str(&id).unwrap();
            assert_eq!(uuid.get_version_num(), 4);
            assert_eq!(uuid.get_variant(), uuid::Variant::RFC4122);
            assert!(seen.insert(id));
        }
    }
}

//! Every rejection: content types, kids, algorithms, decryption, signatures, timestamps, replay,
//! request_id lengths, malformed bodies and tokens, unusable keys. On both providers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use jose::jwe::JweBuilder;
use jose::jws::JwsBuilder;
use jose::{
    ContentEncryption, EcCurve, EncryptingKey, Header, JwsAlgorithm, KeyManagementAlgorithm,
    KeySpec, PrivateKey, SigningKey, b64,
};
use jose_klarna_xs2a::{
    Error, KeyRing, Layer, ManualClock, Opener, Policy, Sealer, Server, VerifierSet,
};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// Builds a request token step by step with the given JWS algorithm and JWE key algorithm /
/// encryption / headers, signed with `signer_key` and encrypted to `recipient_key`.
struct Build<'a> {
    keys: &'a Keys,
    payload: Vec<u8>,
    jws_alg: JwsAlgorithm,
    jws_kid: Option<&'a str>,
    jws_cty: Option<&'a str>,
    jwe_alg: KeyManagementAlgorithm,
    jwe_enc: ContentEncryption,
    jwe_kid: Option<&'a str>,
    jwe_cty: Option<&'a str>,
    signer_key: PrivateKey,
    recipient_key: PrivateKey,
    /// Replace the JWS with this text.
    inner: Option<Vec<u8>>,
}

impl<'a> Build<'a> {
    fn new(keys: &'a Keys, body: serde_json::Value) -> Self {
        Build {
            keys,
            payload: serde_json::to_vec(&body).unwrap(),
            jws_alg: JwsAlgorithm::Rs512,
            jws_kid: Some(CLIENT_SIG),
            jws_cty: Some("application/json"),
            jwe_alg: KeyManagementAlgorithm::RsaOaep256,
            jwe_enc: ContentEncryption::A256Gcm,
            jwe_kid: Some(SERVER_ENC),
            jwe_cty: Some("application/jose"),
            signer_key: keys.client_sig.clone(),
            recipient_key: keys.server_enc.clone(),
            inner: None,
        }
    }

    fn token(self) -> String {
        let mut signing = self.signer_key.with_meta(jose::KeyMeta::default());
        if let Some(kid) = self.jws_kid {
            signing = signing.with_kid(kid);
        }
        let signer = SigningKey::new(signing, self.jws_alg).unwrap();
        let mut h = Header::new();
        if let Some(cty) = self.jws_cty {
            h.set("cty", cty);
        }
        let jws = match self.inner {
            Some(inner) => inner,
            None => JwsBuilder::new(&self.payload)
                .signer_with(&signer, h, None)
                .sign()
                .unwrap()
                .to_compact()
                .unwrap()
                .into_bytes(),
        };
        let mut public = self
            .recipient_key
            .public_key()
            .with_meta(jose::KeyMeta::default());
        if let Some(kid) = self.jwe_kid {
            public = public.with_kid(kid);
        }
        let recipient = EncryptingKey::new(public, self.jwe_alg).unwrap();
        let mut builder = JweBuilder::new(self.jwe_enc).recipient(&recipient);
        if let Some(cty) = self.jwe_cty {
            builder = builder.content_type(cty);
        }
        builder
            .encrypt(&jws, self.keys.provider)
            .unwrap()
            .to_compact()
            .unwrap()
    }
}

fn fresh_body() -> serde_json::Value {
    json!({"request_id": "0123456789abcdef", "request_timestamp": T0, "x": 1})
}

/// Opens `token` with a fresh server at T0 on `keys`' provider.
fn open(keys: &Keys, token: &str) -> Result<jose_klarna_xs2a::OpenedRequest, Error> {
    keys.server(&clock()).open_request(token, keys.provider)
}

#[test]
fn the_reference_build_opens() {
    // The builder above, with its defaults, makes an acceptable token: every rejection below
    // differs from it in one thing.
    for keys in all_keys() {
        let opened = open(&keys, &Build::new(&keys, fresh_body()).token()).unwrap();
        assert_eq!(opened.request_id, "0123456789abcdef");
        // No cty at all is fine too (Klarna's own example JWE header has none).
        let mut b = Build::new(&keys, fresh_body());
        b.jws_cty = None;
        b.jwe_cty = None;
        assert!(open(&keys, &b.token()).is_ok());
        // The short forms of RFC 7515 section 4.1.10.
        let mut b = Build::new(&keys, fresh_body());
        b.jws_cty = Some("JSON");
        b.jwe_cty = Some("jose");
        assert!(open(&keys, &b.token()).is_ok());
    }
}

#[test]
fn jws_with_rs256_is_rejected() {
    for keys in all_keys() {
        for alg in [JwsAlgorithm::Rs256, JwsAlgorithm::Ps512] {
            let mut b = Build::new(&keys, fresh_body());
            b.jws_alg = alg;
            match open(&keys, &b.token()) {
                Err(Error::AlgorithmNotAllowed {
                    what: "JWS alg",
                    expected: "RS512",
                    found,
                }) => assert_eq!(found, format!("{:?}", alg.name())),
                other => panic!("{alg}: expected AlgorithmNotAllowed, found {other:?}"),
            }
        }
        // An ES512 signature with a known kid: rejected for its alg before any key is tried.
        let ec = PrivateKey::generate(KeySpec::Ec(EcCurve::P521), keys.provider).unwrap();
        let mut b = Build::new(&keys, fresh_body());
        b.signer_key = ec;
        b.jws_alg = JwsAlgorithm::Es512;
        assert!(matches!(
            open(&keys, &b.token()),
            Err(Error::AlgorithmNotAllowed {
                what: "JWS alg",
                ..
            })
        ));
    }
}

#[test]
fn jwe_with_rsa_oaep_or_another_enc_is_rejected() {
    for keys in all_keys() {
        let mut b = Build::new(&keys, fresh_body());
        b.jwe_alg = KeyManagementAlgorithm::RsaOaep;
        match open(&keys, &b.token()) {
            Err(Error::AlgorithmNotAllowed {
                what: "JWE alg",
                expected: "RSA-OAEP-256",
                found,
            }) => assert_eq!(found, "\"RSA-OAEP\""),
            other => panic!("expected AlgorithmNotAllowed, found {other:?}"),
        }
        for enc in [ContentEncryption::A128Gcm, ContentEncryption::A192Gcm] {
            let mut b = Build::new(&keys, fresh_body());
            b.jwe_enc = enc;
            assert!(
                matches!(
                    open(&keys, &b.token()),
                    Err(Error::AlgorithmNotAllowed {
                        what: "JWE enc",
                        expected: "A256GCM",
                        ..
                    })
                ),
                "{enc}"
            );
        }
    }
}

#[test]
fn unknown_kids_are_rejected() {
    for keys in all_keys() {
        // JWE kid not in the ring.
        let mut b = Build::new(&keys, fresh_body());
        b.jwe_kid = Some("retired-key");
        match open(&keys, &b.token()) {
            Err(Error::UnknownKid {
                layer: Layer::Jwe,
                found,
                known,
            }) => {
                assert_eq!(found, "\"retired-key\"");
                assert_eq!(known, format!("{SERVER_ENC_OLD:?}, {SERVER_ENC:?}"));
            }
            other => panic!("expected an unknown JWE kid, found {other:?}"),
        }
        // No JWE kid.
        let mut b = Build::new(&keys, fresh_body());
        b.jwe_kid = None;
        assert!(matches!(
            open(&keys, &b.token()),
            Err(Error::UnknownKid { layer: Layer::Jwe, ref found, .. }) if found == "no kid"
        ));
        // JWS kid not among the sender's keys.
        let mut b = Build::new(&keys, fresh_body());
        b.jws_kid = Some("someone-else");
        assert!(matches!(
            open(&keys, &b.token()),
            Err(Error::UnknownKid { layer: Layer::Jws, ref found, .. }) if found == "\"someone-else\""
        ));
        // No JWS kid.
        let mut b = Build::new(&keys, fresh_body());
        b.jws_kid = None;
        assert!(matches!(
            open(&keys, &b.token()),
            Err(Error::UnknownKid {
                layer: Layer::Jws,
                ..
            })
        ));
    }
}

#[test]
fn decryption_failures_are_opaque() {
    for keys in all_keys() {
        // Encrypted to another key that claims our kid.
        let mut b = Build::new(&keys, fresh_body());
        b.recipient_key = keys.stranger(SERVER_ENC);
        assert_eq!(
            open(&keys, &b.token()).unwrap_err(),
            Error::DecryptionFailed
        );
        // Encrypted to our old key but labelled with the new kid.
        let mut b = Build::new(&keys, fresh_body());
        b.recipient_key = keys.server_enc_old.clone();
        assert_eq!(
            open(&keys, &b.token()).unwrap_err(),
            Error::DecryptionFailed
        );
        // A flipped bit in the ciphertext, the tag, the IV, or the protected header.
        let token = Build::new(&keys, fresh_body()).token();
        let parts: Vec<&str> = token.split('.').collect();
        for index in [2, 3, 4] {
            let mut bytes = b64::decode("part", parts[index]).unwrap();
            bytes[0] ^= 1;
            let mut tampered: Vec<String> = parts.iter().map(|s| (*s).to_owned()).collect();
            tampered[index] = b64::encode(&bytes);
            assert_eq!(
                open(&keys, &tampered.join(".")).unwrap_err(),
                Error::DecryptionFailed,
                "part {index}"
            );
        }
        let header = r#"{"alg":"RSA-OAEP-256","kid":"2AF92B1D","enc":"A256GCM","cty":"application/jose","x":1}"#;
        let mut tampered: Vec<String> = parts.iter().map(|s| (*s).to_owned()).collect();
        tampered[0] = b64::encode(header.as_bytes());
        assert_eq!(
            open(&keys, &tampered.join(".")).unwrap_err(),
            Error::DecryptionFailed
        );
    }
}

#[test]
fn bad_signatures_are_rejected() {
    for keys in all_keys() {
        // Signed by another key that claims the client's kid.
        let mut b = Build::new(&keys, fresh_body());
        b.signer_key = keys.stranger(CLIENT_SIG);
        assert_eq!(open(&keys, &b.token()).unwrap_err(), Error::BadSignature);
        // A JWS whose payload was swapped after signing.
        let signer = SigningKey::new(keys.client_sig.clone(), JwsAlgorithm::Rs512).unwrap();
        let jws = JwsBuilder::new(br#"{"request_id":"0123456789abcdef","request_timestamp":1}"#)
            .signer(&signer)
            .sign()
            .unwrap()
            .to_compact()
            .unwrap();
        let parts: Vec<&str> = jws.split('.').collect();
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            b64::encode(serde_json::to_vec(&fresh_body()).unwrap().as_slice()),
            parts[2]
        );
        let mut b = Build::new(&keys, fresh_body());
        b.inner = Some(forged.into_bytes());
        assert_eq!(open(&keys, &b.token()).unwrap_err(), Error::BadSignature);
    }
}

#[test]
fn wrong_content_types_are_rejected() {
    for keys in all_keys() {
        let mut b = Build::new(&keys, fresh_body());
        b.jwe_cty = Some("JWT");
        assert!(matches!(
            open(&keys, &b.token()),
            Err(Error::WrongContentType {
                context: " in the JWE header",
                expected: "application/jose",
                ..
            })
        ));
        let mut b = Build::new(&keys, fresh_body());
        b.jws_cty = Some("text/plain");
        assert!(matches!(
            open(&keys, &b.token()),
            Err(Error::WrongContentType {
                context: " in the JWS header",
                expected: "application/json",
                ..
            })
        ));

        // HTTP: the server wants application/jose; the client's plain request must be JSON.
        let clock = clock();
        let server = keys.server(&clock);
        let client = keys.client(&clock);
        let token = Build::new(&keys, fresh_body()).token();
        for content_type in [Some("application/json"), Some("text/plain"), None] {
            let mut request = http::Request::post("/xs2a/v1/sessions");
            if let Some(ct) = content_type {
                request = request.header("Content-Type", ct);
            }
            let request = request.body(token.clone().into_bytes()).unwrap();
            assert!(
                matches!(
                    server.decrypt_request(request, keys.provider),
                    Err(Error::WrongContentType {
                        expected: "application/jose",
                        ..
                    })
                ),
                "{content_type:?}"
            );
        }
        // A 2xx answer that is neither sealed nor JSON (tests/responses.rs has the rest).
        let response = http::Response::builder()
            .header("Content-Type", "text/plain")
            .body(b"{\"error\":\"x\"}".to_vec())
            .unwrap();
        assert!(matches!(
            client.decrypt_response(response, keys.provider),
            Err(Error::WrongContentType {
                expected: "application/jose",
                ..
            })
        ));
        let plain = http::Request::put("/xs2a/v1/sessions")
            .header("Content-Type", "text/plain")
            .body(b"{}".to_vec())
            .unwrap();
        assert!(matches!(
            client.encrypt_request(plain, keys.provider),
            Err(Error::WrongContentType {
                expected: "application/json",
                ..
            })
        ));
    }
}

#[test]
fn stale_and_future_request_timestamps() {
    for keys in all_keys() {
        let p = keys.provider;
        let clock = clock();
        let client = keys.client(&clock);
        let server = keys.server(&clock);

        // Exactly two minutes old: accepted. One millisecond more: stale.
        let sealed = client.seal_request(obj(json!({})), p).unwrap();
        clock.set_millis(T0 + 120_000);
        assert!(server.open_request(&sealed.token, p).is_ok());
        clock.set_millis(T0);
        let sealed = client.seal_request(obj(json!({})), p).unwrap();
        clock.set_millis(T0 + 120_001);
        match server.open_request(&sealed.token, p) {
            Err(Error::Stale {
                field: "request_timestamp",
                age_ms: 120_001,
                max_age_ms: 120_000,
            }) => {}
            other => panic!("expected stale, found {other:?}"),
        }

        // 30 s ahead: accepted; 30.001 s ahead: from the future.
        let client_clock = Arc::new(ManualClock::at_millis(T0 + 30_000));
        let ahead = keys.client(&client_clock);
        clock.set_millis(T0);
        assert!(
            server
                .open_request(&ahead.seal_request(obj(json!({})), p).unwrap().token, p)
                .is_ok()
        );
        client_clock.set_millis(T0 + 30_001);
        match server.open_request(&ahead.seal_request(obj(json!({})), p).unwrap().token, p) {
            Err(Error::FromTheFuture {
                field: "request_timestamp",
                ahead_ms: 30_001,
                allowed_skew_ms: 30_000,
            }) => {}
            other => panic!("expected from the future, found {other:?}"),
        }

        // The skew allowance is configurable.
        let strict = keys
            .server(&clock)
            .with_policy(Policy::default().with_allowed_skew(Duration::from_secs(5)));
        client_clock.set_millis(T0 + 6_000);
        assert!(matches!(
            strict.open_request(&ahead.seal_request(obj(json!({})), p).unwrap().token, p),
            Err(Error::FromTheFuture {
                allowed_skew_ms: 5_000,
                ..
            })
        ));
        let lenient = keys
            .server(&clock)
            .with_policy(Policy::default().with_allowed_skew(Duration::from_secs(60)));
        client_clock.set_millis(T0 + 59_000);
        assert!(
            lenient
                .open_request(&ahead.seal_request(obj(json!({})), p).unwrap().token, p)
                .is_ok()
        );
    }
}

#[test]
fn replay_within_five_minutes_then_accepted_after() {
    for keys in all_keys() {
        let p = keys.provider;
        let clock = clock();
        let client = keys.client(&clock);
        let server = keys.server(&clock);
        let with_id = || obj(json!({"request_id": "replayed-request-0001"}));

        let first = client.seal_request(with_id(), p).unwrap();
        assert!(server.open_request(&first.token, p).is_ok());
        // The very same token a minute later.
        clock.advance(Duration::from_secs(60));
        match server.open_request(&first.token, p) {
            Err(Error::Replayed {
                request_id,
                window_ms: 300_000,
            }) => {
                assert_eq!(request_id, "replayed-request-0001");
            }
            other => panic!("expected a replay, found {other:?}"),
        }
        // A new, fresh request with the same id 4:59.999 after the first: still a replay.
        clock.set_millis(T0 + 299_999);
        let second = client.seal_request(with_id(), p).unwrap();
        assert!(matches!(
            server.open_request(&second.token, p),
            Err(Error::Replayed { .. })
        ));
        // Five minutes after the first: accepted again.
        clock.set_millis(T0 + 300_000);
        let third = client.seal_request(with_id(), p).unwrap();
        assert_eq!(
            server.open_request(&third.token, p).unwrap().request_id,
            "replayed-request-0001"
        );
        // ... and that acceptance starts a new window.
        clock.advance(Duration::from_secs(1));
        assert!(matches!(
            server.open_request(&third.token, p),
            Err(Error::Replayed { .. })
        ));

        // A rejected request (stale) does not burn its id.
        clock.set_millis(T0 + 1_000_000);
        let stale = Build::new(
            &keys,
            json!({"request_id": "stale-request-01", "request_timestamp": T0}),
        );
        assert!(matches!(
            server.open_request(&stale.token(), p),
            Err(Error::Stale { .. })
        ));
        let fresh = client
            .seal_request(obj(json!({"request_id": "stale-request-01"})), p)
            .unwrap();
        assert!(server.open_request(&fresh.token, p).is_ok());
    }
}

#[test]
fn request_id_lengths() {
    for keys in all_keys() {
        let p = keys.provider;
        let clock = clock();
        let client = keys.client(&clock);
        for (length, ok) in [(9, false), (10, true), (100, true), (101, false)] {
            let id = "r".repeat(length);
            // The client checks an id it is given...
            let sealed = client.seal_request(obj(json!({"request_id": id})), p);
            assert_eq!(sealed.is_ok(), ok, "client, {length}");
            if !ok {
                assert_eq!(
                    sealed.unwrap_err(),
                    Error::InvalidRequestId { found: length }
                );
            }
            // ... and the server checks what arrives.
            let token =
                Build::new(&keys, json!({"request_id": id, "request_timestamp": T0})).token();
            let opened = open(&keys, &token);
            assert_eq!(opened.is_ok(), ok, "server, {length}");
            if !ok {
                assert_eq!(
                    opened.unwrap_err(),
                    Error::InvalidRequestId { found: length }
                );
            }
        }
    }
}

#[test]
fn malformed_bodies_are_rejected() {
    let keys = Keys::on(jose::default_provider());
    let cases: [(&[u8], &str); 10] = [
        (b"not json", "invalid JSON"),
        (b"[1,2]", "an array"),
        (b"\"text\"", "a string"),
        (br#"{"request_timestamp":1585063812156}"#, "none"),
        (br#"{"request_id":"0123456789abcdef"}"#, "none"),
        (br#"{"request_id":12345678901,"request_timestamp":1585063812156}"#, "a non-negative integer"),
        (br#"{"request_id":"0123456789abcdef","request_timestamp":"1585063812156"}"#, "a string"),
        (br#"{"request_id":"0123456789abcdef","request_timestamp":1585063812156.5}"#, "a non-integer number"),
        (br#"{"request_id":"0123456789abcdef","request_timestamp":-1}"#, "a negative integer"),
        (
            br#"{"request_id":"0123456789abcdef","request_id":"another-id-12345","request_timestamp":1585063812156}"#,
            "\"request_id\" twice",
        ),
    ];
    for (payload, found_part) in cases {
        let mut b = Build::new(&keys, json!({}));
        b.payload = payload.to_vec();
        match open(&keys, &b.token()) {
            Err(Error::MalformedBody { found, .. }) => {
                assert!(
                    found.contains(found_part),
                    "{found:?} should mention {found_part:?}"
                );
            }
            other => panic!(
                "{}: expected a malformed body, found {other:?}",
                String::from_utf8_lossy(payload)
            ),
        }
    }

    // The client's own plain request body must be a JSON object too.
    let client = keys.client(&clock());
    let plain = http::Request::post("/xs2a/v1/sessions")
        .body(b"[1]".to_vec())
        .unwrap();
    assert!(matches!(
        client.encrypt_request(plain, keys.provider),
        Err(Error::MalformedBody { .. })
    ));
}

#[test]
fn malformed_tokens_are_rejected() {
    let keys = Keys::on(jose::default_provider());
    for token in [
        "",
        "abc",
        "a.b.c",
        "a.b.c.d.e",
        "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.....",
    ] {
        assert!(
            matches!(
                open(&keys, token),
                Err(Error::MalformedToken {
                    layer: Layer::Jwe,
                    ..
                })
            ),
            "{token:?}: {:?}",
            open(&keys, token)
        );
    }
    // A JWE whose plaintext is not a compact JWS.
    for inner in [&b"hello"[..], b"a.b", &[0xff, 0xfe]] {
        let mut b = Build::new(&keys, fresh_body());
        b.inner = Some(inner.to_vec());
        assert!(matches!(
            open(&keys, &b.token()),
            Err(Error::MalformedToken {
                layer: Layer::Jws,
                ..
            })
        ));
    }
    // Non-UTF-8 HTTP body.
    let server = keys.server(&clock());
    let request = http::Request::post("/x")
        .header("Content-Type", "application/jose")
        .body(vec![0xff, 0xfe])
        .unwrap();
    assert!(matches!(
        server.decrypt_request(request, keys.provider),
        Err(Error::MalformedToken { .. })
    ));
}

#[test]
fn responses_need_a_fresh_response_timestamp() {
    for keys in all_keys() {
        let p = keys.provider;
        let clock = clock();
        let client = keys.client(&clock);
        let sealer = keys.server_sealer();
        // Missing.
        let token = sealer.seal(&obj(json!({"data": {}})), p).unwrap();
        assert!(matches!(
            client.open_response(&token, p),
            Err(Error::MalformedBody { ref expected, .. }) if expected.contains("response_timestamp")
        ));
        // Not a number.
        let token = sealer
            .seal(&obj(json!({"response_timestamp": "now"})), p)
            .unwrap();
        assert!(matches!(
            client.open_response(&token, p),
            Err(Error::MalformedBody { .. })
        ));
        // Two minutes old: accepted; older: stale.
        let token = sealer
            .seal(&obj(json!({"response_timestamp": T0 - 120_000})), p)
            .unwrap();
        assert!(client.open_response(&token, p).is_ok());
        let token = sealer
            .seal(&obj(json!({"response_timestamp": T0 - 120_001})), p)
            .unwrap();
        assert!(matches!(
            client.open_response(&token, p),
            Err(Error::Stale {
                field: "response_timestamp",
                ..
            })
        ));
        // Too far ahead.
        let token = sealer
            .seal(&obj(json!({"response_timestamp": T0 + 30_001})), p)
            .unwrap();
        assert!(matches!(
            client.open_response(&token, p),
            Err(Error::FromTheFuture {
                field: "response_timestamp",
                ..
            })
        ));
        // A response signed by the client's key (a reflected request) has an unknown JWS kid.
        let mirror = Sealer::new(keys.client_sig.clone(), keys.client_enc.public_key()).unwrap();
        let token = mirror
            .seal(&obj(json!({"response_timestamp": T0})), p)
            .unwrap();
        assert!(matches!(
            client.open_response(&token, p),
            Err(Error::UnknownKid {
                layer: Layer::Jws,
                ..
            })
        ));
    }
}

#[test]
fn unusable_keys_are_key_errors() {
    let keys = Keys::on(jose::default_provider());
    let p = keys.provider;
    let ec = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), p)
        .unwrap()
        .with_kid("ec");
    // Not RSA.
    assert!(matches!(
        Sealer::new(ec.clone(), keys.server_enc.public_key()),
        Err(Error::Key { .. })
    ));
    assert!(matches!(
        KeyRing::new().with(ec.clone()),
        Err(Error::Key { .. })
    ));
    assert!(matches!(
        VerifierSet::new().with(ec.public_key()),
        Err(Error::Key { .. })
    ));
    // No kid.
    let no_kid = keys.client_sig.clone().with_meta(jose::KeyMeta::default());
    match Sealer::new(no_kid.clone(), keys.server_enc.public_key()) {
        Err(Error::Key { context, .. }) => assert!(context.contains("kid"), "{context}"),
        other => panic!("expected a key error, found {other:?}"),
    }
    assert!(matches!(
        Sealer::new(keys.client_sig.clone(), no_kid.public_key()),
        Err(Error::Key { .. })
    ));
    // A key without kid may only be a set's one key (tests/kidless.rs): not beside others.
    assert!(matches!(
        KeyRing::new()
            .with(keys.server_enc.clone())
            .unwrap()
            .with(no_kid.clone()),
        Err(Error::Key { .. })
    ));
    assert!(matches!(
        VerifierSet::new()
            .with(no_kid.public_key())
            .unwrap()
            .with(keys.server_sig.public_key()),
        Err(Error::Key { .. })
    ));
    // A duplicate kid.
    let ring = KeyRing::new().with(keys.server_enc.clone()).unwrap();
    assert!(matches!(
        ring.with(keys.server_enc_old.clone().with_kid(SERVER_ENC)),
        Err(Error::Key { .. })
    ));
    // Metadata that names another algorithm.
    let mut meta = keys.client_sig.meta().clone();
    meta.alg = Some("RS256".into());
    assert!(matches!(
        Sealer::new(
            keys.client_sig.clone().with_meta(meta),
            keys.server_enc.public_key()
        ),
        Err(Error::Key { .. })
    ));
    // A JWKS whose keys all have kids imports; one without a kid does not.
    let jwks = jose::jwk::Jwks::new(vec![
        keys.server_sig.public_key().to_jwk().unwrap(),
        keys.server_enc.public_key().to_jwk().unwrap(),
    ]);
    let set = VerifierSet::from_jwks(&jwks, p).unwrap();
    assert_eq!(set.kids(), [SERVER_SIG, SERVER_ENC]);
    let jwks = jose::jwk::Jwks::new(vec![no_kid.public_key().to_jwk().unwrap()]);
    assert!(matches!(
        VerifierSet::from_jwks(&jwks, p),
        Err(Error::Key { .. })
    ));
    // Key errors are not rejections of a message; message errors are.
    assert!(
        !Error::Key {
            context: "x".into(),
            source: None
        }
        .is_rejection()
    );
    assert!(Error::BadSignature.is_rejection());
    // An empty opener opens nothing.
    let server = Server::new(
        keys.server_sealer(),
        Opener::new(KeyRing::new(), VerifierSet::new()),
    );
    let token = Build::new(&keys, fresh_body()).token();
    assert!(matches!(
        server.open_request(&token, p),
        Err(Error::UnknownKid { ref known, .. }) if known == "none (no keys)"
    ));
}

#[test]
fn error_messages_say_what_was_expected_and_hold_no_secrets() {
    let keys = Keys::on(jose::default_provider());
    let mut b = Build::new(&keys, fresh_body());
    b.jws_alg = JwsAlgorithm::Rs256;
    let message = open(&keys, &b.token()).unwrap_err().to_string();
    assert_eq!(
        message,
        "JWS alg not allowed: expected RS512, found \"RS256\""
    );
    // A long kid is cut to 100 characters in the message.
    let long = "k".repeat(5_000);
    let mut b = Build::new(&keys, fresh_body());
    b.jwe_kid = Some(&long);
    let message = open(&keys, &b.token()).unwrap_err().to_string();
    assert!(message.len() < 400, "{}", message.len());
    // Key errors name the problem, not the key.
    let pem = keys.client_sig.to_pkcs8_pem().unwrap();
    let ec = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), keys.provider)
        .unwrap()
        .with_kid("e");
    let message = Sealer::new(ec, keys.server_enc.public_key())
        .unwrap_err()
        .to_string();
    assert!(message.starts_with("key error: signing key"), "{message}");
    let body_line = pem.lines().nth(1).unwrap();
    assert!(!message.contains(body_line));
}

//! Request4R end to end: partner -> gateway -> partner on both providers and across them, route
//! mapping, sandbox mode, response handling, the gateway's answers to bad bodies, a JWE built step
//! by step from jose-core primitives, and the exact header of every JWE we emit.
//!
//! RSA keys are slow to generate, so three key pairs (RaaS, partner, a foreigner) are generated
//! once per test binary and imported on each provider from PEM.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use base64ct::{Base64UrlUnpadded, Encoding};
use http::{Method, Request, Response, StatusCode};
use jose::{
    ContentEncryption, CryptoProvider, KeyManagementAlgorithm, KeySpec, PrivateKey, PublicKey,
};
use jose_request4r::{
    ERROR_INVALID_JWE_PAYLOAD, Error, Gateway, OpeningKey, Partner, SealingKey, route,
};
use serde_json::{Value, json};
use std::sync::OnceLock;

const EXACT_HEADER: &[u8] = br#"{"alg":"RSA-OAEP-256","enc":"A256GCM"}"#;
const BODY: &str = r#"{"email":"ada@example.com","amount":"100.00","reference_id":"ref-7"}"#;
const ANSWER: &str = r#"{"user_id":"u-1","status":"registered"}"#;

/// PEM files of one key pair.
struct Pair {
    private_pkcs8: String,
    public_spki: String,
}

struct Fixtures {
    raas: Pair,
    partner: Pair,
    foreign: Pair,
}

fn fixtures() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(|| {
        let provider = jose::default_provider();
        let pair = || {
            let key = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider).unwrap();
            Pair {
                private_pkcs8: key.to_pkcs8_pem().unwrap().to_string(),
                public_spki: key.public_key().to_spki_pem().unwrap(),
            }
        };
        Fixtures {
            raas: pair(),
            partner: pair(),
            foreign: pair(),
        }
    })
}

fn partner_on(provider: &dyn CryptoProvider) -> Partner {
    let f = fixtures();
    Partner::from_pem(&f.raas.public_spki, &f.partner.private_pkcs8, provider).unwrap()
}

fn gateway_on(provider: &dyn CryptoProvider) -> Gateway {
    let f = fixtures();
    Gateway::new(
        OpeningKey::from_pkcs8_pem(&f.raas.private_pkcs8, provider).unwrap(),
        SealingKey::from_spki_pem(&f.partner.public_spki, provider).unwrap(),
    )
}

fn plain_request(method: Method, uri: &str, body: &str) -> Request<String> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("api_key", "tenant-key-123")
        .header("x-custom", "kept")
        .header("content-type", "application/json")
        .body(body.to_owned())
        .unwrap()
}

/// The decoded protected header of a compact JWE.
fn header_bytes(token: &str) -> Vec<u8> {
    Base64UrlUnpadded::decode_vec(token.split('.').next().unwrap()).unwrap()
}

fn assert_exact_header(token: &str) {
    assert_eq!(
        String::from_utf8(header_bytes(token)).unwrap(),
        std::str::from_utf8(EXACT_HEADER).unwrap()
    );
}

fn pairs() -> Vec<(&'static dyn CryptoProvider, &'static dyn CryptoProvider)> {
    let providers = jose::providers();
    assert_eq!(providers.len(), 2, "both providers must be compiled in");
    let mut out = Vec::new();
    for a in &providers {
        for b in &providers {
            out.push((*a, *b));
        }
    }
    out
}

/// The gateway's answer to a request it refuses: status, and the body as JSON.
fn refusal(
    gateway: &Gateway,
    request: Request<String>,
    provider: &dyn CryptoProvider,
) -> (StatusCode, Value, Error) {
    let err = gateway.decrypt_request(request, provider).unwrap_err();
    let response = err.to_gateway_response();
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: Value = serde_json::from_str(response.body()).unwrap();
    // Exactly a code and a short reason: no internal detail.
    let members: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(members, ["code", "reason"]);
    assert!(body["reason"].as_str().unwrap().len() < 80);
    (response.status(), body, err)
}

#[test]
fn round_trips_on_both_providers_and_across_them() {
    for (partner_provider, gateway_provider) in pairs() {
        let label = format!("{} -> {}", partner_provider.name(), gateway_provider.name());
        let partner = partner_on(partner_provider);
        let gateway = gateway_on(gateway_provider);
        for method in [Method::POST, Method::PUT, Method::PATCH] {
            let request = plain_request(
                method.clone(),
                "https://api.leap.example/v1/auth/register-user-v2?lang=en",
                BODY,
            );
            let sent = partner.encrypt_request(request, partner_provider).unwrap();
            assert_eq!(sent.method(), method, "{label}");
            assert_eq!(
                sent.uri(),
                "https://api.leap.example/v1/partners/request4r/auth/register-user-v2?lang=en"
            );
            assert_eq!(sent.headers()["content-type"], "text/plain");
            assert_eq!(sent.headers()["api_key"], "tenant-key-123");
            assert_eq!(sent.headers()["x-custom"], "kept");
            assert!(!sent.headers().contains_key("x-skip-encryption"));
            assert!(!sent.body().contains(['\n', '\r', ' ']), "one line");
            assert!(!sent.body().contains("ada@example.com"));
            assert_eq!(sent.body().split('.').count(), 5);
            assert_exact_header(sent.body());

            let received = gateway.decrypt_request(sent, gateway_provider).unwrap();
            assert_eq!(received.method(), method, "{label}");
            assert_eq!(
                received.uri(),
                "https://api.leap.example/v1/auth/register-user-v2?lang=en"
            );
            assert_eq!(received.body(), BODY);
            assert_eq!(received.headers()["content-type"], "application/json");
            assert_eq!(received.headers()["api_key"], "tenant-key-123");
            assert_eq!(received.headers()["x-reference-id"], "ref-7");

            let answer = Response::builder()
                .status(StatusCode::CREATED)
                .header("x-request-id", "abc")
                .body(ANSWER)
                .unwrap();
            let encrypted = gateway
                .respond(&received, answer, gateway_provider)
                .unwrap();
            assert_eq!(encrypted.status(), StatusCode::CREATED);
            assert_eq!(encrypted.headers()["content-type"], "application/jose");
            assert_eq!(encrypted.headers()["x-reference-id"], "ref-7");
            assert_exact_header(encrypted.body());

            let response = partner
                .decrypt_response(encrypted, partner_provider)
                .unwrap();
            assert_eq!(response.status(), StatusCode::CREATED);
            assert_eq!(
                *response.body(),
                serde_json::from_str::<Value>(ANSWER).unwrap()
            );
            assert_eq!(response.headers()["content-type"], "application/json");
            assert_eq!(response.headers()["x-request-id"], "abc");
            assert_eq!(jose_request4r::reference_id(&response), Some("ref-7"));
        }
    }
}

#[test]
fn route_mapping_with_and_without_base_url_and_query() {
    let provider = jose::default_provider();
    let partner = partner_on(provider);
    let gateway = gateway_on(provider);
    for (standard, request4r) in [
        (
            "/v1/auth/register-user-v2",
            "/v1/partners/request4r/auth/register-user-v2",
        ),
        (
            "/v1/users/42?expand=cards&page=2",
            "/v1/partners/request4r/users/42?expand=cards&page=2",
        ),
        (
            "https://api.leap.example/v1/users/42",
            "https://api.leap.example/v1/partners/request4r/users/42",
        ),
        (
            "https://api.leap.example:8443/v1/users?q=a%20b",
            "https://api.leap.example:8443/v1/partners/request4r/users?q=a%20b",
        ),
        (
            "http://localhost:3000/raas/v1/cards",
            "http://localhost:3000/raas/v1/partners/request4r/cards",
        ),
    ] {
        let uri: http::Uri = standard.parse().unwrap();
        assert_eq!(route::request4r_uri(&uri).unwrap().to_string(), request4r);
        let back: http::Uri = request4r.parse().unwrap();
        assert_eq!(route::standard_uri(&back).unwrap().to_string(), standard);

        let sent = partner
            .encrypt_request(plain_request(Method::POST, standard, BODY), provider)
            .unwrap();
        assert_eq!(sent.uri().to_string(), request4r);
        let received = gateway.decrypt_request(sent, provider).unwrap();
        assert_eq!(received.uri().to_string(), standard);
    }

    // A path that is not a standard route cannot be sent...
    for bad in [
        "/v2/users",
        "https://api.leap.example/users",
        "/v1/partners/request4r/users",
        "/v1/../admin",
    ] {
        let err = partner
            .encrypt_request(plain_request(Method::POST, bad, BODY), provider)
            .unwrap_err();
        assert!(matches!(err, Error::Route { .. }), "{bad}: {err}");
    }
    // ...and the gateway answers 404 to a path that is not a Request4R route.
    for bad in [
        "/v1/users",
        "/v1/partners/users",
        "/v1/partners/request4r/../../admin",
    ] {
        let (status, body, err) =
            refusal(&gateway, plain_request(Method::POST, bad, BODY), provider);
        assert!(matches!(err, Error::Route { .. }), "{bad}");
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["code"], "ERROR_NOT_FOUND");
    }
}

#[test]
fn sandbox_mode() {
    let provider = jose::default_provider();
    let partner = partner_on(provider).sandbox(true);
    assert!(partner.is_sandbox());
    let sent = partner
        .encrypt_request(
            plain_request(Method::POST, "/v1/auth/register-user-v2", BODY),
            provider,
        )
        .unwrap();
    assert_eq!(sent.uri(), "/v1/partners/request4r/auth/register-user-v2");
    assert_eq!(sent.body(), BODY, "the body stays JSON");
    assert_eq!(sent.headers()["content-type"], "application/json");
    assert!(jose_request4r::skips_encryption(&sent));
    assert_eq!(sent.headers()["api_key"], "tenant-key-123");

    // A gateway that is not a sandbox refuses it with the stable code.
    let (status, body, _) = refusal(&gateway_on(provider), sent.clone(), provider);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], ERROR_INVALID_JWE_PAYLOAD);

    // A sandbox gateway passes it through and answers in plain JSON.
    let gateway = gateway_on(provider).allow_skip_encryption(true);
    let received = gateway.decrypt_request(sent, provider).unwrap();
    assert_eq!(received.uri(), "/v1/auth/register-user-v2");
    assert_eq!(received.body(), BODY);
    let answer = gateway
        .respond(&received, Response::new(ANSWER), provider)
        .unwrap();
    assert_eq!(answer.headers()["content-type"], "application/json");
    assert_eq!(answer.body(), ANSWER);

    // The sandbox partner accepts the plain JSON response, and still decrypts a JWE one.
    let response = partner.decrypt_response(answer, provider).unwrap();
    assert_eq!(response.body()["user_id"], "u-1");
    let encrypted = gateway
        .encrypt_response(Response::new(ANSWER), provider)
        .unwrap();
    assert_eq!(
        partner
            .decrypt_response(encrypted, provider)
            .unwrap()
            .body()["user_id"],
        "u-1"
    );

    // A sandbox gateway still decrypts encrypted requests.
    let encrypted_request = partner_on(provider)
        .encrypt_request(plain_request(Method::PUT, "/v1/users/1", BODY), provider)
        .unwrap();
    assert_eq!(
        gateway
            .decrypt_request(encrypted_request, provider)
            .unwrap()
            .body(),
        BODY
    );

    // Outside sandbox mode, a request carrying X-Skip-Encryption is refused, not sent encrypted.
    let mut request = plain_request(Method::POST, "/v1/users", BODY);
    request
        .headers_mut()
        .insert("x-skip-encryption", "1".parse().unwrap());
    assert!(matches!(
        partner_on(provider).encrypt_request(request, provider),
        Err(Error::SkipEncryptionRefused(_))
    ));
}

#[test]
fn plain_json_success_response_is_refused_in_encrypted_mode() {
    let provider = jose::default_provider();
    let partner = partner_on(provider);
    let plain = || {
        Response::builder()
            .status(200)
            .header("content-type", "application/json; charset=utf-8")
            .body(ANSWER)
            .unwrap()
    };
    match partner.decrypt_response(plain(), provider) {
        Err(Error::PlainResponseRefused { status }) => assert_eq!(status, 200),
        other => panic!("expected PlainResponseRefused, found {other:?}"),
    }
    // With the explicit option it is accepted.
    let lenient = partner.clone().accept_plain_json(true);
    assert_eq!(
        lenient.decrypt_response(plain(), provider).unwrap().body()["status"],
        "registered"
    );
    // Other or missing types are refused whatever the options.
    for content_type in [Some("text/plain"), Some("text/html"), None] {
        let mut builder = Response::builder().status(200);
        if let Some(ct) = content_type {
            builder = builder.header("content-type", ct);
        }
        let response = builder.body(ANSWER).unwrap();
        assert!(
            matches!(
                lenient.decrypt_response(response, provider),
                Err(Error::UnexpectedContentType { .. })
            ),
            "{content_type:?}"
        );
    }
    // 204 with no body is null.
    let empty = Response::builder().status(204).body("").unwrap();
    assert_eq!(
        *partner.decrypt_response(empty, provider).unwrap().body(),
        Value::Null
    );
    // A JWE response with Content-Type in another case and with parameters is still recognised.
    let gateway = gateway_on(provider);
    let mut encrypted = gateway
        .encrypt_response(Response::new(ANSWER), provider)
        .unwrap();
    encrypted.headers_mut().insert(
        "content-type",
        "Application/JOSE; charset=us-ascii".parse().unwrap(),
    );
    assert!(partner.decrypt_response(encrypted, provider).is_ok());
}

#[test]
fn error_statuses_become_typed_api_errors() {
    let provider = jose::default_provider();
    let partner = partner_on(provider);
    let gateway = gateway_on(provider);

    // The gateway's own 400, as it really produces it.
    let tampered = {
        let mut sent = partner
            .encrypt_request(plain_request(Method::POST, "/v1/users", BODY), provider)
            .unwrap();
        let token = sent.body().replace('.', "..");
        *sent.body_mut() = token;
        sent
    };
    let mut answer = gateway
        .decrypt_request(tampered, provider)
        .unwrap_err()
        .to_gateway_response();
    answer
        .headers_mut()
        .insert("x-reference-id", "ref-9".parse().unwrap());
    match partner.decrypt_response(answer, provider) {
        Err(Error::Api(e)) => {
            assert_eq!(e.status, StatusCode::BAD_REQUEST);
            assert!(e.is_invalid_jwe_payload());
            assert_eq!(e.code.as_deref(), Some("ERROR_INVALID_JWE_PAYLOAD"));
            assert_eq!(e.reason.as_deref(), Some("the body is not a compact JWE"));
            assert_eq!(e.reference_id.as_deref(), Some("ref-9"));
            let message = Error::Api(e.clone()).to_string();
            assert!(
                message.contains("400") && message.contains("ERROR_INVALID_JWE_PAYLOAD"),
                "{message}"
            );
        }
        other => panic!("expected an API error, found {other:?}"),
    }

    // An encrypted error body is decrypted first.
    let business = Response::builder()
        .status(422)
        .body(r#"{"code":"ERROR_USER_EXISTS","reason":"already registered","field":"email"}"#)
        .unwrap();
    let encrypted = gateway.encrypt_response(business, provider).unwrap();
    assert_eq!(encrypted.headers()["content-type"], "application/jose");
    let err = partner.decrypt_response(encrypted, provider).unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 422);
    assert_eq!(api.code.as_deref(), Some("ERROR_USER_EXISTS"));
    assert!(!api.is_invalid_jwe_payload());
    assert_eq!(api.body.as_ref().unwrap()["field"], "email");

    // A body that is not JSON (a proxy's HTML page) still gives the status.
    let proxy = Response::builder()
        .status(502)
        .header("content-type", "text/html")
        .body("<html>bad gateway</html>")
        .unwrap();
    let err = partner.decrypt_response(proxy, provider).unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 502);
    assert_eq!(
        (api.code.as_ref(), api.reason.as_ref(), api.body.as_ref()),
        (None, None, None)
    );
}

/// Replaces segment `index` of a compact JWE: its bytes with one flipped (still valid base64url).
fn flip(token: &str, index: usize) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut bytes = Base64UrlUnpadded::decode_vec(&parts[index]).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    parts[index] = Base64UrlUnpadded::encode_string(&bytes);
    parts.join(".")
}

fn with_body(request: &Request<String>, body: String) -> Request<String> {
    let mut out = request.clone();
    *out.body_mut() = body;
    out
}

#[test]
fn tampered_or_foreign_jwe_gives_error_invalid_jwe_payload() {
    let f = fixtures();
    for (partner_provider, gateway_provider) in pairs() {
        let partner = partner_on(partner_provider);
        let gateway = gateway_on(gateway_provider);
        let sent = partner
            .encrypt_request(
                plain_request(Method::POST, "/v1/users", BODY),
                partner_provider,
            )
            .unwrap();
        let token = sent.body().clone();
        let expect = |body: String, reason: &str| {
            let (status, answer, _) = refusal(&gateway, with_body(&sent, body), gateway_provider);
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert_eq!(answer["code"], ERROR_INVALID_JWE_PAYLOAD);
            assert_eq!(answer["reason"], reason);
        };

        // Every segment after the header, one bit changed: the same opaque answer.
        for index in 1..5 {
            expect(flip(&token, index), "the JWE cannot be decrypted");
        }
        // A header changed in a way that still parses (reordered): the AAD no longer matches.
        let reordered =
            Base64UrlUnpadded::encode_string(br#"{"enc":"A256GCM","alg":"RSA-OAEP-256"}"#);
        let rest = token.split_once('.').unwrap().1;
        expect(format!("{reordered}.{rest}"), "the JWE cannot be decrypted");
        // A truncated tag, a missing part, junk, plain JSON.
        expect(
            token[..token.len() - 4].to_owned(),
            "the body is not a compact JWE",
        );
        expect(
            token.rsplit_once('.').unwrap().0.to_owned(),
            "the body is not a compact JWE",
        );
        expect("not a jwe".to_owned(), "the body is not a compact JWE");
        expect(BODY.to_owned(), "the body is not a compact JWE");

        // A JWE encrypted to a foreign key.
        let foreign = SealingKey::from_spki_pem(&f.foreign.public_spki, partner_provider).unwrap();
        expect(
            foreign.seal(BODY.as_bytes(), partner_provider).unwrap(),
            "the JWE cannot be decrypted",
        );
    }

    // Right key, wrong algorithms, and a plaintext that is not JSON.
    let provider = jose::default_provider();
    let gateway = gateway_on(provider);
    let sent = partner_on(provider)
        .encrypt_request(plain_request(Method::POST, "/v1/users", BODY), provider)
        .unwrap();
    let raas = PublicKey::from_pem(&f.raas.public_spki, provider).unwrap();
    let odd = |alg, enc, plaintext: &[u8]| {
        let key = jose::EncryptingKey::new(raas.clone(), alg).unwrap();
        jose::jwe::JweBuilder::new(enc)
            .recipient(&key)
            .encrypt(plaintext, provider)
            .unwrap()
            .to_compact()
            .unwrap()
    };
    for (token, reason) in [
        (
            odd(
                KeyManagementAlgorithm::RsaOaep,
                ContentEncryption::A256Gcm,
                BODY.as_bytes(),
            ),
            "the JWE must use alg RSA-OAEP-256 and enc A256GCM",
        ),
        (
            odd(
                KeyManagementAlgorithm::RsaOaep256,
                ContentEncryption::A128Gcm,
                BODY.as_bytes(),
            ),
            "the JWE must use alg RSA-OAEP-256 and enc A256GCM",
        ),
        (
            odd(
                KeyManagementAlgorithm::RsaOaep256,
                ContentEncryption::A256Gcm,
                b"not json",
            ),
            "the payload is not UTF-8 JSON",
        ),
        (
            odd(
                KeyManagementAlgorithm::RsaOaep256,
                ContentEncryption::A256Gcm,
                b"\xff\xfe",
            ),
            "the payload is not UTF-8 JSON",
        ),
    ] {
        let (status, answer, _) = refusal(&gateway, with_body(&sent, token), provider);
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(answer["code"], ERROR_INVALID_JWE_PAYLOAD);
        assert_eq!(answer["reason"], reason);
    }
    // Non-UTF-8 bytes as the body.
    let raw = Request::post("/v1/partners/request4r/users")
        .body(vec![0xff_u8, 0x00, 0x41])
        .unwrap();
    let err = gateway.decrypt_request(raw, provider).unwrap_err();
    assert_eq!(err.gateway_code(), ERROR_INVALID_JWE_PAYLOAD);
    assert_eq!(err.gateway_reason(), "the body is not a compact JWE");

    // The partner side maps the same failures to typed errors.
    let partner = partner_on(provider);
    let foreign_answer = SealingKey::from_spki_pem(&f.foreign.public_spki, provider)
        .unwrap()
        .seal(ANSWER.as_bytes(), provider)
        .unwrap();
    let response = Response::builder()
        .header("content-type", "application/jose")
        .body(foreign_answer)
        .unwrap();
    assert!(matches!(
        partner.decrypt_response(response, provider),
        Err(Error::DecryptionFailed)
    ));
}

#[test]
fn independently_constructed_jwe_is_accepted() {
    for (builder_provider, gateway_provider) in pairs() {
        // Step by step, with jose-core primitives only (see `construct`): header, CEK, IV,
        // AES-256-GCM over the encoded header, RSA-OAEP-256 key wrap, compact assembly.
        let token = construct(EXACT_HEADER, BODY.as_bytes(), builder_provider);
        let request = Request::patch("https://api.leap.example/v1/partners/request4r/users/42")
            .header("content-type", "text/plain")
            .body(format!("{token}\n"))
            .unwrap();
        let received = gateway_on(gateway_provider)
            .decrypt_request(request, gateway_provider)
            .unwrap();
        assert_eq!(received.body(), BODY);
        assert_eq!(received.uri(), "https://api.leap.example/v1/users/42");
    }
}

/// A compact JWE built step by step from jose-core primitives (no `JweBuilder`), with the given
/// protected header, to the RaaS key imported on `provider`.
fn construct(header: &[u8], plaintext: &[u8], provider: &dyn CryptoProvider) -> String {
    let header_b64 = Base64UrlUnpadded::encode_string(header);
    let mut cek = [0u8; 32];
    provider.fill_random(&mut cek).unwrap();
    let mut iv = [0u8; 12];
    provider.fill_random(&mut iv).unwrap();
    let (ciphertext, tag) = provider
        .aead_seal(
            ContentEncryption::A256Gcm,
            &cek,
            &iv,
            header_b64.as_bytes(),
            plaintext,
        )
        .unwrap();
    let raas_public = PublicKey::from_pem(&fixtures().raas.public_spki, provider).unwrap();
    let encrypted_key = raas_public
        .ops()
        .wrap_key(KeyManagementAlgorithm::RsaOaep256, &cek)
        .unwrap();
    [
        header_b64,
        Base64UrlUnpadded::encode_string(&encrypted_key),
        Base64UrlUnpadded::encode_string(&iv),
        Base64UrlUnpadded::encode_string(&ciphertext),
        Base64UrlUnpadded::encode_string(&tag),
    ]
    .join(".")
}

#[test]
fn headers_beyond_the_request4r_pair_are_refused() {
    let provider = jose::default_provider();
    let gateway = gateway_on(provider);
    let request = |token: String| {
        Request::post("/v1/partners/request4r/users")
            .body(token)
            .unwrap()
    };
    // The construction itself is right: with the exact header, and with extra harmless members,
    // the gateway accepts it.
    for header in [
        EXACT_HEADER,
        br#"{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"application/json"}"#,
    ] {
        let token = construct(header, BODY.as_bytes(), provider);
        assert_eq!(
            gateway
                .decrypt_request(request(token), provider)
                .unwrap()
                .body(),
            BODY
        );
    }
    for header in [
        &br#"{"alg":"RSA-OAEP-256","enc":"A256GCM","zip":"DEF"}"#[..],
        br#"{"alg":"RSA-OAEP-256","enc":"A256GCM","crit":["exp"],"exp":1}"#,
        br#"{"alg":"RSA-OAEP-256"}"#,
        br#"{"enc":"A256GCM"}"#,
        br#"{"alg":"dir","enc":"A256GCM"}"#,
        br#"{"alg":"RSA-OAEP-256","enc":"A256CBC-HS512"}"#,
        br#"{"alg":"RSA-OAEP-256","enc":"A256GCM","alg":"RSA-OAEP-256"}"#,
    ] {
        let token = construct(header, BODY.as_bytes(), provider);
        let err = gateway
            .decrypt_request(request(token), provider)
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::UnexpectedJweHeader { .. } | Error::MalformedJwe(_)
            ),
            "{}: {err}",
            String::from_utf8_lossy(header)
        );
        assert_eq!(err.gateway_code(), ERROR_INVALID_JWE_PAYLOAD);
        assert_eq!(err.gateway_status(), StatusCode::BAD_REQUEST);
    }
}

#[test]
fn sides_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync + Clone + std::fmt::Debug>() {}
    assert_send_sync::<Partner>();
    assert_send_sync::<Gateway>();
    assert_send_sync::<SealingKey>();
    assert_send_sync::<OpeningKey>();
    fn assert_error<E: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<Error>();
}

#[test]
fn emitted_jwe_decomposes_step_by_step() {
    // The other direction: take apart a JWE the crate emits with jose-core primitives.
    let f = fixtures();
    for (sender, receiver) in pairs() {
        let sent = partner_on(sender)
            .encrypt_request(plain_request(Method::POST, "/v1/users", BODY), sender)
            .unwrap();
        let parts: Vec<Vec<u8>> = sent
            .body()
            .split('.')
            .map(|p| Base64UrlUnpadded::decode_vec(p).unwrap())
            .collect();
        assert_eq!(parts[0], EXACT_HEADER);
        assert_eq!(parts[2].len(), 12, "96-bit IV");
        assert_eq!(parts[4].len(), 16, "128-bit tag");
        assert_eq!(parts[1].len(), 256, "RSA-2048 wrapped key");
        let raas_private = PrivateKey::from_pem(&f.raas.private_pkcs8, receiver).unwrap();
        let cek = raas_private
            .ops()
            .unwrap_key(KeyManagementAlgorithm::RsaOaep256, &parts[1])
            .unwrap();
        assert_eq!(cek.len(), 32);
        let aad = sent.body().split('.').next().unwrap().as_bytes();
        let plaintext = receiver
            .aead_open(
                ContentEncryption::A256Gcm,
                &cek,
                &parts[2],
                aad,
                &parts[3],
                &parts[4],
            )
            .unwrap();
        assert_eq!(&plaintext[..], BODY.as_bytes());
        // RSA-OAEP (SHA-1) must not unwrap it: the key really was wrapped with OAEP-256.
        assert!(
            raas_private
                .ops()
                .unwrap_key(KeyManagementAlgorithm::RsaOaep, &parts[1])
                .is_err()
        );
    }
}

#[test]
fn every_emitted_jwe_has_exactly_the_request4r_header() {
    let provider = jose::default_provider();
    let f = fixtures();
    let partner = partner_on(provider);
    let gateway = gateway_on(provider);
    for _ in 0..3 {
        let sent = partner
            .encrypt_request(plain_request(Method::POST, "/v1/users", BODY), provider)
            .unwrap();
        assert_exact_header(sent.body());
        let response = gateway
            .encrypt_response(Response::new(ANSWER), provider)
            .unwrap();
        assert_exact_header(response.body());
        let sealed = partner.raas_key().seal(b"[]", provider).unwrap();
        assert_exact_header(&sealed);
    }
    // With a kid configured, it goes between alg and enc, and nothing else is added.
    let with_kid = SealingKey::from_spki_pem(&f.raas.public_spki, provider)
        .unwrap()
        .with_kid("raas-2026")
        .unwrap();
    assert_eq!(with_kid.kid(), Some("raas-2026"));
    let partner = Partner::new(with_kid, partner.partner_key().clone());
    let sent = partner
        .encrypt_request(plain_request(Method::POST, "/v1/users", BODY), provider)
        .unwrap();
    assert_eq!(
        header_bytes(sent.body()),
        br#"{"alg":"RSA-OAEP-256","kid":"raas-2026","enc":"A256GCM"}"#
    );
    // A kidless gateway key accepts it; a gateway key with another kid does not.
    assert_eq!(
        gateway
            .decrypt_request(sent.clone(), provider)
            .unwrap()
            .body(),
        BODY
    );
    let other_kid = Gateway::new(
        OpeningKey::new(
            PrivateKey::from_pem(&f.raas.private_pkcs8, provider)
                .unwrap()
                .with_kid("raas-2025"),
        )
        .unwrap(),
        gateway.partner_key().clone(),
    );
    let err = other_kid.decrypt_request(sent, provider).unwrap_err();
    assert!(matches!(err, Error::DecryptionFailed), "{err}");
}

#[test]
fn headers_content_type_and_length() {
    let provider = jose::default_provider();
    let partner =
        partner_on(provider).with_content_type(http::HeaderValue::from_static("application/jose"));
    let mut request = plain_request(Method::POST, "/v1/users", BODY);
    request
        .headers_mut()
        .insert("content-length", BODY.len().into());
    let sent = partner.encrypt_request(request, provider).unwrap();
    assert_eq!(sent.headers()["content-type"], "application/jose");
    assert_eq!(
        sent.headers()["content-length"],
        sent.body().len().to_string().as_str()
    );
    let received = gateway_on(provider)
        .decrypt_request(sent, provider)
        .unwrap();
    assert_eq!(
        received.headers()["content-length"],
        BODY.len().to_string().as_str()
    );

    // A request without a body (a GET) is mapped and stays empty; the gateway passes it through.
    let get = Request::get("/v1/users/42?fields=name")
        .header("api_key", "k")
        .body(String::new())
        .unwrap();
    let sent = partner.encrypt_request(get, provider).unwrap();
    assert_eq!(sent.uri(), "/v1/partners/request4r/users/42?fields=name");
    assert!(sent.body().is_empty());
    assert!(!sent.headers().contains_key("content-type"));
    let received = gateway_on(provider)
        .decrypt_request(sent, provider)
        .unwrap();
    assert_eq!(received.uri(), "/v1/users/42?fields=name");
    assert!(received.body().is_empty());

    // A body that is not JSON is refused before anything is encrypted.
    for bad in ["not json", "{\"a\":"] {
        let err = partner
            .encrypt_request(plain_request(Method::POST, "/v1/users", bad), provider)
            .unwrap_err();
        assert!(matches!(err, Error::InvalidJson { .. }), "{err}");
    }
    let err = partner
        .encrypt_request(
            Request::post("/v1/users")
                .body(vec![0xc3_u8, 0x28])
                .unwrap(),
            provider,
        )
        .unwrap_err();
    assert!(matches!(err, Error::InvalidJson { .. }), "{err}");
}

#[test]
fn reference_id_helpers() {
    let provider = jose::default_provider();
    let mut body = json!({"email": "ada@example.com"});
    jose_request4r::set_reference_id(&mut body, "trace-1").unwrap();
    assert_eq!(body["reference_id"], "trace-1");
    assert!(matches!(
        jose_request4r::set_reference_id(&mut json!([1, 2]), "x"),
        Err(Error::InvalidJson { .. })
    ));

    let partner = partner_on(provider);
    let gateway = gateway_on(provider);
    let sent = partner
        .encrypt_request(
            plain_request(Method::POST, "/v1/users", &body.to_string()),
            provider,
        )
        .unwrap();
    let received = gateway.decrypt_request(sent, provider).unwrap();
    assert_eq!(received.headers()["x-reference-id"], "trace-1");
    let response = partner
        .decrypt_response(
            gateway
                .respond(&received, Response::new(ANSWER), provider)
                .unwrap(),
            provider,
        )
        .unwrap();
    assert_eq!(jose_request4r::reference_id(&response), Some("trace-1"));

    // No reference_id, or one that is not a string: no header.
    for plain in [r#"{"a":1}"#, r#"{"reference_id":5}"#, "[1]"] {
        let sent = partner
            .encrypt_request(plain_request(Method::POST, "/v1/users", plain), provider)
            .unwrap();
        let received = gateway.decrypt_request(sent, provider).unwrap();
        assert!(
            !received.headers().contains_key("x-reference-id"),
            "{plain}"
        );
    }
}

#[test]
fn keys_that_cannot_serve_request4r_are_refused() {
    let provider = jose::default_provider();
    let ec = PrivateKey::generate(KeySpec::Ec(jose::EcCurve::P256), provider).unwrap();
    assert!(matches!(
        SealingKey::new(ec.public_key()),
        Err(Error::Key { .. })
    ));
    assert!(matches!(
        OpeningKey::new(ec.clone()),
        Err(Error::Key { .. })
    ));
    // A JWK restricted to RSA-OAEP (SHA-1) cannot be bound to RSA-OAEP-256.
    let f = fixtures();
    let mut jwk = PrivateKey::from_pem(&f.raas.private_pkcs8, provider)
        .unwrap()
        .to_jwk()
        .unwrap();
    jwk.alg = Some("RSA-OAEP".into());
    let restricted = PrivateKey::from_jwk(&jwk, provider).unwrap();
    assert!(matches!(
        OpeningKey::new(restricted),
        Err(Error::Key { .. })
    ));
    assert!(matches!(
        SealingKey::from_spki_pem(
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
            provider
        ),
        Err(Error::Key { .. })
    ));
    assert!(matches!(
        Partner::from_pem(&f.raas.public_spki, "not a pem", provider),
        Err(Error::Key { .. })
    ));
    // The gateway answers its own key problems with a generic 500.
    let err = SealingKey::new(ec.public_key()).unwrap_err();
    assert_eq!(err.gateway_status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        err.to_gateway_response().body(),
        r#"{"code":"ERROR_INTERNAL","reason":"internal error"}"#
    );
}

#[test]
fn debug_output_shows_no_private_material() {
    let provider = jose::default_provider();
    let f = fixtures();
    let partner = partner_on(provider);
    let gateway = gateway_on(provider);
    let jwk = PrivateKey::from_pem(&f.partner.private_pkcs8, provider)
        .unwrap()
        .to_jwk()
        .unwrap()
        .to_json();
    let jwk: Value = serde_json::from_str(&jwk).unwrap();
    let secrets: Vec<String> = ["d", "p", "q", "dp", "dq", "qi"]
        .iter()
        .map(|m| jwk[*m].as_str().unwrap()[..16].to_owned())
        .chain(
            // Lines of the PEM bodies (base64 of the private keys).
            [&f.partner.private_pkcs8, &f.raas.private_pkcs8]
                .iter()
                .flat_map(|pem| {
                    pem.lines()
                        .filter(|l| !l.starts_with("-----"))
                        .map(|l| l[..16].to_owned())
                })
                .collect::<Vec<_>>(),
        )
        .collect();
    let debug = format!(
        "{partner:?} {gateway:?} {:?} {:?} {:#?}",
        partner.partner_key(),
        gateway.raas_key(),
        partner
    );
    assert!(debug.contains("Rsa"), "{debug}");
    for secret in &secrets {
        assert!(
            !debug.contains(secret.as_str()),
            "Debug output contains private material"
        );
    }
}

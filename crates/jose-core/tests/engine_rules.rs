//! The JWS and JWE engines' rules, one test each: every check here fails if its rule is removed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use jose_core::jwe::{Jwe, JweBuilder};
use jose_core::jws::{Jws, JwsBuilder, VerifyOptions};
use jose_core::*;
use std::sync::OnceLock;

fn provider() -> &'static dyn CryptoProvider {
    jose_crypto_awslc::provider()
}

fn ec_signer(kid: &str) -> SigningKey {
    let key = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider())
        .unwrap()
        .with_kid(kid);
    SigningKey::new(key, JwsAlgorithm::Es256).unwrap()
}

fn rsa_key() -> PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider()).unwrap())
        .clone()
}

fn limits() -> Limits {
    Limits::default()
}

/// Re-signs a hand-made protected header, so that tests can present headers the builder refuses to make.
fn forge(protected_json: &str, payload_segment: &str, signer: &SigningKey) -> String {
    let h = b64::encode(protected_json.as_bytes());
    let sig = signer
        .sign(format!("{h}.{payload_segment}").as_bytes())
        .unwrap();
    format!("{h}.{payload_segment}.{}", b64::encode(&sig))
}

#[test]
fn round_trip_in_every_serialization() {
    let s = ec_signer("a");
    let v = s.verifying_key();
    let jws = JwsBuilder::new(b"payload").signer(&s).sign().unwrap();
    for text in [
        jws.to_compact().unwrap(),
        jws.to_flattened_json().unwrap(),
        jws.to_general_json().unwrap(),
    ] {
        assert_eq!(
            Jws::parse(&text, &limits()).unwrap().verify([&v]).unwrap(),
            b"payload"
        );
    }
}

/// A confidential JWS (nested inside a JWE) goes through the constant-time codec: the same text
/// as the public one, in every serialization, both ways; and its decoding errors show no value.
#[test]
fn confidential_jws_is_the_same_token_through_the_constant_time_codec() {
    let s = ec_signer("a");
    let v = s.verifying_key();
    let payload = br#"{"iban":"DE89370400440532013000","amount":"12.00"}"#;
    let public = JwsBuilder::new(payload).signer(&s).sign().unwrap();
    let secret = JwsBuilder::new(payload)
        .confidential(true)
        .signer(&s)
        .sign()
        .unwrap();
    for (a, b) in [
        (public.to_compact().unwrap(), secret.to_compact().unwrap()),
        (
            public.to_flattened_json().unwrap(),
            secret.to_flattened_json().unwrap(),
        ),
        (
            public.to_general_json().unwrap(),
            secret.to_general_json().unwrap(),
        ),
    ] {
        // ECDSA is randomized: the signatures differ, the header and payload parts do not.
        let head = |t: &str| t.rsplit_once(['.', ',']).map(|(h, _)| h.to_owned());
        assert_eq!(head(&a), head(&b));
        for text in [&a, &b] {
            for jws in [
                Jws::parse(text, &limits()).unwrap(),
                Jws::parse_confidential(text, &limits()).unwrap(),
            ] {
                assert_eq!(jws.verify([&v]).unwrap(), payload);
            }
        }
    }
    let compact = secret.to_compact().unwrap();
    let reparsed = Jws::from_compact_confidential(&compact, &limits()).unwrap();
    assert_eq!(reparsed.to_compact().unwrap(), compact);
    // The same token is the same value whichever codec read it.
    assert_eq!(reparsed, Jws::from_compact(&compact, &limits()).unwrap());

    // A bad character in the payload: the public parser shows the text, the confidential one not.
    let (h, rest) = compact.split_once('.').unwrap();
    let (p, sig) = rest.split_once('.').unwrap();
    let bad = format!("{h}.{}!.{sig}", &p[..p.len() - 1]);
    let public_err = Jws::from_compact(&bad, &limits()).unwrap_err().to_string();
    let secret_err = Jws::from_compact_confidential(&bad, &limits())
        .unwrap_err()
        .to_string();
    assert!(public_err.contains(&p[..16]), "{public_err}");
    assert!(!secret_err.contains(&p[..16]), "{secret_err}");
    assert!(secret_err.contains("JWS payload"), "{secret_err}");
}

#[test]
fn header_order_is_alg_kid_then_callers_members() {
    let s = ec_signer("k1");
    let mut extra = Header::new();
    extra.set("tl_version", "2").set("tl_headers", "");
    let jws = JwsBuilder::new(b"x")
        .signer_with(&s, extra, None)
        .sign()
        .unwrap();
    assert_eq!(
        jws.signatures()[0].protected_header().to_json(),
        r#"{"alg":"ES256","kid":"k1","tl_version":"2","tl_headers":""}"#
    );
}

#[test]
fn builder_refuses_an_alg_that_contradicts_the_key() {
    let s = ec_signer("a");
    let mut extra = Header::new();
    extra.set("alg", "RS256");
    assert!(matches!(
        JwsBuilder::new(b"x").signer_with(&s, extra, None).sign(),
        Err(Error::InvalidRequest(_))
    ));
}

#[test]
fn none_and_unknown_algorithms_are_rejected() {
    let s = ec_signer("a");
    let v = s.verifying_key();
    for alg in ["none", "HS1", "es256"] {
        let token = forge(&format!(r#"{{"alg":"{alg}"}}"#), "eA", &s);
        let err = Jws::parse(&token, &limits())
            .unwrap()
            .verify([&v])
            .unwrap_err();
        assert!(
            matches!(err, Error::UnsupportedAlgorithm { .. }),
            "{alg}: {err}"
        );
    }
    // HS* are supported, but an EC key never allows them (key confusion).
    for alg in ["HS256", "HS384", "HS512"] {
        let token = forge(&format!(r#"{{"alg":"{alg}"}}"#), "eA", &s);
        let err = Jws::parse(&token, &limits())
            .unwrap()
            .verify([&v])
            .unwrap_err();
        assert!(
            matches!(err, Error::AlgorithmNotAllowed { .. }),
            "{alg}: {err}"
        );
    }
}

#[test]
fn the_keys_are_the_allow_list() {
    let s = ec_signer("a");
    let token = JwsBuilder::new(b"x")
        .signer(&s)
        .sign()
        .unwrap()
        .to_compact()
        .unwrap();
    let rsa_verifier = VerifyingKey::new(rsa_key().public_key(), JwsAlgorithm::Rs256).unwrap();
    let err = Jws::parse(&token, &limits())
        .unwrap()
        .verify(&[rsa_verifier])
        .unwrap_err();
    assert!(matches!(err, Error::AlgorithmNotAllowed { .. }), "{err}");
    let err = Jws::parse(&token, &limits())
        .unwrap()
        .verify(&[] as &[&VerifyingKey])
        .unwrap_err();
    assert!(matches!(err, Error::AlgorithmNotAllowed { .. }), "{err}");
}

#[test]
fn kid_selects_among_keys() {
    let a = ec_signer("a");
    let b = ec_signer("b");
    let token = JwsBuilder::new(b"x")
        .signer(&b)
        .sign()
        .unwrap()
        .to_compact()
        .unwrap();
    let jws = Jws::parse(&token, &limits()).unwrap();
    assert!(jws.verify(&[a.verifying_key(), b.verifying_key()]).is_ok());
    assert!(matches!(
        jws.verify(&[a.verifying_key()]),
        Err(Error::NoMatchingKey(_))
    ));
    // A key without a kid is a candidate for any kid; a wrong one fails the signature.
    let anonymous = VerifyingKey::new(
        a.private_key()
            .unwrap()
            .public_key()
            .with_meta(KeyMeta::default()),
        JwsAlgorithm::Es256,
    )
    .unwrap();
    assert!(matches!(jws.verify(&[anonymous]), Err(Error::BadSignature)));
}

#[test]
fn unknown_crit_is_rejected_unless_understood() {
    let s = ec_signer("a");
    let v = s.verifying_key();
    let token = forge(r#"{"alg":"ES256","crit":["exp"],"exp":1}"#, "eA", &s);
    let jws = Jws::parse(&token, &limits()).unwrap();
    assert!(matches!(jws.verify([&v]), Err(Error::InvalidHeader(_))));
    let opts = VerifyOptions::default().understand("exp");
    assert!(jws.verify_with([&v], None, &opts).is_ok());
    let listed_but_absent = forge(r#"{"alg":"ES256","crit":["exp"]}"#, "eA", &s);
    let jws = Jws::parse(&listed_but_absent, &limits()).unwrap();
    assert!(matches!(
        jws.verify_with(&[v], None, &opts),
        Err(Error::InvalidHeader(_))
    ));
}

#[test]
fn duplicate_header_members_are_rejected() {
    let s = ec_signer("a");
    let token = forge(r#"{"alg":"ES256","alg":"ES256"}"#, "eA", &s);
    assert!(matches!(
        Jws::parse(&token, &limits()),
        Err(Error::DuplicateMember { .. })
    ));
    let json = r#"{"payload":"eA","payload":"eQ","protected":"e30","signature":"AA"}"#;
    assert!(matches!(
        Jws::from_json(json, &limits()),
        Err(Error::DuplicateMember { .. })
    ));
}

#[test]
fn protected_and_unprotected_headers_must_be_disjoint() {
    let s = ec_signer("a");
    let mut unprotected = Header::new();
    unprotected.set("alg", "ES256");
    assert!(
        JwsBuilder::new(b"x")
            .signer_with(&s, Header::new(), Some(unprotected))
            .sign()
            .is_err()
    );
    let jws = JwsBuilder::new(b"x").signer(&s).sign().unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&jws.to_flattened_json().unwrap()).unwrap();
    v["header"] = serde_json::json!({"kid": "a"});
    assert!(matches!(
        Jws::from_json(&v.to_string(), &limits()),
        Err(Error::InvalidHeader(_))
    ));
}

#[test]
fn detached_payloads() {
    let s = ec_signer("a");
    let v = s.verifying_key();
    let jws = JwsBuilder::new(b"body")
        .detached(true)
        .signer(&s)
        .sign()
        .unwrap();
    let compact = jws.to_compact().unwrap();
    assert!(compact.contains(".."));
    let parsed = Jws::parse(&compact, &limits()).unwrap();
    parsed.verify_detached(b"body", [&v]).unwrap();
    assert!(matches!(
        parsed.verify_detached(b"bodY", [&v]),
        Err(Error::BadSignature)
    ));
    let flat = Jws::parse(&jws.to_flattened_json().unwrap(), &limits()).unwrap();
    assert!(flat.is_detached());
    assert!(flat.verify([&v]).is_err());
    flat.verify_detached(b"body", [&v]).unwrap();
    // A token that carries its own payload is not a detached JWS.
    let attached = JwsBuilder::new(b"body")
        .signer(&s)
        .sign()
        .unwrap()
        .to_compact()
        .unwrap();
    let attached = Jws::parse(&attached, &limits()).unwrap();
    assert!(matches!(
        attached.verify_detached(b"body", &[v]),
        Err(Error::InvalidRequest(_))
    ));
}

#[test]
fn unencoded_payloads() {
    let s = ec_signer("a");
    let v = s.verifying_key();
    let jws = JwsBuilder::new(b"$.02")
        .unencoded(true)
        .signer(&s)
        .sign()
        .unwrap();
    assert_eq!(
        jws.signatures()[0].protected_header().to_json(),
        r#"{"alg":"ES256","kid":"a","b64":false,"crit":["b64"]}"#
    );
    // RFC 7797 section 5.2: a '.' in an unencoded payload cannot go into the compact form attached.
    assert!(matches!(jws.to_compact(), Err(Error::InvalidRequest(_))));
    let parsed = Jws::parse(&jws.to_flattened_json().unwrap(), &limits()).unwrap();
    assert_eq!(parsed.verify([&v]).unwrap(), b"$.02");
    let detached = JwsBuilder::new(b"$.02")
        .unencoded(true)
        .detached(true)
        .signer(&s)
        .sign()
        .unwrap();
    let parsed = Jws::parse(&detached.to_compact().unwrap(), &limits()).unwrap();
    parsed.verify_detached(b"$.02", [&v]).unwrap();
    // b64:false not listed in crit is refused.
    let token = forge(r#"{"alg":"ES256","b64":false}"#, "abc", &s);
    assert!(matches!(
        Jws::parse(&token, &limits()),
        Err(Error::InvalidHeader(_))
    ));
}

#[test]
fn several_signatures() {
    let a = ec_signer("a");
    let b = ec_signer("b");
    let jws = JwsBuilder::new(b"x").signer(&a).signer(&b).sign().unwrap();
    assert!(jws.to_compact().is_err());
    assert!(jws.to_flattened_json().is_err());
    let parsed = Jws::parse(&jws.to_general_json().unwrap(), &limits()).unwrap();
    let verified = parsed
        .verify_with(&[b.verifying_key()], None, &VerifyOptions::default())
        .unwrap();
    assert_eq!(verified.signature_index, 1);
}

#[test]
fn limits_apply() {
    let s = ec_signer("a");
    let token = JwsBuilder::new(&[7u8; 1000])
        .signer(&s)
        .sign()
        .unwrap()
        .to_compact()
        .unwrap();
    let tight = Limits {
        max_token_len: 100,
        ..Limits::default()
    };
    assert!(matches!(
        Jws::parse(&token, &tight),
        Err(Error::LimitExceeded { .. })
    ));
    let few = Limits {
        max_signatures: 1,
        ..Limits::default()
    };
    let two = JwsBuilder::new(b"x")
        .signer(&s)
        .signer(&s)
        .sign()
        .unwrap()
        .to_general_json()
        .unwrap();
    assert!(matches!(
        Jws::parse(&two, &few),
        Err(Error::LimitExceeded { .. })
    ));
}

#[test]
fn ecdsa_signature_must_have_the_exact_length() {
    let s = ec_signer("a");
    let v = s.verifying_key();
    let token = JwsBuilder::new(b"x")
        .signer(&s)
        .sign()
        .unwrap()
        .to_compact()
        .unwrap();
    let (head, sig) = token.rsplit_once('.').unwrap();
    let mut raw = b64::decode("sig", sig).unwrap();
    raw.insert(0, 0);
    let longer = format!("{head}.{}", b64::encode(&raw));
    assert!(matches!(
        Jws::parse(&longer, &limits()).unwrap().verify(&[v]),
        Err(Error::BadSignature)
    ));
}

fn decrypting(alg: KeyManagementAlgorithm) -> DecryptingKey {
    DecryptingKey::new(rsa_key().with_kid("enc"), alg).unwrap()
}

#[test]
fn jwe_round_trip_in_every_serialization_with_aad_and_headers() {
    let d = decrypting(KeyManagementAlgorithm::RsaOaep256);
    let e = d.encrypting_key();
    let mut shared = Header::new();
    shared.set("x-shared", 1);
    let jwe = JweBuilder::new(ContentEncryption::A128Gcm)
        .recipient(&e)
        .encrypt(b"secret", provider())
        .unwrap();
    let with_aad = JweBuilder::new(ContentEncryption::A128Gcm)
        .unprotected(shared)
        .aad(b"bound")
        .recipient(&e)
        .encrypt(b"secret", provider())
        .unwrap();
    assert!(with_aad.to_compact().is_err());
    for text in [
        jwe.to_compact().unwrap(),
        jwe.to_flattened_json().unwrap(),
        jwe.to_general_json().unwrap(),
        with_aad.to_flattened_json().unwrap(),
        with_aad.to_general_json().unwrap(),
    ] {
        let out = Jwe::parse(&text, &limits())
            .unwrap()
            .decrypt([&d], &[ContentEncryption::A128Gcm], provider())
            .unwrap();
        assert_eq!(&out.plaintext[..], b"secret");
    }
    // Changing the AAD breaks the tag.
    let mut v: serde_json::Value =
        serde_json::from_str(&with_aad.to_flattened_json().unwrap()).unwrap();
    v["aad"] = serde_json::Value::String(b64::encode(b"other"));
    let err = Jwe::parse(&v.to_string(), &limits())
        .unwrap()
        .decrypt(&[d], &[ContentEncryption::A128Gcm], provider())
        .unwrap_err();
    assert_eq!(err, Error::DecryptionFailed);
}

#[test]
fn jwe_allow_lists() {
    let d = decrypting(KeyManagementAlgorithm::RsaOaep256);
    let token = JweBuilder::new(ContentEncryption::A256Gcm)
        .recipient(&d.encrypting_key())
        .encrypt(b"m", provider())
        .unwrap()
        .to_compact()
        .unwrap();
    let jwe = Jwe::parse(&token, &limits()).unwrap();
    assert!(matches!(
        jwe.decrypt([&d], &[ContentEncryption::A128Gcm], provider()),
        Err(Error::AlgorithmNotAllowed { .. })
    ));
    let oaep1 = decrypting(KeyManagementAlgorithm::RsaOaep);
    assert!(matches!(
        jwe.decrypt(&[oaep1], &[ContentEncryption::A256Gcm], provider()),
        Err(Error::AlgorithmNotAllowed { .. })
    ));
    assert!(
        jwe.decrypt(&[d], &[ContentEncryption::A256Gcm], provider())
            .is_ok()
    );
}

#[test]
fn jwe_wrong_key_is_the_same_opaque_error_as_a_bad_tag() {
    let d = decrypting(KeyManagementAlgorithm::RsaOaep);
    let other = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider())
        .unwrap()
        .with_kid("enc");
    let other = DecryptingKey::new(other, KeyManagementAlgorithm::RsaOaep).unwrap();
    let token = JweBuilder::new(ContentEncryption::A192Gcm)
        .recipient(&d.encrypting_key())
        .encrypt(b"m", provider())
        .unwrap()
        .to_compact()
        .unwrap();
    let wrong_key = Jwe::parse(&token, &limits()).unwrap().decrypt(
        &[other],
        &[ContentEncryption::A192Gcm],
        provider(),
    );
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[4] = b64::encode(&[0u8; 16]);
    let bad_tag = Jwe::parse(&parts.join("."), &limits()).unwrap().decrypt(
        &[d],
        &[ContentEncryption::A192Gcm],
        provider(),
    );
    assert_eq!(wrong_key.unwrap_err(), Error::DecryptionFailed);
    assert_eq!(bad_tag.unwrap_err(), Error::DecryptionFailed);
}

#[test]
fn jwe_zip_and_unknown_crit_are_refused() {
    let d = decrypting(KeyManagementAlgorithm::RsaOaep256);
    // zip: only "DEF", and a compressed JWE is refused unless the caller allows it.
    let mut zip = Header::new();
    zip.set("zip", "GZIP");
    assert!(
        JweBuilder::new(ContentEncryption::A128Gcm)
            .protected(zip)
            .recipient(&d.encrypting_key())
            .encrypt(b"m", provider())
            .is_err()
    );
    let compressed = JweBuilder::new(ContentEncryption::A128Gcm)
        .compress(true)
        .recipient(&d.encrypting_key())
        .encrypt(b"m", provider())
        .unwrap()
        .to_compact()
        .unwrap();
    assert!(matches!(
        Jwe::parse(&compressed, &limits()).unwrap().decrypt(
            &[&d],
            &[ContentEncryption::A128Gcm],
            provider()
        ),
        Err(Error::InvalidHeader(_))
    ));
    let mut crit = Header::new();
    crit.set("crit", serde_json::json!(["x-bank"]))
        .set("x-bank", 1);
    let token = JweBuilder::new(ContentEncryption::A128Gcm)
        .protected(crit)
        .recipient(&d.encrypting_key())
        .encrypt(b"m", provider())
        .unwrap()
        .to_compact()
        .unwrap();
    let jwe = Jwe::parse(&token, &limits()).unwrap();
    assert!(matches!(
        jwe.decrypt([&d], &[ContentEncryption::A128Gcm], provider()),
        Err(Error::InvalidHeader(_))
    ));
    let opts = jose_core::jwe::DecryptOptions::default().understand("x-bank");
    assert!(
        jwe.decrypt_with(&[d], &[ContentEncryption::A128Gcm], &opts, provider())
            .is_ok()
    );
}

#[test]
fn jwe_several_recipients_each_decrypt() {
    let a = decrypting(KeyManagementAlgorithm::RsaOaep256);
    let b_key = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider())
        .unwrap()
        .with_kid("b");
    let b = DecryptingKey::new(b_key, KeyManagementAlgorithm::RsaOaep).unwrap();
    let jwe = JweBuilder::new(ContentEncryption::A256Gcm)
        .recipient(&a.encrypting_key())
        .recipient(&b.encrypting_key())
        .encrypt(b"to both", provider())
        .unwrap();
    assert!(jwe.to_compact().is_err());
    let general = jwe.to_general_json().unwrap();
    for (key, index) in [(a, 0), (b, 1)] {
        let out = Jwe::parse(&general, &limits())
            .unwrap()
            .decrypt(&[key], &[ContentEncryption::A256Gcm], provider())
            .unwrap();
        assert_eq!(&out.plaintext[..], b"to both");
        assert_eq!(out.recipient_index, index);
        assert_eq!(out.header.get_str("enc").unwrap(), Some("A256GCM"));
    }
}

#[test]
fn key_metadata_limits_use() {
    let key = rsa_key().with_meta(KeyMeta {
        use_: Some("enc".into()),
        ..KeyMeta::default()
    });
    assert!(matches!(
        SigningKey::new(key.clone(), JwsAlgorithm::Rs256),
        Err(Error::InvalidKey { .. })
    ));
    assert!(DecryptingKey::new(key, KeyManagementAlgorithm::RsaOaep).is_ok());
    let key = rsa_key().with_meta(KeyMeta {
        alg: Some("PS256".into()),
        ..KeyMeta::default()
    });
    assert!(matches!(
        SigningKey::new(key.clone(), JwsAlgorithm::Rs256),
        Err(Error::AlgorithmNotAllowed { .. })
    ));
    assert!(SigningKey::new(key, JwsAlgorithm::Ps256).is_ok());
    let ec = PrivateKey::generate(KeySpec::Ec(EcCurve::P384), provider()).unwrap();
    assert!(matches!(
        SigningKey::new(ec, JwsAlgorithm::Es256),
        Err(Error::InvalidKey { .. })
    ));
}

#[test]
fn jwe_builder_refuses_headers_a_decrypter_would_refuse() {
    let d = decrypting(KeyManagementAlgorithm::RsaOaep256);
    let e = d.encrypting_key();
    for name in ["zip", "crit", "enc"] {
        let mut h = Header::new();
        h.set(name, "x");
        let r = JweBuilder::new(ContentEncryption::A128Gcm)
            .recipient_with(&e, Some(h))
            .encrypt(b"m", provider());
        assert!(matches!(r, Err(Error::InvalidRequest(_))), "{name}");
    }
    let mut kid = Header::new();
    kid.set("kid", "shared");
    let r = JweBuilder::new(ContentEncryption::A128Gcm)
        .protected(kid)
        .recipient(&e)
        .recipient(&e)
        .encrypt(b"m", provider());
    assert!(matches!(r, Err(Error::InvalidRequest(_))));
}

#[test]
fn only_ascii_whitespace_is_trimmed() {
    let s = ec_signer("a");
    let token = JwsBuilder::new(b"x")
        .signer(&s)
        .sign()
        .unwrap()
        .to_compact()
        .unwrap();
    assert!(Jws::parse(&format!(" \n{token}\r\n\t"), &limits()).is_ok());
    assert!(Jws::parse(&format!("\u{3000}{token}"), &limits()).is_err());
}

#[test]
fn jwe_protected_header_layout_follows_the_caller_when_it_names_the_members() {
    let d = decrypting(KeyManagementAlgorithm::RsaOaep256);
    let e = d.encrypting_key();
    let build = |h: Header| {
        JweBuilder::new(ContentEncryption::A256Gcm)
            .protected(h)
            .recipient(&e)
            .encrypt(b"m", provider())
            .unwrap()
            .protected_header()
            .to_json()
    };
    let mut cty = Header::new();
    cty.set("cty", "application/jose");
    assert_eq!(
        build(cty),
        r#"{"alg":"RSA-OAEP-256","kid":"enc","enc":"A256GCM","cty":"application/jose"}"#
    );
    let mut klarna = Header::new();
    klarna
        .set("alg", "RSA-OAEP-256")
        .set("enc", "A256GCM")
        .set("kid", "enc")
        .set("cty", "application/jose");
    assert_eq!(
        build(klarna),
        r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"enc","cty":"application/jose"}"#
    );
    let mut wrong = Header::new();
    wrong.set("enc", "A128GCM");
    assert!(
        JweBuilder::new(ContentEncryption::A256Gcm)
            .protected(wrong)
            .recipient(&e)
            .encrypt(b"m", provider())
            .is_err()
    );
}

/// Verification and decryption take any iterable of keys or key references, none cloned: a slice
/// of keys, a slice of references, an array, an `Option`, `Arc`s, a filtered iterator.
#[test]
fn keys_are_taken_by_reference_from_any_iterable() {
    use std::sync::Arc;
    let a = ec_signer("a");
    let b = ec_signer("b");
    let (va, vb) = (a.verifying_key(), b.verifying_key());
    let token = JwsBuilder::new(b"by reference")
        .signer(&b)
        .sign()
        .unwrap()
        .to_compact()
        .unwrap();
    let jws = Jws::parse(&token, &limits()).unwrap();
    let owned = vec![va.clone(), vb.clone()];
    let refs: &[&VerifyingKey] = &[&va, &vb];
    let arcs = vec![Arc::new(va.clone()), Arc::new(vb.clone())];
    assert_eq!(jws.verify(&owned).unwrap(), b"by reference");
    assert_eq!(jws.verify(refs).unwrap(), b"by reference");
    assert_eq!(jws.verify([&va, &vb]).unwrap(), b"by reference");
    assert_eq!(jws.verify(Some(&vb)).unwrap(), b"by reference");
    assert_eq!(jws.verify(&arcs).unwrap(), b"by reference");
    assert_eq!(
        jws.verify(owned.iter().filter(|k| k.kid() == Some("b")))
            .unwrap(),
        b"by reference"
    );
    // The iterable is still the allow-list: without b's key, a alone does not verify it.
    for refused in [
        jws.verify(Some(&va)),
        jws.verify(owned.iter().filter(|k| k.kid() == Some("a"))),
    ] {
        assert!(
            matches!(refused, Err(Error::NoMatchingKey(_))),
            "{refused:?}"
        );
    }

    let d = decrypting(KeyManagementAlgorithm::RsaOaep256);
    let other = DecryptingKey::new(
        PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider())
            .unwrap()
            .with_kid("enc"),
        KeyManagementAlgorithm::RsaOaep256,
    )
    .unwrap();
    let jwe = JweBuilder::new(ContentEncryption::A256Gcm)
        .recipient(&d.encrypting_key())
        .encrypt(b"secret", provider())
        .unwrap();
    let enc = [ContentEncryption::A256Gcm];
    let ring: Vec<Arc<DecryptingKey>> = vec![Arc::new(d.clone())];
    for out in [
        jwe.decrypt([&other, &d], &enc, provider()),
        jwe.decrypt(&[&d][..], &enc, provider()),
        jwe.decrypt(Some(&d), &enc, provider()),
        jwe.decrypt(&ring, &enc, provider()),
    ] {
        assert_eq!(&out.unwrap().plaintext[..], b"secret");
    }
    assert_eq!(
        jwe.decrypt(Some(&other), &enc, provider()).unwrap_err(),
        Error::DecryptionFailed
    );
}

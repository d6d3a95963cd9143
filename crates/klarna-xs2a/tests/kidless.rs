//! A key ring or verifier set of one key may hold it without a `kid` (an `openssl genrsa` PEM):
//! with one key there is nothing to choose, so it is used whatever the token's `kid`, or when
//! the token has none. It still has to decrypt and verify. Several keys need kids.

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
use jose::{ContentEncryption, PrivateKey};
use jose::{EncryptingKey, Header, JwsAlgorithm, KeyManagementAlgorithm, KeyMeta, SigningKey};
use jose_klarna_xs2a::{Error, KeyRing, Layer, Opener, VerifierSet};
use serde_json::json;

/// The key as an `openssl genrsa` PEM imports: no kid, no other metadata.
fn bare(key: &PrivateKey) -> PrivateKey {
    key.clone().with_meta(KeyMeta::default())
}

/// A request token signed with `signer` and encrypted to `recipient`, with exactly the kids
/// given (none when `None`).
fn make_token(
    keys: &Keys,
    signer: &PrivateKey,
    jws_kid: Option<&str>,
    recipient: &PrivateKey,
    jwe_kid: Option<&str>,
) -> String {
    let body = json!({"request_id": "kidless-request-1", "request_timestamp": T0});
    let mut signing = bare(signer);
    if let Some(kid) = jws_kid {
        signing = signing.with_kid(kid);
    }
    let signer = SigningKey::new(signing, JwsAlgorithm::Rs512).unwrap();
    let mut header = Header::new();
    header.set("cty", "application/json");
    let jws = JwsBuilder::new(&serde_json::to_vec(&body).unwrap())
        .signer_with(&signer, header, None)
        .sign()
        .unwrap()
        .to_compact()
        .unwrap();
    let mut public = bare(recipient).public_key();
    if let Some(kid) = jwe_kid {
        public = public.with_kid(kid);
    }
    let recipient = EncryptingKey::new(public, KeyManagementAlgorithm::RsaOaep256).unwrap();
    JweBuilder::new(ContentEncryption::A256Gcm)
        .recipient(&recipient)
        .content_type("application/jose")
        .encrypt(jws.as_bytes(), keys.provider)
        .unwrap()
        .to_compact()
        .unwrap()
}

/// The server's opener with its one decryption key and the client's one signing key, both
/// without kid.
fn kidless_opener(keys: &Keys) -> Opener {
    Opener::new(
        KeyRing::new().with(bare(&keys.server_enc)).unwrap(),
        VerifierSet::new()
            .with(bare(&keys.client_sig).public_key())
            .unwrap(),
    )
}

#[test]
fn one_key_without_kid_is_used_whatever_the_tokens_kid() {
    for keys in all_keys() {
        let p = keys.provider;
        let opener = kidless_opener(&keys);
        for (jws_kid, jwe_kid) in [
            (Some(CLIENT_SIG), Some(SERVER_ENC)),
            (Some("anything"), Some("whatever")),
            (None, None),
            (Some(CLIENT_SIG), None),
            (None, Some(SERVER_ENC)),
        ] {
            let token = make_token(&keys, &keys.client_sig, jws_kid, &keys.server_enc, jwe_kid);
            let opened = opener
                .open(&token, p)
                .unwrap_or_else(|e| panic!("{jws_kid:?}/{jwe_kid:?}: {e}"));
            assert_eq!(opened.body["request_id"], "kidless-request-1");
            // Our keys have no kid to report.
            assert_eq!(opened.decryption_kid, "");
            assert_eq!(opened.signing_kid, "");
        }
        // The server role on the same opener: the checks after opening still run.
        let server = jose_klarna_xs2a::Server::new(keys.server_sealer(), kidless_opener(&keys))
            .with_clock(clock());
        let token = make_token(&keys, &keys.client_sig, None, &keys.server_enc, None);
        assert!(server.open_request(&token, p).is_ok());
        assert!(matches!(
            server.open_request(&token, p),
            Err(Error::Replayed { .. })
        ));
    }
}

#[test]
fn the_one_key_must_still_decrypt_and_verify() {
    let keys = Keys::on(jose::default_provider());
    let p = keys.provider;
    let opener = kidless_opener(&keys);
    // Encrypted to another key: opaque decryption failure.
    let token1 = make_token(&keys, &keys.client_sig, None, &keys.server_enc_old, None);
    assert_eq!(
        opener.open(&token1, p).unwrap_err(),
        Error::DecryptionFailed
    );
    // Signed by another key: bad signature.
    let token2 = make_token(&keys, &keys.server_sig, None, &keys.server_enc, None);
    assert_eq!(opener.open(&token2, p).unwrap_err(), Error::BadSignature);
}

#[test]
fn keys_with_kids_still_need_the_tokens_kid() {
    let keys = Keys::on(jose::default_provider());
    let p = keys.provider;
    // The usual opener: keys with kids. A token without kids names none of them.
    let opener = keys.server_opener();
    let token = make_token(&keys, &keys.client_sig, None, &keys.server_enc, None);
    assert!(matches!(
        opener.open(&token, p),
        Err(Error::UnknownKid { layer: Layer::Jwe, ref found, .. }) if found == "no kid"
    ));
    // One key with a kid is still chosen by it (a mismatch says which key the sender used).
    let single = Opener::new(
        KeyRing::new().with(keys.server_enc.clone()).unwrap(),
        VerifierSet::new()
            .with(keys.client_sig.public_key())
            .unwrap(),
    );
    let token = make_token(
        &keys,
        &keys.client_sig,
        Some(CLIENT_SIG),
        &keys.server_enc,
        Some("2AF92B1C"),
    );
    assert!(matches!(
        single.open(&token, p),
        Err(Error::UnknownKid { layer: Layer::Jwe, ref found, .. }) if found == "\"2AF92B1C\""
    ));
}

#[test]
fn several_keys_need_kids() {
    let keys = Keys::on(jose::default_provider());
    // Without kid beside one with a kid, in either order.
    let with_kid_first = KeyRing::new()
        .with(keys.server_enc.clone())
        .unwrap()
        .with(bare(&keys.server_enc_old));
    let without_kid_first = KeyRing::new()
        .with(bare(&keys.server_enc_old))
        .unwrap()
        .with(keys.server_enc.clone());
    for result in [with_kid_first, without_kid_first] {
        match result {
            Err(Error::Key {
                context,
                source: None,
            }) => {
                assert!(
                    context.contains("several keys are chosen by kid"),
                    "{context}"
                )
            }
            other => panic!("expected a key error, found {other:?}"),
        }
    }
    // Two without kid.
    assert!(matches!(
        VerifierSet::new()
            .with(bare(&keys.client_sig).public_key())
            .unwrap()
            .with(bare(&keys.server_sig).public_key()),
        Err(Error::Key { .. })
    ));
    // A key without kid is refused where it would go on the wire: the sealer's keys.
    assert!(matches!(
        jose_klarna_xs2a::Sealer::new(bare(&keys.client_sig), keys.server_enc.public_key()),
        Err(Error::Key { .. })
    ));
    assert!(matches!(
        jose_klarna_xs2a::Sealer::new(keys.client_sig.clone(), bare(&keys.server_enc).public_key()),
        Err(Error::Key { .. })
    ));
}

//! Signing with keys held outside any provider (a KMS, an HSM): two-phase signing
//! (`JwsBuilder::prepare` / `PreparedJws::finish`) and the `ExternalSigner` /
//! `AsyncExternalSigner` traits, for every JWS algorithm on both providers.
//!
//! The fake KMS holds a provider key and answers the way real ones do: RSA signatures as they
//! are, ECDSA signatures in DER (encoded here with the `der` crate, independently of jose-core's
//! converter), which its client turns into JOSE's raw r || s with `ecdsa_der_to_raw`. Every token
//! is verified by the ordinary `Jws::verify` path with the public key on both providers.

// Test code: a failing expectation should fail loudly (clippy.toml only covers #[test] bodies).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use der::Encode;
use der::asn1::UintRef;
use jose_core::alg::SignatureScheme;
use jose_core::error::display_chain;
use jose_core::jws::{
    AsyncExternalSigner, ExternalKey, ExternalSigner, Jws, JwsBuilder, PreparedJws, SignatureFuture,
};
use jose_core::{
    EcCurve, Error, ErrorClass, Header, JwsAlgorithm, KeyKind, KeySpec, Limits, PrivateKey,
    SigningKey, VerifyingKey, b64, ecdsa_der_to_raw,
};
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

const PAYLOAD: &[u8] = b"{\"iss\":\"kms\",\"amount\":\"10,00 EUR\"}";

// ---------------------------------------------------------------------------------------------
// A tiny executor (std only): poll, and park the thread until the future's waker unparks it.

struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(out) => return out,
            Poll::Pending => std::thread::park(),
        }
    }
}

/// Pending once (after waking its waker), then ready: stands in for a network round trip.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The fake KMS and its client.

/// The KMS: a provider key that signs messages, answering ECDSA in DER.
struct FakeKms {
    key: PrivateKey,
    calls: AtomicUsize,
}

impl FakeKms {
    fn new(key: PrivateKey) -> Self {
        FakeKms {
            key,
            calls: AtomicUsize::new(0),
        }
    }

    /// What the KMS's `Sign` answers: the RSA signature, or `ECDSA-Sig-Value` DER.
    fn kms_sign(&self, alg: JwsAlgorithm, message: &[u8]) -> Result<Vec<u8>, Error> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let signature = self.key.ops().sign(alg, message)?;
        Ok(match alg.scheme() {
            SignatureScheme::Ecdsa(curve) => der_of_raw(curve, &signature),
            _ => signature,
        })
    }
}

/// r || s as DER, by the `der` crate (minimal INTEGERs, sign byte where needed).
fn der_of_raw(curve: EcCurve, raw: &[u8]) -> Vec<u8> {
    let (r, s) = raw.split_at(curve.coordinate_len());
    vec![UintRef::new(r).unwrap(), UintRef::new(s).unwrap()]
        .to_der()
        .unwrap()
}

/// The KMS client an application writes: the KMS's answer in JWS form.
impl ExternalSigner for FakeKms {
    fn sign(&self, alg: JwsAlgorithm, signing_input: &[u8]) -> Result<Vec<u8>, Error> {
        let answer = self.kms_sign(alg, signing_input)?;
        match alg.scheme() {
            SignatureScheme::Ecdsa(curve) => ecdsa_der_to_raw(curve, &answer),
            _ => Ok(answer),
        }
    }
}

impl AsyncExternalSigner for FakeKms {
    fn sign_async<'a>(&'a self, alg: JwsAlgorithm, signing_input: &'a [u8]) -> SignatureFuture<'a> {
        Box::pin(async move {
            YieldOnce(false).await;
            ExternalSigner::sign(self, alg, signing_input)
        })
    }
}

/// A KMS client that returns whatever it was set up with.
struct Answers(Result<Vec<u8>, Error>);

impl ExternalSigner for Answers {
    fn sign(&self, _: JwsAlgorithm, _: &[u8]) -> Result<Vec<u8>, Error> {
        self.0.clone()
    }
}

impl AsyncExternalSigner for Answers {
    fn sign_async<'a>(&'a self, _: JwsAlgorithm, _: &'a [u8]) -> SignatureFuture<'a> {
        Box::pin(async move {
            YieldOnce(false).await;
            self.0.clone()
        })
    }
}

/// A fresh key for `alg` on provider `i` (RSA from the per-binary pool).
fn key_for(alg: JwsAlgorithm, i: usize) -> PrivateKey {
    match alg.scheme() {
        SignatureScheme::Ecdsa(curve) => {
            PrivateKey::generate(KeySpec::Ec(curve), providers()[i]).unwrap()
        }
        SignatureScheme::EdDsa(curve) => {
            PrivateKey::generate(KeySpec::Okp(curve), providers()[i]).unwrap()
        }
        _ => rsa_keys()[i].clone(),
    }
}

/// The key's public half bound to `alg`, on provider `j`.
fn verifier_on(key: &PrivateKey, alg: JwsAlgorithm, kid: &str, j: usize) -> VerifyingKey {
    let public = transfer_public(&key.public_key(), providers()[j]).with_kid(kid);
    VerifyingKey::new(public, alg).unwrap()
}

/// Parses a compact token and verifies it with the key on both providers; the header has `alg`
/// and `kid` (none when `kid` is empty).
fn verify_everywhere(token: &str, key: &PrivateKey, alg: JwsAlgorithm, kid: &str, label: &str) {
    for j in 0..2 {
        let verifier = verifier_on(key, alg, kid, j);
        let jws = Jws::from_compact(token, &Limits::default()).unwrap();
        assert_eq!(
            jws.verify([&verifier])
                .unwrap_or_else(|e| panic!("{label}, verified on {}: {e}", providers()[j].name())),
            PAYLOAD,
            "{label}"
        );
        let header = jws.signatures()[0].protected_header();
        assert_eq!(header.get("alg").unwrap(), alg.name(), "{label}");
        match header.get("kid") {
            Some(found) => assert_eq!(found, kid, "{label}"),
            None => assert!(kid.is_empty(), "{label}: no kid"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The acceptance test: every algorithm, sync and async, both providers.

#[test]
fn every_algorithm_signs_through_an_external_signer_sync_and_async_on_both_providers() {
    for (i, provider) in providers().into_iter().enumerate() {
        for alg in JwsAlgorithm::asymmetric() {
            let key = key_for(alg, i);
            let kms = FakeKms::new(key.clone());
            let kid = format!("kms-{alg}-{}", provider.name());
            // Described by type and size only (length and shape checks), or by the public key
            // (every signature also verified before it is used).
            let by_kind = ExternalKey::new(alg, key.kind()).unwrap().with_kid(&kid);
            let by_public = ExternalKey::from_public_key(verifier_on(&key, alg, &kid, i)).unwrap();
            assert_eq!(by_public.kid(), Some(kid.as_str()));
            for (described, external) in [("kind", &by_kind), ("public key", &by_public)] {
                let label = format!("{alg} on {}, key by {described}", provider.name());

                let sync = JwsBuilder::new(PAYLOAD)
                    .sign_external(external, &kms)
                    .unwrap_or_else(|e| panic!("{label}, sync: {e}"));
                verify_everywhere(&sync.to_compact().unwrap(), &key, alg, &kid, &label);

                let signer: Arc<dyn AsyncExternalSigner> = Arc::new(FakeKms::new(key.clone()));
                let future = JwsBuilder::new(PAYLOAD).sign_external_async(external, &*signer);
                let async_jws = block_on(future).unwrap_or_else(|e| panic!("{label}, async: {e}"));
                verify_everywhere(&async_jws.to_compact().unwrap(), &key, alg, &kid, &label);

                // Two-phase by hand: the KMS's DER through ecdsa_der_to_raw.
                let prepared = JwsBuilder::new(PAYLOAD).prepare(external).unwrap();
                assert_eq!(prepared.alg(), alg);
                let answer = kms.kms_sign(alg, prepared.signing_input()).unwrap();
                let signature = match alg.scheme() {
                    SignatureScheme::Ecdsa(curve) => {
                        assert_eq!(answer[0], 0x30, "{label}: the fake KMS answers DER");
                        ecdsa_der_to_raw(curve, &answer).unwrap()
                    }
                    _ => answer,
                };
                assert_eq!(signature.len(), external.signature_len(), "{label}");
                let by_hand = prepared.finish(&signature).unwrap();
                verify_everywhere(&by_hand.to_compact().unwrap(), &key, alg, &kid, &label);
            }
            assert_eq!(kms.calls.load(Ordering::Relaxed), 4, "{alg}");
        }
    }
}

/// The future of `sign_external_async` is `Send` and outlives the builder and the key
/// description: it borrows only the signer.
#[test]
fn the_async_future_is_send_and_borrows_only_the_signer() {
    fn assert_send<T: Send>(value: T) -> T {
        value
    }
    let key = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), providers()[0]).unwrap();
    let kms = FakeKms::new(key.clone());
    let future = {
        let payload = PAYLOAD.to_vec();
        let external = ExternalKey::new(JwsAlgorithm::Es256, key.kind()).unwrap();
        assert_send(JwsBuilder::new(&payload).sign_external_async(&external, &kms))
    };
    let jws = block_on(future).unwrap();
    verify_everywhere(
        &jws.to_compact().unwrap(),
        &key,
        JwsAlgorithm::Es256,
        "",
        "no kid",
    );
}

// ---------------------------------------------------------------------------------------------
// What is prepared is what sign() signs.

/// One way of building a JWS, applied to a fresh builder.
type Shape = fn(JwsBuilder<'_>) -> JwsBuilder<'_>;

#[test]
fn the_prepared_input_is_what_sign_signs_byte_for_byte() {
    // RS256 is deterministic, so the two paths must give the same tokens.
    let alg = JwsAlgorithm::Rs256;
    let shapes: [(&str, Shape); 5] = [
        ("attached", |b| b),
        ("detached", |b| b.detached(true)),
        ("unencoded", |b| b.unencoded(true)),
        ("unencoded and detached", |b| {
            b.unencoded(true).detached(true)
        }),
        ("confidential", |b| b.confidential(true)),
    ];
    let mut extra = Header::new();
    extra
        .set("cty", "application/json")
        .set("kid", "header-kid")
        .set("tl_version", "2");
    for (i, provider) in providers().into_iter().enumerate() {
        let signing = SigningKey::new(rsa_keys()[i].clone().with_kid("key-kid"), alg).unwrap();
        let external = ExternalKey::from_public_key(signing.verifying_key()).unwrap();
        for (shape, apply) in shapes {
            for (members, protected) in [("no members", Header::new()), ("members", extra.clone())]
            {
                let label = format!("{shape}, {members}, {}", provider.name());
                let signed = apply(JwsBuilder::new(PAYLOAD))
                    .signer_with(&signing, protected.clone(), None)
                    .sign()
                    .unwrap();
                let prepared = apply(JwsBuilder::new(PAYLOAD))
                    .prepare_with(&external, protected.clone(), None)
                    .unwrap();
                // The signing input, rebuilt from its definition.
                let segment = if shape.starts_with("unencoded") {
                    PAYLOAD.to_vec()
                } else {
                    b64::encode(PAYLOAD).into_bytes()
                };
                let mut expected = prepared.protected_b64().as_bytes().to_vec();
                expected.push(b'.');
                expected.extend_from_slice(&segment);
                assert_eq!(prepared.signing_input(), expected.as_slice(), "{label}");
                assert_eq!(
                    prepared.protected_b64(),
                    signed.signatures()[0].protected_b64(),
                    "{label}"
                );
                let signature = signing.sign(prepared.signing_input()).unwrap();
                let finished = prepared.finish(&signature).unwrap();
                assert_eq!(finished, signed, "{label}");
                assert_eq!(
                    finished.to_compact().unwrap(),
                    signed.to_compact().unwrap(),
                    "{label}"
                );
                assert_eq!(
                    finished.to_flattened_json().unwrap(),
                    signed.to_flattened_json().unwrap(),
                    "{label}"
                );
                // The signer trait on the in-process key: the same token again.
                let through_trait = apply(JwsBuilder::new(PAYLOAD))
                    .prepare_with(&external, protected, None)
                    .unwrap()
                    .sign_with(&signing)
                    .unwrap();
                assert_eq!(
                    through_trait.to_compact().unwrap(),
                    signed.to_compact().unwrap(),
                    "{label}"
                );
            }
        }
        // The header order is alg, kid, then the members in order; a header kid wins.
        let prepared = JwsBuilder::new(PAYLOAD)
            .prepare_with(&external, extra.clone(), None)
            .unwrap();
        assert_eq!(
            prepared.protected_header().to_json(),
            r#"{"alg":"RS256","kid":"header-kid","cty":"application/json","tl_version":"2"}"#
        );
        // An unprotected header (JSON serializations), as signer_with takes it.
        let mut unprotected = Header::new();
        unprotected.set("kid", "unprotected-kid");
        let signed = JwsBuilder::new(PAYLOAD)
            .signer_with(&signing, Header::new(), Some(unprotected.clone()))
            .sign()
            .unwrap();
        let prepared = JwsBuilder::new(PAYLOAD)
            .prepare_with(&external, Header::new(), Some(unprotected))
            .unwrap();
        let signature = signing.sign(prepared.signing_input()).unwrap();
        assert_eq!(
            prepared
                .finish(&signature)
                .unwrap()
                .to_general_json()
                .unwrap(),
            signed.to_general_json().unwrap()
        );
    }
}

#[test]
fn the_digest_is_the_algorithms_hash_of_the_signing_input_on_both_providers() {
    for alg in JwsAlgorithm::asymmetric() {
        let kind = match alg.scheme() {
            SignatureScheme::Ecdsa(curve) => KeyKind::Ec(curve),
            SignatureScheme::EdDsa(curve) => KeyKind::Okp(curve),
            _ => KeyKind::Rsa { bits: 3072 },
        };
        let prepared = JwsBuilder::new(PAYLOAD)
            .detached(true)
            .prepare(&ExternalKey::new(alg, kind).unwrap())
            .unwrap();
        if alg == JwsAlgorithm::EdDsa {
            // PureEdDSA signs the whole input: no digest can stand in for it.
            for p in providers() {
                let err = prepared.digest(p).unwrap_err();
                assert!(
                    matches!(&err, Error::InvalidRequest(m) if m.contains("EdDSA") && m.contains("signing_input")),
                    "{err:?}"
                );
            }
            continue;
        }
        let [a, b] = providers().map(|p| prepared.digest(p).unwrap());
        assert_eq!(a, b, "{alg}: the two providers agree");
        assert_eq!(a.len(), alg.hash().output_len(), "{alg}");
        if alg.hash().output_len() == 32 {
            assert_eq!(a, providers()[0].sha256(prepared.signing_input()), "{alg}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What is refused.

/// The `ExternalSignature` error's `found`, or a panic.
fn unusable(result: Result<Jws, Error>, label: &str) -> String {
    match result {
        Err(Error::ExternalSignature { found, .. }) => found,
        other => panic!("{label}: expected ExternalSignature, got {other:?}"),
    }
}

fn prepared(alg: JwsAlgorithm, kind: KeyKind) -> PreparedJws {
    JwsBuilder::new(PAYLOAD)
        .prepare(&ExternalKey::new(alg, kind).unwrap())
        .unwrap()
}

#[test]
fn wrong_length_and_malformed_signatures_are_refused_with_a_clear_error() {
    let p = providers()[0];
    for alg in JwsAlgorithm::asymmetric() {
        let key = key_for(alg, 0);
        let len = ExternalKey::new(alg, key.kind()).unwrap().signature_len();
        for bad in [0, 1, len - 1, len + 1, 2 * len] {
            let found = unusable(
                prepared(alg, key.kind()).finish(&vec![1; bad]),
                &format!("{alg}, {bad} bytes"),
            );
            assert_eq!(found, format!("{bad} bytes"), "{alg}");
        }
        // The error says what was expected and is the caller's own (a local) problem.
        let err = prepared(alg, key.kind()).finish(&[1; 3]).unwrap_err();
        assert_eq!(err.class(), ErrorClass::Local);
        let text = err.to_string();
        assert!(
            text.contains(alg.name()) && text.contains(&len.to_string()),
            "{text}"
        );
    }
    // A KMS's DER handed over unconverted: the error names it.
    for curve in [EcCurve::P256, EcCurve::P384, EcCurve::P521] {
        let alg = JwsAlgorithm::for_curve(curve);
        let kms = FakeKms::new(PrivateKey::generate(KeySpec::Ec(curve), p).unwrap());
        let prepared = prepared(alg, KeyKind::Ec(curve));
        let der = kms.kms_sign(alg, prepared.signing_input()).unwrap();
        if der.len() != curve.signature_len() {
            let found = unusable(prepared.finish(&der), "DER");
            assert!(
                found.contains("DER") && found.contains("ecdsa_der_to_raw"),
                "{found}"
            );
        }
        // Zero scalars.
        let n = curve.coordinate_len();
        let mut zero_r = vec![1u8; 2 * n];
        zero_r[..n].fill(0);
        let found = unusable(
            self::prepared(alg, KeyKind::Ec(curve)).finish(&zero_r),
            "r = 0",
        );
        assert_eq!(found, "r = 0");
        let mut zero_s = vec![1u8; 2 * n];
        zero_s[n..].fill(0);
        let found = unusable(
            self::prepared(alg, KeyKind::Ec(curve)).finish(&zero_s),
            "s = 0",
        );
        assert_eq!(found, "s = 0");
    }
    // RSA: the modulus length, whatever the algorithm's hash.
    let found = unusable(
        prepared(JwsAlgorithm::Ps512, KeyKind::Rsa { bits: 3072 }).finish(&[1; 256]),
        "RSA",
    );
    assert_eq!(found, "256 bytes");
    let err = prepared(JwsAlgorithm::Ps512, KeyKind::Rsa { bits: 3072 })
        .finish(&[1; 256])
        .unwrap_err();
    assert!(
        err.to_string().contains("384 bytes (a 3072-bit modulus)"),
        "{err}"
    );
}

#[test]
fn with_the_public_key_a_signature_by_another_key_or_algorithm_is_refused() {
    for (i, provider) in providers().into_iter().enumerate() {
        let key = SigningKey::new(rsa_keys()[i].clone(), JwsAlgorithm::Rs256).unwrap();
        let other = SigningKey::new(rsa_keys_2()[i].clone(), JwsAlgorithm::Rs256).unwrap();
        let external = ExternalKey::from_public_key(key.verifying_key()).unwrap();
        // The right length, the wrong key.
        let prepared = JwsBuilder::new(PAYLOAD).prepare(&external).unwrap();
        let signature = other.sign(prepared.signing_input()).unwrap();
        let found = unusable(prepared.finish(&signature), provider.name());
        assert!(found.contains("does not"), "{found}");
        // The right key, the wrong algorithm (PS256 where RS256 was asked).
        let pss = SigningKey::new(rsa_keys()[i].clone(), JwsAlgorithm::Ps256).unwrap();
        let prepared = JwsBuilder::new(PAYLOAD).prepare(&external).unwrap();
        let signature = pss.sign(prepared.signing_input()).unwrap();
        unusable(prepared.finish(&signature), "PS256 for RS256");
        // Without the public key only the shape is checked: the same bytes are accepted, and
        // the recipient's verification fails.
        let by_kind =
            ExternalKey::new(JwsAlgorithm::Rs256, key.private_key().unwrap().kind()).unwrap();
        let prepared = JwsBuilder::new(PAYLOAD).prepare(&by_kind).unwrap();
        let signature = other.sign(prepared.signing_input()).unwrap();
        let jws = prepared.finish(&signature).unwrap();
        assert_eq!(jws.verify([&key.verifying_key()]), Err(Error::BadSignature));
    }
}

#[test]
fn an_external_signers_failure_keeps_its_error_as_the_source() {
    #[derive(Debug, thiserror::Error)]
    #[error("the KMS answered 503")]
    struct KmsDown;

    let p = providers()[0];
    let key = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), p).unwrap();
    let external = ExternalKey::new(JwsAlgorithm::Es256, key.kind()).unwrap();
    let failing = Answers(Err(Error::external_signer(KmsDown)));
    for err in [
        JwsBuilder::new(PAYLOAD)
            .sign_external(&external, &failing)
            .unwrap_err(),
        block_on(JwsBuilder::new(PAYLOAD).sign_external_async(&external, &failing)).unwrap_err(),
    ] {
        assert_eq!(
            display_chain(&err),
            "the external signer failed: the KMS answered 503"
        );
        assert_eq!(jose_core::error::repeated_cause(&err), None);
        assert_eq!(err.class(), ErrorClass::Local);
        let Error::ExternalSigner { source } = &err else {
            panic!("{err:?}")
        };
        assert!(source.downcast_ref::<KmsDown>().is_some());
        // Clone + Eq, by message.
        assert_eq!(err.clone(), Error::external_signer("the KMS answered 503"));
    }
    // A short answer, sync and async.
    let short = Answers(Ok(vec![1; 63]));
    assert_eq!(
        unusable(
            JwsBuilder::new(PAYLOAD).sign_external(&external, &short),
            "sync"
        ),
        "63 bytes"
    );
    assert_eq!(
        unusable(
            block_on(JwsBuilder::new(PAYLOAD).sign_external_async(&external, &short)),
            "async"
        ),
        "63 bytes"
    );
    // A closure is a signer.
    let closure = |_: JwsAlgorithm, _: &[u8]| -> Result<Vec<u8>, Error> {
        Err(Error::external_signer("HSM locked"))
    };
    assert_eq!(
        display_chain(
            &JwsBuilder::new(PAYLOAD)
                .sign_external(&external, &closure)
                .unwrap_err()
        ),
        "the external signer failed: HSM locked"
    );
    // An in-process key signs only for its own algorithm.
    let es256 = SigningKey::new(key, JwsAlgorithm::Es256).unwrap();
    assert!(matches!(
        ExternalSigner::sign(&es256, JwsAlgorithm::Es384, b"x"),
        Err(Error::InvalidKey { .. })
    ));
}

#[test]
fn builder_and_key_rules() {
    let p = providers()[0];
    // An external key must fit its algorithm.
    for (alg, kind) in [
        (JwsAlgorithm::Es256, KeyKind::Ec(EcCurve::P384)),
        (JwsAlgorithm::Rs256, KeyKind::Ec(EcCurve::P256)),
        (JwsAlgorithm::Es512, KeyKind::Rsa { bits: 2048 }),
        (JwsAlgorithm::Ps256, KeyKind::Rsa { bits: 1024 }),
        (JwsAlgorithm::Ps256, KeyKind::Rsa { bits: 16384 }),
    ] {
        assert!(
            matches!(ExternalKey::new(alg, kind), Err(Error::InvalidKey { .. })),
            "{alg} {kind}"
        );
    }
    assert_eq!(
        ExternalKey::new(JwsAlgorithm::Rs256, KeyKind::Rsa { bits: 2049 })
            .unwrap()
            .signature_len(),
        257
    );
    let key = SigningKey::new(
        PrivateKey::generate(KeySpec::Ec(EcCurve::P256), p).unwrap(),
        JwsAlgorithm::Es256,
    )
    .unwrap();
    let external = ExternalKey::from_public_key(key.verifying_key()).unwrap();
    // A prepared JWS has one signature: no in-process signers beside it.
    assert!(matches!(
        JwsBuilder::new(PAYLOAD).signer(&key).prepare(&external),
        Err(Error::InvalidRequest(_))
    ));
    // The header may not name another algorithm, nor b64 outside unencoded().
    let mut other_alg = Header::new();
    other_alg.set("alg", "ES384");
    assert!(matches!(
        JwsBuilder::new(PAYLOAD).prepare_with(&external, other_alg, None),
        Err(Error::InvalidRequest(_))
    ));
    let mut b64_member = Header::new();
    b64_member.set("b64", false);
    assert!(
        JwsBuilder::new(PAYLOAD)
            .prepare_with(&external, b64_member, None)
            .is_err()
    );
    // Debug shows no payload.
    let prepared = JwsBuilder::new(b"secret-payload")
        .confidential(true)
        .prepare(&external)
        .unwrap();
    let debug = format!("{prepared:?}");
    assert!(
        !debug.contains("secret") && !debug.contains(&b64::encode(b"secret-payload")),
        "{debug}"
    );
    // A prepared JWS can wait: clone it, finish one copy.
    let copy = prepared.clone();
    let signature = key.sign(copy.signing_input()).unwrap();
    let jws = copy.finish(&signature).unwrap();
    assert_eq!(
        jws.verify([&key.verifying_key()]).unwrap(),
        b"secret-payload"
    );
}

/// `Arc<dyn ExternalSigner>` and `&dyn` both work, and a signer that can be shared across threads
/// is shared across threads.
#[test]
fn signers_are_object_safe_and_shareable() {
    let p = providers()[1];
    let key = PrivateKey::generate(KeySpec::Ec(EcCurve::P384), p).unwrap();
    let signer: Arc<dyn ExternalSigner> = Arc::new(FakeKms::new(key.clone()));
    let external = ExternalKey::new(JwsAlgorithm::Es384, key.kind())
        .unwrap()
        .with_kid("shared");
    let tokens = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                let jws = JwsBuilder::new(PAYLOAD)
                    .sign_external(&external, &*signer)
                    .unwrap();
                tokens.lock().unwrap().push(jws.to_compact().unwrap());
            });
        }
    });
    for token in tokens.into_inner().unwrap() {
        verify_everywhere(&token, &key, JwsAlgorithm::Es384, "shared", "threads");
    }
}

// ---------------------------------------------------------------------------------------------
// A signing-only provider through the normal builders (issue 14).

/// The whole of a signing-only KMS provider: one method. (It holds no key material the engine
/// can reach: it signs what it is given, with the key it keeps.)
struct OneMethodKms(PrivateKey);

impl ExternalSigner for OneMethodKms {
    fn sign(&self, alg: JwsAlgorithm, signing_input: &[u8]) -> Result<Vec<u8>, Error> {
        self.0.ops().sign(alg, signing_input)
    }
}

#[test]
fn a_one_method_signer_signs_through_the_normal_builders_on_both_providers() {
    for (i, provider) in providers().into_iter().enumerate() {
        for alg in JwsAlgorithm::asymmetric() {
            let label = format!("{alg} on {}", provider.name());
            let inside = key_for(alg, i);
            let public = VerifyingKey::new(inside.public_key().with_kid("kms-7"), alg).unwrap();
            let key = SigningKey::external(public.clone(), Arc::new(OneMethodKms(inside.clone())))
                .unwrap();
            assert_eq!(key.alg(), alg);
            assert_eq!(key.kid(), Some("kms-7"));
            assert!(key.private_key().is_none() && key.secret_key().is_none());
            assert!(!format!("{key:?}").contains("OneMethodKms"), "{label}");
            // The ordinary builder, every serialization, verified on both providers.
            let jws = JwsBuilder::new(PAYLOAD).signer(&key).sign().unwrap();
            verify_everywhere(&jws.to_compact().unwrap(), &inside, alg, "kms-7", &label);
            for token in [
                jws.to_flattened_json().unwrap(),
                jws.to_general_json().unwrap(),
            ] {
                let parsed = Jws::parse(&token, &Limits::default()).unwrap();
                assert_eq!(parsed.verify([&key.verifying_key()]).unwrap(), PAYLOAD);
            }
            // And where a SigningKey goes: sign-then-encrypt.
            let recipient_key = rsa_keys()[i].clone();
            let recipient = jose_core::EncryptingKey::new(
                recipient_key.public_key(),
                jose_core::KeyManagementAlgorithm::RsaOaep256,
            )
            .unwrap();
            let nested = jose_core::nested::sign_then_encrypt(
                PAYLOAD,
                &key,
                Header::new(),
                &recipient,
                jose_core::ContentEncryption::A256Gcm,
                "JWT",
                provider,
            )
            .unwrap();
            let decrypting = jose_core::DecryptingKey::new(
                recipient_key,
                jose_core::KeyManagementAlgorithm::RsaOaep256,
            )
            .unwrap();
            let opened = jose_core::nested::decrypt_then_verify(
                &nested,
                &[decrypting],
                &[jose_core::ContentEncryption::A256Gcm],
                &[public],
                &Limits::default(),
                provider,
            )
            .unwrap();
            assert_eq!(&opened.payload[..], PAYLOAD, "{label}");
        }
    }
}

#[test]
fn a_one_method_signer_with_the_wrong_key_is_caught_before_any_token() {
    let provider = providers()[0];
    let alg = JwsAlgorithm::Es256;
    let published = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider).unwrap();
    let other = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider).unwrap();
    let public = VerifyingKey::new(published.public_key(), alg).unwrap();
    let key = SigningKey::external(public, Arc::new(OneMethodKms(other))).unwrap();
    let err = JwsBuilder::new(PAYLOAD).signer(&key).sign().unwrap_err();
    assert!(matches!(err, Error::ExternalSignature { .. }), "{err:?}");
    // An HS* key is never external.
    let secret = jose_core::SecretKey::from_bytes(&[9u8; 32], provider).unwrap();
    let hs = VerifyingKey::symmetric(secret, JwsAlgorithm::Hs256).unwrap();
    assert!(matches!(
        SigningKey::external(hs, Arc::new(OneMethodKms(published))),
        Err(Error::InvalidKey { .. })
    ));
}

/// A provider key that only signs: `kind`, `sign` and `public_key`; every other operation is the
/// trait's default, a typed `Unsupported`.
#[derive(Debug)]
struct SignOnlyOps(PrivateKey);

impl jose_core::PrivateKeyOps for SignOnlyOps {
    fn kind(&self) -> KeyKind {
        self.0.kind()
    }
    fn sign(&self, alg: JwsAlgorithm, message: &[u8]) -> Result<Vec<u8>, Error> {
        self.0.ops().sign(alg, message)
    }
    fn public_key(&self) -> Arc<dyn jose_core::PublicKeyOps> {
        self.0.public_key().ops().clone()
    }
}

#[test]
fn a_sign_only_provider_key_signs_and_answers_unsupported_for_the_rest() {
    let provider = providers()[0];
    let inside = rsa_keys()[0].clone();
    let key = PrivateKey::from_ops(Arc::new(SignOnlyOps(inside.clone()))).with_kid("kms");
    // Signs through the normal builder; the token verifies with the public key.
    let signer = SigningKey::new(key.clone(), JwsAlgorithm::Ps256).unwrap();
    let token = JwsBuilder::new(PAYLOAD).signer(&signer).sign().unwrap();
    let verifier = VerifyingKey::new(inside.public_key(), JwsAlgorithm::Ps256).unwrap();
    assert_eq!(token.verify([&verifier]).unwrap(), PAYLOAD);
    // Export and unwrap: the typed Unsupported, reported as it is (not DecryptionFailed).
    assert!(matches!(key.to_pkcs8_der(), Err(Error::Unsupported { .. })));
    let alg = jose_core::KeyManagementAlgorithm::RsaOaep256;
    let recipient = jose_core::EncryptingKey::new(inside.public_key(), alg).unwrap();
    let jwe = jose_core::jwe::JweBuilder::new(jose_core::ContentEncryption::A128Gcm)
        .recipient(&recipient)
        .encrypt(PAYLOAD, provider)
        .unwrap();
    let decrypting = jose_core::DecryptingKey::new(key, alg).unwrap();
    let err = jwe
        .decrypt(
            [&decrypting],
            &[jose_core::ContentEncryption::A128Gcm],
            provider,
        )
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
    assert!(err.to_string().contains("key unwrap"), "{err}");
}

//! Sealing with our signing key held outside any provider (a KMS, an HSM), through jose-core's
//! `ExternalSigner` and `AsyncExternalSigner`: the same JWS as with the key in process, opened by
//! the other side as usual; and what is refused.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use jose::error::{display_chain, repeated_cause};
use jose::jwe::Jwe;
use jose::jws::{AsyncExternalSigner, ExternalKey, ExternalSigner, SignatureFuture};
use jose::{
    ContentEncryption, CryptoProvider, DecryptingKey, EcCurve, ErrorClass, JwsAlgorithm, KeyKind,
    KeyManagementAlgorithm, Limits, PrivateKey, VerifyingKey,
};
use jose_klarna_xs2a::{Client, Error, Sealer};
use serde_json::json;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

/// A KMS holding a provider key: signs what it is given, counts its calls.
struct Kms {
    key: PrivateKey,
    calls: AtomicUsize,
}

impl Kms {
    fn new(key: PrivateKey) -> Arc<Self> {
        Arc::new(Kms {
            key,
            calls: AtomicUsize::new(0),
        })
    }
}

impl ExternalSigner for Kms {
    fn sign(&self, alg: JwsAlgorithm, signing_input: &[u8]) -> Result<Vec<u8>, jose::Error> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.key.ops().sign(alg, signing_input)
    }
}

impl AsyncExternalSigner for Kms {
    fn sign_async<'a>(&'a self, alg: JwsAlgorithm, signing_input: &'a [u8]) -> SignatureFuture<'a> {
        Box::pin(async move {
            YieldOnce(false).await;
            ExternalSigner::sign(self, alg, signing_input)
        })
    }
}

/// A KMS that fails, or answers with the wrong number of bytes.
struct Broken(Result<Vec<u8>, jose::Error>);

impl ExternalSigner for Broken {
    fn sign(&self, _: JwsAlgorithm, _: &[u8]) -> Result<Vec<u8>, jose::Error> {
        self.0.clone()
    }
}

struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls, parking the thread until the future's waker unparks it (std only, no runtime).
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

/// Pending once (after waking its waker), then ready.
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

/// The client's signing key as an external key: by its public half (every signature checked) or
/// by its type and size only.
fn client_key(keys: &Keys, with_public: bool) -> ExternalKey {
    if with_public {
        ExternalKey::from_public_key(
            VerifyingKey::new(keys.client_sig.public_key(), JwsAlgorithm::Rs512).unwrap(),
        )
        .unwrap()
    } else {
        ExternalKey::new(JwsAlgorithm::Rs512, keys.client_sig.kind())
            .unwrap()
            .with_kid(CLIENT_SIG)
    }
}

/// The compact JWS inside a sealed token, decrypted with the server's key.
fn inner_jws(keys: &Keys, token: &str, provider: &dyn CryptoProvider) -> Vec<u8> {
    let key =
        DecryptingKey::new(keys.server_enc.clone(), KeyManagementAlgorithm::RsaOaep256).unwrap();
    Jwe::from_compact(token, &Limits::default())
        .unwrap()
        .decrypt([&key], &[ContentEncryption::A256Gcm], provider)
        .unwrap()
        .plaintext
        .to_vec()
}

#[test]
fn a_client_signing_through_a_kms_is_understood_by_the_server_on_both_providers() {
    for keys in all_keys() {
        let p = keys.provider;
        for with_public in [false, true] {
            let kms = Kms::new(keys.client_sig.clone());
            let sealer = Sealer::with_external_signer(
                client_key(&keys, with_public),
                kms.clone(),
                keys.server_enc.public_key(),
            )
            .unwrap();
            assert_eq!(sealer.signing_kid(), CLIENT_SIG);
            let clock = clock();
            let client =
                Client::new(sealer.clone(), keys.client_opener()).with_clock(clock.clone());
            let server = keys.server(&clock);

            let sealed = client
                .seal_request(obj(json!({"psu": {"ip_address": "136.71.143.70"}})), p)
                .unwrap();
            let request = server.open_request(&sealed.token, p).unwrap();
            assert_eq!(request.signing_kid, CLIENT_SIG);
            assert_eq!(request.body["psu"]["ip_address"], "136.71.143.70");
            assert_eq!(kms.calls.load(Ordering::Relaxed), 1);

            // The JWS is byte for byte the one the in-process key makes (RS512 is deterministic).
            let body = obj(json!({"request_id": "0123456789", "amount": "10.00"}));
            let external = sealer.seal(&body, p).unwrap();
            let in_process = keys.client_sealer().seal(&body, p).unwrap();
            assert_ne!(external, in_process, "the JWE layer is randomized");
            assert_eq!(
                inner_jws(&keys, &external, p),
                inner_jws(&keys, &in_process, p)
            );
        }
    }
}

#[test]
fn an_asynchronous_kms_seals_with_seal_async() {
    for keys in all_keys() {
        let p = keys.provider;
        let kms = Kms::new(keys.client_sig.clone());
        let sealer = Sealer::with_async_signer(
            client_key(&keys, true),
            kms.clone(),
            keys.server_enc.public_key(),
        )
        .unwrap();
        let body = obj(json!({"request_id": "0123456789", "amount": "10.00"}));
        let future = sealer.seal_async(&body, p);
        fn assert_send<T: Send>(value: T) -> T {
            value
        }
        let token = block_on(assert_send(future)).unwrap();
        let opened = keys.server_opener().open(&token, p).unwrap();
        assert_eq!(opened.signing_kid, CLIENT_SIG);
        assert_eq!(opened.body["amount"], "10.00");
        assert_eq!(
            inner_jws(&keys, &token, p),
            inner_jws(&keys, &keys.client_sealer().seal(&body, p).unwrap(), p)
        );
        // The synchronous seal (and so Client and Server) cannot wait for it.
        let err = sealer.seal(&body, p).unwrap_err();
        assert!(matches!(err, Error::Key { source: None, .. }), "{err:?}");
        assert!(err.to_string().contains("seal_async"), "{err}");
        assert_eq!(kms.calls.load(Ordering::Relaxed), 1);
        // seal_async works for the other sealers too.
        for other in [
            keys.client_sealer(),
            Sealer::with_external_signer(
                client_key(&keys, false),
                kms.clone(),
                keys.server_enc.public_key(),
            )
            .unwrap(),
        ] {
            let token = block_on(other.seal_async(&body, p)).unwrap();
            keys.server_opener().open(&token, p).unwrap();
        }
    }
}

#[test]
fn only_an_rs512_key_with_a_kid_can_sign() {
    let keys = Keys::on(jose::default_provider());
    let kms = Kms::new(keys.client_sig.clone());
    let recipient = || keys.server_enc.public_key();
    for (key, found) in [
        (
            ExternalKey::new(JwsAlgorithm::Ps512, keys.client_sig.kind())
                .unwrap()
                .with_kid(CLIENT_SIG),
            "signs with PS512",
        ),
        (
            ExternalKey::new(JwsAlgorithm::Es256, KeyKind::Ec(EcCurve::P256))
                .unwrap()
                .with_kid(CLIENT_SIG),
            "signs with ES256",
        ),
        (
            ExternalKey::new(JwsAlgorithm::Rs512, keys.client_sig.kind()).unwrap(),
            "without one",
        ),
    ] {
        let err = Sealer::with_external_signer(key.clone(), kms.clone(), recipient()).unwrap_err();
        assert!(matches!(err, Error::Key { .. }), "{err:?}");
        assert!(err.to_string().contains(found), "{err}");
        assert_eq!(err.class(), ErrorClass::Local);
        assert!(Sealer::with_async_signer(key, kms.clone(), recipient()).is_err());
    }
}

#[test]
fn a_failing_or_wrong_kms_is_an_external_signing_error_with_its_cause() {
    let keys = Keys::on(jose::default_provider());
    let p = keys.provider;
    let body = obj(json!({"request_id": "0123456789"}));
    let seal_with = |key: ExternalKey, signer: Arc<dyn ExternalSigner>| {
        Sealer::with_external_signer(key, signer, keys.server_enc.public_key())
            .unwrap()
            .seal(&body, p)
            .unwrap_err()
    };
    let down = seal_with(
        client_key(&keys, false),
        Arc::new(Broken(Err(jose::Error::external_signer(
            "the KMS answered 503",
        )))),
    );
    assert_eq!(
        display_chain(&down),
        "cannot sign the JWS: the external signer failed: the KMS answered 503"
    );
    let short = seal_with(client_key(&keys, false), Arc::new(Broken(Ok(vec![1; 255]))));
    assert_eq!(
        display_chain(&short),
        "cannot sign the JWS: unusable RS512 signature from the external signer: expected 256 \
         bytes (a 2048-bit modulus), found 255 bytes"
    );
    // With the public key, a KMS that signs with another key is caught before sending.
    let wrong_key = seal_with(client_key(&keys, true), Kms::new(keys.server_sig.clone()));
    assert!(
        matches!(
            &wrong_key,
            Error::ExternalSigning(jose::Error::ExternalSignature { .. })
        ),
        "{wrong_key:?}"
    );
    for err in [&down, &short, &wrong_key] {
        assert!(matches!(err, Error::ExternalSigning(_)), "{err:?}");
        assert_eq!(err.class(), ErrorClass::Local);
        assert_eq!(repeated_cause(err), None, "{err}");
    }
    // The client's seal_request passes it on.
    let client = Client::new(
        Sealer::with_external_signer(
            client_key(&keys, false),
            Arc::new(Broken(Ok(Vec::new()))),
            keys.server_enc.public_key(),
        )
        .unwrap(),
        keys.client_opener(),
    );
    assert!(matches!(
        client.seal_request(obj(json!({})), p),
        Err(Error::ExternalSigning(_))
    ));
}

//! HTTPS for real: a rustls server on 127.0.0.1 with a certificate from a test CA made here; the
//! remote JWKS trusting that CA (`ca_pem`) fetches from it, one trusting the system's roots does
//! not, and plain http:// is refused unless allowed, and then only to loopback.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Answer, JwksServer, bounded, router_for, set_of};
use jose::{ErrorClass, JwsAlgorithm};
use jose_remote_jwks::{Error, RemoteJwks};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// A test-only CA (PEM) and a server configuration for 127.0.0.1 and localhost signed by it.
fn test_pki() -> (String, rustls::ServerConfig) {
    let pki = jose_test_support::TestPki::new("jose-remote-jwks").unwrap();
    let chain: Vec<CertificateDer<'static>> = vec![CertificateDer::from(pki.cert_der)];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.key_der));
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    (pki.ca_pem, config)
}

/// TCP plus a TLS handshake (bounded; a failed one is dropped), for `axum::serve`.
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else {
                continue;
            };
            let handshake = self.acceptor.accept(tcp);
            if let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(5), handshake).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// An HTTPS JWKS server serving `body` at `/jwks`; returns its URL and the CA's PEM.
async fn https_server(body: String) -> (String, String) {
    let (ca, config) = test_pki();
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/jwks", tcp.local_addr().unwrap());
    let listener = TlsListener {
        tcp,
        acceptor: TlsAcceptor::from(Arc::new(config)),
    };
    tokio::spawn(async move {
        axum::serve(listener, router_for(body)).await.unwrap();
    });
    (url, ca)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_a_trusted_test_ca() {
    bounded(async {
        let (url, ca) = https_server(set_of(&["a", "b"]).to_json()).await;
        assert!(url.starts_with("https://127.0.0.1:"));
        let jwks = RemoteJwks::builder().ca_pem(ca).build(&url).unwrap();
        let key = jwks
            .verifying_key(Some("b"), JwsAlgorithm::Es256)
            .await
            .unwrap();
        assert_eq!(key.kid(), Some("b"));
        assert_eq!(jwks.jwks().await.unwrap().keys().len(), 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_to_an_untrusted_certificate_fails() {
    bounded(async {
        let (url, _ca) = https_server(set_of(&["a"]).to_json()).await;
        // The system's roots do not hold the test CA.
        let e = RemoteJwks::builder()
            .build(&url)
            .unwrap()
            .jwks()
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Fetch { .. }), "{e:?}");
        assert_eq!(e.class(), ErrorClass::Transport);
        // Nor does another test CA.
        let (other_ca, _) = test_pki();
        let e = RemoteJwks::builder()
            .ca_pem(other_ca)
            .build(&url)
            .unwrap()
            .jwks()
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Fetch { .. }), "{e:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_only_to_loopback_and_only_when_allowed() {
    bounded(async {
        let server = JwksServer::start(Answer::set(&set_of(&["a"]))).await;
        assert!(server.url.starts_with("http://127.0.0.1:"));
        let e = RemoteJwks::builder().build(&server.url).unwrap_err();
        assert!(matches!(e, Error::InvalidUrl { .. }), "{e:?}");
        assert_eq!(e.class(), ErrorClass::Local);
        let e = RemoteJwks::builder()
            .build_set([server.url.as_str()])
            .unwrap_err();
        assert!(matches!(e, Error::InvalidUrl { .. }), "{e:?}");
        let e = RemoteJwks::builder()
            .allow_http_loopback(true)
            .build("http://jwks.example/jwks")
            .unwrap_err();
        assert!(matches!(e, Error::InvalidUrl { .. }), "{e:?}");
        assert_eq!(server.hits(), 0);
        RemoteJwks::builder()
            .allow_http_loopback(true)
            .build(&server.url)
            .unwrap()
            .jwks()
            .await
            .unwrap();
        assert_eq!(server.hits(), 1);
    })
    .await;
}

//! TLS termination: rustls on the aws-lc-rs provider, a certificate chain and a private key from
//! PEM files, HTTP/1.1 only (ALPN `http/1.1`), TLS 1.2 and 1.3 with rustls' safe defaults.

use crate::config::read_limited;
use crate::error::Error;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::PathBuf;
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;

/// Where the service's certificate and key are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain, PEM (`CERTIFICATE` blocks, the service's own first).
    pub cert: PathBuf,
    /// The private key, PEM (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// Largest certificate or key file read.
const MAX_PEM_BYTES: usize = 1024 * 1024;

/// Builds the acceptor from the files. Errors name the file and what was wrong with it (never the
/// key's contents).
pub(super) fn acceptor(files: &TlsFiles) -> Result<TlsAcceptor, Error> {
    let cert_pem = read_limited(&files.cert, "TLS certificate file", MAX_PEM_BYTES)?;
    let certs = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            Error::config_caused(
                "server.tls_cert",
                format!(
                    "expected PEM CERTIFICATE blocks in {}, found one that does not parse",
                    files.cert.display()
                ),
                e,
            )
        })?;
    if certs.is_empty() {
        return Err(Error::config(
            "server.tls_cert",
            format!(
                "expected at least one PEM CERTIFICATE block in {}, found none",
                files.cert.display()
            ),
        ));
    }
    let key_pem = read_limited(&files.key, "TLS key file", MAX_PEM_BYTES)?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|_| {
        Error::config(
            "server.tls_key",
            format!(
                "expected a PEM private key (PKCS#8, PKCS#1 or SEC1) in {}, found none that parses",
                files.key.display()
            ),
        )
    })?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::server("cannot configure TLS", e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| {
            Error::config_caused(
                "server.tls_key",
                format!(
                    "expected a private key matching the certificate {} and usable by rustls, found one that is not",
                    files.cert.display()
                ),
                e,
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

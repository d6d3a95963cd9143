//! Fixtures and helpers shared by the integration tests.

#![allow(dead_code)]

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use jose::jws::JwsBuilder;
use jose::{CryptoProvider, Header, JwsAlgorithm, PrivateKey, SigningKey};
use jose_truelayer_signing::Es512SigningKey;
use p521::ecdsa::signature::Verifier as _;
use std::path::PathBuf;

/// The key id of every TrueLayer fixture.
pub(crate) const KID: &str = "45fc75cf-5649-4134-84b3-192c2c78e990";

/// A file under tests/vectors; cases.json's original key file names map to the renamed copies.
pub(crate) fn vector(name: &str) -> String {
    let renamed = match name {
        "ec512-private.pem" => "test-only-ec512-private.pem",
        "ec512-public.pem" => "test-only-ec512-public.pem",
        "jwks.json" => "test-only-jwks.json",
        other => other,
    };
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "vectors", renamed]
        .iter()
        .collect();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The fixture private key on `provider`.
pub(crate) fn fixture_key(provider: &dyn CryptoProvider) -> Es512SigningKey {
    Es512SigningKey::from_pem(&vector("ec512-private.pem"), provider).unwrap()
}

/// The fixture public key PEM.
pub(crate) fn fixture_public_pem() -> String {
    vector("ec512-public.pem")
}

/// Signs `payload` as a detached JWS with arbitrary protected members after `alg` (through
/// jose-core directly), to build signatures our `Signer` would never make.
pub(crate) fn craft(
    key: &PrivateKey,
    alg: JwsAlgorithm,
    members: &[(&str, &str)],
    payload: &[u8],
) -> String {
    let signer = SigningKey::new(key.clone(), alg).unwrap();
    let mut h = Header::new();
    for (k, v) in members {
        h.set(*k, *v);
    }
    JwsBuilder::new(payload)
        .detached(true)
        .signer_with(&signer, h, None)
        .sign()
        .unwrap()
        .to_compact()
        .unwrap()
}

/// The fixture private key as a jose `PrivateKey`.
pub(crate) fn fixture_private(provider: &dyn CryptoProvider) -> PrivateKey {
    PrivateKey::from_pem(&vector("ec512-private.pem"), provider).unwrap()
}

/// The uncompressed SEC1 point of an SPKI PEM P-521 public key, decoded here without jose: the
/// SPKI DER of a P-521 key ends with the 133-byte point.
pub(crate) fn sec1_point_from_spki_pem(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    let der = Base64::decode_vec(body.trim()).unwrap();
    let point = der[der.len() - 133..].to_vec();
    assert_eq!(point[0], 0x04, "uncompressed point");
    point
}

/// The independent ES512 check: the p521 crate verifies the raw 132-byte signature of a
/// `Tl-Signature` over `BASE64URL(header) '.' BASE64URL(payload)`, built here by hand.
pub(crate) fn independent_es512_check(
    public_pem: &str,
    tl_signature: &str,
    payload: &[u8],
) -> bool {
    let (header_b64, signature_b64) = tl_signature.split_once("..").unwrap();
    let signature = Base64UrlUnpadded::decode_vec(signature_b64).unwrap();
    assert_eq!(signature.len(), 132);
    let mut input = header_b64.as_bytes().to_vec();
    input.push(b'.');
    input.extend_from_slice(Base64UrlUnpadded::encode_string(payload).as_bytes());
    let key =
        p521::ecdsa::VerifyingKey::from_sec1_bytes(&sec1_point_from_spki_pem(public_pem)).unwrap();
    let sig = p521::ecdsa::Signature::from_slice(&signature).unwrap();
    key.verify(&input, &sig).is_ok()
}

/// The decoded JOSE header of a `Tl-Signature`, as text.
pub(crate) fn header_text(tl_signature: &str) -> String {
    let (h, _) = tl_signature.split_once('.').unwrap();
    String::from_utf8(Base64UrlUnpadded::decode_vec(h).unwrap()).unwrap()
}

/// A `Tl-Signature` with its signature bytes replaced.
pub(crate) fn with_signature_bytes(tl_signature: &str, sig: &[u8]) -> String {
    let (h, _) = tl_signature.split_once("..").unwrap();
    format!("{h}..{}", Base64UrlUnpadded::encode_string(sig))
}

/// The raw signature bytes of a `Tl-Signature`.
pub(crate) fn signature_bytes(tl_signature: &str) -> Vec<u8> {
    let (_, s) = tl_signature.split_once("..").unwrap();
    Base64UrlUnpadded::decode_vec(s).unwrap()
}

/// base64url, for building tokens by hand.
pub(crate) fn b64url(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

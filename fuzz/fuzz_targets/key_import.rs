//! PEM and DER key import: PKCS#8, PKCS#1, SEC1 private keys and SPKI, PKCS#1 public keys, through
//! jose-core's normalization and into the aws-lc provider.
#![no_main]

use jose::{PrivateKey, PrivateKeyDer, PublicKey, PublicKeyDer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let provider = jose_fuzz::aws_lc().provider;
    if let Ok(der) = PrivateKeyDer::from_der(data) {
        // Normalized output parses again to the same thing.
        let again = PrivateKeyDer::from_der(der.pkcs8()).expect("normalized PKCS#8 parses again");
        assert_eq!(again.kind(), der.kind());
        let _ = der.public_key();
        let _ = der.to_pem();
        let _ = PrivateKey::from_der(data, provider);
    }
    if let Ok(der) = PublicKeyDer::from_der(data) {
        let again = PublicKeyDer::from_der(der.spki()).expect("normalized SPKI parses again");
        assert_eq!(again.spki(), der.spki());
        let _ = PublicKey::from_der(data, provider);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(der) = PrivateKeyDer::from_pem(text) {
            let _ = PrivateKey::from_pem(text, provider);
            let _ = der.public_key();
        }
        if PublicKeyDer::from_pem(text).is_ok() {
            let _ = PublicKey::from_pem(text, provider);
        }
    }
});

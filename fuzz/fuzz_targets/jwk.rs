//! JWK and JWKS: parse untrusted JSON, convert to DER and back, compute thumbprints, import into
//! a provider, and check the conversions round-trip.
#![no_main]

use jose::{Jwk, Jwks, PrivateKey, PublicKey};
use libfuzzer_sys::fuzz_target;

fn exercise(jwk: &Jwk, provider: &'static dyn jose::CryptoProvider) {
    let _ = jwk.kind();
    let _ = jwk.to_json();
    let _ = jwk.thumbprint_input();
    let _ = jwk.thumbprint_sha256(provider);
    let public = jwk.to_public();
    assert!(!public.is_private(), "to_public kept private members");
    if let Ok(der) = jwk.to_public_der() {
        // DER -> JWK -> DER is stable.
        let back = Jwk::from_public_der(&der).expect("a public DER made from a JWK converts back");
        let again = back.to_public_der().expect("and converts to DER again");
        assert_eq!(der.spki(), again.spki());
        let _ = PublicKey::from_jwk(jwk, provider);
    }
    if jwk.is_private()
        && let Ok(der) = jwk.to_private_der()
    {
        let back =
            Jwk::from_private_der(&der).expect("a private DER made from a JWK converts back");
        let again = back.to_private_der().expect("and converts to DER again");
        assert_eq!(der.pkcs8(), again.pkcs8());
        assert_eq!(der.kind(), again.kind());
        let _ = PrivateKey::from_jwk(jwk, provider);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let limits = jose_fuzz::limits();
    let provider = jose_fuzz::aws_lc().provider;
    if let Ok(jwk) = Jwk::from_json(text, &limits) {
        exercise(&jwk, provider);
    }
    if let Ok(jwks) = Jwks::from_json(text, &limits) {
        let _ = jwks.to_json();
        let _ = jwks.to_public();
        for jwk in jwks.iter().take(4) {
            exercise(jwk, provider);
            if let Some(kid) = jwk.kid.as_deref() {
                let _ = jwks.get_unique(kid);
            }
        }
    }
});

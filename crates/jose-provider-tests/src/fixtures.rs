//! The suite's test data, embedded: keys as PKCS#8 or SPKI DER, OpenSSL signatures and
//! ciphertexts, and the RFC test vectors as JSON text.
//!
//! **Test data only.** Every private key here is either published in an RFC or was made for
//! these tests; none may be used for anything real. `fixtures/README.md` and
//! `fixtures/generate.py` in this crate say how each file was made; `vectors/*/SOURCE.txt` where
//! each vector comes from.
//!
//! A provider's own tests may use them, for example to check how it words an error on one of the
//! keys the suite only requires to be refused.

macro_rules! fixture {
    ($file:literal) => {
        include_bytes!(concat!("../fixtures/", $file))
    };
}

macro_rules! vector {
    ($file:literal) => {
        include_str!(concat!("../vectors/", $file))
    };
}

// ---- RFC example keys ----------------------------------------------------------------------

/// The RSA 2048-bit key of RFC 7515 appendix A.2 (RS256), PKCS#8.
pub const RFC7515_A2_RSA2048_PKCS8: &[u8] = fixture!("rfc7515_A2_rsa2048.pkcs8.der");
/// The public half of [`RFC7515_A2_RSA2048_PKCS8`], SPKI.
pub const RFC7515_A2_RSA2048_SPKI: &[u8] = fixture!("rfc7515_A2_rsa2048.spki.der");
/// The P-256 key of RFC 7515 appendix A.3 (ES256), PKCS#8 with the public key.
pub const RFC7515_A3_P256_PKCS8: &[u8] = fixture!("rfc7515_A3_p256.pkcs8.der");
/// The public half of [`RFC7515_A3_P256_PKCS8`], SPKI.
pub const RFC7515_A3_P256_SPKI: &[u8] = fixture!("rfc7515_A3_p256.spki.der");
/// The P-521 key of RFC 7515 appendix A.4 (ES512), PKCS#8 with the public key.
pub const RFC7515_A4_P521_PKCS8: &[u8] = fixture!("rfc7515_A4_p521.pkcs8.der");
/// The public half of [`RFC7515_A4_P521_PKCS8`], SPKI.
pub const RFC7515_A4_P521_SPKI: &[u8] = fixture!("rfc7515_A4_p521.spki.der");
/// The RSA 2048-bit key of RFC 7516 appendix A.1 (RSA-OAEP with A256GCM), PKCS#8.
pub const RFC7516_A1_RSA2048_PKCS8: &[u8] = fixture!("rfc7516_A1_rsa2048.pkcs8.der");
/// The public half of the RSA key of RFC 7520 section 4.2 (PS384), SPKI.
pub const RFC7520_4_2_RSA2048_SPKI: &[u8] = fixture!("rfc7520_4_2_rsa2048.spki.der");

// ---- keys made with OpenSSL 3.0 --------------------------------------------------------------

/// An RSA 2048-bit key made with OpenSSL, PKCS#8: the key of [`OPENSSL_RS256_SIG`],
/// [`OPENSSL_PS512_SIG`], [`OPENSSL_RSA_OAEP`], [`OPENSSL_RSA_OAEP_256`], [`OPENSSL_RSA_OAEP_384`]
/// and [`OPENSSL_RSA_OAEP_512`].
pub const OPENSSL_RSA2048_PKCS8: &[u8] = fixture!("openssl_rsa2048.pkcs8.der");
/// A P-256 key made with OpenSSL, PKCS#8 with the public key: the key of [`OPENSSL_ES256_SIG`].
pub const OPENSSL_P256_PKCS8: &[u8] = fixture!("openssl_p256.pkcs8.der");
/// A P-384 key made with OpenSSL, PKCS#8 with the public key: the key of [`OPENSSL_ES384_SIG`].
pub const OPENSSL_P384_PKCS8: &[u8] = fixture!("openssl_p384.pkcs8.der");
/// A P-521 key made with OpenSSL, PKCS#8 with the public key: the key of [`OPENSSL_ES512_SIG`].
pub const OPENSSL_P521_PKCS8: &[u8] = fixture!("openssl_p521.pkcs8.der");

/// An Ed25519 key made with OpenSSL (`openssl genpkey -algorithm ed25519`), PKCS#8 v1: the key
/// of [`OPENSSL_EDDSA_SIG`].
pub const OPENSSL_ED25519_PKCS8: &[u8] = fixture!("openssl_ed25519.pkcs8.der");
/// [`OPENSSL_ED25519_PKCS8`] as OpenSSL writes it in PEM (`PRIVATE KEY`).
pub const OPENSSL_ED25519_PEM: &str = include_str!("../fixtures/openssl_ed25519.pem");
/// The public half of [`OPENSSL_ED25519_PKCS8`], SPKI, as OpenSSL writes it.
pub const OPENSSL_ED25519_SPKI: &[u8] = fixture!("openssl_ed25519.spki.der");
/// An X25519 key made with OpenSSL, PKCS#8 v1: one side of [`OPENSSL_X25519_SHARED`].
pub const OPENSSL_X25519_PKCS8: &[u8] = fixture!("openssl_x25519.pkcs8.der");
/// The public half of [`OPENSSL_X25519_PKCS8`], SPKI.
pub const OPENSSL_X25519_SPKI: &[u8] = fixture!("openssl_x25519.spki.der");
/// Another X25519 key made with OpenSSL, PKCS#8 v1: the other side of [`OPENSSL_X25519_SHARED`].
pub const OPENSSL_X25519_PEER_PKCS8: &[u8] = fixture!("openssl_x25519_peer.pkcs8.der");
/// The public half of [`OPENSSL_X25519_PEER_PKCS8`], SPKI.
pub const OPENSSL_X25519_PEER_SPKI: &[u8] = fixture!("openssl_x25519_peer.spki.der");

// ---- OpenSSL signatures and ciphertexts ------------------------------------------------------

/// The message OpenSSL signed for the `OPENSSL_*_SIG` fixtures.
pub const OPENSSL_MESSAGE: &[u8] = b"openssl interop test message";
/// ES256 over [`OPENSSL_MESSAGE`] with [`OPENSSL_P256_PKCS8`], raw r||s.
pub const OPENSSL_ES256_SIG: &[u8] = fixture!("openssl_es256.sig");
/// ES384 over [`OPENSSL_MESSAGE`] with [`OPENSSL_P384_PKCS8`], raw r||s.
pub const OPENSSL_ES384_SIG: &[u8] = fixture!("openssl_es384.sig");
/// ES512 over [`OPENSSL_MESSAGE`] with [`OPENSSL_P521_PKCS8`], raw r||s.
pub const OPENSSL_ES512_SIG: &[u8] = fixture!("openssl_es512.sig");
/// RS256 over [`OPENSSL_MESSAGE`] with [`OPENSSL_RSA2048_PKCS8`] (deterministic).
pub const OPENSSL_RS256_SIG: &[u8] = fixture!("openssl_rs256.sig");
/// PS512 over [`OPENSSL_MESSAGE`] with [`OPENSSL_RSA2048_PKCS8`] (salt length 64).
pub const OPENSSL_PS512_SIG: &[u8] = fixture!("openssl_ps512.sig");
/// EdDSA (Ed25519) over [`OPENSSL_MESSAGE`] with [`OPENSSL_ED25519_PKCS8`]
/// (`openssl pkeyutl -sign -rawin`).
pub const OPENSSL_EDDSA_SIG: &[u8] = fixture!("openssl_eddsa.sig");
/// The X25519 shared secret of [`OPENSSL_X25519_PKCS8`] and [`OPENSSL_X25519_PEER_SPKI`]
/// (`openssl pkeyutl -derive`).
pub const OPENSSL_X25519_SHARED: &[u8] = fixture!("openssl_x25519.shared.bin");
/// The P-256 ECDH shared secret (the x-coordinate) of [`OPENSSL_P256_PKCS8`] and
/// [`RFC7515_A3_P256_SPKI`] (`openssl pkeyutl -derive`).
pub const OPENSSL_ECDH_P256_SHARED: &[u8] = fixture!("openssl_ecdh_p256.shared.bin");
/// The P-521 ECDH shared secret (66 bytes) of [`OPENSSL_P521_PKCS8`] and
/// [`RFC7515_A4_P521_SPKI`].
pub const OPENSSL_ECDH_P521_SHARED: &[u8] = fixture!("openssl_ecdh_p521.shared.bin");
/// The content encryption key OpenSSL wrapped: the bytes 1 to 32.
pub const OPENSSL_CEK: [u8; 32] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
    27, 28, 29, 30, 31, 32,
];
/// [`OPENSSL_CEK`] wrapped with RSA-OAEP (SHA-1) for [`OPENSSL_RSA2048_PKCS8`].
pub const OPENSSL_RSA_OAEP: &[u8] = fixture!("openssl_rsa-oaep.bin");
/// [`OPENSSL_CEK`] wrapped with RSA-OAEP-256 for [`OPENSSL_RSA2048_PKCS8`].
pub const OPENSSL_RSA_OAEP_256: &[u8] = fixture!("openssl_rsa-oaep-256.bin");
/// [`OPENSSL_CEK`] wrapped with RSA-OAEP-384 (SHA-384, MGF1 with SHA-384) for
/// [`OPENSSL_RSA2048_PKCS8`].
pub const OPENSSL_RSA_OAEP_384: &[u8] = fixture!("openssl_rsa-oaep-384.bin");
/// [`OPENSSL_CEK`] wrapped with RSA-OAEP-512 (SHA-512, MGF1 with SHA-512) for
/// [`OPENSSL_RSA2048_PKCS8`].
pub const OPENSSL_RSA_OAEP_512: &[u8] = fixture!("openssl_rsa-oaep-512.bin");

// ---- keys a provider must refuse, or accept in an unusual form -------------------------------

/// A random RSA 1024-bit key, PKCS#8: too small, must be refused.
pub const TEST_ONLY_RSA1024_PKCS8: &[u8] = fixture!("test_only_rsa1024.pkcs8.der");
/// The public half of [`TEST_ONLY_RSA1024_PKCS8`], SPKI: must be refused.
pub const TEST_ONLY_RSA1024_SPKI: &[u8] = fixture!("test_only_rsa1024.spki.der");
/// The modulus of RFC 7515 A.2 with public exponent 1, SPKI: must be refused.
pub const TEST_ONLY_RSA2048_E1_SPKI: &[u8] = fixture!("test_only_rsa2048_e1.spki.der");
/// The modulus of RFC 7515 A.2 with the even public exponent 65536, SPKI: must be refused.
pub const TEST_ONLY_RSA2048_E65536_SPKI: &[u8] = fixture!("test_only_rsa2048_e65536.spki.der");
/// The public key of RFC 7515 A.3 as a compressed point, SPKI: must be refused (the contract asks
/// for uncompressed points).
pub const TEST_ONLY_P256_COMPRESSED_SPKI: &[u8] = fixture!("test_only_p256_compressed.spki.der");
/// The private scalar of RFC 7515 A.3 with another key's public point, PKCS#8: must be refused.
pub const TEST_ONLY_P256_MISMATCHED_PUBLIC_PKCS8: &[u8] =
    fixture!("test_only_p256_mismatched_public.pkcs8.der");
/// The private scalar of RFC 7515 A.3 without the optional public key, PKCS#8: must be accepted,
/// the public key derived.
pub const TEST_ONLY_P256_NO_PUBLIC_PKCS8: &[u8] = fixture!("test_only_p256_no_public.pkcs8.der");
/// A random Ed25519 key, PKCS#8 v1 (made by pyca/cryptography): must import.
pub const TEST_ONLY_ED25519_PKCS8: &[u8] = fixture!("test_only_ed25519.pkcs8.der");
/// A random Ed448 key made with OpenSSL, PKCS#8: a key type jose-core does not support, must be
/// refused.
pub const TEST_ONLY_ED448_PKCS8: &[u8] = fixture!("test_only_ed448.pkcs8.der");

// ---- test vectors (JSON) ---------------------------------------------------------------------

/// RFC 7515 appendix A.2 (RS256): the JWK, the protected header and payload in base64url, the
/// signature.
pub const RFC7515_A2_RS256_JSON: &str = vector!("rfc7515_7516/rfc7515_A2_rs256.json");
/// RFC 7515 appendix A.3 (ES256), in the same form as [`RFC7515_A2_RS256_JSON`].
pub const RFC7515_A3_ES256_JSON: &str = vector!("rfc7515_7516/rfc7515_A3_es256.json");
/// RFC 7515 appendix A.4 (ES512), in the same form as [`RFC7515_A2_RS256_JSON`].
pub const RFC7515_A4_ES512_JSON: &str = vector!("rfc7515_7516/rfc7515_A4_es512.json");
/// RFC 7516 appendix A.1 (RSA-OAEP, A256GCM): the JWK, the CEK, the encrypted key, IV,
/// ciphertext and tag.
pub const RFC7516_A1_RSA_OAEP_A256GCM_JSON: &str =
    vector!("rfc7515_7516/rfc7516_A1_rsa-oaep_a256gcm.json");
/// RFC 7520 section 4.2 (PS384), from the JOSE cookbook: the signing input and the signature.
pub const RFC7520_4_2_PS384_JSON: &str = vector!("rfc7520/4_2.rsa-pss_signature.json");
/// RFC 8037 appendix A: the Ed25519 JWK of A.1, the thumbprint of A.3, the EdDSA JWS of A.4,
/// and the X25519 keys and shared secret of A.6 (`vectors/rfc8037/SOURCE.txt`).
pub const RFC8037_A_JSON: &str = vector!("rfc8037/rfc8037_A.json");

//! Known answers: the RFC 7515, 7516, 7520 and 8037 examples, signatures and wrapped keys made
//! by OpenSSL, and test cases of the GCM specification. Deterministic operations (RS256, AES-GCM)
//! must give the published bytes; the randomized ones must accept them.

use crate::sign::fixture_key;
use crate::{fails_with, fixtures, ok};
use jose_core::{ContentEncryption, CryptoProvider, Error, JwsAlgorithm, KeyManagementAlgorithm};

/// A fixture's JSON text, parsed.
pub(crate) fn json(text: &str) -> serde_json::Value {
    match serde_json::from_str(text) {
        Ok(value) => value,
        Err(error) => panic!("a jose-provider-tests vector is not JSON: {error}"),
    }
}

/// The string at `value[key]`.
fn text<'a>(value: &'a serde_json::Value, key: &str) -> &'a str {
    match value[key].as_str() {
        Some(text) => text,
        None => panic!("a jose-provider-tests vector has no string {key:?}"),
    }
}

/// Base64url (unpadded) `text`, decoded.
pub(crate) fn b64(text: &str, what: &'static str) -> Vec<u8> {
    match jose_core::b64::decode(what, text) {
        Ok(bytes) => bytes,
        Err(error) => panic!("a jose-provider-tests vector is not base64url: {error}"),
    }
}

/// Hex `text`, decoded.
fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap_or_default())
        .collect()
}

/// The RFC 8037 JWK `vector[name]`, parsed by jose-core.
fn rfc8037_jwk(vector: &serde_json::Value, name: &str) -> jose_core::Jwk {
    match jose_core::Jwk::from_json(&vector[name].to_string(), &jose_core::Limits::default()) {
        Ok(jwk) => jwk,
        Err(error) => panic!("the RFC 8037 JWK {name} parses: {error}"),
    }
}

/// RFC 8037 appendix A.1 to A.4: the Ed25519 key (its JWK converted by jose-core to PKCS#8 v2
/// with the public key, which the provider checks) imports; its public key is A.2's; its RFC 7638
/// thumbprint, with the provider's SHA-256, is A.3's; EdDSA over A.4's signing input gives A.4's
/// signature exactly (Ed25519 is deterministic), which verifies, and not over another input.
pub fn rfc8037_a1_to_a4_ed25519(provider: &dyn CryptoProvider) {
    let vector = json(fixtures::RFC8037_A_JSON);
    let jwk = rfc8037_jwk(&vector, "A.1_key");
    let pkcs8 = match jwk.to_private_der() {
        Ok(der) => der,
        Err(error) => panic!("the RFC 8037 A.1 JWK converts to PKCS#8: {error}"),
    };
    let key = ok(
        provider,
        provider.import_private_pkcs8(pkcs8.pkcs8()),
        "import the RFC 8037 A.1 key",
    );
    let spki = match jwk.to_public_der() {
        Ok(der) => der,
        Err(error) => panic!("the RFC 8037 A.1 JWK converts to SPKI: {error}"),
    };
    ensure_eq!(
        provider,
        ok(
            provider,
            key.public_key().to_spki_der(),
            "SPKI of the RFC 8037 A.1 key",
        )
        .as_slice(),
        spki.spki(),
        "RFC 8037 A.2: the public key"
    );
    ensure_eq!(
        provider,
        ok(
            provider,
            jwk.to_public().thumbprint_sha256(provider),
            "RFC 8037 A.3: the thumbprint",
        ),
        text(&vector, "A.3_thumbprint_b64u"),
        "RFC 8037 A.3: the thumbprint"
    );
    let input = format!(
        "{}.{}",
        text(&vector, "A.4_protected_b64u"),
        text(&vector, "A.4_payload_b64u")
    );
    let expected = b64(text(&vector, "A.4_signature_b64u"), "signature");
    ensure_eq!(
        provider,
        ok(
            provider,
            key.sign(JwsAlgorithm::EdDsa, input.as_bytes()),
            "EdDSA: sign the RFC 8037 A.4 input",
        ),
        expected,
        "RFC 8037 A.4: the EdDSA signature"
    );
    let public = ok(
        provider,
        provider.import_public_spki(spki.spki()),
        "import the RFC 8037 A.2 public key",
    );
    ok(
        provider,
        public.verify(JwsAlgorithm::EdDsa, input.as_bytes(), &expected),
        "EdDSA: verify the RFC 8037 A.4 signature",
    );
    fails_with(
        provider,
        public.verify(JwsAlgorithm::EdDsa, b"another input", &expected),
        &Error::BadSignature,
        "EdDSA: the RFC 8037 A.4 signature over another input",
    );
}

/// RFC 8037 appendix A.6 (the keys of RFC 7748 section 6.1): the ephemeral X25519 key agrees
/// with Bob's public key on the published shared secret `Z`, as a raw [`agree`].
///
/// [`agree`]: jose_core::PrivateKeyOps::agree
pub fn rfc8037_a6_x25519(provider: &dyn CryptoProvider) {
    let vector = json(fixtures::RFC8037_A_JSON);
    let ephemeral = match rfc8037_jwk(&vector, "A.6_ephemeral").to_private_der() {
        Ok(der) => der,
        Err(error) => panic!("the RFC 8037 A.6 ephemeral JWK converts to PKCS#8: {error}"),
    };
    let bob = match rfc8037_jwk(&vector, "A.6_bob_public").to_public_der() {
        Ok(der) => der,
        Err(error) => panic!("the RFC 8037 A.6 JWK of Bob converts to SPKI: {error}"),
    };
    let key = ok(
        provider,
        provider.import_private_pkcs8(ephemeral.pkcs8()),
        "import the RFC 8037 A.6 ephemeral key",
    );
    ensure_eq!(
        provider,
        ok(
            provider,
            key.agree(bob.spki()),
            "X25519: agree with Bob's RFC 8037 A.6 key",
        )
        .as_slice(),
        hex(text(&vector, "A.6_shared_secret_hex")).as_slice(),
        "RFC 8037 A.6: the shared secret Z"
    );
}

/// The JWS signing input `BASE64URL(header) '.' BASE64URL(payload)` of an RFC 7515 vector.
fn signing_input(vector: &serde_json::Value) -> String {
    format!(
        "{}.{}",
        text(vector, "protected_b64u"),
        text(vector, "payload_b64u")
    )
}

/// RFC 7515 appendix A.2: RS256 with the published key gives the published signature (PKCS#1
/// v1.5 is deterministic), and it verifies.
pub fn rfc7515_a2_rs256(provider: &dyn CryptoProvider) {
    let vector = json(fixtures::RFC7515_A2_RS256_JSON);
    let input = signing_input(&vector);
    let expected = b64(text(&vector, "signature_b64u"), "signature");
    let key = ok(
        provider,
        provider.import_private_pkcs8(fixtures::RFC7515_A2_RSA2048_PKCS8),
        "import the RFC 7515 A.2 key",
    );
    ensure_eq!(
        provider,
        ok(
            provider,
            key.sign(JwsAlgorithm::Rs256, input.as_bytes()),
            "RS256: sign the RFC 7515 A.2 input",
        ),
        expected,
        "RFC 7515 A.2: the RS256 signature"
    );
    let public = ok(
        provider,
        provider.import_public_spki(fixtures::RFC7515_A2_RSA2048_SPKI),
        "import the RFC 7515 A.2 SPKI",
    );
    ok(
        provider,
        public.verify(JwsAlgorithm::Rs256, input.as_bytes(), &expected),
        "RS256: verify the RFC 7515 A.2 signature",
    );
    fails_with(
        provider,
        public.verify(JwsAlgorithm::Rs256, b"other", &expected),
        &Error::BadSignature,
        "RS256: the RFC 7515 A.2 signature over another message",
    );
}

/// RFC 7515 appendices A.3 (ES256) and A.4 (ES512): the published signatures verify, and not
/// over another message.
pub fn rfc7515_a3_es256_and_a4_es512(provider: &dyn CryptoProvider) {
    for (name, vector, spki, alg) in [
        (
            "RFC 7515 A.3",
            fixtures::RFC7515_A3_ES256_JSON,
            fixtures::RFC7515_A3_P256_SPKI,
            JwsAlgorithm::Es256,
        ),
        (
            "RFC 7515 A.4",
            fixtures::RFC7515_A4_ES512_JSON,
            fixtures::RFC7515_A4_P521_SPKI,
            JwsAlgorithm::Es512,
        ),
    ] {
        let vector = json(vector);
        let input = signing_input(&vector);
        let signature = b64(text(&vector, "signature_b64u"), "signature");
        let public = ok(
            provider,
            provider.import_public_spki(spki),
            format_args!("import the {name} SPKI"),
        );
        ok(
            provider,
            public.verify(alg, input.as_bytes(), &signature),
            format_args!("{alg}: verify the {name} signature"),
        );
        fails_with(
            provider,
            public.verify(alg, b"other", &signature),
            &Error::BadSignature,
            format_args!("{alg}: the {name} signature over another message"),
        );
    }
}

/// RFC 7520 section 4.2: the published PS384 signature verifies, and not as PS256.
pub fn rfc7520_4_2_ps384(provider: &dyn CryptoProvider) {
    let vector = json(fixtures::RFC7520_4_2_PS384_JSON);
    let signing = &vector["signing"];
    let input = text(signing, "sig-input");
    let signature = b64(text(signing, "sig"), "signature");
    let public = ok(
        provider,
        provider.import_public_spki(fixtures::RFC7520_4_2_RSA2048_SPKI),
        "import the RFC 7520 4.2 SPKI",
    );
    ok(
        provider,
        public.verify(JwsAlgorithm::Ps384, input.as_bytes(), &signature),
        "PS384: verify the RFC 7520 4.2 signature",
    );
    fails_with(
        provider,
        public.verify(JwsAlgorithm::Ps256, input.as_bytes(), &signature),
        &Error::BadSignature,
        "PS256: the RFC 7520 4.2 PS384 signature",
    );
}

/// RFC 7516 appendix A.1: the published encrypted key unwraps (RSA-OAEP) to the published CEK,
/// the ciphertext opens (A256GCM, AAD the protected header) to the plaintext, and sealing the
/// plaintext again gives the published ciphertext and tag.
pub fn rfc7516_a1_rsa_oaep_and_a256gcm(provider: &dyn CryptoProvider) {
    let vector = json(fixtures::RFC7516_A1_RSA_OAEP_A256GCM_JSON);
    let key = ok(
        provider,
        provider.import_private_pkcs8(fixtures::RFC7516_A1_RSA2048_PKCS8),
        "import the RFC 7516 A.1 key",
    );
    let cek = ok(
        provider,
        key.unwrap_key(
            KeyManagementAlgorithm::RsaOaep,
            &b64(text(&vector, "encrypted_key_b64u"), "encrypted key"),
        ),
        "RSA-OAEP: unwrap the RFC 7516 A.1 encrypted key",
    );
    ensure_eq!(
        provider,
        cek.as_slice(),
        b64(text(&vector, "cek_b64u"), "CEK").as_slice(),
        "RFC 7516 A.1: the unwrapped CEK"
    );

    let aad = text(&vector, "protected_b64u").as_bytes();
    let iv = b64(text(&vector, "iv_b64u"), "IV");
    let ciphertext = b64(text(&vector, "ciphertext_b64u"), "ciphertext");
    let tag = b64(text(&vector, "tag_b64u"), "tag");
    let plaintext = ok(
        provider,
        provider.aead_open(
            ContentEncryption::A256Gcm,
            &cek,
            &iv,
            aad,
            &ciphertext,
            &tag,
        ),
        "A256GCM: open the RFC 7516 A.1 ciphertext",
    );
    ensure_eq!(
        provider,
        plaintext.as_slice(),
        text(&vector, "plaintext").as_bytes(),
        "RFC 7516 A.1: the plaintext"
    );
    let (again, again_tag) = ok(
        provider,
        provider.aead_seal(ContentEncryption::A256Gcm, &cek, &iv, aad, &plaintext),
        "A256GCM: seal the RFC 7516 A.1 plaintext",
    );
    ensure_eq!(
        provider,
        (again, again_tag.to_vec()),
        (ciphertext, tag),
        "RFC 7516 A.1: the ciphertext and tag"
    );
}

/// Signatures made by OpenSSL 3.0 with the OpenSSL fixture keys (ES256, ES384, ES512, RS256,
/// PS512) verify, and not over another message; RS256 here gives OpenSSL's bytes exactly.
pub fn openssl_signatures(provider: &dyn CryptoProvider) {
    for (alg, signature) in [
        (JwsAlgorithm::Es256, fixtures::OPENSSL_ES256_SIG),
        (JwsAlgorithm::Es384, fixtures::OPENSSL_ES384_SIG),
        (JwsAlgorithm::Es512, fixtures::OPENSSL_ES512_SIG),
        (JwsAlgorithm::Rs256, fixtures::OPENSSL_RS256_SIG),
        (JwsAlgorithm::Ps512, fixtures::OPENSSL_PS512_SIG),
        (JwsAlgorithm::EdDsa, fixtures::OPENSSL_EDDSA_SIG),
    ] {
        let public = fixture_key(provider, alg).public_key();
        ok(
            provider,
            public.verify(alg, fixtures::OPENSSL_MESSAGE, signature),
            format_args!("{alg}: verify OpenSSL's signature"),
        );
        fails_with(
            provider,
            public.verify(alg, b"other", signature),
            &Error::BadSignature,
            format_args!("{alg}: OpenSSL's signature over another message"),
        );
    }
    ensure_eq!(
        provider,
        ok(
            provider,
            fixture_key(provider, JwsAlgorithm::Rs256)
                .sign(JwsAlgorithm::Rs256, fixtures::OPENSSL_MESSAGE),
            "RS256: sign OpenSSL's message",
        ),
        fixtures::OPENSSL_RS256_SIG,
        "RS256 is deterministic: the signature is OpenSSL's"
    );
}

/// CEKs wrapped by OpenSSL 3.0 with RSA-OAEP (SHA-1), RSA-OAEP-256, RSA-OAEP-384 and RSA-OAEP-512
/// unwrap to the bytes 1..=32, and with no other OAEP algorithm.
pub fn openssl_oaep_ciphertexts(provider: &dyn CryptoProvider) {
    let key = fixture_key(provider, JwsAlgorithm::Rs256);
    for (alg, wrapped) in [
        (KeyManagementAlgorithm::RsaOaep, fixtures::OPENSSL_RSA_OAEP),
        (
            KeyManagementAlgorithm::RsaOaep256,
            fixtures::OPENSSL_RSA_OAEP_256,
        ),
        (
            KeyManagementAlgorithm::RsaOaep384,
            fixtures::OPENSSL_RSA_OAEP_384,
        ),
        (
            KeyManagementAlgorithm::RsaOaep512,
            fixtures::OPENSSL_RSA_OAEP_512,
        ),
    ] {
        for &other in KeyManagementAlgorithm::RSA_OAEP
            .iter()
            .filter(|&&o| o != alg)
        {
            fails_with(
                provider,
                key.unwrap_key(other, wrapped),
                &Error::DecryptionFailed,
                format_args!("OpenSSL's {alg} ciphertext, unwrapped with {other}"),
            );
        }
        ensure_eq!(
            provider,
            ok(
                provider,
                key.unwrap_key(alg, wrapped),
                format_args!("{alg}: unwrap OpenSSL's ciphertext"),
            )
            .as_slice(),
            fixtures::OPENSSL_CEK.as_slice(),
            "{alg}: the CEK OpenSSL wrapped"
        );
    }
}

/// Test cases 3 (AES-128), 9 (AES-192) and 15 (AES-256) of the GCM specification (McGrew and
/// Viega; 96-bit IV, no AAD): sealing gives the published ciphertext and tag, opening gives the
/// plaintext back.
pub fn gcm_spec_test_cases(provider: &dyn CryptoProvider) {
    let iv = hex("cafebabefacedbaddecaf888");
    let plaintext = hex(concat!(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72",
        "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
    ));
    for (case, enc, key, ciphertext, tag) in [
        (
            3,
            ContentEncryption::A128Gcm,
            "feffe9928665731c6d6a8f9467308308",
            concat!(
                "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e",
                "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
            ),
            "4d5c2af327cd64a62cf35abd2ba6fab4",
        ),
        (
            9,
            ContentEncryption::A192Gcm,
            "feffe9928665731c6d6a8f9467308308feffe9928665731c",
            concat!(
                "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c",
                "7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710acade256",
            ),
            "9924a7c8587336bfb118024db8674a14",
        ),
        (
            15,
            ContentEncryption::A256Gcm,
            "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
            concat!(
                "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa",
                "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
            ),
            "b094dac5d93471bdec1a502270e3cc6c",
        ),
    ] {
        let key = hex(key);
        let (sealed, sealed_tag) = ok(
            provider,
            provider.aead_seal(enc, &key, &iv, &[], &plaintext),
            format_args!("{enc}: seal GCM test case {case}"),
        );
        ensure_eq!(
            provider,
            (sealed, sealed_tag.to_vec()),
            (hex(ciphertext), hex(tag)),
            "{enc}: GCM test case {case}, ciphertext and tag"
        );
        ensure_eq!(
            provider,
            ok(
                provider,
                provider.aead_open(enc, &key, &iv, &[], &hex(ciphertext), &hex(tag)),
                format_args!("{enc}: open GCM test case {case}"),
            )
            .as_slice(),
            plaintext.as_slice(),
            "{enc}: GCM test case {case}, plaintext"
        );
    }
}

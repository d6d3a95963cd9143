//! The rest of JWA in the demo (issue 14): HS256/384/512 with shared secrets, and JWE with `dir`,
//! AES key wrap, AES-GCM key wrap, ECDH-ES (P-256 and X25519), PBES2, the AES-CBC-HMAC
//! encryptions and `zip` DEF, each made on one provider and opened on the other.

use super::{Demo, PAYLOAD, check_same};
use crate::error::Result;
use jose::jwe::{DecryptOptions, Jwe, JweBuilder};
use jose::jws::{Jws, JwsBuilder};
use jose::{
    ContentEncryption, DecryptingKey, EcCurve, EncryptingKey, JwsAlgorithm, KeyManagementAlgorithm,
    KeyManagementMode, OkpCurve, Password, PrivateKey, SecretKey, SigningKey, VerifyingKey,
};

/// The PBES2 iteration count the demo uses: the minimum, to keep it quick.
const DEMO_P2C: u32 = jose::MIN_PBES2_COUNT;

pub(super) fn run(demo: &mut Demo) -> Result<()> {
    let limits = *demo.limits();
    for (a, b) in &demo.pairs()? {
        let label = format!("{} -> {}", a.name(), b.name());
        // HS256/384/512: the same secret on both providers.
        for &alg in JwsAlgorithm::HMAC {
            let bits = alg.hash().output_len() * 8;
            let secret = SecretKey::generate(bits, a.provider)?.with_kid("hs-demo");
            let on_b = SecretKey::from_jwk(&secret.to_jwk(), b.provider)?;
            let token = JwsBuilder::new(PAYLOAD)
                .signer(&SigningKey::symmetric(secret, alg)?)
                .sign()?
                .to_compact()?;
            let payload = Jws::from_compact(&token, &limits)?
                .verify([&VerifyingKey::symmetric(on_b, alg)?])?
                .to_vec();
            check_same(&payload, PAYLOAD, "verified payload")?;
            demo.step(
                &label,
                format_args!("JWS {alg} with a {bits}-bit shared secret: verified"),
            );
        }
        // JWE: every key management algorithm but RSA-OAEP (its own section), A256GCM.
        for &alg in KeyManagementAlgorithm::ALL {
            if alg.is_rsa_oaep() {
                continue;
            }
            let enc = ContentEncryption::A256Gcm;
            let (encrypting, decrypting) = pair(alg, enc, a, b)?;
            let token = JweBuilder::new(enc)
                .recipient(&encrypting)
                .encrypt(PAYLOAD, a.provider)?
                .to_compact()?;
            let out =
                Jwe::from_compact(&token, &limits)?.decrypt([&decrypting], &[enc], b.provider)?;
            check_same(&out.plaintext, PAYLOAD, "decrypted plaintext")?;
            demo.step(
                &label,
                format_args!("JWE {alg} + {enc}: {} bytes, decrypted OK", token.len()),
            );
        }
        // The AES-CBC-HMAC encryptions, with dir.
        for &enc in ContentEncryption::ALL.iter().filter(|e| !e.is_gcm()) {
            let (encrypting, decrypting) = pair(KeyManagementAlgorithm::Dir, enc, a, b)?;
            let token = JweBuilder::new(enc)
                .recipient(&encrypting)
                .encrypt(PAYLOAD, a.provider)?
                .to_compact()?;
            let out =
                Jwe::from_compact(&token, &limits)?.decrypt([&decrypting], &[enc], b.provider)?;
            check_same(&out.plaintext, PAYLOAD, "decrypted plaintext")?;
            demo.step(&label, format_args!("JWE dir + {enc}: decrypted OK"));
        }
        // zip DEF: compressed on request, inflated only when allowed, to a bound.
        let enc = ContentEncryption::A128Gcm;
        let (encrypting, decrypting) = pair(KeyManagementAlgorithm::A128Kw, enc, a, b)?;
        let text = PAYLOAD.repeat(50);
        let token = JweBuilder::new(enc)
            .compress(true)
            .recipient(&encrypting)
            .encrypt(&text, a.provider)?
            .to_compact()?;
        let jwe = Jwe::from_compact(&token, &limits)?;
        if jwe.decrypt([&decrypting], &[enc], b.provider).is_ok() {
            return Err(crate::error::CliError::rejected(
                "demo: expected a compressed JWE to be refused without allow_zip, found it opened",
            ));
        }
        let options = DecryptOptions::default().allow_zip(text.len());
        let out = jwe.decrypt_with([&decrypting], &[enc], &options, b.provider)?;
        check_same(&out.plaintext, &text, "inflated plaintext")?;
        demo.step(
            &label,
            format_args!(
                "JWE A128KW + A128GCM, zip DEF: {} plaintext bytes in a {}-byte token; refused without allow_zip, inflated with it",
                text.len(),
                token.len()
            ),
        );
    }
    Ok(())
}

/// Keys for `alg` and `enc`: the encrypting half on `a`, the decrypting half on `b`.
fn pair(
    alg: KeyManagementAlgorithm,
    enc: ContentEncryption,
    a: &super::ProviderKeys,
    b: &super::ProviderKeys,
) -> Result<(EncryptingKey, DecryptingKey)> {
    Ok(match alg.mode() {
        KeyManagementMode::Direct
        | KeyManagementMode::AesKw(_)
        | KeyManagementMode::AesGcmKw(_) => {
            let len = match alg.mode() {
                KeyManagementMode::AesKw(len) | KeyManagementMode::AesGcmKw(len) => len,
                _ => enc.key_len(),
            };
            let secret = SecretKey::generate(len * 8, a.provider)?;
            let on_b = SecretKey::from_jwk(&secret.to_jwk(), b.provider)?;
            (
                EncryptingKey::symmetric(secret, alg)?,
                DecryptingKey::symmetric(on_b, alg)?,
            )
        }
        KeyManagementMode::Pbes2 { .. } => {
            let password = Password::new(b"demo password, not a real one")?.with_count(DEMO_P2C)?;
            (
                EncryptingKey::password(password.clone(), alg)?,
                DecryptingKey::password(password, alg)?,
            )
        }
        KeyManagementMode::EcdhEs(_) => {
            // X25519 for ECDH-ES itself, P-256 for the key-wrapping variants.
            let private: &PrivateKey = match alg {
                KeyManagementAlgorithm::EcdhEs => b.okp(OkpCurve::X25519)?,
                _ => b.ec(EcCurve::P256)?,
            };
            let public = PrivateKey::from_der(&private.to_pkcs8_der()?, a.provider)?.public_key();
            (
                EncryptingKey::new(public, alg)?,
                DecryptingKey::new(private.clone(), alg)?,
            )
        }
        KeyManagementMode::RsaOaep(_) => (
            EncryptingKey::new(b.rsa.public_key(), alg)?,
            DecryptingKey::new(b.rsa.clone(), alg)?,
        ),
    })
}

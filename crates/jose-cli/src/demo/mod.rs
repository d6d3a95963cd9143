//! `jose demo`: fresh keys in memory, every capability end to end, each step printed.
//!
//! The demo is the list [`SECTIONS`], run in order. Each section is a function that does its
//! work with the keys of [`Demo::keys`] and reports numbered steps through [`Demo::step`]; a step
//! that does not come out as expected is an error that ends the demo. The first section generates
//! the keys (one RSA 2048 and one key per EC curve on every provider). Adding a protocol is one
//! more function and one more entry in [`SECTIONS`].
//!
//! The protocol sections are the submodules (`jwt`, with jose-fapi's pieces, `request4r`,
//! `truelayer`, `klarna`, `fourquays`).
//! They use helpers of the matching command modules; no command module uses the demo.

use crate::error::{CliError, Result};
use jose::jwe::{Jwe, JweBuilder};
use jose::jws::{Jws, JwsBuilder, VerifyOptions};
use jose::{
    ContentEncryption, CryptoProvider, DecryptingKey, EcCurve, EncryptingKey, Header, Jwk,
    JwsAlgorithm, KeyKind, KeyManagementAlgorithm, KeySpec, Limits, OkpCurve, PrivateKey,
    PublicKey, SigningKey, VerifyingKey, nested,
};
use std::fmt::{Display, Write as _};
use std::time::Instant;
use zeroize::Zeroizing;

mod fourquays;
mod jwa;
mod jwt;
mod klarna;
mod request4r;
mod truelayer;

/// One part of the demo.
pub(crate) struct Section {
    /// The heading.
    pub(crate) title: &'static str,
    /// Runs the section.
    pub(crate) run: fn(&mut Demo) -> Result<()>,
}

/// The sections, in order. Key generation comes first: the others use its keys.
pub(crate) const SECTIONS: &[Section] = &[
    Section {
        title: "Key generation",
        run: keygen,
    },
    Section {
        title: "JWK export and import, RFC 7638 thumbprints",
        run: jwk,
    },
    Section {
        title: "JWE (RFC 7516): every alg and enc, three serializations",
        run: jwe,
    },
    Section {
        title: "JWS (RFC 7515, RFC 7797): every alg, three serializations, detached and unencoded",
        run: jws,
    },
    Section {
        title: "The rest of JWA: HS*, dir, A*KW, A*GCMKW, ECDH-ES, PBES2, CBC-HS, zip, across providers",
        run: jwa::run,
    },
    Section {
        title: "Cross-provider: produced on one provider, consumed on the other",
        run: cross_provider,
    },
    Section {
        title: "Nested JWS in JWE (sign, then encrypt)",
        run: nested_jws_in_jwe,
    },
    Section {
        title: "Rejections",
        run: rejections,
    },
    Section {
        title: "JWT (RFC 7519, RFC 8725) and FAPI 2.0: access tokens, claim checks, nested JWTs, client assertions, DPoP, request objects",
        run: jwt::run,
    },
    Section {
        title: "Request4R (Leap RaaS): partner -> gateway -> partner",
        run: request4r::demo,
    },
    Section {
        title: "TrueLayer request signing v2 (ES512 detached JWS over the request)",
        run: truelayer::demo,
    },
    Section {
        title: "Klarna XS2A: client -> server -> client (RS512 JWS in RSA-OAEP-256/A256GCM JWE, replay prevention)",
        run: klarna::demo,
    },
    Section {
        title: "4Quays protect/unprotect: policies, passthrough and drop, errors, key rotation, destination-managed keys",
        run: fourquays::demo,
    },
];

/// The keys generated on one provider.
#[derive(Clone)]
pub(crate) struct ProviderKeys {
    /// The provider that generated (and holds) them.
    pub(crate) provider: &'static dyn CryptoProvider,
    /// RSA 2048, kid `rsa-<provider>`.
    pub(crate) rsa: PrivateKey,
    /// One key per curve (P-256, P-384, P-521), kid `<curve>-<provider>`.
    pub(crate) ec: Vec<PrivateKey>,
    /// Ed25519 and X25519 (RFC 8037), kid `<curve>-<provider>`.
    pub(crate) okp: Vec<PrivateKey>,
}

impl ProviderKeys {
    /// The provider's name.
    pub(crate) fn name(&self) -> &'static str {
        self.provider.name()
    }

    /// The EC key on `curve`.
    pub(crate) fn ec(&self, curve: EcCurve) -> Result<&PrivateKey> {
        self.ec
            .iter()
            .find(|k| k.kind() == KeyKind::Ec(curve))
            .ok_or_else(|| {
                CliError::usage(format!(
                    "demo: expected a generated {curve} key, found none"
                ))
            })
    }

    /// The OKP key on `curve`.
    pub(crate) fn okp(&self, curve: OkpCurve) -> Result<&PrivateKey> {
        self.okp
            .iter()
            .find(|k| k.kind() == KeyKind::Okp(curve))
            .ok_or_else(|| {
                CliError::usage(format!(
                    "demo: expected a generated {curve} key, found none"
                ))
            })
    }

    /// The key for a JWS algorithm: the RSA key, the EC key on the algorithm's curve, or the
    /// Ed25519 key for EdDSA.
    pub(crate) fn for_jws(&self, alg: JwsAlgorithm) -> Result<&PrivateKey> {
        match alg.scheme() {
            jose::alg::SignatureScheme::Ecdsa(curve) => self.ec(curve),
            jose::alg::SignatureScheme::EdDsa(curve) => self.okp(curve),
            _ => Ok(&self.rsa),
        }
    }
}

/// The demo's state: the text printed so far, the step counter, the keys.
pub(crate) struct Demo {
    out: String,
    steps: usize,
    limits: Limits,
    providers: Vec<&'static dyn CryptoProvider>,
    keys: Vec<ProviderKeys>,
}

impl Demo {
    /// Records one numbered step under a label (a provider name, or "a -> b").
    pub(crate) fn step(&mut self, label: &str, text: impl Display) {
        self.steps = self.steps.saturating_add(1);
        let _ = writeln!(self.out, "{:>3}. [{label}] {text}", self.steps);
    }

    /// The keys of every provider (generated by the first section).
    pub(crate) fn keys(&self) -> Result<Vec<ProviderKeys>> {
        if self.keys.is_empty() {
            return Err(CliError::usage(
                "demo: expected the key generation section to run first, found no keys",
            ));
        }
        Ok(self.keys.clone())
    }

    /// Every ordered pair of different providers' keys (producer, consumer).
    pub(crate) fn pairs(&self) -> Result<Vec<(ProviderKeys, ProviderKeys)>> {
        let keys = self.keys()?;
        let mut pairs = Vec::new();
        for a in &keys {
            for b in &keys {
                if a.name() != b.name() {
                    pairs.push((a.clone(), b.clone()));
                }
            }
        }
        Ok(pairs)
    }

    /// The limits used for parsing.
    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }
}

/// Runs every section; returns the text for stdout.
pub(crate) fn run() -> Result<Zeroizing<Vec<u8>>> {
    let started = Instant::now();
    let providers = jose::providers();
    let mut demo = Demo {
        out: String::new(),
        steps: 0,
        limits: Limits::default(),
        keys: Vec::new(),
        providers,
    };
    let names: Vec<&str> = demo.providers.iter().map(|p| p.name()).collect();
    let _ = writeln!(
        demo.out,
        "jose demo: fresh keys in memory, every capability end to end"
    );
    let _ = writeln!(demo.out, "providers: {}", names.join(", "));
    for (index, section) in SECTIONS.iter().enumerate() {
        let _ = writeln!(
            demo.out,
            "\n== {}. {} ==",
            index.saturating_add(1),
            section.title
        );
        (section.run)(&mut demo)
            .map_err(|e| e.context(format!("demo section {:?}", section.title)))?;
    }
    let _ = writeln!(
        demo.out,
        "\nAll {} steps OK in {} ms.",
        demo.steps,
        started.elapsed().as_millis()
    );
    Ok(Zeroizing::new(demo.out.into_bytes()))
}

const PAYLOAD: &[u8] = br#"{"iban":"DE89370400440532013000","amount":"100.00","currency":"EUR"}"#;

fn ms(since: Instant) -> u128 {
    since.elapsed().as_millis()
}

/// The RFC 7638 thumbprint of a key's public half.
fn thumbprint(key: &PrivateKey, provider: &'static dyn CryptoProvider) -> Result<String> {
    Ok(key.public_key().to_jwk()?.thumbprint_sha256(provider)?)
}

/// Fails unless `found` equals `expected`.
fn check_same(found: &[u8], expected: &[u8], what: &str) -> Result<()> {
    if found == expected {
        Ok(())
    } else {
        Err(CliError::rejected(format!(
            "demo: expected the {what} to equal the original {} bytes, found {} different bytes",
            expected.len(),
            found.len()
        )))
    }
}

/// A public key moved to another provider through SPKI DER, keeping its kid.
fn public_on(key: &PrivateKey, provider: &'static dyn CryptoProvider) -> Result<PublicKey> {
    let public = PublicKey::from_der(&key.public_key().to_spki_der()?, provider)?;
    Ok(match key.kid() {
        Some(kid) => public.with_kid(kid),
        None => public,
    })
}

fn keygen(demo: &mut Demo) -> Result<()> {
    for provider in demo.providers.clone() {
        let name = provider.name();
        let started = Instant::now();
        let rsa = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?
            .with_kid(format!("rsa-{name}"));
        let tp = thumbprint(&rsa, provider)?;
        demo.step(
            name,
            format_args!(
                "keygen RSA 2048 \"rsa-{name}\" in {} ms, thumbprint {tp}",
                ms(started)
            ),
        );
        let mut ec = Vec::new();
        for curve in EcCurve::ALL {
            let started = Instant::now();
            let key = PrivateKey::generate(KeySpec::Ec(*curve), provider)?
                .with_kid(format!("{curve}-{name}"));
            let tp = thumbprint(&key, provider)?;
            demo.step(
                name,
                format_args!(
                    "keygen EC {curve} \"{curve}-{name}\" in {} ms, thumbprint {tp}",
                    ms(started)
                ),
            );
            ec.push(key);
        }
        let mut okp = Vec::new();
        for curve in OkpCurve::ALL {
            let started = Instant::now();
            let key = PrivateKey::generate(KeySpec::Okp(*curve), provider)?
                .with_kid(format!("{curve}-{name}"));
            let tp = thumbprint(&key, provider)?;
            demo.step(
                name,
                format_args!(
                    "keygen OKP {curve} \"{curve}-{name}\" in {} ms, thumbprint {tp}",
                    ms(started)
                ),
            );
            okp.push(key);
        }
        demo.keys.push(ProviderKeys {
            provider,
            rsa,
            ec,
            okp,
        });
    }
    Ok(())
}

fn jwk(demo: &mut Demo) -> Result<()> {
    let keys = demo.keys()?;
    for pk in &keys {
        let name = pk.name();
        for key in std::iter::once(&pk.rsa)
            .chain(pk.ec.iter())
            .chain(pk.okp.iter())
        {
            let tp = thumbprint(key, pk.provider)?;
            let private_json = Zeroizing::new(key.to_jwk()?.to_json());
            let pem = key.public_key().to_spki_pem()?;
            for other in &keys {
                let jwk = Jwk::from_json(&private_json, demo.limits())?;
                let back = PrivateKey::from_jwk(&jwk, other.provider)?;
                let from_pem = PublicKey::from_pem(&pem, other.provider)?;
                let tp_back = thumbprint(&back, other.provider)?;
                let tp_pem = from_pem.to_jwk()?.thumbprint_sha256(other.provider)?;
                if tp_back != tp || tp_pem != tp || back.kid() != key.kid() {
                    return Err(CliError::rejected(format!(
                        "demo: expected the re-imported key on {} to keep thumbprint {tp} and its kid, found {tp_back} / {tp_pem}",
                        other.name()
                    )));
                }
            }
            demo.step(
                name,
                format_args!(
                    "{} \"{}\": private JWK ({} bytes) and SPKI PEM ({} bytes) re-imported on every provider, thumbprint {tp} unchanged",
                    key.kind(),
                    key.kid().unwrap_or_default(),
                    private_json.len(),
                    pem.len()
                ),
            );
        }
        let p256 = pk.ec(EcCurve::P256)?;
        demo.step(
            name,
            format_args!("public JWK: {}", p256.public_key().to_jwk()?.to_json()),
        );
    }
    Ok(())
}

fn jwe(demo: &mut Demo) -> Result<()> {
    let keys = demo.keys()?;
    let limits = *demo.limits();
    for (index, pk) in keys.iter().enumerate() {
        let (name, provider) = (pk.name(), pk.provider);
        for alg in KeyManagementAlgorithm::RSA_OAEP {
            let ours = DecryptingKey::new(pk.rsa.clone(), *alg)?;
            let theirs = ours.encrypting_key();
            for enc in ContentEncryption::GCM {
                let token = JweBuilder::new(*enc)
                    .content_type("application/json")
                    .recipient(&theirs)
                    .encrypt(PAYLOAD, provider)?
                    .to_compact()?;
                let out =
                    Jwe::from_compact(&token, &limits)?.decrypt([&ours], &[*enc], provider)?;
                check_same(&out.plaintext, PAYLOAD, "decrypted plaintext")?;
                demo.step(
                    name,
                    format_args!(
                        "JWE {alg} + {enc} compact: {} bytes, decrypted OK",
                        token.len()
                    ),
                );
            }
        }

        // Flattened JSON with additional authenticated data.
        let ours = DecryptingKey::new(pk.rsa.clone(), KeyManagementAlgorithm::RsaOaep256)?;
        let aad = b"payment-id: 4711";
        let token = JweBuilder::new(ContentEncryption::A256Gcm)
            .recipient(&ours.encrypting_key())
            .aad(aad)
            .encrypt(PAYLOAD, provider)?
            .to_flattened_json()?;
        let parsed = Jwe::from_json(&token, &limits)?;
        let out = parsed.decrypt([&ours], &[ContentEncryption::A256Gcm], provider)?;
        check_same(&out.plaintext, PAYLOAD, "decrypted plaintext")?;
        let aad_back = jose::b64::decode("JWE aad", parsed.aad_b64().unwrap_or_default())?;
        check_same(&aad_back, aad, "AAD")?;
        demo.step(
            name,
            format_args!(
                "JWE RSA-OAEP-256 + A256GCM flattened JSON with AAD {:?}: {} bytes, decrypted OK",
                String::from_utf8_lossy(aad),
                token.len()
            ),
        );

        // General JSON with two recipients: our key (RSA-OAEP-256) and the next provider's (RSA-OAEP).
        let other = keys.get(index.saturating_add(1) % keys.len()).unwrap_or(pk);
        let second = EncryptingKey::new(
            public_on(&other.rsa, provider)?,
            KeyManagementAlgorithm::RsaOaep,
        )?;
        let token = JweBuilder::new(ContentEncryption::A128Gcm)
            .recipient(&ours.encrypting_key())
            .recipient(&second)
            .encrypt(PAYLOAD, provider)?
            .to_general_json()?;
        let parsed = Jwe::from_json(&token, &limits)?;
        let first_out = parsed.decrypt([&ours], &[ContentEncryption::A128Gcm], provider)?;
        let theirs = DecryptingKey::new(other.rsa.clone(), KeyManagementAlgorithm::RsaOaep)?;
        let second_out =
            parsed.decrypt(&[theirs], &[ContentEncryption::A128Gcm], other.provider)?;
        check_same(&first_out.plaintext, PAYLOAD, "plaintext of recipient 1")?;
        check_same(&second_out.plaintext, PAYLOAD, "plaintext of recipient 2")?;
        if (first_out.recipient_index, second_out.recipient_index) != (0, 1) {
            return Err(CliError::rejected(format!(
                "demo: expected recipients 0 and 1 to decrypt, found {} and {}",
                first_out.recipient_index, second_out.recipient_index
            )));
        }
        demo.step(
            name,
            format_args!(
                "JWE A128GCM general JSON, 2 recipients (\"{}\" RSA-OAEP-256, \"{}\" RSA-OAEP): {} bytes, each recipient decrypted OK (the second on {})",
                pk.rsa.kid().unwrap_or_default(),
                other.rsa.kid().unwrap_or_default(),
                token.len(),
                other.name()
            ),
        );
    }
    Ok(())
}

fn jws(demo: &mut Demo) -> Result<()> {
    let keys = demo.keys()?;
    let limits = *demo.limits();
    for pk in &keys {
        let name = pk.name();
        for alg in &JwsAlgorithm::asymmetric().collect::<Vec<_>>() {
            let signer = SigningKey::new(pk.for_jws(*alg)?.clone(), *alg)?;
            let token = JwsBuilder::new(PAYLOAD)
                .signer(&signer)
                .sign()?
                .to_compact()?;
            let verified = Jws::from_compact(&token, &limits)?
                .verify(&[signer.verifying_key()])?
                .to_vec();
            check_same(&verified, PAYLOAD, "verified payload")?;
            demo.step(
                name,
                format_args!(
                    "JWS {alg} compact with \"{}\": {} bytes, verified OK",
                    signer.kid().unwrap_or_default(),
                    token.len()
                ),
            );
        }

        // Flattened JSON with an unprotected header.
        let es384 = SigningKey::new(pk.ec(EcCurve::P384)?.clone(), JwsAlgorithm::Es384)?;
        let mut unprotected = Header::new();
        unprotected.set("x-request-id", "demo-0001");
        let token = JwsBuilder::new(PAYLOAD)
            .signer_with(&es384, Header::new(), Some(unprotected))
            .sign()?
            .to_flattened_json()?;
        let verified = Jws::from_json(&token, &limits)?
            .verify(&[es384.verifying_key()])?
            .to_vec();
        check_same(&verified, PAYLOAD, "verified payload")?;
        demo.step(
            name,
            format_args!(
                "JWS ES384 flattened JSON with an unprotected header: {} bytes, verified OK",
                token.len()
            ),
        );

        // General JSON with two signatures, each verified on its own.
        let ps256 = SigningKey::new(pk.rsa.clone(), JwsAlgorithm::Ps256)?;
        let es512 = SigningKey::new(pk.ec(EcCurve::P521)?.clone(), JwsAlgorithm::Es512)?;
        let token = JwsBuilder::new(PAYLOAD)
            .signer(&ps256)
            .signer(&es512)
            .sign()?
            .to_general_json()?;
        let parsed = Jws::from_json(&token, &limits)?;
        let options = VerifyOptions::default();
        let first = parsed.verify_with(&[ps256.verifying_key()], None, &options)?;
        let second = parsed.verify_with(&[es512.verifying_key()], None, &options)?;
        if (first.signature_index, second.signature_index) != (0, 1) {
            return Err(CliError::rejected(format!(
                "demo: expected signatures 0 and 1 to verify, found {} and {}",
                first.signature_index, second.signature_index
            )));
        }
        demo.step(
            name,
            format_args!(
                "JWS general JSON, 2 signatures (PS256 by \"{}\", ES512 by \"{}\"): {} bytes, each signature verified OK",
                ps256.kid().unwrap_or_default(),
                es512.kid().unwrap_or_default(),
                token.len()
            ),
        );

        // Detached payload (RFC 7515 appendix F).
        let es256 = SigningKey::new(pk.ec(EcCurve::P256)?.clone(), JwsAlgorithm::Es256)?;
        let token = JwsBuilder::new(PAYLOAD)
            .detached(true)
            .signer(&es256)
            .sign()?
            .to_compact()?;
        Jws::from_compact(&token, &limits)?.verify_detached(PAYLOAD, &[es256.verifying_key()])?;
        demo.step(
            name,
            format_args!(
                "JWS ES256 compact with a detached payload: {} bytes (no payload inside), verified OK against the {}-byte payload",
                token.len(),
                PAYLOAD.len()
            ),
        );

        // Unencoded payload (RFC 7797): the payload contains '.', so flattened JSON.
        let rs256 = SigningKey::new(pk.rsa.clone(), JwsAlgorithm::Rs256)?;
        let token = JwsBuilder::new(PAYLOAD)
            .unencoded(true)
            .signer(&rs256)
            .sign()?
            .to_flattened_json()?;
        let parsed = Jws::from_json(&token, &limits)?;
        let verified = parsed.verify(&[rs256.verifying_key()])?.to_vec();
        check_same(&verified, PAYLOAD, "verified payload")?;
        demo.step(
            name,
            format_args!(
                "JWS RS256 flattened JSON with an unencoded payload (b64:false, crit [\"b64\"]): {} bytes, verified OK",
                token.len()
            ),
        );
    }
    Ok(())
}

fn cross_provider(demo: &mut Demo) -> Result<()> {
    let limits = *demo.limits();
    for (a, b) in demo.pairs()? {
        let label = format!("{} -> {}", a.name(), b.name());
        for alg in &JwsAlgorithm::asymmetric().collect::<Vec<_>>() {
            let key = a.for_jws(*alg)?;
            let signer = SigningKey::new(key.clone(), *alg)?;
            let token = JwsBuilder::new(PAYLOAD)
                .signer(&signer)
                .sign()?
                .to_compact()?;
            let verifier = VerifyingKey::new(public_on(key, b.provider)?, *alg)?;
            let verified = Jws::from_compact(&token, &limits)?
                .verify(&[verifier])?
                .to_vec();
            check_same(&verified, PAYLOAD, "verified payload")?;
            demo.step(
                &label,
                format_args!(
                    "JWS {alg}: signed on {}, verified on {}",
                    a.name(),
                    b.name()
                ),
            );
        }
        // Raw key agreement (what ECDH-ES builds on): X25519 and P-256 keys of the two providers
        // derive the same secret.
        for (key_a, key_b) in [
            (a.okp(OkpCurve::X25519)?, b.okp(OkpCurve::X25519)?),
            (a.ec(EcCurve::P256)?, b.ec(EcCurve::P256)?),
        ] {
            let ab = key_a.ops().agree(&key_b.public_key().to_spki_der()?)?;
            let ba = key_b.ops().agree(&key_a.public_key().to_spki_der()?)?;
            check_same(&ab, &ba, "shared secret")?;
            demo.step(
                &label,
                format_args!(
                    "{} agreement: the same {}-byte secret on {} and {}",
                    key_a.kind(),
                    ab.len(),
                    a.name(),
                    b.name()
                ),
            );
        }
        let recipient_on_a = public_on(&b.rsa, a.provider)?;
        for alg in KeyManagementAlgorithm::RSA_OAEP {
            let encrypting = EncryptingKey::new(recipient_on_a.clone(), *alg)?;
            let decrypting = DecryptingKey::new(b.rsa.clone(), *alg)?;
            for enc in ContentEncryption::GCM {
                let token = JweBuilder::new(*enc)
                    .recipient(&encrypting)
                    .encrypt(PAYLOAD, a.provider)?
                    .to_compact()?;
                let out = Jwe::from_compact(&token, &limits)?.decrypt(
                    [&decrypting],
                    &[*enc],
                    b.provider,
                )?;
                check_same(&out.plaintext, PAYLOAD, "decrypted plaintext")?;
                demo.step(
                    &label,
                    format_args!(
                        "JWE {alg} + {enc}: encrypted on {}, decrypted on {}",
                        a.name(),
                        b.name()
                    ),
                );
            }
        }
    }
    Ok(())
}

fn nested_jws_in_jwe(demo: &mut Demo) -> Result<()> {
    let limits = *demo.limits();
    let keys = demo.keys()?;
    for a in &keys {
        for b in &keys {
            let signer = SigningKey::new(a.ec(EcCurve::P256)?.clone(), JwsAlgorithm::Es256)?;
            let recipient = EncryptingKey::new(
                public_on(&b.rsa, a.provider)?,
                KeyManagementAlgorithm::RsaOaep256,
            )?;
            let token = nested::sign_then_encrypt(
                PAYLOAD,
                &signer,
                Header::new(),
                &recipient,
                ContentEncryption::A256Gcm,
                "JWT",
                a.provider,
            )?;
            let decrypting = DecryptingKey::new(b.rsa.clone(), KeyManagementAlgorithm::RsaOaep256)?;
            let verifying = VerifyingKey::new(
                public_on(a.ec(EcCurve::P256)?, b.provider)?,
                JwsAlgorithm::Es256,
            )?;
            let opened = nested::decrypt_then_verify(
                &token,
                &[decrypting],
                &[ContentEncryption::A256Gcm],
                &[verifying],
                &limits,
                b.provider,
            )?;
            check_same(&opened.payload, PAYLOAD, "verified payload")?;
            demo.step(
                &format!("{} -> {}", a.name(), b.name()),
                format_args!(
                    "nested JWS ES256 inside JWE RSA-OAEP-256 + A256GCM (cty JWT): {} bytes, decrypted and verified OK",
                    token.len()
                ),
            );
        }
    }
    Ok(())
}

/// Fails unless `outcome` is an error accepted by `expected`; returns the error's message.
fn expect_rejected<T>(
    outcome: jose::Result<T>,
    what: &str,
    expected: fn(&jose::Error) -> bool,
) -> Result<String> {
    match outcome {
        Ok(_) => Err(CliError::rejected(format!(
            "demo: expected the {what} to be rejected, found it accepted"
        ))),
        Err(e) if expected(&e) => Ok(e.to_string()),
        Err(e) => Err(CliError::rejected(format!(
            "demo: expected the {what} to be rejected for another reason, found: {e}"
        ))),
    }
}

/// Replaces the first character of dot-separated segment `index` with another base64url digit.
fn tamper(token: &str, index: usize) -> String {
    token
        .split('.')
        .enumerate()
        .map(|(i, segment)| {
            if i != index {
                return segment.to_owned();
            }
            let mut chars = segment.chars();
            let replacement = if chars.next() == Some('A') { 'B' } else { 'A' };
            format!("{replacement}{}", chars.as_str())
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn rejections(demo: &mut Demo) -> Result<()> {
    let limits = *demo.limits();
    for pk in demo.keys()? {
        let (name, provider) = (pk.name(), pk.provider);

        let es256 = SigningKey::new(pk.ec(EcCurve::P256)?.clone(), JwsAlgorithm::Es256)?;
        let token = JwsBuilder::new(PAYLOAD)
            .signer(&es256)
            .sign()?
            .to_compact()?;
        let forged = token
            .split('.')
            .enumerate()
            .map(|(i, s)| {
                if i == 1 {
                    jose::b64::encode(br#"{"amount":"1000000.00"}"#)
                } else {
                    s.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(".");
        let why = expect_rejected(
            Jws::from_compact(&forged, &limits)
                .and_then(|j| j.verify(&[es256.verifying_key()]).map(<[u8]>::to_vec)),
            "JWS with a changed payload",
            |e| *e == jose::Error::BadSignature,
        )?;
        demo.step(
            name,
            format_args!("tampered JWS (payload changed): rejected: {why}"),
        );

        let ours = DecryptingKey::new(pk.rsa.clone(), KeyManagementAlgorithm::RsaOaep256)?;
        let token = JweBuilder::new(ContentEncryption::A256Gcm)
            .recipient(&ours.encrypting_key())
            .encrypt(PAYLOAD, provider)?
            .to_compact()?;
        let why = expect_rejected(
            Jwe::from_compact(&tamper(&token, 3), &limits)
                .and_then(|j| j.decrypt([&ours], &[ContentEncryption::A256Gcm], provider)),
            "JWE with a changed ciphertext",
            |e| *e == jose::Error::DecryptionFailed,
        )?;
        demo.step(
            name,
            format_args!("tampered JWE (ciphertext changed): rejected: {why}"),
        );

        let ps256 = SigningKey::new(pk.rsa.clone(), JwsAlgorithm::Ps256)?;
        let token = JwsBuilder::new(PAYLOAD)
            .signer(&ps256)
            .sign()?
            .to_compact()?;
        let rs256_only = VerifyingKey::new(pk.rsa.public_key(), JwsAlgorithm::Rs256)?;
        let why = expect_rejected(
            Jws::from_compact(&token, &limits)
                .and_then(|j| j.verify(&[rs256_only]).map(<[u8]>::to_vec)),
            "PS256 JWS checked against an RS256-only allow-list",
            |e| matches!(e, jose::Error::AlgorithmNotAllowed { .. }),
        )?;
        demo.step(
            name,
            format_args!("PS256 JWS, allow-list RS256: rejected: {why}"),
        );

        let token = JweBuilder::new(ContentEncryption::A128Gcm)
            .recipient(&ours.encrypting_key())
            .encrypt(PAYLOAD, provider)?
            .to_compact()?;
        let why = expect_rejected(
            Jwe::from_compact(&token, &limits)
                .and_then(|j| j.decrypt([&ours], &[ContentEncryption::A256Gcm], provider)),
            "A128GCM JWE checked against an A256GCM-only allow-list",
            |e| matches!(e, jose::Error::AlgorithmNotAllowed { .. }),
        )?;
        demo.step(
            name,
            format_args!("A128GCM JWE, enc allow-list A256GCM: rejected: {why}"),
        );

        let unsigned = format!(
            "{}.{}.",
            jose::b64::encode(br#"{"alg":"none"}"#),
            jose::b64::encode(PAYLOAD)
        );
        let why = expect_rejected(
            Jws::from_compact(&unsigned, &limits)
                .and_then(|j| j.verify(&[es256.verifying_key()]).map(<[u8]>::to_vec)),
            "unsigned (alg none) JWS",
            |e| matches!(e, jose::Error::UnsupportedAlgorithm { .. }),
        )?;
        demo.step(
            name,
            format_args!("unsigned JWS (alg \"none\"): rejected: {why}"),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::tamper;

    #[test]
    fn tamper_changes_one_segment() {
        assert_eq!(tamper("a.b.Ac.d", 2), "a.b.Bc.d");
        assert_eq!(tamper("a.b.xc.d", 2), "a.b.Ac.d");
        assert_eq!(tamper("a..c", 1), "a.A.c");
    }
}

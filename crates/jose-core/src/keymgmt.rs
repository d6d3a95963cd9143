//! JWE key management (RFC 7518 section 4): how each `alg` produces the CEK for one recipient,
//! and which header parameters it writes (`epk`, `apu`, `apv`, `iv`, `tag`, `p2s`, `p2c`).
//!
//! The engine in [`crate::jwe`] calls three functions: [`direct_cek`] (the CEK comes from key
//! management: `dir`, ECDH-ES), [`wrap`] (a random CEK is wrapped: RSA-OAEP, A*KW, A*GCMKW,
//! ECDH-ES+A*KW, PBES2) and [`unwrap`]. Their primitives come from the providers
//! ([`CryptoProvider`]); the compositions (Concat KDF, the PBES2 salt, the checks on the header
//! parameters) live here, once.
//!
//! # Which provider computes
//!
//! A key keeps its provider: RSA-OAEP and the key agreement run on the provider of the
//! recipient's key, AES key wrap and AES-GCM key wrap on the [`SecretKey`]'s provider. What no
//! stored key does (the ephemeral ECDH key, the Concat KDF, the key wrap with a derived key,
//! PBKDF2) runs on the provider given to `encrypt` / `decrypt`.
//!
//! # Failures
//!
//! A malformed or out-of-bounds header parameter (an `epk` that is not a public key on the
//! recipient key's curve, a `p2c` above the limit, an `iv` or `tag` of the wrong length) is an
//! explicit error: it depends on nothing secret. A failure of the cryptography itself (the key
//! unwrap, the GCM tag of A*GCMKW) is [`Opaque`]: the engine then decrypts with a random CEK and
//! answers [`Error::DecryptionFailed`] like every other decryption failure.

use crate::alg::{ContentEncryption, HashAlg, KeyKind, KeyManagementAlgorithm, KeyManagementMode};
use crate::b64;
use crate::error::Error;
use crate::header::Header;
use crate::jwk::Jwk;
use crate::key::{DecryptingKey, EncryptingKey, KmKey, PublicKey, SecretKey};
use crate::provider::CryptoProvider;
use serde_json::Value;
use zeroize::Zeroizing;

/// The length of the PBES2 salt input (`p2s`) drawn when encrypting.
const P2S_LEN: usize = 16;
/// The shortest `p2s` accepted when decrypting (RFC 7518 section 4.8.1.1: at least 8 octets).
const MIN_P2S_LEN: usize = 8;
/// The A*GCMKW IV length (96 bits) and tag length (128 bits).
const GCMKW_IV_LEN: usize = 12;
const GCMKW_TAG_LEN: usize = 16;

/// What key management produced for one recipient.
#[derive(Debug, Default)]
pub(crate) struct Managed {
    /// The JWE Encrypted Key (empty for `dir` and ECDH-ES).
    pub(crate) encrypted_key: Vec<u8>,
    /// Header parameters to write next to the recipient's `alg`, in this order.
    pub(crate) params: Params,
}

/// A CEK (or a key-wrap key) key management derived.
type DerivedKey = Zeroizing<Vec<u8>>;
/// Header parameters key management writes.
type Params = Vec<(&'static str, Value)>;

/// The cryptography failed (unwrap, GCM tag): the engine hides which, behind a random CEK.
#[derive(Debug)]
pub(crate) struct Opaque;

/// For `dir` and ECDH-ES (direct), the CEK key management determines, with its header
/// parameters; `None` for the algorithms that wrap a random CEK.
///
/// `header` is the caller's header for this recipient (protected, shared and per-recipient
/// merged): `apu` and `apv` are read from it.
pub(crate) fn direct_cek(
    key: &EncryptingKey,
    enc: ContentEncryption,
    header: &Header,
    provider: &dyn CryptoProvider,
) -> Result<Option<(DerivedKey, Managed)>, Error> {
    let alg = key.alg();
    match (alg.mode(), &key.key) {
        (KeyManagementMode::Direct, KmKey::Secret(secret)) => {
            check_dir_len(secret, enc)?;
            Ok(Some((secret.secret.clone(), Managed::default())))
        }
        (KeyManagementMode::EcdhEs(None), KmKey::Asymmetric(public)) => {
            let (derived, params) = ecdh_es_sender(
                public,
                enc.name().as_bytes(),
                enc.key_len(),
                header,
                provider,
            )?;
            Ok(Some((
                derived,
                Managed {
                    encrypted_key: Vec::new(),
                    params,
                },
            )))
        }
        _ => Ok(None),
    }
}

/// Wraps `cek` for one recipient (every algorithm but the direct ones).
pub(crate) fn wrap(
    key: &EncryptingKey,
    cek: &[u8],
    header: &Header,
    provider: &dyn CryptoProvider,
) -> Result<Managed, Error> {
    let alg = key.alg();
    match (alg.mode(), &key.key) {
        (KeyManagementMode::RsaOaep(_), KmKey::Asymmetric(public)) => Ok(Managed {
            encrypted_key: public.ops().wrap_key(alg, cek)?,
            params: Vec::new(),
        }),
        (KeyManagementMode::AesKw(_), KmKey::Secret(secret)) => Ok(Managed {
            encrypted_key: secret.provider.aes_key_wrap(&secret.secret, cek)?,
            params: Vec::new(),
        }),
        (KeyManagementMode::AesGcmKw(len), KmKey::Secret(secret)) => {
            let mut iv = [0u8; GCMKW_IV_LEN];
            secret.provider.fill_random(&mut iv)?;
            let (encrypted_key, tag) =
                secret
                    .provider
                    .aead_seal(gcm_for(len)?, &secret.secret, &iv, &[], cek)?;
            Ok(Managed {
                encrypted_key,
                params: vec![
                    ("iv", Value::from(b64::encode(&iv))),
                    ("tag", Value::from(b64::encode(&tag))),
                ],
            })
        }
        (KeyManagementMode::EcdhEs(Some(len)), KmKey::Asymmetric(public)) => {
            let (kek, params) =
                ecdh_es_sender(public, alg.name().as_bytes(), len, header, provider)?;
            Ok(Managed {
                encrypted_key: provider.aes_key_wrap(&kek, cek)?,
                params,
            })
        }
        (KeyManagementMode::Pbes2 { hash, kw_len }, KmKey::Password(password)) => {
            let mut p2s = [0u8; P2S_LEN];
            provider.fill_random(&mut p2s)?;
            let kek = pbes2_kek(
                provider,
                alg,
                hash,
                kw_len,
                &password.password,
                &p2s,
                password.count,
            )?;
            Ok(Managed {
                encrypted_key: provider.aes_key_wrap(&kek, cek)?,
                params: vec![
                    ("p2s", Value::from(b64::encode(&p2s))),
                    ("p2c", Value::from(password.count)),
                ],
            })
        }
        (KeyManagementMode::Direct | KeyManagementMode::EcdhEs(None), _) => {
            Err(Error::InvalidRequest(format!(
                "{alg} uses its key as the content encryption key: it cannot wrap one (one recipient only)"
            )))
        }
        // The constructors of EncryptingKey bind each kind of key to its algorithms only.
        _ => Err(Error::invalid_key(
            format!("a key for {alg}"),
            "another kind of key",
        )),
    }
}

/// The CEK of one recipient: `Ok(Ok(cek))`, `Ok(Err(Opaque))` when the cryptography failed, or
/// an explicit error for a header parameter that is missing, malformed or out of bounds.
pub(crate) fn unwrap(
    key: &DecryptingKey,
    encrypted_key: &[u8],
    enc: ContentEncryption,
    header: &Header,
    max_pbes2_count: u32,
    provider: &dyn CryptoProvider,
) -> Result<Result<Zeroizing<Vec<u8>>, Opaque>, Error> {
    let alg = key.alg();
    let opaque = |result: Result<Zeroizing<Vec<u8>>, Error>| result.map_err(|_| Opaque);
    match (alg.mode(), &key.key) {
        (KeyManagementMode::RsaOaep(_), KmKey::Asymmetric(private)) => {
            match private.ops().unwrap_key(alg, encrypted_key) {
                // A key that cannot unwrap at all (in a KMS that only signs) says nothing about
                // the token: reported as it is.
                Err(e @ Error::Unsupported { .. }) => Err(e),
                other => Ok(opaque(other)),
            }
        }
        (KeyManagementMode::Direct, KmKey::Secret(secret)) => {
            check_dir_len(secret, enc)?;
            if encrypted_key.is_empty() {
                Ok(Ok(secret.secret.clone()))
            } else {
                // RFC 7516 section 5.2 step 10: the encrypted key must be empty.
                Ok(Err(Opaque))
            }
        }
        (KeyManagementMode::AesKw(_), KmKey::Secret(secret)) => Ok(opaque(
            secret
                .provider
                .aes_key_unwrap(&secret.secret, encrypted_key),
        )),
        (KeyManagementMode::AesGcmKw(len), KmKey::Secret(secret)) => {
            let iv = fixed_b64(header, "iv", GCMKW_IV_LEN, alg)?;
            let tag = fixed_b64(header, "tag", GCMKW_TAG_LEN, alg)?;
            Ok(opaque(secret.provider.aead_open(
                gcm_for(len)?,
                &secret.secret,
                &iv,
                &[],
                encrypted_key,
                &tag,
            )))
        }
        (KeyManagementMode::EcdhEs(wrap_len), KmKey::Asymmetric(private)) => {
            let epk = read_epk(header, private.kind(), alg)?;
            let (alg_id, len) = match wrap_len {
                None => (enc.name(), enc.key_len()),
                Some(len) => (alg.name(), len),
            };
            let z = private.ops().agree(epk.spki())?;
            let derived = concat_kdf(provider, &z, alg_id.as_bytes(), header, len)?;
            match wrap_len {
                None if encrypted_key.is_empty() => Ok(Ok(derived)),
                None => Ok(Err(Opaque)),
                Some(_) => Ok(opaque(provider.aes_key_unwrap(&derived, encrypted_key))),
            }
        }
        (KeyManagementMode::Pbes2 { hash, kw_len }, KmKey::Password(password)) => {
            let p2s = b64_param(header, "p2s", alg)?;
            if p2s.len() < MIN_P2S_LEN {
                return Err(Error::InvalidHeader(format!(
                    "{alg} needs a \"p2s\" of at least {MIN_P2S_LEN} bytes, found {} bytes",
                    p2s.len()
                )));
            }
            let count = read_p2c(header, max_pbes2_count, alg)?;
            let kek = pbes2_kek(provider, alg, hash, kw_len, &password.password, &p2s, count)?;
            Ok(opaque(provider.aes_key_unwrap(&kek, encrypted_key)))
        }
        _ => Err(Error::invalid_key(
            format!("a key for {alg}"),
            "another kind of key",
        )),
    }
}

/// `dir`: the secret must be exactly the `enc`'s key length, and the `enc` its `alg` names, if
/// it names one.
fn check_dir_len(secret: &SecretKey, enc: ContentEncryption) -> Result<(), Error> {
    if let Some(own) = secret.dir_enc() {
        if own != enc {
            return Err(Error::AlgorithmNotAllowed {
                found: enc.name().to_owned(),
                allowed: format!("{own} (the dir key's \"alg\")"),
            });
        }
    }
    if secret.len() == enc.key_len() {
        Ok(())
    } else {
        Err(Error::invalid_key(
            format!("a {}-byte secret for dir with {enc}", enc.key_len()),
            format!("{} bytes", secret.len()),
        ))
    }
}

/// The AES-GCM `enc` with a key of `len` bytes (A*GCMKW uses AES-GCM on the CEK).
fn gcm_for(len: usize) -> Result<ContentEncryption, Error> {
    match len {
        16 => Ok(ContentEncryption::A128Gcm),
        24 => Ok(ContentEncryption::A192Gcm),
        32 => Ok(ContentEncryption::A256Gcm),
        other => Err(Error::InvalidRequest(format!(
            "an AES-GCM key of 16, 24 or 32 bytes, found {other}"
        ))),
    }
}

/// ECDH-ES, the sender's side: an ephemeral key on the recipient key's curve, drawn from
/// `provider`; the agreed secret through the Concat KDF. Returns the derived key and the header
/// parameters (`epk`; `apu`/`apv` are the caller's and stay where the caller put them).
fn ecdh_es_sender(
    recipient: &PublicKey,
    alg_id: &[u8],
    len: usize,
    header: &Header,
    provider: &dyn CryptoProvider,
) -> Result<(DerivedKey, Params), Error> {
    let kind = recipient.kind();
    if let KeyKind::Rsa { .. } = kind {
        return Err(Error::invalid_key("an EC or X25519 key for ECDH-ES", kind));
    }
    let ephemeral = provider.generate_ephemeral(kind)?;
    let z = ephemeral.agree(&recipient.to_spki_der()?)?;
    let epk = PublicKey::from_ops(ephemeral.public_key()).to_jwk()?;
    let epk = serde_json::to_value(&epk)
        .map_err(|e| Error::Provider(format!("cannot write the ephemeral public key: {e}")))?;
    let derived = concat_kdf(provider, &z, alg_id, header, len)?;
    Ok((derived, vec![("epk", epk)]))
}

/// The recipient's view of `epk`: a public JWK (no `d`) of exactly the recipient key's kind.
fn read_epk(header: &Header, kind: KeyKind, alg: KeyManagementAlgorithm) -> Result<Epk, Error> {
    let Some(value) = header.get("epk") else {
        return Err(Error::InvalidHeader(format!(
            "{alg} needs an \"epk\" header parameter, found none"
        )));
    };
    let Value::Object(map) = value else {
        return Err(Error::InvalidHeader(format!(
            "{alg} needs \"epk\" as a JWK object, found another JSON value"
        )));
    };
    if map.contains_key("d") {
        return Err(Error::InvalidHeader(
            "\"epk\" must be a public key, found a private member \"d\"".into(),
        ));
    }
    let jwk = Jwk::from_map(map.clone())
        .map_err(|e| Error::InvalidHeader(format!("\"epk\" is not a usable JWK: {e}")))?;
    let der = jwk
        .to_public_der()
        .map_err(|e| Error::InvalidHeader(format!("\"epk\" is not a usable public key: {e}")))?;
    if der.kind() != kind {
        return Err(Error::InvalidHeader(format!(
            "\"epk\" must be on the recipient key's curve ({kind}), found an {}",
            der.kind()
        )));
    }
    Ok(Epk(der))
}

/// An `epk` read from a header, as SPKI DER.
struct Epk(crate::formats::PublicKeyDer);

impl Epk {
    fn spki(&self) -> &[u8] {
        self.0.spki()
    }
}

/// The Concat KDF of NIST SP 800-56A section 5.8.1 with SHA-256, as RFC 7518 section 4.6.2
/// instantiates it: `len` bytes from the shared secret `z`, with `AlgorithmID` = `alg_id`,
/// `PartyUInfo` and `PartyVInfo` from the header's `apu` and `apv` (empty when absent) and
/// `SuppPubInfo` = the key length in bits.
fn concat_kdf(
    provider: &dyn CryptoProvider,
    z: &[u8],
    alg_id: &[u8],
    header: &Header,
    len: usize,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let apu = optional_b64(header, "apu")?;
    let apv = optional_b64(header, "apv")?;
    let bits = u32::try_from(len * 8)
        .map_err(|_| Error::InvalidRequest(format!("a derived key of {len} bytes is too long")))?;
    let mut other_info = Vec::with_capacity(16 + alg_id.len() + apu.len() + apv.len());
    for field in [alg_id, &apu, &apv] {
        let field_len = u32::try_from(field.len()).map_err(|_| {
            Error::InvalidHeader("an \"apu\" or \"apv\" too long for the Concat KDF".into())
        })?;
        other_info.extend_from_slice(&field_len.to_be_bytes());
        other_info.extend_from_slice(field);
    }
    other_info.extend_from_slice(&bits.to_be_bytes());
    let mut out = Zeroizing::new(Vec::with_capacity(len.next_multiple_of(32)));
    let mut round: u32 = 1;
    while out.len() < len {
        let mut input = Zeroizing::new(Vec::with_capacity(4 + z.len() + other_info.len()));
        input.extend_from_slice(&round.to_be_bytes());
        input.extend_from_slice(z);
        input.extend_from_slice(&other_info);
        let digest = Zeroizing::new(provider.digest(HashAlg::Sha256, &input)?);
        out.extend_from_slice(&digest);
        round += 1;
    }
    out.truncate(len);
    Ok(out)
}

/// The PBES2 key-wrap key: PBKDF2 with HMAC-`hash` over `password`, salt `alg || 0x00 || p2s`.
fn pbes2_kek(
    provider: &dyn CryptoProvider,
    alg: KeyManagementAlgorithm,
    hash: HashAlg,
    kw_len: usize,
    password: &[u8],
    p2s: &[u8],
    count: u32,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut salt = Vec::with_capacity(alg.name().len() + 1 + p2s.len());
    salt.extend_from_slice(alg.name().as_bytes());
    salt.push(0);
    salt.extend_from_slice(p2s);
    let mut kek = Zeroizing::new(vec![0u8; kw_len]);
    provider.pbkdf2(hash, password, &salt, count, &mut kek)?;
    Ok(kek)
}

/// `p2c`: an integer from 1 to `max` (refused before any work).
fn read_p2c(header: &Header, max: u32, alg: KeyManagementAlgorithm) -> Result<u32, Error> {
    let Some(value) = header.get("p2c") else {
        return Err(Error::InvalidHeader(format!(
            "{alg} needs a \"p2c\" header parameter, found none"
        )));
    };
    let count = value.as_u64().ok_or_else(|| {
        Error::InvalidHeader(format!(
            "\"p2c\" must be a positive integer, found {}",
            crate::error::clip(&value.to_string(), 32)
        ))
    })?;
    if count == 0 || count > u64::from(max) {
        return Err(Error::InvalidHeader(format!(
            "\"p2c\" must be from 1 to {max} (Limits::max_pbes2_count), found {count}"
        )));
    }
    u32::try_from(count).map_err(|_| Error::InvalidHeader(format!("\"p2c\" {count} is too large")))
}

/// A base64url header parameter that must be present.
fn b64_param(
    header: &Header,
    name: &'static str,
    alg: KeyManagementAlgorithm,
) -> Result<Vec<u8>, Error> {
    let Some(text) = header.get_str(name)? else {
        return Err(Error::InvalidHeader(format!(
            "{alg} needs a \"{name}\" header parameter, found none"
        )));
    };
    b64::decode(header_param_name(name), text)
}

/// A base64url header parameter of exactly `len` bytes.
fn fixed_b64(
    header: &Header,
    name: &'static str,
    len: usize,
    alg: KeyManagementAlgorithm,
) -> Result<Vec<u8>, Error> {
    let bytes = b64_param(header, name, alg)?;
    if bytes.len() == len {
        Ok(bytes)
    } else {
        Err(Error::InvalidHeader(format!(
            "{alg} needs a {len}-byte \"{name}\", found {} bytes",
            bytes.len()
        )))
    }
}

/// A base64url header parameter that may be absent (empty then).
fn optional_b64(header: &Header, name: &'static str) -> Result<Vec<u8>, Error> {
    match header.get_str(name)? {
        Some(text) => b64::decode(header_param_name(name), text),
        None => Ok(Vec::new()),
    }
}

/// How a decoding error names the parameter.
fn header_param_name(name: &str) -> &'static str {
    match name {
        "iv" => "JWE header \"iv\"",
        "tag" => "JWE header \"tag\"",
        "p2s" => "JWE header \"p2s\"",
        "apu" => "JWE header \"apu\"",
        "apv" => "JWE header \"apv\"",
        _ => "JWE header parameter",
    }
}

//! Key files: reading one with a size bound, telling its format from its content, and importing
//! the key, or the keys, it holds.
//!
//! | format | detected by | holds |
//! |---|---|---|
//! | PEM | text with a `-----BEGIN` line (text around the block is ignored) | one key block: `PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY` (an `EC PARAMETERS` block beside it is skipped); `PUBLIC KEY` or `RSA PUBLIC KEY` |
//! | DER | binary data starting with a SEQUENCE | PKCS#8, PKCS#1 or SEC1 private key; SPKI or PKCS#1 public key, told apart by their structure |
//! | JWK | a JSON object with `"kty"` | one key: private when it has `"d"`, else public |
//! | JWKS | a JSON object with `"keys"` | a set of JWKs, each imported on its own ([`SetEntry`]) |
//!
//! The formats themselves are [`crate::formats`] (PEM, DER) and [`crate::jwk`] (JWK, JWKS): this
//! module only chooses among them, so a key file is checked exactly as those parsers check keys.
//! A PEM file holds one key: several key blocks are refused, as
//! [`PrivateKeyDer::from_pem`](formats::PrivateKeyDer::from_pem) refuses them. Encrypted private
//! keys are refused (decrypt them first).
//!
//! # Secrets
//!
//! [`read_limited`] returns the file in [`Zeroizing`] memory, read into buffers that are wiped as
//! they are outgrown. What parsing extracts lives in types that wipe it: PEM is decoded into
//! zeroized buffers, a JWK's private members live in a [`Jwk`] (wiped on drop), and telling a JWK
//! from a JWKS reads only the names of the top-level members (their values are skipped, not
//! kept). Errors and `Debug` output never hold key material or the file's contents.

use crate::alg::KeyKind;
use crate::error::Error;
use crate::formats;
use crate::jwk::{Jwk, Jwks};
use crate::key::{PrivateKey, PublicKey, SecretKey};
use crate::limits::Limits;
use crate::provider::CryptoProvider;
use serde::Deserializer as _;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use std::fmt;
use std::io::Read;
use std::path::Path;
use zeroize::Zeroizing;

/// What a key file holds, in errors: every format this module detects.
const EXPECTED_KEY: &str = "a key in PEM, DER, JWK or JWKS form";

/// The formats a key file can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// PEM text (`-----BEGIN <label>-----`).
    Pem,
    /// Binary DER.
    Der,
    /// A JSON Web Key: a JSON object with `"kty"`.
    Jwk,
    /// A JSON Web Key Set: a JSON object with `"keys"`.
    Jwks,
}

impl Format {
    /// Tells the format of key file contents without importing anything (see the
    /// [module documentation](self)); JSON is parsed as far as the names of its top-level members.
    ///
    /// Errors: [`Error::LimitExceeded`] over [`Limits::max_key_len`]; [`Error::Malformed`] for
    /// input that is empty, text that is neither PEM nor JSON, invalid JSON, a JSON object with
    /// neither `"kty"` nor `"keys"`, or binary data that is not DER.
    pub fn detect(bytes: &[u8], limits: &Limits) -> Result<Format, Error> {
        Limits::check("key file", limits.max_key_len, bytes.len())?;
        Ok(sniff(bytes)?.format())
    }

    /// The format's name: `"PEM"`, `"DER"`, `"JWK"` or `"JWKS"`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pem => "PEM",
            Format::Der => "DER",
            Format::Jwk => "JWK",
            Format::Jwks => "JWKS",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One key: a private key (whose public half is available too), a public key, or a shared secret
/// (a JWK of `kty` `oct`).
#[derive(Debug, Clone)]
pub enum Key {
    /// A private key.
    Private(PrivateKey),
    /// A public key.
    Public(PublicKey),
    /// A shared secret (HS*, `dir`, A*KW, A*GCMKW).
    Secret(SecretKey),
}

impl Key {
    /// Whether this is a private key.
    pub fn is_private(&self) -> bool {
        matches!(self, Key::Private(_))
    }

    /// The private key, if this is one.
    pub fn private_key(&self) -> Option<&PrivateKey> {
        match self {
            Key::Private(k) => Some(k),
            Key::Public(_) | Key::Secret(_) => None,
        }
    }

    /// The shared secret, if this is one.
    pub fn secret_key(&self) -> Option<&SecretKey> {
        match self {
            Key::Secret(k) => Some(k),
            Key::Private(_) | Key::Public(_) => None,
        }
    }

    /// The public key: the key itself, or the public half of a private key (with its `kid`).
    ///
    /// Errors: [`Error::InvalidKey`] for a shared secret, which has no public half.
    pub fn public_key(&self) -> Result<PublicKey, Error> {
        match self {
            Key::Private(k) => Ok(k.public_key()),
            Key::Public(k) => Ok(k.clone()),
            Key::Secret(_) => Err(Error::invalid_key(
                "a public or private key",
                "a shared secret (kty \"oct\"), which has no public half",
            )),
        }
    }

    /// The key id (a JWK's `kid`; PEM and DER carry none).
    pub fn kid(&self) -> Option<&str> {
        match self {
            Key::Private(k) => k.kid(),
            Key::Public(k) => k.kid(),
            Key::Secret(k) => k.kid(),
        }
    }

    /// The same key with another key id.
    pub fn with_kid(self, kid: impl Into<String>) -> Self {
        match self {
            Key::Private(k) => Key::Private(k.with_kid(kid)),
            Key::Public(k) => Key::Public(k.with_kid(kid)),
            Key::Secret(k) => Key::Secret(k.with_kid(kid)),
        }
    }

    /// The key's type and size; `None` for a shared secret (no [`KeyKind`] is one).
    pub fn kind(&self) -> Option<KeyKind> {
        match self {
            Key::Private(k) => Some(k.kind()),
            Key::Public(k) => Some(k.kind()),
            Key::Secret(_) => None,
        }
    }

    /// What the key is, for messages: "an RSA 2048-bit key", "a 32-byte shared secret".
    pub fn describe(&self) -> String {
        match self {
            Key::Private(k) => format!("a private {}", k.kind()),
            Key::Public(k) => format!("a public {}", k.kind()),
            Key::Secret(k) => format!("a {}-byte shared secret", k.len()),
        }
    }

    /// The key as a JWK, with its metadata (the private members too, for a private key; `k`
    /// for a secret).
    pub fn to_jwk(&self) -> Result<Jwk, Error> {
        match self {
            Key::Private(k) => k.to_jwk(),
            Key::Public(k) => k.to_jwk(),
            Key::Secret(k) => Ok(k.to_jwk()),
        }
    }
}

impl From<SecretKey> for Key {
    fn from(key: SecretKey) -> Self {
        Key::Secret(key)
    }
}

impl From<PrivateKey> for Key {
    fn from(key: PrivateKey) -> Self {
        Key::Private(key)
    }
}

impl From<PublicKey> for Key {
    fn from(key: PublicKey) -> Self {
        Key::Public(key)
    }
}

/// One key of a JWKS: its `kid`, and the imported key or why it cannot be imported (a key of a
/// type this crate does not support, say), so that one bad key does not hide the others.
#[derive(Debug, Clone)]
pub struct SetEntry {
    /// The JWK's `kid`.
    pub kid: Option<String>,
    /// The key (with the JWK's `kid`, `use`, `key_ops` and `alg`), or the import error.
    pub key: Result<Key, Error>,
}

/// What a key file holds: one key (PEM, DER or JWK) or a set (JWKS).
#[derive(Debug, Clone)]
pub enum KeyFile {
    /// One key, from PEM, DER or a JWK.
    Single(Key),
    /// The keys of a JWKS, in order.
    Set(Vec<SetEntry>),
}

impl KeyFile {
    /// Reads a key file (at most [`Limits::max_key_len`] bytes, see [`read_limited`]), detects its
    /// format and imports its key or keys on `provider`. The file's bytes are wiped afterwards.
    ///
    /// ```
    /// use jose_core::keyfile::{Key, KeyFile};
    /// use jose_core::{EcCurve, KeySpec, Limits, PrivateKey};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let provider = jose_crypto_awslc::provider();
    /// let key = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider)?;
    /// let path = std::env::temp_dir().join(format!("keyfile-doctest-{}.pem", std::process::id()));
    /// std::fs::write(&path, key.public_key().to_spki_pem()?)?;
    ///
    /// let loaded = KeyFile::load(&path, &Limits::default(), provider);
    /// std::fs::remove_file(&path)?;
    /// match loaded? {
    ///     KeyFile::Single(Key::Public(public)) => assert_eq!(public.kind(), key.kind()),
    ///     other => panic!("expected one public key, found {other:?}"),
    /// }
    ///
    /// // Errors name the file and never quote it.
    /// let missing = std::env::temp_dir().join("no-such-key-file.pem");
    /// let err = KeyFile::load(&missing, &Limits::default(), provider).unwrap_err();
    /// assert!(err.to_string().contains("no-such-key-file.pem"));
    /// # Ok(()) }
    /// ```
    ///
    /// Errors: [`Error::Io`] and [`Error::FileTooLarge`] from reading (they name the file);
    /// anything [`KeyFile::parse`] refuses, as the source of an [`Error::KeyFile`] naming the file.
    pub fn load(
        path: &Path,
        limits: &Limits,
        provider: &'static dyn CryptoProvider,
    ) -> Result<KeyFile, Error> {
        let bytes = read_limited(path, "key file", limits.max_key_len)?;
        KeyFile::parse(&bytes, limits, provider).map_err(|e| Error::KeyFile {
            path: path.to_path_buf(),
            source: Box::new(e),
        })
    }

    /// Detects the format of key file contents ([`Format::detect`]) and imports the key or keys on
    /// `provider`: PEM and DER as a private or public key by their label or structure, a JWK as a
    /// private key when it has `"d"`, as a shared secret ([`SecretKey`]) when its `kty` is `oct`,
    /// and as a public key otherwise, a JWKS key by key. (A shared secret keeps its provider,
    /// hence the `'static`: every provider of this workspace is one.)
    ///
    /// ```
    /// use jose_core::keyfile::KeyFile;
    /// use jose_core::{EcCurve, Jwks, KeySpec, Limits, PrivateKey};
    ///
    /// # fn main() -> Result<(), jose_core::Error> {
    /// let provider = jose_crypto_awslc::provider();
    /// let signing = PrivateKey::generate(KeySpec::Ec(EcCurve::P256), provider)?.with_kid("sig-1");
    /// let mut other = signing.public_key().to_jwk()?;
    /// other.kty = "RSA".into();
    /// other.kid = Some("broken-1".into());
    /// let jwks = Jwks::new(vec![signing.to_jwk()?, other]).to_json();
    ///
    /// let KeyFile::Set(entries) = KeyFile::parse(jwks.as_bytes(), &Limits::default(), provider)?
    /// else {
    ///     panic!("a JWKS is a set");
    /// };
    /// assert_eq!(entries[0].kid.as_deref(), Some("sig-1"));
    /// assert!(entries[0].key.as_ref().is_ok_and(|k| k.is_private()));
    /// // A key that cannot be imported is kept as its error; the others are usable.
    /// assert!(entries[1].key.is_err());
    /// # Ok(()) }
    /// ```
    ///
    /// Errors: those of [`Format::detect`]; [`Error::Malformed`] for PEM that is not UTF-8; then
    /// the errors of [`PrivateKey::from_pem`], [`PublicKey::from_pem`], [`PrivateKey::from_der`],
    /// [`PublicKey::from_der`], [`Jwk::from_json`] and [`Jwks::from_json`], and for one JWK those
    /// of [`PrivateKey::from_jwk`] or [`PublicKey::from_jwk`]. A JWKS key that does not import is
    /// not an error of the whole set.
    pub fn parse(
        bytes: &[u8],
        limits: &Limits,
        provider: &'static dyn CryptoProvider,
    ) -> Result<KeyFile, Error> {
        Limits::check("key file", limits.max_key_len, bytes.len())?;
        match sniff(bytes)? {
            Sniffed::Pem => {
                let text = std::str::from_utf8(bytes)
                    .map_err(|_| Error::malformed("key PEM", "UTF-8 text", "non-UTF-8 bytes"))?;
                // The private labels all end in "PRIVATE KEY": PKCS#8 (also encrypted, which
                // the private parser names), PKCS#1 and SEC1. Any other label is the public
                // parser's to refuse, with the labels it accepts.
                let key = if formats::pem_label(text)?.ends_with("PRIVATE KEY") {
                    Key::Private(PrivateKey::from_pem(text, provider)?)
                } else {
                    Key::Public(PublicKey::from_pem(text, provider)?)
                };
                Ok(KeyFile::Single(key))
            }
            Sniffed::Der(DerShape::Private) => {
                PrivateKey::from_der(bytes, provider).map(|k| KeyFile::Single(Key::Private(k)))
            }
            Sniffed::Der(DerShape::Public) => {
                PublicKey::from_der(bytes, provider).map(|k| KeyFile::Single(Key::Public(k)))
            }
            Sniffed::Der(DerShape::Other) => Err(Error::malformed(
                "key DER",
                "a private key (PKCS#8, PKCS#1 or SEC1) or a public key (SPKI or PKCS#1)",
                "an unrecognized ASN.1 structure",
            )),
            Sniffed::Jwk(text) => {
                let jwk = Jwk::from_json(text, limits)?;
                import_jwk(&jwk, provider).map(KeyFile::Single)
            }
            Sniffed::Jwks(text) => {
                let jwks = Jwks::from_json(text, limits)?;
                Ok(KeyFile::Set(
                    jwks.iter()
                        .map(|jwk| SetEntry {
                            kid: jwk.kid.clone(),
                            key: import_jwk(jwk, provider),
                        })
                        .collect(),
                ))
            }
        }
    }
}

/// Imports a JWK as a shared secret (`kty` `oct`), a private key if it has private members, else as
/// a public key.
fn import_jwk(jwk: &Jwk, provider: &'static dyn CryptoProvider) -> Result<Key, Error> {
    if jwk.kty == "oct" {
        SecretKey::from_jwk(jwk, provider).map(Key::Secret)
    } else if jwk.is_private() {
        PrivateKey::from_jwk(jwk, provider).map(Key::Private)
    } else {
        PublicKey::from_jwk(jwk, provider).map(Key::Public)
    }
}

/// Reads a whole file, refusing one of more than `max` bytes: at most `max + 1` bytes are read,
/// into buffers wiped when outgrown and, the one returned, on drop ([`Zeroizing`]). `what` names
/// the file in errors ("key file", "configuration file", ...), which also name its path and
/// never hold its contents.
///
/// Errors: [`Error::Io`] (the operating system's error as its source) if the file cannot be
/// opened or read, [`Error::FileTooLarge`] if it holds more than `max` bytes.
pub fn read_limited(
    path: &Path,
    what: &'static str,
    max: usize,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let io = |e: std::io::Error| Error::Io {
        what,
        path: path.to_path_buf(),
        source: e.into(),
    };
    let file = std::fs::File::open(path).map_err(io)?;
    // The size the file says it has (0 for a pipe), to allocate once in the usual case.
    let hint = file
        .metadata()
        .ok()
        .and_then(|m| usize::try_from(m.len()).ok())
        .unwrap_or(0);
    read_bounded(file, max, hint)
        .map_err(io)?
        .ok_or_else(|| Error::FileTooLarge {
            what,
            path: path.to_path_buf(),
            limit: max,
        })
}

/// Reads `reader` to its end, or to `max + 1` bytes: `None` if there were more than `max`.
/// `hint` is the expected size. Every buffer that held data is wiped when dropped, so growing
/// leaves no copy behind.
fn read_bounded(
    mut reader: impl Read,
    max: usize,
    hint: usize,
) -> std::io::Result<Option<Zeroizing<Vec<u8>>>> {
    const FIRST: usize = 8 * 1024;
    let cap = max.saturating_add(1);
    // One byte over the hint, so that end of file is seen without growing.
    let first = if hint > 0 {
        hint.saturating_add(1)
    } else {
        FIRST
    };
    let mut buf = Zeroizing::new(vec![0u8; first.min(cap)]);
    let mut len = 0usize;
    loop {
        if len == buf.len() {
            if len >= cap {
                return Ok(None);
            }
            let bigger = len.saturating_mul(2).max(FIRST).min(cap);
            let mut grown = Zeroizing::new(vec![0u8; bigger]);
            if let (Some(dst), Some(src)) = (grown.get_mut(..len), buf.get(..len)) {
                dst.copy_from_slice(src);
            }
            buf = grown;
        }
        let Some(free) = buf.get_mut(len..) else {
            break;
        };
        match reader.read(free) {
            Ok(0) => break,
            Ok(n) => len = len.saturating_add(n).min(buf.len()),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    if len > max {
        return Ok(None);
    }
    buf.truncate(len);
    Ok(Some(buf))
}

/// What the first look at key file contents found. JSON is kept as the text, to be parsed
/// strictly by the JWK or JWKS parser.
enum Sniffed<'a> {
    Pem,
    Der(DerShape),
    Jwk(&'a str),
    Jwks(&'a str),
}

impl Sniffed<'_> {
    fn format(&self) -> Format {
        match self {
            Sniffed::Pem => Format::Pem,
            Sniffed::Der(_) => Format::Der,
            Sniffed::Jwk(_) => Format::Jwk,
            Sniffed::Jwks(_) => Format::Jwks,
        }
    }
}

/// Private, public or neither, from the tags of the first elements of a DER SEQUENCE (the
/// parsers then check everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DerShape {
    Private,
    Public,
    Other,
}

fn sniff(bytes: &[u8]) -> Result<Sniffed<'_>, Error> {
    let trimmed = bytes.trim_ascii_start();
    let Some(&first) = trimmed.first() else {
        return Err(Error::malformed("key", EXPECTED_KEY, "nothing"));
    };
    if first == b'{' {
        return json_kind(bytes);
    }
    // DER starts with its SEQUENCE tag, never with whitespace.
    if bytes.first() == Some(&0x30) {
        return der_shape(bytes).map(Sniffed::Der).map_err(|e| {
            Error::malformed(
                "key",
                EXPECTED_KEY,
                format!("binary data starting like DER but not DER ({e})"),
            )
        });
    }
    if trimmed
        .windows(b"-----BEGIN".len())
        .any(|w| w == b"-----BEGIN")
    {
        return Ok(Sniffed::Pem);
    }
    Err(Error::malformed(
        "key",
        EXPECTED_KEY,
        if std::str::from_utf8(bytes).is_ok() {
            "text that is neither PEM (no \"-----BEGIN\" line) nor JSON"
        } else {
            "binary data that is neither PEM, JSON nor DER"
        },
    ))
}

/// Tells a JWK from a JWKS by the names of the object's members (their values are skipped, not
/// copied).
fn json_kind(bytes: &[u8]) -> Result<Sniffed<'_>, Error> {
    /// Which of `"keys"` and `"kty"` a JSON object has.
    struct Members;
    impl<'de> Visitor<'de> for Members {
        type Value = (bool, bool);
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let (mut keys, mut kty) = (false, false);
            while let Some(name) = map.next_key::<String>()? {
                keys |= name == "keys";
                kty |= name == "kty";
                map.next_value::<IgnoredAny>()?;
            }
            Ok((keys, kty))
        }
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    // Only the position of a syntax error is shown: serde_json's messages may quote the input.
    let (keys, kty) = de
        .deserialize_map(Members)
        .and_then(|found| de.end().map(|()| found))
        .map_err(|e| {
            Error::malformed(
                "key",
                "a JWK or JWKS JSON object",
                format!("invalid JSON (at line {} column {})", e.line(), e.column()),
            )
        })?;
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Error::malformed("key", "UTF-8 JSON", "non-UTF-8 bytes"))?;
    match (keys, kty) {
        (true, _) => Ok(Sniffed::Jwks(text)),
        (false, true) => Ok(Sniffed::Jwk(text)),
        (false, false) => Err(Error::malformed(
            "key",
            "a JWK (a JSON object with \"kty\") or a JWKS (a JSON object with \"keys\")",
            "an object with neither",
        )),
    }
}

/// The shape of DER key data (see [`DerShape`]): the tags `PrivateKeyDer::from_der` and
/// `PublicKeyDer::from_der` look at.
fn der_shape(der: &[u8]) -> Result<DerShape, der::Error> {
    Ok(match formats::Shape::of(der)?.is_private() {
        Some(true) => DerShape::Private,
        Some(false) => DerShape::Public,
        None => DerShape::Other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes a call, with an interruption first.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
        interrupted: bool,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if !self.interrupted {
                self.interrupted = true;
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = self.step.min(out.len()).min(self.data.len());
            let (now, rest) = self.data.split_at(n);
            out.iter_mut().zip(now).for_each(|(o, b)| *o = *b);
            self.data = rest;
            Ok(n)
        }
    }

    fn read(data: &[u8], max: usize, hint: usize, step: usize) -> Option<Vec<u8>> {
        let reader = Trickle {
            data,
            step,
            interrupted: false,
        };
        read_bounded(reader, max, hint)
            .ok()
            .and_then(|r| r.map(|b| b.to_vec()))
    }

    #[test]
    fn bounded_read_keeps_everything_up_to_the_limit_and_refuses_more() {
        let data: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
        for (hint, step) in [(0, 7), (0, 5000), (20_000, 20_000), (10, 3), (1, 9999)] {
            assert_eq!(
                read(&data, 20_000, hint, step).as_deref(),
                Some(&data[..]),
                "{hint} {step}"
            );
            assert_eq!(read(&data, 19_999, hint, step), None, "{hint} {step}");
        }
        assert_eq!(read(b"", 0, 0, 1).as_deref(), Some(&b""[..]));
        assert_eq!(read(b"x", 0, 0, 1), None);
    }

    #[test]
    fn der_shapes() {
        assert_eq!(der_shape(&[0x30, 0x00]).ok(), Some(DerShape::Other));
        // SEQUENCE { INTEGER 1, INTEGER 1 }: a PKCS#1 public key's shape.
        let pub_shape = [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01];
        assert_eq!(der_shape(&pub_shape).ok(), Some(DerShape::Public));
        // ... and with a third INTEGER, a PKCS#1 private key's.
        let priv_shape = [
            0x30, 0x09, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01,
        ];
        assert_eq!(der_shape(&priv_shape).ok(), Some(DerShape::Private));
        assert!(der_shape(&[0x30, 0x03, 0x02, 0x01]).is_err());
    }
}

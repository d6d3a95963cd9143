//! JSON Web Encryption (RFC 7516): every JWA key management algorithm and content encryption.
//!
//! One model, three serializations: a [`Jwe`] is built by [`JweBuilder`] or parsed by
//! [`Jwe::from_compact`] / [`Jwe::from_json`] / [`Jwe::parse`], and written by
//! [`Jwe::to_compact`], [`Jwe::to_flattened_json`] and [`Jwe::to_general_json`].
//!
//! ```
//! # fn main() -> Result<(), jose_core::Error> {
//! # let provider = jose_crypto_awslc::provider();
//! use jose_core::{ContentEncryption, DecryptingKey, KeyManagementAlgorithm, KeySpec, Limits, PrivateKey};
//! use jose_core::jwe::{Jwe, JweBuilder};
//!
//! let key = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, provider)?.with_kid("enc-1");
//! let decrypting = DecryptingKey::new(key, KeyManagementAlgorithm::RsaOaep256)?;
//! let encrypting = decrypting.encrypting_key();
//!
//! let token = JweBuilder::new(ContentEncryption::A256Gcm)
//!     .recipient(&encrypting)
//!     .encrypt(b"secret", provider)?
//!     .to_compact()?;
//!
//! let jwe = Jwe::from_compact(&token, &Limits::default())?;
//! let plaintext = jwe.decrypt(&[decrypting], &[ContentEncryption::A256Gcm], provider)?;
//! assert_eq!(&plaintext.plaintext[..], b"secret");
//! # Ok(()) }
//! ```
//!
//! # Security
//!
//! Every failure after the headers have been accepted (key unwrap, wrong CEK length, tag mismatch)
//! is the same [`Error::DecryptionFailed`]. When unwrapping fails, the content is still decrypted
//! with a random CEK, so timing does not tell which step failed (RFC 7516 section 11.5). A key
//! management header parameter that is missing or out of bounds (`epk`, `iv`, `tag`, `p2s`, a
//! `p2c` above [`Limits::max_pbes2_count`]) is refused by name before any key work.
//! Compressed content (`"zip":"DEF"`) is made only on request ([`JweBuilder::compress`]) and
//! inflated only when the caller allows it, with a bound ([`DecryptOptions::allow_zip`]).
//!
//! # Hostile inputs and their errors
//!
//! | input | error |
//! |---|---|
//! | a `p2c` above [`Limits::max_pbes2_count`] (10⁹, say) | [`Error::InvalidHeader`] when parsing, before any key work |
//! | an `epk` off its curve, or a low-order X25519 point | [`Error::InvalidKey`] (the provider's check; an all-zero X25519 secret) |
//! | an `epk` on another curve than the recipient key's, or with a private `d` | [`Error::InvalidHeader`] naming both curves, or `"d"` |
//! | a missing or malformed `epk`, `iv`, `tag` or `p2s` | [`Error::InvalidHeader`] naming the parameter |
//! | `zip` not allowed by the caller | [`Error::InvalidHeader`], before any key work |
//! | `zip` inflating past the caller's bound (a DEFLATE bomb) | [`Error::Malformed`] ("more than N bytes"), inflation stopped at the bound |
//! | `zip` other than `DEF`, or outside the protected header | [`Error::UnsupportedAlgorithm`] / [`Error::InvalidHeader`] when parsing |
//! | a `dir` key of the wrong length for the `enc` | [`Error::InvalidKey`] |
//! | `alg` or `enc` not among the caller's keys and encs | [`Error::AlgorithmNotAllowed`] |
//! | `RSA1_5`, `none`, an unknown name | [`Error::UnsupportedAlgorithm`] |
//! | anything cryptographic (wrong key, a tampered tag, IV, ciphertext, AAD or encrypted key) | [`Error::DecryptionFailed`], after the same work |

use crate::Plaintext;
use crate::alg::{ContentEncryption, KeyManagementAlgorithm};
use crate::b64;
use crate::content;
use crate::error::Error;
use crate::header::{Header, Joint};
use crate::json;
use crate::key::{DecryptingKey, EncryptingKey, KeyRef};
use crate::keymgmt;
use crate::limits::Limits;
use crate::provider::CryptoProvider;
use crate::zip;
use serde_json::{Map, Value};
use zeroize::{Zeroize, Zeroizing};

/// One recipient of a JWE: its per-recipient header and encrypted key.
#[derive(Debug, Clone, PartialEq)]
pub struct JweRecipient {
    header: Option<Header>,
    encrypted_key: Vec<u8>,
}

impl JweRecipient {
    /// The per-recipient unprotected header, if any.
    pub fn header(&self) -> Option<&Header> {
        self.header.as_ref()
    }

    /// The encrypted content encryption key.
    pub fn encrypted_key(&self) -> &[u8] {
        &self.encrypted_key
    }
}

/// A JWE.
#[derive(Debug, Clone, PartialEq)]
pub struct Jwe {
    protected_b64: String,
    protected: Header,
    unprotected: Option<Header>,
    recipients: Vec<JweRecipient>,
    iv: Vec<u8>,
    ciphertext: Vec<u8>,
    tag: Vec<u8>,
    aad_b64: Option<String>,
}

/// A decrypted JWE.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Decrypted {
    /// The plaintext (wiped when dropped; `Debug` shows its length only).
    pub plaintext: Plaintext,
    /// The joint header of the recipient that decrypted (protected, shared and per-recipient).
    pub header: Header,
    /// Which recipient decrypted (index into [`Jwe::recipients`]).
    pub recipient_index: usize,
}

/// Options for decryption beyond keys and `enc` allow-list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecryptOptions {
    /// Header parameters the caller understands and enforces itself, which a token may list in `crit`.
    pub understood_crit: Vec<String>,
    /// The largest PBES2 iteration count (`p2c`) a token may ask for; a larger one is refused
    /// before any work. Default [`Limits::default`]'s `max_pbes2_count` (100,000).
    pub max_pbes2_count: u32,
    /// `Some(n)`: compressed content (`"zip":"DEF"`) is inflated, to at most `n` bytes. `None`
    /// (the default): a compressed JWE is refused before any key is used.
    pub max_inflated_len: Option<usize>,
}

impl Default for DecryptOptions {
    fn default() -> Self {
        DecryptOptions {
            understood_crit: Vec::new(),
            max_pbes2_count: Limits::default().max_pbes2_count,
            max_inflated_len: None,
        }
    }
}

impl DecryptOptions {
    /// Accepts compressed content (`"zip":"DEF"`) and inflates it to at most `max_len` bytes;
    /// more is [`Error::Malformed`]. Choose the bound as for any plaintext you accept: a
    /// kilobyte of DEFLATE can inflate to a megabyte.
    pub fn allow_zip(mut self, max_len: usize) -> Self {
        self.max_inflated_len = Some(max_len);
        self
    }

    /// Sets the largest PBES2 iteration count accepted ([`DecryptOptions::max_pbes2_count`]).
    pub fn max_pbes2_count(mut self, max: u32) -> Self {
        self.max_pbes2_count = max;
        self
    }

    /// Declares a critical header parameter the caller handles.
    pub fn understand(mut self, name: impl Into<String>) -> Self {
        self.understood_crit.push(name.into());
        self
    }
}

/// The header parameters key management writes (RFC 7518 section 4): a caller may not set them.
/// (`apu` and `apv` are the caller's: ECDH-ES reads them.)
const MANAGED_PARAMS: [&str; 5] = ["epk", "iv", "tag", "p2s", "p2c"];

/// The additional authenticated data of the content encryption (RFC 7516 section 5.1 step 14).
pub fn content_aad(protected_b64: &str, aad_b64: Option<&str>) -> Vec<u8> {
    let mut out = protected_b64.as_bytes().to_vec();
    if let Some(a) = aad_b64 {
        out.push(b'.');
        out.extend_from_slice(a.as_bytes());
    }
    out
}

/// Builds and encrypts a [`Jwe`].
#[derive(Debug, Clone)]
pub struct JweBuilder<'a> {
    enc: ContentEncryption,
    protected: Header,
    unprotected: Option<Header>,
    aad: Option<&'a [u8]>,
    recipients: Vec<(&'a EncryptingKey, Option<Header>)>,
    compress: bool,
}

impl<'a> JweBuilder<'a> {
    /// Starts a JWE with content encryption `enc`.
    pub fn new(enc: ContentEncryption) -> Self {
        JweBuilder {
            enc,
            protected: Header::new(),
            unprotected: None,
            aad: None,
            recipients: Vec::new(),
            compress: false,
        }
    }

    /// Compresses the plaintext with raw DEFLATE before encrypting it and says so in the
    /// protected header (`"zip":"DEF"`). Off by default. Compression before encryption lets
    /// the ciphertext's length tell something about the plaintext (CRIME, BREACH): do not
    /// compress secrets together with text an attacker chooses. The recipient must allow `zip`
    /// ([`DecryptOptions::allow_zip`]).
    pub fn compress(mut self, compress: bool) -> Self {
        self.compress = compress;
        self
    }

    /// Extra protected header members (`cty`, `typ`, private names...), in order. `alg`, `kid` and
    /// `enc` come first unless this header names them, in which case they keep its positions (their
    /// values must agree with the key and the `enc`), so a protocol's exact header layout can be
    /// reproduced.
    pub fn protected(mut self, header: Header) -> Self {
        self.protected = header;
        self
    }

    /// Sets the content type (`cty`) in the protected header.
    pub fn content_type(mut self, cty: &str) -> Self {
        self.protected.set("cty", cty);
        self
    }

    /// A shared unprotected header (JSON serializations only).
    pub fn unprotected(mut self, header: Header) -> Self {
        self.unprotected = Some(header);
        self
    }

    /// Additional authenticated data (JSON serializations only).
    pub fn aad(mut self, aad: &'a [u8]) -> Self {
        self.aad = Some(aad);
        self
    }

    /// Adds a recipient. With one recipient, its `alg` and `kid` go into the protected header; with
    /// several, into each recipient's header.
    pub fn recipient(self, key: &'a EncryptingKey) -> Self {
        self.recipient_with(key, None)
    }

    /// Adds a recipient with a per-recipient header of its own (JSON serializations only).
    pub fn recipient_with(mut self, key: &'a EncryptingKey, header: Option<Header>) -> Self {
        self.recipients.push((key, header));
        self
    }

    /// Encrypts `plaintext`, drawing the CEK (unless the key management determines it: `dir`,
    /// ECDH-ES) and the IV from `provider`.
    pub fn encrypt(self, plaintext: &[u8], provider: &dyn CryptoProvider) -> Result<Jwe, Error> {
        self.prepare(provider, false)?.seal(plaintext, provider)
    }

    /// Encrypts `plaintext` straight to the compact serialization: the same JWE as
    /// [`encrypt`](Self::encrypt) followed by [`Jwe::to_compact`], with the same checks, but
    /// without the intermediate [`Jwe`].
    ///
    /// For AES-GCM without compression the plaintext is copied once, into the token's own buffer,
    /// encrypted there in place ([`CryptoProvider::aead_seal_in_place`]) and base64url-expanded
    /// in place, so the memory this call needs beyond `plaintext` is the token itself (about 4/3
    /// of the plaintext), not the ciphertext and the token.
    ///
    /// ```
    /// # fn main() -> Result<(), jose_core::Error> {
    /// # let provider = jose_crypto_awslc::provider();
    /// use jose_core::{ContentEncryption, DecryptingKey, JweBuilder, Jwe, KeyManagementAlgorithm,
    ///                 Limits, SecretKey};
    /// let secret = SecretKey::from_bytes(&[7u8; 32], provider)?;
    /// let key = jose_core::EncryptingKey::symmetric(secret.clone(), KeyManagementAlgorithm::A256Kw)?;
    /// let token = JweBuilder::new(ContentEncryption::A256Gcm)
    ///     .recipient(&key)
    ///     .encrypt_compact(b"a large payload", provider)?;
    /// let jwe = Jwe::from_compact_owned(token, &Limits::default())?;
    /// let opened = jwe.into_decrypted(
    ///     [DecryptingKey::symmetric(secret, KeyManagementAlgorithm::A256Kw)?],
    ///     &[ContentEncryption::A256Gcm],
    ///     &Default::default(),
    ///     provider,
    /// )?;
    /// assert_eq!(&opened.plaintext[..], b"a large payload");
    /// # Ok(())
    /// # }
    /// ```
    pub fn encrypt_compact(
        self,
        plaintext: &[u8],
        provider: &dyn CryptoProvider,
    ) -> Result<String, Error> {
        check_compact(
            &self.recipients,
            self.unprotected.is_some() || self.recipients.iter().any(|(_, h)| h.is_some()),
            self.aad.is_some(),
        )?;
        self.prepare(provider, true)?
            .seal_compact(plaintext, provider)
    }

    /// Key management and headers: everything an encryption does before the content. `compact`:
    /// only the compact serialization will be written (see [`Prepared::protected`]).
    fn prepare(self, provider: &dyn CryptoProvider, compact: bool) -> Result<Prepared, Error> {
        self.check_headers()?;
        let mut iv = vec![0u8; self.enc.iv_len()];
        provider.fill_random(&mut iv)?;
        // Key management comes first: it may determine the CEK, and its header parameters
        // (`epk`, `iv`, `tag`, `p2s`, `p2c`) are part of the protected header when there is one
        // recipient.
        let caller_header = |extra: &Option<Header>| -> Result<Header, Error> {
            Ok(Joint::new(&self.protected, self.unprotected.as_ref(), extra.as_ref())?.merged())
        };
        // Each recipient's view of the caller's headers, merged once.
        let views = self
            .recipients
            .iter()
            .map(|(_, extra)| caller_header(extra))
            .collect::<Result<Vec<_>, Error>>()?;
        let direct = match (self.recipients.as_slice(), views.as_slice()) {
            ([(key, _)], [view]) => keymgmt::direct_cek(key, self.enc, view, provider)?,
            _ => None,
        };
        let (cek, managed) = match direct {
            Some((cek, managed)) => (cek, vec![managed]),
            None => {
                let mut cek = Zeroizing::new(vec![0u8; self.enc.key_len()]);
                provider.fill_random(&mut cek)?;
                let managed = self
                    .recipients
                    .iter()
                    .zip(&views)
                    .map(|((key, _), view)| keymgmt::wrap(key, &cek, view, provider))
                    .collect::<Result<Vec<_>, Error>>()?;
                (cek, managed)
            }
        };
        self.headers(cek, iv, managed, compact)
    }

    /// The rules on the caller's headers that need no key.
    fn check_headers(&self) -> Result<(), Error> {
        if self.recipients.is_empty() {
            return Err(Error::InvalidRequest(
                "a JWE needs at least one recipient".into(),
            ));
        }
        if let Some(zip) = self.protected.get("zip") {
            if zip.as_str() != Some(zip::DEFLATE) {
                return Err(Error::InvalidRequest(format!(
                    "\"zip\" can only be \"DEF\" (JweBuilder::compress), found {}",
                    crate::error::clip(&zip.to_string(), 16)
                )));
            }
        }
        if self.unprotected.as_ref().is_some_and(|u| u.contains("zip")) {
            return Err(Error::InvalidRequest(
                "\"zip\" must be in the protected header (JweBuilder::compress puts it there)"
                    .into(),
            ));
        }
        for (_, h) in &self.recipients {
            if let Some(h) = h {
                for name in ["zip", "crit", "enc"] {
                    if h.contains(name) {
                        return Err(Error::InvalidRequest(format!(
                            "\"{name}\" cannot go in a per-recipient header"
                        )));
                    }
                }
            }
        }
        for name in MANAGED_PARAMS {
            let in_shared = self.protected.contains(name)
                || self.unprotected.as_ref().is_some_and(|u| u.contains(name));
            let in_recipient = self
                .recipients
                .iter()
                .any(|(_, h)| h.as_ref().is_some_and(|h| h.contains(name)));
            if in_shared || in_recipient {
                return Err(Error::InvalidRequest(format!(
                    "\"{name}\" is written by the key management, not by the caller"
                )));
            }
        }
        if self
            .unprotected
            .as_ref()
            .is_some_and(|u| u.contains("crit"))
        {
            return Err(Error::InvalidRequest(
                "\"crit\" must be in the protected header".into(),
            ));
        }
        if self.recipients.len() > 1 && self.protected.contains("kid") {
            return Err(Error::InvalidRequest(
                "with several recipients each has its own \"kid\": set it on the keys or in the per-recipient headers, not in the protected header".into(),
            ));
        }
        Ok(())
    }

    /// The protected header and the recipients, once the key management is done.
    fn headers(
        self,
        cek: Zeroizing<Vec<u8>>,
        iv: Vec<u8>,
        managed: Vec<keymgmt::Managed>,
        compact: bool,
    ) -> Result<Prepared, Error> {
        let single = self.recipients.len() == 1;
        // alg, kid and enc as the builder decides them; placed below.
        let mut fixed: Vec<(&str, Value)> = Vec::with_capacity(3);
        let mut recipients = Vec::with_capacity(self.recipients.len());
        for ((key, extra), managed) in self.recipients.iter().zip(managed) {
            let mut rh = extra.clone().unwrap_or_default();
            if let Some(alg) = rh.alg()?.or(self.protected.alg()?) {
                if alg != key.alg().name() {
                    return Err(Error::InvalidRequest(format!(
                        "a header says \"alg\":{alg:?} but the recipient's key is bound to {}",
                        key.alg()
                    )));
                }
            }
            if single && extra.is_none() {
                fixed.push(("alg", Value::from(key.alg().name())));
                if let Some(kid) = self
                    .protected
                    .get("kid")
                    .cloned()
                    .or(key.kid().map(Value::from))
                {
                    fixed.push(("kid", kid));
                }
                fixed.extend(managed.params);
            } else {
                let mut h = Header::new();
                h.set("alg", key.alg().name());
                if let Some(kid) = rh.get("kid").cloned().or(key.kid().map(Value::from)) {
                    h.set("kid", kid);
                }
                for (name, value) in managed.params {
                    h.set(name, value);
                }
                for (k, v) in rh.iter() {
                    if k != "alg" && k != "kid" {
                        h.set(k.clone(), v.clone());
                    }
                }
                rh = h;
            }
            recipients.push((managed.encrypted_key, (!rh.is_empty()).then_some(rh)));
        }
        if let Some(enc) = self.protected.enc()? {
            if enc != self.enc.name() {
                return Err(Error::InvalidRequest(format!(
                    "the protected header says \"enc\":{enc:?} but the builder encrypts with {}",
                    self.enc
                )));
            }
        }
        fixed.push(("enc", Value::from(self.enc.name())));
        let compress = self.compress || self.protected.contains("zip");
        if compress {
            fixed.push(("zip", Value::from(zip::DEFLATE)));
        }
        if compact && self.protected.is_empty() {
            // The compact serialization of a caller who set no protected member (one recipient,
            // no shared or per-recipient unprotected header: `check_compact`): the protected
            // header is exactly the builder's members, in order, written straight to JSON; the
            // joint-header rules have nothing to check, and no `Header` is needed.
            let protected_b64 = b64::encode(&members_json(&fixed)?);
            let recipients = recipients
                .into_iter()
                .map(|(encrypted_key, header)| JweRecipient {
                    header,
                    encrypted_key,
                })
                .collect();
            return Ok(Prepared {
                enc: self.enc,
                cek,
                iv,
                compress,
                protected_b64,
                protected: Header::new(),
                unprotected: self.unprotected,
                recipients,
                aad_b64: self.aad.map(b64::encode),
            });
        }
        // Members the caller named keep the caller's positions; the others come first, in the
        // order alg, kid, enc.
        let mut protected = Header::new();
        for (name, value) in &fixed {
            if !self.protected.contains(name) {
                protected.set(*name, value.clone());
            }
        }
        for (k, v) in self.protected.iter() {
            match fixed.iter().find(|(name, _)| name == k) {
                Some((_, value)) => protected.set(k.clone(), value.clone()),
                None => protected.set(k.clone(), v.clone()),
            };
        }
        for (_, rh) in &recipients {
            Joint::new(&protected, self.unprotected.as_ref(), rh.as_ref())?;
        }
        let protected_b64 = b64::encode(protected.to_json().as_bytes());
        let aad_b64 = self.aad.map(b64::encode);
        let recipients = recipients
            .into_iter()
            .map(|(encrypted_key, header)| JweRecipient {
                header,
                encrypted_key,
            })
            .collect();
        Ok(Prepared {
            enc: self.enc,
            cek,
            iv,
            compress,
            protected_b64,
            protected,
            unprotected: self.unprotected,
            recipients,
            aad_b64,
        })
    }
}

/// `{"name":value,...}` of `members`, in order: what [`Header::to_json`] writes for a header
/// holding them, without building the header.
fn members_json(members: &[(&str, Value)]) -> Result<Vec<u8>, Error> {
    let unwritable = |e: serde_json::Error| {
        Error::InvalidRequest(format!("cannot write the protected header as JSON: {e}"))
    };
    let mut out = Vec::with_capacity(96);
    out.push(b'{');
    for (index, (name, value)) in members.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, name).map_err(unwritable)?;
        out.push(b':');
        serde_json::to_writer(&mut out, value).map_err(unwritable)?;
    }
    out.push(b'}');
    Ok(out)
}

/// Up to this many bytes of plaintext, [`JweBuilder::encrypt_compact`] seals a copy and encodes
/// it onto the token (as `encrypt` + `to_compact` would, without the intermediate `Jwe`); above,
/// in the token's own buffer, so that a large token is never held twice.
const SMALL_IN_PLACE: usize = 64 * 1024;

/// An encryption whose key management and headers are done: what is left is the content.
struct Prepared {
    enc: ContentEncryption,
    cek: Zeroizing<Vec<u8>>,
    iv: Vec<u8>,
    compress: bool,
    protected_b64: String,
    /// The protected header as a [`Header`], for [`Prepared::seal`]'s [`Jwe`]; empty when it was
    /// prepared for the compact serialization only and written straight to `protected_b64`.
    protected: Header,
    unprotected: Option<Header>,
    recipients: Vec<JweRecipient>,
    aad_b64: Option<String>,
}

impl Prepared {
    /// The content, as a [`Jwe`].
    fn seal(self, plaintext: &[u8], provider: &dyn CryptoProvider) -> Result<Jwe, Error> {
        let aad = content_aad(&self.protected_b64, self.aad_b64.as_deref());
        let deflated;
        let plaintext = if self.compress {
            deflated = zip::deflate(plaintext);
            &deflated[..]
        } else {
            plaintext
        };
        let (ciphertext, tag) =
            content::seal(provider, self.enc, &self.cek, &self.iv, &aad, plaintext)?;
        Ok(Jwe {
            protected_b64: self.protected_b64,
            protected: self.protected,
            unprotected: self.unprotected,
            recipients: self.recipients,
            iv: self.iv,
            ciphertext,
            tag: tag.as_bytes().to_vec(),
            aad_b64: self.aad_b64,
        })
    }

    /// The content, straight into the compact serialization (one recipient, no unprotected
    /// header, no AAD: checked by the caller).
    fn seal_compact(
        self,
        plaintext: &[u8],
        provider: &dyn CryptoProvider,
    ) -> Result<String, Error> {
        let in_place = self.enc.is_gcm() && !self.compress;
        if !in_place {
            return self.seal(plaintext, provider)?.to_compact();
        }
        let encrypted_key = check_compact(&self.recipients, false, false)?
            .encrypted_key
            .as_slice();
        let aad = self.protected_b64.as_bytes();
        // header . key . iv . ciphertext . tag, every part encoded into one buffer of the final
        // size; the ciphertext is made where its encoding goes.
        let ciphertext_len = b64::encoded_len(plaintext.len());
        let len = self.protected_b64.len()
            + 1
            + b64::encoded_len(encrypted_key.len())
            + 1
            + b64::encoded_len(self.iv.len())
            + 1
            + ciphertext_len
            + 1
            + b64::encoded_len(16);
        let mut head = String::with_capacity(len);
        head.push_str(&self.protected_b64);
        head.push('.');
        b64::encode_into(encrypted_key, &mut head);
        head.push('.');
        b64::encode_into(&self.iv, &mut head);
        head.push('.');
        if plaintext.len() <= SMALL_IN_PLACE {
            // Small: the ciphertext in a buffer of its own, encoded onto the string. Two
            // buffers of a few KiB cost nothing, and the string needs no UTF-8 check.
            let mut ciphertext = plaintext.to_vec();
            let sealed =
                provider.aead_seal_in_place(self.enc, &self.cek, &self.iv, aad, &mut ciphertext);
            let tag = sealed.inspect_err(|_| ciphertext.zeroize())?;
            b64::encode_into(&ciphertext, &mut head);
            head.push('.');
            b64::encode_into(&tag, &mut head);
            return Ok(head);
        }
        let mut out = head.into_bytes();
        let start = out.len();
        // The plaintext goes at the end of the ciphertext's region, is encrypted there and then
        // expanded to base64url from the region's start (the writes never overtake the reads).
        // (Only the gap before it is zero-filled: the plaintext is written once, not twice.)
        let raw_at = ciphertext_len - plaintext.len();
        out.resize(start + raw_at, 0);
        out.extend_from_slice(plaintext);
        let bug = || Error::Provider("the compact JWE buffer has the wrong size (a bug)".into());
        let region = out.get_mut(start..).ok_or_else(bug)?;
        let raw = region.get_mut(raw_at..).ok_or_else(bug)?;
        let tag = match provider.aead_seal_in_place(self.enc, &self.cek, &self.iv, aad, raw) {
            Ok(tag) => tag,
            Err(error) => {
                // The region holds plaintext: wipe it before the buffer is freed.
                region.zeroize();
                return Err(error);
            }
        };
        b64::expand_in_place(region)?;
        let mut out = String::from_utf8(out).map_err(|_| {
            Error::Provider("the compact JWE buffer is not ASCII (a bug in jose-core)".into())
        })?;
        out.push('.');
        b64::encode_into(&tag, &mut out);
        Ok(out)
    }
}

impl Jwe {
    /// The protected header.
    pub fn protected_header(&self) -> &Header {
        &self.protected
    }

    /// The protected header exactly as encoded in the token.
    pub fn protected_b64(&self) -> &str {
        &self.protected_b64
    }

    /// The shared unprotected header, if any.
    pub fn unprotected_header(&self) -> Option<&Header> {
        self.unprotected.as_ref()
    }

    /// The recipients.
    pub fn recipients(&self) -> &[JweRecipient] {
        &self.recipients
    }

    /// The initialization vector.
    pub fn iv(&self) -> &[u8] {
        &self.iv
    }

    /// The ciphertext.
    pub fn ciphertext(&self) -> &[u8] {
        &self.ciphertext
    }

    /// The authentication tag.
    pub fn tag(&self) -> &[u8] {
        &self.tag
    }

    /// The JWE AAD as encoded in the token (JSON serializations only).
    pub fn aad_b64(&self) -> Option<&str> {
        self.aad_b64.as_deref()
    }

    /// The joint header of recipient `index` (unverified).
    pub fn joint_header(&self, index: usize) -> Result<Header, Error> {
        let r = self
            .recipients
            .get(index)
            .ok_or_else(|| Error::InvalidRequest(format!("no recipient {index}")))?;
        Ok(Joint::new(
            &self.protected,
            self.unprotected.as_ref(),
            r.header.as_ref(),
        )?
        .merged())
    }

    /// Decrypts with `keys` (their bound algorithms are the `alg` allow-list) and `allowed_enc`.
    ///
    /// `keys` is any iterable of keys or key references ([`KeyRef`]): `&[key]`, `&keys_vec`,
    /// `[&a, &b]`, `Some(&key)`. The keys are used where they are, never cloned.
    pub fn decrypt<I>(
        &self,
        keys: I,
        allowed_enc: &[ContentEncryption],
        provider: &dyn CryptoProvider,
    ) -> Result<Decrypted, Error>
    where
        I: IntoIterator,
        I::Item: KeyRef<DecryptingKey>,
    {
        self.decrypt_with(keys, allowed_enc, &DecryptOptions::default(), provider)
    }

    /// Decryption with options.
    pub fn decrypt_with<I>(
        &self,
        keys: I,
        allowed_enc: &[ContentEncryption],
        options: &DecryptOptions,
        provider: &dyn CryptoProvider,
    ) -> Result<Decrypted, Error>
    where
        I: IntoIterator,
        I::Item: KeyRef<DecryptingKey>,
    {
        let mut ciphertext = Ciphertext::Borrowed(&self.ciphertext);
        self.decrypt_from(keys, allowed_enc, options, &mut ciphertext, provider)
    }

    /// [`decrypt_with`](Self::decrypt_with), giving the JWE up: its ciphertext buffer becomes
    /// the plaintext (AES-GCM decrypts it in place), so a large message is never held twice.
    /// The checks, the errors and the order of the attempts are those of `decrypt_with`; only
    /// the last attempt works in place (earlier ones, with other keys or recipients, decrypt a
    /// copy so that a failure leaves the ciphertext for the next).
    ///
    /// With [`Jwe::from_compact_owned`] a compact token is decoded and decrypted in the memory
    /// it arrived in: see [`JweBuilder::encrypt_compact`] for an example.
    pub fn into_decrypted<I>(
        mut self,
        keys: I,
        allowed_enc: &[ContentEncryption],
        options: &DecryptOptions,
        provider: &dyn CryptoProvider,
    ) -> Result<Decrypted, Error>
    where
        I: IntoIterator,
        I::Item: KeyRef<DecryptingKey>,
    {
        let mut ciphertext = Ciphertext::Owned(std::mem::take(&mut self.ciphertext));
        self.decrypt_from(keys, allowed_enc, options, &mut ciphertext, provider)
    }

    fn decrypt_from<I>(
        &self,
        keys: I,
        allowed_enc: &[ContentEncryption],
        options: &DecryptOptions,
        ciphertext: &mut Ciphertext<'_>,
        provider: &dyn CryptoProvider,
    ) -> Result<Decrypted, Error>
    where
        I: IntoIterator,
        I::Item: KeyRef<DecryptingKey>,
    {
        let held: Vec<I::Item> = keys.into_iter().collect();
        let keys: Vec<&DecryptingKey> = held.iter().map(KeyRef::key_ref).collect();
        let understood: Vec<&str> = options.understood_crit.iter().map(String::as_str).collect();
        // `enc` must be in the protected or the shared header: the same for every recipient.
        let shared = Joint::new(&self.protected, self.unprotected.as_ref(), None)?;
        let enc_name = shared
            .get_str("enc")?
            .ok_or_else(|| Error::InvalidHeader("the JWE header has no \"enc\"".into()))?;
        let enc = ContentEncryption::from_name(enc_name)?;
        if !allowed_enc.contains(&enc) {
            return Err(Error::AlgorithmNotAllowed {
                found: enc.name().to_owned(),
                allowed: names(allowed_enc.iter().map(|e| e.name())),
            });
        }
        let inflate_to = match shared.get_str("zip")? {
            None => None,
            Some(_) => Some(options.max_inflated_len.ok_or_else(|| {
                Error::InvalidHeader(
                    "\"zip\" (compressed content) is refused unless DecryptOptions::allow_zip says how far it may inflate".into(),
                )
            })?),
        };
        if self.iv.len() != enc.iv_len() {
            return Err(Error::malformed(
                "JWE IV",
                if enc.is_gcm() { "12 bytes" } else { "16 bytes" },
                format!("{} bytes for {enc}", self.iv.len()),
            ));
        }
        if self.tag.len() != enc.tag_len() {
            return Err(Error::malformed(
                "JWE tag",
                match enc.tag_len() {
                    16 => "16 bytes",
                    24 => "24 bytes",
                    _ => "32 bytes",
                },
                format!("{} bytes for {enc}", self.tag.len()),
            ));
        }
        let aad = content_aad(&self.protected_b64, self.aad_b64.as_deref());
        let mut first_error: Option<Error> = None;
        let mut attempted = false;
        for (index, r) in self.recipients.iter().enumerate() {
            let outcome = (|| -> Result<Option<Decrypted>, Error> {
                let joint = Joint::new(
                    &self.protected,
                    self.unprotected.as_ref(),
                    r.header.as_ref(),
                )?;
                joint.check_crit(&understood)?;
                if let Some(e) = r.header.as_ref().map(|h| h.contains("enc")) {
                    if e {
                        return Err(Error::InvalidHeader(
                            "\"enc\" must not be in a per-recipient header".into(),
                        ));
                    }
                }
                let alg_name = joint
                    .get_str("alg")?
                    .ok_or_else(|| Error::InvalidHeader("the JWE header has no \"alg\"".into()))?;
                let alg = KeyManagementAlgorithm::from_name(alg_name)?;
                let kid = joint.get_str("kid")?;
                let candidates: Vec<&DecryptingKey> = keys
                    .iter()
                    .copied()
                    .filter(|k| k.alg() == alg)
                    .filter(|k| match (kid, k.kid()) {
                        (Some(a), Some(b)) => a == b,
                        _ => true,
                    })
                    .collect();
                if candidates.is_empty() {
                    let allowed: Vec<&str> = keys.iter().map(|k| k.alg().name()).collect();
                    if !allowed.contains(&alg.name()) {
                        return Err(Error::AlgorithmNotAllowed {
                            found: alg.name().to_owned(),
                            allowed: if allowed.is_empty() {
                                "none (no keys given)".into()
                            } else {
                                names(allowed.into_iter())
                            },
                        });
                    }
                    return Err(Error::NoMatchingKey(format!(
                        "no {alg} key has kid {:?}",
                        kid.unwrap_or_default()
                    )));
                }
                let header = joint.merged();
                let last_recipient = index + 1 == self.recipients.len();
                let count = candidates.len();
                for (i, key) in candidates.into_iter().enumerate() {
                    let last = last_recipient && i + 1 == count;
                    if let Some(plaintext) = self.open_with(
                        key,
                        &r.encrypted_key,
                        enc,
                        &aad,
                        &header,
                        options.max_pbes2_count,
                        ciphertext.for_attempt(last),
                        provider,
                    )? {
                        let plaintext = match inflate_to {
                            Some(max) => zip::inflate(&plaintext, max)?,
                            None => plaintext,
                        };
                        return Ok(Some(Decrypted {
                            plaintext,
                            header,
                            recipient_index: index,
                        }));
                    }
                }
                Ok(None)
            })();
            match outcome {
                Ok(Some(d)) => return Ok(d),
                Ok(None) => attempted = true,
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        if attempted {
            return Err(Error::DecryptionFailed);
        }
        Err(first_error.unwrap_or(Error::DecryptionFailed))
    }

    /// Unwraps (substituting a random CEK on any failure) and opens. `Ok(None)` is the opaque failure.
    #[allow(clippy::too_many_arguments)]
    fn open_with(
        &self,
        key: &DecryptingKey,
        encrypted_key: &[u8],
        enc: ContentEncryption,
        aad: &[u8],
        header: &Header,
        max_pbes2_count: u32,
        ciphertext: Attempt<'_>,
        provider: &dyn CryptoProvider,
    ) -> Result<Option<Plaintext>, Error> {
        // The decoy is fetched before the unwrap on every call, so success and failure do the
        // same work from here on.
        let decoy = decoy_cek(enc, provider)?;
        let unwrapped =
            keymgmt::unwrap(key, encrypted_key, enc, header, max_pbes2_count, provider)?;
        let (cek, genuine): (&[u8], bool) = match &unwrapped {
            Ok(cek) if cek.len() == enc.key_len() => (cek, true),
            _ => (decoy, false),
        };
        let opened = match ciphertext {
            Attempt::Copy(ciphertext) => {
                content::open(provider, enc, cek, &self.iv, aad, ciphertext, &self.tag)
            }
            Attempt::InPlace(ciphertext) => {
                content::open_owned(provider, enc, cek, &self.iv, aad, ciphertext, &self.tag)
            }
        };
        match opened {
            Ok(plaintext) if genuine => Ok(Some(plaintext)),
            _ => Ok(None),
        }
    }

    /// Compact serialization. Needs one recipient, no unprotected header, no AAD.
    pub fn to_compact(&self) -> Result<String, Error> {
        let r = check_compact(
            &self.recipients,
            self.unprotected.is_some() || self.recipients.iter().any(|r| r.header.is_some()),
            self.aad_b64.is_some(),
        )?;
        // One buffer of the final size, every part encoded straight into it: no intermediate
        // strings (the ciphertext's encoding is most of the token).
        let parts = [
            r.encrypted_key.as_slice(),
            &self.iv,
            &self.ciphertext,
            &self.tag,
        ];
        let len = parts
            .iter()
            .map(|p| 1 + b64::encoded_len(p.len()))
            .sum::<usize>()
            + self.protected_b64.len();
        let mut out = String::with_capacity(len);
        out.push_str(&self.protected_b64);
        for part in parts {
            out.push('.');
            b64::encode_into(part, &mut out);
        }
        Ok(out)
    }

    fn json_common(&self, obj: &mut json::Object) {
        if !self.protected_b64.is_empty() {
            obj.insert("protected", Value::String(self.protected_b64.clone()));
        }
        if let Some(u) = &self.unprotected {
            obj.insert("unprotected", u.clone());
        }
    }

    fn json_tail(&self, obj: &mut json::Object) {
        if let Some(a) = &self.aad_b64 {
            obj.insert("aad", Value::String(a.clone()));
        }
        obj.insert("iv", Value::String(b64::encode(&self.iv)));
        obj.insert("ciphertext", Value::String(b64::encode(&self.ciphertext)));
        obj.insert("tag", Value::String(b64::encode(&self.tag)));
    }

    /// Flattened JSON serialization (RFC 7516 section 7.2.2). Needs exactly one recipient.
    pub fn to_flattened_json(&self) -> Result<String, Error> {
        let r = match self.recipients.as_slice() {
            [one] => one,
            many => {
                return Err(Error::InvalidRequest(format!(
                    "flattened JSON needs exactly one recipient, this JWE has {}",
                    many.len()
                )));
            }
        };
        let mut obj = json::Object::new();
        self.json_common(&mut obj);
        if let Some(h) = &r.header {
            obj.insert("header", h.clone());
        }
        // RFC 7516 section 7.2.1: absent when empty (`dir`, ECDH-ES).
        if !r.encrypted_key.is_empty() {
            obj.insert(
                "encrypted_key",
                Value::String(b64::encode(&r.encrypted_key)),
            );
        }
        self.json_tail(&mut obj);
        Ok(obj.to_json())
    }

    /// General JSON serialization (RFC 7516 section 7.2.1).
    pub fn to_general_json(&self) -> Result<String, Error> {
        let mut obj = json::Object::new();
        let recipients: Vec<json::Object> = self
            .recipients
            .iter()
            .map(|r| {
                let mut o = json::Object::new();
                if let Some(h) = &r.header {
                    o.insert("header", h.clone());
                }
                // RFC 7516 section 7.2.1: absent when empty (`dir`, ECDH-ES).
                if !r.encrypted_key.is_empty() {
                    o.insert(
                        "encrypted_key",
                        Value::String(b64::encode(&r.encrypted_key)),
                    );
                }
                o
            })
            .collect();
        obj.insert("recipients", recipients);
        self.json_common(&mut obj);
        self.json_tail(&mut obj);
        Ok(obj.to_json())
    }

    /// Parses the compact serialization.
    pub fn from_compact(token: &str, limits: &Limits) -> Result<Self, Error> {
        let (mut jwe, c, t) = Self::compact_parts(token, limits)?;
        jwe.ciphertext = b64::decode("JWE ciphertext", &token[c])?;
        jwe.tag = b64::decode("JWE tag", &token[t])?;
        jwe.check_structure(limits)?;
        Ok(jwe)
    }

    /// [`from_compact`](Self::from_compact), keeping the token's buffer: the ciphertext (most
    /// of a large token) is decoded in place and becomes the JWE's ciphertext, so parsing needs
    /// no second buffer of its size. Same checks and errors as `from_compact`. With
    /// [`into_decrypted`](Self::into_decrypted) the plaintext ends up in that same buffer.
    pub fn from_compact_owned(token: String, limits: &Limits) -> Result<Self, Error> {
        let (mut jwe, c, t) = Self::compact_parts(&token, limits)?;
        let mut bytes = token.into_bytes();
        let ciphertext = bytes.get_mut(c.clone()).unwrap_or_default();
        let len = b64::decode_in_place("JWE ciphertext", ciphertext)?;
        // The tag's text is untouched by the decoding above (it comes after the ciphertext).
        let tag = bytes.get(t).unwrap_or_default();
        jwe.tag = b64::decode("JWE tag", std::str::from_utf8(tag).unwrap_or_default())?;
        bytes.copy_within(c.start..c.start + len, 0);
        bytes.truncate(len);
        bytes.shrink_to_fit();
        jwe.ciphertext = bytes;
        jwe.check_structure(limits)?;
        Ok(jwe)
    }

    /// Splits and parses a compact token but for its ciphertext and tag, whose places it
    /// returns.
    fn compact_parts(
        token: &str,
        limits: &Limits,
    ) -> Result<(Self, std::ops::Range<usize>, std::ops::Range<usize>), Error> {
        Limits::check("JWE", limits.max_token_len, token.len())?;
        let parts: Vec<&str> = token.splitn(6, '.').collect();
        let [h, k, iv, c, _] = parts.as_slice() else {
            return Err(Error::malformed(
                "JWE compact serialization",
                "five dot-separated parts",
                format!("{} parts", token.split('.').count()),
            ));
        };
        if h.is_empty() {
            return Err(Error::malformed(
                "JWE",
                "a protected header",
                "an empty first part",
            ));
        }
        let protected = decode_protected(h, limits)?;
        let c_start = h.len() + k.len() + iv.len() + 3;
        let c_end = c_start + c.len();
        let jwe = Jwe {
            protected_b64: (*h).to_owned(),
            protected,
            unprotected: None,
            recipients: vec![JweRecipient {
                header: None,
                encrypted_key: b64::decode("JWE encrypted key", k)?,
            }],
            iv: b64::decode("JWE IV", iv)?,
            ciphertext: Vec::new(),
            tag: Vec::new(),
            aad_b64: None,
        };
        Ok((jwe, c_start..c_end, c_end + 1..token.len()))
    }

    /// Parses either JSON serialization (flattened or general).
    pub fn from_json(text: &str, limits: &Limits) -> Result<Self, Error> {
        Limits::check("JWE", limits.max_token_len, text.len())?;
        let mut obj = json::parse_object(text.as_bytes(), "JWE JSON")?;
        let (protected_b64, protected) = match obj.remove("protected") {
            None => (String::new(), Header::new()),
            Some(Value::String(p)) => {
                let h = decode_protected(&p, limits)?;
                (p, h)
            }
            Some(other) => {
                return Err(Error::malformed(
                    "JWE JSON \"protected\"",
                    "a base64url string",
                    json::json_type(&other),
                ));
            }
        };
        let unprotected = obj
            .remove("unprotected")
            .map(|v| header_member(v, "JWE JSON \"unprotected\"", limits))
            .transpose()?;
        let recipients = match obj.remove("recipients") {
            Some(Value::Array(items)) => {
                if obj.contains_key("header") || obj.contains_key("encrypted_key") {
                    return Err(Error::malformed(
                        "JWE JSON",
                        "either \"recipients\" (general) or \"encrypted_key\"/\"header\" (flattened)",
                        "both",
                    ));
                }
                if items.is_empty() {
                    return Err(Error::malformed(
                        "JWE JSON",
                        "at least one recipient",
                        "none",
                    ));
                }
                Limits::check("JWE recipients", limits.max_recipients, items.len())?;
                items
                    .into_iter()
                    .map(|item| match item {
                        Value::Object(mut o) => parse_recipient(&mut o, limits),
                        other => Err(Error::malformed(
                            "JWE JSON recipient",
                            "an object",
                            json::json_type(&other),
                        )),
                    })
                    .collect::<Result<Vec<_>, _>>()?
            }
            Some(other) => {
                return Err(Error::malformed(
                    "JWE JSON \"recipients\"",
                    "an array",
                    json::json_type(&other),
                ));
            }
            None => vec![parse_recipient(&mut obj, limits)?],
        };
        let aad_b64 = match obj.remove("aad") {
            None => None,
            Some(Value::String(a)) => {
                b64::decode("JWE aad", &a)?;
                Some(a)
            }
            Some(other) => {
                return Err(Error::malformed(
                    "JWE JSON \"aad\"",
                    "a base64url string",
                    json::json_type(&other),
                ));
            }
        };
        let jwe = Jwe {
            protected_b64,
            protected,
            unprotected,
            recipients,
            iv: required_b64(&obj, "iv")?,
            ciphertext: required_b64(&obj, "ciphertext")?,
            tag: required_b64(&obj, "tag")?,
            aad_b64,
        };
        jwe.check_structure(limits)?;
        Ok(jwe)
    }

    /// Parses any serialization: JSON if the text (ASCII whitespace trimmed) starts with `{`, else
    /// compact.
    pub fn parse(text: &str, limits: &Limits) -> Result<Self, Error> {
        let t = text.trim_ascii();
        if t.starts_with('{') {
            Self::from_json(t, limits)
        } else {
            Self::from_compact(t, limits)
        }
    }

    /// Structural rules that need no key: disjoint headers, `zip` refused, a PBES2 `p2c` within
    /// [`Limits::max_pbes2_count`].
    fn check_structure(&self, limits: &Limits) -> Result<(), Error> {
        for r in &self.recipients {
            let joint = Joint::new(
                &self.protected,
                self.unprotected.as_ref(),
                r.header.as_ref(),
            )?;
            if let Some(zip) = joint.get("zip") {
                if !self.protected.contains("zip") {
                    return Err(Error::InvalidHeader(
                        "\"zip\" must be in the protected header".into(),
                    ));
                }
                if zip.as_str() != Some(zip::DEFLATE) {
                    return Err(Error::UnsupportedAlgorithm {
                        kind: "JWE zip",
                        found: crate::error::clip(&zip.to_string(), 64),
                        supported: zip::DEFLATE,
                    });
                }
            }
            if let Some(p2c) = joint.get("p2c") {
                if p2c
                    .as_u64()
                    .is_none_or(|n| n > u64::from(limits.max_pbes2_count))
                {
                    return Err(Error::InvalidHeader(format!(
                        "\"p2c\" must be an integer up to {} (Limits::max_pbes2_count), found {}",
                        limits.max_pbes2_count,
                        crate::error::clip(&p2c.to_string(), 32)
                    )));
                }
            }
        }
        Ok(())
    }
}

/// What the compact serialization cannot carry (RFC 7516 section 7.1): any number of recipients
/// but one, an unprotected header (shared or per-recipient), AAD. The one check behind
/// [`Jwe::to_compact`] and [`JweBuilder::encrypt_compact`].
/// Returns the one recipient.
fn check_compact<T>(recipients: &[T], unprotected: bool, aad: bool) -> Result<&T, Error> {
    let [one] = recipients else {
        return Err(Error::InvalidRequest(format!(
            "compact serialization needs exactly one recipient, this JWE has {}",
            recipients.len()
        )));
    };
    if unprotected {
        return Err(Error::InvalidRequest(
            "compact serialization cannot carry unprotected headers".into(),
        ));
    }
    if aad {
        return Err(Error::InvalidRequest(
            "compact serialization cannot carry AAD".into(),
        ));
    }
    Ok(one)
}

/// The ciphertext a decryption reads: borrowed (each attempt opens a copy) or owned (the last
/// attempt opens it in place).
enum Ciphertext<'a> {
    Borrowed(&'a [u8]),
    Owned(Vec<u8>),
}

/// What one attempt opens.
enum Attempt<'a> {
    Copy(&'a [u8]),
    InPlace(Vec<u8>),
}

impl Ciphertext<'_> {
    /// The ciphertext for an attempt: the buffer itself for the last attempt on an owned one
    /// (nothing is tried after it), a view otherwise.
    fn for_attempt(&mut self, last: bool) -> Attempt<'_> {
        match self {
            Ciphertext::Borrowed(c) => Attempt::Copy(c),
            Ciphertext::Owned(c) if last => Attempt::InPlace(std::mem::take(c)),
            Ciphertext::Owned(c) => Attempt::Copy(c),
        }
    }
}

/// The content key used when the key unwrap failed (RFC 7516 section 11.5): random, drawn once per
/// process from the first caller's provider, and never a reason to accept anything (a decryption
/// with it counts as a failure whatever the tag says). One draw per process instead of one per
/// call: the generator cost (about 0.4 µs on aws-lc) was paid by every decryption.
fn decoy_cek(
    enc: ContentEncryption,
    provider: &dyn CryptoProvider,
) -> Result<&'static [u8], Error> {
    static DECOY: std::sync::OnceLock<[u8; 64]> = std::sync::OnceLock::new();
    let decoy = match DECOY.get() {
        Some(decoy) => decoy,
        None => {
            let mut fresh = [0u8; 64];
            provider.fill_random(&mut fresh)?;
            DECOY.get_or_init(|| fresh)
        }
    };
    decoy
        .get(..enc.key_len())
        .ok_or_else(|| Error::InvalidRequest(format!("{enc} needs a key longer than 64 bytes")))
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = it.collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn decode_protected(p: &str, limits: &Limits) -> Result<Header, Error> {
    Limits::check(
        "JOSE header",
        limits.max_header_len.saturating_mul(2),
        p.len(),
    )?;
    Header::from_json_bytes(&b64::decode("JWE protected header", p)?, limits)
}

fn header_member(v: Value, what: &'static str, limits: &Limits) -> Result<Header, Error> {
    let h = Header::from_value(v, what)?;
    Limits::check("JOSE header", limits.max_header_len, h.to_json().len())?;
    Ok(h)
}

fn required_b64(obj: &Map<String, Value>, name: &'static str) -> Result<Vec<u8>, Error> {
    match obj.get(name) {
        Some(Value::String(s)) => b64::decode(name, s),
        Some(other) => Err(Error::malformed(
            name,
            "a base64url string",
            json::json_type(other),
        )),
        None => Err(Error::malformed(
            "JWE JSON",
            "\"iv\", \"ciphertext\" and \"tag\" members",
            format!("no \"{name}\""),
        )),
    }
}

fn parse_recipient(obj: &mut Map<String, Value>, limits: &Limits) -> Result<JweRecipient, Error> {
    let header = obj
        .remove("header")
        .map(|v| header_member(v, "JWE JSON \"header\"", limits))
        .transpose()?;
    let encrypted_key = match obj.remove("encrypted_key") {
        None => Vec::new(),
        Some(Value::String(s)) => b64::decode("JWE encrypted key", &s)?,
        Some(other) => {
            return Err(Error::malformed(
                "JWE JSON \"encrypted_key\"",
                "a base64url string",
                json::json_type(&other),
            ));
        }
    };
    Ok(JweRecipient {
        header,
        encrypted_key,
    })
}

//! JSON Web Encryption (RFC 7516) with RSA-OAEP key management and AES-GCM content encryption.
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
//! with a random CEK, so timing does not tell which step failed (RFC 7516 section 11.5). `zip` is
//! refused: compressed content is not supported.

use crate::alg::{ContentEncryption, KeyManagementAlgorithm};
use crate::b64;
use crate::error::Error;
use crate::header::{Header, Joint};
use crate::json;
use crate::key::{DecryptingKey, EncryptingKey, KeyRef};
use crate::limits::Limits;
use crate::provider::CryptoProvider;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

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
    /// The plaintext (zeroized on drop).
    pub plaintext: Zeroizing<Vec<u8>>,
    /// The joint header of the recipient that decrypted (protected, shared and per-recipient).
    pub header: Header,
    /// Which recipient decrypted (index into [`Jwe::recipients`]).
    pub recipient_index: usize,
}

/// Options for decryption beyond keys and `enc` allow-list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecryptOptions {
    /// Header parameters the caller understands and enforces itself, which a token may list in `crit`.
    pub understood_crit: Vec<String>,
}

impl DecryptOptions {
    /// Declares a critical header parameter the caller handles.
    pub fn understand(mut self, name: impl Into<String>) -> Self {
        self.understood_crit.push(name.into());
        self
    }
}

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
        }
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

    /// Encrypts `plaintext`, drawing the CEK and IV from `provider`.
    pub fn encrypt(self, plaintext: &[u8], provider: &dyn CryptoProvider) -> Result<Jwe, Error> {
        let mut cek = Zeroizing::new(vec![0u8; self.enc.key_len()]);
        provider.fill_random(&mut cek)?;
        let mut iv = vec![0u8; self.enc.iv_len()];
        provider.fill_random(&mut iv)?;
        self.encrypt_with(plaintext, &cek, &iv, provider)
    }

    fn encrypt_with(
        self,
        plaintext: &[u8],
        cek: &[u8],
        iv: &[u8],
        provider: &dyn CryptoProvider,
    ) -> Result<Jwe, Error> {
        if self.recipients.is_empty() {
            return Err(Error::InvalidRequest(
                "a JWE needs at least one recipient".into(),
            ));
        }
        if self.protected.contains("zip")
            || self.unprotected.as_ref().is_some_and(|u| u.contains("zip"))
        {
            return Err(Error::InvalidRequest(
                "\"zip\" (compression) is not supported".into(),
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
        if self
            .unprotected
            .as_ref()
            .is_some_and(|u| u.contains("crit"))
        {
            return Err(Error::InvalidRequest(
                "\"crit\" must be in the protected header".into(),
            ));
        }
        let single = self.recipients.len() == 1;
        if !single && self.protected.contains("kid") {
            return Err(Error::InvalidRequest(
                "with several recipients each has its own \"kid\": set it on the keys or in the per-recipient headers, not in the protected header".into(),
            ));
        }
        // alg, kid and enc as the builder decides them; placed below.
        let mut fixed: Vec<(&str, Value)> = Vec::with_capacity(3);
        let mut recipients = Vec::with_capacity(self.recipients.len());
        for (key, extra) in &self.recipients {
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
            } else {
                let mut h = Header::new();
                h.set("alg", key.alg().name());
                if let Some(kid) = rh.get("kid").cloned().or(key.kid().map(Value::from)) {
                    h.set("kid", kid);
                }
                for (k, v) in rh.iter() {
                    if k != "alg" && k != "kid" {
                        h.set(k.clone(), v.clone());
                    }
                }
                rh = h;
            }
            recipients.push((*key, (!rh.is_empty()).then_some(rh)));
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
        let aad = content_aad(&protected_b64, aad_b64.as_deref());
        let (ciphertext, tag) = provider.aead_seal(self.enc, cek, iv, &aad, plaintext)?;
        let recipients = recipients
            .into_iter()
            .map(|(key, header)| {
                Ok(JweRecipient {
                    header,
                    encrypted_key: key.wrap(cek)?,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Jwe {
            protected_b64,
            protected,
            unprotected: self.unprotected,
            recipients,
            iv: iv.to_vec(),
            ciphertext,
            tag: tag.to_vec(),
            aad_b64,
        })
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
        if self.iv.len() != enc.iv_len() {
            return Err(Error::malformed(
                "JWE IV",
                "12 bytes",
                format!("{} bytes", self.iv.len()),
            ));
        }
        if self.tag.len() != enc.tag_len() {
            return Err(Error::malformed(
                "JWE tag",
                "16 bytes",
                format!("{} bytes", self.tag.len()),
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
                if joint.contains("zip") {
                    return Err(Error::InvalidHeader(
                        "\"zip\" (compressed content) is refused".into(),
                    ));
                }
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
                for key in candidates {
                    if let Some(plaintext) =
                        self.open_with(key, &r.encrypted_key, enc, &aad, provider)?
                    {
                        return Ok(Some(Decrypted {
                            plaintext,
                            header: joint.merged(),
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
    fn open_with(
        &self,
        key: &DecryptingKey,
        encrypted_key: &[u8],
        enc: ContentEncryption,
        aad: &[u8],
        provider: &dyn CryptoProvider,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        let mut random_cek = Zeroizing::new(vec![0u8; enc.key_len()]);
        provider.fill_random(&mut random_cek)?;
        let unwrapped = key.unwrap(encrypted_key);
        let cek: &[u8] = match &unwrapped {
            Ok(cek) if cek.len() == enc.key_len() => cek,
            _ => &random_cek,
        };
        match provider.aead_open(enc, cek, &self.iv, aad, &self.ciphertext, &self.tag) {
            Ok(plaintext) if unwrapped.is_ok() => Ok(Some(plaintext)),
            _ => Ok(None),
        }
    }

    /// Compact serialization. Needs one recipient, no unprotected header, no AAD.
    pub fn to_compact(&self) -> Result<String, Error> {
        let r = match self.recipients.as_slice() {
            [one] => one,
            many => {
                return Err(Error::InvalidRequest(format!(
                    "compact serialization needs exactly one recipient, this JWE has {}",
                    many.len()
                )));
            }
        };
        if self.unprotected.is_some() || r.header.is_some() {
            return Err(Error::InvalidRequest(
                "compact serialization cannot carry unprotected headers".into(),
            ));
        }
        if self.aad_b64.is_some() {
            return Err(Error::InvalidRequest(
                "compact serialization cannot carry AAD".into(),
            ));
        }
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
        obj.insert(
            "encrypted_key",
            Value::String(b64::encode(&r.encrypted_key)),
        );
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
                o.insert(
                    "encrypted_key",
                    Value::String(b64::encode(&r.encrypted_key)),
                );
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
        Limits::check("JWE", limits.max_token_len, token.len())?;
        let parts: Vec<&str> = token.splitn(6, '.').collect();
        let [h, k, iv, c, t] = parts.as_slice() else {
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
        let jwe = Jwe {
            protected_b64: (*h).to_owned(),
            protected,
            unprotected: None,
            recipients: vec![JweRecipient {
                header: None,
                encrypted_key: b64::decode("JWE encrypted key", k)?,
            }],
            iv: b64::decode("JWE IV", iv)?,
            ciphertext: b64::decode("JWE ciphertext", c)?,
            tag: b64::decode("JWE tag", t)?,
            aad_b64: None,
        };
        jwe.check_structure()?;
        Ok(jwe)
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
        jwe.check_structure()?;
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

    /// Structural rules that need no key: disjoint headers, `zip` refused.
    fn check_structure(&self) -> Result<(), Error> {
        for r in &self.recipients {
            let joint = Joint::new(
                &self.protected,
                self.unprotected.as_ref(),
                r.header.as_ref(),
            )?;
            if joint.contains("zip") {
                return Err(Error::InvalidHeader(
                    "\"zip\" (compressed content) is refused".into(),
                ));
            }
        }
        Ok(())
    }
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

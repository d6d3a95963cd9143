//! Algorithm identifiers (RFC 7518) and key descriptions.
//!
//! Each registered name parses and prints exactly; anything else, `none` included, is
//! [`Error::UnsupportedAlgorithm`]. There is no fallback.

use crate::error::Error;
use std::fmt;
use std::str::FromStr;

macro_rules! alg_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $kind:literal, { $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in registry order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];
            const SUPPORTED: &'static str = concat!( $( $text, " " ),+ );

            /// The registered name, exactly as it appears in a JOSE header.
            pub const fn name(self) -> &'static str {
                match self { $( $name::$variant => $text, )+ }
            }

            /// Parses a registered name (case-sensitive, exact).
            pub fn from_name(s: &str) -> Result<Self, Error> {
                match s {
                    $( $text => Ok($name::$variant), )+
                    other => Err(Error::UnsupportedAlgorithm {
                        kind: $kind,
                        found: other.chars().take(64).collect(),
                        supported: Self::SUPPORTED.trim_ascii_end(),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                Self::from_name(s)
            }
        }
    };
}

alg_enum! {
    /// A JWS signature algorithm (`alg` of a JWS).
    JwsAlgorithm, "JWS alg", {
        /// RSASSA-PKCS1-v1_5 with SHA-256.
        Rs256 = "RS256",
        /// RSASSA-PKCS1-v1_5 with SHA-384.
        Rs384 = "RS384",
        /// RSASSA-PKCS1-v1_5 with SHA-512.
        Rs512 = "RS512",
        /// RSASSA-PSS with SHA-256, MGF1 with SHA-256, 32-byte salt.
        Ps256 = "PS256",
        /// RSASSA-PSS with SHA-384, MGF1 with SHA-384, 48-byte salt.
        Ps384 = "PS384",
        /// RSASSA-PSS with SHA-512, MGF1 with SHA-512, 64-byte salt.
        Ps512 = "PS512",
        /// ECDSA on P-256 with SHA-256, raw 64-byte r||s.
        Es256 = "ES256",
        /// ECDSA on P-384 with SHA-384, raw 96-byte r||s.
        Es384 = "ES384",
        /// ECDSA on P-521 with SHA-512, raw 132-byte r||s.
        Es512 = "ES512",
        /// HMAC with SHA-256 (a shared secret of at least 32 bytes, 32-byte tag).
        Hs256 = "HS256",
        /// HMAC with SHA-384 (a shared secret of at least 48 bytes, 48-byte tag).
        Hs384 = "HS384",
        /// HMAC with SHA-512 (a shared secret of at least 64 bytes, 64-byte tag).
        Hs512 = "HS512",
        /// EdDSA (RFC 8037) with an Ed25519 key: PureEdDSA, 64-byte signatures.
        EdDsa = "EdDSA",
    }
}

alg_enum! {
    /// A JWE key management algorithm (`alg` of a JWE).
    ///
    /// RSAES-OAEP only, with the four hashes registered in the IANA JOSE registry. The largest
    /// CEK an RSA key of `k` bytes can wrap is `k - 2 hLen - 2` bytes (RFC 8017 section 7.1.1):
    /// 126 bytes for a 2048-bit key with SHA-512, more than any `enc` needs.
    ///
    /// # Why `RSA1_5` is refused
    ///
    /// `RSA1_5` (RSAES-PKCS1-v1_5, RFC 7518 section 4.2) parses like any unknown name:
    /// [`Error::UnsupportedAlgorithm`], before any key is touched. Its decryption is a padding
    /// oracle (Bleichenbacher 1998, and its timing variant, the Marvin attack, 2023): whether the
    /// padding was valid leaks through errors, timing or the caller's behaviour after an error,
    /// and enough such answers decrypt a wrapped key or forge a signature with the RSA key. The
    /// only known defence is implicit rejection inside the RSA decryption itself, and even
    /// then the leak must not reappear in the code that calls it; a library that returns
    /// errors to its caller cannot close it. RFC 8725 (JWT Best Current Practices, section
    /// 3.2) recommends avoiding RSA-PKCS1 v1.5 encryption, and draft-ietf-jose-deprecate-none-rsa15
    /// deprecates `RSA1_5` in the IANA registry; use `RSA-OAEP-256` instead.
    KeyManagementAlgorithm, "JWE alg", {
        /// RSAES-OAEP with SHA-1 and MGF1 with SHA-1.
        RsaOaep = "RSA-OAEP",
        /// RSAES-OAEP with SHA-256 and MGF1 with SHA-256.
        RsaOaep256 = "RSA-OAEP-256",
        /// RSAES-OAEP with SHA-384 and MGF1 with SHA-384.
        RsaOaep384 = "RSA-OAEP-384",
        /// RSAES-OAEP with SHA-512 and MGF1 with SHA-512.
        RsaOaep512 = "RSA-OAEP-512",
        /// A shared symmetric key used directly as the CEK (RFC 7518 section 4.5).
        Dir = "dir",
        /// AES-128 key wrap (RFC 3394) of the CEK.
        A128Kw = "A128KW",
        /// AES-192 key wrap (RFC 3394) of the CEK.
        A192Kw = "A192KW",
        /// AES-256 key wrap (RFC 3394) of the CEK.
        A256Kw = "A256KW",
        /// AES-128-GCM encryption of the CEK (`iv` and `tag` header parameters).
        A128GcmKw = "A128GCMKW",
        /// AES-192-GCM encryption of the CEK (`iv` and `tag` header parameters).
        A192GcmKw = "A192GCMKW",
        /// AES-256-GCM encryption of the CEK (`iv` and `tag` header parameters).
        A256GcmKw = "A256GCMKW",
        /// ECDH-ES key agreement, the derived key used directly as the CEK.
        EcdhEs = "ECDH-ES",
        /// ECDH-ES key agreement, the derived key wrapping the CEK with AES-128 key wrap.
        EcdhEsA128Kw = "ECDH-ES+A128KW",
        /// ECDH-ES key agreement, the derived key wrapping the CEK with AES-192 key wrap.
        EcdhEsA192Kw = "ECDH-ES+A192KW",
        /// ECDH-ES key agreement, the derived key wrapping the CEK with AES-256 key wrap.
        EcdhEsA256Kw = "ECDH-ES+A256KW",
        /// PBES2 (PBKDF2 with HMAC-SHA-256) deriving an AES-128 key-wrap key from a password.
        Pbes2Hs256A128Kw = "PBES2-HS256+A128KW",
        /// PBES2 (PBKDF2 with HMAC-SHA-384) deriving an AES-192 key-wrap key from a password.
        Pbes2Hs384A192Kw = "PBES2-HS384+A192KW",
        /// PBES2 (PBKDF2 with HMAC-SHA-512) deriving an AES-256 key-wrap key from a password.
        Pbes2Hs512A256Kw = "PBES2-HS512+A256KW",
    }
}

alg_enum! {
    /// A JWE content encryption algorithm (`enc`).
    ContentEncryption, "JWE enc", {
        /// AES-128 in GCM mode.
        A128Gcm = "A128GCM",
        /// AES-192 in GCM mode.
        A192Gcm = "A192GCM",
        /// AES-256 in GCM mode.
        A256Gcm = "A256GCM",
        /// AES-128 in CBC mode with HMAC-SHA-256 truncated to 128 bits (RFC 7518 section 5.2.3).
        A128CbcHs256 = "A128CBC-HS256",
        /// AES-192 in CBC mode with HMAC-SHA-384 truncated to 192 bits (RFC 7518 section 5.2.4).
        A192CbcHs384 = "A192CBC-HS384",
        /// AES-256 in CBC mode with HMAC-SHA-512 truncated to 256 bits (RFC 7518 section 5.2.5).
        A256CbcHs512 = "A256CBC-HS512",
    }
}

alg_enum! {
    /// An elliptic curve (`crv` of an EC JWK).
    EcCurve, "curve", {
        /// NIST P-256 (secp256r1).
        P256 = "P-256",
        /// NIST P-384 (secp384r1).
        P384 = "P-384",
        /// NIST P-521 (secp521r1).
        P521 = "P-521",
    }
}

alg_enum! {
    /// An octet key pair curve (`crv` of an OKP JWK, RFC 8037).
    OkpCurve, "OKP curve", {
        /// Ed25519, for EdDSA signatures.
        Ed25519 = "Ed25519",
        /// X25519, for ECDH-ES key agreement.
        X25519 = "X25519",
    }
}

/// The hash function an algorithm uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlg {
    /// SHA-1 (only inside RSA-OAEP).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlg {
    /// The name FIPS 180-4 gives it: `"SHA-256"`, ...
    pub const fn name(self) -> &'static str {
        match self {
            HashAlg::Sha1 => "SHA-1",
            HashAlg::Sha256 => "SHA-256",
            HashAlg::Sha384 => "SHA-384",
            HashAlg::Sha512 => "SHA-512",
        }
    }

    /// The digest length in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            HashAlg::Sha1 => 20,
            HashAlg::Sha256 => 32,
            HashAlg::Sha384 => 48,
            HashAlg::Sha512 => 64,
        }
    }
}

impl fmt::Display for HashAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The family of a signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureScheme {
    /// RSASSA-PKCS1-v1_5.
    RsaPkcs1v15,
    /// RSASSA-PSS with salt length equal to the hash length.
    RsaPss,
    /// ECDSA with a fixed-length r||s signature.
    Ecdsa(EcCurve),
    /// HMAC with a shared secret ([`SecretKey`](crate::SecretKey)); never an RSA or EC key.
    Hmac,
    /// PureEdDSA (RFC 8032) on the given curve (Ed25519).
    EdDsa(OkpCurve),
}

impl JwsAlgorithm {
    /// The hash function.
    pub const fn hash(self) -> HashAlg {
        use JwsAlgorithm::*;
        match self {
            Rs256 | Ps256 | Es256 | Hs256 => HashAlg::Sha256,
            Rs384 | Ps384 | Es384 | Hs384 => HashAlg::Sha384,
            Rs512 | Ps512 | Es512 | Hs512 => HashAlg::Sha512,
            // Ed25519 hashes with SHA-512 inside the signature; nothing outside may prehash.
            EdDsa => HashAlg::Sha512,
        }
    }

    /// The signature scheme.
    pub const fn scheme(self) -> SignatureScheme {
        use JwsAlgorithm::*;
        match self {
            Rs256 | Rs384 | Rs512 => SignatureScheme::RsaPkcs1v15,
            Ps256 | Ps384 | Ps512 => SignatureScheme::RsaPss,
            Es256 => SignatureScheme::Ecdsa(EcCurve::P256),
            Es384 => SignatureScheme::Ecdsa(EcCurve::P384),
            Es512 => SignatureScheme::Ecdsa(EcCurve::P521),
            Hs256 | Hs384 | Hs512 => SignatureScheme::Hmac,
            EdDsa => SignatureScheme::EdDsa(OkpCurve::Ed25519),
        }
    }

    /// Whether this is HS256, HS384 or HS512: an algorithm for an [`SecretKey`](crate::SecretKey),
    /// which no [`KeyKind`] fits.
    pub const fn is_hmac(self) -> bool {
        matches!(self.scheme(), SignatureScheme::Hmac)
    }

    /// The asymmetric algorithms (RS*, PS*, ES*, EdDSA): [`JwsAlgorithm::ALL`] without the HMAC
    /// ones.
    pub fn asymmetric() -> impl Iterator<Item = JwsAlgorithm> {
        Self::ALL.iter().copied().filter(|alg| !alg.is_hmac())
    }

    /// The HMAC algorithms, HS256, HS384 and HS512.
    pub const HMAC: &'static [JwsAlgorithm] = &[
        JwsAlgorithm::Hs256,
        JwsAlgorithm::Hs384,
        JwsAlgorithm::Hs512,
    ];

    /// For HS*, the shortest secret accepted, in bytes: the hash length (RFC 7518 section 3.2);
    /// `None` for the asymmetric algorithms.
    pub const fn min_hmac_key_len(self) -> Option<usize> {
        if self.is_hmac() {
            Some(self.hash().output_len())
        } else {
            None
        }
    }

    /// Whether a key of this kind can be used with this algorithm. No [`KeyKind`] fits HS*: an
    /// RSA or EC key is never an HMAC secret.
    pub fn fits(self, kind: KeyKind) -> bool {
        match (self.scheme(), kind) {
            (SignatureScheme::RsaPkcs1v15 | SignatureScheme::RsaPss, KeyKind::Rsa { .. }) => true,
            (SignatureScheme::Ecdsa(c), KeyKind::Ec(k)) => c == k,
            (SignatureScheme::EdDsa(c), KeyKind::Okp(k)) => c == k,
            _ => false,
        }
    }

    /// The ECDSA algorithm for a curve (ES256 for P-256, ...).
    pub const fn for_curve(curve: EcCurve) -> Self {
        match curve {
            EcCurve::P256 => JwsAlgorithm::Es256,
            EcCurve::P384 => JwsAlgorithm::Es384,
            EcCurve::P521 => JwsAlgorithm::Es512,
        }
    }
}

/// How a JWE key management algorithm produces the CEK for a recipient (RFC 7518 section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyManagementMode {
    /// RSAES-OAEP with this hash (also the MGF1 hash) encrypts a random CEK to an RSA public key.
    RsaOaep(HashAlg),
    /// The shared symmetric key is the CEK (`dir`); the encrypted key is empty.
    Direct,
    /// AES key wrap (RFC 3394) of a random CEK with a shared key of this many bytes.
    AesKw(usize),
    /// AES-GCM encryption of a random CEK with a shared key of this many bytes.
    AesGcmKw(usize),
    /// ECDH-ES with an ephemeral key; `None`: the Concat KDF output is the CEK, `Some(n)`: it
    /// is an AES key-wrap key of `n` bytes for a random CEK.
    EcdhEs(Option<usize>),
    /// PBES2: PBKDF2 with HMAC over this hash derives an AES key-wrap key of `kw_len` bytes.
    Pbes2 {
        /// The PRF's hash.
        hash: HashAlg,
        /// The key-wrap key length in bytes.
        kw_len: usize,
    },
}

impl KeyManagementAlgorithm {
    /// The RSA-OAEP algorithms: RSA-OAEP, RSA-OAEP-256, RSA-OAEP-384 and RSA-OAEP-512.
    pub const RSA_OAEP: &'static [KeyManagementAlgorithm] = &[
        KeyManagementAlgorithm::RsaOaep,
        KeyManagementAlgorithm::RsaOaep256,
        KeyManagementAlgorithm::RsaOaep384,
        KeyManagementAlgorithm::RsaOaep512,
    ];

    /// How this algorithm produces the CEK.
    pub const fn mode(self) -> KeyManagementMode {
        use KeyManagementAlgorithm::*;
        use KeyManagementMode as M;
        match self {
            RsaOaep => M::RsaOaep(HashAlg::Sha1),
            RsaOaep256 => M::RsaOaep(HashAlg::Sha256),
            RsaOaep384 => M::RsaOaep(HashAlg::Sha384),
            RsaOaep512 => M::RsaOaep(HashAlg::Sha512),
            Dir => M::Direct,
            A128Kw => M::AesKw(16),
            A192Kw => M::AesKw(24),
            A256Kw => M::AesKw(32),
            A128GcmKw => M::AesGcmKw(16),
            A192GcmKw => M::AesGcmKw(24),
            A256GcmKw => M::AesGcmKw(32),
            EcdhEs => M::EcdhEs(None),
            EcdhEsA128Kw => M::EcdhEs(Some(16)),
            EcdhEsA192Kw => M::EcdhEs(Some(24)),
            EcdhEsA256Kw => M::EcdhEs(Some(32)),
            Pbes2Hs256A128Kw => M::Pbes2 {
                hash: HashAlg::Sha256,
                kw_len: 16,
            },
            Pbes2Hs384A192Kw => M::Pbes2 {
                hash: HashAlg::Sha384,
                kw_len: 24,
            },
            Pbes2Hs512A256Kw => M::Pbes2 {
                hash: HashAlg::Sha512,
                kw_len: 32,
            },
        }
    }

    /// The OAEP hash (also the MGF1 hash) of an RSA-OAEP algorithm; `None` for the others.
    pub const fn oaep_hash(self) -> Option<HashAlg> {
        match self.mode() {
            KeyManagementMode::RsaOaep(hash) => Some(hash),
            _ => None,
        }
    }

    /// Whether this is an RSA-OAEP algorithm (the only ones a provider's
    /// [`PublicKeyOps::wrap_key`](crate::provider::PublicKeyOps::wrap_key) and
    /// [`PrivateKeyOps::unwrap_key`](crate::provider::PrivateKeyOps::unwrap_key) see).
    pub const fn is_rsa_oaep(self) -> bool {
        self.oaep_hash().is_some()
    }

    /// Whether the recipient's key is a shared symmetric key (`dir`, A*KW, A*GCMKW).
    pub const fn uses_secret_key(self) -> bool {
        matches!(
            self.mode(),
            KeyManagementMode::Direct
                | KeyManagementMode::AesKw(_)
                | KeyManagementMode::AesGcmKw(_)
        )
    }

    /// Whether the recipient's key is a password (PBES2).
    pub const fn uses_password(self) -> bool {
        matches!(self.mode(), KeyManagementMode::Pbes2 { .. })
    }

    /// Whether a public or private key of this kind can be used with this algorithm: RSA for
    /// RSA-OAEP; EC (P-256, P-384, P-521) or X25519 for ECDH-ES. No [`KeyKind`] fits the
    /// symmetric and password algorithms.
    pub fn fits(self, kind: KeyKind) -> bool {
        match (self.mode(), kind) {
            (KeyManagementMode::RsaOaep(_), KeyKind::Rsa { .. }) => true,
            (KeyManagementMode::EcdhEs(_), KeyKind::Ec(_)) => true,
            (KeyManagementMode::EcdhEs(_), KeyKind::Okp(curve)) => curve == OkpCurve::X25519,
            _ => false,
        }
    }
}

impl ContentEncryption {
    /// The AES-GCM encryptions: A128GCM, A192GCM and A256GCM.
    pub const GCM: &'static [ContentEncryption] = &[
        ContentEncryption::A128Gcm,
        ContentEncryption::A192Gcm,
        ContentEncryption::A256Gcm,
    ];

    /// Whether this is AES-GCM (else AES-CBC with HMAC-SHA-2, RFC 7518 section 5.2).
    pub const fn is_gcm(self) -> bool {
        matches!(
            self,
            ContentEncryption::A128Gcm | ContentEncryption::A192Gcm | ContentEncryption::A256Gcm
        )
    }

    /// The length of the content encryption key in bytes. For AES-CBC-HMAC it is the MAC key
    /// followed by the encryption key, each half of it (RFC 7518 section 5.2.2.1).
    pub const fn key_len(self) -> usize {
        match self {
            ContentEncryption::A128Gcm => 16,
            ContentEncryption::A192Gcm => 24,
            ContentEncryption::A256Gcm => 32,
            ContentEncryption::A128CbcHs256 => 32,
            ContentEncryption::A192CbcHs384 => 48,
            ContentEncryption::A256CbcHs512 => 64,
        }
    }

    /// The IV length in bytes: 96 bits for GCM, 128 bits for CBC.
    pub const fn iv_len(self) -> usize {
        if self.is_gcm() { 12 } else { 16 }
    }

    /// The authentication tag length in bytes: 128 bits for GCM, half the HMAC output for
    /// AES-CBC-HMAC (16, 24 or 32 bytes).
    pub const fn tag_len(self) -> usize {
        match self {
            ContentEncryption::A128Gcm
            | ContentEncryption::A192Gcm
            | ContentEncryption::A256Gcm
            | ContentEncryption::A128CbcHs256 => 16,
            ContentEncryption::A192CbcHs384 => 24,
            ContentEncryption::A256CbcHs512 => 32,
        }
    }

    /// For AES-CBC-HMAC, the HMAC hash; `None` for GCM.
    pub const fn cbc_hmac_hash(self) -> Option<HashAlg> {
        match self {
            ContentEncryption::A128CbcHs256 => Some(HashAlg::Sha256),
            ContentEncryption::A192CbcHs384 => Some(HashAlg::Sha384),
            ContentEncryption::A256CbcHs512 => Some(HashAlg::Sha512),
            _ => None,
        }
    }
}

impl EcCurve {
    /// The length in bytes of a field element (and of each JWK coordinate).
    pub const fn coordinate_len(self) -> usize {
        match self {
            EcCurve::P256 => 32,
            EcCurve::P384 => 48,
            EcCurve::P521 => 66,
        }
    }

    /// The length of a raw r||s signature on this curve.
    pub const fn signature_len(self) -> usize {
        2 * self.coordinate_len()
    }

    /// The curve's object identifier (RFC 5480 `namedCurve`) as the content octets of its DER
    /// encoding, without tag and length: what the `id-ecPublicKey` parameters of an SPKI or PKCS#8
    /// document (and a SEC1 `ECPrivateKey`) carry.
    pub const fn oid(self) -> &'static [u8] {
        match self {
            EcCurve::P256 => OID_SECP256R1,
            EcCurve::P384 => OID_SECP384R1,
            EcCurve::P521 => OID_SECP521R1,
        }
    }

    /// The curve whose object identifier is `oid` (DER content octets, as [`EcCurve::oid`] gives),
    /// or `None` for any other curve or bytes.
    pub fn from_oid(oid: &[u8]) -> Option<Self> {
        Self::ALL.iter().copied().find(|curve| curve.oid() == oid)
    }
}

/// secp256r1 (P-256), 1.2.840.10045.3.1.7.
const OID_SECP256R1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// secp384r1 (P-384), 1.3.132.0.34.
const OID_SECP384R1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
/// secp521r1 (P-521), 1.3.132.0.35.
const OID_SECP521R1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];

impl OkpCurve {
    /// The length in bytes of a public key (and of a private key) on this curve: 32 for both.
    pub const fn key_len(self) -> usize {
        32
    }

    /// The curve's object identifier (RFC 8410: id-Ed25519 1.3.101.112, id-X25519 1.3.101.110)
    /// as DER content octets: the `algorithm` of an SPKI or PKCS#8 document, with no parameters.
    pub const fn oid(self) -> &'static [u8] {
        match self {
            OkpCurve::Ed25519 => &[0x2b, 0x65, 0x70],
            OkpCurve::X25519 => &[0x2b, 0x65, 0x6e],
        }
    }

    /// The curve whose object identifier is `oid`, or `None`.
    pub fn from_oid(oid: &[u8]) -> Option<Self> {
        Self::ALL.iter().copied().find(|curve| curve.oid() == oid)
    }
}

/// The smallest RSA modulus accepted anywhere, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// The largest RSA modulus accepted, in bits (aws-lc-rs handles up to 8192; both providers agree).
pub const MAX_RSA_BITS: usize = 8192;

/// What a key is: its type and size. Never secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// An RSA key with a modulus of `bits` bits.
    Rsa {
        /// Modulus size in bits.
        bits: usize,
    },
    /// An EC key on the given curve.
    Ec(EcCurve),
    /// An octet key pair (RFC 8037) on the given curve: Ed25519 or X25519.
    Okp(OkpCurve),
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyKind::Rsa { bits } => write!(f, "RSA {bits}-bit key"),
            KeyKind::Ec(c) => write!(f, "EC {c} key"),
            KeyKind::Okp(c) => write!(f, "OKP {c} key"),
        }
    }
}

/// What key to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeySpec {
    /// RSA with this modulus size (2048, 3072 or 4096) and exponent 65537.
    Rsa {
        /// Modulus size in bits.
        bits: usize,
    },
    /// EC on this curve.
    Ec(EcCurve),
    /// An octet key pair on this curve (Ed25519 or X25519).
    Okp(OkpCurve),
}

impl KeySpec {
    /// Checks that a provider should generate this (RSA: 2048, 3072 or 4096 bits).
    pub fn validate(self) -> Result<(), Error> {
        match self {
            KeySpec::Rsa {
                bits: 2048 | 3072 | 4096,
            }
            | KeySpec::Ec(_)
            | KeySpec::Okp(_) => Ok(()),
            KeySpec::Rsa { bits } => Err(Error::invalid_key(
                "an RSA key size of 2048, 3072 or 4096 bits",
                format!("{bits} bits"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_exactly() {
        for a in JwsAlgorithm::ALL {
            assert_eq!(JwsAlgorithm::from_name(a.name()), Ok(*a));
        }
        for a in KeyManagementAlgorithm::ALL {
            assert_eq!(a.name().parse::<KeyManagementAlgorithm>(), Ok(*a));
        }
        for a in ContentEncryption::ALL {
            assert_eq!(a.to_string().parse::<ContentEncryption>(), Ok(*a));
        }
    }

    #[test]
    fn none_and_near_misses_are_rejected() {
        for bad in [
            "none", "None", "rs256", "RS256 ", "hs256", "HS1", "", "ES256K", "eddsa", "Ed25519",
        ] {
            let err = JwsAlgorithm::from_name(bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::UnsupportedAlgorithm {
                        kind: "JWS alg",
                        ..
                    }
                ),
                "{bad}"
            );
        }
        assert!(KeyManagementAlgorithm::from_name("RSA1_5").is_err());
        assert!(ContentEncryption::from_name("A128CBC-HS256").is_ok());
        assert!(ContentEncryption::from_name("A128CBC_HS256").is_err());
        assert!(KeyManagementAlgorithm::from_name("DIR").is_err());
        let msg = JwsAlgorithm::from_name("none").unwrap_err().to_string();
        assert!(msg.contains("\"none\"") && msg.contains("ES512"), "{msg}");
    }

    #[test]
    fn curve_oids_round_trip_and_match_their_dotted_form() {
        for (curve, dotted) in [
            (EcCurve::P256, "1.2.840.10045.3.1.7"),
            (EcCurve::P384, "1.3.132.0.34"),
            (EcCurve::P521, "1.3.132.0.35"),
        ] {
            let oid = der::asn1::ObjectIdentifier::new_unwrap(dotted);
            assert_eq!(curve.oid(), oid.as_bytes(), "{curve}");
            assert_eq!(EcCurve::from_oid(oid.as_bytes()), Some(curve));
        }
        // secp256k1, brainpoolP256r1, a prefix of P-256's OID, nothing, and id-ecPublicKey.
        for other in [
            "1.3.132.0.10",
            "1.3.36.3.3.2.8.1.1.7",
            "1.2.840.10045.3.1",
            "1.2.840.10045.2.1",
        ] {
            let oid = der::asn1::ObjectIdentifier::new_unwrap(other);
            assert_eq!(EcCurve::from_oid(oid.as_bytes()), None, "{other}");
        }
        assert_eq!(EcCurve::from_oid(&[]), None);
        assert_eq!(
            EcCurve::from_oid(&[0x2b, 0x81, 0x04, 0x00, 0x22, 0x00]),
            None
        );
    }

    #[test]
    fn fit_checks() {
        assert!(JwsAlgorithm::Es512.fits(KeyKind::Ec(EcCurve::P521)));
        assert!(!JwsAlgorithm::Es256.fits(KeyKind::Ec(EcCurve::P384)));
        assert!(!JwsAlgorithm::Rs256.fits(KeyKind::Ec(EcCurve::P256)));
        assert!(JwsAlgorithm::Ps256.fits(KeyKind::Rsa { bits: 2048 }));
        for hs in JwsAlgorithm::HMAC {
            assert!(!hs.fits(KeyKind::Rsa { bits: 2048 }), "{hs}");
            assert!(!hs.fits(KeyKind::Ec(EcCurve::P256)), "{hs}");
            assert_eq!(hs.min_hmac_key_len(), Some(hs.hash().output_len()));
        }
        assert_eq!(JwsAlgorithm::asymmetric().count(), 10);
        assert!(JwsAlgorithm::EdDsa.fits(KeyKind::Okp(OkpCurve::Ed25519)));
        assert!(!JwsAlgorithm::EdDsa.fits(KeyKind::Okp(OkpCurve::X25519)));
        assert!(KeyManagementAlgorithm::EcdhEs.fits(KeyKind::Okp(OkpCurve::X25519)));
        assert!(!KeyManagementAlgorithm::EcdhEs.fits(KeyKind::Okp(OkpCurve::Ed25519)));
        assert!(KeyManagementAlgorithm::EcdhEsA256Kw.fits(KeyKind::Ec(EcCurve::P521)));
        assert!(
            ContentEncryption::ALL
                .iter()
                .all(|e| e.is_gcm() == ContentEncryption::GCM.contains(e))
        );
        for alg in KeyManagementAlgorithm::ALL {
            assert_eq!(
                alg.is_rsa_oaep(),
                KeyManagementAlgorithm::RSA_OAEP.contains(alg),
                "{alg}"
            );
            assert_eq!(
                alg.is_rsa_oaep(),
                alg.fits(KeyKind::Rsa { bits: 2048 }),
                "{alg}"
            );
        }
        assert_eq!(JwsAlgorithm::Rs256.min_hmac_key_len(), None);
        assert!(!KeyManagementAlgorithm::RsaOaep.fits(KeyKind::Ec(EcCurve::P256)));
    }
}

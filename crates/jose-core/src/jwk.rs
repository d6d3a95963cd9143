//! JSON Web Keys (RFC 7517) for RSA and EC keys (RFC 7518 section 6) and Ed25519/X25519 octet
//! key pairs (`kty` `OKP`, RFC 8037), JWK thumbprints (RFC 7638) and JWK sets.
//!
//! A [`Jwk`] keeps every member as found: key parameters stay base64url strings until a conversion
//! ([`Jwk::to_private_der`], [`Jwk::to_public_der`]) decodes them strictly and validates the key
//! (the same checks as [`crate::formats`]). Unknown members are kept in [`Jwk::extra`], so a JWK
//! round-trips; a JWK of another key type (`oct`), or an `OKP` JWK on Ed448 or X448, parses but
//! does not convert ([`Error::UnsupportedAlgorithm`]).
//!
//! Parse untrusted text with [`Jwk::from_json`] / [`Jwks::from_json`]: they apply size limits and
//! reject duplicate member names. The serde `Deserialize` impls do neither (serde_json keeps the last
//! of two equal names silently); use them only on values that were parsed strictly already.

use crate::alg::{EcCurve, JwsAlgorithm, KeyKind, KeyManagementAlgorithm, OkpCurve};
use crate::b64;
use crate::error::Error;
use crate::formats::{PrivateKeyDer, PrivateParts, PublicKeyDer, PublicParts};
use crate::json;
use crate::limits::Limits;
use crate::provider::CryptoProvider;
use der::asn1::UintRef;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::fmt;
use zeroize::{Zeroize, Zeroizing};

/// The member names with a field of their own, in serialization order.
const KNOWN: [&str; 20] = [
    "kty", "kid", "use", "key_ops", "alg", "crv", "x", "y", "n", "e", "d", "p", "q", "dp", "dq",
    "qi", "x5u", "x5c", "x5t", "x5t#S256",
];

const KEY_TYPES: &str = "RSA EC OKP";

/// A JSON Web Key (RFC 7517).
///
/// Fields hold the members as they appear in the JSON (key parameters base64url-encoded). Private
/// members (`d`, `p`, `q`, `dp`, `dq`, `qi`) are zeroized on drop, and `Debug` shows only the
/// metadata (`kty`, `kid`, `use`, `key_ops`, `alg`, `crv`), whether the key is private and the names
/// of extra members, never a key parameter.
///
/// Serialization order is stable: `kty`, `kid`, `use`, `key_ops`, `alg`, `crv`, `x`, `y`, `n`, `e`,
/// the private members, `x5u`, `x5c`, `x5t`, `x5t#S256`, then [`Jwk::extra`] in its order.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Jwk {
    /// `kty`: the key type (`"RSA"`, `"EC"` and `"OKP"` convert; others are kept as-is).
    pub kty: String,
    /// `kid`: the key id.
    pub kid: Option<String>,
    /// `use`: the intended use, `"sig"` or `"enc"` (checked on conversion).
    pub use_: Option<String>,
    /// `key_ops`: the permitted operations (no duplicates).
    pub key_ops: Option<Vec<String>>,
    /// `alg`: the one algorithm the key is meant for.
    pub alg: Option<String>,
    /// `crv` (EC): `"P-256"`, `"P-384"` or `"P-521"`; (OKP) `"Ed25519"` or `"X25519"`.
    pub crv: Option<String>,
    /// `x` (EC): the x coordinate, base64url, full length; (OKP) the 32-byte public key.
    pub x: Option<String>,
    /// `y` (EC): the y coordinate, base64url, full length.
    pub y: Option<String>,
    /// `n` (RSA): the modulus, base64url.
    pub n: Option<String>,
    /// `e` (RSA): the public exponent, base64url.
    pub e: Option<String>,
    /// `d`: the private exponent (RSA), scalar (EC, full length) or 32-byte private key (OKP),
    /// base64url.
    pub d: Option<String>,
    /// `p` (RSA private): the first prime factor.
    pub p: Option<String>,
    /// `q` (RSA private): the second prime factor.
    pub q: Option<String>,
    /// `dp` (RSA private): the first factor CRT exponent.
    pub dp: Option<String>,
    /// `dq` (RSA private): the second factor CRT exponent.
    pub dq: Option<String>,
    /// `qi` (RSA private): the first CRT coefficient.
    pub qi: Option<String>,
    /// `x5u`: the X.509 URL (kept, never fetched).
    pub x5u: Option<String>,
    /// `x5c`: the X.509 certificate chain, base64 DER (kept, not validated).
    pub x5c: Option<Vec<String>>,
    /// `x5t`: the SHA-1 certificate thumbprint (kept).
    pub x5t: Option<String>,
    /// `x5t#S256`: the SHA-256 certificate thumbprint (kept).
    pub x5t_s256: Option<String>,
    /// Every other member, in [`Map`]'s order: sorted by name, or in document order if the
    /// application turns on serde_json's `preserve_order`. Names of the fields above are ignored
    /// here when serializing.
    pub extra: Map<String, Value>,
}

impl Drop for Jwk {
    fn drop(&mut self) {
        for secret in [
            &mut self.d,
            &mut self.p,
            &mut self.q,
            &mut self.dp,
            &mut self.dq,
            &mut self.qi,
        ] {
            secret.zeroize();
        }
        // A symmetric key ("oct") keeps its secret in "k".
        if let Some(Value::String(k)) = self.extra.get_mut("k") {
            k.zeroize();
        }
    }
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwk")
            .field("kty", &self.kty)
            .field("kid", &self.kid)
            .field("use", &self.use_)
            .field("key_ops", &self.key_ops)
            .field("alg", &self.alg)
            .field("crv", &self.crv)
            .field("private", &self.is_private())
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// The key parameters of a consistent RSA, EC or OKP JWK.
enum Params<'a> {
    Rsa {
        n: &'a str,
        e: &'a str,
    },
    Ec {
        curve: EcCurve,
        x: &'a str,
        y: &'a str,
    },
    Okp {
        curve: OkpCurve,
        x: &'a str,
    },
}

impl Jwk {
    /// Parses a JWK from JSON text, strictly: at most `limits.max_key_len` bytes, a JSON object, no
    /// duplicate member names ([`Error::DuplicateMember`] with location `"JWK"`), a string `kty`,
    /// every registered member of the right JSON type, `key_ops` without repeats. The key itself is
    /// checked only on conversion.
    pub fn from_json(s: &str, limits: &Limits) -> Result<Self, Error> {
        Limits::check("JWK", limits.max_key_len, s.len())?;
        Self::from_map(json::parse_object(s.as_bytes(), "JWK")?)
    }

    /// Builds a JWK from a parsed JSON object (which the caller parsed strictly).
    pub fn from_map(map: Map<String, Value>) -> Result<Self, Error> {
        let mut jwk = Jwk::default();
        let mut kty = None;
        for (name, value) in map {
            let slot = match name.as_str() {
                "kty" => &mut kty,
                "kid" => &mut jwk.kid,
                "use" => &mut jwk.use_,
                "alg" => &mut jwk.alg,
                "crv" => &mut jwk.crv,
                "x" => &mut jwk.x,
                "y" => &mut jwk.y,
                "n" => &mut jwk.n,
                "e" => &mut jwk.e,
                "d" => &mut jwk.d,
                "p" => &mut jwk.p,
                "q" => &mut jwk.q,
                "dp" => &mut jwk.dp,
                "dq" => &mut jwk.dq,
                "qi" => &mut jwk.qi,
                "x5u" => &mut jwk.x5u,
                "x5t" => &mut jwk.x5t,
                "x5t#S256" => &mut jwk.x5t_s256,
                "key_ops" => {
                    let ops = string_array(&name, value)?;
                    if let Some(dup) = ops
                        .iter()
                        .enumerate()
                        .find_map(|(i, op)| ops.get(..i)?.contains(op).then_some(op))
                    {
                        return Err(Error::malformed(
                            "JWK",
                            "\"key_ops\" without repeated values (RFC 7517 section 4.3)",
                            format!("{:?} twice", shown(dup)),
                        ));
                    }
                    jwk.key_ops = Some(ops);
                    continue;
                }
                "x5c" => {
                    jwk.x5c = Some(string_array(&name, value)?);
                    continue;
                }
                _ => {
                    jwk.extra.insert(name, value);
                    continue;
                }
            };
            *slot = Some(string(&name, value)?);
        }
        jwk.kty = kty.ok_or_else(|| Error::malformed("JWK", "a \"kty\" member", "none"))?;
        Ok(jwk)
    }

    /// Compact JSON in the stable member order.
    pub fn to_json(&self) -> String {
        // Serializing strings and a `Map<String, Value>` cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Pretty-printed JSON in the stable member order.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Whether the JWK holds a private key (has `d`).
    pub fn is_private(&self) -> bool {
        self.d.is_some()
    }

    /// The key's type and size (RSA: the bit length of `n`; EC: the curve), after the consistency
    /// checks of [`Jwk::to_public_der`] but without full validation.
    pub fn kind(&self) -> Result<KeyKind, Error> {
        match self.params()? {
            Params::Rsa { n, .. } => Ok(KeyKind::Rsa {
                bits: crate::provider::support::bit_len(&b64::decode("JWK \"n\"", n)?),
            }),
            Params::Ec { curve, .. } => Ok(KeyKind::Ec(curve)),
            Params::Okp { curve, .. } => Ok(KeyKind::Okp(curve)),
        }
    }

    /// The public JWK: the private members (`d`, `p`, `q`, `dp`, `dq`, `qi`, and `oth` and `k` from
    /// [`Jwk::extra`]) removed, and `key_ops` mapped to their public counterparts (`sign` to
    /// `verify`, `decrypt` to `encrypt`, `unwrapKey` to `wrapKey`, without repeats). Everything else
    /// is kept.
    pub fn to_public(&self) -> Jwk {
        let key_ops = self.key_ops.as_deref().map(public_key_ops);
        let extra = self
            .extra
            .iter()
            .filter(|(name, _)| name.as_str() != "oth" && name.as_str() != "k")
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        Jwk {
            kty: self.kty.clone(),
            kid: self.kid.clone(),
            use_: self.use_.clone(),
            key_ops,
            alg: self.alg.clone(),
            crv: self.crv.clone(),
            x: self.x.clone(),
            y: self.y.clone(),
            n: self.n.clone(),
            e: self.e.clone(),
            d: None,
            p: None,
            q: None,
            dp: None,
            dq: None,
            qi: None,
            x5u: self.x5u.clone(),
            x5c: self.x5c.clone(),
            x5t: self.x5t.clone(),
            x5t_s256: self.x5t_s256.clone(),
            extra,
        }
    }

    /// Converts a private RSA, EC or OKP JWK to normalized PKCS#8 DER.
    ///
    /// RSA needs `n`, `e`, `d`, `p`, `q`, `dp`, `dq`, `qi` (a JWK with only `d` is refused; `oth`,
    /// multi-prime, is refused); leading zero octets in the integers are tolerated. EC needs `crv`,
    /// `x`, `y` and `d`, each coordinate and `d` exactly the curve's length (RFC 7518 section 6.2;
    /// see [`Jwk::pad_ec_coordinates`] for keys that break this rule). OKP (RFC 8037) needs `crv`
    /// (`Ed25519` or `X25519`), `x` and `d`, each exactly 32 bytes; the PKCS#8 is then version 2
    /// with `x` as its public key, so that the provider checks `x` belongs to `d`. The key is
    /// then validated as in [`crate::formats`].
    ///
    /// Errors: [`Error::InvalidKey`] (public JWK, missing or inconsistent members, bad key),
    /// [`Error::Malformed`] (bad base64url; a private member's value is never shown),
    /// [`Error::UnsupportedAlgorithm`] (another `kty` or `crv`).
    pub fn to_private_der(&self) -> Result<PrivateKeyDer, Error> {
        let params = self.params()?;
        let d = self.d.as_deref().ok_or_else(|| {
            Error::invalid_key(
                "a private JWK (with \"d\")",
                format!("a public {} JWK", self.kty),
            )
        })?;
        match params {
            Params::Rsa { n, e } => {
                let n = b64::decode("JWK \"n\"", n)?;
                let e = b64::decode("JWK \"e\"", e)?;
                let d = secret("d", d)?;
                let [p, q, dp, dq, qi] = [
                    ("p", &self.p),
                    ("q", &self.q),
                    ("dp", &self.dp),
                    ("dq", &self.dq),
                    ("qi", &self.qi),
                ]
                .map(|(name, value)| match value {
                    Some(v) => secret(name, v),
                    None => Err(Error::invalid_key(
                        "an RSA private JWK with all of p, q, dp, dq and qi (RFC 7518 section 6.3.2)",
                        format!("no \"{name}\""),
                    )),
                });
                let (p, q, dp, dq, qi) = (p?, q?, dp?, dq?, qi?);
                let key = pkcs1::RsaPrivateKey {
                    modulus: uint("n", &n)?,
                    public_exponent: uint("e", &e)?,
                    private_exponent: uint("d", &d)?,
                    prime1: uint("p", &p)?,
                    prime2: uint("q", &q)?,
                    exponent1: uint("dp", &dp)?,
                    exponent2: uint("dq", &dq)?,
                    coefficient: uint("qi", &qi)?,
                    other_prime_infos: None,
                };
                PrivateKeyDer::from_rsa(&key)
            }
            Params::Ec { curve, x, y } => {
                let point = ec_point(curve, x, y)?;
                let d = secret("d", d)?;
                check_len("d", d.len(), curve)?;
                PrivateKeyDer::from_ec_components(curve, &d, Some(&point))
            }
            Params::Okp { curve, x } => {
                let x = okp_public(curve, x)?;
                let d = secret("d", d)?;
                check_okp_len("d", d.len(), curve)?;
                PrivateKeyDer::from_okp(curve, &d, Some(&x))
            }
        }
    }

    /// Converts the public part of an RSA, EC or OKP JWK to normalized SPKI DER (private members,
    /// if any, are ignored). RSA needs `n` and `e`, EC `crv`, `x` and `y` (each exactly the curve's
    /// length), OKP `crv` and `x` (32 bytes).
    ///
    /// Errors: as [`Jwk::to_private_der`].
    pub fn to_public_der(&self) -> Result<PublicKeyDer, Error> {
        match self.params()? {
            Params::Rsa { n, e } => {
                let n = b64::decode("JWK \"n\"", n)?;
                let e = b64::decode("JWK \"e\"", e)?;
                PublicKeyDer::from_rsa_components(&n, &e)
            }
            Params::Ec { curve, x, y } => {
                PublicKeyDer::from_ec_point(curve, &ec_point(curve, x, y)?)
            }
            Params::Okp { curve, x } => PublicKeyDer::from_okp(curve, &okp_public(curve, x)?),
        }
    }

    /// A private JWK from normalized DER: RSA integers without leading zeros, EC `x`, `y` and `d` at
    /// full length, OKP `crv`, `x` and `d`. No metadata (`kid`, `use`, ...) is set.
    ///
    /// An OKP key needs its public key in the DER (`x`; a PKCS#8 v2, or
    /// [`PrivateKeyDer::with_public_key`]): without it, [`Error::InvalidKey`].
    pub fn from_private_der(der: &PrivateKeyDer) -> Result<Self, Error> {
        let mut jwk = Jwk::default();
        match der.parts()? {
            PrivateParts::Rsa(key) => {
                jwk.kty = "RSA".to_owned();
                jwk.n = Some(b64::encode(key.modulus.as_bytes()));
                jwk.e = Some(b64::encode(key.public_exponent.as_bytes()));
                jwk.d = Some(b64::encode_secret(key.private_exponent.as_bytes()));
                jwk.p = Some(b64::encode_secret(key.prime1.as_bytes()));
                jwk.q = Some(b64::encode_secret(key.prime2.as_bytes()));
                jwk.dp = Some(b64::encode_secret(key.exponent1.as_bytes()));
                jwk.dq = Some(b64::encode_secret(key.exponent2.as_bytes()));
                jwk.qi = Some(b64::encode_secret(key.coefficient.as_bytes()));
            }
            PrivateParts::Ec { curve, d, point } => {
                jwk.set_ec_point(curve, point)?;
                jwk.d = Some(b64::encode_secret(d));
            }
            PrivateParts::Okp {
                curve,
                seed,
                public,
            } => {
                let public = public.ok_or_else(|| {
                    Error::invalid_key(
                        format!(
                            "an {curve} private key with its public key (a PKCS#8 v2; \
                             PrivateKeyDer::with_public_key adds it)"
                        ),
                        "only the private key",
                    )
                })?;
                jwk.set_okp(curve, public);
                jwk.d = Some(b64::encode_secret(seed));
            }
        }
        Ok(jwk)
    }

    /// A public JWK from normalized DER (RSA integers without leading zeros, EC coordinates at full
    /// length). No metadata is set.
    pub fn from_public_der(der: &PublicKeyDer) -> Result<Self, Error> {
        let mut jwk = Jwk::default();
        match der.parts()? {
            PublicParts::Rsa { n, e } => {
                jwk.kty = "RSA".to_owned();
                jwk.n = Some(b64::encode(n));
                jwk.e = Some(b64::encode(e));
            }
            PublicParts::Ec { curve, point } => jwk.set_ec_point(curve, point)?,
            PublicParts::Okp { curve, x } => jwk.set_okp(curve, x),
        }
        Ok(jwk)
    }

    /// Sets `kty` (`OKP`), `crv` and `x`.
    fn set_okp(&mut self, curve: OkpCurve, x: &[u8]) {
        self.kty = "OKP".to_owned();
        self.crv = Some(curve.name().to_owned());
        self.x = Some(b64::encode(x));
    }

    /// Sets `kty`, `crv`, `x` and `y` from a normalized uncompressed point.
    fn set_ec_point(&mut self, curve: EcCurve, point: &[u8]) -> Result<(), Error> {
        let (x, y) = split_point(curve, point)?;
        self.kty = "EC".to_owned();
        self.crv = Some(curve.name().to_owned());
        self.x = Some(b64::encode(x));
        self.y = Some(b64::encode(y));
        Ok(())
    }

    /// Explicit opt-in leniency: left-pads `x`, `y` and `d` of an EC JWK that are shorter than the
    /// curve's coordinate length with zero octets.
    ///
    /// RFC 7518 section 6.2.1.2 says coordinates "MUST be the full length", and conversion enforces
    /// it; some issuers (TrueLayer's published P-521 keys, for one) drop leading zero octets. Call
    /// this on such a key before converting it. Members that are not valid base64url, are already at
    /// least full length, or belong to a JWK that is not EC on a supported curve are left unchanged
    /// for the conversion to report.
    pub fn pad_ec_coordinates(&mut self) {
        if self.kty != "EC" {
            return;
        }
        let Some(Ok(curve)) = self.crv.as_deref().map(EcCurve::from_name) else {
            return;
        };
        let len = curve.coordinate_len();
        for member in [&mut self.x, &mut self.y, &mut self.d] {
            let Some(Ok(bytes)) = member
                .as_deref()
                .map(|v| b64::decode_secret("JWK EC member", v))
            else {
                continue;
            };
            if bytes.len() >= len {
                continue;
            }
            let mut padded = Zeroizing::new(vec![0u8; len]);
            for (dst, src) in padded
                .iter_mut()
                .skip(len.saturating_sub(bytes.len()))
                .zip(bytes.iter())
            {
                *dst = *src;
            }
            if let Some(mut old) = member.replace(b64::encode_secret(&padded)) {
                old.zeroize();
            }
        }
    }

    /// The RFC 7638 thumbprint input: the required public members in lexicographic order, as JSON
    /// without whitespace. RSA: `{"e":..,"kty":"RSA","n":..}`; EC: `{"crv":..,"kty":"EC","x":..,"y":..}`;
    /// OKP (RFC 8037): `{"crv":..,"kty":"OKP","x":..}`; oct: `{"k":..,"kty":"oct"}` (this input
    /// holds the secret itself: wipe it, and publish only the hash).
    /// Member values are used as they are.
    ///
    /// Errors: [`Error::InvalidKey`] for a missing member, [`Error::UnsupportedAlgorithm`] for another
    /// `kty`.
    pub fn thumbprint_input(&self) -> Result<String, Error> {
        let member = |name: &'static str, value: &Option<String>| -> Result<String, Error> {
            value
                .as_deref()
                .map(|v| Value::from(v).to_string())
                .ok_or_else(|| {
                    Error::invalid_key(
                        format!("the member \"{name}\" for an {} JWK thumbprint", self.kty),
                        "none",
                    )
                })
        };
        match self.kty.as_str() {
            "RSA" => Ok(format!(
                r#"{{"e":{},"kty":"RSA","n":{}}}"#,
                member("e", &self.e)?,
                member("n", &self.n)?
            )),
            "EC" => Ok(format!(
                r#"{{"crv":{},"kty":"EC","x":{},"y":{}}}"#,
                member("crv", &self.crv)?,
                member("x", &self.x)?,
                member("y", &self.y)?
            )),
            "OKP" => Ok(format!(
                r#"{{"crv":{},"kty":"OKP","x":{}}}"#,
                member("crv", &self.crv)?,
                member("x", &self.x)?
            )),
            "oct" => match self.extra.get("k") {
                Some(Value::String(k)) => Ok(format!(
                    r#"{{"k":{},"kty":"oct"}}"#,
                    Value::from(k.as_str())
                )),
                _ => Err(Error::invalid_key(
                    "the string member \"k\" for an oct JWK thumbprint",
                    "none",
                )),
            },
            other => Err(unsupported_kty(other, "RSA EC OKP oct")),
        }
    }

    /// The RFC 7638 SHA-256 thumbprint, base64url: `base64url(SHA-256(thumbprint_input))`.
    pub fn thumbprint_sha256(&self, provider: &dyn CryptoProvider) -> Result<String, Error> {
        let input = Zeroizing::new(self.thumbprint_input()?);
        Ok(b64::encode(&provider.sha256(input.as_bytes())))
    }

    /// Checks member consistency and returns the key parameters.
    fn params(&self) -> Result<Params<'_>, Error> {
        if let Some(u) = &self.use_ {
            if u != "sig" && u != "enc" {
                return Err(Error::invalid_key(
                    "\"use\" of \"sig\" or \"enc\"",
                    format!("{:?}", shown(u)),
                ));
            }
        }
        self.check_use_and_key_ops()?;
        let params = match self.kty.as_str() {
            "RSA" => {
                self.forbid(&[("crv", &self.crv), ("x", &self.x), ("y", &self.y)])?;
                if self.extra.contains_key("oth") {
                    return Err(Error::invalid_key(
                        "a two-prime RSA key",
                        "a multi-prime key (\"oth\")",
                    ));
                }
                let private = [&self.p, &self.q, &self.dp, &self.dq, &self.qi];
                if self.d.is_none() && private.iter().any(|m| m.is_some()) {
                    return Err(Error::invalid_key(
                        "\"d\" alongside the other RSA private members",
                        "p, q, dp, dq or qi without \"d\"",
                    ));
                }
                Params::Rsa {
                    n: self.required("n", &self.n)?,
                    e: self.required("e", &self.e)?,
                }
            }
            "EC" => {
                self.forbid(&[
                    ("n", &self.n),
                    ("e", &self.e),
                    ("p", &self.p),
                    ("q", &self.q),
                    ("dp", &self.dp),
                    ("dq", &self.dq),
                    ("qi", &self.qi),
                ])?;
                Params::Ec {
                    curve: EcCurve::from_name(self.required("crv", &self.crv)?)?,
                    x: self.required("x", &self.x)?,
                    y: self.required("y", &self.y)?,
                }
            }
            "OKP" => {
                self.forbid(&[
                    ("y", &self.y),
                    ("n", &self.n),
                    ("e", &self.e),
                    ("p", &self.p),
                    ("q", &self.q),
                    ("dp", &self.dp),
                    ("dq", &self.dq),
                    ("qi", &self.qi),
                ])?;
                // Ed448 and X448 (RFC 8037) are refused here as unsupported curves.
                Params::Okp {
                    curve: OkpCurve::from_name(self.required("crv", &self.crv)?)?,
                    x: self.required("x", &self.x)?,
                }
            }
            other => return Err(unsupported_kty(other, KEY_TYPES)),
        };
        self.check_alg(&params)?;
        Ok(params)
    }

    fn required<'a>(&self, name: &str, value: &'a Option<String>) -> Result<&'a str, Error> {
        value.as_deref().ok_or_else(|| {
            Error::invalid_key(
                format!("the member \"{name}\" in an {} JWK", self.kty),
                "none",
            )
        })
    }

    fn forbid(&self, members: &[(&str, &Option<String>)]) -> Result<(), Error> {
        match members.iter().find(|(_, value)| value.is_some()) {
            Some((name, _)) => Err(Error::invalid_key(
                format!("an {} JWK without \"{name}\"", self.kty),
                format!("\"{name}\", a member of another key type"),
            )),
            None => Ok(()),
        }
    }

    /// RFC 7517 section 4.3: if both `use` and `key_ops` are present, they must agree.
    fn check_use_and_key_ops(&self) -> Result<(), Error> {
        let (Some(use_), Some(ops)) = (&self.use_, &self.key_ops) else {
            return Ok(());
        };
        let fits: &[&str] = match use_.as_str() {
            "sig" => &["sign", "verify"],
            _ => &[
                "encrypt",
                "decrypt",
                "wrapKey",
                "unwrapKey",
                "deriveKey",
                "deriveBits",
            ],
        };
        match ops.iter().find(|op| !fits.contains(&op.as_str())) {
            Some(op) => Err(Error::invalid_key(
                format!("\"key_ops\" consistent with \"use\":\"{use_}\""),
                format!("{:?}", shown(op)),
            )),
            None => Ok(()),
        }
    }

    /// A registered `alg` must fit the key (an EC key with `"alg":"RS256"` is inconsistent).
    /// Unregistered names are left for the key binding to refuse.
    fn check_alg(&self, params: &Params<'_>) -> Result<(), Error> {
        let Some(alg) = self.alg.as_deref() else {
            return Ok(());
        };
        let fits = match (
            params,
            JwsAlgorithm::from_name(alg),
            KeyManagementAlgorithm::from_name(alg),
        ) {
            (Params::Ec { curve, .. }, Ok(a), _) => a == JwsAlgorithm::for_curve(*curve),
            (Params::Ec { curve, .. }, _, Ok(k)) => k.fits(KeyKind::Ec(*curve)),
            (Params::Rsa { .. }, Ok(a), _) => a.fits(KeyKind::Rsa { bits: 0 }),
            (Params::Rsa { .. }, _, Ok(k)) => k.fits(KeyKind::Rsa { bits: 0 }),
            (Params::Okp { curve, .. }, Ok(a), _) => a.fits(KeyKind::Okp(*curve)),
            (Params::Okp { curve, .. }, _, Ok(k)) => k.fits(KeyKind::Okp(*curve)),
            _ => true,
        };
        if fits {
            Ok(())
        } else {
            Err(Error::invalid_key(
                format!("an \"alg\" that fits an {} key", self.kty),
                format!("{:?}", shown(alg)),
            ))
        }
    }
}

impl Serialize for Jwk {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        fn entry<M: SerializeMap, T: Serialize>(
            m: &mut M,
            name: &str,
            value: &Option<T>,
        ) -> Result<(), M::Error> {
            match value {
                Some(v) => m.serialize_entry(name, v),
                None => Ok(()),
            }
        }
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("kty", &self.kty)?;
        entry(&mut m, "kid", &self.kid)?;
        entry(&mut m, "use", &self.use_)?;
        entry(&mut m, "key_ops", &self.key_ops)?;
        entry(&mut m, "alg", &self.alg)?;
        for (name, value) in [
            ("crv", &self.crv),
            ("x", &self.x),
            ("y", &self.y),
            ("n", &self.n),
            ("e", &self.e),
            ("d", &self.d),
            ("p", &self.p),
            ("q", &self.q),
            ("dp", &self.dp),
            ("dq", &self.dq),
            ("qi", &self.qi),
            ("x5u", &self.x5u),
        ] {
            entry(&mut m, name, value)?;
        }
        entry(&mut m, "x5c", &self.x5c)?;
        entry(&mut m, "x5t", &self.x5t)?;
        entry(&mut m, "x5t#S256", &self.x5t_s256)?;
        for (name, value) in &self.extra {
            if !KNOWN.contains(&name.as_str()) {
                m.serialize_entry(name, value)?;
            }
        }
        m.end()
    }
}

/// Not strict: duplicate member names are not detected here (see the module documentation).
impl<'de> Deserialize<'de> for Jwk {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(deserializer)?;
        Jwk::from_map(map).map_err(serde::de::Error::custom)
    }
}

/// A JWK set (RFC 7517 section 5): `{"keys": [...]}` plus any other members.
///
/// Keys of types this crate does not convert (`oct`, OKP on Ed448, ...) are kept, so such a set parses;
/// they just never convert. A key id may appear more than once: [`Jwks::get_unique`] refuses to
/// choose.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Jwks {
    /// The keys, in document order.
    pub keys: Vec<Jwk>,
    /// Other top-level members, in [`Map`]'s order (as [`Jwk::extra`]).
    pub extra: Map<String, Value>,
}

impl Jwks {
    /// A set of these keys.
    pub fn new(keys: Vec<Jwk>) -> Self {
        Jwks {
            keys,
            extra: Map::new(),
        }
    }

    /// Parses a JWK set from JSON text, strictly: at most `limits.max_key_len` bytes in all (the
    /// limit of a key file), at most `limits.max_jwks_keys` keys, no duplicate member names at any
    /// depth ([`Error::DuplicateMember`] with location `"JWKS"`), a `keys` array of JWK objects each
    /// well-formed as for [`Jwk::from_json`] (a malformed member fails the whole set; an unknown
    /// `kty` does not).
    pub fn from_json(s: &str, limits: &Limits) -> Result<Self, Error> {
        Limits::check("JWKS", limits.max_key_len, s.len())?;
        let (keys, map) = split_off(json::parse_object(s.as_bytes(), "JWKS")?, "keys");
        let keys = match keys {
            Some(Value::Array(keys)) => keys,
            Some(other) => {
                return Err(Error::malformed(
                    "JWKS",
                    "a \"keys\" array",
                    json::json_type(&other),
                ));
            }
            None => {
                return Err(Error::malformed(
                    "JWKS",
                    "a \"keys\" array",
                    "no \"keys\" member",
                ));
            }
        };
        Limits::check("JWKS keys", limits.max_jwks_keys, keys.len())?;
        let keys = keys
            .into_iter()
            .enumerate()
            .map(|(i, key)| match key {
                Value::Object(m) => Jwk::from_map(m).map_err(|e| match e {
                    Error::Malformed {
                        what,
                        expected,
                        found,
                    } => Error::Malformed {
                        what,
                        expected,
                        found: format!("{found} (in key {i})"),
                    },
                    other => other,
                }),
                other => Err(Error::malformed(
                    "JWKS",
                    "an array of JWK objects",
                    format!("key {i} is {}", json::json_type(&other)),
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Jwks { keys, extra: map })
    }

    /// Compact JSON: `keys` first, then the other members.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Pretty-printed JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The set with every key made public ([`Jwk::to_public`]), for publishing.
    pub fn to_public(&self) -> Jwks {
        Jwks {
            keys: self.keys.iter().map(Jwk::to_public).collect(),
            extra: self.extra.clone(),
        }
    }

    /// The keys, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Jwk> {
        self.keys.iter()
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set has no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys whose `kid` is exactly `kid`.
    pub fn find<'a>(&'a self, kid: &'a str) -> impl Iterator<Item = &'a Jwk> + 'a {
        self.keys
            .iter()
            .filter(move |k| k.kid.as_deref() == Some(kid))
    }

    /// The one key whose `kid` is `kid`.
    ///
    /// Errors: [`Error::NoMatchingKey`] if there is none; [`Error::InvalidKey`] if more than one key
    /// has it (ambiguous: the set is refused rather than a key guessed).
    pub fn get_unique(&self, kid: &str) -> Result<&Jwk, Error> {
        let mut found = self.keys.iter().filter(|k| k.kid.as_deref() == Some(kid));
        match (found.next(), found.next()) {
            (Some(key), None) => Ok(key),
            (None, _) => Err(Error::NoMatchingKey(format!(
                "no key with \"kid\" {:?} in the JWK set",
                shown(kid)
            ))),
            (Some(_), Some(_)) => Err(Error::invalid_key(
                format!(
                    "exactly one key with \"kid\" {:?} in the JWK set",
                    shown(kid)
                ),
                format!("{} keys (ambiguous)", found.count().saturating_add(2)),
            )),
        }
    }
}

impl<'a> IntoIterator for &'a Jwks {
    type Item = &'a Jwk;
    type IntoIter = std::slice::Iter<'a, Jwk>;
    fn into_iter(self) -> Self::IntoIter {
        self.keys.iter()
    }
}

impl From<Vec<Jwk>> for Jwks {
    fn from(keys: Vec<Jwk>) -> Self {
        Jwks::new(keys)
    }
}

impl Serialize for Jwks {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        m.serialize_entry("keys", &self.keys)?;
        for (name, value) in &self.extra {
            if name != "keys" {
                m.serialize_entry(name, value)?;
            }
        }
        m.end()
    }
}

/// Not strict: duplicate member names are not detected here (see the module documentation).
impl<'de> Deserialize<'de> for Jwks {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (keys, map) = split_off(Map::<String, Value>::deserialize(deserializer)?, "keys");
        let keys = match keys {
            Some(keys) => Vec::<Jwk>::deserialize(keys).map_err(serde::de::Error::custom)?,
            None => return Err(serde::de::Error::missing_field("keys")),
        };
        Ok(Jwks { keys, extra: map })
    }
}

/// `map` without the member `name`, and that member's value. The other members keep their order
/// (`Map::remove` would move the last one into the gap when serde_json's `preserve_order` is on).
fn split_off(map: Map<String, Value>, name: &str) -> (Option<Value>, Map<String, Value>) {
    let mut found = None;
    let rest = map
        .into_iter()
        .filter_map(|(k, v)| {
            if k == name {
                found = Some(v);
                None
            } else {
                Some((k, v))
            }
        })
        .collect();
    (found, rest)
}

/// At most 64 characters of an untrusted string, for messages.
fn shown(s: &str) -> String {
    s.chars().take(64).collect()
}

fn unsupported_kty(kty: &str, supported: &'static str) -> Error {
    Error::UnsupportedAlgorithm {
        kind: "key type",
        found: shown(kty),
        supported,
    }
}

fn string(name: &str, value: Value) -> Result<String, Error> {
    match value {
        Value::String(s) => Ok(s),
        other => Err(Error::malformed(
            "JWK",
            "a string value for each registered member",
            format!("\"{name}\" is {}", json::json_type(&other)),
        )),
    }
}

fn string_array(name: &str, value: Value) -> Result<Vec<String>, Error> {
    let wrong = |found: &str| {
        Error::malformed(
            "JWK",
            "an array of strings for \"key_ops\" and \"x5c\"",
            format!("\"{name}\" is {found}"),
        )
    };
    match value {
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                other => Err(wrong(&format!(
                    "an array holding {}",
                    json::json_type(&other)
                ))),
            })
            .collect(),
        other => Err(wrong(json::json_type(&other))),
    }
}

/// An INTEGER view of decoded bytes (leading zeros are dropped).
fn uint<'a>(name: &str, bytes: &'a [u8]) -> Result<UintRef<'a>, Error> {
    UintRef::new(bytes).map_err(|_| {
        Error::invalid_key(
            format!("a JWK \"{name}\" of a usable size"),
            "a value too long",
        )
    })
}

/// Decodes a private member in constant time; a decoding error never shows the value.
fn secret(name: &str, value: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    b64::decode_secret("JWK private member", value).map_err(|_| {
        Error::malformed(
            "JWK private member",
            "unpadded base64url",
            format!("an invalid \"{name}\" (value not shown)"),
        )
    })
}

fn check_len(name: &str, len: usize, curve: EcCurve) -> Result<(), Error> {
    let expected = curve.coordinate_len();
    if len == expected {
        Ok(())
    } else {
        Err(Error::invalid_key(
            format!(
                "\"{name}\" of exactly {expected} bytes for {curve} (RFC 7518 section 6.2; \
                 Jwk::pad_ec_coordinates opts in to short values)"
            ),
            format!("{len} bytes"),
        ))
    }
}

/// Checks the length of an OKP member (32 bytes for Ed25519 and X25519, RFC 8037).
fn check_okp_len(name: &str, len: usize, curve: OkpCurve) -> Result<(), Error> {
    let expected = curve.key_len();
    if len == expected {
        Ok(())
    } else {
        Err(Error::invalid_key(
            format!("\"{name}\" of exactly {expected} bytes for {curve} (RFC 8037 section 2)"),
            format!("{len} bytes"),
        ))
    }
}

/// The public key of an OKP JWK, decoded and checked for length.
fn okp_public(curve: OkpCurve, x: &str) -> Result<Vec<u8>, Error> {
    let x = b64::decode("JWK \"x\"", x)?;
    check_okp_len("x", x.len(), curve)?;
    Ok(x)
}

/// `0x04 || x || y` from full-length base64url coordinates.
fn ec_point(curve: EcCurve, x: &str, y: &str) -> Result<Vec<u8>, Error> {
    let x = b64::decode("JWK \"x\"", x)?;
    let y = b64::decode("JWK \"y\"", y)?;
    check_len("x", x.len(), curve)?;
    check_len("y", y.len(), curve)?;
    let mut point = Vec::with_capacity(x.len().saturating_add(y.len()).saturating_add(1));
    point.push(0x04);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    Ok(point)
}

/// `(x, y)` of a normalized uncompressed point.
fn split_point(curve: EcCurve, point: &[u8]) -> Result<(&[u8], &[u8]), Error> {
    let len = curve.coordinate_len();
    point
        .split_first()
        .filter(|(tag, rest)| **tag == 0x04 && rest.len() == len.saturating_mul(2))
        .map(|(_, rest)| rest.split_at(len))
        .ok_or_else(|| Error::invalid_key("an uncompressed EC point", "another encoding"))
}

/// Maps private-key operations to their public counterparts (`sign` to `verify`, `decrypt` to
/// `encrypt`, `unwrapKey` to `wrapKey`), keeping the rest and dropping repeats.
pub(crate) fn public_key_ops(ops: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(ops.len());
    for op in ops {
        let public = match op.as_str() {
            "sign" => "verify",
            "decrypt" => "encrypt",
            "unwrapKey" => "wrapKey",
            other => other,
        };
        if !out.iter().any(|o| o == public) {
            out.push(public.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const EC_PUB: &str = r#"{"kty":"EC","kid":"bilbo.baggins@hobbiton.example","use":"sig","crv":"P-521",
        "x":"AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt",
        "y":"AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1"}"#;

    fn limits() -> Limits {
        Limits::default()
    }

    #[test]
    fn parses_and_round_trips_in_stable_order() {
        let text = r#"{"y":"AA","zz":[1,{"a":null}],"crv":"P-256","kty":"EC","x":"AQ","kid":"k1"}"#;
        let jwk = Jwk::from_json(text, &limits()).unwrap();
        assert_eq!(jwk.kty, "EC");
        assert_eq!(jwk.extra.len(), 1);
        assert_eq!(
            jwk.to_json(),
            r#"{"kty":"EC","kid":"k1","crv":"P-256","x":"AQ","y":"AA","zz":[1,{"a":null}]}"#
        );
        let again = Jwk::from_json(&jwk.to_json(), &limits()).unwrap();
        assert_eq!(again, jwk);
        assert_eq!(serde_json::from_str::<Jwk>(&jwk.to_json()).unwrap(), jwk);
    }

    #[test]
    fn duplicates_and_types_rejected() {
        let err = Jwk::from_json(r#"{"kty":"EC","kty":"RSA"}"#, &limits()).unwrap_err();
        assert_eq!(
            err,
            Error::DuplicateMember {
                name: "kty".into(),
                location: "JWK"
            }
        );
        assert!(matches!(
            Jwk::from_json(r#"{"kid":"x"}"#, &limits()),
            Err(Error::Malformed { .. })
        ));
        assert!(matches!(
            Jwk::from_json(r#"{"kty":1}"#, &limits()),
            Err(Error::Malformed { .. })
        ));
        assert!(matches!(
            Jwk::from_json(r#"{"kty":"EC","kid":null}"#, &limits()),
            Err(Error::Malformed { .. })
        ));
        assert!(matches!(
            Jwk::from_json(r#"{"kty":"EC","key_ops":"sign"}"#, &limits()),
            Err(Error::Malformed { .. })
        ));
        let dup_op =
            Jwk::from_json(r#"{"kty":"EC","key_ops":["sign","sign"]}"#, &limits()).unwrap_err();
        assert!(dup_op.to_string().contains("twice"), "{dup_op}");
        assert!(Jwk::from_json("[]", &limits()).is_err());
        let mut small = limits();
        small.max_key_len = 10;
        assert!(matches!(
            Jwk::from_json(EC_PUB, &small),
            Err(Error::LimitExceeded { .. })
        ));
    }

    #[test]
    fn debug_hides_key_material() {
        let mut jwk = Jwk::from_json(EC_PUB, &limits()).unwrap();
        jwk.d = Some("c2VjcmV0LXNjYWxhcg".into());
        jwk.extra.insert("k".into(), Value::from("c3ltbWV0cmlj"));
        let debug = format!("{jwk:?}");
        assert!(
            !debug.contains("c2VjcmV0") && !debug.contains("c3ltbWV0") && !debug.contains("AHKZ"),
            "{debug}"
        );
        assert!(debug.contains("private: true"), "{debug}");
    }

    #[test]
    fn unknown_kty_parses_but_does_not_convert() {
        let jwk = Jwk::from_json(r#"{"kty":"oct","k":"AAEC"}"#, &limits()).unwrap();
        assert!(matches!(
            jwk.to_public_der(),
            Err(Error::UnsupportedAlgorithm {
                kind: "key type",
                ..
            })
        ));
        assert!(matches!(
            jwk.kind(),
            Err(Error::UnsupportedAlgorithm {
                kind: "key type",
                ..
            })
        ));
        // RFC 7638 section 3.2: the required members of an oct key are "k" and "kty".
        assert_eq!(
            jwk.thumbprint_input().unwrap(),
            r#"{"k":"AAEC","kty":"oct"}"#
        );
        let mut without_k = jwk.clone();
        without_k.extra.remove("k");
        assert!(without_k.thumbprint_input().is_err());
        let other = Jwk::from_json(r#"{"kty":"OCT","k":"AAEC"}"#, &limits()).unwrap();
        assert!(other.thumbprint_input().is_err());
        assert!(!jwk.to_public().extra.contains_key("k"));
    }

    #[test]
    fn inconsistent_members_rejected() {
        let base = Jwk::from_json(EC_PUB, &limits()).unwrap();
        assert!(base.to_public_der().is_ok());
        let mut j = base.clone();
        j.n = Some("AQAB".into());
        assert!(matches!(j.to_public_der(), Err(Error::InvalidKey { .. })));
        let mut j = base.clone();
        j.use_ = Some("both".into());
        assert!(matches!(j.to_public_der(), Err(Error::InvalidKey { .. })));
        let mut j = base.clone();
        j.key_ops = Some(vec!["encrypt".into()]);
        assert!(matches!(j.to_public_der(), Err(Error::InvalidKey { .. })));
        let mut j = base.clone();
        j.alg = Some("ES256".into());
        assert!(matches!(j.to_public_der(), Err(Error::InvalidKey { .. })));
        let mut j = base.clone();
        j.crv = Some("secp256k1".into());
        assert!(matches!(
            j.to_public_der(),
            Err(Error::UnsupportedAlgorithm { kind: "curve", .. })
        ));
        let mut j = base.clone();
        j.kty = "RSA".into();
        assert!(matches!(j.to_public_der(), Err(Error::InvalidKey { .. })));
        assert!(matches!(
            base.to_private_der(),
            Err(Error::InvalidKey { .. })
        ));
    }

    #[test]
    fn short_coordinates_need_opt_in() {
        let mut jwk = Jwk::from_json(EC_PUB, &limits()).unwrap();
        // Drop the leading zero octet of x, as some issuers do.
        let x = b64::decode("x", jwk.x.as_deref().unwrap()).unwrap();
        assert_eq!(x[0], 0);
        let full = jwk.x.replace(b64::encode(&x[1..])).unwrap();
        let err = jwk.to_public_der().unwrap_err();
        assert!(err.to_string().contains("65 bytes"), "{err}");
        jwk.pad_ec_coordinates();
        assert_eq!(jwk.x.as_deref(), Some(full.as_str()));
        assert!(jwk.to_public_der().is_ok());
    }

    #[test]
    fn to_public_maps_key_ops() {
        let mut jwk = Jwk::from_json(EC_PUB, &limits()).unwrap();
        jwk.use_ = None;
        jwk.d = Some("AA".into());
        jwk.key_ops = Some(vec!["sign".into(), "verify".into()]);
        let public = jwk.to_public();
        assert!(!public.is_private());
        assert_eq!(public.key_ops, Some(vec!["verify".to_owned()]));
        assert_eq!(public.x, jwk.x);
    }

    #[test]
    fn secret_decoding_errors_do_not_show_values() {
        let mut jwk = Jwk::from_json(EC_PUB, &limits()).unwrap();
        jwk.d = Some("secret+value/with=bad*chars".into());
        let err = jwk.to_private_der().unwrap_err().to_string();
        assert!(!err.contains("secret"), "{err}");
    }

    #[test]
    fn jwks_lookup() {
        let text = r#"{"keys":[{"kty":"EC","kid":"a"},{"kty":"oct","kid":"b","k":"AA"},{"kty":"RSA","kid":"b"}],"x":1}"#;
        let set = Jwks::from_json(text, &limits()).unwrap();
        assert_eq!(set.len(), 3);
        assert_eq!(set.get_unique("a").unwrap().kty, "EC");
        assert!(matches!(set.get_unique("c"), Err(Error::NoMatchingKey(_))));
        let amb = set.get_unique("b").unwrap_err();
        assert!(amb.to_string().contains("ambiguous"), "{amb}");
        assert_eq!(set.find("b").count(), 2);
        assert_eq!(set.to_json(), text);
        assert!(matches!(
            Jwks::from_json(r#"{"keys":[{"kty":"EC","x":"a","x":"b"}]}"#, &limits()),
            Err(Error::DuplicateMember {
                location: "JWKS",
                ..
            })
        ));
        assert!(Jwks::from_json(r#"{"keys":{}}"#, &limits()).is_err());
        assert!(Jwks::from_json(r#"{"keys":[1]}"#, &limits()).is_err());
        let mut few = limits();
        few.max_jwks_keys = 2;
        assert!(matches!(
            Jwks::from_json(text, &few),
            Err(Error::LimitExceeded { .. })
        ));
        assert_eq!(serde_json::from_str::<Jwks>(text).unwrap(), set);
    }
}

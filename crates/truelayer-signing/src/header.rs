//! Reading a `Tl-Signature`: its form, its JOSE header, its signature length.

use crate::error::Error;
use crate::request::shorten;
use jose::jws::Jws;
use jose::{Header, Limits};

/// The length of a raw ES512 signature (r || s, 66 bytes each).
pub const ES512_SIGNATURE_LEN: usize = 132;

/// The JOSE header of a `Tl-Signature`, decoded but not verified.
///
/// Read it with [`extract_header`] to choose a key (`kid`) or, for a webhook, the JWKS URL
/// (`jku`) before verifying.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TlHeader {
    /// `alg` (TrueLayer signs with `"ES512"` only; verification refuses anything else).
    pub alg: String,
    /// `kid`: the signing key's id.
    pub kid: String,
    /// `tl_version`: `"2"` for full-request signatures; absent in the legacy v1 form.
    pub tl_version: Option<String>,
    /// `tl_headers`: the signed header names, comma-separated, in signing order.
    pub tl_headers: Option<String>,
    /// `jku`: the JWKS URL (webhooks).
    pub jku: Option<String>,
    /// The whole header, members in order.
    pub header: Header,
}

impl TlHeader {
    fn from_header(header: &Header) -> Result<Self, Error> {
        let string = |name: &'static str| -> Result<Option<String>, Error> {
            header
                .get_str(name)
                .map(|v| v.map(str::to_owned))
                .map_err(|e| {
                    Error::malformed_by(
                        format!("a string \"{name}\" in the JOSE header"),
                        "another JSON type",
                        e,
                    )
                })
        };
        let alg = string("alg")?
            .ok_or_else(|| Error::malformed("an \"alg\" in the JOSE header", "none"))?;
        let kid = string("kid")?
            .ok_or_else(|| Error::malformed("a \"kid\" in the JOSE header", "none"))?;
        Ok(TlHeader {
            alg,
            kid,
            tl_version: string("tl_version")?,
            tl_headers: string("tl_headers")?,
            jku: string("jku")?,
            header: header.clone(),
        })
    }
}

/// A `Tl-Signature` that has the right form.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub(crate) jws: Jws,
    pub(crate) header: TlHeader,
}

/// Parses a `Tl-Signature` value through jose-core: it must be `header..signature` (a detached
/// compact JWS; an attached payload is refused) and the header a JSON object with string `alg`
/// and `kid`. (The signature's length is checked by [`Parsed::check_signature_len`].)
pub(crate) fn parse(tl_signature: &str, limits: &Limits) -> Result<Parsed, Error> {
    let parts: Vec<&str> = tl_signature.split('.').collect();
    match parts.as_slice() {
        [_, "", _] => {}
        [_, _, _] => {
            return Err(Error::malformed(
                "a detached JWS (header..signature)",
                "an attached payload (header.payload.signature)",
            ));
        }
        other => {
            return Err(Error::malformed(
                "a detached JWS of three dot-separated parts (header..signature)",
                format!("{} part(s) in {:?}", other.len(), shorten(tl_signature)),
            ));
        }
    }
    let jws = Jws::from_compact(tl_signature, limits).map_err(Error::from_parsing)?;
    let [signature] = jws.signatures() else {
        return Err(Error::malformed(
            "one signature",
            format!("{}", jws.signatures().len()),
        ));
    };
    let header = TlHeader::from_header(signature.protected_header())?;
    Ok(Parsed { jws, header })
}

impl Parsed {
    /// Checks that the signature is exactly 132 bytes (raw r || s for ES512).
    pub(crate) fn check_signature_len(&self) -> Result<(), Error> {
        let len = self
            .jws
            .signatures()
            .first()
            .map_or(0, |s| s.signature().len());
        if len == ES512_SIGNATURE_LEN {
            Ok(())
        } else {
            Err(Error::malformed(
                format!("a {ES512_SIGNATURE_LEN}-byte ES512 signature"),
                format!("{len} bytes"),
            ))
        }
    }
}

/// Decodes the JOSE header of a `Tl-Signature` without verifying anything but its form
/// (`header..signature`, base64url, a JSON object with string `alg` and `kid`); see
/// [`crate::Verifier`] for what verification checks.
///
/// ```
/// let sig = "eyJhbGciOiJFUzUxMiIsImtpZCI6IjQ1ZmM3NWNmLTU2NDktNDEzNC04NGIzLTE5MmMyYzc4ZTk5MCIsInRsX3ZlcnNpb24iOiIyIiwidGxfaGVhZGVycyI6IklkZW1wb3RlbmN5LUtleSJ9..AEXUHJ9eXGRYyXjjXkAyp4vALl7vMB6D78-frHcH2eV641SU9Q8LMqm77jDYUxuJYP_1Rg0l8-dLRVtWNDTFY_JYABXE6MEv3qSbyXnKrYMKIeDzG86lj9VLZXKRfWjNeBpGN983kW69Dc71yNapGTPMbB49Rue5bLIAjm6LLwDP00D_";
/// let header = jose_truelayer_signing::extract_header(sig)?;
/// assert_eq!(header.kid, "45fc75cf-5649-4134-84b3-192c2c78e990");
/// assert_eq!(header.tl_headers.as_deref(), Some("Idempotency-Key"));
/// # Ok::<(), jose_truelayer_signing::Error>(())
/// ```
pub fn extract_header(tl_signature: &str) -> Result<TlHeader, Error> {
    Ok(parse(tl_signature, &Limits::default())?.header)
}

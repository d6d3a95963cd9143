//! Wycheproof's JOSE-level vectors (tests/vectors/wycheproof-jose, copied from C2SP/wycheproof; see
//! SOURCE.txt and LICENSE there): hostile JWS and JWE tokens and keys with expected verdicts, run on
//! both providers.
//!
//! Procedure for each case, as an application (or the CLI) would do it:
//!
//! 1. Parse the key material with jose-core: a JWK (`Jwk::from_json`) or a JWK set
//!    (`Jwks::from_json`). A verifier uses the group's `public` key when there is one, else the public
//!    half of `private`; a decrypter uses `private`. A verifier is configured with its key before any
//!    token arrives, so a single key's `alg` is parsed first.
//! 2. Parse the token in the form the vector gives: a string is the compact serialization
//!    (`Jws::from_compact` / `Jwe::from_compact`; the schemas define the string form as compact, so a
//!    JSON text inside the string is a rejection), a JSON object (json_web_crypto_test.json only) is
//!    the JSON serialization (`Jws::from_json` / `Jwe::from_json`).
//! 3. From a JWK set, pick the key by the token's `kid` with `Jwks::get_unique` (no kid, an unknown
//!    kid or a kid held by two keys is a rejection).
//! 4. Bind the key to one algorithm: the key's `alg` when it has one; otherwise the token header's,
//!    but only after checking that it fits the key. `VerifyingKey::new` / `DecryptingKey::new` then
//!    check fit, `use`, `key_ops` and `alg`.
//! 5. Verify (`Jws::verify`) or decrypt (`Jwe::decrypt` with the three GCM encs as the allow-list).
//!
//! Verdicts: a valid case must succeed (a JWE must decrypt to `pt` when the vector gives it), or,
//! when it uses an algorithm we do not implement, fail with `Error::UnsupportedAlgorithm` naming an
//! algorithm, key type or curve that appears in the case (these are counted and printed). An invalid
//! case must fail; those that fail only with `UnsupportedAlgorithm` are counted and printed too, as
//! they do not exercise much. All failures of all files and both providers are collected and
//! reported by one assertion. `WYCHEPROOF_VERBOSE=1` prints every case's outcome.
//!
//! Decisions on cases where Wycheproof's verdict and our rules meet oddly:
//! - json_web_signature_test.json tcId 346 and 350 (RFC 7520 figure 20): the key says
//!   `"alg":"PS256"`, the token is PS384. We bind a key to its own `alg` and only compare the header
//!   with it, so these are `AlgorithmNotAllowed`; they are listed in [`OVERRIDES`], which asserts
//!   exactly that outcome and prints it.
//! - tcId 347 and 351 (RFC 7520 figure 27): the key says `"alg":"ES521"`, which is not a registered
//!   name (ES512 is); binding refuses it with `UnsupportedAlgorithm`, so they count as unsupported.
//! - json_web_encryption_test.json tcId 132 (RFC 7520 `dir`): the key's `alg` is `"A128GCM"`, an
//!   `enc` name; a `dir` key may name its content encryption this way (RFC 7520 section 5.6 does),
//!   so it binds to `dir` for A128GCM only, and the case decrypts.
//! - Shared secrets (`kty` `oct`) are `SecretKey`s, bound with `VerifyingKey::symmetric` /
//!   `DecryptingKey::symmetric`.
//! - Compressed content is allowed here up to 1 MiB (`DecryptOptions::allow_zip`); the library
//!   refuses it by default.
//! - [`ACCEPTED_BY_DESIGN`]: cases Wycheproof calls invalid that are correct tokens (two
//!   "padding" cases that ship without padding, and a valid JWS JSON serialization, RFC 7515
//!   section 7.2, whose unknown unprotected member is not critical): asserted accepted.

// clippy.toml allows unwrap/expect/panic/indexing inside #[test] functions only; the helpers of this
// test file may fail loudly as well.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use jose_core::jwe::{DecryptOptions, Jwe};
use jose_core::jwk::{Jwk, Jwks};
use jose_core::jws::Jws;
use jose_core::{
    ContentEncryption, CryptoProvider, DecryptingKey, Error, JwsAlgorithm, KeyManagementAlgorithm,
    Limits, PrivateKey, PublicKey, SecretKey, VerifyingKey, b64,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

const FILES: [&str; 4] = [
    "json_web_signature_test.json",
    "json_web_encryption_test.json",
    "json_web_key_test.json",
    "json_web_crypto_test.json",
];

/// Both providers, aws-lc first.
fn providers() -> [&'static dyn CryptoProvider; 2] {
    [
        jose_crypto_awslc::provider(),
        jose_crypto_rustcrypto::provider(),
    ]
}

fn load(file: &str) -> Value {
    let path = format!(
        "{}/tests/vectors/wycheproof-jose/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

/// Cases where Wycheproof's verdict conflicts with a documented rule of ours. For these the test
/// asserts our exact outcome instead of Wycheproof's, and fails if that outcome changes (so a stale
/// entry cannot hide anything). Each is printed with its reason on every run.
struct Override {
    file: &'static str,
    tc_id: u64,
    reason: &'static str,
    expected: fn(&Error) -> bool,
}

/// Cases Wycheproof calls invalid that we accept, each for a documented reason; the test asserts
/// they are accepted (a change of outcome fails it) and prints the reason.
const ACCEPTED_BY_DESIGN: &[(&str, u64, &str)] = &[
    (
        "json_web_signature_test.json",
        367,
        "\"invalidBase64Padding\": the token as shipped has no padding character (it is the same \
         token as tcId 370) and its HS256 tag is correct for the group's key, so it verifies",
    ),
    (
        "json_web_signature_test.json",
        370,
        "\"invalidBase64PaddingInPayload\": the same token as tcId 367, correct as shipped",
    ),
    (
        "json_web_key_test.json",
        1,
        "\"MixedKeySet\", \"Ambiguous\": a set of the verifier's own private keys, one HS256 \
         secret and one EC key; the token's kid picks the secret and its tag is correct. A set \
         mixing secrets with public keys is dangerous when it is published (the secret is then \
         public): refusing secrets in a fetched JWKS is the remote-JWKS layer's rule, not the \
         parser's (a local key file may hold both)",
    ),
    (
        "json_web_crypto_test.json",
        47,
        "the same mixed set and token as json_web_key_test.json tcId 1",
    ),
    (
        "json_web_crypto_test.json",
        66,
        "\"rejectsValidJsonSerialization\" (JWE): jose-core implements the JWE JSON \
         serialization (RFC 7516 section 7.2) and the token decrypts with the group's key",
    ),
    (
        "json_web_crypto_test.json",
        17,
        "\"rejectsValidJsonSerialization\": jose-core implements the JWS JSON serialization \
         (RFC 7515 section 7.2); the unprotected member \"unknown\" is not critical, so RFC 7515 \
         says to ignore it, and the HS256 signature is correct",
    ),
];

fn is_algorithm_not_allowed(e: &Error) -> bool {
    matches!(e, Error::AlgorithmNotAllowed { .. })
}

fn is_malformed(e: &Error) -> bool {
    matches!(e, Error::Malformed { .. })
}

const OVERRIDES: &[Override] = &[
    Override {
        file: "json_web_signature_test.json",
        tc_id: 372,
        reason: "a '?' inside the protected header's base64url: Wycheproof calls it valid (decoders that \
                 skip foreign characters), jose-core decodes strictly (DESIGN.md), so it is Malformed; \
                 it showed once HS256 became a supported algorithm",
        expected: is_malformed,
    },
    Override {
        file: "json_web_signature_test.json",
        tc_id: 373,
        reason: "a '?' inside the payload's base64url: strict decoding makes it Malformed (as tcId 372)",
        expected: is_malformed,
    },
    Override {
        file: "json_web_signature_test.json",
        tc_id: 346,
        reason: "RFC 7520 figure 20: the key says \"alg\":\"PS256\" but the token is PS384; a key is bound to \
                 its own \"alg\" and the header is only compared with it (DESIGN.md), so this is \
                 AlgorithmNotAllowed, not valid",
        expected: is_algorithm_not_allowed,
    },
    Override {
        file: "json_web_signature_test.json",
        tc_id: 350,
        reason: "RFC 7520 figure 20 with key_ops: the key says \"alg\":\"PS256\" but the token is PS384 \
                 (as tcId 346)",
        expected: is_algorithm_not_allowed,
    },
];

/// A JWK or a JWK set, parsed by jose-core.
enum Keys {
    One(Box<Jwk>),
    Set(Jwks),
}

impl Keys {
    fn parse(value: &Value) -> Result<Keys, Error> {
        let text = value.to_string();
        let limits = Limits::default();
        if value.get("keys").is_some() {
            Ok(Keys::Set(Jwks::from_json(&text, &limits)?))
        } else {
            Ok(Keys::One(Box::new(Jwk::from_json(&text, &limits)?)))
        }
    }

    /// The key for a token with this `kid`.
    fn select(&self, kid: Option<&str>) -> Result<&Jwk, Error> {
        match (self, kid) {
            (Keys::One(jwk), _) => Ok(jwk),
            (Keys::Set(set), Some(kid)) => set.get_unique(kid),
            (Keys::Set(_), None) => Err(Error::NoMatchingKey(
                "the token has no \"kid\" to choose a key from the JWK set".into(),
            )),
        }
    }
}

fn jws_alg_of(jwk: &Jwk) -> Result<Option<JwsAlgorithm>, Error> {
    jwk.alg.as_deref().map(JwsAlgorithm::from_name).transpose()
}

fn jwe_alg_of(jwk: &Jwk) -> Result<Option<KeyManagementAlgorithm>, Error> {
    // A `dir` key may name its content encryption as its `alg` (RFC 7520 section 5.6).
    if jwk.kty == "oct"
        && jwk
            .alg
            .as_deref()
            .is_some_and(|alg| ContentEncryption::from_name(alg).is_ok())
    {
        return Ok(Some(KeyManagementAlgorithm::Dir));
    }
    jwk.alg
        .as_deref()
        .map(KeyManagementAlgorithm::from_name)
        .transpose()
}

/// The largest plaintext a compressed (`"zip":"DEF"`) case may inflate to.
const MAX_INFLATED: usize = 1024 * 1024;

/// The provider as the `&'static` a [`SecretKey`] keeps.
fn static_provider(provider: &dyn CryptoProvider) -> &'static dyn CryptoProvider {
    if provider.name() == jose_crypto_awslc::provider().name() {
        jose_crypto_awslc::provider()
    } else {
        jose_crypto_rustcrypto::provider()
    }
}

/// Parses a token given as a string (compact) or as a JSON object (JSON serialization).
fn parse_jws(token: &Value) -> Result<Jws, Error> {
    match token {
        Value::String(compact) => Jws::from_compact(compact, &Limits::default()),
        json => Jws::from_json(&json.to_string(), &Limits::default()),
    }
}

fn parse_jwe(token: &Value) -> Result<Jwe, Error> {
    match token {
        Value::String(compact) => Jwe::from_compact(compact, &Limits::default()),
        json => Jwe::from_json(&json.to_string(), &Limits::default()),
    }
}

/// Verifies a JWS with the group's key; returns the payload.
fn verify_jws(
    group: &Value,
    token: &Value,
    provider: &dyn CryptoProvider,
) -> Result<Vec<u8>, Error> {
    let key_json = group
        .get("public")
        .or_else(|| group.get("private"))
        .expect("a JWS group has a key");
    let keys = Keys::parse(key_json)?;
    if let Keys::One(jwk) = &keys {
        jws_alg_of(jwk)?;
    }
    let jws = parse_jws(token)?;
    // The (first) signature's protected and unprotected headers together.
    let header = jws
        .signatures()
        .first()
        .expect("a parsed JWS has a signature")
        .header();
    let jwk = keys.select(header.kid()?)?;
    let key_alg = jws_alg_of(jwk)?;
    if jwk.kty == "oct" {
        let secret = SecretKey::from_jwk(jwk, static_provider(provider))?;
        let alg =
            match key_alg {
                Some(alg) => alg,
                None => JwsAlgorithm::from_name(header.alg()?.ok_or_else(|| {
                    Error::InvalidHeader("the JWS header has no \"alg\"".into())
                })?)?,
            };
        let verifier = VerifyingKey::symmetric(secret, alg)?;
        return Ok(jws.verify(&[verifier])?.to_vec());
    }
    let public = PublicKey::from_jwk(jwk, provider)?;
    let alg = match key_alg {
        Some(alg) => alg,
        None => {
            let name = header
                .alg()?
                .ok_or_else(|| Error::InvalidHeader("the JWS header has no \"alg\"".into()))?;
            let alg = JwsAlgorithm::from_name(name)?;
            if !alg.fits(public.kind()) {
                return Err(Error::invalid_key(
                    format!("a key for {alg}"),
                    public.kind(),
                ));
            }
            alg
        }
    };
    let verifier = VerifyingKey::new(public, alg)?;
    Ok(jws.verify(&[verifier])?.to_vec())
}

/// Decrypts a JWE with the group's private key; returns the plaintext.
fn decrypt_jwe(
    group: &Value,
    token: &Value,
    provider: &dyn CryptoProvider,
) -> Result<Vec<u8>, Error> {
    let keys = Keys::parse(group.get("private").expect("a JWE group has a private key"))?;
    if let Keys::One(jwk) = &keys {
        jwe_alg_of(jwk)?;
    }
    let jwe = parse_jwe(token)?;
    // The (first) recipient's joint header: protected, shared unprotected and per-recipient.
    let header = jwe.joint_header(0)?;
    let jwk = keys.select(header.kid()?)?;
    let key_alg = jwe_alg_of(jwk)?;
    let options = DecryptOptions::default().allow_zip(MAX_INFLATED);
    if jwk.kty == "oct" {
        let secret = SecretKey::from_jwk(jwk, static_provider(provider))?;
        let alg =
            match key_alg {
                Some(alg) => alg,
                None => KeyManagementAlgorithm::from_name(header.alg()?.ok_or_else(|| {
                    Error::InvalidHeader("the JWE header has no \"alg\"".into())
                })?)?,
            };
        let decrypting = DecryptingKey::symmetric(secret, alg)?;
        let decrypted =
            jwe.decrypt_with(&[decrypting], ContentEncryption::ALL, &options, provider)?;
        return Ok(decrypted.plaintext.to_vec());
    }
    let private = PrivateKey::from_jwk(jwk, provider)?;
    let alg = match key_alg {
        Some(alg) => alg,
        None => {
            let name = header
                .alg()?
                .ok_or_else(|| Error::InvalidHeader("the JWE header has no \"alg\"".into()))?;
            let alg = KeyManagementAlgorithm::from_name(name)?;
            if !alg.fits(private.kind()) {
                return Err(Error::invalid_key(
                    format!("a key for {alg}"),
                    private.kind(),
                ));
            }
            alg
        }
    };
    let decrypting = DecryptingKey::new(private, alg)?;
    let decrypted = jwe.decrypt_with(&[decrypting], ContentEncryption::ALL, &options, provider)?;
    Ok(decrypted.plaintext.to_vec())
}

/// Every algorithm, key type and curve name a case mentions: the token header's `alg` and `enc`
/// (when the header decodes), the test's `enc`, and `alg`, `kty` and `crv` of every key of the group.
fn names_in_case(group: &Value, test: &Value, token: &Value) -> Vec<String> {
    let mut names = Vec::new();
    let mut add = |v: Option<&Value>| {
        if let Some(Value::String(s)) = v {
            names.push(s.clone());
        }
    };
    let decode = |b64url: &str| {
        b64::decode("header", b64url)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
    };
    // Compact: the first part. JSON: "protected" (JWE, flattened JWS) or each signature's, and the
    // unprotected headers.
    let mut headers: Vec<Value> = Vec::new();
    match token {
        Value::String(compact) => headers.extend(compact.split('.').next().and_then(decode)),
        json => {
            let sigs = json
                .get("signatures")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for h in std::iter::once(json).chain(sigs.iter()) {
                headers.extend(h.get("protected").and_then(Value::as_str).and_then(decode));
                headers.extend(
                    ["header", "unprotected"]
                        .iter()
                        .filter_map(|m| h.get(*m).cloned()),
                );
            }
        }
    }
    for h in &headers {
        add(h.get("alg"));
        add(h.get("enc"));
    }
    add(test.get("enc"));
    for role in ["private", "public"] {
        let Some(key) = group.get(role) else { continue };
        let keys: Vec<&Value> = match key.get("keys") {
            Some(Value::Array(ks)) => ks.iter().collect(),
            _ => vec![key],
        };
        for k in keys {
            add(k.get("alg"));
            add(k.get("kty"));
            add(k.get("crv"));
        }
    }
    names
}

/// The variant name of an error, for the histogram of rejection reasons.
fn variant(e: &Error) -> String {
    let debug = format!("{e:?}");
    debug
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn bump(map: &mut BTreeMap<String, usize>, key: impl Into<String>) {
    *map.entry(key.into()).or_default() += 1;
}

fn list(map: &BTreeMap<String, usize>) -> String {
    if map.is_empty() {
        return "none".into();
    }
    map.iter()
        .map(|(k, n)| format!("{k} x{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Counts for one (provider, file) pair.
#[derive(Default)]
struct Tally {
    valid_accepted: usize,
    invalid_rejected: usize,
    /// Valid cases refused with UnsupportedAlgorithm, by the name refused.
    valid_unsupported: BTreeMap<String, usize>,
    /// Invalid cases refused with UnsupportedAlgorithm only, by the name refused.
    invalid_unsupported: BTreeMap<String, usize>,
    /// Invalid cases by the error that rejected them.
    rejected_by: BTreeMap<String, usize>,
    overrides: Vec<String>,
}

#[test]
fn wycheproof_jose_vectors() {
    let mut report = String::new();
    let mut failures: Vec<String> = Vec::new();
    // Per provider, over all files: only the two unsupported-algorithm histograms are used.
    let mut totals: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut overrides_seen = 0;
    // WYCHEPROOF_VERBOSE=1 prints every case's outcome.
    let verbose = std::env::var_os("WYCHEPROOF_VERBOSE").is_some();
    for provider in providers() {
        for file in FILES {
            let doc = load(file);
            let groups = doc["testGroups"]
                .as_array()
                .expect("testGroups is an array");
            assert!(!groups.is_empty(), "{file} has no test groups");
            let mut t = Tally::default();
            for group in groups {
                let tests = group["tests"].as_array().expect("tests is an array");
                for test in tests {
                    let tc_id = test["tcId"].as_u64().expect("tcId");
                    let comment = test["comment"].as_str().unwrap_or_default();
                    let flags = &test["flags"];
                    let valid = match test["result"].as_str() {
                        Some("valid") => true,
                        Some("invalid") => false,
                        other => panic!("{file} tcId {tc_id}: unexpected result {other:?}"),
                    };
                    let describe = |what: &str| {
                        format!(
                            "[{}] {file} tcId {tc_id} (group {:?}, {comment:?}, flags {flags}): {what}",
                            provider.name(),
                            group["comment"].as_str().unwrap_or_default()
                        )
                    };
                    let (token, outcome) = if let Some(token) = test.get("jws") {
                        (token, verify_jws(group, token, provider))
                    } else if let Some(token) = test.get("jwe") {
                        let outcome = decrypt_jwe(group, token, provider);
                        // A decrypted JWE must give the vector's plaintext when the vector has one.
                        let outcome = match (outcome, test.get("pt").and_then(Value::as_str)) {
                            (Ok(pt), Some(expected)) if hex::encode(&pt) != expected => {
                                failures.push(describe(&format!(
                                    "decrypted to {} instead of {expected}",
                                    hex::encode(&pt)
                                )));
                                continue;
                            }
                            (outcome, _) => outcome,
                        };
                        (token, outcome)
                    } else {
                        panic!("{file} tcId {tc_id} has neither jws nor jwe");
                    };

                    if verbose {
                        let shown = match &outcome {
                            Ok(_) => "accepted".to_owned(),
                            Err(e) => format!("rejected: {e}"),
                        };
                        println!(
                            "{}",
                            describe(&format!("expected {}, {shown}", test["result"]))
                        );
                    }
                    if let Some((_, _, reason)) = ACCEPTED_BY_DESIGN
                        .iter()
                        .find(|(f, id, _)| *f == file && *id == tc_id)
                    {
                        overrides_seen += 1;
                        match &outcome {
                            Ok(_) => t
                                .overrides
                                .push(format!("tcId {tc_id}: accepted ({reason})")),
                            Err(e) => failures.push(describe(&format!(
                                "accepted-by-design case no longer accepted ({reason}): {e}"
                            ))),
                        }
                        continue;
                    }
                    if let Some(o) = OVERRIDES
                        .iter()
                        .find(|o| o.file == file && o.tc_id == tc_id)
                    {
                        overrides_seen += 1;
                        match &outcome {
                            Err(e) if (o.expected)(e) => t.overrides.push(format!("tcId {tc_id}: {e} ({})", o.reason)),
                            other => failures.push(describe(&format!(
                                "policy override no longer holds (expected the error of: {}), got {other:?}",
                                o.reason
                            ))),
                        }
                        continue;
                    }

                    match (valid, outcome) {
                        (true, Ok(_)) => t.valid_accepted += 1,
                        (true, Err(Error::UnsupportedAlgorithm { kind, found, .. })) => {
                            if names_in_case(group, test, token).contains(&found) {
                                bump(&mut t.valid_unsupported, found);
                            } else {
                                failures.push(describe(&format!(
                                    "valid case refused as unsupported {kind} {found:?}, a name the case does not use"
                                )));
                            }
                        }
                        (true, Err(e)) => {
                            failures.push(describe(&format!("valid case rejected: {e} ({e:?})")))
                        }
                        (false, Ok(_)) => failures.push(describe("invalid case accepted")),
                        (false, Err(e)) => {
                            t.invalid_rejected += 1;
                            bump(&mut t.rejected_by, variant(&e));
                            if let Error::UnsupportedAlgorithm { found, .. } = e {
                                bump(&mut t.invalid_unsupported, found);
                            }
                        }
                    }
                }
            }

            let unsupported: usize = t.valid_unsupported.values().sum();
            let invalid_unsupported: usize = t.invalid_unsupported.values().sum();
            let _ = writeln!(
                report,
                "{} {file}: {} valid accepted, {} invalid rejected, {unsupported} valid unsupported, {} policy overrides",
                provider.name(),
                t.valid_accepted,
                t.invalid_rejected,
                t.overrides.len()
            );
            let _ = writeln!(
                report,
                "    unsupported algorithm: {unsupported} cases ({})",
                list(&t.valid_unsupported)
            );
            let _ = writeln!(
                report,
                "    invalid cases rejected only because the algorithm is unsupported: {invalid_unsupported} ({})",
                list(&t.invalid_unsupported)
            );
            let _ = writeln!(
                report,
                "    invalid cases rejected by: {}",
                list(&t.rejected_by)
            );
            for o in &t.overrides {
                let _ = writeln!(report, "    policy override: {o}");
            }
            let total = totals.entry(provider.name()).or_default();
            for (k, n) in &t.valid_unsupported {
                *total.valid_unsupported.entry(k.clone()).or_default() += n;
            }
            for (k, n) in &t.invalid_unsupported {
                *total.invalid_unsupported.entry(k.clone()).or_default() += n;
            }
        }
    }
    for (provider, total) in &totals {
        let (valid, invalid) = (&total.valid_unsupported, &total.invalid_unsupported);
        let _ = writeln!(
            report,
            "{provider} all files: unsupported algorithm: {} cases ({})",
            valid.values().sum::<usize>(),
            list(valid)
        );
        let _ = writeln!(
            report,
            "{provider} all files: invalid cases rejected only because the algorithm is unsupported: {} ({})",
            invalid.values().sum::<usize>(),
            list(invalid)
        );
    }
    println!("== Wycheproof JOSE vectors\n{report}");
    assert_eq!(
        overrides_seen,
        (OVERRIDES.len() + ACCEPTED_BY_DESIGN.len()) * providers().len(),
        "every policy override must name an existing case"
    );
    assert!(
        failures.is_empty(),
        "{} Wycheproof JOSE failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

//! JWT interoperability with independent implementations, both directions: panva/jose
//! (Node.js) and Python's jwcrypto, for RS256, PS256, ES256, EdDSA (Ed25519) and HS256, and a
//! nested JWT (signed, then encrypted with RSA-OAEP-256 + A256GCM, `"cty": "JWT"`).
//!
//! - Theirs -> ours: `tests/vectors/interop-jwt/*.json`, made by
//!   `tests/interop/make_jwt_fixtures.mjs` (panva/jose's `SignJWT`) and `make_jwt_fixtures.py`
//!   (jwcrypto's `JWT`), with fixed times: each verifies with [`jwt::verify`] (or
//!   [`jwt::decrypt_verify`]) on both providers with a `ManualClock` at the file's `now`, a
//!   [`Validation`] naming the issuer, the audience and the `typ`, and its claims come out as
//!   the other library wrote them. A tampered copy (one payload character; one claim changed
//!   under the original signature; for the nested one, the ciphertext, and an inner JWS with a
//!   changed claim re-encrypted) is refused, and so are the wrong audience (naming `"aud"`) and
//!   a clock after `exp`.
//! - Ours -> theirs: tokens made here by [`jwt::sign`] and [`jwt::encrypt_signed`] on each
//!   provider, with their public JWKs, are handed as JSON on stdin to
//!   `tests/interop/verify_jwt_with_panva_jose.mjs` (`jwtVerify`) and `verify_jwt_with_jwcrypto.py`
//!   (`jwt.JWT` with `check_claims` iss, aud, exp, iat), which must accept every valid one with
//!   exactly our claims and refuse the tampered, wrong-audience and expired ones; a tampered token
//!   presented as valid must make each checker fail, so the check can fail. Missing python3,
//!   jwcrypto, node or panva/jose fails the test with the command to install it (`.ci/run`
//!   installs them).

// clippy.toml allows unwrap/expect/panic/indexing inside #[test] functions only; the helpers of this
// test file may fail loudly as well.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{jwk_of, jwk_value, providers, str_at, verifier};
use jose_core::clock::{Clock, ManualClock, SystemClock};
use jose_core::jwt::{self, Audience, ClaimError, Claims, Validation};
use jose_core::{
    ContentEncryption, CryptoProvider, DecryptingKey, EcCurve, EncryptingKey, Error, Header,
    JweBuilder, Jwk, JwsAlgorithm, KeyManagementAlgorithm, KeySpec, Limits, OkpCurve, PrivateKey,
    PublicKey, SecretKey, SigningKey, b64,
};
use serde_json::{Map, Value, json};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

/// The fixture files (theirs -> ours).
const FIXTURES: &[(&str, &str)] = &[
    (
        "panva-jose.json",
        include_str!("vectors/interop-jwt/panva-jose.json"),
    ),
    (
        "jwcrypto.json",
        include_str!("vectors/interop-jwt/jwcrypto.json"),
    ),
];

/// The peer releases the fixtures were made with (and `.ci/run` installs).
const JWCRYPTO_VERSION: &str = "1.5.9";
const PANVA_JOSE_VERSION: &str = "6.2.17";

/// The five signature algorithms of the exchange.
const ALGS: [JwsAlgorithm; 5] = [
    JwsAlgorithm::Rs256,
    JwsAlgorithm::Ps256,
    JwsAlgorithm::Es256,
    JwsAlgorithm::EdDsa,
    JwsAlgorithm::Hs256,
];

const OTHER_AUDIENCE: &str = "https://other.example";

fn limits() -> Limits {
    Limits::default()
}

/// Changes the character at `at` of a base64url string to its neighbour in the alphabet.
fn flip_b64_at(s: &str, at: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let c = s.as_bytes()[at];
    let index = ALPHABET.iter().position(|&a| a == c).unwrap();
    format!(
        "{}{}{}",
        &s[..at],
        ALPHABET[index ^ 1] as char,
        &s[at + 1..]
    )
}

/// A copy of the compact `token` with one character of part `part` changed (in the middle).
fn tamper_part(token: &str, part: usize) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let at = parts[part].len() / 2;
    parts[part] = flip_b64_at(&parts[part], at);
    parts.join(".")
}

/// A copy of the compact JWS `token` whose payload has claim `name` set to `value`, under the
/// original header and signature.
fn with_claim(token: &str, name: &str, value: Value) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&b64::decode("payload", parts[1]).unwrap()).unwrap();
    claims[name] = value;
    let payload = b64::encode(serde_json::to_string(&claims).unwrap().as_bytes());
    format!("{}.{payload}.{}", parts[0], parts[2])
}

fn at(now_s: i64) -> Arc<dyn Clock> {
    Arc::new(ManualClock::at_millis(u64::try_from(now_s).unwrap() * 1000))
}

/// The claims we expect to read from what the other side wrote: the same JSON, but a
/// fractional NumericDate is read to whole seconds on the strict side (`exp` down, `nbf` and
/// `iat` up), as `Claims` documents.
fn expected_claims(written: &Value) -> Map<String, Value> {
    let mut map = written.as_object().unwrap().clone();
    for (name, round) in [
        ("exp", f64::floor as fn(f64) -> f64),
        ("nbf", f64::ceil),
        ("iat", f64::ceil),
    ] {
        if let Some(v) = map.get_mut(name) {
            if v.as_i64().is_none() {
                *v = Value::from(round(v.as_f64().unwrap()) as i64);
            }
        }
    }
    map
}

/// One fixture on one provider. Returns whether its `exp` was fractional.
fn check_fixture(doc: &Value, case: &Value, p: &'static dyn CryptoProvider) -> bool {
    let name = str_at(case, "name");
    let what = format!("[{}] {name}", p.name());
    let alg = JwsAlgorithm::from_name(str_at(case, "alg")).unwrap();
    let key = verifier(&jwk_of(&doc["keys"], str_at(case, "kid")), alg, p).unwrap();
    let token = str_at(case, "token");
    let written = &case["claims"];
    let now = doc["now"].as_i64().unwrap();
    let issuer = str_at(doc, "issuer");
    let audience = str_at(case, "audience");
    let typ = case["typ"].as_str();
    let validation = |aud: &str, now: i64| {
        let v = Validation::new()
            .issuer(issuer)
            .audience(aud)
            .clock(at(now));
        // The short form: "application/at+jwt" in a header is the same type (RFC 7515 4.1.9).
        match typ {
            Some(t) => v.typ(t.strip_prefix("application/").unwrap_or(t)),
            None => v,
        }
    };
    let nested = case.get("nested").filter(|n| !n.is_null());
    // Verifies (or decrypts and verifies) `token` as the case says, with `aud` and the time `now`.
    let run = |token: &str, aud: &str, now: i64| match nested {
        None => jwt::verify(token, [&key], &validation(aud, now)),
        Some(n) => {
            let km = KeyManagementAlgorithm::from_name(str_at(n, "alg")).unwrap();
            let enc = ContentEncryption::from_name(str_at(n, "enc")).unwrap();
            let jwk = jwk_of(&doc["keys"], str_at(n, "kid"));
            let dk = DecryptingKey::new(PrivateKey::from_jwk(&jwk, p).unwrap(), km).unwrap();
            jwt::decrypt_verify(token, [&dk], &[enc], [&key], &validation(aud, now), p)
        }
    };

    let verified = run(token, audience, now).unwrap_or_else(|e| panic!("{what}: {e} ({e:?})"));
    assert_eq!(verified.alg, alg, "{what}");
    assert_eq!(verified.header.typ().unwrap(), typ, "{what}: typ");
    assert_eq!(
        verified.claims.to_map(),
        expected_claims(written),
        "{what}: claims"
    );
    // The aud form the other side wrote is kept.
    match (&verified.claims.aud, &written["aud"]) {
        (Some(Audience::One(a)), Value::String(w)) => assert_eq!(a, w, "{what}"),
        (Some(Audience::Many(a)), Value::Array(w)) => {
            assert_eq!(a.len(), w.len(), "{what}");
        }
        (got, w) => panic!("{what}: aud {got:?}, written {w}"),
    }
    assert_eq!(
        verified.claims.iss.as_deref(),
        Some(str_at(written, "iss")),
        "{what}"
    );
    assert_eq!(
        verified.claims.sub.as_deref(),
        Some(str_at(written, "sub")),
        "{what}"
    );
    if let Some(n) = nested {
        let eh = verified.encryption_header.as_ref().unwrap();
        assert_eq!(eh.cty().unwrap(), Some("JWT"), "{what}");
        assert_eq!(eh.alg().unwrap(), Some(str_at(n, "alg")), "{what}");
    } else {
        assert!(verified.encryption_header.is_none(), "{what}");
        // The payload is exactly what the library was asked to write.
        let payload: Value = serde_json::from_slice(
            &b64::decode("payload", token.split('.').nth(1).unwrap()).unwrap(),
        )
        .unwrap();
        assert_eq!(&payload, written, "{what}: payload");
    }

    // The wrong audience, naming "aud".
    let e = run(token, OTHER_AUDIENCE, now).unwrap_err();
    assert!(
        matches!(e.claim_error(), Some(c @ ClaimError::Mismatch { .. }) if c.claim() == "aud"),
        "{what}: wrong audience: {e:?}"
    );
    assert!(e.to_string().contains("\"aud\""), "{what}: {e}");
    // After exp (+ the 60 s leeway): refused, naming "exp".
    let exp = verified.claims.exp.unwrap();
    let e = run(token, audience, exp + 61).unwrap_err();
    assert!(
        matches!(e.claim_error(), Some(ClaimError::Expired { .. })),
        "{what}: after exp: {e:?}"
    );
    assert!(e.to_string().contains("\"exp\""), "{what}: {e}");
    // Before nbf (- the leeway).
    let nbf = verified.claims.nbf.unwrap();
    let e = run(token, audience, nbf - 61).unwrap_err();
    assert!(
        matches!(e.claim_error(), Some(ClaimError::NotYetValid { .. })),
        "{what}: before nbf: {e:?}"
    );

    match nested {
        None => {
            // One payload character changed.
            let bad = tamper_part(token, 1);
            assert_eq!(
                run(&bad, audience, now).unwrap_err(),
                Error::BadSignature,
                "{what}: one payload character changed"
            );
            // A claim changed under the original signature.
            for (claim, value) in [
                ("sub", json!("admin")),
                ("exp", json!(253_402_300_799_i64)),
                ("aud", json!(OTHER_AUDIENCE)),
            ] {
                let bad = with_claim(token, claim, value);
                assert_eq!(
                    run(&bad, audience, now).unwrap_err(),
                    Error::BadSignature,
                    "{what}: {claim} changed under the original signature"
                );
            }
        }
        Some(n) => {
            // The JWE's ciphertext and tag.
            for part in [3, 4] {
                let bad = tamper_part(token, part);
                assert_eq!(
                    run(&bad, audience, now).unwrap_err(),
                    Error::DecryptionFailed,
                    "{what}: JWE part {part} changed"
                );
            }
            // The inner JWS with a claim changed under its signature, encrypted afresh to the
            // same key: the encryption is sound, the signature is not.
            let km = KeyManagementAlgorithm::from_name(str_at(n, "alg")).unwrap();
            let enc = ContentEncryption::from_name(str_at(n, "enc")).unwrap();
            let jwk = jwk_of(&doc["keys"], str_at(n, "kid"));
            let dk = DecryptingKey::new(PrivateKey::from_jwk(&jwk, p).unwrap(), km).unwrap();
            let jwe = jose_core::Jwe::parse(token, &limits()).unwrap();
            let inner = jwe.decrypt([&dk], &[enc], p).unwrap();
            let inner = std::str::from_utf8(&inner.plaintext).unwrap().to_owned();
            let ek =
                EncryptingKey::new(PublicKey::from_jwk(&jwk.to_public(), p).unwrap(), km).unwrap();
            let mut header = Header::new();
            header.set("cty", "JWT");
            for (claim, value) in [("sub", json!("admin")), ("aud", json!(OTHER_AUDIENCE))] {
                let bad = JweBuilder::new(enc)
                    .protected(header.clone())
                    .recipient(&ek)
                    .encrypt(with_claim(&inner, claim, value).as_bytes(), p)
                    .unwrap()
                    .to_compact()
                    .unwrap();
                assert_eq!(
                    run(&bad, audience, now).unwrap_err(),
                    Error::BadSignature,
                    "{what}: inner {claim} changed, re-encrypted"
                );
            }
        }
    }
    written["exp"].as_i64().is_none()
}

#[test]
fn jwts_from_panva_jose_and_jwcrypto_verify_on_both_providers() {
    for p in providers() {
        let mut count = 0;
        let mut nested = 0;
        let mut fractional = 0;
        let mut algs = std::collections::BTreeSet::new();
        for (file, text) in FIXTURES {
            let doc: Value = serde_json::from_str(text).unwrap();
            let generator = &doc["generator"];
            match str_at(generator, "library") {
                "jwcrypto" => assert_eq!(str_at(generator, "jwcrypto"), JWCRYPTO_VERSION),
                "panva/jose" => assert_eq!(str_at(generator, "jose"), PANVA_JOSE_VERSION),
                other => panic!("{file}: library {other}"),
            }
            for case in doc["cases"].as_array().unwrap() {
                if check_fixture(&doc, case, p) {
                    fractional += 1;
                }
                count += 1;
                nested += usize::from(case.get("nested").is_some_and(|n| !n.is_null()));
                algs.insert(str_at(case, "alg").to_owned());
            }
        }
        println!(
            "theirs -> ours on {}: {count} JWTs verified ({nested} nested, {fractional} with fractional NumericDates), each refused tampered, with the wrong aud, after exp and before nbf",
            p.name()
        );
        assert_eq!((count, nested, fractional), (13, 2, 1), "[{}]", p.name());
        let names: Vec<&str> = ALGS.iter().map(|a| a.name()).collect();
        assert_eq!(
            algs.iter().map(String::as_str).collect::<Vec<_>>(),
            {
                let mut n = names.clone();
                n.sort_unstable();
                n
            },
            "every algorithm has a fixture"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Ours -> theirs
// ---------------------------------------------------------------------------------------------

const OUR_ISSUER: &str = "https://as.jose-core.example";
const OUR_AUDIENCE: &str = "https://api.example.com";

/// What the checkers read on stdin.
#[derive(Default)]
struct Cases {
    keys: Map<String, Value>,
    cases: Vec<Value>,
}

impl Cases {
    fn add_key(&mut self, kid: &str, mut jwk: Value) {
        jwk["kid"] = Value::String(kid.to_owned());
        assert!(self.keys.insert(kid.to_owned(), jwk).is_none(), "kid {kid}");
    }

    fn json(&self) -> String {
        json!({"keys": self.keys, "cases": self.cases}).to_string()
    }
}

/// A signing key for `alg` on `p` and the JWK the other side verifies with (public, or the
/// secret for HS256). RSA keys come from `rsa` (made once, on aws-lc).
fn signer(
    alg: JwsAlgorithm,
    kid: &str,
    p: &'static dyn CryptoProvider,
    rsa: &Jwk,
) -> (SigningKey, Value) {
    if alg == JwsAlgorithm::Hs256 {
        let secret = SecretKey::generate(256, p).unwrap().with_kid(kid);
        let jwk = jwk_value(&secret.to_jwk());
        return (SigningKey::symmetric(secret, alg).unwrap(), jwk);
    }
    let key = match alg {
        JwsAlgorithm::Es256 => PrivateKey::generate(KeySpec::Ec(EcCurve::P256), p),
        JwsAlgorithm::EdDsa => PrivateKey::generate(KeySpec::Okp(OkpCurve::Ed25519), p),
        _ => PrivateKey::from_jwk(rsa, p),
    }
    .unwrap()
    .with_kid(kid);
    let jwk = jwk_value(&key.public_key().to_jwk().unwrap());
    (SigningKey::new(key, alg).unwrap(), jwk)
}

/// Our claims for a case: issued now, valid for 10 minutes (or expired an hour ago).
fn our_claims(name: &str, i: usize, now: i64, expired: bool, p: &dyn CryptoProvider) -> Claims {
    let claims = Claims::new()
        .issuer(OUR_ISSUER)
        .subject(format!("user {name}"));
    // The audience as a string and as an array, in turn.
    let claims = if i.is_multiple_of(2) {
        claims.audience(OUR_AUDIENCE)
    } else {
        claims.audiences(["https://a.example", OUR_AUDIENCE])
    };
    let (iat, exp) = if expired {
        (now - 7200, now - 3600)
    } else {
        (now, now + 600)
    };
    claims
        .issued_at(iat)
        .not_before(iat)
        .expires_at(exp)
        .random_jwt_id(p)
        .unwrap()
        .claim("scope", "payments accounts")
        .unwrap()
        .claim("name", "Grüße ✓")
        .unwrap()
        .claim("nested", json!({"a": 1, "b": [true, null], "amount": 12.5}))
        .unwrap()
}

fn case(
    name: &str,
    alg: JwsAlgorithm,
    kid: &str,
    typ: Option<&str>,
    audience: &str,
    claims: &Claims,
    token: &str,
) -> Value {
    json!({
        "name": name, "alg": alg.name(), "kid": kid, "typ": typ, "issuer": OUR_ISSUER,
        "audience": audience, "claims": claims.to_map(), "token": token, "expect": "valid",
    })
}

fn refused(mut case: Value, name: String, because: &str, refused_with: &[&str]) -> Value {
    case["name"] = Value::String(name);
    case["expect"] = json!("refused");
    case["because"] = json!(because);
    case["refused_with"] = json!(refused_with);
    case
}

/// How each checker words a refusal (panva/jose's error code or jwcrypto's exception type).
const BAD_SIGNATURE: &[&str] = &[
    "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    "InvalidJWSSignature",
];
const BAD_DECRYPTION: &[&str] = &["ERR_JWE_DECRYPTION_FAILED", "InvalidJWEData"];
const WRONG_AUD: &[&str] = &["unexpected \"aud\" claim value", "Invalid 'aud' value"];
const EXPIRED: &[&str] = &["ERR_JWT_EXPIRED", "JWTExpired"];

/// Every case made on every provider: the five algorithms (typ `at+jwt` on every other one),
/// one nested JWT, and the copies each peer must refuse.
fn our_cases() -> (Cases, usize) {
    let aws = providers()[0];
    let rsa = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, aws)
        .unwrap()
        .to_jwk()
        .unwrap();
    let rsa_enc = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, aws)
        .unwrap()
        .to_jwk()
        .unwrap();
    let now = SystemClock.now_seconds();
    let mut out = Cases::default();
    let mut valid = 0;
    for p in providers() {
        for (i, alg) in ALGS.into_iter().enumerate() {
            let kid = format!("ours-{}-{}", p.name(), alg.name().to_lowercase());
            let (signing, jwk) = signer(alg, &kid, p, &rsa);
            out.add_key(&kid, jwk);
            let typ = i.is_multiple_of(2).then_some("at+jwt");
            let header = typ.map_or_else(Header::new, Header::with_typ);
            let name = format!("ours {} {alg}", p.name());
            let claims = our_claims(&name, i, now, false, p);
            let token = jwt::sign(&claims, &signing, header.clone()).unwrap();
            // Our own side accepts it first.
            let mut validation = Validation::new().issuer(OUR_ISSUER).audience(OUR_AUDIENCE);
            if let Some(t) = typ {
                validation = validation.typ(t);
            }
            jwt::verify(&token, [&signing.verifying_key()], &validation).unwrap();
            let good = case(&name, alg, &kid, typ, OUR_AUDIENCE, &claims, &token);
            out.cases.push(good.clone());
            valid += 1;
            let mut bad = good.clone();
            bad["token"] = json!(tamper_part(&token, 1));
            out.cases.push(refused(
                bad,
                format!("{name} one payload character changed"),
                "tampered payload",
                BAD_SIGNATURE,
            ));
            let mut bad = good.clone();
            bad["token"] = json!(with_claim(&token, "sub", json!("admin")));
            out.cases.push(refused(
                bad,
                format!("{name} sub changed under the signature"),
                "claim changed under the original signature",
                BAD_SIGNATURE,
            ));
            let mut bad = good.clone();
            bad["audience"] = json!(OTHER_AUDIENCE);
            out.cases.push(refused(
                bad,
                format!("{name} wrong audience"),
                "the verifier names another audience",
                WRONG_AUD,
            ));
            let claims = our_claims(&name, i, now, true, p);
            let token = jwt::sign(&claims, &signing, header).unwrap();
            let expired = case(&name, alg, &kid, typ, OUR_AUDIENCE, &claims, &token);
            out.cases.push(refused(
                expired,
                format!("{name} expired an hour ago"),
                "exp is past",
                EXPIRED,
            ));
        }
        // Nested: ES256 (typ at+jwt) inside RSA-OAEP-256 + A256GCM.
        let kid = format!("ours-{}-nested-es256", p.name());
        let (signing, jwk) = signer(JwsAlgorithm::Es256, &kid, p, &rsa);
        out.add_key(&kid, jwk);
        let enc_kid = format!("ours-{}-nested-rsa-oaep-256", p.name());
        let dk = PrivateKey::from_jwk(&rsa_enc, p)
            .unwrap()
            .with_kid(&enc_kid);
        out.add_key(&enc_kid, jwk_value(&dk.to_jwk().unwrap()));
        let ek = EncryptingKey::new(dk.public_key(), KeyManagementAlgorithm::RsaOaep256).unwrap();
        let name = format!("ours {} nested ES256 in RSA-OAEP-256 A256GCM", p.name());
        let claims = our_claims(&name, 0, now, false, p);
        let token = jwt::encrypt_signed(
            &claims,
            &signing,
            Header::with_typ("at+jwt"),
            &ek,
            ContentEncryption::A256Gcm,
            p,
        )
        .unwrap();
        let mut good = case(
            &name,
            JwsAlgorithm::Es256,
            &kid,
            Some("at+jwt"),
            OUR_AUDIENCE,
            &claims,
            &token,
        );
        good["nested"] = json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": enc_kid});
        out.cases.push(good.clone());
        valid += 1;
        let mut bad = good.clone();
        bad["token"] = json!(tamper_part(&token, 3));
        out.cases.push(refused(
            bad,
            format!("{name} ciphertext changed"),
            "tampered ciphertext",
            BAD_DECRYPTION,
        ));
        let mut bad = good;
        bad["audience"] = json!(OTHER_AUDIENCE);
        out.cases.push(refused(
            bad,
            format!("{name} wrong audience"),
            "the verifier names another audience",
            WRONG_AUD,
        ));
    }
    (out, valid)
}

/// Runs a checker with `input` on stdin; panics with the way to install it when its runtime or
/// library is missing. Returns (exit success, stdout).
fn run_checker(
    program: &str,
    probe: &[&str],
    install: &str,
    script: &str,
    input: &str,
) -> (bool, String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let probed = Command::new(program)
        .args(probe)
        .current_dir(&root)
        .output();
    match probed {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!(
            "{program} {probe:?} failed ({}): {}\nthe interop test needs it; install it with:\n    {install}\n(.ci/run does this)",
            o.status,
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!(
            "cannot run {program}: {e}\nthe interop test needs it; install it with:\n    {install}\n(.ci/run does this)"
        ),
    }
    let mut child = Command::new(program)
        .arg(root.join(script))
        .current_dir(&root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program} {script}: {e}"));
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_owned();
    // Written from another thread, so that a checker filling its stdout pipe cannot block us.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

struct Checker {
    library: &'static str,
    program: &'static str,
    probe: &'static [&'static str],
    install: String,
    script: &'static str,
}

fn checkers() -> [Checker; 2] {
    [
        Checker {
            library: "panva/jose",
            program: "node",
            probe: &[
                "-e",
                "require.resolve('jose', {paths: ['crates/jose-core/tests/interop']})",
            ],
            install: "npm ci --prefix crates/jose-core/tests/interop".to_owned(),
            script: "crates/jose-core/tests/interop/verify_jwt_with_panva_jose.mjs",
        },
        Checker {
            library: "jwcrypto",
            program: "python3",
            probe: &["-c", "import jwcrypto.jwt"],
            install: format!("python3 -m pip install --user 'jwcrypto=={JWCRYPTO_VERSION}'"),
            script: "crates/jose-core/tests/interop/verify_jwt_with_jwcrypto.py",
        },
    ]
}

impl Checker {
    fn run(&self, input: &str) -> (bool, String, String) {
        run_checker(self.program, self.probe, &self.install, self.script, input)
    }
}

#[test]
fn jwts_from_both_providers_verify_with_panva_jose_and_jwcrypto() {
    let (cases, valid) = our_cases();
    let total = cases.cases.len();
    // Per provider: 5 algorithms x (1 valid + 4 refused), and the nested one (1 + 2).
    assert_eq!((valid, total), (12, 2 * (5 * 5 + 3)));
    let input = cases.json();
    for checker in checkers() {
        let (ok, stdout, stderr) = checker.run(&input);
        let failures: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL")).collect();
        assert!(
            ok && failures.is_empty(),
            "{} ({}):\n{}\n{stderr}",
            checker.script,
            checker.library,
            failures.join("\n")
        );
        let accepted = stdout
            .lines()
            .filter(|l| l.starts_with("ok") && !l.contains("refused, as expected"))
            .count();
        let refusals: Vec<&str> = stdout
            .lines()
            .filter(|l| l.contains("refused, as expected"))
            .collect();
        assert_eq!(
            (accepted, refusals.len()),
            (valid, total - valid),
            "{}: {stdout}",
            checker.library
        );
        let last = stdout.lines().last().unwrap_or_default();
        assert!(
            last.ends_with(&format!("{total} of {total} cases as expected")),
            "{last}"
        );
        println!("{last}");
        for line in refusals.iter().take(4) {
            println!("  {line}");
        }
    }
}

/// The check can fail: a tampered token presented as valid makes each checker exit non-zero
/// with a FAIL line, and so does a token whose claims differ from the ones the case names.
#[test]
fn the_peers_fail_on_a_tampered_token_presented_as_valid() {
    let p = providers()[0];
    let mut cases = Cases::default();
    let rsa = PrivateKey::generate(KeySpec::Rsa { bits: 2048 }, p)
        .unwrap()
        .to_jwk()
        .unwrap();
    let now = SystemClock.now_seconds();
    for alg in [JwsAlgorithm::Es256, JwsAlgorithm::Rs256] {
        let kid = format!("ours-must-fail-{}", alg.name().to_lowercase());
        let (signing, jwk) = signer(alg, &kid, p, &rsa);
        cases.add_key(&kid, jwk);
        let name = format!("ours {alg} tampered, presented as valid");
        let claims = our_claims(&name, 0, now, false, p);
        let token = jwt::sign(&claims, &signing, Header::new()).unwrap();
        let tampered = with_claim(&token, "sub", json!("admin"));
        cases.cases.push(case(
            &name,
            alg,
            &kid,
            None,
            OUR_AUDIENCE,
            &claims,
            &tampered,
        ));
        // Valid, but the case names other claims than the token holds.
        let mut other = claims.clone();
        other.sub = Some("someone else".to_owned());
        cases.cases.push(case(
            &format!("ours {alg} with other claims than the case's"),
            alg,
            &kid,
            None,
            OUR_AUDIENCE,
            &other,
            &token,
        ));
    }
    let input = cases.json();
    for checker in checkers() {
        let (ok, stdout, _) = checker.run(&input);
        let failures = stdout.lines().filter(|l| l.starts_with("FAIL")).count();
        assert!(
            !ok && failures == 4,
            "{} accepted what it must not:\n{stdout}",
            checker.library
        );
        println!("{}", stdout.lines().last().unwrap_or_default());
    }
}

//! Writes the seed corpora into `fuzz/seeds/<target>/` (committed; `cargo xtask fuzz` hands them
//! to libFuzzer beside `fuzz/corpus/<target>/`).
//!
//! ```text
//! cargo run --manifest-path fuzz/Cargo.toml --example gen_seeds -- [VECTORS_DIR]
//! ```
//!
//! Two sources: every token, JWK and JWKS found in the vector files under VECTORS_DIR (default
//! `../shared/vectors` beside the checkout), and tokens this project makes with the fuzz
//! fixture keys, so that seeded tokens verify and decrypt and the fuzzer starts in the crypto.
//! Files are named by a hash of their content, so running it twice changes nothing that exists.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use jose::jwe::JweBuilder;
use jose::jws::JwsBuilder;
use jose::{ContentEncryption, Header, Jwks};
use serde_json::{Value, json};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

struct Seeds {
    root: PathBuf,
    written: usize,
}

impl Seeds {
    fn add(&mut self, target: &str, bytes: &[u8]) -> Res<()> {
        let dir = self.root.join(target);
        std::fs::create_dir_all(&dir)?;
        let mut hasher = DefaultHasher::new();
        bytes.hash(&mut hasher);
        let path = dir.join(format!("{:016x}", hasher.finish()));
        if !path.exists() {
            std::fs::write(path, bytes)?;
            self.written += 1;
        }
        Ok(())
    }

    /// A token goes to its own target and to the differential target.
    fn token(&mut self, target: &str, token: &str) -> Res<()> {
        self.add(target, token.as_bytes())?;
        self.add("differential", token.as_bytes())
    }
}

fn looks_compact(s: &str) -> Option<&'static str> {
    let parts = s.split('.').count();
    let charset = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    match (charset && s.len() > 20, parts) {
        (true, 3) => Some("jws_verify"),
        (true, 5) => Some("jwe_decrypt"),
        _ => None,
    }
}

/// Walks a vector file and files away whatever looks like a token, JWK or JWKS.
fn walk(value: &Value, seeds: &mut Seeds) -> Res<()> {
    match value {
        Value::String(s) => {
            if let Some(target) = looks_compact(s) {
                seeds.token(target, s)?;
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, seeds)?;
            }
        }
        Value::Object(map) => {
            let text = serde_json::to_string(value)?;
            if map.contains_key("kty") || map.get("keys").is_some_and(Value::is_array) {
                seeds.add("jwk", text.as_bytes())?;
            } else if map.contains_key("signature") || map.contains_key("signatures") {
                seeds.token("jws_verify", &text)?;
            } else if map.contains_key("ciphertext") {
                seeds.token("jwe_decrypt", &text)?;
            }
            for item in map.values() {
                walk(item, seeds)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn vector_files(dir: &Path, out: &mut Vec<PathBuf>) -> Res<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            vector_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// RFC 9449 section 4.1, figure 2: a DPoP proof for POST https://server.example.com/token.
const RFC9449_PROOF: &str = concat!(
    "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNo",
    "UklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERW",
    "clUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19",
    ".eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUu",
    "Y29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ",
    ".2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg",
);

/// JWTs signed with every fixture key (claims at the fuzz target's fixed time), DPoP proofs,
/// claim sets and URIs for the `jwt` target.
fn jwts(seeds: &mut Seeds) -> Res<()> {
    let fixture = jose_fuzz::aws_lc();
    let now = 1_562_262_616;
    let claims = jose::jwt::Claims::new()
        .issuer("https://as.example.com")
        .subject("fuzz")
        .audiences(["https://api.example.com", "x"])
        .issued_at(now)
        .not_before(now - 10)
        .expires_at(now + 300)
        .jwt_id("fuzz-1")
        .claim("scope", "payments")?;
    for key in &fixture.signing {
        let token = jose::jwt::sign(&claims, key, Header::with_typ("at+jwt"))?;
        seeds.add("jwt", token.as_bytes())?;
    }
    seeds.add("jwt", RFC9449_PROOF.as_bytes())?;
    seeds.add("jwt", claims.to_json().as_bytes())?;
    seeds.add("jwt", br#"{"exp":1.5e9,"nbf":-1,"aud":[],"iat":1e400}"#)?;
    for uri in [
        "https://Server.Example.COM:443/a/../token?x=1#f",
        "http://[::1]:80/%7e%2F",
    ] {
        seeds.add("jwt", uri.as_bytes())?;
    }
    for key in fixture.signing.iter().filter(|k| !k.alg().is_hmac()) {
        let proof = jose_fapi::dpop::DpopProof::new("POST", "https://server.example.com/token")?
            .clock(std::sync::Arc::new(jose::clock::ManualClock::at_millis(
                1_562_262_616_000,
            )))
            .sign(key, fixture.provider)?;
        seeds.add("jwt", proof.as_bytes())?;
    }
    Ok(())
}

fn core_tokens(seeds: &mut Seeds) -> Res<()> {
    let fixture = jose_fuzz::aws_lc();
    for key in &fixture.signing {
        for payload in [&b"{\"iss\":\"fuzz\",\"n\":1}"[..], b"", b"$.02"] {
            let jws = JwsBuilder::new(payload).signer(key).sign()?;
            seeds.token("jws_verify", &jws.to_compact()?)?;
            seeds.token("jws_verify", &jws.to_flattened_json()?)?;
            seeds.token("jws_verify", &jws.to_general_json()?)?;
        }
        let detached = JwsBuilder::new(jose_fuzz::DETACHED_PAYLOAD)
            .detached(true)
            .signer(key)
            .sign()?;
        seeds.token("jws_verify", &detached.to_compact()?)?;
        seeds.token("jws_verify", &detached.to_flattened_json()?)?;
        let unencoded = JwsBuilder::new(b"$.02")
            .unencoded(true)
            .signer(key)
            .sign()?;
        seeds.token("jws_verify", &unencoded.to_flattened_json()?)?;
    }
    // Two signers in one general JSON JWS.
    if let (Some(a), Some(b)) = (fixture.signing.first(), fixture.signing.last()) {
        let jws = JwsBuilder::new(b"two").signer(a).signer(b).sign()?;
        seeds.token("jws_verify", &jws.to_general_json()?)?;
    }
    for key in &fixture.encrypting {
        for enc in jose_fuzz::ENCS {
            // The fixture's dir key is 32 bytes: A256GCM and A128CBC-HS256 only.
            if key.alg() == jose::KeyManagementAlgorithm::Dir && enc.key_len() != 32 {
                continue;
            }
            let jwe = JweBuilder::new(enc)
                .recipient(key)
                .encrypt(b"{\"secret\":true}", fixture.provider)?;
            seeds.token("jwe_decrypt", &jwe.to_compact()?)?;
            seeds.token("jwe_decrypt", &jwe.to_flattened_json()?)?;
            seeds.token("jwe_decrypt", &jwe.to_general_json()?)?;
        }
        let mut shared = Header::new();
        shared.set("x-shared", "yes");
        let jwe = JweBuilder::new(ContentEncryption::A256Gcm)
            .aad(b"additional data")
            .unprotected(shared)
            .recipient(key)
            .encrypt(b"with aad", fixture.provider)?;
        seeds.token("jwe_decrypt", &jwe.to_flattened_json()?)?;
        seeds.token("jwe_decrypt", &jwe.to_general_json()?)?;
    }
    // Two recipients, and a nested JWS in a JWE.
    if let (Some(a), Some(b)) = (fixture.encrypting.first(), fixture.encrypting.last()) {
        let jwe = JweBuilder::new(ContentEncryption::A128Gcm)
            .recipient(a)
            .recipient(b)
            .encrypt(b"two recipients", fixture.provider)?;
        seeds.token("jwe_decrypt", &jwe.to_general_json()?)?;
        for signer in &fixture.signing {
            let nested = jose::nested::sign_then_encrypt(
                b"{\"nested\":1}",
                signer,
                Header::new(),
                b,
                ContentEncryption::A256Gcm,
                "JWT",
                fixture.provider,
            )?;
            seeds.token("jwe_decrypt", &nested)?;
        }
    }
    Ok(())
}

fn keys(seeds: &mut Seeds) -> Res<()> {
    let fixture = jose_fuzz::aws_lc();
    let mut jwks = Vec::new();
    for key in &fixture.private {
        let private = key.to_jwk()?;
        let public = key.public_key().to_jwk()?;
        seeds.add("jwk", private.to_json().as_bytes())?;
        seeds.add("jwk", public.to_json().as_bytes())?;
        jwks.push(public.clone());
        let pkcs8 = key.to_pkcs8_der()?;
        let spki = key.public_key().to_spki_der()?;
        for (target, bytes) in [
            ("key_import", pkcs8.as_slice()),
            ("key_import", spki.as_slice()),
            ("differential", pkcs8.as_slice()),
            ("differential", spki.as_slice()),
            ("key_import", key.to_pkcs8_pem()?.as_bytes()),
            ("key_import", key.public_key().to_spki_pem()?.as_bytes()),
        ] {
            seeds.add(target, bytes)?;
        }
    }
    seeds.add("jwk", Jwks::new(jwks).to_json().as_bytes())?;
    // jose-core's format fixtures: PKCS#1, SEC1, and keys the import must refuse.
    let formats =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/jose-core/tests/fixtures/formats");
    if let Ok(entries) = std::fs::read_dir(&formats) {
        for entry in entries {
            let path = entry?.path();
            if !path.is_file() {
                continue;
            }
            let bytes = std::fs::read(path)?;
            seeds.add("key_import", &bytes)?;
            seeds.add("differential", &bytes)?;
        }
    }
    Ok(())
}

fn protocols(seeds: &mut Seeds) -> Res<()> {
    let fixture = jose_fuzz::aws_lc();
    let provider = fixture.provider;
    let rsa_a = fixture.private.first().ok_or("no key")?.clone();
    let rsa_b = fixture.private.get(1).ok_or("no key")?.clone();

    // TrueLayer: `Tl-Signature`, newline, body.
    let tl_key = jose_truelayer_signing::Es512SigningKey::from_pem(jose_fuzz::P521_PEM, provider)?;
    for body in [&b"{\"amount_in_minor\":100}"[..], b""] {
        let signature = jose_truelayer_signing::Signer::new("fuzz-kid")
            .method("POST")
            .path("/payouts")
            .header("Idempotency-Key", "idemp-1")
            .body(body)
            .sign(&tl_key)?;
        let mut seed = signature.into_bytes();
        seed.push(b'\n');
        seed.extend_from_slice(body);
        seeds.add("truelayer_verify", &seed)?;
    }

    // Klarna: a sealed body with the request and response fields (stamped 1_700_000_000_000).
    let sealer = jose_klarna_xs2a::Sealer::new(
        rsa_a.clone().with_kid("fuzz-sig"),
        rsa_b.public_key().with_kid("fuzz-enc"),
    )?;
    let body = json!({
        "request_id": "0b0a7a4e-fuzz-seed-0001",
        "request_timestamp": 1_700_000_000_000_u64,
        "response_timestamp": 1_700_000_000_000_u64,
        "psu": {"ip_address": "136.71.143.70"}
    });
    if let Value::Object(map) = body {
        seeds.add("klarna_open", sealer.seal(&map, provider)?.as_bytes())?;
    }

    // Request4R: selector 0 + a gateway request body; selector 1 + status 200 + content type 0 +
    // a partner response body.
    let partner_key = jose_request4r::OpeningKey::new(rsa_a.clone())?;
    let raas_key = jose_request4r::OpeningKey::new(rsa_b.clone())?;
    let request = raas_key.sealing_key().seal(
        br#"{"email":"ada@example.com","reference_id":"r-1"}"#,
        provider,
    )?;
    let mut seed = vec![0];
    seed.extend_from_slice(request.as_bytes());
    seeds.add("request4r", &seed)?;
    let response = partner_key
        .sealing_key()
        .seal(br#"{"user_id":"u-1"}"#, provider)?;
    let mut seed = vec![1, 0, 100, 0];
    seed.extend_from_slice(response.as_bytes());
    seeds.add("request4r", &seed)?;
    let error = partner_key.sealing_key().seal(
        br#"{"error":{"code":"ERROR_NOT_FOUND","message":"no"}}"#,
        provider,
    )?;
    let mut seed = vec![1, 1, 44, 0]; // status 100 + 300 = 400
    seed.extend_from_slice(error.as_bytes());
    seeds.add("request4r", &seed)?;

    // 4Quays: protect bodies, and unprotect bodies holding an envelope for the bank key.
    for body in [
        json!({"payload": {"transferId": "txn-1", "amount": 5000, "currency": "CAD"}}),
        json!({"payload": {"a": [1, 2, 3]}, "policyNumber": "FUZZ-001"}),
    ] {
        let mut seed = vec![0];
        seed.extend_from_slice(serde_json::to_string(&body)?.as_bytes());
        seeds.add("fourquays", &seed)?;
    }
    let bank = jose::EncryptingKey::new(
        rsa_b.public_key().with_kid("bank-2026"),
        jose::KeyManagementAlgorithm::RsaOaep256,
    )?;
    let jwe = JweBuilder::new(ContentEncryption::A256Gcm)
        .recipient(&bank)
        .encrypt(br#"{"transferId":"txn-1","amount":5000}"#, provider)?;
    let envelope = jose_4quays::JweEnvelope::from_jwe(&jwe)?;
    for request in [
        jose_4quays::UnprotectRequest::jwe(envelope.clone()),
        jose_4quays::UnprotectRequest::jwe(envelope.clone()).policy("FUZZ-001"),
        jose_4quays::UnprotectRequest::protected_payload(envelope.to_protected_payload()),
    ] {
        let mut seed = vec![1];
        seed.extend_from_slice(serde_json::to_string(&request)?.as_bytes());
        seeds.add("fourquays", &seed)?;
    }
    Ok(())
}

fn main() -> Res<()> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let vectors = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../shared/vectors"));
    let mut seeds = Seeds {
        root: manifest.join("seeds"),
        written: 0,
    };
    let mut files = Vec::new();
    match vector_files(&vectors, &mut files) {
        Ok(()) => {}
        Err(error) => eprintln!(
            "gen_seeds: no vectors read from {}: {error}",
            vectors.display()
        ),
    }
    files.sort();
    for file in &files {
        let text = std::fs::read_to_string(file)?;
        let value: Value = serde_json::from_str(&text)?;
        walk(&value, &mut seeds)?;
    }
    core_tokens(&mut seeds)?;
    jwts(&mut seeds)?;
    keys(&mut seeds)?;
    protocols(&mut seeds)?;
    // The structured target's input is `arbitrary` bytes: a few fixed byte strings start it.
    for seed in [
        &[0u8; 64][..],
        &[0xff; 64],
        &[1, 0, 0, 9, 1, 1, 0, 0, 5, b'h', b'e', b'l', b'l', b'o'],
    ] {
        seeds.add("structured", seed)?;
    }
    println!(
        "gen_seeds: {} vector files read, {} new seed files under {}",
        files.len(),
        seeds.written,
        seeds.root.display()
    );
    Ok(())
}

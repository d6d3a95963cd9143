//! Structure-aware: the fuzzer chooses a token's shape (JWS or JWE, serialization, header members,
//! payload, key, CEK, IV) through `arbitrary`; the target builds it with real signatures and real
//! encryption under the fixed keys, applies the fuzzer's mutations, and verifies or decrypts with
//! both providers. Headers are valid base64url of fuzzed JSON members (duplicates, `crit`, `b64`,
//! `zip`, wrong `alg`...), so inputs get past base64 and JSON into the crypto and header rules.
//!
//! Oracles: an unmutated token with only the required members must verify or decrypt to exactly
//! its payload; both providers must always reach the same verdict and the same plaintext.
#![no_main]

use arbitrary::Arbitrary;
use jose::b64;
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "alg",
    "enc",
    "kid",
    "typ",
    "cty",
    "crit",
    "b64",
    "zip",
    "jku",
    "x5c",
    "exp",
    "iat",
    "epk",
    "p2s",
    "tl_version",
    "tl_headers",
    "",
    "\u{0}",
    "alg\u{0}",
];

const STRINGS: &[&str] = &[
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "HS256",
    "none",
    "RSA-OAEP",
    "RSA-OAEP-256",
    "RSA1_5",
    "dir",
    "A128GCM",
    "A192GCM",
    "A256GCM",
    "A128CBC-HS256",
    "DEF",
    "b64",
    "exp",
    "kid",
    "JWT",
    "application/jose",
    "",
    "\u{fffd}",
];

#[derive(Arbitrary, Debug)]
enum FuzzValue {
    Known(u8),
    Text(String),
    Bool(bool),
    Int(i64),
    Null,
    Names(Vec<u8>),
    Object(Vec<(u8, u8)>),
}

impl FuzzValue {
    fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        let known = |i: &u8| STRINGS[usize::from(*i) % STRINGS.len()].to_owned();
        match self {
            FuzzValue::Known(i) => Value::String(known(i)),
            FuzzValue::Text(s) => Value::String(s.clone()),
            FuzzValue::Bool(b) => Value::Bool(*b),
            FuzzValue::Int(i) => Value::from(*i),
            FuzzValue::Null => Value::Null,
            FuzzValue::Names(list) => Value::Array(
                list.iter()
                    .take(8)
                    .map(|i| Value::String(NAMES[usize::from(*i) % NAMES.len()].to_owned()))
                    .collect(),
            ),
            FuzzValue::Object(pairs) => Value::Object(
                pairs
                    .iter()
                    .take(8)
                    .map(|(n, v)| {
                        (
                            NAMES[usize::from(*n) % NAMES.len()].to_owned(),
                            Value::String(known(v)),
                        )
                    })
                    .collect(),
            ),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Member {
    name: u8,
    value: FuzzValue,
}

/// Writes a JSON object by hand, so duplicate member names survive.
fn object_text(required: &[(&str, serde_json::Value)], members: &[Member]) -> String {
    let mut parts: Vec<String> = required
        .iter()
        .map(|(name, value)| format!("{}:{}", serde_json::Value::from(*name), value))
        .collect();
    for member in members.iter().take(12) {
        let name = NAMES[usize::from(member.name) % NAMES.len()];
        parts.push(format!(
            "{}:{}",
            serde_json::Value::from(name),
            member.value.to_json()
        ));
    }
    format!("{{{}}}", parts.join(","))
}

#[derive(Arbitrary, Debug)]
enum Mutation {
    Xor { at: u16, with: u8 },
    Truncate(u16),
    Insert { at: u16, byte: u8 },
    Remove(u16),
    SwapParts(u8, u8),
}

fn mutate(token: String, mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = token.into_bytes();
    for mutation in mutations.iter().take(4) {
        let len = bytes.len().max(1);
        match *mutation {
            Mutation::Xor { at, with } => {
                if let Some(b) = bytes.get_mut(usize::from(at) % len) {
                    *b ^= with;
                }
            }
            Mutation::Truncate(at) => bytes.truncate(usize::from(at) % len),
            Mutation::Insert { at, byte } => {
                bytes.insert(usize::from(at) % (bytes.len() + 1), byte)
            }
            Mutation::Remove(at) => {
                if !bytes.is_empty() {
                    bytes.remove(usize::from(at) % bytes.len());
                }
            }
            Mutation::SwapParts(a, b) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let mut parts: Vec<&str> = text.split('.').collect();
                let n = parts.len();
                parts.swap(usize::from(a) % n, usize::from(b) % n);
                bytes = parts.join(".").into_bytes();
            }
        }
    }
    bytes
}

#[derive(Arbitrary, Debug)]
enum Serialization {
    Compact,
    Flattened,
    General,
}

#[derive(Arbitrary, Debug)]
struct JwsInput {
    alg: u8,
    with_alg: bool,
    members: Vec<Member>,
    unprotected: Vec<Member>,
    payload: Vec<u8>,
    encode_payload: bool,
    detached: bool,
}

#[derive(Arbitrary, Debug)]
struct JweInput {
    alg: u8,
    enc: u8,
    with_alg_enc: bool,
    members: Vec<Member>,
    unprotected: Vec<Member>,
    cek: Vec<u8>,
    iv: [u8; 12],
    aad: Option<Vec<u8>>,
    plaintext: Vec<u8>,
    /// Put a compact JWS signed with this algorithm inside (sign-then-encrypt).
    nested: Option<u8>,
}

#[derive(Arbitrary, Debug)]
enum Shape {
    Jws(JwsInput),
    Jwe(JweInput),
}

#[derive(Arbitrary, Debug)]
struct Input {
    /// Which provider builds the token (both check it).
    build_with_rustcrypto: bool,
    serialization: Serialization,
    shape: Shape,
    mutations: Vec<Mutation>,
}

fn build_jws(
    input: &JwsInput,
    serialization: &Serialization,
    fixture: &jose_fuzz::Fixture,
) -> Option<(String, bool, Vec<u8>)> {
    let index = usize::from(input.alg) % jose_fuzz::JWS_ALGS.len();
    let key = fixture.signing.get(index)?;
    let alg = jose_fuzz::JWS_ALGS[index];
    let mut required = Vec::new();
    if input.with_alg {
        required.push(("alg", serde_json::Value::from(alg.name())));
    }
    let header = object_text(&required, &input.members);
    let protected = b64::encode(header.as_bytes());
    let payload_part = if input.encode_payload {
        b64::encode(&input.payload)
    } else {
        String::from_utf8_lossy(&input.payload).into_owned()
    };
    let signature = key
        .sign(format!("{protected}.{payload_part}").as_bytes())
        .ok()?;
    let signature = b64::encode(&signature);
    let shown_payload = if input.detached {
        String::new()
    } else {
        payload_part.clone()
    };
    let clean = input.with_alg
        && input.members.is_empty()
        && input.unprotected.is_empty()
        && input.encode_payload;
    let expected = if input.detached {
        jose_fuzz::DETACHED_PAYLOAD.to_vec()
    } else {
        input.payload.clone()
    };
    // A detached token only verifies against the detached payload the verdict uses; an empty
    // attached payload reads as detached.
    let clean = clean
        && if input.detached {
            input.payload == jose_fuzz::DETACHED_PAYLOAD
        } else {
            !input.payload.is_empty()
        };
    let unprotected = if input.unprotected.is_empty() {
        String::new()
    } else {
        format!(",\"header\":{}", object_text(&[], &input.unprotected))
    };
    // JSON serializations leave out the payload member of a detached JWS.
    let payload_json = if input.detached {
        String::new()
    } else {
        format!(
            "\"payload\":{},",
            serde_json::Value::from(shown_payload.as_str())
        )
    };
    let token = match serialization {
        Serialization::Compact => format!("{protected}.{shown_payload}.{signature}"),
        Serialization::Flattened => format!(
            "{{{payload_json}\"protected\":\"{protected}\"{unprotected},\"signature\":\"{signature}\"}}"
        ),
        Serialization::General => format!(
            "{{{payload_json}\"signatures\":[{{\"protected\":\"{protected}\"{unprotected},\"signature\":\"{signature}\"}}]}}"
        ),
    };
    Some((token, clean, expected))
}

fn build_jwe(
    input: &JweInput,
    serialization: &Serialization,
    fixture: &jose_fuzz::Fixture,
) -> Option<(String, bool, Vec<u8>)> {
    let alg_index = usize::from(input.alg) % jose_fuzz::JWE_ALGS.len();
    let key = fixture.encrypting.get(alg_index)?;
    let alg = jose_fuzz::JWE_ALGS[alg_index];
    let enc = jose_fuzz::ENCS[usize::from(input.enc) % jose_fuzz::ENCS.len()];
    let mut required = Vec::new();
    if input.with_alg_enc {
        required.push(("alg", serde_json::Value::from(alg.name())));
        required.push(("enc", serde_json::Value::from(enc.name())));
    }
    let plaintext = match input.nested {
        Some(signer) => {
            required.push(("cty", serde_json::Value::from("JWT")));
            let signer = fixture
                .signing
                .get(usize::from(signer) % fixture.signing.len())?;
            jose::jws::JwsBuilder::new(&input.plaintext)
                .signer(signer)
                .sign()
                .ok()?
                .to_compact()
                .ok()?
                .into_bytes()
        }
        None => input.plaintext.clone(),
    };
    let header = object_text(&required, &input.members);
    let protected = b64::encode(header.as_bytes());
    let mut cek = input.cek.clone();
    cek.resize(enc.key_len(), 0x5a);
    // The RSA-OAEP wrap of the CEK, by the recipient key's provider (what the engine does).
    let encrypted_key = b64::encode(&key.public_key()?.ops().wrap_key(alg, &cek).ok()?);
    let compact = matches!(serialization, Serialization::Compact);
    let aad_b64 = input
        .aad
        .as_ref()
        .filter(|_| !compact)
        .map(|aad| b64::encode(aad));
    let aad = match &aad_b64 {
        Some(aad) => format!("{protected}.{aad}"),
        None => protected.clone(),
    };
    let (ciphertext, tag) = fixture
        .provider
        .aead_seal(enc, &cek, &input.iv, aad.as_bytes(), &plaintext)
        .ok()?;
    let (iv, ciphertext, tag) = (
        b64::encode(&input.iv),
        b64::encode(&ciphertext),
        b64::encode(&tag),
    );
    let unprotected = if input.unprotected.is_empty() {
        String::new()
    } else {
        format!(",\"unprotected\":{}", object_text(&[], &input.unprotected))
    };
    let aad_member = aad_b64
        .map(|aad| format!(",\"aad\":\"{aad}\""))
        .unwrap_or_default();
    let token = match serialization {
        Serialization::Compact => format!("{protected}.{encrypted_key}.{iv}.{ciphertext}.{tag}"),
        Serialization::Flattened => format!(
            "{{\"protected\":\"{protected}\"{unprotected},\"encrypted_key\":\"{encrypted_key}\"{aad_member},\"iv\":\"{iv}\",\"ciphertext\":\"{ciphertext}\",\"tag\":\"{tag}\"}}"
        ),
        Serialization::General => format!(
            "{{\"protected\":\"{protected}\"{unprotected},\"recipients\":[{{\"encrypted_key\":\"{encrypted_key}\"}}]{aad_member},\"iv\":\"{iv}\",\"ciphertext\":\"{ciphertext}\",\"tag\":\"{tag}\"}}"
        ),
    };
    let clean = input.with_alg_enc && input.members.is_empty() && input.unprotected.is_empty();
    Some((token, clean, plaintext))
}

fuzz_target!(|input: Input| {
    let [aws, rust] = jose_fuzz::both();
    let builder = if input.build_with_rustcrypto {
        rust
    } else {
        aws
    };
    let is_jws = matches!(input.shape, Shape::Jws(_));
    let built = match &input.shape {
        Shape::Jws(jws) => build_jws(jws, &input.serialization, builder),
        Shape::Jwe(jwe) => build_jwe(jwe, &input.serialization, builder),
    };
    let Some((token, clean, expected)) = built else {
        return;
    };
    let unmutated = input.mutations.is_empty();
    let bytes = mutate(token, &input.mutations);
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return;
    };
    let verdicts = if is_jws {
        [
            jose_fuzz::jws_verdict(text, aws),
            jose_fuzz::jws_verdict(text, rust),
        ]
    } else {
        [
            jose_fuzz::jwe_verdict(text, aws),
            jose_fuzz::jwe_verdict(text, rust),
        ]
    };
    assert_eq!(
        verdicts[0], verdicts[1],
        "the providers disagree (left aws-lc, right rustcrypto)"
    );
    if clean && unmutated {
        assert_eq!(
            verdicts[0].as_deref(),
            Some(expected.as_slice()),
            "a well-formed token was refused: {text}"
        );
    }
    if let Shape::Jwe(JweInput {
        nested: Some(_), ..
    }) = &input.shape
    {
        for fixture in [aws, rust] {
            let _ = jose::nested::decrypt_then_verify(
                text,
                &fixture.decrypting,
                &jose_fuzz::ENCS,
                &fixture.verifying,
                &jose_fuzz::limits(),
                fixture.provider,
            );
        }
    }
});

//! Request body validation: every bad field becomes one [`ErrorDetail`] naming it.
//!
//! The payload is kept as the exact JSON text the client sent (a [`RawValue`]), so what is
//! encrypted, passed through or decrypted is byte for byte the client's value.

use crate::legacy;
use crate::types::{ErrorDetail, JWE_MEMBERS, JweEnvelope, json_error_position, json_type};
use jose::Limits;
use jose::jwe::Jwe;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_json::value::RawValue;

/// Longest accepted `policyNumber`, in characters.
pub(crate) const MAX_POLICY_NUMBER_CHARS: usize = 128;

/// The body as members, each kept as raw JSON (`null` included) until it is checked.
#[derive(Deserialize)]
struct RawBody<'a> {
    #[serde(default, borrow, deserialize_with = "present")]
    payload: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present", rename = "policyNumber")]
    policy_number: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    jwe: Option<&'a RawValue>,
    #[serde(
        default,
        borrow,
        deserialize_with = "present",
        rename = "protectedPayload"
    )]
    protected_payload: Option<&'a RawValue>,
}

/// A member that is present, even as `null`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&'de RawValue>::deserialize(d).map(Some)
}

/// A valid protect body.
pub(crate) struct ProtectInput<'a> {
    /// The payload exactly as sent.
    pub(crate) payload: &'a RawValue,
    /// The policy number, if given.
    pub(crate) policy: Option<String>,
}

/// Where an unprotect body's JWE came from.
pub(crate) enum Source {
    /// The `jwe` member, parsed.
    Jwe(Box<Jwe>),
    /// The legacy `protectedPayload`: parsed, or `None` if it does not parse.
    Legacy(Option<Box<Jwe>>),
}

/// A valid unprotect body (the legacy form may still be unparsable: that is its own error code).
pub(crate) struct UnprotectInput {
    /// The JWE to decrypt.
    pub(crate) source: Source,
    /// The policy number, if given.
    pub(crate) policy: Option<String>,
}

/// Parses the body into its members, or the one detail that says why the body is not an object.
fn members(body: &[u8]) -> Result<RawBody<'_>, Vec<ErrorDetail>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(vec![ErrorDetail::new(
            "body",
            "expected a JSON object, found an empty body",
        )]);
    }
    let not_object = |found: String| {
        vec![ErrorDetail::new(
            "body",
            format!("expected a JSON object, found {found}"),
        )]
    };
    // serde would also accept an array for a struct: only an object is a body.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(not_object(match serde_json::from_slice::<Value>(body) {
            Ok(v) => format!("a JSON {}", json_type(&v)),
            Err(e) => format!("invalid JSON ({})", json_error_position(&e)),
        }));
    }
    serde_json::from_slice::<RawBody<'_>>(body).map_err(|e| {
        let detail = match e.classify() {
            serde_json::error::Category::Data => {
                let text = e.to_string();
                if let Some(name) = text
                    .strip_prefix("duplicate field `")
                    .and_then(|rest| rest.split('`').next())
                {
                    ErrorDetail::new(
                        name,
                        format!("expected one \"{name}\" member, found it more than once"),
                    )
                } else {
                    let found = serde_json::from_slice::<Value>(body)
                        .map(|v| format!("a JSON {}", json_type(&v)))
                        .unwrap_or_else(|_| "something else".into());
                    ErrorDetail::new("body", format!("expected a JSON object, found {found}"))
                }
            }
            _ => ErrorDetail::new(
                "body",
                format!(
                    "expected a JSON object, found invalid JSON ({})",
                    json_error_position(&e)
                ),
            ),
        };
        vec![detail]
    })
}

/// Checks `policyNumber`: absent or `null` is `None`; otherwise a non-empty string.
fn policy_number(raw: Option<&RawValue>, details: &mut Vec<ErrorDetail>) -> Option<String> {
    let value = value_of(raw?, "policyNumber", details)?;
    match value {
        Value::Null => None,
        Value::String(s) if s.is_empty() => {
            details.push(ErrorDetail::new(
                "policyNumber",
                "expected a non-empty string, found an empty string",
            ));
            None
        }
        Value::String(s) if s.chars().count() > MAX_POLICY_NUMBER_CHARS => {
            details.push(ErrorDetail::new(
                "policyNumber",
                format!(
                    "expected at most {MAX_POLICY_NUMBER_CHARS} characters, found {}",
                    s.chars().count()
                ),
            ));
            None
        }
        Value::String(s) => Some(s),
        other => {
            details.push(ErrorDetail::new(
                "policyNumber",
                format!("expected a string, found {}", json_type(&other)),
            ));
            None
        }
    }
}

/// A member's value, parsed. JSON that is valid but nested deeper than serde_json's limit (128)
/// becomes a detail naming the member.
fn value_of(raw: &RawValue, field: &str, details: &mut Vec<ErrorDetail>) -> Option<Value> {
    match serde_json::from_str(raw.get()) {
        Ok(value) => Some(value),
        Err(_) => {
            details.push(ErrorDetail::new(
                field,
                "expected JSON nested at most 128 levels deep, found deeper nesting",
            ));
            None
        }
    }
}

/// Validates a protect body.
pub(crate) fn protect(body: &[u8]) -> Result<ProtectInput<'_>, Vec<ErrorDetail>> {
    let raw = members(body)?;
    let mut details = Vec::new();
    let payload = match raw.payload {
        None => {
            details.push(ErrorDetail::new(
                "payload",
                "required: expected any JSON value, found no \"payload\" member",
            ));
            None
        }
        // Parsed once as a whole, to hold it to the nesting limit every JSON reader here has.
        Some(p) => value_of(p, "payload", &mut details).map(|_| p),
    };
    let policy = policy_number(raw.policy_number, &mut details);
    match payload {
        Some(payload) if details.is_empty() => Ok(ProtectInput { payload, policy }),
        _ => Err(details),
    }
}

/// Validates an unprotect body.
pub(crate) fn unprotect(body: &[u8], limits: &Limits) -> Result<UnprotectInput, Vec<ErrorDetail>> {
    let raw = members(body)?;
    let mut details = Vec::new();
    let policy = policy_number(raw.policy_number, &mut details);
    let source = match (raw.jwe, raw.protected_payload) {
        (None, None) => {
            details.push(ErrorDetail::new(
                "jwe",
                "expected one of \"jwe\" or \"protectedPayload\", found neither",
            ));
            None
        }
        (Some(_), Some(_)) => {
            details.push(ErrorDetail::new(
                "protectedPayload",
                "expected one of \"jwe\" or \"protectedPayload\", found both",
            ));
            None
        }
        (Some(jwe), None) => envelope(jwe, limits, &mut details).map(|j| Source::Jwe(Box::new(j))),
        (None, Some(legacy)) => legacy_member(legacy, limits, &mut details),
    };
    match source {
        Some(source) if details.is_empty() => Ok(UnprotectInput { source, policy }),
        _ => Err(details),
    }
}

/// Checks the `jwe` member: an object with exactly the five base64url string members, whose
/// protected header parses.
fn envelope(raw: &RawValue, limits: &Limits, details: &mut Vec<ErrorDetail>) -> Option<Jwe> {
    let value = value_of(raw, "jwe", details)?;
    let Value::Object(members) = value else {
        details.push(ErrorDetail::new(
            "jwe",
            format!(
                "expected an object (JWE flattened JSON serialization), found {}",
                json_type(&value)
            ),
        ));
        return None;
    };
    let before = details.len();
    for name in members.keys() {
        if !JWE_MEMBERS.contains(&name.as_str()) {
            details.push(ErrorDetail::new(
                format!("jwe.{}", name.chars().take(64).collect::<String>()),
                "expected only protected, encrypted_key, iv, ciphertext and tag, found an unsupported member",
            ));
        }
    }
    let mut parts: Vec<String> = Vec::with_capacity(JWE_MEMBERS.len());
    for name in JWE_MEMBERS {
        match members.get(name) {
            None => details.push(ErrorDetail::new(
                format!("jwe.{name}"),
                "required: expected a base64url string, found no such member",
            )),
            Some(Value::String(s)) => {
                if jose::b64::decode("JWE member", s).is_err() {
                    details.push(ErrorDetail::new(
                        format!("jwe.{name}"),
                        "expected unpadded base64url, found characters outside the base64url alphabet, padding or non-canonical trailing bits",
                    ));
                } else if name == "protected" && s.is_empty() {
                    details.push(ErrorDetail::new(
                        "jwe.protected",
                        "expected a base64url-encoded JOSE header, found an empty string",
                    ));
                } else {
                    parts.push(s.clone());
                }
            }
            Some(other) => details.push(ErrorDetail::new(
                format!("jwe.{name}"),
                format!("expected a base64url string, found {}", json_type(other)),
            )),
        }
    }
    if details.len() != before {
        return None;
    }
    let [protected, encrypted_key, iv, ciphertext, tag] = <[String; 5]>::try_from(parts).ok()?;
    let envelope = JweEnvelope {
        protected,
        encrypted_key,
        iv,
        ciphertext,
        tag,
    };
    match envelope.to_jwe(limits) {
        Ok(jwe) => Some(jwe),
        Err(crate::Error::Jose(jose::Error::LimitExceeded { limit, found, .. })) => {
            details.push(ErrorDetail::new(
                "jwe",
                format!("expected at most {limit} bytes of JWE, found {found}"),
            ));
            None
        }
        Err(e) => {
            details.push(ErrorDetail::new(
                "jwe.protected",
                format!("expected a base64url-encoded JOSE header (a JSON object): {e}"),
            ));
            None
        }
    }
}

/// Checks the `protectedPayload` member: a string (else `INVALID_REQUEST`); whether it parses is
/// reported separately (`INVALID_PROTECTED_PAYLOAD`).
fn legacy_member(
    raw: &RawValue,
    limits: &Limits,
    details: &mut Vec<ErrorDetail>,
) -> Option<Source> {
    let value = value_of(raw, "protectedPayload", details)?;
    match value {
        Value::String(s) => Some(Source::Legacy(
            legacy::decode(&s, limits).ok().map(Box::new),
        )),
        other => {
            details.push(ErrorDetail::new(
                "protectedPayload",
                format!("expected a string, found {}", json_type(&other)),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(details: &[ErrorDetail]) -> Vec<&str> {
        details.iter().map(|d| d.field.as_str()).collect()
    }

    fn protect_details(body: &str) -> Vec<ErrorDetail> {
        match protect(body.as_bytes()) {
            Ok(_) => panic!("expected {body} to be refused"),
            Err(d) => d,
        }
    }

    fn unprotect_details(body: &str) -> Vec<ErrorDetail> {
        match unprotect(body.as_bytes(), &Limits::default()) {
            Ok(_) => panic!("expected {body} to be refused"),
            Err(d) => d,
        }
    }

    #[test]
    fn protect_keeps_the_payload_text_and_policy() {
        let input = protect(br#"{"payload": {"b": 1, "a": [1.50, "x"]}, "policyNumber": "P-1"}"#)
            .unwrap_or_else(|_| panic!("valid"));
        assert_eq!(input.payload.get(), r#"{"b": 1, "a": [1.50, "x"]}"#);
        assert_eq!(input.policy.as_deref(), Some("P-1"));
        for payload in [
            "[1,2,3]",
            "\"sensitive-data\"",
            "12345",
            "true",
            "0.1",
            "null",
        ] {
            let body = format!(r#"{{"payload":{payload},"policyNumber":null,"extra":1}}"#);
            let input = protect(body.as_bytes()).unwrap_or_else(|_| panic!("valid: {body}"));
            assert_eq!(input.payload.get(), payload);
            assert_eq!(input.policy, None);
        }
    }

    #[test]
    fn protect_names_each_bad_field() {
        assert_eq!(fields(&protect_details("{}")), ["payload"]);
        assert_eq!(
            fields(&protect_details(r#"{"policyNumber":5}"#)),
            ["payload", "policyNumber"]
        );
        assert_eq!(
            fields(&protect_details(r#"{"payload":1,"policyNumber":""}"#)),
            ["policyNumber"]
        );
        let long = "P".repeat(MAX_POLICY_NUMBER_CHARS + 1);
        assert_eq!(
            fields(&protect_details(&format!(
                r#"{{"payload":1,"policyNumber":"{long}"}}"#
            ))),
            ["policyNumber"]
        );
        assert_eq!(
            fields(&protect_details(r#"{"payload":1,"payload":2}"#)),
            ["payload"]
        );
        for body in [
            "",
            "  ",
            "[1]",
            "\"text\"",
            "{\"payload\":",
            "{bad json}",
            "null",
        ] {
            let d = protect_details(body);
            assert_eq!(fields(&d), ["body"], "{body:?}");
            assert!(d[0].message.starts_with("expected a JSON object"), "{d:?}");
        }
    }

    #[test]
    fn deep_nesting_names_the_member() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let body = format!(r#"{{"payload":{deep}}}"#);
        assert_eq!(fields(&protect_details(&body)), ["payload"]);
        let body = format!(r#"{{"payload":1,"policyNumber":{deep}}}"#);
        assert_eq!(fields(&protect_details(&body)), ["policyNumber"]);
        let body = format!(r#"{{"jwe":{deep}}}"#);
        assert_eq!(fields(&unprotect_details(&body)), ["jwe"]);
        let body = format!(r#"{{"protectedPayload":{deep}}}"#);
        assert_eq!(fields(&unprotect_details(&body)), ["protectedPayload"]);
        let ok = format!(r#"{{"payload":{}{}}}"#, "[".repeat(100), "]".repeat(100));
        assert!(protect(ok.as_bytes()).is_ok());
    }

    #[test]
    fn details_never_quote_the_input() {
        let d = protect_details(r#"{"payload":"s3cret-value","payload":"s3cret-value"}"#);
        assert!(!format!("{d:?}").contains("s3cret"));
        let d = protect_details(r#""s3cret-value""#);
        assert!(!format!("{d:?}").contains("s3cret"));
        let d = unprotect_details(
            r#"{"jwe":{"protected":"s3cret!","encrypted_key":"","iv":"","ciphertext":"","tag":""}}"#,
        );
        assert!(!format!("{d:?}").contains("s3cret"));
    }

    #[test]
    fn unprotect_names_each_bad_field() {
        assert_eq!(fields(&unprotect_details("{}")), ["jwe"]);
        assert_eq!(
            fields(&unprotect_details(r#"{"jwe":{},"protectedPayload":"x"}"#)),
            ["protectedPayload"]
        );
        assert_eq!(fields(&unprotect_details(r#"{"jwe":"abc"}"#)), ["jwe"]);
        assert_eq!(
            fields(&unprotect_details(r#"{"protectedPayload":7}"#)),
            ["protectedPayload"]
        );
        let d = unprotect_details(
            r#"{"jwe":{"protected":"e30","encrypted_key":"a+b","iv":5,"tag":"A===","aad":"AA"},"policyNumber":[]}"#,
        );
        assert_eq!(
            fields(&d),
            [
                "policyNumber",
                "jwe.aad",
                "jwe.encrypted_key",
                "jwe.iv",
                "jwe.ciphertext",
                "jwe.tag"
            ]
        );
        // Well-formed base64url, but the protected header is not a JSON object.
        let d = unprotect_details(
            r#"{"jwe":{"protected":"bm90IGpzb24","encrypted_key":"AA","iv":"AA","ciphertext":"AA","tag":"AA"}}"#,
        );
        assert_eq!(fields(&d), ["jwe.protected"]);
    }

    #[test]
    fn unparsable_legacy_payload_is_its_own_outcome() {
        for legacy in ["", "!!!", "YWJj"] {
            let body = format!(r#"{{"protectedPayload":"{legacy}"}}"#);
            match unprotect(body.as_bytes(), &Limits::default()) {
                Ok(UnprotectInput {
                    source: Source::Legacy(None),
                    ..
                }) => {}
                _ => panic!("expected an unparsable legacy payload for {legacy:?}"),
            }
        }
    }
}

//! Strict JSON for message bodies, on jose-core's strict parser: duplicate member names are an
//! error at any depth (two `request_id` members must not mean one thing to us and another to the
//! next parser).

use crate::error::Error;
use serde_json::{Map, Value};

/// Parses `text` as one JSON object, rejecting duplicate member names anywhere in it.
pub(crate) fn parse_object(text: &[u8]) -> Result<Map<String, Value>, Error> {
    match jose::json::parse_strict(text, "JSON body") {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(Error::body("a JSON object", json_type(&other))),
        Err(jose::Error::DuplicateMember { name, .. }) => Err(Error::body(
            "a JSON object without duplicate member names",
            format!("{name:?} twice"),
        )),
        Err(jose::Error::Malformed { found, .. }) => Err(Error::body(
            "a JSON object",
            format!("invalid JSON ({found})"),
        )),
        Err(other) => Err(Error::body("a JSON object", other)),
    }
}

/// The JSON type of a value, for messages (numbers told apart: timestamps must be non-negative
/// integers).
pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_u64() => "a non-negative integer",
        Value::Number(n) if n.is_i64() => "a negative integer",
        Value::Number(_) => "a non-integer number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_rejected_at_any_depth() {
        assert!(matches!(
            parse_object(br#"{"request_id":"a","request_id":"b"}"#),
            Err(Error::MalformedBody { ref found, .. }) if found.contains("request_id")
        ));
        assert!(parse_object(br#"{"x":[{"b":1,"b":1}]}"#).is_err());
        assert!(parse_object(br#"{"a":{"a":1}}"#).is_ok());
    }

    #[test]
    fn non_objects_and_garbage() {
        assert!(parse_object(b"[1]").is_err());
        assert!(parse_object(b"{} x").is_err());
        assert!(parse_object(b"").is_err());
        assert!(parse_object(b" {\"a\":null} ").is_ok());
    }
}

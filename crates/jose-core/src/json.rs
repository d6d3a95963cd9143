//! Strict JSON parsing: duplicate member names are an error at any depth.
//!
//! Protocol crates use it too: a JSON body under a signature or inside a JWE should be read as
//! strictly as a JOSE header.

use crate::error::Error;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

/// Parses `text` as JSON, rejecting duplicate member names anywhere in it. `location` names the
/// document in errors ("JOSE header", "JWS JSON", ...).
pub fn parse_strict(text: &[u8], location: &'static str) -> Result<Value, Error> {
    let dup = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(text);
    let parsed = StrictSeed { dup: &dup }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    match parsed {
        Ok(v) => Ok(v),
        Err(e) => match dup.into_inner() {
            Some(name) => Err(Error::DuplicateMember { name, location }),
            None => Err(Error::malformed(location, "valid JSON", e)),
        },
    }
}

/// Parses `text` as a strict JSON object.
pub fn parse_object(text: &[u8], location: &'static str) -> Result<Map<String, Value>, Error> {
    match parse_strict(text, location)? {
        Value::Object(m) => Ok(m),
        other => Err(Error::malformed(
            location,
            "a JSON object",
            json_type(&other),
        )),
    }
}

/// The JSON type of a value, for messages.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[derive(Clone, Copy)]
struct StrictSeed<'a> {
    dup: &'a RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for StrictSeed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                let shown: String = key.chars().take(64).collect();
                *self.dup.borrow_mut() = Some(shown);
                return Err(de::Error::custom("duplicate member"));
            }
            let value = map.next_value_seed(self)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_rejected_at_any_depth() {
        assert!(matches!(
            parse_strict(br#"{"a":1,"a":2}"#, "t"),
            Err(Error::DuplicateMember { ref name, .. }) if name == "a"
        ));
        assert!(matches!(
            parse_strict(br#"{"x":[{"b":1,"b":1}]}"#, "t"),
            Err(Error::DuplicateMember { ref name, .. }) if name == "b"
        ));
        assert!(parse_strict(br#"{"a":{"a":1}}"#, "t").is_ok());
    }

    #[test]
    fn trailing_garbage_and_non_objects() {
        assert!(matches!(
            parse_strict(b"{} x", "t"),
            Err(Error::Malformed { .. })
        ));
        assert!(matches!(
            parse_object(b"[1]", "t"),
            Err(Error::Malformed { .. })
        ));
        assert!(parse_object(b" {\"a\":null} ", "t").is_ok());
    }
}

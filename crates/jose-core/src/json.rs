//! Strict JSON parsing: duplicate member names are an error at any depth.
//!
//! Protocol crates use it too: a JSON body under a signature or inside a JWE should be read as
//! strictly as a JOSE header.
//!
//! Member order: a [`Value`] object is a [`serde_json::Map`], which iterates sorted by name unless
//! some crate in the final build turns on serde_json's `preserve_order` feature. jose-core does not
//! turn it on (cargo unifies features, so that would change every `Map` in the application) and
//! never depends on it for output bytes: [`Header`] keeps its own member order, and
//! the JWS and JWE JSON serializations are written in a fixed order.

use crate::error::Error;
use crate::header::Header;
use indexmap::IndexMap;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

/// Parses `text` as JSON, rejecting duplicate member names anywhere in it. `location` names the
/// document in errors ("JOSE header", "JWS JSON", ...).
pub fn parse_strict(text: &[u8], location: &'static str) -> Result<Value, Error> {
    let dup = RefCell::new(None);
    run(text, location, StrictSeed { dup: &dup }, &dup)
}

/// Runs `seed` over the whole of `text`; a duplicate member recorded in `dup` becomes
/// [`Error::DuplicateMember`].
fn run<'a, S: DeserializeSeed<'a>>(
    text: &'a [u8],
    location: &'static str,
    seed: S,
    dup: &RefCell<Option<String>>,
) -> Result<S::Value, Error> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let parsed = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    parsed.map_err(|e| match dup.take() {
        Some(name) => Error::DuplicateMember { name, location },
        None => Error::malformed(location, "valid JSON", e),
    })
}

/// Parses `text` as a strict JSON object and keeps its members in document order (nested values
/// are [`Value`]s). Errors as [`parse_object`].
pub(crate) fn parse_ordered_object(
    text: &[u8],
    location: &'static str,
) -> Result<IndexMap<String, Value>, Error> {
    if text.trim_ascii_start().first() != Some(&b'{') {
        // Not an object: `parse_strict` says whether it is JSON at all, and of which type.
        let other = parse_strict(text, location)?;
        return Err(Error::malformed(
            location,
            "a JSON object",
            json_type(&other),
        ));
    }
    let dup = RefCell::new(None);
    run(text, location, ObjectSeed { dup: &dup }, &dup)
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

/// Parses `text` as a strict JSON object and hands each top-level member to `member`, in
/// document order, without building a map first (a JWT's claims go straight into their typed
/// fields). Nested values are strict [`Value`]s. `member` refuses a top-level name it has seen
/// before itself (with [`Error::DuplicateMember`]: only it knows what it kept), and any error it
/// returns stops the parse and is returned as it is.
pub(crate) fn for_each_member(
    text: &[u8],
    location: &'static str,
    member: &mut dyn FnMut(String, Value) -> Result<(), Error>,
) -> Result<(), Error> {
    if text.trim_ascii_start().first() != Some(&b'{') {
        let other = parse_strict(text, location)?;
        return Err(Error::malformed(
            location,
            "a JSON object",
            json_type(&other),
        ));
    }
    let dup = RefCell::new(None);
    let failed = RefCell::new(None);
    let seed = MemberSeed {
        dup: &dup,
        failed: &failed,
        member,
    };
    let outcome = run(text, location, seed, &dup);
    match failed.into_inner() {
        Some(error) => Err(error),
        None => outcome,
    }
}

/// The visitor of [`for_each_member`].
struct MemberSeed<'a, 'f> {
    dup: &'a RefCell<Option<String>>,
    failed: &'a RefCell<Option<Error>>,
    member: &'f mut dyn FnMut(String, Value) -> Result<(), Error>,
}

impl<'de> DeserializeSeed<'de> for MemberSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MemberSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let values = StrictSeed { dup: self.dup };
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(values)?;
            if let Err(error) = (self.member)(key, value) {
                *self.failed.borrow_mut() = Some(error);
                return Err(de::Error::custom("member refused"));
            }
        }
        Ok(())
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

/// A JSON value with duplicate member names refused at any depth; the first duplicate's name
/// (clipped) is recorded in `dup`.
#[derive(Clone, Copy)]
struct StrictSeed<'a> {
    dup: &'a RefCell<Option<String>>,
}

/// Records a duplicate member name in `dup` and returns the deserializer's error for it.
fn duplicate<E: de::Error>(dup: &RefCell<Option<String>>, key: &str) -> E {
    let shown: String = key.chars().take(64).collect();
    let error = E::custom(format_args!("duplicate member {shown:?}"));
    *dup.borrow_mut() = Some(shown);
    error
}

/// A strict JSON object (as [`StrictSeed`]) whose members keep their document order.
#[derive(Clone, Copy)]
pub(crate) struct ObjectSeed<'a> {
    pub(crate) dup: &'a RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_> {
    type Value = IndexMap<String, Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_> {
    type Value = IndexMap<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = IndexMap::new();
        let values = StrictSeed { dup: self.dup };
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(duplicate(self.dup, &key));
            }
            let value = map.next_value_seed(values)?;
            out.insert(key, value);
        }
        Ok(out)
    }
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
                return Err(duplicate(self.dup, &key));
            }
            let value = map.next_value_seed(self)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// A JSON object written with its members in the order they were added, whatever serde_json's
/// features: the JWS and JWE JSON serializations. (A [`Map`] would write them sorted by name, or in
/// insertion order if the application turned on `preserve_order`.)
#[derive(Debug, Default)]
pub(crate) struct Object(Vec<(&'static str, Member)>);

/// A member value of an [`Object`].
#[derive(Debug)]
pub(crate) enum Member {
    /// A plain value (a string, in practice).
    Value(Value),
    /// A JOSE header, in its own member order.
    Header(Header),
    /// An array of objects (JWS `signatures`, JWE `recipients`).
    Objects(Vec<Object>),
}

impl From<Value> for Member {
    fn from(value: Value) -> Self {
        Member::Value(value)
    }
}

impl From<Header> for Member {
    fn from(header: Header) -> Self {
        Member::Header(header)
    }
}

impl From<Vec<Object>> for Member {
    fn from(objects: Vec<Object>) -> Self {
        Member::Objects(objects)
    }
}

impl Object {
    /// An empty object.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Appends a member (the callers never repeat a name).
    pub(crate) fn insert(&mut self, name: &'static str, value: impl Into<Member>) {
        self.0.push((name, value.into()));
    }

    /// Compact JSON, members in the order they were added.
    pub(crate) fn to_json(&self) -> String {
        // Strings, `Value`s and headers (string keys) always serialize.
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Serialize for Object {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, member) in &self.0 {
            match member {
                Member::Value(value) => map.serialize_entry(name, value)?,
                Member::Header(header) => map.serialize_entry(name, header)?,
                Member::Objects(objects) => map.serialize_entry(name, objects)?,
            }
        }
        map.end()
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
        assert!(matches!(
            parse_ordered_object(br#"{"z":1,"a":{"b":1,"b":2}}"#, "t"),
            Err(Error::DuplicateMember { ref name, .. }) if name == "b"
        ));
        assert!(matches!(
            parse_ordered_object(br#"{"z":1,"z":2}"#, "t"),
            Err(Error::DuplicateMember { ref name, .. }) if name == "z"
        ));
    }

    #[test]
    fn ordered_objects_keep_document_order() {
        let members = parse_ordered_object(br#" {"z":1,"a":2,"m":{"y":0,"b":0}} "#, "t").unwrap();
        assert_eq!(
            members.keys().map(String::as_str).collect::<Vec<_>>(),
            ["z", "a", "m"]
        );
        assert!(matches!(
            parse_ordered_object(b"[1]", "t"),
            Err(Error::Malformed { ref found, .. }) if found == "an array"
        ));
        assert!(matches!(
            parse_ordered_object(b"{\"a\":1} x", "t"),
            Err(Error::Malformed { .. })
        ));
        assert!(matches!(
            parse_ordered_object(b"nul", "t"),
            Err(Error::Malformed { .. })
        ));
    }

    #[test]
    fn objects_are_written_in_insertion_order() {
        let mut header = Header::new();
        header.set("zeta", 1).set("alpha", 2);
        let mut inner = Object::new();
        inner.insert("signature", Value::from("s"));
        let mut obj = Object::new();
        obj.insert("payload", Value::from("p"));
        obj.insert("header", header);
        obj.insert("signatures", vec![inner]);
        assert_eq!(
            obj.to_json(),
            r#"{"payload":"p","header":{"zeta":1,"alpha":2},"signatures":[{"signature":"s"}]}"#
        );
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

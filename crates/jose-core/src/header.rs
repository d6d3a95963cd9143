//! JOSE headers: an ordered JSON object with typed accessors.

use crate::error::Error;
use crate::json;
use crate::limits::Limits;
use indexmap::IndexMap;
use serde::de::{Deserialize, DeserializeSeed, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};
use std::cell::RefCell;

/// A JOSE header (protected, shared unprotected or per-recipient): a JSON object whose member order
/// is kept, so a header serializes exactly as it was built or parsed. A JWS or JWE protected header
/// is signed or authenticated as serialized, and protocols fix its member order (TrueLayer:
/// `alg, kid, tl_version, tl_headers, jku`).
///
/// The order is the header's own: it does not depend on serde_json's `preserve_order` feature
/// (which jose-core leaves off). Values nested inside a member (an object in `jwk`, say) are
/// [`serde_json::Value`]s, whose objects follow [`serde_json::Map`]'s order.
///
/// ```
/// use jose_core::Header;
/// let mut h = Header::new();
/// h.set("typ", "JWT").set("cty", "application/json");
/// assert_eq!(h.to_json(), r#"{"typ":"JWT","cty":"application/json"}"#);
/// assert_eq!(h.get_str("typ").unwrap(), Some("JWT"));
/// ```
///
/// Two headers are equal when they have the same members, in any order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Header {
    members: IndexMap<String, Value>,
}

/// Header names that RFC 7515/7516 define; `crit` may not list them.
const REGISTERED: &[&str] = &[
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "enc", "zip",
];

impl Header {
    /// An empty header.
    pub fn new() -> Self {
        Self::default()
    }

    /// A header holding only `typ` (a JWT's explicit type, RFC 8725 section 3.11: `"at+jwt"`,
    /// `"dpop+jwt"`, `"oauth-authz-req+jwt"`...).
    pub fn with_typ(typ: &str) -> Self {
        let mut header = Self::new();
        header.set("typ", typ);
        header
    }

    /// Parses header JSON (the decoded protected header, or an unprotected one), rejecting duplicate
    /// member names and anything over `limits.max_header_len` bytes. The members keep their order.
    pub fn from_json_bytes(bytes: &[u8], limits: &Limits) -> Result<Self, Error> {
        Limits::check("JOSE header", limits.max_header_len, bytes.len())?;
        Ok(Header {
            members: json::parse_ordered_object(bytes, "JOSE header")?,
        })
    }

    /// Builds a header from a JSON object value, in the map's iteration order: sorted by name,
    /// unless the application's build turns on serde_json's `preserve_order` (then insertion
    /// order). To choose the order, use [`Header::set`], collect `(name, value)` pairs, or parse
    /// with [`Header::from_json_bytes`].
    pub fn from_map(members: Map<String, Value>) -> Self {
        members.into_iter().collect()
    }

    pub(crate) fn from_value(v: Value, what: &'static str) -> Result<Self, Error> {
        match v {
            Value::Object(members) => Ok(Self::from_map(members)),
            other => Err(Error::malformed(
                what,
                "a JSON object",
                json::json_type(&other),
            )),
        }
    }

    /// Compact JSON, members in order.
    pub fn to_json(&self) -> String {
        // String keys and `Value`s always serialize.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The members in order, as `(name, value)` pairs.
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.members.iter())
    }

    /// The number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// True when the header has no member.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// A member's value.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.members.get(name)
    }

    /// True if the member is present.
    pub fn contains(&self, name: &str) -> bool {
        self.members.contains_key(name)
    }

    /// Sets a member (replacing its value in place if present, else appending).
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<Value>) -> &mut Self {
        self.members.insert(name.into(), value.into());
        self
    }

    /// Removes a member; the others keep their order.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.members.shift_remove(name)
    }

    /// Member names in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.members.keys().map(String::as_str)
    }

    /// A string member: `Ok(None)` if absent, an error if present but not a string.
    pub fn get_str(&self, name: &str) -> Result<Option<&str>, Error> {
        match self.members.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(Error::InvalidHeader(format!(
                "\"{name}\" must be a string, found {}",
                json::json_type(other)
            ))),
        }
    }

    /// `alg`.
    pub fn alg(&self) -> Result<Option<&str>, Error> {
        self.get_str("alg")
    }

    /// `enc`.
    pub fn enc(&self) -> Result<Option<&str>, Error> {
        self.get_str("enc")
    }

    /// `kid`.
    pub fn kid(&self) -> Result<Option<&str>, Error> {
        self.get_str("kid")
    }

    /// `typ`.
    pub fn typ(&self) -> Result<Option<&str>, Error> {
        self.get_str("typ")
    }

    /// `cty`.
    pub fn cty(&self) -> Result<Option<&str>, Error> {
        self.get_str("cty")
    }

    /// `b64` (RFC 7797): `Ok(None)` if absent, an error if not a boolean.
    pub fn b64(&self) -> Result<Option<bool>, Error> {
        match self.members.get("b64") {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(Error::InvalidHeader(format!(
                "\"b64\" must be a boolean, found {}",
                json::json_type(other)
            ))),
        }
    }

    /// `crit`: `Ok(None)` if absent; otherwise a non-empty array of distinct strings that names no
    /// registered header parameter (RFC 7515 section 4.1.11).
    pub fn crit(&self) -> Result<Option<Vec<&str>>, Error> {
        let Some(v) = self.members.get("crit") else {
            return Ok(None);
        };
        let Value::Array(items) = v else {
            return Err(Error::InvalidHeader(format!(
                "\"crit\" must be an array of strings, found {}",
                json::json_type(v)
            )));
        };
        if items.is_empty() {
            return Err(Error::InvalidHeader("\"crit\" must not be empty".into()));
        }
        let mut names: Vec<&str> = Vec::with_capacity(items.len());
        for item in items {
            let Value::String(s) = item else {
                return Err(Error::InvalidHeader(format!(
                    "\"crit\" must contain strings only, found {}",
                    json::json_type(item)
                )));
            };
            if REGISTERED.contains(&s.as_str()) {
                return Err(Error::InvalidHeader(format!(
                    "\"crit\" must not list the registered parameter {s:?}"
                )));
            }
            if names.contains(&s.as_str()) {
                return Err(Error::InvalidHeader(format!("\"crit\" lists {s:?} twice")));
            }
            names.push(s);
        }
        Ok(Some(names))
    }
}

/// The members of a [`Header`] in order, as `(name, value)` pairs: see [`Header::iter`].
#[derive(Debug, Clone)]
pub struct Iter<'a>(indexmap::map::Iter<'a, String, Value>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a String, &'a Value);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Header {
    type Item = (&'a String, &'a Value);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// A header from `(name, value)` pairs, in their order; a repeated name keeps its first position
/// and its last value (as [`Header::set`]).
impl<N: Into<String>> FromIterator<(N, Value)> for Header {
    fn from_iter<I: IntoIterator<Item = (N, Value)>>(pairs: I) -> Self {
        let mut header = Header::new();
        for (name, value) in pairs {
            header.set(name, value);
        }
        header
    }
}

/// A JSON object, members in order.
impl Serialize for Header {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.members.len()))?;
        for (name, value) in &self.members {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// A JSON object, members in document order; a duplicate member name, at any depth, is an error.
/// No size limit applies here: [`Header::from_json_bytes`] checks one.
impl<'de> Deserialize<'de> for Header {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let dup = RefCell::new(None);
        let members = json::ObjectSeed { dup: &dup }.deserialize(deserializer)?;
        Ok(Header { members })
    }
}

/// The union of a protected header and up to two unprotected ones (JWE: shared and per-recipient),
/// with the rule that no name appears in more than one of them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Joint<'a> {
    pub(crate) protected: &'a Header,
    pub(crate) shared: Option<&'a Header>,
    pub(crate) recipient: Option<&'a Header>,
}

impl<'a> Joint<'a> {
    /// Checks the headers are disjoint.
    pub(crate) fn new(
        protected: &'a Header,
        shared: Option<&'a Header>,
        recipient: Option<&'a Header>,
    ) -> Result<Self, Error> {
        let parts: [Option<&Header>; 3] = [Some(protected), shared, recipient];
        for (i, a) in parts.iter().enumerate() {
            for b in parts.iter().skip(i + 1) {
                if let (Some(a), Some(b)) = (a, b) {
                    if let Some(name) = a.names().find(|n| b.contains(n)) {
                        return Err(Error::InvalidHeader(format!(
                            "header parameter {name:?} appears in more than one header (protected and unprotected headers must be disjoint)"
                        )));
                    }
                }
            }
        }
        Ok(Joint {
            protected,
            shared,
            recipient,
        })
    }

    fn iter(&self) -> impl Iterator<Item = &'a Header> {
        [Some(self.protected), self.shared, self.recipient]
            .into_iter()
            .flatten()
    }

    /// A string member from whichever header has it.
    pub(crate) fn get_str(&self, name: &str) -> Result<Option<&'a str>, Error> {
        for h in self.iter() {
            if let Some(v) = h.get_str(name)? {
                return Ok(Some(v));
            }
        }
        Ok(None)
    }

    /// A member from whichever header has it.
    pub(crate) fn get(&self, name: &str) -> Option<&'a Value> {
        self.iter().find_map(|h| h.get(name))
    }

    /// True if any header has the member.
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.iter().any(|h| h.contains(name))
    }

    /// The merged header, protected members first.
    pub(crate) fn merged(&self) -> Header {
        let mut out = Header::new();
        for h in self.iter() {
            for (k, v) in h {
                out.set(k.clone(), v.clone());
            }
        }
        out
    }

    /// Enforces `crit`: only in the protected header; every listed name understood (in
    /// `understood`) and present.
    pub(crate) fn check_crit(&self, understood: &[&str]) -> Result<(), Error> {
        for h in [self.shared, self.recipient].into_iter().flatten() {
            if h.contains("crit") {
                return Err(Error::InvalidHeader(
                    "\"crit\" must be in the protected header".into(),
                ));
            }
        }
        if let Some(names) = self.protected.crit()? {
            for name in names {
                if !understood.contains(&name) {
                    return Err(Error::InvalidHeader(format!(
                        "critical header parameter {name:?} is not understood"
                    )));
                }
                if !self.contains(name) {
                    return Err(Error::InvalidHeader(format!(
                        "critical header parameter {name:?} is listed in \"crit\" but absent"
                    )));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(json: &str) -> Header {
        Header::from_json_bytes(json.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn order_is_kept() {
        let hd = h(r#"{"alg":"ES512","kid":"k","tl_version":"2"}"#);
        assert_eq!(
            hd.to_json(),
            r#"{"alg":"ES512","kid":"k","tl_version":"2"}"#
        );
        // Not sorted by name: the header's own order, whatever serde_json's features.
        let mut built = Header::new();
        built
            .set("tl_version", "2")
            .set("kid", "k")
            .set("alg", "ES512")
            .set("kid", "k2");
        assert_eq!(
            built.to_json(),
            r#"{"tl_version":"2","kid":"k2","alg":"ES512"}"#
        );
        assert_eq!(built.remove("tl_version"), Some(Value::from("2")));
        assert_eq!(built.names().collect::<Vec<_>>(), ["kid", "alg"]);
        let collected: Header = [("z", Value::from(1)), ("a", Value::from(2))]
            .into_iter()
            .collect();
        assert_eq!(collected.to_json(), r#"{"z":1,"a":2}"#);
        assert_eq!(
            (&collected)
                .into_iter()
                .map(|(k, _)| k.as_str())
                .collect::<Vec<_>>(),
            ["z", "a"]
        );
        // Equality is by members, as for a JSON object.
        assert_eq!(collected, h(r#"{"a":2,"z":1}"#));
    }

    #[test]
    fn serde_keeps_order_and_refuses_duplicates() {
        let parsed: Header = serde_json::from_str(r#"{"zip":"x","alg":"A","b":{"c":1}}"#).unwrap();
        assert_eq!(parsed.to_json(), r#"{"zip":"x","alg":"A","b":{"c":1}}"#);
        assert_eq!(serde_json::to_string(&parsed).unwrap(), parsed.to_json());
        let dup = serde_json::from_str::<Header>(r#"{"a":1,"b":{"c":1,"c":2}}"#).unwrap_err();
        assert!(dup.to_string().contains("duplicate member \"c\""), "{dup}");
        assert!(serde_json::from_str::<Header>("[1]").is_err());
    }

    #[test]
    fn crit_rules() {
        assert!(h(r#"{"crit":[]}"#).crit().is_err());
        assert!(h(r#"{"crit":["alg"]}"#).crit().is_err());
        assert!(h(r#"{"crit":["x","x"]}"#).crit().is_err());
        assert!(h(r#"{"crit":"b64"}"#).crit().is_err());
        let p = h(r#"{"crit":["b64"],"b64":false}"#);
        assert!(
            Joint::new(&p, None, None)
                .unwrap()
                .check_crit(&["b64"])
                .is_ok()
        );
        assert!(Joint::new(&p, None, None).unwrap().check_crit(&[]).is_err());
        let missing = h(r#"{"crit":["exp"]}"#);
        assert!(
            Joint::new(&missing, None, None)
                .unwrap()
                .check_crit(&["exp"])
                .is_err()
        );
    }

    #[test]
    fn disjoint_rule() {
        let p = h(r#"{"alg":"RS256"}"#);
        let u = h(r#"{"alg":"RS256"}"#);
        assert!(Joint::new(&p, Some(&u), None).is_err());
        let u2 = h(r#"{"kid":"a"}"#);
        let j = Joint::new(&p, Some(&u2), None).unwrap();
        assert_eq!(j.get_str("kid").unwrap(), Some("a"));
        assert_eq!(j.merged().to_json(), r#"{"alg":"RS256","kid":"a"}"#);
    }

    #[test]
    fn limits_and_types() {
        let l = Limits {
            max_header_len: 4,
            ..Limits::default()
        };
        assert!(matches!(
            Header::from_json_bytes(b"{\"a\":1}", &l),
            Err(Error::LimitExceeded { .. })
        ));
        assert!(h(r#"{"alg":5}"#).alg().is_err());
        assert!(h(r#"{"b64":"false"}"#).b64().is_err());
    }
}

//! Terraform's dynamic values: types, values with null and unknown at any
//! depth, and their two wire encodings (msgpack for every answer, JSON for
//! stored state and the odd request), each in a module of its own
//! (`msgpack`, `json`) that adds its methods to [`Value`].
//!
//! Decoding never trusts its input: lengths are checked against the bytes
//! left, nesting is bounded, and every malformed input is a [`DecodeError`].

mod json;
mod msgpack;

use std::collections::BTreeMap;

/// A Terraform (cty) type.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Bool,
    Number,
    String,
    /// Any type; encoded on the wire together with its actual type.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

/// A Terraform value. Sets and tuples are held as `List`; the type says which.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    #[default]
    Null,
    Unknown,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DecodeError {
    #[error("unexpected end of input")]
    Eof,
    #[error("expected {expected}, found msgpack marker {found}")]
    Mismatch { expected: String, found: String },
    #[error("invalid UTF-8 in a string")]
    Utf8,
    #[error("object has no attribute {0:?}")]
    UnknownAttribute(String),
    #[error("values nest deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("{0} bytes left over after the value")]
    Trailing(usize),
    #[error("invalid JSON: {0}")]
    Json(String),
    #[error("invalid type description: {0}")]
    Type(String),
}

pub(crate) const MAX_DEPTH: usize = 64;

impl Type {
    /// The type in Terraform's JSON type notation, as the schema carries it.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{json, Value as J};
        match self {
            Type::Bool => J::from("bool"),
            Type::Number => J::from("number"),
            Type::String => J::from("string"),
            Type::Dynamic => J::from("dynamic"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Object(attrs) => {
                let m: serde_json::Map<String, J> = attrs.iter().map(|(k, t)| (k.clone(), t.to_json())).collect();
                json!(["object", m])
            }
            Type::Tuple(ts) => json!(["tuple", ts.iter().map(Type::to_json).collect::<Vec<_>>()]),
        }
    }

    /// Parses Terraform's JSON type notation.
    pub fn from_json(j: &serde_json::Value) -> Result<Type, DecodeError> {
        use serde_json::Value as J;
        let bad = || DecodeError::Type(j.to_string());
        match j {
            J::String(s) => match s.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                _ => Err(bad()),
            },
            J::Array(a) if a.len() >= 2 => {
                let inner = &a[1];
                match a[0].as_str().ok_or_else(bad)? {
                    "list" => Ok(Type::List(Box::new(Type::from_json(inner)?))),
                    "set" => Ok(Type::Set(Box::new(Type::from_json(inner)?))),
                    "map" => Ok(Type::Map(Box::new(Type::from_json(inner)?))),
                    "object" => {
                        let m = inner.as_object().ok_or_else(bad)?;
                        let mut attrs = BTreeMap::new();
                        for (k, v) in m {
                            attrs.insert(k.clone(), Type::from_json(v)?);
                        }
                        Ok(Type::Object(attrs))
                    }
                    "tuple" => {
                        let ts = inner.as_array().ok_or_else(bad)?;
                        Ok(Type::Tuple(ts.iter().map(Type::from_json).collect::<Result<_, _>>()?))
                    }
                    _ => Err(bad()),
                }
            }
            _ => Err(bad()),
        }
    }
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }
    /// Whether a nested block is there: `None` while that is not known yet.
    /// A `dynamic` block over a value known only at apply arrives as an
    /// unknown value, or as a placeholder object whose written attributes
    /// are unknown and the rest null. A written block whose every attribute
    /// is still unknown looks the same, and is judged once they are known.
    pub fn presence(&self) -> Option<bool> {
        match self {
            Value::Null => Some(false),
            Value::Unknown => None,
            Value::Object(m)
                if m.values().any(Value::is_unknown) && m.values().all(|v| v.is_unknown() || v.is_null()) =>
            {
                None
            }
            _ => Some(true),
        }
    }
    /// True when neither this value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) => v.iter().all(Value::is_wholly_known),
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// An object attribute; `Null` when this is not an object or lacks it.
    pub fn get(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self {
            Value::Object(m) => m.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }
    }
    /// The value at a dotted path of attributes (`basic.email`): each step
    /// as [`Value::get`], so `Null` where a step is missing.
    pub fn at(&self, dotted: &str) -> &Value {
        dotted.split('.').fold(self, |v, step| v.get(step))
    }
    /// Sets an object attribute; does nothing on a non-object.
    pub fn set(&mut self, name: &str, v: Value) {
        if let Value::Object(m) = self {
            // Most sets replace an attribute the schema already put there.
            match m.get_mut(name) {
                Some(slot) => *slot = v,
                None => {
                    m.insert(name.to_owned(), v);
                }
            }
        }
    }
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }
    /// `Some(s)` as a string value, `None` as null.
    pub fn opt_string(s: Option<impl Into<String>>) -> Value {
        s.map_or(Value::Null, |s| Value::String(s.into()))
    }

    /// A null value of `ty` with every attribute of an object present, as
    /// Terraform expects for absent nested blocks' parents.
    pub fn null_object(ty: &Type) -> Value {
        match ty {
            Type::Object(attrs) => Value::Object(attrs.keys().map(|k| (k.clone(), Value::Null)).collect()),
            _ => Value::Null,
        }
    }

    /// This value (a plan) wherever it is known, `fresh` (what the remote
    /// system answered) wherever it is unknown: the state an apply returns.
    /// Terraform requires every value known in the plan back unchanged, and
    /// a reviewed plan is a promise: a value that changed remotely since
    /// is the next refresh's drift, not this apply's answer.
    pub fn known_over(&self, fresh: &Value) -> Value {
        match (self, fresh) {
            (Value::Unknown, f) => f.clone(),
            (Value::Object(p), Value::Object(f)) => Value::Object(
                p.iter().map(|(k, v)| (k.clone(), f.get(k).map_or_else(|| v.clone(), |f| v.known_over(f)))).collect(),
            ),
            (Value::Map(p), Value::Map(f)) => Value::Map(
                p.iter().map(|(k, v)| (k.clone(), f.get(k).map_or_else(|| v.clone(), |f| v.known_over(f)))).collect(),
            ),
            (Value::List(p), Value::List(f)) if p.len() == f.len() => {
                Value::List(p.iter().zip(f).map(|(p, f)| p.known_over(f)).collect())
            }
            (p, _) => p.clone(),
        }
    }

    /// This value seen through `ty`: an object keeps the attributes `ty`
    /// has (missing ones null), nested objects and lists of them alike; a
    /// value of any other type is kept as it is. How a read-only view (a
    /// data source) shows the state of a richer schema without its secrets.
    pub fn project(&self, ty: &Type) -> Value {
        match (self, ty) {
            (Value::Object(m), Type::Object(attrs)) => Value::Object(
                attrs.iter().map(|(k, t)| (k.clone(), m.get(k).map_or(Value::Null, |v| v.project(t)))).collect(),
            ),
            (Value::List(items), Type::List(t)) => Value::List(items.iter().map(|i| i.project(t)).collect()),
            (v, _) => v.clone(),
        }
    }
}

/// The object of type `attrs` whose attributes were read into `out`: those
/// not read are null, as Terraform expects every attribute present.
pub(crate) fn complete_object(mut out: BTreeMap<String, Value>, attrs: &BTreeMap<String, Type>) -> Value {
    if out.len() < attrs.len() {
        for k in attrs.keys() {
            out.entry(k.clone()).or_insert(Value::Null);
        }
    }
    Value::Object(out)
}

/// A type with every kind of nesting, for the codecs' tests.
#[cfg(test)]
pub(crate) fn test_type() -> Type {
    let mut inner = BTreeMap::new();
    inner.insert("email".to_string(), Type::String);
    inner.insert("n".to_string(), Type::Number);
    let mut attrs = BTreeMap::new();
    attrs.insert("name".to_string(), Type::String);
    attrs.insert("ok".to_string(), Type::Bool);
    attrs.insert("basic".to_string(), Type::Object(inner.clone()));
    attrs.insert("tags".to_string(), Type::Set(Box::new(Type::String)));
    attrs.insert("labels".to_string(), Type::Map(Box::new(Type::String)));
    attrs.insert("items".to_string(), Type::List(Box::new(Type::Object(inner))));
    Type::Object(attrs)
}

#[cfg(test)]
mod known_over_tests {
    use super::*;

    #[test]
    fn the_plan_wins_where_it_is_known() {
        let mut planned = Value::Object(Default::default());
        planned.set("name", Value::string("stale b"));
        planned.set("updated_at", Value::Unknown);
        planned.set("tags", Value::List(vec![Value::string("a"), Value::Unknown]));
        let mut fresh = Value::Object(Default::default());
        fresh.set("name", Value::string("b renamed by hand"));
        fresh.set("updated_at", Value::string("now"));
        fresh.set("tags", Value::List(vec![Value::string("x"), Value::string("y")]));
        let s = planned.known_over(&fresh);
        assert_eq!(s.get("name").as_str(), Some("stale b"));
        assert_eq!(s.get("updated_at").as_str(), Some("now"));
        assert_eq!(s.get("tags"), &Value::List(vec![Value::string("a"), Value::string("y")]));
        assert_eq!(Value::Unknown.known_over(&fresh), fresh);
    }
}

//! Stored state (JSON) read straight into a [`Value`] against its type, in
//! one pass and without an intermediate `serde_json::Value`: every refresh
//! and plan reads each resource's stored state once, so this is on the hot
//! path. A `dynamic` value carries its type beside it (`{"type": ..,
//! "value": ..}`, in either order), so it alone is buffered, then read by the
//! same rules.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::{complete_object, DecodeError, Type, Value, MAX_DEPTH};

/// JSON bytes as a value of `ty`; attributes the type lacks are dropped,
/// those it has but the JSON lacks are null.
pub(super) fn from_slice(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    let json_error = |e: serde_json::Error| DecodeError::Json(e.to_string());
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let v = Seed { ty, depth: 0 }.deserialize(&mut de).map_err(json_error)?;
    de.end().map_err(json_error)?;
    Ok(v)
}

#[derive(Clone, Copy)]
struct Seed<'t> {
    ty: &'t Type,
    depth: usize,
}

impl<'t> Seed<'t> {
    fn inner(self, ty: &'t Type) -> Seed<'t> {
        Seed { ty, depth: self.depth + 1 }
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        if self.depth > MAX_DEPTH {
            return Err(de::Error::custom(DecodeError::TooDeep));
        }
        if let Type::Dynamic = self.ty {
            let j = serde_json::Value::deserialize(d)?;
            return self.dynamic(&j).map_err(de::Error::custom);
        }
        d.deserialize_any(self)
    }
}

impl Seed<'_> {
    /// A buffered `dynamic` value: its type, then its value read as that.
    fn dynamic(self, j: &serde_json::Value) -> Result<Value, DecodeError> {
        let pair = match j {
            serde_json::Value::Null => return Ok(Value::Null),
            serde_json::Value::Object(pair) => pair,
            _ => return Err(DecodeError::Json(format!("expected a dynamic value (type and value), found {j}"))),
        };
        let ty = pair
            .get("type")
            .ok_or_else(|| DecodeError::Json(format!("expected a dynamic value (type and value), found {j}")))?;
        let ty = Type::from_json(ty)?;
        let value = pair.get("value").unwrap_or(&serde_json::Value::Null);
        self.inner(&ty).deserialize(value).map_err(|e| DecodeError::Json(e.to_string()))
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a value of type {:?}", self.ty)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        match self.ty {
            Type::Bool => Ok(Value::Bool(b)),
            Type::String => Ok(Value::String(b.to_string())),
            _ => Err(de::Error::invalid_type(de::Unexpected::Bool(b), &self)),
        }
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        self.number(n.into(), n as f64)
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        self.number(n.into(), n as f64)
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
        match serde_json::Number::from_f64(n) {
            Some(j) => self.number(j, n),
            None => Err(de::Error::invalid_value(de::Unexpected::Float(n), &self)),
        }
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        match self.ty {
            Type::String => Ok(Value::String(s.to_owned())),
            Type::Number => {
                s.parse().map(Value::Number).map_err(|_| de::Error::invalid_value(de::Unexpected::Str(s), &self))
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Str(s), &self)),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        match self.ty {
            Type::List(t) | Type::Set(t) => {
                while let Some(v) = seq.next_element_seed(self.inner(t))? {
                    items.push(v);
                }
            }
            Type::Tuple(ts) => {
                for t in ts {
                    match seq.next_element_seed(self.inner(t))? {
                        Some(v) => items.push(v),
                        None => return Err(de::Error::invalid_length(items.len(), &self)),
                    }
                }
                if seq.next_element::<IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(ts.len() + 1, &self));
                }
            }
            _ => return Err(de::Error::invalid_type(de::Unexpected::Seq, &self)),
        }
        Ok(Value::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        match self.ty {
            Type::Map(t) => {
                let mut out = BTreeMap::new();
                while let Some(k) = map.next_key::<String>()? {
                    out.insert(k, map.next_value_seed(self.inner(t))?);
                }
                Ok(Value::Map(out))
            }
            Type::Object(attrs) => {
                let mut out = BTreeMap::new();
                while let Some(attr) = map.next_key_seed(AttrName(attrs))? {
                    match attr {
                        Some((name, t)) => {
                            out.insert(name.clone(), map.next_value_seed(self.inner(t))?);
                        }
                        // Attributes the current schema no longer has are
                        // dropped: that is what a state upgrade to it means.
                        None => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(complete_object(out, attrs))
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

impl Seed<'_> {
    fn number<E: de::Error>(self, j: serde_json::Number, n: f64) -> Result<Value, E> {
        match self.ty {
            Type::Number => Ok(Value::Number(n)),
            Type::String => Ok(Value::String(j.to_string())),
            _ => Err(de::Error::invalid_type(de::Unexpected::Float(n), &self)),
        }
    }
}

/// An object key, looked up in the schema without allocating: the schema's
/// own name and type, or `None` for an attribute the schema does not have.
struct AttrName<'t>(&'t BTreeMap<String, Type>);

impl<'de, 't> DeserializeSeed<'de> for AttrName<'t> {
    type Value = Option<(&'t String, &'t Type)>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, 't> Visitor<'de> for AttrName<'t> {
    type Value = Option<(&'t String, &'t Type)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an attribute name")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(self.0.get_key_value(s))
    }
}

impl Value {
    pub fn from_json_bytes(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
        from_slice(bytes, ty)
    }

    /// JSON for people and tests; unknowns become null.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null | Value::Unknown => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => {
                if n.fract() == 0.0 && n.abs() < 9.0e15 {
                    J::from(*n as i64)
                } else {
                    serde_json::Number::from_f64(*n).map_or(J::Null, J::Number)
                }
            }
            Value::String(s) => J::String(s.clone()),
            Value::List(v) => J::Array(v.iter().map(Value::to_json).collect()),
            Value::Map(m) | Value::Object(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Unknown => f.write_str("(known after apply)"),
            other => write!(f, "{}", other.to_json()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty() -> Type {
        Type::Object(BTreeMap::from([
            ("n".to_string(), Type::Number),
            ("s".to_string(), Type::String),
            ("b".to_string(), Type::Bool),
            ("l".to_string(), Type::List(Box::new(Type::String))),
            ("m".to_string(), Type::Map(Box::new(Type::Number))),
            ("t".to_string(), Type::Tuple(vec![Type::String, Type::Number])),
            ("d".to_string(), Type::Dynamic),
            ("o".to_string(), Type::Object(BTreeMap::from([("x".to_string(), Type::String)]))),
        ]))
    }

    /// An object of `ty()` with these attributes, the rest null.
    fn obj(set: &[(&str, Value)]) -> Value {
        let mut v = Value::null_object(&ty());
        for (k, x) in set {
            v.set(k, x.clone());
        }
        v
    }

    fn s(x: &str) -> Value {
        Value::string(x)
    }

    /// What stored state reads as (these answers are those of the earlier
    /// reader, which went through `serde_json::Value`).
    #[test]
    fn reads_state_by_the_type() {
        use Value::{List, Number};
        let ok: Vec<(&str, Value)> = vec![
            (
                r#"{"n":1,"s":"a","b":true,"l":["x","y"],"m":{"k":2.5},"t":["a",3],"d":{"type":"string","value":"v"},"o":{"x":"y","gone":[1]}}"#,
                obj(&[
                    ("n", Number(1.0)),
                    ("s", s("a")),
                    ("b", Value::Bool(true)),
                    ("l", List(vec![s("x"), s("y")])),
                    ("m", Value::Map(BTreeMap::from([("k".to_string(), Number(2.5))]))),
                    ("t", List(vec![s("a"), Number(3.0)])),
                    ("d", s("v")),
                    ("o", Value::Object(BTreeMap::from([("x".to_string(), s("y"))]))),
                ]),
            ),
            (r#"{"n":"12.5","s":7,"gone":{"deep":[1,2,{"a":null}]}}"#, obj(&[("n", Number(12.5)), ("s", s("7"))])),
            (r#"{"s":false,"n":-3,"l":null,"o":null}"#, obj(&[("n", Number(-3.0)), ("s", s("false"))])),
            (
                r#"{"s":1.5e300,"n":18446744073709551615}"#,
                obj(&[("n", Number(1.8446744073709552e19)), ("s", s("1.5e+300"))]),
            ),
            (r#"{"s":"\u00e9\"","n":1,"n":2}"#, obj(&[("n", Number(2.0)), ("s", s("é\""))])),
            ("{}", obj(&[])),
            ("null", Value::Null),
            (
                r#"{"d":{"type":["object",{"x":"string"}],"value":{"x":"y"}}}"#,
                obj(&[("d", Value::Object(BTreeMap::from([("x".to_string(), s("y"))])))]),
            ),
            (
                r#"{"d":{"value":[1,"2"],"type":["list","number"]}}"#,
                obj(&[("d", List(vec![Number(1.0), Number(2.0)]))]),
            ),
            (r#"{"d":null}"#, obj(&[])),
        ];
        for (case, want) in ok {
            assert_eq!(from_slice(case.as_bytes(), &ty()), Ok(want), "{case}");
        }
        let bad = [
            r#"{"t":["a"]}"#,
            r#"{"t":["a",1,2]}"#,
            r#"{"n":true}"#,
            r#"{"l":"x"}"#,
            r#"{"n":"x"}"#,
            r#"{"d":{"value":1}}"#,
            r#"{"d":{"type":"number","value":"x"}}"#,
            r#"[1]"#,
            r#"{"s":"a"} x"#,
            r#"{"s":"#,
        ];
        for case in bad {
            assert!(from_slice(case.as_bytes(), &ty()).is_err(), "{case}");
        }
    }
    #[test]
    fn json_state_decodes_with_missing_and_extra_attributes() {
        let ty = super::super::test_type();
        let v = Value::from_json_bytes(br#"{"name":"n","gone":1,"basic":{"email":"e"}}"#, &ty).unwrap();
        assert_eq!(v.get("name"), &Value::string("n"));
        assert_eq!(v.get("ok"), &Value::Null);
        assert_eq!(v.get("basic").get("email"), &Value::string("e"));
    }

    #[test]
    fn type_json_round_trip() {
        let ty = super::super::test_type();
        assert_eq!(Type::from_json(&ty.to_json()).unwrap(), ty);
    }
}

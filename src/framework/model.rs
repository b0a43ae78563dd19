//! Typed models: a resource reads its configuration, plan and state into one
//! Rust struct per schema and writes its state from one, so an attribute is
//! named once (the field) and a misspelt one fails to compile.
//!
//! [`crate::model!`] declares such a struct and derives both directions by
//! field name. Fields are [`FromValue`] + [`IntoValue`]: `String`, `i64`,
//! `f64`, `bool`, `Vec<String>`, [`Secret`], another model, and `Option` of
//! any of these (null or unknown is `None`).

use super::Value;
use crate::secret::Secret;

/// Why a value does not fit its model: the attribute and the problem.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelError {
    pub path: String,
    pub problem: String,
}

impl ModelError {
    pub fn new(problem: &str) -> Self {
        ModelError { path: String::new(), problem: problem.to_string() }
    }
    /// The same error, one attribute further out.
    pub fn at(mut self, name: &str) -> Self {
        self.path = if self.path.is_empty() { name.to_string() } else { format!("{name}.{}", self.path) };
        self
    }
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.path, self.problem)
    }
}

/// Reads a Rust value out of a Terraform value.
pub trait FromValue: Sized {
    fn from_value(v: &Value) -> Result<Self, ModelError>;
}

/// Writes a Rust value as a Terraform value.
pub trait IntoValue {
    fn into_value(self) -> Value;
}

fn known(v: &Value) -> Result<&Value, ModelError> {
    match v {
        Value::Null => Err(ModelError::new("is null")),
        Value::Unknown => Err(ModelError::new("is not known yet")),
        v => Ok(v),
    }
}

impl FromValue for String {
    fn from_value(v: &Value) -> Result<Self, ModelError> {
        known(v)?.as_str().map(String::from).ok_or_else(|| ModelError::new("is not a string"))
    }
}
impl IntoValue for String {
    fn into_value(self) -> Value {
        Value::String(self)
    }
}

impl FromValue for Secret {
    fn from_value(v: &Value) -> Result<Self, ModelError> {
        String::from_value(v).map(Secret::new)
    }
}
impl IntoValue for Secret {
    fn into_value(self) -> Value {
        Value::string(self.expose())
    }
}

impl FromValue for f64 {
    fn from_value(v: &Value) -> Result<Self, ModelError> {
        known(v)?.as_f64().ok_or_else(|| ModelError::new("is not a number"))
    }
}
impl IntoValue for f64 {
    fn into_value(self) -> Value {
        Value::Number(self)
    }
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> Result<Self, ModelError> {
        let n = f64::from_value(v)?;
        if n.fract() == 0.0 && n.abs() < 9.0e15 {
            Ok(n as i64)
        } else {
            Err(ModelError::new("is not a whole number"))
        }
    }
}
impl IntoValue for i64 {
    fn into_value(self) -> Value {
        Value::Number(self as f64)
    }
}

impl FromValue for bool {
    fn from_value(v: &Value) -> Result<Self, ModelError> {
        known(v)?.as_bool().ok_or_else(|| ModelError::new("is not a bool"))
    }
}
impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
}

impl FromValue for Vec<String> {
    fn from_value(v: &Value) -> Result<Self, ModelError> {
        match known(v)? {
            Value::List(items) => items.iter().map(String::from_value).collect(),
            _ => Err(ModelError::new("is not a list")),
        }
    }
}
impl IntoValue for Vec<String> {
    fn into_value(self) -> Value {
        Value::List(self.into_iter().map(Value::String).collect())
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Result<Self, ModelError> {
        match v {
            Value::Null | Value::Unknown => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}
impl<T: IntoValue> IntoValue for Option<T> {
    fn into_value(self) -> Value {
        self.map_or(Value::Null, IntoValue::into_value)
    }
}

/// A value that may be null or not known yet: what a configuration at
/// validate or a plan holds, and `Option<T>` cannot tell apart (it reads
/// both as `None`).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Known<T> {
    #[default]
    Null,
    Unknown,
    Value(T),
}

impl<T> Known<T> {
    /// The value, when there is one and it is known.
    pub fn value(&self) -> Option<&T> {
        match self {
            Known::Value(v) => Some(v),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Known::Null)
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Known::Unknown)
    }
}

impl<T: FromValue> FromValue for Known<T> {
    fn from_value(v: &Value) -> Result<Self, ModelError> {
        match v {
            Value::Null => Ok(Known::Null),
            Value::Unknown => Ok(Known::Unknown),
            v => T::from_value(v).map(Known::Value),
        }
    }
}
impl<T: IntoValue> IntoValue for Known<T> {
    fn into_value(self) -> Value {
        match self {
            Known::Null => Value::Null,
            Known::Unknown => Value::Unknown,
            Known::Value(v) => v.into_value(),
        }
    }
}

/// Declares a model struct and its [`FromValue`] / [`IntoValue`] by field
/// name, plus `ATTRIBUTES`, the names in order (a test holds the schema to
/// them).
#[macro_export]
macro_rules! model {
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $($(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        $vis struct $name { $($(#[$fmeta])* $fvis $field: $ty),* }

        impl $name {
            /// The attribute names, one per field.
            #[allow(dead_code)]
            pub const ATTRIBUTES: &'static [&'static str] = &[$(stringify!($field)),*];
        }

        impl $crate::framework::model::FromValue for $name {
            fn from_value(v: &$crate::framework::Value) -> Result<Self, $crate::framework::model::ModelError> {
                if !matches!(v, $crate::framework::Value::Object(_)) {
                    return Err($crate::framework::model::ModelError::new("is not an object"));
                }
                Ok($name {
                    $($field: $crate::framework::model::FromValue::from_value(v.get(stringify!($field)))
                        .map_err(|e| e.at(stringify!($field)))?),*
                })
            }
        }

        impl $crate::framework::model::IntoValue for $name {
            fn into_value(self) -> $crate::framework::Value {
                $crate::framework::Value::Object(
                    [$((stringify!($field).to_string(), $crate::framework::model::IntoValue::into_value(self.$field))),*]
                        .into_iter()
                        .collect(),
                )
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::model! {
        #[derive(Debug, Clone, PartialEq)]
        struct Inner { mode: Option<String> }
    }
    crate::model! {
        #[derive(Debug, Clone, PartialEq)]
        struct Outer { name: String, count: Option<i64>, tags: Vec<String>, inner: Option<Inner>, token: Option<Secret> }
    }

    #[test]
    fn round_trips_by_field_name() {
        let o = Outer {
            name: "n".into(),
            count: Some(3),
            tags: vec!["a".into()],
            inner: Some(Inner { mode: None }),
            token: Some(Secret::new("s")),
        };
        let v = o.clone().into_value();
        assert_eq!(v.get("inner").get("mode"), &Value::Null);
        assert_eq!(v.get("count"), &Value::Number(3.0));
        assert_eq!(Outer::from_value(&v).unwrap(), o);
        assert_eq!(Outer::ATTRIBUTES, ["name", "count", "tags", "inner", "token"]);
    }

    #[test]
    fn known_keeps_null_and_unknown_apart() {
        for v in [Value::Null, Value::Unknown, Value::string("x")] {
            let k = Known::<String>::from_value(&v).unwrap();
            assert_eq!(k.clone().into_value(), v, "round trip");
            assert_eq!((k.is_null(), k.is_unknown()), (v.is_null(), v.is_unknown()));
        }
        assert_eq!(Known::<String>::from_value(&Value::string("x")).unwrap().value().map(String::as_str), Some("x"));
        assert!(Known::<i64>::from_value(&Value::string("x")).is_err(), "a wrong type is an error, not null");
    }

    #[test]
    fn says_which_attribute_does_not_fit() {
        let mut v = Outer { name: "n".into(), count: None, tags: vec![], inner: None, token: None }.into_value();
        v.set("name", Value::Unknown);
        assert_eq!(Outer::from_value(&v).unwrap_err().to_string(), "name is not known yet");
        v.set("name", Value::string("n"));
        v.set("count", Value::Number(1.5));
        assert_eq!(Outer::from_value(&v).unwrap_err().to_string(), "count is not a whole number");
        v.set("count", Value::Unknown);
        assert_eq!(Outer::from_value(&v).unwrap().count, None, "unknown optional is None");
        let mut inner = Value::Object(Default::default());
        inner.set("mode", Value::Bool(true));
        v.set("inner", inner);
        assert_eq!(Outer::from_value(&v).unwrap_err().to_string(), "inner.mode is not a string");
    }
}

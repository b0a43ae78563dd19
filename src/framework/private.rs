//! A resource's private state: what it keeps beside the state, never shown
//! to people and never a secret, under typed keys. Terraform stores it as
//! bytes and hands it back at the next plan, apply and read; here it is a
//! JSON object whose members each resource reads and writes through a
//! [`Key`] that names the member and its type, so that a typo or a wrong
//! type does not compile and two concerns never share a member by accident.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// A member of the private state, with the type it holds.
pub struct Key<T> {
    name: &'static str,
    holds: PhantomData<fn() -> T>,
}

impl<T> Key<T> {
    pub const fn new(name: &'static str) -> Self {
        Key { name, holds: PhantomData }
    }
}

/// The private state of one resource instance.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PrivateState(serde_json::Map<String, serde_json::Value>);

impl PrivateState {
    /// What Terraform handed back. Bytes that are not a JSON object (none
    /// yet, or written by another program) read as empty: private state is
    /// a memory, and losing one costs at most a repeated request.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        match serde_json::from_slice::<serde_json::Value>(bytes) {
            Ok(serde_json::Value::Object(m)) => PrivateState(m),
            _ => PrivateState::default(),
        }
    }

    /// What to hand to Terraform: nothing when empty.
    pub fn to_bytes(&self) -> Vec<u8> {
        if self.0.is_empty() {
            return Vec::new();
        }
        serde_json::to_vec(&self.0).unwrap_or_default()
    }

    /// The member `key` names; none when absent, null, or not of its type.
    pub fn get<T: DeserializeOwned>(&self, key: &Key<T>) -> Option<T> {
        self.0.get(key.name).filter(|v| !v.is_null()).and_then(|v| T::deserialize(v).ok())
    }

    /// Sets the member `key` names; `None` removes it.
    pub fn set<T: Serialize>(&mut self, key: &Key<T>, value: Option<&T>) {
        match value.and_then(|v| serde_json::to_value(v).ok()) {
            Some(v) => {
                self.0.insert(key.name.to_string(), v);
            }
            None => {
                self.0.remove(key.name);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERSION: Key<f64> = Key::new("secret_version");
    const NOTE: Key<String> = Key::new("note");

    #[test]
    fn members_are_typed_kept_and_removed() {
        let mut p = PrivateState::default();
        assert!(p.to_bytes().is_empty() && p.get(&VERSION).is_none());
        p.set(&VERSION, Some(&3.0));
        p.set(&NOTE, Some(&"kept".to_string()));
        let back = PrivateState::from_bytes(&p.to_bytes());
        assert_eq!((back.get(&VERSION), back.get(&NOTE).as_deref()), (Some(3.0), Some("kept")));
        // A member of another type reads as absent, not as a wrong value.
        let wrong: Key<bool> = Key::new("note");
        assert_eq!(back.get(&wrong), None);
        let mut back = back;
        back.set(&NOTE, None);
        assert_eq!(back.get(&NOTE), None);
        // What earlier versions wrote (a JSON object, nulls included) reads
        // the same; anything else reads as empty.
        let earlier = PrivateState::from_bytes(br#"{"secret_version":2.0,"drift":null}"#);
        assert_eq!(earlier.get(&VERSION), Some(2.0));
        assert!(PrivateState::from_bytes(b"not json").is_empty());
        assert!(PrivateState::from_bytes(b"[1]").is_empty());
    }
}

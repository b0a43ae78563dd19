//! A string that must never be printed: API tokens, passwords, client secrets.

use std::fmt;

/// Holds a secret. `Debug` and `Display` print `***`; the only way to the
/// text is [`Secret::expose`], which is greppable on purpose.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

thread_local! {
    /// Set while [`without_secrets`] runs on this thread.
    static LEFT_OUT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with every [`Secret`] it serializes written as null: how a
/// digest of a request sees it, whichever fields of whichever kind hold
/// secrets.
pub fn without_secrets<T>(f: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            LEFT_OUT.with(|l| l.set(self.0));
        }
    }
    let _restore = Restore(LEFT_OUT.with(|l| l.replace(true)));
    f()
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if LEFT_OUT.with(std::cell::Cell::get) {
            return s.serialize_none();
        }
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn never_formats_its_text() {
        let s = Secret::new("hunter2-token");
        assert_eq!(format!("{s} {s:?} {:?}", Some(&s)), "*** *** Some(***)");
        assert_eq!(s.expose(), "hunter2-token");
    }

    #[test]
    fn is_left_out_of_a_digest_only() {
        let s = Secret::new("hunter2-token");
        let digest = super::without_secrets(|| serde_json::to_string(&s).unwrap());
        assert_eq!(digest, "null");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"hunter2-token\"");
    }
}

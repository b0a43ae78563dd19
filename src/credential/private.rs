//! What a credential resource remembers beside its state, in the
//! resource's private state: the secret version it last wrote, what the
//! last refresh found changed, and the fingerprint of the write-only secret
//! last sent. Never a secret. Each is a member under its typed key, so
//! that what earlier versions wrote (the same members) reads the same.

use super::drift::Drift;
use super::secret::Fingerprint;
use crate::framework::{Key, PrivateState};

/// What the provider remembers beside the state, each under its key of
/// the resource's private state: the secret version it last wrote or
/// adopted, what the last refresh found changed, the fingerprint of the
/// write-only secret last sent. Never a secret.
#[derive(Default)]
pub struct Private {
    pub secret_version: Option<f64>,
    /// What the last refresh found changed outside Terraform, for the plan
    /// to put in words; gone once an apply writes the credential.
    pub drift: Option<Drift>,
    /// The write-only secret last sent, as a [`Fingerprint`].
    pub fingerprint: Option<Fingerprint>,
}

const SECRET_VERSION: Key<f64> = Key::new("secret_version");
const DRIFT: Key<Drift> = Key::new("drift");
const FINGERPRINT: Key<Fingerprint> = Key::new("fingerprint");

impl Private {
    pub fn load(private: &PrivateState) -> Private {
        Private {
            secret_version: private.get(&SECRET_VERSION),
            drift: private.get(&DRIFT),
            fingerprint: private.get(&FINGERPRINT),
        }
    }
    /// Writes these members into `private`, removing those that are none.
    pub fn save(&self, private: &mut PrivateState) {
        private.set(&SECRET_VERSION, self.secret_version.as_ref());
        private.set(&DRIFT, self.drift.as_ref());
        private.set(&FINGERPRINT, self.fingerprint.as_ref());
    }
    /// After a write that sent the secret (now at `secret_version`), with
    /// the fingerprint of a write-only one.
    pub fn store(private: &mut PrivateState, secret_version: i64, fingerprint: Option<Fingerprint>) {
        Private { secret_version: Some(secret_version as f64), drift: None, fingerprint }.save(private);
    }
    /// After an update whose credential now has `version`: the version
    /// that holds the configured secret. Sent now, it is `version`; not
    /// sent, and `replaced` in Oomnitza since the plan, the one remembered
    /// before, so that the next plan sees the replacement and sends the
    /// secret again.
    /// `fingerprint` is that of the secret sent; one not sent keeps its own.
    pub fn after_update(
        private: &mut PrivateState,
        sent: bool,
        replaced: bool,
        version: i64,
        fingerprint: Option<Fingerprint>,
    ) {
        let before = Private::load(private);
        let fingerprint = if sent { fingerprint } else { before.fingerprint };
        match before.secret_version {
            Some(v) if replaced && !sent => Private { secret_version: Some(v), drift: None, fingerprint }.save(private),
            _ => Private::store(private, version, fingerprint),
        }
    }
}

//! A credential's secret (a Jira API token, an OAuth client secret, an API
//! key): where the configuration holds it, and when a plan must send it
//! again.
//!
//! Oomnitza never answers a secret, so a change made outside Terraform is
//! seen through `secret_version`: the version this provider last wrote is
//! kept in private state, and when the server's differs, the plan re-sends
//! the secret from the configuration.
//!
//! A write-only secret changed in the configuration without a new
//! `_wo_version` is seen through a [`Fingerprint`] of the one last sent,
//! also in private state (unless the provider's `write_only_fingerprints`
//! is false).

use serde::{Deserialize, Serialize};

use super::private::Private;
use crate::framework::validate::ConflictsWith;
use crate::framework::{AttrPath, Attribute, Diagnostics, Value};
use crate::secret::Secret;

/// The attributes of a secret: the stored form, the write-only form, and
/// the version that makes Terraform send the write-only one.
pub struct SecretAttrs {
    /// What a person calls it, for diagnostics.
    pub noun: &'static str,
    /// The nested block that holds them; `""` for the top level.
    pub block: &'static str,
    pub value: &'static str,
    pub wo: &'static str,
    pub version: &'static str,
    /// After an import, the configured secret is taken to be the stored
    /// one instead of being sent (sending would break something, such as
    /// a working OAuth authorization).
    pub trust_after_import: bool,
    /// A person chose it (a password), so its fingerprint is a slow
    /// derivation ([`Fingerprint::slow`]) rather than a fast MAC.
    pub chosen: bool,
}

/// A fingerprint of a write-only secret: HMAC-SHA256 keyed with 16 random
/// bytes drawn for each send (the salt), over the secret. Whoever reads the
/// state learns the salt and the MAC; getting the secret back means trying
/// candidates one by one, which is hopeless for the long random strings
/// Atlassian API tokens, OAuth client secrets and API keys are. A secret a
/// person chose, such as a password, is guessable that way, so its
/// fingerprint is PBKDF2-HMAC-SHA256 over [`SLOW_ROUNDS`] rounds instead
/// ([`Fingerprint::slow`]): every guess costs what a plan pays once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fingerprint {
    salt: String,
    mac: String,
    /// PBKDF2's rounds; none for the fast MAC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rounds: Option<u32>,
}

/// PBKDF2 rounds for a person's password: about 25 ms of one core here
/// (`cargo test --release slow_fingerprint -- --nocapture` prints it), paid
/// once per plan of each credential whose write-only password is set.
pub const SLOW_ROUNDS: u32 = 100_000;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect()
}

/// 16 random bytes; none when the system has no randomness to give.
fn salt() -> Option<[u8; 16]> {
    use ring::rand::SecureRandom as _;
    let mut salt = [0u8; 16];
    ring::rand::SystemRandom::new().fill(&mut salt).ok()?;
    Some(salt)
}

impl Fingerprint {
    /// The fingerprint of `secret` under a new random salt.
    pub fn of(secret: &str) -> Option<Fingerprint> {
        let salt = salt()?;
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &salt);
        let mac = hex(ring::hmac::sign(&key, secret.as_bytes()).as_ref());
        Some(Fingerprint { salt: hex(&salt), mac, rounds: None })
    }

    /// The fingerprint of a password a person chose: slow on purpose.
    pub fn slow(secret: &str) -> Option<Fingerprint> {
        let (salt, rounds) = (salt()?, std::num::NonZeroU32::new(SLOW_ROUNDS)?);
        let mut out = [0u8; 32];
        ring::pbkdf2::derive(ring::pbkdf2::PBKDF2_HMAC_SHA256, rounds, &salt, secret.as_bytes(), &mut out);
        Some(Fingerprint { salt: hex(&salt), mac: hex(&out), rounds: Some(SLOW_ROUNDS) })
    }

    /// Whether `secret` is the one fingerprinted (compared in constant time).
    pub fn matches(&self, secret: &str) -> bool {
        let (Some(salt), Some(mac)) = (unhex(&self.salt), unhex(&self.mac)) else { return false };
        match self.rounds.map(std::num::NonZeroU32::new) {
            None => {
                let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &salt);
                ring::hmac::verify(&key, secret.as_bytes(), &mac).is_ok()
            }
            Some(Some(n)) => {
                ring::pbkdf2::verify(ring::pbkdf2::PBKDF2_HMAC_SHA256, n, &salt, secret.as_bytes(), &mac).is_ok()
            }
            Some(None) => false,
        }
    }
}

/// A value differs from the prior one, or is not known yet.
pub fn changes(prior: &Value, planned: &Value) -> bool {
    planned.is_unknown() || prior != planned
}

impl SecretAttrs {
    /// The object that holds the attributes, in a configuration or state.
    pub fn holder<'v>(&self, v: &'v Value) -> &'v Value {
        if self.block.is_empty() {
            v
        } else {
            v.get(self.block)
        }
    }

    /// The path of one of its attributes.
    pub fn path(&self, attr: &str) -> AttrPath {
        if self.block.is_empty() {
            AttrPath::root(attr)
        } else {
            AttrPath::root(self.block).attr(attr)
        }
    }

    /// The secret to send, from the configuration (either form).
    pub fn configured(&self, config: &Value) -> Option<Secret> {
        let b = self.holder(config);
        b.get(self.value).as_str().or_else(|| b.get(self.wo).as_str()).map(Secret::new)
    }

    /// The write-only form is in use (its version is set) but this run does
    /// not have its value: a plan-only run, such as a drift check in CI.
    pub fn absent(&self, config: &Value) -> bool {
        let b = self.holder(config);
        b.get(self.value).is_null() && b.get(self.wo).is_null() && !b.get(self.version).is_null()
    }

    /// The warning of a plan that needs the secret this run does not have
    /// (`absent`): fine for review, but its apply will fail.
    pub fn absent_warning(&self, needs: &str, diags: &mut Diagnostics) {
        let at = self.path(self.wo);
        diags.warning_at(
            Some(at.clone()),
            format!("This plan needs the {}, which this run does not have", self.noun),
            format!(
                "{needs}, but {at} is null in this run. The plan is fine for review; its apply fails until the variable that {} is given from is set.",
                self.wo
            ),
        );
    }

    /// The error of an apply that must send the secret but was not given it:
    /// a write-only value this run lacks, or no secret configured at all.
    pub fn missing(&self, why: &str, diags: &mut Diagnostics) {
        let at = self.path(self.wo);
        diags.error_at(
            at.clone(),
            format!("Missing {}", self.noun),
            format!(
                "{why}, but neither {} nor {at} has a value in this run. Set one (api tokens usually come from a variable: TF_VAR_<name>) and apply again.",
                self.path(self.value)
            ),
        );
    }

    /// At plan: a new credential whose configuration gives no secret in
    /// either form is an error (a plan-only run without the write-only
    /// value is a warning), unless the value is only unknown yet.
    pub fn plan_create(&self, config: &Value, diags: &mut Diagnostics) {
        let b = self.holder(config);
        if b.presence() != Some(true) || self.configured(config).is_some() {
            return;
        }
        if self.absent(config) {
            self.absent_warning(&format!("A new credential needs its {}", self.noun), diags);
        } else if !b.get(self.value).is_unknown() && !b.get(self.wo).is_unknown() {
            // A warning, not an error: the plan of `terraform destroy` (and
            // a refresh) also plans this create when the credential was
            // deleted outside Terraform, and a destroy never needs a secret.
            // The apply of the create fails, before sending anything.
            diags.warning_at(
                Some(self.path(self.value)),
                format!("Missing {}", self.noun),
                format!(
                    "A new credential needs its {}: set {} (stored in state, sensitive) or {} (never stored; Terraform 1.11+). Applying this plan fails until one is set; a destroy or a refresh does not need it.",
                    self.noun, self.value, self.wo
                ),
            );
        }
    }

    /// The rules the secret follows, in `holder` (the object that holds
    /// its attributes): one form at most, never empty, and a version only
    /// beside the write-only form. `fix` says where to get a secret.
    /// Its three attributes, declared from these names so that they are
    /// written once: the stored form (sensitive), the write-only form, and
    /// the version that sends the write-only one again (Terraform's own
    /// setting, never drift). `about` describes each, in that order.
    pub fn attributes(&self, about: [&str; 3]) -> [Attribute; 3] {
        let [value, wo, version] = about;
        [
            Attribute::string(self.value).optional().sensitive().describe(value),
            Attribute::string(self.wo).optional().sensitive().write_only().describe(wo),
            Attribute::number(self.version).optional().terraform_only().describe(version),
        ]
    }

    /// The rule of the block that holds the secret: the stored and the
    /// write-only form are not both set.
    pub fn conflict(&self) -> ConflictsWith {
        ConflictsWith {
            names: (self.value, self.wo),
            summary: format!("Conflicting {}s", self.noun),
            detail: format!("Set only one of {} and {}.", self.value, self.wo),
        }
    }

    pub fn validate(&self, holder: &Value, fix: &str, diags: &mut Diagnostics) {
        let what = self.noun;
        let (value, wo, version) = (holder.get(self.value), holder.get(self.wo), holder.get(self.version));
        // Both at once is refused by the block's declared rule
        // ([`SecretAttrs::conflict`]). Neither is fine for an imported
        // credential whose secret is kept by hand; a new credential needs
        // one, which the plan checks.
        for (name, v) in [(self.value, value), (self.wo, wo)] {
            if v.as_str().is_some_and(|s| s.trim().is_empty()) {
                diags.error_at(self.path(name), format!("Empty {what}"), format!("{name} must not be empty; {fix}."));
            }
        }
        // A version with neither value is a run without the secret (a CI
        // plan): the plan decides whether it is needed.
        if !version.is_null() && wo.is_null() && !value.is_null() {
            diags.error_at(
                self.path(self.version),
                format!("{} without {}", self.version, self.wo),
                format!(
                    "{} only triggers re-sending {}. Remove it, or use {} instead of {}.",
                    self.version, self.wo, self.wo, self.value
                ),
            );
        }
    }

    /// Whether the plan must send the secret again.
    pub fn changes(&self, prior: &Value, config: &Value, private: &Private) -> bool {
        let (pb, cb) = (self.holder(prior), self.holder(config));
        // The write-only form is in use when its value or its version is set
        // (a plan-only run may leave the value null: it is not stored).
        let wo = !cb.get(self.wo).is_null() || !cb.get(self.version).is_null();
        if cb.get(self.value).is_null() && !wo {
            return false; // the secret is not managed by Terraform
        }
        if self.trust_after_import && private.secret_version.is_none() {
            // Imported: sending the secret would break what works, so the
            // configured one is adopted as it is.
            return false;
        }
        let value_changed = !wo && changes(pb.get(self.value), cb.get(self.value));
        let version_changed = wo && changes(pb.get(self.version), cb.get(self.version));
        // The server's version moved since this provider last wrote the secret,
        // or (after an import) it never wrote one and cannot know what is stored.
        let drifted = match private.secret_version {
            Some(v) => prior.get("secret_version").as_f64() != Some(v),
            None => wo,
        };
        value_changed || version_changed || drifted || self.wo_changed(config, private)
    }

    /// The fingerprint of the write-only secret this configuration sends,
    /// when fingerprints are `on`.
    pub fn fingerprint(&self, config: &Value, on: bool) -> Option<Fingerprint> {
        let secret = self.holder(config).get(self.wo).as_str().filter(|_| on)?;
        if self.chosen {
            Fingerprint::slow(secret)
        } else {
            Fingerprint::of(secret)
        }
    }

    /// The configuration's write-only secret is not the one last sent, by
    /// its fingerprint; false when either is missing (a plan without the
    /// secret, as a CI drift check runs, changes nothing).
    pub fn wo_changed(&self, config: &Value, private: &Private) -> bool {
        let (Some(f), Some(secret)) = (&private.fingerprint, self.holder(config).get(self.wo).as_str()) else {
            return false;
        };
        !f.matches(secret)
    }

    /// The secret an update must send: none when the plan keeps
    /// `secret_version` (or has no block for it); `None`, with the error
    /// said, when it must be sent and this run's configuration does not
    /// hold it.
    pub fn to_send(&self, planned: &Value, config: &Value, diags: &mut Diagnostics) -> Option<Option<Secret>> {
        if !planned.get("secret_version").is_unknown() || self.holder(planned).is_null() {
            return Some(None);
        }
        let secret = self.configured(config);
        if secret.is_none() {
            self.missing(&format!("This apply must send the {} again", self.noun), diags);
            return None;
        }
        Some(secret)
    }

    /// Plans the secret sent again (the plan's `secret_version` unknown),
    /// with what a reviewer must know: a write-only secret changed without
    /// a new version, or a secret this configuration does not hold.
    pub fn plan_resend(
        &self,
        (prior, config): (&Value, &Value),
        private: &Private,
        planned: &mut Value,
        diags: &mut Diagnostics,
    ) {
        self.wo_changed_warning(prior, config, private, diags);
        planned.set("secret_version", Value::Unknown);
        if self.absent(config) {
            let why = format!(
                "The {} must be sent again ({} changed, or it was replaced in Oomnitza)",
                self.noun, self.version
            );
            self.absent_warning(&why, diags);
        }
    }

    /// Says that a plan re-sends a write-only secret whose version stayed.
    pub fn wo_changed_warning(&self, prior: &Value, config: &Value, private: &Private, diags: &mut Diagnostics) {
        let version_stayed = !changes(self.holder(prior).get(self.version), self.holder(config).get(self.version));
        if version_stayed && self.wo_changed(config, private) {
            diags.warning_at(
                Some(self.path(self.wo)),
                format!("{} changed although {} did not", self.wo, self.version),
                format!(
                    "The {} in {} is not the one this provider last sent (it keeps a salted fingerprint of it in the private state), so this apply sends it. Raising {} as well keeps the change visible in the configuration.",
                    self.noun, self.wo, self.version
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::PrivateState;

    #[test]
    fn a_fingerprint_knows_its_secret_and_shows_nothing_of_it() {
        let f = Fingerprint::of("ATATT3xFfGF0-token").unwrap();
        assert!(f.matches("ATATT3xFfGF0-token"));
        assert!(!f.matches("ATATT3xFfGF0-tokem") && !f.matches(""));
        let again = Fingerprint::of("ATATT3xFfGF0-token").unwrap();
        assert_ne!(f, again, "a new salt for each send: the same secret never looks the same twice");
        let mut p = PrivateState::default();
        Private::store(&mut p, 3, Some(f));
        let stored = String::from_utf8(p.to_bytes()).unwrap();
        assert!(!stored.contains("ATATT3xFfGF0"), "{stored}");
        let back = Private::load(&PrivateState::from_bytes(stored.as_bytes()));
        assert!(back.fingerprint.is_some_and(|f| f.matches("ATATT3xFfGF0-token")));
        let broken = Fingerprint { salt: "zz".into(), mac: "00".into(), rounds: None };
        assert!(!broken.matches("anything"), "an unreadable fingerprint matches nothing");
    }

    #[test]
    fn slow_fingerprint_of_a_password_is_pbkdf2_and_kept_apart() {
        let started = std::time::Instant::now();
        let f = Fingerprint::slow("Winter2026!").unwrap();
        println!("one slow fingerprint: {:?}", started.elapsed());
        assert_eq!(f.rounds, Some(SLOW_ROUNDS));
        assert!(f.matches("Winter2026!") && !f.matches("Winter2027!"));
        let fast_shape = Fingerprint { rounds: None, ..f.clone() };
        assert!(!fast_shape.matches("Winter2026!"), "the rounds are part of what is checked");
        let mut p = PrivateState::default();
        Private::store(&mut p, 1, Some(f));
        let stored = String::from_utf8(p.to_bytes()).unwrap();
        assert!(stored.contains(&format!("\"rounds\":{SLOW_ROUNDS}")) && !stored.contains("Winter"), "{stored}");
        let zero = Fingerprint { rounds: Some(0), ..Fingerprint::slow("x").unwrap() };
        assert!(!zero.matches("x"), "no rounds is no fingerprint");
    }

    #[test]
    fn an_update_that_sends_nothing_keeps_the_fingerprint() {
        let f = Fingerprint::of("s1").unwrap();
        let mut before = PrivateState::default();
        Private::store(&mut before, 1, Some(f.clone()));
        let mut kept = before.clone();
        Private::after_update(&mut kept, false, false, 1, None);
        assert_eq!(Private::load(&kept).fingerprint, Some(f));
        let sent = Fingerprint::of("s2").unwrap();
        let mut new = before;
        Private::after_update(&mut new, true, false, 2, Some(sent.clone()));
        assert_eq!(Private::load(&new).fingerprint, Some(sent));
    }
}

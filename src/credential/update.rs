//! An update in one call, that still makes every planned value true.
//!
//! The PATCH is the plan's change from the prior state. Oomnitza answers
//! what it holds after the write, so the answer itself shows what was
//! changed by hand after the plan was made (a saved plan, `-refresh=false`,
//! an edit during the run): a field the plan did not change that no longer
//! holds its planned value, or a secret replaced meanwhile. Only then does
//! a second PATCH write those fields back, with a warning that names what
//! it overwrote. A hand edit of a field the plan changes anyway is
//! overwritten by the first write, as planned, without a word: the answer
//! no longer shows it.

use tokio::time::Instant;

use super::{drift, Kind};
use crate::framework::{Diagnostics, Value};
use crate::oomnitza::{Client, Credential, CredentialPatch};

/// What an update wrote.
pub struct Updated {
    pub credential: Credential,
    /// The secret was replaced in Oomnitza after the plan was made (not by
    /// this write): the configured one is not what Oomnitza holds.
    pub replaced: bool,
}

impl Kind {
    /// Writes `first` (the plan's change from `prior`, with the secret when
    /// `sent`) to the credential `prior` names; when the answer shows a
    /// change made after the plan, writes back what `rest` finds still
    /// differing from the plan in a state of the answer. `None` with the
    /// error said when the credential is gone or a write fails.
    pub async fn update(
        &self,
        client: &Client,
        (prior, planned): (&Value, &Value),
        (first, sent): (&CredentialPatch, bool),
        rest: &(dyn Fn(&Value) -> Option<CredentialPatch> + Send + Sync),
        deadline: Instant,
        diags: &mut Diagnostics,
    ) -> Option<Updated> {
        let id = prior.get("id").as_str().unwrap_or_default();
        let c = self.write(client, id, Some(first), deadline, diags).await?;
        // What the plan expects Oomnitza to hold now: the prior state, with
        // the secret one version on when this write sent it.
        let mut expected = prior.clone();
        if let (true, Some(v)) = (sent, prior.get("secret_version").as_f64()) {
            expected.set("secret_version", Value::Number(v + 1.0));
        }
        let answered = (self.state)(&c, planned);
        let replaced = expected.get("secret_version") != answered.get("secret_version");
        let Some(d) = drift::between(self.drift.paths(), &expected, &answered, &c.updated_at, c.updated_by.as_deref())
        else {
            return Some(Updated { credential: c, replaced });
        };
        drift::overwritten(&d, prior, planned, self.noun, diags);
        let Some(back) = rest(&answered) else { return Some(Updated { credential: c, replaced }) };
        let c = self.write(client, id, Some(&back), deadline, diags).await?;
        Some(Updated { credential: c, replaced })
    }
}

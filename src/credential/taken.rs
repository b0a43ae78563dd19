//! A planned create whose name Oomnitza already holds is said at plan, at
//! that resource, where the person reviewing the plan sees it: which
//! credential, how to import it instead, and that applying makes a second
//! one. One listing per kind and process answers every create of a plan;
//! a plan without creates asks nothing. The apply never takes such a
//! credential over: only the create journal proves one is this
//! configuration's.

use std::time::Duration;

use super::Kind;
use crate::framework::{Diagnostics, PlanRequest, Planned};
use crate::oomnitza::{Client, Credential};

/// How long the listing may take before the plan goes on without it.
const LIST_LIMIT: Duration = Duration::from_secs(30);

impl Kind {
    /// What a plan asks Oomnitza: an update notes that a state holds its
    /// credential (so that a replacement's create does not take its
    /// predecessor for a stranger); a create is checked against the names
    /// Oomnitza holds.
    pub async fn plan_remote(
        &self,
        client: &Client,
        req: &PlanRequest<'_>,
        planned: &Planned,
        diags: &mut Diagnostics,
    ) {
        if let Some(id) = req.prior.get("id").as_str() {
            client.held_by_state(id);
            return;
        }
        let Some(name) = planned.state.get("name").as_str() else { return };
        let listed = tokio::time::timeout(LIST_LIMIT, client.all_of(&(self.scope)())).await;
        let all = match listed {
            Ok(Ok(all)) => all,
            failed => {
                let why = match failed {
                    Ok(Err(e)) => e.to_string(),
                    _ => format!("the listing took longer than {} seconds", LIST_LIMIT.as_secs()),
                };
                diags.warning_at(
                    None,
                    format!("Could not check for another {} named {name:?}", self.noun),
                    format!("Whether Oomnitza already holds a credential of this name could not be checked ({why}); if it does, applying makes a second one. To look yourself: terraform query lists them (list \"{}\"), or filter by name under Configuration > Security > Credentials.", self.type_name),
                );
                return;
            }
        };
        let leftovers = client.journal().leftovers();
        // A leftover create of this directory names its credential itself,
        // and the apply adopts it: not a stranger.
        let adopted = |c: &&Credential| leftovers.iter().any(|l| l.here && l.record.id.as_deref() == Some(&c.id));
        let same: Vec<&Credential> =
            all.iter().filter(|c| c.name == name && !client.holds(&c.id)).filter(|c| !adopted(c)).collect();
        let Some(first) = same.first() else { return };
        let interrupted =
            leftovers.iter().any(|l| l.here && l.record.id.is_none() && l.record.name.as_deref() == Some(name));
        self.taken_warning(name, &same, &first.id, interrupted, diags);
    }

    fn taken_warning(&self, name: &str, same: &[&Credential], first: &str, interrupted: bool, diags: &mut Diagnostics) {
        let which: Vec<String> = same
            .iter()
            .map(|c| {
                let by = c.updated_by.as_deref().map(|u| format!(" by {u}")).unwrap_or_default();
                format!("  - {} (made {}, last changed {}{by})", c.id, c.created_at, c.updated_at)
            })
            .collect();
        let resumed = if interrupted {
            "\n\nAn interrupted create of this name is recorded in this directory (.terraform/oomnitza-creates): if one of these is what it made, this apply adopts it instead of making a second one."
        } else {
            ""
        };
        diags.warning_at(
            None,
            format!("Another {} is named {name:?}", self.noun),
            format!(
                "Oomnitza already holds {} named {name:?} that no state of this run has shown:\n{}\n\nApplying this plan makes a second credential of that name: this provider never takes over a credential it cannot prove is its own. To manage the existing one instead, import it in place of this create:\n\n  import {{\n    to = {}.NAME\n    id = \"{first}\"\n  }}\n\nIf it belongs to another state or should stay as it is, apply as planned, or give this one another name.{resumed}",
                if same.len() == 1 { format!("one {}", self.noun) } else { format!("{} {}s", same.len(), self.noun) },
                which.join("\n"),
                self.type_name,
            ),
        );
    }
}

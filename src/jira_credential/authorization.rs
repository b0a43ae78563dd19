//! `oomnitza_jira_credential_authorization`: waits until a person has given
//! OAuth consent for a credential, and fails the apply if nobody does in
//! time. A waiter, as `aws_acm_certificate_validation` is for certificates:
//! it owns nothing remote, so a failed or interrupted wait records nothing
//! (the next apply simply waits again) and the credential itself is never
//! tainted or replaced. Its delete does nothing.
//!
//! While the authorization holds, plans are empty; when it lapses (revoked,
//! expired, consent restarted by a change of the app), the waiter reads as
//! gone and the next plan creates it again, so the apply waits once more.

use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use super::consent::{wait_diags, wait_for_consent, WaitEnd, WaitPaths};
use crate::credential::errors::api_diags;
use crate::framework::duration::parse_duration;
use crate::framework::validate as rule;
use crate::framework::{
    AttrPath, Attribute, Block, CreateRequest, DeleteRequest, Diagnostics, Nesting, PlanRequest, Planned, ReadRequest,
    Resource, Schema, StateResponse, Type, UpdateRequest, Value,
};
use crate::oomnitza::{oauth_status, Client, Credential};

pub const TYPE_NAME: &str = "oomnitza_jira_credential_authorization";

const DEFAULT_WAIT: Duration = Duration::from_secs(600);

const WAIT_PATHS: WaitPaths = WaitPaths {
    deadline: Some(("timeouts", "create")),
    secret: None,
    longer: "Raise timeouts.create to wait longer, or run terraform apply again once consent is given.",
};

pub struct JiraCredentialAuthorization;

fn id_path() -> AttrPath {
    AttrPath::root("credential_id")
}

fn is_authorized(c: &Credential) -> bool {
    c.oauth2.as_ref().and_then(|o| o.status.as_deref()) == Some(oauth_status::AUTHORIZED)
}

/// The state of an authorized credential's waiter.
fn state_of(c: &Credential, keep: &Value) -> Value {
    let sites = c.oauth2.as_ref().map(|o| o.granted_sites.clone()).unwrap_or_default();
    let mut s = keep.clone();
    s.set("id", Value::string(&c.id));
    s.set("credential_id", Value::string(&c.id));
    s.set("status", Value::string(oauth_status::AUTHORIZED));
    s.set("granted_sites", Value::List(sites.iter().map(Value::string).collect()));
    s
}

fn schema() -> Schema {
    Schema::new(
        0,
        Block::new("Waits until a person has given OAuth consent for a Jira credential, and fails the apply if nobody does within `timeouts.create`. A failed wait leaves the credential as it is: the next apply waits again. Destroying it changes nothing in Oomnitza.")
            .attr(Attribute::string("id").computed().describe("The credential's id (the waiter has no id of its own)."))
            .attr(Attribute::string("credential_id").required().validate(rule::NotBlank("must be an OAuth Jira credential's Oomnitza id.")).describe("The id of an OAuth Jira credential, e.g. `oomnitza_jira_credential.users_oauth.id`. Changing it waits for the other credential."))
            .attr(Attribute::string("status").computed().describe("`authorized` once consent is given. When the authorization lapses, the next plan waits again."))
            .attr(Attribute::list("granted_sites", Type::String).computed().describe("The Jira site hosts the consent granted access to."))
            .block(
                "timeouts",
                Nesting::Single,
                Block::new("How long the wait may take.").attr(
                    Attribute::string("create").optional().validate(rule::Duration).default_is("\"10m\"").describe("How long to wait for consent, such as `30m`."),
                ),
            ),
    )
}

#[async_trait]
impl Resource<Client> for JiraCredentialAuthorization {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn plan(&self, req: PlanRequest<'_>, _diags: &mut Diagnostics) -> Planned {
        let PlanRequest { prior, config, .. } = req;
        let mut p = config.clone();
        if prior.is_null() {
            p.set("id", config.get("credential_id").clone());
            p.set("status", Value::Unknown);
            p.set("granted_sites", Value::Unknown);
            return Planned { state: p, ..Default::default() };
        }
        let mut requires_replace = Vec::new();
        if prior.get("credential_id") != config.get("credential_id") {
            requires_replace.push(id_path());
        }
        for kept in ["id", "status", "granted_sites"] {
            p.set(kept, prior.get(kept).clone());
        }
        Planned { state: p, requires_replace, private: req.prior_private.clone() }
    }

    async fn create(&self, client: &Client, req: CreateRequest<'_>, resp: &mut StateResponse) {
        resp.state = wait(client, req.planned, &mut resp.diagnostics).await;
    }

    async fn read(&self, client: &Client, req: ReadRequest<'_>, resp: &mut StateResponse) {
        let state = req.state;
        let Some(id) = state.get("credential_id").as_str() else { return };
        resp.state = match client.get(id).await {
            Ok(Some(c)) if is_authorized(&c) => state_of(&c, state),
            // Lapsed or gone: the next plan waits again.
            Ok(_) => Value::Null,
            Err(e) => {
                api_diags(&e, "read the Jira credential", &mut resp.diagnostics);
                Value::Null
            }
        };
    }

    async fn update(&self, _client: &Client, req: UpdateRequest<'_>, resp: &mut StateResponse) {
        // Only timeouts can change in place.
        resp.state = req.planned.clone();
    }

    async fn delete(&self, _client: &Client, _req: DeleteRequest<'_>, _diags: &mut Diagnostics) {}
}

/// Waits for the consent of the OAuth credential `planned` names; its
/// state once authorized, null (with why) otherwise.
async fn wait(client: &Client, planned: &Value, diags: &mut Diagnostics) -> Value {
    let Some(id) = planned.get("credential_id").as_str() else {
        diags.error_at(id_path(), "Missing credential_id", "credential_id must be known when the apply runs.");
        return Value::Null;
    };
    let wait = planned.get("timeouts").get("create").as_str().and_then(|w| parse_duration(w).ok());
    let deadline = Instant::now() + wait.unwrap_or(DEFAULT_WAIT);
    let c = match client.get(id).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            diags.error_at(id_path(), "No such Jira credential", format!("Oomnitza has no credential with id {id:?}."));
            return Value::Null;
        }
        Err(e) => {
            api_diags(&e, "read the Jira credential", diags);
            return Value::Null;
        }
    };
    if c.oauth2.is_none() {
        diags.error_at(
            id_path(),
            "Not an OAuth credential",
            format!("Credential {:?} ({id}) uses Basic Auth, which needs no consent: remove this waiter, or point it at an OAuth credential.", c.name),
        );
        return Value::Null;
    }
    let (last, end) = wait_for_consent(client, c, deadline, None).await;
    if matches!(end, WaitEnd::Authorized) {
        return state_of(&last, planned);
    }
    // Nothing is recorded: the next apply waits again, and the
    // credential's own state is untouched.
    wait_diags(&end, &last, &WAIT_PATHS, diags);
    Value::Null
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_waiter_plans_its_outcome_unknown_and_a_changed_credential_replaces() {
        let s = schema();
        let ty = s.value_type();
        let mut config = Value::null_object(&ty);
        config.set("credential_id", Value::string("abc"));
        let planned = JiraCredentialAuthorization.plan(
            PlanRequest {
                prior: &Value::Null,
                proposed: &config,
                config: &config,
                prior_private: &Default::default(),
                schema: &s,
            },
            &mut Diagnostics::default(),
        );
        assert_eq!(planned.state.get("id"), &Value::string("abc"));
        assert!(planned.state.get("status").is_unknown());
        let mut prior = config.clone();
        prior.set("status", Value::string("authorized"));
        let mut other = config.clone();
        other.set("credential_id", Value::string("def"));
        let planned = JiraCredentialAuthorization.plan(
            PlanRequest {
                prior: &prior,
                proposed: &other,
                config: &other,
                prior_private: &Default::default(),
                schema: &s,
            },
            &mut Diagnostics::default(),
        );
        assert_eq!(planned.requires_replace, vec![id_path()]);
    }
}

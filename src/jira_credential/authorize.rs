//! `action "oomnitza_jira_credential_authorize"`: restarts OAuth consent for
//! a credential, says where to give it, and (with `wait`) waits for it
//! (Terraform 1.14+). For a credential whose Atlassian access was revoked or
//! expired, or that was consented for the wrong site.

use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use super::consent::{wait_diags, wait_for_consent, WaitEnd, WaitPaths};
use crate::credential::errors::api_diags;
use crate::framework::duration::parse_duration;
use crate::framework::model::{FromValue, Known};
use crate::framework::validate as rule;
use crate::framework::{Action, AttrPath, Attribute, Block, Diagnostics, Progress, Schema, Value};
use crate::oomnitza::{AuthType, Client};

pub const TYPE_NAME: &str = "oomnitza_jira_credential_authorize";

pub struct Authorize;

const WAIT_PATHS: WaitPaths =
    WaitPaths { deadline: None, secret: None, longer: "Give a longer wait, such as wait = \"30m\"." };

fn id_path() -> AttrPath {
    AttrPath::root("credential_id")
}

fn no_such_credential(id: &str, diags: &mut Diagnostics) {
    diags.error_at(id_path(), "No such Jira credential", format!("Oomnitza has no credential with id {id:?}."));
}

crate::model! {
    /// The action's configuration (its schema: a test holds them).
    #[derive(Clone, Debug, Default)]
    struct AuthorizeConfig {
        credential_id: Known<String>,
        wait: Known<String>,
    }
}

#[async_trait]
impl Action<Client> for Authorize {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Restarts OAuth consent for a Jira credential and gives the new consent URL; with `wait`, waits until a person has consented.")
                .attr(Attribute::string("credential_id").required().validate(rule::NotBlank("must be a credential's Oomnitza id.")).describe("The id of an OAuth Jira credential, e.g. `oomnitza_jira_credential.users_oauth.id`."))
                .attr(Attribute::string("wait").optional().validate(rule::Duration).describe("How long to wait for consent, such as `10m`. Without it the action ends once consent is open.")),
        )
    }

    async fn plan(&self, client: &Client, config: &Value, diags: &mut Diagnostics) {
        let AuthorizeConfig { credential_id, .. } = AuthorizeConfig::from_value(config).unwrap_or_default();
        // Not known yet: checked when the action runs.
        let Known::Value(id) = credential_id else { return };
        let id = id.as_str();
        match client.get(id).await {
            Ok(Some(c)) if c.auth_type == AuthType::Oauth2 => {}
            Ok(Some(c)) => diags.error_at(
                id_path(),
                "Not an OAuth credential",
                format!("Credential {:?} ({id}) uses Basic Auth, which needs no consent. Point the action at an OAuth credential.", c.name),
            ),
            Ok(None) => no_such_credential(id, diags),
            Err(e) => api_diags(&e, "read the Jira credential", diags),
        }
    }

    async fn invoke(&self, client: &Client, config: &Value, progress: &Progress, diags: &mut Diagnostics) {
        let AuthorizeConfig { credential_id, wait } = AuthorizeConfig::from_value(config).unwrap_or_default();
        let Known::Value(id) = credential_id else {
            diags.error_at(id_path(), "Missing credential_id", "credential_id must be known when the action runs.");
            return;
        };
        let id = id.as_str();
        let wait = wait.value().and_then(|w| parse_duration(w).ok());
        let deadline = Instant::now() + wait.unwrap_or(Duration::ZERO);
        let started = async {
            client.authorize(id).await?;
            client.get(id).await
        };
        let c = match started.await {
            Ok(Some(c)) => c,
            Ok(None) => return no_such_credential(id, diags),
            Err(e) => return api_diags(&e, "start OAuth consent for the Jira credential", diags),
        };
        let url = c.oauth2.as_ref().and_then(|o| o.authorization_url.clone()).unwrap_or_default();
        progress
            .say(format!(
                "Consent for {:?} is open: an Oomnitza admin opens {url} , picks the Jira site and clicks Accept.",
                c.name
            ))
            .await;
        let Some(limit) = wait else { return };
        progress.say(format!("Waiting up to {}s for consent.", limit.as_secs())).await;
        let (last, end) = wait_for_consent(client, c, deadline, Some(progress)).await;
        match end {
            WaitEnd::Authorized => {
                let sites = last.oauth2.map(|o| o.granted_sites.join(", ")).unwrap_or_default();
                progress.say(format!("{:?} is authorized for {sites}.", last.name)).await;
            }
            other => wait_diags(&other, &last, &WAIT_PATHS, diags),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_and_schema_agree() {
        assert_eq!(Authorize.schema().block.names(), AuthorizeConfig::ATTRIBUTES);
    }
}

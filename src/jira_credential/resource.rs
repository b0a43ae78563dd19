//! `oomnitza_jira_credential`: a Jira credential in Oomnitza's vault, Basic
//! Auth (`basic`) or Atlassian OAuth 2.0 3LO (`oauth`). Its schema is in
//! `schema`, its plan in `plan`; here are the writes: the request bodies,
//! adopting an interrupted create, and the consent step after a write.

use async_trait::async_trait;
use tokio::time::Instant;

use super::consent::wait_for_consent;
use super::expiry;
use super::model::{state_from, DEFAULT_CALLBACK_URL, JIRA, TYPE_NAME};
use super::oauth as consent;
use super::schema::{schema, secret_attrs, BASIC_SECRET, OAUTH_SECRET};
use super::validate::validate_config;
use crate::credential::errors::api_diags;
use crate::credential::secret::Private;
use crate::credential::{deadline_of, within};
use crate::framework::{Diagnostics, Identity, Import, PlanRequest, Planned, Resource, Schema, Value};
use crate::oomnitza::{
    ApiError, AuthType, BasicInput, BasicPatch, Client, Created, Credential, CredentialPatch, NewCredential,
    OAuthInput, OAuthPatch, SAAS_JIRA,
};

pub struct JiraCredential;

/// The strings of a list value from a plan (the known ones); empty when it
/// is not a list.
fn texts(v: &Value) -> Vec<String> {
    match v {
        Value::List(items) => items.iter().filter_map(Value::as_str).map(String::from).collect(),
        _ => Vec::new(),
    }
}

impl JiraCredential {
    /// The body of the create, from the plan and (for secrets) the configuration.
    fn new_credential(planned: &Value, config: &Value) -> Option<NewCredential> {
        let name = planned.get("name").as_str()?.to_string();
        let secret = secret_attrs(config).configured(config)?;
        let (basic, oauth2, auth_type) = if planned.get("oauth").is_null() {
            let email = planned.get("basic").get("email").as_str()?.to_string();
            (Some(BasicInput { username: email, password: secret }), None, AuthType::Basic)
        } else {
            let o = planned.get("oauth");
            let input = OAuthInput {
                client_id: o.get("client_id").as_str()?.to_string(),
                client_secret: secret,
                scopes: texts(o.get("scopes")),
                callback_url: o.get("callback_url").as_str().unwrap_or(DEFAULT_CALLBACK_URL).to_string(),
                site: o.get("site").as_str().map(String::from),
            };
            (None, Some(input), AuthType::Oauth2)
        };
        Some(NewCredential {
            name,
            owner: planned.get("owner").as_str().map(String::from),
            description: planned.get("description").as_str().map(String::from),
            saas: SAAS_JIRA.to_string(),
            auth_type,
            basic,
            oauth2,
            api_key: None,
            expiration_date: planned.get("expiration_date").as_str().map(String::from),
        })
    }

    /// A patch that sets everything the plan and configuration say,
    /// secret included: for adopting a credential made by an earlier run.
    fn full_patch(planned: &Value, config: &Value) -> CredentialPatch {
        let text = |v: &Value, f: &str| v.get(f).as_str().map(String::from);
        let mut patch = CredentialPatch {
            name: text(planned, "name"),
            owner: text(planned, "owner"),
            description: text(planned, "description"),
            ..Default::default()
        };
        let (b, o) = (planned.get("basic"), planned.get("oauth"));
        if !b.is_null() {
            patch.expiration_date = Some(text(planned, "expiration_date"));
            patch.basic = Some(BasicPatch { username: text(b, "email"), password: BASIC_SECRET.configured(config) });
        }
        if !o.is_null() {
            patch.oauth2 = Some(OAuthPatch {
                client_id: text(o, "client_id"),
                client_secret: OAUTH_SECRET.configured(config),
                scopes: Some(texts(o.get("scopes"))),
                callback_url: text(o, "callback_url"),
                site: Some(text(o, "site")),
            });
        }
        patch
    }

    /// Takes over the credential that an interrupted create of this same
    /// configuration made (its journal entry proves it), and makes it what
    /// the plan says, secret included.
    async fn adopt(
        client: &Client,
        credential: Credential,
        planned: &Value,
        config: &Value,
        private: &mut Vec<u8>,
        deadline: Instant,
        diags: &mut Diagnostics,
    ) -> Value {
        let restart = credential.oauth2.is_some();
        match within(deadline, client.update(&credential.id, &Self::full_patch(planned, config))).await {
            Ok(c) => {
                *private = Private::store(c.secret_version);
                let c = Self::consent_after_write(client, c, planned, !restart, true, deadline, diags).await;
                state_from(&c, planned)
            }
            Err(e) => {
                api_diags(&e, "update the adopted Jira credential", diags);
                // Tracked all the same, so that nothing is orphaned.
                state_from(&credential, planned)
            }
        }
    }

    /// After a write of an OAuth credential: start consent when the write
    /// did not already, wait for it when asked, and say what to do next.
    async fn consent_after_write(
        client: &Client,
        mut c: Credential,
        planned: &Value,
        start: bool,
        creating: bool,
        deadline: Instant,
        diags: &mut Diagnostics,
    ) -> Credential {
        if c.oauth2.is_none() {
            return c;
        }
        if start {
            let started = async {
                client.authorize(&c.id).await?;
                client.get(&c.id).await
            };
            match within(deadline, started).await {
                Ok(Some(fresh)) => c = fresh,
                Ok(None) => {
                    diags.error(
                        "Jira credential is gone",
                        format!("Credential {} was deleted outside Terraform during this apply.", c.id),
                    );
                    return c;
                }
                Err(e) => {
                    api_diags(&e, "start OAuth consent for the Jira credential", diags);
                    return c;
                }
            }
        }
        if planned.get("oauth").get("wait_for_authorization").as_bool() == Some(true) {
            let (last, end) = wait_for_consent(client, c, deadline, None).await;
            consent::wait_diags(&end, &last, creating, diags);
            return last;
        }
        consent::pending_warning(&c, diags);
        c
    }
}

#[async_trait]
impl Resource<Client> for JiraCredential {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_config(config, diags);
    }

    fn modify_plan(&self, req: &PlanRequest<'_>, planned: &mut Planned, diags: &mut Diagnostics) {
        super::plan::modify_plan(req, planned, diags);
    }

    async fn create(
        &self,
        client: &Client,
        planned: &Value,
        config: &Value,
        private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> Value {
        let deadline = deadline_of(planned, "create");
        let secret = secret_attrs(config);
        if secret.configured(config).is_none() && secret.absent(config) {
            secret.missing("A new credential needs its secret", diags);
            return Value::Null;
        }
        let Some(new) = Self::new_credential(planned, config) else {
            diags.error(
                "Incomplete configuration",
                "name, the basic or oauth block's identity and its secret must be known at apply.",
            );
            return Value::Null;
        };
        let Some(created) = JIRA.create(client, &new, deadline, diags).await else {
            return Value::Null;
        };
        let Created { credential, adopted, entry } = created;
        let state = if adopted {
            Self::adopt(client, credential, planned, config, private, deadline, diags).await
        } else {
            *private = Private::store(credential.secret_version);
            // From here on the credential exists: whatever happens, its state is kept.
            let c = Self::consent_after_write(client, credential, planned, true, true, deadline, diags).await;
            state_from(&c, planned)
        };
        // The answer goes to Terraform now: nothing is left to resume.
        entry.finish();
        state
    }

    async fn read(&self, client: &Client, state: &Value, private: &mut Vec<u8>, diags: &mut Diagnostics) -> Value {
        let Some((_, fresh)) = JIRA.read(client, state, private, diags).await else {
            return Value::Null;
        };
        expiry::warn_oauth(&fresh, client.config().expiry_warning_days, time::OffsetDateTime::now_utc(), diags);
        fresh
    }

    async fn update(
        &self,
        client: &Client,
        prior: &Value,
        planned: &Value,
        config: &Value,
        private: &mut Vec<u8>,
        diags: &mut Diagnostics,
    ) -> Value {
        let Some(id) = prior.get("id").as_str() else {
            diags.error("Missing id", "The prior state has no id; remove the resource from state and import it.");
            return Value::Null;
        };
        let deadline = deadline_of(planned, "update");
        let text = |v: &Value, f: &str| v.get(f).as_str().map(String::from);
        let differs = |f: &str| prior.get(f) != planned.get(f);
        let mut patch = CredentialPatch::default();
        if differs("name") {
            patch.name = text(planned, "name");
        }
        if differs("owner") {
            patch.owner = text(planned, "owner");
        }
        if differs("description") {
            patch.description = text(planned, "description");
        }
        if differs("expiration_date") {
            patch.expiration_date = Some(text(planned, "expiration_date"));
        }
        let send_secret = planned.get("secret_version").is_unknown();
        let secret = secret_attrs(config);
        if send_secret && !planned.get(secret.block).is_null() && secret.configured(config).is_none() {
            secret.missing("This apply must send the secret again", diags);
            return Value::Null;
        }
        let (pb, nb) = (prior.get("basic"), planned.get("basic"));
        if !nb.is_null() {
            let mut basic = BasicPatch::default();
            if pb.get("email") != nb.get("email") {
                basic.username = text(nb, "email");
            }
            if send_secret {
                basic.password = BASIC_SECRET.configured(config);
            }
            if basic.username.is_some() || basic.password.is_some() {
                patch.basic = Some(basic);
            }
        }
        let (po, no) = (prior.get("oauth"), planned.get("oauth"));
        if !no.is_null() {
            let changed = |f: &str| po.get(f) != no.get(f);
            let mut o = OAuthPatch::default();
            if changed("client_id") {
                o.client_id = text(no, "client_id");
            }
            if changed("scopes") {
                o.scopes = Some(texts(no.get("scopes")));
            }
            if changed("callback_url") {
                o.callback_url = text(no, "callback_url");
            }
            if changed("site") {
                o.site = Some(text(no, "site"));
            }
            if send_secret {
                o.client_secret = OAUTH_SECRET.configured(config);
            }
            if !o.is_empty() {
                patch.oauth2 = Some(o);
            }
        }
        // Oomnitza restarts consent itself when the app changes.
        let restart = no.get("authorization_url").is_unknown() && patch.oauth2.is_none();
        let written = if patch.is_empty() {
            if !restart {
                // Only Terraform-side settings changed; what the configured
                // secret is, is adopted as the one stored (after an import).
                *private = Private::store(prior.get("secret_version").as_f64().unwrap_or_default() as i64);
                return planned.clone();
            }
            within(deadline, client.get(id)).await.and_then(|c| c.ok_or(ApiError::NotFound { message: String::new() }))
        } else {
            within(deadline, client.update(id, &patch)).await
        };
        match written {
            Ok(c) => {
                *private = Private::store(c.secret_version);
                let c = Self::consent_after_write(client, c, planned, restart, false, deadline, diags).await;
                state_from(&c, planned)
            }
            Err(ApiError::NotFound { .. }) => {
                diags.error("Jira credential is gone", format!("Credential {id} was deleted outside Terraform during this apply. Run terraform apply again to create it."));
                Value::Null
            }
            Err(e) => {
                api_diags(&e, "update the Jira credential", diags);
                Value::Null
            }
        }
    }

    async fn delete(&self, client: &Client, prior: &Value, diags: &mut Diagnostics) {
        JIRA.delete(client, prior, diags).await;
    }

    fn importer(&self) -> Option<&dyn Import<Client>> {
        Some(&JIRA)
    }

    fn identity(&self) -> Option<&dyn Identity> {
        Some(&JIRA)
    }
}

#[cfg(test)]
#[path = "resource_tests.rs"]
mod tests;

//! `oomnitza_jira_credential`: a Jira credential in Oomnitza's vault, Basic
//! Auth (`basic`) or Atlassian OAuth 2.0 3LO (`oauth`). Its schema is in
//! `schema`, its plan in `plan`; here are the writes: the request bodies,
//! adopting an interrupted create, and the consent step after a write.

use async_trait::async_trait;
use tokio::time::Instant;

use super::consent::wait_for_consent;
use super::expiry;
use super::model::{state_from, JiraCredentialModel, DEFAULT_CALLBACK_URL, JIRA, TYPE_NAME};
use super::oauth as consent;
use super::schema::{schema, secret_attrs};
use super::validate::validate_config;
use crate::credential::errors::api_diags;
use crate::credential::private::Private;
use crate::credential::{deadline_of, set, within, Updated};
use crate::framework::model::FromValue;
use crate::framework::{
    CreateRequest, DeleteRequest, Diagnostics, Identity, Import, PlanRequest, Planned, PrivateState, ReadRequest,
    Resource, Schema, StateResponse, UpdateRequest, Value,
};
use crate::oomnitza::{
    BasicInput, BasicPatch, Client, Created, Credential, CredentialPatch, NewCredential, OAuthInput, OAuthPatch,
    Section, SectionPatch, SAAS_JIRA,
};
use crate::secret::Secret;

pub struct JiraCredential;

/// The PATCH that makes `old` (none: a credential adopted from an
/// interrupted create, which gets everything) into `new`, with the secret
/// when it must be sent.
fn patch(old: Option<&JiraCredentialModel>, new: &JiraCredentialModel, secret: Option<Secret>) -> CredentialPatch {
    let mut p = CredentialPatch {
        name: set(old.map(|o| &o.name), &new.name),
        owner: set(old.map(|o| &o.owner), &new.owner).flatten(),
        description: set(old.map(|o| &o.description), &new.description).flatten(),
        // An OAuth credential's expiry is Atlassian's: never sent unasked.
        expiration_date: if old.is_none() && new.basic.is_none() {
            None
        } else {
            set(old.map(|o| &o.expiration_date), &new.expiration_date)
        },
        ..Default::default()
    };
    let section = match (&new.basic, &new.oauth) {
        (Some(nb), _) => {
            let ob = old.and_then(|o| o.basic.as_ref());
            Some(SectionPatch::Basic(BasicPatch { username: set(ob.map(|b| &b.email), &nb.email), password: secret }))
        }
        (None, Some(no)) => {
            let oo = old.and_then(|o| o.oauth.as_ref());
            Some(SectionPatch::OAuth2(OAuthPatch {
                client_id: set(oo.map(|o| &o.client_id), &no.client_id),
                client_secret: secret,
                scopes: set(oo.map(|o| &o.scopes), &no.scopes).map(Option::unwrap_or_default),
                callback_url: set(oo.map(|o| &o.callback_url), &no.callback_url).flatten(),
                site: set(oo.map(|o| &o.site), &no.site),
            }))
        }
        (None, None) => None,
    };
    p.section = section.and_then(SectionPatch::non_empty);
    p
}

/// The plan's or the state's values (see [`crate::credential::typed`]).
fn model(v: &Value, diags: &mut Diagnostics) -> Option<JiraCredentialModel> {
    crate::credential::typed(v, diags)
}

impl JiraCredential {
    /// The body of the create.
    fn new_credential(new: &JiraCredentialModel, secret: Secret) -> Option<NewCredential> {
        let section = match (&new.basic, &new.oauth) {
            (_, Some(o)) => Section::OAuth2(OAuthInput {
                client_id: o.client_id.clone(),
                client_secret: secret,
                scopes: o.scopes.clone().unwrap_or_default(),
                callback_url: o.callback_url.clone().unwrap_or_else(|| DEFAULT_CALLBACK_URL.to_string()),
                site: o.site.clone(),
            }),
            (Some(b), None) => Section::Basic(BasicInput { username: b.email.clone(), password: secret }),
            (None, None) => return None,
        };
        Some(NewCredential {
            name: new.name.clone(),
            owner: new.owner.clone(),
            description: new.description.clone(),
            saas: SAAS_JIRA.to_string(),
            expiration_date: new.expiration_date.clone(),
            section,
        })
    }

    /// What follows a create (and, for one adopted from an interrupted
    /// create, the update that made it what the plan says): starting and
    /// waiting for consent, unless the adopted credential's update
    /// restarted it or failed. Its failures, a deadline and Ctrl-C
    /// included, go to `after` with the create's, said as warnings: the
    /// credential exists, and an error would taint it (the next plan would
    /// replace it).
    async fn after_create(
        client: &Client,
        (c, adopted, secret_held): (Credential, bool, bool),
        (planned, config): (&Value, &Value),
        private: &mut PrivateState,
        deadline: Instant,
        mut after: Diagnostics,
        diags: &mut Diagnostics,
    ) -> Value {
        let id = c.id.clone();
        let mut c = c;
        if secret_held {
            // The configured secret is in this version (none is recorded when
            // the adopted one could not be updated: the next plan sends it).
            let on = client.config().fingerprints;
            Private::store(private, c.secret_version, secret_attrs(config).fingerprint(config, on));
            // An adopted OAuth credential's update restarted consent itself.
            c = Self::consent_after_write(client, c, planned, !adopted, true, deadline, &mut after).await;
        }
        diags.extend_as_warnings(after, &crate::credential::kept_after_create(JIRA.noun, &id));
        state_from(&c, planned)
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

    async fn plan_remote(&self, client: &Client, req: &PlanRequest<'_>, planned: &Planned, diags: &mut Diagnostics) {
        JIRA.plan_remote(client, req, planned, diags).await;
    }

    async fn create(&self, client: &Client, req: CreateRequest<'_>, resp: &mut StateResponse) {
        let (private, diags) = (&mut resp.private, &mut resp.diagnostics);
        resp.state = Self::create_from_plan(client, (req.planned, req.config), private, diags).await;
    }

    async fn read(&self, client: &Client, req: ReadRequest<'_>, resp: &mut StateResponse) {
        let (private, diags) = (&mut resp.private, &mut resp.diagnostics);
        let Some((_, fresh)) = JIRA.read(client, req.state, private, diags).await else { return };
        expiry::warn_oauth(&fresh, client.config().expiry_warning_days, time::OffsetDateTime::now_utc(), diags);
        resp.state = fresh;
    }

    async fn update(&self, client: &Client, req: UpdateRequest<'_>, resp: &mut StateResponse) {
        let (private, diags) = (&mut resp.private, &mut resp.diagnostics);
        resp.state = Self::update_from_plan(client, (req.prior, req.planned, req.config), private, diags).await;
    }

    async fn delete(&self, client: &Client, req: DeleteRequest<'_>, diags: &mut Diagnostics) {
        JIRA.delete(client, req.prior, diags).await;
    }

    fn importer(&self) -> Option<&dyn Import<Client>> {
        Some(&JIRA)
    }

    fn identity(&self) -> Option<&dyn Identity> {
        Some(&JIRA)
    }
}

impl JiraCredential {
    /// Creates (or adopts) the credential the plan describes; its state,
    /// null when nothing was made.
    async fn create_from_plan(
        client: &Client,
        (planned, config): (&Value, &Value),
        private: &mut PrivateState,
        diags: &mut Diagnostics,
    ) -> Value {
        let deadline = deadline_of(planned, "create");
        let secret = secret_attrs(config);
        if secret.configured(config).is_none() && secret.holder(config).presence() == Some(true) {
            secret.missing(&format!("A new credential needs its {}", secret.noun), diags);
            return Value::Null;
        }
        let Some(planned_model) = model(planned, diags) else { return Value::Null };
        let new = secret.configured(config).and_then(|s| Self::new_credential(&planned_model, s));
        let Some(new) = new else {
            diags.error(
                "Incomplete configuration",
                "name, the basic or oauth block's identity and its secret must be known at apply.",
            );
            return Value::Null;
        };
        let full = patch(None, &planned_model, secret.configured(config));
        let mut after = Diagnostics::new();
        let made = JIRA.create_adopting(client, (&new, full), deadline, diags, &mut after).await;
        let Some((Created { credential, adopted, entry }, secret_held)) = made else { return Value::Null };
        // From here on the credential exists: whatever happens, its state
        // is kept, untainted.
        let made = (credential, adopted, secret_held);
        let state = Self::after_create(client, made, (planned, config), private, deadline, after, diags).await;
        // The answer goes to Terraform now: nothing is left to resume.
        entry.finish();
        state
    }

    /// Updates the credential in place; its state, null when nothing was
    /// written.
    async fn update_from_plan(
        client: &Client,
        (prior, planned, config): (&Value, &Value, &Value),
        private: &mut PrivateState,
        diags: &mut Diagnostics,
    ) -> Value {
        let Some(id) = prior.get("id").as_str() else {
            diags.error("Missing id", "The prior state has no id; remove the resource from state and import it.");
            return Value::Null;
        };
        let deadline = deadline_of(planned, "update");
        let Some(new) = model(planned, diags) else { return Value::Null };
        let secret = secret_attrs(config);
        let Some(sending) = secret.to_send(planned, config, diags) else { return Value::Null };
        let Some(old) = model(prior, diags) else { return Value::Null };
        let first = patch(Some(&old), &new, sending);
        let no = planned.get("oauth");
        // Oomnitza restarts consent itself when the app changes.
        let restart =
            no.get("authorization_url").is_unknown() && !matches!(first.section, Some(SectionPatch::OAuth2(_)));
        let sent = first.sends_secret();
        let version = prior.get("secret_version").as_f64().unwrap_or_default() as i64;
        if first.is_empty() && !restart {
            // Only Terraform-side settings changed: nothing to write; what
            // the configured secret is, is taken as the one stored (after
            // an import).
            Private::after_update(private, false, false, version, None);
            return prior.clone();
        }
        let (c, replaced) = if first.is_empty() {
            // Consent to restart, nothing to write: read what it restarts.
            let c = JIRA.write(client, id, None::<&CredentialPatch>, deadline, diags).await;
            let Some(c) = c else { return Value::Null };
            let replaced = c.secret_version != version;
            (c, replaced)
        } else {
            // The plan's change in one call; what was changed by hand since
            // the plan is written back (see Kind::update). An OAuth
            // credential's expiry is Atlassian's to move: never sent back.
            let oauth = new.oauth.is_some();
            let back = |answered: &Value| {
                let mut answered = answered.clone();
                if oauth {
                    answered.set("expiration_date", prior.get("expiration_date").clone());
                }
                let p = patch(Some(&JiraCredentialModel::from_value(&answered).ok()?), &new, None);
                (!p.is_empty()).then_some(p)
            };
            let written = JIRA.update(client, (prior, planned), (&first, sent), &back, deadline, diags).await;
            let Some(Updated { credential, replaced }) = written else { return Value::Null };
            (credential, replaced)
        };
        let fingerprint = secret.fingerprint(config, client.config().fingerprints);
        Private::after_update(private, sent, replaced, c.secret_version, fingerprint);
        let c = Self::consent_after_write(client, c, planned, restart, false, deadline, diags).await;
        state_from(&c, planned)
    }
}

#[cfg(test)]
#[path = "resource_tests.rs"]
mod tests;

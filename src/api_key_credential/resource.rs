//! The resource: everything generic comes from the framework (the plan,
//! from the schema's rules) and from [`crate::credential`] (create without
//! duplicates, read with drift, delete, import, identity). What is left is
//! this kind's own: the request bodies, and when the key must be sent.

use async_trait::async_trait;

use super::{schema, state_of, validate, ApiKeyCredential, API_KEY, TOKEN, TYPE_NAME};
use crate::credential::drift::{self, Saying};
use crate::credential::errors::api_diags;
use crate::credential::secret::Private;
use crate::credential::{deadline_of, set, within, Updated};
use crate::framework::model::FromValue;
use crate::framework::{Diagnostics, Identity, Import, PlanRequest, Planned, Resource, Schema, Value};
use crate::oomnitza::{ApiKeyInput, ApiKeyPatch, AuthType, Client, Created, CredentialPatch, NewCredential};
use crate::secret::Secret;

pub struct ApiKeyCredentialResource;

/// The PATCH that makes `old` (none: an adopted credential) into `new`,
/// with the key when it must be sent.
fn patch(old: Option<&ApiKeyCredential>, new: &ApiKeyCredential, token: Option<Secret>) -> CredentialPatch {
    let key = ApiKeyPatch {
        token_name: set(old.map(|o| &o.token_name), &new.token_name),
        add_to: set(old.map(|o| &o.add_to), &new.add_to).flatten(),
        token,
    };
    CredentialPatch {
        name: set(old.map(|o| &o.name), &new.name),
        owner: set(old.map(|o| &o.owner), &new.owner).flatten(),
        description: set(old.map(|o| &o.description), &new.description).flatten(),
        expiration_date: set(old.map(|o| &o.expiration_date), &new.expiration_date),
        api_key: (!key.is_empty()).then_some(key),
        ..Default::default()
    }
}

fn model(v: &Value, diags: &mut Diagnostics) -> Option<ApiKeyCredential> {
    ApiKeyCredential::from_value(v)
        .map_err(|e| diags.error("Incomplete configuration", format!("{e} at apply; it must be known.")))
        .ok()
}

#[async_trait]
impl Resource<Client> for ApiKeyCredentialResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate(config, diags);
    }

    fn modify_plan(&self, req: &PlanRequest<'_>, planned: &mut Planned, diags: &mut Diagnostics) {
        let (prior, config, p) = (req.prior, req.config, &mut planned.state);
        if prior.is_null() {
            crate::credential::expiry::warn_past_at_create(
                config,
                time::OffsetDateTime::now_utc(),
                API_KEY.expiry,
                diags,
            );
            return TOKEN.plan_create(config, diags);
        }
        let private = Private::load(req.prior_private);
        if TOKEN.changes(prior, config, &private) {
            TOKEN.wo_changed_warning(prior, config, &private, diags);
            p.set("secret_version", Value::Unknown);
            p.set("updated_at", Value::Unknown);
            if TOKEN.absent(config) {
                TOKEN.absent_warning(
                    "The token must be sent again (token_wo_version changed, or it was replaced in Oomnitza)",
                    diags,
                );
            }
        }
        if let Some(d) = &private.drift {
            let replacing = (!planned.requires_replace.is_empty()).then_some("saas cannot change");
            let say = Saying { noun: API_KEY.noun, secret: TOKEN.noun, ends_consent: false, replacing };
            drift::warn(d, prior, &planned.state, &say, diags);
        }
    }

    async fn plan_remote(&self, client: &Client, req: &PlanRequest<'_>, planned: &Planned, diags: &mut Diagnostics) {
        API_KEY.plan_remote(client, req, planned, diags).await;
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
        let Some(token) = TOKEN.configured(config) else {
            TOKEN.missing("A new credential needs its token", diags);
            return Value::Null;
        };
        let Some(m) = model(planned, diags) else { return Value::Null };
        let key = ApiKeyInput {
            token_name: m.token_name.clone(),
            token: token.clone(),
            add_to: m.add_to.clone().unwrap_or_default(),
        };
        let new = NewCredential {
            name: m.name.clone(),
            owner: m.owner.clone(),
            description: m.description.clone(),
            saas: m.saas.clone(),
            auth_type: AuthType::ApiKey,
            basic: None,
            oauth2: None,
            api_key: Some(key),
            expiration_date: m.expiration_date.clone(),
        };
        let Some(Created { mut credential, adopted, entry, .. }) = API_KEY.create(client, &new, deadline, diags).await
        else {
            return Value::Null;
        };
        if adopted {
            // Made by an interrupted earlier create of this configuration:
            // made what the plan says now, key included.
            match within(deadline, client.update(&credential.id, &patch(None, &m, Some(token)))).await {
                Ok(c) => credential = c,
                // Kept, untainted: the next plan shows what still differs.
                Err(e) => {
                    let mut after = Diagnostics::new();
                    api_diags(&e, "update the adopted API key credential", &mut after);
                    diags
                        .extend_as_warnings(after, &crate::credential::kept_after_create(API_KEY.noun, &credential.id));
                }
            }
        }
        *private = Private::store(credential.secret_version, TOKEN.fingerprint(config, client.config().fingerprints));
        entry.finish();
        state_of(&credential, planned)
    }

    async fn read(&self, client: &Client, state: &Value, private: &mut Vec<u8>, diags: &mut Diagnostics) -> Value {
        API_KEY.read(client, state, private, diags).await.map_or(Value::Null, |(_, fresh)| fresh)
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
        let Some(new) = model(planned, diags) else { return Value::Null };
        let token = match (planned.get("secret_version").is_unknown(), TOKEN.configured(config)) {
            (false, _) => None,
            (true, Some(t)) => Some(t),
            (true, None) => {
                TOKEN.missing("This apply must send the token again", diags);
                return Value::Null;
            }
        };
        let Some(old) = model(prior, diags) else { return Value::Null };
        let sent = token.is_some();
        let first = patch(Some(&old), &new, token);
        if first.is_empty() {
            // Only Terraform's own settings changed: nothing to write.
            let version = prior.get("secret_version").as_f64().unwrap_or_default() as i64;
            *private = Private::after_update(private, false, false, version, None);
            return prior.clone();
        }
        // The plan's change in one call; what was changed by hand since the
        // plan is written back (see Kind::update).
        let back = |answered: &Value| {
            let p = patch(Some(&ApiKeyCredential::from_value(answered).ok()?), &new, None);
            (!p.is_empty()).then_some(p)
        };
        let deadline = deadline_of(planned, "update");
        let written = API_KEY.update(client, (prior, planned), (&first, sent), back, deadline, diags).await;
        let Some(Updated { credential: c, replaced }) = written else { return Value::Null };
        let fingerprint = TOKEN.fingerprint(config, client.config().fingerprints);
        *private = Private::after_update(private, sent, replaced, c.secret_version, fingerprint);
        state_of(&c, planned)
    }

    async fn delete(&self, client: &Client, prior: &Value, diags: &mut Diagnostics) {
        API_KEY.delete(client, prior, diags).await;
    }

    fn importer(&self) -> Option<&dyn Import<Client>> {
        Some(&API_KEY)
    }

    fn identity(&self) -> Option<&dyn Identity> {
        Some(&API_KEY)
    }
}

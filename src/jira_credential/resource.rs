//! `oomnitza_jira_credential`: a Jira credential in Oomnitza's vault, Basic
//! Auth (`basic`) or Atlassian OAuth 2.0 3LO (`oauth`).
//!
//! Plans are exact: stable computed values keep their state value, and a
//! value is "known after apply" only when the apply will change it. Secrets
//! are re-sent when the configuration or the server's `secret_version` says
//! so (`secret`); an OAuth credential's consent is restarted when its app
//! changes or its authorization broke, and its health shows in every plan
//! (`consent`).

use async_trait::async_trait;
use tokio::time::Instant;

use super::consent::wait_for_consent;
use super::expiry;
use super::model::{state_from, DEFAULT_CALLBACK_URL, DEFAULT_SCOPE, JIRA, TYPE_NAME};
use super::oauth as consent;
use super::validate::validate_config;
use crate::credential::drift::{self, Saying};
use crate::credential::errors::api_diags;
use crate::credential::secret::{changes, Private, SecretAttrs};
use crate::credential::{deadline_of, timeouts_block, within};
use crate::framework::{
    AttrPath, Attribute, Block, Diagnostics, IdentitySchema, ImportTarget, Nesting, PlanRequest, Planned, Resource,
    Schema, Type, Value,
};
use crate::oomnitza::{
    ApiError, AuthType, BasicInput, BasicPatch, Client, Created, Credential, CredentialPatch, NewCredential,
    OAuthInput, OAuthPatch, SAAS_JIRA,
};

pub struct JiraCredential;

pub const BASIC_SECRET: SecretAttrs = SecretAttrs {
    noun: "API token",
    block: "basic",
    value: "api_token",
    wo: "api_token_wo",
    version: "api_token_wo_version",
    trust_after_import: false,
};

pub const OAUTH_SECRET: SecretAttrs = SecretAttrs {
    noun: "client secret",
    block: "oauth",
    value: "client_secret",
    wo: "client_secret_wo",
    version: "client_secret_wo_version",
    // Sending it would end a working authorization.
    trust_after_import: true,
};

fn basic_block() -> Block {
    Block::new("Basic Auth: the Atlassian account's email and a Jira API token.")
        .attr(Attribute::string("email").required().describe("The Atlassian account's email address (the Jira username)."))
        .attr(Attribute::string("api_token").optional().sensitive().describe(
            "A Jira API token. Stored in state (sensitive). Give this or `api_token_wo`.",
        ))
        .attr(Attribute::string("api_token_wo").optional().sensitive().write_only().describe(
            "A Jira API token that is never stored in state or plan (Terraform 1.11+). Change `api_token_wo_version` to send a new one.",
        ))
        .attr(Attribute::number("api_token_wo_version").optional().describe(
            "Any number; changing it re-sends `api_token_wo`. Only with `api_token_wo`.",
        ))
}

fn oauth_block() -> Block {
    Block::new("OAuth 2.0 (3LO) with an Atlassian app. After apply, a person gives consent at `authorization_url`; the status shows in every plan.")
        .attr(Attribute::string("client_id").required().describe("The Atlassian app's client ID (developer console > the app > Settings)."))
        .attr(
            Attribute::string("client_secret")
                .optional()
                .sensitive()
                .describe("The app's client secret. Stored in state (sensitive). Give this or `client_secret_wo`."),
        )
        .attr(Attribute::string("client_secret_wo").optional().sensitive().write_only().describe(
            "The app's client secret, never stored in state or plan (Terraform 1.11+). Change `client_secret_wo_version` to send a new one.",
        ))
        .attr(
            Attribute::number("client_secret_wo_version")
                .optional()
                .describe("Any number; changing it re-sends `client_secret_wo` (and restarts consent). Only with `client_secret_wo`."),
        )
        .attr(Attribute::list("scopes", Type::String).optional_computed().default_is("[\"read:jira-user\"]").describe(
            "OAuth scopes, each once. The Jira user load needs `read:jira-user`; add `offline_access` so that Oomnitza can refresh the authorization instead of letting it expire after an hour.",
        ))
        .attr(Attribute::string("site").optional().describe(
            "The Jira site host the consent must grant, e.g. `example.atlassian.net`. When set, a consent for another site is an error at plan.",
        ))
        .attr(Attribute::string("callback_url").optional_computed().default_is("\"https://generic-oauth2-proxy.oomnitza.com/oauth2/redirect_url\"").describe(
            "The callback URL registered with the app: Oomnitza's OAuth proxy unless you run your own. https only (plain http on loopback).",
        ))
        .attr(Attribute::bool("wait_for_authorization").optional().default_is("false").deprecated().describe(
            "Deprecated: use the `oomnitza_jira_credential_authorization` resource, which waits for consent and fails on timeout without putting the credential at risk. When true, apply waits (up to `timeouts.create` / `timeouts.update`) until a person completes consent; a create whose wait runs out ends with a warning (an error would make Terraform replace the credential), an update's with an error.",
        ))
        .attr(Attribute::string("status").computed().describe(
            "`pending_authorization` (waiting for consent), `authorized`, `expired` or `revoked`. A plan restarts consent when it is `expired` or `revoked`.",
        ))
        .attr(Attribute::string("authorization_url").computed().describe("Where a person gives consent, while the status is `pending_authorization`."))
        .attr(Attribute::string("expires_at").computed().describe("When the access expires unless refreshed (RFC 3339), once authorized."))
        .attr(Attribute::list("granted_sites", Type::String).computed().describe("The Jira site hosts the consent granted access to."))
        .attr(Attribute::string("last_error").computed().describe(
            "Why the last consent, code exchange or refresh failed, such as `access_denied: the person declined`; null after a successful consent.",
        ))
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::List(items) => items.iter().filter_map(Value::as_str).map(String::from).collect(),
        _ => Vec::new(),
    }
}

/// The block's secret attributes, for the block the configuration uses.
fn secret_attrs(v: &Value) -> &'static SecretAttrs {
    if v.get("oauth").is_null() {
        &BASIC_SECRET
    } else {
        &OAUTH_SECRET
    }
}

impl JiraCredential {
    /// The state's value type, built once: reads run once per resource on
    /// every plan, so they should not rebuild the schema.
    fn value_type() -> &'static Type {
        static TYPE: std::sync::OnceLock<Type> = std::sync::OnceLock::new();
        TYPE.get_or_init(|| Self::schema_static().value_type())
    }

    fn schema_static() -> Schema {
        Schema::new(
            0,
            Block::new("A Jira integration credential in Oomnitza's vault (Configuration > Security > Credentials): Basic Auth (`basic`) or Atlassian OAuth 2.0 (`oauth`), exactly one.")
                .attr(Attribute::string("id").computed().describe("The credential's id in Oomnitza."))
                .attr(Attribute::string("name").required().describe("The credential's name, as shown in Oomnitza."))
                .attr(Attribute::string("owner").optional_computed().describe(
                    "The Oomnitza user that owns it. Oomnitza picks the token's user when unset; a dedicated user is best practice.",
                ))
                .attr(Attribute::string("description").optional_computed().default_is("\"\"").describe("Free text."))
                .attr(Attribute::string("expiration_date").optional().describe("When the credential expires, `YYYY-MM-DD`. Basic auth only: an OAuth credential's expiry comes from Atlassian."))
                .attr(Attribute::string("auth_type").computed().describe("`basic` or `oauth2`."))
                .attr(Attribute::number("secret_version").computed().describe(
                    "Goes up by one each time the secret changes, by anyone: how a rotation made outside Terraform shows in a plan.",
                ))
                .attr(Attribute::string("created_at").computed().describe("When it was created (RFC 3339)."))
                .attr(Attribute::string("updated_at").computed().describe("When it last changed (RFC 3339)."))
                .block("basic", Nesting::Single, basic_block())
                .block("oauth", Nesting::Single, oauth_block())
                .block(
                    "timeouts",
                    Nesting::Single,
                    timeouts_block(
                        "How long each operation may take. With `oauth.wait_for_authorization`, the wait for consent counts too.",
                        &[
                            ("create", "creating (and waiting for consent)"),
                            ("update", "updating (and waiting for consent)"),
                            ("delete", "deleting"),
                        ],
                    ),
                ),
        )
    }

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
                scopes: strings(o.get("scopes")),
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
                scopes: Some(strings(o.get("scopes"))),
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
                state_from(&c, planned, Self::value_type())
            }
            Err(e) => {
                api_diags(&e, "update the adopted Jira credential", diags);
                // Tracked all the same, so that nothing is orphaned.
                state_from(&credential, planned, Self::value_type())
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
        Self::schema_static()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate_config(config, diags);
    }

    fn plan(&self, req: PlanRequest<'_>, diags: &mut Diagnostics) -> Planned {
        let PlanRequest { prior, config, prior_private, .. } = req;
        let secret = secret_attrs(config);
        let block = config.get(secret.block);
        if prior.is_null() {
            secret.plan_create(config, diags);
        }
        let mut p = config.clone();
        if config.get("description").is_null() {
            p.set("description", Value::string(""));
        }
        let auth_type = match (config.get("basic"), config.get("oauth")) {
            (b, o) if b.presence().is_none() || o.presence().is_none() => Value::Unknown,
            (b, _) if !b.is_null() => Value::string("basic"),
            (_, o) if !o.is_null() => Value::string("oauth2"),
            _ => Value::Unknown,
        };
        let oauth_config = config.get("oauth");
        let mut oauth = oauth_config.clone();
        // A placeholder for a block whose presence is known only at apply
        // stays as it is: Terraform recognises it by its unknown leaves.
        let oauth_presence = oauth.presence();
        let oauth_known = oauth_presence == Some(true);
        if oauth_presence.is_none() {
            // What Oomnitza or a default fills in is unknown too.
            for f in consent::HEALTH.iter().chain(&["scopes", "callback_url"]) {
                oauth.set(f, Value::Unknown);
            }
        }
        if oauth_known {
            // Defaults, known at plan; an update keeps the server's instead.
            let kept =
                |f: &str, default: Value| if prior.is_null() { default } else { prior.get("oauth").get(f).clone() };
            if oauth.get("scopes").is_null() {
                oauth.set("scopes", kept("scopes", Value::List(vec![Value::string(DEFAULT_SCOPE)])));
            }
            if oauth.get("callback_url").is_null() {
                oauth.set("callback_url", kept("callback_url", Value::string(DEFAULT_CALLBACK_URL)));
            }
        }
        if prior.is_null() {
            // Create: everything Oomnitza assigns is unknown.
            for computed in ["id", "secret_version", "created_at", "updated_at"] {
                p.set(computed, Value::Unknown);
            }
            if config.get("owner").is_null() {
                p.set("owner", Value::Unknown);
            }
            if oauth_known {
                for f in consent::HEALTH {
                    oauth.set(f, Value::Unknown);
                }
                oauth.set("status", consent::planned_status(oauth_config));
            }
            if !oauth.is_null() {
                p.set("oauth", oauth);
            }
            p.set("auth_type", auth_type);
            return Planned { state: p, ..Default::default() };
        }

        // Update: keep every stable computed value.
        for stable in ["id", "secret_version", "created_at", "updated_at", "auth_type"] {
            p.set(stable, prior.get(stable).clone());
        }
        if config.get("owner").is_null() {
            p.set("owner", prior.get("owner").clone());
        }
        let mut requires_replace = Vec::new();
        let replace = changes(prior.get("auth_type"), &auth_type);
        if replace {
            // Oomnitza cannot change a credential's type (409): replace it.
            requires_replace.push(AttrPath::root("basic"));
            requires_replace.push(AttrPath::root("oauth"));
            p.set("auth_type", auth_type);
        }
        let private = Private::load(prior_private);
        let secret_changed = !block.is_null() && !replace && secret.changes(prior, config, &private);
        let mut fields_changed =
            ["name", "owner", "description", "expiration_date"].iter().any(|f| changes(prior.get(f), p.get(f)))
                || changes(prior.get("basic").get("email"), p.get("basic").get("email"));
        if oauth_known && !replace {
            let po = prior.get("oauth");
            for f in consent::HEALTH {
                oauth.set(f, po.get(f).clone());
            }
            let app_changed = consent::APP.iter().any(|f| changes(po.get(f), oauth.get(f)));
            let broken = consent::is_broken(po.get("status"));
            if secret_changed || app_changed || broken {
                for f in consent::HEALTH {
                    oauth.set(f, Value::Unknown);
                }
                oauth.set("status", consent::planned_status(oauth_config));
                fields_changed = true;
                // A break this refresh found is said in the drift warning.
                let drifted = private.drift.as_ref().is_some_and(|d| d.status.is_some());
                if broken && !secret_changed && !app_changed && !drifted {
                    consent::plan_broken(prior, diags);
                }
            } else {
                consent::plan_health(prior, oauth_config, diags);
            }
        }
        if !oauth.is_null() {
            p.set("oauth", oauth);
        }
        if secret_changed {
            p.set("secret_version", Value::Unknown);
            if secret.absent(config) {
                let why = format!(
                    "The {} must be sent again ({} changed, or it was replaced in Oomnitza)",
                    secret.noun, secret.version
                );
                secret.absent_warning(&why, diags);
            }
        }
        if secret_changed || fields_changed {
            p.set("updated_at", Value::Unknown);
        }
        if let Some(d) = &private.drift {
            let say = Saying {
                noun: JIRA.noun,
                secret: secret.noun,
                ends_consent: prior.get("auth_type").as_str() == Some(AuthType::Oauth2.as_str()),
                replacing: replace.then_some("basic and oauth cannot change into each other"),
            };
            drift::warn(d, prior, &p, &say, diags);
        }
        Planned { state: p, requires_replace, private: prior_private.to_vec() }
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
            state_from(&c, planned, Self::value_type())
        };
        // The answer goes to Terraform now: nothing is left to resume.
        entry.finish();
        state
    }

    async fn read(&self, client: &Client, state: &Value, private: &mut Vec<u8>, diags: &mut Diagnostics) -> Value {
        let to_state = |c: &Credential, kept: &Value| state_from(c, kept, Self::value_type());
        let Some((_, fresh)) = JIRA.read(client, state, private, to_state, diags).await else {
            return Value::Null;
        };
        expiry::warn(&fresh, client.config().expiry_warning_days, time::OffsetDateTime::now_utc(), diags);
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
                o.scopes = Some(strings(no.get("scopes")));
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
                state_from(&c, planned, Self::value_type())
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

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(JIRA.identity_schema())
    }

    fn identity(&self, state: &Value) -> Value {
        JIRA.identity(state)
    }

    async fn import(&self, client: &Client, target: ImportTarget<'_>, diags: &mut Diagnostics) -> Value {
        match JIRA.import(client, target, diags).await {
            Some(c) => state_from(&c, &Value::Null, Self::value_type()),
            None => Value::Null,
        }
    }
}

#[cfg(test)]
#[path = "resource_tests.rs"]
mod tests;

//! `oomnitza_jira_credential`: a Jira credential in Oomnitza's vault.
//!
//! Plans are exact: stable computed values keep their state value, and a
//! value is "known after apply" only when the apply will change it. An
//! out-of-band secret rotation is seen through `secret_version`: the version
//! this provider last wrote is kept in private state, and when the server's
//! differs, the plan re-sends the secret from the configuration.

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::api_diags;
use crate::framework::duration::parse_duration;
use crate::framework::{
    AttrPath, Attribute, Block, Diagnostics, Nesting, PlanRequest, Planned, Resource, Schema, Type, Value,
};
use crate::oomnitza::{
    ApiError, AuthType, BasicInput, BasicPatch, Client, Credential, CredentialPatch, NewCredential, SAAS_JIRA,
};
use crate::secret::Secret;

pub const TYPE_NAME: &str = "oomnitza_jira_credential";

/// The Oomnitza OAuth proxy's callback, the default `oauth.callback_url`.
pub const DEFAULT_CALLBACK_URL: &str = "https://generic-oauth2-proxy.oomnitza.com/oauth2/redirect_url";

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

pub struct JiraCredential;

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
    Block::new("OAuth 2.0 (3LO) with an Atlassian app.")
        .attr(Attribute::string("client_id").required().describe("The Atlassian app's client ID."))
        .attr(
            Attribute::string("client_secret")
                .optional()
                .sensitive()
                .describe("The app's client secret. Give this or `client_secret_wo`."),
        )
        .attr(
            Attribute::string("client_secret_wo")
                .optional()
                .sensitive()
                .write_only()
                .describe("The app's client secret, never stored in state or plan (Terraform 1.11+)."),
        )
        .attr(
            Attribute::number("client_secret_wo_version")
                .optional()
                .describe("Changing it re-sends `client_secret_wo`."),
        )
        .attr(
            Attribute::list("scopes", Type::String)
                .optional_computed()
                .describe("OAuth scopes. Default `[\"read:jira-user\"]`."),
        )
        .attr(Attribute::string("site").optional().describe("The Jira site host, e.g. `example.atlassian.net`."))
        .attr(
            Attribute::string("callback_url")
                .optional_computed()
                .describe("Callback URL registered with the app. Default the Oomnitza OAuth proxy."),
        )
        .attr(
            Attribute::bool("wait_for_authorization")
                .optional()
                .describe("Wait at apply until a person completes consent."),
        )
        .attr(
            Attribute::string("status")
                .computed()
                .describe("`pending_authorization`, `authorized`, `expired` or `revoked`."),
        )
        .attr(
            Attribute::string("authorization_url").computed().describe("Where a person gives consent, while pending."),
        )
        .attr(Attribute::string("expires_at").computed().describe("When the authorization expires (RFC 3339)."))
}

fn timeouts_block() -> Block {
    Block::new("How long each operation may take, such as `2m` (default `5m`).")
        .attr(Attribute::string("create").optional())
        .attr(Attribute::string("update").optional())
        .attr(Attribute::string("delete").optional())
}

/// What the provider remembers beside the state: the secret version it last
/// wrote. Never a secret.
#[derive(Default, Serialize, Deserialize)]
struct Private {
    #[serde(default)]
    secret_version: Option<f64>,
}

impl Private {
    fn load(bytes: &[u8]) -> Private {
        serde_json::from_slice(bytes).unwrap_or_default()
    }
    fn store(secret_version: i64) -> Vec<u8> {
        serde_json::to_vec(&Private { secret_version: Some(secret_version as f64) }).unwrap_or_default()
    }
}

/// `timeouts.<op>` from a state or plan, else the default.
fn timeout_of(v: &Value, op: &str) -> Duration {
    v.get("timeouts").get(op).as_str().and_then(|s| parse_duration(s).ok()).unwrap_or(DEFAULT_TIMEOUT)
}

fn is_email(s: &str) -> bool {
    let mut parts = s.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && !s.chars().any(char::is_whitespace)
        && domain.contains('.')
        && domain.split('.').all(|l| !l.is_empty())
}

const DATE: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// The secret to send, from the configuration (`api_token` or `api_token_wo`).
fn configured_token(config: &Value) -> Option<Secret> {
    let basic = config.get("basic");
    basic.get("api_token").as_str().or_else(|| basic.get("api_token_wo").as_str()).map(Secret::new)
}

/// Sets the top-level attributes the resource and the data source share
/// from what Oomnitza answered.
pub fn set_common(s: &mut Value, c: &Credential) {
    s.set("id", Value::string(&c.id));
    s.set("name", Value::string(&c.name));
    s.set("owner", Value::string(&c.owner));
    s.set("description", Value::string(&c.description));
    s.set("expiration_date", Value::opt_string(c.expiration_date.clone()));
    s.set("auth_type", Value::string(c.auth_type.as_str()));
    s.set("secret_version", Value::Number(c.secret_version as f64));
    s.set("created_at", Value::string(&c.created_at));
    s.set("updated_at", Value::string(&c.updated_at));
}

/// Builds the state from what Oomnitza answered, taking the values Oomnitza
/// never answers (secrets, timeouts) from `keep` (the plan or prior state).
pub fn state_from(c: &Credential, keep: &Value, ty: &Type) -> Value {
    let Type::Object(attrs) = ty else {
        return Value::Null;
    };
    let mut s = Value::null_object(ty);
    set_common(&mut s, c);
    if let (Some(b), Some(bt)) = (&c.basic, attrs.get("basic")) {
        let kept = keep.get("basic");
        let mut basic = Value::null_object(bt);
        basic.set("email", Value::string(&b.username));
        basic.set("api_token", kept.get("api_token").clone());
        basic.set("api_token_wo_version", kept.get("api_token_wo_version").clone());
        s.set("basic", basic);
    }
    if let (Some(o), Some(ot)) = (&c.oauth2, attrs.get("oauth")) {
        let kept = keep.get("oauth");
        let mut oauth = Value::null_object(ot);
        oauth.set("client_id", Value::string(&o.client_id));
        oauth.set("client_secret", kept.get("client_secret").clone());
        oauth.set("client_secret_wo_version", kept.get("client_secret_wo_version").clone());
        oauth.set("scopes", Value::List(o.scopes.iter().map(Value::string).collect()));
        oauth.set("site", Value::opt_string(o.site.clone()));
        oauth.set("callback_url", Value::string(&o.callback_url));
        oauth.set("wait_for_authorization", kept.get("wait_for_authorization").clone());
        oauth.set("status", Value::opt_string(o.status.clone()));
        oauth.set("authorization_url", Value::opt_string(o.authorization_url.clone()));
        oauth.set("expires_at", Value::opt_string(o.expires_at.clone()));
        s.set("oauth", oauth);
    }
    s.set("timeouts", keep.get("timeouts").clone());
    s
}

/// A value differs from the prior one, or is not known yet.
fn changes(prior: &Value, planned: &Value) -> bool {
    planned.is_unknown() || prior != planned
}

/// Whether the plan must re-send the secret.
fn secret_changes(prior: &Value, config: &Value, private: &Private) -> bool {
    let (pb, cb) = (prior.get("basic"), config.get("basic"));
    if cb.get("api_token").is_null() && cb.get("api_token_wo").is_null() {
        return false; // the secret is not managed by Terraform
    }
    let wo = !cb.get("api_token_wo").is_null();
    let token_changed = !wo && changes(pb.get("api_token"), cb.get("api_token"));
    let version_changed = wo && changes(pb.get("api_token_wo_version"), cb.get("api_token_wo_version"));
    // The server's version moved since this provider last wrote the secret,
    // or (after an import) it never wrote one and cannot know what is stored.
    let drifted = match private.secret_version {
        Some(v) => prior.get("secret_version").as_f64() != Some(v),
        None => wo,
    };
    token_changed || version_changed || drifted
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
            Block::new("A Jira integration credential in Oomnitza's vault (Configuration > Security > Credentials).")
                .attr(Attribute::string("id").computed().describe("The credential's id in Oomnitza."))
                .attr(Attribute::string("name").required().describe("The credential's name, as shown in Oomnitza."))
                .attr(Attribute::string("owner").optional_computed().describe(
                    "The Oomnitza user that owns it. Oomnitza picks the token's user when unset; a dedicated user is best practice.",
                ))
                .attr(Attribute::string("description").optional_computed().describe("Free text. Default empty."))
                .attr(Attribute::string("expiration_date").optional().describe("When the credential expires, `YYYY-MM-DD`. Basic auth only."))
                .attr(Attribute::string("auth_type").computed().describe("`basic` or `oauth2`."))
                .attr(Attribute::number("secret_version").computed().describe(
                    "Goes up by one each time the secret changes, by anyone: how a rotation made outside Terraform shows in a plan.",
                ))
                .attr(Attribute::string("created_at").computed().describe("When it was created (RFC 3339)."))
                .attr(Attribute::string("updated_at").computed().describe("When it last changed (RFC 3339)."))
                .block("basic", Nesting::Single, basic_block())
                .block("oauth", Nesting::Single, oauth_block())
                .block("timeouts", Nesting::Single, timeouts_block()),
        )
    }

    async fn timed<T>(
        &self,
        limit: Duration,
        fut: impl std::future::Future<Output = Result<T, ApiError>>,
    ) -> Result<T, ApiError> {
        tokio::time::timeout(limit, fut).await.unwrap_or(Err(ApiError::Timeout))
    }
}

/// Checks every rule that needs no remote call. Unknown values pass.
pub fn validate_config(config: &Value, diags: &mut Diagnostics) {
    if config.get("name").as_str().is_some_and(|s| s.trim().is_empty()) {
        diags.error_at(
            AttrPath::root("name"),
            "Empty name",
            "name must not be empty: it is how the credential shows in Oomnitza.",
        );
    }
    if let Some(d) = config.get("expiration_date").as_str() {
        if time::Date::parse(d, DATE).is_err() {
            diags.error_at(
                AttrPath::root("expiration_date"),
                "Invalid expiration_date",
                format!("{d:?} is not a date; write it as YYYY-MM-DD, e.g. \"2027-06-30\"."),
            );
        }
    }
    if let Value::Object(t) = config.get("timeouts") {
        for (op, v) in t {
            if let Some(Err(e)) = v.as_str().map(parse_duration) {
                diags.error_at(
                    AttrPath::root("timeouts").attr(op),
                    format!("Invalid timeouts.{op}"),
                    format!("timeouts.{op} {e}."),
                );
            }
        }
    }
    let (basic, oauth) = (config.get("basic"), config.get("oauth"));
    if !oauth.is_null() {
        diags.error_at(
            AttrPath::root("oauth"),
            "OAuth credentials not yet supported",
            "This provider version manages Basic Auth credentials only. Use a basic { email, api_token } block; OAuth 2.0 (3LO) support comes in a later version.",
        );
    }
    if basic.is_null() {
        if oauth.is_null() {
            diags.error_at(
                AttrPath::root("basic"),
                "Missing authentication block",
                "Add a basic block with the Atlassian account's email and a Jira API token: basic { email = \"...\" api_token = var.jira_api_token }.",
            );
        }
        return;
    }
    if !oauth.is_null() {
        diags.error_at(
            AttrPath::root("oauth"),
            "Conflicting blocks",
            "Give either a basic or an oauth block, not both.",
        );
    }
    if basic.is_unknown() {
        return;
    }
    let at = |n: &str| AttrPath::root("basic").attr(n);
    if let Some(email) = basic.get("email").as_str() {
        if !is_email(email) {
            diags.error_at(
                at("email"),
                "Invalid email",
                format!("{email:?} is not an email address. Use the Atlassian account's email, e.g. \"svc-jira@example.com\"."),
            );
        }
    }
    let (token, wo, wo_version) =
        (basic.get("api_token"), basic.get("api_token_wo"), basic.get("api_token_wo_version"));
    // Neither is fine for an imported credential whose secret is kept by
    // hand; a new credential needs one, which `plan` checks.
    if !token.is_null() && !wo.is_null() {
        diags.error_at(at("api_token_wo"), "Conflicting API tokens", "Set only one of api_token and api_token_wo.");
    }
    for (name, v) in [("api_token", token), ("api_token_wo", wo)] {
        if v.as_str().is_some_and(|s| s.trim().is_empty()) {
            diags.error_at(
                at(name),
                "Empty API token",
                format!("{name} must not be empty; create a token at id.atlassian.com > Security > API tokens."),
            );
        }
    }
    if !wo_version.is_null() && wo.is_null() {
        diags.error_at(
            at("api_token_wo_version"),
            "api_token_wo_version without api_token_wo",
            "api_token_wo_version only triggers re-sending api_token_wo. Remove it, or use api_token_wo instead of api_token.",
        );
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
        let basic = config.get("basic");
        if prior.is_null()
            && !basic.is_null()
            && basic.get("api_token").is_null()
            && basic.get("api_token_wo").is_null()
        {
            diags.error_at(
                AttrPath::root("basic").attr("api_token"),
                "Missing API token",
                "A new credential needs a Jira API token: set api_token (stored in state, sensitive) or api_token_wo (never stored; Terraform 1.11+).",
            );
        }
        let mut p = config.clone();
        if config.get("description").is_null() {
            p.set("description", Value::string(""));
        }
        let auth_type = match (config.get("basic"), config.get("oauth")) {
            (b, _) if !b.is_null() && !b.is_unknown() => Value::string("basic"),
            (_, o) if !o.is_null() && !o.is_unknown() => Value::string("oauth2"),
            _ => Value::Unknown,
        };
        if prior.is_null() {
            // Create: everything Oomnitza assigns is unknown.
            for computed in ["id", "secret_version", "created_at", "updated_at"] {
                p.set(computed, Value::Unknown);
            }
            if config.get("owner").is_null() {
                p.set("owner", Value::Unknown);
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
        if changes(prior.get("auth_type"), &auth_type) {
            // Oomnitza cannot change a credential's type (409): replace it.
            requires_replace.push(AttrPath::root("basic"));
            requires_replace.push(AttrPath::root("oauth"));
            p.set("auth_type", auth_type);
        }
        let private = Private::load(prior_private);
        let secret = !config.get("basic").is_null() && secret_changes(prior, config, &private);
        let fields_changed =
            ["name", "owner", "description", "expiration_date"].iter().any(|f| changes(prior.get(f), p.get(f)))
                || changes(prior.get("basic").get("email"), p.get("basic").get("email"));
        if secret {
            p.set("secret_version", Value::Unknown);
        }
        if secret || fields_changed {
            p.set("updated_at", Value::Unknown);
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
        validate_config(config, diags);
        if diags.has_errors() {
            return Value::Null;
        }
        let (Some(name), Some(email), Some(token)) =
            (planned.get("name").as_str(), planned.get("basic").get("email").as_str(), configured_token(config))
        else {
            diags.error("Incomplete configuration", "name, basic.email and the API token must be known at apply.");
            return Value::Null;
        };
        let new = NewCredential {
            name: name.to_string(),
            owner: planned.get("owner").as_str().map(String::from),
            description: planned.get("description").as_str().map(String::from),
            saas: SAAS_JIRA.to_string(),
            auth_type: AuthType::Basic,
            basic: Some(BasicInput { username: email.to_string(), password: token }),
            oauth2: None,
            expiration_date: planned.get("expiration_date").as_str().map(String::from),
        };
        let started = time::OffsetDateTime::now_utc();
        match self.timed(timeout_of(planned, "create"), client.create(&new)).await {
            Ok(c) => {
                *private = Private::store(c.secret_version);
                state_from(&c, planned, Self::value_type())
            }
            Err(ApiError::Timeout) => {
                // It may have been made just before the limit: find it, so
                // that it is tracked rather than orphaned.
                let found = tokio::time::timeout(Duration::from_secs(30), client.find_created(&new, started)).await;
                if let Ok(Ok(Some(c))) = found {
                    *private = Private::store(c.secret_version);
                    return state_from(&c, planned, Self::value_type());
                }
                api_diags(&ApiError::Timeout, "create the Jira credential", diags);
                Value::Null
            }
            Err(e) => {
                api_diags(&e, "create the Jira credential", diags);
                Value::Null
            }
        }
    }

    async fn read(&self, client: &Client, state: &Value, _private: &mut Vec<u8>, diags: &mut Diagnostics) -> Value {
        let Some(id) = state.get("id").as_str() else {
            return Value::Null;
        };
        match self.timed(DEFAULT_TIMEOUT, client.get(id)).await {
            Ok(Some(c)) => state_from(&c, state, Self::value_type()),
            Ok(None) => Value::Null,
            Err(e) => {
                api_diags(&e, "read the Jira credential", diags);
                Value::Null
            }
        }
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
        validate_config(config, diags);
        if diags.has_errors() {
            return Value::Null;
        }
        let Some(id) = prior.get("id").as_str() else {
            diags.error("Missing id", "The prior state has no id; remove the resource from state and import it.");
            return Value::Null;
        };
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
        let mut basic = BasicPatch::default();
        if prior.get("basic").get("email") != planned.get("basic").get("email") {
            basic.username = text(planned.get("basic"), "email");
        }
        if planned.get("secret_version").is_unknown() {
            basic.password = configured_token(config);
        }
        if basic.username.is_some() || basic.password.is_some() {
            patch.basic = Some(basic);
        }
        if patch.is_empty() {
            // Only Terraform-side settings (timeouts) changed.
            return planned.clone();
        }
        match self.timed(timeout_of(planned, "update"), client.update(id, &patch)).await {
            Ok(c) => {
                *private = Private::store(c.secret_version);
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
        let Some(id) = prior.get("id").as_str() else {
            return;
        };
        if let Err(e) = self.timed(timeout_of(prior, "delete"), client.delete(id)).await {
            api_diags(&e, "delete the Jira credential", diags);
        }
    }

    async fn import(&self, client: &Client, id: &str, diags: &mut Diagnostics) -> Value {
        let id = id.trim();
        if id.is_empty() {
            diags.error(
                "Missing import id",
                "Give the credential's Oomnitza id: terraform import oomnitza_jira_credential.NAME <id>.",
            );
            return Value::Null;
        }
        match self.timed(DEFAULT_TIMEOUT, client.get(id)).await {
            Ok(Some(c)) if c.saas == SAAS_JIRA => state_from(&c, &Value::Null, Self::value_type()),
            Ok(Some(c)) => {
                diags.error("Not a Jira credential", format!("Credential {id} is for {:?}, not Jira.", c.saas));
                Value::Null
            }
            Ok(None) => {
                diags.error("Cannot import non-existent remote object", format!("Oomnitza has no credential with id {id:?}. Check the id (Configuration > Security > Credentials)."));
                Value::Null
            }
            Err(e) => {
                api_diags(&e, "import the Jira credential", diags);
                Value::Null
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(basic: Value) -> Value {
        let ty = JiraCredential::value_type();
        let mut c = Value::null_object(ty);
        c.set("name", Value::string("Jira user load"));
        c.set("basic", basic);
        c
    }

    fn basic(email: &str, token: Option<&str>, wo: Option<&str>) -> Value {
        let Type::Object(attrs) = JiraCredential::value_type().clone() else { unreachable!() };
        let mut b = Value::null_object(&attrs["basic"]);
        b.set("email", Value::string(email));
        b.set("api_token", Value::opt_string(token));
        b.set("api_token_wo", Value::opt_string(wo));
        b
    }

    fn paths(c: &Value) -> Vec<String> {
        let mut d = Diagnostics::new();
        validate_config(c, &mut d);
        d.0.iter().map(|d| d.path.as_ref().map(|p| p.to_string()).unwrap_or_default()).collect()
    }

    #[test]
    fn validation_rules_name_their_attribute() {
        assert!(paths(&config(basic("a@example.com", Some("t"), None))).is_empty());
        assert_eq!(paths(&config(basic("not-an-email", Some("t"), None))), ["basic.email"]);
        assert!(paths(&config(basic("a@example.com", None, None))).is_empty());
        assert_eq!(paths(&config(basic("a@example.com", Some("t"), Some("w")))), ["basic.api_token_wo"]);
        assert_eq!(paths(&config(basic("a@example.com", Some(" "), None))), ["basic.api_token"]);
        assert_eq!(paths(&config(Value::Null)), ["basic"]);
        let mut c = config(basic("a@example.com", Some("t"), None));
        c.set("expiration_date", Value::string("2027-13-01"));
        assert_eq!(paths(&c), ["expiration_date"]);
        let mut b = basic("a@example.com", Some("t"), None);
        b.set("api_token_wo_version", Value::Number(1.0));
        assert_eq!(paths(&config(b)), ["basic.api_token_wo_version"]);
    }

    #[test]
    fn unknown_values_pass_validation() {
        let mut b = basic("a@example.com", None, None);
        b.set("email", Value::Unknown);
        b.set("api_token", Value::Unknown);
        assert!(paths(&config(b)).is_empty());
    }

    #[test]
    fn emails() {
        assert!(is_email("svc-jira@example.com"));
        for bad in ["", "a", "a@b", "@x.com", "a@@x.com", "a b@x.com", "a@x..com"] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}

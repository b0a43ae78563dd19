//! `oomnitza_api_key_credential`: an API key in Oomnitza's vault for any
//! integration (Okta, ServiceNow, Jira, ...). Oomnitza adds
//! `<token_name>: <token>` to each request it makes to that system, as a
//! header or a query parameter.
//!
//! A flat kind ([`FlatKind`]): a model ([`ApiKeyCredential`]), a schema
//! whose rules plan it, a [`Kind`], and its section of the API. Its
//! resource, data source and list resource are `crate::credential::flat`'s.

use oomnitza_api::Filter;

use crate::credential::expiry::ExpiryWords;
use crate::credential::flat::FlatKind;
use crate::credential::secret::SecretAttrs;
use crate::credential::{
    expiration_attribute, name_attribute, saas_attribute, set, timeouts_block, DriftWatch, Kind, Timeouts,
};
use crate::framework::model::{FromValue, IntoValue};
use crate::framework::validate::{Matches, OneOf};
use crate::framework::{Attribute, Block, Nesting, Schema, Value};
use crate::oomnitza::{ApiKeyInput, ApiKeyPatch, AuthType, Credential, Section, SectionPatch};
use crate::secret::Secret;

pub const TYPE_NAME: &str = "oomnitza_api_key_credential";

pub static API_KEY: Kind = Kind {
    type_name: TYPE_NAME,
    noun: "API key credential",
    scope: || Filter::new().eq("auth_type", AuthType::ApiKey.as_str()),
    owns: |c| c.auth_type == AuthType::ApiKey,
    drift: DriftWatch::of(schema),
    state: state_of,
    // Its fields are top-level attributes.
    fields: &[("api_key.", "")],
    expiry: &ExpiryWords {
        secret_of: "The key of API key credential",
        stopped: "the system it is for no longer accepts the key, and Oomnitza's syncs with this credential fail now",
        stops: "then the system it is for stops accepting the key and Oomnitza's syncs with this credential fail",
        rotate: "Rotate it: make a new key in the integration's admin console, then set it in token_wo with a higher token_wo_version (or in token), and set expiration_date to the new key's date.",
    },
};

pub const TOKEN: SecretAttrs = SecretAttrs {
    noun: "token",
    block: "",
    value: "token",
    wo: "token_wo",
    version: "token_wo_version",
    trust_after_import: false,
    chosen: false,
};

crate::model! {
    /// The resource's values: one field per attribute of [`schema`].
    #[derive(Clone, Debug)]
    pub struct ApiKeyCredential {
        pub id: Option<String>,
        pub name: String,
        pub saas: String,
        pub owner: Option<String>,
        pub description: Option<String>,
        pub token_name: String,
        pub token: Option<Secret>,
        pub token_wo: Option<Secret>,
        pub token_wo_version: Option<f64>,
        pub add_to: Option<String>,
        pub expiration_date: Option<String>,
        pub secret_version: Option<i64>,
        pub created_at: Option<String>,
        pub updated_at: Option<String>,
        pub timeouts: Option<Timeouts>,
    }
}

pub fn schema() -> Schema {
    let text = Attribute::string;
    Schema::new(
        0,
        Block::new("An API key credential in Oomnitza's vault (Configuration > Security > Credentials), for any integration: Oomnitza adds `token_name: token` to each request to that system, as a header or a query parameter.")
            .attr(text("id").computed().use_state_for_unknown().describe("The credential's id in Oomnitza."))
            .attr(name_attribute())
            .attr(saas_attribute("The integration it is for, as Oomnitza names it: `okta`, `servicenow`, `jira`, ... Changing it replaces the credential."))
            .attr(text("owner").optional_computed().use_state_for_unknown().describe("The Oomnitza user that owns it. Oomnitza picks the token's user when unset."))
            .attr(text("description").optional_computed().default_value(Value::string("")).describe("Free text."))
            .attr(text("token_name").required().validate(Matches { test: is_token_name, fix: "use a header or parameter name, such as \"Authorization\" or \"X-API-Key\", without spaces or colons" }).describe("The header or query parameter that carries the key, such as `Authorization` or `X-API-Key`."))
            .attrs(TOKEN.attributes([
                "The API key. Stored in state (sensitive). Give this or `token_wo`.",
                "The API key, never stored in state or plan (Terraform 1.11+). Change `token_wo_version` to send a new one.",
                "Any number; changing it re-sends `token_wo`. Only with `token_wo`.",
            ]))
            .attr(text("add_to").optional_computed().default_value(Value::string("header")).validate(OneOf(&["header", "query"])).describe("Where the key goes: `header` or `query`."))
            .attr(expiration_attribute("When the key expires, `YYYY-MM-DD`. Plans warn from the provider's `expiry_warning_days` before, and once past."))
            .attr(Attribute::number("secret_version").computed().use_state_for_unknown().describe("Goes up by one each time the key changes, by anyone: how a rotation made outside Terraform shows in a plan."))
            .attr(text("created_at").computed().use_state_for_unknown().describe("When it was created (RFC 3339)."))
            .attr(text("updated_at").computed().unknown_when_changed(&["secret_version"]).describe("When it last changed (RFC 3339)."))
            .block("timeouts", Nesting::Single, timeouts_block("How long each operation may take.", &[("create", "creating"), ("update", "updating"), ("delete", "deleting")])),
    )
}

/// An HTTP header or query parameter name (RFC 9110's token).
fn is_token_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// `oomnitza_api_key_credential`, one of `crate::credential::flat`'s kinds.
pub struct ApiKey;

impl FlatKind for ApiKey {
    type Model = ApiKeyCredential;
    const KIND: &'static Kind = &API_KEY;
    const SECRET: &'static SecretAttrs = &TOKEN;
    const SECRET_FROM: &'static str = "create one in the integration's admin console";
    const REPLACED_BECAUSE: &'static str = "saas cannot change";

    fn schema() -> Schema {
        schema()
    }

    fn section(m: &ApiKeyCredential, token: Secret) -> Section {
        let add_to = m.add_to.clone().unwrap_or_default();
        Section::ApiKey(ApiKeyInput { token_name: m.token_name.clone(), token, add_to })
    }

    fn section_patch(
        old: Option<&ApiKeyCredential>,
        new: &ApiKeyCredential,
        token: Option<Secret>,
    ) -> Option<SectionPatch> {
        Some(SectionPatch::ApiKey(ApiKeyPatch {
            token_name: set(old.map(|o| &o.token_name), &new.token_name),
            add_to: set(old.map(|o| &o.add_to), &new.add_to).flatten(),
            token,
        }))
    }
}

/// The state of a credential as Oomnitza answered it; what Oomnitza never
/// answers (the key, Terraform's own settings) comes from `kept`, the
/// plan or prior state.
pub fn state_of(c: &Credential, kept: &Value) -> Value {
    let kept = ApiKeyCredential::from_value(kept).ok();
    let info = c.api_key.clone();
    ApiKeyCredential {
        id: Some(c.id.clone()),
        name: c.name.clone(),
        saas: c.saas.clone(),
        owner: Some(c.owner.clone()),
        description: Some(c.description.clone()),
        token_name: info.as_ref().map(|k| k.token_name.clone()).unwrap_or_default(),
        token: kept.as_ref().and_then(|k| k.token.clone()),
        token_wo: None,
        token_wo_version: kept.as_ref().and_then(|k| k.token_wo_version),
        add_to: info.map(|k| k.add_to),
        expiration_date: c.expiration_date.clone(),
        secret_version: Some(c.secret_version),
        created_at: Some(c.created_at.clone()),
        updated_at: Some(c.updated_at.clone()),
        timeouts: kept.and_then(|k| k.timeouts),
    }
    .into_value()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The model and the schema name the same attributes, so a field
    /// without its schema line (or the other way round) fails here.
    #[test]
    fn model_and_schema_agree() {
        let s = schema();
        assert_eq!(s.block.names(), ApiKeyCredential::ATTRIBUTES);
        assert_eq!(s.block.nested("timeouts").unwrap().block.names(), Timeouts::ATTRIBUTES);
    }

    #[test]
    fn validate_names_the_attribute_and_the_fix() {
        let ty = schema().value_type();
        let mut c = Value::null_object(&ty);
        for (k, v) in
            [("name", "n"), ("saas", "Okta Prod"), ("token_name", "X API Key"), ("add_to", "body"), ("token", "")]
        {
            c.set(k, Value::string(v));
        }
        let d =
            crate::framework::server::validate(&crate::credential::flat::Managed::<ApiKey>::new(), &schema(), &c, true);
        let text = format!("{d:?}");
        for part in
            ["Invalid saas", "Invalid token_name", "Invalid add_to", "Empty token", "\\\"header\\\" or \\\"query\\\""]
        {
            assert!(text.contains(part), "{part}: {text}");
        }
    }
}

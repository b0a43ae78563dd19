//! `data "oomnitza_jira_credential"`: looks a Jira credential up by `id` or by
//! exact `name`, and gives every non-secret attribute.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::model::{state_from, JIRA, TYPE_NAME};
use crate::framework::{Attribute, Block, DataSource, Diagnostics, Schema, Type, Value};
use crate::oomnitza::Client;

pub struct JiraCredentialData;

fn object(fields: &[(&str, Type)]) -> Type {
    Type::Object(fields.iter().map(|(k, t)| (k.to_string(), t.clone())).collect::<BTreeMap<_, _>>())
}

fn basic_type() -> Type {
    object(&[("email", Type::String)])
}

fn oauth_type() -> Type {
    object(&[
        ("client_id", Type::String),
        ("scopes", Type::List(Box::new(Type::String))),
        ("site", Type::String),
        ("callback_url", Type::String),
        ("status", Type::String),
        ("authorization_url", Type::String),
        ("expires_at", Type::String),
        ("granted_sites", Type::List(Box::new(Type::String))),
        ("last_error", Type::String),
    ])
}

impl JiraCredentialData {
    fn schema_static() -> Schema {
        Schema::new(
            0,
            Block::new(
                "Looks up a Jira credential in Oomnitza by `id` or exact `name` (exactly one). Secrets are never read.",
            )
            .attr(Attribute::string("id").optional_computed().describe("The credential's id."))
            .attr(
                Attribute::string("name").optional_computed().describe("The exact name; it must match one credential."),
            )
            .attr(Attribute::string("owner").computed().describe("The Oomnitza user that owns it."))
            .attr(Attribute::string("description").computed().describe("Free text, as set in Oomnitza."))
            .attr(Attribute::string("auth_type").computed().describe("`basic` or `oauth2`."))
            .attr(Attribute::string("expiration_date").computed().describe("When a Basic Auth credential expires (`YYYY-MM-DD`), when set; null for OAuth."))
            .attr(Attribute::number("secret_version").computed().describe("Goes up by one each time the secret changes, by anyone."))
            .attr(Attribute::string("created_at").computed().describe("When it was created (RFC 3339)."))
            .attr(Attribute::string("updated_at").computed().describe("When it last changed (RFC 3339)."))
            .attr(Attribute::of("basic", basic_type()).computed().describe("For basic auth: `email`."))
            .attr(
                Attribute::of("oauth", oauth_type())
                    .computed()
                    .describe("For OAuth 2.0: `client_id`, `scopes`, `site`, `callback_url`, and the authorization's health: `status`, `authorization_url` (while pending), `expires_at`, `granted_sites`, `last_error`."),
            ),
        )
    }
}

#[async_trait]
impl DataSource<Client> for JiraCredentialData {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Self::schema_static()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        JIRA.validate_id_or_name(config, diags);
    }

    /// The resource's state of the credential, through this schema: the
    /// same values, without the secrets and Terraform's own settings.
    async fn read(&self, client: &Client, config: &Value, diags: &mut Diagnostics) -> Value {
        static TYPE: std::sync::OnceLock<Type> = std::sync::OnceLock::new();
        let ty = TYPE.get_or_init(|| Self::schema_static().value_type());
        let Some(found) = JIRA.find(client, config, diags).await else { return Value::Null };
        state_from(&found, &Value::Null).project(ty)
    }
}

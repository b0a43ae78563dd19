//! The schema of `oomnitza_jira_credential` and its secrets' attributes.

use super::model::{DEFAULT_CALLBACK_URL, DEFAULT_SCOPE};
use crate::credential::secret::SecretAttrs;
use crate::credential::{expiration_attribute, name_attribute, timeouts_block};
use crate::framework::validate::{ExactlyOneOf, NotBlank};
use crate::framework::{Attribute, Block, Nesting, Schema, Type, Value};

/// What `oauth.wait_for_authorization` says where it is set or referred to.
const DEPRECATED_WAIT: &str = "Use resource \"oomnitza_jira_credential_authorization\" instead: it waits for consent and fails on timeout without putting the credential at risk; remove oauth.wait_for_authorization.";

pub const BASIC_SECRET: SecretAttrs = SecretAttrs {
    noun: "API token",
    block: "basic",
    value: "api_token",
    wo: "api_token_wo",
    version: "api_token_wo_version",
    trust_after_import: false,
    chosen: false,
};

pub const OAUTH_SECRET: SecretAttrs = SecretAttrs {
    noun: "client secret",
    block: "oauth",
    value: "client_secret",
    wo: "client_secret_wo",
    version: "client_secret_wo_version",
    // Sending it would end a working authorization.
    trust_after_import: true,
    chosen: false,
};

fn basic_block() -> Block {
    Block::new("Basic Auth: the Atlassian account's email and a Jira API token.")
        .rule(BASIC_SECRET.conflict())
        .attr(Attribute::string("email").required().describe("The Atlassian account's email address (the Jira username)."))
        .attrs(BASIC_SECRET.attributes([
            "A Jira API token. Stored in state (sensitive). Give this or `api_token_wo`.",
            "A Jira API token that is never stored in state or plan (Terraform 1.11+). Change `api_token_wo_version` to send a new one.",
            "Any number; changing it re-sends `api_token_wo`. Only with `api_token_wo`.",
        ]))
}

fn oauth_block() -> Block {
    Block::new("OAuth 2.0 (3LO) with an Atlassian app. After apply, a person gives consent at `authorization_url`; the status shows in every plan.")
        .rule(OAUTH_SECRET.conflict())
        .attr(Attribute::string("client_id").required().validate(NotBlank("must not be empty: copy it from the app's Settings in the Atlassian developer console.")).describe("The Atlassian app's client ID (developer console > the app > Settings)."))
        .attrs(OAUTH_SECRET.attributes([
            "The app's client secret. Stored in state (sensitive). Give this or `client_secret_wo`.",
            "The app's client secret, never stored in state or plan (Terraform 1.11+). Change `client_secret_wo_version` to send a new one.",
            "Any number; changing it re-sends `client_secret_wo` (and restarts consent). Only with `client_secret_wo`.",
        ]))
        .attr(Attribute::list("scopes", Type::String).optional_computed().default_on_create(Value::List(vec![Value::string(DEFAULT_SCOPE)])).describe(
            "OAuth scopes, each once. The Jira user load needs `read:jira-user`; add `offline_access` so that Oomnitza can refresh the authorization instead of letting it expire after an hour.",
        ))
        .attr(Attribute::string("site").optional().describe(
            "The Jira site host the consent must grant, e.g. `example.atlassian.net`. When set, a consent for another site is an error at plan.",
        ))
        .attr(Attribute::string("callback_url").optional_computed().default_on_create(Value::string(DEFAULT_CALLBACK_URL)).describe(
            "The callback URL registered with the app: Oomnitza's OAuth proxy unless you run your own. https only (plain http on loopback).",
        ))
        .attr(Attribute::bool("wait_for_authorization").optional().terraform_only().default_is("false").deprecated(DEPRECATED_WAIT).describe(
            "Deprecated: use the `oomnitza_jira_credential_authorization` resource, which waits for consent and fails on timeout without putting the credential at risk. When true, apply waits (up to `timeouts.create` / `timeouts.update`) until a person completes consent; a create whose wait runs out ends with a warning (an error would make Terraform replace the credential), an update's with an error.",
        ))
        .attr(Attribute::string("status").computed().use_state_for_unknown().describe(
            "`pending_authorization` (waiting for consent), `authorized`, `expired` or `revoked`. A plan restarts consent when it is `expired` or `revoked`.",
        ))
        .attr(Attribute::string("authorization_url").computed().use_state_for_unknown().describe("Where a person gives consent, while the status is `pending_authorization`."))
        .attr(Attribute::string("expires_at").computed().use_state_for_unknown().describe("When the access expires unless refreshed (RFC 3339), once authorized."))
        .attr(Attribute::list("granted_sites", Type::String).computed().use_state_for_unknown().describe("The Jira site hosts the consent granted access to."))
        .attr(Attribute::string("last_error").computed().use_state_for_unknown().describe(
            "Why the last consent, code exchange or refresh failed, such as `access_denied: the person declined`; null after a successful consent.",
        ))
}

/// The block's secret attributes, for the block the configuration uses.
pub fn secret_attrs(v: &Value) -> &'static SecretAttrs {
    if v.get("oauth").is_null() {
        &BASIC_SECRET
    } else {
        &OAUTH_SECRET
    }
}

/// What an update writes to Oomnitza, so that `updated_at` moves: the
/// fields, the secret sent again (`secret_version` planned unknown), a
/// change of type (a replacement), and a restart of consent (the
/// authorization URL planned unknown).
const WRITTEN: &[&str] = &[
    "name",
    "owner",
    "description",
    "expiration_date",
    "basic.email",
    "secret_version",
    "auth_type",
    "oauth.authorization_url",
];

/// The schema, with its plan declared: every computed value keeps its
/// state value on update (`use_state_for_unknown`), and the resource's
/// `modify_plan` makes unknown exactly what an apply will change. The
/// OAuth defaults are planned on create only (`default_on_create`: an
/// update keeps what Oomnitza holds).
pub fn schema() -> Schema {
    Schema::new(
        0,
        Block::new("A Jira integration credential in Oomnitza's vault (Configuration > Security > Credentials): Basic Auth (`basic`) or Atlassian OAuth 2.0 (`oauth`), exactly one.")
            .rule(ExactlyOneOf {
                names: &["basic", "oauth"],
                missing: (
                    "Missing authentication block",
                    "Add a basic block (the Atlassian account's email and a Jira API token: basic { email = \"...\" api_token = var.jira_api_token }) or an oauth block (an Atlassian OAuth 2.0 app: oauth { client_id = \"...\" client_secret = var.client_secret }).",
                ),
                conflicting: (
                    "Conflicting blocks",
                    "Give either a basic or an oauth block, not both: a credential is Basic Auth or OAuth 2.0.",
                ),
            })
            .attr(Attribute::string("id").computed().use_state_for_unknown().describe("The credential's id in Oomnitza."))
            .attr(name_attribute())
            .attr(Attribute::string("owner").optional_computed().use_state_for_unknown().describe(
                "The Oomnitza user that owns it. Oomnitza picks the token's user when unset; a dedicated user is best practice.",
            ))
            .attr(Attribute::string("description").optional_computed().default_value(Value::string("")).describe("Free text."))
            .attr(expiration_attribute("When the credential expires, `YYYY-MM-DD`. Basic auth only: an OAuth credential's expiry comes from Atlassian."))
            .attr(Attribute::string("auth_type").computed().use_state_for_unknown().describe("`basic` or `oauth2`."))
            .attr(Attribute::number("secret_version").computed().use_state_for_unknown().describe(
                "Goes up by one each time the secret changes, by anyone: how a rotation made outside Terraform shows in a plan.",
            ))
            .attr(Attribute::string("created_at").computed().use_state_for_unknown().describe("When it was created (RFC 3339)."))
            .attr(
                Attribute::string("updated_at")
                    .computed()
                    .use_state_for_unknown()
                    .unknown_when_changed(WRITTEN)
                    .describe("When it last changed (RFC 3339)."),
            )
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

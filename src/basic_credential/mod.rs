//! `oomnitza_basic_credential`: Basic Auth (a username and a password) in
//! Oomnitza's vault for an integration other than Jira, such as ServiceNow
//! or Jamf. Jira's Basic Auth is `oomnitza_jira_credential`'s, which knows
//! that the username is an Atlassian email and the password an API token.
//!
//! A flat kind ([`FlatKind`]): its model, schema, rules and section of the
//! API are here; its resource, data source and list resource are
//! `crate::credential::flat`'s.

use oomnitza_api::Filter;

use crate::credential::expiry::ExpiryWords;
use crate::credential::flat::FlatKind;
use crate::credential::secret::SecretAttrs;
use crate::credential::{
    expiration_attribute, name_attribute, saas_attribute, set, timeouts_block, DriftWatch, Kind, Timeouts,
};
use crate::framework::model::{FromValue, IntoValue};
use crate::framework::validate::Matches;
use crate::framework::{AttrPath, Attribute, Block, Diagnostics, Nesting, Schema, Value};
use crate::oomnitza::{AuthType, BasicInput, BasicPatch, Credential, Section, SectionPatch, SAAS_JIRA};
use crate::secret::Secret;

pub const TYPE_NAME: &str = "oomnitza_basic_credential";

pub static BASIC: Kind = Kind {
    type_name: TYPE_NAME,
    noun: "Basic Auth credential",
    scope: || Filter::new().eq("auth_type", AuthType::Basic.as_str()).and(Filter::new().ne("saas", SAAS_JIRA)),
    owns: |c| c.auth_type == AuthType::Basic && c.saas != SAAS_JIRA,
    drift: DriftWatch::of(schema),
    state: state_of,
    fields: &[("basic.", "")],
    expiry: &ExpiryWords {
        secret_of: "The password of Basic Auth credential",
        stopped: "the system it is for no longer accepts it, and Oomnitza's syncs with this credential fail now",
        stops: "then the system it is for stops accepting it and Oomnitza's syncs with this credential fail",
        rotate: "Set a new password in that system, then in password_wo with a higher password_wo_version (or in password), and set expiration_date to its new date.",
    },
};

pub const PASSWORD: SecretAttrs = SecretAttrs {
    noun: "password",
    block: "",
    value: "password",
    wo: "password_wo",
    version: "password_wo_version",
    trust_after_import: false,
    chosen: true,
};

crate::model! {
    /// The resource's values: one field per attribute of [`schema`].
    #[derive(Clone, Debug)]
    pub struct BasicCredentialModel {
        pub id: Option<String>,
        pub name: String,
        pub saas: String,
        pub owner: Option<String>,
        pub description: Option<String>,
        pub username: String,
        pub password: Option<Secret>,
        pub password_wo: Option<Secret>,
        pub password_wo_version: Option<f64>,
        pub expiration_date: Option<String>,
        pub secret_version: Option<i64>,
        pub created_at: Option<String>,
        pub updated_at: Option<String>,
        pub timeouts: Option<Timeouts>,
    }
}

/// A user name Basic Auth can carry: not blank, no colon.
fn is_username(u: &str) -> bool {
    !u.trim().is_empty() && !u.contains(':')
}

pub fn schema() -> Schema {
    let text = Attribute::string;
    Schema::new(
        0,
        Block::new("A Basic Auth credential in Oomnitza's vault (Configuration > Security > Credentials) for an integration other than Jira, such as ServiceNow or Jamf: Oomnitza signs in to that system with `username` and the password. For Jira use `oomnitza_jira_credential`.")
            .attr(text("id").computed().use_state_for_unknown().describe("The credential's id in Oomnitza."))
            .attr(name_attribute())
            .attr(saas_attribute("The integration it is for, as Oomnitza names it: `servicenow`, `jamf`, ... (not `jira`). Changing it replaces the credential."))
            .attr(text("owner").optional_computed().use_state_for_unknown().describe("The Oomnitza user that owns it. Oomnitza picks the token's user when unset."))
            .attr(text("description").optional_computed().default_value(Value::string("")).describe("Free text."))
            .attr(text("username").required().validate(Matches { test: is_username, fix: "use the user name alone: Basic Auth puts a colon between it and the password" }).describe("The user Oomnitza signs in to the system as."))
            .attrs(PASSWORD.attributes([
                "The password. Stored in state (sensitive). Give this or `password_wo`.",
                "The password, never stored in state or plan (Terraform 1.11+). Change `password_wo_version` to send a new one; a new one is also seen by a slow, salted fingerprint.",
                "Any number; changing it re-sends `password_wo`. Only with `password_wo`.",
            ]))
            .attr(expiration_attribute("When the password expires, `YYYY-MM-DD`. Plans warn from the provider's `expiry_warning_days` before, and once past."))
            .attr(Attribute::number("secret_version").computed().use_state_for_unknown().describe("Goes up by one each time the password changes, by anyone: how a change made outside Terraform shows in a plan."))
            .attr(text("created_at").computed().use_state_for_unknown().describe("When it was created (RFC 3339)."))
            .attr(text("updated_at").computed().unknown_when_changed(&["secret_version"]).describe("When it last changed (RFC 3339)."))
            .block("timeouts", Nesting::Single, timeouts_block("How long each operation may take.", &[("create", "creating"), ("update", "updating"), ("delete", "deleting")])),
    )
}

/// `oomnitza_basic_credential`, one of `crate::credential::flat`'s kinds.
pub struct BasicCredential;

impl FlatKind for BasicCredential {
    type Model = BasicCredentialModel;
    const KIND: &'static Kind = &BASIC;
    const SECRET: &'static SecretAttrs = &PASSWORD;
    const SECRET_FROM: &'static str = "set the password of that system's user";
    const REPLACED_BECAUSE: &'static str = "saas cannot change";

    fn schema() -> Schema {
        schema()
    }

    fn validate(config: &Value, diags: &mut Diagnostics) {
        if config.get("saas").as_str() == Some(SAAS_JIRA) {
            diags.error_at(
                AttrPath::root("saas"),
                "Jira has its own resource",
                "saas is \"jira\": manage Jira's Basic Auth with oomnitza_jira_credential (basic { email, api_token }), which checks what Jira needs.",
            );
        }
    }

    fn section(m: &BasicCredentialModel, password: Secret) -> Section {
        Section::Basic(BasicInput { username: m.username.clone(), password })
    }

    fn section_patch(
        old: Option<&BasicCredentialModel>,
        new: &BasicCredentialModel,
        password: Option<Secret>,
    ) -> Option<SectionPatch> {
        Some(SectionPatch::Basic(BasicPatch { username: set(old.map(|o| &o.username), &new.username), password }))
    }
}

/// The state of a credential as Oomnitza answered it; what Oomnitza never
/// answers (the password, Terraform's own settings) comes from `kept`.
pub fn state_of(c: &Credential, kept: &Value) -> Value {
    let kept = BasicCredentialModel::from_value(kept).ok();
    BasicCredentialModel {
        id: Some(c.id.clone()),
        name: c.name.clone(),
        saas: c.saas.clone(),
        owner: Some(c.owner.clone()),
        description: Some(c.description.clone()),
        username: c.basic.as_ref().map(|b| b.username.clone()).unwrap_or_default(),
        password: kept.as_ref().and_then(|k| k.password.clone()),
        password_wo: None,
        password_wo_version: kept.as_ref().and_then(|k| k.password_wo_version),
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
    use crate::credential::flat::Managed;

    #[test]
    fn model_and_schema_agree() {
        assert_eq!(schema().block.names(), BasicCredentialModel::ATTRIBUTES);
    }

    #[test]
    fn jira_and_bad_input_are_refused_at_the_attribute() {
        let mut c = Value::null_object(&schema().value_type());
        for (k, v) in [("name", "n"), ("saas", "jira"), ("username", "svc:x"), ("password", "")] {
            c.set(k, Value::string(v));
        }
        let d = crate::framework::server::validate(&Managed::<BasicCredential>::new(), &schema(), &c, true);
        let said = format!("{d:?}");
        for part in ["Jira has its own resource", "oomnitza_jira_credential", "Invalid username", "Empty password"] {
            assert!(said.contains(part), "{part}: {said}");
        }
    }
}

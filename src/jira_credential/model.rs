//! What the resource, the data source, the list resource, the check and
//! the action share: the names users see, the [`Kind`], and the typed model
//! of the resource's values with the state built from what Oomnitza
//! answers. It imports none of them, so they can all import it.

use oomnitza_api::Filter;

use crate::credential::{DriftWatch, Kind, Timeouts};
use crate::framework::model::{FromValue, IntoValue};
use crate::framework::Value;
use crate::oomnitza::{AuthType, Credential, SAAS_JIRA};
use crate::secret::Secret;

/// The resource's and the data source's type name.
pub const TYPE_NAME: &str = "oomnitza_jira_credential";

/// The Oomnitza OAuth proxy's callback, the default `oauth.callback_url`.
pub const DEFAULT_CALLBACK_URL: &str = "https://generic-oauth2-proxy.oomnitza.com/oauth2/redirect_url";

/// The scope the Jira user load needs, and the default `oauth.scopes`.
pub const DEFAULT_SCOPE: &str = "read:jira-user";

/// The Jira credentials: `saas` jira, Basic Auth or OAuth 2.0 (an API key
/// credential for Jira belongs to `oomnitza_api_key_credential`, Basic Auth
/// for another system to `oomnitza_basic_credential`).
pub static JIRA: Kind = Kind {
    type_name: TYPE_NAME,
    noun: "Jira credential",
    scope: jira_scope,
    owns: is_jira,
    state: state_from,
    expiry: &super::expiry::WORDS,
    fields: &[("basic.username", "basic.email"), ("basic.password", "basic.api_token"), ("oauth2.", "oauth.")],
    drift: DriftWatch::of(super::schema::schema),
};

fn jira_scope() -> Filter {
    Filter::new().eq("saas", SAAS_JIRA).and(Filter::new().ne("auth_type", AuthType::ApiKey.as_str()))
}

/// Named types only: a new authorization type on Jira is no kind's until
/// one claims it.
fn is_jira(c: &Credential) -> bool {
    c.saas == SAAS_JIRA && matches!(c.auth_type, AuthType::Basic | AuthType::Oauth2)
}

crate::model! {
    /// The resource's values: one field per attribute of the schema
    /// (`schema.rs`; a test holds the two to each other).
    #[derive(Clone, Debug)]
    pub struct JiraCredentialModel {
        pub id: Option<String>,
        pub name: String,
        pub owner: Option<String>,
        pub description: Option<String>,
        pub expiration_date: Option<String>,
        pub auth_type: Option<String>,
        pub secret_version: Option<i64>,
        pub created_at: Option<String>,
        pub updated_at: Option<String>,
        pub basic: Option<Basic>,
        pub oauth: Option<OAuth>,
        pub timeouts: Option<Timeouts>,
    }
}

crate::model! {
    /// The `basic` block.
    #[derive(Clone, Debug)]
    pub struct Basic {
        pub email: String,
        pub api_token: Option<Secret>,
        pub api_token_wo: Option<Secret>,
        pub api_token_wo_version: Option<f64>,
    }
}

crate::model! {
    /// The `oauth` block: the app, how it is sent, and the authorization's
    /// health as Oomnitza answers it.
    #[derive(Clone, Debug)]
    pub struct OAuth {
        pub client_id: String,
        pub client_secret: Option<Secret>,
        pub client_secret_wo: Option<Secret>,
        pub client_secret_wo_version: Option<f64>,
        pub scopes: Option<Vec<String>>,
        pub site: Option<String>,
        pub callback_url: Option<String>,
        pub wait_for_authorization: Option<bool>,
        pub status: Option<String>,
        pub authorization_url: Option<String>,
        pub expires_at: Option<String>,
        pub granted_sites: Option<Vec<String>>,
        pub last_error: Option<String>,
    }
}

/// Reads a part of a plan or state that may be absent or not fit.
fn kept<T: FromValue>(v: &Value) -> Option<T> {
    Option::<T>::from_value(v).ok().flatten()
}

/// Builds the resource's state from what Oomnitza answered, taking the
/// values Oomnitza never answers (secrets, Terraform-side settings) from
/// `keep` (the plan or prior state; null on import). The data source shows
/// the same values, less those (see `data_source`).
pub fn state_from(c: &Credential, keep: &Value) -> Value {
    let basic = c.basic.as_ref().map(|b| {
        let k: Option<Basic> = kept(keep.get("basic"));
        Basic {
            email: b.username.clone(),
            api_token: k.as_ref().and_then(|k| k.api_token.clone()),
            api_token_wo: None,
            api_token_wo_version: k.and_then(|k| k.api_token_wo_version),
        }
    });
    let oauth = c.oauth2.as_ref().map(|o| {
        let k: Option<OAuth> = kept(keep.get("oauth"));
        OAuth {
            client_id: o.client_id.clone(),
            client_secret: k.as_ref().and_then(|k| k.client_secret.clone()),
            client_secret_wo: None,
            client_secret_wo_version: k.as_ref().and_then(|k| k.client_secret_wo_version),
            scopes: Some(o.scopes.clone()),
            site: o.site.clone(),
            callback_url: Some(o.callback_url.clone()),
            wait_for_authorization: k.and_then(|k| k.wait_for_authorization),
            status: o.status.clone(),
            authorization_url: o.authorization_url.clone(),
            expires_at: o.expires_at.clone(),
            granted_sites: Some(o.granted_sites.clone()),
            last_error: o.last_error.clone(),
        }
    });
    JiraCredentialModel {
        id: Some(c.id.clone()),
        name: c.name.clone(),
        owner: Some(c.owner.clone()),
        description: Some(c.description.clone()),
        expiration_date: c.expiration_date.clone(),
        auth_type: Some(c.auth_type.as_str().to_string()),
        secret_version: Some(c.secret_version),
        created_at: Some(c.created_at.clone()),
        updated_at: Some(c.updated_at.clone()),
        basic,
        oauth,
        timeouts: kept(keep.get("timeouts")),
    }
    .into_value()
}

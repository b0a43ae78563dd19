//! What the provider, the resource, the data source, the list resource and
//! the action share: the names users see, the environment variables, the
//! identity, and how API errors and answers become diagnostics and values.
//! It imports none of them, so they can all import it.

use oomnitza_api::Filter;

use crate::credential::Kind;
use crate::framework::model::IntoValue;
use crate::framework::{Type, Value};
use crate::oomnitza::{AuthType, Credential, OAuthInfo, SAAS_JIRA};

/// The resource's and the data source's type name.
pub const TYPE_NAME: &str = "oomnitza_jira_credential";

/// The Oomnitza OAuth proxy's callback, the default `oauth.callback_url`.
pub const DEFAULT_CALLBACK_URL: &str = "https://generic-oauth2-proxy.oomnitza.com/oauth2/redirect_url";

/// The scope the Jira user load needs, and the default `oauth.scopes`.
pub const DEFAULT_SCOPE: &str = "read:jira-user";

/// The Jira credentials: `saas` jira, Basic Auth or OAuth 2.0 (an API key
/// credential for Jira belongs to `oomnitza_api_key_credential`).
pub const JIRA: Kind = Kind {
    type_name: TYPE_NAME,
    noun: "Jira credential",
    scope: jira_scope,
    owns: is_jira,
    state: |c, keep| state_from(c, keep, super::schema::value_type()),
    watched: &[
        "name",
        "description",
        "owner",
        "expiration_date",
        "basic.email",
        "oauth.client_id",
        "oauth.scopes",
        "oauth.site",
        "oauth.callback_url",
    ],
};

fn jira_scope() -> Filter {
    Filter::new().eq("saas", SAAS_JIRA).and(Filter::new().ne("auth_type", AuthType::ApiKey.as_str()))
}

fn is_jira(c: &Credential) -> bool {
    c.saas == SAAS_JIRA && c.auth_type != AuthType::ApiKey
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

/// Sets the `oauth` attributes that Oomnitza answers (the app and the
/// authorization's health) on an `oauth` object of either schema.
pub fn set_oauth(v: &mut Value, o: &OAuthInfo) {
    v.set("client_id", Value::string(&o.client_id));
    v.set("scopes", o.scopes.clone().into_value());
    v.set("site", Value::opt_string(o.site.clone()));
    v.set("callback_url", Value::string(&o.callback_url));
    v.set("status", Value::opt_string(o.status.clone()));
    v.set("authorization_url", Value::opt_string(o.authorization_url.clone()));
    v.set("expires_at", Value::opt_string(o.expires_at.clone()));
    v.set("granted_sites", o.granted_sites.clone().into_value());
    v.set("last_error", Value::opt_string(o.last_error.clone()));
}

/// Builds the state from what Oomnitza answered, taking the values Oomnitza
/// never answers (secrets, Terraform-side settings) from `keep` (the plan or
/// prior state).
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
        set_oauth(&mut oauth, o);
        oauth.set("client_secret", kept.get("client_secret").clone());
        oauth.set("client_secret_wo_version", kept.get("client_secret_wo_version").clone());
        oauth.set("wait_for_authorization", kept.get("wait_for_authorization").clone());
        s.set("oauth", oauth);
    }
    s.set("timeouts", keep.get("timeouts").clone());
    s
}

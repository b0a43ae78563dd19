//! What the provider, the resource, the data source, the list resource and
//! the action share: the names users see, the environment variables, the
//! identity, and how API errors and answers become diagnostics and values.
//! It imports none of them, so they can all import it.

pub mod consent;

use crate::framework::{AttrPath, Diagnostics, IdentitySchema, Type, Value};
use crate::oomnitza::{ApiError, Cause, Credential, OAuthInfo};

/// The resource's and the data source's type name.
pub const TYPE_NAME: &str = "oomnitza_jira_credential";

/// The Oomnitza OAuth proxy's callback, the default `oauth.callback_url`.
pub const DEFAULT_CALLBACK_URL: &str = "https://generic-oauth2-proxy.oomnitza.com/oauth2/redirect_url";

/// The scope the Jira user load needs, and the default `oauth.scopes`.
pub const DEFAULT_SCOPE: &str = "read:jira-user";

pub const ENV_URL: &str = "OOMNITZA_URL";
pub const ENV_API_TOKEN: &str = "OOMNITZA_API_TOKEN";
pub const ENV_USERNAME: &str = "OOMNITZA_USERNAME";
pub const ENV_PASSWORD: &str = "OOMNITZA_PASSWORD";
pub const ENV_CA_CERT_FILE: &str = "OOMNITZA_CA_CERT_FILE";
pub const ENV_EXPIRY_WARNING_DAYS: &str = "OOMNITZA_EXPIRY_WARNING_DAYS";

/// Loopback hosts may use plain http: the simulator, a local tunnel (the
/// provider's `url`, the credential check's `site`).
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Maps an API field name to the attribute path a user wrote.
fn field_path(field: &str) -> Option<AttrPath> {
    let path = match field {
        "" => return None,
        "basic.username" => "basic.email",
        "basic.password" => "basic.api_token",
        "oauth2.client_secret" => "oauth.client_secret",
        f if f.starts_with("oauth2.") => return Some(AttrPath::dotted(&f.replacen("oauth2.", "oauth.", 1))),
        f => f,
    };
    Some(AttrPath::dotted(path))
}

/// Turns a client error into diagnostics a person can act on. `doing` says
/// what was being done, e.g. "create the Jira credential".
pub fn api_diags(e: &ApiError, doing: &str, diags: &mut Diagnostics) {
    let summary = format!("Could not {doing}");
    match e {
        ApiError::Unauthorized { message } => diags.error_at(
            AttrPath::root("api_token"),
            summary,
            format!("Oomnitza did not accept the provider's credentials ({message}). Check api_token / {ENV_API_TOKEN} (or username and password), and that the token has not been revoked."),
        ),
        ApiError::Forbidden { message } => diags.error(
            summary,
            format!("Oomnitza refused ({message}). The token's role needs read/write on Credentials (Configuration > Security > Roles)."),
        ),
        ApiError::Validation { errors, .. } => {
            for fe in errors {
                let detail = format!("Oomnitza rejected {}: {}", if fe.field.is_empty() { "the request" } else { &fe.field }, fe.message);
                diags.error_where(field_path(&fe.field), summary.clone(), detail);
            }
            if errors.is_empty() {
                diags.error(summary, "Oomnitza rejected the request as invalid but named no field.");
            }
        }
        ApiError::Conflict { message } => diags.error(
            summary,
            format!("Oomnitza refused the change ({message}). Changing between basic and oauth replaces the credential; run terraform plan again."),
        ),
        ApiError::RateLimited { .. } => diags.error(
            summary,
            "Oomnitza kept answering 429 Too Many Requests. Run again later, lower -parallelism, or raise max_retries.",
        ),
        ApiError::Cancelled => diags.error(summary, "Terraform asked the provider to stop (Ctrl-C) while the request was in flight."),
        ApiError::Unreachable { cause, .. } => {
            let advice = match cause {
                Cause::NameNotResolved => format!("Check url ({ENV_URL}): its host name must resolve where Terraform runs."),
                Cause::ConnectionRefused => "Nothing accepted the connection: check the port in url, and that Oomnitza (or your proxy) is up.".to_string(),
                Cause::CertificateNotTrusted => format!("If Oomnitza is reached through TLS inspection or has a private CA, set ca_cert_file ({ENV_CA_CERT_FILE}) to that CA's PEM file."),
                Cause::Tls => "Check that url is the Oomnitza instance's https address.".to_string(),
                Cause::TimedOut => "Raise request_timeout, or check the network path (HTTPS_PROXY, NO_PROXY).".to_string(),
                Cause::Connection => "The connection broke; run again. If it persists, check proxies and the network path.".to_string(),
            };
            diags.error(summary, format!("{e}. {advice}"))
        }
        other => {
            let text = other.to_string();
            let stop = if text.ends_with(['.', '?']) { "" } else { "." };
            diags.error(summary, format!("{text}{stop} If this persists, check the url and that Oomnitza is reachable."))
        }
    }
}

/// The Jira credential with this id, for a data source whose attribute
/// `attr` gave the id; `None` after an error at that attribute (none there)
/// or from the API.
pub async fn jira_credential_by_id(
    client: &crate::oomnitza::Client,
    id: &str,
    attr: &str,
    diags: &mut Diagnostics,
) -> Option<Credential> {
    match client.get(id).await {
        Ok(Some(c)) if c.saas == crate::oomnitza::SAAS_JIRA => Some(c),
        Ok(_) => {
            diags.error_at(
                AttrPath::root(attr),
                "No such Jira credential",
                format!("Oomnitza has no Jira credential with id {id:?}."),
            );
            None
        }
        Err(e) => {
            api_diags(&e, "read the Jira credential", diags);
            None
        }
    }
}

/// A Jira credential's identity (Terraform 1.12+): its Oomnitza id, which
/// never changes. The resource declares it; the list resource answers it.
pub fn identity_schema() -> IdentitySchema {
    IdentitySchema::new(0).required("id", Type::String, "The credential's id in Oomnitza.")
}

/// The identity value of a credential id (known, or unknown before create).
pub fn identity(id: Value) -> Value {
    Value::Object([("id".to_string(), id)].into_iter().collect())
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

fn strings(v: &[String]) -> Value {
    Value::List(v.iter().map(Value::string).collect())
}

/// Sets the `oauth` attributes that Oomnitza answers (the app and the
/// authorization's health) on an `oauth` object of either schema.
pub fn set_oauth(v: &mut Value, o: &OAuthInfo) {
    v.set("client_id", Value::string(&o.client_id));
    v.set("scopes", strings(&o.scopes));
    v.set("site", Value::opt_string(o.site.clone()));
    v.set("callback_url", Value::string(&o.callback_url));
    v.set("status", Value::opt_string(o.status.clone()));
    v.set("authorization_url", Value::opt_string(o.authorization_url.clone()));
    v.set("expires_at", Value::opt_string(o.expires_at.clone()));
    v.set("granted_sites", strings(&o.granted_sites));
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

//! API errors as diagnostics a person can act on: the setting or attribute
//! to fix, named in words and, where Terraform allows, by path.

use crate::framework::{AttrPath, Diagnostics};
use crate::oomnitza::{ApiError, Cause};
use crate::settings::{ENV_API_TOKEN, ENV_CA_CERT_FILE, ENV_URL};

/// How a kind's attributes are named in the API: pairs of an API field
/// (or a prefix, ending in `.`) and the attribute path a user writes for it,
/// such as `("basic.username", "basic.email")` or `("api_key.", "")`.
pub type FieldNames = &'static [(&'static str, &'static str)];

/// Maps an API field name to the attribute path a user wrote: the first
/// pair of `names` that is the field or a prefix of it renames it; a field
/// no pair names is an attribute of that name (`name`, `owner`, ...).
fn field_path(field: &str, names: FieldNames) -> Option<AttrPath> {
    if field.is_empty() {
        return None;
    }
    let renamed = names.iter().find_map(|(api, attr)| {
        let rest = field.strip_prefix(api)?;
        (api.ends_with('.') || rest.is_empty()).then(|| format!("{attr}{rest}"))
    });
    Some(AttrPath::dotted(renamed.as_deref().unwrap_or(field)))
}

/// Turns a client error into diagnostics a person can act on. `doing` says
/// what was being done, e.g. "create the Jira credential". A field Oomnitza
/// names is said at the attribute of that name; a kind's own names are in
/// [`api_diags_in`].
pub fn api_diags(e: &ApiError, doing: &str, diags: &mut Diagnostics) {
    api_diags_in(e, doing, &[], diags);
}

/// [`api_diags`] for a kind whose attributes `names` maps to API fields.
pub fn api_diags_in(e: &ApiError, doing: &str, names: FieldNames, diags: &mut Diagnostics) {
    let summary = format!("Could not {doing}");
    match e {
        // Said in words, with no path: a resource's diagnostic can only point
        // into the resource, and the setting is the provider block's.
        ApiError::Unauthorized { message, .. } => diags.error(
            summary,
            format!("Oomnitza did not accept the provider's credentials ({message}). Check api_token / {ENV_API_TOKEN} (or username and password) in the provider block, and that the token has not been revoked."),
        ),
        ApiError::Forbidden { message } => diags.error(
            summary,
            format!("Oomnitza refused ({message}). The token's role needs read/write on Credentials (Configuration > Security > Roles)."),
        ),
        ApiError::Validation { errors, .. } => {
            for fe in errors {
                let detail = format!("Oomnitza rejected {}: {}", if fe.field.is_empty() { "the request" } else { &fe.field }, fe.message);
                diags.error_where(field_path(&fe.field, names), summary.clone(), detail);
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
        ApiError::Redirected { status, to } => diags.error(
            summary,
            format!("Oomnitza answered {status}, a redirect to {to}. The provider follows no redirect, so that the API token and the credential's secrets never reach another host or plain http. Set url ({ENV_URL}) to the instance itself, e.g. https://example.oomnitza.com (the address the redirect names, if that is your instance)."),
        ),
        other => {
            let text = other.to_string();
            let stop = if text.ends_with(['.', '?']) { "" } else { "." };
            diags.error(summary, format!("{text}{stop} If this persists, check the url and that Oomnitza is reachable."))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_fields_are_said_at_the_kinds_attributes() {
        let jira: FieldNames = &[("basic.username", "basic.email"), ("oauth2.", "oauth.")];
        let at = |f: &str, names| field_path(f, names).map(|p| p.to_string());
        assert_eq!(at("basic.username", jira).as_deref(), Some("basic.email"));
        assert_eq!(at("oauth2.client_secret", jira).as_deref(), Some("oauth.client_secret"));
        assert_eq!(at("basic.username_x", jira).as_deref(), Some("basic.username_x"), "a name is not a prefix");
        assert_eq!(at("api_key.token", &[("api_key.", "")]).as_deref(), Some("token"));
        assert_eq!(at("name", jira).as_deref(), Some("name"));
        assert_eq!(at("", jira), None);
    }
}

//! API errors as diagnostics a person can act on: the setting or attribute
//! to fix, named in words and, where Terraform allows, by path.

use crate::framework::{AttrPath, Diagnostics};
use crate::oomnitza::{ApiError, Cause};
use crate::settings::{ENV_API_TOKEN, ENV_CA_CERT_FILE, ENV_URL};

/// Maps an API field name to the attribute path a user wrote.
fn field_path(field: &str) -> Option<AttrPath> {
    let path = match field {
        "" => return None,
        "basic.username" => "basic.email",
        "basic.password" => "basic.api_token",
        "oauth2.client_secret" => "oauth.client_secret",
        f if f.starts_with("oauth2.") => return Some(AttrPath::dotted(&f.replacen("oauth2.", "oauth.", 1))),
        // An API key credential's fields are top-level attributes.
        f if f.starts_with("api_key.") => return Some(AttrPath::dotted(&f["api_key.".len()..])),
        f => f,
    };
    Some(AttrPath::dotted(path))
}

/// Turns a client error into diagnostics a person can act on. `doing` says
/// what was being done, e.g. "create the Jira credential".
pub fn api_diags(e: &ApiError, doing: &str, diags: &mut Diagnostics) {
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

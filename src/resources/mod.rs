//! Managed resource types, one file each.

pub mod jira_credential;

use crate::framework::{AttrPath, Diagnostics};
use crate::oomnitza::ApiError;
use crate::provider::ENV_API_TOKEN;

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
                match field_path(&fe.field) {
                    Some(p) => diags.error_at(p, summary.clone(), detail),
                    None => diags.error(summary.clone(), detail),
                }
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
        other => diags.error(summary, format!("{other}. If this persists, check the url and that Oomnitza is reachable.")),
    }
}

//! The provider's own configuration: where Oomnitza is and how to sign in,
//! each setting with an environment variable to fall back on.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::credential::flat::{family, Family};
use crate::framework::duration::parse_duration;
use crate::framework::validate::{checked, NotBlank};
use crate::framework::{
    Action, AttrPath, Attribute, Block, DataSource, Diagnostics, EphemeralResource, ListResource, Provider, Resource,
    Schema, Value,
};
use crate::oomnitza::{ApiError, Auth, Client, ClientConfig};
use crate::secret::Secret;
use crate::settings::{
    is_loopback, ENV_API_TOKEN, ENV_CA_CERT_FILE, ENV_EXPIRY_WARNING_DAYS, ENV_PASSWORD, ENV_URL, ENV_USERNAME,
};
use oomnitza_api::routes;

#[derive(Default)]
pub struct OomnitzaProvider;

/// A setting given as an empty string.
const SET_OR_LEAVE_OUT: &str = "is set to an empty string; set a value or leave it out to use the environment.";

/// The flat kinds (`crate::credential::flat`), one line each: each brings
/// its resource, data source and list resource.
const FLAT_KINDS: [fn() -> Family; 2] =
    [family::<crate::api_key_credential::ApiKey>, family::<crate::basic_credential::BasicCredential>];

impl OomnitzaProvider {
    pub fn new() -> Self {
        OomnitzaProvider
    }
}

/// A string setting from the config, else from the environment. Unknown
/// (from another resource) counts as "not known yet": `Err(())`.
fn setting(config: &Value, name: &str, env: &str) -> Result<Option<String>, ()> {
    match config.get(name) {
        Value::Unknown => Err(()),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Ok(std::env::var(env).ok().filter(|v| !v.is_empty())),
    }
}

/// Checks an instance URL; the error says how to fix it. The error never
/// repeats the value: it may hold a password.
pub fn check_url(raw: &str) -> Result<Url, String> {
    const EXAMPLE: &str = "Write the instance address only, such as \"https://example.oomnitza.com\".";
    let url = Url::parse(raw.trim()).map_err(|e| format!("The value is not a URL ({e}). {EXAMPLE}"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "The URL holds a user name or password (user:pass@host), which would be sent to Oomnitza on every request and printed in logs. {EXAMPLE} Sign in with api_token, or username and password."
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "The URL has a query or fragment (?... or #...), which the provider would drop; a key in it would be printed in logs. {EXAMPLE}"
        ));
    }
    let shown = crate::oomnitza::origin(&url);
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(format!(
                "{shown} uses plain http, which would send the API token unencrypted. Use https (plain http is allowed only for loopback addresses such as 127.0.0.1)."
            ))
        }
        other => return Err(format!("The URL has scheme {other:?}; use https. {EXAMPLE}")),
    }
    if url.host().is_none() {
        return Err(format!("The URL has no host. {EXAMPLE}"));
    }
    Ok(url)
}

/// `expiry_warning_days` from the block or `OOMNITZA_EXPIRY_WARNING_DAYS`.
fn check_expiry_days(v: &Value, diags: &mut Diagnostics) -> Option<u32> {
    let (n, from) = match v {
        Value::Number(n) => (*n, "expiry_warning_days"),
        Value::Null => match std::env::var(ENV_EXPIRY_WARNING_DAYS).ok().filter(|s| !s.trim().is_empty()) {
            Some(s) => (s.trim().parse::<f64>().unwrap_or(f64::NAN), ENV_EXPIRY_WARNING_DAYS),
            None => return None,
        },
        _ => return None,
    };
    if n.fract() != 0.0 || !(0.0..=3650.0).contains(&n) {
        diags.error_at(
            AttrPath::root("expiry_warning_days"),
            "Invalid expiry_warning_days",
            format!("{from} must be a whole number of days from 0 (no expiry warnings) to 3650."),
        );
        return None;
    }
    Some(n as u32)
}

fn check_max_retries(v: &Value, diags: &mut Diagnostics) -> Option<u32> {
    let n = v.as_f64()?;
    if n.fract() != 0.0 || !(0.0..=20.0).contains(&n) {
        diags.error_at(
            AttrPath::root("max_retries"),
            "Invalid max_retries",
            format!("max_retries must be a whole number from 0 to 20, not {n}."),
        );
        return None;
    }
    Some(n as u32)
}

fn check_timeout(v: &Value, diags: &mut Diagnostics) -> Option<Duration> {
    let s = v.as_str()?;
    match parse_duration(s) {
        Ok(d) if d >= Duration::from_secs(1) => Some(d),
        Ok(_) => {
            diags.error_at(
                AttrPath::root("request_timeout"),
                "Invalid request_timeout",
                "request_timeout must be at least 1s.",
            );
            None
        }
        Err(e) => {
            diags.error_at(
                AttrPath::root("request_timeout"),
                "Invalid request_timeout",
                format!("request_timeout {e}."),
            );
            None
        }
    }
}

#[async_trait]
impl Provider for OomnitzaProvider {
    type Client = Client;

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Manages Oomnitza integration credentials (Jira) as code.")
                .attr(Attribute::string("url").optional().describe(
                    "The Oomnitza instance, e.g. `https://example.oomnitza.com`. Env: `OOMNITZA_URL`. Plain `http://` is refused except for loopback hosts.",
                ))
                .attr(Attribute::string("api_token").optional().sensitive().validate(NotBlank(SET_OR_LEAVE_OUT)).describe(
                    "An API token (Configuration > Security > API tokens), sent as `Authorization2`. Env: `OOMNITZA_API_TOKEN`. Give this or `username` and `password`.",
                ))
                .attr(Attribute::string("username").optional().validate(NotBlank(SET_OR_LEAVE_OUT)).describe(
                    "Oomnitza login, exchanged once for a token. Env: `OOMNITZA_USERNAME`.",
                ))
                .attr(Attribute::string("password").optional().sensitive().validate(NotBlank(SET_OR_LEAVE_OUT)).describe(
                    "Password for `username`. Env: `OOMNITZA_PASSWORD`.",
                ))
                .attr(Attribute::string("request_timeout").optional().default_is("\"30s\"").describe(
                    "Limit for one HTTP request, such as `30s` or `2m`.",
                ))
                .attr(Attribute::number("max_retries").optional().default_is("5").describe(
                    "How often a failed idempotent request (429, 5xx, connection error) is retried, 0 to 20.",
                ))
                .attr(Attribute::number("expiry_warning_days").optional().default_is("30").describe(
                    "How many days before a credential's token or authorization expires plans start to warn of it; 0 turns the warnings off. Env: `OOMNITZA_EXPIRY_WARNING_DAYS`.",
                ))
                .attr(Attribute::bool("write_only_fingerprints").optional().default_is("true").describe(
                    "Whether a write-only secret (`api_token_wo`, `client_secret_wo`, `token_wo`) that this provider sends is remembered as a salted fingerprint in the resource's private state, so that a new secret with the same `_wo_version` is still seen and sent. The fingerprint is HMAC-SHA256 under 16 random bytes drawn for each send: the secret cannot be read back from it. `false` keeps no derivative of a secret in state (and drops stored ones at the next refresh); then only a new `_wo_version` sends a new secret.",
                ))
                .attr(Attribute::string("ca_cert_file").optional().describe(
                    "A PEM file of CA certificates to trust besides the usual ones, for Oomnitza behind TLS inspection or with a private CA. Env: `OOMNITZA_CA_CERT_FILE`. Proxies come from `HTTPS_PROXY` and `NO_PROXY`.",
                )),
        )
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(raw) = config.get("url").as_str() {
            if let Err(e) = check_url(raw) {
                diags.error_at(AttrPath::root("url"), "Invalid url", e);
            }
        }
        check_max_retries(config.get("max_retries"), diags);
        check_timeout(config.get("request_timeout"), diags);
        check_expiry_days(config.get("expiry_warning_days"), diags);
    }

    async fn configure(&self, config: &Value, cancel: CancellationToken, diags: &mut Diagnostics) -> Option<Client> {
        diags.extend(checked(&self.schema().block, config, |d| self.validate(config, d)));
        if diags.has_errors() {
            return None;
        }
        let (Ok(url), Ok(token), Ok(username), Ok(password)) = (
            setting(config, "url", ENV_URL),
            setting(config, "api_token", ENV_API_TOKEN),
            setting(config, "username", ENV_USERNAME),
            setting(config, "password", ENV_PASSWORD),
        ) else {
            diags.error(
                "Provider configuration not known yet",
                "Some oomnitza provider settings depend on values known only after apply. Set url and credentials from values known at plan time.",
            );
            return None;
        };
        let Some(url) = url else {
            diags.error_at(
                AttrPath::root("url"),
                "Missing Oomnitza URL",
                format!("Set url in the provider block or the {ENV_URL} environment variable, e.g. \"https://example.oomnitza.com\"."),
            );
            return None;
        };
        let base_url = match check_url(&url) {
            Ok(u) => u,
            Err(e) => {
                diags.error_at(AttrPath::root("url"), format!("Invalid url (from {ENV_URL})"), e);
                return None;
            }
        };
        let auth = match (token, username, password) {
            (Some(t), None, None) => Auth::Token(Secret::new(t)),
            (Some(_), _, _) => {
                diags.error_at(
                    AttrPath::root("api_token"),
                    "Conflicting credentials",
                    format!("Give either api_token ({ENV_API_TOKEN}) or username and password ({ENV_USERNAME}/{ENV_PASSWORD}), not both."),
                );
                return None;
            }
            (None, Some(u), Some(p)) => Auth::Login { username: u, password: Secret::new(p) },
            (None, Some(_), None) => {
                diags.error_at(
                    AttrPath::root("password"),
                    "Missing password",
                    format!("username is set, so set password in the provider block or {ENV_PASSWORD}."),
                );
                return None;
            }
            (None, None, Some(_)) => {
                diags.error_at(
                    AttrPath::root("username"),
                    "Missing username",
                    format!("password is set, so set username in the provider block or {ENV_USERNAME}."),
                );
                return None;
            }
            (None, None, None) => {
                diags.error_at(
                    AttrPath::root("api_token"),
                    "Missing Oomnitza credentials",
                    format!("Set api_token in the provider block or the {ENV_API_TOKEN} environment variable (or username and password, or {ENV_USERNAME} and {ENV_PASSWORD})."),
                );
                return None;
            }
        };
        let mut cfg = ClientConfig::new(base_url, auth);
        cfg.cancel = cancel;
        cfg.journal_dir = crate::oomnitza::journal::default_dir();
        if let Ok(Some(path)) = setting(config, "ca_cert_file", ENV_CA_CERT_FILE) {
            let at = || AttrPath::root("ca_cert_file");
            match std::fs::read(&path) {
                Ok(pem) if has_pem_certificate(&pem) => cfg.extra_ca_pem = Some(pem),
                Ok(_) => {
                    diags.error_at(
                        at(),
                        "Invalid ca_cert_file",
                        format!("{path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)."),
                    );
                    return None;
                }
                Err(e) => {
                    diags.error_at(
                        at(),
                        "Unreadable ca_cert_file",
                        format!("Cannot read {path} (from ca_cert_file or {ENV_CA_CERT_FILE}): {e}."),
                    );
                    return None;
                }
            }
        }
        if let Some(d) = check_timeout(config.get("request_timeout"), diags) {
            cfg.request_timeout = d;
        }
        if let Some(n) = check_max_retries(config.get("max_retries"), diags) {
            cfg.max_retries = n;
        }
        if let Some(n) = check_expiry_days(config.get("expiry_warning_days"), diags) {
            cfg.expiry_warning_days = n;
        }
        if let Some(on) = config.get("write_only_fingerprints").as_bool() {
            cfg.fingerprints = on;
        }
        if diags.has_errors() {
            return None;
        }
        match Client::new(cfg) {
            Ok(c) => {
                crate::credential::leftover::name_leftovers(&c, &crate::credential::KINDS, diags).await;
                Some(c)
            }
            Err(e) => {
                diags.error("Could not set up the Oomnitza client", e.to_string());
                None
            }
        }
    }

    /// A plan of new credentials makes no other request, so a wrong url,
    /// port, token or password would pass the plan (and the CI check that
    /// reviews it) and fail only at apply. One cheap request per process
    /// says so at plan; a plan that refreshes has proved it already.
    async fn check_before_create(&self, client: &Client, diags: &mut Diagnostics) {
        let Err(e) = client.check_sign_in().await else { return };
        let url = crate::oomnitza::origin(&client.config().base_url);
        let login = match client.config().auth {
            Auth::Token(_) => format!("api_token ({ENV_API_TOKEN})"),
            Auth::Login { .. } => format!("username and password ({ENV_USERNAME}/{ENV_PASSWORD})"),
        };
        let check = format!("{} {}", routes::TOKEN_CHECK.method, routes::TOKEN_CHECK.path);
        match e {
            // Terraform cannot point a resource's diagnostic at the provider
            // block, so the text names the attributes.
            // Sign-in with a password answers at its own route.
            ApiError::Unauthorized { message, route } => diags.error(
                "Oomnitza did not accept the provider's sign-in",
                format!("{url} answered 401 ({message}) to {}, made before planning this create. Check {login} in the provider block: a token from Configuration > Security > API tokens that has not been revoked, for this instance.", route.as_deref().unwrap_or(&check)),
            ),
            ApiError::NotFound { .. } | ApiError::Decode(_) => diags.error(
                "The provider's url does not answer as Oomnitza",
                format!("{url} answered {check} with: {e}. Check url ({ENV_URL}) in the provider block: the instance itself, e.g. https://example.oomnitza.com, not a login page or proxy."),
            ),
            e => crate::credential::errors::api_diags(&e, &format!("reach Oomnitza at {url} (the provider block's url, {ENV_URL})"), diags),
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<Client>>> {
        let jira: [Arc<dyn Resource<Client>>; 2] = [
            Arc::new(crate::jira_credential::JiraCredential),
            Arc::new(crate::jira_credential::authorization::JiraCredentialAuthorization),
        ];
        jira.into_iter().chain(FLAT_KINDS.iter().map(|k| k().resource)).collect()
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Client>>> {
        let jira: [Arc<dyn DataSource<Client>>; 2] = [
            Arc::new(crate::jira_credential::data_source::JiraCredentialData),
            Arc::new(crate::jira_credential::check::JiraCredentialCheck),
        ];
        jira.into_iter().chain(FLAT_KINDS.iter().map(|k| k().data_source)).collect()
    }

    fn list_resources(&self) -> Vec<Arc<dyn ListResource<Client>>> {
        let jira: Arc<dyn ListResource<Client>> = Arc::new(crate::jira_credential::list::JiraCredentialList);
        std::iter::once(jira).chain(FLAT_KINDS.iter().map(|k| k().list)).collect()
    }

    fn actions(&self) -> Vec<Arc<dyn Action<Client>>> {
        vec![Arc::new(crate::jira_credential::authorize::Authorize)]
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource<Client>>> {
        vec![Arc::new(crate::credential_secret::CredentialSecret)]
    }
}

fn has_pem_certificate(pem: &[u8]) -> bool {
    use rustls_pki_types::pem::PemObject as _;
    rustls_pki_types::CertificateDer::pem_slice_iter(pem).any(|c| c.is_ok())
}

#[cfg(test)]
mod tests {
    use super::check_url;

    #[test]
    fn url_rules() {
        assert!(check_url("https://example.oomnitza.com").is_ok());
        assert!(check_url("http://127.0.0.1:8080").is_ok());
        assert!(check_url("http://localhost:1").is_ok());
        assert!(check_url("http://[::1]:1").is_ok());
        let e = check_url("http://example.oomnitza.com").unwrap_err();
        assert!(e.contains("plain http"), "{e}");
        assert!(check_url("example.oomnitza.com").is_err());
        assert!(check_url("ftp://x").is_err());
    }

    /// A password or a key in the url is refused, and the message never
    /// repeats it.
    #[test]
    fn url_secrets_refused_unechoed() {
        for raw in [
            "https://admin:hunter2pass@example.oomnitza.com",
            "https://example.oomnitza.com/?api_key=hunter2pass",
            "https://example.oomnitza.com/#hunter2pass",
            "htps//hunter2pass",
        ] {
            let e = check_url(raw).unwrap_err();
            assert!(!e.contains("hunter2pass"), "{raw}: {e}");
        }
        assert!(check_url("https://admin:hunter2pass@example.oomnitza.com")
            .unwrap_err()
            .contains("user name or password"));
        assert!(check_url("https://example.oomnitza.com/?k=v").unwrap_err().contains("query"));
    }
}

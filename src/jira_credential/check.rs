//! `data "oomnitza_jira_credential_check"`: does Jira still accept a
//! credential? It asks Oomnitza for the authentication of one request
//! (`POST /api/v3/auth/{id}/secret`) to Jira's `GET /rest/api/3/myself`,
//! sends that request itself, and says what Jira answered. Meant for
//! `check {}` blocks: every plan then warns when Jira stops accepting a
//! credential, and the plan itself still succeeds.
//!
//! The authentication Oomnitza returns is secret: it is used for that one
//! request and dropped, never logged, stored or shown. The request goes
//! only to the Jira site (Atlassian's API host for OAuth), follows no
//! redirect, and has a short timeout of its own; Jira down is
//! `accepted = false` with the cause, not an error.

use std::sync::OnceLock;
use std::time::Duration;

use async_trait::async_trait;

use super::model::JIRA;
use crate::credential::errors::api_diags;
use crate::framework::{AttrPath, Attribute, Block, DataSource, Diagnostics, Schema, Type, Value};
use crate::oomnitza::{ApiError, AuthType, Client, Credential, OutgoingRequest, RequestAuth};
use crate::settings::is_loopback;

pub struct JiraCredentialCheck;

/// Where Atlassian serves Jira's REST API to OAuth (3LO) apps.
const ATLASSIAN_API: &str = "https://api.atlassian.com";
/// How long Jira gets to answer.
const JIRA_TIMEOUT: Duration = Duration::from_secs(10);

/// What the check found.
struct Outcome {
    accepted: bool,
    http_status: Option<u16>,
    account_id: Option<String>,
    display_name: Option<String>,
    reason: String,
}

impl Outcome {
    fn refused(reason: impl Into<String>) -> Outcome {
        Outcome { accepted: false, http_status: None, account_id: None, display_name: None, reason: reason.into() }
    }
}

/// The HTTP clients for Jira, one per process for each way of reaching a
/// site: no redirects, their own timeout; a loopback site (the simulator,
/// a tunnel) never through HTTP_PROXY, which would see the Basic header.
fn jira_http(loopback: bool) -> Result<&'static reqwest::Client, String> {
    static HTTP: [OnceLock<Result<reqwest::Client, String>>; 2] = [OnceLock::new(), OnceLock::new()];
    HTTP[usize::from(loopback)]
        .get_or_init(|| {
            let mut b = reqwest::Client::builder();
            if loopback {
                b = b.no_proxy();
            }
            b.use_rustls_tls()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(JIRA_TIMEOUT)
                .connect_timeout(JIRA_TIMEOUT)
                .user_agent(format!("terraform-provider-oomnitza/{}", crate::VERSION))
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// A site as users write it: a host, with a port at most; no scheme or path.
fn check_site(site: &str) -> Result<url::Url, String> {
    let bad = || {
        format!("site is {site:?}; write the Jira site's host only, such as \"example.atlassian.net\" (no https:// and no path).")
    };
    if site.is_empty() || site.contains(['/', '?', '#', '@', ' ']) {
        return Err(bad());
    }
    url::Url::parse(&format!("https://{site}")).map_err(|_| bad())
}

/// Fills `{name}` placeholders from Oomnitza's `url_attributes`, each as
/// one percent-encoded path segment; `None` when one is left unfilled.
fn fill(template: &str, auth: &RequestAuth) -> Option<String> {
    let mut url = template.to_string();
    for (k, v) in &auth.url_attributes {
        let seg: String = url::form_urlencoded::byte_serialize(v.as_bytes()).collect();
        url = url.replace(&format!("{{{k}}}"), &seg);
    }
    (!url.contains('{')).then_some(url)
}

impl JiraCredentialCheck {
    fn schema_static() -> Schema {
        Schema::new(
            0,
            Block::new(
                "Asks Jira whether it still accepts a Jira credential: Oomnitza authenticates one request to Jira's `GET /rest/api/3/myself` and the provider sends it. Meant for `check {}` blocks, so that every plan warns when Jira stops accepting a credential while the plan still succeeds. The authentication is used for that one request only: never logged, stored or shown.",
            )
            .attr(Attribute::string("credential_id").required().describe("The credential's id in Oomnitza."))
            .attr(Attribute::string("site").optional().describe(
                "The Jira site's host, such as `example.atlassian.net`. Required for a Basic credential; an OAuth credential uses its granted site when this is not set. A loopback host such as `127.0.0.1:PORT` is called over plain http (the simulator).",
            ))
            .attr(Attribute::bool("accepted").computed().describe("Whether Jira accepted the credential."))
            .attr(Attribute::number("http_status").computed().describe("Jira's HTTP status; null when Jira was not reached."))
            .attr(Attribute::string("account_id").computed().describe("The Atlassian account Jira answered for, when accepted."))
            .attr(Attribute::string("display_name").computed().describe("That account's display name, when accepted."))
            .attr(Attribute::string("reason").computed().describe("What was found, in words, e.g. that Jira answered 401 because the API token was revoked or has expired."))
            .attr(Attribute::string("checked_at").computed().describe("When the check ran (RFC 3339).")),
        )
    }

    /// Asks Oomnitza for the authentication and Jira for `myself`.
    async fn check(client: &Client, c: &Credential, site: &url::Url, oauth: bool) -> Result<Outcome, ApiError> {
        // A loopback site is the simulator, reached over plain http, as a
        // loopback url is for the provider.
        let base = if is_loopback(site) {
            format!("http://{}", site.authority())
        } else if oauth {
            ATLASSIAN_API.to_string()
        } else {
            format!("https://{}", site.authority())
        };
        let template = if oauth {
            format!("{base}/ex/jira/{{cloud_id}}/rest/api/3/myself")
        } else {
            format!("{base}/rest/api/3/myself")
        };
        let request = OutgoingRequest {
            url: template.clone(),
            http_method: "GET".into(),
            params: Default::default(),
            headers: [("Accept".to_string(), "application/json".to_string())].into_iter().collect(),
            body: None,
        };
        let auth = match client.request_auth(&c.id, &request).await {
            Ok(a) => a,
            Err(ApiError::Conflict { message }) => {
                return Ok(Outcome::refused(format!("Oomnitza would not authenticate a request with it: {message}")))
            }
            Err(e) => return Err(e),
        };
        if !auth.certificates.is_empty() {
            return Ok(Outcome::refused("Oomnitza asks for client certificates, which this check does not send."));
        }
        let Some(url) = fill(&template, &auth) else {
            return Ok(Outcome::refused("Oomnitza gave no cloud id for the credential's site."));
        };
        let http = jira_http(is_loopback(site))
            .map_err(|e| ApiError::Decode(format!("could not set up HTTP for Jira: {e}")))?;
        let mut rb = http.get(&url).header(reqwest::header::ACCEPT, "application/json");
        for (k, v) in &auth.headers {
            let (Ok(name), Ok(mut value)) = (
                reqwest::header::HeaderName::from_bytes(k.as_bytes()),
                reqwest::header::HeaderValue::from_str(v.expose()),
            ) else {
                return Ok(Outcome::refused("Oomnitza answered a header that is not valid HTTP."));
            };
            value.set_sensitive(true);
            rb = rb.header(name, value);
        }
        let params: Vec<(&str, &str)> = auth.params.iter().map(|(k, v)| (k.as_str(), v.expose())).collect();
        if !params.is_empty() {
            rb = rb.query(&params);
        }
        let resp = match rb.send().await {
            Ok(r) => r,
            Err(e) => {
                let why = if e.is_timeout() {
                    format!("no answer within {}s", JIRA_TIMEOUT.as_secs())
                } else if e.is_connect() {
                    "the connection failed".to_string()
                } else {
                    "the request failed".to_string()
                };
                return Ok(Outcome::refused(format!("Jira could not be reached at {base}: {why}.")));
            }
        };
        // The authentication is dropped here; only the answer is kept.
        drop(auth);
        let status = resp.status().as_u16();
        let mut out = Outcome::refused(String::new());
        out.http_status = Some(status);
        out.reason = match status {
            200 => {
                #[derive(serde::Deserialize)]
                #[serde(rename_all = "camelCase")]
                struct Myself {
                    account_id: Option<String>,
                    display_name: Option<String>,
                }
                let me: Myself = resp.json().await.unwrap_or(Myself { account_id: None, display_name: None });
                out.accepted = true;
                out.account_id = me.account_id;
                out.display_name = me.display_name.clone();
                format!("Jira accepted it (account {}).", me.display_name.as_deref().unwrap_or("without a name"))
            }
            401 if oauth => "Jira answered 401: the OAuth authorization was revoked or has lapsed at Atlassian; a person must consent again.".into(),
            401 => "Jira answered 401: the API token was revoked or has expired at Atlassian; make a new one and send it (api_token_wo with a higher api_token_wo_version, or api_token).".into(),
            403 => "Jira answered 403: it knows the account, which may not use this site's Jira (check its product access).".into(),
            300..=399 => format!("Jira answered {status} (a redirect, not followed with the authentication): is site the Jira site's own host?"),
            s => format!("Jira answered {s}."),
        };
        Ok(out)
    }
}

#[async_trait]
impl DataSource<Client> for JiraCredentialCheck {
    fn type_name(&self) -> &'static str {
        "oomnitza_jira_credential_check"
    }

    fn schema(&self) -> Schema {
        Self::schema_static()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(Err(e)) = config.get("site").as_str().map(check_site) {
            diags.error_at(AttrPath::root("site"), "Invalid site", e);
        }
    }

    async fn read(&self, client: &Client, config: &Value, diags: &mut Diagnostics) -> Value {
        static TYPE: OnceLock<Type> = OnceLock::new();
        let ty = TYPE.get_or_init(|| Self::schema_static().value_type());
        let id = config.get("credential_id").as_str().unwrap_or_default();
        let Some(c) = JIRA.by_id(client, id, "credential_id", diags).await else { return Value::Null };
        let oauth = c.auth_type == AuthType::Oauth2;
        let granted = c.oauth2.as_ref().and_then(|o| o.granted_sites.first().cloned());
        let site = match (config.get("site").as_str(), &granted) {
            (Some(s), _) => s.to_string(),
            (None, Some(g)) if oauth => g.clone(),
            (None, _) if oauth => {
                let status = c.oauth2.as_ref().and_then(|o| o.status.clone()).unwrap_or_default();
                return Self::state(
                    ty,
                    config,
                    Outcome::refused(format!(
                        "The OAuth credential has no granted site: no one has consented yet (status {status})."
                    )),
                );
            }
            (None, _) => {
                diags.error_at(
                    AttrPath::root("site"),
                    "Missing site",
                    "A Basic credential has no site of its own: set site to the Jira site's host, such as \"example.atlassian.net\".",
                );
                return Value::Null;
            }
        };
        let site = match check_site(&site) {
            Ok(u) => u,
            Err(e) => {
                diags.error_at(AttrPath::root("site"), "Invalid site", e);
                return Value::Null;
            }
        };
        match Self::check(client, &c, &site, oauth).await {
            Ok(out) => Self::state(ty, config, out),
            Err(e) => {
                api_diags(&e, "ask Oomnitza to authenticate the check", diags);
                Value::Null
            }
        }
    }
}

impl JiraCredentialCheck {
    fn state(ty: &Type, config: &Value, out: Outcome) -> Value {
        let mut s = Value::null_object(ty);
        s.set("credential_id", config.get("credential_id").clone());
        s.set("site", config.get("site").clone());
        s.set("accepted", Value::Bool(out.accepted));
        s.set("http_status", out.http_status.map(|n| Value::Number(f64::from(n))).unwrap_or(Value::Null));
        s.set("account_id", Value::opt_string(out.account_id));
        s.set("display_name", Value::opt_string(out.display_name));
        s.set("reason", Value::string(out.reason));
        let now =
            time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
        s.set("checked_at", Value::string(now));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_are_hosts_only() {
        assert!(check_site("example.atlassian.net").is_ok());
        assert!(check_site("127.0.0.1:8080").is_ok());
        for bad in ["https://example.atlassian.net", "example.atlassian.net/jira", "", "a b", "user@host"] {
            assert!(check_site(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn placeholders_are_filled_or_refused() {
        let mut auth = RequestAuth::default();
        assert_eq!(fill("https://h/ex/jira/{cloud_id}/x", &auth), None);
        auth.url_attributes.insert("cloud_id".into(), "a/b".into());
        assert_eq!(fill("https://h/ex/jira/{cloud_id}/x", &auth).as_deref(), Some("https://h/ex/jira/a%2Fb/x"));
    }
}

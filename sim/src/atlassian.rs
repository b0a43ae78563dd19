//! Atlassian's OAuth 2.0 (3LO) side, and Oomnitza's OAuth proxy, on the
//! simulator's own address (see "OAuth 2.0 in detail" in
//! `docs/oomnitza-api.md`).
//!
//! Atlassian: the consent page and its form, the token endpoint (the
//! `authorization_code` and `refresh_token` grants) and accessible-resources.
//! The proxy: what Oomnitza does at its callback, as an OAuth client of
//! Atlassian: the code exchange and the refresh go through the `oauth2`
//! crate to the token endpoint above, over real HTTP.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthType, AuthorizationCode, ClientId, ClientSecret, RedirectUrl, RefreshToken, RequestTokenError, TokenResponse,
    TokenUrl,
};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::store::{is_loopback_url, OAuthClient, ACCESS_TOKEN_SECONDS};
use crate::App;

/// The Jira sites a person can pick on the consent page.
pub const SITES: &[&str] = &["example.atlassian.net", "other.atlassian.net"];

/// What a grant (a code, an access token or a refresh token) stands for.
#[derive(Clone)]
struct Grant {
    client_id: String,
    scopes: Vec<String>,
    site: String,
    redirect_uri: String,
}

/// Atlassian's own records: registered apps and the grants it issued.
#[derive(Default)]
pub struct Atlassian {
    /// client id -> client secret. An app not registered here is accepted
    /// with any secret, so that a quick try needs no set-up.
    apps: HashMap<String, String>,
    codes: HashMap<String, Grant>,
    access_tokens: HashMap<String, Grant>,
    refresh_tokens: HashMap<String, Grant>,
}

/// The simulator's own `host:port`: a site it plays Jira on.
fn own_site(app: &App) -> String {
    app.base_url().split_once("://").map(|(_, rest)| rest.to_string()).unwrap_or_default()
}

fn token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title></head><body><h1>{t}</h1>{body}</body></html>",
        t = escape(title)
    );
    (status, Html(html)).into_response()
}

/// `GET /_atlassian/authorize`: the consent page a person sees.
pub async fn consent_page(State(app): State<Arc<App>>, Query(q): Query<HashMap<String, String>>) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    for required in ["client_id", "redirect_uri", "state", "scope"] {
        if get(required).is_empty() {
            return page(StatusCode::BAD_REQUEST, "Something went wrong", &format!("<p>{required} is missing.</p>"));
        }
    }
    if get("response_type") != "code" || get("audience") != "api.atlassian.com" {
        return page(
            StatusCode::BAD_REQUEST,
            "Something went wrong",
            "<p>response_type must be code and audience api.atlassian.com.</p>",
        );
    }
    let scopes: String = get("scope").split(' ').map(|s| format!("<li>{}</li>", escape(s))).collect();
    let own = own_site(&app);
    let sites: String = SITES
        .iter()
        .copied()
        .chain([own.as_str()])
        .enumerate()
        .map(|(i, s)| {
            let checked = if i == 0 { " checked" } else { "" };
            format!("<label><input type=\"radio\" name=\"site\" value=\"{s}\"{checked}> {s}</label><br>")
        })
        .collect();
    let hidden: String = ["client_id", "scope", "redirect_uri", "state"]
        .iter()
        .map(|k| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", escape(get(k))))
        .collect();
    let body = format!(
        "<p>The app <code>{client}</code> is requesting access to your Atlassian account.</p>\
         <p>It would be allowed to:</p><ul>{scopes}</ul>\
         <form method=\"post\" action=\"/_atlassian/authorize\">{hidden}\
         <p>Use app on:</p>{sites}\
         <button type=\"submit\" name=\"decision\" value=\"accept\">Accept</button> \
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></form>",
        client = escape(get("client_id")),
    );
    page(StatusCode::OK, "Authorize access", &body)
}

#[derive(Deserialize)]
pub struct Decision {
    client_id: String,
    scope: String,
    redirect_uri: String,
    state: String,
    #[serde(default)]
    site: String,
    decision: String,
}

/// `POST /_atlassian/authorize`: the person's click. Atlassian sends the
/// browser to the callback; when that is Oomnitza's proxy (which cannot be
/// reached from here) the simulator plays the proxy itself.
pub async fn decide(State(app): State<Arc<App>>, Form(d): Form<Decision>) -> Response {
    let outcome = match d.decision.as_str() {
        "accept" => {
            if !SITES.contains(&d.site.as_str()) && d.site != own_site(&app) {
                return page(StatusCode::BAD_REQUEST, "Something went wrong", "<p>Choose a site.</p>");
            }
            let code = token();
            let grant = Grant {
                client_id: d.client_id.clone(),
                scopes: d.scope.split(' ').filter(|s| !s.is_empty()).map(String::from).collect(),
                site: d.site.clone(),
                redirect_uri: d.redirect_uri.clone(),
            };
            if let Ok(mut a) = app.atlassian.lock() {
                a.codes.insert(code.clone(), grant);
            }
            Callback { code: Some(code), error: None, state: d.state }
        }
        _ => Callback { code: None, error: Some("access_denied".into()), state: d.state },
    };
    if is_loopback_url(&d.redirect_uri) {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if let Some(c) = &outcome.code {
            q.append_pair("code", c);
        }
        if let Some(e) = &outcome.error {
            q.append_pair("error", e);
        }
        q.append_pair("state", &outcome.state);
        let sep = if d.redirect_uri.contains('?') { '&' } else { '?' };
        let location = format!("{}{sep}{}", d.redirect_uri, q.finish());
        return (StatusCode::FOUND, [(header::LOCATION, location)]).into_response();
    }
    finish(&app, outcome).await
}

/// What Atlassian sends to the callback.
#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    error: Option<String>,
    state: String,
}

/// `GET /oauth2/redirect_url`: Oomnitza's OAuth proxy, the callback.
pub async fn callback(State(app): State<Arc<App>>, Query(c): Query<Callback>) -> Response {
    finish(&app, c).await
}

/// The proxy's work after consent: exchange the code, read the sites, and
/// record the outcome on the credential.
async fn finish(app: &App, c: Callback) -> Response {
    let Some(client) = app.store.lock().await.consent_client(&c.state) else {
        return page(
            StatusCode::BAD_REQUEST,
            "This consent link has expired",
            "<p>The state is unknown or was replaced by a newer consent. Start again from Oomnitza.</p>",
        );
    };
    let record = |r: Result<bool, crate::store::ApiError>| r.is_ok_and(|ok| ok);
    let Some(code) = c.code else {
        let e = c.error.unwrap_or_else(|| "invalid_request".into());
        let msg = if e == "access_denied" { "access_denied: the person declined".to_string() } else { e };
        record(app.store.lock().await.consent_failed(&c.state, &msg));
        return page(StatusCode::OK, "Access declined", &format!("<p>{}</p>", escape(&msg)));
    };
    match exchange(app, &client, code).await {
        Ok((refresh, sites)) => {
            let done = record(app.store.lock().await.consent_done(&c.state, refresh, sites.clone()));
            if !done {
                return page(StatusCode::CONFLICT, "Consent replaced", "<p>A newer consent was started meanwhile.</p>");
            }
            page(
                StatusCode::OK,
                "Consent complete",
                &format!("<p>Oomnitza can now use Jira on {}. You can close this page.</p>", escape(&sites.join(", "))),
            )
        }
        Err(msg) => {
            record(app.store.lock().await.consent_failed(&c.state, &msg));
            page(StatusCode::OK, "Oomnitza could not finish the connection", &format!("<p>{}</p>", escape(&msg)))
        }
    }
}

fn oauth_client(
    app: &App,
    c: &OAuthClient,
) -> Result<
    BasicClient<
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointSet,
    >,
    String,
> {
    let token_url = TokenUrl::new(format!("{}/_atlassian/oauth/token", app.base_url())).map_err(|e| e.to_string())?;
    let mut client = BasicClient::new(ClientId::new(c.client_id.clone()))
        .set_client_secret(ClientSecret::new(c.client_secret.clone()))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(token_url);
    if let Ok(r) = RedirectUrl::new(c.redirect_uri.clone()) {
        client = client.set_redirect_uri(r);
    }
    Ok(client)
}

/// Turns a failed token request into the `last_error` text of the contract.
fn token_error<RE: std::error::Error>(
    e: RequestTokenError<RE, oauth2::StandardErrorResponse<BasicErrorResponseType>>,
) -> (BasicErrorResponseType, String) {
    match e {
        RequestTokenError::ServerResponse(r) => {
            let kind = r.error().clone();
            let why = match kind {
                BasicErrorResponseType::InvalidClient => "the client secret was rejected".to_string(),
                BasicErrorResponseType::InvalidGrant => "the grant is invalid, expired or revoked".to_string(),
                _ => r.error_description().cloned().unwrap_or_else(|| "the token request failed".into()),
            };
            (kind.clone(), format!("{}: {why}", kind.as_ref()))
        }
        other => (BasicErrorResponseType::Extension("server_error".into()), format!("server_error: {other}")),
    }
}

/// The code exchange, then accessible-resources: the refresh token (with
/// `offline_access`) and the granted site hosts.
async fn exchange(app: &App, c: &OAuthClient, code: String) -> Result<(Option<String>, Vec<String>), String> {
    let client = oauth_client(app, c)?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .request_async(&app.http)
        .await
        .map_err(|e| token_error(e).1)?;
    let resources: Vec<Value> = app
        .http
        .get(format!("{}/_atlassian/oauth/token/accessible-resources", app.base_url()))
        .bearer_auth(tokens.access_token().secret())
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| format!("server_error: accessible-resources failed: {e}"))?
        .json()
        .await
        .map_err(|e| format!("server_error: accessible-resources answered badly: {e}"))?;
    let sites = resources
        .iter()
        .filter_map(|r| r["url"].as_str())
        .filter_map(|u| {
            let u = url::Url::parse(u).ok()?;
            let host = u.host_str()?.to_string();
            Some(u.port().map(|p| format!("{host}:{p}")).unwrap_or(host))
        })
        .collect();
    Ok((tokens.refresh_token().map(|t| t.secret().clone()), sites))
}

/// Refreshes every authorized credential whose access token has expired,
/// as Oomnitza does in the background.
pub async fn refresh_due(app: &App) {
    let due = app.store.lock().await.due_for_refresh();
    for c in due {
        let outcome = match (oauth_client(app, &c), &c.refresh_token) {
            (Ok(client), Some(rt)) => {
                match client.exchange_refresh_token(&RefreshToken::new(rt.clone())).request_async(&app.http).await {
                    Ok(t) => Ok(t.refresh_token().map(|t| t.secret().clone())),
                    Err(e) => match token_error(e) {
                        (BasicErrorResponseType::InvalidGrant, msg) => Err(("revoked", msg)),
                        (_, msg) => Err(("expired", msg)),
                    },
                }
            }
            (Err(e), _) => Err(("expired", format!("server_error: {e}"))),
            (_, None) => Err(("expired", "invalid_grant: no refresh token".to_string())),
        };
        let _ = app.store.lock().await.refreshed(&c.id, outcome);
    }
}

#[derive(Deserialize)]
pub struct TokenRequest {
    grant_type: String,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    redirect_uri: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, Json(json!({ "error": error, "error_description": description }))).into_response()
}

/// Client credentials from the body, or from HTTP Basic auth.
fn client_credentials(headers: &HeaderMap, t: &TokenRequest) -> Option<(String, String)> {
    if let (Some(id), Some(secret)) = (&t.client_id, &t.client_secret) {
        return Some((id.clone(), secret.clone()));
    }
    use base64::Engine as _;
    let raw = headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(raw).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let dec = |s: &str| url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
    Some((dec(id)?, dec(secret)?))
}

/// `POST /_atlassian/oauth/token`: Atlassian's token endpoint.
pub async fn token_endpoint(State(app): State<Arc<App>>, headers: HeaderMap, Form(t): Form<TokenRequest>) -> Response {
    let Some((client_id, secret)) = client_credentials(&headers, &t) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "client credentials are missing");
    };
    let Ok(mut a) = app.atlassian.lock() else {
        return oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "lock poisoned");
    };
    if a.apps.get(&client_id).is_some_and(|s| !crate::constant_time_eq(s, &secret)) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "the client secret is wrong");
    }
    let grant = match t.grant_type.as_str() {
        "authorization_code" => {
            let Some(g) = t.code.as_ref().and_then(|c| a.codes.remove(c)) else {
                return oauth_error(StatusCode::FORBIDDEN, "invalid_grant", "unknown or used authorization code");
            };
            if g.client_id != client_id || t.redirect_uri.as_deref() != Some(g.redirect_uri.as_str()) {
                return oauth_error(
                    StatusCode::FORBIDDEN,
                    "invalid_grant",
                    "the code was issued to another client or redirect_uri",
                );
            }
            g
        }
        "refresh_token" => {
            let Some(g) = t.refresh_token.as_ref().and_then(|r| a.refresh_tokens.remove(r)) else {
                return oauth_error(StatusCode::FORBIDDEN, "invalid_grant", "unknown or revoked refresh token");
            };
            if g.client_id != client_id {
                return oauth_error(StatusCode::FORBIDDEN, "invalid_grant", "the token was issued to another client");
            }
            g
        }
        other => {
            return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", &format!("{other} is not supported"))
        }
    };
    let access = token();
    let mut answer = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_SECONDS,
        "scope": grant.scopes.join(" "),
    });
    // Rotating refresh tokens, as Atlassian issues them, only with offline_access.
    if grant.scopes.iter().any(|s| s == "offline_access") {
        let refresh = token();
        answer["refresh_token"] = json!(refresh);
        a.refresh_tokens.insert(refresh, grant.clone());
    }
    a.access_tokens.insert(access, grant);
    Json(answer).into_response()
}

/// `GET /_atlassian/oauth/token/accessible-resources`: the sites of a token.
pub async fn accessible_resources(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let bearer =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let grant = bearer.and_then(|b| app.atlassian.lock().ok()?.access_tokens.get(b).cloned());
    let Some(g) = grant else {
        return (StatusCode::UNAUTHORIZED, Json(json!({"code": 401, "message": "Unauthorized"}))).into_response();
    };
    let name = g.site.split('.').next().unwrap_or_default();
    Json(json!([{
        "id": crate::store::cloud_id(&g.site),
        "url": format!("https://{}", g.site),
        "name": name,
        "scopes": g.scopes,
        "avatarUrl": "",
    }]))
    .into_response()
}

#[derive(Deserialize)]
pub struct AppRegistration {
    client_id: String,
    client_secret: String,
}

/// `POST /_sim/atlassian/apps`: registers an Atlassian app and its secret.
pub async fn register_app(State(app): State<Arc<App>>, Json(a): Json<AppRegistration>) -> Response {
    if let Ok(mut at) = app.atlassian.lock() {
        at.apps.insert(a.client_id.clone(), a.client_secret);
    }
    Json(json!({ "client_id": a.client_id })).into_response()
}

impl Atlassian {
    /// Registers an app from `--atlassian-app ID=SECRET`.
    pub fn register(&mut self, client_id: &str, secret: &str) {
        self.apps.insert(client_id.to_string(), secret.to_string());
    }
}

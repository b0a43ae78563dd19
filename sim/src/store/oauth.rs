//! OAuth 2.0: consent opened, finished or failed, refreshes, and
//! authorizations revoked or expired by hand.

use serde_json::{json, Value};

use super::*;

pub(super) fn expiry() -> String {
    crate::clock::format(crate::clock::now() + time::Duration::seconds(ACCESS_TOKEN_SECONDS))
}

pub(super) fn oauth_client(c: &Cred) -> OAuthClient {
    let text = |k: &str| c.json["oauth2"][k].as_str().unwrap_or_default().to_string();
    OAuthClient {
        id: c.json["id"].as_str().unwrap_or_default().to_string(),
        client_id: text("client_id"),
        client_secret: c.secret.clone().unwrap_or_default(),
        redirect_uri: text("callback_url"),
        refresh_token: c.oauth.refresh_token.clone(),
    }
}

/// Opens a new consent: a fresh `state`, the consent URL Atlassian would
/// show, and the old authorization gone.
pub(super) fn start_consent(consent_base: &str, cred: &mut Cred) {
    let state = uuid::Uuid::new_v4().simple().to_string();
    let o = &cred.json["oauth2"];
    let scopes: Vec<&str> =
        o["scopes"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("audience", "api.atlassian.com")
        .append_pair("client_id", o["client_id"].as_str().unwrap_or_default())
        .append_pair("scope", &scopes.join(" "))
        .append_pair("redirect_uri", o["callback_url"].as_str().unwrap_or_default())
        .append_pair("state", &state)
        .append_pair("response_type", "code")
        .append_pair("prompt", "consent")
        .finish();
    let o = &mut cred.json["oauth2"];
    o["status"] = json!("pending_authorization");
    o["authorization_url"] = json!(format!("{consent_base}/_atlassian/authorize?{query}"));
    o["expires_at"] = Value::Null;
    o["granted_sites"] = json!([]);
    cred.oauth = OAuthSecrets { state: Some(state), refresh_token: None };
}

impl Store {
    /// Starts (or restarts) consent: a fresh `state` and consent URL.
    pub fn authorize(&mut self, id: &str) -> Result<Value, ApiError> {
        let seq = self.seq_of(id)?;
        let consent_base = self.consent_base.clone();
        let Some(cred) = self.creds.get_mut(&seq) else { return Err(ApiError::NotFound) };
        if cred.json["auth_type"] != "oauth2" {
            return Err(ApiError::Conflict("only OAuth 2.0 credentials are authorized".into()));
        }
        start_consent(&consent_base, cred);
        cred.json["updated_at"] = json!(now());
        let url = cred.json["oauth2"]["authorization_url"].clone();
        self.save()?;
        Ok(json!({ "authorization_url": url }))
    }

    pub(super) fn start_consent(&self, cred: &mut Cred) {
        start_consent(&self.consent_base, cred);
    }

    pub(super) fn seq_of_state(&self, state: &str) -> Option<u64> {
        self.creds.iter().find(|(_, c)| c.oauth.state.as_deref() == Some(state)).map(|(s, _)| *s)
    }

    /// The credential whose consent `state` is open now; `None` for a stale
    /// or unknown state.
    pub fn consent_client(&self, state: &str) -> Option<OAuthClient> {
        self.seq_of_state(state).map(|seq| oauth_client(&self.creds[&seq]))
    }

    /// Records why a consent failed; the consent stays open.
    pub fn consent_failed(&mut self, state: &str, error: &str) -> Result<bool, ApiError> {
        let Some(seq) = self.seq_of_state(state) else { return Ok(false) };
        if let Some(c) = self.creds.get_mut(&seq) {
            c.json["oauth2"]["last_error"] = json!(error);
        }
        self.save().map(|_| true)
    }

    /// A person accepted and the code exchange succeeded.
    pub fn consent_done(
        &mut self,
        state: &str,
        refresh_token: Option<String>,
        sites: Vec<String>,
    ) -> Result<bool, ApiError> {
        let Some(seq) = self.seq_of_state(state) else { return Ok(false) };
        if let Some(c) = self.creds.get_mut(&seq) {
            c.oauth = OAuthSecrets { state: None, refresh_token };
            let o = &mut c.json["oauth2"];
            o["status"] = json!("authorized");
            o["authorization_url"] = Value::Null;
            o["expires_at"] = json!(expiry());
            o["granted_sites"] = json!(sites);
            o["last_error"] = Value::Null;
            c.json["updated_at"] = json!(now());
        }
        self.save().map(|_| true)
    }

    /// Authorized credentials whose access token has expired. Those without
    /// a refresh token become `expired` here; the others are returned for
    /// the proxy to refresh.
    pub fn due_for_refresh(&mut self) -> Vec<OAuthClient> {
        let now = crate::clock::now();
        let mut due = Vec::new();
        let mut changed = false;
        for c in self.creds.values_mut() {
            let o = &c.json["oauth2"];
            let expired = o["status"] == "authorized"
                && o["expires_at"].as_str().and_then(crate::clock::parse).is_some_and(|t| t <= now);
            if !expired {
                continue;
            }
            if c.oauth.refresh_token.is_some() {
                due.push(oauth_client(c));
            } else {
                c.json["oauth2"]["status"] = json!("expired");
                changed = true;
            }
        }
        if changed {
            let _ = self.save();
        }
        due
    }

    /// The outcome of a refresh: a new refresh token, or the status and
    /// error that the failure leaves.
    pub fn refreshed(&mut self, id: &str, outcome: Result<Option<String>, (&str, String)>) -> Result<(), ApiError> {
        let seq = self.seq_of(id)?;
        let Some(c) = self.creds.get_mut(&seq) else { return Err(ApiError::NotFound) };
        match outcome {
            Ok(rt) => {
                if rt.is_some() {
                    c.oauth.refresh_token = rt;
                }
                c.json["oauth2"]["expires_at"] = json!(expiry());
            }
            Err((status, error)) => {
                c.oauth.refresh_token = None;
                c.json["oauth2"]["status"] = json!(status);
                c.json["oauth2"]["last_error"] = json!(error);
            }
        }
        self.save()
    }

    /// An out-of-band change of an OAuth credential's status (a revocation
    /// in Atlassian, or an expiry).
    pub fn set_oauth_status(&mut self, id: &str, status: &str) -> Result<Value, ApiError> {
        if !matches!(status, "expired" | "revoked") {
            return Err(ApiError::Invalid(vec![("status".into(), "must be expired or revoked".into())]));
        }
        let seq = self.seq_of(id)?;
        let Some(c) = self.creds.get_mut(&seq) else { return Err(ApiError::NotFound) };
        if c.json["auth_type"] != "oauth2" {
            return Err(ApiError::Conflict("only OAuth 2.0 credentials have a status".into()));
        }
        c.oauth = OAuthSecrets::default();
        c.json["oauth2"]["status"] = json!(status);
        c.json["oauth2"]["authorization_url"] = Value::Null;
        let out = c.json.clone();
        self.save()?;
        Ok(out)
    }
}

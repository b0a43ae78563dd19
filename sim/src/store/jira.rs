//! What Jira sees: the authentication `/secret` hands out for one request,
//! and `myself` for Basic and Bearer, unless Atlassian is told to refuse.

use serde_json::{json, Value};

use super::*;

impl Store {
    /// `POST /api/v3/auth/{id}/secret`: the authentication Oomnitza adds to
    /// one request to the connected system: Basic for a Basic credential,
    /// a Bearer access token (and the site's cloud id) for an authorized
    /// OAuth one. The request itself is checked, never sent.
    pub fn request_auth(&mut self, id: &str, request: &Value) -> Result<Value, ApiError> {
        let mut c = Check::default();
        c.string(request, "url", "url", true);
        c.string(request, "http_method", "http_method", true);
        c.done()?;
        let cred = &self.creds[&self.seq_of(id)?];
        let j = &cred.json;
        let mut answer =
            json!({"headers": {}, "params": {}, "certificates": [], "url_attributes": {}, "body_attributes": {}});
        if j["auth_type"] == "api_key" {
            let (name, to) = (j["api_key"]["token_name"].as_str().unwrap_or_default(), &j["api_key"]["add_to"]);
            let place = if to == "query" { "params" } else { "headers" };
            answer[place][name] = json!(cred.secret.as_deref().unwrap_or_default());
            return Ok(answer);
        }
        if j["auth_type"] == "basic" {
            use base64::Engine as _;
            let user = j["basic"]["username"].as_str().unwrap_or_default();
            let pair = format!("{user}:{}", cred.secret.as_deref().unwrap_or_default());
            answer["headers"]["Authorization"] =
                json!(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair)));
            return Ok(answer);
        }
        let status = j["oauth2"]["status"].as_str().unwrap_or_default();
        if status != "authorized" {
            return Err(ApiError::Conflict(format!(
                "the credential's OAuth authorization is {status}, not authorized"
            )));
        }
        let site = j["oauth2"]["granted_sites"][0].as_str().unwrap_or_default();
        let bearer = uuid::Uuid::new_v4().simple().to_string();
        self.jira_tokens.insert(bearer.clone(), id.to_string());
        answer["headers"]["Authorization"] = json!(format!("Bearer {bearer}"));
        answer["url_attributes"]["cloud_id"] = json!(cloud_id(site));
        Ok(answer)
    }

    /// `POST /_sim/credentials/{id}/jira`: whether Atlassian accepts its token.
    pub fn set_jira_accepts(&mut self, id: &str, accepts: bool) -> Result<Value, ApiError> {
        self.seq_of(id)?;
        if accepts {
            self.jira_rejects.remove(id);
        } else {
            self.jira_rejects.insert(id.to_string());
        }
        Ok(json!({"id": id, "accepts": accepts}))
    }

    /// Jira's `myself` for Basic authentication: the account, when an
    /// email and API token of a credential match and Atlassian accepts it.
    pub fn jira_basic(&self, email: &str, token: &str) -> Option<Value> {
        self.creds.values().find_map(|c| {
            let ok = c.json["auth_type"] == "basic"
                && c.json["basic"]["username"] == email
                && c.secret.as_deref().is_some_and(|s| crate::constant_time_eq(s, token))
                && !self.jira_rejects.contains(c.json["id"].as_str()?);
            ok.then(|| account(&c.json))
        })
    }

    /// Jira's `myself` through Atlassian's API for a Bearer token of `cloud`.
    pub fn jira_bearer(&self, token: &str, cloud: &str) -> Option<Value> {
        let id = self.jira_tokens.get(token)?;
        let j = &self.creds.get(self.index.get(id)?)?.json;
        let site = j["oauth2"]["granted_sites"][0].as_str().unwrap_or_default();
        let ok = j["oauth2"]["status"] == "authorized" && cloud_id(site) == cloud && !self.jira_rejects.contains(id);
        ok.then(|| account(j))
    }
}

/// Atlassian's id of a site, as accessible-resources answers it.
pub fn cloud_id(site: &str) -> String {
    format!("site-{}", site.split(['.', ':']).next().unwrap_or_default())
}

/// The Jira account behind a credential.
pub(super) fn account(j: &Value) -> Value {
    let email = j["basic"]["username"].as_str().map(String::from).unwrap_or_else(|| "oauth-user@example.com".into());
    json!({
        "accountId": format!("acc-{}", j["id"].as_str().unwrap_or_default()),
        "displayName": format!("{} (service account)", j["name"].as_str().unwrap_or_default()),
        "emailAddress": email,
        "active": true,
    })
}

//! The API's types, as `docs/oomnitza-api.md` fixes them.

use serde::{Deserialize, Serialize};

use crate::secret::Secret;

/// The SaaS of the credentials `oomnitza_jira_credential` manages.
pub const SAAS_JIRA: &str = "jira";

/// A stored credential, as Oomnitza answers it (secrets are never answered).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct Credential {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub description: String,
    pub saas: String,
    pub auth_type: AuthType,
    #[serde(default)]
    pub basic: Option<BasicInfo>,
    #[serde(default)]
    pub oauth2: Option<OAuthInfo>,
    #[serde(default)]
    pub api_key: Option<ApiKeyInfo>,
    #[serde(default)]
    pub expiration_date: Option<String>,
    #[serde(default)]
    pub secret_version: i64,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub updated_at: String,
    /// The Oomnitza user behind the API token or UI session that made the
    /// last change, when Oomnitza says.
    #[serde(default)]
    pub updated_by: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthType {
    Basic,
    Oauth2,
    #[serde(rename = "api_key")]
    ApiKey,
}

impl AuthType {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthType::Basic => "basic",
            AuthType::Oauth2 => "oauth2",
            AuthType::ApiKey => "api_key",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct BasicInfo {
    pub username: String,
}

/// An API key credential: Oomnitza adds `token_name: <token>` to each
/// request, as a header or a query parameter (`add_to`).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct ApiKeyInfo {
    pub token_name: String,
    pub add_to: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ApiKeyInput {
    pub token_name: String,
    pub token: Secret,
    pub add_to: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ApiKeyPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_to: Option<String>,
}

impl ApiKeyPatch {
    pub fn is_empty(&self) -> bool {
        self.token_name.is_none() && self.token.is_none() && self.add_to.is_none()
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct OAuthInfo {
    pub client_id: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub callback_url: String,
    #[serde(default)]
    pub site: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub authorization_url: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
    /// The Jira site hosts the current authorization reaches.
    #[serde(default)]
    pub granted_sites: Vec<String>,
    /// Why the last consent, code exchange or refresh failed.
    #[serde(default)]
    pub last_error: Option<String>,
}

/// `oauth2.status` values, as the contract names them.
pub mod oauth_status {
    pub const PENDING: &str = "pending_authorization";
    pub const AUTHORIZED: &str = "authorized";
    pub const EXPIRED: &str = "expired";
    pub const REVOKED: &str = "revoked";
}

/// The answer of `POST /api/v3/auth/{id}/authorize`.
#[derive(Clone, Debug, Deserialize)]
pub struct Authorization {
    pub authorization_url: String,
}

/// The body of `POST /api/v3/auth`.
#[derive(Clone, Debug, Serialize)]
pub struct NewCredential {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub saas: String,
    pub auth_type: AuthType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basic: Option<BasicInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth2: Option<OAuthInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<ApiKeyInput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct BasicInput {
    pub username: String,
    pub password: Secret,
}

#[derive(Clone, Debug, Serialize)]
pub struct OAuthInput {
    pub client_id: String,
    pub client_secret: Secret,
    pub scopes: Vec<String>,
    pub callback_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
}

/// The body of `PATCH /api/v3/auth/{id}`: only the fields set change.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CredentialPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `Some(None)` clears the date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basic: Option<BasicPatch>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth2: Option<OAuthPatch>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<ApiKeyPatch>,
}

impl CredentialPatch {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.owner.is_none()
            && self.description.is_none()
            && self.expiration_date.is_none()
            && self.basic.is_none()
            && self.oauth2.is_none()
            && self.api_key.is_none()
    }
}

/// Changes to an OAuth credential's app. Any of them restarts consent.
#[derive(Clone, Debug, Default, Serialize)]
pub struct OAuthPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// `Some(None)` clears the site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<Option<String>>,
}

impl OAuthPatch {
    pub fn is_empty(&self) -> bool {
        self.client_id.is_none()
            && self.client_secret.is_none()
            && self.scopes.is_none()
            && self.callback_url.is_none()
            && self.site.is_none()
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct BasicPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<Secret>,
}

/// One field-level problem from a 400/422 answer.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct FieldError {
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub message: String,
}

/// The body of `POST /api/v3/auth/{id}/secret`: a request to the connected
/// system, described for Oomnitza to authenticate.
#[derive(Clone, Debug, Serialize)]
pub struct OutgoingRequest {
    pub url: String,
    pub http_method: String,
    pub params: std::collections::BTreeMap<String, String>,
    pub headers: std::collections::BTreeMap<String, String>,
    pub body: Option<serde_json::Value>,
}

/// Its answer: what to add to that request. The values are the secret's
/// material (a Basic header, a Bearer token), so they are [`Secret`]s.
#[derive(Debug, Default, Deserialize)]
pub struct RequestAuth {
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, Secret>,
    #[serde(default)]
    pub params: std::collections::BTreeMap<String, Secret>,
    #[serde(default)]
    pub certificates: Vec<serde_json::Value>,
    /// Values to put into the URL, such as Atlassian's `cloud_id`.
    #[serde(default)]
    pub url_attributes: std::collections::BTreeMap<String, String>,
}

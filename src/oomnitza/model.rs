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

/// The body of `POST /api/v3/auth`: what every credential has, and the
/// section of its authorization type.
#[derive(Clone, Debug, Serialize)]
pub struct NewCredential {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub saas: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<String>,
    /// `auth_type` and its object, such as `"basic": {...}`.
    #[serde(flatten)]
    pub section: Section,
}

/// An authorization type's object in a create: a kind builds the one it
/// manages, and a new type is a new variant that no other kind names.
#[derive(Clone, Debug)]
pub enum Section {
    Basic(BasicInput),
    OAuth2(OAuthInput),
    ApiKey(ApiKeyInput),
}

impl Section {
    pub fn auth_type(&self) -> AuthType {
        match self {
            Section::Basic(_) => AuthType::Basic,
            Section::OAuth2(_) => AuthType::Oauth2,
            Section::ApiKey(_) => AuthType::ApiKey,
        }
    }
}

/// `"auth_type": "<type>", "<type>": {...}`, as the API names them.
impl Serialize for Section {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut m = s.serialize_map(Some(2))?;
        let ty = self.auth_type();
        m.serialize_entry("auth_type", &ty)?;
        match self {
            Section::Basic(b) => m.serialize_entry(ty.as_str(), b)?,
            Section::OAuth2(o) => m.serialize_entry(ty.as_str(), o)?,
            Section::ApiKey(k) => m.serialize_entry(ty.as_str(), k)?,
        }
        m.end()
    }
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
    /// Changes to the authorization type's object, when any.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub section: Option<SectionPatch>,
}

impl CredentialPatch {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.owner.is_none()
            && self.description.is_none()
            && self.expiration_date.is_none()
            && self.section.is_none()
    }

    /// Whether this write sends a new secret.
    pub fn sends_secret(&self) -> bool {
        match &self.section {
            Some(SectionPatch::Basic(b)) => b.password.is_some(),
            Some(SectionPatch::OAuth2(o)) => o.client_secret.is_some(),
            Some(SectionPatch::ApiKey(k)) => k.token.is_some(),
            None => false,
        }
    }
}

/// Changes to one authorization type's object (`"basic": {...}`).
#[derive(Clone, Debug)]
pub enum SectionPatch {
    Basic(BasicPatch),
    OAuth2(OAuthPatch),
    ApiKey(ApiKeyPatch),
}

impl SectionPatch {
    /// `Some` of this change, or `None` when it changes nothing.
    pub fn non_empty(self) -> Option<SectionPatch> {
        let empty = match &self {
            SectionPatch::Basic(b) => b.username.is_none() && b.password.is_none(),
            SectionPatch::OAuth2(o) => o.is_empty(),
            SectionPatch::ApiKey(k) => k.is_empty(),
        };
        (!empty).then_some(self)
    }
}

impl Serialize for SectionPatch {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut m = s.serialize_map(Some(1))?;
        match self {
            SectionPatch::Basic(b) => m.serialize_entry(AuthType::Basic.as_str(), b)?,
            SectionPatch::OAuth2(o) => m.serialize_entry(AuthType::Oauth2.as_str(), o)?,
            SectionPatch::ApiKey(k) => m.serialize_entry(AuthType::ApiKey.as_str(), k)?,
        }
        m.end()
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

//! `ephemeral "oomnitza_credential_secret"` (Terraform 1.10+): the request
//! authentication Oomnitza holds for a credential, opened when a plan or an
//! apply needs it and never written to a plan or a state. It asks the
//! route Oomnitza's own connector uses (`POST /api/v3/auth/{id}/secret`),
//! so a secret kept in Oomnitza's vault can feed another provider's
//! configuration or a write-only attribute.

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::credential::errors::api_diags;
use crate::framework::validate::{Matches, NotBlank};
use crate::framework::{AttrPath, Attribute, Block, Diagnostics, EphemeralResource, Schema, Type, Value};
use crate::oomnitza::{oauth_status, ApiError, AuthType, Client, OutgoingRequest};
use crate::secret::Secret;

pub const TYPE_NAME: &str = "oomnitza_credential_secret";

pub struct CredentialSecret;

/// An HTTP method as a request line writes it.
fn is_method(m: &str) -> bool {
    !m.is_empty() && m.bytes().all(|b| b.is_ascii_uppercase())
}

pub fn schema() -> Schema {
    let map = || Type::Map(Box::new(Type::String));
    Schema::new(
        0,
        Block::new("The authentication Oomnitza adds to a request made with one of its credentials (any kind: Jira Basic or OAuth, API key), as an ephemeral value: opened for each plan and apply that uses it, never stored in a plan or a state. Terraform 1.10 or newer.")
            .attr(Attribute::string("credential_id").required().validate(NotBlank("must be a credential's id in Oomnitza, such as oomnitza_jira_credential.users.id.")).describe("The credential's id in Oomnitza, such as `oomnitza_jira_credential.users.id`."))
            .attr(Attribute::string("url").optional().describe("The request the authentication is for, as Oomnitza's connector describes it. Defaults to `/`: most credentials authenticate every request alike."))
            .attr(Attribute::string("http_method").optional().validate(Matches { test: is_method, fix: "use an HTTP method in capitals, such as \"GET\" or \"POST\"" }).describe("That request's method. Defaults to `GET`."))
            .attr(Attribute::of("headers", map()).computed().sensitive().describe("Headers to add, such as `Authorization`."))
            .attr(Attribute::of("query", map()).computed().sensitive().describe("Query parameters to add (an API key credential with `add_to = \"query\"`)."))
            .attr(Attribute::of("url_attributes", map()).computed().describe("Values to put into the request's URL, such as the Atlassian `cloud_id` of an OAuth credential's site."))
            .attr(Attribute::string("expires_at").computed().describe("When the authentication stops working, where Oomnitza says (an OAuth access token's expiry, RFC 3339); null otherwise.")),
    )
}

fn secrets(m: BTreeMap<String, Secret>) -> Value {
    Value::Map(m.into_iter().map(|(k, v)| (k, Value::string(v.expose()))).collect())
}

#[async_trait]
impl EphemeralResource<Client> for CredentialSecret {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn open(&self, client: &Client, config: &Value, diags: &mut Diagnostics) -> Value {
        let id = config.get("credential_id").as_str().unwrap_or_default();
        let at = || Some(AttrPath::root("credential_id"));
        let c = match client.get(id).await {
            Ok(Some(c)) => c,
            Ok(None) => {
                diags.error_where(
                    at(),
                    "No such credential",
                    format!("Oomnitza has no credential with id {id:?}: it was deleted, or the id is wrong."),
                );
                return Value::Null;
            }
            Err(e) => {
                api_diags(&e, "read the credential", diags);
                return Value::Null;
            }
        };
        let oauth = c.oauth2.as_ref().filter(|_| c.auth_type == AuthType::Oauth2);
        if let Some(o) = oauth.filter(|o| o.status.as_deref() != Some(oauth_status::AUTHORIZED)) {
            let status = o.status.as_deref().unwrap_or("unknown");
            diags.error_where(at(), "Credential not authorized", format!("Credential {id} is an OAuth credential whose consent is {status}, so Oomnitza has no token to give. A person must consent at its authorization_url first; resource \"oomnitza_jira_credential_authorization\" waits for it."));
            return Value::Null;
        }
        let request = OutgoingRequest {
            url: config.get("url").as_str().unwrap_or("/").to_string(),
            http_method: config.get("http_method").as_str().unwrap_or("GET").to_string(),
            params: Default::default(),
            headers: Default::default(),
            body: None,
        };
        let auth = match client.request_auth(id, &request).await {
            Ok(a) => a,
            Err(ApiError::Conflict { message }) => {
                diags.error_where(
                    at(),
                    "Oomnitza refused to authenticate with the credential",
                    format!("Oomnitza would not authenticate a request with credential {id}: {message}"),
                );
                return Value::Null;
            }
            Err(e) => {
                api_diags(&e, "open the credential's authentication", diags);
                return Value::Null;
            }
        };
        if !auth.certificates.is_empty() {
            diags.warning_at(at(), "Client certificates left out", "Oomnitza also gave client certificates for this credential, which this ephemeral resource does not hand on.");
        }
        let mut v = config.clone();
        v.set("headers", secrets(auth.headers));
        v.set("query", secrets(auth.params));
        v.set(
            "url_attributes",
            Value::Map(auth.url_attributes.into_iter().map(|(k, s)| (k, Value::string(s))).collect()),
        );
        v.set("expires_at", oauth.and_then(|o| o.expires_at.clone()).map_or(Value::Null, Value::string));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_names_the_attribute_and_the_fix() {
        let mut c = Value::null_object(&schema().value_type());
        c.set("credential_id", Value::string(" "));
        c.set("http_method", Value::string("get"));
        let d = crate::framework::validate::checked(&schema().block, &c, |d| CredentialSecret.validate(&c, d));
        let said = format!("{d:?}");
        assert!(said.contains("Empty credential_id") && said.contains("Invalid http_method"), "{said}");
    }
}

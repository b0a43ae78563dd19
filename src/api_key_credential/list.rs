//! `list "oomnitza_api_key_credential"`: finds API key credentials for
//! `terraform query` (Terraform 1.14+), by SaaS and name prefix.

use async_trait::async_trait;
use oomnitza_api::Filter;

use super::{API_KEY, TYPE_NAME};
use crate::framework::{AttrPath, Attribute, Block, Diagnostics, ListRequest, ListResource, ListSink, Schema, Value};
use crate::oomnitza::Client;

pub struct ApiKeyCredentialList;

#[async_trait]
impl ListResource<Client> for ApiKeyCredentialList {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Finds API key credentials in Oomnitza, whether Terraform manages them or not. Every filter is optional; all given must match.")
                .attr(Attribute::string("saas").optional().describe("Only credentials for this integration, such as `okta`."))
                .attr(Attribute::string("name_prefix").optional().describe("Only credentials whose name starts with this text (case-sensitive).")),
        )
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        for k in ["saas", "name_prefix"] {
            if config.get(k).as_str().is_some_and(str::is_empty) {
                diags.error_at(
                    AttrPath::root(k),
                    format!("Empty {k}"),
                    format!("{k} is empty; leave it out to match every credential."),
                );
            }
        }
    }

    async fn list(&self, client: &Client, req: ListRequest<'_>, sink: &mut ListSink) {
        let config = req.config;
        let saas = config.get("saas").as_str().map_or(Filter::new(), |s| Filter::new().eq("saas", s));
        let prefix = config.get("name_prefix").as_str().unwrap_or_default().to_string();
        let keep = |c: &crate::oomnitza::Credential| c.name.starts_with(&prefix);
        API_KEY.list(client, saas, keep, req, sink).await;
    }
}

//! `data "oomnitza_api_key_credential"`: an API key credential by `id` or
//! exact `name`, every attribute but the key. Its schema is the resource's,
//! read-only, so an attribute is added in one place.

use async_trait::async_trait;

use super::{state_of, API_KEY, TYPE_NAME};
use crate::framework::{Attribute, Block, DataSource, Diagnostics, Schema, Type, Value};
use crate::oomnitza::Client;

pub struct ApiKeyCredentialData;

/// The resource's attributes that are not the key or Terraform's own.
fn shown(a: &Attribute) -> bool {
    !a.sensitive && a.name != super::TOKEN.version
}

pub fn schema() -> Schema {
    let mut block = Block::new(
        "Looks up an API key credential in Oomnitza by `id` or exact `name` (exactly one). The key is never read.",
    );
    for a in super::schema().block.attributes.into_iter().filter(shown) {
        let lookup = matches!(a.name.as_str(), "id" | "name");
        let mut a =
            Attribute { required: false, optional: lookup, computed: true, default: None, plan: Vec::new(), ..a };
        if a.name == "name" {
            a.description = "The exact name; it must match one API key credential.".into();
        }
        block = block.attr(a);
    }
    Schema::new(0, block)
}

#[async_trait]
impl DataSource<Client> for ApiKeyCredentialData {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        API_KEY.validate_id_or_name(config, diags);
    }

    /// The resource's state of the credential, through this schema.
    async fn read(&self, client: &Client, config: &Value, diags: &mut Diagnostics) -> Value {
        static TYPE: std::sync::OnceLock<Type> = std::sync::OnceLock::new();
        let ty = TYPE.get_or_init(|| schema().value_type());
        let Some(c) = API_KEY.find(client, config, diags).await else { return Value::Null };
        state_of(&c, &Value::Null).project(ty)
    }
}

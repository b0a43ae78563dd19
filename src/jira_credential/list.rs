//! `list "oomnitza_jira_credential"`: finds Jira credentials in Oomnitza,
//! managed by Terraform or not, for `terraform query` (Terraform 1.14+).
//!
//! Pages are fetched one at a time and only once Terraform has taken the
//! results before them, so a query over many credentials starts answering
//! at once and holds one page in memory.

use async_trait::async_trait;

use super::model::{JIRA, TYPE_NAME};
use crate::credential::list_filter;
use crate::framework::model::FromValue;
use crate::framework::validate::OneOf;
use crate::framework::{Attribute, Block, ListRequest, ListResource, ListSink, Schema, Value};
use crate::oomnitza::{AuthType, Client, Credential};
use oomnitza_api::Filter;

pub struct JiraCredentialList;

crate::model! {
    /// The list resource's configuration (its schema: a test holds them).
    #[derive(Clone, Debug, Default)]
    struct Config {
        name_prefix: Option<String>,
        auth_type: Option<String>,
        owner: Option<String>,
    }
}

/// The filters of a query, all optional.
struct Filters {
    name_prefix: Option<String>,
    auth_type: Option<AuthType>,
    owner: Option<String>,
}

impl Filters {
    fn from(config: &Value) -> Filters {
        let Config { name_prefix, auth_type: t, owner } = Config::from_value(config).unwrap_or_default();
        Filters { name_prefix, auth_type: t.as_deref().and_then(auth_type), owner }
    }

    /// What Oomnitza's filter language can say: the exact fields. A name
    /// prefix it cannot, so that one is checked here on each page.
    fn in_oomnitzas_words(&self) -> Filter {
        let mut f = Filter::new();
        if let Some(t) = self.auth_type {
            f = f.eq("auth_type", t.as_str());
        }
        if let Some(o) = &self.owner {
            f = f.eq("owner", o);
        }
        f
    }

    fn matches(&self, c: &Credential) -> bool {
        self.name_prefix.as_ref().is_none_or(|p| c.name.starts_with(p.as_str()))
            && self.auth_type.is_none_or(|t| c.auth_type == t)
            && self.owner.as_ref().is_none_or(|o| &c.owner == o)
    }
}

/// The block names users write: `basic` or `oauth`.
fn auth_type(s: &str) -> Option<AuthType> {
    match s {
        "basic" => Some(AuthType::Basic),
        "oauth" => Some(AuthType::Oauth2),
        _ => None,
    }
}

#[async_trait]
impl ListResource<Client> for JiraCredentialList {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new("Finds Jira credentials in Oomnitza, whether Terraform manages them or not. Every filter is optional; all given must match.")
                .attr(list_filter("name_prefix", "Only credentials whose name starts with this text (case-sensitive)."))
                .attr(Attribute::string("auth_type").optional().validate(OneOf(&["basic", "oauth"])).describe("Only `basic` or only `oauth` credentials: the name of the credential's block."))
                .attr(list_filter("owner", "Only credentials owned by this Oomnitza user.")),
        )
    }

    async fn list(&self, client: &Client, req: ListRequest<'_>, sink: &mut ListSink) {
        let filters = Filters::from(req.config);
        JIRA.list(client, filters.in_oomnitzas_words(), &|c| filters.matches(c), req, sink).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_and_schema_agree() {
        assert_eq!(JiraCredentialList.schema().block.names(), Config::ATTRIBUTES);
    }
}

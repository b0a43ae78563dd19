//! Finding credentials of one kind: by id or by exact name (data
//! sources), and page by page for `terraform query`.

use tracing::debug;

use super::errors::api_diags;
use super::Kind;
use crate::framework::model::{FromValue, Known};
use crate::framework::{AttrPath, Diagnostics, ListItem, ListRequest, ListSink, Value};
use crate::oomnitza::{Client, Credential, PAGE};
use oomnitza_api::Filter;

crate::model! {
    /// A data source's choice of credential: by `id` or exact `name`.
    #[derive(Clone, Debug, Default)]
    struct IdOrName {
        id: Known<String>,
        name: Known<String>,
    }
}

impl Kind {
    /// The credential of this kind with this id, for a data source whose
    /// attribute `attr` gave the id; `None` after an error there (none
    /// there) or from the API.
    pub async fn by_id(&self, client: &Client, id: &str, attr: &str, diags: &mut Diagnostics) -> Option<Credential> {
        match client.get(id).await {
            Ok(Some(c)) if (self.owns)(&c) => Some(c),
            Ok(_) => {
                diags.error_at(
                    AttrPath::root(attr),
                    format!("No such {}", self.noun),
                    format!("Oomnitza has no {} with id {id:?}.", self.noun),
                );
                None
            }
            Err(e) => {
                api_diags(&e, &format!("read the {}", self.noun), diags);
                None
            }
        }
    }

    /// The one credential of this kind named exactly `name` (given by the
    /// data source's `name`); an error there when there is none or more.
    pub async fn by_name(&self, client: &Client, name: &str, diags: &mut Diagnostics) -> Option<Credential> {
        let noun = self.noun;
        match client.list_by_name(&(self.scope)(), name).await {
            Ok(mut v) if v.len() == 1 => Some(v.remove(0)),
            Ok(v) if v.is_empty() => {
                diags.error_at(
                    AttrPath::root("name"),
                    format!("No such {noun}"),
                    format!("Oomnitza has no {noun} named {name:?}. Names must match exactly."),
                );
                None
            }
            Ok(v) => {
                let ids: Vec<_> = v.iter().map(|c| c.id.as_str()).collect();
                diags.error_at(
                    AttrPath::root("name"),
                    format!("Several {noun}s have this name"),
                    format!(
                        "{} credentials are named {name:?} (ids {}). Look it up by id instead.",
                        v.len(),
                        ids.join(", ")
                    ),
                );
                None
            }
            Err(e) => {
                api_diags(&e, &format!("list {noun}s"), diags);
                None
            }
        }
    }

    /// A data source's `id` and `name`: exactly one must be set (one not
    /// known yet is set).
    pub fn validate_id_or_name(&self, config: &Value, diags: &mut Diagnostics) {
        let IdOrName { id, name } = IdOrName::from_value(config).unwrap_or_default();
        if id.is_null() && name.is_null() {
            diags.error_at(
                AttrPath::root("id"),
                "Missing id or name",
                format!("Set id or name to say which {} to read.", self.noun),
            );
        } else if !id.is_null() && !name.is_null() {
            diags.error_at(AttrPath::root("name"), "Both id and name set", "Set only one of id and name.");
        }
    }

    /// The credential a data source's `id` or `name` names.
    pub async fn find(&self, client: &Client, config: &Value, diags: &mut Diagnostics) -> Option<Credential> {
        self.validate_id_or_name(config, diags);
        if diags.has_errors() {
            return None;
        }
        match IdOrName::from_value(config).unwrap_or_default() {
            IdOrName { id: Known::Value(id), .. } => self.by_id(client, &id, "id", diags).await,
            IdOrName { name: Known::Value(name), .. } => self.by_name(client, &name, diags).await,
            _ => None,
        }
    }

    /// Sends each credential of this kind that passes `filter` (said to
    /// Oomnitza) and `keep` (checked here, for what the filter language
    /// cannot say) to `sink`, a page at a time, until it has enough.
    /// `to_state` builds the resource object when Terraform asks for it.
    pub async fn list(
        &self,
        client: &Client,
        filter: Filter,
        keep: &(dyn Fn(&Credential) -> bool + Send + Sync),
        req: ListRequest<'_>,
        sink: &mut ListSink,
    ) {
        let filter = (self.scope)().and(filter);
        let (mut skip, mut sent) = (0, 0u64);
        while sink.wants_more() {
            let page = match client.list_page(filter.clone(), skip, PAGE).await {
                Ok(p) => p,
                Err(e) => {
                    let mut diags = Diagnostics::new();
                    api_diags(&e, &format!("list {}s", self.noun), &mut diags);
                    sink.fail(diags).await;
                    return;
                }
            };
            let last = page.len() < PAGE;
            skip += page.len();
            for c in page.iter().filter(|c| keep(c)) {
                let item = ListItem {
                    identity: Self::identity_of(Value::string(&c.id)),
                    display_name: c.name.clone(),
                    resource_object: req.include_resource_object.then(|| (self.state)(c, &Value::Null)),
                    diagnostics: Diagnostics::new(),
                };
                let more = sink.send(item).await;
                sent += 1;
                if sent == 1 {
                    debug!("list sent its first result");
                }
                if !more {
                    return;
                }
            }
            if last {
                return;
            }
        }
    }
}

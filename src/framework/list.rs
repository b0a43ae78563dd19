//! List resources, for `terraform query` (Terraform 1.14+): a query's
//! configuration in, a stream of found objects out.
//!
//! Results go through a [`ListSink`] with room for one result at a time, so
//! a list that walks pages of an API fetches the next page only once
//! Terraform has taken the results before it, and stops as soon as
//! Terraform has enough (its `limit`) or stops reading.

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::diag::Diagnostics;
use super::schema::Schema;
use super::value::{Type, Value};

/// One object found.
pub struct ListItem {
    /// In the managed resource's identity schema.
    pub identity: Value,
    /// A label for people, such as the object's name.
    pub display_name: String,
    /// The object in the managed resource's schema, when Terraform asked.
    pub resource_object: Option<Value>,
    pub diagnostics: Diagnostics,
}

/// What a list call is asked.
pub struct ListRequest<'a> {
    /// The `config` block of the `list` block.
    pub config: &'a Value,
    pub include_resource_object: bool,
    /// The managed resource's value type, for `resource_object`.
    pub resource_type: &'a super::Type,
}

/// Where a list sends its results.
pub struct ListSink {
    tx: mpsc::Sender<ListItem>,
    left: i64,
}

impl ListSink {
    /// A sink that takes at most `limit` results (no limit when 0 or less),
    /// and the receiving end the protocol layer streams from.
    pub fn new(limit: i64) -> (ListSink, mpsc::Receiver<ListItem>) {
        let (tx, rx) = mpsc::channel(1);
        (ListSink { tx, left: if limit > 0 { limit } else { i64::MAX } }, rx)
    }

    /// Whether more results are wanted.
    pub fn wants_more(&self) -> bool {
        self.left > 0 && !self.tx.is_closed()
    }

    /// Sends one result, waiting until there is room. `false` means stop:
    /// the limit is reached or Terraform stopped reading.
    pub async fn send(&mut self, item: ListItem) -> bool {
        if !self.wants_more() || self.tx.send(item).await.is_err() {
            return false;
        }
        self.left -= 1;
        self.left > 0
    }

    /// Reports a problem that ends the list (an event with only diagnostics).
    pub async fn fail(&mut self, diagnostics: Diagnostics) {
        let item = ListItem { identity: Value::Null, display_name: String::new(), resource_object: None, diagnostics };
        let _ = self.tx.send(item).await;
    }
}

/// A list resource type; its type name is the managed resource's.
#[async_trait]
pub trait ListResource<C>: Send + Sync {
    fn type_name(&self) -> &'static str;
    /// The schema of the `config` block.
    fn schema(&self) -> Schema;
    /// Checks that need no remote call. Unknown values must be let through.
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// Finds objects and sends each to `sink` until it says stop.
    async fn list(&self, client: &C, req: ListRequest<'_>, sink: &mut ListSink);
}

/// Runs a list in a task of its own; its results arrive one at a time, as
/// they are taken, up to `limit` (none when 0 or less). `resource_type` is
/// the managed resource's value type, for `resource_object`.
pub fn run<C: Send + Sync + 'static>(
    imp: Arc<dyn ListResource<C>>,
    client: Arc<C>,
    config: Value,
    include_resource_object: bool,
    resource_type: Arc<Type>,
    limit: i64,
) -> mpsc::Receiver<ListItem> {
    let (mut sink, rx) = ListSink::new(limit);
    tokio::spawn(async move {
        let req = ListRequest { config: &config, include_resource_object, resource_type: &resource_type };
        imp.list(&client, req, &mut sink).await;
    });
    rx
}

//! The RPCs without state: data sources, ephemeral resources, list
//! resources (`terraform query`) and actions. Lists and invocations answer
//! a stream of results that the transport forwards as they come.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::registry::{ActionEntry, DataSourceEntry, EphemeralEntry, ListEntry, ResourceEntry};
use super::Server;
use crate::framework::action::{self, ActionEvent};
use crate::framework::list::{self, ListItem};
use crate::framework::validate::checked;
use crate::framework::{Diagnostics, Provider, Value};

impl<P: Provider> Server<P> {
    pub fn validate_data_resource_config(&self, e: &DataSourceEntry<P::Client>, config: &Value) -> Diagnostics {
        let mut diags = checked(&e.schema.block, config, |d| e.imp.validate(config, d));
        self.once.keep_new(e.imp.type_name(), &mut diags);
        diags
    }

    /// Reads a data source; its state, null when the read failed.
    pub async fn read_data_source(&self, e: &DataSourceEntry<P::Client>, config: &Value) -> (Value, Diagnostics) {
        let client = match self.client().await {
            Ok(c) => c,
            Err(d) => return (Value::Null, d),
        };
        let mut diags = Diagnostics::new();
        let state = e.imp.read(&client, config, &mut diags).await;
        self.once.keep_new(e.imp.type_name(), &mut diags);
        (state, diags)
    }

    pub fn validate_ephemeral_resource_config(&self, e: &EphemeralEntry<P::Client>, config: &Value) -> Diagnostics {
        let mut diags = checked(&e.schema.block, config, |d| e.imp.validate(config, d));
        self.once.keep_new(e.imp.type_name(), &mut diags);
        diags
    }

    /// Opens an ephemeral resource: validated again (values unknown at
    /// validate are known now); its result goes to Terraform, never to a
    /// plan or a state, and nothing of it is logged. `None` on errors.
    pub async fn open_ephemeral_resource(
        &self,
        e: &EphemeralEntry<P::Client>,
        config: &Value,
    ) -> (Option<Value>, Diagnostics) {
        let client = match self.client().await {
            Ok(c) => c,
            Err(d) => return (None, d),
        };
        let mut diags = checked(&e.schema.block, config, |d| e.imp.validate(config, d));
        if diags.has_errors() {
            return (None, diags);
        }
        let result = e.imp.open(&client, config, &mut diags).await;
        ((!diags.has_errors()).then_some(result), diags)
    }

    /// The list resource's attributes sit in the `config` block of the
    /// `list` block, and Terraform reads paths from the `list` block.
    pub fn validate_list_resource_config(&self, l: &ListEntry<P::Client>, config: &Value) -> Diagnostics {
        checked(&l.schema.block, config, |d| l.imp.validate(config, d)).within("config")
    }

    /// Starts a list of the managed resource `resource`'s objects; they
    /// arrive on the receiver as Terraform takes them, at most `limit`.
    pub async fn list_resource(
        &self,
        (l, resource): (&ListEntry<P::Client>, &ResourceEntry<P::Client>),
        config: Value,
        include_resource_object: bool,
        limit: i64,
    ) -> Result<mpsc::Receiver<ListItem>, Diagnostics> {
        let client = self.client().await?;
        let resource_ty = Arc::new(resource.ty.clone());
        Ok(list::run(l.imp.clone(), client, config, include_resource_object, resource_ty, limit))
    }

    pub fn validate_action_config(&self, a: &ActionEntry<P::Client>, config: &Value) -> Diagnostics {
        checked(&a.schema.block, config, |d| a.imp.validate(config, d))
    }

    /// Plans an action: validated again, then asked what it can check
    /// before it runs.
    pub async fn plan_action(&self, a: &ActionEntry<P::Client>, config: &Value) -> Diagnostics {
        let client = match self.client().await {
            Ok(c) => c,
            Err(d) => return d,
        };
        let mut diags = checked(&a.schema.block, config, |d| a.imp.validate(config, d));
        if !diags.has_errors() {
            a.imp.plan(&client, config, &mut diags).await;
        }
        diags
    }

    /// Invokes an action; its progress, then its completion, arrive on the
    /// receiver.
    pub async fn invoke_action(
        &self,
        a: &ActionEntry<P::Client>,
        config: Value,
    ) -> Result<mpsc::Receiver<ActionEvent>, Diagnostics> {
        Ok(action::run(a.imp.clone(), self.client().await?, config))
    }
}

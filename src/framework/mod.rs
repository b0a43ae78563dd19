//! What any resource needs, independent of gRPC and of Oomnitza: dynamic
//! values, schemas, diagnostics, and the traits a provider, a resource and a
//! data source implement. The plugin layer (`crate::plugin`) turns protocol
//! requests into calls on these traits.

pub mod action;
pub mod diag;
pub mod duration;
pub mod list;
pub mod model;
pub mod plan;
pub mod private;
pub mod schema;
pub mod server;
pub mod validate;
pub mod value;

use std::sync::Arc;

use async_trait::async_trait;

pub use action::{Action, Progress};
pub use diag::{AttrPath, Diagnostics, Severity};
pub use list::{ListItem, ListRequest, ListResource, ListSink};
pub use plan::{PlanModifier, PlanRequest, Planned};
pub use private::{Key, PrivateState};
pub use schema::{Attribute, Block, IdentitySchema, Nesting, Schema};
pub use value::{Type, Value};

/// What `terraform import` or an `import` block names.
pub enum ImportTarget<'a> {
    /// An import id (`terraform import ADDR ID`, `import { id = ... }`).
    Id(&'a str),
    /// An identity (`import { identity = {...} }`, Terraform 1.12+), in the
    /// resource's identity schema.
    Identity(&'a Value),
}

/// A managed resource type: one implementation per `resource "..."` type.
///
/// Every method reports problems through `diags`; an error there fails the
/// operation, and for `create` any non-null state returned alongside it is
/// still saved, so that a half-done create is never lost track of.
#[async_trait]
pub trait Resource<C>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;

    /// Checks that need no remote calls. Unknown values must be let through.
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Plans a create or update (never a destroy). The default is the
    /// framework's plan from the schema's declared rules
    /// ([`plan::default_plan`]), then [`Resource::modify_plan`], then the
    /// declared rules that follow other attributes ([`plan::settle`]).
    fn plan(&self, req: PlanRequest<'_>, diags: &mut Diagnostics) -> Planned {
        let mut planned = plan::default_plan(&req.schema.block, &req);
        self.modify_plan(&req, &mut planned, diags);
        plan::settle(&req.schema.block, &req, &mut planned);
        planned
    }

    /// What only the resource knows, on top of the default plan: warnings,
    /// a secret to send again, values that a rule cannot say.
    fn modify_plan(&self, _req: &PlanRequest<'_>, _planned: &mut Planned, _diags: &mut Diagnostics) {}

    /// What a plan must ask the remote system, once the plan is made and
    /// valid: a create whose name is already taken, say. Its diagnostics go
    /// with the plan; calls here cost every plan, so a resource keeps them
    /// to what it cannot know otherwise.
    async fn plan_remote(&self, _client: &C, _req: &PlanRequest<'_>, _planned: &Planned, _diags: &mut Diagnostics) {}

    /// Creates the remote object the plan describes. `resp` comes in with
    /// the private state the plan left; a create that made something and
    /// then failed still sets its state, so that it is not lost track of.
    async fn create(&self, client: &C, req: CreateRequest<'_>, resp: &mut StateResponse);
    /// Reads the remote object; sets a null state when it is gone.
    async fn read(&self, client: &C, req: ReadRequest<'_>, resp: &mut StateResponse);
    /// Updates the remote object in place; a null state when nothing was
    /// written (the prior state is kept).
    async fn update(&self, client: &C, req: UpdateRequest<'_>, resp: &mut StateResponse);
    async fn delete(&self, client: &C, req: DeleteRequest<'_>, diags: &mut Diagnostics);

    /// Opt-in capabilities, as plugin-framework's `ResourceWith...`
    /// interfaces: a resource that has one answers it here, often with a
    /// value it shares with other resources.
    ///
    /// Import (`terraform import`, `import` blocks). Without it, an import
    /// is refused with what to do instead.
    fn importer(&self) -> Option<&dyn Import<C>> {
        None
    }

    /// An identity beside the state (Terraform 1.12+).
    fn identity(&self) -> Option<&dyn Identity> {
        None
    }

    /// State upgrades from older schema versions. Without it, stored state
    /// is read with the current schema, which is right while the schema
    /// has only gained attributes.
    fn upgrader(&self) -> Option<&dyn UpgradeState> {
        None
    }
}

/// What a create is given: the planned state and the configuration (which
/// holds the write-only values the plan does not).
pub struct CreateRequest<'a> {
    pub planned: &'a Value,
    pub config: &'a Value,
}

/// What a read is given: the state to refresh.
pub struct ReadRequest<'a> {
    pub state: &'a Value,
}

/// What an update is given.
pub struct UpdateRequest<'a> {
    pub prior: &'a Value,
    pub planned: &'a Value,
    pub config: &'a Value,
}

/// What a delete is given: the state of what to delete.
pub struct DeleteRequest<'a> {
    pub prior: &'a Value,
}

/// What a create, read or update answers: the state to keep, the private
/// state (in: what the plan or the last write left; out: what to keep),
/// and what to tell.
#[derive(Default)]
pub struct StateResponse {
    pub state: Value,
    pub private: PrivateState,
    pub diagnostics: Diagnostics,
}

impl StateResponse {
    /// A response that starts from `private`, with no state yet.
    pub fn with_private(private: PrivateState) -> Self {
        StateResponse { state: Value::Null, private, diagnostics: Diagnostics::new() }
    }
}

/// A resource's import: builds the state of an existing object from the id
/// or identity the user gave.
#[async_trait]
pub trait Import<C>: Send + Sync {
    async fn import(&self, client: &C, target: ImportTarget<'_>, diags: &mut Diagnostics) -> Value;
}

/// A resource's identity.
pub trait Identity: Send + Sync {
    fn identity_schema(&self) -> IdentitySchema;
    /// The identity of the object a state describes; null when there is
    /// none, and unknown parts while it is not yet created.
    fn identity(&self, state: &Value) -> Value;
}

/// A resource's state upgrade.
pub trait UpgradeState: Send + Sync {
    /// Turns stored JSON state written by schema `version` into a value of
    /// the current schema, whose value type is `ty`.
    fn upgrade_state(&self, version: i64, json: &[u8], ty: &Type, diags: &mut Diagnostics) -> Value;
}

/// A data source type.
#[async_trait]
pub trait DataSource<C>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    async fn read(&self, client: &C, config: &Value, diags: &mut Diagnostics) -> Value;
}

/// An ephemeral resource type (Terraform 1.10+): opened for each plan and
/// apply that needs it, its result never stored in a plan or a state.
#[async_trait]
pub trait EphemeralResource<C>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// The result, a value of the schema with the configuration in it.
    async fn open(&self, client: &C, config: &Value, diags: &mut Diagnostics) -> Value;
}

/// The provider: its own configuration, and the types it serves.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// What `configure` makes and every resource call receives.
    type Client: Send + Sync + 'static;

    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    /// `cancel` fires when Terraform asks the provider to stop (Ctrl-C).
    async fn configure(
        &self,
        config: &Value,
        cancel: tokio_util::sync::CancellationToken,
        diags: &mut Diagnostics,
    ) -> Option<Self::Client>;
    /// Called before planning the create of any resource, with the
    /// configured client: where a provider proves, once, that what it was
    /// configured with works, so that a plan of new resources fails at plan
    /// and not first at apply. Its errors stop the plan.
    async fn check_before_create(&self, _client: &Self::Client, _diags: &mut Diagnostics) {}
    fn resources(&self) -> Vec<Arc<dyn Resource<Self::Client>>>;
    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Self::Client>>>;
    fn list_resources(&self) -> Vec<Arc<dyn ListResource<Self::Client>>> {
        Vec::new()
    }
    fn actions(&self) -> Vec<Arc<dyn Action<Self::Client>>> {
        Vec::new()
    }
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource<Self::Client>>> {
        Vec::new()
    }
}

/// A configuration made from a state, for generated configuration: the
/// attributes only Terraform's provider sets (computed, not optional) and
/// write-only ones are left out (null).
pub fn config_from_state(block: &Block, state: &Value) -> Value {
    let Value::Object(m) = state else { return state.clone() };
    let mut out = m.clone();
    for a in &block.attributes {
        if (a.computed && !a.optional) || a.write_only {
            out.insert(a.name.clone(), Value::Null);
        }
    }
    for b in &block.blocks {
        if let Some(child) = out.get_mut(&b.name) {
            match child {
                Value::List(items) => items.iter_mut().for_each(|i| *i = config_from_state(&b.block, i)),
                Value::Map(items) => items.values_mut().for_each(|i| *i = config_from_state(&b.block, i)),
                single => *single = config_from_state(&b.block, single),
            }
        }
    }
    Value::Object(out)
}

/// Sets every write-only attribute in `v` to null, as Terraform requires of
/// every state and plan a provider returns.
pub fn null_write_only(block: &Block, v: &mut Value) {
    let Value::Object(m) = v else { return };
    for a in &block.attributes {
        if a.write_only {
            m.insert(a.name.clone(), Value::Null);
        }
    }
    for b in &block.blocks {
        if let Some(child) = m.get_mut(&b.name) {
            match child {
                Value::List(items) => items.iter_mut().for_each(|i| null_write_only(&b.block, i)),
                Value::Map(items) => items.values_mut().for_each(|i| null_write_only(&b.block, i)),
                single => null_write_only(&b.block, single),
            }
        }
    }
}

/// Paths of the write-only attributes that `v` sets (not null), for refusing
/// them when Terraform is too old to keep them out of state.
pub fn write_only_set(block: &Block, v: &Value, at: &AttrPath) -> Vec<AttrPath> {
    set_where(block, v, at, &|a| a.write_only).into_iter().map(|(p, _)| p).collect()
}

/// The attributes matching `which` that `v` sets (not null), with their
/// paths, in nested blocks too.
pub fn set_where<'b>(
    block: &'b Block,
    v: &Value,
    at: &AttrPath,
    which: &dyn Fn(&Attribute) -> bool,
) -> Vec<(AttrPath, &'b Attribute)> {
    let mut out = Vec::new();
    let Value::Object(m) = v else { return out };
    for a in &block.attributes {
        if which(a) && m.get(&a.name).is_some_and(|x| !x.is_null()) {
            out.push((at.clone().attr(&a.name), a));
        }
    }
    for b in &block.blocks {
        match m.get(&b.name) {
            Some(Value::List(items)) => {
                for (i, item) in items.iter().enumerate() {
                    out.extend(set_where(&b.block, item, &at.clone().attr(&b.name).index(i), which));
                }
            }
            Some(Value::Map(items)) => {
                for (k, item) in items {
                    out.extend(set_where(&b.block, item, &at.clone().attr(&b.name).key(k), which));
                }
            }
            Some(single) => out.extend(set_where(&b.block, single, &at.clone().attr(&b.name), which)),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_nulls_write_only_values_in_nested_blocks() {
        let block = Block::new("").attr(Attribute::string("name")).block(
            "basic",
            Nesting::Single,
            Block::new("").attr(Attribute::string("token_wo").write_only()),
        );
        let ty = block.value_type();
        let mut v = Value::null_object(&ty);
        let Type::Object(attrs) = &ty else { unreachable!() };
        let mut basic = Value::null_object(&attrs["basic"]);
        basic.set("token_wo", Value::string("secret"));
        v.set("basic", basic);
        let paths = write_only_set(&block, &v, &AttrPath::default());
        assert_eq!(paths.iter().map(ToString::to_string).collect::<Vec<_>>(), ["basic.token_wo"]);
        null_write_only(&block, &mut v);
        assert!(v.get("basic").get("token_wo").is_null());
        assert!(write_only_set(&block, &v, &AttrPath::default()).is_empty());
    }
}

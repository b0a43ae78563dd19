//! The managed-resource RPCs: each takes the resource's registry entry
//! (which the transport also decodes the request with) and a request, and
//! answers a response; the rules they follow are in `rules`.

use super::registry::ResourceEntry;
use super::{rules, Server};
use crate::framework::{
    config_from_state, AttrPath, Diagnostics, ImportTarget, PlanRequest, PrivateState, Provider, StateResponse, Value,
};

/// `ReadResource`: refresh a state.
pub struct ReadResource {
    pub state: Value,
    /// The private state the last plan, apply or read left.
    pub private: PrivateState,
}

pub struct ReadResourceResult {
    pub state: Value,
    /// The identity of what was read, for a resource that has one.
    pub identity: Option<Value>,
    pub private: PrivateState,
    pub diagnostics: Diagnostics,
}

/// `PlanResourceChange`: a create, update or destroy (a null proposal).
pub struct PlanResourceChange {
    pub prior: Value,
    pub proposed: Value,
    pub config: Value,
    pub prior_private: PrivateState,
}

pub struct PlannedChange {
    /// The planned state (null for a destroy); `None` when there is no plan
    /// to give, only the errors that stopped it.
    pub state: Option<Value>,
    pub identity: Option<Value>,
    pub requires_replace: Vec<AttrPath>,
    pub private: PrivateState,
    pub diagnostics: Diagnostics,
}

/// `ApplyResourceChange`: a create, update or delete (a null plan).
pub struct ApplyResourceChange {
    pub prior: Value,
    pub planned: Value,
    pub config: Value,
    pub private: PrivateState,
}

pub struct AppliedChange {
    pub state: Value,
    pub identity: Option<Value>,
    pub private: PrivateState,
    pub diagnostics: Diagnostics,
}

/// `ImportResourceState`'s answer: the state found, null when none.
pub struct ImportedState {
    pub state: Value,
    pub identity: Option<Value>,
    pub diagnostics: Diagnostics,
}

impl<P: Provider> Server<P> {
    /// `write_only_allowed` is what the calling Terraform says of itself
    /// (1.11+ keeps write-only values out of state).
    pub fn validate_resource_config(
        &self,
        e: &ResourceEntry<P::Client>,
        config: &Value,
        write_only_allowed: bool,
    ) -> Diagnostics {
        let mut diags = rules::validate(e.imp.as_ref(), &e.schema, config, write_only_allowed);
        self.once.keep_new(e.imp.type_name(), &mut diags);
        diags
    }

    /// Reads a stored state (JSON, written by schema `version`) into the
    /// current schema; `None` with the errors when it cannot be read.
    pub fn upgrade_resource_state(
        &self,
        e: &ResourceEntry<P::Client>,
        version: i64,
        json: &[u8],
        flatmap: bool,
    ) -> (Option<Value>, Diagnostics) {
        let mut diags = Diagnostics::new();
        let v = rules::upgrade(e.imp.as_ref(), &e.schema, &e.ty, version, json, flatmap, &mut diags);
        ((!diags.has_errors()).then_some(v), diags)
    }

    /// Every identity so far is at its first version: stored identities
    /// are read with the current schema.
    pub fn upgrade_resource_identity(&self, e: &ResourceEntry<P::Client>, json: &[u8]) -> Result<Value, Diagnostics> {
        rules::upgrade_identity(json, e.identity_type()?)
    }

    pub async fn read_resource(&self, e: &ResourceEntry<P::Client>, req: ReadResource) -> ReadResourceResult {
        let ReadResource { state, private } = req;
        let mut read = if state.is_null() {
            StateResponse::with_private(private) // nothing to read: no client needed
        } else {
            match self.client().await {
                Ok(client) => rules::read(e.imp.as_ref(), &e.schema, client.as_ref(), state, private).await,
                Err(d) => return ReadResourceResult { state, identity: None, private, diagnostics: d },
            }
        };
        self.once.keep_new(e.imp.type_name(), &mut read.diagnostics);
        ReadResourceResult {
            identity: identity(e, &read.state),
            state: read.state,
            private: read.private,
            diagnostics: read.diagnostics,
        }
    }

    /// Plans through the resource, then asks the remote system what only it
    /// can say (a create's checks, once per command; see `rules::plan_remote`).
    /// A destroy asks nothing and needs no client.
    pub async fn plan_resource_change(&self, e: &ResourceEntry<P::Client>, req: PlanResourceChange) -> PlannedChange {
        let mut diags = Diagnostics::new();
        let plan = PlanRequest {
            prior: &req.prior,
            proposed: &req.proposed,
            config: &req.config,
            prior_private: &req.prior_private,
            schema: &e.schema,
        };
        let planned = rules::plan(e.imp.as_ref(), plan, &mut diags);
        let no_plan = |diags| PlannedChange {
            state: None,
            identity: None,
            requires_replace: Vec::new(),
            private: PrivateState::default(),
            diagnostics: diags,
        };
        if !req.proposed.is_null() && planned.state.is_null() && diags.has_errors() {
            return no_plan(diags);
        }
        let asks = !req.proposed.is_null() && !diags.has_errors();
        if let (true, Ok(client)) = (asks, self.client().await) {
            // An earlier walk of this command (the plan walk, for the apply
            // walk) asked a create's questions already.
            let asked = req.prior.is_null() && self.once.asked_elsewhere(e.imp.type_name());
            let (imp, both) = (e.imp.as_ref(), (&plan, &planned));
            if !rules::plan_remote(&self.provider, imp, client.as_ref(), both, asked, &mut diags).await {
                self.once.keep_new(e.imp.type_name(), &mut diags);
                return no_plan(diags);
            }
        }
        self.once.keep_new(e.imp.type_name(), &mut diags);
        PlannedChange {
            identity: identity(e, &planned.state),
            state: Some(planned.state),
            requires_replace: planned.requires_replace,
            private: planned.private,
            diagnostics: diags,
        }
    }

    pub async fn apply_resource_change(&self, e: &ResourceEntry<P::Client>, req: ApplyResourceChange) -> AppliedChange {
        let ApplyResourceChange { prior, planned, config, private } = req;
        let client = match self.client().await {
            Ok(c) => c,
            Err(d) => return AppliedChange { state: prior, identity: None, private, diagnostics: d },
        };
        let change = rules::Change { prior, planned: &planned, config: &config };
        let applied = rules::apply(e.imp.as_ref(), &e.schema, client.as_ref(), change, private).await;
        AppliedChange {
            identity: identity(e, &applied.state),
            state: applied.state,
            private: applied.private,
            diagnostics: applied.diagnostics,
        }
    }

    pub async fn import_resource_state(&self, e: &ResourceEntry<P::Client>, target: ImportTarget<'_>) -> ImportedState {
        let client = match self.client().await {
            Ok(c) => c,
            Err(d) => return ImportedState { state: Value::Null, identity: None, diagnostics: d },
        };
        let mut diags = Diagnostics::new();
        let state = rules::import(e.imp.as_ref(), &e.schema, client.as_ref(), target, &mut diags).await;
        ImportedState { identity: identity(e, &state), state, diagnostics: diags }
    }

    /// A configuration for a state (`terraform plan -generate-config-out`).
    pub fn generate_resource_config(&self, e: &ResourceEntry<P::Client>, state: &Value) -> Value {
        config_from_state(&e.schema.block, state)
    }
}

/// The identity of a state, for a resource that has one; none for a null
/// state.
fn identity<C>(e: &ResourceEntry<C>, state: &Value) -> Option<Value> {
    if state.is_null() {
        return None;
    }
    e.identity_of(state)
}

//! The rules each resource operation follows, around the resource's own
//! answers (the server's methods in `resource` call these):
//!
//! - validate refuses a write-only value when this Terraform would store it;
//! - a failed read keeps the state it had, so an outage never looks like a
//!   deletion;
//! - every plan and state handed back has its write-only values nulled;
//! - an apply re-runs validation (values unknown at validate are known),
//!   keeps tracking what a failed delete or update left, and keeps any
//!   state a failed create returns, so that nothing made is lost track of.

use crate::framework::validate::checked;
use crate::framework::{
    null_write_only, set_where, write_only_set, AttrPath, CreateRequest, DeleteRequest, Diagnostics, ImportTarget,
    PlanRequest, Planned, PrivateState, Provider, ReadRequest, Resource, Schema, StateResponse, Type, UpdateRequest,
    Value,
};

/// Validates a resource's configuration. `write_only_allowed` is what the
/// calling Terraform says of itself (1.11+ keeps write-only values out of
/// state).
pub fn validate<C>(r: &dyn Resource<C>, schema: &Schema, config: &Value, write_only_allowed: bool) -> Diagnostics {
    let mut diags = checked(&schema.block, config, |d| r.validate(config, d));
    for (path, a) in set_where(&schema.block, config, &AttrPath::default(), &|a| a.deprecated) {
        let instead = a.deprecation.as_deref().unwrap_or("See the provider's documentation for what replaces it.");
        diags.warning_at(Some(path.clone()), "Attribute Deprecated", format!("{path} is deprecated. {instead}"));
    }
    if !write_only_allowed {
        for path in write_only_set(&schema.block, config, &AttrPath::default()) {
            diags.error_at(
                path.clone(),
                "Write-only attribute needs Terraform 1.11 or newer",
                format!("{path} is write-only, and this Terraform would store it in state. Upgrade Terraform to 1.11+, or use the attribute without the _wo suffix."),
            );
        }
    }
    diags
}

/// Refreshes a state; a failed read keeps the state it had.
pub async fn read<C>(
    r: &dyn Resource<C>,
    schema: &Schema,
    client: &C,
    state: Value,
    private: PrivateState,
) -> StateResponse {
    let mut resp = StateResponse::with_private(private);
    if state.is_null() {
        return resp;
    }
    r.read(client, ReadRequest { state: &state }, &mut resp).await;
    if resp.diagnostics.has_errors() && resp.state.is_null() {
        resp.state = state;
    }
    null_write_only(&schema.block, &mut resp.state);
    resp
}

/// Plans a create or update through the resource (a destroy, a null
/// proposal, plans nothing and keeps the private state).
pub fn plan<C>(r: &dyn Resource<C>, req: PlanRequest<'_>, diags: &mut Diagnostics) -> Planned {
    if req.proposed.is_null() {
        return Planned { state: Value::Null, requires_replace: Vec::new(), private: req.prior_private.clone() };
    }
    let mut planned = r.plan(req, diags);
    null_write_only(&req.schema.block, &mut planned.state);
    planned
}

/// What a plan asks the remote system once it is made and valid. An
/// update asks the resource's [`Resource::plan_remote`]; a create asks it
/// beside the provider's [`Provider::check_before_create`], at once, unless
/// `creates_asked` (an earlier walk of this command asked them already). A
/// destroy asks nothing. `false` when the check failed: the plan stops
/// there, with its errors.
pub async fn plan_remote<P: Provider>(
    provider: &P,
    r: &dyn Resource<P::Client>,
    client: &P::Client,
    (req, planned): (&PlanRequest<'_>, &Planned),
    creates_asked: bool,
    diags: &mut Diagnostics,
) -> bool {
    if planned.state.is_null() {
        return true;
    }
    if !req.prior.is_null() {
        r.plan_remote(client, req, planned, diags).await;
        return true;
    }
    if creates_asked {
        return true;
    }
    let (mut check, mut remote) = (Diagnostics::new(), Diagnostics::new());
    tokio::join!(provider.check_before_create(client, &mut check), r.plan_remote(client, req, planned, &mut remote));
    let ok = !check.has_errors();
    diags.extend(check);
    if ok {
        diags.extend(remote);
    }
    ok
}

/// Reads a stored state written by schema `version` (JSON) into the current
/// schema (whose value type is `ty`). No JSON is no state; the pre-0.12 flatmap form, which this
/// provider never wrote, is refused with what to do.
pub fn upgrade<C>(
    r: &dyn Resource<C>,
    schema: &Schema,
    ty: &Type,
    version: i64,
    json: &[u8],
    flatmap: bool,
    diags: &mut Diagnostics,
) -> Value {
    if json.is_empty() {
        if flatmap {
            diags.error(
                "Legacy state format",
                "This state was written in the pre-0.12 flatmap format, which this provider never wrote. Remove the resource from state and import it again.",
            );
        }
        return Value::Null;
    }
    let mut v = match r.upgrader() {
        Some(u) => u.upgrade_state(version, json, ty, diags),
        None => Value::from_json_bytes(json, ty).unwrap_or_else(|e| {
            diags.error(
                "Stored state could not be read",
                format!("The state of this resource is not valid for its schema: {e}."),
            );
            Value::Null
        }),
    };
    null_write_only(&schema.block, &mut v);
    v
}

/// Reads a stored identity; every identity so far is at its first
/// version, so it is read with the current schema's type `ty`.
pub fn upgrade_identity(json: &[u8], ty: &Type) -> Result<Value, Diagnostics> {
    Value::from_json_bytes(json, ty).map_err(|err| {
        Diagnostics::single(
            "Stored identity could not be read",
            format!("The stored identity of this resource is not valid for its schema: {err}."),
        )
    })
}

/// Imports the object an id or identity names; null when there is none.
pub async fn import<C>(
    r: &dyn Resource<C>,
    schema: &Schema,
    client: &C,
    target: ImportTarget<'_>,
    diags: &mut Diagnostics,
) -> Value {
    let Some(importer) = r.importer() else {
        diags.error(
            format!("{} cannot be imported", r.type_name()),
            format!("{} keeps nothing in the remote system that an import could find: declare it in configuration and run terraform apply.", r.type_name()),
        );
        return Value::Null;
    };
    let mut state = importer.import(client, target, diags).await;
    null_write_only(&schema.block, &mut state);
    state
}

/// The resource's validation again at apply, where values unknown at
/// validate are known: only its errors count (the warnings were shown).
/// `false` stops the apply before anything is done.
pub fn still_valid<C>(r: &dyn Resource<C>, schema: &Schema, config: &Value, diags: &mut Diagnostics) -> bool {
    let again = checked(&schema.block, config, |d| r.validate(config, d));
    let ok = !again.has_errors();
    diags.extend_errors(again);
    ok
}

/// What an apply hands to the resource.
pub struct Change<'a> {
    pub prior: Value,
    pub planned: &'a Value,
    pub config: &'a Value,
}

/// Applies a planned create, update or delete; answers the state to keep.
pub async fn apply<C>(
    r: &dyn Resource<C>,
    schema: &Schema,
    client: &C,
    change: Change<'_>,
    private: PrivateState,
) -> StateResponse {
    let Change { prior, planned, config } = change;
    let mut resp = StateResponse::with_private(private);
    if planned.is_null() {
        r.delete(client, DeleteRequest { prior: &prior }, &mut resp.diagnostics).await;
        if resp.diagnostics.has_errors() {
            resp.state = prior; // still there: keep tracking it
        }
    } else if !still_valid(r, schema, config, &mut resp.diagnostics) {
        resp.state = prior; // nothing was done
    } else if prior.is_null() {
        r.create(client, CreateRequest { planned, config }, &mut resp).await;
        if !resp.state.is_null() {
            resp.state = planned.known_over(&resp.state);
        }
    } else {
        r.update(client, UpdateRequest { prior: &prior, planned, config }, &mut resp).await;
        resp.state = if resp.state.is_null() {
            prior
        } else {
            // What the plan knew comes back as planned (Terraform refuses
            // anything else); what changed remotely since is the next
            // refresh's drift.
            planned.known_over(&resp.state)
        };
    }
    null_write_only(&schema.block, &mut resp.state);
    resp
}

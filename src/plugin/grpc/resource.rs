//! The managed-resource RPCs: validation, plans, applies, reads, imports,
//! state and identity upgrades, and configuration generated from a state.

use super::{diags_to_proto, pb, ProviderService};
use tracing::debug;

use crate::framework::{self, server, Diagnostics, ImportTarget, PlanRequest, Provider};
use crate::plugin::convert::{decode, encode, path_to_proto};

impl<P: Provider> ProviderService<P> {
    pub(super) async fn validate_resource_config(
        &self,
        r: &pb::validate_resource_config::Request,
    ) -> pb::validate_resource_config::Response {
        use pb::validate_resource_config::Response as R;
        let e = answer_err!(self.types.resource(&r.type_name), R);
        let config = answer_err!(decode(r.config.as_ref(), &e.ty), R);
        let write_only_ok = r.client_capabilities.as_ref().is_some_and(|c| c.write_only_attributes_allowed);
        let diags = server::validate(e.imp.as_ref(), &e.schema, &config, write_only_ok);
        R { diagnostics: diags_to_proto(diags) }
    }

    pub(super) async fn upgrade_resource_state(
        &self,
        r: &pb::upgrade_resource_state::Request,
    ) -> pb::upgrade_resource_state::Response {
        use pb::upgrade_resource_state::Response as R;
        let e = answer_err!(self.types.resource(&r.type_name), R);
        let json = r.raw_state.as_ref().map(|s| s.json.as_slice()).unwrap_or_default();
        let flatmap = r.raw_state.as_ref().is_some_and(|s| !s.flatmap.is_empty());
        let mut diags = Diagnostics::new();
        let v = server::upgrade(e.imp.as_ref(), &e.schema, &e.ty, r.version, json, flatmap, &mut diags);
        let upgraded_state = if diags.has_errors() { None } else { encode(&v, &e.ty) };
        R { upgraded_state, diagnostics: diags_to_proto(diags) }
    }

    /// Every identity so far is at its first version: stored identities are
    /// read with the current schema.
    pub(super) async fn upgrade_resource_identity(
        &self,
        r: &pb::upgrade_resource_identity::Request,
    ) -> pb::upgrade_resource_identity::Response {
        use pb::upgrade_resource_identity::Response as R;
        let e = answer_err!(self.types.resource(&r.type_name), R);
        let ty = answer_err!(e.identity_type(), R);
        let json = r.raw_identity.as_ref().map(|s| s.json.as_slice()).unwrap_or_default();
        let v = answer_err!(server::upgrade_identity(json, ty), R);
        R { upgraded_identity: Some(pb::ResourceIdentityData { identity_data: encode(&v, ty) }), diagnostics: vec![] }
    }

    pub(super) async fn read_resource(&self, r: &pb::read_resource::Request) -> pb::read_resource::Response {
        use pb::read_resource::Response as R;
        let e = answer_err!(self.types.resource(&r.type_name), R);
        let state = answer_err!(decode(r.current_state.as_ref(), &e.ty), R);
        if state.is_null() {
            return R { new_state: encode(&state, &e.ty), ..Default::default() };
        }
        let client = answer_err!(self.client().await, R);
        let mut diags = Diagnostics::new();
        let mut private = r.private.clone();
        let new_state = server::read(e.imp.as_ref(), &e.schema, client.as_ref(), state, &mut private, &mut diags).await;
        R {
            new_identity: e.identity_of(&new_state),
            new_state: encode(&new_state, &e.ty),
            diagnostics: diags_to_proto(diags),
            private,
            ..Default::default()
        }
    }

    pub(super) async fn plan_resource_change(
        &self,
        r: &pb::plan_resource_change::Request,
    ) -> pb::plan_resource_change::Response {
        use pb::plan_resource_change::Response as R;
        let e = answer_err!(self.types.resource(&r.type_name), R);
        let proposed = answer_err!(decode(r.proposed_new_state.as_ref(), &e.ty), R);
        let prior = answer_err!(decode(r.prior_state.as_ref(), &e.ty), R);
        let config = answer_err!(decode(r.config.as_ref(), &e.ty), R);
        let mut diags = Diagnostics::new();
        let req = PlanRequest {
            prior: &prior,
            proposed: &proposed,
            config: &config,
            prior_private: &r.prior_private,
            schema: &e.schema,
        };
        let planned = server::plan(e.imp.as_ref(), req, &mut diags);
        let asks = !proposed.is_null() && !diags.has_errors();
        if let (true, Ok(client)) = (asks, self.client().await) {
            // An earlier walk of this command (the plan walk, for the apply
            // walk) asked a create's questions already.
            let asked = prior.is_null() && self.once.asked_elsewhere(&r.type_name);
            let (imp, plan) = (e.imp.as_ref(), (&req, &planned));
            if !server::plan_remote(&self.provider, imp, client.as_ref(), plan, asked, &mut diags).await {
                return R { diagnostics: diags_to_proto(diags), ..Default::default() };
            }
        }
        R {
            planned_identity: e.identity_of(&planned.state),
            planned_state: encode(&planned.state, &e.ty),
            requires_replace: planned.requires_replace.iter().map(path_to_proto).collect(),
            planned_private: planned.private,
            diagnostics: diags_to_proto(diags),
            ..Default::default()
        }
    }

    pub(super) async fn apply_resource_change(
        &self,
        r: &pb::apply_resource_change::Request,
    ) -> pb::apply_resource_change::Response {
        use pb::apply_resource_change::Response as R;
        let e = answer_err!(self.types.resource(&r.type_name), R);
        let prior = answer_err!(decode(r.prior_state.as_ref(), &e.ty), R);
        let planned = answer_err!(decode(r.planned_state.as_ref(), &e.ty), R);
        let config = answer_err!(decode(r.config.as_ref(), &e.ty), R);
        let client = answer_err!(self.client().await, R);
        let mut diags = Diagnostics::new();
        let mut private = r.planned_private.clone();
        let change = server::Change { prior, planned: &planned, config: &config };
        let new_state =
            server::apply(e.imp.as_ref(), &e.schema, client.as_ref(), change, &mut private, &mut diags).await;
        R {
            new_identity: e.identity_of(&new_state),
            new_state: encode(&new_state, &e.ty),
            private,
            diagnostics: diags_to_proto(diags),
            ..Default::default()
        }
    }

    pub(super) async fn import_resource_state(
        &self,
        r: &pb::import_resource_state::Request,
    ) -> pb::import_resource_state::Response {
        use pb::import_resource_state::Response as R;
        let e = answer_err!(self.types.resource(&r.type_name), R);
        let identity = match r.identity.as_ref().and_then(|i| i.identity_data.as_ref()) {
            Some(dv) if r.id.is_empty() => Some(answer_err!(decode(Some(dv), answer_err!(e.identity_type(), R)), R)),
            _ => None,
        };
        let target = match &identity {
            Some(i) => ImportTarget::Identity(i),
            None => ImportTarget::Id(&r.id),
        };
        let client = answer_err!(self.client().await, R);
        let mut diags = Diagnostics::new();
        let state = server::import(e.imp.as_ref(), &e.schema, client.as_ref(), target, &mut diags).await;
        let imported = if state.is_null() {
            vec![]
        } else {
            vec![pb::import_resource_state::ImportedResource {
                type_name: r.type_name.clone(),
                identity: e.identity_of(&state),
                state: encode(&state, &e.ty),
                ..Default::default()
            }]
        };
        R { imported_resources: imported, diagnostics: diags_to_proto(diags), deferred: None }
    }

    pub(super) async fn generate_resource_config(
        &self,
        r: &pb::generate_resource_config::Request,
    ) -> pb::generate_resource_config::Response {
        use pb::generate_resource_config::Response as R;
        let e = answer_err!(self.types.resource(&r.type_name), R);
        let state = answer_err!(decode(r.state.as_ref(), &e.ty), R);
        let config = framework::config_from_state(&e.schema.block, &state);
        debug!(type_name = %r.type_name, "generating configuration from state");
        R { config: encode(&config, &e.ty), diagnostics: vec![] }
    }
}

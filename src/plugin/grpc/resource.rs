//! The managed-resource RPCs, decoded for the framework's server and its
//! answers encoded: validation, plans, applies, reads, imports, state and
//! identity upgrades, and configuration generated from a state.

use super::{diags_to_proto, pb, ProviderService};
use tracing::debug;

use crate::framework::server::{ApplyResourceChange, PlanResourceChange, ReadResource, ResourceEntry};
use crate::framework::{ImportTarget, PrivateState, Provider, Value};
use crate::plugin::convert::{decode, encode, identity_data, path_to_proto};

/// An identity for a response: none while not wholly known.
fn identity<C>(e: &ResourceEntry<C>, identity: Option<Value>) -> Option<pb::ResourceIdentityData> {
    identity_data(&identity?, &e.identity.as_ref()?.1)
}

impl<P: Provider> ProviderService<P> {
    pub(super) async fn validate_resource_config(
        &self,
        r: &pb::validate_resource_config::Request,
    ) -> pb::validate_resource_config::Response {
        use pb::validate_resource_config::Response as R;
        let e = answer_err!(self.server.types().resource(&r.type_name), R);
        let config = answer_err!(decode(r.config.as_ref(), &e.ty), R);
        let write_only_ok = r.client_capabilities.as_ref().is_some_and(|c| c.write_only_attributes_allowed);
        R { diagnostics: diags_to_proto(self.server.validate_resource_config(e, &config, write_only_ok)) }
    }

    pub(super) async fn upgrade_resource_state(
        &self,
        r: &pb::upgrade_resource_state::Request,
    ) -> pb::upgrade_resource_state::Response {
        use pb::upgrade_resource_state::Response as R;
        let e = answer_err!(self.server.types().resource(&r.type_name), R);
        let json = r.raw_state.as_ref().map(|s| s.json.as_slice()).unwrap_or_default();
        let flatmap = r.raw_state.as_ref().is_some_and(|s| !s.flatmap.is_empty());
        let (v, diags) = self.server.upgrade_resource_state(e, r.version, json, flatmap);
        R { upgraded_state: v.and_then(|v| encode(&v, &e.ty)), diagnostics: diags_to_proto(diags) }
    }

    pub(super) async fn upgrade_resource_identity(
        &self,
        r: &pb::upgrade_resource_identity::Request,
    ) -> pb::upgrade_resource_identity::Response {
        use pb::upgrade_resource_identity::Response as R;
        let e = answer_err!(self.server.types().resource(&r.type_name), R);
        let ty = answer_err!(e.identity_type(), R);
        let json = r.raw_identity.as_ref().map(|s| s.json.as_slice()).unwrap_or_default();
        let v = answer_err!(self.server.upgrade_resource_identity(e, json), R);
        R { upgraded_identity: Some(pb::ResourceIdentityData { identity_data: encode(&v, ty) }), diagnostics: vec![] }
    }

    pub(super) async fn read_resource(&self, r: &pb::read_resource::Request) -> pb::read_resource::Response {
        use pb::read_resource::Response as R;
        let e = answer_err!(self.server.types().resource(&r.type_name), R);
        let state = answer_err!(decode(r.current_state.as_ref(), &e.ty), R);
        let read =
            self.server.read_resource(e, ReadResource { state, private: PrivateState::from_bytes(&r.private) }).await;
        R {
            new_identity: identity(e, read.identity),
            new_state: encode(&read.state, &e.ty),
            diagnostics: diags_to_proto(read.diagnostics),
            private: read.private.to_bytes(),
            ..Default::default()
        }
    }

    pub(super) async fn plan_resource_change(
        &self,
        r: &pb::plan_resource_change::Request,
    ) -> pb::plan_resource_change::Response {
        use pb::plan_resource_change::Response as R;
        let e = answer_err!(self.server.types().resource(&r.type_name), R);
        let req = PlanResourceChange {
            proposed: answer_err!(decode(r.proposed_new_state.as_ref(), &e.ty), R),
            prior: answer_err!(decode(r.prior_state.as_ref(), &e.ty), R),
            config: answer_err!(decode(r.config.as_ref(), &e.ty), R),
            prior_private: PrivateState::from_bytes(&r.prior_private),
        };
        let planned = self.server.plan_resource_change(e, req).await;
        let Some(state) = &planned.state else {
            return R { diagnostics: diags_to_proto(planned.diagnostics), ..Default::default() };
        };
        R {
            planned_identity: identity(e, planned.identity),
            planned_state: encode(state, &e.ty),
            requires_replace: planned.requires_replace.iter().map(path_to_proto).collect(),
            planned_private: planned.private.to_bytes(),
            diagnostics: diags_to_proto(planned.diagnostics),
            ..Default::default()
        }
    }

    pub(super) async fn apply_resource_change(
        &self,
        r: &pb::apply_resource_change::Request,
    ) -> pb::apply_resource_change::Response {
        use pb::apply_resource_change::Response as R;
        let e = answer_err!(self.server.types().resource(&r.type_name), R);
        let req = ApplyResourceChange {
            prior: answer_err!(decode(r.prior_state.as_ref(), &e.ty), R),
            planned: answer_err!(decode(r.planned_state.as_ref(), &e.ty), R),
            config: answer_err!(decode(r.config.as_ref(), &e.ty), R),
            private: PrivateState::from_bytes(&r.planned_private),
        };
        let applied = self.server.apply_resource_change(e, req).await;
        R {
            new_identity: identity(e, applied.identity),
            new_state: encode(&applied.state, &e.ty),
            private: applied.private.to_bytes(),
            diagnostics: diags_to_proto(applied.diagnostics),
            ..Default::default()
        }
    }

    pub(super) async fn import_resource_state(
        &self,
        r: &pb::import_resource_state::Request,
    ) -> pb::import_resource_state::Response {
        use pb::import_resource_state::Response as R;
        let e = answer_err!(self.server.types().resource(&r.type_name), R);
        let by_identity = match r.identity.as_ref().and_then(|i| i.identity_data.as_ref()) {
            Some(dv) if r.id.is_empty() => Some(answer_err!(decode(Some(dv), answer_err!(e.identity_type(), R)), R)),
            _ => None,
        };
        let target = match &by_identity {
            Some(i) => ImportTarget::Identity(i),
            None => ImportTarget::Id(&r.id),
        };
        let found = self.server.import_resource_state(e, target).await;
        let imported = if found.state.is_null() {
            vec![]
        } else {
            vec![pb::import_resource_state::ImportedResource {
                type_name: r.type_name.clone(),
                identity: identity(e, found.identity),
                state: encode(&found.state, &e.ty),
                ..Default::default()
            }]
        };
        R { imported_resources: imported, diagnostics: diags_to_proto(found.diagnostics), deferred: None }
    }

    pub(super) async fn generate_resource_config(
        &self,
        r: &pb::generate_resource_config::Request,
    ) -> pb::generate_resource_config::Response {
        use pb::generate_resource_config::Response as R;
        let e = answer_err!(self.server.types().resource(&r.type_name), R);
        let state = answer_err!(decode(r.state.as_ref(), &e.ty), R);
        debug!(type_name = %r.type_name, "generating configuration from state");
        R { config: encode(&self.server.generate_resource_config(e, &state), &e.ty), diagnostics: vec![] }
    }
}

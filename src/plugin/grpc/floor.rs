//! The transport's floor, for the benchmark only (`--features
//! transport-floor`, built by `bench/run.sh`, never shipped): the RPCs that
//! do a resource's work (validate, read, plan, apply) answer at once with
//! what Terraform sent. No decode, no API call, no comparison, no journal;
//! nothing is made in Oomnitza. What such a build still costs the provider
//! is what tonic, h2, TLS and the runtime cost for Terraform's calls, which
//! no work in the handlers can go below. `UpgradeResourceState` stays real,
//! as Terraform needs its answer in the schema's encoding.
//!
//! In a normal build `ON` is a constant `false` and the compiler drops these
//! paths.

use super::pb;

/// Whether this build answers at the floor.
pub(super) const ON: bool = cfg!(feature = "transport-floor");

/// The state and private data as Terraform holds them: no drift.
pub(super) fn read(r: pb::read_resource::Request) -> pb::read_resource::Response {
    pb::read_resource::Response {
        new_state: r.current_state,
        private: r.private,
        new_identity: r.current_identity,
        ..Default::default()
    }
}

/// A create or a destroy as Terraform proposes it; anything else as no
/// change (the prior state), which is what a configuration that matches its
/// state plans, the one kind of update the floor is measured with.
pub(super) fn plan(r: pb::plan_resource_change::Request) -> pb::plan_resource_change::Response {
    let null = |v: &Option<pb::DynamicValue>| v.as_ref().is_none_or(|v| v.msgpack.is_empty() || v.msgpack == [0xc0]);
    let planned_state =
        if null(&r.prior_state) || null(&r.proposed_new_state) { r.proposed_new_state } else { r.prior_state };
    pb::plan_resource_change::Response {
        planned_state,
        planned_private: r.prior_private,
        planned_identity: r.prior_identity,
        ..Default::default()
    }
}

/// The planned state, as made: its computed attributes stay null.
pub(super) fn apply(r: pb::apply_resource_change::Request) -> pb::apply_resource_change::Response {
    pb::apply_resource_change::Response {
        new_state: r.planned_state,
        private: r.planned_private,
        new_identity: r.planned_identity,
        ..Default::default()
    }
}

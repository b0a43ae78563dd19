//! The server's rules, tested on a resource kept in memory.

use std::sync::Mutex;

use async_trait::async_trait;

use super::rules::*;
use crate::framework::{
    AttrPath, CreateRequest, DeleteRequest, Diagnostics, ImportTarget, PlanRequest, PrivateState, ReadRequest,
    Resource, Schema, StateResponse, Type, UpdateRequest, Value,
};
use crate::framework::{Attribute, Block};

/// A resource kept in memory: what the rules do around a resource's
/// own answers, not any remote system, is under test.
#[derive(Default)]
struct Store {
    fail: Mutex<bool>,
    deleted: Mutex<bool>,
}

fn schema() -> Schema {
    Schema::new(
        0,
        Block::new("")
            .attr(Attribute::string("id").computed().use_state_for_unknown())
            .attr(Attribute::string("name").required())
            .attr(Attribute::string("secret_wo").optional().write_only()),
    )
}

#[async_trait]
impl Resource<()> for Store {
    fn type_name(&self) -> &'static str {
        "test_store"
    }
    fn schema(&self) -> Schema {
        schema()
    }
    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if config.get("name").as_str() == Some("") {
            diags.error_at(AttrPath::root("name"), "Empty name", "Set a name.");
        }
    }
    async fn create(&self, _: &(), req: CreateRequest<'_>, resp: &mut StateResponse) {
        resp.state = req.planned.clone();
        resp.state.set("id", Value::string("x1"));
        if *self.fail.lock().unwrap() {
            resp.diagnostics.error("made, then failed", "the state must be kept");
        }
    }
    async fn read(&self, _: &(), req: ReadRequest<'_>, resp: &mut StateResponse) {
        if *self.fail.lock().unwrap() {
            return resp.diagnostics.error("outage", "could not read");
        }
        if *self.deleted.lock().unwrap() {
            return;
        }
        resp.state = req.state.clone();
        resp.state.set("secret_wo", Value::string("leaked"));
    }
    async fn update(&self, _: &(), _: UpdateRequest<'_>, resp: &mut StateResponse) {
        resp.diagnostics.error("update failed", "nothing changed");
    }
    async fn delete(&self, _: &(), _: DeleteRequest<'_>, d: &mut Diagnostics) {
        if *self.fail.lock().unwrap() {
            d.error("delete failed", "still there");
        }
    }
}

/// A private state with one member, to see it kept.
fn kept() -> PrivateState {
    PrivateState::from_bytes(br#"{"kept":true}"#)
}

fn state(name: &str) -> Value {
    let mut v = Value::null_object(&schema().value_type());
    v.set("id", Value::string("x1"));
    v.set("name", Value::string(name));
    v
}

#[test]
fn write_only_values_are_refused_for_an_old_terraform_only() {
    let (r, s) = (Store::default(), schema());
    let mut config = state("a");
    config.set("secret_wo", Value::string("s"));
    let old = validate(&r, &s, &config, false);
    assert!(old.has_errors() && format!("{old:?}").contains("secret_wo"), "{old:?}");
    assert!(!validate(&r, &s, &config, true).has_errors());
}

#[test]
fn a_deprecated_attribute_set_is_warned_of_with_what_to_use() {
    let block = Block::new("").attr(Attribute::string("name")).block(
        "inner",
        crate::framework::Nesting::Single,
        Block::new("").attr(Attribute::bool("old").optional().deprecated("Use name instead.")),
    );
    let s = Schema::new(0, block);
    let ty = s.value_type();
    let mut config = Value::null_object(&ty);
    let Type::Object(attrs) = &ty else { unreachable!() };
    let mut inner = Value::null_object(&attrs["inner"]);
    let quiet = validate(&Store::default(), &s, &config, true);
    assert!(quiet.is_empty(), "left out: nothing to say: {quiet:?}");
    inner.set("old", Value::Bool(true));
    config.set("inner", inner);
    let d = validate(&Store::default(), &s, &config, true);
    let said = format!("{d:?}");
    assert!(!d.has_errors() && said.contains("inner.old is deprecated. Use name instead."), "{said}");
}

#[tokio::test]
async fn a_failed_read_keeps_the_state_and_a_gone_one_is_null() {
    let (r, s) = (Store::default(), schema());
    let none = PrivateState::default;
    let fresh = read(&r, &s, &(), state("a"), none()).await;
    assert!(fresh.state.get("secret_wo").is_null(), "write-only nulled");
    *r.fail.lock().unwrap() = true;
    let kept = read(&r, &s, &(), state("a"), none()).await;
    assert_eq!(kept.state, state("a"), "an outage is not a deletion");
    *r.fail.lock().unwrap() = false;
    *r.deleted.lock().unwrap() = true;
    let gone = read(&r, &s, &(), state("a"), none()).await;
    assert!(gone.state.is_null() && !gone.diagnostics.has_errors());
}

#[tokio::test]
async fn apply_keeps_what_exists_whatever_fails() {
    let (r, s) = (Store::default(), schema());
    let planned = state("b");
    let none = PrivateState::default;
    // A failed update keeps the prior state.
    let change = Change { prior: state("a"), planned: &planned, config: &planned };
    assert_eq!(apply(&r, &s, &(), change, none()).await.state, state("a"));
    // A create that fails after making something keeps it.
    *r.fail.lock().unwrap() = true;
    let change = Change { prior: Value::Null, planned: &planned, config: &planned };
    let made = apply(&r, &s, &(), change, none()).await;
    assert!(made.diagnostics.has_errors() && made.state.get("id") == &Value::string("x1"));
    // A failed delete keeps tracking it; a good one forgets it.
    let change = Change { prior: state("a"), planned: &Value::Null, config: &Value::Null };
    assert_eq!(apply(&r, &s, &(), change, none()).await.state, state("a"));
    *r.fail.lock().unwrap() = false;
    let change = Change { prior: state("a"), planned: &Value::Null, config: &Value::Null };
    assert!(apply(&r, &s, &(), change, none()).await.state.is_null());
    // Validation runs again at apply: an invalid config does nothing.
    let bad = state("");
    let change = Change { prior: Value::Null, planned: &bad, config: &bad };
    let refused = apply(&r, &s, &(), change, none()).await;
    assert!(refused.state.is_null() && refused.diagnostics.has_errors());
}

#[tokio::test]
async fn a_resource_without_import_refuses_it_by_name() {
    let (r, s) = (Store::default(), schema());
    let mut d = Diagnostics::new();
    assert!(import(&r, &s, &(), ImportTarget::Id("x1"), &mut d).await.is_null());
    let said = format!("{d:?}");
    assert!(d.has_errors() && said.contains("cannot be imported") && said.contains(r.type_name()), "{said}");
}

#[test]
fn stored_state_is_upgraded_and_flatmap_refused() {
    let (r, s) = (Store::default(), schema());
    let mut d = Diagnostics::new();
    let v = upgrade(&r, &s, &s.value_type(), 0, br#"{"id":"x1","name":"a","secret_wo":"kept?"}"#, false, &mut d);
    assert_eq!(v.get("name"), &Value::string("a"));
    assert!(v.get("secret_wo").is_null() && !d.has_errors());
    assert!(upgrade(&r, &s, &s.value_type(), 0, b"", false, &mut d).is_null() && !d.has_errors());
    upgrade(&r, &s, &s.value_type(), 0, b"", true, &mut d);
    assert!(format!("{d:?}").contains("Legacy state format"));
    assert!(upgrade_identity(b"{", &s.value_type()).is_err());
}

#[test]
fn plans_come_from_the_schema_and_never_hold_write_only_values() {
    let (r, s) = (Store::default(), schema());
    let mut config = state("a");
    config.set("id", Value::Null);
    config.set("secret_wo", Value::string("s"));
    let mut d = Diagnostics::new();
    let req =
        PlanRequest { prior: &Value::Null, proposed: &config, config: &config, prior_private: &kept(), schema: &s };
    let p = plan(&r, req, &mut d);
    assert!(p.state.get("id").is_unknown() && p.state.get("secret_wo").is_null());
    let req = PlanRequest {
        prior: &state("a"),
        proposed: &Value::Null,
        config: &Value::Null,
        prior_private: &kept(),
        schema: &s,
    };
    let destroy = plan(&r, req, &mut d);
    assert!(destroy.state.is_null() && destroy.private == kept());
}

/// A provider serving the in-memory resource; configured only when its
/// configuration says so.
struct Served;

#[async_trait]
impl crate::framework::Provider for Served {
    type Client = ();
    fn schema(&self) -> Schema {
        Schema::new(0, Block::new("").attr(Attribute::bool("configured").optional()))
    }
    async fn configure(
        &self,
        config: &Value,
        _: tokio_util::sync::CancellationToken,
        diags: &mut Diagnostics,
    ) -> Option<()> {
        if config.get("configured") == &Value::Bool(true) {
            return Some(());
        }
        diags.error("not configured", "the test said no");
        None
    }
    fn resources(&self) -> Vec<std::sync::Arc<dyn Resource<()>>> {
        vec![std::sync::Arc::new(Store::default())]
    }
    fn data_sources(&self) -> Vec<std::sync::Arc<dyn crate::framework::DataSource<()>>> {
        Vec::new()
    }
}

#[tokio::test]
async fn the_server_needs_a_client_only_where_the_remote_system_is_asked() {
    use super::{ApplyResourceChange, PlanResourceChange, ReadResource, Server};
    let server = Server::for_test(Served);
    let e = server.types().resource("test_store").unwrap();
    assert!(server.types().resource("test_other").is_err(), "an unknown type is refused");
    // Before configure: a destroy plan and a read of nothing need no client.
    let destroy =
        PlanResourceChange { prior: state("a"), proposed: Value::Null, config: Value::Null, prior_private: kept() };
    let planned = server.plan_resource_change(e, destroy).await;
    assert!(planned.state == Some(Value::Null) && planned.diagnostics.is_empty() && planned.private == kept());
    let nothing = server.read_resource(e, ReadResource { state: Value::Null, private: PrivateState::default() }).await;
    assert!(nothing.state.is_null() && nothing.diagnostics.is_empty());
    // A read of something does, and keeps the state it had.
    let early = server.read_resource(e, ReadResource { state: state("a"), private: PrivateState::default() }).await;
    assert_eq!(early.state, state("a"));
    assert!(format!("{:?}", early.diagnostics).contains("Provider not configured"));
    let apply = || ApplyResourceChange {
        prior: state("a"),
        planned: state("b"),
        config: state("b"),
        private: PrivateState::default(),
    };
    let refused = server.apply_resource_change(e, apply()).await;
    assert!(
        refused.diagnostics.has_errors() && refused.state == state("a"),
        "an apply without a client keeps the prior state"
    );
    // A configuration that fails leaves the server unconfigured.
    let (_, provider_ty) = server.provider_schema();
    let mut config = Value::null_object(provider_ty);
    assert!(server.configure_provider(&config).await.has_errors());
    assert!(server
        .read_resource(e, ReadResource { state: state("a"), private: PrivateState::default() })
        .await
        .diagnostics
        .has_errors());
    config.set("configured", Value::Bool(true));
    assert!(server.configure_provider(&config).await.is_empty());
    let read = server.read_resource(e, ReadResource { state: state("a"), private: kept() }).await;
    assert!(read.diagnostics.is_empty() && read.private == kept() && read.identity.is_none());
    assert!(read.state.get("secret_wo").is_null(), "the server's rules hold: write-only values nulled");
}

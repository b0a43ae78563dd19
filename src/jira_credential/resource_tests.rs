use super::*;
use crate::framework::Severity;
use crate::framework::Type;
use crate::jira_credential::DEFAULT_SCOPE;

fn value_type() -> Type {
    schema().value_type()
}

fn ty_of(block: &str) -> Type {
    let Type::Object(attrs) = value_type() else { unreachable!() };
    attrs[block].clone()
}

fn config_with(block: &str, v: Value) -> Value {
    let mut c = Value::null_object(&value_type());
    c.set("name", Value::string("Jira user load"));
    c.set(block, v);
    c
}

fn config(basic: Value) -> Value {
    config_with("basic", basic)
}

fn basic(email: &str, token: Option<&str>, wo: Option<&str>) -> Value {
    let mut b = Value::null_object(&ty_of("basic"));
    b.set("email", Value::string(email));
    b.set("api_token", Value::opt_string(token));
    b.set("api_token_wo", Value::opt_string(wo));
    b
}

fn oauth(client_id: &str, secret: Option<&str>, scopes: &[&str]) -> Value {
    let mut o = Value::null_object(&ty_of("oauth"));
    o.set("client_id", Value::string(client_id));
    o.set("client_secret", Value::opt_string(secret));
    o.set("scopes", Value::List(scopes.iter().map(|s| Value::string(*s)).collect()));
    o
}

/// (severity, path) of each diagnostic of validation: the schema's
/// declared rules and the resource's own, as the framework runs them.
fn found(c: &Value) -> Vec<(Severity, String)> {
    let d = crate::framework::server::validate(&JiraCredential, &schema(), c, true);
    d.iter().map(|d| (d.severity, d.path.as_ref().map(|p| p.to_string()).unwrap_or_default())).collect()
}

fn paths(c: &Value) -> Vec<String> {
    found(c).into_iter().map(|(_, p)| p).collect()
}

#[test]
fn validation_rules_name_their_attribute() {
    assert!(paths(&config(basic("a@example.com", Some("t"), None))).is_empty());
    assert_eq!(paths(&config(basic("not-an-email", Some("t"), None))), ["basic.email"]);
    assert!(paths(&config(basic("a@example.com", None, None))).is_empty());
    assert_eq!(paths(&config(basic("a@example.com", Some("t"), Some("w")))), ["basic.api_token_wo"]);
    assert_eq!(paths(&config(basic("a@example.com", Some(" "), None))), ["basic.api_token"]);
    assert_eq!(paths(&config(Value::Null)), ["basic"]);
    let mut c = config(basic("a@example.com", Some("t"), None));
    c.set("expiration_date", Value::string("2027-13-01"));
    assert_eq!(paths(&c), ["expiration_date"]);
    let mut b = basic("a@example.com", Some("t"), None);
    b.set("api_token_wo_version", Value::Number(1.0));
    assert_eq!(paths(&config(b)), ["basic.api_token_wo_version"]);
}

#[test]
fn oauth_validation_rules_name_their_attribute() {
    let ok = oauth("app", Some("s"), &["read:jira-user", "offline_access"]);
    assert!(found(&config_with("oauth", ok.clone())).is_empty());

    let mut both = config_with("oauth", ok.clone());
    both.set("basic", basic("a@example.com", Some("t"), None));
    assert_eq!(paths(&both), ["oauth"]);

    let mut dated = config_with("oauth", ok.clone());
    dated.set("expiration_date", Value::string("2027-06-30"));
    assert_eq!(paths(&dated), ["expiration_date"]);

    assert_eq!(paths(&config_with("oauth", oauth(" ", Some("s"), &["read:jira-user"]))), ["oauth.client_id"]);
    let mut two = ok.clone();
    two.set("client_secret_wo", Value::string("w"));
    assert_eq!(paths(&config_with("oauth", two)), ["oauth.client_secret_wo"]);
    let mut version = ok.clone();
    version.set("client_secret_wo_version", Value::Number(1.0));
    assert_eq!(paths(&config_with("oauth", version)), ["oauth.client_secret_wo_version"]);

    assert_eq!(found(&config_with("oauth", oauth("app", Some("s"), &[]))), [(Severity::Error, "oauth.scopes".into())]);
    let dup = found(&config_with("oauth", oauth("app", Some("s"), &["read:jira-user", "read:jira-user"])));
    assert_eq!(dup, [(Severity::Error, "oauth.scopes".into())]);
    // Unknown scope: a warning; and the missing read:jira-user: another.
    let odd = found(&config_with("oauth", oauth("app", Some("s"), &["read:jira-stuff"])));
    assert_eq!(odd, [(Severity::Warning, "oauth.scopes".into()), (Severity::Warning, "oauth.scopes".into())]);

    let mut cb = ok.clone();
    cb.set("callback_url", Value::string("http://proxy.example.com/cb"));
    assert_eq!(paths(&config_with("oauth", cb)), ["oauth.callback_url"]);
    let mut local = ok.clone();
    local.set("callback_url", Value::string("http://127.0.0.1:9/oauth2/redirect_url"));
    assert!(paths(&config_with("oauth", local)).is_empty());
    let mut site = ok;
    site.set("site", Value::string("https://example.atlassian.net"));
    assert_eq!(paths(&config_with("oauth", site)), ["oauth.site"]);
}

#[test]
fn unknown_values_pass_validation() {
    let mut b = basic("a@example.com", None, None);
    b.set("email", Value::Unknown);
    b.set("api_token", Value::Unknown);
    assert!(paths(&config(b)).is_empty());
    let mut o = oauth("app", None, &[]);
    o.set("client_id", Value::Unknown);
    o.set("client_secret", Value::Unknown);
    o.set("scopes", Value::Unknown);
    assert!(paths(&config_with("oauth", o)).is_empty());
}

fn plan(prior: &Value, config: &Value, private: &PrivateState) -> (Planned, Diagnostics) {
    let mut d = Diagnostics::new();
    let p = JiraCredential.plan(
        PlanRequest { prior, proposed: config, config, prior_private: private, schema: &JiraCredential.schema() },
        &mut d,
    );
    (p, d)
}

/// A prior state of an OAuth credential with this status.
fn oauth_state(status: &str, granted: &[&str]) -> Value {
    let mut s = config_with("oauth", oauth("app", Some("s"), &["read:jira-user"]));
    for (k, v) in [("id", "c-1"), ("owner", "svc"), ("description", ""), ("auth_type", "oauth2")] {
        s.set(k, Value::string(v));
    }
    s.set("secret_version", Value::Number(1.0));
    let mut o = s.get("oauth").clone();
    o.set("callback_url", Value::string(DEFAULT_CALLBACK_URL));
    o.set("status", Value::string(status));
    o.set("authorization_url", Value::string("http://127.0.0.1:1/_atlassian/authorize?state=abc"));
    o.set("granted_sites", Value::List(granted.iter().map(|g| Value::string(*g)).collect()));
    s.set("oauth", o);
    s
}

#[test]
fn create_plans_defaults_and_the_status_apply_ends_with() {
    let mut o = oauth("app", Some("s"), &[]);
    o.set("scopes", Value::Null);
    let (p, d) = plan(&Value::Null, &config_with("oauth", o.clone()), &PrivateState::default());
    assert!(d.is_empty(), "{d:?}");
    let po = p.state.get("oauth");
    assert_eq!(po.get("scopes"), &Value::List(vec![Value::string(DEFAULT_SCOPE)]));
    assert_eq!(po.get("callback_url").as_str(), Some(DEFAULT_CALLBACK_URL));
    assert_eq!(po.get("status").as_str(), Some("pending_authorization"));
    assert!(po.get("authorization_url").is_unknown());
    o.set("wait_for_authorization", Value::Bool(true));
    let (p, _) = plan(&Value::Null, &config_with("oauth", o), &PrivateState::default());
    // A wait may end without consent (with a warning): the status is known after apply.
    assert!(p.state.get("oauth").get("status").is_unknown());
}

#[test]
fn a_new_credential_needs_its_secret_at_plan() {
    let (_, d) =
        plan(&Value::Null, &config_with("oauth", oauth("app", None, &["read:jira-user"])), &PrivateState::default());
    assert_eq!(d.iter().next().unwrap().path.as_ref().map(ToString::to_string).as_deref(), Some("oauth.client_secret"));
}

#[test]
fn plans_show_the_authorization_health() {
    let mut private = PrivateState::default();
    crate::credential::private::Private::store(&mut private, 1, None);
    let config = |prior: &Value| {
        let mut c = prior.clone();
        for f in ["id", "owner", "auth_type", "secret_version", "created_at", "updated_at"] {
            c.set(f, Value::Null);
        }
        c
    };
    // Authorized: no change, no diagnostic.
    let prior = oauth_state("authorized", &["example.atlassian.net"]);
    let (p, d) = plan(&prior, &config(&prior), &private);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(p.state.get("oauth"), prior.get("oauth"));
    assert_eq!(p.state.get("updated_at"), prior.get("updated_at"));

    // Pending: no change, a warning with the URL.
    let prior = oauth_state("pending_authorization", &[]);
    let (p, d) = plan(&prior, &config(&prior), &private);
    assert_eq!(p.state.get("oauth"), prior.get("oauth"));
    assert_eq!(d.len(), 1);
    assert_eq!(d.iter().next().unwrap().severity, Severity::Warning);
    assert!(
        d.iter().next().unwrap().detail.contains("_atlassian/authorize?state=abc"),
        "{}",
        d.iter().next().unwrap().detail
    );

    // Revoked: a change that restarts consent.
    let prior = oauth_state("revoked", &["example.atlassian.net"]);
    let (p, d) = plan(&prior, &config(&prior), &private);
    assert_eq!(p.state.get("oauth").get("status").as_str(), Some("pending_authorization"));
    assert!(p.state.get("oauth").get("authorization_url").is_unknown());
    assert!(p.state.get("updated_at").is_unknown());
    assert!(d.iter().next().unwrap().summary.contains("revoked"));

    // Consent for another site than the configured one: an error at oauth.site.
    let prior = oauth_state("authorized", &["other.atlassian.net"]);
    let mut c = config(&prior);
    let mut o = c.get("oauth").clone();
    o.set("site", Value::string("example.atlassian.net"));
    c.set("oauth", o.clone());
    let mut prior_with_site = prior.clone();
    prior_with_site.set("oauth", {
        let mut po = prior.get("oauth").clone();
        po.set("site", Value::string("example.atlassian.net"));
        po
    });
    let (_, d) = plan(&prior_with_site, &c, &private);
    assert!(d.has_errors());
    assert!(
        d.iter().next().unwrap().detail.contains("other.atlassian.net")
            && d.iter().next().unwrap().detail.contains("example.atlassian.net")
    );

    // A change of the app restarts consent instead.
    o.set("client_id", Value::string("app-2"));
    c.set("oauth", o);
    let (p, d) = plan(&prior_with_site, &c, &private);
    assert!(!d.has_errors(), "{d:?}");
    assert_eq!(p.state.get("oauth").get("status").as_str(), Some("pending_authorization"));
}

#[test]
fn an_imported_oauth_secret_is_adopted_not_sent() {
    // No private state: imported. Sending the secret would end the consent.
    let mut prior = oauth_state("authorized", &["example.atlassian.net"]);
    let mut po = prior.get("oauth").clone();
    po.set("client_secret", Value::Null);
    prior.set("oauth", po);
    let mut c = prior.clone();
    for f in ["id", "owner", "auth_type", "secret_version", "created_at", "updated_at"] {
        c.set(f, Value::Null);
    }
    let mut co = c.get("oauth").clone();
    co.set("client_secret", Value::string("s"));
    c.set("oauth", co);
    let (p, _) = plan(&prior, &c, &PrivateState::default());
    assert_eq!(p.state.get("secret_version"), prior.get("secret_version"));
    assert_eq!(p.state.get("oauth").get("status").as_str(), Some("authorized"));
}

/// The typed model and the schema name the same attributes, so a field
/// without its schema line (or the other way round) fails here.
#[test]
fn model_and_schema_agree() {
    use super::super::model::{Basic, JiraCredentialModel, OAuth};
    use crate::credential::Timeouts;
    let s = schema();
    assert_eq!(s.block.names(), JiraCredentialModel::ATTRIBUTES);
    let block = |n: &str| s.block.nested(n).unwrap().block.names();
    assert_eq!(block("basic"), Basic::ATTRIBUTES);
    assert_eq!(block("oauth"), OAuth::ATTRIBUTES);
    assert_eq!(block("timeouts"), Timeouts::ATTRIBUTES);
}

/// The data source shows the resource's state without its secrets: the
/// projection keeps exactly the data source's attributes.
#[test]
fn the_data_source_is_the_state_without_secrets() {
    use crate::framework::DataSource as _;
    use crate::oomnitza::Credential;
    let c: Credential = serde_json::from_value(serde_json::json!({
        "id": "c1", "name": "n", "saas": "jira", "auth_type": "oauth2",
        "oauth2": {"client_id": "app", "scopes": ["read:jira-user"], "callback_url": "https://x", "status": "authorized"},
        "secret_version": 2, "created_at": "t0", "updated_at": "t1"
    }))
    .unwrap();
    let mut keep = config_with("oauth", oauth("app", Some("s3cr3t"), &["read:jira-user"]));
    keep.set("timeouts", Value::Null);
    let state = state_from(&c, &keep);
    assert_eq!(state.get("oauth").get("client_secret"), &Value::string("s3cr3t"), "kept from the plan");
    let ty = crate::jira_credential::data_source::JiraCredentialData.schema().value_type();
    let shown = state.project(&ty);
    assert_eq!(shown.get("oauth").get("status"), &Value::string("authorized"));
    assert_eq!(shown.get("secret_version"), &Value::Number(2.0));
    assert!(!format!("{shown:?}").contains("s3cr3t"), "{shown:?}");
    let Value::Object(o) = shown.get("oauth") else { panic!("{shown:?}") };
    assert_eq!(o.len(), 9, "the data source's oauth attributes only");
}

/// One typed patch serves the update (only what changed) and the adoption
/// of an interrupted create (everything, secret included).
#[test]
fn the_patch_sends_what_changed_or_everything_when_adopting() {
    let mut prior = config(basic("a@example.com", Some("t"), None));
    prior.set("description", Value::string(""));
    prior.set("owner", Value::string("svc"));
    let mut planned = prior.clone();
    planned.set("name", Value::string("renamed"));
    let mut d = Diagnostics::new();
    let (old, new) = (model(&prior, &mut d).unwrap(), model(&planned, &mut d).unwrap());
    let rename = serde_json::to_value(patch(Some(&old), &new, None)).unwrap();
    assert_eq!(rename, serde_json::json!({"name": "renamed"}));
    let full = serde_json::to_value(patch(None, &new, Some(crate::secret::Secret::new("t")))).unwrap();
    assert_eq!(full["basic"]["username"], "a@example.com");
    assert_eq!((full["name"].as_str(), full["owner"].as_str()), (Some("renamed"), Some("svc")));
    assert!(full["basic"].get("password").is_some() && full.get("oauth2").is_none(), "{full}");
    let mut oauth_planned = config_with("oauth", oauth("app", Some("s"), &["read:jira-user"]));
    oauth_planned.set("expiration_date", Value::Null);
    let o = model(&oauth_planned, &mut d).unwrap();
    let full = serde_json::to_value(patch(None, &o, None)).unwrap();
    assert!(full.get("expiration_date").is_none(), "an OAuth credential's expiry is never sent unasked: {full}");
    assert_eq!(full["oauth2"]["scopes"], serde_json::json!(["read:jira-user"]));
}

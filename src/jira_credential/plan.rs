//! The plan of `oomnitza_jira_credential`, on top of the framework's plan
//! from the declared rules ([`crate::framework::plan::default_plan`]): the
//! schema keeps every computed value on update (and moves `updated_at` with
//! what an update writes), and this module says what only the resource
//! knows. Plans are exact: a value is "known after
//! apply" only when the apply will change it. The secret is sent again
//! when the configuration or the server's `secret_version` says so; an
//! OAuth credential's consent restarts when its app changes or its
//! authorization broke, and its health shows in every plan (`oauth`).

use super::model::JIRA;
use super::oauth as consent;
use super::schema::secret_attrs;
use crate::credential::drift::{self, Saying};
use crate::credential::private::Private;
use crate::credential::secret::changes;
use crate::framework::{AttrPath, Diagnostics, PlanRequest, Planned, Value};
use crate::oomnitza::AuthType;

/// `basic` or `oauth2` from the block the configuration has; unknown while
/// that is not known.
fn auth_type_of(config: &Value) -> Value {
    match (config.get("basic"), config.get("oauth")) {
        (b, o) if b.presence().is_none() || o.presence().is_none() => Value::Unknown,
        (b, _) if !b.is_null() => Value::string("basic"),
        (_, o) if !o.is_null() => Value::string("oauth2"),
        _ => Value::Unknown,
    }
}

/// Sets each named attribute of `v` unknown.
fn unknown(v: &mut Value, names: &[&str]) {
    for f in names {
        v.set(f, Value::Unknown);
    }
}

pub fn modify_plan(req: &PlanRequest<'_>, planned: &mut Planned, diags: &mut Diagnostics) {
    let PlanRequest { prior, config, prior_private, .. } = *req;
    let p = &mut planned.state;
    let secret = secret_attrs(config);
    let auth_type = auth_type_of(config);
    let oauth_config = config.get("oauth");
    let mut oauth = p.get("oauth").clone();
    // A placeholder for a block whose presence is known only at apply
    // stays as Terraform proposed it, but what Oomnitza or a default fills
    // in is unknown too.
    let oauth_presence = oauth.presence();
    let oauth_known = oauth_presence == Some(true);
    if oauth_presence.is_none() {
        unknown(&mut oauth, consent::HEALTH);
        unknown(&mut oauth, &["scopes", "callback_url"]);
    }
    if prior.is_null() {
        secret.plan_create(config, diags);
        crate::credential::expiry::warn_past_at_create(
            config,
            time::OffsetDateTime::now_utc(),
            &super::expiry::WORDS,
            diags,
        );
        // The OAuth defaults are the schema's (planned on create only).
        if oauth_known {
            oauth.set("status", consent::planned_status(oauth_config));
        }
        if !oauth.is_null() {
            p.set("oauth", oauth);
        }
        p.set("auth_type", auth_type);
        return;
    }

    // Update: the default plan kept every computed value; what changes?
    let replace = changes(prior.get("auth_type"), &auth_type);
    if replace {
        // Oomnitza cannot change a credential's type (409): replace it.
        planned.requires_replace.extend([AttrPath::root("basic"), AttrPath::root("oauth")]);
        p.set("auth_type", auth_type);
    }
    let private = Private::load(prior_private);
    let secret_changed = !config.get(secret.block).is_null() && !replace && secret.changes(prior, config, &private);
    if oauth_known && !replace {
        let po = prior.get("oauth");
        let app_changed = consent::APP.iter().any(|f| changes(po.get(f), oauth.get(f)));
        let broken = consent::is_broken(po.get("status"));
        if secret_changed || app_changed || broken {
            unknown(&mut oauth, consent::HEALTH);
            oauth.set("status", consent::planned_status(oauth_config));
            // A break this refresh found is said in the drift warning.
            let drifted = private.drift.as_ref().is_some_and(|d| d.status.is_some());
            if broken && !secret_changed && !app_changed && !drifted {
                consent::plan_broken(prior, diags);
            }
        } else {
            consent::plan_health(prior, oauth_config, diags);
        }
    }
    if !oauth.is_null() {
        p.set("oauth", oauth);
    }
    if secret_changed {
        secret.plan_resend((prior, config), &private, p, diags);
    }
    if let Some(d) = &private.drift {
        let say = Saying {
            noun: JIRA.noun,
            secret: secret.noun,
            ends_consent: prior.get("auth_type").as_str() == Some(AuthType::Oauth2.as_str()),
            replacing: replace.then_some("basic and oauth cannot change into each other"),
        };
        drift::warn(d, prior, p, &say, diags);
    }
}

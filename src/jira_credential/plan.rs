//! The plan of `oomnitza_jira_credential`. Plans are exact: stable computed
//! values keep their state value, and a value is "known after apply" only
//! when the apply will change it. The secret is sent again when the
//! configuration or the server's `secret_version` says so; an OAuth
//! credential's consent restarts when its app changes or its authorization
//! broke, and its health shows in every plan (`oauth`).

use super::model::{DEFAULT_CALLBACK_URL, DEFAULT_SCOPE, JIRA};
use super::oauth as consent;
use super::schema::secret_attrs;
use crate::credential::drift::{self, Saying};
use crate::credential::secret::{changes, Private};
use crate::framework::{AttrPath, Diagnostics, PlanRequest, Planned, Value};
use crate::oomnitza::AuthType;

pub fn plan(req: PlanRequest<'_>, diags: &mut Diagnostics) -> Planned {
    let PlanRequest { prior, config, prior_private, .. } = req;
    let secret = secret_attrs(config);
    let block = config.get(secret.block);
    if prior.is_null() {
        secret.plan_create(config, diags);
    }
    let mut p = config.clone();
    if config.get("description").is_null() {
        p.set("description", Value::string(""));
    }
    let auth_type = match (config.get("basic"), config.get("oauth")) {
        (b, o) if b.presence().is_none() || o.presence().is_none() => Value::Unknown,
        (b, _) if !b.is_null() => Value::string("basic"),
        (_, o) if !o.is_null() => Value::string("oauth2"),
        _ => Value::Unknown,
    };
    let oauth_config = config.get("oauth");
    let mut oauth = oauth_config.clone();
    // A placeholder for a block whose presence is known only at apply
    // stays as it is: Terraform recognises it by its unknown leaves.
    let oauth_presence = oauth.presence();
    let oauth_known = oauth_presence == Some(true);
    if oauth_presence.is_none() {
        // What Oomnitza or a default fills in is unknown too.
        for f in consent::HEALTH.iter().chain(&["scopes", "callback_url"]) {
            oauth.set(f, Value::Unknown);
        }
    }
    if oauth_known {
        // Defaults, known at plan; an update keeps the server's instead.
        let kept = |f: &str, default: Value| if prior.is_null() { default } else { prior.get("oauth").get(f).clone() };
        if oauth.get("scopes").is_null() {
            oauth.set("scopes", kept("scopes", Value::List(vec![Value::string(DEFAULT_SCOPE)])));
        }
        if oauth.get("callback_url").is_null() {
            oauth.set("callback_url", kept("callback_url", Value::string(DEFAULT_CALLBACK_URL)));
        }
    }
    if prior.is_null() {
        // Create: everything Oomnitza assigns is unknown.
        for computed in ["id", "secret_version", "created_at", "updated_at"] {
            p.set(computed, Value::Unknown);
        }
        if config.get("owner").is_null() {
            p.set("owner", Value::Unknown);
        }
        if oauth_known {
            for f in consent::HEALTH {
                oauth.set(f, Value::Unknown);
            }
            oauth.set("status", consent::planned_status(oauth_config));
        }
        if !oauth.is_null() {
            p.set("oauth", oauth);
        }
        p.set("auth_type", auth_type);
        return Planned { state: p, ..Default::default() };
    }

    // Update: keep every stable computed value.
    for stable in ["id", "secret_version", "created_at", "updated_at", "auth_type"] {
        p.set(stable, prior.get(stable).clone());
    }
    if config.get("owner").is_null() {
        p.set("owner", prior.get("owner").clone());
    }
    let mut requires_replace = Vec::new();
    let replace = changes(prior.get("auth_type"), &auth_type);
    if replace {
        // Oomnitza cannot change a credential's type (409): replace it.
        requires_replace.push(AttrPath::root("basic"));
        requires_replace.push(AttrPath::root("oauth"));
        p.set("auth_type", auth_type);
    }
    let private = Private::load(prior_private);
    let secret_changed = !block.is_null() && !replace && secret.changes(prior, config, &private);
    let mut fields_changed =
        ["name", "owner", "description", "expiration_date"].iter().any(|f| changes(prior.get(f), p.get(f)))
            || changes(prior.get("basic").get("email"), p.get("basic").get("email"));
    if oauth_known && !replace {
        let po = prior.get("oauth");
        for f in consent::HEALTH {
            oauth.set(f, po.get(f).clone());
        }
        let app_changed = consent::APP.iter().any(|f| changes(po.get(f), oauth.get(f)));
        let broken = consent::is_broken(po.get("status"));
        if secret_changed || app_changed || broken {
            for f in consent::HEALTH {
                oauth.set(f, Value::Unknown);
            }
            oauth.set("status", consent::planned_status(oauth_config));
            fields_changed = true;
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
        p.set("secret_version", Value::Unknown);
        if secret.absent(config) {
            let why = format!(
                "The {} must be sent again ({} changed, or it was replaced in Oomnitza)",
                secret.noun, secret.version
            );
            secret.absent_warning(&why, diags);
        }
    }
    if secret_changed || fields_changed {
        p.set("updated_at", Value::Unknown);
    }
    if let Some(d) = &private.drift {
        let say = Saying {
            noun: JIRA.noun,
            secret: secret.noun,
            ends_consent: prior.get("auth_type").as_str() == Some(AuthType::Oauth2.as_str()),
            replacing: replace.then_some("basic and oauth cannot change into each other"),
        };
        drift::warn(d, prior, &p, &say, diags);
    }
    Planned { state: p, requires_replace, private: prior_private.to_vec() }
}

//! The simulator's credentials and their file: create, read, list, change
//! and delete. Their validation (`check`), OAuth consent and refresh
//! (`oauth`), what Jira sees (`jira`) and listings' order and filter
//! fields (`listing`) are modules of their own.
//!
//! Credentials are kept as the JSON the API answers. Secrets live only in
//! memory, are never answered and never written to the data file.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use oomnitza_api::filter::Filter;
use serde_json::{json, Map, Value};

mod check;
mod jira;
mod listing;
mod oauth;

pub use self::check::is_loopback_url;
use self::check::*;
pub use self::jira::cloud_id;
pub use self::listing::SortBy;
use self::listing::{compare, field_of};
use self::oauth::start_consent;

pub const DEFAULT_OWNER: &str = "svc-oomnitza";
pub const DEFAULT_CALLBACK: &str = "https://generic-oauth2-proxy.oomnitza.com/oauth2/redirect_url";
/// How long an access token lives, as Atlassian's do.
pub const ACCESS_TOKEN_SECONDS: i64 = 3600;
const IDEMPOTENCY_WINDOW: Duration = Duration::from_secs(24 * 3600);

pub enum ApiError {
    Invalid(Vec<(String, String)>),
    NotFound,
    Conflict(String),
    BadRequest(String),
    Storage(String),
}

struct Cred {
    json: Value,
    secret: Option<String>,
    oauth: OAuthSecrets,
}

/// What Oomnitza keeps of an OAuth authorization and never answers.
#[derive(Default)]
struct OAuthSecrets {
    /// The `state` of the consent now open; older ones are refused.
    state: Option<String>,
    refresh_token: Option<String>,
}

/// What the OAuth proxy needs to finish a consent or a refresh.
pub struct OAuthClient {
    pub id: String,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
    pub refresh_token: Option<String>,
}

pub struct Store {
    /// By creation sequence, so listings keep creation order.
    creds: BTreeMap<u64, Cred>,
    index: HashMap<String, u64>,
    next_seq: u64,
    idempotency: HashMap<String, u64>,
    /// Keys in the order they were seen, to forget them after 24 hours
    /// without scanning every key on every create.
    /// Kept in the data file too: a restart must not forget them.
    idempotency_order: VecDeque<(SystemTime, String)>,
    path: Option<PathBuf>,
    /// Where the Atlassian stand-in's consent page is, e.g. `http://127.0.0.1:PORT`.
    pub consent_base: String,
    /// Credentials whose token Atlassian (Jira) no longer accepts.
    jira_rejects: std::collections::HashSet<String>,
    /// Bearer tokens handed out by `/secret`, and the credential of each.
    jira_tokens: HashMap<String, String>,
}

fn now() -> String {
    crate::clock::format(crate::clock::now())
}

/// The Oomnitza user behind the API token: who API writes are made by.
pub const API_USER: &str = "svc-terraform";
/// The person whose UI edits the `/_sim` routes play, unless an edit names
/// another in `updated_by`.
pub const UI_USER: &str = "jane.admin@example.com";

/// An id in Oomnitza's style: an opaque string of 24 lower-case letters
/// and digits (not a UUID; nothing may assume one).
fn new_id() -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..24).map(|_| CHARS[rng.random_range(0..CHARS.len())] as char).collect()
}

fn merge(target: &mut Value, patch: &Map<String, Value>) {
    for (k, v) in patch {
        if k == "id" {
            continue;
        }
        match (target.get_mut(k), v) {
            (Some(t @ Value::Object(_)), Value::Object(sub)) => merge(t, sub),
            _ => target[k] = v.clone(),
        }
    }
}

impl Store {
    /// Opens the store, loading `path` when it exists. A file that cannot be
    /// read is an error, never an empty store.
    pub fn open(path: Option<PathBuf>) -> Result<Store, String> {
        let mut s = Store {
            creds: BTreeMap::new(),
            index: HashMap::new(),
            next_seq: 1,
            idempotency: HashMap::new(),
            idempotency_order: VecDeque::new(),
            path,
            consent_base: String::new(),
            jira_rejects: Default::default(),
            jira_tokens: HashMap::new(),
        };
        let Some(p) = s.path.clone() else { return Ok(s) };
        let text = match std::fs::read_to_string(&p) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(s),
            Err(e) => return Err(format!("cannot read data file {}: {e}", p.display())),
        };
        let doc: Value = serde_json::from_str(&text)
            .map_err(|e| format!("data file {} is corrupt ({e}); move it away to start empty", p.display()))?;
        let list = doc.get("credentials").and_then(Value::as_array).ok_or_else(|| {
            format!("data file {} has no \"credentials\" array; move it away to start empty", p.display())
        })?;
        for c in list {
            let id = c
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("data file {}: a credential has no id", p.display()))?;
            let seq = s.next_seq;
            s.next_seq += 1;
            s.index.insert(id.to_string(), seq);
            s.creds.insert(seq, Cred { json: c.clone(), secret: None, oauth: OAuthSecrets::default() });
        }
        for entry in doc.get("idempotency").and_then(Value::as_array).into_iter().flatten() {
            let (Some(key), Some(id), Some(at)) = (entry[0].as_str(), entry[1].as_str(), entry[2].as_u64()) else {
                continue;
            };
            if let Some(seq) = s.index.get(id).copied() {
                s.idempotency.insert(key.to_string(), seq);
                s.idempotency_order.push_back((UNIX_EPOCH + Duration::from_secs(at), key.to_string()));
            }
        }
        Ok(s)
    }

    pub fn len(&self) -> usize {
        self.creds.len()
    }

    /// Writes the file atomically: a temporary file, then a rename.
    fn save(&self) -> Result<(), ApiError> {
        let Some(p) = &self.path else { return Ok(()) };
        let list: Vec<&Value> = self.creds.values().map(|c| &c.json).collect();
        let keys: Vec<Value> = self
            .idempotency_order
            .iter()
            .filter_map(|(t, k)| {
                let id = &self.creds.get(self.idempotency.get(k)?)?.json["id"];
                let at = t.duration_since(UNIX_EPOCH).ok()?.as_secs();
                Some(json!([k, id, at]))
            })
            .collect();
        let text = serde_json::to_vec_pretty(&json!({ "credentials": list, "idempotency": keys }))
            .map_err(|e| ApiError::Storage(e.to_string()))?;
        let tmp = p.with_extension("tmp");
        std::fs::write(&tmp, text)
            .and_then(|_| std::fs::rename(&tmp, p))
            .map_err(|e| ApiError::Storage(format!("cannot write data file: {e}")))
    }

    fn seq_of(&self, id: &str) -> Result<u64, ApiError> {
        self.index.get(id).copied().ok_or(ApiError::NotFound)
    }

    pub fn create(&mut self, b: &Value, idempotency_key: Option<&str>) -> Result<Value, ApiError> {
        if let Some(k) = idempotency_key {
            while self
                .idempotency_order
                .front()
                .is_some_and(|(t, _)| t.elapsed().unwrap_or_default() >= IDEMPOTENCY_WINDOW)
            {
                if let Some((_, old)) = self.idempotency_order.pop_front() {
                    self.idempotency.remove(&old);
                }
            }
            if let Some(seq) = self.idempotency.get(k) {
                if let Some(c) = self.creds.get(seq) {
                    return Ok(c.json.clone());
                }
            }
        }
        let Some(obj) = b.as_object() else { return Err(ApiError::BadRequest("body must be a JSON object".into())) };
        let mut c = Check::default();
        for k in obj.keys() {
            if !TOP_FIELDS.contains(&k.as_str()) {
                c.fail(k, "unknown field");
            }
        }
        let name = c.string(b, "name", "name", true).unwrap_or_default().to_string();
        let saas = c.string(b, "saas", "saas", true).unwrap_or_default().to_string();
        let auth_type = c.string(b, "auth_type", "auth_type", true).unwrap_or_default().to_string();
        match (saas.as_str(), auth_type.as_str()) {
            ("", _) | ("jira", _) => {}
            (s, _) if !is_saas(s) => c.fail("saas", "must be a SaaS name such as jira or okta"),
            (_, "api_key" | "basic") => {}
            _ => c.fail("saas", "oauth2 credentials are supported for jira only"),
        }
        let owner = c.string(b, "owner", "owner", false).unwrap_or(DEFAULT_OWNER).to_string();
        let description = match b.get("description") {
            Some(Value::String(s)) => s.clone(),
            None | Some(Value::Null) => String::new(),
            Some(_) => {
                c.fail("description", "must be a string");
                String::new()
            }
        };
        let expiration = c.string(b, "expiration_date", "expiration_date", false).map(String::from);
        if let Some(d) = &expiration {
            if !is_date(d) {
                c.fail("expiration_date", "must be a date, YYYY-MM-DD");
            }
        }
        let (mut basic, mut oauth, mut api_key, mut secret) = (Value::Null, Value::Null, Value::Null, None);
        match auth_type.as_str() {
            "basic" => match b.get("basic") {
                Some(bb @ Value::Object(_)) => {
                    check_basic(&mut c, bb, false, saas == "jira");
                    basic = json!({ "username": bb.get("username") });
                    secret = bb.get("password").and_then(Value::as_str).map(String::from);
                }
                _ => c.fail("basic", "is required for auth_type basic"),
            },
            "oauth2" => {
                if expiration.is_some() {
                    c.fail("expiration_date", "is read-only for OAuth 2.0 credentials");
                }
                match b.get("oauth2") {
                    Some(o @ Value::Object(_)) => {
                        check_oauth(&mut c, o, false);
                        oauth = json!({
                            "client_id": o.get("client_id"),
                            "scopes": o.get("scopes").cloned().unwrap_or(json!(["read:jira-user"])),
                            "callback_url": o.get("callback_url").and_then(Value::as_str).unwrap_or(DEFAULT_CALLBACK),
                            "site": o.get("site").cloned().unwrap_or(Value::Null),
                            "status": "pending_authorization",
                            "authorization_url": Value::Null,
                            "expires_at": Value::Null,
                            "granted_sites": [],
                            "last_error": Value::Null,
                        });
                        secret = o.get("client_secret").and_then(Value::as_str).map(String::from);
                    }
                    _ => c.fail("oauth2", "is required for auth_type oauth2"),
                }
            }
            "api_key" => match b.get("api_key") {
                Some(k @ Value::Object(_)) => {
                    check_api_key(&mut c, k, false);
                    api_key = json!({ "token_name": k.get("token_name"), "add_to": k.get("add_to") });
                    secret = k.get("token").and_then(Value::as_str).map(String::from);
                }
                _ => c.fail("api_key", "is required for auth_type api_key"),
            },
            "" => {}
            _ => c.fail("auth_type", "must be basic, oauth2 or api_key"),
        }
        c.done()?;
        let ts = now();
        let id = new_id();
        let json = json!({
            "id": id, "name": name, "owner": owner, "description": description,
            "saas": saas, "auth_type": auth_type, "basic": basic, "oauth2": oauth, "api_key": api_key,
            "expiration_date": expiration, "secret_version": 1,
            "created_at": ts, "updated_at": ts, "updated_by": API_USER,
        });
        let seq = self.next_seq;
        self.next_seq += 1;
        self.index.insert(id, seq);
        let mut cred = Cred { json, secret, oauth: OAuthSecrets::default() };
        if auth_type == "oauth2" {
            self.start_consent(&mut cred);
        }
        let json = cred.json.clone();
        self.creds.insert(seq, cred);
        if let Some(k) = idempotency_key {
            self.idempotency.insert(k.to_string(), seq);
            self.idempotency_order.push_back((SystemTime::now(), k.to_string()));
        }
        self.save()?;
        Ok(json)
    }

    /// The credentials that pass `filter`, in creation order or sorted by
    /// `sort` (a stable sort: ties keep creation order), `limit` from `skip` on.
    pub fn list(&self, filter: &Filter, sort: Option<&SortBy>, skip: usize, limit: usize) -> Vec<Value> {
        let mut found: Vec<&Value> =
            self.creds.values().map(|c| &c.json).filter(|j| filter.matches(|f| field_of(j, f))).collect();
        if let Some(s) = sort {
            found.sort_by(|a, b| {
                let o = compare(&a[s.field.as_str()], &b[s.field.as_str()]);
                if s.descending {
                    o.reverse()
                } else {
                    o
                }
            });
        }
        found.into_iter().skip(skip).take(limit).cloned().collect()
    }

    /// Every credential, in creation order.
    pub fn all(&self) -> Vec<Value> {
        self.creds.values().map(|c| c.json.clone()).collect()
    }

    pub fn get(&self, id: &str) -> Result<Value, ApiError> {
        Ok(self.creds[&self.seq_of(id)?].json.clone())
    }

    pub fn patch(&mut self, id: &str, b: &Value) -> Result<Value, ApiError> {
        let seq = self.seq_of(id)?;
        let Some(obj) = b.as_object() else { return Err(ApiError::BadRequest("body must be a JSON object".into())) };
        let cur = &self.creds[&seq].json;
        for immutable in ["auth_type", "saas"] {
            if obj.get(immutable).is_some_and(|v| *v != cur[immutable]) {
                return Err(ApiError::Conflict(format!("{immutable} cannot be changed; create a new credential")));
            }
        }
        let kind = cur["auth_type"].as_str().unwrap_or_default().to_string();
        let is_oauth = kind == "oauth2";
        let mut c = Check::default();
        for k in obj.keys() {
            if !TOP_FIELDS.contains(&k.as_str()) {
                c.fail(k, "unknown field");
            }
        }
        c.string(b, "name", "name", false);
        c.string(b, "owner", "owner", false);
        if let Some(d) = obj.get("expiration_date") {
            if is_oauth {
                c.fail("expiration_date", "is read-only for OAuth 2.0 credentials");
            } else if !d.is_null() && !d.as_str().is_some_and(is_date) {
                c.fail("expiration_date", "must be a date, YYYY-MM-DD, or null");
            }
        }
        for section in ["basic", "oauth2", "api_key"] {
            match obj.get(section) {
                Some(v) if !v.is_null() && section != kind => c.fail(section, &format!("this is a {kind} credential")),
                Some(v) if !v.is_null() => match section {
                    "basic" => check_basic(&mut c, v, true, cur["saas"] == "jira"),
                    "oauth2" => check_oauth(&mut c, v, true),
                    _ => check_api_key(&mut c, v, true),
                },
                _ => {}
            }
        }
        c.done()?;

        let Some(cred) = self.creds.get_mut(&seq) else { return Err(ApiError::NotFound) };
        let j = &mut cred.json;
        for k in ["name", "owner", "description", "expiration_date"] {
            if let Some(v) = obj.get(k) {
                j[k] = v.clone();
            }
        }
        let (section, secret_key) = match kind.as_str() {
            "basic" => ("basic", "password"),
            "api_key" => ("api_key", "token"),
            _ => ("oauth2", "client_secret"),
        };
        let mut restart_consent = false;
        if let Some(Value::Object(sub)) = obj.get(section) {
            for (k, v) in sub {
                if k == secret_key {
                    cred.secret = v.as_str().map(String::from);
                    j["secret_version"] = json!(j["secret_version"].as_i64().unwrap_or(0) + 1);
                    restart_consent = true;
                } else if matches!(
                    k.as_str(),
                    "username" | "client_id" | "scopes" | "callback_url" | "site" | "token_name" | "add_to"
                ) {
                    j[section][k] = v.clone();
                    restart_consent = true;
                }
            }
        }
        j["updated_at"] = json!(now());
        j["updated_by"] = json!(API_USER);
        // A new app, secret, scope set, callback or site ends the old authorization.
        if restart_consent && is_oauth {
            let consent_base = self.consent_base.clone();
            if let Some(cred) = self.creds.get_mut(&seq) {
                start_consent(&consent_base, cred);
            }
        }
        let out = self.creds[&seq].json.clone();
        self.save()?;
        Ok(out)
    }

    pub fn delete(&mut self, id: &str) -> Result<(), ApiError> {
        let seq = self.seq_of(id)?;
        self.index.remove(id);
        self.creds.remove(&seq);
        self.save()
    }

    /// A person's change in the Oomnitza UI: any listed field, no checks.
    pub fn edit_out_of_band(&mut self, id: &str, b: &Value) -> Result<Value, ApiError> {
        let seq = self.seq_of(id)?;
        let Some(cred) = self.creds.get_mut(&seq) else { return Err(ApiError::NotFound) };
        let Some(obj) = b.as_object() else {
            return Err(ApiError::BadRequest("the body must be a JSON object of the credential's fields".into()));
        };
        // Only fields the credential has (as the API answers them), so that a
        // misspelt edit fails loudly instead of making no drift.
        let mut unknown = Vec::new();
        unknown_fields(&cred.json, obj, "", &mut unknown);
        if !unknown.is_empty() {
            let mut known = Vec::new();
            known_fields(&cred.json, "", &mut known);
            return Err(ApiError::BadRequest(format!(
                "unknown field(s) {}; this credential has: {}",
                unknown.join(", "),
                known.join(", ")
            )));
        }
        merge(&mut cred.json, obj);
        cred.json["updated_at"] = json!(now());
        if b.get("updated_by").is_none() {
            cred.json["updated_by"] = json!(UI_USER);
        }
        let out = cred.json.clone();
        self.save()?;
        Ok(out)
    }

    /// A person's secret rotation in the UI.
    pub fn rotate(&mut self, id: &str) -> Result<Value, ApiError> {
        let seq = self.seq_of(id)?;
        let Some(cred) = self.creds.get_mut(&seq) else { return Err(ApiError::NotFound) };
        cred.secret = Some(uuid::Uuid::new_v4().to_string());
        cred.json["secret_version"] = json!(cred.json["secret_version"].as_i64().unwrap_or(0) + 1);
        cred.json["updated_at"] = json!(now());
        cred.json["updated_by"] = json!(UI_USER);
        if cred.json["auth_type"] == "oauth2" {
            // A new client secret ends the authorization made with the old one.
            start_consent(&self.consent_base, cred);
        }
        let out = cred.json.clone();
        self.save()?;
        Ok(out)
    }

    pub fn secret_matches(&self, id: &str, value: &str) -> Result<Option<bool>, ApiError> {
        Ok(self.creds[&self.seq_of(id)?].secret.as_ref().map(|s| s == value))
    }
}

/// The dotted names in `edit` that `cred` (a credential as the API answers
/// it) has no field for; `updated_by` may always be set.
fn unknown_fields(cred: &Value, edit: &serde_json::Map<String, Value>, prefix: &str, out: &mut Vec<String>) {
    for (k, v) in edit {
        let path = format!("{prefix}{k}");
        match cred.get(k) {
            None if prefix.is_empty() && k == "updated_by" => {}
            None => out.push(path),
            Some(Value::Object(_)) => {
                if let (Some(inner), Some(sub)) = (cred.get(k), v.as_object()) {
                    unknown_fields(inner, sub, &format!("{path}."), out);
                }
            }
            Some(_) => {}
        }
    }
}

/// Every field of `cred`, dotted, for the error that lists them.
fn known_fields(cred: &Value, prefix: &str, out: &mut Vec<String>) {
    if let Some(m) = cred.as_object() {
        for (k, v) in m {
            let path = format!("{prefix}{k}");
            if v.is_object() {
                known_fields(v, &format!("{path}."), out);
            } else {
                out.push(path);
            }
        }
    }
}

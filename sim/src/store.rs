//! The simulator's credentials, their validation and their file.
//!
//! Credentials are kept as the JSON the API answers. Secrets live only in
//! memory, are never answered and never written to the data file.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use oomnitza_api::filter::{Field, Filter};
use serde_json::{json, Map, Value};

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

/// Loopback hosts may use plain http, as in the provider.
pub fn is_loopback_url(u: &str) -> bool {
    url::Url::parse(u).ok().is_some_and(|u| {
        u.scheme() == "http"
            && matches!(u.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
                | matches!(u.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
                | matches!(u.host(), Some(url::Host::Domain("localhost")))
    })
}

/// An Atlassian scope: `offline_access`, or `verb:thing[:product]` words.
fn is_scope(s: &str) -> bool {
    s == "offline_access"
        || (s.contains(':')
            && s.split(':').all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c == '-' || c == '.')))
}

fn is_email(s: &str) -> bool {
    let mut p = s.split('@');
    matches!((p.next(), p.next(), p.next()), (Some(l), Some(d), None)
        if !l.is_empty() && d.contains('.') && d.split('.').all(|x| !x.is_empty()) && !s.contains(char::is_whitespace))
}

fn is_date(s: &str) -> bool {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).is_ok()
}

/// Collects field errors for one request.
#[derive(Default)]
struct Check(Vec<(String, String)>);

impl Check {
    fn fail(&mut self, field: &str, msg: &str) {
        self.0.push((field.to_string(), msg.to_string()));
    }
    fn done(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Invalid(self.0))
        }
    }
    /// A string field; `required` fails when absent.
    fn string<'a>(&mut self, obj: &'a Value, key: &str, field: &str, required: bool) -> Option<&'a str> {
        match obj.get(key) {
            None | Some(Value::Null) => {
                if required {
                    self.fail(field, "is required");
                }
                None
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                self.fail(field, "must not be empty");
                None
            }
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                self.fail(field, "must be a string");
                None
            }
        }
    }
}

fn check_basic(c: &mut Check, b: &Value, partial: bool) {
    if let Some(u) = c.string(b, "username", "basic.username", !partial) {
        if !is_email(u) {
            c.fail("basic.username", "must be the Atlassian account's email address");
        }
    }
    c.string(b, "password", "basic.password", !partial);
}

fn check_oauth(c: &mut Check, o: &Value, partial: bool) {
    c.string(o, "client_id", "oauth2.client_id", !partial);
    c.string(o, "client_secret", "oauth2.client_secret", !partial);
    match o.get("scopes") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) if !a.is_empty() => {
            for s in a {
                if !s.as_str().is_some_and(is_scope) {
                    c.fail("oauth2.scopes", &format!("unknown scope {s}"));
                }
            }
        }
        Some(_) => c.fail("oauth2.scopes", "must be a non-empty array of scopes"),
    }
    if let Some(u) = c.string(o, "callback_url", "oauth2.callback_url", false) {
        if !u.starts_with("https://") && !is_loopback_url(u) {
            c.fail("oauth2.callback_url", "must be an https URL (http only on loopback)");
        }
    }
}

fn check_api_key(c: &mut Check, k: &Value, partial: bool) {
    c.string(k, "token_name", "api_key.token_name", !partial);
    c.string(k, "token", "api_key.token", !partial);
    if let Some(to) = c.string(k, "add_to", "api_key.add_to", !partial) {
        if !matches!(to, "header" | "query") {
            c.fail("api_key.add_to", "must be header or query");
        }
    }
}

/// A SaaS name as Oomnitza's connectors use them: `jira`, `okta`, ...
fn is_saas(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

const TOP_FIELDS: &[&str] =
    &["name", "owner", "description", "saas", "auth_type", "basic", "oauth2", "api_key", "expiration_date"];

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
            (_, "api_key") => {}
            _ => c.fail("saas", "basic and oauth2 credentials are supported for jira only"),
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
                    check_basic(&mut c, bb, false);
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
                    "basic" => check_basic(&mut c, v, true),
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

    /// Starts (or restarts) consent: a fresh `state` and consent URL.
    pub fn authorize(&mut self, id: &str) -> Result<Value, ApiError> {
        let seq = self.seq_of(id)?;
        let consent_base = self.consent_base.clone();
        let Some(cred) = self.creds.get_mut(&seq) else { return Err(ApiError::NotFound) };
        if cred.json["auth_type"] != "oauth2" {
            return Err(ApiError::Conflict("only OAuth 2.0 credentials are authorized".into()));
        }
        start_consent(&consent_base, cred);
        cred.json["updated_at"] = json!(now());
        let url = cred.json["oauth2"]["authorization_url"].clone();
        self.save()?;
        Ok(json!({ "authorization_url": url }))
    }

    fn start_consent(&self, cred: &mut Cred) {
        start_consent(&self.consent_base, cred);
    }

    fn seq_of_state(&self, state: &str) -> Option<u64> {
        self.creds.iter().find(|(_, c)| c.oauth.state.as_deref() == Some(state)).map(|(s, _)| *s)
    }

    /// The credential whose consent `state` is open now; `None` for a stale
    /// or unknown state.
    pub fn consent_client(&self, state: &str) -> Option<OAuthClient> {
        self.seq_of_state(state).map(|seq| oauth_client(&self.creds[&seq]))
    }

    /// Records why a consent failed; the consent stays open.
    pub fn consent_failed(&mut self, state: &str, error: &str) -> Result<bool, ApiError> {
        let Some(seq) = self.seq_of_state(state) else { return Ok(false) };
        if let Some(c) = self.creds.get_mut(&seq) {
            c.json["oauth2"]["last_error"] = json!(error);
        }
        self.save().map(|_| true)
    }

    /// A person accepted and the code exchange succeeded.
    pub fn consent_done(
        &mut self,
        state: &str,
        refresh_token: Option<String>,
        sites: Vec<String>,
    ) -> Result<bool, ApiError> {
        let Some(seq) = self.seq_of_state(state) else { return Ok(false) };
        if let Some(c) = self.creds.get_mut(&seq) {
            c.oauth = OAuthSecrets { state: None, refresh_token };
            let o = &mut c.json["oauth2"];
            o["status"] = json!("authorized");
            o["authorization_url"] = Value::Null;
            o["expires_at"] = json!(expiry());
            o["granted_sites"] = json!(sites);
            o["last_error"] = Value::Null;
            c.json["updated_at"] = json!(now());
        }
        self.save().map(|_| true)
    }

    /// Authorized credentials whose access token has expired. Those without
    /// a refresh token become `expired` here; the others are returned for
    /// the proxy to refresh.
    pub fn due_for_refresh(&mut self) -> Vec<OAuthClient> {
        let now = crate::clock::now();
        let mut due = Vec::new();
        let mut changed = false;
        for c in self.creds.values_mut() {
            let o = &c.json["oauth2"];
            let expired = o["status"] == "authorized"
                && o["expires_at"].as_str().and_then(crate::clock::parse).is_some_and(|t| t <= now);
            if !expired {
                continue;
            }
            if c.oauth.refresh_token.is_some() {
                due.push(oauth_client(c));
            } else {
                c.json["oauth2"]["status"] = json!("expired");
                changed = true;
            }
        }
        if changed {
            let _ = self.save();
        }
        due
    }

    /// The outcome of a refresh: a new refresh token, or the status and
    /// error that the failure leaves.
    pub fn refreshed(&mut self, id: &str, outcome: Result<Option<String>, (&str, String)>) -> Result<(), ApiError> {
        let seq = self.seq_of(id)?;
        let Some(c) = self.creds.get_mut(&seq) else { return Err(ApiError::NotFound) };
        match outcome {
            Ok(rt) => {
                if rt.is_some() {
                    c.oauth.refresh_token = rt;
                }
                c.json["oauth2"]["expires_at"] = json!(expiry());
            }
            Err((status, error)) => {
                c.oauth.refresh_token = None;
                c.json["oauth2"]["status"] = json!(status);
                c.json["oauth2"]["last_error"] = json!(error);
            }
        }
        self.save()
    }

    /// An out-of-band change of an OAuth credential's status (a revocation
    /// in Atlassian, or an expiry).
    pub fn set_oauth_status(&mut self, id: &str, status: &str) -> Result<Value, ApiError> {
        if !matches!(status, "expired" | "revoked") {
            return Err(ApiError::Invalid(vec![("status".into(), "must be expired or revoked".into())]));
        }
        let seq = self.seq_of(id)?;
        let Some(c) = self.creds.get_mut(&seq) else { return Err(ApiError::NotFound) };
        if c.json["auth_type"] != "oauth2" {
            return Err(ApiError::Conflict("only OAuth 2.0 credentials have a status".into()));
        }
        c.oauth = OAuthSecrets::default();
        c.json["oauth2"]["status"] = json!(status);
        c.json["oauth2"]["authorization_url"] = Value::Null;
        let out = c.json.clone();
        self.save()?;
        Ok(out)
    }

    /// A person's change in the Oomnitza UI: any listed field, no checks.
    pub fn edit_out_of_band(&mut self, id: &str, b: &Value) -> Result<Value, ApiError> {
        let seq = self.seq_of(id)?;
        let Some(cred) = self.creds.get_mut(&seq) else { return Err(ApiError::NotFound) };
        if let Some(obj) = b.as_object() {
            merge(&mut cred.json, obj);
        }
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

impl Store {
    /// `POST /api/v3/auth/{id}/secret`: the authentication Oomnitza adds to
    /// one request to the connected system: Basic for a Basic credential,
    /// a Bearer access token (and the site's cloud id) for an authorized
    /// OAuth one. The request itself is checked, never sent.
    pub fn request_auth(&mut self, id: &str, request: &Value) -> Result<Value, ApiError> {
        let mut c = Check::default();
        c.string(request, "url", "url", true);
        c.string(request, "http_method", "http_method", true);
        c.done()?;
        let cred = &self.creds[&self.seq_of(id)?];
        let j = &cred.json;
        let mut answer =
            json!({"headers": {}, "params": {}, "certificates": [], "url_attributes": {}, "body_attributes": {}});
        if j["auth_type"] == "api_key" {
            let (name, to) = (j["api_key"]["token_name"].as_str().unwrap_or_default(), &j["api_key"]["add_to"]);
            let place = if to == "query" { "params" } else { "headers" };
            answer[place][name] = json!(cred.secret.as_deref().unwrap_or_default());
            return Ok(answer);
        }
        if j["auth_type"] == "basic" {
            use base64::Engine as _;
            let user = j["basic"]["username"].as_str().unwrap_or_default();
            let pair = format!("{user}:{}", cred.secret.as_deref().unwrap_or_default());
            answer["headers"]["Authorization"] =
                json!(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair)));
            return Ok(answer);
        }
        let status = j["oauth2"]["status"].as_str().unwrap_or_default();
        if status != "authorized" {
            return Err(ApiError::Conflict(format!(
                "the credential's OAuth authorization is {status}, not authorized"
            )));
        }
        let site = j["oauth2"]["granted_sites"][0].as_str().unwrap_or_default();
        let bearer = uuid::Uuid::new_v4().simple().to_string();
        self.jira_tokens.insert(bearer.clone(), id.to_string());
        answer["headers"]["Authorization"] = json!(format!("Bearer {bearer}"));
        answer["url_attributes"]["cloud_id"] = json!(cloud_id(site));
        Ok(answer)
    }

    /// `POST /_sim/credentials/{id}/jira`: whether Atlassian accepts its token.
    pub fn set_jira_accepts(&mut self, id: &str, accepts: bool) -> Result<Value, ApiError> {
        self.seq_of(id)?;
        if accepts {
            self.jira_rejects.remove(id);
        } else {
            self.jira_rejects.insert(id.to_string());
        }
        Ok(json!({"id": id, "accepts": accepts}))
    }

    /// Jira's `myself` for Basic authentication: the account, when an
    /// email and API token of a credential match and Atlassian accepts it.
    pub fn jira_basic(&self, email: &str, token: &str) -> Option<Value> {
        self.creds.values().find_map(|c| {
            let ok = c.json["auth_type"] == "basic"
                && c.json["basic"]["username"] == email
                && c.secret.as_deref().is_some_and(|s| crate::constant_time_eq(s, token))
                && !self.jira_rejects.contains(c.json["id"].as_str()?);
            ok.then(|| account(&c.json))
        })
    }

    /// Jira's `myself` through Atlassian's API for a Bearer token of `cloud`.
    pub fn jira_bearer(&self, token: &str, cloud: &str) -> Option<Value> {
        let id = self.jira_tokens.get(token)?;
        let j = &self.creds.get(self.index.get(id)?)?.json;
        let site = j["oauth2"]["granted_sites"][0].as_str().unwrap_or_default();
        let ok = j["oauth2"]["status"] == "authorized" && cloud_id(site) == cloud && !self.jira_rejects.contains(id);
        ok.then(|| account(j))
    }
}

/// Atlassian's id of a site, as accessible-resources answers it.
pub fn cloud_id(site: &str) -> String {
    format!("site-{}", site.split(['.', ':']).next().unwrap_or_default())
}

/// The Jira account behind a credential.
fn account(j: &Value) -> Value {
    let email = j["basic"]["username"].as_str().map(String::from).unwrap_or_else(|| "oauth-user@example.com".into());
    json!({
        "accountId": format!("acc-{}", j["id"].as_str().unwrap_or_default()),
        "displayName": format!("{} (service account)", j["name"].as_str().unwrap_or_default()),
        "emailAddress": email,
        "active": true,
    })
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

/// `sortby=<field> asc|desc`.
pub struct SortBy {
    pub field: String,
    pub descending: bool,
}

/// The fields a listing may be sorted by.
pub const SORTABLE: &[&str] = &["id", "name", "owner", "auth_type", "saas", "created_at", "updated_at"];

impl SortBy {
    pub fn parse(s: &str) -> Result<SortBy, ApiError> {
        let mut words = s.split_whitespace();
        let field = words.next().unwrap_or_default();
        let descending = match words.next() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => return Err(ApiError::BadRequest(format!("sortby: {other:?} is not asc or desc"))),
        };
        if !SORTABLE.contains(&field) || words.next().is_some() {
            return Err(ApiError::BadRequest(format!(
                "sortby: {s:?} is not `<field> asc|desc` with a field of {}",
                SORTABLE.join(", ")
            )));
        }
        Ok(SortBy { field: field.to_string(), descending })
    }
}

/// A credential's field for the filter language; `oauth2.status` reaches in.
fn field_of<'a>(j: &'a Value, path: &str) -> Option<Field<'a>> {
    let v = path.split('.').try_fold(j, |v, k| v.get(k))?;
    match v {
        Value::String(s) => Some(Field::Text(s)),
        Value::Number(n) => n.as_f64().map(Field::Number),
        Value::Bool(b) => Some(Field::Bool(*b)),
        _ => None,
    }
}

fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(std::cmp::Ordering::Equal)
        }
        (Value::Null, Value::Null) => std::cmp::Ordering::Equal,
        (Value::Null, _) => std::cmp::Ordering::Less,
        (_, Value::Null) => std::cmp::Ordering::Greater,
        _ => std::cmp::Ordering::Equal,
    }
}

fn expiry() -> String {
    crate::clock::format(crate::clock::now() + time::Duration::seconds(ACCESS_TOKEN_SECONDS))
}

fn oauth_client(c: &Cred) -> OAuthClient {
    let text = |k: &str| c.json["oauth2"][k].as_str().unwrap_or_default().to_string();
    OAuthClient {
        id: c.json["id"].as_str().unwrap_or_default().to_string(),
        client_id: text("client_id"),
        client_secret: c.secret.clone().unwrap_or_default(),
        redirect_uri: text("callback_url"),
        refresh_token: c.oauth.refresh_token.clone(),
    }
}

/// Opens a new consent: a fresh `state`, the consent URL Atlassian would
/// show, and the old authorization gone.
fn start_consent(consent_base: &str, cred: &mut Cred) {
    let state = uuid::Uuid::new_v4().simple().to_string();
    let o = &cred.json["oauth2"];
    let scopes: Vec<&str> =
        o["scopes"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("audience", "api.atlassian.com")
        .append_pair("client_id", o["client_id"].as_str().unwrap_or_default())
        .append_pair("scope", &scopes.join(" "))
        .append_pair("redirect_uri", o["callback_url"].as_str().unwrap_or_default())
        .append_pair("state", &state)
        .append_pair("response_type", "code")
        .append_pair("prompt", "consent")
        .finish();
    let o = &mut cred.json["oauth2"];
    o["status"] = json!("pending_authorization");
    o["authorization_url"] = json!(format!("{consent_base}/_atlassian/authorize?{query}"));
    o["expires_at"] = Value::Null;
    o["granted_sites"] = json!([]);
    cred.oauth = OAuthSecrets { state: Some(state), refresh_token: None };
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

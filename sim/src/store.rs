//! The simulator's credentials, their validation and their file.
//!
//! Credentials are kept as the JSON the API answers. Secrets live only in
//! memory, are never answered and never written to the data file.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

pub const DEFAULT_OWNER: &str = "svc-oomnitza";
pub const DEFAULT_CALLBACK: &str = "https://generic-oauth2-proxy.oomnitza.com/oauth2/redirect_url";
const KNOWN_SCOPES: &[&str] = &[
    "read:jira-user",
    "read:jira-work",
    "write:jira-work",
    "manage:jira-project",
    "manage:jira-configuration",
    "read:me",
    "offline_access",
];
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
}

pub struct Store {
    /// By creation sequence, so listings keep creation order.
    creds: BTreeMap<u64, Cred>,
    index: HashMap<String, u64>,
    next_seq: u64,
    idempotency: HashMap<String, u64>,
    /// Keys in the order they were seen, to forget them after 24 hours
    /// without scanning every key on every create.
    idempotency_order: VecDeque<(Instant, String)>,
    path: Option<PathBuf>,
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
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
                if !s.as_str().is_some_and(|s| KNOWN_SCOPES.contains(&s)) {
                    c.fail("oauth2.scopes", &format!("unknown scope {s}"));
                }
            }
        }
        Some(_) => c.fail("oauth2.scopes", "must be a non-empty array of scopes"),
    }
    if let Some(u) = c.string(o, "callback_url", "oauth2.callback_url", false) {
        if !u.starts_with("https://") {
            c.fail("oauth2.callback_url", "must be an https URL");
        }
    }
}

const TOP_FIELDS: &[&str] =
    &["name", "owner", "description", "saas", "auth_type", "basic", "oauth2", "expiration_date"];

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
            s.creds.insert(seq, Cred { json: c.clone(), secret: None });
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
        let text =
            serde_json::to_vec_pretty(&json!({ "credentials": list })).map_err(|e| ApiError::Storage(e.to_string()))?;
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
            while self.idempotency_order.front().is_some_and(|(t, _)| t.elapsed() >= IDEMPOTENCY_WINDOW) {
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
        match c.string(b, "saas", "saas", true) {
            Some("jira") | None => {}
            Some(_) => c.fail("saas", "only jira is supported"),
        }
        let auth_type = c.string(b, "auth_type", "auth_type", true).unwrap_or_default().to_string();
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
        let (mut basic, mut oauth, mut secret) = (Value::Null, Value::Null, None);
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
                        });
                        secret = o.get("client_secret").and_then(Value::as_str).map(String::from);
                    }
                    _ => c.fail("oauth2", "is required for auth_type oauth2"),
                }
            }
            "" => {}
            _ => c.fail("auth_type", "must be basic or oauth2"),
        }
        c.done()?;
        let ts = now();
        let id = uuid::Uuid::new_v4().to_string();
        let json = json!({
            "id": id, "name": name, "owner": owner, "description": description,
            "saas": "jira", "auth_type": auth_type, "basic": basic, "oauth2": oauth,
            "expiration_date": expiration, "secret_version": 1,
            "created_at": ts, "updated_at": ts,
        });
        let seq = self.next_seq;
        self.next_seq += 1;
        self.index.insert(id, seq);
        self.creds.insert(seq, Cred { json: json.clone(), secret });
        if let Some(k) = idempotency_key {
            self.idempotency.insert(k.to_string(), seq);
            self.idempotency_order.push_back((Instant::now(), k.to_string()));
        }
        self.save()?;
        Ok(json)
    }

    pub fn list(&self, saas: Option<&str>, name: Option<&str>, skip: usize, limit: usize) -> Vec<Value> {
        self.creds
            .values()
            .map(|c| &c.json)
            .filter(|j| saas.is_none_or(|s| j["saas"] == s))
            .filter(|j| name.is_none_or(|n| j["name"] == n))
            .skip(skip)
            .take(limit)
            .cloned()
            .collect()
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
        let is_basic = cur["auth_type"] == "basic";
        let mut c = Check::default();
        for k in obj.keys() {
            if !TOP_FIELDS.contains(&k.as_str()) {
                c.fail(k, "unknown field");
            }
        }
        c.string(b, "name", "name", false);
        c.string(b, "owner", "owner", false);
        if let Some(d) = obj.get("expiration_date") {
            if !is_basic {
                c.fail("expiration_date", "is read-only for OAuth 2.0 credentials");
            } else if !d.is_null() && !d.as_str().is_some_and(is_date) {
                c.fail("expiration_date", "must be a date, YYYY-MM-DD, or null");
            }
        }
        match (obj.get("basic"), obj.get("oauth2")) {
            (Some(bb), _) if !is_basic && !bb.is_null() => c.fail("basic", "this is an OAuth 2.0 credential"),
            (_, Some(o)) if is_basic && !o.is_null() => c.fail("oauth2", "this is a Basic Auth credential"),
            (Some(bb), _) if !bb.is_null() => check_basic(&mut c, bb, true),
            (_, Some(o)) if !o.is_null() => check_oauth(&mut c, o, true),
            _ => {}
        }
        c.done()?;

        let Some(cred) = self.creds.get_mut(&seq) else { return Err(ApiError::NotFound) };
        let j = &mut cred.json;
        for k in ["name", "owner", "description", "expiration_date"] {
            if let Some(v) = obj.get(k) {
                j[k] = v.clone();
            }
        }
        let (section, secret_key) = if is_basic { ("basic", "password") } else { ("oauth2", "client_secret") };
        if let Some(Value::Object(sub)) = obj.get(section) {
            for (k, v) in sub {
                if k == secret_key {
                    cred.secret = v.as_str().map(String::from);
                    j["secret_version"] = json!(j["secret_version"].as_i64().unwrap_or(0) + 1);
                } else if matches!(k.as_str(), "username" | "client_id" | "scopes" | "callback_url" | "site") {
                    j[section][k] = v.clone();
                }
            }
        }
        j["updated_at"] = json!(now());
        let out = j.clone();
        self.save()?;
        Ok(out)
    }

    pub fn delete(&mut self, id: &str) -> Result<(), ApiError> {
        let seq = self.seq_of(id)?;
        self.index.remove(id);
        self.creds.remove(&seq);
        self.save()
    }

    pub fn authorize(&mut self, id: &str) -> Result<Value, ApiError> {
        let j = &self.creds[&self.seq_of(id)?].json;
        if j["auth_type"] != "oauth2" {
            return Err(ApiError::Conflict("only OAuth 2.0 credentials are authorized".into()));
        }
        Ok(json!({ "authorization_url": j["oauth2"]["authorization_url"] }))
    }

    /// A person's change in the Oomnitza UI: any listed field, no checks.
    pub fn edit_out_of_band(&mut self, id: &str, b: &Value) -> Result<Value, ApiError> {
        let seq = self.seq_of(id)?;
        let Some(cred) = self.creds.get_mut(&seq) else { return Err(ApiError::NotFound) };
        if let Some(obj) = b.as_object() {
            merge(&mut cred.json, obj);
        }
        cred.json["updated_at"] = json!(now());
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
        let out = cred.json.clone();
        self.save()?;
        Ok(out)
    }

    pub fn secret_matches(&self, id: &str, value: &str) -> Result<Option<bool>, ApiError> {
        Ok(self.creds[&self.seq_of(id)?].secret.as_ref().map(|s| s == value))
    }
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

//! The create journal: how a create proves that a credential is its own.
//!
//! Every create gets a random `Idempotency-Key`, used by its own retries and
//! by nothing else. Before the first POST, the create writes an entry (the
//! key, a digest of what it creates, and later the id Oomnitza gave) into
//! this working directory's `.terraform/` (per workspace), and the entry is
//! marked done once the answer is handed to Terraform.
//!
//! Each process writes its entries, as lines, to a log of its own, made at
//! its first create and locked (`flock`) for as long as the process lives,
//! then removed when every entry in it is done. One log per process, not a
//! file per create: making and removing a file for each create cost the
//! filesystem more than the create's own request.
//!
//! An entry not done in a log that nobody holds is therefore a create whose
//! process died before Terraform heard of its credential: the only
//! credential a later create may take for its own (same content, same
//! directory, same workspace). A create that takes it holds that log's lock
//! while it runs. Everything else is created anew; a credential that only
//! looks the same, or that another state holds, is never taken over. The
//! entries of a live process (a parallel create, a concurrent `terraform
//! test`) are locked, and so skipped.
//!
//! Logs written by earlier versions (`<content>.<key>.json`, one entry each)
//! read the same way.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{Read as _, Write as _};
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use serde::{Deserialize, Serialize};
use tracing::{debug, warn};

/// How long Oomnitza keeps an idempotency key: an entry older than this
/// without an id cannot be resolved through its key any more.
pub const KEY_LIFETIME_SECS: i64 = 23 * 3600;

/// Terraform's data folder of this working directory: `$TF_DATA_DIR`,
/// else `.terraform` (relative to the working directory).
pub fn terraform_data_dir() -> PathBuf {
    std::env::var_os("TF_DATA_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(".terraform"))
}

/// Where the journal of this working directory and workspace lives:
/// `$TF_DATA_DIR` (else `.terraform`) `/oomnitza-creates/<workspace>`.
pub fn default_dir() -> Option<PathBuf> {
    let data = terraform_data_dir();
    let workspace = std::env::var("TF_WORKSPACE")
        .ok()
        .or_else(|| fs::read_to_string(data.join("environment")).ok())
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .unwrap_or_else(|| "default".to_string());
    let cwd = std::env::current_dir().ok()?;
    Some(cwd.join(data).join("oomnitza-creates").join(folder_of(&workspace)))
}

/// The journal folder of a workspace: one folder per name, never shared by
/// two (`team@a`, `team+a` and `team_a` differ), and never a path built
/// from input. Letters, digits, `-` and `.` stay; every other byte,
/// `_` included, becomes `_` and two hex digits.
pub fn folder_of(workspace: &str) -> String {
    let mut out = String::with_capacity(workspace.len());
    for b in workspace.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || (b == b'.' && !workspace.trim_matches('.').is_empty()) {
            out.push(b as char);
        } else {
            out.push_str(&format!("_{b:02X}"));
        }
    }
    out
}

/// Which directory this is, as the filesystem knows it: a copy (`cp -r`, a
/// restored CI cache) is another directory with the same contents, and an
/// entry written in one proves nothing in the other.
fn identity_of(dir: &Path) -> Option<String> {
    fs::metadata(dir).ok().map(|m| format!("{}:{}", m.dev(), m.ino()))
}

/// What an entry holds. Never a secret.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Record {
    /// The create's `Idempotency-Key`.
    pub key: String,
    /// A digest of what the create makes, without its secret.
    pub content: String,
    /// When the create began (Unix seconds).
    pub started: i64,
    /// The credential's id, once Oomnitza answered.
    pub id: Option<String>,
    /// The credential's name, to name it when it is left over.
    #[serde(default)]
    pub name: Option<String>,
    /// The journal folder the entry was written in (device and inode): only
    /// there may it be adopted.
    #[serde(default)]
    pub home: Option<String>,
}

/// An entry no live process holds, found when the journal is first looked
/// at: a create whose process died before Terraform heard of it.
#[derive(Clone, Debug)]
pub struct Leftover {
    pub record: Record,
    /// Written in this very folder, not a copy of it: adoptable.
    pub here: bool,
    /// For a create never answered: the credentials that may be what it
    /// made (its name, made since it began), once looked up. Each one a
    /// read or import meets is held by a state; when none is left, no
    /// orphan can be, and the entry is retired.
    pub candidates: Option<Vec<String>>,
    path: PathBuf,
}

impl Record {
    /// Too old for Oomnitza to still know its key.
    pub fn key_expired(&self) -> bool {
        now() - self.started > KEY_LIFETIME_SECS
    }
}

/// The journal of one working directory and workspace; `None` inside when
/// it cannot be written (creates then cannot be resumed after a crash, but
/// are as safe).
#[derive(Debug)]
pub struct Journal {
    dir: Option<PathBuf>,
    /// The contents an orphaned entry may be of: those not done at this
    /// process's first look, and those this process began. A create of any
    /// other content needs no look at the directory; only an entry of a
    /// concurrent process that dies during this one is missed that way,
    /// and that costs at most a second credential, named in a warning.
    maybe: Mutex<Option<HashSet<String>>>,
    /// The entries left over at this process's first look ([`Journal::leftovers`]).
    leftovers: Mutex<Option<Vec<Leftover>>>,
    /// The directory's identity once this process has made sure it exists:
    /// made and looked up once, not for every create.
    home: OnceLock<std::io::Result<Option<String>>>,
    /// This process's own log, made at its first create; `None` when it
    /// could not be (creates then keep their entries in memory).
    own: OnceLock<Option<Arc<Log>>>,
    /// Logs of dead processes whose entries creates of this process took:
    /// each stays locked while one of those entries lives (the entries hold
    /// it), as an entry of a live process.
    held: Mutex<HashMap<PathBuf, Weak<Log>>>,
}

/// One log, locked by this process for as long as it is open here.
#[derive(Debug)]
struct Log {
    path: PathBuf,
    /// This process's own log, not a dead process's.
    own: bool,
    state: Mutex<LogState>,
}

#[derive(Debug)]
struct LogState {
    /// Holds the lock; closed (unlocking) with the log.
    file: File,
    /// The entries of the log not done yet, by key.
    open: HashMap<String, Record>,
    /// Those a create of this process is working on now.
    taken: HashSet<String>,
}

/// One create's entry, held by this process while the create runs.
#[derive(Debug)]
pub struct Entry {
    /// Where the entry is written; `None` when nowhere (memory only).
    log: Option<Arc<Log>>,
    pub record: Record,
}

/// A line of a log: an entry begun, the id Oomnitza gave it, or its end. An
/// id line without a key (written by earlier versions, one entry per file)
/// is of the entry before it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Line {
    Begun(Record),
    Done { key: String, done: bool },
    Id { key: Option<String>, id: String },
}

#[derive(Serialize)]
struct IdLine<'a> {
    key: &'a str,
    id: &'a str,
}

#[derive(Serialize)]
struct DoneLine<'a> {
    key: &'a str,
    done: bool,
}

/// The entries of a log not done yet, in the order they were begun; lines
/// not ended (cut short by a kill) are not read.
fn read_log(bytes: &[u8]) -> Vec<Record> {
    let mut open: Vec<Record> = Vec::new();
    for line in bytes.split_inclusive(|b| *b == b'\n').filter(|l| l.ends_with(b"\n") && l.len() > 1) {
        match serde_json::from_slice::<Line>(line) {
            Ok(Line::Begun(record)) => open.push(record),
            Ok(Line::Id { key, id }) => {
                let entry = match key {
                    Some(key) => open.iter_mut().find(|r| r.key == key),
                    None => open.last_mut(),
                };
                if let Some(r) = entry {
                    r.id = Some(id);
                }
            }
            Ok(Line::Done { key, done: true }) => open.retain(|r| r.key != key),
            Ok(Line::Done { .. }) | Err(_) => {}
        }
    }
    open
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn same_file(path: &Path, file: &File) -> bool {
    match (fs::metadata(path), file.metadata()) {
        (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
        _ => false,
    }
}

/// Whether a directory item is a log (or an earlier version's entry).
fn is_log(name: &str) -> bool {
    name.ends_with(".log") || name.ends_with(".json")
}

/// The logs of a directory.
fn logs_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(items) = fs::read_dir(dir) else { return Vec::new() };
    items.flatten().filter(|i| i.file_name().to_str().is_some_and(is_log)).map(|i| i.path()).collect()
}

/// A log no live process holds, locked for this process, with its entries
/// not done; `None` when it is held (or gone, or unreadable). A log whose
/// every entry is done is removed on the way.
fn take_dead(path: &Path) -> Option<(File, Vec<Record>)> {
    let mut file = OpenOptions::new().read(true).append(true).open(path).ok()?;
    // Held by a live process: not dead.
    file.try_lock().ok()?;
    // Removed or replaced between listing and locking: look no further.
    if !same_file(path, &file) {
        return None;
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).ok()?;
    let open = read_log(&bytes);
    if open.is_empty() {
        let _ = fs::remove_file(path);
        return None;
    }
    Some((file, open))
}

impl Log {
    fn new(path: PathBuf, own: bool, file: File, open: Vec<Record>) -> Arc<Log> {
        let open = open.into_iter().map(|r| (r.key.clone(), r)).collect();
        Arc::new(Log { path, own, state: Mutex::new(LogState { file, open, taken: HashSet::new() }) })
    }

    /// Appends one line, led by a newline so that a line cut short before
    /// stays apart.
    fn append(state: &mut LogState, line: &impl Serialize) -> std::io::Result<()> {
        let mut bytes = vec![b'\n'];
        serde_json::to_writer(&mut bytes, line).map_err(std::io::Error::other)?;
        bytes.push(b'\n');
        state.file.write_all(&bytes)
    }

    /// Takes an entry of `content` that no create of this process is
    /// working on, written in the directory `home`.
    fn take(self: &Arc<Self>, content: &str, home: &Option<String>) -> Option<Entry> {
        let mut state = self.state.lock().ok()?;
        let state = &mut *state;
        let record = state
            .open
            .values()
            .find(|r| r.content == content && !state.taken.contains(&r.key) && r.home.is_some() && &r.home == home)?
            .clone();
        state.taken.insert(record.key.clone());
        Some(Entry { log: Some(self.clone()), record })
    }

    /// Marks an entry done. A dead process's log goes with its last entry
    /// (this process's own, when the process ends: one file per process).
    fn done(&self, key: &str) {
        let Ok(mut state) = self.state.lock() else { return };
        state.taken.remove(key);
        if state.open.remove(key).is_none() {
            return;
        }
        if !self.own && state.open.is_empty() {
            let _ = fs::remove_file(&self.path);
        } else if let Err(e) = Log::append(&mut state, &DoneLine { key, done: true }) {
            warn!(error = %e, "cannot update the create journal");
        }
    }
}

impl Drop for Log {
    /// A log whose every entry is done goes, removed while still locked.
    fn drop(&mut self) {
        if self.state.get_mut().is_ok_and(|s| s.open.is_empty()) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

impl Journal {
    pub fn at(dir: Option<PathBuf>) -> Journal {
        Journal {
            dir,
            maybe: Mutex::new(None),
            leftovers: Mutex::new(None),
            home: OnceLock::new(),
            own: OnceLock::new(),
            held: Mutex::new(HashMap::new()),
        }
    }

    /// The entries no live process holds, read once per process (later
    /// calls answer the same, less those retired or taken since).
    pub fn leftovers(&self) -> Vec<Leftover> {
        let Some(dir) = &self.dir else { return Vec::new() };
        let Ok(mut cache) = self.leftovers.lock() else { return Vec::new() };
        cache
            .get_or_insert_with(|| {
                let home = identity_of(dir);
                let mut out = Vec::new();
                for path in logs_in(dir) {
                    // The probe's lock goes with the file at the end of this turn.
                    let Some((_file, open)) = take_dead(&path) else { continue };
                    for record in open {
                        let here = record.home.is_some() && record.home == home;
                        out.push(Leftover { record, here, candidates: None, path: path.clone() });
                    }
                }
                out
            })
            .clone()
    }

    /// Forgets the entries that name credential `id`: a read or an import
    /// met it, so a state holds it and it is nobody's orphan. Cheap when
    /// no entry is left over (the common case: one look per process).
    pub fn retire(&self, id: &str) {
        if self.dir.is_none() {
            return;
        }
        let names = |l: &Leftover| {
            l.record.id.as_deref() == Some(id) || l.candidates.as_ref().is_some_and(|c| c.iter().any(|c| c == id))
        };
        if !self.leftovers().iter().any(names) {
            return;
        }
        let mut retired = Vec::new();
        if let Ok(mut cache) = self.leftovers.lock() {
            if let Some(list) = cache.as_mut() {
                list.retain_mut(|l| {
                    if let Some(c) = l.candidates.as_mut() {
                        c.retain(|c| c != id);
                    }
                    let held = l.record.id.as_deref() == Some(id) || l.candidates.as_ref().is_some_and(Vec::is_empty);
                    if held {
                        debug!(key = %l.record.key, id, "a state holds the credential of a left-over create entry; retiring it");
                        retired.push((l.path.clone(), l.record.key.clone()));
                    }
                    !held
                });
            }
        }
        for (path, key) in retired {
            self.mark_done(&path, &key);
        }
    }

    /// Records what an unanswered leftover's credential may be.
    pub fn set_candidates(&self, key: &str, ids: Vec<String>) {
        if let Ok(mut cache) = self.leftovers.lock() {
            if let Some(l) = cache.as_mut().and_then(|list| list.iter_mut().find(|l| l.record.key == key)) {
                l.candidates = Some(ids);
            }
        }
    }

    /// Forgets a leftover's entry (its credential is gone from Oomnitza).
    pub fn drop_leftover(&self, key: &str) {
        let mut gone = None;
        if let Ok(mut cache) = self.leftovers.lock() {
            if let Some(list) = cache.as_mut() {
                list.retain(|l| {
                    if l.record.key != key {
                        return true;
                    }
                    gone = Some(l.path.clone());
                    false
                });
            }
        }
        if let Some(path) = gone {
            self.mark_done(&path, key);
        }
    }

    /// Marks a dead log's entry done: through this process's hold of it, or
    /// under a lock of its own for the moment; left as it is when a live
    /// process holds the log (that process resolves it).
    fn mark_done(&self, path: &Path, key: &str) {
        let held = self.held.lock().ok().and_then(|h| h.get(path).and_then(Weak::upgrade));
        let log = match held {
            Some(log) => log,
            None => match take_dead(path) {
                Some((file, open)) => Log::new(path.to_path_buf(), false, file, open),
                None => return,
            },
        };
        log.done(key);
    }

    /// Stops naming a leftover that a create of this process took.
    fn taken(&self, key: &str) {
        if let Ok(mut cache) = self.leftovers.lock() {
            if let Some(list) = cache.as_mut() {
                list.retain(|l| l.record.key != key);
            }
        }
    }

    /// Whether an orphaned entry of `content` may exist; the first call
    /// looks at the directory, later ones remember; `begun` adds `content`.
    fn may_have(&self, dir: &Path, content: &str, begun: bool) -> bool {
        let Ok(mut maybe) = self.maybe.lock() else { return true };
        let known = maybe.get_or_insert_with(|| {
            logs_in(dir)
                .iter()
                .filter_map(|p| fs::read(p).ok())
                .flat_map(|bytes| read_log(&bytes))
                .map(|r| r.content)
                .collect()
        });
        if begun {
            known.insert(content.to_string());
        }
        known.contains(content)
    }

    /// This process's own log, made (and locked) at the first call.
    fn own_log(&self, dir: &Path) -> Option<Arc<Log>> {
        self.own
            .get_or_init(|| match self.make_own_log(dir) {
                Ok(log) => Some(log),
                Err(e) => {
                    warn!(error = %e, dir = %dir.display(), "cannot write the create journal; an interrupted create will not be resumed");
                    None
                }
            })
            .clone()
    }

    fn make_own_log(&self, dir: &Path) -> std::io::Result<Arc<Log>> {
        if let Err(e) = self.home.get_or_init(|| fs::create_dir_all(dir).map(|_| identity_of(dir))) {
            return Err(std::io::Error::new(e.kind(), e.to_string()));
        }
        let path = dir.join(format!("{}-{}.log", std::process::id(), uuid::Uuid::new_v4().simple()));
        let file = OpenOptions::new().create_new(true).append(true).read(true).open(&path)?;
        if let Err(e) = file.try_lock() {
            let _ = fs::remove_file(&path);
            return Err(std::io::Error::other(e));
        }
        Ok(Log::new(path, true, file, Vec::new()))
    }

    /// Writes the entry of a create that is about to be sent. Without a
    /// usable directory the entry lives in memory only.
    pub fn begin(&self, content: &str, name: &str) -> Entry {
        let mut record = Record {
            key: uuid::Uuid::new_v4().to_string(),
            content: content.to_string(),
            started: now(),
            id: None,
            name: Some(name.to_string()),
            home: None,
        };
        let Some(dir) = &self.dir else { return Entry { log: None, record } };
        self.may_have(dir, content, true);
        let Some(log) = self.own_log(dir) else { return Entry { log: None, record } };
        record.home = self.home.get().and_then(|h| h.as_ref().ok()).cloned().flatten();
        if let Ok(mut state) = log.state.lock() {
            match Log::append(&mut state, &record) {
                Ok(()) => {
                    state.open.insert(record.key.clone(), record.clone());
                    state.taken.insert(record.key.clone());
                }
                Err(e) => {
                    warn!(error = %e, "cannot write the create journal; an interrupted create will not be resumed");
                    return Entry { log: None, record };
                }
            }
        }
        Entry { log: Some(log), record }
    }

    /// An earlier create of the same content whose process is gone before
    /// Terraform heard of it (or a create of this process that ended in
    /// doubt), taken for this create; `None` when there is none.
    pub fn resume(&self, content: &str) -> Option<Entry> {
        let dir = self.dir.as_ref()?;
        if !self.may_have(dir, content, false) {
            return None;
        }
        // Written in another directory (this one is a copy, or a restored
        // cache): it proves nothing here. Named, never adopted.
        let home = identity_of(dir);
        let own = self.own.get().cloned().flatten();
        let held: Vec<Arc<Log>> = match self.held.lock() {
            Ok(mut held) => {
                // A log whose entries of this process are all gone is no
                // longer held: unlocked, it is read anew below.
                held.retain(|_, log| log.strong_count() > 0);
                held.values().filter_map(Weak::upgrade).collect()
            }
            Err(_) => Vec::new(),
        };
        if let Some(entry) = own.iter().chain(held.iter()).find_map(|log| log.take(content, &home)) {
            return Some(self.resumed(entry));
        }
        let skip: HashSet<PathBuf> = own.iter().chain(held.iter()).map(|l| l.path.clone()).collect();
        for path in logs_in(dir).into_iter().filter(|p| !skip.contains(p)) {
            let Some((file, open)) = take_dead(&path) else { continue };
            // Not taken: the log is closed, and its lock goes, here.
            let log = Log::new(path.clone(), false, file, open);
            let Some(entry) = log.take(content, &home) else { continue };
            if let Ok(mut held) = self.held.lock() {
                held.insert(path, Arc::downgrade(&log));
            }
            return Some(self.resumed(entry));
        }
        None
    }

    fn resumed(&self, entry: Entry) -> Entry {
        self.taken(&entry.record.key);
        debug!(key = %entry.record.key, id = ?entry.record.id, "resuming an interrupted create from the journal");
        entry
    }
}

impl Entry {
    /// Records the id Oomnitza gave, so that a later create finds the
    /// credential by id whatever happens to the key: a line appended to the
    /// log. A line cut short by a kill is not read, and the entry is then
    /// resolved through its key.
    pub fn record_id(&mut self, id: &str) {
        self.record.id = Some(id.to_string());
        let Some(log) = &self.log else { return };
        let Ok(mut state) = log.state.lock() else { return };
        if let Some(r) = state.open.get_mut(&self.record.key) {
            r.id = Some(id.to_string());
        }
        if let Err(e) = Log::append(&mut state, &IdLine { key: &self.record.key, id }) {
            warn!(error = %e, "cannot update the create journal");
        }
    }

    /// The create's answer is handed to Terraform: nothing left to resume.
    pub fn finish(mut self) {
        if let Some(log) = self.log.take() {
            log.done(&self.record.key);
        }
    }
}

impl Drop for Entry {
    /// A create that ended in doubt: its entry stays in the log, for a later
    /// create of the same content (of this process or, once it is gone, of
    /// another) to resolve.
    fn drop(&mut self) {
        if let Some(log) = &self.log {
            if let Ok(mut state) = log.state.lock() {
                state.taken.remove(&self.record.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_entry_is_never_resumed_and_a_dead_one_once() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::at(Some(dir.path().to_path_buf()));
        let mut live = j.begin("abc", "n");
        live.record_id("cred-1");
        assert!(j.resume("abc").is_none(), "an entry held by a live create is not resumable");
        // The process dies: its lock goes, the file stays.
        drop(live);
        let found = j.resume("abc").expect("the orphaned entry");
        assert_eq!(found.record.id.as_deref(), Some("cred-1"));
        assert!(j.resume("abc").is_none(), "taken by one create only");
        assert!(j.resume("other").is_none(), "other content never matches");
        found.finish();
        drop(j);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "finished entries leave nothing");
    }

    #[test]
    fn an_id_line_cut_short_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let at = || Journal::at(Some(dir.path().to_path_buf()));
        drop(at().begin("abc", "n"));
        let path = logs_in(dir.path()).pop().unwrap();
        // A kill in the middle of appending the id.
        OpenOptions::new().append(true).open(&path).unwrap().write_all(br#"{"id":"cred"#).unwrap();
        let j = at();
        let mut found = j.resume("abc").expect("the orphaned entry");
        assert_eq!(found.record.id, None, "resolved through its key instead");
        found.record_id("cred-2");
        drop(found);
        assert_eq!(j.resume("abc").unwrap().record.id.as_deref(), Some("cred-2"), "the id appended is read back");
        drop(j);
        assert_eq!(at().resume("abc").unwrap().record.id.as_deref(), Some("cred-2"), "the last whole id line counts");
    }

    /// One log per process however many creates it makes, gone when the
    /// process ends with all of them done; a log of a dead process that a
    /// create took stays locked (the entries of a live process) until done.
    #[test]
    fn one_log_per_process() {
        let dir = tempfile::tempdir().unwrap();
        let at = || Journal::at(Some(dir.path().to_path_buf()));
        let j = at();
        let entries: Vec<Entry> = (0..5).map(|i| j.begin(&format!("c{i}"), "n")).collect();
        assert_eq!(logs_in(dir.path()).len(), 1);
        assert!(at().leftovers().is_empty(), "a live process's entries are not left over");
        for e in entries {
            e.finish();
        }
        drop(at().begin("doubt", "n"));
        assert_eq!(logs_in(dir.path()).len(), 2);
        drop(j);
        assert_eq!(logs_in(dir.path()).len(), 1, "the finished process's log is gone");
        let k = at();
        let taken = k.resume("doubt").expect("the dead process's entry");
        assert!(at().leftovers().is_empty(), "held by this process now");
        assert!(at().resume("doubt").is_none());
        taken.finish();
        assert!(logs_in(dir.path()).is_empty(), "the dead log went with its last entry");
    }

    /// An entry written by an earlier version (a file per create, its id on
    /// a line without a key) is read, resumed and retired the same way.
    #[test]
    fn an_earlier_versions_entry_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let home = identity_of(dir.path()).unwrap();
        let record =
            format!(r#"{{"key":"k1","content":"abc","started":{},"id":null,"name":"n","home":"{home}"}}"#, now());
        fs::write(dir.path().join("abc.k1.json"), format!("{record}\n\n{{\"id\":\"cred-9\"}}\n")).unwrap();
        let j = Journal::at(Some(dir.path().to_path_buf()));
        assert_eq!(j.leftovers()[0].record.id.as_deref(), Some("cred-9"));
        let found = j.resume("abc").expect("the earlier version's entry");
        assert_eq!((found.record.key.as_str(), found.record.id.as_deref()), ("k1", Some("cred-9")));
        found.finish();
        assert!(logs_in(dir.path()).is_empty());
    }

    #[test]
    fn only_contents_seen_or_begun_are_looked_for() {
        let dir = tempfile::tempdir().unwrap();
        // An orphan left by an earlier process.
        drop(Journal::at(Some(dir.path().to_path_buf())).begin("old", "n"));
        let j = Journal::at(Some(dir.path().to_path_buf()));
        assert!(j.resume("new").is_none());
        assert!(j.resume("old").is_some(), "seen at the first look");
        // This process's own create that ended in doubt leaves its entry.
        drop(j.begin("mine", "n"));
        assert!(j.resume("mine").is_some(), "begun here");
        // An entry that appeared since the first look, by another process.
        drop(Journal::at(Some(dir.path().to_path_buf())).begin("theirs", "n"));
        assert!(j.resume("theirs").is_none(), "not looked for");
    }

    #[test]
    fn a_finished_entry_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::at(Some(dir.path().join("ws")));
        j.begin("abc", "n").finish();
        assert!(j.resume("abc").is_none());
    }

    #[test]
    fn without_a_directory_nothing_is_written() {
        let e = Journal::at(None).begin("abc", "n");
        assert!(e.record.key.len() >= 32);
        assert!(Journal::at(None).resume("abc").is_none());
    }

    #[test]
    fn workspace_folders_are_one_to_one() {
        let names = ["team@a", "team+a", "team_a", "team_40a", "team a", "default", "..", ".", "a.b"];
        let folders: HashSet<String> = names.iter().map(|n| folder_of(n)).collect();
        assert_eq!(folders.len(), names.len(), "{folders:?}");
        assert_eq!(folder_of("default"), "default");
        for f in &folders {
            assert!(!f.contains('/') && f != "." && f != "..", "{f}");
        }
    }

    /// An entry copied with its directory (`cp -r`, a restored cache) is
    /// named as left over there, never adopted; in its own directory it is.
    #[test]
    fn a_copied_entry_is_never_adopted() {
        let root = tempfile::tempdir().unwrap();
        let (orig, copy) = (root.path().join("orig"), root.path().join("copy"));
        let mut e = Journal::at(Some(orig.clone())).begin("abc", "Jira user load");
        e.record_id("cred-1");
        drop(e);
        fs::create_dir_all(&copy).unwrap();
        for item in fs::read_dir(&orig).unwrap().flatten() {
            fs::copy(item.path(), copy.join(item.file_name())).unwrap();
        }
        let j = Journal::at(Some(copy.clone()));
        assert!(j.resume("abc").is_none(), "the copy adopts nothing");
        let left = j.leftovers();
        assert_eq!(left.len(), 1);
        assert!(!left[0].here);
        assert_eq!(left[0].record.name.as_deref(), Some("Jira user load"));
        let j = Journal::at(Some(orig));
        assert!(j.leftovers()[0].here);
        assert_eq!(j.resume("abc").unwrap().record.id.as_deref(), Some("cred-1"));
    }

    /// A read or import that meets the id of a leftover retires its entry;
    /// a live create's entry is never a leftover.
    #[test]
    fn a_read_retires_the_entry_naming_its_id() {
        let dir = tempfile::tempdir().unwrap();
        let mut dead = Journal::at(Some(dir.path().to_path_buf())).begin("abc", "n");
        dead.record_id("cred-1");
        drop(dead);
        let j = Journal::at(Some(dir.path().to_path_buf()));
        let _live = j.begin("def", "m");
        let left = j.leftovers();
        assert_eq!(left.iter().map(|l| l.record.id.clone()).collect::<Vec<_>>(), vec![Some("cred-1".to_string())]);
        j.retire("cred-2");
        assert_eq!(j.leftovers().len(), 1, "another id retires nothing");
        j.retire("cred-1");
        assert!(j.leftovers().is_empty());
        assert!(Journal::at(Some(dir.path().to_path_buf())).resume("abc").is_none(), "its file is gone");
    }
}

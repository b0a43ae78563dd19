//! The create journal: how a create proves that a credential is its own.
//!
//! Every create gets a random `Idempotency-Key`, used by its own retries and
//! by nothing else. Before the first POST, the create writes an entry (the
//! key, a digest of what it creates, and later the id Oomnitza gave) into
//! this working directory's `.terraform/` (per workspace), and holds an
//! exclusive lock on it for as long as the create runs. The entry is removed
//! once the answer is handed to Terraform.
//!
//! An entry that is still there and not locked is therefore a create whose
//! process died before Terraform heard of its credential: the only
//! credential a later create may take for its own (same content, same
//! directory, same workspace). Everything else is created anew; a
//! credential that only looks the same, or that another state holds, is
//! never taken over. An entry held by a live process (a parallel create, a
//! concurrent `terraform test`) is locked, and so skipped.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{Seek as _, SeekFrom, Write as _};
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

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
    /// The contents an orphaned entry may be of: those with an entry at
    /// this process's first look, and those this process began. A create
    /// of any other content needs no look at the directory; only an entry
    /// of a concurrent process that dies during this one is missed that
    /// way, and that costs at most a second credential, named in a warning.
    maybe: std::sync::Mutex<Option<HashSet<String>>>,
    /// The entries left over at this process's first look ([`Journal::leftovers`]).
    leftovers: std::sync::Mutex<Option<Vec<Leftover>>>,
    /// The directory's identity once this process has made sure it exists:
    /// made and looked up once, not for every create.
    home: std::sync::OnceLock<std::io::Result<Option<String>>>,
}

/// One create's entry, locked by this process while it is held.
#[derive(Debug)]
pub struct Entry {
    path: PathBuf,
    /// Holds the lock; dropped (unlocking) with the entry.
    file: Option<File>,
    pub record: Record,
}

/// The line that records the id, appended after the record's.
#[derive(Serialize, Deserialize)]
struct IdLine<'a> {
    id: &'a str,
}

/// An entry's record: its first line, with the id of a later line; lines
/// not ended (cut short by a kill) are not read.
fn read_record(bytes: &[u8]) -> Option<Record> {
    let mut lines = bytes.split_inclusive(|b| *b == b'\n').filter(|l| l.ends_with(b"\n"));
    let mut record: Record = serde_json::from_slice(lines.next()?).ok()?;
    for l in lines {
        if let Ok(IdLine { id }) = serde_json::from_slice(l) {
            record.id = Some(id.to_string());
        }
    }
    Some(record)
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

impl Journal {
    pub fn at(dir: Option<PathBuf>) -> Journal {
        Journal {
            dir,
            maybe: std::sync::Mutex::new(None),
            leftovers: std::sync::Mutex::new(None),
            home: std::sync::OnceLock::new(),
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
                let Ok(items) = fs::read_dir(dir) else { return Vec::new() };
                items
                    .flatten()
                    .filter(|i| i.file_name().to_str().is_some_and(|n| n.ends_with(".json")))
                    .filter_map(|i| {
                        let path = i.path();
                        let file = File::open(&path).ok()?;
                        // Held by a live create: not left over. The probe's
                        // lock goes with the file at the end of this closure.
                        file.try_lock().ok()?;
                        let record = read_record(&fs::read(&path).ok()?)?;
                        let here = record.home.is_some() && record.home == home;
                        Some(Leftover { record, here, candidates: None, path })
                    })
                    .collect()
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
        let Ok(mut cache) = self.leftovers.lock() else { return };
        if let Some(list) = cache.as_mut() {
            list.retain_mut(|l| {
                if let Some(c) = l.candidates.as_mut() {
                    c.retain(|c| c != id);
                }
                let held = l.record.id.as_deref() == Some(id) || l.candidates.as_ref().is_some_and(Vec::is_empty);
                if !held {
                    return true;
                }
                debug!(key = %l.record.key, id, "a state holds the credential of a left-over create entry; retiring it");
                let _ = fs::remove_file(&l.path);
                false
            });
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
        let Ok(mut cache) = self.leftovers.lock() else { return };
        if let Some(list) = cache.as_mut() {
            list.retain(|l| {
                if l.record.key != key {
                    return true;
                }
                let _ = fs::remove_file(&l.path);
                false
            });
        }
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
            let Ok(items) = fs::read_dir(dir) else { return HashSet::new() };
            items
                .flatten()
                .filter_map(|i| i.file_name().to_str().and_then(|n| n.split('.').next()).map(String::from))
                .collect()
        });
        if begun {
            known.insert(content.to_string());
        }
        known.contains(content)
    }

    /// Writes (and locks) the entry of a create that is about to be sent.
    /// Without a usable directory the entry lives in memory only.
    pub fn begin(&self, content: &str, name: &str) -> Entry {
        let record = Record {
            key: uuid::Uuid::new_v4().to_string(),
            content: content.to_string(),
            started: now(),
            id: None,
            name: Some(name.to_string()),
            home: None,
        };
        let mut entry = Entry { path: PathBuf::new(), file: None, record };
        if let Some(dir) = &self.dir {
            self.may_have(dir, content, true);
            entry.path = dir.join(format!("{}.{}.json", content, entry.record.key));
            let home = self.home.get_or_init(|| fs::create_dir_all(dir).map(|_| identity_of(dir)));
            let written = match home {
                Ok(home) => {
                    entry.record.home = home.clone();
                    entry.write()
                }
                Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
            };
            if let Err(e) = written {
                warn!(error = %e, dir = %dir.display(), "cannot write the create journal; an interrupted create will not be resumed");
                entry.path = PathBuf::new();
            }
        }
        entry
    }

    /// An earlier create of the same content whose process is gone before
    /// Terraform heard of it, taken (locked) for this create; `None` when
    /// there is none.
    pub fn resume(&self, content: &str) -> Option<Entry> {
        let dir = self.dir.as_ref()?;
        if !self.may_have(dir, content, false) {
            return None;
        }
        let prefix = format!("{content}.");
        for item in fs::read_dir(dir).ok()?.flatten() {
            let name = item.file_name();
            let Some(name) = name.to_str() else { continue };
            if !name.starts_with(&prefix) || !name.ends_with(".json") {
                continue;
            }
            let path = item.path();
            let Ok(file) = OpenOptions::new().read(true).write(true).open(&path) else { continue };
            // Held by a live create (of this process or another): not ours.
            if file.try_lock().is_err() {
                continue;
            }
            // Finished or rewritten between listing and locking: look again.
            if !same_file(&path, &file) {
                continue;
            }
            let Some(record) = fs::read(&path).ok().and_then(|b| read_record(&b)) else {
                continue;
            };
            if record.content != content {
                continue;
            }
            // Written in another directory (this one is a copy, or a
            // restored cache): it proves nothing here. Named, never adopted.
            if record.home.is_none() || record.home != identity_of(dir) {
                continue;
            }
            self.taken(&record.key);
            debug!(key = %record.key, id = ?record.id, "resuming an interrupted create from the journal");
            return Some(Entry { path, file: Some(file), record });
        }
        None
    }
}

impl Entry {
    /// Writes the record beside the entry and moves it into place, locked:
    /// a reader sees no entry or the whole record, never half of one. No
    /// fsync: the journal is for a killed process, whose writes the kernel
    /// keeps; after a machine crash a lost record only turns an adoption
    /// into a credential named in a warning.
    fn write(&mut self) -> std::io::Result<()> {
        if self.path.as_os_str().is_empty() {
            return Ok(());
        }
        let tmp = self.path.with_extension(format!("tmp-{}", std::process::id()));
        let mut file = OpenOptions::new().create(true).truncate(true).read(true).write(true).open(&tmp)?;
        file.try_lock().map_err(std::io::Error::other)?;
        let mut line = serde_json::to_vec(&self.record).unwrap_or_default();
        line.push(b'\n');
        file.write_all(&line)?;
        fs::rename(&tmp, &self.path)?;
        self.file = Some(file);
        Ok(())
    }

    /// Records the id Oomnitza gave, so that a later create finds the
    /// credential by id whatever happens to the key. The id is a line
    /// appended to the locked entry, not a rewrite: replacing a file by
    /// rename makes the filesystem write it out at once, which cost more
    /// than the create's own request. A line cut short by a kill is not
    /// read, and the entry is then resolved through its key.
    pub fn record_id(&mut self, id: &str) {
        self.record.id = Some(id.to_string());
        let Some(file) = self.file.as_mut() else { return };
        // Led by a newline, so that a line cut short before stays apart.
        let mut line = vec![b'\n'];
        line.extend(serde_json::to_vec(&IdLine { id }).unwrap_or_default());
        line.push(b'\n');
        let appended = file.seek(SeekFrom::End(0)).and_then(|_| file.write_all(&line));
        if let Err(e) = appended {
            warn!(error = %e, "cannot update the create journal");
        }
    }

    /// The create's answer is handed to Terraform: nothing left to resume.
    pub fn finish(mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.path);
        }
        self.file = None;
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
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "finished entries leave nothing");
    }

    #[test]
    fn an_id_line_cut_short_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::at(Some(dir.path().to_path_buf()));
        let live = j.begin("abc", "n");
        let path = live.path.clone();
        drop(live);
        // A kill in the middle of appending the id.
        OpenOptions::new().append(true).open(&path).unwrap().write_all(br#"{"id":"cred"#).unwrap();
        let found = j.resume("abc").expect("the orphaned entry");
        assert_eq!(found.record.id, None, "resolved through its key instead");
        let mut found = found;
        found.record_id("cred-2");
        drop(found);
        assert_eq!(j.resume("abc").unwrap().record.id.as_deref(), Some("cred-2"), "the last whole id line counts");
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

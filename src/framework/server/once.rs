//! Each warning once per Terraform command.
//!
//! One `terraform apply` starts the provider up to three times, and asks
//! each process the same questions: the validate walk validates the
//! configuration, the plan walk validates it again, configures the provider,
//! refreshes and plans, and the apply walk configures, validates and plans
//! every change again before applying it. A warning the provider gives at
//! each of those steps reached the user two or three times ("and 2 more
//! similar warnings elsewhere", or one diagnostic per walk in `-json`).
//!
//! The processes of one command share their parent, the `terraform`
//! process. Each warning given is noted (as a digest, never its words) in a
//! file named after that parent, in the working directory's Terraform data
//! folder; a process whose parent already gave a warning leaves it out.
//! Errors are always given. A new command has a new parent, so a later
//! `terraform plan` says every warning again.
//!
//! The same note keeps the requests a command needs to make once: the
//! checks a plan of new credentials makes (the sign-in, the listing of
//! names) are made by the plan walk, and the apply walk's own plan of the
//! same creates need not make them again.

use std::collections::HashMap;
use std::collections::HashSet;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use sha2::{Digest as _, Sha256};

use crate::framework::diag::{Diagnostic, Diagnostics, Severity};

/// How long a note whose parent cannot be checked is kept.
const STALE_SECS: u64 = 24 * 3600;

/// The warnings this Terraform command was already given.
pub struct Once {
    file: Option<PathBuf>,
    /// Cleared stale notes of commands that ended (once per process).
    swept: AtomicBool,
    /// What [`Once::asked_elsewhere`] answered in this process, by step.
    asked: Mutex<HashMap<String, bool>>,
}

impl Once {
    /// The note of the `terraform` command that started this process, in
    /// `$TF_DATA_DIR` (else `.terraform`) `/oomnitza-said/`. None (every
    /// warning is given) when that folder does not exist.
    pub fn for_this_command() -> Once {
        let data = crate::oomnitza::journal::terraform_data_dir();
        let parent = std::os::unix::process::parent_id();
        let file = data
            .is_dir()
            .then(|| data.join("oomnitza-said").join(format!("{parent}-{}", started(parent).unwrap_or(0))));
        Once { file, swept: AtomicBool::new(false), asked: Mutex::default() }
    }

    /// A note at `file`, for tests.
    #[cfg(test)]
    pub fn at(file: Option<PathBuf>) -> Once {
        Once { file, swept: AtomicBool::new(false), asked: Mutex::default() }
    }

    /// Leaves out of `diags` each warning this command was already given
    /// about `scope` (the type name the request is about, or "provider"),
    /// and notes the others as given.
    pub fn keep_new(&self, scope: &str, diags: &mut Diagnostics) {
        let Some(file) = &self.file else { return };
        if !diags.iter().any(|d| d.severity == Severity::Warning) {
            return;
        }
        let mut given: HashSet<String> =
            fs::read_to_string(file).unwrap_or_default().lines().map(str::to_string).collect();
        let mut new = String::new();
        diags.retain(|d| {
            if d.severity != Severity::Warning {
                return true;
            }
            let key = digest(scope, d);
            if !given.insert(key.clone()) {
                return false;
            }
            new.push_str(&key);
            new.push('\n');
            true
        });
        if !new.is_empty() {
            self.sweep(file);
            let _ = note(file, &new);
        }
    }

    /// Whether another provider process of this command already made the
    /// requests of `step` (such as planning creates of one resource type);
    /// if none did, notes that this process makes them. The answer holds
    /// for the life of this process: Terraform's walks follow each other.
    pub fn asked_elsewhere(&self, step: &str) -> bool {
        let Some(file) = &self.file else { return false };
        let Ok(mut asked) = self.asked.lock() else { return false };
        if let Some(&answer) = asked.get(step) {
            return answer;
        }
        let me = std::process::id().to_string();
        let text = fs::read_to_string(file).unwrap_or_default();
        let by = text.lines().filter_map(|l| l.strip_prefix("asked ")?.rsplit_once(' ')).find(|(s, _)| *s == step);
        let elsewhere = by.is_some_and(|(_, pid)| pid != me);
        if by.is_none() {
            self.sweep(file);
            let _ = note(file, &format!("asked {step} {me}\n"));
        }
        asked.insert(step.to_string(), elsewhere);
        elsewhere
    }

    /// Removes the notes of commands that ended: their parent is gone (or,
    /// where that cannot be told, a day has passed).
    fn sweep(&self, file: &Path) {
        if self.swept.swap(true, Ordering::Relaxed) {
            return;
        }
        let Some(dir) = file.parent() else { return };
        let Ok(entries) = fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let path = e.path();
            if path != file && ended(&path) {
                let _ = fs::remove_file(&path);
            }
        }
    }
}

/// A warning's digest: the same words about the same scope are the same
/// warning.
fn digest(scope: &str, d: &Diagnostic) -> String {
    let mut h = Sha256::new();
    let path = d.path.as_ref().map(ToString::to_string).unwrap_or_default();
    for part in [scope, &d.summary, &d.detail, &path] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn note(file: &Path, lines: &str) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
    if let Some(dir) = file.parent() {
        fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    }
    let mut f = fs::OpenOptions::new().create(true).append(true).mode(0o600).open(file)?;
    f.write_all(lines.as_bytes())
}

/// When process `pid` started (clock ticks since boot), where `/proc`
/// says: with the pid it names one process, never a later one that reused
/// the pid.
fn started(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: count the
    // fields after its closing parenthesis; the start time is field 22.
    stat.rsplit_once(')')?.1.split_whitespace().nth(19)?.parse().ok()
}

/// Whether the command a note names has ended.
fn ended(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let parsed = name.split_once('-').and_then(|(p, s)| Some((p.parse::<u32>().ok()?, s.parse::<u64>().ok()?)));
    match parsed {
        Some((pid, start)) if start != 0 && Path::new("/proc/self/stat").exists() => started(pid) != Some(start),
        _ => fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_none_or(|age| age.as_secs() > STALE_SECS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diags(all: &[(Severity, &str)]) -> Diagnostics {
        let mut d = Diagnostics::new();
        for (severity, summary) in all {
            match severity {
                Severity::Error => d.error(*summary, ""),
                Severity::Warning => d.warning_at(None, *summary, ""),
            }
        }
        d
    }

    fn summaries(d: &Diagnostics) -> Vec<&str> {
        d.iter().map(|d| d.summary.as_str()).collect()
    }

    #[test]
    fn a_warning_is_given_once_per_command_and_errors_always() {
        use Severity::{Error, Warning};
        let dir = tempfile::tempdir().unwrap();
        // Named as a running command's note (this process's), so that no
        // sweep takes it.
        let me = std::process::id();
        let start = started(me).unwrap();
        let file = dir.path().join("oomnitza-said").join(format!("{me}-{start}"));
        let all = || diags(&[(Warning, "w1"), (Error, "e"), (Warning, "w1"), (Warning, "w2")]);
        // The validate walk's process, then the plan walk's: same note.
        let mut first = all();
        Once::at(Some(file.clone())).keep_new("t", &mut first);
        assert_eq!(summaries(&first), ["w1", "e", "w2"], "the same warning twice in one answer is given once");
        let mut again = all();
        Once::at(Some(file.clone())).keep_new("t", &mut again);
        assert_eq!(summaries(&again), ["e"], "a later process of the same command gives only the error");
        let mut other_scope = all();
        Once::at(Some(file.clone())).keep_new("u", &mut other_scope);
        assert_eq!(summaries(&other_scope), ["w1", "e", "w2"], "another resource type's warnings are its own");
        // Another command (another parent) gives every warning again.
        let mut next = all();
        Once::at(Some(dir.path().join("oomnitza-said").join(format!("{me}-{}", start + 1)))).keep_new("t", &mut next);
        assert_eq!(summaries(&next), ["w1", "e", "w2"]);
        let text = fs::read_to_string(&file).unwrap();
        assert!(!text.contains("w1") && text.lines().count() == 4, "digests only: {text}");
        // Without a data folder, everything is given.
        let mut none = all();
        Once::at(None).keep_new("t", &mut none);
        assert_eq!(none.len(), 4);
    }

    #[test]
    fn a_step_is_asked_by_the_first_process_of_a_command_only() {
        let dir = tempfile::tempdir().unwrap();
        let me = std::process::id();
        let file = dir.path().join("oomnitza-said").join(format!("{me}-{}", started(me).unwrap()));
        let plan_walk = Once::at(Some(file.clone()));
        assert!(!plan_walk.asked_elsewhere("oomnitza_x"), "the first process asks");
        assert!(!plan_walk.asked_elsewhere("oomnitza_x"), "and keeps asking for its every create");
        // A later process of the same command (as if another pid noted it).
        let text = fs::read_to_string(&file).unwrap().replace(&format!(" {me}"), " 1");
        fs::write(&file, text).unwrap();
        let apply_walk = Once::at(Some(file.clone()));
        assert!(apply_walk.asked_elsewhere("oomnitza_x"), "the apply walk need not ask again");
        assert!(!apply_walk.asked_elsewhere("oomnitza_y"), "another type's step is its own");
        assert!(!Once::at(None).asked_elsewhere("oomnitza_x"), "without a note, every process asks");
    }

    #[test]
    fn notes_of_ended_commands_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let said = dir.path().join("oomnitza-said");
        fs::create_dir_all(&said).unwrap();
        let me = std::process::id();
        let live = said.join(format!("{me}-{}", started(me).unwrap()));
        let gone = said.join(format!("{me}-{}", started(me).unwrap() + 1));
        fs::write(&live, "x\n").unwrap();
        fs::write(&gone, "x\n").unwrap();
        let mine = said.join("1-1");
        let mut d = diags(&[(Severity::Warning, "w")]);
        Once::at(Some(mine.clone())).keep_new("t", &mut d);
        assert!(live.exists(), "a running command's note stays");
        assert!(!gone.exists(), "a note whose pid now names a later process goes");
        assert!(mine.exists());
    }
}

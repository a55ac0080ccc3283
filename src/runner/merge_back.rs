//! Bringing what chant wrote to a file into the editor's buffer of it,
//! which the user may have edited while chant ran. The merge base is the
//! last version of the file the buffer is *known* to have held (at open,
//! at save, or an editor reload seen during the run); when no such version
//! is known, a silent merge could revert one of chant's changes, so the
//! answer is a conflict the user is told about, with both versions kept.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::text::diff::{merge3, Merge};
use crate::text::text_hash;
use crate::vfs::{FileSystem, Limit, RealFs};

/// Open files larger than this are not tracked during a run (the user is
/// told to reload them if chant changed them).
pub const MAX_TRACKED: u64 = 8 * 1024 * 1024;

/// A tracked file's text on disk now (None: missing, unreadable or too
/// large to track). Blocking.
pub fn read_disk(path: &Path) -> Option<String> {
    RealFs.read_text(path, Limit(MAX_TRACKED)).ok()
}

/// One open file during a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracked {
    /// The file on disk when the run started (None: missing or too large).
    pub at_start: Option<String>,
    /// The newest disk version the buffer is known to have held.
    pub held: Option<String>,
}

impl Tracked {
    /// An open file as a run starts (blocking: reads the disk): its text
    /// on disk, and that text as the buffer's known base when the buffer
    /// holds it, or held it when it was opened or last saved
    /// (`clean_hash`; the user typed since).
    pub fn at_start(path: &Path, buffer: &str, clean_hash: u64) -> Tracked {
        let at_start = read_disk(path);
        let held = at_start
            .as_ref()
            .filter(|disk| buffer == disk.as_str() || clean_hash == text_hash(disk.as_str()))
            .cloned();
        Tracked { at_start, held }
    }
}

/// What a run's end means for one open file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// The buffer takes this text (chant's, merged with the user's edits).
    Replace {
        version: i32,
        ours: String,
        text: String,
    },
    /// The buffer is left alone: the user's edits and chant's cannot be
    /// merged safely.
    Conflict(Why),
    /// chant changed a file too large to track: reload it.
    Untracked,
}

/// The run is over: what each tracked file's buffer takes, given its text
/// on disk now and the buffer now (`buffer`: its version and text, None
/// when closed). Files chant did not change, or deleted, are left out.
/// Blocking: reads the disk.
pub fn settle(
    files: &HashMap<PathBuf, Tracked>,
    buffer: &dyn Fn(&Path) -> Option<(i32, String)>,
) -> Vec<(PathBuf, Settled)> {
    let mut out = Vec::new();
    for (path, tracked) in files {
        let disk = read_disk(path);
        if disk == tracked.at_start {
            continue;
        }
        // A file chant deleted: the buffer stays, the editor tells the user.
        let Some(disk) = disk else { continue };
        let Some((version, ours)) = buffer(path) else {
            continue;
        };
        if tracked.at_start.is_none() && ours != disk {
            out.push((path.clone(), Settled::Untracked));
            continue;
        }
        match merge_back(tracked.held.as_deref(), &ours, &disk) {
            MergeBack::Unchanged => {}
            MergeBack::Replace(text) => out.push((
                path.clone(),
                Settled::Replace {
                    version,
                    ours,
                    text,
                },
            )),
            MergeBack::Conflict(why) => out.push((path.clone(), Settled::Conflict(why))),
        }
    }
    out
}

impl Why {
    /// What the user is told about a buffer left alone.
    pub fn message(&self, path: &Path) -> String {
        let what = match self {
            Why::Overlap => "your edits overlap chant's",
            Why::UnknownBase => "the editor cannot tell which version your unsaved edits started from, so merging could undo one of chant's changes",
        };
        format!(
            "chant rewrote {} while you were editing it, and {what}: the editor keeps your version, the file on disk has chant's. Compare the two (e.g. \"Compare with saved\") and merge by hand before saving.",
            path.display()
        )
    }
}

/// The open files of every run going on, by run token: what each buffer
/// is known to have held. Bounded by the open files (two texts each),
/// never by how long a run lasts.
#[derive(Default)]
pub struct BaseTracker {
    runs: Mutex<HashMap<String, HashMap<PathBuf, Tracked>>>,
}

impl BaseTracker {
    fn runs(&self) -> std::sync::MutexGuard<'_, HashMap<String, HashMap<PathBuf, Tracked>>> {
        self.runs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A run starts, with these open files.
    pub fn begin(&self, run: &str, files: HashMap<PathBuf, Tracked>) {
        self.runs().insert(run.to_string(), files);
    }

    /// A run ends: its files, forgotten here.
    pub fn finish(&self, run: &str) -> HashMap<PathBuf, Tracked> {
        self.runs().remove(run).unwrap_or_default()
    }

    /// Whether a run tracks this file.
    pub fn tracks(&self, path: &Path) -> bool {
        self.runs().values().any(|files| files.contains_key(path))
    }

    /// The buffer of `path` now holds `text`, which is the file on disk.
    pub fn note_held(&self, path: &Path, text: &str) {
        for files in self.runs().values_mut() {
            if let Some(tracked) = files.get_mut(path) {
                tracked.held = Some(text.to_string());
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeBack {
    /// The buffer already has chant's text (or the merge changes nothing).
    Unchanged,
    /// Replace the buffer's text with this.
    Replace(String),
    Conflict(Why),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The user's edits overlap chant's.
    Overlap,
    /// The buffer never held a version of the file that is known: what the
    /// user's edits started from cannot be told.
    UnknownBase,
}

/// How the buffer's text `ours` takes chant's text `disk`, given the
/// last disk version the buffer is known to have held.
pub fn merge_back(base: Option<&str>, ours: &str, disk: &str) -> MergeBack {
    if ours == disk {
        return MergeBack::Unchanged;
    }
    let Some(base) = base else {
        return MergeBack::Conflict(Why::UnknownBase);
    };
    if base == ours {
        return MergeBack::Replace(disk.to_string());
    }
    match merge3(base, ours, disk) {
        Merge::Clean(merged) if merged == ours => MergeBack::Unchanged,
        Merge::Clean(merged) => MergeBack::Replace(merged),
        Merge::Conflict => MergeBack::Conflict(Why::Overlap),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D0: &str = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";

    fn with(text: &str, line: usize, new: &str) -> String {
        let mut lines: Vec<&str> = text.lines().collect();
        lines[line - 1] = new;
        lines.iter().map(|l| format!("{l}\n")).collect()
    }

    #[test]
    fn two_writes_during_unsaved_typing_both_survive() {
        // The user typed on line 5 (unsaved) since the buffer held D0;
        // chant wrote line 2, later line 8.
        let ours = with(D0, 5, "five, typed");
        let d1 = with(D0, 2, "two by chant");
        let d2 = with(&d1, 8, "eight by chant");
        let expected = with(&with(&d2, 5, "five, typed"), 2, "two by chant");
        assert_eq!(
            merge_back(Some(D0), &ours, &d2),
            MergeBack::Replace(expected)
        );
        // Merging against the intermediate version (never held by the
        // buffer) would have reverted line 2: that is why the base must be
        // one the buffer held.
        let wrong = crate::text::diff::merge3(&d1, &ours, &d2);
        assert!(matches!(wrong, Merge::Clean(t) if !t.contains("two by chant")));
    }

    #[test]
    fn unknown_bases_and_overlaps_are_conflicts() {
        let ours = with(D0, 2, "mine");
        let disk = with(D0, 2, "chant's");
        assert_eq!(
            merge_back(None, &ours, &disk),
            MergeBack::Conflict(Why::UnknownBase)
        );
        assert_eq!(
            merge_back(Some(D0), &ours, &disk),
            MergeBack::Conflict(Why::Overlap)
        );
        assert_eq!(merge_back(None, &disk, &disk), MergeBack::Unchanged);
        assert_eq!(
            merge_back(Some(D0), D0, &disk),
            MergeBack::Replace(disk.clone())
        );
    }
}

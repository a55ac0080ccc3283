//! The server's own watch on the disk, for clients that cannot register
//! file watchers (Neovim 0.11 on Linux): an actor thread that owns a
//! `notify` watcher (inotify on Linux), keeps the folders it is asked for
//! watched, and reports what changed, as [`FileEvent`]s, over a channel.
//!
//! inotify watches one folder at a time (a folder's whole tree is one watch
//! per folder in it), and every process of a user shares
//! `fs.inotify.max_user_watches` (an editor, other servers): the actor
//! adds one watch per folder (links inside a watched tree are not
//! followed: no loops, no events under a second name), shallow folders
//! first, counts them, stops at a limit well under the system's and says
//! so ([`Report::Watching`]).

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

use notify::event::{ModifyKind, RenameMode};
use notify::{EventKind, RecursiveMode, Watcher};

use super::projects::FileEvent;

/// Watches at most this many folders, whatever the system allows.
pub const MAX_WATCHES: usize = 8192;

/// The share of the system's `fs.inotify.max_user_watches` one server may
/// take at most (it is shared by every process of the user).
pub const SYSTEM_SHARE: usize = 8;

/// How many folders the actor may watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchLimit {
    pub folders: usize,
    /// `fs.inotify.max_user_watches`, when known.
    pub system: Option<usize>,
}

impl WatchLimit {
    /// The limit on this machine: [`MAX_WATCHES`], or an eighth of
    /// `fs.inotify.max_user_watches` when that is less.
    pub fn of_system() -> WatchLimit {
        let system = std::fs::read_to_string("/proc/sys/fs/inotify/max_user_watches")
            .ok()
            .and_then(|s| s.trim().parse::<usize>().ok());
        WatchLimit {
            folders: system.map_or(MAX_WATCHES, |s| (s / SYSTEM_SHARE).clamp(1, MAX_WATCHES)),
            system,
        }
    }
}

/// A folder to watch: its entries, or its whole tree; a folder that does
/// not exist yet is watched through its nearest existing parent, never
/// above `bound` (the project's root).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WatchFolder {
    pub path: PathBuf,
    pub tree: bool,
    pub bound: PathBuf,
}

/// What the actor reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// Files and folders that changed (a folder deleted or renamed is one
    /// event for the folder).
    Events(Vec<(PathBuf, FileEvent)>),
    /// The folders watched, after they changed. `complete` is false when
    /// the limit (or the system's) left folders unwatched.
    Watching {
        folders: usize,
        limit: WatchLimit,
        complete: bool,
    },
    /// Events were lost (the kernel's queue overflowed): what is on disk
    /// must be read again.
    Overflow,
    /// The watcher failed (it could not start, or a watch failed for a
    /// reason other than a missing folder).
    Failed(String),
}

enum Input {
    Fs(notify::Result<notify::Event>),
    Want(Vec<WatchFolder>),
    Stop,
}

/// The actor's handle: tell it what to watch; dropping it stops the actor.
pub struct DiskWatcher {
    input: mpsc::Sender<Input>,
    thread: Option<JoinHandle<()>>,
}

impl DiskWatcher {
    /// Start the actor; `report` is called on its thread (send it into a
    /// channel).
    pub fn start(
        limit: WatchLimit,
        report: impl Fn(Report) + Send + 'static,
    ) -> std::io::Result<DiskWatcher> {
        let (input, inbox) = mpsc::channel();
        let events = input.clone();
        let watcher = notify::recommended_watcher(move |event| {
            let _ = events.send(Input::Fs(event));
        })
        .map_err(std::io::Error::other)?;
        let thread = std::thread::Builder::new()
            .name("chant-lsp-watcher".into())
            .spawn(move || {
                Actor {
                    watcher,
                    limit,
                    wanted: Vec::new(),
                    watched: BTreeMap::new(),
                    reported: None,
                    complete: true,
                    report: Box::new(report),
                }
                .run(inbox)
            })?;
        Ok(DiskWatcher {
            input,
            thread: Some(thread),
        })
    }

    /// Watch these folders, the first ones first when there are too many
    /// (and stop watching the others).
    pub fn watch(&self, folders: Vec<WatchFolder>) {
        let _ = self.input.send(Input::Want(folders));
    }
}

impl Drop for DiskWatcher {
    fn drop(&mut self) {
        let _ = self.input.send(Input::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Actor {
    watcher: notify::RecommendedWatcher,
    limit: WatchLimit,
    wanted: Vec<WatchFolder>,
    /// The folders watched.
    watched: BTreeMap<PathBuf, ()>,
    /// The last [`Report::Watching`] sent: (folders, complete).
    reported: Option<(usize, bool)>,
    /// Every folder wanted is watched (the limit left none out).
    complete: bool,
    report: Box<dyn Fn(Report) + Send>,
}

impl Actor {
    fn run(mut self, inbox: mpsc::Receiver<Input>) {
        while let Ok(first) = inbox.recv() {
            // Everything waiting is one batch: one report, and the watches
            // brought up to date once.
            let mut events = Vec::new();
            let mut full = false;
            let mut subtrees = Vec::new();
            let mut overflow = false;
            for input in std::iter::once(first).chain(std::iter::from_fn(|| inbox.try_recv().ok()))
            {
                match input {
                    Input::Stop => return,
                    Input::Want(wanted) => {
                        full |= wanted != self.wanted;
                        self.wanted = wanted;
                    }
                    Input::Fs(Ok(event)) if event.need_rescan() => overflow = true,
                    Input::Fs(Ok(event)) => {
                        for (path, happened) in file_events(&event) {
                            match self.folder_event(&path, happened) {
                                Update::Nothing => {}
                                Update::Subtree => subtrees.push(path.clone()),
                                Update::Full => full = true,
                            }
                            events.push((path, happened));
                        }
                    }
                    Input::Fs(Err(error)) => match error.kind {
                        notify::ErrorKind::MaxFilesWatch => full = true,
                        _ => (self.report)(Report::Failed(error.to_string())),
                    },
                }
            }
            if full || overflow {
                self.reconcile();
            } else {
                for folder in subtrees {
                    self.add_subtree(&folder);
                }
                self.report_count(self.complete);
            }
            if !events.is_empty() {
                (self.report)(Report::Events(events));
            }
            if overflow {
                (self.report)(Report::Overflow);
            }
        }
    }

    /// Keeps the watches right after a folder came or went, and says what
    /// else to watch.
    fn folder_event(&mut self, path: &Path, happened: FileEvent) -> Update {
        match happened {
            FileEvent::Deleted => {
                // Its watches (and those of the folders in it) follow the
                // folder if it was moved: remove them.
                let gone: Vec<PathBuf> = self
                    .watched
                    .range(path.to_path_buf()..)
                    .map(|(p, _)| p)
                    .take_while(|p| p.starts_with(path))
                    .cloned()
                    .collect();
                for p in &gone {
                    let _ = self.watcher.unwatch(p);
                    self.watched.remove(p);
                }
                // Room for folders the limit left out.
                if !gone.is_empty() && !self.complete {
                    Update::Full
                } else {
                    Update::Nothing
                }
            }
            FileEvent::Created | FileEvent::Unknown if path.is_dir() => {
                if self.wanted.iter().any(|w| w.path.starts_with(path)) {
                    // A wanted folder (or one above it) came.
                    Update::Full
                } else if self
                    .wanted
                    .iter()
                    .any(|w| w.tree && path.starts_with(&w.path))
                    && !hidden(path)
                {
                    Update::Subtree
                } else {
                    Update::Nothing
                }
            }
            _ => Update::Nothing,
        }
    }

    /// Watch a folder that came inside a watched tree, and the folders in
    /// it, up to the limit (without walking anything else).
    fn add_subtree(&mut self, folder: &Path) {
        let mut queue = VecDeque::from([folder.to_path_buf()]);
        while let Some(dir) = queue.pop_front() {
            if self.watched.len() >= self.limit.folders {
                self.complete = false;
                return;
            }
            if !self.watched.contains_key(&dir) {
                match self.watcher.watch(&dir, RecursiveMode::NonRecursive) {
                    Ok(()) => {
                        self.watched.insert(dir.clone(), ());
                    }
                    Err(e) if matches!(e.kind, notify::ErrorKind::PathNotFound) => continue,
                    Err(e) => {
                        self.complete = false;
                        if !matches!(e.kind, notify::ErrorKind::MaxFilesWatch) {
                            (self.report)(Report::Failed(format!("{}: {e}", dir.display())));
                        }
                        return;
                    }
                }
            }
            queue.extend(subfolders(&dir));
        }
    }

    /// Watch the folders wanted now, shallow first, up to the limit (the
    /// wanted trees walked again).
    fn reconcile(&mut self) {
        let (needed, mut complete) = needed_folders(&self.wanted, self.limit.folders);
        let stale: Vec<PathBuf> = self
            .watched
            .keys()
            .filter(|p| !needed.contains(*p))
            .cloned()
            .collect();
        for p in stale {
            let _ = self.watcher.unwatch(&p);
            self.watched.remove(&p);
        }
        for p in &needed {
            if self.watched.contains_key(p) {
                continue;
            }
            match self.watcher.watch(p, RecursiveMode::NonRecursive) {
                Ok(()) => {
                    self.watched.insert(p.clone(), ());
                }
                Err(e) => match e.kind {
                    // Gone meanwhile: its parent's event will tell.
                    notify::ErrorKind::PathNotFound => {}
                    notify::ErrorKind::MaxFilesWatch => {
                        // The system's limit, reached by all the user's
                        // processes together.
                        complete = false;
                        break;
                    }
                    _ => {
                        complete = false;
                        (self.report)(Report::Failed(format!("{}: {e}", p.display())));
                    }
                },
            }
        }
        self.report_count(complete);
    }

    /// Say how many folders are watched, when that changed.
    fn report_count(&mut self, complete: bool) {
        self.complete = complete;
        let now = (self.watched.len(), complete);
        if self.reported != Some(now) {
            self.reported = Some(now);
            (self.report)(Report::Watching {
                folders: now.0,
                limit: self.limit,
                complete,
            });
        }
    }
}

/// What the actor does after a folder event.
enum Update {
    Nothing,
    /// Watch the new folder's tree.
    Subtree,
    /// Walk every wanted folder again.
    Full,
}

fn hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

/// What a `notify` event means for each path it names. Reads (opening a
/// file: the server's own reads) are not changes.
fn file_events(event: &notify::Event) -> Vec<(PathBuf, FileEvent)> {
    let happened = match event.kind {
        EventKind::Create(_) => FileEvent::Created,
        EventKind::Remove(_) => FileEvent::Deleted,
        EventKind::Modify(ModifyKind::Name(RenameMode::From)) => FileEvent::Deleted,
        EventKind::Modify(ModifyKind::Name(RenameMode::To)) => FileEvent::Created,
        // The two halves were reported on their own.
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => return Vec::new(),
        EventKind::Modify(ModifyKind::Name(_)) => FileEvent::Unknown,
        // Contents, or the modification time drift looks at.
        EventKind::Modify(_) => FileEvent::Changed,
        EventKind::Any | EventKind::Other => FileEvent::Unknown,
        EventKind::Access(_) => return Vec::new(),
    };
    event.paths.iter().map(|p| (p.clone(), happened)).collect()
}

/// The folders to watch for `wanted`, in its order (each tree shallow
/// first), at most `limit`, each real folder once; and whether that is all
/// of them. Hidden folders in a tree are left out (`.git`; chant skips
/// them in `.chant/specs` too); a folder reached twice (wanted folders
/// that overlap) is watched once.
pub fn needed_folders(wanted: &[WatchFolder], limit: usize) -> (BTreeSet<PathBuf>, bool) {
    let mut needed = BTreeSet::new();
    let mut seen: HashSet<(u64, u64)> = HashSet::new();
    for w in wanted {
        let start = match std::fs::metadata(&w.path) {
            Ok(m) if m.is_dir() => (w.path.clone(), w.tree),
            Ok(_) => continue,
            // Not there yet: its nearest existing parent sees it come.
            Err(_) => match existing_parent(&w.path, &w.bound) {
                Some(parent) => (parent, false),
                None => continue,
            },
        };
        let mut queue = VecDeque::from([start]);
        while let Some((dir, tree)) = queue.pop_front() {
            let Ok(meta) = std::fs::metadata(&dir) else {
                continue;
            };
            if !seen.insert((meta.dev(), meta.ino())) {
                continue;
            }
            if needed.len() == limit {
                return (needed, false);
            }
            if tree {
                queue.extend(subfolders(&dir).into_iter().map(|p| (p, true)));
            }
            needed.insert(dir);
        }
    }
    (needed, true)
}

/// The folders in `dir`, sorted; hidden ones and links left out (a link's
/// events would come under another name, and links make loops).
fn subfolders(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

fn existing_parent(path: &Path, bound: &Path) -> Option<PathBuf> {
    path.ancestors()
        .skip(1)
        .take_while(|p| p.starts_with(bound))
        .find(|p| p.is_dir())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::Receiver;
    use std::time::Duration;

    fn folder(path: &Path, tree: bool, bound: &Path) -> WatchFolder {
        WatchFolder {
            path: path.to_path_buf(),
            tree,
            bound: bound.to_path_buf(),
        }
    }

    /// The reports of a watcher, as a test reads them.
    struct Reports {
        rx: Receiver<Report>,
        /// Events reported and not waited for yet.
        events: Vec<(PathBuf, FileEvent)>,
        watching: VecDeque<(usize, bool)>,
    }

    impl Reports {
        fn receive(&mut self) {
            match self
                .rx
                .recv_timeout(Duration::from_secs(10))
                .expect("a report within 10 s")
            {
                Report::Events(events) => self.events.extend(events),
                Report::Watching {
                    folders, complete, ..
                } => self.watching.push_back((folders, complete)),
                other => panic!("unexpected {other:?}"),
            }
        }

        /// The next count of folders watched reported.
        fn watching(&mut self) -> (usize, bool) {
            loop {
                if let Some(next) = self.watching.pop_front() {
                    return next;
                }
                self.receive();
            }
        }

        /// Waits until an event for `path` of this kind is reported (and
        /// forgets the events reported up to it).
        fn event(&mut self, path: &Path, happened: FileEvent) {
            loop {
                if let Some(at) = self
                    .events
                    .iter()
                    .position(|(p, e)| p == path && *e == happened)
                {
                    self.events.drain(..=at);
                    return;
                }
                self.receive();
            }
        }
    }

    fn start(limit: usize) -> (DiskWatcher, Reports) {
        let (tx, rx) = mpsc::channel();
        let limit = WatchLimit {
            folders: limit,
            system: None,
        };
        let watcher = DiskWatcher::start(limit, move |r| {
            let _ = tx.send(r);
        })
        .expect("the watcher starts");
        let reports = Reports {
            rx,
            events: Vec::new(),
            watching: VecDeque::new(),
        };
        (watcher, reports)
    }

    #[test]
    fn each_folder_is_watched_once_shallow_first_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        for sub in ["a/b/c", "d", ".git/objects"] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
        }
        // A link loop: not followed.
        std::os::unix::fs::symlink(&root, root.join("a/loop")).unwrap();
        let wanted = [folder(&root, true, &root)];
        let (all, complete) = needed_folders(&wanted, 100);
        assert!(complete);
        assert_eq!(
            all,
            ["", "a", "a/b", "a/b/c", "d"]
                .iter()
                .map(|s| if s.is_empty() {
                    root.clone()
                } else {
                    root.join(s)
                })
                .collect()
        );
        let (some, complete) = needed_folders(&wanted, 3);
        assert!(!complete);
        assert_eq!(some, [root.clone(), root.join("a"), root.join("d")].into());
        // The first folders wanted first, whole.
        let first = [
            folder(&root.join("a"), true, &root),
            folder(&root, true, &root),
        ];
        let (some, _) = needed_folders(&first, 4);
        assert_eq!(
            some,
            [
                root.join("a"),
                root.join("a/b"),
                root.join("a/b/c"),
                root.clone()
            ]
            .into()
        );
        // A folder not there yet: its nearest parent within the bound.
        let later = [folder(&root.join("x/y"), false, &root.join("a"))];
        assert_eq!(needed_folders(&later, 10).0, BTreeSet::new());
        let later = [folder(&root.join("x/y"), false, &root)];
        assert_eq!(needed_folders(&later, 10).0, [root.clone()].into());
    }

    #[test]
    fn files_and_folders_are_reported_and_new_folders_watched() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let specs = root.join(".chant/specs");
        std::fs::create_dir_all(&specs).unwrap();
        let (watcher, mut rx) = start(100);
        watcher.watch(vec![folder(&specs, true, &root)]);
        assert_eq!(rx.watching(), (1, true));

        let spec = specs.join("a.md");
        std::fs::write(&spec, "x").unwrap();
        rx.event(&spec, FileEvent::Created);
        std::fs::write(&spec, "xy").unwrap();
        rx.event(&spec, FileEvent::Changed);

        // A new folder is watched as it comes, and so what is made in it.
        let group = specs.join("group");
        std::fs::create_dir(&group).unwrap();
        // Watched first, then reported (one batch).
        assert_eq!(rx.watching(), (2, true));
        rx.event(&group, FileEvent::Created);
        std::fs::write(group.join("b.md"), "x").unwrap();
        rx.event(&group.join("b.md"), FileEvent::Created);

        // A rename is one event per side, for the folder only.
        let moved = specs.join("moved");
        std::fs::rename(&group, &moved).unwrap();
        rx.event(&group, FileEvent::Deleted);
        rx.event(&moved, FileEvent::Created);
        // Watched under its new name.
        std::fs::write(moved.join("c.md"), "x").unwrap();
        rx.event(&moved.join("c.md"), FileEvent::Created);

        std::fs::remove_dir_all(&moved).unwrap();
        assert_eq!(rx.watching(), (1, true));
        rx.event(&moved, FileEvent::Deleted);
        std::fs::remove_file(&spec).unwrap();
        rx.event(&spec, FileEvent::Deleted);
    }

    #[test]
    fn the_limit_is_said_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        for i in 0..5 {
            std::fs::create_dir_all(root.join(format!("f{i}"))).unwrap();
        }
        let (watcher, mut rx) = start(3);
        watcher.watch(vec![folder(&root, true, &root)]);
        assert_eq!(rx.watching(), (3, false));
        drop(watcher);
    }
}

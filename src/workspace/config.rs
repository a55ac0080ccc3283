//! Reading `.chant/config.md` (and the user's global config under it) from
//! disk; `spec::config` says what the texts mean.

use std::path::{Path, PathBuf};

use crate::spec::config::ChantConfig;
use crate::vfs::{FileSystem, Limit};

/// A project's config as chant will use it. The project file is read
/// through the guarded file system (a FIFO or a huge file is refused with a
/// reason); the global one is the user's own file, read the same way.
pub fn load(fs: &dyn FileSystem, root: &Path) -> ChantConfig {
    let global = global_config_path().and_then(|p| fs.read_text(&p, Limit::CONFIG).ok());
    let project = fs
        .read_text(&root.join(".chant/config.md"), Limit::CONFIG)
        .map_err(|e| e.to_string());
    ChantConfig::merged(global.as_deref(), project.as_deref().map_err(Clone::clone))
}

/// `~/.config/chant/config.md`, where chant keeps the user's global config.
fn global_config_path() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    Some(PathBuf::from(home).join(".config/chant/config.md"))
}

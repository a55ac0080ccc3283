//! The chant executable a run starts: the `chant.path` setting, looked up
//! the way a shell would, but only ever an executable file.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The chant executable: the setting is a path when it holds a `/`
/// (relative paths are taken from `base`), else a name looked up on `path`
/// (the server's `PATH`). Only executable files count.
pub fn find_executable(setting: &str, path: Option<&OsStr>, base: &Path) -> Option<PathBuf> {
    let setting = setting.trim();
    if setting.is_empty() {
        return None;
    }
    if setting.contains('/') {
        let candidate = Path::new(setting);
        let candidate = if candidate.is_absolute() {
            candidate.to_path_buf()
        } else {
            base.join(candidate)
        };
        return is_executable(&candidate).then_some(candidate);
    }
    std::env::split_paths(path?)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(setting))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_executables_on_path_or_by_path() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let exe = bin.join("chant");
        std::fs::write(&exe, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let plain = bin.join("notexec");
        std::fs::write(&plain, "").unwrap();
        let path = std::env::join_paths([dir.path().join("nothing"), bin.clone()]).unwrap();
        assert_eq!(
            find_executable("chant", Some(&path), dir.path()),
            Some(exe.clone())
        );
        assert_eq!(find_executable("notexec", Some(&path), dir.path()), None);
        assert_eq!(find_executable("chant", None, dir.path()), None);
        assert_eq!(
            find_executable("bin/chant", None, dir.path()),
            Some(exe.clone())
        );
        assert_eq!(
            find_executable(exe.to_str().unwrap(), None, Path::new("/")),
            Some(exe)
        );
        assert_eq!(find_executable("bin/missing", None, dir.path()), None);
        assert_eq!(find_executable(" ", Some(&path), dir.path()), None);
    }
}

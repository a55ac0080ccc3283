//! What may reach chant's command line, and how: every value is validated
//! first, and the command is an argument vector (never a shell line). Flag
//! values are passed as `--flag=value`, so a value can never be read as
//! another flag.

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::spec::id::is_safe_id;

/// One chant invocation the server makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChantCommand {
    /// `chant work <id> --no-watch [--prompt=NAME]`
    Work { id: String, prompt: Option<String> },
    /// `chant approve <id> --by=NAME`
    Approve { id: String, by: String },
    /// `chant reject <id> --by=NAME --reason=TEXT`
    Reject {
        id: String,
        by: String,
        reason: String,
    },
}

/// A value that must not reach chant, with what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidArgument {
    SpecId(String),
    Prompt(String),
    Approver(String),
    Reason(String),
}

impl fmt::Display for InvalidArgument {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            InvalidArgument::SpecId(id) => write!(
                f,
                "The spec ID {id:?} cannot be passed to chant safely: IDs may hold only letters, digits, `-`, `_` and `.`, must not start with `-` or `.`, and must not contain `..`. Rename the spec file."
            ),
            InvalidArgument::Prompt(name) => write!(
                f,
                "The prompt name {name:?} cannot be passed to chant safely: prompt names may hold only letters, digits, `-`, `_` and `.`, must not start with `-` or `.`, and must not contain `..`."
            ),
            InvalidArgument::Approver(why) => write!(f, "Invalid approver name: {why}."),
            InvalidArgument::Reason(why) => write!(f, "Invalid rejection reason: {why}."),
        }
    }
}

/// Longest approver name accepted.
const MAX_NAME: usize = 200;
/// Longest rejection reason accepted.
const MAX_REASON: usize = 10_000;

/// A prompt name that names a file in `.chant/prompts` and reads as one
/// argument: the same rule as spec IDs.
pub fn is_safe_prompt_name(name: &str) -> bool {
    is_safe_id(name)
}

/// A name for `--by`: trimmed, not empty, one line, no control characters.
pub fn validate_approver(name: &str) -> Result<String, InvalidArgument> {
    let name = name.trim();
    if name.is_empty() {
        return Err(InvalidArgument::Approver("the name is empty".into()));
    }
    if name.chars().count() > MAX_NAME {
        return Err(InvalidArgument::Approver(format!(
            "the name is longer than {MAX_NAME} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(InvalidArgument::Approver(
            "the name holds a line break or another control character".into(),
        ));
    }
    Ok(name.to_string())
}

/// A reason for `--reason`: trimmed, not empty; line breaks and tabs are
/// fine, other control characters are not.
pub fn validate_reason(reason: &str) -> Result<String, InvalidArgument> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(InvalidArgument::Reason(
            "a reason is required: say why the spec is rejected".into(),
        ));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(InvalidArgument::Reason(format!(
            "the reason is longer than {MAX_REASON} characters"
        )));
    }
    if reason
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Err(InvalidArgument::Reason(
            "the reason holds a control character".into(),
        ));
    }
    Ok(reason.to_string())
}

fn check_id(id: &str) -> Result<String, InvalidArgument> {
    if is_safe_id(id) {
        Ok(id.to_string())
    } else {
        Err(InvalidArgument::SpecId(id.to_string()))
    }
}

impl ChantCommand {
    pub fn work(id: &str, prompt: Option<&str>) -> Result<ChantCommand, InvalidArgument> {
        let id = check_id(id)?;
        let prompt = match prompt {
            Some(p) if is_safe_prompt_name(p) => Some(p.to_string()),
            Some(p) => return Err(InvalidArgument::Prompt(p.to_string())),
            None => None,
        };
        Ok(ChantCommand::Work { id, prompt })
    }

    pub fn approve(id: &str, by: &str) -> Result<ChantCommand, InvalidArgument> {
        Ok(ChantCommand::Approve {
            id: check_id(id)?,
            by: validate_approver(by)?,
        })
    }

    pub fn reject(id: &str, by: &str, reason: &str) -> Result<ChantCommand, InvalidArgument> {
        Ok(ChantCommand::Reject {
            id: check_id(id)?,
            by: validate_approver(by)?,
            reason: validate_reason(reason)?,
        })
    }

    pub fn id(&self) -> &str {
        match self {
            ChantCommand::Work { id, .. }
            | ChantCommand::Approve { id, .. }
            | ChantCommand::Reject { id, .. } => id,
        }
    }

    /// The subcommand: `work`, `approve` or `reject`.
    pub fn verb(&self) -> &'static str {
        match self {
            ChantCommand::Work { .. } => "work",
            ChantCommand::Approve { .. } => "approve",
            ChantCommand::Reject { .. } => "reject",
        }
    }

    /// The arguments after the program name.
    pub fn argv(&self) -> Vec<String> {
        match self {
            ChantCommand::Work { id, prompt } => {
                let mut argv = vec!["work".to_string(), id.clone(), "--no-watch".to_string()];
                if let Some(prompt) = prompt {
                    argv.push(format!("--prompt={prompt}"));
                }
                argv
            }
            ChantCommand::Approve { id, by } => {
                vec!["approve".to_string(), id.clone(), format!("--by={by}")]
            }
            ChantCommand::Reject { id, by, reason } => vec![
                "reject".to_string(),
                id.clone(),
                format!("--by={by}"),
                format!("--reason={reason}"),
            ],
        }
    }
}

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
    fn argument_vectors() {
        let work = ChantCommand::work("2026-01-01-001-abc", None).unwrap();
        assert_eq!(work.argv(), ["work", "2026-01-01-001-abc", "--no-watch"]);
        let work = ChantCommand::work("2026-01-01-001-abc", Some("standard")).unwrap();
        assert_eq!(
            work.argv(),
            [
                "work",
                "2026-01-01-001-abc",
                "--no-watch",
                "--prompt=standard"
            ]
        );
        let approve = ChantCommand::approve("x.1", " Ada Lovelace ").unwrap();
        assert_eq!(approve.argv(), ["approve", "x.1", "--by=Ada Lovelace"]);
        let reject = ChantCommand::reject("x", "-Ada", "- too vague\n- no tests").unwrap();
        assert_eq!(
            reject.argv(),
            [
                "reject",
                "x",
                "--by=-Ada",
                "--reason=- too vague\n- no tests"
            ]
        );
        assert_eq!(reject.id(), "x");
        assert_eq!(reject.verb(), "reject");
    }

    #[test]
    fn malicious_ids_and_prompts_are_refused() {
        for bad in [
            "-rf", "a;b", "a b", "../x", "a..b", "", "$(rm)", "a\nb", ".hidden",
        ] {
            assert_eq!(
                ChantCommand::work(bad, None),
                Err(InvalidArgument::SpecId(bad.into())),
                "{bad:?}"
            );
            assert_eq!(
                ChantCommand::work("ok", Some(bad)),
                Err(InvalidArgument::Prompt(bad.into())),
                "{bad:?}"
            );
            assert!(ChantCommand::approve(bad, "Ada").is_err());
        }
        let message = InvalidArgument::SpecId("-rf".into()).to_string();
        assert!(message.contains("\"-rf\""), "{message}");
    }

    #[test]
    fn approver_and_reason_rules() {
        assert!(validate_approver("  ").is_err());
        assert!(validate_approver("Ada\nEvil").is_err());
        assert!(validate_approver(&"a".repeat(201)).is_err());
        assert_eq!(validate_approver("José Núñez").unwrap(), "José Núñez");
        assert!(validate_reason("").is_err());
        assert!(validate_reason("bad\u{0}").is_err());
        assert_eq!(
            validate_reason(" line 1\nline 2 ").unwrap(),
            "line 1\nline 2"
        );
        let empty = validate_reason(" ").unwrap_err().to_string();
        assert!(empty.contains("a reason is required"), "{empty}");
    }

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

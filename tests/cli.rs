//! `chant-lsp check` and the rest of the command line, run as a user runs
//! them: the built binary on temporary projects. The terminal report, every
//! `--format` (JSON, GitHub workflow commands, SARIF 2.1.0 validated against
//! the OASIS schema in `tests/schemas/`), `--disable`, `--list-codes`, spec
//! files as arguments, columns after multi-byte characters, exit codes,
//! `editor-config` and `--version`.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use chant_lsp::analysis::Code;
use serde_json::Value;
use support::TempWorkspace;

const STATUS_TYPO: &str =
    "---\nstatus: pendng\n---\n# Fix the login page\n\n## Acceptance Criteria\n\n- [x] done\n";
/// Multi-byte characters before and inside diagnostics: CJK (3 bytes, 1 UTF-16
/// unit) and an emoji (4 bytes, 2 UTF-16 units).
const WIDE: &str = "---\nstatus: pending\ndepends_on: [日本語-spec, 2026-01-01-009-zzz]\n---\n# Résumé 😀 handling\n\n## Acceptance Criteria\n\n- [ ] 日本語 and 😀 survive\n";
const DEPENDS_ON_TYPO: &str = "---\nstatus: pending\ndepends_on: [2026-01-01-001-aaa]\n---\n# Later\n\n## Acceptance Criteria\n\n- [x] done\n";
const CLEAN: &str =
    "---\nstatus: completed\n---\n# Done already\n\n## Acceptance Criteria\n\n- [x] done\n";

/// Two specs: one chant rejects (a status typo), one with wide characters,
/// two unknown dependencies and an unchecked criterion.
fn small_project() -> TempWorkspace {
    let ws = TempWorkspace::new();
    ws.chant_init("project:\n  name: demo\n");
    ws.write(".chant/specs/2026-01-01-001-aaa.md", STATUS_TYPO);
    ws.write(".chant/specs/2026-01-01-002-bbb.md", WIDE);
    ws
}

fn clean_project() -> TempWorkspace {
    let ws = TempWorkspace::new();
    ws.chant_init("project:\n  name: clean\n");
    ws.write(".chant/specs/2026-01-01-001-aaa.md", CLEAN);
    ws
}

fn chant_lsp(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_chant-lsp"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run chant-lsp");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exit status")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

// --- the terminal report ------------------------------------------------------

#[test]
fn terminal_report_is_exact() {
    let ws = small_project();
    let out = chant_lsp(ws.path(), &["check", "--color", "never"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
    let expected = r#"error[chant/unknown-status]: Unknown status `pendng`: chant rejects the whole file ("Failed to parse spec frontmatter"). Did you mean `pending`? Valid values: `pending`, `in_progress`, `paused`, `completed`, `failed`, `needs_attention`, `ready`, `blocked` or `cancelled`.
 --> .chant/specs/2026-01-01-001-aaa.md:2:9
  |
2 | status: pendng
  |         ^^^^^^
  |
  = note: chant lint rule: parse
error[chant/unknown-dependency]: Unknown dependency `日本語-spec`: no spec with this ID in .chant/specs: chant lint reports an error, and this spec stays blocked.
 --> .chant/specs/2026-01-01-002-bbb.md:3:14
  |
3 | depends_on: [日本語-spec, 2026-01-01-009-zzz]
  |              ^^^^^^^^^^^
  |
  = note: chant lint rule: dependency
error[chant/unknown-dependency]: Unknown dependency `2026-01-01-009-zzz`: no spec with this ID in .chant/specs: chant lint reports an error, and this spec stays blocked.
 --> .chant/specs/2026-01-01-002-bbb.md:3:24
  |
3 | depends_on: [日本語-spec, 2026-01-01-009-zzz]
  |                           ^^^^^^^^^^^^^^^^^^
  |
  = note: chant lint rule: dependency
help[chant/quality-confidence]: chant grades confidence C: bullets starting with an imperative verb: 0 of 1 (0 %), B needs over 50 %. chant suggests: "Increase bullet-to-prose ratio (>50%); start bullets with imperative verbs; reduce vague language". The spec is Review.
 --> .chant/specs/2026-01-01-002-bbb.md:5:1
  |
5 | # Résumé 😀 handling
  | ^^^^^^^^^^^^^^^^^^^^
help[chant/quality-criteria]: chant grades acceptance criteria C: 1 `- [ ]` item (B needs 2). chant suggests: "Add at least 2 acceptance criteria checkboxes". The spec is Review.
 --> .chant/specs/2026-01-01-002-bbb.md:7:1
  |
7 | ## Acceptance Criteria
  | ^^^^^^^^^^^^^^^^^^^^^^
info[chant/unchecked-criterion]: Not done yet: chant counts this criterion as unchecked (1 of 1 unchecked).
 --> .chant/specs/2026-01-01-002-bbb.md:9:1
  |
9 | - [ ] 日本語 and 😀 survive
  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^
2 specs checked: 3 errors, 0 warnings, 3 notes
"#;
    assert_eq!(stdout(&out), expected);
}

#[test]
fn terminal_colours_only_when_asked() {
    let ws = small_project();
    let always = stdout(&chant_lsp(ws.path(), &["check", "--color", "always"]));
    assert!(always.contains("\x1b["), "{always}");
    // Not a terminal: `auto` means no colour.
    let auto = stdout(&chant_lsp(ws.path(), &["check"]));
    assert!(!auto.contains('\x1b'), "{auto}");
}

#[test]
fn terminal_report_of_a_clean_project() {
    let ws = clean_project();
    let out = chant_lsp(ws.path(), &["check", "--color", "never"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "1 spec checked: 0 errors, 0 warnings, 0 notes\n"
    );
}

#[test]
fn unreadable_config_is_a_warning_in_the_report() {
    let ws = clean_project();
    ws.write(
        ".chant/config.md",
        "---\nproject: [unclosed\n---\n# Config\n",
    );
    let out = chant_lsp(ws.path(), &["check", "--color", "never"]);
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("warning: ") && l.contains(".chant/config.md: ")),
        "{text}"
    );
    let report = json(&chant_lsp(ws.path(), &["check", "--format", "json"]));
    assert_eq!(report["notes"].as_array().unwrap().len(), 1, "{report}");
}

// --- exit codes -----------------------------------------------------------------

#[test]
fn exit_codes() {
    let clean = clean_project();
    let broken = small_project();
    let empty = TempWorkspace::new();
    empty.write("README.md", "# not a chant project\n");

    // 0: nothing that is an error (notes and warnings do not count).
    assert_eq!(code(&chant_lsp(clean.path(), &["check"])), 0);
    // 1: an error found, in every format.
    for format in ["human", "json", "github", "sarif"] {
        let out = chant_lsp(broken.path(), &["check", "--format", format]);
        assert_eq!(code(&out), 1, "--format {format}: {}", stderr(&out));
    }

    // 2: usage and I/O problems, with a message on stderr.
    let cases: [(&Path, &[&str], &str); 6] = [
        (
            clean.path(),
            &["check", "no/such/folder"],
            "no such file or folder",
        ),
        (empty.path(), &["check", "."], "no chant project here"),
        (
            clean.path(),
            &["check", ".chant/config.md"],
            "not a spec file",
        ),
        (
            clean.path(),
            &["check", "--disable", "chant/no-such-code"],
            "unknown diagnostic code",
        ),
        (
            clean.path(),
            &["check", "--format", "xml"],
            "invalid value 'xml'",
        ),
        (clean.path(), &["frobnicate"], "unrecognized subcommand"),
    ];
    for (dir, args, message) in cases {
        let out = chant_lsp(dir, args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }

    // A bad path next to a good one: the good one is still reported, and the
    // exit status still says something was wrong.
    let out = chant_lsp(
        broken.path(),
        &["check", "--format", "json", ".", "missing"],
    );
    assert_eq!(code(&out), 2);
    let report = json(&out);
    assert_eq!(report["summary"]["specs"], 2);
    assert_eq!(
        report["notes"][0].as_str().unwrap(),
        "missing: no such file or folder"
    );
}

#[test]
fn exit_code_2_when_the_report_cannot_be_written() {
    let ws = small_project();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full");
    let out = Command::new(env!("CARGO_BIN_EXE_chant-lsp"))
        .args(["check", "--format", "json"])
        .current_dir(ws.path())
        .stdout(Stdio::from(full))
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot write the report"),
        "{}",
        stderr(&out)
    );
}

// --- --disable and --list-codes --------------------------------------------------

#[test]
fn disable_switches_codes_off_with_or_without_prefix() {
    let ws = small_project();
    let codes = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        json(&chant_lsp(ws.path(), &all))["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        codes(&[]),
        [
            "chant/unknown-status",
            "chant/unknown-dependency",
            "chant/unknown-dependency",
            "chant/quality-confidence",
            "chant/quality-criteria",
            "chant/unchecked-criterion"
        ]
    );
    assert_eq!(
        codes(&[
            "--disable",
            "unchecked-criterion",
            "--disable",
            "chant/unknown-dependency",
            "--disable",
            "quality-confidence",
            "--disable",
            "chant/quality-criteria"
        ]),
        ["chant/unknown-status"]
    );
    // Switching off every error there is makes the check pass.
    let out = chant_lsp(
        ws.path(),
        &[
            "check",
            "--color",
            "never",
            "--disable",
            "unknown-status",
            "--disable",
            "unknown-dependency",
        ],
    );
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).ends_with("2 specs checked: 0 errors, 0 warnings, 3 notes\n"));
}

#[test]
fn list_codes_names_every_code_once() {
    let dir = TempWorkspace::new();
    let out = chant_lsp(dir.path(), &["check", "--list-codes"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), Code::ALL.len());
    for (line, code) in lines.iter().zip(Code::ALL) {
        assert!(
            line.starts_with(&format!("{:<36} ", code.as_str())),
            "{line}"
        );
        assert!(line.contains(code.summary()), "{line}");
    }
    assert!(
        text.contains(
            "chant/unknown-status                 error   `status` is not one of chant's statuses. (chant rule: parse)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "chant/unchecked-criterion            info    An acceptance criterion chant counts as not done.\n"
        ),
        "{text}"
    );
}

// --- spec files as arguments ---------------------------------------------------

#[test]
fn spec_files_as_arguments_see_their_whole_project() {
    let ws = small_project();
    ws.write(".chant/specs/2026-01-01-003-ccc.md", DEPENDS_ON_TYPO);
    let out = chant_lsp(
        ws.path(),
        &[
            "check",
            "--format",
            "json",
            ".chant/specs/2026-01-01-003-ccc.md",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["summary"]["specs"], 1);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "chant/unknown-dependency",
            "chant/quality-confidence",
            "chant/quality-criteria"
        ],
        "{report}"
    );
    assert_eq!(diagnostics[0]["spec_id"], "2026-01-01-003-ccc");
    // The project's other specs were read: 001 exists but chant cannot parse it.
    let message = diagnostics[0]["message"].as_str().unwrap();
    assert!(message.contains("chant cannot parse it"), "{message}");

    // Two files, and a file given twice or with its project: each once.
    let out = chant_lsp(
        ws.path(),
        &[
            "check",
            "--format",
            "json",
            ".chant/specs/2026-01-01-003-ccc.md",
            ".chant/specs/2026-01-01-001-aaa.md",
            ".chant/specs/2026-01-01-003-ccc.md",
        ],
    );
    let report = json(&out);
    assert_eq!(report["summary"]["specs"], 2, "{report}");
    let files: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["spec_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "2026-01-01-001-aaa",
            "2026-01-01-003-ccc",
            "2026-01-01-003-ccc",
            "2026-01-01-003-ccc"
        ]
    );
    let out = chant_lsp(
        ws.path(),
        &[
            "check",
            "--format",
            "json",
            ".",
            ".chant/specs/2026-01-01-003-ccc.md",
        ],
    );
    assert_eq!(json(&out)["summary"]["specs"], 3);
}

// --- columns after multi-byte characters --------------------------------------

/// (line, start column, end column) of each diagnostic of the WIDE spec.
fn json_positions(report: &Value) -> Vec<(u64, u64, u64, u64)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["spec_id"] == "2026-01-01-002-bbb")
        .map(|d| {
            let r = &d["range"];
            (
                r["start"]["line"].as_u64().unwrap(),
                r["start"]["column"].as_u64().unwrap(),
                r["end"]["line"].as_u64().unwrap(),
                r["end"]["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn json_columns_are_utf8_bytes_after_wide_characters() {
    let ws = small_project();
    let report = json(&chant_lsp(ws.path(), &["check", "--format", "json"]));
    // `depends_on: [` is 13 bytes; `日本語-spec` 9 + 5 bytes; `, ` then the
    // second ID at byte 29. The criterion line is 6 + 9 + 5 + 4 + 8 = 32 bytes.
    assert_eq!(
        json_positions(&report),
        [
            (2, 13, 2, 27),
            (2, 29, 2, 47),
            (4, 0, 4, 24),
            (6, 0, 6, 22),
            (8, 0, 8, 32)
        ]
    );
    let d = &report["diagnostics"][1];
    assert_eq!(
        d["file"],
        ws.join(".chant/specs/2026-01-01-002-bbb.md")
            .display()
            .to_string()
    );
    assert_eq!(d["severity"], "error");
    assert_eq!(d["chant_rule"], "dependency");
    assert_eq!(report["diagnostics"][3]["chant_rule"], Value::Null);
    assert_eq!(
        report["summary"],
        serde_json::json!({"specs": 2, "errors": 3, "warnings": 0, "infos": 3, "specs_with_errors": 2})
    );
}

// --- GitHub workflow commands ---------------------------------------------------

#[test]
fn github_annotations_are_exact() {
    let ws = small_project();
    let out = chant_lsp(ws.path(), &["check", "--format", "github"]);
    assert_eq!(code(&out), 1);
    // 1-based; columns in UTF-16 units: `日本語-spec` is 8 units, the emoji 2.
    let expected = "\
::error file=.chant/specs/2026-01-01-001-aaa.md,line=2,col=9,endLine=2,endColumn=15,title=chant/unknown-status::Unknown status `pendng`: chant rejects the whole file (\"Failed to parse spec frontmatter\"). Did you mean `pending`? Valid values: `pending`, `in_progress`, `paused`, `completed`, `failed`, `needs_attention`, `ready`, `blocked` or `cancelled`.
::error file=.chant/specs/2026-01-01-002-bbb.md,line=3,col=14,endLine=3,endColumn=22,title=chant/unknown-dependency::Unknown dependency `日本語-spec`: no spec with this ID in .chant/specs: chant lint reports an error, and this spec stays blocked.
::error file=.chant/specs/2026-01-01-002-bbb.md,line=3,col=24,endLine=3,endColumn=42,title=chant/unknown-dependency::Unknown dependency `2026-01-01-009-zzz`: no spec with this ID in .chant/specs: chant lint reports an error, and this spec stays blocked.
::notice file=.chant/specs/2026-01-01-002-bbb.md,line=5,col=1,endLine=5,endColumn=21,title=chant/quality-confidence::chant grades confidence C: bullets starting with an imperative verb: 0 of 1 (0 %25), B needs over 50 %25. chant suggests: \"Increase bullet-to-prose ratio (>50%25); start bullets with imperative verbs; reduce vague language\". The spec is Review.
::notice file=.chant/specs/2026-01-01-002-bbb.md,line=7,col=1,endLine=7,endColumn=23,title=chant/quality-criteria::chant grades acceptance criteria C: 1 `- [ ]` item (B needs 2). chant suggests: \"Add at least 2 acceptance criteria checkboxes\". The spec is Review.
::notice file=.chant/specs/2026-01-01-002-bbb.md,line=9,col=1,endLine=9,endColumn=25,title=chant/unchecked-criterion::Not done yet: chant counts this criterion as unchecked (1 of 1 unchecked).
2 specs checked: 3 errors, 0 warnings, 3 notes
";
    assert_eq!(stdout(&out), expected);
}

#[test]
fn github_escapes_paths_and_reports_notes() {
    let ws = TempWorkspace::new();
    // A project folder whose name needs escaping in a property: `,` and `:`.
    let root = "a,b:c";
    ws.write(
        &format!("{root}/.chant/config.md"),
        "---\nproject: [unclosed\n---\n# Config\n",
    );
    ws.write(
        &format!("{root}/.chant/specs/2026-01-01-001-aaa.md"),
        STATUS_TYPO,
    );
    let out = chant_lsp(ws.path(), &["check", "--format", "github", root, "gone"]);
    assert_eq!(code(&out), 2);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[0].starts_with(
            "::error file=a%2Cb%3Ac/.chant/specs/2026-01-01-001-aaa.md,line=2,col=9,endLine=2,endColumn=15,title=chant/unknown-status::Unknown status `pendng`: "
        ),
        "{text}"
    );
    // The missing path is an error, the unreadable config a warning.
    assert_eq!(
        lines[1],
        "::error title=chant-lsp::gone: no such file or folder"
    );
    let config = ws.join(root).join(".chant/config.md");
    assert!(
        lines[2].starts_with(&format!(
            "::warning title=chant-lsp::{}: ",
            config.display()
        )),
        "{text}"
    );
    assert_eq!(lines[3], "1 spec checked: 1 error, 0 warnings, 0 notes");
}

// --- SARIF -------------------------------------------------------------------------

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!("schemas/sarif-schema-2.1.0.json"))
        .expect("the SARIF schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid_sarif(validator: &jsonschema::Validator, log: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");
}

#[test]
fn sarif_is_valid_against_the_oasis_schema() {
    let validator = sarif_validator();
    let ws = small_project();
    let out = chant_lsp(ws.path(), &["check", "--format", "sarif"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let log = json(&out);
    assert_valid_sarif(&validator, &log);

    // The validator is not a rubber stamp.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!validator.is_valid(&broken));

    // Also with a bad path (notifications, executionSuccessful false), and clean.
    let out = chant_lsp(ws.path(), &["check", "--format", "sarif", ".", "gone"]);
    assert_eq!(code(&out), 2);
    assert_valid_sarif(&validator, &json(&out));
    let clean = clean_project();
    let out = chant_lsp(clean.path(), &["check", "--format", "sarif"]);
    assert_eq!(code(&out), 0);
    assert_valid_sarif(&validator, &json(&out));
}

#[test]
fn sarif_run_describes_the_tool_and_every_result() {
    let ws = small_project();
    let log = json(&chant_lsp(ws.path(), &["check", "--format", "sarif"]));
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");

    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "chant-lsp");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["informationUri"], env!("CARGO_PKG_REPOSITORY"));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), Code::ALL.len());
    for (rule, code) in rules.iter().zip(Code::ALL) {
        assert_eq!(rule["id"], code.as_str());
        assert_eq!(rule["shortDescription"]["text"], code.summary());
        let level = match code.default_severity().as_str() {
            "error" => "error",
            "warning" => "warning",
            _ => "note",
        };
        assert_eq!(
            rule["defaultConfiguration"]["level"],
            level,
            "{}",
            code.as_str()
        );
    }

    // Each rule links to its section in docs/diagnostics.md.
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md"))
            .unwrap();
    for (rule, code) in rules.iter().zip(Code::ALL) {
        let anchor = code.as_str().replace('/', "");
        assert_eq!(
            rule["helpUri"],
            format!(
                "{}/blob/main/docs/diagnostics.md#{anchor}",
                env!("CARGO_PKG_REPOSITORY")
            )
        );
        assert!(
            docs.contains(&format!("\n### `{}`\n", code.as_str())),
            "docs/diagnostics.md has no section for {}",
            code.as_str()
        );
    }

    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let base = &run["originalUriBaseIds"]["%SRCROOT%"]["uri"];
    assert_eq!(*base, format!("file://{}/", ws.path().display()));

    let results = run["results"].as_array().unwrap();
    let summary: Vec<(String, String, String, Vec<u64>)> = results
        .iter()
        .map(|r| {
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(
                rules[index]["id"], r["ruleId"],
                "ruleIndex points at the rule"
            );
            let location = &r["locations"][0]["physicalLocation"];
            assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            let region = &location["region"];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["level"].as_str().unwrap().to_string(),
                location["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                ["startLine", "startColumn", "endLine", "endColumn"]
                    .iter()
                    .map(|k| region[k].as_u64().unwrap())
                    .collect(),
            )
        })
        .collect();
    let s = |x: &str| x.to_string();
    assert_eq!(
        summary,
        [
            (
                s("chant/unknown-status"),
                s("error"),
                s(".chant/specs/2026-01-01-001-aaa.md"),
                vec![2, 9, 2, 15]
            ),
            (
                s("chant/unknown-dependency"),
                s("error"),
                s(".chant/specs/2026-01-01-002-bbb.md"),
                vec![3, 14, 3, 22]
            ),
            (
                s("chant/unknown-dependency"),
                s("error"),
                s(".chant/specs/2026-01-01-002-bbb.md"),
                vec![3, 24, 3, 42]
            ),
            (
                s("chant/quality-confidence"),
                s("note"),
                s(".chant/specs/2026-01-01-002-bbb.md"),
                vec![5, 1, 5, 21]
            ),
            (
                s("chant/quality-criteria"),
                s("note"),
                s(".chant/specs/2026-01-01-002-bbb.md"),
                vec![7, 1, 7, 23]
            ),
            (
                s("chant/unchecked-criterion"),
                s("note"),
                s(".chant/specs/2026-01-01-002-bbb.md"),
                vec![9, 1, 9, 25]
            ),
        ]
    );
    assert!(results[1]["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Unknown dependency `日本語-spec`"));

    // Bad paths: notifications, and the run says it did not succeed.
    let log = json(&chant_lsp(
        ws.path(),
        &["check", "--format", "sarif", ".", "gone"],
    ));
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(
        invocation["toolExecutionNotifications"],
        serde_json::json!([{"level": "error", "message": {"text": "gone: no such file or folder"}}])
    );
}

#[test]
fn sarif_uris_are_encoded_and_outside_paths_absolute() {
    let validator = sarif_validator();
    let ws = TempWorkspace::new();
    ws.write("my project/.chant/config.md", "---\n---\n# Config\n");
    ws.write("my project/.chant/specs/2026-01-01-001-aaa.md", STATUS_TYPO);
    let sub = ws.join("elsewhere");
    std::fs::create_dir_all(&sub).unwrap();
    let uri = |dir: &Path, arg: &str| {
        let log = json(&chant_lsp(dir, &["check", "--format", "sarif", arg]));
        assert_valid_sarif(&validator, &log);
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"].clone()
    };
    assert_eq!(
        uri(ws.path(), "my project"),
        serde_json::json!({"uri": "my%20project/.chant/specs/2026-01-01-001-aaa.md", "uriBaseId": "%SRCROOT%"})
    );
    // Run from a folder that does not contain the project: an absolute file URI.
    let project = ws.join("my project");
    let located = uri(&sub, project.to_str().unwrap());
    assert_eq!(
        located,
        serde_json::json!({"uri": format!("file://{}/my%20project/.chant/specs/2026-01-01-001-aaa.md", ws.path().display())})
    );
}

// --- editor-config, --version ---------------------------------------------------

#[test]
fn editor_config_helix_prints_the_repository_file() {
    let dir = TempWorkspace::new();
    let out = chant_lsp(dir.path(), &["editor-config", "helix"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let file = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/helix/languages.toml"),
    )
    .unwrap();
    assert_eq!(stdout(&out), file);
    assert!(file.contains("[language-server.chant-lsp]"));
    let out = chant_lsp(dir.path(), &["editor-config", "emacs"]);
    assert_eq!(code(&out), 2);
}

#[test]
fn version_names_the_package_version() {
    let dir = TempWorkspace::new();
    for flag in ["--version", "-V"] {
        let out = chant_lsp(dir.path(), &[flag]);
        assert_eq!(code(&out), 0);
        assert_eq!(
            stdout(&out),
            format!("chant-lsp {}\n", env!("CARGO_PKG_VERSION"))
        );
    }
}

// --- what a spec may not do to a terminal or a CI log -------------------------

/// A project whose spec values and file names carry line breaks, workflow
/// commands, ESC sequences and a C1 control: a quoted YAML `\n` used to put
/// `::error …`, `::add-mask::` and `::stop-commands::` lines in the human
/// report (what the pre-commit hook prints, and which the Actions runner
/// executes), and ESC reached the terminal in every format but JSON.
fn hostile_text_project() -> TempWorkspace {
    let ws = TempWorkspace::new();
    ws.chant_init("project:\n  name: inject\n");
    ws.write(
        ".chant/specs/2026-01-01-001-aaa.md",
        "---\nstatus: pending\ndepends_on: [\"x\\n::error file=a.md::injected\\n  ::add-mask::secret\\r::stop-commands::tok\\e[2J\\x9b31m\"]\n---\n# Title \u{1b}[31mred\n\n## Acceptance Criteria\n\n- [ ] ::warning::from the body \u{1b}]0;title\u{7}\n",
    );
    std::fs::write(
        ws.join(".chant/specs")
            .join("2026-01-01-002-b\n::error::name\u{1b}[1m.md"),
        "---\nstatus: pendng\n---\n# Named badly\n",
    )
    .unwrap();
    ws
}

#[test]
fn no_format_lets_a_spec_start_a_workflow_command_or_a_terminal_escape() {
    let ws = hostile_text_project();
    let counted = json(&chant_lsp(ws.path(), &["check", "--format", "json"]));
    let commands = counted["diagnostics"].as_array().unwrap().len()
        + counted["notes"].as_array().unwrap().len();
    assert!(commands >= 4, "{counted}");
    for format in ["human", "json", "github", "sarif"] {
        let out = chant_lsp(
            ws.path(),
            &["check", "--color", "never", "--format", format],
        );
        let text = stdout(&out);
        assert!(
            !text.contains('\u{1b}'),
            "{format}: ESC reached stdout:\n{text}"
        );
        assert!(
            !text.contains('\u{9b}'),
            "{format}: C1 CSI reached stdout:\n{text}"
        );
        assert!(
            !text.contains('\u{7}'),
            "{format}: BEL reached stdout:\n{text}"
        );
        assert!(!text.contains('\r'), "{format}: CR reached stdout:\n{text}");
        let started: Vec<&str> = text
            .lines()
            .filter(|l| l.trim_start().starts_with("::"))
            .collect();
        if format == "github" {
            // Exactly one workflow command per diagnostic and note, each
            // well formed; nothing else in the log starts one.
            assert_eq!(started.len(), commands, "{text}");
            for line in &started {
                let (command, rest) = line[2..].split_once(' ').unwrap();
                assert!(["error", "warning", "notice"].contains(&command), "{line}");
                assert!(rest.contains("::"), "{line}");
            }
            assert_eq!(text.lines().count(), commands + 1, "{text}");
        } else {
            assert_eq!(started, Vec::<&str>::new(), "{format}:\n{text}");
        }
    }
}

/// What the escapes look like: the value as the user wrote it, escapes
/// visible, in the human report and in `--format github`.
#[test]
fn control_characters_from_a_spec_are_shown_as_escapes() {
    let ws = hostile_text_project();
    let human = stdout(&chant_lsp(ws.path(), &["check", "--color", "never"]));
    assert!(
        human.contains("error[chant/unknown-dependency]: Unknown dependency `x\\n::error file=a.md::injected\\n  ::add-mask::secret\\r::stop-commands::tok\\u{1b}[2J\\u{9b}31m`"),
        "{human}"
    );
    assert!(
        human.contains(" --> .chant/specs/2026-01-01-002-b\\n::error::name\\u{1b}[1m.md:2:9"),
        "{human}"
    );
    // The snippet shows the spec's own line, its controls as pictures.
    assert!(
        human.contains("- [ ] ::warning::from the body \u{241b}]0;title\u{2407}"),
        "{human}"
    );
    let github = stdout(&chant_lsp(ws.path(), &["check", "--format", "github"]));
    assert!(
        github.contains("::error file=.chant/specs/2026-01-01-002-b\\n%3A%3Aerror%3A%3Aname\\u{1b}[1m.md,line=2,col=9,endLine=2,endColumn=15,title=chant/unknown-status::"),
        "{github}"
    );
}

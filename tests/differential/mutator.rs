//! A seeded mutator of real specs and configs: the kinds of damage editors,
//! people and half-finished edits do to a spec (enum typos, wrong types,
//! bad indentation, moved delimiters, truncation, half-typed list items,
//! duplicated keys, stray Unicode, ...). Deterministic for a given seed.

/// splitmix64: small, fast, and the same on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }
}

/// What a mutation needs to know about the project it lands in.
pub struct Context<'a> {
    /// IDs of the other specs of the project (for dependencies, members,
    /// mentions).
    pub ids: &'a [String],
    /// This spec's ID.
    pub id: &'a str,
}

/// Files a mutation wants next to the spec (paths relative to the root).
#[derive(Debug, Default, Clone)]
pub struct Extras {
    pub files: Vec<(String, String)>,
}

const STATUSES: &[&str] = &[
    "pending",
    "in_progress",
    "paused",
    "completed",
    "failed",
    "needs_attention",
    "ready",
    "blocked",
    "cancelled",
    "open",
    "done",
    "Completed",
    "in-progress",
    "compelted",
    "",
    "~",
    "'pending'",
    "\"completed\"",
    "[pending]",
    "pending # a comment",
];

const TYPES: &[&str] = &[
    "code",
    "task",
    "driver",
    "documentation",
    "research",
    "group",
    "docs",
    "conflict",
    "Code",
    "cod",
    "",
    "~",
    "'driver'",
    "{code: 1}",
];

/// Values of every shape, for fields of every type.
const VALUES: &[&str] = &[
    "foo",
    "[a, b]",
    "[]",
    "\"3\"",
    "3",
    "-1",
    "7.5",
    "true",
    "~",
    "{a: 1}",
    "''",
    "\"\"",
    "[1, 2]",
    "[~]",
    "[a, [b]]",
    "0x1F",
    "1e3",
    ".inf",
    "yes",
    "null",
    "!!str 5",
    "2026-01-01",
    "a: b",
    "[a, b",
    "'unclosed",
    "|\n  block text",
    ">\n  folded",
    "&anchor x",
    "*anchor",
    "4294967296",
    "[\"a---b\"]",
];

const FIELDS: &[&str] = &[
    "type",
    "status",
    "depends_on",
    "labels",
    "target_files",
    "context",
    "prompt",
    "branch",
    "commits",
    "completed_at",
    "model",
    "tracks",
    "informed_by",
    "origin",
    "schedule",
    "verification_status",
    "replay_count",
    "approval",
    "members",
    "output_schema",
    "public",
    "retry_state",
    "derived_fields",
    "last_verified",
    "priority",
    "id",
    "commit",
];

const DEPENDS_ON: &[&str] = &[
    "[1, 2]",
    "true",
    "7.5",
    "\n- ",
    "\n-",
    "\n- ~",
    "~",
    "[]",
    "''",
    "001",
    "[001]",
    "\"001\"",
    "[a, ~]",
    "{a: b}",
    "[[a]]",
    "-3",
    "[true]",
    "\n  - x\n  - 5",
];

const MODELS: &[&str] = &[
    "opus",
    "sonnet",
    "haiku",
    "claude-opus-4-5",
    "Opus",
    "claude-sonnet-4",
    "SONNET",
    "gpt-4",
    "4",
];

const OUTPUT_SCHEMAS: &[&str] = &[
    "\"\"",
    "''",
    "schemas/output.json",
    "schemas/output.json/",
    "schemas/missing.json",
    "schemas/bad.json",
    "schemas/strict.json",
    "schemas",
    ".",
    "./schemas/output.json",
    "schemas//output.json",
    "' schemas/output.json'",
];

const LOGS: &[&str] = &[
    "agent says hi\n```json\n{\"summary\": \"done\", \"ok\": true}\n```\n",
    "agent says hi\n```json\n{\"summary\": 5}\n```\n",
    "no json here\n",
    "{\"summary\": \"x\"}",
    "text before {\"summary\": \"x\", \"ok\": \"no\"} after",
    "[1, 2, 3]",
    "```\n{\"summary\": \"bare\"}\n```",
    "",
];

/// Odd characters that editors and pasting leave behind.
const NOISE: &[&str] = &[
    "\u{a0}", "\u{200b}", "\t", "😀", "\r", "\u{2028}", "é", "\u{feff}", "¹", "#", ":", "-", "'",
    "\"", "[", "{", "---", "\\",
];

/// Suffixes glued to a spec ID in prose (word boundaries).
const ID_SUFFIXES: &[&str] = &[
    "", "¹", "²", ".1", ".12", "é", "_x", "-x", "a", "٣", "３", "\u{301}", ".", ",", ")", "`", "ß",
    "Ω",
];

/// The frontmatter lines of `lines`: (first, last) indices, both exclusive
/// of the delimiters, when the spec starts with `---` and has a closing one.
fn frontmatter(lines: &[String]) -> Option<(usize, usize)> {
    if lines.first().map(|l| l.trim()) != Some("---") {
        return None;
    }
    let close = lines.iter().skip(1).position(|l| l.trim() == "---")? + 1;
    Some((1, close))
}

fn split(text: &str) -> Vec<String> {
    text.split('\n').map(str::to_string).collect()
}

fn join(lines: &[String]) -> String {
    lines.join("\n")
}

/// Set `key: value` in the frontmatter (replacing the entry if present).
pub fn set_field(text: &str, key: &str, value: &str) -> String {
    let mut lines = split(text);
    let Some((start, end)) = frontmatter(&lines) else {
        return format!("---\n{key}: {value}\n---\n{text}");
    };
    let prefix = format!("{key}:");
    if let Some(i) = (start..end).find(|&i| lines[i].starts_with(&prefix)) {
        // Drop the entry's continuation lines (indented or list items).
        let mut j = i + 1;
        while j < end && (lines[j].starts_with(' ') || lines[j].starts_with('-')) {
            j += 1;
        }
        lines.splice(i..j, [format!("{key}: {value}")]);
    } else {
        lines.insert(end, format!("{key}: {value}"));
    }
    join(&lines)
}

fn char_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// One random mutation of a spec. Returns the class's name.
pub fn mutate(rng: &mut Rng, text: &str, cx: &Context, extras: &mut Extras) -> (String, String) {
    let classes = 29;
    let class = rng.below(classes);
    let mut lines = split(text);
    let fm = frontmatter(&lines);
    let some_id = |rng: &mut Rng| -> String {
        if cx.ids.is_empty() || rng.chance(10) {
            format!(
                "2026-0{}-1{}-00{}-zzz",
                1 + rng.below(9),
                rng.below(9),
                rng.below(9)
            )
        } else {
            rng.pick(cx.ids).clone()
        }
    };
    let out = match class {
        0 => ("status", set_field(text, "status", rng.pick(STATUSES))),
        1 => ("type", set_field(text, "type", rng.pick(TYPES))),
        2 => {
            let field = rng.pick(FIELDS);
            ("wrong-type", set_field(text, field, rng.pick(VALUES)))
        }
        3 => (
            "depends-on-shape",
            set_field(text, "depends_on", rng.pick(DEPENDS_ON)),
        ),
        4 => {
            let n = rng.below(4);
            let ids: Vec<String> = (0..n).map(|_| some_id(rng)).collect();
            let value = if rng.chance(50) {
                format!("[{}]", ids.join(", "))
            } else if ids.is_empty() {
                "[]".to_string()
            } else {
                ids.iter().map(|i| format!("\n- {i}")).collect()
            };
            ("depends-on-ids", set_field(text, "depends_on", &value))
        }
        5 => match fm {
            Some((start, end)) if end > start => {
                let i = start + rng.below(end - start);
                let line = &mut lines[i];
                match rng.below(4) {
                    0 => line.insert(0, ' '),
                    1 => line.insert_str(0, "  "),
                    2 => line.insert(0, '\t'),
                    _ => {
                        if line.starts_with(' ') {
                            line.remove(0);
                        } else {
                            line.insert_str(0, "   ");
                        }
                    }
                }
                ("indent", join(&lines))
            }
            _ => ("indent", format!(" {text}")),
        },
        6 => match fm {
            Some((_, end)) => {
                let delimiter = lines.remove(end);
                let choice = rng.below(6);
                match choice {
                    0 => {}
                    1 => {
                        let to = 1 + rng.below(end.max(1));
                        lines.insert(to.min(lines.len()), delimiter);
                    }
                    2 => {
                        let to = end + rng.below(6);
                        lines.insert(to.min(lines.len()), delimiter);
                    }
                    3 => lines.insert(end, "----".into()),
                    4 => lines.insert(end, "--- ".into()),
                    _ => lines.insert(end, "...".into()),
                }
                ("delimiter", join(&lines))
            }
            None => ("delimiter", format!("---\n{text}")),
        },
        7 => {
            let cut = char_boundary(text, rng.below(text.len().max(1)));
            ("truncate", text[..cut].to_string())
        }
        8 => match fm {
            Some((start, end)) => {
                let item = rng.pick(&["-", "- ", "- ~", "- [", "-  ", "- -", "- ''", "- 1"]);
                let list_keys: Vec<usize> = (start..end)
                    .filter(|&i| lines[i].ends_with(':') && !lines[i].starts_with(' '))
                    .collect();
                let at = if list_keys.is_empty() {
                    lines.insert(end, format!("{}:", rng.pick(FIELDS)));
                    end + 1
                } else {
                    rng.pick(&list_keys) + 1
                };
                lines.insert(at, item.to_string());
                ("half-item", join(&lines))
            }
            None => ("half-item", text.to_string()),
        },
        9 => match fm {
            Some((start, end)) if end > start => {
                let i = start + rng.below(end - start);
                let line = lines[i].clone();
                let to = start + rng.below(end - start + 1);
                lines.insert(to, line);
                ("duplicate-line", join(&lines))
            }
            _ => ("duplicate-line", text.to_string()),
        },
        10 => {
            if lines.len() > 1 {
                let i = rng.below(lines.len());
                lines.remove(i);
            }
            ("delete-line", join(&lines))
        }
        11 => {
            // The title: removed, malformed, or in a fence.
            let title = lines.iter().position(|l| l.trim_start().starts_with("# "));
            match (title, rng.below(5)) {
                (Some(i), 0) => {
                    lines.remove(i);
                }
                (Some(i), 1) => lines[i] = lines[i].replacen("# ", "#", 1),
                (Some(i), 2) => lines[i] = format!("  {}", lines[i]),
                (Some(i), 3) => lines.insert(i, "```sh\n# install first\n```".into()),
                _ => lines.push("# A late title".into()),
            }
            ("title", join(&lines))
        }
        12 => {
            let n = rng.below(16);
            let marker = rng.pick(&["- [ ]", "- [x]", "- [X]", "* [ ]", "  - [ ]", "- [ ] - [ ]"]);
            let mut block = String::new();
            if rng.chance(40) {
                block.push_str(rng.pick(&[
                    "## Acceptance Criteria\n",
                    "### Acceptance Criteria\n",
                    "## acceptance criteria\n",
                    "## Acceptance Criteria (must)\n",
                    "```\n",
                    "## Notes\n",
                ]));
            }
            for k in 0..n {
                block.push_str(&format!("{marker} item {k} works\n"));
            }
            let at = rng.below(lines.len() + 1);
            lines.insert(at.max(fm.map_or(0, |(_, e)| e + 1)).min(lines.len()), block);
            ("criteria", join(&lines))
        }
        13 => {
            let id = some_id(rng);
            let mention = if rng.chance(25) {
                cx.id.to_string()
            } else {
                id
            };
            let before = rng.pick(&["", " ", "x", "é", "`", "(", "_", "1", "٣"]);
            let after = rng.pick(ID_SUFFIXES);
            let wrap = rng.below(4);
            let line = match wrap {
                0 => format!("See {before}{mention}{after} for context."),
                1 => format!("```\n{before}{mention}{after}\n```"),
                2 => format!("```text\nsee {mention}"),
                _ => format!("{before}{mention}{after}"),
            };
            let start = fm.map_or(0, |(_, e)| e + 1).min(lines.len());
            let at = start + rng.below(lines.len() - start + 1);
            lines.insert(at, line);
            ("mention", join(&lines))
        }
        14 => {
            let schema = rng.pick(OUTPUT_SCHEMAS);
            let mut out = set_field(text, "output_schema", schema);
            if rng.chance(80) {
                out = set_field(&out, "status", "completed");
            }
            if rng.chance(70) {
                extras.files.push((
                    format!(".chant/logs/{}.log", cx.id),
                    rng.pick(LOGS).to_string(),
                ));
            }
            ("output-schema", out)
        }
        15 => {
            let mut out = set_field(text, "model", rng.pick(MODELS));
            if rng.chance(60) {
                // A body simple enough for the modelwaste rule.
                if let Some((_, end)) = frontmatter(&split(&out)) {
                    let mut l = split(&out);
                    l.truncate(end + 1);
                    l.push(
                        rng.pick(&["# Fix typo", "# Fix a typo now", "# T", ""])
                            .to_string(),
                    );
                    out = join(&l);
                }
            }
            ("model", out)
        }
        16 => {
            let approval = rng.pick(&[
                "\n  required: true",
                "\n  required: true\n  status: approved",
                "\n  required: true\n  status: approved\n  by: Ada\n  at: 2026-01-01T00:00:00Z",
                "\n  status: rejected\n  by: Bo",
                "\n  status: pending\n  by: Bo",
                "\n  required: yes",
                "\n  status: aproved",
                "\n  required: true\n  extra: 1",
                "{required: true, status: approved, by: A, at: B}",
                "~",
                "[]",
            ]);
            ("approval", set_field(text, "approval", approval))
        }
        17 => {
            let kind = rng.pick(&["driver", "group", "code"]);
            let mut out = set_field(text, "type", kind);
            let members: Vec<String> = (0..rng.below(4))
                .map(|k| {
                    if rng.chance(50) {
                        format!("{}.{}", cx.id, k + 1)
                    } else {
                        some_id(rng)
                    }
                })
                .collect();
            out = set_field(&out, "members", &format!("[{}]", members.join(", ")));
            ("members", out)
        }
        18 => {
            let noise = rng.pick(NOISE);
            let at = char_boundary(text, rng.below(text.len().max(1)));
            ("noise", format!("{}{noise}{}", &text[..at], &text[at..]))
        }
        19 => ("crlf", text.replace('\n', "\r\n")),
        20 => match fm {
            Some((start, end)) => {
                let line = rng.pick(&[
                    "# a comment",
                    "unknown_key: {deep: [1, {x: y}]}",
                    "labels: &l [a, b]",
                    "tracks: *l",
                    "? complex key\n: value",
                    "\"status\": pending",
                    "status : pending",
                    "labels: [a, b,]",
                    "labels: !!seq [a]",
                    "key with spaces: 1",
                    "%YAML 1.2",
                    "type: code # trailing comment",
                    "labels:\n  - a\n   - b",
                    "labels:\n- a\n  - b",
                    "context:\n  - \"quoted\\\"escape\"",
                ]);
                let at = start + rng.below(end - start + 1);
                lines.insert(at, line.to_string());
                ("yaml-construct", join(&lines))
            }
            None => ("yaml-construct", text.to_string()),
        },
        21 => {
            let field = rng.pick(&["target_files", "tracks", "informed_by", "origin", "context"]);
            let n = rng.below(9);
            let items: Vec<String> = (0..n).map(|k| format!("src/file{k}.rs")).collect();
            (
                "list-field",
                set_field(text, field, &format!("[{}]", items.join(", "))),
            )
        }
        22 => {
            // A long body: many words, bullets, or none.
            let words = rng.below(400);
            let mut body = String::new();
            for k in 0..words {
                body.push_str(if k % 12 == 11 { "word\n" } else { "word " });
            }
            lines.push(body);
            ("long-body", join(&lines))
        }
        23 => {
            // Remove the whole frontmatter or its opening.
            match (fm, rng.below(3)) {
                (Some((_, end)), 0) => {
                    lines.drain(0..=end);
                }
                (Some(_), 1) => {
                    lines.remove(0);
                }
                _ => lines.insert(0, rng.pick(&["", "<!-- x -->", "\u{feff}---"]).to_string()),
            }
            ("frontmatter-gone", join(&lines))
        }
        24 => {
            // A `---` inside a value.
            (
                "cut",
                set_field(text, rng.pick(&["labels", "model", "branch"]), "a---b"),
            )
        }
        26 => {
            // A key misspelt, recased or re-punctuated.
            match fm {
                Some((start, end)) if end > start => {
                    let i = start + rng.below(end - start);
                    let line = &mut lines[i];
                    if let Some(colon) = line.find(':') {
                        let key = line[..colon].to_string();
                        let new_key = match rng.below(5) {
                            0 => key.replace('_', "-"),
                            1 => key.to_uppercase(),
                            2 => format!("{key}s"),
                            3 => key.chars().skip(1).collect(),
                            _ => format!("\"{key}\""),
                        };
                        line.replace_range(..colon, &new_key);
                    }
                    ("key-typo", join(&lines))
                }
                _ => ("key-typo", text.to_string()),
            }
        }
        27 => {
            // Characters deleted at random in the first lines.
            let mut out = text.to_string();
            for _ in 0..1 + rng.below(3) {
                let limit = out.len().min(200);
                let at = char_boundary(&out, rng.below(limit.max(1)));
                if at < out.len() {
                    let next = out[at..].chars().next().map_or(1, char::len_utf8);
                    out.replace_range(at..at + next, "");
                }
            }
            ("char-delete", out)
        }
        28 => {
            // Title forms: a tab, no space, a second title, trailing spaces.
            let form = rng.pick(&[
                "#\tTabbed title",
                "#NoSpace",
                "# Second title",
                "#  Two spaces",
                "# ",
                " # Indented",
            ]);
            let start = fm.map_or(0, |(_, e)| e + 1).min(lines.len());
            lines.insert(start, form.to_string());
            ("title-form", join(&lines))
        }
        _ => {
            // Swap two lines.
            if lines.len() > 2 {
                let a = rng.below(lines.len());
                let b = rng.below(lines.len());
                lines.swap(a, b);
            }
            ("swap-lines", join(&lines))
        }
    };
    (out.0.to_string(), out.1)
}

/// Config variants: targeted ones (from the issue) and random damage to
/// the corpus config.
pub fn config_variant(rng: &mut Rng, base: &str, n: usize) -> (String, String) {
    const TARGETED: &[(&str, &str)] = &[
        ("as-is", ""),
        ("defaults-prompt-list", "defaults:\n  prompt: [x]\n"),
        ("thresholds-null", "lint:\n  thresholds: ~\n"),
        ("disable-null", "lint:\n  disable: ~\n"),
        ("stagger-word", "parallel:\n  stagger_delay_ms: fast\n"),
        ("duplicate-unknown", "silent: true\nsilent: false\n"),
        ("duplicate-known", "lint:\n  disable: []\nlint:\n  disable: []\n"),
        ("required-null", "enterprise:\n  required: [~]\n"),
        ("required-fields", "enterprise:\n  required: [labels, prompt, target_files]\n"),
        ("required-scalar", "enterprise:\n  required: labels\n"),
        ("words-on", "lint:\n  disable: []\n"),
        (
            "low-thresholds",
            "lint:\n  thresholds:\n    complexity_criteria: 2\n    complexity_files: 1\n    simple_words: 60\n    simple_criteria: 3\n  disable: []\n",
        ),
        ("threshold-negative", "lint:\n  thresholds:\n    complexity_criteria: -1\n"),
        ("threshold-quoted", "lint:\n  thresholds:\n    complexity_criteria: \"3\"\n"),
        ("threshold-float", "lint:\n  thresholds:\n    complexity_files: 3.5\n"),
        ("rejection-bad", "approval:\n  rejection_action: fix\n"),
        ("provider-bad", "defaults:\n  provider: gpt\n"),
        ("rotation-kebab", "defaults:\n  rotation_strategy: round-robin\n"),
        ("rotation-bad", "defaults:\n  rotation_strategy: weird\n"),
        ("repos-missing-path", "repos:\n- name: a\n"),
        ("derived-bad", "enterprise:\n  derived:\n    team:\n      from: nowhere\n      pattern: x\n"),
        ("site-detail-bad", "site:\n  graph:\n    detail: huge\n"),
        ("watch-zero", "watch:\n  poll_interval_ms: 0\n"),
        ("disable-words-scalar", "lint:\n  disable: complexity_words\n"),
        ("required-numbers", "enterprise:\n  required: [1, true]\n"),
        ("agents-bad", "parallel:\n  agents:\n  - name: a\n    weight: heavy\n"),
        ("project-name-list", "project:\n  name: [a]\n"),
        ("unknown-section", "whatever:\n  deep: [1, {a: b}]\n"),
    ];
    if n < TARGETED.len() {
        let (name, add) = TARGETED[n];
        // Replace the sections the variant sets, then add them.
        let mut text = base.to_string();
        for line in add.lines().filter(|l| !l.starts_with([' ', '-'])) {
            if let Some((key, _)) = line.split_once(':') {
                if add.matches(&format!("{key}:")).count() == 1 {
                    text = remove_top_key(&text, key);
                }
            }
        }
        let text = text.replacen("\n---\n", &format!("\n{add}---\n"), 1);
        return (name.to_string(), text);
    }
    if n == TARGETED.len() {
        return ("no-frontmatter".into(), "# Chant Configuration\n".into());
    }
    let mut text = base.to_string();
    let mut names = Vec::new();
    for _ in 0..1 + rng.below(2) {
        let cx = Context {
            ids: &[],
            id: "config",
        };
        let (class, out) = mutate(rng, &text, &cx, &mut Extras::default());
        if matches!(
            class.as_str(),
            "status"
                | "type"
                | "wrong-type"
                | "indent"
                | "delimiter"
                | "half-item"
                | "duplicate-line"
                | "delete-line"
                | "noise"
                | "yaml-construct"
                | "truncate"
        ) {
            names.push(class);
            text = out;
        }
    }
    (format!("random({})", names.join("+")), text)
}

/// Drop a top-level key and its indented lines from a config's frontmatter.
fn remove_top_key(text: &str, key: &str) -> String {
    let lines = split(text);
    let mut out = Vec::new();
    let mut skipping = false;
    for (i, line) in lines.iter().enumerate() {
        if i > 0 && line.starts_with(&format!("{key}:")) {
            skipping = true;
            continue;
        }
        if skipping && (line.starts_with(' ') || line.starts_with('-')) {
            continue;
        }
        skipping = false;
        out.push(line.clone());
    }
    join(&out)
}

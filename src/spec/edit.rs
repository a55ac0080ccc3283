//! Edits to a spec's text in the file's own style (block or flow lists, the
//! quotes of the items already there, its line breaks), computed from the
//! spec model: what quick fixes and code actions change. Pure: text in,
//! byte edits out.

use std::collections::BTreeMap;
use std::ops::Range;

use super::body::Criterion;
use super::fields::{self, FieldKind};
use super::SpecModel;
use crate::syntax::yaml::{ScalarStyle, YamlKind, YamlNode};
use crate::text::diff::{minimal_edits, Edit};

/// The line break the file uses: CRLF when its first line break is one.
pub fn line_break(text: &str) -> &'static str {
    match text.find('\n') {
        Some(at) if text[..at].ends_with('\r') => "\r\n",
        _ => "\n",
    }
}

/// How the file writes lists, taken from the first list in its frontmatter.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ListStyle {
    /// `[a, b]`, items quoted like this.
    Flow(Quote),
    /// One item per line, each line starting with this prefix (`- `, `  - `).
    Block { prefix: String, quote: Quote },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
}

impl Quote {
    fn of(node: Option<&YamlNode>) -> Quote {
        match node.and_then(YamlNode::as_scalar).map(|s| s.style) {
            Some(ScalarStyle::SingleQuoted) => Quote::Single,
            Some(ScalarStyle::DoubleQuoted) => Quote::Double,
            _ => Quote::None,
        }
    }

    /// Spec IDs need no escaping (`is_safe_id`), so quoting is only style.
    fn wrap(self, id: &str) -> String {
        match self {
            Quote::None => id.to_string(),
            Quote::Single => format!("'{id}'"),
            Quote::Double => format!("\"{id}\""),
        }
    }
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

fn line_end(text: &str, at: usize) -> usize {
    text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i)
}

/// The block-list prefix of an item: the text from its line start to it,
/// when that is only indentation and a dash.
fn block_prefix(text: &str, item: &YamlNode) -> Option<String> {
    let start = line_start(text, item.range.start);
    let prefix = &text[start..item.range.start];
    let is_prefix = prefix.trim_start().starts_with('-')
        && prefix.chars().all(|c| c == ' ' || c == '-' || c == '\t');
    is_prefix.then(|| prefix.to_string())
}

fn list_style(text: &str, model: &SpecModel) -> ListStyle {
    let entries = &model.frontmatter.outline().entries;
    // depends_on itself first, then any other list.
    let lists = entries
        .iter()
        .filter(|e| e.key == "depends_on")
        .chain(entries.iter().filter(|e| e.key != "depends_on"));
    for entry in lists {
        let Some(value) = &entry.value else { continue };
        if let YamlKind::Sequence { items, flow } = &value.kind {
            let quote = Quote::of(items.first());
            if *flow {
                return ListStyle::Flow(quote);
            }
            if let Some(prefix) = items.first().and_then(|i| block_prefix(text, i)) {
                return ListStyle::Block { prefix, quote };
            }
        }
    }
    // What chant itself writes.
    ListStyle::Block {
        prefix: "- ".into(),
        quote: Quote::None,
    }
}

/// Edits that add `ids` to `depends_on` (those not there yet), keeping the
/// file's list style. Empty when nothing needs adding or the frontmatter
/// has a shape this cannot extend safely.
pub fn add_dependencies(text: &str, model: &SpecModel, ids: &[&str]) -> Vec<Edit> {
    let present: Vec<String> = model.values().depends_on.clone().unwrap_or_default();
    let mut new_ids: Vec<&str> = Vec::new();
    for id in ids {
        if !present.iter().any(|p| p == id) && !new_ids.contains(id) {
            new_ids.push(id);
        }
    }
    if new_ids.is_empty() {
        return Vec::new();
    }
    let eol = line_break(text);
    let style = list_style(text, model);
    let flow_list = |quote: Quote| -> String {
        let items: Vec<String> = new_ids.iter().map(|id| quote.wrap(id)).collect();
        format!("[{}]", items.join(", "))
    };
    let block_lines = |prefix: &str, quote: Quote| -> String {
        new_ids
            .iter()
            .map(|id| format!("{eol}{prefix}{}", quote.wrap(id)))
            .collect()
    };

    let Some(block) = &model.layout.frontmatter else {
        // No frontmatter: only when the file does not look like a broken one.
        let start = model.layout.trimmed.start;
        if text[start..].starts_with("---") || text[start..].starts_with('\u{feff}') {
            return Vec::new();
        }
        let list = match &style {
            ListStyle::Flow(q) => format!(" {}", flow_list(*q)),
            ListStyle::Block { prefix, quote } => block_lines(prefix, *quote),
        };
        return vec![(
            start..start,
            format!("---{eol}depends_on:{list}{eol}---{eol}"),
        )];
    };
    if !model.chant_accepts() && model.frontmatter.outline().entry("depends_on").is_none() {
        // Adding a key to YAML chant cannot read would not help.
        return Vec::new();
    }
    let Some(entry) = model.frontmatter.outline().entry("depends_on") else {
        let at = block.closing.start;
        if !text[..at].ends_with('\n') && !text[..at].ends_with('\r') {
            return Vec::new();
        }
        let list = match &style {
            ListStyle::Flow(q) => format!(" {}", flow_list(*q)),
            ListStyle::Block { prefix, quote } => block_lines(prefix, *quote),
        };
        return vec![(at..at, format!("depends_on:{list}{eol}"))];
    };
    match &entry.value {
        None => {
            // `depends_on:` with nothing after it.
            match &style {
                ListStyle::Flow(q) => {
                    let colon = entry.key_range.end
                        + text[entry.key_range.end..].find(':').unwrap_or(0)
                        + 1;
                    vec![(colon..colon, format!(" {}", flow_list(*q)))]
                }
                ListStyle::Block { prefix, quote } => {
                    let end = line_end(text, entry.key_range.end);
                    vec![(end..end, block_lines(prefix, *quote))]
                }
            }
        }
        Some(value) => match &value.kind {
            YamlKind::Scalar(scalar) => {
                let raw = &text[value.range.clone()];
                let is_null = matches!(scalar.text.as_str(), "~" | "null" | "Null" | "NULL" | "")
                    && scalar.style == ScalarStyle::Plain;
                let quote = if is_null {
                    Quote::None
                } else {
                    Quote::of(Some(value))
                };
                let mut items: Vec<String> = if is_null {
                    Vec::new()
                } else {
                    vec![raw.to_string()]
                };
                items.extend(new_ids.iter().map(|id| quote.wrap(id)));
                vec![(value.range.clone(), format!("[{}]", items.join(", ")))]
            }
            YamlKind::Sequence { items, flow: true } => {
                let quote = Quote::of(items.first());
                let added: Vec<String> = new_ids.iter().map(|id| quote.wrap(id)).collect();
                match items.last() {
                    Some(last) => vec![(
                        last.range.end..last.range.end,
                        format!(", {}", added.join(", ")),
                    )],
                    None => {
                        let open = value.range.start
                            + text[value.range.clone()].find('[').unwrap_or(0)
                            + 1;
                        vec![(open..open, added.join(", "))]
                    }
                }
            }
            YamlKind::Sequence { items, flow: false } => {
                let (Some(first), Some(last)) = (items.first(), items.last()) else {
                    return Vec::new();
                };
                let Some(prefix) = block_prefix(text, last).or_else(|| block_prefix(text, first))
                else {
                    return Vec::new();
                };
                let quote = Quote::of(Some(first));
                let end = line_end(text, last.range.end);
                vec![(end..end, block_lines(&prefix, quote))]
            }
            _ => Vec::new(),
        },
    }
}

/// Edits that take spec IDs out of the body's prose: each mention goes
/// with one space next to it, and a line left with nothing but a list
/// marker or punctuation goes whole.
pub fn remove_mentions(text: &str, ranges: &[Range<usize>]) -> Vec<Edit> {
    let mut by_line: BTreeMap<usize, Vec<Range<usize>>> = BTreeMap::new();
    for range in ranges {
        by_line
            .entry(line_start(text, range.start))
            .or_default()
            .push(range.clone());
    }
    let mut edits = Vec::new();
    for (start, mut mentions) in by_line {
        let end = line_end(text, start);
        let mut line = text[start..end].to_string();
        mentions.sort_by_key(|r| std::cmp::Reverse(r.start));
        mentions.dedup();
        for m in mentions {
            let (a, b) = (m.start - start, m.end - start);
            if line[b..].starts_with(' ') {
                line.replace_range(a..b + 1, "");
            } else if line[..a].ends_with(' ') {
                line.replace_range(a - 1..b, "");
            } else {
                line.replace_range(a..b, "");
            }
        }
        let empty = line
            .trim_matches(|c: char| c.is_whitespace() || "-*+.,;:()[]".contains(c))
            .is_empty();
        if empty {
            // The whole line, with its line break (or the one before it at
            // the end of the file).
            let after = if text[end..].starts_with("\r\n") {
                end + 2
            } else if end < text.len() {
                end + 1
            } else {
                end
            };
            let from = if after == end && start > 0 {
                let mut s = start - 1;
                if text[..s].ends_with('\r') && text[s..].starts_with('\n') {
                    s -= 1;
                }
                s
            } else {
                start
            };
            edits.push((from..after, String::new()));
        } else {
            edits.extend(
                minimal_edits(&text[start..end], &line)
                    .into_iter()
                    .map(|(r, t)| (start + r.start..start + r.end, t)),
            );
        }
    }
    edits
}

/// A placeholder chant accepts for a field of this kind.
fn placeholder(name: &str) -> String {
    match fields::field_info(name).map(|f| f.kind) {
        Some(FieldKind::List) | Some(FieldKind::StringOrList) => "[]".into(),
        Some(FieldKind::Bool) => "false".into(),
        Some(FieldKind::UnsignedInt) => "0".into(),
        Some(FieldKind::Enum(values)) => values.first().map_or("\"\"".into(), |v| v.name.into()),
        // retry_state's members are all required; approval's have defaults.
        Some(FieldKind::Map(members)) if name == "retry_state" => {
            let members: Vec<String> = members
                .iter()
                .map(|m| format!("{}: {}", m.name, placeholder_for_kind(m.kind)))
                .collect();
            format!("{{{}}}", members.join(", "))
        }
        Some(FieldKind::Map(_)) => "{}".into(),
        _ => "\"\"".into(),
    }
}

fn placeholder_for_kind(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::UnsignedInt => "0",
        FieldKind::Bool => "false",
        FieldKind::List | FieldKind::StringOrList => "[]",
        _ => "\"\"",
    }
}

/// The edit that adds field `name` (wanted by config `enterprise.required`)
/// with a value chant accepts, as the last field of the frontmatter (or in
/// a new frontmatter).
pub fn add_field(text: &str, model: &SpecModel, name: &str) -> Option<Edit> {
    let eol = line_break(text);
    let value = placeholder(name);
    match &model.layout.frontmatter {
        Some(block) => {
            let at = block.closing.start;
            (text[..at].ends_with('\n') || text[..at].ends_with('\r'))
                .then(|| (at..at, format!("{name}: {value}{eol}")))
        }
        None => {
            let start = model.layout.trimmed.start;
            if text[start..].starts_with("---") || text[start..].starts_with('\u{feff}') {
                return None;
            }
            Some((
                start..start,
                format!("---{eol}{name}: {value}{eol}---{eol}"),
            ))
        }
    }
}

/// A label as a YAML list item: plain when plain YAML reads it back as the
/// same string, else double-quoted and escaped.
pub fn yaml_string(value: &str) -> String {
    let plain = value
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ' '))
        && value.starts_with(|c: char| c.is_alphanumeric() || c == '_')
        && !value.ends_with(' ')
        && !matches!(
            value.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        )
        && value.parse::<f64>().is_err();
    if plain {
        value.to_string()
    } else {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// Edits that give a spec `chant add` just wrote its type and labels:
/// `type:` gets `spec_type`, and a `labels:` block list (chant's own style)
/// goes after `status:` (chant's field order), unless the spec has labels
/// already. Empty when there is nothing to change or no frontmatter to
/// change it in.
pub fn set_type_and_labels(
    text: &str,
    model: &SpecModel,
    spec_type: Option<&str>,
    labels: &[String],
) -> Vec<Edit> {
    let Some(block) = &model.layout.frontmatter else {
        return Vec::new();
    };
    let eol = line_break(text);
    let outline = model.frontmatter.outline();
    let mut edits: Vec<Edit> = Vec::new();
    let mut after_type = None;
    if let Some(entry) = outline.entry("type") {
        after_type = Some(line_end(text, entry.range.end));
        if let (Some(new), Some(value)) = (spec_type, &entry.value) {
            if value.as_scalar().map(|v| v.text.as_str()) != Some(new) {
                edits.push((value.range.clone(), new.to_string()));
            }
        }
    } else if let Some(new) = spec_type.filter(|t| *t != "code") {
        edits.push((
            block.opening.end..block.opening.end,
            format!("{eol}type: {new}"),
        ));
    }
    if !labels.is_empty() && outline.entry("labels").is_none() {
        let at = outline
            .entry("depends_on")
            .or_else(|| outline.entry("status"))
            .map(|e| line_end(text, e.range.end))
            .or(after_type);
        let list: String = labels
            .iter()
            .map(|l| format!("{eol}- {}", yaml_string(l)))
            .collect();
        match at {
            Some(at) => edits.push((at..at, format!("{eol}labels:{list}"))),
            None => edits.push((
                block.opening.end..block.opening.end,
                format!("{eol}labels:{list}"),
            )),
        }
    }
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    edits
}

/// The spec's text with `status: pending`, as `chant reset` leaves it (the
/// text unchanged when it has no `status:` value).
pub fn as_pending(text: &str, model: &SpecModel) -> String {
    match model
        .frontmatter
        .outline()
        .entry("status")
        .and_then(|e| e.value.as_ref())
    {
        Some(value) => format!(
            "{}pending{}",
            &text[..value.range.start],
            &text[value.range.end..]
        ),
        None => text.to_string(),
    }
}

/// The acceptance criterion whose line holds `offset`.
pub fn criterion_at(model: &SpecModel, offset: usize) -> Option<&Criterion> {
    model
        .body
        .criteria
        .as_ref()?
        .items
        .iter()
        .find(|item| item.line.start <= offset && offset <= item.line.end)
}

/// Tick or untick a criterion: only the character between the brackets.
/// None when it already is as asked.
pub fn set_criterion(text: &str, item: &Criterion, checked: bool) -> Option<Edit> {
    if item.checked == checked {
        return None;
    }
    let marker = &text[item.marker.clone()];
    let open = marker.find('[')?;
    let at = item.marker.start + open + 1;
    let inner = text.get(at..at + 1)?;
    match (checked, inner) {
        (true, " ") => Some((at..at + 1, "x".into())),
        (false, "x" | "X") => Some((at..at + 1, " ".into())),
        _ => None,
    }
}

/// Tick or untick every counted criterion.
pub fn set_all_criteria(text: &str, model: &SpecModel, checked: bool) -> Vec<Edit> {
    model
        .body
        .criteria
        .iter()
        .flat_map(|c| &c.items)
        .filter_map(|item| set_criterion(text, item, checked))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_spec_gets_its_type_and_labels() {
        let text = "---\ntype: code\nstatus: pending\nprompt: standard\n---\n\n# T\n";
        let model = SpecModel::parse(text);
        let labels = vec![
            "walk".to_string(),
            "two words".into(),
            "true".into(),
            "a: b".into(),
        ];
        let edits = set_type_and_labels(text, &model, Some("research"), &labels);
        assert_eq!(
            crate::text::diff::apply_edits(text, &edits),
            "---\ntype: research\nstatus: pending\nlabels:\n- walk\n- two words\n- \"true\"\n- \"a: b\"\nprompt: standard\n---\n\n# T\n"
        );
        assert!(set_type_and_labels(text, &model, Some("code"), &[]).is_empty());
        let crlf = "---\r\ntype: code\r\nstatus: pending\r\n---\r\n# T\r\n";
        let edits = set_type_and_labels(crlf, &SpecModel::parse(crlf), None, &["x".into()]);
        assert_eq!(
            crate::text::diff::apply_edits(crlf, &edits),
            "---\r\ntype: code\r\nstatus: pending\r\nlabels:\r\n- x\r\n---\r\n# T\r\n"
        );
    }
    use crate::text::diff::apply_edits;

    fn deps(text: &str, ids: &[&str]) -> String {
        let model = SpecModel::parse(text);
        let edits = add_dependencies(text, &model, ids);
        let out = apply_edits(text, &edits);
        // The result must still be a spec chant reads, with the IDs listed.
        let after = SpecModel::parse(&out);
        assert!(after.chant_accepts(), "{out}");
        out
    }

    #[test]
    fn dependencies_join_a_block_list_in_its_style() {
        assert_eq!(
            deps(
                "---\ndepends_on:\n  - 'a'\n  - 'b'  # why\nstatus: pending\n---\n# T\n",
                &["c", "a"]
            ),
            "---\ndepends_on:\n  - 'a'\n  - 'b'  # why\n  - 'c'\nstatus: pending\n---\n# T\n"
        );
        assert_eq!(
            deps("---\r\ndepends_on:\r\n- a\r\n---\r\n# T\r\n", &["b", "c"]),
            "---\r\ndepends_on:\r\n- a\r\n- b\r\n- c\r\n---\r\n# T\r\n"
        );
    }

    #[test]
    fn dependencies_join_a_flow_list_or_a_string() {
        assert_eq!(
            deps("---\ndepends_on: [\"a\"] # keep\n---\n# T\n", &["b"]),
            "---\ndepends_on: [\"a\", \"b\"] # keep\n---\n# T\n"
        );
        assert_eq!(
            deps("---\ndepends_on: []\n---\n# T\n", &["b"]),
            "---\ndepends_on: [b]\n---\n# T\n"
        );
        assert_eq!(
            deps("---\ndepends_on: a\n---\n# T\n", &["b"]),
            "---\ndepends_on: [a, b]\n---\n# T\n"
        );
        assert_eq!(
            deps("---\ndepends_on:\nstatus: pending\n---\n# T\n", &["b"]),
            "---\ndepends_on:\n- b\nstatus: pending\n---\n# T\n"
        );
        assert_eq!(
            deps("---\nlabels: [x]\ndepends_on:\n---\n# T\n", &["b"]),
            "---\nlabels: [x]\ndepends_on: [b]\n---\n# T\n"
        );
    }

    #[test]
    fn a_missing_depends_on_follows_the_other_lists() {
        assert_eq!(
            deps("---\nlabels: ['x', 'y']\n---\n# T\n", &["a", "b"]),
            "---\nlabels: ['x', 'y']\ndepends_on: ['a', 'b']\n---\n# T\n"
        );
        assert_eq!(
            deps("---\nlabels:\n    - x\n---\n# T\n", &["a"]),
            "---\nlabels:\n    - x\ndepends_on:\n    - a\n---\n# T\n"
        );
        assert_eq!(
            deps("---\nstatus: pending\n---\n# T\n", &["a"]),
            "---\nstatus: pending\ndepends_on:\n- a\n---\n# T\n"
        );
        assert_eq!(deps("# T\n", &["a"]), "---\ndepends_on:\n- a\n---\n# T\n");
        // Nothing to add.
        let text = "---\ndepends_on: [a]\n---\n# T\n";
        assert!(add_dependencies(text, &SpecModel::parse(text), &["a"]).is_empty());
        // A broken frontmatter is left alone.
        let text = "---\nstatus: pending\n# T\n";
        assert!(add_dependencies(text, &SpecModel::parse(text), &["a"]).is_empty());
    }

    #[test]
    fn mentions_leave_readable_prose() {
        let text = "# T\n\nSee 2026-01-01-001-abc for details.\n- 2026-01-01-002-def\nAfter 2026-01-01-003-ghi.\nx";
        let id = |s: &str| {
            let at = text.find(s).unwrap();
            at..at + s.len()
        };
        let edits = remove_mentions(
            text,
            &[
                id("2026-01-01-001-abc"),
                id("2026-01-01-002-def"),
                id("2026-01-01-003-ghi"),
            ],
        );
        assert_eq!(
            apply_edits(text, &edits),
            "# T\n\nSee for details.\nAfter.\nx"
        );
        let text = "# T\r\n\r\nOnly 2026-01-01-001-abc";
        let at = text.find("2026").unwrap();
        let mention = at..at + 18;
        let edits = remove_mentions(text, std::slice::from_ref(&mention));
        assert_eq!(apply_edits(text, &edits), "# T\r\n\r\nOnly");
        let text = "# T\r\n\r\n2026-01-01-001-abc";
        let at = text.find("2026").unwrap();
        let mention = at..at + 18;
        let edits = remove_mentions(text, std::slice::from_ref(&mention));
        assert_eq!(apply_edits(text, &edits), "# T\r\n");
    }

    #[test]
    fn required_fields_get_values_chant_accepts() {
        let text = "---\r\nstatus: pending\r\n---\r\n# T\r\n";
        let model = SpecModel::parse(text);
        for (name, line) in [
            ("labels", "labels: []"),
            ("model", "model: \"\""),
            ("public", "public: false"),
            ("replay_count", "replay_count: 0"),
            ("verification_status", "verification_status: passed"),
            ("approval", "approval: {}"),
            (
                "retry_state",
                "retry_state: {attempts: 0, last_retry_time: 0, next_retry_time: 0}",
            ),
        ] {
            let edit = add_field(text, &model, name).unwrap();
            let out = apply_edits(text, &[edit]);
            assert_eq!(
                out,
                format!("---\r\nstatus: pending\r\n{line}\r\n---\r\n# T\r\n")
            );
            assert!(SpecModel::parse(&out).chant_accepts(), "{out}");
        }
        let text = "# T\n";
        let edit = add_field(text, &SpecModel::parse(text), "labels").unwrap();
        assert_eq!(apply_edits(text, &[edit]), "---\nlabels: []\n---\n# T\n");
    }

    #[test]
    fn criteria_tick_and_untick_in_place() {
        let text = "# T\n\n## Acceptance Criteria\n\n- [ ] one\n  - [X] two\n";
        let model = SpecModel::parse(text);
        let one = criterion_at(&model, text.find("one").unwrap()).unwrap();
        assert_eq!(set_criterion(text, one, false), None);
        let edit = set_criterion(text, one, true).unwrap();
        assert_eq!(
            apply_edits(text, &[edit]),
            "# T\n\n## Acceptance Criteria\n\n- [x] one\n  - [X] two\n"
        );
        let two = criterion_at(&model, text.find("two").unwrap() + 3).unwrap();
        let edit = set_criterion(text, two, false).unwrap();
        assert_eq!(
            apply_edits(text, &[edit]),
            "# T\n\n## Acceptance Criteria\n\n- [ ] one\n  - [ ] two\n"
        );
        assert!(criterion_at(&model, 1).is_none());
        assert_eq!(
            apply_edits(text, &set_all_criteria(text, &model, true)),
            "# T\n\n## Acceptance Criteria\n\n- [x] one\n  - [X] two\n"
        );
        assert_eq!(
            apply_edits(text, &set_all_criteria(text, &model, false)),
            "# T\n\n## Acceptance Criteria\n\n- [ ] one\n  - [ ] two\n"
        );
    }
}

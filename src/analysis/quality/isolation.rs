//! Isolation (chant's `score::isolation::calculate_isolation`), graded only
//! for a spec with members: the specs chant loads whose ID is the spec's ID,
//! a dot, and at least one more character (`x.1`, `x.a`, `x.1.2`).
//!
//! One member is A. Otherwise chant counts the members whose body mentions
//! "member N" (`(?i)\bmember\s+\d+\b`, Unicode digits included) and the
//! target files named by more than one member (each member's list without
//! its own duplicates). Isolation is the share of members without such a
//! mention. At most 50 % isolated or over 50 % of the files shared: D;
//! over 90 % isolated and under 20 % shared: A; over 70 %: B; else C.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;

use super::Grade;
use crate::spec::SpecModel;

/// chant's cross-reference pattern, verbatim.
static MEMBER_MENTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bmember\s+\d+\b").expect("a valid pattern"));

/// What isolation reads of one member spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    /// The first "member N" its body mentions, as written.
    pub mention: Option<String>,
    pub target_files: Vec<String>,
}

impl Member {
    /// A member from its file's text; None when chant cannot parse it
    /// (chant then does not load it, so it is no member).
    pub fn read(id: &str, text: &str) -> Option<Member> {
        let model = SpecModel::parse(text);
        if !model.chant_accepts() {
            return None;
        }
        let body = &text[model.layout.body.clone()];
        Some(Member {
            id: id.to_string(),
            mention: MEMBER_MENTION.find(body).map(|m| m.as_str().to_string()),
            target_files: model.values().target_files.clone().unwrap_or_default(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Isolation {
    pub grade: Grade,
    /// The members' IDs, in the order given (one per spec chant loads).
    pub members: Vec<String>,
    /// Members whose body mentions another member: (ID, the mention).
    pub mentions: Vec<(String, String)>,
    /// Distinct target files across the members.
    pub files: usize,
    /// Target files more than one member names, sorted.
    pub shared_files: Vec<String>,
}

/// None when `members` is empty (chant grades no isolation then).
pub(super) fn grade(members: &[Member]) -> Option<Isolation> {
    if members.is_empty() {
        return None;
    }
    let mentions: Vec<(String, String)> = members
        .iter()
        .filter_map(|m| m.mention.clone().map(|t| (m.id.clone(), t)))
        .collect();
    let mut named_by: BTreeMap<&str, usize> = BTreeMap::new();
    for member in members {
        let unique: BTreeSet<&str> = member.target_files.iter().map(String::as_str).collect();
        for file in unique {
            *named_by.entry(file).or_default() += 1;
        }
    }
    let shared_files: Vec<String> = named_by
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(f, _)| f.to_string())
        .collect();
    let mut isolation = Isolation {
        grade: Grade::A,
        members: members.iter().map(|m| m.id.clone()).collect(),
        mentions,
        files: named_by.len(),
        shared_files,
    };
    if members.len() == 1 {
        return Some(isolation);
    }
    let isolated = isolation.isolated_percent();
    let overlap = isolation.overlap_percent();
    isolation.grade = if isolated <= 50.0 || overlap > 50.0 {
        Grade::D
    } else if isolated > 90.0 && overlap < 20.0 {
        Grade::A
    } else if isolated > 70.0 {
        Grade::B
    } else {
        Grade::C
    };
    Some(isolation)
}

impl Isolation {
    /// The share of members that mention no other, in percent (chant's
    /// arithmetic, so the thresholds compare the same).
    pub fn isolated_percent(&self) -> f64 {
        let n = self.members.len();
        ((n - self.mentions.len()) as f64 / n as f64) * 100.0
    }

    /// The share of distinct target files named by more than one member.
    pub fn overlap_percent(&self) -> f64 {
        if self.files == 0 {
            0.0
        } else {
            (self.shared_files.len() as f64 / self.files as f64) * 100.0
        }
    }

    /// Why, for people.
    pub fn explain(&self) -> String {
        let n = self.members.len();
        if n == 1 {
            return "one member".into();
        }
        let mut parts = vec![format!(
            "{} of {n} members mention another member ({} % isolated)",
            self.mentions.len(),
            self.isolated_percent().round()
        )];
        if let Some((id, mention)) = self.mentions.first() {
            parts.push(format!("{id} says \"{mention}\""));
        }
        parts.push(match self.files {
            0 => "no target files".to_string(),
            files => format!(
                "{} of {} shared ({} %)",
                self.shared_files.len(),
                super::plural(files, "target file", "target files"),
                self.overlap_percent().round()
            ),
        });
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, body: &str, files: &[&str]) -> Member {
        let list: Vec<String> = files.iter().map(|f| format!("\"{f}\"")).collect();
        let text = format!("---\ntarget_files: [{}]\n---\n{body}\n", list.join(", "));
        Member::read(id, &text).unwrap()
    }

    #[test]
    fn mentions_as_chants_regex_finds_them() {
        for (body, found) in [
            ("See Member 2.", Some("Member 2")),
            ("MEMBER\t10 and member 3", Some("MEMBER\t10")),
            ("member 2a", None),
            ("members 2", None),
            ("amember 2", None),
            ("member ٣", Some("member ٣")),
            ("no mention", None),
        ] {
            assert_eq!(
                member("x.1", body, &[]).mention.as_deref(),
                found,
                "{body:?}"
            );
        }
        assert_eq!(Member::read("x.1", "---\nstatus: nope\n---\n# T\n"), None);
    }

    #[test]
    fn chants_grades() {
        assert_eq!(grade(&[]), None);
        let one = grade(&[member("x.1", "Member 2", &[])]).unwrap();
        assert_eq!(one.grade, Grade::A);
        let a = grade(&[member("x.1", "", &["a"]), member("x.2", "", &["b"])]).unwrap();
        assert_eq!(a.grade, Grade::A);
        // 1 of 2 mentions: 50 % isolated is D.
        let d = grade(&[member("x.1", "member 2", &[]), member("x.2", "", &[])]).unwrap();
        assert_eq!(d.grade, Grade::D);
        assert_eq!(
            d.mentions,
            vec![("x.1".to_string(), "member 2".to_string())]
        );
        // 2 of 3 shared files: D even when isolated.
        let d = grade(&[
            member("x.1", "", &["s", "t", "s"]),
            member("x.2", "", &["s", "t"]),
            member("x.3", "", &["u"]),
        ])
        .unwrap();
        assert_eq!((d.grade, d.files, d.shared_files.len()), (Grade::D, 3, 2));
        // 1 of 6 mentions (83 %), 1 of 5 files shared (20 %): B.
        let mut six: Vec<Member> = (1..=6)
            .map(|i| member(&format!("x.{i}"), "", &[&format!("f{}", i.min(5))]))
            .collect();
        six[0].mention = Some("Member 2".into());
        let b = grade(&six).unwrap();
        assert_eq!(b.grade, Grade::B);
        // 1 of 3 mentions (67 %): C.
        let c = grade(&[
            member("x.1", "member 2", &[]),
            member("x.2", "", &[]),
            member("x.3", "", &[]),
        ])
        .unwrap();
        assert_eq!(c.grade, Grade::C);
        assert_eq!(
            c.explain(),
            "1 of 3 members mention another member (67 % isolated); x.1 says \"member 2\"; no target files"
        );
    }
}

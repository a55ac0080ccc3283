//! The spec model: everything chant would read from one spec file, with the
//! byte range of each part. Pure: text in, facts out.

pub mod body;
pub mod config;
pub mod edit;
pub mod fields;
pub mod frontmatter;
pub mod id;
pub mod merge;

use crate::syntax::layout::{self, SpecLayout};
use body::Body;
use frontmatter::Frontmatter;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecModel {
    pub layout: SpecLayout,
    /// Empty (every field at its default) when chant sees no frontmatter.
    pub frontmatter: Frontmatter,
    pub body: Body,
}

impl SpecModel {
    pub fn parse(text: &str) -> SpecModel {
        let layout = layout::split(text);
        let frontmatter = match &layout.frontmatter {
            Some(block) => frontmatter::read_frontmatter(text, block.yaml.clone()),
            None => Frontmatter::default(),
        };
        let body = body::read_body(text, layout.body.clone());
        SpecModel {
            layout,
            frontmatter,
            body,
        }
    }

    /// True when chant parses this file (its frontmatter deserialises).
    pub fn chant_accepts(&self) -> bool {
        self.frontmatter.rejections.is_empty()
    }

    pub fn values(&self) -> &frontmatter::ChantFrontmatter {
        &self.frontmatter.values
    }
}

//! The manifest adapter: dependency manifests (`pyproject.toml`, requirements files,
//! `setup.cfg`) read by text rules. The text is not parsed here: each rule reads it its own way
//! and says whether a fixed text is still well formed. `#` comments carry the suppressions.

use std::path::{Path, PathBuf};

use fwmigrate_rule::{SuppressionQuery, TextContext, TextRule};

use crate::fix::{Adapter, Malformed, Pass};
use crate::ruleset::RuleSet;
use crate::text::{hash_comment_pass, run_text_rules};

pub(crate) struct Manifest<'a> {
    pub rules: &'a RuleSet,
    pub path: &'a Path,
    /// Reached through another file's include.
    pub included: bool,
    /// The text rules that read this file.
    pub text_rules: Vec<&'static dyn TextRule>,
}

impl Manifest<'_> {
    fn context<'t>(&'t self, text: &'t str, q: &'t dyn SuppressionQuery) -> TextContext<'t> {
        TextContext::new(self.path, text, self.rules.settings.target)
            .included(self.included)
            .with_suppressions(q)
            .with_installed_sdk(self.rules.settings.installed_sdk.as_deref())
    }

    /// The files this one includes, by every rule that reads it.
    pub fn includes(&self, text: &str) -> Vec<PathBuf> {
        let none = fwmigrate_rule::NoSuppressions;
        let ctx = self.context(text, &none);
        let mut out: Vec<PathBuf> = Vec::new();
        for rule in &self.text_rules {
            // A rule that panics here includes nothing; its check reports the panic.
            let found =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rule.includes(&ctx)))
                    .unwrap_or_default();
            for f in found {
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
        out
    }
}

impl Adapter for Manifest<'_> {
    type Layout = ();

    fn pass(&self, text: &str, (): &()) -> Result<Pass, Malformed> {
        Ok(hash_comment_pass(text, |suppressions| {
            run_text_rules(&self.text_rules, &self.context(text, suppressions))
        }))
    }

    fn well_formed(&self, text: &str, (): &()) -> Result<(), String> {
        let none = fwmigrate_rule::NoSuppressions;
        let ctx = self.context(text, &none);
        for rule in &self.text_rules {
            let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                rule.is_well_formed(&ctx)
            }))
            .unwrap_or(false);
            if !ok {
                let name = self
                    .path
                    .file_name()
                    .map_or_else(|| "the file".into(), |n| n.to_string_lossy());
                return Err(format!("{name} is no longer well formed"));
            }
        }
        Ok(())
    }
}

//! Rules over provisioning YAML files: the [`TextRule`] they all are, and what their checks read.

use std::path::Path;

use fwmigrate_yaml::provision::SectionKind;
use fwmigrate_yaml::{EntryRef, ProvisionFile};

use crate::{Applicability, Edit, Finding, Fix, RuleMeta, TextContext, TextRule};

/// A rule over provisioning YAML files: its code and the check it runs on the file as the
/// target reads it ([`ProvisionFile`]). It reads every `.yaml`/`.yml` file the engine hands it;
/// the YAML adapter parses the fixed text itself, so a fix is well formed when it parses.
pub struct YamlRule {
    pub meta: &'static RuleMeta,
    pub check: fn(&YamlCx, &mut Vec<Finding>),
}

/// What a YAML check reads.
pub struct YamlCx<'a> {
    pub ctx: &'a TextContext<'a>,
    pub file: &'a ProvisionFile,
}

impl YamlCx<'_> {
    /// Every key of the sections of `kinds`, once each.
    pub fn keys(&self, kinds: &[SectionKind]) -> Vec<(SectionKind, EntryRef)> {
        let yaml = &self.file.yaml;
        let mut out: Vec<(SectionKind, EntryRef)> = Vec::new();
        for s in &self.file.analysis.sections {
            if !kinds.contains(&s.kind) {
                continue;
            }
            for r in yaml.entries_shared(s.mapping, s.shared) {
                if !out
                    .iter()
                    .any(|(_, o)| o.mapping == r.mapping && o.index == r.index)
                {
                    out.push((s.kind, r));
                }
            }
        }
        out
    }

    pub fn key(&self, r: EntryRef) -> &str {
        &self.file.yaml.entry(r).key
    }

    pub fn value(&self, r: EntryRef) -> Option<&str> {
        self.file.yaml.string(self.file.yaml.entry(r).value)
    }

    pub fn is_null(&self, r: EntryRef) -> bool {
        self.file.yaml.is_null(self.file.yaml.entry(r).value)
    }

    /// `key: value` as written, for messages.
    pub fn written(&self, r: EntryRef) -> String {
        let e = self.file.yaml.entry(r);
        let value = &self.ctx.text[self.file.yaml.node(e.value).range];
        let value = value.lines().next().unwrap_or("");
        format!("{}: {}", e.key, value.trim())
    }

    pub fn finding(&self, meta: &RuleMeta, r: EntryRef, message: String) -> Finding {
        Finding::new(meta, self.file.yaml.entry(r).key_range, message)
    }

    /// The fix that deletes the key (none when it cannot be deleted by lines alone).
    pub fn delete(&self, r: EntryRef, applicability: Applicability) -> Option<Fix> {
        let deletion = fwmigrate_yaml::edit::delete_entry(&self.file.yaml, self.ctx.text, r)?;
        let edits = deletion
            .edits
            .into_iter()
            .map(|(range, content)| Edit::replacement(range, content))
            .collect();
        Some(
            Fix::new(applicability, format!("Delete `{}`", self.key(r)), edits)
                .with_isolation(Some(deletion.isolation)),
        )
    }
}

impl TextRule for YamlRule {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    fn applies_to(&self, path: &Path, included: bool) -> bool {
        !included && fwmigrate_yaml::is_yaml_path(path)
    }

    fn check(&self, ctx: &TextContext, findings: &mut Vec<Finding>) {
        if let Some(file) = ctx.provision {
            (self.check)(&YamlCx { ctx, file }, findings);
        }
    }

    fn is_well_formed(&self, _ctx: &TextContext) -> bool {
        // The YAML adapter parses the fixed text itself.
        true
    }
}

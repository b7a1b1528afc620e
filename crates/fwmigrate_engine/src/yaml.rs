//! The YAML adapter: provisioning configs (`training/provision/*.yaml` and their forks), found
//! by a line scan of any `.yaml`/`.yml` file ([`fwmigrate_yaml::recognise`]). Only a recognised
//! file is parsed; one that does not parse gets FW000 and is never changed. The file is read as
//! the target's `provision.py` reads it ([`fwmigrate_yaml::ProvisionFile`]) once per pass, and
//! the text rules that read YAML report from that reading. `#` comments carry the suppressions.

use std::path::Path;

use fwmigrate_parser::{LineIndex, TextRange, TextSize};
use fwmigrate_rule::{Finding, RuleMeta, TextContext, TextRule};
use fwmigrate_yaml::ProvisionFile;

use crate::fix::{Adapter, Malformed, Pass, guarded};
use crate::ruleset::RuleSet;
use crate::suppression::{self, Lines, Policy, Suppressions};

pub(crate) struct YamlAdapter<'a> {
    pub rules: &'a RuleSet,
    pub path: &'a Path,
    pub text_rules: Vec<&'static dyn TextRule>,
    /// The file's bytes are not UTF-8 from this byte on (the text is a lossy decoding).
    pub not_utf8: Option<usize>,
}

impl YamlAdapter<'_> {
    fn read(&self, text: &str) -> Result<Option<ProvisionFile>, Malformed> {
        if let Some(at) = self.not_utf8 {
            return Err(Malformed {
                message: format!("not valid UTF-8 (byte {at}): YAML files are read as UTF-8"),
                range: TextRange::empty(TextSize::new(at as u32).min(TextSize::of(text))),
                verbatim: true,
            });
        }
        ProvisionFile::read(text, self.rules.settings.target.index()).map_err(|e| Malformed {
            message: e.message,
            range: TextRange::empty(e.offset.min(TextSize::of(text))),
            verbatim: false,
        })
    }
}

impl Adapter for YamlAdapter<'_> {
    type Layout = ();

    fn pass(&self, text: &str, (): &()) -> Result<Pass, Malformed> {
        let file = self.read(text)?;
        let lines = LineIndex::new(text);
        let line_of = |o: TextSize| lines.line_of(o);
        let comments = suppression::hash_comments(text);
        let directives = suppression::directives(text, &comments, line_of);
        let suppressions = Suppressions::new(&directives, line_of);
        let ctx = TextContext::new(self.path, text, self.rules.settings.target)
            .with_suppressions(&suppressions)
            .with_provision(file.as_ref());
        let mut findings: Vec<(&'static RuleMeta, Finding)> = Vec::new();
        let mut raw = Vec::new();
        if file.is_some() {
            for rule in &self.text_rules {
                guarded(rule.meta(), &mut raw, &mut findings, |out| {
                    rule.check(&ctx, out)
                });
            }
        }
        crate::python::drop_shadowed(&mut findings, self.rules.settings.unsafe_fixes);
        // As in manifests, FW900 does not judge suppressions here: a `#` inside a block scalar
        // is text, and deleting it would change the value.
        let policy = Policy {
            lines: Lines::Span,
            unused: None,
        };
        suppression::apply(text, &directives, line_of, &mut findings, &policy);
        Ok(Pass::new(findings, || lines))
    }

    fn well_formed(&self, text: &str, (): &()) -> Result<(), String> {
        match self.read(text) {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err("the file is no longer a provisioning config".to_string()),
            Err(e) => Err(format!("the YAML no longer parses: {}", e.message)),
        }
    }
}

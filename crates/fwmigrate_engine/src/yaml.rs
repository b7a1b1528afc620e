//! The YAML adapter: provisioning configs (`training/provision/*.yaml` and their forks), found
//! by a line scan of any `.yaml`/`.yml` file ([`fwmigrate_yaml::recognise`]). Only a recognised
//! file is parsed; one that does not parse gets FW000 and is never changed. The file is read as
//! the target's `provision.py` reads it ([`fwmigrate_yaml::ProvisionFile`]) once per pass, and
//! the text rules that read YAML report from that reading. `#` comments carry the suppressions.

use std::path::Path;

use fwmigrate_parser::{TextRange, TextSize};
use fwmigrate_rule::{TextContext, TextRule};
use fwmigrate_yaml::ProvisionFile;

use crate::fix::{Adapter, Malformed, Pass};
use crate::ruleset::RuleSet;
use crate::text::{hash_comment_pass, run_text_rules};

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
        Ok(hash_comment_pass(text, |suppressions| {
            let Some(file) = &file else {
                return Vec::new();
            };
            let ctx = TextContext::new(self.path, text, self.rules.settings.target)
                .with_suppressions(suppressions)
                .with_provision(Some(file));
            let mut findings = run_text_rules(&self.text_rules, &ctx);
            crate::python::drop_shadowed(&mut findings, self.rules.settings.unsafe_fixes);
            findings
        }))
    }

    fn well_formed(&self, text: &str, (): &()) -> Result<(), String> {
        match self.read(text) {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err("the file is no longer a provisioning config".to_string()),
            Err(e) => Err(format!("the YAML no longer parses: {}", e.message)),
        }
    }
}

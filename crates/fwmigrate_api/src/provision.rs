//! How a release's `training/provision/provision.py` reads a provisioning YAML file: the facts
//! the YAML rules decide from, generated from that file at every release
//! (`data/provision.history`, one `provision RANGES JSON` line per distinct model).
//!
//! A release without `provision.py` has no model, and fwmigrate reads no YAML at it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::history::Releases;

/// What one release's `provision.py` does with a YAML document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Provision {
    /// `PROVISION_MODES`: the canonical modes.
    pub modes: Vec<String>,
    /// `MODE_ALIASES`: alias → canonical mode (`rft` → `rl`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aliases: BTreeMap<String, String>,
    /// Per canonical mode: what the merged recipe entry (`common` deep-merged under the entry)
    /// feeds and what `provision.py` does with its keys.
    pub recipes: BTreeMap<String, RecipeModel>,
    /// Keys of the merged entry that `provision.py` reads for its own use in every mode
    /// (`trainer`, `reference_trainer`, `deployment`, `tokenizer_model`, `mode`, ...): such a
    /// key reaches something even when the mode's config class lacks it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub used: Vec<String>,
    /// Keys of the merged entry that must have a value (not null, not "") in every mode.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<String>,
    /// The section a recipe's `trainer:` names.
    pub trainer: TrainerModel,
    /// The keys read from a `reference_trainer:` section; its other keys reach nothing.
    pub reference: Vec<String>,
    /// The section a recipe's `deployment:` names.
    pub deployment: DeploymentModel,
    /// Keys that `_make_dataclass_config` rejects with a `TypeError` for every config class;
    /// empty where it drops them silently like any other unknown key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected_everywhere: Vec<String>,
}

/// One mode's recipe config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RecipeModel {
    /// The config class the merged entry feeds (`training.recipes.rl_loop.Config`).
    pub config: String,
    /// Keys that must have a value in this mode (beyond [`Provision::required`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<String>,
    /// Keys whose presence raises in this mode (removed options).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<String>,
    /// Keys read for a use of their own in this mode (beyond [`Provision::used`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub used: Vec<String>,
    /// Keys that `provision.py` turns into a config class itself (`concurrency` →
    /// `training.utils.ConcurrencyConfig`): a mapping there is checked against that class.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub nested: BTreeMap<String, String>,
    /// Whether this mode reads the recipe's deployment section.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deployment: bool,
}

/// The `trainers` section a recipe names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TrainerModel {
    /// The config class the section feeds (`training.utils.TrainerConfig`).
    pub config: String,
    /// Keys taken out for other uses before the class sees the rest (`base_model`,
    /// `weight_sync_deployment`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taken: Vec<String>,
    /// Keys whose presence raises (`deployment`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<String>,
    /// Keys renamed before the class sees them (`training_job_id` → `job_id`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub renamed: BTreeMap<String, String>,
}

/// The `deployments` section a recipe names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DeploymentModel {
    /// The config class the section feeds (`training.utils.DeployConfig`).
    pub config: String,
}

impl Provision {
    /// The canonical mode of a recipe entry named `name` with an explicit `mode` (if any), as
    /// `provision.py` resolves it: the entry's `mode`, else the name (`rl`, `rft`, or a
    /// `<mode>_` prefix), aliases resolved. `None` when neither gives a mode.
    pub fn mode_of(&self, name: &str, explicit: Option<&str>) -> Option<String> {
        let canonical = |m: &str| {
            self.aliases
                .get(m)
                .cloned()
                .unwrap_or_else(|| m.to_string())
        };
        if let Some(m) = explicit.filter(|m| !m.is_empty()) {
            return Some(canonical(m));
        }
        let from_name = |m: &str| name == m || name.starts_with(&format!("{m}_"));
        if let Some((_, target)) = self.aliases.iter().find(|(alias, _)| from_name(alias)) {
            return Some(target.clone());
        }
        self.modes.iter().find(|m| from_name(m)).cloned()
    }
}

const PROVISION_TEXT: &str = include_str!("../data/provision.history");

/// Every distinct model with the releases where it holds.
pub fn models() -> &'static [(Releases, Provision)] {
    static CELL: OnceLock<Vec<(Releases, Provision)>> = OnceLock::new();
    CELL.get_or_init(|| {
        let last = crate::registry().cookbook.len().saturating_sub(1);
        parse(crate::data::text("provision.history", PROVISION_TEXT), last)
            .unwrap_or_else(|e| panic!("data/provision.history: {e}"))
    })
}

/// The model at cookbook release `i`, if that release provisions from YAML.
pub fn at(i: usize) -> Option<&'static Provision> {
    models()
        .iter()
        .find(|(releases, _)| releases.contains(i))
        .map(|(_, model)| model)
}

/// Parse `provision.history`: `provision<TAB>RANGES<TAB>JSON` lines; `#` lines are comments.
/// `last` is the index of the newest cookbook release (what an open range `41-` runs to).
pub fn parse(text: &str, last: usize) -> Result<Vec<(Releases, Provision)>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, '\t');
        let (Some("provision"), Some(ranges), Some(json)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!("line {}: expected `provision RANGES JSON`", n + 1));
        };
        let releases = Releases::parse(ranges, last)
            .ok_or_else(|| format!("line {}: bad release ranges `{ranges}`", n + 1))?;
        let model: Provision =
            serde_json::from_str(json).map_err(|e| format!("line {}: {e}", n + 1))?;
        out.push((releases, model));
    }
    Ok(out)
}

/// Render models as `provision.history` (the inverse of [`parse`]).
pub fn render(models: &[(Releases, Provision)], last: usize) -> String {
    let mut out = String::from(
        "# How each release's training/provision/provision.py reads a provisioning YAML file.\n\
         # Generated by fwmigrate_apigen; do not edit.\n",
    );
    for (releases, model) in models {
        out.push_str("provision\t");
        out.push_str(&releases.render(last));
        out.push('\t');
        out.push_str(&serde_json::to_string(model).expect("a model serialises"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_resolve_as_provision_py_resolves_them() {
        let model = Provision {
            modes: ["sft", "rl", "distillation", "dpo"]
                .map(String::from)
                .to_vec(),
            aliases: [("rft".to_string(), "rl".to_string())].into(),
            ..Provision::default()
        };
        assert_eq!(model.mode_of("rft", None).as_deref(), Some("rl"));
        assert_eq!(model.mode_of("rft_math", None).as_deref(), Some("rl"));
        assert_eq!(model.mode_of("sft_small", None).as_deref(), Some("sft"));
        assert_eq!(model.mode_of("mine", Some("dpo")).as_deref(), Some("dpo"));
        assert_eq!(model.mode_of("mine", Some("rft")).as_deref(), Some("rl"));
        assert_eq!(model.mode_of("sftx", None), None);
        assert_eq!(model.mode_of("mine", Some("ppo")).as_deref(), Some("ppo"));
    }

    #[test]
    fn the_embedded_models_parse_and_round_trip() {
        let models = models();
        let last = crate::registry().cookbook.len() - 1;
        assert_eq!(
            render(models, last),
            crate::data::text("provision.history", PROVISION_TEXT)
        );
    }
}

//! Facts about the Fireworks training cookbook's config surface, per release.
//!
//! The data is `data/cookbook-api.json` (a copy of the project's API description), embedded in the
//! binary with `include_str!` and decoded once on first use. Nothing is read from disk at run
//! time.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use serde::Deserialize;

pub mod index;
pub mod sdk;

pub use sdk::SdkVersion;
pub mod tables;

/// SDK releases with a table: each target's working minimum, the releases where the surface
/// changed (1.2.10, 1.2.12, 1.2.25) and the newest known release.
pub const SDK_VERSIONS: &[&str] = &["1.2.0a74", "1.2.9", "1.2.10", "1.2.12", "1.2.25", "1.2.30"];

/// The cookbook release a rewrite aims at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Target {
    /// `fw-ai/cookbook@517d206d`: provisioning moved behind the SDK.
    V2026_06,
    /// `fw-ai/cookbook@76821fa1`: the current release (default).
    #[default]
    V2026_08,
}

impl Target {
    pub const ALL: [Target; 2] = [Target::V2026_06, Target::V2026_08];

    pub fn as_str(self) -> &'static str {
        match self {
            Target::V2026_06 => "2026.06",
            Target::V2026_08 => "2026.08",
        }
    }

    /// The minimum `fireworks-ai` SDK specifier for this target (`docs/behaviour.md`, "Targets").
    pub fn min_sdk_specifier(self) -> &'static str {
        match self {
            Target::V2026_06 => ">=1.2.0a74",
            Target::V2026_08 => ">=1.2.9,<2",
        }
    }

    /// The lowest SDK version this target accepts.
    pub fn min_sdk_version(self) -> &'static str {
        match self {
            Target::V2026_06 => "1.2.0a74",
            Target::V2026_08 => "1.2.9",
        }
    }

    pub fn release(self) -> &'static Release {
        match self {
            Target::V2026_06 => &api().v2026_06,
            Target::V2026_08 => &api().v2026_08,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "2026.06" => Ok(Target::V2026_06),
            "2026.08" => Ok(Target::V2026_08),
            other => Err(format!(
                "unknown target `{other}` (accepted: 2026.06, 2026.08)"
            )),
        }
    }
}

/// A field's default value as the API description records it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Default {
    Literal { literal: serde_json::Value },
    Factory { factory: bool },
    Name { name: String },
    Expr { expr: bool },
}

#[derive(Debug, Clone, Deserialize)]
pub struct Field {
    pub name: String,
    #[serde(rename = "type", default)]
    pub ty: Option<String>,
    #[serde(default)]
    pub default: Option<Default>,
    #[serde(default)]
    pub required: bool,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ParamKind {
    Positional,
    Keyword,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Param {
    pub name: String,
    pub kind: ParamKind,
    #[serde(default)]
    pub default: Option<Default>,
    #[serde(default)]
    pub required: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Recipe {
    pub config: Vec<Field>,
    pub main: Vec<Param>,
}

impl Recipe {
    pub fn has_field(&self, name: &str) -> bool {
        self.config.iter().any(|f| f.name == name)
    }

    pub fn main_param(&self, name: &str) -> Option<(usize, &Param)> {
        self.main.iter().enumerate().find(|(_, p)| p.name == name)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Release {
    pub commit: String,
    pub classes: BTreeMap<String, Vec<Field>>,
    pub recipes: BTreeMap<String, Recipe>,
    pub functions: BTreeMap<String, Vec<Param>>,
}

impl Release {
    pub fn class(&self, name: &str) -> Option<&[Field]> {
        self.classes.get(name).map(Vec::as_slice)
    }

    pub fn class_has_field(&self, class: &str, field: &str) -> bool {
        self.class(class)
            .is_some_and(|fields| fields.iter().any(|f| f.name == field))
    }

    pub fn recipe(&self, name: &str) -> Option<&Recipe> {
        self.recipes.get(name)
    }

    pub fn function(&self, name: &str) -> Option<&[Param]> {
        self.functions.get(name).map(Vec::as_slice)
    }
}

#[derive(Debug, Deserialize)]
pub struct Api {
    pub legacy: Release,
    #[serde(rename = "2026.06")]
    pub v2026_06: Release,
    #[serde(rename = "2026.08")]
    pub v2026_08: Release,
}

const API_JSON: &str = include_str!("../data/cookbook-api.json");

static API: LazyLock<Api> = LazyLock::new(|| {
    // The data is compiled into the binary and checked by this crate's tests, so a failure here is
    // a build defect, not a user-input problem.
    serde_json::from_str(API_JSON).expect("embedded cookbook-api.json is valid")
});

pub fn api() -> &'static Api {
    &API
}

/// The last release before the migration.
pub fn legacy() -> &'static Release {
    &api().legacy
}

/// Cookbook utils names the migration removed: gone at both targets (an `ImportError` there).
pub const REMOVED_UTILS: &[&str] = &[
    "setup_infra",
    "ResourceCleanup",
    "make_reference_client",
    "Infra",
    "create_trainer_job",
    "request_trainer_job",
    "wait_trainer_job",
    "request_deployment",
    "wait_deployment",
    "setup_deployment",
    "setup_or_reattach_deployment",
    "setup_training_client",
    "get_deployment_gpu_count",
];

/// Recipe modules the cookbook has shipped (any release).
pub const KNOWN_RECIPES: &[&str] = &[
    "rl_loop",
    "async_rl_loop",
    "igpo_loop",
    "dpo_loop",
    "sft_loop",
    "orpo_loop",
    "distillation_loop",
    "embedding_loop",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_decodes() {
        let api = api();
        assert!(
            api.legacy
                .class_has_field("InfraConfig", "trainer_timeout_s")
        );
        assert!(api.v2026_08.class_has_field("TrainerConfig", "managed_by"));
        assert!(!api.v2026_06.class_has_field("TrainerConfig", "managed_by"));
    }

    #[test]
    fn recipes_and_targets() {
        let rl = Target::V2026_08.release().recipe("rl_loop").unwrap();
        assert!(rl.has_field("trainer"));
        assert!(!rl.has_field("weight_sync_interval"));
        assert!(rl.has_field("cleanup_on_exit"));
        let rl06 = Target::V2026_06.release().recipe("rl_loop").unwrap();
        assert!(rl06.has_field("weight_sync_interval"));
        assert!(!rl06.has_field("cleanup_on_exit"));
        assert!(
            legacy()
                .recipe("rl_loop")
                .unwrap()
                .main_param("deploy_mgr")
                .is_some()
        );
        assert_eq!("2026.06".parse::<Target>().unwrap(), Target::V2026_06);
        assert!("2026.07".parse::<Target>().is_err());
    }

    #[test]
    fn every_release_has_the_core_classes() {
        for release in [&api().legacy, &api().v2026_06, &api().v2026_08] {
            for class in [
                "InfraConfig",
                "DeployConfig",
                "WeightSyncConfig",
                "WeightSyncScope",
            ] {
                assert!(
                    release.class(class).is_some(),
                    "{class} missing at {}",
                    release.commit
                );
            }
        }
    }
}

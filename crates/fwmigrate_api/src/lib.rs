//! Facts about the Fireworks training cookbook's API, per release, and the Fireworks SDK's.
//!
//! Everything comes from the API tables generated from the real sources ([`tables`], written by
//! `fwmigrate_apigen` into `data/tables/`), embedded in the binary with `include_str!` and
//! decoded a module at a time on first use. Nothing is read from disk at run time.
//!
//! [`index`] looks any name up in them (the conformance rules); [`Release`] answers the older
//! rule families' questions about config-class fields, recipes and a few functions.

use std::fmt;
use std::str::FromStr;

pub mod index;
pub mod release;
pub mod sdk;
pub mod tables;

pub use release::{Field, Param, ParamKind, Recipe, Release};
pub use sdk::SdkVersion;

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
            Target::V2026_06 => &V2026_06,
            Target::V2026_08 => &V2026_08,
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

static LEGACY: Release = Release::new("legacy", "cookbook-legacy");
static V2026_06: Release = Release::new("2026.06", "cookbook-2026.06");
static V2026_08: Release = Release::new("2026.08", "cookbook-2026.08");

/// The last release before the migration.
pub fn legacy() -> &'static Release {
    &LEGACY
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
        assert!(legacy().class_has_field("InfraConfig", "trainer_timeout_s"));
        assert!(
            Target::V2026_08
                .release()
                .class_has_field("TrainerConfig", "managed_by")
        );
        assert!(
            !Target::V2026_06
                .release()
                .class_has_field("TrainerConfig", "managed_by")
        );
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
        for release in [
            legacy(),
            Target::V2026_06.release(),
            Target::V2026_08.release(),
        ] {
            for class in [
                "InfraConfig",
                "DeployConfig",
                "WeightSyncConfig",
                "WeightSyncScope",
            ] {
                assert!(
                    release.class(class).is_some(),
                    "{class} missing at {}",
                    release.name()
                );
            }
        }
    }
}

//! Facts about the Fireworks training cookbook's API, per release, and the Fireworks SDK's.
//!
//! Everything comes from the API tables generated from the real sources, written by
//! `fwmigrate_apigen` into `data/` and embedded in the binary: [`registry`] lists every cookbook
//! snapshot and SDK release, [`history`] holds each package at every release (a name stored once
//! with the releases where it holds), decoded a module at a time on first use. Nothing is read
//! from disk at run time, and no code names a release: a new release is regenerated data.
//!
//! [`index`] looks any name up in them (the conformance rules); [`Release`] answers the older
//! rule families' questions about config-class fields, recipes and a few functions.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

pub mod data;
pub mod history;
pub mod index;
pub mod provision;
pub mod registry;
pub mod release;
pub mod sdk;
pub mod tables;

pub use registry::{Snapshot, registry};
pub use release::{Field, Param, ParamKind, Recipe, Release};
pub use sdk::SdkVersion;

/// `fireworks-ai` releases with a table, oldest first.
pub fn sdk_versions() -> &'static [String] {
    &registry().sdk
}

/// A cookbook snapshot: an index into the cookbook history ([`registry`]). Tagged releases are
/// targets ([`Target`]); the weekly snapshots before the first tag are history only.
pub type SnapshotId = usize;

/// The cookbook release a rewrite aims at: a tagged release of the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target(u16);

impl Default for Target {
    /// `latest`: the newest tagged release.
    fn default() -> Self {
        Self::latest()
    }
}

impl Target {
    /// The newest tagged release.
    pub fn latest() -> Self {
        let i = registry()
            .cookbook
            .iter()
            .rposition(|s| s.target)
            .expect("at least one tagged release");
        Self(i as u16)
    }

    /// Every target, oldest first.
    pub fn all() -> impl Iterator<Item = Target> {
        registry()
            .cookbook
            .iter()
            .enumerate()
            .filter(|(_, s)| s.target)
            .map(|(i, _)| Target(i as u16))
    }

    /// The targets that have a fixed alias (`2026.06`, `2026.08`), oldest first: what tests and
    /// docs show examples at.
    pub fn aliased() -> Vec<Target> {
        Self::all()
            .filter(|t| !t.snapshot().aliases.is_empty())
            .collect()
    }

    /// The target a tag or alias names; panics on an unknown one (for tests and examples, where
    /// the name is written by hand).
    pub fn named(name: &str) -> Target {
        name.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    /// The target at snapshot index `i` (which must be a tagged release).
    pub(crate) fn from_index(i: usize) -> Target {
        debug_assert!(registry().cookbook[i].target);
        Target(i as u16)
    }

    /// The snapshot index in the cookbook history.
    pub fn index(self) -> SnapshotId {
        usize::from(self.0)
    }

    pub fn snapshot(self) -> &'static Snapshot {
        &registry().cookbook[self.index()]
    }

    /// The release tag (`cookbook-v2026.08.19.1`).
    pub fn tag(self) -> &'static str {
        &self.snapshot().tag
    }

    /// How the target is named in messages: its first alias (`2026.08`), else its tag without
    /// the `cookbook-v` prefix (`2026.07.23.2`).
    pub fn as_str(self) -> &'static str {
        let s = self.snapshot();
        s.aliases
            .first()
            .map(String::as_str)
            .unwrap_or_else(|| s.short())
    }

    /// The `fireworks-ai` range this target works with (`>=1.2.9,<2`): its declared
    /// requirement, narrowed where its own code needs more (the registry says why).
    pub fn min_sdk_specifier(self) -> &'static str {
        &self.snapshot().sdk
    }

    /// The lowest SDK version this target accepts (`1.2.9`).
    pub fn min_sdk_version(self) -> &'static str {
        lower_bound(self.min_sdk_specifier()).unwrap_or("")
    }

    pub fn release(self) -> &'static Release {
        Release::at(self.index())
    }

    /// Whether the target provisions from YAML (its cookbook has `provision.py`).
    pub fn reads_yaml(self) -> bool {
        provision::at(self.index()).is_some()
    }

    /// The tags nearest to an unknown target value, for the error message.
    pub fn nearest(value: &str) -> Vec<&'static str> {
        let value = value.strip_prefix(registry::TAG_PREFIX).unwrap_or(value);
        // Nearest by edit distance, then by the longest common prefix (the same month first).
        let mut scored: Vec<(usize, std::cmp::Reverse<usize>, &'static str)> = Self::all()
            .map(|t| {
                let short = t.snapshot().short();
                let prefix = value
                    .chars()
                    .zip(short.chars())
                    .take_while(|(a, b)| a == b)
                    .count();
                (
                    edit_distance(value, short),
                    std::cmp::Reverse(prefix),
                    t.tag(),
                )
            })
            .collect();
        scored.sort();
        scored.into_iter().take(3).map(|(_, _, t)| t).collect()
    }
}

/// The `>=` bound of a specifier such as `>=1.2.0a74,<2`.
fn lower_bound(spec: &str) -> Option<&str> {
    spec.split(',')
        .find_map(|p| p.trim().strip_prefix(">="))
        .map(str::trim)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Target {
    type Err = String;

    /// A tag (with or without `cookbook-v`), an alias, or `latest`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s == registry::LATEST {
            return Ok(Self::latest());
        }
        let reg = registry();
        let found = reg.cookbook.iter().position(|snap| {
            snap.target
                && (snap.tag == s || snap.short() == s || snap.aliases.iter().any(|a| a == s))
        });
        match found {
            Some(i) => Ok(Target(i as u16)),
            None => Err(format!(
                "unknown target `{s}` (nearest: {}; `fwmigrate --list-targets` lists them all)",
                Self::nearest(s).join(", ")
            )),
        }
    }
}

/// The snapshot the porting rules read the old surface from (the last release before the
/// migration, named `legacy` in the registry).
pub fn legacy() -> &'static Release {
    static LEGACY: OnceLock<usize> = OnceLock::new();
    Release::at(*LEGACY.get_or_init(|| {
        registry()
            .find("legacy")
            .expect("the registry names a legacy snapshot")
    }))
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
            Target::named("2026.08")
                .release()
                .class_has_field("TrainerConfig", "managed_by")
        );
        assert!(
            !Target::named("2026.06")
                .release()
                .class_has_field("TrainerConfig", "managed_by")
        );
    }

    #[test]
    fn recipes_and_targets() {
        let rl = Target::named("2026.08")
            .release()
            .recipe("rl_loop")
            .unwrap();
        assert!(rl.has_field("trainer"));
        assert!(!rl.has_field("weight_sync_interval"));
        assert!(rl.has_field("cleanup_on_exit"));
        let rl06 = Target::named("2026.06")
            .release()
            .recipe("rl_loop")
            .unwrap();
        assert!(rl06.has_field("weight_sync_interval"));
        assert!(!rl06.has_field("cleanup_on_exit"));
        assert!(
            legacy()
                .recipe("rl_loop")
                .unwrap()
                .main_param("deploy_mgr")
                .is_some()
        );
        assert_eq!(
            "2026.06".parse::<Target>().unwrap(),
            Target::named("2026.06")
        );
        assert!("2026.07".parse::<Target>().is_err());
    }

    #[test]
    fn every_release_has_the_core_classes() {
        for release in [
            legacy(),
            Target::named("2026.06").release(),
            Target::named("2026.08").release(),
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

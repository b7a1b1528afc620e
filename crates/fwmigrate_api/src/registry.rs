//! Every cookbook snapshot and SDK release fwmigrate knows, as data.
//!
//! `data/releases.json` is generated with the tables (`fwmigrate_apigen`) from the cookbook's git
//! history and the generator's committed input (`crates/fwmigrate_apigen/history.toml`: the
//! weekly snapshots, the aliases, the reviewed SDK-range narrowings). Nothing in the code names a
//! release: a new one is a regenerated data file.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// One cookbook snapshot: a tagged release (a target) or a weekly commit before the first tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The tag (`cookbook-v2026.08.19.1`, or `snapshot-2026.03.03-e6d8bb36` for a weekly one).
    pub tag: String,
    /// The full commit id.
    pub commit: String,
    /// The commit date, `YYYY-MM-DD`.
    pub date: String,
    /// Tagged releases are targets; weekly snapshots are history only.
    #[serde(default, skip_serializing_if = "is_false")]
    pub target: bool,
    /// Other names for it (`2026.08`), fixed data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The `fireworks-ai` range the release works with: its `training/pyproject.toml`
    /// requirement, narrowed where reviewed (`declared` then holds what it says).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sdk: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared: Option<String>,
    /// Why the range was narrowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Snapshot {
    /// `cookbook-v2026.08.19.1` without its prefix; a weekly snapshot's tag as it is.
    pub fn short(&self) -> &str {
        self.tag.strip_prefix(TAG_PREFIX).unwrap_or(&self.tag)
    }

    /// How messages name the snapshot when it is not a target: the tag of a release, the date
    /// of a weekly snapshot (`the cookbook of 2026-04-12`).
    pub fn describe(&self) -> String {
        if self.target {
            self.tag.clone()
        } else {
            format!("the cookbook of {}", self.date)
        }
    }
}

/// The prefix of the cookbook's release tags.
pub const TAG_PREFIX: &str = "cookbook-v";
/// The alias of the newest target (not stored: it moves with every release).
pub const LATEST: &str = "latest";

/// The registry (the committed form of `data/releases.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registry {
    /// Cookbook snapshots, oldest first: index `i` is release `i` of the cookbook history.
    pub cookbook: Vec<Snapshot>,
    /// Snapshots the rules refer to by role, not by name (`legacy`: the last release before the
    /// migration, whose config classes the porting rules read the old field order from).
    #[serde(default)]
    pub roles: std::collections::BTreeMap<String, String>,
    /// `fireworks-ai` releases, oldest first: index `i` is release `i` of the SDK history.
    pub sdk: Vec<String>,
}

impl Registry {
    /// The committed form: one snapshot a line, so a new release is a one-line diff.
    pub fn render(&self) -> String {
        let mut out = String::from("{\"cookbook\":[\n");
        for (i, s) in self.cookbook.iter().enumerate() {
            out.push_str(&serde_json::to_string(s).expect("a snapshot"));
            out.push_str(if i + 1 < self.cookbook.len() {
                ",\n"
            } else {
                "\n"
            });
        }
        out.push_str("],\n\"roles\":");
        out.push_str(&serde_json::to_string(&self.roles).expect("roles"));
        out.push_str(",\n\"sdk\":");
        out.push_str(&serde_json::to_string(&self.sdk).expect("versions"));
        out.push_str("}\n");
        out
    }

    /// The snapshot index of a tag, alias or role.
    pub fn find(&self, name: &str) -> Option<usize> {
        let name = self.roles.get(name).map(String::as_str).unwrap_or(name);
        self.cookbook
            .iter()
            .position(|s| s.tag == name || s.aliases.iter().any(|a| a == name))
    }
}

static REGISTRY: OnceLock<Registry> = OnceLock::new();

/// The embedded registry.
pub fn registry() -> &'static Registry {
    REGISTRY.get_or_init(|| {
        // Embedded at build time and checked by this crate's tests: a failure is a build defect.
        serde_json::from_str(crate::data::text(
            "releases.json",
            include_str!("../data/releases.json"),
        ))
        .expect("release registry is valid")
    })
}

//! Which source trees make which tables: the cookbook's git history and the SDK wheels.
//!
//! The cookbook tables, and each snapshot's provisioning model (read from its
//! `training/provision/provision.py` by [`crate::provision`]), come from a git repository with
//! the cookbook's tags: a clone of `fw-ai/cookbook`, or the history bundle that holds its
//! `training` package at every tagged release and the weekly snapshots before the first tag (same
//! tag names and paths; each of its commits carries a `SOURCE` file naming the original commit
//! and date). The SDK tables come
//! from the `fireworks-ai` wheels on PyPI, with the `tinker` wheel an SDK release pins (before
//! 1.2.25 the SDK's client classes subclass tinker's). Which snapshots and releases, and the
//! reviewed facts the sources do not state, are the committed input `history.toml`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use fwmigrate_api::history::Releases;
use fwmigrate_api::provision::{self, Provision};
use fwmigrate_api::registry::{Registry, Snapshot};
use fwmigrate_api::tables::{Symbol, Table};
use serde::Deserialize;

use crate::table_from_tree;

/// The committed input (`history.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Input {
    pub tag_pattern: String,
    pub weekly: Vec<String>,
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
    #[serde(default)]
    pub roles: BTreeMap<String, String>,
    #[serde(default)]
    pub narrow: Vec<Narrow>,
    pub sdk: SdkInput,
}

/// A reviewed narrowing of the SDK range of the releases `from` through `through`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Narrow {
    pub from: String,
    pub through: String,
    pub sdk: String,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SdkInput {
    pub versions: Vec<String>,
}

/// The input committed beside the generator.
pub fn default_input() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("history.toml")
}

pub fn read_input(path: &Path) -> Result<Input, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// A cookbook snapshot to read: its registry entry and the git revision that holds its tree.
#[derive(Debug, Clone)]
pub struct SnapshotSource {
    pub snapshot: Snapshot,
    pub rev: String,
    /// Commit time (seconds), for the order.
    time: i64,
}

fn git(repo: &Path, args: &[&str]) -> Result<String, String> {
    git_with(repo, args, &[])
}

/// Run `git -C repo args` with the environment variables `env` set; its standard output, or
/// git's message naming the command.
pub fn git_with(repo: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .envs(env.iter().copied())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `commit:` and `date:` of a bundle snapshot's `SOURCE` file, when the revision has one.
fn source_file(repo: &Path, rev: &str) -> Option<(String, String)> {
    let text = git(repo, &["show", &format!("{rev}:SOURCE")]).ok()?;
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.trim().to_string())
    };
    Some((field("commit:")?, field("date:")?))
}

/// Commit id, ISO date and commit time of a revision: the original ones from `SOURCE` where the
/// revision has it (the bundle), else git's.
fn identity(repo: &Path, rev: &str) -> Result<(String, String, i64), String> {
    let log = git(repo, &["log", "-1", "--format=%H%n%cI%n%ct", rev])?;
    let mut lines = log.lines();
    let (commit, date, time) = (
        lines.next().unwrap_or_default().to_string(),
        lines.next().unwrap_or_default().to_string(),
        lines.next().unwrap_or_default().parse::<i64>().unwrap_or(0),
    );
    Ok(match source_file(repo, rev) {
        Some((c, d)) => (c, d, time),
        None => (commit, date, time),
    })
}

/// Every snapshot the input names, oldest first: each tag matching the pattern, and each weekly
/// commit (found as the bundle's `snapshot-*` tag whose `SOURCE` names it, or as the commit).
pub fn snapshots(repo: &Path, input: &Input) -> Result<Vec<SnapshotSource>, String> {
    let mut out = Vec::new();
    let tags = git(repo, &["tag", "--list", &input.tag_pattern])?;
    for tag in tags.lines().map(str::trim).filter(|t| !t.is_empty()) {
        let (commit, date, time) = identity(repo, tag)?;
        out.push(SnapshotSource {
            snapshot: Snapshot {
                tag: tag.to_string(),
                commit,
                date: date.get(..10).unwrap_or(&date).to_string(),
                target: true,
                aliases: Vec::new(),
                sdk: String::new(),
                declared: None,
                reason: None,
            },
            rev: tag.to_string(),
            time,
        });
    }
    let others = git(repo, &["tag", "--list"])?;
    let others: Vec<&str> = others
        .lines()
        .map(str::trim)
        .filter(|t| !t.is_empty() && !out.iter().any(|s| s.rev == *t))
        .collect();
    for id in &input.weekly {
        let bundled = others.iter().find(|t| {
            t.ends_with(&id[..8.min(id.len())])
                && source_file(repo, t).is_some_and(|(c, _)| c.starts_with(id.as_str()))
        });
        let rev = match bundled {
            Some(t) => t.to_string(),
            None => git(
                repo,
                &["rev-parse", "--verify", &format!("{id}^{{commit}}")],
            )
            .map_err(|_| format!("weekly snapshot {id} is neither a tag nor a commit here"))?
            .trim()
            .to_string(),
        };
        let (commit, date, time) = identity(repo, &rev)?;
        let day = date.get(..10).unwrap_or(&date).to_string();
        out.push(SnapshotSource {
            snapshot: Snapshot {
                tag: format!("snapshot-{}-{}", day.replace('-', "."), &commit[..8]),
                commit,
                date: day,
                target: false,
                aliases: Vec::new(),
                sdk: String::new(),
                declared: None,
                reason: None,
            },
            rev,
            time,
        });
    }
    out.sort_by(|a, b| (a.time, &a.snapshot.tag).cmp(&(b.time, &b.snapshot.tag)));
    Ok(out)
}

/// The `training` tree of a revision, unpacked into a new temporary folder.
fn export(repo: &Path, rev: &str) -> Result<tempfile::TempDir, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut archive = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["archive", "--format=tar", rev, "training"])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let stdout = archive.stdout.take().expect("piped");
    let status = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(dir.path())
        .stdin(stdout)
        .status()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let archived = archive.wait().map_err(|e| e.to_string())?;
    if !status.success() || !archived.success() {
        return Err(format!("cannot export `training` at {rev}"));
    }
    Ok(dir)
}

/// The early layout's package, read as `training` (RULES §1 aliases the early roots).
const EARLY_PACKAGE: &str = "fireworks.training.cookbook";
const EARLY_ROOT: &str = "training/src";

/// What one cookbook snapshot holds for the data.
pub struct CookbookSnapshot {
    pub table: Table,
    /// Its declared `fireworks-ai` requirement.
    pub sdk: Option<String>,
    /// How its `provision.py` reads a provisioning YAML file; `None` without one.
    pub provision: Option<Provision>,
}

/// The cookbook at a revision: its table, its declared `fireworks-ai` requirement and its
/// provisioning model.
pub fn cookbook_snapshot(repo: &Path, rev: &str) -> Result<CookbookSnapshot, String> {
    let dir = export(repo, rev)?;
    let table = cookbook_table_from(dir.path())?;
    let sdk = fs::read_to_string(dir.path().join("training/pyproject.toml"))
        .ok()
        .and_then(|text| sdk_requirement(&text));
    let provision = crate::provision::from_tree(dir.path()).map_err(|e| format!("{rev}: {e}"))?;
    Ok(CookbookSnapshot {
        table,
        sdk,
        provision,
    })
}

/// The cookbook's table from a folder holding its `training` folder (either layout).
pub fn cookbook_table_from(root: &Path) -> Result<Table, String> {
    let early = root.join(EARLY_ROOT).join(EARLY_PACKAGE.replace('.', "/"));
    if early.is_dir() {
        let mut table = table_from_tree("", &root.join(EARLY_ROOT), &[EARLY_PACKAGE], &[])?;
        rename_package(&mut table, EARLY_PACKAGE, "training");
        return Ok(table);
    }
    table_from_tree(
        "",
        root,
        &["training"],
        &["training.examples", "training.tests"],
    )
}

/// Rename package `from` to `to` everywhere in a table: module paths, references, bases.
fn rename_package(table: &mut Table, from: &str, to: &str) {
    let rename = |path: &mut String| {
        if let Some(rest) = path.strip_prefix(from)
            && (rest.is_empty() || rest.starts_with('.'))
        {
            *path = format!("{to}{rest}");
        }
    };
    let modules = std::mem::take(&mut table.modules);
    for (mut path, mut module) in modules {
        rename(&mut path);
        for symbol in module.names.values_mut() {
            match symbol {
                Symbol::Ref { to } | Symbol::Module { to } => rename(to),
                Symbol::Class(class) => class.bases.iter_mut().for_each(rename),
                _ => {}
            }
        }
        table.modules.insert(path, module);
    }
    // `fireworks` and `fireworks.training` were the early layout's namespace parents.
    table
        .modules
        .retain(|p, _| p == to || p.starts_with(&format!("{to}.")));
}

/// The `fireworks-ai` specifier of a `pyproject.toml` (`>=1.2.9,<2`), from the requirement with
/// the `training` extra, else the first one.
pub fn sdk_requirement(pyproject: &str) -> Option<String> {
    let mut found: Vec<(bool, String)> = Vec::new();
    for quoted in pyproject.split('"').skip(1).step_by(2) {
        let Some(rest) = quoted.trim().strip_prefix("fireworks-ai") else {
            continue;
        };
        let (extras, spec) = match rest.strip_prefix('[') {
            Some(r) => r.split_once(']').unwrap_or((r, "")),
            None => ("", rest),
        };
        let spec = spec.split(';').next().unwrap_or("").trim().replace(' ', "");
        if spec.is_empty() {
            continue;
        }
        found.push((extras.split(',').any(|e| e.trim() == "training"), spec));
    }
    found
        .iter()
        .find(|(training, _)| *training)
        .or(found.first())
        .map(|(_, s)| s.clone())
}

/// SDK modules that are not part of its surface.
const SDK_SKIP: &[&str] = &["fireworks.training.sdk.tests"];

/// The SDK table for `version`, from wheels in (or downloaded into) `wheels`.
pub fn sdk_table(wheels: &Path, version: &str) -> Result<Table, String> {
    let sdk = unpacked_wheel(wheels, "fireworks-ai", version)?;
    let mut table = table_from_tree(
        &format!("fireworks-ai {version}"),
        &sdk,
        &["fireworks.training.sdk"],
        SDK_SKIP,
    )?;
    if let Some(tinker) = pinned(&sdk, "tinker")? {
        let dir = unpacked_wheel(wheels, "tinker", &tinker)?;
        let tinker_table = table_from_tree("", &dir, &["tinker"], &[])?;
        table.source = format!("fireworks-ai {version} with tinker {tinker}");
        table.modules.extend(tinker_table.modules);
    }
    Ok(table)
}

/// The `==` pin of `package` in a wheel's metadata.
fn pinned(unpacked: &Path, package: &str) -> Result<Option<String>, String> {
    for entry in fs::read_dir(unpacked).map_err(|e| format!("{}: {e}", unpacked.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|e| e == "dist-info") {
            let metadata = fs::read_to_string(path.join("METADATA")).map_err(|e| e.to_string())?;
            let prefix = format!("Requires-Dist: {package}==");
            return Ok(metadata.lines().find_map(|l| {
                l.strip_prefix(&prefix)
                    .map(|rest| rest.split([';', ' ']).next().unwrap_or(rest).to_string())
            }));
        }
    }
    Ok(None)
}

/// The wheel of `package==version` unpacked below `wheels` (downloaded with pip when missing).
pub fn unpacked_wheel(wheels: &Path, package: &str, version: &str) -> Result<PathBuf, String> {
    let dist = package.replace('-', "_");
    let dir = wheels.join(format!("{dist}-{version}"));
    if dir.is_dir() {
        return Ok(dir);
    }
    fs::create_dir_all(wheels).map_err(|e| format!("{}: {e}", wheels.display()))?;
    let wheel = match find_wheel(wheels, &dist, version) {
        Some(w) => w,
        None => {
            let status = Command::new("python3")
                .args(["-m", "pip", "download", "--quiet", "--no-deps", "--pre"])
                .arg(format!("{package}=={version}"))
                .arg("-d")
                .arg(wheels)
                .status()
                .map_err(|e| format!("cannot run pip: {e}"))?;
            if !status.success() {
                return Err(format!("pip download {package}=={version} failed"));
            }
            find_wheel(wheels, &dist, version)
                .ok_or_else(|| format!("no wheel for {package}=={version} after download"))?
        }
    };
    let tmp = wheels.join(format!(".{dist}-{version}.tmp"));
    let _ = fs::remove_dir_all(&tmp);
    let status = Command::new("python3")
        .args(["-m", "zipfile", "-e"])
        .arg(&wheel)
        .arg(&tmp)
        .status()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    if !status.success() {
        return Err(format!("cannot unpack {}", wheel.display()));
    }
    fs::rename(&tmp, &dir).map_err(|e| e.to_string())?;
    Ok(dir)
}

/// Download and unpack the wheels of `package` at `versions` that are not here yet, several
/// at once: each is a pip and a python process that mostly wait on the network, and a cold
/// regeneration fetches every SDK release.
pub fn prefetch(wheels: &Path, package: &str, versions: &[String]) -> Result<(), String> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let dist = package.replace('-', "_");
    let missing: Vec<&String> = versions
        .iter()
        .filter(|v| !wheels.join(format!("{dist}-{v}")).is_dir())
        .collect();
    let next = AtomicUsize::new(0);
    let errors: Mutex<Vec<String>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..missing.len().min(8) {
            scope.spawn(|| {
                while let Some(version) = missing.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if let Err(e) = unpacked_wheel(wheels, package, version) {
                        errors.lock().unwrap_or_else(|e| e.into_inner()).push(e);
                    }
                }
            });
        }
    });
    let mut errors = errors.into_inner().unwrap_or_else(|e| e.into_inner());
    errors.sort();
    match errors.first() {
        Some(e) => Err(e.clone()),
        None => Ok(()),
    }
}

fn find_wheel(wheels: &Path, dist: &str, version: &str) -> Option<PathBuf> {
    let prefix = format!("{dist}-{version}-");
    fs::read_dir(wheels).ok()?.find_map(|e| {
        let path = e.ok()?.path();
        let name = path.file_name()?.to_string_lossy().into_owned();
        (name.starts_with(&prefix) && name.ends_with(".whl")).then_some(path)
    })
}

/// Everything the generator writes: file name → text.
pub struct Generated {
    pub files: Vec<(String, String)>,
    pub registry: Registry,
}

/// Read every snapshot and SDK release the input names and render the committed data.
pub fn generate(repo: &Path, wheels: &Path, input: &Input) -> Result<Generated, String> {
    let sources = snapshots(repo, input)?;
    let mut registry = Registry {
        roles: input.roles.clone(),
        sdk: input.sdk.versions.clone(),
        ..Registry::default()
    };
    let mut cookbook = Vec::new();
    let mut provisions = Vec::new();
    for source in &sources {
        let read = cookbook_snapshot(repo, &source.rev)?;
        let mut snapshot = source.snapshot.clone();
        snapshot.sdk = read.sdk.unwrap_or_default();
        cookbook.push(read.table);
        provisions.push(read.provision);
        registry.cookbook.push(snapshot);
    }
    apply_reviewed(&mut registry, input)?;
    let names: Vec<String> = registry.cookbook.iter().map(|s| s.tag.clone()).collect();
    let moves = crate::moves::moves(&cookbook, "training");
    let cookbook_text = fwmigrate_api::history::History::render(&names, &cookbook, &moves);
    let mut sdk = Vec::new();
    prefetch(wheels, "fireworks-ai", &input.sdk.versions)?;
    for version in &input.sdk.versions {
        sdk.push(sdk_table(wheels, version)?);
    }
    let moves = crate::moves::moves(&sdk, "fireworks.training.sdk");
    let sdk_text = fwmigrate_api::history::History::render(&input.sdk.versions, &sdk, &moves);
    let provision_text = provision_history(&provisions);
    Ok(Generated {
        files: vec![
            ("releases.json".to_string(), registry.render()),
            ("cookbook.history".to_string(), cookbook_text),
            ("sdk.history".to_string(), sdk_text),
            ("provision.history".to_string(), provision_text),
        ],
        registry,
    })
}

/// `provision.history` from each snapshot's model (oldest first): one line per distinct model,
/// with every snapshot that has it, in the order the models first appear.
pub fn provision_history(models: &[Option<Provision>]) -> String {
    let mut distinct: Vec<(&Provision, Vec<usize>)> = Vec::new();
    for (i, model) in models.iter().enumerate() {
        let Some(model) = model else { continue };
        match distinct.iter_mut().find(|(m, _)| *m == model) {
            Some((_, indices)) => indices.push(i),
            None => distinct.push((model, vec![i])),
        }
    }
    let lines: Vec<(Releases, Provision)> = distinct
        .into_iter()
        .map(|(model, indices)| (Releases::from_indices(indices), model.clone()))
        .collect();
    provision::render(&lines, models.len().saturating_sub(1))
}

/// Aliases, roles and narrowings from the input, checked against the snapshots found.
fn apply_reviewed(registry: &mut Registry, input: &Input) -> Result<(), String> {
    let index = |registry: &Registry, tag: &str| {
        registry
            .cookbook
            .iter()
            .position(|s| s.tag == tag)
            .ok_or_else(|| format!("history.toml names `{tag}`, which the repository lacks"))
    };
    for (alias, tag) in &input.aliases {
        let i = index(registry, tag)?;
        registry.cookbook[i].aliases.push(alias.clone());
    }
    for tag in input.roles.values() {
        index(registry, tag)?;
    }
    for narrow in &input.narrow {
        let (a, b) = (
            index(registry, &narrow.from)?,
            index(registry, &narrow.through)?,
        );
        for snapshot in &mut registry.cookbook[a..=b] {
            if snapshot.target {
                snapshot.declared = Some(std::mem::replace(&mut snapshot.sdk, narrow.sdk.clone()));
                snapshot.reason = Some(narrow.reason.clone());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_sdk_requirement_with_the_training_extra() {
        let text = r#"dependencies = ["fireworks-ai[training-sdk]", "fireworks-ai[training]>=1.2.9, <2", "x"]"#;
        assert_eq!(sdk_requirement(text).as_deref(), Some(">=1.2.9,<2"));
        assert_eq!(
            sdk_requirement(r#"deps = ["fireworks-ai>=1.0.0a36,<2"]"#).as_deref(),
            Some(">=1.0.0a36,<2")
        );
        assert_eq!(sdk_requirement("name = \"x\""), None);
    }

    #[test]
    fn the_committed_input_parses() {
        let input = read_input(&default_input()).unwrap();
        assert!(!input.weekly.is_empty() && !input.sdk.versions.is_empty());
    }
}

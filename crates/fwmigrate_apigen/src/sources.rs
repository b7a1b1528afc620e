//! Which source trees make which tables, and fetching the SDK wheels.
//!
//! Cookbook tables come from a folder holding one subfolder per release, each with the
//! cookbook's `training` package. SDK tables come from the `fireworks-ai` wheels on PyPI, with the
//! `tinker` wheel an SDK release pins (before 1.2.25 the SDK's client classes subclass tinker's).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use fwmigrate_api::tables::Table;

use crate::table_from_tree;

/// A cookbook release: table name, folder below the cookbook source folder, commit.
pub const COOKBOOK_RELEASES: &[(&str, &str, &str)] = &[
    ("cookbook-legacy", "legacy", "68dc0d97"),
    ("cookbook-2026.06", "2026.06", "517d206d"),
    ("cookbook-2026.08", "2026.08", "76821fa1"),
    ("cookbook-opd", "opd-4df64177", "4df64177"),
];

/// SDK releases with a table (`fwmigrate_api::SDK_VERSIONS` lists the same).
pub const SDK_RELEASES: &[&str] = fwmigrate_api::SDK_VERSIONS;

/// SDK modules that are not part of its surface.
const SDK_SKIP: &[&str] = &["fireworks.training.sdk.tests"];

pub fn cookbook_table(cookbook_src: &Path, folder: &str, commit: &str) -> Result<Table, String> {
    table_from_tree(
        &format!("fw-ai/cookbook@{commit}"),
        &cookbook_src.join(folder),
        &["training"],
        &["training.examples", "training.tests"],
    )
}

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
    let wheel = find_wheel(wheels, &dist, version);
    let wheel = match wheel {
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

fn find_wheel(wheels: &Path, dist: &str, version: &str) -> Option<PathBuf> {
    let prefix = format!("{dist}-{version}-");
    fs::read_dir(wheels).ok()?.find_map(|e| {
        let path = e.ok()?.path();
        let name = path.file_name()?.to_string_lossy().into_owned();
        (name.starts_with(&prefix) && name.ends_with(".whl")).then_some(path)
    })
}

/// Every table, by file name (`cookbook-2026.08.json`, `sdk-1.2.30.json`).
pub fn all_tables(cookbook_src: &Path, wheels: &Path) -> Result<Vec<(String, Table)>, String> {
    let mut out = Vec::new();
    for (name, folder, commit) in COOKBOOK_RELEASES {
        out.push((
            format!("{name}.json"),
            cookbook_table(cookbook_src, folder, commit)?,
        ));
    }
    for version in SDK_RELEASES {
        out.push((format!("sdk-{version}.json"), sdk_table(wheels, version)?));
    }
    Ok(out)
}

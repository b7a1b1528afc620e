//! The installed-SDK verdict (rule FW502 `installed-sdk`, and the first line of
//! `fwmigrate doctor`): does the `fireworks-ai` installed in the project's Python environment
//! satisfy the target's SDK range and the project's own pin?
//!
//! The environment is found by `fwmigrate_doctor::environment`; here it is judged against the
//! target (`Target::min_sdk_specifier`) and the project's `fireworks-ai` declarations (the ones
//! the default `sdk-version` reads), and the finding is given a manifest to stand in.

use std::path::{Path, PathBuf};

use fwmigrate_api::Target;
use fwmigrate_doctor::environment::Environment;
use fwmigrate_manifest::Manifest;
use fwmigrate_manifest::pep440::{SpecifierSet, Version};

use crate::sdk_pin::PinDeclaration;

/// What is wrong with the installed SDK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// One sentence: what is installed where, what is needed and why, and the command.
    pub message: String,
    /// The message without the command.
    pub summary: String,
    /// The command that fixes it.
    pub command: String,
    /// The version installed (`None`: not installed).
    pub installed: Option<String>,
}

/// The requirement a target's range stands for, as `pip` takes it.
fn target_requirement(target: &Target) -> String {
    format!("fireworks-ai[training]{}", target.min_sdk_specifier())
}

/// Judge the `fireworks-ai` installed in `env` against `target` and the project's pins.
/// `None` when it satisfies both (or its version cannot be read).
pub fn judge(env: &Environment, target: &Target, pins: &[PinDeclaration]) -> Option<Problem> {
    let spec = target.min_sdk_specifier();
    let Some(installed) = &env.installed else {
        let command = env.install_command(&target_requirement(target));
        let summary = format!(
            "fireworks-ai is not installed in {}; cookbook {target} needs {spec}",
            env.describe()
        );
        return Some(Problem {
            message: format!("{summary}: run `{command}`"),
            summary,
            command,
            installed: None,
        });
    };
    let version = Version::parse(&installed.version)?;
    if SpecifierSet::parse(spec).is_some_and(|s| !s.contains(&version)) {
        let command = env.install_command(&target_requirement(target));
        let summary = format!(
            "fireworks-ai {} is installed in {}, outside {spec}, the SDK range cookbook \
             {target} requires: a stale SDK fails with errors that look like server bugs",
            installed.version,
            env.describe()
        );
        return Some(Problem {
            message: format!("{summary}; run `{command}`"),
            summary,
            command,
            installed: Some(installed.version.clone()),
        });
    }
    let pin = pins.iter().find(|p| !p.admits(&version))?;
    let command = match pin.pip_requirement() {
        Some(requirement) => env.install_command(requirement),
        // A Poetry constraint: the lock file decides what is installed.
        None => "poetry install".to_string(),
    };
    let summary = format!(
        "fireworks-ai {} is installed in {}, but the project requires `{}` ({})",
        installed.version,
        env.describe(),
        pin.shown,
        pin.file
    );
    Some(Problem {
        message: format!("{summary}: run `{command}`"),
        summary,
        command,
        installed: Some(installed.version.clone()),
    })
}

/// The manifest of the project folder `root` that FW502 stands in: the first that names
/// `fireworks-ai` of `pyproject.toml`, the requirements files (`requirements.txt` first) and
/// `setup.cfg`; else `pyproject.toml`, else `requirements.txt`. `None` when the folder has
/// neither (the verdict is then `fwmigrate doctor`'s only).
pub fn anchor(root: &Path) -> Option<PathBuf> {
    let mut requirements: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| Manifest::of(p, false) == Some(Manifest::Requirements) && p.is_file())
                .collect()
        })
        .unwrap_or_default();
    requirements.sort_by_key(|p| {
        (
            p.file_name().is_none_or(|n| n != "requirements.txt"),
            p.clone(),
        )
    });
    let candidates = std::iter::once(root.join("pyproject.toml"))
        .chain(requirements)
        .chain(std::iter::once(root.join("setup.cfg")));
    for path in candidates {
        let (Some(kind), Ok(text)) = (Manifest::of(&path, false), std::fs::read_to_string(&path))
        else {
            continue;
        };
        let (_, text) = fwmigrate_engine::split_bom(&text);
        if fwmigrate_manifest::sdk_declaration_range(kind, text).is_some() {
            return Some(path);
        }
    }
    ["pyproject.toml", "requirements.txt"]
        .iter()
        .map(|name| root.join(name))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;
    use fwmigrate_doctor::environment::{Installed, Via};

    fn env(version: Option<&str>) -> Environment {
        Environment {
            location: PathBuf::from("/p/.venv"),
            via: Via::ProjectFolder,
            python: Some(PathBuf::from("/p/.venv/bin/python")),
            uv: false,
            site_packages: Vec::new(),
            installed: version.map(|v| Installed {
                version: v.to_string(),
                dist_info: PathBuf::from("x"),
            }),
        }
    }

    fn pins(dir: &Path, requirements: &str) -> Vec<PinDeclaration> {
        std::fs::write(dir.join("requirements.txt"), requirements).unwrap();
        crate::sdk_pin::read_project_pin(dir)
    }

    #[test]
    fn outside_the_targets_range() {
        let target: Target = "2026.08".parse().unwrap();
        let p = judge(&env(Some("1.2.3")), &target, &[]).unwrap();
        assert_eq!(
            p.message,
            "fireworks-ai 1.2.3 is installed in /p/.venv (from the project folder), outside \
             >=1.2.9,<2, the SDK range cookbook 2026.08 requires: a stale SDK fails with errors \
             that look like server bugs; run \
             `/p/.venv/bin/python -m pip install -U 'fireworks-ai[training]>=1.2.9,<2'`"
        );
        // Newer than the range is outside it too.
        assert!(judge(&env(Some("2.0.0")), &target, &[]).is_some());
        for ok in ["1.2.9", "1.2.30", "1.2.12.post1"] {
            assert_eq!(judge(&env(Some(ok)), &target, &[]), None, "{ok}");
        }
        // An older target admits more.
        let older: Target = "2026.06".parse().unwrap();
        assert_eq!(judge(&env(Some("1.2.3")), &older, &[]), None);
        assert!(judge(&env(Some("1.2.0a60")), &older, &[]).is_some());
    }

    #[test]
    fn not_installed() {
        let target: Target = "2026.08".parse().unwrap();
        let p = judge(&env(None), &target, &[]).unwrap();
        assert!(
            p.message
                .starts_with("fireworks-ai is not installed in /p/.venv (from the project folder); cookbook 2026.08 needs >=1.2.9,<2"),
            "{}",
            p.message
        );
        assert_eq!(p.installed, None);
    }

    #[test]
    fn outside_the_projects_pin() {
        let dir = tempfile::tempdir().unwrap();
        let target: Target = "2026.08".parse().unwrap();
        let pinned = pins(dir.path(), "fireworks-ai[training]==1.2.12\n");
        let p = judge(&env(Some("1.2.30")), &target, &pinned).unwrap();
        assert!(
            p.message
                .contains("but the project requires `fireworks-ai[training]==1.2.12`"),
            "{}",
            p.message
        );
        assert_eq!(
            p.command,
            "/p/.venv/bin/python -m pip install -U 'fireworks-ai[training]==1.2.12'"
        );
        assert_eq!(judge(&env(Some("1.2.12")), &target, &pinned), None);
    }

    #[test]
    fn the_manifest_it_stands_in() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert_eq!(anchor(root), None);
        std::fs::write(root.join("requirements-dev.txt"), "pytest\n").unwrap();
        assert_eq!(anchor(root), None);
        std::fs::write(root.join("requirements.txt"), "numpy\n").unwrap();
        assert_eq!(anchor(root), Some(root.join("requirements.txt")));
        std::fs::write(root.join("pyproject.toml"), "[project]\nname = 'x'\n").unwrap();
        // Nothing declares the SDK: pyproject.toml.
        assert_eq!(anchor(root), Some(root.join("pyproject.toml")));
        std::fs::write(
            root.join("setup.cfg"),
            "[options]\ninstall_requires =\n    fireworks-ai\n",
        )
        .unwrap();
        assert_eq!(anchor(root), Some(root.join("setup.cfg")));
        std::fs::write(root.join("requirements-dev.txt"), "fireworks-ai==1.2.30\n").unwrap();
        assert_eq!(anchor(root), Some(root.join("requirements-dev.txt")));
        std::fs::write(
            root.join("pyproject.toml"),
            "[project]\nname = 'x'\ndependencies = ['fireworks-ai[training]>=1.2.9,<2']\n",
        )
        .unwrap();
        assert_eq!(anchor(root), Some(root.join("pyproject.toml")));
    }
}

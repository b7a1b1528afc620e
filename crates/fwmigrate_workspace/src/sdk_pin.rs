//! The default `sdk-version`: what the project's own `fireworks-ai` pin admits at its newest
//! known release, else the newest known release in the target's range.
//!
//! The known releases are the tabled ones (`fwmigrate_api::sdk_versions()`: every `fireworks-ai`
//! release from the oldest any target admits to the newest), so a pin `==1.2.20` selects 1.2.20
//! itself. Every declaration the project makes must admit the release (a lock file narrows a
//! range declared elsewhere); declarations whose constraint cannot be read (`>=${V}`) are left
//! out. A pin wins even when what it admits lies outside the target's range: that is the SDK the
//! project runs (FW501 says the pin is stale). A pin that admits no known release, whether it is
//! older than the oldest table or the declarations contradict each other, leaves the default to
//! the target's range.
//!
//! The project is the folder of the governing configuration file, else the folder the run
//! started in (the workspace folder for the language server). Its `pyproject.toml`, `setup.cfg`
//! and requirements files (the ones FW501 reads by name, and what they include with `-r`/`-c`)
//! are read once per run, and only when neither `--sdk-version` nor a configuration's
//! `sdk-version` decides.

use std::fmt;
use std::path::{Path, PathBuf};

use fwmigrate_api::{SdkVersion, Target, sdk_versions};
use fwmigrate_manifest::Manifest;
use fwmigrate_manifest::pep440::{SpecifierSet, Version, VersionRange, newest_admitted};

use crate::includes::Includes;

/// The most files one project's pin is read from (`-r` chains included).
const MAX_FILES: usize = 64;

/// One `fireworks-ai` declaration of the project.
#[derive(Debug, Clone)]
pub struct PinDeclaration {
    /// The file, as shown to the user (relative to the working directory when below it).
    pub file: String,
    /// The declaration as written (`fireworks-ai[training]>=1.2.9,<2`).
    pub shown: String,
    range: VersionRange,
}

impl PinDeclaration {
    /// Whether the declaration admits `version` (FW502: is what is installed what is pinned?).
    pub fn admits(&self, version: &Version) -> bool {
        self.range.contains(version)
    }

    /// The declaration as `pip install` takes it; `None` for a Poetry constraint.
    pub fn pip_requirement(&self) -> Option<&str> {
        matches!(self.range, VersionRange::Pep440(_)).then_some(self.shown.as_str())
    }
}

impl fmt::Display for PinDeclaration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.shown)
    }
}

/// Where the `sdk-version` in force comes from.
#[derive(Debug, Clone)]
pub enum SdkSource {
    /// `--sdk-version` (or the editor's `sdkVersion`).
    CommandLine,
    /// `sdk-version` in this configuration file.
    Config(PathBuf),
    /// The project's `fireworks-ai` declarations.
    Pin(Vec<PinDeclaration>),
    /// The newest known release in the target's range; `ignored` holds the project's
    /// declarations when they admit no known release.
    Default {
        target: Target,
        ignored: Vec<PinDeclaration>,
    },
}

fn join(declarations: &[PinDeclaration]) -> String {
    let parts: Vec<String> = declarations.iter().map(ToString::to_string).collect();
    parts.join("; ")
}

impl fmt::Display for SdkSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SdkSource::CommandLine => f.write_str("from --sdk-version"),
            SdkSource::Config(path) => write!(f, "from {}", path.display()),
            SdkSource::Pin(declarations) => write!(f, "from {}", join(declarations)),
            SdkSource::Default { target, ignored } => {
                write!(f, "default: newest known release in {target}'s range")?;
                match ignored.as_slice() {
                    [] => Ok(()),
                    [one] => write!(f, "; the pin {one} admits no known release"),
                    many => write!(
                        f,
                        "; the pins {} admit no known release together",
                        join(many)
                    ),
                }
            }
        }
    }
}

/// The known releases, ascending, as versions.
fn known() -> Vec<Version> {
    sdk_versions()
        .iter()
        .map(|v| Version::parse(v).expect("a tabled release is a PEP 440 version"))
        .collect()
}

fn sdk_version(known: &[Version], i: usize) -> SdkVersion {
    SdkVersion::try_from(known[i].as_pep440()).expect("a tabled release is an SDK version")
}

/// The default `sdk-version` at `target` for a project with these `fireworks-ai` declarations.
pub fn default_sdk_version(
    target: Target,
    declarations: &[PinDeclaration],
) -> (SdkVersion, SdkSource) {
    let known = known();
    if !declarations.is_empty() {
        let ranges: Vec<&VersionRange> = declarations.iter().map(|d| &d.range).collect();
        if let Some(i) = newest_admitted(&known, &ranges) {
            return (
                sdk_version(&known, i),
                SdkSource::Pin(declarations.to_vec()),
            );
        }
    }
    let range = SpecifierSet::parse(target.min_sdk_specifier())
        .map(VersionRange::Pep440)
        .expect("a target's SDK range is a specifier set");
    let version = newest_admitted(&known, &[&range])
        .map_or_else(SdkVersion::newest, |i| sdk_version(&known, i));
    (
        version,
        SdkSource::Default {
            target,
            ignored: declarations.to_vec(),
        },
    )
}

/// The `fireworks-ai` declarations (with a readable version constraint) of the project in
/// `root`, in file order: `pyproject.toml`, `setup.cfg`, then the requirements files by name,
/// each followed by what it includes. Files that cannot be read are skipped.
pub fn read_project_pin(root: &Path) -> Vec<PinDeclaration> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut names: Vec<(Manifest, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter_map(|e| {
            let path = e.path();
            Manifest::of(&path, false).map(|kind| (kind, path))
        })
        .collect();
    let order = |kind: Manifest| match kind {
        Manifest::PyProject => 0,
        Manifest::SetupCfg => 1,
        Manifest::Requirements => 2,
    };
    names.sort_by(|a, b| (order(a.0), &a.1).cmp(&(order(b.0), &b.1)));

    let cwd = std::env::current_dir().ok();
    let shown = |path: &Path| {
        cwd.as_deref()
            .and_then(|cwd| path.strip_prefix(cwd).ok())
            .or_else(|| path.strip_prefix(".").ok())
            .unwrap_or(path)
            .display()
            .to_string()
    };
    let mut out = Vec::new();
    let mut met = Includes::with_limit(MAX_FILES);
    let mut queue: Vec<(PathBuf, bool)> = names.into_iter().map(|(_, p)| (p, false)).collect();
    queue.reverse();
    // Depth-first: included files come right after the file that includes them.
    while let Some((path, included)) = queue.pop() {
        let Some(path) = met.admit(&path) else {
            continue;
        };
        let Some(kind) = Manifest::of(&path, included) else {
            continue;
        };
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let (_, text) = fwmigrate_engine::split_bom(&text);
        for decl in kind.declarations(text) {
            if let Some(range) = decl.constraint.range() {
                out.push(PinDeclaration {
                    file: shown(&path),
                    shown: decl.shown,
                    range,
                });
            }
        }
        let mut included_files = fwmigrate_manifest::included_files(&path, included, text);
        included_files.reverse();
        queue.extend(included_files.into_iter().map(|p| (p, true)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use fwmigrate_manifest::Constraint;

    fn pin(file: &str, constraint: Constraint) -> PinDeclaration {
        let shown = match &constraint {
            Constraint::Pep440(s) => format!("fireworks-ai{s}"),
            Constraint::Poetry(s) => format!("fireworks-ai = \"{s}\""),
        };
        PinDeclaration {
            file: file.into(),
            shown,
            range: constraint.range().unwrap(),
        }
    }

    fn pep(spec: &str) -> PinDeclaration {
        pin("pyproject.toml", Constraint::Pep440(spec.into()))
    }

    fn resolve(target: Target, pins: &[PinDeclaration]) -> (String, String) {
        let (v, source) = default_sdk_version(target, pins);
        (v.to_string(), source.to_string())
    }

    #[test]
    fn the_pin_decides_at_its_newest_known_release() {
        let at = |spec: &str| resolve(Target::named("2026.08"), &[pep(spec)]);
        assert_eq!(
            at(">=1.2.0a74,<1.2.10"),
            (
                "1.2.9".into(),
                "from pyproject.toml: fireworks-ai>=1.2.0a74,<1.2.10".into()
            )
        );
        assert_eq!(at("==1.2.12").0, "1.2.12");
        assert_eq!(at(">=1.2.9,<2").0, "1.2.30");
        assert_eq!(at("~=1.2.10").0, "1.2.30");
        // Every release is tabled: a pin is checked against itself.
        assert_eq!(at("==1.2.20").0, "1.2.20");
        assert_eq!(at(">=1.2.13,<1.2.25").0, "1.2.24");
        // Pre-releases order before their release.
        assert_eq!(at(">=1.2.0a74,<1.2.9").0, "1.2.8");
        assert_eq!(at("<1.2.0a75").0, "1.2.0a74");
        // Outside the target's range, the pin still wins: it is the SDK the project runs.
        assert_eq!(at("==1.2.0a74").0, "1.2.0a74");
        let poetry = pin(
            "pyproject.toml",
            Constraint::Poetry(">=1.2.10 <1.2.25".into()),
        );
        assert_eq!(
            resolve(Target::named("2026.08"), &[poetry]),
            (
                "1.2.24".into(),
                "from pyproject.toml: fireworks-ai = \">=1.2.10 <1.2.25\"".into()
            )
        );
    }

    #[test]
    fn every_declaration_must_admit_the_release() {
        let lock = pin("requirements.txt", Constraint::Pep440("==1.2.25".into()));
        assert_eq!(
            resolve(Target::named("2026.08"), &[pep(">=1.2.9,<2"), lock.clone()]),
            (
                "1.2.25".into(),
                "from pyproject.toml: fireworks-ai>=1.2.9,<2; requirements.txt: fireworks-ai==1.2.25"
                    .into()
            )
        );
        assert_eq!(
            resolve(Target::named("2026.08"), &[pep("<1.2.25"), lock]),
            (
                "1.2.30".into(),
                "default: newest known release in 2026.08's range; the pins \
                 pyproject.toml: fireworks-ai<1.2.25; requirements.txt: fireworks-ai==1.2.25 \
                 admit no known release together"
                    .into()
            )
        );
    }

    #[test]
    fn without_a_usable_pin_the_target_decides() {
        for target in Target::aliased() {
            let (v, source) = resolve(target, &[]);
            assert_eq!(v, "1.2.30");
            assert_eq!(
                source,
                format!("default: newest known release in {target}'s range")
            );
        }
        assert_eq!(
            resolve(Target::named("2026.08"), &[pep("==1.0.0a20")]),
            (
                "1.2.30".into(),
                "default: newest known release in 2026.08's range; the pin \
                 pyproject.toml: fireworks-ai==1.0.0a20 admits no known release"
                    .into()
            )
        );
    }

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn read(dir: &Path) -> Vec<String> {
        read_project_pin(dir)
            .iter()
            .map(|d| {
                let file = Path::new(&d.file).file_name().unwrap().to_string_lossy();
                format!("{file}: {}", d.shown)
            })
            .collect()
    }

    #[test]
    fn reads_the_files_fw501_reads() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(dir.path()).is_empty());
        write(
            dir.path(),
            "pyproject.toml",
            "\u{feff}[project]\nname = \"x\"\ndependencies = [\"fireworks-ai[training]>=1.2.9,<2\", \"numpy\"]\n\
             [tool.poetry.dependencies]\nfireworks-ai = \"^1.2\"\n",
        );
        write(
            dir.path(),
            "setup.cfg",
            "[options]\ninstall_requires =\n    fireworks-ai>=1.2\n",
        );
        write(
            dir.path(),
            "requirements.txt",
            "-r deps/base.txt\nfireworks-ai==1.2.12  # lock\nfireworks-ai>=${V}\n",
        );
        write(
            dir.path(),
            "deps/base.txt",
            "fireworks_ai~=1.2.10\n-r ../requirements.txt\n",
        );
        write(dir.path(), "notes.txt", "fireworks-ai==1.0\n");
        write(dir.path(), "requirements-dev.txt", "pytest\n");
        assert_eq!(
            read(dir.path()),
            [
                "pyproject.toml: fireworks-ai[training]>=1.2.9,<2",
                "pyproject.toml: fireworks-ai = \"^1.2\"",
                "setup.cfg: fireworks-ai>=1.2",
                "requirements.txt: fireworks-ai==1.2.12",
                "base.txt: fireworks_ai~=1.2.10",
            ]
        );
        let pins = read_project_pin(dir.path());
        assert_eq!(
            default_sdk_version(Target::named("2026.08"), &pins)
                .0
                .to_string(),
            "1.2.12"
        );
        // A broken pyproject.toml or an unreadable file is skipped.
        write(dir.path(), "pyproject.toml", "[project\n");
        std::fs::write(dir.path().join("setup.cfg"), b"\xff\xfe").unwrap();
        assert_eq!(
            read(dir.path()),
            [
                "requirements.txt: fireworks-ai==1.2.12",
                "base.txt: fireworks_ai~=1.2.10",
            ]
        );
    }
}

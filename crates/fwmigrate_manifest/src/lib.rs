//! Python dependency manifests, as far as fwmigrate reads them: PEP 440 versions and
//! specifiers (with Poetry's constraint syntax), PEP 508 requirement strings, and the
//! declarations of the Fireworks SDK (`fireworks-ai`) in `pyproject.toml`, requirements files
//! and `setup.cfg`.
//!
//! Two readers share it: rule FW501 `sdk-pin` (a pin below the target's minimum SDK) and the
//! command line, which takes the default `sdk-version` from the project's own pin.

pub mod pep440;
pub mod pep508;
mod pyproject;
mod requirements_txt;
mod setup_cfg;

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::pep440::{PoetryConstraint, SpecifierSet, VersionRange};

/// How a declaration's constraint is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    /// A PEP 440 specifier set (`>=1.2,<2`).
    Pep440(String),
    /// A Poetry constraint (`^1.2`, `~1.2 || ^2.0`).
    Poetry(String),
}

impl Constraint {
    /// The versions the constraint admits; `None` when it is not understood (`>=${V}`).
    pub fn range(&self) -> Option<VersionRange> {
        match self {
            Constraint::Pep440(spec) => SpecifierSet::parse(spec).map(VersionRange::Pep440),
            Constraint::Poetry(spec) => PoetryConstraint::parse(spec).map(VersionRange::Poetry),
        }
    }
}

/// Why a declaration's specifier is not rewritten automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoFix {
    /// The requirement pins hashes; a range would break pip's hash-checking mode.
    Hashes,
    /// A TOML string whose value could not be mapped back to the file.
    Escaped,
}

/// One `fireworks-ai` declaration with a version constraint, found in a manifest.
#[derive(Debug, Clone)]
pub struct Declaration {
    /// Where the declaration stands (byte offsets in the file).
    pub range: Range<usize>,
    /// The declaration as the user wrote it, for messages.
    pub shown: String,
    /// The whole declaration as written (decoded, markers included) and the range of the
    /// specifier in it, for the suggestion of a display-only fix.
    pub written: String,
    pub written_spec: Range<usize>,
    pub constraint: Constraint,
    /// The byte range of the version specifier to replace, or why there is none.
    pub edit: Result<Range<usize>, NoFix>,
}

/// The kind of manifest a file is: the format its declarations are read in. Finer than the
/// engine's `SourceType::Manifest` (any manifest, for the text rules), and it also knows a
/// requirements file by being included rather than by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manifest {
    PyProject,
    Requirements,
    SetupCfg,
}

impl Manifest {
    /// The kind of manifest `path` is: by its name, else a requirements file when another
    /// requirements file includes it (`-r base.txt`), whatever its name.
    pub fn of(path: &Path, included: bool) -> Option<Manifest> {
        by_name(path).or(included.then_some(Manifest::Requirements))
    }

    /// The `fireworks-ai` declarations with a version constraint in `text`, in file order. A
    /// `pyproject.toml` that is not valid TOML has none.
    pub fn declarations(self, text: &str) -> Vec<Declaration> {
        match self {
            Manifest::PyProject => pyproject::declarations(text),
            Manifest::Requirements => requirements_txt::declarations(text),
            Manifest::SetupCfg => setup_cfg::declarations(text),
        }
    }
}

fn by_name(path: &Path) -> Option<Manifest> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "pyproject.toml" => return Some(Manifest::PyProject),
        "setup.cfg" => return Some(Manifest::SetupCfg),
        _ => {}
    }
    let requirements_like = if lower.ends_with(".txt") {
        lower.contains("requirements")
            || lower.starts_with("constraints")
            || path
                .parent()
                .and_then(Path::file_name)
                .and_then(|p| p.to_str())
                .is_some_and(|p| p.eq_ignore_ascii_case("requirements"))
    } else if lower.ends_with(".in") {
        lower.contains("requirements")
    } else {
        false
    };
    requirements_like.then_some(Manifest::Requirements)
}

/// Where a manifest declares `fireworks-ai`: its first declaration with a version constraint,
/// else the first line outside a comment that names the project (`fireworks-ai[training]`,
/// `"fireworks_ai"`) without one. `None` when it names it nowhere.
pub fn sdk_declaration_range(kind: Manifest, text: &str) -> Option<Range<usize>> {
    if let Some(d) = kind.declarations(text).into_iter().next() {
        return Some(d.range);
    }
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let here = start;
        start += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with(';') || !names_sdk(content) {
            continue;
        }
        let lead = content.len() - trimmed.len();
        return Some(here + lead..here + content.trim_end().len());
    }
    None
}

/// Whether `line` names the project `fireworks-ai` (any spelling PEP 503 normalises to it).
fn names_sdk(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let name_char = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    lower.match_indices("fireworks").any(|(i, _)| {
        let before_ok = i == 0 || !name_char(bytes[i - 1]);
        let rest = &bytes[i + "fireworks".len()..];
        let Some((&sep, rest)) = rest.split_first() else {
            return false;
        };
        before_ok
            && matches!(sep, b'-' | b'_' | b'.')
            && rest.starts_with(b"ai")
            && rest.get(2).is_none_or(|&b| !name_char(b))
    })
}

/// The files that the requirements file `path` includes with `-r`/`--requirement` or
/// `-c`/`--constraint`, resolved against its folder (URLs and paths with `${VAR}` are left
/// out). Files that are not requirements files (`pyproject.toml`, `setup.cfg`) include nothing.
pub fn included_files(path: &Path, included: bool, text: &str) -> Vec<PathBuf> {
    if Manifest::of(path, included) != Some(Manifest::Requirements) {
        return Vec::new();
    }
    requirements_txt::included(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pep440::Version;

    #[test]
    fn where_the_sdk_is_declared() {
        let req = "numpy\n# fireworks-ai==1.0\n  fireworks-ai[training]  \nfireworks-ai>=1.2\n";
        // The constrained declaration first, wherever it stands.
        assert_eq!(
            sdk_declaration_range(Manifest::Requirements, req).map(|r| &req[r]),
            Some("fireworks-ai>=1.2")
        );
        let bare = "numpy\n# fireworks-ai==1.0\n  Fireworks_AI[training]  \n";
        assert_eq!(
            sdk_declaration_range(Manifest::Requirements, bare).map(|r| &bare[r]),
            Some("Fireworks_AI[training]")
        );
        let pyproject = "[project]\nname = \"fireworks-ai-tools\"\ndependencies = [\"fireworks\", \"fireworks-ai\"]\n";
        assert_eq!(
            sdk_declaration_range(Manifest::PyProject, pyproject).map(|r| &pyproject[r]),
            Some("dependencies = [\"fireworks\", \"fireworks-ai\"]")
        );
        assert_eq!(
            sdk_declaration_range(Manifest::Requirements, "fireworks-ai-tools\nfireworks\n"),
            None
        );
    }

    #[test]
    fn kinds_by_name_or_inclusion() {
        assert_eq!(
            Manifest::of(Path::new("a/pyproject.toml"), false),
            Some(Manifest::PyProject)
        );
        assert_eq!(
            Manifest::of(Path::new("requirements/base.txt"), false),
            Some(Manifest::Requirements)
        );
        assert_eq!(Manifest::of(Path::new("pins.txt"), false), None);
        assert_eq!(
            Manifest::of(Path::new("pins.txt"), true),
            Some(Manifest::Requirements)
        );
    }

    #[test]
    fn constraints_become_ranges() {
        let v = |s: &str| Version::parse(s).unwrap();
        let pep = Constraint::Pep440(">=1.2.0a74,<1.2.10".into())
            .range()
            .unwrap();
        assert!(pep.contains(&v("1.2.9")) && !pep.contains(&v("1.2.10")));
        let poetry = Constraint::Poetry("~1.2.9".into()).range().unwrap();
        assert!(poetry.contains(&v("1.2.30")) && !poetry.contains(&v("1.3")));
        assert!(Constraint::Pep440(">=${V}".into()).range().is_none());
        assert!(Constraint::Poetry("latest".into()).range().is_none());
    }
}

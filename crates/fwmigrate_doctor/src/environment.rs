//! The Python environment a project runs in, and the `fireworks-ai` installed there.
//!
//! Where to look (docs/doctor.md):
//!
//! - `fwmigrate doctor`: `--python PATH`, else `$VIRTUAL_ENV`, else `.venv/` or `venv/` in the
//!   project folder, else `$CONDA_PREFIX`;
//! - `fwmigrate --check` and the language server: `--python` / config `python`, else `.venv/`
//!   or `venv/` in the project folder. Never the ambient `$VIRTUAL_ENV` / `$CONDA_PREFIX`, which
//!   pre-commit and editors set to their own environments.
//!
//! A folder is read, never run: its `site-packages` (`lib/python3.*/site-packages`,
//! `lib64/...`, `Lib/site-packages`) is searched for `fireworks_ai-*.dist-info/METADATA`. An
//! interpreter inside a virtual environment (`.venv/bin/python`) is read as that folder; any
//! other interpreter is asked once (per process) for its `sys.path`.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use fwmigrate_manifest::pep440::Version;
use fwmigrate_manifest::pep508::is_sdk;

/// How an environment came to be the one checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Via {
    /// `--python PATH`.
    Flag,
    /// The `python` key of this configuration file.
    Config(PathBuf),
    /// `$VIRTUAL_ENV` (`fwmigrate doctor` only).
    VirtualEnv,
    /// `.venv/` or `venv/` in the project folder.
    ProjectFolder,
    /// `$CONDA_PREFIX` (`fwmigrate doctor` only).
    Conda,
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Via::Flag => f.write_str("--python"),
            Via::Config(path) => write!(f, "`python` in {}", shown(path)),
            Via::VirtualEnv => f.write_str("$VIRTUAL_ENV"),
            Via::ProjectFolder => f.write_str("the project folder"),
            Via::Conda => f.write_str("$CONDA_PREFIX"),
        }
    }
}

/// The `fireworks-ai` distribution installed in an environment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Installed {
    /// As its metadata writes it (`1.2.30`).
    pub version: String,
    /// The `fireworks_ai-*.dist-info` folder it was read from.
    pub dist_info: PathBuf,
}

/// A Python environment and what it has installed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Environment {
    /// The environment's folder, or the interpreter when one outside a virtual environment was
    /// named.
    pub location: PathBuf,
    pub via: Via,
    /// The interpreter that runs in it, when there is one (for the `pip install` command).
    pub python: Option<PathBuf>,
    /// Made by uv (`pyvenv.cfg` says so): it has no pip, `uv pip install` installs into it.
    pub uv: bool,
    /// The folders searched, in order.
    pub site_packages: Vec<PathBuf>,
    /// `None`: `fireworks-ai` is not installed there.
    pub installed: Option<Installed>,
}

impl Environment {
    /// The environment as shown to the user: its path (relative to the working folder when
    /// below it) and how it was found, `.venv (the project folder)`.
    pub fn describe(&self) -> String {
        format!("{} (from {})", shown(&self.location), self.via)
    }

    /// The command that installs `requirement` (`fireworks-ai[training]>=1.2.9,<2`) into this
    /// environment.
    pub fn install_command(&self, requirement: &str) -> String {
        let quoted = shell_quote(requirement);
        if self.uv {
            return format!(
                "uv pip install --python {} -U {quoted}",
                shell_quote(&shown(&self.location))
            );
        }
        match &self.python {
            Some(python) => format!("{} -m pip install -U {quoted}", shell_quote(&shown(python))),
            None => format!("pip install -U {quoted}"),
        }
    }
}

/// `text` quoted for a POSIX shell when it needs it.
fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '+' | ':'));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// `path` relative to the working folder when it lies below it.
pub fn shown(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let rel = cwd
        .as_deref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(path);
    let rel = rel.strip_prefix(".").unwrap_or(rel);
    if rel.as_os_str().is_empty() {
        ".".to_string()
    } else {
        rel.display().to_string()
    }
}

/// The environment variables `fwmigrate doctor` reads (empty for `--check` and the server).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ambient {
    pub virtual_env: Option<PathBuf>,
    pub conda_prefix: Option<PathBuf>,
}

impl Ambient {
    /// `$VIRTUAL_ENV` and `$CONDA_PREFIX` of this process (empty values count as unset).
    pub fn from_process() -> Self {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Self {
            virtual_env: var("VIRTUAL_ENV"),
            conda_prefix: var("CONDA_PREFIX"),
        }
    }
}

/// The places that were looked at when no environment was found, for messages.
pub fn searched(given: bool, ambient: &Ambient, project: &Path) -> String {
    let mut places = Vec::new();
    if given {
        places.push("--python".to_string());
    }
    if ambient.virtual_env.is_some() {
        places.push("$VIRTUAL_ENV".to_string());
    }
    places.push(format!(
        ".venv/ and venv/ in {}",
        shown(project).trim_end_matches('/')
    ));
    if ambient.conda_prefix.is_some() {
        places.push("$CONDA_PREFIX".to_string());
    }
    places.join(", ")
}

/// The environment of the project in `project`: `given` (`--python` or the configuration's
/// `python`) when there is one, else the first of `$VIRTUAL_ENV` (from `ambient`), `.venv/` and
/// `venv/` in `project`, `$CONDA_PREFIX` that is a Python environment. `Ok(None)` when none is;
/// an error when `given` is neither an environment folder nor an interpreter that answers.
pub fn find(
    given: Option<(&Path, Via)>,
    ambient: &Ambient,
    project: &Path,
) -> Result<Option<Environment>, String> {
    if let Some((path, via)) = given {
        return open(path, via).map(Some);
    }
    let mut candidates: Vec<(PathBuf, Via)> = Vec::new();
    if let Some(v) = &ambient.virtual_env {
        candidates.push((v.clone(), Via::VirtualEnv));
    }
    for name in [".venv", "venv"] {
        candidates.push((project.join(name), Via::ProjectFolder));
    }
    if let Some(c) = &ambient.conda_prefix {
        candidates.push((c.clone(), Via::Conda));
    }
    Ok(candidates
        .into_iter()
        .filter(|(path, _)| path.is_dir())
        .find_map(|(path, via)| open_folder(&path, via)))
}

/// Open `path` (an environment folder or an interpreter) as an environment.
pub fn open(path: &Path, via: Via) -> Result<Environment, String> {
    if path.is_dir() {
        return open_folder(path, via).ok_or_else(|| {
            format!(
                "{} is not a Python environment (no site-packages folder in it)",
                path.display()
            )
        });
    }
    if !path.exists() {
        return Err(format!("{} does not exist", path.display()));
    }
    // `.venv/bin/python`, `venv/Scripts/python.exe`: the folder two levels up.
    if let Some(root) = path.parent().and_then(Path::parent)
        && root.join("pyvenv.cfg").is_file()
        && let Some(mut env) = open_folder(root, via.clone())
    {
        env.python = Some(path.to_path_buf());
        return Ok(env);
    }
    let site_packages = interpreter_paths(path)?;
    let installed = installed_in(&site_packages);
    Ok(Environment {
        location: path.to_path_buf(),
        via,
        python: Some(path.to_path_buf()),
        uv: false,
        site_packages,
        installed,
    })
}

/// A folder's `site-packages`, or `None` when it has none (not a Python environment).
fn open_folder(root: &Path, via: Via) -> Option<Environment> {
    let site_packages = site_packages_of(root);
    if site_packages.is_empty() {
        return None;
    }
    let python = [
        "bin/python",
        "bin/python3",
        "Scripts/python.exe",
        "python.exe",
    ]
    .iter()
    .map(|p| root.join(p))
    .find(|p| p.exists());
    let uv = std::fs::read_to_string(root.join("pyvenv.cfg")).is_ok_and(|cfg| {
        cfg.lines()
            .any(|l| l.split('=').next().is_some_and(|k| k.trim() == "uv"))
    });
    let installed = installed_in(&site_packages);
    Some(Environment {
        location: root.to_path_buf(),
        via,
        python,
        uv,
        site_packages,
        installed,
    })
}

/// `lib/python3.*/site-packages`, `lib64/python3.*/site-packages` (also PyPy's
/// `lib/pypy3.*`), `Lib/site-packages`, in that order.
fn site_packages_of(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for lib in ["lib", "lib64"] {
        let Ok(entries) = std::fs::read_dir(root.join(lib)) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                name.starts_with("python") || name.starts_with("pypy")
            })
            .map(|e| e.path().join("site-packages"))
            .filter(|p| p.is_dir())
            .collect();
        found.sort();
        for f in found {
            let same = |o: &PathBuf| match (o.canonicalize(), f.canonicalize()) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            };
            // `lib64` is often a link to `lib`.
            if !out.iter().any(same) {
                out.push(f);
            }
        }
    }
    let windows = root.join("Lib").join("site-packages");
    if windows.is_dir() && !out.contains(&windows) {
        out.push(windows);
    }
    out
}

/// The interpreter's `sys.path` folders (as the user's scripts see it: `PYTHONPATH` and the
/// user's site-packages count), asked once per process.
fn interpreter_paths(python: &Path) -> Result<Vec<PathBuf>, String> {
    type Answers = HashMap<PathBuf, Result<Vec<PathBuf>, String>>;
    static ASKED: OnceLock<Mutex<Answers>> = OnceLock::new();
    let asked = ASKED.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(found) = asked.lock().ok().and_then(|m| m.get(python).cloned()) {
        return found;
    }
    let script = "import json, sys; print(json.dumps(sys.path))";
    let found = Command::new(python)
        .args(["-c", script])
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))
        .and_then(|out| {
            if !out.status.success() {
                return Err(format!(
                    "{} is not a Python interpreter that runs ({})",
                    python.display(),
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            let list: Vec<String> = serde_json::from_slice(&out.stdout).map_err(|_| {
                format!(
                    "{} did not answer as a Python interpreter",
                    python.display()
                )
            })?;
            Ok(list
                .into_iter()
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
                .collect())
        });
    if let Ok(mut m) = asked.lock() {
        m.insert(python.to_path_buf(), found.clone());
    }
    found
}

/// The `fireworks-ai` installed in the first of `folders` that has one (the newest there when
/// a folder holds several `dist-info` folders, as stale leftovers of an upgrade do).
pub fn installed_in(folders: &[PathBuf]) -> Option<Installed> {
    folders.iter().find_map(|folder| {
        let entries = std::fs::read_dir(folder).ok()?;
        entries
            .flatten()
            .filter(|e| {
                let name = e.file_name().to_string_lossy().to_ascii_lowercase();
                name.ends_with(".dist-info")
                    && (name.starts_with("fireworks_ai-") || name.starts_with("fireworks-ai-"))
            })
            .filter_map(|e| read_dist_info(&e.path()))
            .max_by(|a, b| {
                let (va, vb) = (Version::parse(&a.version), Version::parse(&b.version));
                va.cmp(&vb).then_with(|| a.dist_info.cmp(&b.dist_info))
            })
    })
}

/// The name and version a `dist-info` folder's `METADATA` declares, when the name is
/// `fireworks-ai`.
fn read_dist_info(dist_info: &Path) -> Option<Installed> {
    let text = std::fs::read_to_string(dist_info.join("METADATA")).ok()?;
    let mut name = None;
    let mut version = None;
    // The headers end at the first blank line (the description follows).
    for line in text.lines().take_while(|l| !l.trim().is_empty()) {
        if let Some(v) = line.strip_prefix("Name:") {
            name = Some(v.trim().to_string());
        } else if let Some(v) = line.strip_prefix("Version:") {
            version = Some(v.trim().to_string());
        }
    }
    if !is_sdk(&name?) {
        return None;
    }
    Some(Installed {
        version: version.filter(|v| !v.is_empty())?,
        dist_info: dist_info.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A virtual environment with `fireworks-ai==version` installed (when given).
    fn venv(root: &Path, version: Option<&str>) {
        let site = root.join("lib/python3.11/site-packages");
        std::fs::create_dir_all(&site).unwrap();
        std::fs::write(
            root.join("pyvenv.cfg"),
            "home = /usr/bin\nversion = 3.11.7\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("bin")).unwrap();
        std::fs::write(root.join("bin/python"), "").unwrap();
        if let Some(v) = version {
            let info = site.join(format!("fireworks_ai-{v}.dist-info"));
            std::fs::create_dir_all(&info).unwrap();
            std::fs::write(
                info.join("METADATA"),
                format!("Metadata-Version: 2.1\nName: fireworks-ai\nVersion: {v}\n\nText: x\n"),
            )
            .unwrap();
        }
    }

    #[test]
    fn reads_the_version_from_the_dist_info() {
        let dir = tempfile::tempdir().unwrap();
        venv(&dir.path().join(".venv"), Some("1.2.3"));
        let env = find(None, &Ambient::default(), dir.path())
            .unwrap()
            .unwrap();
        assert_eq!(env.via, Via::ProjectFolder);
        assert_eq!(env.installed.as_ref().unwrap().version, "1.2.3");
        assert_eq!(env.python, Some(dir.path().join(".venv/bin/python")));
        assert!(!env.uv);
    }

    #[test]
    fn the_order_of_places() {
        let dir = tempfile::tempdir().unwrap();
        let (active, conda, project) = (
            dir.path().join("active"),
            dir.path().join("conda"),
            dir.path().join("project"),
        );
        venv(&active, Some("1.2.30"));
        venv(&conda, Some("1.2.12"));
        venv(&project.join("venv"), None);
        let both = Ambient {
            virtual_env: Some(active.clone()),
            conda_prefix: Some(conda.clone()),
        };
        let at = |ambient: &Ambient| {
            let e = find(None, ambient, &project).unwrap().unwrap();
            (e.via, e.installed.map(|i| i.version))
        };
        assert_eq!(at(&both), (Via::VirtualEnv, Some("1.2.30".into())));
        // Without $VIRTUAL_ENV (and for --check): the project's own, where nothing is installed.
        let conda_only = Ambient {
            virtual_env: None,
            conda_prefix: Some(conda.clone()),
        };
        assert_eq!(at(&conda_only), (Via::ProjectFolder, None));
        std::fs::remove_dir_all(project.join("venv")).unwrap();
        assert_eq!(at(&conda_only), (Via::Conda, Some("1.2.12".into())));
        assert_eq!(find(None, &Ambient::default(), &project).unwrap(), None);
        // A folder that is not an environment is passed over, or refused when named.
        std::fs::create_dir_all(project.join(".venv/lib")).unwrap();
        assert_eq!(find(None, &Ambient::default(), &project).unwrap(), None);
        let named = find(
            Some((&project.join(".venv"), Via::Flag)),
            &Ambient::default(),
            &project,
        );
        assert!(named.unwrap_err().contains("not a Python environment"));
        // --python wins over everything, as a folder or as its interpreter.
        let by_python = find(
            Some((&conda.join("bin/python"), Via::Flag)),
            &both,
            &project,
        )
        .unwrap()
        .unwrap();
        assert_eq!(by_python.location, conda);
        assert_eq!(by_python.installed.unwrap().version, "1.2.12");
    }

    #[test]
    fn other_distributions_and_broken_metadata_do_not_count() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join(".venv");
        venv(&root, None);
        let site = root.join("lib/python3.11/site-packages");
        for (folder, metadata) in [
            (
                "fireworks_ai_tools-9.9.dist-info",
                "Name: fireworks-ai-tools\nVersion: 9.9\n",
            ),
            (
                "fireworks_ai-2.0.dist-info",
                "Name: something-else\nVersion: 2.0\n",
            ),
            ("fireworks_ai-3.0.dist-info", "Name: fireworks-ai\n"),
        ] {
            std::fs::create_dir_all(site.join(folder)).unwrap();
            std::fs::write(site.join(folder).join("METADATA"), metadata).unwrap();
        }
        let env = find(None, &Ambient::default(), dir.path())
            .unwrap()
            .unwrap();
        assert_eq!(env.installed, None);
        // Two copies (an upgrade's leftover): the newer one.
        for v in ["1.2.9", "1.2.10"] {
            let info = site.join(format!("Fireworks_AI-{v}.dist-info"));
            std::fs::create_dir_all(&info).unwrap();
            std::fs::write(
                info.join("METADATA"),
                format!("Name: Fireworks_AI\nVersion: {v}\n"),
            )
            .unwrap();
        }
        let env = find(None, &Ambient::default(), dir.path())
            .unwrap()
            .unwrap();
        assert_eq!(env.installed.unwrap().version, "1.2.10");
    }

    #[test]
    fn install_commands() {
        let env = Environment {
            location: PathBuf::from("/p/.venv"),
            via: Via::ProjectFolder,
            python: Some(PathBuf::from("/p/.venv/bin/python")),
            uv: false,
            site_packages: Vec::new(),
            installed: None,
        };
        assert_eq!(
            env.install_command("fireworks-ai[training]>=1.2.9,<2"),
            "/p/.venv/bin/python -m pip install -U 'fireworks-ai[training]>=1.2.9,<2'"
        );
        let uv = Environment {
            uv: true,
            ..env.clone()
        };
        assert_eq!(
            uv.install_command("fireworks-ai==1.2.12"),
            "uv pip install --python /p/.venv -U 'fireworks-ai==1.2.12'"
        );
        let bare = Environment {
            python: None,
            ..env
        };
        assert_eq!(
            bare.install_command("fireworks-ai[training]>=1.2.9,<2"),
            "pip install -U 'fireworks-ai[training]>=1.2.9,<2'"
        );
    }

    #[test]
    fn an_interpreter_is_asked_for_its_path() {
        // Any interpreter will do: it answers with its own sys.path, where fireworks-ai is
        // normally absent. The answer is remembered.
        let Some(python) = ["python3", "python"].into_iter().find_map(|p| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|d| d.join(p))
                .find(|c| c.is_file())
        }) else {
            eprintln!("SKIPPED: no python3 on PATH");
            return;
        };
        let env = open(&python, Via::Flag).unwrap();
        assert!(!env.site_packages.is_empty());
        assert_eq!(env.python.as_deref(), Some(python.as_path()));
        let dir = tempfile::tempdir().unwrap();
        let not_python = dir.path().join("python");
        std::fs::write(&not_python, "").unwrap();
        assert!(open(&not_python, Via::Flag).is_err());
        assert!(
            open(&dir.path().join("missing"), Via::Flag)
                .unwrap_err()
                .contains("does not exist")
        );
    }
}

//! Configuration files: `[tool.fwmigrate]` in `pyproject.toml`, or a `fwmigrate.toml` with the
//! same keys at top level. The closest file above a checked file wins (a `fwmigrate.toml` beats
//! a `pyproject.toml` in the same folder); command-line flags override it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use fwmigrate_rule::RuleCode;
use serde::Deserialize;
use toml::Value;

/// Keys a configuration may set.
pub const KEYS: &[&str] = &[
    "select",
    "ignore",
    "extend-select",
    "unsafe-fixes",
    "target",
    "sdk-version",
    "cookbook-modules",
    "exclude",
    "extend-exclude",
    "per-file-ignores",
    "python",
];

/// The options one configuration file sets, read with serde (unknown keys are errors).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileOptions {
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub extend_select: Option<Vec<String>>,
    pub unsafe_fixes: Option<bool>,
    pub target: Option<String>,
    pub sdk_version: Option<String>,
    pub cookbook_modules: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    pub extend_exclude: Option<Vec<String>>,
    pub per_file_ignores: Option<BTreeMap<String, Vec<String>>>,
    /// The project's Python environment (an interpreter or a folder), relative to the file.
    pub python: Option<String>,
}

/// A configuration file and the folder it governs.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub path: PathBuf,
    pub root: PathBuf,
    pub options: FileOptions,
}

impl Config {
    /// Where its keys stand, for messages: `[tool.fwmigrate]` or `the top level`.
    pub fn section(&self) -> &'static str {
        if self.path.file_name().is_some_and(|n| n == "pyproject.toml") {
            "[tool.fwmigrate]"
        } else {
            "the top level"
        }
    }
}

/// Why the settings could not be had: a configuration file that cannot be used, or a bad
/// command-line value. Every one stops the run (exit 2); the message names the file, the key
/// and the accepted values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The file could not be read.
    Read { path: PathBuf, error: String },
    /// The file is not TOML.
    Toml { path: PathBuf, message: String },
    /// `tool.fwmigrate` in a `pyproject.toml` is not a table.
    NotATable { path: PathBuf },
    /// `--config` names a `pyproject.toml` without `[tool.fwmigrate]`.
    NoSection { path: PathBuf },
    UnknownKey {
        path: PathBuf,
        section: &'static str,
        key: String,
    },
    /// A value of the wrong type.
    BadValue {
        path: PathBuf,
        section: &'static str,
        key: String,
        expected: &'static str,
    },
    UnknownSelector {
        path: PathBuf,
        section: &'static str,
        key: String,
        selector: String,
    },
    UnknownTarget {
        path: PathBuf,
        section: &'static str,
        target: String,
    },
    InvalidGlob {
        path: PathBuf,
        section: &'static str,
        key: String,
        glob: String,
    },
    /// An `--exclude` / `--extend-exclude` glob that does not compile.
    InvalidExclude { glob: String, message: String },
    /// A bad `--select` / `--ignore` / `--extend-select` value.
    Selector(String),
    /// A bad target.
    Target(String),
    /// A bad `sdk-version` in a configuration file.
    SdkVersion {
        path: PathBuf,
        section: &'static str,
        message: String,
    },
    /// A bad `--sdk-version`.
    SdkVersionFlag(String),
    /// `--python` or a configuration's `python` names no Python environment.
    Python { source: String, message: String },
    /// A cache was poisoned by a panic on another thread.
    Poisoned,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Read { path, error } => {
                write!(f, "{}: cannot read: {error}", path.display())
            }
            ConfigError::Toml { path, message } => {
                write!(f, "{}: not valid TOML: {message}", path.display())
            }
            ConfigError::NotATable { path } => {
                write!(f, "{}: `tool.fwmigrate` must be a table", path.display())
            }
            ConfigError::NoSection { path } => {
                write!(f, "{}: no [tool.fwmigrate] section", path.display())
            }
            ConfigError::UnknownKey { path, section, key } => write!(
                f,
                "{}: unknown key `{key}` in {section} (accepted: {})",
                path.display(),
                KEYS.join(", ")
            ),
            ConfigError::BadValue {
                path,
                section,
                key,
                expected,
            } => write!(
                f,
                "{}: key `{key}` in {section}: expected {expected}",
                path.display()
            ),
            ConfigError::UnknownSelector {
                path,
                section,
                key,
                selector,
            } => write!(
                f,
                "{}: key `{key}` in {section}: unknown rule selector `{selector}` (accepted: ALL, a code such as FW001, or a prefix such as FW0; see `fwmigrate --list-rules`)",
                path.display()
            ),
            ConfigError::UnknownTarget {
                path,
                section,
                target,
            } => write!(
                f,
                "{}: key `target` in {section}: unknown target `{target}` (nearest: {}; `fwmigrate --list-targets` lists them all)",
                path.display(),
                fwmigrate_api::Target::nearest(target).join(", ")
            ),
            ConfigError::InvalidGlob {
                path,
                section,
                key,
                glob,
            } => write!(
                f,
                "{}: key `{key}` in {section}: invalid glob `{glob}`",
                path.display()
            ),
            ConfigError::InvalidExclude { glob, message } => {
                write!(f, "invalid exclude glob `{glob}`: {message}")
            }
            ConfigError::Selector(message) | ConfigError::Target(message) => f.write_str(message),
            ConfigError::SdkVersion {
                path,
                section,
                message,
            } => write!(
                f,
                "{}: key `sdk-version` in {section}: {message}",
                path.display()
            ),
            ConfigError::SdkVersionFlag(message) => write!(f, "--sdk-version: {message}"),
            ConfigError::Python { source, message } => write!(f, "{source}: {message}"),
            ConfigError::Poisoned => f.write_str("internal error: a settings cache was poisoned"),
        }
    }
}

/// Load `path` as a configuration. `Ok(None)` for a `pyproject.toml` without `[tool.fwmigrate]`.
pub fn load(path: &Path, codes: &[RuleCode]) -> Result<Option<Config>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
        path: path.to_path_buf(),
        error: e.to_string(),
    })?;
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    let value: toml::Table = match text.parse() {
        Ok(v) => v,
        // A broken pyproject.toml that never mentions fwmigrate is some other project's problem:
        // it is not a configuration, and the run goes on with the defaults.
        Err(_) if is_pyproject && !text.contains("fwmigrate") => return Ok(None),
        Err(e) => {
            let e: toml::de::Error = e;
            return Err(ConfigError::Toml {
                path: path.to_path_buf(),
                message: e.message().to_string(),
            });
        }
    };
    let (table, section) = if is_pyproject {
        match value
            .get("tool")
            .and_then(Value::as_table)
            .and_then(|t| t.get("fwmigrate"))
        {
            Some(Value::Table(t)) => (t.clone(), "[tool.fwmigrate]"),
            Some(_) => {
                return Err(ConfigError::NotATable {
                    path: path.to_path_buf(),
                });
            }
            None => return Ok(None),
        }
    } else {
        (value, "the top level")
    };
    let options = parse_options(&table, path, section, codes)?;
    // `--config pyproject.toml` has the parent "": the folder is the working directory.
    let root = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    Ok(Some(Config {
        path: path.to_path_buf(),
        root,
        options,
    }))
}

/// What a key's value must be, for messages.
fn expected(key: &str) -> &'static str {
    match key {
        "unsafe-fixes" => "true or false",
        "target" => "a string: a release tag, an alias or \"latest\"",
        "sdk-version" => "a string: a fireworks-ai release such as \"1.2.30\"",
        "python" => "a string: an interpreter or an environment folder, such as \".venv\"",
        "per-file-ignores" => "a table of glob = [codes]",
        _ => "a list of strings",
    }
}

fn parse_options(
    table: &toml::Table,
    path: &Path,
    section: &'static str,
    codes: &[RuleCode],
) -> Result<FileOptions, ConfigError> {
    let options: FileOptions = serde_path_to_error::deserialize(Value::Table(table.clone()))
        .map_err(|e| shape_error(&e, table, path, section))?;
    check_values(&options, table, path, section, codes)?;
    Ok(options)
}

/// The error for a table serde rejects: an unknown key, or a known key with a value of the
/// wrong type (with what it accepts).
fn shape_error(
    e: &serde_path_to_error::Error<toml::de::Error>,
    table: &toml::Table,
    path: &Path,
    section: &'static str,
) -> ConfigError {
    let key = e
        .path()
        .iter()
        .next()
        .map(|s| s.to_string())
        .unwrap_or_default();
    // A value inside `per-file-ignores` (a glob's codes) is a list of strings.
    let nested = e.path().iter().count() > 1;
    if key.is_empty() || !KEYS.contains(&key.as_str()) {
        // The unknown key itself: serde names it in its message.
        let unknown = table
            .keys()
            .find(|k| !KEYS.contains(&k.as_str()))
            .cloned()
            .unwrap_or(key);
        ConfigError::UnknownKey {
            path: path.to_path_buf(),
            section,
            key: unknown,
        }
    } else {
        ConfigError::BadValue {
            path: path.to_path_buf(),
            section,
            expected: if nested {
                "a list of strings"
            } else {
                expected(&key)
            },
            key,
        }
    }
}

/// What serde cannot check: rule selectors, globs, the target and the SDK version; in the
/// file's order, so that the first bad key is the one reported.
fn check_values(
    options: &FileOptions,
    table: &toml::Table,
    path: &Path,
    section: &'static str,
    codes: &[RuleCode],
) -> Result<(), ConfigError> {
    let selectors = |key: &str, list: &Option<Vec<String>>| -> Result<(), ConfigError> {
        for s in list.iter().flatten() {
            if !valid_selector(s, codes) {
                return Err(ConfigError::UnknownSelector {
                    path: path.to_path_buf(),
                    section,
                    key: key.to_string(),
                    selector: s.clone(),
                });
            }
        }
        Ok(())
    };
    let glob = |key: &str, glob: &str| -> Result<(), ConfigError> {
        match globset::Glob::new(glob.trim_end_matches('/')) {
            Ok(_) => Ok(()),
            Err(_) => Err(ConfigError::InvalidGlob {
                path: path.to_path_buf(),
                section,
                key: key.to_string(),
                glob: glob.to_string(),
            }),
        }
    };
    for key in table.keys() {
        match key.as_str() {
            "select" => selectors(key, &options.select)?,
            "ignore" => selectors(key, &options.ignore)?,
            "extend-select" => selectors(key, &options.extend_select)?,
            "exclude" => options
                .exclude
                .iter()
                .flatten()
                .try_for_each(|g| glob(key, g))?,
            "extend-exclude" => options
                .extend_exclude
                .iter()
                .flatten()
                .try_for_each(|g| glob(key, g))?,
            "per-file-ignores" => {
                for (pattern, list) in options.per_file_ignores.iter().flatten() {
                    glob(key, pattern)?;
                    selectors(key, &Some(list.clone()))?;
                }
            }
            "target" => {
                let t = options.target.as_deref().unwrap_or_default();
                if t.parse::<fwmigrate_api::Target>().is_err() {
                    return Err(ConfigError::UnknownTarget {
                        path: path.to_path_buf(),
                        section,
                        target: t.to_string(),
                    });
                }
            }
            "sdk-version" => {
                let v = options.sdk_version.as_deref().unwrap_or_default();
                if let Err(message) = v.parse::<fwmigrate_api::SdkVersion>() {
                    return Err(ConfigError::SdkVersion {
                        path: path.to_path_buf(),
                        section,
                        message,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn valid_selector(s: &str, codes: &[RuleCode]) -> bool {
    fwmigrate_engine::RuleSelector::parse(s, codes).is_ok()
}

/// The configuration file in `dir` itself, if any (`fwmigrate.toml` first).
pub fn find_in_dir(dir: &Path, codes: &[RuleCode]) -> Result<Option<Config>, ConfigError> {
    let own = dir.join("fwmigrate.toml");
    if own.is_file() {
        return load(&own, codes);
    }
    let pyproject = dir.join("pyproject.toml");
    if pyproject.is_file() {
        return load(&pyproject, codes);
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODES: &[RuleCode] = &[
        RuleCode::new("FW001"),
        RuleCode::new("FW201"),
        RuleCode::new("FW501"),
    ];

    /// `KEYS` (the accepted list messages give) is exactly what `FileOptions` reads.
    #[test]
    fn keys_are_the_fields_of_file_options() {
        for key in KEYS {
            let mut table = toml::Table::new();
            table.insert(key.to_string(), Value::Integer(1));
            let err = serde_path_to_error::deserialize::<_, FileOptions>(Value::Table(table))
                .unwrap_err();
            assert_eq!(err.path().to_string(), *key, "{err}");
            assert!(
                !err.inner().to_string().contains("unknown field"),
                "{key}: {err}"
            );
        }
        let mut table = toml::Table::new();
        table.insert("line-length".to_string(), Value::Integer(1));
        let err =
            serde_path_to_error::deserialize::<_, FileOptions>(Value::Table(table)).unwrap_err();
        assert!(err.inner().to_string().contains("unknown field"), "{err}");
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn reads_pyproject_and_own_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "pyproject.toml",
            "[project]\nname='x'\n[tool.fwmigrate]\nselect=['FW0']\ntarget='2026.06'\nunsafe-fixes=true\n[tool.fwmigrate.per-file-ignores]\n'tests/*'=['FW201']\n",
        );
        let c = load(&p, CODES).unwrap().unwrap();
        assert_eq!(c.options.select, Some(vec!["FW0".to_string()]));
        assert_eq!(c.options.target.as_deref(), Some("2026.06"));
        assert_eq!(c.options.unsafe_fixes, Some(true));
        assert_eq!(
            c.options.per_file_ignores.unwrap()["tests/*"],
            vec!["FW201".to_string()]
        );
        write(dir.path(), "fwmigrate.toml", "ignore = ['FW201']\n");
        let c = find_in_dir(dir.path(), CODES).unwrap().unwrap();
        assert!(c.path.ends_with("fwmigrate.toml"));
    }

    #[test]
    fn pyproject_without_section_is_not_a_config() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "pyproject.toml", "[project]\nname='x'\n");
        assert_eq!(load(&p, CODES).unwrap(), None);
        // Broken, but not ours: not a configuration either.
        let p = write(dir.path(), "pyproject.toml", "[project\nname='x'\n");
        assert_eq!(load(&p, CODES).unwrap(), None);
        // Broken and ours: an error.
        let p = write(
            dir.path(),
            "pyproject.toml",
            "[tool.fwmigrate\nselect=['FW0']\n",
        );
        assert!(load(&p, CODES).is_err());
    }

    #[test]
    fn errors_name_file_key_and_accepted_values() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "fwmigrate.toml", "selct = ['FW0']\n");
        let e = load(&p, CODES).unwrap_err();
        assert!(
            matches!(&e, ConfigError::UnknownKey { key, section: "the top level", .. } if key == "selct"),
            "{e:?}"
        );
        let e = e.to_string();
        assert!(
            e.contains("fwmigrate.toml") && e.contains("`selct`") && e.contains("extend-select"),
            "{e}"
        );
        let p = write(dir.path(), "fwmigrate.toml", "target = '2025.01'\n");
        let e = load(&p, CODES).unwrap_err();
        assert!(
            matches!(&e, ConfigError::UnknownTarget { target, .. } if target == "2025.01"),
            "{e:?}"
        );
        let e = e.to_string();
        assert!(
            e.contains("fwmigrate.toml: key `target` in the top level: unknown target `2025.01` (nearest: cookbook-v")
                && e.ends_with("; `fwmigrate --list-targets` lists them all)"),
            "{e}"
        );
        let p = write(dir.path(), "fwmigrate.toml", "select = ['E501']\n");
        let e = load(&p, CODES).unwrap_err();
        assert!(
            matches!(&e, ConfigError::UnknownSelector { key, selector, .. } if key == "select" && selector == "E501"),
            "{e:?}"
        );
        let e = e.to_string();
        assert!(e.contains("`select`") && e.contains("E501"), "{e}");
        let p = write(dir.path(), "fwmigrate.toml", "unsafe-fixes = 'yes'\n");
        let e = load(&p, CODES).unwrap_err();
        assert!(
            matches!(
                &e,
                ConfigError::BadValue {
                    expected: "true or false",
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.to_string().ends_with(
            "fwmigrate.toml: key `unsafe-fixes` in the top level: expected true or false"
        ));
        let p = write(dir.path(), "fwmigrate.toml", "select = [\n");
        let e = load(&p, CODES).unwrap_err();
        assert!(matches!(e, ConfigError::Toml { .. }), "{e:?}");
        assert!(e.to_string().contains("not valid TOML"));
        // Exclusion globs are checked when the file is read, naming the file and the key.
        let p = write(
            dir.path(),
            "fwmigrate.toml",
            "extend-exclude = ['ok', 'a[b']\n",
        );
        let e = load(&p, CODES).unwrap_err();
        assert!(
            matches!(&e, ConfigError::InvalidGlob { key, glob, .. } if key == "extend-exclude" && glob == "a[b"),
            "{e:?}"
        );
        assert!(
            e.to_string().ends_with(
                "fwmigrate.toml: key `extend-exclude` in the top level: invalid glob `a[b`"
            ),
            "{e}"
        );
        let p = write(dir.path(), "pyproject.toml", "[tool]\nfwmigrate = 'on'\n");
        let e = load(&p, CODES).unwrap_err();
        assert_eq!(e, ConfigError::NotATable { path: p.clone() });
        assert_eq!(
            e.to_string(),
            format!("{}: `tool.fwmigrate` must be a table", p.display())
        );
    }
}

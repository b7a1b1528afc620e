//! Configuration files: `[tool.fwmigrate]` in `pyproject.toml`, or a `fwmigrate.toml` with the
//! same keys at top level. The closest file above a checked file wins (a `fwmigrate.toml` beats
//! a `pyproject.toml` in the same folder); command-line flags override it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

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
];

/// The options one configuration file sets.
#[derive(Debug, Clone, Default, PartialEq)]
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
}

/// A configuration file and the folder it governs.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub path: PathBuf,
    pub root: PathBuf,
    pub options: FileOptions,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Load `path` as a configuration. `Ok(None)` for a `pyproject.toml` without `[tool.fwmigrate]`.
pub fn load(path: &Path, codes: &[&str]) -> Result<Option<Config>, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("{}: cannot read: {e}", path.display())))?;
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    let value: toml::Table = match text.parse() {
        Ok(v) => v,
        // A broken pyproject.toml that never mentions fwmigrate is some other project's problem:
        // it is not a configuration, and the run goes on with the defaults.
        Err(_) if is_pyproject && !text.contains("fwmigrate") => return Ok(None),
        Err(e) => {
            let e: toml::de::Error = e;
            return Err(ConfigError(format!(
                "{}: not valid TOML: {}",
                path.display(),
                e.message()
            )));
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
                return Err(ConfigError(format!(
                    "{}: `tool.fwmigrate` must be a table",
                    path.display()
                )));
            }
            None => return Ok(None),
        }
    } else {
        (value, "the top level")
    };
    let options = parse_options(&table, path, section, codes)?;
    let root = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    Ok(Some(Config {
        path: path.to_path_buf(),
        root,
        options,
    }))
}

fn parse_options(
    table: &toml::Table,
    path: &Path,
    section: &str,
    codes: &[&str],
) -> Result<FileOptions, ConfigError> {
    let file = path.display();
    let mut options = FileOptions::default();
    for (key, value) in table {
        let err = |expected: &str| {
            ConfigError(format!(
                "{file}: key `{key}` in {section}: expected {expected}"
            ))
        };
        let strings = |v: &Value| -> Result<Vec<String>, ConfigError> {
            v.as_array()
                .ok_or_else(|| err("a list of strings"))?
                .iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| err("a list of strings"))
                })
                .collect()
        };
        let selectors = |v: &Value| -> Result<Vec<String>, ConfigError> {
            let list = strings(v)?;
            for s in &list {
                if !valid_selector(s, codes) {
                    return Err(ConfigError(format!(
                        "{file}: key `{key}` in {section}: unknown rule selector `{s}` (accepted: ALL, a code such as FW001, or a prefix such as FW0; see `fwmigrate --list-rules`)"
                    )));
                }
            }
            Ok(list)
        };
        match key.as_str() {
            "select" => options.select = Some(selectors(value)?),
            "ignore" => options.ignore = Some(selectors(value)?),
            "extend-select" => options.extend_select = Some(selectors(value)?),
            "unsafe-fixes" => {
                options.unsafe_fixes = Some(value.as_bool().ok_or_else(|| err("true or false"))?)
            }
            "target" => {
                let t = value
                    .as_str()
                    .ok_or_else(|| err("a string: \"2026.06\" or \"2026.08\""))?;
                if t.parse::<fwmigrate_api::Target>().is_err() {
                    return Err(ConfigError(format!(
                        "{file}: key `target` in {section}: unknown target `{t}` (accepted: 2026.06, 2026.08)"
                    )));
                }
                options.target = Some(t.to_string());
            }
            "sdk-version" => {
                let v = value
                    .as_str()
                    .ok_or_else(|| err("a string: a fireworks-ai release such as \"1.2.30\""))?;
                if let Err(e) = v.parse::<fwmigrate_api::SdkVersion>() {
                    return Err(ConfigError(format!(
                        "{file}: key `sdk-version` in {section}: {e}"
                    )));
                }
                options.sdk_version = Some(v.to_string());
            }
            "cookbook-modules" => options.cookbook_modules = Some(strings(value)?),
            "exclude" => options.exclude = Some(strings(value)?),
            "extend-exclude" => options.extend_exclude = Some(strings(value)?),
            "per-file-ignores" => {
                let t = value
                    .as_table()
                    .ok_or_else(|| err("a table of glob = [codes]"))?;
                let mut map = BTreeMap::new();
                for (glob, codes_value) in t {
                    if globset::Glob::new(glob).is_err() {
                        return Err(ConfigError(format!(
                            "{file}: key `per-file-ignores` in {section}: invalid glob `{glob}`"
                        )));
                    }
                    map.insert(glob.clone(), selectors(codes_value)?);
                }
                options.per_file_ignores = Some(map);
            }
            other => {
                return Err(ConfigError(format!(
                    "{file}: unknown key `{other}` in {section} (accepted: {})",
                    KEYS.join(", ")
                )));
            }
        }
    }
    Ok(options)
}

fn valid_selector(s: &str, codes: &[&str]) -> bool {
    fwmigrate_engine::RuleSelector::parse(s, codes).is_ok()
}

/// The configuration file in `dir` itself, if any (`fwmigrate.toml` first).
pub fn find_in_dir(dir: &Path, codes: &[&str]) -> Result<Option<Config>, ConfigError> {
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

    const CODES: &[&str] = &["FW001", "FW201", "FW501"];

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
        let e = load(&p, CODES).unwrap_err().0;
        assert!(
            e.contains("fwmigrate.toml") && e.contains("`selct`") && e.contains("extend-select"),
            "{e}"
        );
        let p = write(dir.path(), "fwmigrate.toml", "target = '2025.01'\n");
        let e = load(&p, CODES).unwrap_err().0;
        assert!(
            e.contains("`target`") && e.contains("2026.06, 2026.08"),
            "{e}"
        );
        let p = write(dir.path(), "fwmigrate.toml", "select = ['E501']\n");
        let e = load(&p, CODES).unwrap_err().0;
        assert!(e.contains("`select`") && e.contains("E501"), "{e}");
        let p = write(dir.path(), "fwmigrate.toml", "unsafe-fixes = 'yes'\n");
        assert!(load(&p, CODES).unwrap_err().0.contains("true or false"));
        let p = write(dir.path(), "fwmigrate.toml", "select = [\n");
        assert!(load(&p, CODES).unwrap_err().0.contains("not valid TOML"));
    }
}

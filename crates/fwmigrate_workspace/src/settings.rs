//! Per-file settings: configuration files merged with command-line flags, and the linter (rule
//! selection) that follows from them. Both are cached: per folder for configuration lookup, per
//! distinct selection for linters.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use fwmigrate_doctor::environment::{self, Ambient, Environment, Via};
use fwmigrate_engine::{Linter, LinterSettings, RuleSelector, select_rules};
use fwmigrate_rule::{InstalledSdkProblem, RuleCode, SdkVersion, Target};
use fwmigrate_semantic::SemanticSettings;
use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::config::{self, Config, ConfigError};
use crate::installed;
use crate::overrides::Overrides;
use crate::paths::normalize;
use crate::registry;
use crate::sdk_pin::{self, PinDeclaration, SdkSource};

/// The default `exclude` list, as in ruff: version control, virtual environments, caches, build
/// output. A configuration's or the command line's `exclude` replaces it, `extend-exclude` adds
/// to it.
pub const DEFAULT_EXCLUDE: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "__pycache__",
    "node_modules",
    ".tox",
    ".nox",
    "build",
    "dist",
    "site-packages",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".ipynb_checkpoints",
];

/// The settings in force for one file.
pub struct FileSettings {
    pub linter: Arc<Linter>,
    pub config: Option<Arc<Config>>,
    pub target: Target,
    pub sdk_version: SdkVersion,
    /// Where `sdk_version` comes from (`--show-settings` says it).
    pub sdk_source: SdkSource,
    pub unsafe_fixes: bool,
    pub enabled: Vec<RuleCode>,
    pub cookbook_modules: Vec<String>,
    /// The `exclude` patterns in force (the default list unless a layer replaced it).
    pub exclude: Vec<String>,
    /// The `extend-exclude` patterns of both layers.
    pub extend_exclude: Vec<String>,
    exclusions: Exclusions,
}

impl FileSettings {
    /// The folder relative patterns are anchored at: the configuration's, else the working
    /// directory.
    fn root(&self) -> &Path {
        self.config
            .as_ref()
            .map_or(Path::new("."), |c| c.root.as_path())
    }

    /// Whether the exclusions cover `path` or a folder on the way to it (below the
    /// configuration's folder): for paths named on the command line (`--force-exclude`) and
    /// `--show-settings`.
    pub fn excludes(&self, path: &Path) -> bool {
        self.exclusions.matches_any_component(path, self.root())
    }

    /// Whether the exclusions cover a file or folder met while walking: its name, or its path
    /// relative to the configuration's folder (the folders above it were checked on the way
    /// down, as ruff does, so a folder named on the command line is walked whatever its name).
    pub fn excludes_entry(&self, path: &Path) -> bool {
        self.exclusions.matches_entry(path, self.root())
    }

    /// Whether the governing configuration has `per-file-ignores`: the settings of a file
    /// may then differ from its folder's.
    pub fn has_per_file_ignores(&self) -> bool {
        has_per_file_ignores(self.config.as_deref())
    }
}

fn has_per_file_ignores(config: Option<&Config>) -> bool {
    config
        .and_then(|c| c.options.per_file_ignores.as_ref())
        .is_some_and(|m| !m.is_empty())
}

/// Exclusion patterns, split for speed: plain names (most patterns, the whole default list)
/// are compared with path components, the others are globs.
#[derive(Default)]
struct Exclusions {
    names: Vec<OsString>,
    globs: GlobSet,
}

impl Exclusions {
    fn new<'p>(patterns: impl IntoIterator<Item = &'p str>) -> Result<Self, ConfigError> {
        let mut names = Vec::new();
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            let p = pattern.trim_end_matches('/');
            if !p.is_empty() && !p.contains(['/', '\\', '*', '?', '[', ']', '{', '}']) {
                names.push(OsString::from(p));
                continue;
            }
            let glob = Glob::new(p).map_err(|e| ConfigError::InvalidExclude {
                glob: pattern.to_string(),
                message: e.kind().to_string(),
            })?;
            builder.add(glob);
        }
        let globs = builder.build().map_err(|e| ConfigError::InvalidExclude {
            glob: e.glob().unwrap_or_default().to_string(),
            message: e.kind().to_string(),
        })?;
        Ok(Self { names, globs })
    }

    fn is_name(&self, name: &std::ffi::OsStr) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// `path`'s own name or its path relative to `root`.
    fn matches_entry(&self, path: &Path, root: &Path) -> bool {
        let name = path.file_name();
        if name.is_some_and(|n| self.is_name(n)) {
            return true;
        }
        if self.globs.is_empty() {
            return false;
        }
        name.is_some_and(|n| self.globs.is_match(n)) || self.globs.is_match(relative_to(path, root))
    }

    /// Any component of `path` relative to `root`, or that whole relative path.
    fn matches_any_component(&self, path: &Path, root: &Path) -> bool {
        if self.names.is_empty() && self.globs.is_empty() {
            return false;
        }
        let rel = relative_to(path, root);
        rel.components().any(|c| {
            let c = c.as_os_str();
            self.is_name(c) || self.globs.is_match(Path::new(c))
        }) || self.globs.is_match(&rel)
    }
}

fn relative_to(path: &Path, root: &Path) -> PathBuf {
    let abs = |p: &Path| {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir()
                .map(|d| d.join(p))
                .unwrap_or_else(|_| p.to_path_buf())
        }
    };
    let (path, root) = (normalize(&abs(path)), normalize(&abs(root)));
    path.strip_prefix(&root)
        .map(Path::to_path_buf)
        .unwrap_or(path)
}

#[derive(Hash, PartialEq, Eq, Clone)]
struct LinterKey {
    target: Target,
    sdk_version: SdkVersion,
    unsafe_fixes: bool,
    enabled: Vec<RuleCode>,
    modules: Vec<String>,
    installed_sdk: Option<Arc<InstalledSdkProblem>>,
}

/// How many folders [`Resolver::settings_for_dir`] remembers by path before it starts over.
const BY_DIR_LIMIT: usize = 16_384;

/// Resolves settings for files, caching configuration lookups and linters. It owns a copy of
/// the arguments, so that the walker's folder filter (which must own what it uses) can share it.
pub struct Resolver {
    overrides: Overrides,
    codes: Vec<RuleCode>,
    discovery: Discovery,
    /// The governing configuration of each absolute folder met (keyed by the path's bytes,
    /// which hash far faster than a `Path`'s components).
    dirs: Mutex<HashMap<OsString, Option<Arc<Config>>>>,
    /// The working directory, for relative paths (read once).
    cwd: Option<PathBuf>,
    /// Folder-level settings per governing configuration (keyed by its address; 0 for none):
    /// one entry per configuration file, however many folders it governs.
    by_config: Mutex<HashMap<usize, Arc<FileSettings>>>,
    /// Folder-level settings by the folder's path as given (the walk asks for each folder
    /// once per subfolder and once per worker): a hit costs one hash of the path's bytes
    /// instead of making it absolute and walking up. Bounded by [`BY_DIR_LIMIT`].
    by_dir: Mutex<HashMap<OsString, Arc<FileSettings>>>,
    linters: Mutex<HashMap<LinterKey, Arc<Linter>>>,
    /// The project folder when no configuration file governs (default: the working directory).
    project_root: Option<PathBuf>,
    /// The `fireworks-ai` declarations of each project folder, read once.
    pins: Mutex<HashMap<PathBuf, Arc<Vec<PinDeclaration>>>>,
    /// The Python environment of each project folder (and `python` setting), found once.
    environments: Mutex<HashMap<EnvironmentKey, Arc<EnvironmentLookup>>>,
    /// The environment of every project, when the caller found it (`fwmigrate doctor`).
    fixed_environment: Option<Arc<EnvironmentLookup>>,
    errors: Mutex<Vec<String>>,
}

/// Where the configuration of a file comes from.
enum Discovery {
    /// The nearest `pyproject.toml` (`[tool.fwmigrate]`) or `fwmigrate.toml` above it.
    Nearest,
    /// One configuration for every file (`--config`), or none at all (`--isolated`).
    Fixed(Option<Arc<Config>>),
}

/// A project folder and the `python` setting in force there.
type EnvironmentKey = (PathBuf, Option<PathBuf>);

/// The Python environment of a project folder, as `--check` and the language server find it.
#[derive(Debug, Clone)]
pub struct EnvironmentLookup {
    /// `None`: no environment was found.
    pub found: Option<Environment>,
    /// Where it was looked for, for saying that none was found.
    pub searched: String,
}

impl Resolver {
    /// Configuration errors met so far (each makes the run exit 2).
    pub fn errors(&self) -> Vec<String> {
        let mut e = self.errors.lock().map(|e| e.clone()).unwrap_or_default();
        e.sort();
        e.dedup();
        e
    }

    pub fn new(args: &Overrides) -> Result<Self, ConfigError> {
        let codes = registry::all_codes();
        let discovery = if args.isolated {
            Discovery::Fixed(None)
        } else if let Some(path) = &args.config {
            let loaded = config::load(path, &codes)?;
            let loaded = match loaded {
                Some(c) => c,
                None => return Err(ConfigError::NoSection { path: path.clone() }),
            };
            Discovery::Fixed(Some(Arc::new(loaded)))
        } else {
            Discovery::Nearest
        };
        // Validate command-line selectors once.
        for s in args
            .select
            .iter()
            .flatten()
            .chain(&args.ignore)
            .chain(&args.extend_select)
        {
            RuleSelector::parse(s, &codes).map_err(|e| ConfigError::Selector(e.0))?;
        }
        Ok(Self {
            overrides: args.clone(),
            codes,
            discovery,
            dirs: Mutex::new(HashMap::new()),
            cwd: std::env::current_dir().ok(),
            by_config: Mutex::new(HashMap::new()),
            by_dir: Mutex::new(HashMap::new()),
            linters: Mutex::new(HashMap::new()),
            project_root: None,
            pins: Mutex::new(HashMap::new()),
            environments: Mutex::new(HashMap::new()),
            fixed_environment: None,
            errors: Mutex::new(Vec::new()),
        })
    }

    /// Take `root` for the project folder of files no configuration file governs, instead of
    /// the working directory: the folder whose `fireworks-ai` pin sets the default
    /// `sdk-version` (the language server passes its workspace folder).
    pub fn with_project_root(mut self, root: &Path) -> Self {
        self.project_root = Some(root.to_path_buf());
        self
    }

    /// The default `sdk-version` under `config`: from the project's `fireworks-ai` pin (read
    /// once per project folder), else the newest known release in the target's range.
    /// `--isolated` reads no pin, as it reads no configuration.
    fn default_sdk_version(
        &self,
        target: Target,
        config: Option<&Config>,
    ) -> Result<(SdkVersion, SdkSource), ConfigError> {
        if self.overrides.isolated {
            return Ok(sdk_pin::default_sdk_version(target, &[]));
        }
        let declarations = self.project_pins(&self.project_folder(config))?;
        Ok(sdk_pin::default_sdk_version(target, &declarations))
    }

    /// Take `environment` for every project's Python environment (`fwmigrate doctor` looks
    /// for it its own way, `$VIRTUAL_ENV` included, and its findings should say so).
    pub fn with_environment(mut self, environment: Environment, searched: String) -> Self {
        self.fixed_environment = Some(Arc::new(EnvironmentLookup {
            found: Some(environment),
            searched,
        }));
        self
    }

    /// The project folder of the files under `config`: the configuration's folder, else the
    /// project root given, else the working directory.
    fn project_folder(&self, config: Option<&Config>) -> PathBuf {
        match (config, &self.project_root) {
            (Some(c), _) => c.root.clone(),
            (None, Some(root)) => root.clone(),
            (None, None) => self.cwd.clone().unwrap_or_else(|| PathBuf::from(".")),
        }
    }

    /// The `fireworks-ai` declarations of the project in `root`, read once.
    fn project_pins(&self, root: &Path) -> Result<Arc<Vec<PinDeclaration>>, ConfigError> {
        let mut pins = self.pins.lock().map_err(poisoned)?;
        Ok(pins
            .entry(root.to_path_buf())
            .or_insert_with_key(|root| Arc::new(sdk_pin::read_project_pin(root)))
            .clone())
    }

    /// The Python environment of the project under `config` (FW502, `--show-settings`):
    /// `--python`, else the configuration's `python`, else `.venv/` or `venv/` in the project
    /// folder; never `$VIRTUAL_ENV` or `$CONDA_PREFIX`, which pre-commit and editors set to their
    /// own. `--isolated` takes `--python` only. Found once per project folder.
    pub fn environment(
        &self,
        config: Option<&Config>,
    ) -> Result<Arc<EnvironmentLookup>, ConfigError> {
        if let Some(fixed) = &self.fixed_environment {
            return Ok(fixed.clone());
        }
        let root = self.project_folder(config);
        let given: Option<(PathBuf, Via, String)> = match (&self.overrides.python, config) {
            (Some(p), _) => Some((p.clone(), Via::Flag, "--python".to_string())),
            (None, Some(c)) if !self.overrides.isolated => c.options.python.as_ref().map(|p| {
                (
                    c.root.join(p),
                    Via::Config(c.path.clone()),
                    format!("{}: key `python` in {}", c.path.display(), c.section()),
                )
            }),
            _ => None,
        };
        let key = (root.clone(), given.as_ref().map(|g| g.0.clone()));
        if let Some(found) = self.environments.lock().map_err(poisoned)?.get(&key) {
            return Ok(found.clone());
        }
        let ambient = Ambient::default();
        let lookup = if self.overrides.isolated && given.is_none() {
            EnvironmentLookup {
                found: None,
                searched: "--python (--isolated looks nowhere else)".to_string(),
            }
        } else {
            let found = environment::find(
                given.as_ref().map(|(p, via, _)| (p.as_path(), via.clone())),
                &ambient,
                &root,
            )
            .map_err(|message| ConfigError::Python {
                source: given
                    .as_ref()
                    .map_or_else(|| "python".to_string(), |g| g.2.clone()),
                message,
            })?;
            EnvironmentLookup {
                found,
                searched: environment::searched(given.is_some(), &ambient, &root),
            }
        };
        let lookup = Arc::new(lookup);
        self.environments
            .lock()
            .map_err(poisoned)?
            .insert(key, lookup.clone());
        Ok(lookup)
    }

    /// FW502's verdict for the project under `config` at `target`: `None` when no environment
    /// was found, what is installed there will do, or the project folder has no manifest to
    /// stand in.
    fn installed_sdk(
        &self,
        target: &Target,
        config: Option<&Config>,
    ) -> Result<Option<Arc<InstalledSdkProblem>>, ConfigError> {
        let lookup = self.environment(config)?;
        let Some(env) = &lookup.found else {
            return Ok(None);
        };
        let root = self.project_folder(config);
        let pins = if self.overrides.isolated {
            Arc::new(Vec::new())
        } else {
            self.project_pins(&root)?
        };
        let Some(problem) = installed::judge(env, target, &pins) else {
            return Ok(None);
        };
        Ok(installed::anchor(&root).map(|manifest| {
            Arc::new(InstalledSdkProblem {
                manifest,
                message: problem.message,
            })
        }))
    }

    /// The nearest configuration governing `path` (a file or a folder).
    pub fn config_for(&self, path: &Path) -> Result<Option<Arc<Config>>, ConfigError> {
        if path.is_dir() {
            self.config_for_dir(path)
        } else {
            self.config_for_dir(parent_dir(path))
        }
    }

    /// The nearest configuration governing the folder `dir` and its files.
    fn config_for_dir(&self, dir: &Path) -> Result<Option<Arc<Config>>, ConfigError> {
        if let Discovery::Fixed(config) = &self.discovery {
            return Ok(config.clone());
        }
        let abs = match &self.cwd {
            Some(cwd) if !dir.is_absolute() => cwd.join(dir),
            _ => dir.to_path_buf(),
        };
        // A walk yields clean paths: only one with a `.` or `..` part needs normalizing.
        let bytes = abs.as_os_str().as_encoded_bytes();
        let start = if cfg!(windows) || memchr::memmem::find(bytes, b"/.").is_some() {
            normalize(&abs)
        } else {
            abs
        };
        let mut visited = Vec::new();
        let mut dir = Some(start.as_path());
        let mut found = None;
        while let Some(d) = dir {
            if let Some(cached) = self.dirs.lock().map_err(poisoned)?.get(d.as_os_str()) {
                found = cached.clone();
                break;
            }
            visited.push(d.as_os_str().to_owned());
            if let Some(c) = config::find_in_dir(d, &self.codes)? {
                found = Some(Arc::new(c));
                break;
            }
            dir = d.parent();
        }
        let mut dirs = self.dirs.lock().map_err(poisoned)?;
        for v in visited {
            dirs.insert(v, found.clone());
        }
        Ok(found)
    }

    /// Settings for `path` (a file or a folder), computed afresh.
    pub fn settings_for(&self, path: &Path) -> Result<FileSettings, ConfigError> {
        let result = self
            .config_for(path)
            .and_then(|config| self.settings_with(config, Some(path)));
        self.record(result)
    }

    /// Settings for the folder `dir`, which serve the files in it unless
    /// [`FileSettings::has_per_file_ignores`]. Shared by every folder under one configuration.
    pub fn settings_for_dir(&self, dir: &Path) -> Result<Arc<FileSettings>, ConfigError> {
        if let Some(s) = self.by_dir.lock().map_err(poisoned)?.get(dir.as_os_str()) {
            return Ok(s.clone());
        }
        let settings = self.settings_for_dir_uncached(dir)?;
        let mut by_dir = self.by_dir.lock().map_err(poisoned)?;
        if by_dir.len() >= BY_DIR_LIMIT {
            by_dir.clear();
        }
        by_dir.insert(dir.as_os_str().to_owned(), settings.clone());
        Ok(settings)
    }

    fn settings_for_dir_uncached(&self, dir: &Path) -> Result<Arc<FileSettings>, ConfigError> {
        let config = self.record(self.config_for_dir(dir))?;
        let key = config.as_ref().map_or(0, |c| Arc::as_ptr(c) as usize);
        if let Some(s) = self.by_config.lock().map_err(poisoned)?.get(&key) {
            return Ok(s.clone());
        }
        let settings = Arc::new(self.record(self.settings_with(config, None))?);
        let mut by_config = self.by_config.lock().map_err(poisoned)?;
        Ok(by_config.entry(key).or_insert(settings).clone())
    }

    /// Keep the error of `result` for the end of the run.
    fn record<T>(&self, result: Result<T, ConfigError>) -> Result<T, ConfigError> {
        // Each distinct error once: a resolver may live as long as a server session.
        if let Err(e) = &result
            && let Ok(mut errors) = self.errors.lock()
        {
            let e = e.to_string();
            if !errors.contains(&e) {
                errors.push(e);
            }
        }
        result
    }

    /// The settings under `config`; the per-file ignores of `file`, when given.
    fn settings_with(
        &self,
        config: Option<Arc<Config>>,
        file: Option<&Path>,
    ) -> Result<FileSettings, ConfigError> {
        let opts = config.as_ref().map(|c| &c.options);
        let target: Target = match (&self.overrides.target, opts.and_then(|o| o.target.as_ref())) {
            (Some(t), _) | (None, Some(t)) => t.parse().map_err(ConfigError::Target)?,
            _ => Target::default(),
        };
        let (sdk_version, sdk_source) = self.sdk_version(target, config.as_ref())?;
        let unsafe_fixes = self
            .overrides
            .unsafe_fixes
            .or(opts.and_then(|o| o.unsafe_fixes))
            .unwrap_or(false);
        let enabled = self.enabled_codes(config.as_deref(), file)?;
        let mut modules = self.overrides.cookbook_modules.clone();
        if let Some(m) = opts.and_then(|o| o.cookbook_modules.as_ref()) {
            modules.extend(m.iter().cloned());
        }
        modules.sort();
        modules.dedup();
        // As in ruff: the command line's `exclude` replaces the configuration's, which replaces
        // the default list; both layers' `extend-exclude` add to it.
        let exclude: Vec<String> = match (
            &self.overrides.exclude,
            opts.and_then(|o| o.exclude.as_ref()),
        ) {
            (Some(e), _) | (None, Some(e)) => e.clone(),
            _ => DEFAULT_EXCLUDE.iter().map(|s| s.to_string()).collect(),
        };
        let mut extend_exclude: Vec<String> = opts
            .and_then(|o| o.extend_exclude.clone())
            .unwrap_or_default();
        extend_exclude.extend(self.overrides.extend_exclude.iter().cloned());
        let exclusions =
            Exclusions::new(exclude.iter().chain(&extend_exclude).map(String::as_str))?;
        let installed_sdk = if enabled.iter().any(|c| *c == "FW502") {
            self.installed_sdk(&target, config.as_deref())?
        } else {
            None
        };
        let linter = self.linter(LinterKey {
            target,
            sdk_version,
            unsafe_fixes,
            enabled: enabled.clone(),
            modules: modules.clone(),
            installed_sdk,
        })?;
        Ok(FileSettings {
            linter,
            config,
            target,
            sdk_version,
            sdk_source,
            unsafe_fixes,
            enabled,
            cookbook_modules: modules,
            exclude,
            extend_exclude,
            exclusions,
        })
    }

    /// The SDK version in force and where it comes from: the command line, the configuration,
    /// else the project's pin (or the target's newest known release).
    fn sdk_version(
        &self,
        target: Target,
        config: Option<&Arc<Config>>,
    ) -> Result<(SdkVersion, SdkSource), ConfigError> {
        match (
            &self.overrides.sdk_version,
            config.filter(|c| c.options.sdk_version.is_some()),
        ) {
            (Some(v), _) => Ok((
                v.parse().map_err(ConfigError::SdkVersionFlag)?,
                SdkSource::CommandLine,
            )),
            (None, Some(c)) => {
                let v = c.options.sdk_version.as_deref().unwrap_or_default();
                let version = v.parse().map_err(|message| ConfigError::SdkVersion {
                    path: c.path.clone(),
                    section: c.section(),
                    message,
                })?;
                Ok((version, SdkSource::Config(c.path.clone())))
            }
            (None, None) => self.default_sdk_version(target, config.map(Arc::as_ref)),
        }
    }

    /// The enabled codes, sorted. Layers, as in ruff: the configuration file, then the command
    /// line. A layer's `select` starts the selection over; its `extend-select` adds; its
    /// `ignore` removes (unless a more specific `select` of the same layer names the code).
    /// Per-file ignores of the governing configuration come last.
    fn enabled_codes(
        &self,
        config: Option<&Config>,
        file: Option<&Path>,
    ) -> Result<Vec<RuleCode>, ConfigError> {
        let opts = config.map(|c| &c.options);
        let args = &self.overrides;
        let parse = |list: &[String]| -> Result<Vec<RuleSelector>, ConfigError> {
            list.iter()
                .map(|s| {
                    RuleSelector::parse(s, &self.codes).map_err(|e| ConfigError::Selector(e.0))
                })
                .collect()
        };
        let mut enabled: Vec<RuleCode> = self.codes.clone();
        if let Some(o) = opts {
            enabled = layer(
                &self.codes,
                &enabled,
                o.select.as_deref().map(parse).transpose()?.as_deref(),
                &parse(o.extend_select.as_deref().unwrap_or_default())?,
                &parse(o.ignore.as_deref().unwrap_or_default())?,
            );
        }
        enabled = layer(
            &self.codes,
            &enabled,
            args.select.as_deref().map(parse).transpose()?.as_deref(),
            &parse(&args.extend_select)?,
            &parse(&args.ignore)?,
        );
        if let (Some(path), Some(cfg), Some(map)) =
            (file, config, opts.and_then(|o| o.per_file_ignores.as_ref()))
        {
            let rel = relative_to(path, &cfg.root);
            for (glob, codes) in map {
                let Ok(g) = Glob::new(glob) else { continue };
                let m = g.compile_matcher();
                let name_match = rel.file_name().is_some_and(|n| m.is_match(n));
                if m.is_match(&rel) || name_match {
                    let ignored = parse(codes)?;
                    enabled.retain(|c| !ignored.iter().any(|s| s.matches(*c)));
                }
            }
        }
        enabled.sort_unstable();
        Ok(enabled)
    }

    /// The linter for these settings, made once per distinct key.
    fn linter(&self, key: LinterKey) -> Result<Arc<Linter>, ConfigError> {
        let mut linters = self.linters.lock().map_err(poisoned)?;
        if let Some(linter) = linters.get(&key) {
            return Ok(linter.clone());
        }
        let linter = Arc::new(Linter::new(
            &registry::python_rules(),
            &registry::text_rules(),
            &key.enabled,
            LinterSettings {
                target: key.target,
                sdk_version: key.sdk_version,
                unsafe_fixes: key.unsafe_fixes,
                semantic: SemanticSettings {
                    extra_roots: key.modules.clone(),
                },
                installed_sdk: key.installed_sdk.clone(),
            },
        ));
        linters.insert(key, linter.clone());
        Ok(linter)
    }
}

/// One selection layer over the codes enabled so far.
fn layer(
    all: &[RuleCode],
    current: &[RuleCode],
    select: Option<&[RuleSelector]>,
    extend: &[RuleSelector],
    ignore: &[RuleSelector],
) -> Vec<RuleCode> {
    let base: Vec<RuleCode> = match select {
        Some(sel) => select_rules(all, Some(sel), &[], &[]),
        None => current.to_vec(),
    };
    let added = if extend.is_empty() {
        Vec::new()
    } else {
        select_rules(all, Some(extend), &[], &[])
    };
    all.iter()
        .copied()
        .filter(|c| base.contains(c) || added.contains(c))
        .filter(|c| {
            let ignored = ignore
                .iter()
                .filter(|s| s.matches(*c))
                .map(|s| s.len())
                .max();
            let selected = select
                .into_iter()
                .flatten()
                .chain(extend)
                .filter(|s| s.matches(*c))
                .map(|s| s.len())
                .max();
            match (ignored, selected) {
                (Some(i), Some(s)) => s > i,
                (Some(_), None) => false,
                _ => true,
            }
        })
        .collect()
}

/// The folder of the file `path` (`.` for a bare name).
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn poisoned<T>(_: std::sync::PoisonError<T>) -> ConfigError {
    ConfigError::Poisoned
}

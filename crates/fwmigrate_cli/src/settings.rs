//! Per-file settings: configuration files merged with command-line flags, and the linter (rule
//! selection) that follows from them. Both are cached: per folder for configuration lookup, per
//! distinct selection for linters.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use fwmigrate_engine::{Linter, LinterSettings, RuleSelector, select_rules};
use fwmigrate_parser::SemanticSettings;
use fwmigrate_rule::Target;
use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::args::Args;
use crate::config::{self, Config, ConfigError};
use crate::registry;

/// Folders that are never walked.
pub const ALWAYS_SKIPPED: &[&str] = &[
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
    pub unsafe_fixes: bool,
    pub enabled: Vec<&'static str>,
    pub cookbook_modules: Vec<String>,
    exclude: GlobSet,
}

impl FileSettings {
    /// Whether the configured exclusions cover `path`.
    pub fn excludes(&self, path: &Path) -> bool {
        let root = self
            .config
            .as_ref()
            .map(|c| c.root.clone())
            .unwrap_or_else(|| PathBuf::from("."));
        matches_any(&self.exclude, path, &root)
    }
}

fn matches_any(set: &GlobSet, path: &Path, root: &Path) -> bool {
    if set.is_empty() {
        return false;
    }
    let rel = relative_to(path, root);
    if set.is_match(&rel) {
        return true;
    }
    // A pattern without a slash matches any component (`tests`, `*_old.py`).
    rel.components()
        .any(|c| set.is_match(Path::new(c.as_os_str())))
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

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[derive(Hash, PartialEq, Eq, Clone)]
struct LinterKey {
    target: Target,
    unsafe_fixes: bool,
    enabled: Vec<&'static str>,
    modules: Vec<String>,
}

/// Resolves settings for files, caching configuration lookups and linters.
pub struct Resolver<'a> {
    args: &'a Args,
    codes: Vec<&'static str>,
    fixed: Option<Option<Arc<Config>>>,
    dirs: Mutex<HashMap<PathBuf, Option<Arc<Config>>>>,
    linters: Mutex<HashMap<LinterKey, Arc<Linter>>>,
    errors: Mutex<Vec<String>>,
}

impl<'a> Resolver<'a> {
    /// Configuration errors met so far (each makes the run exit 2).
    pub fn errors(&self) -> Vec<String> {
        let mut e = self.errors.lock().map(|e| e.clone()).unwrap_or_default();
        e.sort();
        e.dedup();
        e
    }

    pub fn new(args: &'a Args) -> Result<Self, ConfigError> {
        let codes = registry::all_codes();
        let fixed = if args.isolated {
            Some(None)
        } else if let Some(path) = &args.config {
            let loaded = config::load(path, &codes)?;
            let loaded = match loaded {
                Some(c) => c,
                None => {
                    return Err(ConfigError(format!(
                        "{}: no [tool.fwmigrate] section",
                        path.display()
                    )));
                }
            };
            Some(Some(Arc::new(loaded)))
        } else {
            None
        };
        // Validate command-line selectors once.
        for s in args
            .select
            .iter()
            .flatten()
            .chain(&args.ignore)
            .chain(&args.extend_select)
        {
            RuleSelector::parse(s, &codes).map_err(|e| ConfigError(e.0))?;
        }
        Ok(Self {
            args,
            codes,
            fixed,
            dirs: Mutex::new(HashMap::new()),
            linters: Mutex::new(HashMap::new()),
            errors: Mutex::new(Vec::new()),
        })
    }

    /// The nearest configuration governing `path`.
    pub fn config_for(&self, path: &Path) -> Result<Option<Arc<Config>>, ConfigError> {
        if let Some(fixed) = &self.fixed {
            return Ok(fixed.clone());
        }
        let abs = if path.is_absolute() {
            path.to_path_buf()
        } else {
            std::env::current_dir()
                .map(|d| d.join(path))
                .unwrap_or_else(|_| path.to_path_buf())
        };
        let start = if abs.is_dir() {
            abs
        } else {
            abs.parent().map(Path::to_path_buf).unwrap_or(abs)
        };
        let start = normalize(&start);
        let mut visited = Vec::new();
        let mut dir = Some(start.as_path());
        let mut found = None;
        while let Some(d) = dir {
            if let Some(cached) = self.dirs.lock().map_err(poisoned)?.get(d) {
                found = cached.clone();
                break;
            }
            visited.push(d.to_path_buf());
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

    pub fn settings_for(&self, path: &Path) -> Result<FileSettings, ConfigError> {
        let result = self.settings_for_inner(path);
        if let Err(e) = &result
            && let Ok(mut errors) = self.errors.lock()
        {
            errors.push(e.0.clone());
        }
        result
    }

    fn settings_for_inner(&self, path: &Path) -> Result<FileSettings, ConfigError> {
        let config = self.config_for(path)?;
        let opts = config.as_ref().map(|c| &c.options);
        let args = self.args;

        let target: Target = match (&args.target, opts.and_then(|o| o.target.as_ref())) {
            (Some(t), _) | (None, Some(t)) => t.parse().map_err(ConfigError)?,
            _ => Target::default(),
        };
        let unsafe_fixes = if args.unsafe_fixes {
            true
        } else if args.no_unsafe_fixes {
            false
        } else {
            opts.and_then(|o| o.unsafe_fixes).unwrap_or(false)
        };
        let parse = |list: &[String]| -> Result<Vec<RuleSelector>, ConfigError> {
            list.iter()
                .map(|s| RuleSelector::parse(s, &self.codes).map_err(|e| ConfigError(e.0)))
                .collect()
        };
        // Layers, as in ruff: the configuration file, then the command line. A layer's `select`
        // starts the selection over; its `extend-select` adds; its `ignore` removes (unless a
        // more specific `select` of the same layer names the code).
        let mut enabled: Vec<&'static str> = self.codes.clone();
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
        // Per-file ignores of the governing configuration come last.
        if let (Some(cfg), Some(map)) = (&config, opts.and_then(|o| o.per_file_ignores.as_ref())) {
            let rel = relative_to(path, &cfg.root);
            for (glob, codes) in map {
                let Ok(g) = Glob::new(glob) else { continue };
                let m = g.compile_matcher();
                let name_match = rel.file_name().is_some_and(|n| m.is_match(n));
                if m.is_match(&rel) || name_match {
                    let ignored = parse(codes)?;
                    enabled.retain(|c| !ignored.iter().any(|s| s.matches(c)));
                }
            }
        }
        enabled.sort_unstable();

        let mut modules = args.cookbook_modules.clone();
        if let Some(m) = opts.and_then(|o| o.cookbook_modules.as_ref()) {
            modules.extend(m.iter().cloned());
        }
        modules.sort();
        modules.dedup();

        let mut exclude_globs: Vec<String> =
            match (&args.exclude, opts.and_then(|o| o.exclude.as_ref())) {
                (Some(e), _) | (None, Some(e)) => e.clone(),
                _ => Vec::new(),
            };
        exclude_globs.extend(args.extend_exclude.iter().cloned());
        if let Some(e) = opts.and_then(|o| o.extend_exclude.as_ref()) {
            exclude_globs.extend(e.iter().cloned());
        }
        let mut builder = GlobSetBuilder::new();
        for g in &exclude_globs {
            let glob = Glob::new(g.trim_end_matches('/'))
                .map_err(|e| ConfigError(format!("invalid exclude glob `{g}`: {e}")))?;
            builder.add(glob);
        }
        let exclude = builder
            .build()
            .map_err(|e| ConfigError(format!("invalid exclude globs: {e}")))?;

        let key = LinterKey {
            target,
            unsafe_fixes,
            enabled: enabled.clone(),
            modules: modules.clone(),
        };
        let linter = {
            let mut linters = self.linters.lock().map_err(poisoned)?;
            linters
                .entry(key)
                .or_insert_with(|| {
                    Arc::new(Linter::new(
                        &registry::python_rules(),
                        &registry::text_rules(),
                        &enabled,
                        LinterSettings {
                            target,
                            unsafe_fixes,
                            semantic: SemanticSettings {
                                extra_roots: modules.clone(),
                            },
                        },
                    ))
                })
                .clone()
        };
        Ok(FileSettings {
            linter,
            config,
            target,
            unsafe_fixes,
            enabled,
            cookbook_modules: modules,
            exclude,
        })
    }
}

/// One selection layer over the codes enabled so far.
fn layer(
    all: &[&'static str],
    current: &[&'static str],
    select: Option<&[RuleSelector]>,
    extend: &[RuleSelector],
    ignore: &[RuleSelector],
) -> Vec<&'static str> {
    let base: Vec<&'static str> = match select {
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
                .filter(|s| s.matches(c))
                .map(|s| s.len())
                .max();
            let selected = select
                .into_iter()
                .flatten()
                .chain(extend)
                .filter(|s| s.matches(c))
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

fn poisoned<T>(_: std::sync::PoisonError<T>) -> ConfigError {
    ConfigError("internal error: a settings cache was poisoned".to_string())
}

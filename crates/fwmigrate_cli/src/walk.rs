//! File discovery: a parallel walk that honours ignore files and skips the usual folders.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::{WalkBuilder, WalkState};

use crate::config::ConfigError;
use crate::settings::{ALWAYS_SKIPPED, FileSettings, Resolver};

/// The settings of the last folder seen, reused for the folder's other files: within one
/// folder they differ only through `per-file-ignores`, and a folder whose configuration has
/// those is never reused. Saves a configuration lookup and a linter-key computation per file.
#[derive(Default)]
pub struct DirSettings {
    last: Option<(PathBuf, Arc<FileSettings>)>,
}

impl DirSettings {
    pub fn get(
        &mut self,
        resolver: &Resolver,
        path: &Path,
    ) -> Result<Arc<FileSettings>, ConfigError> {
        let dir = path.parent();
        if let (Some(dir), Some((last, settings))) = (dir, &self.last)
            && dir == last
        {
            return Ok(settings.clone());
        }
        let settings = Arc::new(resolver.settings_for(path)?);
        let per_file = settings
            .config
            .as_ref()
            .and_then(|c| c.options.per_file_ignores.as_ref())
            .is_some_and(|m| !m.is_empty());
        self.last = match dir {
            Some(dir) if !per_file => Some((dir.to_path_buf(), settings.clone())),
            _ => None,
        };
        Ok(settings)
    }
}

/// What kind of file a path is, for fwmigrate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Python,
    Stub,
    Notebook,
    /// A dependency manifest read by text rules (`pyproject.toml`, `requirements*.txt`,
    /// `setup.cfg`).
    Manifest,
}

pub fn kind_of(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    if name == "pyproject.toml" || name == "setup.cfg" {
        return Some(FileKind::Manifest);
    }
    match path.extension()?.to_str()? {
        "py" => Some(FileKind::Python),
        "pyi" => Some(FileKind::Stub),
        "ipynb" => Some(FileKind::Notebook),
        // Requirements-style files (`requirements*.txt`, `constraints.txt`, `requirements/*.txt`,
        // `requirements.in`): the text rules decide by name.
        "txt" | "in" => Some(FileKind::Manifest),
        _ => None,
    }
}

/// A file to check.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    pub path: PathBuf,
    pub kind: FileKind,
    /// Given on the command line (symlinks followed, checked whatever its name).
    pub explicit: bool,
}

impl PartialOrd for FileKind {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for FileKind {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self as u8).cmp(&(*other as u8))
    }
}

/// Problems met while walking (unreadable folders, vanished entries).
pub type WalkErrors = Vec<String>;

/// Collect the files to check under `paths`, sorted by path, without duplicates.
pub fn discover(
    paths: &[PathBuf],
    resolver: &Resolver,
    respect_gitignore: bool,
    force_exclude: bool,
    threads: usize,
) -> (Vec<Candidate>, WalkErrors) {
    let found = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    let mut roots = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() => {
                let excluded = force_exclude
                    && resolver
                        .settings_for(path)
                        .map(|s| s.excludes(path))
                        .unwrap_or(false);
                if !excluded {
                    let kind = kind_of(path).unwrap_or(FileKind::Python);
                    push(
                        &found,
                        Candidate {
                            path: clean(path),
                            kind,
                            explicit: true,
                        },
                    );
                }
            }
            Ok(_) => roots.push(path.clone()),
            Err(e) => push(&errors, format!("{}: {e}", path.display())),
        }
    }
    if let Some((first, rest)) = roots.split_first() {
        let mut builder = WalkBuilder::new(first);
        for r in rest {
            builder.add(r);
        }
        builder
            .hidden(false)
            .git_ignore(respect_gitignore)
            .git_global(respect_gitignore)
            .git_exclude(respect_gitignore)
            .ignore(respect_gitignore)
            .parents(respect_gitignore)
            .require_git(false)
            .follow_links(false)
            .threads(threads)
            .filter_entry(|entry| {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                !(is_dir
                    && entry.depth() > 0
                    && entry
                        .file_name()
                        .to_str()
                        .is_some_and(|n| ALWAYS_SKIPPED.contains(&n)))
            });
        builder.build_parallel().run(|| {
            let mut cache = DirSettings::default();
            let (found, errors) = (&found, &errors);
            Box::new(move |entry| {
                if crate::interrupted() {
                    return WalkState::Quit;
                }
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        push(errors, e.to_string());
                        return WalkState::Continue;
                    }
                };
                let path = entry.path();
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if is_dir {
                    if entry.depth() > 0
                        && resolver
                            .settings_for(path)
                            .map(|s| s.excludes(path))
                            .unwrap_or(false)
                    {
                        return WalkState::Skip;
                    }
                    return WalkState::Continue;
                }
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    return WalkState::Continue;
                }
                let Some(kind) = kind_of(path) else {
                    return WalkState::Continue;
                };
                match cache.get(resolver, path) {
                    Ok(s) if s.excludes(path) => {}
                    Ok(s) if kind == FileKind::Manifest && !s.linter.wants_text_file(path) => {}
                    Ok(_) => push(
                        found,
                        Candidate {
                            path: clean(path),
                            kind,
                            explicit: false,
                        },
                    ),
                    Err(e) => push(errors, e.0),
                }
                WalkState::Continue
            })
        });
    }
    let mut files = found.into_inner().unwrap_or_default();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    // With several paths, one file can arrive under different names (`pkg/a.py`, an absolute
    // path, a folder link given explicitly): processing it twice at once would make the second
    // write fail (the file changed since it was read). Keep the first name of each file.
    #[cfg(unix)]
    if paths.len() > 1 {
        use std::os::unix::fs::MetadataExt;
        let mut seen = std::collections::HashSet::new();
        files.retain(|f| match std::fs::metadata(&f.path) {
            Ok(m) => seen.insert((m.dev(), m.ino())),
            Err(_) => true,
        });
    }
    let mut errors = errors.into_inner().unwrap_or_default();
    errors.sort();
    errors.dedup();
    (files, errors)
}

fn push<T>(list: &Mutex<Vec<T>>, item: T) {
    if let Ok(mut l) = list.lock() {
        l.push(item);
    }
}

/// `./a/b.py` → `a/b.py`.
fn clean(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

//! File discovery: a parallel walk that honours ignore files and the `exclude` settings (whose
//! default skips the usual folders).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::{WalkBuilder, WalkState};

use fwmigrate_workspace::{ConfigError, FileSettings, Resolver, parent_dir};

/// The settings of the folders seen last by one thread, reused for their files without a lock
/// (a miss asks the [`Resolver`], whose caches are shared). Bounded, so memory does not grow
/// with the tree.
#[derive(Default)]
pub struct DirSettings {
    recent: Vec<(PathBuf, Arc<FileSettings>)>,
}

const RECENT_DIRS: usize = 64;

impl DirSettings {
    /// Settings for the file `path`.
    pub fn get(
        &mut self,
        resolver: &Resolver,
        path: &Path,
    ) -> Result<Arc<FileSettings>, ConfigError> {
        let dir = parent_dir(path);
        let settings = match self.find(dir) {
            Some(s) => s,
            None => {
                let s = resolver.settings_for_dir(dir)?;
                self.remember(dir, &s);
                s
            }
        };
        // The folder's settings serve its files unless per-file ignores may tell them apart.
        if settings.has_per_file_ignores() {
            return resolver.settings_for(path).map(Arc::new);
        }
        Ok(settings)
    }

    fn find(&self, dir: &Path) -> Option<Arc<FileSettings>> {
        self.recent
            .iter()
            .rev()
            .find(|(d, _)| d.as_os_str() == dir.as_os_str())
            .map(|(_, s)| s.clone())
    }

    fn remember(&mut self, dir: &Path, settings: &Arc<FileSettings>) {
        if self.recent.len() == RECENT_DIRS {
            self.recent.remove(0);
        }
        self.recent.push((dir.to_path_buf(), settings.clone()));
    }
}

/// What kind of file a path is, for fwmigrate: the engine's source types.
pub use fwmigrate_engine::SourceType as FileKind;

/// The kind a file is by its name (`None` for files fwmigrate does not read).
pub fn kind_of(path: &Path) -> Option<FileKind> {
    FileKind::from_path(path)
}

/// A file to check.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    pub path: PathBuf,
    pub kind: FileKind,
    /// Given on the command line (symlinks followed, checked whatever its name).
    pub explicit: bool,
}

/// Problems met while walking (unreadable folders, vanished entries).
pub type WalkErrors = Vec<String>;

/// What a walker thread keeps between files: the settings of recent folders and a read buffer
/// (most files are read, found clean and dropped: their bytes need no allocation of their own).
#[derive(Default)]
pub struct Worker {
    pub settings: DirSettings,
    pub buf: Vec<u8>,
}

/// Collect the files to check under `paths`, sorted by path, without duplicates.
pub fn discover(
    paths: &[PathBuf],
    resolver: &Arc<Resolver>,
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
    for_each_file(
        &roots,
        resolver,
        respect_gitignore,
        threads,
        &errors,
        &|_, candidate| push(&found, candidate),
    );
    let mut files = found.into_inner().unwrap_or_default();
    sort_by_path(&mut files, |f| &f.path);
    files.dedup_by(|a, b| a.path == b.path);
    // With several paths, one file can arrive under different names (`pkg/a.py`, an absolute
    // path, a folder link given explicitly): processing it twice at once would make the second
    // write fail (the file changed since it was read). Keep the first name of each file.
    if paths.len() > 1 {
        once_per_file(&mut files, |f| &f.path);
    }
    (files, finish_errors(errors))
}

/// Keep the first name (in the list's order) of each file: drop the names of a file met
/// before under another path or hard link.
pub fn once_per_file<T>(files: &mut Vec<T>, path: impl Fn(&T) -> &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let mut seen = std::collections::HashSet::new();
        files.retain(|f| match std::fs::metadata(path(f)) {
            Ok(m) => seen.insert((m.dev(), m.ino())),
            Err(_) => true,
        });
    }
    #[cfg(not(unix))]
    let _ = (files, path);
}

/// Whether the file at `path` has other names (hard links).
pub fn has_other_names(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).is_ok_and(|m| m.nlink() > 1)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// Sorted, without repeats.
pub fn finish_errors(errors: Mutex<WalkErrors>) -> WalkErrors {
    let mut errors = errors.into_inner().unwrap_or_default();
    errors.sort();
    errors.dedup();
    errors
}

/// Walk the folders `roots` in parallel and call `visit` on the walker's own threads for every
/// file to check, as the walk meets it (in no particular order). Problems go to `errors`.
pub fn for_each_file(
    roots: &[PathBuf],
    resolver: &Arc<Resolver>,
    respect_gitignore: bool,
    threads: usize,
    errors: &Mutex<WalkErrors>,
    visit: &(dyn Fn(&mut Worker, Candidate) + Sync),
) {
    let Some((first, rest)) = roots.split_first() else {
        return;
    };
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
        .threads(threads);
    // Excluded folders are dropped before the walker reads them (and their ignore files). A
    // folder is judged by the settings above it, as in ruff: an excluded folder's own
    // configuration is never read.
    let filter = resolver.clone();
    builder.filter_entry(move |entry| {
        let path = entry.path();
        !(entry.depth() > 0
            && entry.file_type().is_some_and(|t| t.is_dir())
            && filter
                .settings_for_dir(parent_dir(path))
                .is_ok_and(|s| s.excludes_entry(path)))
    });
    builder.build_parallel().run(|| {
        let mut worker = Worker::default();
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
                return WalkState::Continue;
            }
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            let Some(kind) = kind_of(path) else {
                return WalkState::Continue;
            };
            match worker.settings.get(resolver, path) {
                Ok(s) if s.excludes_entry(path) => {}
                Ok(s) if kind == FileKind::Manifest && !s.linter.wants_text_file(path) => {}
                Ok(s) if kind == FileKind::Yaml && !s.linter.wants_yaml(path) => {}
                Ok(_) => visit(
                    &mut worker,
                    Candidate {
                        path: clean(path),
                        kind,
                        explicit: false,
                    },
                ),
                Err(e) => push(errors, e.to_string()),
            }
            WalkState::Continue
        })
    });
}

/// Sort by `Path`'s order (component by component). For plain paths (all a walk yields) that
/// is the byte order with `/` first, which sorts with cached keys and `memcmp` several times
/// faster than comparing components: it matters for a hundred thousand paths.
pub fn sort_by_path<T>(items: &mut [T], path: impl Fn(&T) -> &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        if items
            .iter()
            .all(|f| is_plain(path(f).as_os_str().as_bytes()))
        {
            items.sort_by_cached_key(|f| sort_key(path(f).as_os_str().as_bytes()));
            return;
        }
    }
    items.sort_by(|a, b| path(a).cmp(path(b)));
}

#[cfg(unix)]
fn sort_key(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .map(|&c| if c == b'/' { 0 } else { c })
        .collect()
}

/// No empty, `.` or `..` component (apart from a leading `/`), no trailing `/`: the byte order
/// with `/` first is then the component order.
#[cfg(unix)]
fn is_plain(bytes: &[u8]) -> bool {
    let rest = bytes.strip_prefix(b"/").unwrap_or(bytes);
    !rest.is_empty()
        && rest
            .split(|&c| c == b'/')
            .all(|part| !part.is_empty() && part != b"." && part != b"..")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_sort_is_the_component_order() {
        let names = [
            "a/b.py",
            "a-b.py",
            "a.py",
            "a/b/c.py",
            "a/b-c.py",
            "a/bc.py",
            "ab/c.py",
            "/abs/x.py",
            "/abs-y.py",
            "Z.py",
            "_x/y.py",
            "a/.hidden.py",
            "-x.py",
            "..x/y.py",
            "a/b/c/d.py",
        ];
        let odd = ["./a/b.py", "a//b.py", "../a.py", "a/../b.py"];
        for extra in [&[][..], &odd[..]] {
            let mut files: Vec<Candidate> = names
                .iter()
                .chain(extra)
                .map(|n| Candidate {
                    path: PathBuf::from(n),
                    kind: FileKind::Python,
                    explicit: false,
                })
                .collect();
            let mut want: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
            want.sort();
            sort_by_path(&mut files, |f| &f.path);
            let got: Vec<PathBuf> = files.into_iter().map(|f| f.path).collect();
            assert_eq!(got, want);
        }
    }
}

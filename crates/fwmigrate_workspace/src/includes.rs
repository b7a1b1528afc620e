//! The files that requirements files include (`-r base.txt`, `-c constraints.txt`): which name
//! an included file goes by, and when two names are the same file.
//!
//! Two walks follow includes, and both go through [`Includes`]:
//!
//! - the command line checks every included file once (breadth-first, each level in parallel:
//!   the order does not matter, results are sorted by path);
//! - the SDK pin reader ([`crate::sdk_pin`]) reads declarations depth-first, because a pin is
//!   shown in the order a reader of the files meets it, and stops after a number of files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::paths::normalize;

/// The included files met so far.
#[derive(Debug, Default)]
pub struct Includes {
    /// One key per file: its canonical path, or its normalized name when it has none.
    seen: BTreeSet<PathBuf>,
    limit: Option<usize>,
}

impl Includes {
    /// Admit at most `limit` files in all.
    pub fn with_limit(limit: usize) -> Self {
        Self {
            seen: BTreeSet::new(),
            limit: Some(limit),
        }
    }

    /// Count `path` as met (a file the walk starts from).
    pub fn mark(&mut self, path: &Path) {
        self.seen.insert(key(path));
    }

    /// The name `path` goes by when it is met for the first time, `None` when it was met
    /// before under any name or the limit is reached. The name drops `.` and `name/..`
    /// components (`deps/../base.txt` is `base.txt`), unless a symbolic link makes that
    /// another file.
    pub fn admit(&mut self, path: &Path) -> Option<PathBuf> {
        if self.limit.is_some_and(|limit| self.seen.len() >= limit) {
            return None;
        }
        let key = key(path);
        let short = normalize(path);
        // The short name, unless a symbolic link makes it another file than `path`.
        let name = if short == path || std::fs::canonicalize(&short).is_ok_and(|c| c == key) {
            short
        } else {
            path.to_path_buf()
        };
        self.seen.insert(key).then_some(name)
    }

    /// The paths among `paths` that are files met for the first time, by their names, sorted.
    pub fn admit_files<'a>(
        &mut self,
        paths: impl IntoIterator<Item = &'a PathBuf>,
    ) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = paths
            .into_iter()
            .filter(|p| p.is_file())
            .filter_map(|p| self.admit(p))
            .collect();
        out.sort();
        out
    }
}

fn key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| normalize(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_admitted_once_under_its_short_name() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("deps")).unwrap();
        std::fs::write(root.join("base.txt"), "numpy\n").unwrap();
        let mut includes = Includes::default();
        assert_eq!(
            includes.admit(&root.join("deps/../base.txt")),
            Some(root.join("base.txt"))
        );
        assert_eq!(includes.admit(&root.join("base.txt")), None);
        assert_eq!(includes.admit(&root.join("./base.txt")), None);
    }

    #[test]
    fn marked_files_and_the_limit_keep_files_out() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in ["a.txt", "b.txt", "c.txt"] {
            std::fs::write(root.join(name), "").unwrap();
        }
        let mut includes = Includes::with_limit(2);
        includes.mark(&root.join("a.txt"));
        let paths = [root.join("a.txt"), root.join("c.txt"), root.join("b.txt")];
        assert_eq!(includes.admit_files(&paths), vec![root.join("c.txt")]);
        assert_eq!(includes.admit(&root.join("b.txt")), None, "over the limit");
    }

    #[test]
    fn files_that_do_not_exist_are_not_admitted_by_admit_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut includes = Includes::default();
        assert!(
            includes
                .admit_files(&[dir.path().join("missing.txt")])
                .is_empty()
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_keeps_the_name_that_reaches_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("real/deps")).unwrap();
        std::fs::write(root.join("real/base.txt"), "").unwrap();
        std::fs::write(root.join("base.txt"), "").unwrap();
        std::os::unix::fs::symlink(root.join("real/deps"), root.join("link")).unwrap();
        // `link/../base.txt` is `real/base.txt` on disk, not `base.txt`.
        let via_link = root.join("link/../base.txt");
        let mut includes = Includes::default();
        assert_eq!(includes.admit(&via_link), Some(via_link.clone()));
        assert_eq!(includes.admit(&root.join("real/base.txt")), None);
        assert_eq!(
            includes.admit(&root.join("base.txt")),
            Some(root.join("base.txt"))
        );
    }
}

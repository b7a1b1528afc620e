//! Paths compared by their names, without the file system.

use std::path::{Component, Path, PathBuf};

/// `path` without its `.` components, each `name/..` pair resolved lexically (symbolic links
/// are not followed): `a/./b/../c` → `a/c`. A `..` with nothing left to climb out of stays in
/// a relative path (`../a/../b` → `../b`) and goes at the root of an absolute one (`/..` → `/`).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if !matches!(
                    out.components().next_back(),
                    None | Some(Component::ParentDir)
                ) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(p: &str) -> PathBuf {
        normalize(Path::new(p))
    }

    #[test]
    fn dots_go_and_names_climb_out() {
        assert_eq!(n("a/./b/../c"), PathBuf::from("a/c"));
        assert_eq!(n("./a/b/.."), PathBuf::from("a"));
        assert_eq!(n("a/.."), PathBuf::from(""));
        assert_eq!(n("deps/../base.txt"), PathBuf::from("base.txt"));
    }

    #[test]
    fn a_leading_parent_stays_in_a_relative_path() {
        assert_eq!(n("../a"), PathBuf::from("../a"));
        assert_eq!(n("../../a/../b"), PathBuf::from("../../b"));
        assert_eq!(n("a/../../b"), PathBuf::from("../b"));
    }

    #[cfg(unix)]
    #[test]
    fn the_root_has_no_parent() {
        assert_eq!(n("/a/../../b"), PathBuf::from("/b"));
        assert_eq!(n("/.."), PathBuf::from("/"));
        assert_eq!(n("/x/./y/../z"), PathBuf::from("/x/z"));
    }
}

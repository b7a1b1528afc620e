//! What the generator's tests share: the cookbook's history, cloned.

use std::path::{Path, PathBuf};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Say why the test cannot run and pass, unless `FWMIGRATE_REQUIRE_TABLES=1` (CI) makes a missing
/// source a failure.
pub fn skip(why: &str) {
    if std::env::var_os("FWMIGRATE_REQUIRE_TABLES").is_some_and(|v| v == "1") {
        panic!("FWMIGRATE_REQUIRE_TABLES=1 but {why}");
    }
    eprintln!("skipped: {why}");
}

/// A clone of the cookbook's history (`$SHARED/cookbook-history.bundle`, or the bundle in
/// `../shared` beside the checkout) in a new temporary folder.
pub fn clone_history() -> Result<tempfile::TempDir, String> {
    let bundle = match std::env::var_os("SHARED") {
        Some(shared) => PathBuf::from(shared).join("cookbook-history.bundle"),
        None => workspace().join("../shared/cookbook-history.bundle"),
    };
    if !bundle.is_file() {
        return Err(format!("no cookbook history at {}", bundle.display()));
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    git(dir.path(), &["clone", "-q", &bundle.to_string_lossy(), "."])?;
    Ok(dir)
}

/// Run git in `dir` as a test author (commits and tags need one).
pub fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let who = "fwmigrate tests";
    let mail = "tests@fwmigrate.invalid";
    fwmigrate_apigen::sources::git_with(
        dir,
        args,
        &[
            ("GIT_AUTHOR_NAME", who),
            ("GIT_AUTHOR_EMAIL", mail),
            ("GIT_COMMITTER_NAME", who),
            ("GIT_COMMITTER_EMAIL", mail),
        ],
    )
}

/// Where the generator keeps the SDK wheels (shared by the tests and the documented command).
pub fn wheels() -> PathBuf {
    workspace().join("target/apigen-wheels")
}

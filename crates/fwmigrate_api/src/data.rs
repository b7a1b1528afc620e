//! Which data the process reads: the embedded files, or a regenerated set loaded once before
//! any lookup.
//!
//! A process uses the data embedded at build time. [`load`] puts a folder written by
//! `fwmigrate_apigen` (`releases.json`, `cookbook.history`, `sdk.history`, `provision.history`) in their place, for a
//! whole process, before anything has been looked up: that is how a regeneration is checked
//! through the library before it is committed (the synthetic-release test does exactly this).

use std::path::Path;
use std::sync::OnceLock;

/// The data files, by name, when loaded from a folder.
static LOADED: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
/// Set once any file has been read: after that the data can no longer change.
static READ: OnceLock<()> = OnceLock::new();

/// The names of the data files.
pub const FILES: [&str; 4] = [
    "releases.json",
    "cookbook.history",
    "sdk.history",
    "provision.history",
];

/// Use the data in `dir` instead of the embedded files, for the rest of the process. Fails when
/// a file is missing, or when the data has already been read or loaded.
pub fn load(dir: &Path) -> Result<(), String> {
    if READ.get().is_some() {
        return Err("the API data has already been read in this process".to_string());
    }
    let mut files = Vec::new();
    for name in FILES {
        let path = dir.join(name);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        files.push((name, &*Box::leak(text.into_boxed_str())));
    }
    LOADED
        .set(files)
        .map_err(|_| "the API data has already been loaded in this process".to_string())
}

/// The text of data file `name`: loaded, else `embedded`.
pub(crate) fn text(name: &str, embedded: &'static str) -> &'static str {
    READ.get_or_init(|| ());
    LOADED
        .get()
        .and_then(|files| files.iter().find(|(n, _)| *n == name).map(|(_, t)| *t))
        .unwrap_or(embedded)
}

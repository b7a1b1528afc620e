//! The committed API tables are exactly what the generator makes from the sources.
//!
//! Needs the cookbook sources (a folder with one subfolder per release; `$SHARED/cookbook-src` or
//! `../shared/cookbook-src` beside the checkout) and the SDK wheels (downloaded with pip into
//! `target/apigen-wheels` when missing). Without them the test says so and passes, unless
//! `FWMIGRATE_REQUIRE_TABLES=1` (CI) makes a missing source a failure.

use std::path::{Path, PathBuf};

use fwmigrate_apigen::{render_table, sources};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn skip(why: &str) {
    if std::env::var_os("FWMIGRATE_REQUIRE_TABLES").is_some_and(|v| v == "1") {
        panic!("FWMIGRATE_REQUIRE_TABLES=1 but {why}");
    }
    eprintln!("skipped: {why}");
}

#[test]
fn committed_tables_match_the_sources() {
    let cookbook_src = match std::env::var_os("SHARED") {
        Some(shared) => PathBuf::from(shared).join("cookbook-src"),
        None => workspace().join("../shared/cookbook-src"),
    };
    if !cookbook_src.join("2026.08").is_dir() {
        skip(&format!(
            "no cookbook sources at {}",
            cookbook_src.display()
        ));
        return;
    }
    let wheels = workspace().join("target/apigen-wheels");
    let tables = match sources::all_tables(&cookbook_src, &wheels) {
        Ok(t) => t,
        Err(e) => {
            skip(&format!("the SDK wheels could not be read or fetched: {e}"));
            return;
        }
    };
    let out = workspace().join("crates/fwmigrate_api/data/tables");
    let mut drift = Vec::new();
    for (name, table) in &tables {
        let committed = std::fs::read_to_string(out.join(name)).unwrap_or_default();
        if committed != render_table(table) {
            drift.push(name.clone());
        }
    }
    assert!(
        drift.is_empty(),
        "API tables differ from the sources: {drift:?}\nregenerate with \
         `cargo run -p fwmigrate_apigen -- --cookbook-src <folder>` and review the diff"
    );
    // Every committed table is one the generator makes (no stale file left behind).
    let mut committed: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    committed.sort();
    let mut made: Vec<String> = tables.iter().map(|(n, _)| n.clone()).collect();
    made.sort();
    assert_eq!(committed, made);
}

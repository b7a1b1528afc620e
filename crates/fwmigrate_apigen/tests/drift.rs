//! The committed API data (the release registry, both histories and the provisioning models) is
//! exactly what the generator makes from the sources: the cookbook's history (the bundle beside the checkout, cloned) and
//! the SDK wheels (downloaded with pip into `target/apigen-wheels` when missing). Without them the
//! test says so and passes, unless `FWMIGRATE_REQUIRE_TABLES=1` (CI) makes that a failure.

mod common;

use fwmigrate_apigen::sources;

#[test]
fn committed_data_matches_the_sources() {
    let repo = match common::clone_history() {
        Ok(r) => r,
        Err(e) => return common::skip(&e),
    };
    let input = sources::read_input(&sources::default_input()).unwrap();
    let generated = match sources::generate(repo.path(), &common::wheels(), &input) {
        Ok(g) => g,
        Err(e) => {
            return common::skip(&format!("the sources could not be read or fetched: {e}"));
        }
    };
    let out = common::workspace().join("crates/fwmigrate_api/data");
    let mut drift = Vec::new();
    for (name, text) in &generated.files {
        let committed = std::fs::read_to_string(out.join(name)).unwrap_or_default();
        if committed != *text {
            drift.push(name.clone());
        }
    }
    assert!(
        drift.is_empty(),
        "API data differs from the sources: {drift:?}\nregenerate with \
         `cargo run -p fwmigrate_apigen -- --cookbook-repo <clone>` and review the diff"
    );
    // Every committed file is one the generator makes (no stale file left behind).
    let mut committed: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    committed.sort();
    let mut made: Vec<String> = generated.files.iter().map(|(n, _)| n.clone()).collect();
    made.sort();
    assert_eq!(committed, made);
    // Every snapshot with a `provision.py` has a provisioning model, the newest one included.
    let (_, provision) = generated
        .files
        .iter()
        .find(|(name, _)| name == "provision.history")
        .expect("provision.history is generated");
    let last = generated.registry.cookbook.len() - 1;
    let models = fwmigrate_api::provision::parse(provision, last).unwrap();
    assert!(models.iter().any(|(releases, _)| releases.contains(last)));
    // The registry covers the history: 69 tagged releases from 2026-05-19, weekly before.
    let targets = generated
        .registry
        .cookbook
        .iter()
        .filter(|s| s.target)
        .count();
    assert!(targets >= 69, "{targets}");
}

//! Snapshot tests over `fixtures/*.py` (snapshots in `snapshots/conformance/`).

#[test]
fn fixtures() {
    fwmigrate_testing::assert_fixtures(
        env!("CARGO_MANIFEST_DIR"),
        "conformance",
        fwmigrate_rules_conformance::RULES,
    );
}

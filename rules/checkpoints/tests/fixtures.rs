//! Snapshot tests over `fixtures/*.py` (snapshots in `snapshots/checkpoints/`).

#[test]
fn fixtures() {
    fwmigrate_testing::assert_fixtures(
        env!("CARGO_MANIFEST_DIR"),
        "checkpoints",
        fwmigrate_rules_checkpoints::RULES,
    );
}

//! Snapshot tests over `fixtures/*.py` (snapshots in `snapshots/hotload/`).

#[test]
fn fixtures() {
    fwmigrate_testing::assert_fixtures(
        env!("CARGO_MANIFEST_DIR"),
        "hotload",
        fwmigrate_rules_hotload::RULES,
    );
}

//! Snapshot tests over `fixtures/*.py` (snapshots in `snapshots/provisioning/`).

#[test]
fn fixtures() {
    fwmigrate_testing::assert_fixtures(
        env!("CARGO_MANIFEST_DIR"),
        "provisioning",
        fwmigrate_rules_provisioning::RULES,
    );
}

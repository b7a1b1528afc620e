//! Snapshot tests over `fixtures/*.py` (snapshots in `snapshots/infra/`).

#[test]
fn fixtures() {
    fwmigrate_testing::assert_fixtures(
        env!("CARGO_MANIFEST_DIR"),
        "infra",
        fwmigrate_rules_infra::RULES,
    );
}

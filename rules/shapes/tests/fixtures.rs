//! Snapshot tests over `fixtures/*.py` (snapshots in `snapshots/shapes/`).

#[test]
fn fixtures() {
    fwmigrate_testing::assert_fixtures(
        env!("CARGO_MANIFEST_DIR"),
        "shapes",
        fwmigrate_rules_shapes::RULES,
    );
}

//! Byte-exact checks the snapshot harness cannot make (insta normalises line endings).

use fwmigrate_rule::Target;

fn apply(source: &str, unsafe_fixes: bool) -> String {
    fwmigrate_testing::apply_source(
        fwmigrate_rules_hotload::RULES,
        source,
        Target::named("2026.08"),
        unsafe_fixes,
    )
}

#[test]
fn crlf_line_endings_survive_the_unsafe_fix() {
    let src = "from training.utils import (\r\n    DeployConfig,\r\n    WeightSyncScope,\r\n)\r\n\r\nDEPLOY = DeployConfig(\r\n    deployment_id=\"grpo\",\r\n    weight_sync_scope=WeightSyncScope.PER_DEPLOYMENT,\r\n)\r\n";
    let expected = "from training.utils import (\r\n    DeployConfig,\r\n)\r\n\r\nDEPLOY = DeployConfig(\r\n    deployment_id=\"grpo\",\r\n)\r\n";
    assert_eq!(apply(src, true), expected);
    assert_eq!(apply(src, false), src);
}

#[test]
fn two_keywords_sharing_one_import_remove_it_once_both_are_gone() {
    let src = "from training.utils import DeployConfig, WeightSyncScope\n\nA = DeployConfig(weight_sync_scope=WeightSyncScope.PER_DEPLOYMENT)\nB = DeployConfig(weight_sync_scope=WeightSyncScope.PER_DEPLOYMENT)\n";
    let expected =
        "from training.utils import DeployConfig\n\nA = DeployConfig()\nB = DeployConfig()\n";
    assert_eq!(apply(src, true), expected);
}

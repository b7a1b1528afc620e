//! Byte-exact checks the snapshot harness cannot make (insta normalises line endings).

use fwmigrate_rule::Target;

fn apply(source: &str, unsafe_fixes: bool) -> String {
    fwmigrate_testing::apply_source(
        fwmigrate_rules_shapes::RULES,
        source,
        Target::named("2026.08"),
        unsafe_fixes,
    )
}

#[test]
fn crlf_line_endings_survive_deletions() {
    let src = "from training.utils import TrainerConfig\r\n\r\ndef f(cfg, big):\r\n    t = TrainerConfig(\r\n        training_shape_id=S,\r\n        accelerator_type=\"H100\",\r\n        accelerator_count=8,\r\n    )\r\n    if big:\r\n        t.accelerator_count = 16\r\n    return t\r\n";
    let expected = "from training.utils import TrainerConfig\r\n\r\ndef f(cfg, big):\r\n    t = TrainerConfig(\r\n        training_shape_id=S,\r\n    )\r\n    if big:\r\n        pass\r\n    return t\r\n";
    assert_eq!(apply(src, false), expected);
}

#[test]
fn accelerator_case_from_the_acceptance_suite() {
    let src = r#"from training.recipes import sft_loop
from training.utils import TrainerConfig


def make_config(args):
    cfg = sft_loop.Config(
        log_path="logs",
        base_model=args.base_model,
        dataset=args.dataset,
        trainer=TrainerConfig(
            training_shape_id=args.shape,
            accelerator_type="NVIDIA_H200_141GB",
            accelerator_count=8,
        ),
    )
    if args.big:
        cfg.trainer.accelerator_count = 16
    cfg.trainer.accelerator_type = "NVIDIA_B200_180GB"
    return cfg
"#;
    let expected = r#"from training.recipes import sft_loop
from training.utils import TrainerConfig


def make_config(args):
    cfg = sft_loop.Config(
        log_path="logs",
        base_model=args.base_model,
        dataset=args.dataset,
        trainer=TrainerConfig(
            training_shape_id=args.shape,
        ),
    )
    if args.big:
        pass
    return cfg
"#;
    assert_eq!(apply(src, false), expected);
}

#[test]
fn missing_final_newline_and_tabs_are_kept() {
    let src = "from training.utils import DeployConfig\nif x:\n\td = DeployConfig(deployment_accelerator_type=\"A100\", deployment_id=\"d\")";
    let expected =
        "from training.utils import DeployConfig\nif x:\n\td = DeployConfig(deployment_id=\"d\")";
    assert_eq!(apply(src, false), expected);
}

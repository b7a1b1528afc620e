//! Byte-exact checks the snapshot harness cannot make (insta normalises line endings).

use fwmigrate_rule::Target;

fn apply(source: &str, unsafe_fixes: bool) -> String {
    fwmigrate_testing::apply_source(
        fwmigrate_rules_checkpoints::RULES,
        source,
        Target::named("2026.08"),
        unsafe_fixes,
    )
}

#[test]
fn crlf_and_comments_survive_the_sanitising_fix() {
    let src = "import fireworks.client\r\n\r\ndef f(client, ckpt):\r\n    client.promote_checkpoint(\r\n        name=ckpt,\r\n        output_model_id='accounts/acme/models/Qwen3--8B_Math.final_',  # weekly\r\n    )\r\n";
    let expected = "import fireworks.client\r\n\r\ndef f(client, ckpt):\r\n    client.promote_checkpoint(\r\n        name=ckpt,\r\n        output_model_id='qwen3-8b-math-final',  # weekly\r\n    )\r\n";
    assert_eq!(apply(src, true), expected);
    assert_eq!(apply(src, false), src);
}

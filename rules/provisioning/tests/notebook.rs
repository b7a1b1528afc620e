//! In a notebook the FW101 rewrite stays inside the call's cell.

use std::path::Path;

use fwmigrate_engine::Mode;
use fwmigrate_rule::parser::SourceKind;
use fwmigrate_rule::{Target, TextRange, TextSize};
use fwmigrate_testing::linter;

fn cells(text: &str, parts: &[&str]) -> Vec<TextRange> {
    let mut out = Vec::new();
    let mut at = 0usize;
    for p in parts {
        assert_eq!(&text[at..at + p.len()], *p);
        out.push(TextRange::new(
            TextSize::new(at as u32),
            TextSize::new((at + p.len()) as u32),
        ));
        at += p.len() + 1;
    }
    out
}

#[test]
fn rewrite_stays_in_its_cell() {
    let a = "from training.utils import TrainerConfig, setup_infra\nimport os";
    let b = "infra = setup_infra(rlor_mgr=None, base_model=\"m\", infra_cfg=TrainerConfig(), role_prefix=\"x\", api_key=os.environ[\"K\"])\ninfra.policy.optim_step()";
    let c = "print('next cell')";
    let text = format!("{a}\n{b}\n{c}");
    let kind = SourceKind::Notebook(cells(&text, &[a, b, c]));
    let linter = linter(
        fwmigrate_rules_provisioning::RULES,
        Target::named("2026.08"),
        true,
    );
    let outcome = linter.lint_python(Path::new("nb.ipynb"), &text, kind, Mode::Fix);
    let fixed = outcome.fixed.expect("the FW101 fix applies");
    assert!(
        fixed.contains(
            "    policy_client.optim_step()\nfinally:\n    service.close()\nprint('next cell')"
        ),
        "{fixed}"
    );
    assert!(!fixed.contains("setup_infra"), "{fixed}");
}

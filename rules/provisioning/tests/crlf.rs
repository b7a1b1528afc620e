//! Line endings survive the FW101 rewrite byte for byte (snapshots normalise them, so this is
//! checked here on the raw text).

use std::path::Path;

use fwmigrate_rule::Target;
use fwmigrate_testing::{apply_checked, linter};

fn unsafe_apply(source: &str, target: Target) -> String {
    let linter = linter(fwmigrate_rules_provisioning::RULES, target, true);
    let outcome = apply_checked(&linter, Path::new("crlf.py"), source, true);
    outcome.fixed.expect("the FW101 fix applies")
}

fn assert_only_crlf(text: &str) {
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' {
            assert!(
                i > 0 && bytes[i - 1] == b'\r',
                "bare LF at byte {i}:\n{text}"
            );
        }
        if *b == b'\r' {
            assert_eq!(bytes.get(i + 1), Some(&b'\n'), "bare CR at byte {i}");
        }
    }
}

#[test]
fn crlf_file_stays_crlf() {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/FW101_crlf_module_alias.py"),
    )
    .unwrap();
    assert!(source.contains("\r\n"), "the fixture must use CRLF");
    for target in Target::aliased() {
        let fixed = unsafe_apply(&source, target);
        assert_only_crlf(&fixed);
        assert!(fixed.contains("build_service_client(\r\n"));
        assert!(fixed.contains("    finally:\r\n        service.close()\r\n"));
        assert!(!fixed.contains("ResourceCleanup"));
        assert!(!fixed.contains("setup_infra("));
    }
}

#[test]
fn missing_final_newline_is_kept() {
    let source = "from training.utils import InfraConfig, setup_infra\n\ndef f(m, k):\n    infra = setup_infra(rlor_mgr=m, base_model=\"b\", infra_cfg=InfraConfig(), role_prefix=\"x\", api_key=k)\n    infra.policy.optim_step()";
    let fixed = unsafe_apply(source, Target::named("2026.08"));
    assert!(
        fixed.ends_with("    finally:\n        service.close()"),
        "{fixed}"
    );
    assert!(!fixed.contains("setup_infra"), "{fixed}");
}

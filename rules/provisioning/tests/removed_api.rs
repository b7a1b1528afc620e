//! The FW101 rewrite of the canonical shape leaves no trace of the removed API: for every fixture
//! whose `setup_infra(...)` calls are all rewritten by `--unsafe-fixes`, the result names none of
//! the helpers the cookbook removed, at both targets.

use fwmigrate_rule::ast::{Expr, Stmt};
use fwmigrate_rule::parser::{ParsedFile, SourceKind};
use fwmigrate_rule::{Target, walk};

/// Every identifier the code uses: names, attributes and imported names (not strings or
/// comments).
fn identifiers(source: &str) -> Vec<String> {
    let file = ParsedFile::parse(source, SourceKind::Python).expect("the result parses");
    let mut out = Vec::new();
    walk::for_each_expr(file.suite(), |e| match e {
        Expr::Name(n) => out.push(n.id.to_string()),
        Expr::Attribute(a) => out.push(a.attr.id.to_string()),
        _ => {}
    });
    walk::for_each_stmt(file.suite(), |s| match s {
        Stmt::ImportFrom(i) => out.extend(i.names.iter().map(|a| a.name.id.to_string())),
        Stmt::Import(i) => out.extend(i.names.iter().map(|a| a.name.id.to_string())),
        _ => {}
    });
    out
}

/// Names that exist only in the legacy cookbook.
const REMOVED: &[&str] = &[
    "setup_infra",
    "ResourceCleanup",
    "create_base_reference",
    "make_reference_client",
];

#[test]
fn canonical_rewrites_use_only_the_current_api() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");
    let mut rewritten = 0;
    for path in fwmigrate_testing::fixtures(env!("CARGO_MANIFEST_DIR")) {
        let source = std::fs::read_to_string(&path).unwrap();
        for target in Target::aliased() {
            let result = fwmigrate_testing::apply_source(
                fwmigrate_rules_provisioning::RULES,
                &source,
                target,
                true,
            );
            let names = identifiers(&result);
            if result == source || names.iter().any(|n| n == "setup_infra") {
                // Not canonical (display-only) somewhere in this file: nothing to assert here.
                continue;
            }
            rewritten += 1;
            for name in REMOVED {
                assert!(
                    !names.iter().any(|n| n == name),
                    "{}/{} at {target}: the rewrite still names `{name}`:\n{result}",
                    dir,
                    path.file_name().unwrap().to_string_lossy()
                );
            }
            assert!(
                names.iter().any(|n| n == "build_service_client")
                    && names.iter().any(|n| n == "close"),
                "{}: no service was built:\n{result}",
                path.display()
            );
        }
    }
    assert!(
        rewritten >= 6,
        "only {rewritten} fixture/target pairs were rewritten"
    );
}

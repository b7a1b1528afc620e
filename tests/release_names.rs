//! No rule, engine or CLI source names a cookbook release: what differs between releases is
//! read from the target's tables and the generated registry, so every tag is a target with no
//! code change. Tests, comments and rule documentation (the `explanation` texts the docs pages
//! are made from) may name releases in examples; code may not.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "tests") {
                sources(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file: without its `#[cfg(test)]` module, comments, and raw-string rule docs.
fn code(text: &str) -> String {
    let text = text.split("\n#[cfg(test)]").next().unwrap_or(text);
    let mut out = String::new();
    let mut in_docs = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if in_docs {
            if trimmed.contains("\"#") {
                in_docs = false;
            }
            continue;
        }
        if trimmed.starts_with("explanation: r#\"") || trimmed.starts_with("const EXPLANATION") {
            in_docs = !trimmed.contains("\"#,") || trimmed.ends_with("r#\"");
            continue;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        let line = line.split(" // ").next().unwrap_or(line);
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Spellings of a cookbook release: a tag, a date-like target name, a table or role name.
fn names_a_release(code: &str) -> Option<String> {
    let bytes = code.as_bytes();
    for (i, _) in code.match_indices("2026.") {
        let digits = bytes.get(i + 5..i + 7);
        if digits.is_some_and(|d| d.iter().all(u8::is_ascii_digit)) {
            let start = code[..i].rfind('\n').map_or(0, |n| n + 1);
            let end = code[i..].find('\n').map_or(code.len(), |n| i + n);
            return Some(code[start..end].trim().to_string());
        }
    }
    [
        "cookbook-v2",
        "\"legacy\"",
        "\"cookbook-legacy",
        "\"cookbook-opd",
        "\"sdk-1",
        "Target::named(",
    ]
    .iter()
    .find(|n| code.contains(*n))
    .map(|n| n.to_string())
}

#[test]
fn no_rule_engine_or_cli_source_names_a_release() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["rules", "crates"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let krate = entry.unwrap().path();
            let name = krate.file_name().unwrap().to_string_lossy().into_owned();
            // The API crate reads the generated data; the generator, the test harnesses and the
            // stress crate are tools and tests.
            if [
                "fwmigrate_api",
                "fwmigrate_apigen",
                "fwmigrate_testing",
                "fwmigrate_stress",
            ]
            .contains(&name.as_str())
            {
                continue;
            }
            if krate.join("src").is_dir() {
                sources(&krate.join("src"), &mut files);
            }
        }
    }
    sources(&root.join("src"), &mut files);
    assert!(files.len() > 50, "{}", files.len());
    let offenders: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            names_a_release(&code(&text)).map(|n| format!("{}: {n}", f.display()))
        })
        .collect();
    assert!(offenders.is_empty(), "{offenders:#?}");
}

#[test]
fn the_check_sees_a_release_name_in_code() {
    assert!(names_a_release(&code("let t = \"2026.08\";\n")).is_some());
    assert!(names_a_release(&code("x(Target::named(\"t\"));\n")).is_some());
    assert!(names_a_release(&code("// at 2026.08\nlet t = 1;\n")).is_none());
    assert!(
        names_a_release(&code(
            "static META: M = M {\n    explanation: r#\"at 2026.08\n\"#,\n};\n"
        ))
        .is_none()
    );
    assert!(
        names_a_release(&code(
            "fn f() {}\n#[cfg(test)]\nmod tests { \"2026.06\" }\n"
        ))
        .is_none()
    );
}

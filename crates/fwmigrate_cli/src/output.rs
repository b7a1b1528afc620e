//! Rendering findings: full, concise, json, github, sarif; the summary; statistics.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::process::Record;
use crate::registry;

/// ANSI styling, or none.
#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    pub fn red(&self, s: &str) -> String {
        self.paint("1;31", s)
    }
    pub fn yellow(&self, s: &str) -> String {
        self.paint("1;33", s)
    }
    pub fn cyan(&self, s: &str) -> String {
        self.paint("36", s)
    }
    pub fn blue(&self, s: &str) -> String {
        self.paint("1;34", s)
    }
}

fn mark(r: &Record) -> &'static str {
    if r.fixable {
        " [*]"
    } else if r.fixable_unsafe {
        " [-]"
    } else {
        ""
    }
}

fn location(r: &Record) -> String {
    match r.cell {
        Some(cell) => format!("{}:cell {cell}:{}:{}", r.path, r.start.0, r.start.1),
        None => format!("{}:{}:{}", r.path, r.start.0, r.start.1),
    }
}

pub fn concise(out: &mut String, r: &Record, style: Style) {
    let code = if r.severity == "error" {
        style.red(r.code)
    } else {
        style.yellow(r.code)
    };
    let _ = writeln!(
        out,
        "{}: {}{} {}",
        style.bold(&location(r)),
        code,
        mark(r),
        r.message
    );
}

pub fn full(out: &mut String, r: &Record, style: Style) {
    concise(out, r, style);
    if !r.excerpt.is_empty() && r.start.0 > 0 {
        let width = r.excerpt.last().map_or(1, |(n, _)| n.to_string().len());
        let pad = " ".repeat(width);
        let _ = writeln!(out, "{pad} {}", style.blue("|"));
        for (i, (n, line)) in r.excerpt.iter().enumerate() {
            let _ = writeln!(
                out,
                "{} {} {}",
                style.blue(&format!("{n:>width$}")),
                style.blue("|"),
                line.replace('\t', "    ")
            );
            if i == 0 {
                let chars: Vec<char> = line.chars().collect();
                let start = r.start.1.saturating_sub(1).min(chars.len());
                let end = if r.end.0 == r.start.0 {
                    r.end.1.saturating_sub(1).min(chars.len()).max(start + 1)
                } else {
                    chars.len().max(start + 1)
                };
                let prefix: String = chars[..start]
                    .iter()
                    .map(|c| {
                        if *c == '\t' {
                            "    ".to_string()
                        } else {
                            " ".to_string()
                        }
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "{pad} {} {prefix}{}",
                    style.blue("|"),
                    style.red(&"^".repeat(end - start))
                );
            }
        }
        let _ = writeln!(out, "{pad} {}", style.blue("|"));
    }
    if let Some(fix) = &r.fix {
        let _ = writeln!(out, "  {} {}", style.cyan("help:"), fix.title);
        if let Some(s) = &fix.suggestion {
            for line in s.lines() {
                let _ = writeln!(out, "  {}   {line}", style.cyan("|"));
            }
        }
    }
    if let Some(why) = &r.skipped {
        let _ = writeln!(out, "  {} {why}", style.cyan("note:"));
    } else if r.fix.is_none() {
        let _ = writeln!(out, "  {} no automatic fix", style.cyan("note:"));
    }
    out.push('\n');
}

pub fn github(out: &mut String, r: &Record) {
    let level = if r.severity == "error" {
        "error"
    } else {
        "warning"
    };
    let _ = writeln!(
        out,
        "::{level} file={},line={},col={},endLine={},endColumn={},title=fwmigrate ({})::{}",
        escape_property(&r.path),
        r.start.0,
        r.start.1,
        r.end.0,
        r.end.1,
        r.code,
        escape_data(&format!("{} {}", r.code, r.message))
    );
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn loc(p: (usize, usize)) -> Value {
    json!({"row": p.0, "column": p.1})
}

pub fn json_record(r: &Record) -> Value {
    let fix = r.fix.as_ref().map(|f| {
        json!({
            "applicability": f.applicability,
            "message": f.title,
            "suggestion": f.suggestion,
            "edits": f.edits.iter().map(|e| json!({
                "content": e.content,
                "location": loc(e.start),
                "end_location": loc(e.end),
            })).collect::<Vec<_>>(),
        })
    });
    let skipped = match (&r.skipped, &r.fix) {
        (Some(s), _) => Value::String(s.clone()),
        (None, None) => Value::String("no automatic fix".to_string()),
        (None, Some(_)) => Value::Null,
    };
    json!({
        "cell": r.cell,
        "code": r.code,
        "name": r.name,
        "message": r.message,
        "severity": r.severity,
        "filename": r.path,
        "location": loc(r.start),
        "end_location": loc(r.end),
        "fix": fix,
        "fix_skipped_reason": skipped,
    })
}

pub fn sarif(records: &[&Record]) -> Value {
    let rules: Vec<Value> = registry::all_rules()
        .iter()
        .map(|m| {
            json!({
                "id": m.code,
                "name": m.name,
                "shortDescription": {"text": m.summary},
                "fullDescription": {"text": m.summary},
                "help": {"text": m.summary, "markdown": m.explanation},
                "defaultConfiguration": {"level": if m.severity == fwmigrate_rule::Severity::Error { "error" } else { "warning" }},
                "properties": {"family": m.family},
            })
        })
        .collect();
    let index: BTreeMap<&str, usize> = registry::all_rules()
        .iter()
        .enumerate()
        .map(|(i, m)| (m.code, i))
        .collect();
    let results: Vec<Value> = records
        .iter()
        .map(|r| {
            let uri = r.path.replace('\\', "/");
            let region = json!({
                "startLine": r.start.0.max(1),
                "startColumn": r.start.1.max(1),
                "endLine": r.end.0.max(1),
                "endColumn": r.end.1.max(1),
            });
            let mut result = json!({
                "ruleId": r.code,
                "ruleIndex": index.get(r.code).copied().unwrap_or(0),
                "level": if r.severity == "error" { "error" } else { "warning" },
                "message": {"text": r.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": region,
                    }
                }],
            });
            if let Some(fix) = &r.fix
                && !fix.edits.is_empty()
            {
                result["fixes"] = json!([{
                    "description": {"text": fix.title},
                    "artifactChanges": [{
                        "artifactLocation": {"uri": uri},
                        "replacements": fix.edits.iter().map(|e| json!({
                            "deletedRegion": {
                                "startLine": e.start.0,
                                "startColumn": e.start.1,
                                "endLine": e.end.0,
                                "endColumn": e.end.1,
                            },
                            "insertedContent": {"text": e.content},
                        })).collect::<Vec<_>>(),
                    }],
                }]);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "fwmigrate",
                "informationUri": "https://github.com/fwmigrate/fwmigrate",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

pub fn statistics(out: &mut String, records: &[&Record], style: Style) {
    let mut counts: BTreeMap<&str, (usize, usize, &str)> = BTreeMap::new();
    for r in records {
        let e = counts.entry(r.code).or_insert((0, 0, r.name));
        e.0 += 1;
        if r.fixable {
            e.1 += 1;
        }
    }
    for (code, (n, fixable, name)) in counts {
        let mark = if fixable > 0 { "[*]" } else { "   " };
        let _ = writeln!(out, "{n:>5}\t{}\t{mark} {name}", style.bold(code));
    }
}

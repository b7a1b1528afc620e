//! Rendering findings: full, concise, json, github, sarif; the summary; statistics.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};
use url::Url;

use fwmigrate_rule::{RuleCode, Severity};

use crate::args::OutputFormat;
use crate::process::Record;
use crate::registry;

/// One way of writing a run's findings: each output format (and `--statistics`) is one.
pub trait Emitter: Sync {
    /// Write `records` (in report order) to `out`.
    fn emit(&self, out: &mut String, records: &[&Record], style: Style) -> Result<(), String>;
}

/// The emitter of an output format.
pub fn emitter(format: OutputFormat) -> &'static dyn Emitter {
    match format {
        OutputFormat::Full => &Full,
        OutputFormat::Concise => &Concise,
        OutputFormat::Github => &Github,
        OutputFormat::Json => &Json,
        OutputFormat::Sarif => &Sarif,
    }
}

/// Each finding with its source lines and fix (the default).
pub struct Full;
/// One line a finding.
pub struct Concise;
/// GitHub Actions workflow commands (annotations).
pub struct Github;
/// A JSON array of findings.
pub struct Json;
/// A SARIF 2.1.0 log.
pub struct Sarif;
/// `--statistics`: counts by rule.
pub struct Statistics;

impl Emitter for Full {
    fn emit(&self, out: &mut String, records: &[&Record], style: Style) -> Result<(), String> {
        records.iter().for_each(|r| full(out, r, style));
        Ok(())
    }
}

impl Emitter for Concise {
    fn emit(&self, out: &mut String, records: &[&Record], style: Style) -> Result<(), String> {
        records.iter().for_each(|r| concise(out, r, style));
        Ok(())
    }
}

impl Emitter for Github {
    fn emit(&self, out: &mut String, records: &[&Record], _: Style) -> Result<(), String> {
        records.iter().for_each(|r| github(out, r));
        Ok(())
    }
}

impl Emitter for Json {
    fn emit(&self, out: &mut String, records: &[&Record], _: Style) -> Result<(), String> {
        let list: Vec<_> = records.iter().map(|r| json_record(r)).collect();
        out.push_str(&serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?);
        out.push('\n');
        Ok(())
    }
}

impl Emitter for Sarif {
    fn emit(&self, out: &mut String, records: &[&Record], _: Style) -> Result<(), String> {
        out.push_str(&serde_json::to_string_pretty(&sarif(records)).map_err(|e| e.to_string())?);
        out.push('\n');
        Ok(())
    }
}

impl Emitter for Statistics {
    fn emit(&self, out: &mut String, records: &[&Record], style: Style) -> Result<(), String> {
        statistics(out, records, style);
        Ok(())
    }
}

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
    let code = if r.severity == Severity::Error {
        style.red(r.code.as_str())
    } else {
        style.yellow(r.code.as_str())
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
    let level = if r.severity == Severity::Error {
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
            "applicability": f.applicability.as_str(),
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
        "code": r.code.as_str(),
        "name": r.name,
        "message": r.message,
        "severity": r.severity.as_str(),
        "filename": r.path,
        "location": loc(r.start),
        "end_location": loc(r.end),
        "fix": fix,
        "fix_skipped_reason": skipped,
    })
}

/// Where the rule documentation lives (the generated rule index; `--explain CODE` prints a
/// rule's page).
const HELP_URI: &str = "https://github.com/fwmigrate/fwmigrate/blob/main/docs/rules/README.md";

/// SARIF 2.1.0 for one run: one rule entry per code (with its documentation as help text),
/// results with their fixes. Columns count Unicode code points, as everywhere in fwmigrate.
///
/// - Relative paths are relative references against `%SRCROOT%` (the working directory, which
///   `originalUriBaseIds` records); absolute paths, and paths that climb out of the working
///   directory, are `file://` URIs. Both are percent-encoded as URL paths are (the `url`
///   crate's path set: a space is `%20`, `#` is `%23`, `%` is `%25`).
/// - A fix with edits is a SARIF `fix` (its applicability, `safe` or `unsafe`, in its property
///   bag). A display-only fix has no edits, which a SARIF `fix` cannot express: its title and
///   suggested code go to the result's property bag.
/// - Notebook findings count rows from their cell's first line, not from the top of the
///   `.ipynb` file: their region is the notebook's first line, the cell and the region in it
///   are in the property bag (`cell`, `cellRegion`), and they have no `fix`.
pub fn sarif(records: &[&Record]) -> Value {
    let rules: Vec<Value> = registry::all_rules()
        .iter()
        .map(|m| {
            json!({
                "id": m.code.as_str(),
                "name": pascal_case(m.name),
                "shortDescription": {"text": m.summary},
                "fullDescription": {"text": m.summary},
                "help": {"text": m.explanation, "markdown": m.explanation},
                "helpUri": HELP_URI,
                "defaultConfiguration": {"level": sarif_level(m.severity)},
                "properties": {"name": m.name, "family": m.family.as_str(), "tags": [m.family.as_str()]},
            })
        })
        .collect();
    let index: BTreeMap<RuleCode, usize> = registry::all_rules()
        .iter()
        .enumerate()
        .map(|(i, m)| (m.code, i))
        .collect();
    let root = std::env::current_dir()
        .ok()
        .and_then(|d| Url::from_directory_path(d).ok());
    let results: Vec<Value> = records
        .iter()
        .map(|r| sarif_result(r, index.get(&r.code).copied(), root.as_ref()))
        .collect();
    let mut run = json!({
        "tool": {"driver": {
            "name": "fwmigrate",
            "informationUri": "https://github.com/fwmigrate/fwmigrate",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "rules": rules,
        }},
        "columnKind": "unicodeCodePoints",
        "results": results,
    });
    if let Some(root) = &root {
        run["originalUriBaseIds"] = json!({SRCROOT: {"uri": root.as_str()}});
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    })
}

const SRCROOT: &str = "%SRCROOT%";

/// SARIF's level for a severity.
fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn sarif_region(start: (usize, usize), end: (usize, usize)) -> Value {
    json!({
        "startLine": start.0.max(1),
        "startColumn": start.1.max(1),
        "endLine": end.0.max(1),
        "endColumn": end.1.max(1),
    })
}

fn sarif_result(r: &Record, rule_index: Option<usize>, root: Option<&Url>) -> Value {
    let artifact = artifact_location(&r.path, root);
    let mut physical = json!({"artifactLocation": artifact});
    let mut properties = serde_json::Map::new();
    if let Some(cell) = r.cell {
        // Validators and code scanning need a region; the cell's rows are not rows of the
        // `.ipynb` text, so the result points at the notebook's first line and names the cell.
        properties.insert("cell".into(), json!(cell));
        properties.insert("cellRegion".into(), sarif_region(r.start, r.end));
        physical["region"] = json!({"startLine": 1});
    } else {
        let mut region = sarif_region(r.start, r.end);
        // A one-line finding: its text, and the whole line around it.
        if r.start.0 == r.end.0
            && let Some((_, line)) = r.excerpt.first().filter(|(n, _)| *n == r.start.0)
        {
            let chars: Vec<char> = line.chars().collect();
            let from = r.start.1.saturating_sub(1);
            let to = r.end.1.saturating_sub(1);
            if from < to && to <= chars.len() {
                region["snippet"] = json!({"text": chars[from..to].iter().collect::<String>()});
                if from > 0 || to < chars.len() {
                    physical["contextRegion"] = json!({
                        "startLine": r.start.0,
                        "startColumn": 1,
                        "endLine": r.start.0,
                        "endColumn": chars.len() + 1,
                        "snippet": {"text": line},
                    });
                }
            }
        }
        physical["region"] = region;
    }
    let mut result = json!({
        "ruleId": r.code.as_str(),
        "level": sarif_level(r.severity),
        "message": {"text": r.message},
        "locations": [{"physicalLocation": physical}],
    });
    if let Some(i) = rule_index {
        result["ruleIndex"] = json!(i);
    }
    if let Some(fix) = &r.fix {
        if fix.edits.is_empty() || r.cell.is_some() {
            properties.insert("fixApplicability".into(), json!(fix.applicability.as_str()));
            properties.insert("fixTitle".into(), json!(fix.title));
        } else {
            result["fixes"] = json!([{
                "description": {"text": fix.title},
                "artifactChanges": [{
                    "artifactLocation": artifact_location(&r.path, root),
                    "replacements": fix.edits.iter().map(|e| json!({
                        "deletedRegion": sarif_region(e.start, e.end),
                        "insertedContent": {"text": e.content},
                    })).collect::<Vec<_>>(),
                }],
                "properties": {"applicability": fix.applicability.as_str()},
            }]);
        }
        if let Some(s) = &fix.suggestion {
            properties.insert("suggestion".into(), json!(s));
        }
    }
    if let Some(why) = &r.skipped {
        properties.insert("fixSkippedReason".into(), json!(why));
    }
    if !properties.is_empty() {
        result["properties"] = Value::Object(properties);
    }
    result
}

/// `infra-config` → `InfraConfig` (SARIF's friendly rule names are Pascal case).
fn pascal_case(name: &str) -> String {
    name.split(['-', '_'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// The SARIF `artifactLocation` of a reported path. `root` is the working directory's
/// `file://` URI (`%SRCROOT%`).
///
/// A relative path that stays under the working directory is a relative reference against
/// `%SRCROOT%`; any other path is an absolute `file://` URI. Both are built by `url` (its
/// `from_file_path` and `make_relative`), so they are percent-encoded as URL paths are.
fn artifact_location(path: &str, root: Option<&Url>) -> Value {
    let slashed = path.replace('\\', "/");
    let rel = slashed.strip_prefix("./").unwrap_or(&slashed);
    let p = std::path::Path::new(path);
    let climbs = rel == ".." || rel.starts_with("../") || rel.contains("/../");
    let cwd = root.and_then(|r| r.to_file_path().ok());
    let abs = match &cwd {
        Some(d) if !p.is_absolute() => d.join(p),
        _ => p.to_path_buf(),
    };
    let Ok(file) = Url::from_file_path(fwmigrate_workspace::paths::normalize(&abs)) else {
        // No working directory to resolve a relative path against.
        return json!({"uri": rel});
    };
    let under_root = !p.is_absolute() && !climbs && !rel.is_empty() && !rel.starts_with('/');
    match root.and_then(|r| r.make_relative(&file)) {
        Some(relative) if under_root => json!({"uri": relative, "uriBaseId": SRCROOT}),
        _ => json!({"uri": file.as_str()}),
    }
}

pub fn statistics(out: &mut String, records: &[&Record], style: Style) {
    let mut counts: BTreeMap<RuleCode, (usize, usize, &str)> = BTreeMap::new();
    for r in records {
        let e = counts.entry(r.code).or_insert((0, 0, r.name));
        e.0 += 1;
        if r.fixable {
            e.1 += 1;
        }
    }
    for (code, (n, fixable, name)) in counts {
        let mark = if fixable > 0 { "[*]" } else { "   " };
        let _ = writeln!(out, "{n:>5}\t{}\t{mark} {name}", style.bold(code.as_str()));
    }
}

//! `fwmigrate doctor [PATH ...] [--log FILE | -]`: the installed SDK first, then the error the
//! user just got, explained (docs/doctor.md).
//!
//! 1. The installed-SDK verdict: the Python environment (`--python`, `$VIRTUAL_ENV`, `.venv/` or
//!    `venv/` in the project folder, `$CONDA_PREFIX`) and whether its `fireworks-ai` satisfies
//!    the target's range and the project's pin (FW502's judgement, `crate::installed`).
//! 2. For every frame of the run's traceback that lies in the project: the findings of
//!    `--check` in the frame's statement, each with the command that fixes it.
//! 3. For every line of the output that the table of known errors recognises: the cause, the
//!    remedy, the command, and the findings in the project of the rules that find the cause.
//! 4. How many findings the project has besides.
//!
//! Exit 0 when nothing is wrong that fwmigrate can see (no verdict against the SDK, no finding,
//! no recognised error that needs action), 1 otherwise, 2 when it could not do its job.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, ValueEnum};
use fwmigrate_doctor::environment::{self, Ambient, Environment, Via};
use fwmigrate_doctor::known::{self, KnownError};
use fwmigrate_doctor::traceback::{self, Frame};
use fwmigrate_parser::statements::{child_bodies, statement_path};
use fwmigrate_parser::{ParsedFile, Ranged, SourceKind, TextRange, TextSize, ast};
use rayon::prelude::*;
use serde_json::{Value, json};

use crate::args::Args;
use crate::output::{self, Style};
use crate::process::{Job, Record};
use crate::{Resolver, walk};
use fwmigrate_workspace::installed::{self, Problem};
use fwmigrate_workspace::sdk_pin;

/// The output formats of `fwmigrate doctor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DoctorFormat {
    /// Text, most important first (the default).
    Full,
    /// The same text.
    Concise,
    /// One JSON object.
    Json,
}

/// Check the installed fireworks-ai, then explain the error a run just printed.
///
/// Pipe the run's output in (`python train.py 2>&1 | fwmigrate doctor -`) or name it with
/// `--log FILE`. Without it, doctor checks the environment and the project only.
#[derive(Debug, Clone, Parser)]
#[command(name = "fwmigrate doctor", version, max_term_width = 100)]
pub struct DoctorArgs {
    /// The project's files or folders (default: the current folder); `-` reads the run's
    /// output from stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The run's output (a traceback, a log): a file, or `-` for stdin.
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// The Python environment to check: an interpreter or an environment folder (default:
    /// $VIRTUAL_ENV, else .venv/ or venv/ in the project folder, else $CONDA_PREFIX).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Cookbook release the project aims at (as for `fwmigrate --target`).
    #[arg(long, value_name = "RELEASE")]
    pub target: Option<String>,
    /// The fireworks-ai release the conformance rules check against (as for `fwmigrate`).
    #[arg(long, value_name = "VERSION")]
    pub sdk_version: Option<String>,
    /// Use this configuration file for every checked file.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Ignore configuration files.
    #[arg(long)]
    pub isolated: bool,
    /// Extra cookbook package roots (e.g. a vendored copy); repeatable.
    #[arg(long = "cookbook-module", value_name = "MODULE")]
    pub cookbook_modules: Vec<String>,
    /// How the diagnosis is printed.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub output_format: Option<DoctorFormat>,
    #[arg(long, hide = true)]
    pub no_progress: bool,
}

/// How many findings one known error lists before it says how many more there are.
const LISTED: usize = 10;

/// `fwmigrate doctor ARGS` (`args`: what follows the word `doctor`).
pub fn main(args: impl Iterator<Item = OsString>) -> ExitCode {
    crate::deep_default_stacks();
    let argv = std::iter::once(OsString::from("fwmigrate doctor")).chain(args);
    crate::command_entry("fwmigrate doctor", DoctorArgs::try_parse_from(argv), run)
}

/// The installed-SDK verdict.
struct Verdict {
    environment: Option<Environment>,
    /// Where an environment was looked for (when none was found).
    searched: String,
    target: String,
    required: String,
    problem: Option<Problem>,
    /// The project's pins the installed release was held against.
    pins: Vec<String>,
    /// Where `--check` reports it (FW502), when the project has a manifest.
    finding: Option<Record>,
}

impl Verdict {
    fn is_bad(&self) -> bool {
        self.problem.is_some()
    }
}

/// One frame of a traceback, placed in the project.
struct PlacedFrame {
    frame: Frame,
    /// The project file (as findings name it), `None` outside the project.
    path: Option<String>,
    /// The frame's statement, first and last line.
    statement: Option<(usize, usize)>,
    findings: Vec<usize>,
    /// When the statement has none: the findings elsewhere in its file (the import Python
    /// rejects may be reported at its use, where the fix is).
    in_file: Vec<usize>,
}

struct PlacedTraceback {
    error: Option<String>,
    frames: Vec<PlacedFrame>,
    outside: usize,
}

/// A known error met in the input.
struct Met {
    entry: &'static KnownError,
    /// The first line that matched.
    line: String,
    /// The input's line numbers that matched.
    lines: Vec<usize>,
    findings: Vec<usize>,
}

fn run(args: &DoctorArgs) -> Result<u8, String> {
    let input = read_input(args)?;
    let (paths, project) = project_paths(args);

    // 1. The environment, as doctor looks for it; the check below judges that one too.
    let ambient = Ambient::from_process();
    let environment = environment::find(
        args.python.as_deref().map(|p| (p, Via::Flag)),
        &ambient,
        &project,
    )
    .map_err(|e| format!("--python: {e}"))?;
    let searched = environment::searched(args.python.is_some(), &ambient, &project);

    let check_args = check_args(args, &paths)?;
    let mut resolver = Resolver::new(&check_args.overrides()).map_err(|e| e.to_string())?;
    if let Some(env) = &environment {
        resolver = resolver.with_environment(env.clone(), searched.clone());
    }
    let resolver = Arc::new(resolver);
    let project_settings = resolver.settings_for(&project).map_err(|e| e.to_string())?;
    let records = check(&check_args, &resolver, &paths)?;
    let config_errors = resolver.errors();
    if !config_errors.is_empty() {
        return Err(config_errors.join("\n"));
    }

    let target = &project_settings.target;
    let pins = if args.isolated {
        Vec::new()
    } else {
        let root = project_settings
            .config
            .as_ref()
            .map_or_else(|| project.clone(), |c| c.root.clone());
        sdk_pin::read_project_pin(&root)
    };
    let verdict = Verdict {
        problem: environment
            .as_ref()
            .and_then(|env| installed::judge(env, target, &pins)),
        environment,
        searched,
        target: target.to_string(),
        required: target.min_sdk_specifier().to_string(),
        pins: pins.iter().map(ToString::to_string).collect(),
        finding: records.iter().find(|r| r.code == "FW502").cloned(),
    };

    // 2. and 3.
    let output = input.as_deref().map(traceback::parse).unwrap_or_default();
    let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
    let places = Places::new(&paths, &cwd);
    let by_file = index_by_file(&records);
    let mut shown: BTreeSet<usize> = BTreeSet::new();
    let tracebacks: Vec<PlacedTraceback> = output
        .tracebacks
        .iter()
        .map(|tb| place(tb, &places, &records, &by_file, &mut shown))
        .collect();
    let met = known_errors_met(&output.lines, &records, &mut shown);
    let others: Vec<&Record> = (0..records.len())
        .filter(|i| !shown.contains(i) && records[*i].code != "FW502")
        .map(|i| &records[i])
        .collect();

    let frame_findings = tracebacks
        .iter()
        .flat_map(|t| &t.frames)
        .any(|f| !f.findings.is_empty());
    let bad = verdict.is_bad()
        || frame_findings
        || met.iter().any(|m| !m.entry.benign)
        || !others.is_empty();
    let fix = FixCommand::new(args);
    let report = Report {
        verdict: &verdict,
        input: input.as_ref().map(|_| output.lines.len()),
        tracebacks: &tracebacks,
        met: &met,
        records: &records,
        others: &others,
        fix: &fix,
    };
    let text = match args.output_format {
        Some(DoctorFormat::Json) => {
            serde_json::to_string_pretty(&report.json()).map_err(|e| e.to_string())? + "\n"
        }
        _ => report.text(),
    };
    print!("{text}");
    Ok(u8::from(bad))
}

/// The run output to explain: standard input (`-`), the `--log` file, or none.
fn read_input(args: &DoctorArgs) -> Result<Option<String>, String> {
    let from_stdin = args.log.as_deref() == Some(Path::new("-"))
        || args.paths.iter().any(|p| p.as_os_str() == "-");
    let bytes = if from_stdin {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        bytes
    } else if let Some(log) = &args.log {
        std::fs::read(log).map_err(|e| format!("{}: {e}", log.display()))?
    } else {
        return Ok(None);
    };
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// The paths to check (`.` when none is given) and the project folder: the first folder among
/// them, else the first file's folder.
fn project_paths(args: &DoctorArgs) -> (Vec<PathBuf>, PathBuf) {
    let mut paths: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let project = paths
        .iter()
        .find(|p| p.is_dir())
        .cloned()
        .or_else(|| {
            paths[0]
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(|| PathBuf::from("."));
    (paths, project)
}

/// The known errors among the input's lines, once each (with every line that shows it) and
/// with the findings of their rules, which join `shown`. FW502 is the verdict at the top.
fn known_errors_met(
    lines: &[traceback::Line],
    records: &[Record],
    shown: &mut BTreeSet<usize>,
) -> Vec<Met> {
    let mut met: Vec<Met> = Vec::new();
    for line in lines {
        let Some(entry) = known::classify(&line.text) else {
            continue;
        };
        match met.iter_mut().find(|m| m.entry.id == entry.id) {
            Some(m) => m.lines.push(line.number),
            None => met.push(Met {
                entry,
                line: line.text.clone(),
                lines: vec![line.number],
                findings: Vec::new(),
            }),
        }
    }
    for m in &mut met {
        m.findings = (0..records.len())
            .filter(|&i| {
                let code = records[i].code;
                code != "FW502" && m.entry.rules.iter().any(|r| code == r.as_str())
            })
            .collect();
        shown.extend(m.findings.iter().copied());
    }
    met
}

/// The command line of the `--check` that doctor runs.
fn check_args(args: &DoctorArgs, paths: &[PathBuf]) -> Result<Args, String> {
    let mut argv: Vec<OsString> =
        vec!["fwmigrate".into(), "--check".into(), "--no-progress".into()];
    if let Some(t) = &args.target {
        argv.push(format!("--target={t}").into());
    }
    if let Some(v) = &args.sdk_version {
        argv.push(format!("--sdk-version={v}").into());
    }
    if let Some(c) = &args.config {
        argv.push("--config".into());
        argv.push(c.clone().into());
    }
    if args.isolated {
        argv.push("--isolated".into());
    }
    for m in &args.cookbook_modules {
        argv.push(format!("--cookbook-module={m}").into());
    }
    argv.push("--".into());
    argv.extend(paths.iter().map(|p| p.clone().into_os_string()));
    Args::try_parse_from(argv).map_err(|e| {
        e.to_string()
            .lines()
            .next()
            .unwrap_or("invalid arguments")
            .trim_start_matches("error: ")
            .to_string()
    })
}

/// `fwmigrate --check` on `paths`: every finding, files in path order.
fn check(args: &Args, resolver: &Arc<Resolver>, paths: &[PathBuf]) -> Result<Vec<Record>, String> {
    let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let (files, _errors) = walk::discover(paths, resolver, true, false, threads);
    let job = Job {
        resolver,
        mode: args.mode(),
        max_file_size: args.max_file_size,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(crate::WORKER_STACK)
        .build()
        .map_err(|e| e.to_string())?;
    let mut results = pool.install(|| {
        files
            .into_par_iter()
            .map_init(walk::Worker::default, |worker, file| {
                crate::run_guarded(&job, &file, worker)
            })
            .filter(|r| !r.is_empty())
            .collect::<Vec<_>>()
    });
    walk::sort_by_path(&mut results, |r| Path::new(&r.path));
    Ok(results.into_iter().flat_map(|r| r.records).collect())
}

/// Findings by the file they are in (canonical path), as indexes into the list.
fn index_by_file(records: &[Record]) -> HashMap<PathBuf, Vec<usize>> {
    let mut out: HashMap<PathBuf, Vec<usize>> = HashMap::new();
    let mut canonical: HashMap<&str, Option<PathBuf>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        let key = canonical
            .entry(r.path.as_str())
            .or_insert_with(|| Path::new(&r.path).canonicalize().ok());
        if let Some(k) = key {
            out.entry(k.clone()).or_default().push(i);
        }
    }
    out
}

/// What counts as the project: the folders and files checked.
struct Places {
    folders: Vec<PathBuf>,
    files: Vec<PathBuf>,
    cwd: PathBuf,
}

impl Places {
    fn new(paths: &[PathBuf], cwd: &Path) -> Self {
        let canonical: Vec<PathBuf> = paths.iter().filter_map(|p| p.canonicalize().ok()).collect();
        let (folders, files) = canonical.into_iter().partition(|p| p.is_dir());
        Self {
            folders,
            files,
            cwd: cwd.to_path_buf(),
        }
    }

    /// The project file a frame names, canonical: the file itself when it is in the project;
    /// for a path that does not exist here (a log from another machine), the project file
    /// that ends with the longest part of it.
    fn locate(&self, file: &str) -> Option<PathBuf> {
        let path = Path::new(file);
        let absolute = self.cwd.join(path);
        if let Ok(c) = absolute.canonicalize() {
            let inside = self.files.contains(&c) || self.folders.iter().any(|f| c.starts_with(f));
            return (inside && c.is_file()).then_some(c);
        }
        let parts: Vec<&std::ffi::OsStr> = path
            .components()
            .filter_map(|c| match c {
                std::path::Component::Normal(p) => Some(p),
                _ => None,
            })
            .collect();
        for k in (1..=parts.len()).rev() {
            let suffix: PathBuf = parts[parts.len() - k..].iter().collect();
            for folder in &self.folders {
                if let Ok(c) = folder.join(&suffix).canonicalize()
                    && c.is_file()
                    && c.starts_with(folder)
                {
                    return Some(c);
                }
            }
            if let Some(f) = self.files.iter().find(|f| f.ends_with(&suffix)) {
                return Some(f.clone());
            }
        }
        None
    }
}

/// Place a traceback's frames in the project, with the findings of each frame's statement.
fn place(
    tb: &traceback::Traceback,
    places: &Places,
    records: &[Record],
    by_file: &HashMap<PathBuf, Vec<usize>>,
    shown: &mut BTreeSet<usize>,
) -> PlacedTraceback {
    let mut frames = Vec::new();
    let mut outside = 0;
    let mut seen: BTreeSet<(String, usize)> = BTreeSet::new();
    for frame in &tb.frames {
        let Some(file) = places.locate(&frame.file) else {
            outside += 1;
            continue;
        };
        if !seen.insert((file.display().to_string(), frame.line)) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let statement = statement_rows(&text, frame.line);
        let (lo, hi) = statement.unwrap_or((frame.line, frame.line));
        let in_file = by_file.get(&file).map(Vec::as_slice).unwrap_or_default();
        let findings: Vec<usize> = in_file
            .iter()
            .copied()
            .filter(|&i| {
                let r = &records[i];
                r.code != "FW502" && r.cell.is_none() && (lo..=hi).contains(&r.start.0)
            })
            .collect();
        let elsewhere: Vec<usize> = if findings.is_empty() {
            in_file
                .iter()
                .copied()
                .filter(|&i| records[i].code != "FW502" && !shown.contains(&i))
                .collect()
        } else {
            Vec::new()
        };
        shown.extend(findings.iter().copied());
        shown.extend(elsewhere.iter().copied());
        let path = in_file
            .first()
            .map(|&i| records[i].path.clone())
            .unwrap_or_else(|| environment::shown(&file));
        frames.push(PlacedFrame {
            frame: frame.clone(),
            path: Some(path),
            statement,
            findings,
            in_file: elsewhere,
        });
    }
    PlacedTraceback {
        error: tb.error.clone(),
        frames,
        outside,
    }
}

/// The first and last line (1-based) of the statement that line `line` of `text` belongs to:
/// the innermost simple statement, or a compound statement's header (`with`, `for`, `def`...)
/// without its body. `None` when the text does not parse or has no such line.
fn statement_rows(text: &str, line: usize) -> Option<(usize, usize)> {
    let file = ParsedFile::parse(text, SourceKind::Python).ok()?;
    let lines = file.lines();
    if line == 0 || line > lines.line_count() {
        return None;
    }
    let start = lines.line_start(line - 1).to_usize();
    let end = if line < lines.line_count() {
        lines.line_start(line).to_usize()
    } else {
        text.len()
    };
    let slice = text.get(start..end)?;
    let lead = start + (slice.len() - slice.trim_start().len());
    let tail = (start + slice.trim_end().len()).max(lead);
    let offset = |o: usize| TextSize::try_from(o).ok();
    let content = TextRange::new(offset(lead)?, offset(tail)?);
    let path = statement_path(file.suite(), content);
    let path = if path.is_empty() {
        statement_path(file.suite(), TextRange::empty(offset(lead)?))
    } else {
        path
    };
    let mut stmt = *path.last()?;
    let body_start = |s: &ast::Stmt| {
        child_bodies(s)
            .iter()
            .filter_map(|b| b.first())
            .map(|b| b.range().start())
            .min()
    };
    // A line whose statements no one statement holds (`return 1; z = 2` in a body): the
    // statement where its text starts.
    if body_start(stmt).is_some_and(|b| content.end() > b)
        && let Some(inner) = statement_path(file.suite(), TextRange::empty(offset(lead)?))
            .last()
            .copied()
    {
        stmt = inner;
    }
    let range = stmt.range();
    let first = lines.line_of(range.start()) + 1;
    let last = match body_start(stmt) {
        // The header: up to the line before the body's (1-based, that is the body's 0-based
        // line), or its own line for `if x: y()`.
        Some(body) if content.end() <= body => lines.line_of(body),
        _ => {
            let end = range
                .end()
                .checked_sub(TextSize::from(1))
                .unwrap_or(range.start())
                .max(range.start());
            lines.line_of(end) + 1
        }
    };
    Some((first, last.max(first)))
}

/// The command that fixes a finding, with the options doctor was given that change what
/// `fwmigrate` finds.
struct FixCommand {
    flags: String,
}

impl FixCommand {
    fn new(args: &DoctorArgs) -> Self {
        let mut flags = String::new();
        if let Some(t) = &args.target {
            let _ = write!(flags, " --target {t}");
        }
        if let Some(v) = &args.sdk_version {
            let _ = write!(flags, " --sdk-version {v}");
        }
        if let Some(c) = &args.config {
            let _ = write!(flags, " --config {}", c.display());
        }
        if args.isolated {
            flags.push_str(" --isolated");
        }
        for m in &args.cookbook_modules {
            let _ = write!(flags, " --cookbook-module {m}");
        }
        Self { flags }
    }

    /// `("fix", command)` for a finding `--apply` fixes, `("fix", ... --unsafe-fixes)` for an
    /// unsafe one, `("see", fwmigrate --explain CODE)` for one without a fix to apply.
    fn of(&self, r: &Record) -> (&'static str, String) {
        let path = shell_word(&r.path);
        if r.fixable {
            ("fix", format!("fwmigrate --apply{} {path}", self.flags))
        } else if r.fixable_unsafe {
            (
                "fix",
                format!(
                    "fwmigrate --apply --unsafe-fixes{} {path}  (review the change)",
                    self.flags
                ),
            )
        } else {
            ("see", format!("fwmigrate --explain {}", r.code))
        }
    }

    /// Every finding's own command, for the JSON output.
    fn command(&self, r: &Record) -> String {
        self.of(r).1
    }

    /// The one command for a known error whose entry names `fwmigrate --apply`.
    fn table_command(&self, command: &str) -> String {
        match command.strip_prefix("fwmigrate ") {
            Some(rest) if !self.flags.is_empty() => {
                let (first, tail) = rest.split_once(' ').unwrap_or((rest, ""));
                let tail = if tail.is_empty() {
                    String::new()
                } else {
                    format!(" {tail}")
                };
                format!("fwmigrate {first}{}{tail}", self.flags)
            }
            _ => command.to_string(),
        }
    }
}

fn shell_word(text: &str) -> String {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '+' | ':'))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Everything doctor says.
struct Report<'a> {
    verdict: &'a Verdict,
    /// How many non-blank lines the input had; `None` when none was given.
    input: Option<usize>,
    tracebacks: &'a [PlacedTraceback],
    met: &'a [Met],
    records: &'a [Record],
    others: &'a [&'a Record],
    fix: &'a FixCommand,
}

const OK: &str = "[✓]";
const BAD: &str = "[✗]";
const WARN: &str = "[!]";
const INFO: &str = "[i]";

impl Report<'_> {
    fn finding_lines(&self, out: &mut String, indent: &str, r: &Record) {
        let mut line = String::new();
        output::concise(&mut line, r, Style { color: false });
        let _ = write!(out, "{indent}{BAD} {line}");
        let (label, command) = self.fix.of(r);
        let _ = writeln!(out, "{indent}    {label}: {command}");
    }

    fn text(&self) -> String {
        let mut out = String::new();
        self.sdk_verdict(&mut out);
        self.traceback_frames(&mut out);
        self.known_errors(&mut out);
        self.input_note(&mut out);
        self.elsewhere(&mut out);
        out
    }

    /// The installed SDK against the target's range: the verdict at the top.
    fn sdk_verdict(&self, out: &mut String) {
        let v = self.verdict;
        match (&v.environment, &v.problem) {
            (None, _) => {
                let _ = writeln!(
                    out,
                    "{WARN} No Python environment found ({}): the installed fireworks-ai was not checked against {} (cookbook {})",
                    v.searched, v.required, v.target
                );
                let _ = writeln!(
                    out,
                    "    fix: fwmigrate doctor --python PATH  (an interpreter, or an environment folder)"
                );
            }
            (Some(_), Some(problem)) => {
                let _ = writeln!(out, "{BAD} {}", problem.summary);
                let _ = writeln!(out, "    fix: {}", problem.command);
                if let Some(r) = &v.finding {
                    let _ = writeln!(
                        out,
                        "    reported as FW502 at {}:{}:{}",
                        r.path, r.start.0, r.start.1
                    );
                }
            }
            (Some(env), None) => {
                let version = env
                    .installed
                    .as_ref()
                    .map_or_else(String::new, |i| i.version.clone());
                let pins = if v.pins.is_empty() {
                    String::new()
                } else {
                    format!(" and the project's pin ({})", v.pins.join("; "))
                };
                let _ = writeln!(
                    out,
                    "{OK} fireworks-ai {version} in {} satisfies {}, cookbook {}'s SDK range{pins}",
                    env.describe(),
                    v.required,
                    v.target
                );
            }
        }
    }

    /// Each traceback of the input, frame by frame, with the findings at each frame's statement.
    fn traceback_frames(&self, out: &mut String) {
        for tb in self.tracebacks {
            if tb.frames.is_empty() && tb.outside == 0 {
                continue;
            }
            let _ = writeln!(
                out,
                "\nTraceback: {}",
                tb.error.as_deref().unwrap_or("(no error line)")
            );
            for f in &tb.frames {
                let function = f
                    .frame
                    .function
                    .as_deref()
                    .map_or_else(String::new, |f| format!(" in {f}"));
                let path = f.path.as_deref().unwrap_or(&f.frame.file);
                let lines = match f.statement {
                    Some((lo, hi)) if lo != hi => format!(" (statement: lines {lo}-{hi})"),
                    _ => String::new(),
                };
                let _ = writeln!(out, "  {path}:{}{function}{lines}", f.frame.line);
                if f.findings.is_empty() {
                    let _ = writeln!(out, "    {OK} no finding in this statement");
                    if !f.in_file.is_empty() {
                        let _ = writeln!(out, "    elsewhere in this file:");
                    }
                    for &i in f.in_file.iter().take(LISTED) {
                        self.finding_lines(out, "    ", &self.records[i]);
                    }
                    if f.in_file.len() > LISTED {
                        let _ = writeln!(
                            out,
                            "    ... and {} more: fwmigrate --check{} {}",
                            f.in_file.len() - LISTED,
                            self.fix.flags,
                            shell_word(f.path.as_deref().unwrap_or_default())
                        );
                    }
                }
                for &i in &f.findings {
                    self.finding_lines(out, "    ", &self.records[i]);
                }
            }
            if tb.outside > 0 {
                let _ = writeln!(
                    out,
                    "  ({} outside the project)",
                    crate::plural(tb.outside, "frame")
                );
            }
        }
    }

    /// Each known error met in the input: its cause, remedy, fix, and the findings of its rules.
    fn known_errors(&self, out: &mut String) {
        for m in self.met {
            let e = m.entry;
            let mark = if e.benign { INFO } else { BAD };
            let count = if m.lines.len() > 1 {
                format!(", and {} more", crate::plural(m.lines.len() - 1, "line"))
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "\n{mark} Known error (input line {}{count}): {}",
                m.lines[0],
                shorten(m.line.trim(), 200)
            );
            let _ = writeln!(out, "    cause: {}", e.cause);
            let _ = writeln!(out, "    remedy: {}", e.remedy);
            if let Some(c) = &e.command {
                let _ = writeln!(out, "    fix: {}", self.fix.table_command(c));
            }
            if e.rules.is_empty() {
                let _ = writeln!(out, "    no rule finds this statically");
                continue;
            }
            let rules = e.rules.join(", ");
            let sdk_rule = e.rules.iter().any(|r| r == "FW502");
            let above = if sdk_rule {
                " (FW502: the verdict at the top)"
            } else {
                ""
            };
            if m.findings.is_empty() {
                let _ = writeln!(out, "    rules {rules}{above}: no finding in the project");
                continue;
            }
            let _ = writeln!(
                out,
                "    rules {rules}{above}: {} in the project",
                crate::plural(m.findings.len(), "finding")
            );
            for &i in m.findings.iter().take(LISTED) {
                self.finding_lines(out, "    ", &self.records[i]);
            }
            if m.findings.len() > LISTED {
                let codes: BTreeSet<&str> = m
                    .findings
                    .iter()
                    .map(|&i| self.records[i].code.as_str())
                    .collect();
                let _ = writeln!(
                    out,
                    "    ... and {} more: fwmigrate --check --select {}{}",
                    m.findings.len() - LISTED,
                    codes.into_iter().collect::<Vec<_>>().join(","),
                    self.fix.flags
                );
            }
        }
    }

    /// What the input held, when it gave nothing to explain.
    fn input_note(&self, out: &mut String) {
        let placed = self
            .tracebacks
            .iter()
            .any(|t| !t.frames.is_empty() || t.outside > 0);
        match self.input {
            None => {
                let _ = writeln!(
                    out,
                    "\n{INFO} No run output given: pipe it in (`python train.py 2>&1 | fwmigrate doctor -`) or pass `--log FILE`."
                );
            }
            Some(lines) if self.met.is_empty() && !placed => {
                let _ = writeln!(
                    out,
                    "\n{INFO} No known error and no traceback in the input ({} read).",
                    crate::plural(lines, "line")
                );
            }
            Some(_) => {}
        }
    }

    /// The project's other findings, counted.
    fn elsewhere(&self, out: &mut String) {
        if !self.others.is_empty() {
            let fixable = self.others.iter().filter(|r| r.fixable).count();
            let _ = writeln!(
                out,
                "\n{WARN} Elsewhere in the project: {} ({fixable} fixable): run `fwmigrate --check{}` to see them{}.",
                crate::plural(self.others.len(), "finding"),
                self.fix.flags,
                if fixable > 0 {
                    format!(", `fwmigrate --apply{}` to fix", self.fix.flags)
                } else {
                    String::new()
                }
            );
        }
    }

    fn record(&self, r: &Record) -> Value {
        let mut v = output::json_record(r);
        if let Value::Object(o) = &mut v {
            o.insert("command".to_string(), Value::String(self.fix.command(r)));
        }
        v
    }

    fn json(&self) -> Value {
        let v = self.verdict;
        let environment = json!({
            "found": v.environment.is_some(),
            "location": v.environment.as_ref().map(|e| environment::shown(&e.location)),
            "via": v.environment.as_ref().map(|e| e.via.to_string()),
            "python": v.environment.as_ref().and_then(|e| e.python.as_ref()).map(|p| environment::shown(p)),
            "fireworks_ai": v.environment.as_ref().and_then(|e| e.installed.as_ref()).map(|i| i.version.clone()),
            "searched": v.searched,
            "target": v.target,
            "required": v.required,
            "pins": v.pins,
            "ok": v.environment.as_ref().map(|_| v.problem.is_none()),
            "message": v.problem.as_ref().map(|p| p.message.clone()),
            "command": v.problem.as_ref().map(|p| p.command.clone()),
            "finding": v.finding.as_ref().map(|r| self.record(r)),
        });
        let tracebacks: Vec<Value> = self
            .tracebacks
            .iter()
            .map(|t| {
                json!({
                    "error": t.error,
                    "frames": t.frames.iter().map(|f| json!({
                        "file": f.frame.file,
                        "line": f.frame.line,
                        "function": f.frame.function,
                        "path": f.path,
                        "statement": f.statement.map(|(lo, hi)| json!({"start": lo, "end": hi})),
                        "findings": f.findings.iter().map(|&i| self.record(&self.records[i])).collect::<Vec<_>>(),
                        "findings_elsewhere_in_file": f.in_file.iter().map(|&i| self.record(&self.records[i])).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                    "frames_outside_project": t.outside,
                })
            })
            .collect();
        let known: Vec<Value> = self
            .met
            .iter()
            .map(|m| {
                json!({
                    "id": m.entry.id,
                    "line": m.line,
                    "input_lines": m.lines,
                    "cause": m.entry.cause,
                    "remedy": m.entry.remedy,
                    "command": m.entry.command.as_deref().map(|c| self.fix.table_command(c)),
                    "rules": m.entry.rules,
                    "benign": m.entry.benign,
                    "findings": m.findings.iter().map(|&i| self.record(&self.records[i])).collect::<Vec<_>>(),
                })
            })
            .collect();
        let mut other_codes: BTreeMap<&str, usize> = BTreeMap::new();
        for r in self.others {
            *other_codes.entry(r.code.as_str()).or_default() += 1;
        }
        json!({
            "environment": environment,
            "input": {"given": self.input.is_some(), "lines": self.input.unwrap_or(0)},
            "tracebacks": tracebacks,
            "known_errors": known,
            "other_findings": {
                "count": self.others.len(),
                "fixable": self.others.iter().filter(|r| r.fixable).count(),
                "by_code": other_codes,
            },
        })
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statement_of_a_line() {
        let text = "\
import x

config = Config(
    log_path='l',
    infra=InfraConfig(
        a=1,
    ),
)
with open(p) as f, Mgr(
    infra=2,
):
    y = f(
        1)
def g():
    return 1; z = 2
";
        // Any line of a multi-line statement gives the whole statement.
        assert_eq!(statement_rows(text, 3), Some((3, 8)));
        assert_eq!(statement_rows(text, 6), Some((3, 8)));
        // A compound statement's header, without its body; a statement in the body.
        assert_eq!(statement_rows(text, 9), Some((9, 11)));
        assert_eq!(statement_rows(text, 12), Some((12, 13)));
        assert_eq!(statement_rows(text, 14), Some((14, 14)));
        assert_eq!(statement_rows(text, 15), Some((15, 15)));
        assert_eq!(statement_rows(text, 1), Some((1, 1)));
        // Out of range, or text that does not parse.
        assert_eq!(statement_rows(text, 99), None);
        assert_eq!(statement_rows("def (:\n", 1), None);
    }

    #[test]
    fn frames_from_another_machine_find_their_file_by_its_path_ending() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("proj");
        std::fs::create_dir_all(root.join("scripts")).unwrap();
        std::fs::write(root.join("scripts/train.py"), "x = 1\n").unwrap();
        std::fs::write(dir.path().join("elsewhere.py"), "x = 1\n").unwrap();
        let places = Places::new(std::slice::from_ref(&root), dir.path());
        let here = root.join("scripts/train.py").canonicalize().unwrap();
        assert_eq!(
            places.locate("/home/ci/work/proj/scripts/train.py"),
            Some(here.clone())
        );
        assert_eq!(places.locate(here.to_str().unwrap()), Some(here));
        // A file that exists outside the project is not in it.
        let outside = dir.path().join("elsewhere.py");
        assert_eq!(places.locate(outside.to_str().unwrap()), None);
        assert_eq!(
            places.locate("/usr/lib/python3.11/site-packages/training/x.py"),
            None
        );
    }

    #[test]
    fn fix_commands_carry_the_options_that_change_the_findings() {
        let args = DoctorArgs::try_parse_from(["d", "--target", "2026.06"]).unwrap();
        let fix = FixCommand::new(&args);
        assert_eq!(
            fix.table_command("fwmigrate --apply"),
            "fwmigrate --apply --target 2026.06"
        );
        let plain = FixCommand::new(&DoctorArgs::try_parse_from(["d"]).unwrap());
        assert_eq!(
            plain.table_command("fwmigrate --apply"),
            "fwmigrate --apply"
        );
    }
}

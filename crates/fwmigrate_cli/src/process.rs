//! Checking and fixing one file: read it once, lint it, write it atomically, and turn the
//! outcome into owned records for output.

use std::path::{Path, PathBuf};

use fwmigrate_engine::{Diagnostic, Document, FileOutcome, Mode as EngineMode, SkipReason};
use fwmigrate_rule::{Applicability, RuleCode, Severity};

use crate::args::Mode;
use crate::file_error::FileError;
use crate::walk::{Candidate, FileKind, Worker};
use crate::write::write_atomic;
use fwmigrate_workspace::{FileSettings, Resolver, debug_panic_hook};

/// One finding, owned, with everything output needs.
#[derive(Debug, Clone)]
pub struct Record {
    pub path: String,
    pub code: RuleCode,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub start: (usize, usize),
    pub end: (usize, usize),
    pub fix: Option<FixRecord>,
    /// Why the fix was not applied (`None` when there is nothing to say).
    pub skipped: Option<String>,
    pub fixable: bool,
    pub fixable_unsafe: bool,
    /// The source lines of the finding (first to last, at most a few), 1-based numbers.
    pub excerpt: Vec<(usize, String)>,
    /// For notebooks: the 1-based cell the finding is in (rows count from the cell's start).
    pub cell: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct FixRecord {
    pub applicability: Applicability,
    pub title: String,
    pub suggestion: Option<String>,
    pub edits: Vec<EditRecord>,
}

#[derive(Debug, Clone)]
pub struct EditRecord {
    pub content: String,
    pub start: (usize, usize),
    pub end: (usize, usize),
}

/// The outcome for one file.
#[derive(Debug, Default)]
pub struct FileResult {
    pub path: String,
    pub records: Vec<Record>,
    pub errors: Vec<FileError>,
    pub changed: bool,
    pub fixes_applied: usize,
    pub diff: Option<String>,
    /// For stdin with `--apply`: the text to print.
    pub stdout_text: Option<String>,
    /// For requirements files: files they include with `-r` / `-c`.
    pub includes: Vec<PathBuf>,
}

impl FileResult {
    fn named(mut self, path: &Path) -> Self {
        self.path = display(path);
        self
    }

    /// Nothing to report, print or count.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
            && self.errors.is_empty()
            && !self.changed
            && self.fixes_applied == 0
            && self.diff.is_none()
            && self.stdout_text.is_none()
            && self.includes.is_empty()
    }
}

/// The result for a file whose processing panicked: one FW999 finding, nothing written.
pub fn internal_error(path: &Path, panic: &(dyn std::any::Any + Send)) -> FileResult {
    let what = fwmigrate_engine::panic_message(panic);
    let d = fwmigrate_engine::panic_diagnostic(
        "while processing this file",
        &what,
        Some("it was left unchanged"),
    );
    let path = display(path);
    FileResult {
        records: vec![Record {
            path: path.clone(),
            code: d.rule.code,
            name: d.rule.name,
            severity: d.severity(),
            message: d.message,
            start: (d.start.row, d.start.column),
            end: (d.end.row, d.end.column),
            fix: None,
            skipped: None,
            fixable: false,
            fixable_unsafe: false,
            excerpt: Vec::new(),
            cell: None,
        }],
        path,
        ..FileResult::default()
    }
}

/// What [`Job::prepare`] leaves.
pub enum Prepared {
    /// Nothing more to do (most files: the result is empty).
    Done(FileResult),
    /// A file that passed the prefilter.
    Pending(Pending),
}

/// A file read and past the prefilter, waiting to be parsed and linted.
pub struct Pending {
    kind: FileKind,
    /// A manifest named by another manifest's include.
    included: bool,
    pub path: PathBuf,
    bytes: Vec<u8>,
    settings: std::sync::Arc<FileSettings>,
    result: FileResult,
}

pub struct Job<'a> {
    pub resolver: &'a Resolver,
    pub mode: Mode,
    pub max_file_size: u64,
}

fn display(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

impl Job<'_> {
    /// Check and fix one file.
    pub fn run(&self, candidate: &Candidate, worker: &mut Worker) -> FileResult {
        match self.prepare(candidate, worker) {
            Prepared::Done(result) => result,
            Prepared::Pending(pending) => self.finish(pending),
        }
    }

    /// The cheap first half of [`Job::run`]: settings, one read, the prefilter. Most files end
    /// here; the others come back with their bytes for [`Job::finish`].
    pub fn prepare(&self, candidate: &Candidate, worker: &mut Worker) -> Prepared {
        self.prepare_as(candidate, false, worker)
    }

    fn prepare_as(&self, candidate: &Candidate, included: bool, worker: &mut Worker) -> Prepared {
        let path = &candidate.path;
        // Most files are read, found clean and dropped: their result stays empty and costs no
        // allocation (the path is spelled out only when there is something to say).
        let mut result = FileResult::default();
        if crate::interrupted() {
            return Prepared::Done(result);
        }
        let settings = match worker.settings.get(self.resolver, path) {
            Ok(s) => s,
            Err(e) => {
                result.errors.push(FileError::Config(e));
                return Prepared::Done(result.named(path));
            }
        };
        let linter = &settings.linter;
        if candidate.kind == FileKind::Manifest && !included && !linter.wants_text_file(path) {
            return Prepared::Done(result);
        }
        if candidate.kind == FileKind::Yaml && !linter.wants_yaml(path) {
            return Prepared::Done(result);
        }
        if matches!(candidate.kind, FileKind::Python | FileKind::Stub) && !linter.has_python_rules()
        {
            return Prepared::Done(result);
        }
        // One open, one fstat, one read into the thread's buffer: the size limit is checked on
        // the open file.
        let buf = &mut worker.buf;
        if let Err(e) = read_limited(path, self.max_file_size, buf) {
            result.errors.push(match e {
                ReadError::TooLarge(len) => FileError::TooLarge {
                    len,
                    limit: self.max_file_size,
                },
                ReadError::Io(e) => FileError::Read(e),
            });
            return Prepared::Done(result.named(path));
        }
        if prefiltered_out(candidate.kind, linter, buf) {
            return Prepared::Done(result);
        }
        // The file goes on: it takes the buffer (the thread starts a new one, which only
        // candidate files cost).
        result.path = display(path);
        Prepared::Pending(Pending {
            kind: candidate.kind,
            included,
            path: path.clone(),
            bytes: std::mem::take(buf),
            settings,
            result,
        })
    }

    /// The second half of [`Job::run`]: parse, lint, fix, write.
    pub fn finish(&self, pending: Pending) -> FileResult {
        let Pending {
            kind,
            included,
            path,
            bytes,
            settings,
            mut result,
        } = pending;
        debug_panic_hook(&path);
        let source = Source {
            kind,
            included,
            stdin: false,
        };
        self.run_bytes(source, &path, bytes, &settings, &mut result);
        result
    }

    /// Check and fix a manifest that another one includes (`-r base.txt`), whatever its name.
    pub fn run_included(&self, path: &Path, worker: &mut Worker) -> FileResult {
        let candidate = Candidate {
            path: path.to_path_buf(),
            kind: FileKind::Manifest,
            explicit: true,
        };
        match self.prepare_as(&candidate, true, worker) {
            Prepared::Done(result) => result,
            Prepared::Pending(pending) => self.finish(pending),
        }
    }

    /// Lint text read from stdin.
    pub fn run_stdin(&self, name: &Path, bytes: Vec<u8>) -> FileResult {
        let mut result = FileResult {
            path: display(name),
            ..FileResult::default()
        };
        let kind = crate::walk::kind_of(name).unwrap_or(FileKind::Python);
        match self.resolver.settings_for(name) {
            Ok(settings) if prefiltered_out(kind, &settings.linter, &bytes) => {
                if self.mode == Mode::Apply {
                    result.stdout_text = Some(String::from_utf8_lossy(&bytes).into_owned());
                }
            }
            Ok(settings) => {
                let source = Source {
                    kind,
                    included: false,
                    stdin: true,
                };
                self.run_bytes(source, name, bytes, &settings, &mut result)
            }
            Err(e) => result.errors.push(FileError::Config(e)),
        }
        result
    }

    fn run_bytes(
        &self,
        source: Source,
        path: &Path,
        bytes: Vec<u8>,
        settings: &FileSettings,
        result: &mut FileResult,
    ) {
        let linter = &settings.linter;
        if bytes.contains(&0) {
            result.errors.push(FileError::Binary);
            return;
        }
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) if source.kind == FileKind::Yaml => {
                // Only a provisioning config is reported (FW000); any other YAML file is not
                // fwmigrate's to judge.
                let valid_up_to = e.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let outcome = linter.lint_yaml_not_utf8(path, &lossy, valid_up_to);
                result.records = records(&result.path, &outcome, &lossy);
                return;
            }
            Err(e) => {
                result.errors.push(FileError::NotUtf8 {
                    valid_up_to: e.utf8_error().valid_up_to(),
                });
                return;
            }
        };
        let (bom, body) = fwmigrate_engine::split_bom(&text);
        let engine_mode = match self.mode {
            Mode::Check => EngineMode::Check,
            Mode::Diff | Mode::Apply => EngineMode::Fix,
        };
        let doc = Document {
            path,
            text: body,
            source_type: source.kind,
            included: source.included,
        };
        let mut outcome: FileOutcome = linter.lint(&doc, engine_mode);
        if let Some(e) = &outcome.error {
            result.errors.push(FileError::Notebook(e.clone()));
            return;
        }
        result.includes = std::mem::take(&mut outcome.includes);
        result.records = records(&result.path, &outcome, body);
        result.fixes_applied = outcome.fixes_applied;
        if let Some(fixed) = &outcome.fixed {
            let new_text = format!("{bom}{fixed}");
            let written = self.finish_fixed(path, &text, new_text, result, source.stdin);
            if !written && self.mode == Mode::Apply && !source.stdin {
                // Report what the file on disk still has.
                let check = linter.lint(&doc, EngineMode::Check);
                result.records = records(&result.path, &check, body);
            }
        } else if source.stdin && self.mode == Mode::Apply {
            result.stdout_text = Some(text.clone());
        }
    }

    /// Diff, print or write a changed file. Returns false when a write failed.
    fn finish_fixed(
        &self,
        path: &Path,
        text: &str,
        new_text: String,
        result: &mut FileResult,
        stdin: bool,
    ) -> bool {
        {
            match self.mode {
                Mode::Check => {}
                Mode::Diff => {
                    result.diff = Some(unified_diff(&result.path, text, &new_text));
                    result.changed = true;
                }
                Mode::Apply if stdin => {
                    result.changed = true;
                    result.stdout_text = Some(new_text);
                }
                // Interrupted: leave the file as it was rather than start a write.
                Mode::Apply if crate::interrupted() => {
                    result.fixes_applied = 0;
                    return false;
                }
                Mode::Apply => match write_atomic(path, text.as_bytes(), new_text.as_bytes()) {
                    Ok(()) => result.changed = true,
                    Err(e) => {
                        result.errors.push(FileError::Write(e));
                        result.fixes_applied = 0;
                        return false;
                    }
                },
            }
        }
        true
    }
}

enum ReadError {
    TooLarge(u64),
    Io(std::io::Error),
}

/// Whether the prefilter rules the file out: a source file without a needle cannot have a
/// finding. Manifests go to the text rules, which decide by name.
fn prefiltered_out(kind: FileKind, linter: &fwmigrate_engine::Linter, bytes: &[u8]) -> bool {
    match kind {
        FileKind::Python | FileKind::Stub => !linter.may_match(bytes),
        FileKind::Notebook => !linter.may_match_raw_notebook(bytes),
        // Only a provisioning config, by its top-level keys: other YAML files stop here.
        FileKind::Yaml => !fwmigrate_yaml::recognise_bytes(bytes),
        _ => false,
    }
}

/// A thread's read buffer larger than this is not kept for the next file.
const KEPT_BUFFER: usize = 4 << 20;

/// Read a whole file into `buf` (replacing what it held), unless it is larger than `limit`
/// bytes.
fn read_limited(path: &Path, limit: u64, buf: &mut Vec<u8>) -> Result<(), ReadError> {
    use std::io::Read;
    buf.clear();
    if buf.capacity() > KEPT_BUFFER {
        *buf = Vec::new();
    }
    let mut file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let len = file.metadata().map_err(ReadError::Io)?.len();
    if len > limit {
        return Err(ReadError::TooLarge(len));
    }
    let need = usize::try_from(len).unwrap_or(0).saturating_add(1);
    if buf.capacity() < need {
        // A fresh block: growing the old one would copy bytes that are no longer wanted.
        *buf = Vec::with_capacity(need.next_power_of_two());
    }
    // `take` keeps a file that grows while it is read within the limit.
    (&mut file)
        .take(limit.saturating_add(1))
        .read_to_end(buf)
        .map_err(ReadError::Io)?;
    if buf.len() as u64 > limit {
        return Err(ReadError::TooLarge(buf.len() as u64));
    }
    Ok(())
}

/// How a file came to be linted.
#[derive(Clone, Copy)]
struct Source {
    kind: FileKind,
    /// A manifest named by another manifest's include.
    included: bool,
    /// Read from stdin: the result is printed, not written.
    stdin: bool,
}

/// Turn an outcome's diagnostics into records (`document`: the text that was linted).
pub fn records(path: &str, outcome: &FileOutcome, document: &str) -> Vec<Record> {
    if outcome.diagnostics.is_empty() {
        return Vec::new();
    }
    let at = outcome.locator(document);
    outcome
        .diagnostics
        .iter()
        .map(|d| Record {
            path: path.to_string(),
            code: d.rule.code,
            name: d.rule.name,
            severity: d.severity(),
            message: d.message.clone(),
            start: (d.start.row, d.start.column),
            end: (d.end.row, d.end.column),
            fix: d.fix.as_ref().map(|f| FixRecord {
                applicability: f.applicability,
                title: f.title.clone(),
                suggestion: f.suggestion.clone(),
                edits: f
                    .edits
                    .iter()
                    .map(|e| {
                        let s = at.location(d, e.range.start());
                        let en = at.location(d, e.range.end());
                        EditRecord {
                            content: e.content.clone(),
                            start: (s.row, s.column),
                            end: (en.row, en.column),
                        }
                    })
                    .collect(),
            }),
            skipped: skip_message(d),
            fixable: d.fixable,
            fixable_unsafe: d.fixable_unsafe,
            excerpt: at
                .excerpt(d, 5)
                .into_iter()
                .map(|(row, line)| (row, line.to_string()))
                .collect(),
            cell: d.cell,
        })
        .collect()
}

fn skip_message(d: &Diagnostic) -> Option<String> {
    let fix = d.fix.as_ref()?;
    match &d.skipped {
        None | Some(SkipReason::NotRequested) => None,
        Some(SkipReason::Unsafe) => Some(match &fix.reason {
            Some(r) => format!("unsafe ({r}): rerun with --unsafe-fixes"),
            None => SkipReason::Unsafe.message().to_string(),
        }),
        Some(SkipReason::DisplayOnly) => Some(match &fix.reason {
            Some(r) => format!("display-only: {r}"),
            None => "display-only".to_string(),
        }),
        Some(other) => Some(other.message().to_string()),
    }
}

/// A unified diff with 3 lines of context, `--- path` / `+++ path`.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(path, path)
        .to_string()
}

/// Paths as given, for messages.
pub fn stdin_name(name: Option<&PathBuf>) -> PathBuf {
    name.cloned().unwrap_or_else(|| PathBuf::from("-"))
}

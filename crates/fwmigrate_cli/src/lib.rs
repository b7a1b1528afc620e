//! The `fwmigrate` command line. The binary (the workspace's root package) calls [`main`].

mod args;
pub mod doctor;
mod file_error;
mod output;
mod process;
mod version;
mod walk;
mod write;

// For the language server (`fwmigrate server`, crates/fwmigrate_server), which resolves the
// settings of an open file exactly as a command line naming that file would.
pub use args::Args;
pub use fwmigrate_workspace::{
    DEFAULT_EXCLUDE, FileSettings, Overrides, PinDeclaration, Resolver, SdkSource, debug_panic_hook,
};
pub use walk::{FileKind, kind_of};

use std::collections::BTreeSet;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::{CommandFactory, FromArgMatches};
use rayon::prelude::*;

pub use fwmigrate_manifest as manifest;
pub use fwmigrate_registry as registry;

use args::{ColorChoice, Mode, OutputFormat};
use file_error::FileError;
use fwmigrate_workspace::includes::Includes;
use output::Style;
use process::{FileResult, Job, Pending, Prepared, Record};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether Ctrl-C or SIGTERM asked the run to stop.
pub(crate) fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// Stack size of the threads that parse and lint.
const WORKER_STACK: usize = 256 << 20;

/// Run the command line with the process's arguments; the exit codes are listed in docs/output-formats.md.
/// `commit` (`abcdef123 2026-07-20`) is the commit the binary was built from, when known.
pub fn main(commit: Option<&'static str>) -> ExitCode {
    deep_default_stacks();
    command_entry("fwmigrate", parse_args(commit), run)
}

/// The entry of a command (`name`: `fwmigrate`, `fwmigrate doctor`): a clap error prints and
/// exits 0 (`--help`) or 2; otherwise `run` goes on a thread with a deep stack, and a panic is an
/// internal error (exit 2), reported without a backtrace dump.
pub(crate) fn command_entry<A: Send + 'static>(
    name: &'static str,
    parsed: Result<A, clap::Error>,
    run: fn(&A) -> Result<u8, String>,
) -> ExitCode {
    let args = match parsed {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    std::panic::set_hook(Box::new(move |info| {
        eprintln!("{name}: internal error: {info}");
    }));
    // The main thread's stack is fixed by the system; the work runs on one of our choosing.
    let outcome = std::thread::Builder::new()
        .name(name.replace(' ', "-"))
        .stack_size(WORKER_STACK)
        .spawn(move || run(&args))
        .map_err(|e| format!("cannot start a thread: {e}"))
        .and_then(|t| {
            t.join()
                .unwrap_or_else(|_| Err("internal error (see above)".to_string()))
        });
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("{name}: error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The process's arguments, with `--version` naming the commit and the newest known releases.
fn parse_args(commit: Option<&'static str>) -> Result<Args, clap::Error> {
    // Parsed once per process: leaking the text gives clap the `'static` string it wants.
    let version: &'static str = Box::leak(version::version_text(commit).into_boxed_str());
    let mut command = Args::command().version(version);
    let mut matches = command.try_get_matches_from_mut(std::env::args_os())?;
    Args::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut command))
}

/// Files are parsed and linted on the threads of the directory walker, which `ignore` spawns
/// without a stack size: make the default deep, as for the pool's threads (only the memory a
/// thread uses is committed). Must run before any thread is spawned: the standard library reads
/// `RUST_MIN_STACK` once, at the first spawn without a size.
fn deep_default_stacks() {
    let current = std::env::var("RUST_MIN_STACK")
        .ok()
        .and_then(|v| v.parse::<usize>().ok());
    if current.is_none_or(|c| c < WORKER_STACK) {
        // SAFETY: called first thing in `main`, while the process has a single thread, so no
        // other thread can read the environment concurrently.
        unsafe { std::env::set_var("RUST_MIN_STACK", WORKER_STACK.to_string()) };
    }
}

fn style_for(args: &Args) -> Style {
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    Style { color }
}

fn run(args: &Args) -> Result<u8, String> {
    if let Some(code) = &args.explain {
        return explain(code);
    }
    if args.list_rules {
        list_rules(args);
        return Ok(0);
    }
    if args.list_targets {
        list_targets(args);
        return Ok(0);
    }
    // Parsers and rules recurse over the syntax tree: deeply nested code needs deep stacks
    // (the memory is reserved, and only committed as it is used).
    let mut pool = rayon::ThreadPoolBuilder::new().stack_size(WORKER_STACK);
    if let Some(jobs) = args.jobs {
        pool = pool.num_threads(jobs.max(1));
    }
    pool.build_global().map_err(|e| e.to_string())?;
    if args.stdin_filename.is_some() && !args.paths.iter().any(|p| p.as_os_str() == "-") {
        // `--stdin-filename` alone reads stdin, as in ruff.
        if args.paths.is_empty() {
            return run_stdin(args);
        }
    }
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() > 1 {
            return Err("`-` (stdin) cannot be combined with other paths".to_string());
        }
        return run_stdin(args);
    }
    let resolver =
        std::sync::Arc::new(Resolver::new(&args.overrides()).map_err(|e| e.to_string())?);
    // Ctrl-C / SIGTERM: finish the writes under way, start no new file, exit 130. Every file
    // is then either as it was or fully fixed, and no temporary file is left behind. A second
    // signal stops at once (once an in-place write of a hard-linked file under way is done).
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            // Not in the middle of rewriting a hard-linked file in place, though.
            write::stop_in_place_writes();
            std::process::exit(130);
        }
    });
    if let Some(path) = &args.show_settings {
        return show_settings(&resolver, path);
    }
    let mut paths: Vec<PathBuf> = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    if args.force_exclude {
        // A folder named on the command line is skipped when excluded, as a file is
        // (`walk::discover`).
        paths.retain(|p| !(p.is_dir() && resolver.settings_for(p).is_ok_and(|s| s.excludes(p))));
    }
    let threads = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, std::num::NonZero::get));
    if args.show_files {
        show_files(args, &resolver, &paths, threads);
        return Ok(0);
    }
    check_paths(args, &resolver, &paths, threads)
}

/// `--show-files`: the files a check would read, one a line.
fn show_files(args: &Args, resolver: &Arc<Resolver>, paths: &[PathBuf], threads: usize) {
    let (files, _) = walk::discover(
        paths,
        resolver,
        !args.no_respect_gitignore,
        args.force_exclude,
        threads,
    );
    let mut out = String::new();
    // A YAML file is listed only when it is a provisioning config: its top-level keys say so
    // (the one file kind whose name does not tell).
    let is_listed = |f: &walk::Candidate| {
        f.kind != FileKind::Yaml
            || std::fs::read(&f.path).is_ok_and(|b| fwmigrate_yaml::recognise_bytes(&b))
    };
    for f in files.iter().filter(|f| is_listed(f)) {
        out.push_str(&f.path.to_string_lossy());
        out.push('\n');
    }
    print!("{out}");
}

/// What the workers hand back while a run goes: how many files are done (and, once known,
/// out of how many), the results worth keeping and the requirements files met.
#[derive(Default)]
struct Collected {
    done: AtomicUsize,
    /// 0 while unknown (files are processed as the walk meets them).
    total: AtomicUsize,
    /// Only files with something to report are kept, so memory follows the findings rather
    /// than the size of the tree.
    results: Mutex<Vec<FileResult>>,
    /// Requirements files met, so that one another includes is not checked twice.
    manifests: Mutex<BTreeSet<PathBuf>>,
}

impl Collected {
    fn keep(&self, r: FileResult) {
        self.done.fetch_add(1, Ordering::Relaxed);
        if !r.is_empty()
            && let Ok(mut results) = self.results.lock()
        {
            results.push(r);
        }
    }

    fn met(&self, file: &walk::Candidate) {
        if file.kind == walk::FileKind::Manifest
            && let Ok(mut m) = self.manifests.lock()
        {
            m.insert(file.path.clone());
        }
    }
}

/// Check (or fix) the files under `paths`, then the files their requirements files include,
/// and report.
fn check_paths(
    args: &Args,
    resolver: &Arc<Resolver>,
    paths: &[PathBuf],
    threads: usize,
) -> Result<u8, String> {
    let mode = args.mode();
    let job = Job {
        resolver,
        mode,
        max_file_size: args.max_file_size,
    };
    let collected = Collected::default();
    let finished = AtomicBool::new(false);
    let show_progress =
        !args.silent && !args.quiet && !args.no_progress && std::io::stderr().is_terminal();
    // One folder (the common case): the walker's threads process each file as the walk meets
    // it, like ripgrep searches them, and nothing holds the list of the tree's files (the
    // walker's threads have deep stacks too: see `main`). Several paths: the list is needed
    // first, to check a file reached under two names once.
    let streaming = paths.len() == 1 && paths[0].is_dir();
    let walk_errors = std::thread::scope(|scope| {
        if show_progress {
            let (done, total, finished) = (&collected.done, &collected.total, &finished);
            scope.spawn(move || progress(done, total, finished));
        }
        let errors = if streaming {
            check_streaming(args, &job, resolver, paths, threads, &collected)
        } else {
            check_listed(args, &job, resolver, paths, threads, &collected)
        };
        finished.store(true, Ordering::Relaxed);
        errors
    });
    let mut results: Vec<FileResult> = collected.results.into_inner().unwrap_or_default();
    let manifests = collected.manifests.into_inner().unwrap_or_default();
    check_included(&job, &manifests, &mut results);
    // Files in path order, whatever order the threads finished them in.
    walk::sort_by_path(&mut results, |r| Path::new(&r.path));
    if interrupted() {
        if !args.silent {
            eprintln!(
                "fwmigrate: interrupted: {} changed, every other file left as it was",
                plural(results.iter().filter(|r| r.changed).count(), "file")
            );
        }
        return Ok(130);
    }
    let config_errors = resolver.errors();
    if !config_errors.is_empty() {
        return Err(config_errors.join("\n"));
    }
    report(args, mode, &results, &walk_errors, false)
}

/// Check the one folder in `paths`, each file on the walker's thread as the walk meets it.
///
/// With --apply, files with several hard links that pass the prefilter wait for the end of the
/// walk: each is then fixed once, under its first name in path order (two names processed at
/// once would race to write the one file).
fn check_streaming(
    args: &Args,
    job: &Job,
    resolver: &Arc<Resolver>,
    paths: &[PathBuf],
    threads: usize,
    collected: &Collected,
) -> walk::WalkErrors {
    let linked = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    walk::for_each_file(
        paths,
        resolver,
        !args.no_respect_gitignore,
        threads,
        &errors,
        &|worker, file| {
            collected.met(&file);
            match guarded(&file.path, || job.prepare(&file, worker), Prepared::Done) {
                Prepared::Done(r) => collected.keep(r),
                Prepared::Pending(p)
                    if job.mode == Mode::Apply && walk::has_other_names(&p.path) =>
                {
                    if let Ok(mut l) = linked.lock() {
                        l.push(p);
                    }
                }
                Prepared::Pending(p) => collected.keep(finish_guarded(job, p)),
            }
        },
    );
    let mut linked: Vec<Pending> = linked.into_inner().unwrap_or_default();
    walk::sort_by_path(&mut linked, |p| &p.path);
    walk::once_per_file(&mut linked, |p| &p.path);
    linked
        .into_par_iter()
        .for_each(|pending| collected.keep(finish_guarded(job, pending)));
    walk::finish_errors(errors)
}

/// Check several paths: the list of files first (a file reached under two names is checked
/// once), then the files in parallel.
fn check_listed(
    args: &Args,
    job: &Job,
    resolver: &Arc<Resolver>,
    paths: &[PathBuf],
    threads: usize,
    collected: &Collected,
) -> walk::WalkErrors {
    let (files, errors) = walk::discover(
        paths,
        resolver,
        !args.no_respect_gitignore,
        args.force_exclude,
        threads,
    );
    collected.total.store(files.len(), Ordering::Relaxed);
    files
        .into_par_iter()
        .for_each_init(walk::Worker::default, |worker, file| {
            collected.met(&file);
            collected.keep(run_guarded(job, &file, worker));
        });
    errors
}

/// Files that requirements files include (`-r base.txt`) are checked too, once each, and so
/// are the files those include in turn (level by level, each level in parallel); `manifests`
/// are the ones already checked.
fn check_included(job: &Job, manifests: &BTreeSet<PathBuf>, results: &mut Vec<FileResult>) {
    let mut met = Includes::default();
    for manifest in manifests {
        met.mark(manifest);
    }
    let mut next = met.admit_files(results.iter().flat_map(|r| r.includes.iter()));
    while !next.is_empty() && !interrupted() {
        let found: Vec<FileResult> = next
            .par_iter()
            .map_init(walk::Worker::default, |worker, path| {
                guarded(path, || job.run_included(path, worker), |r| r)
            })
            .filter(|r| !r.is_empty())
            .collect();
        next = met.admit_files(found.iter().flat_map(|r| r.includes.iter()));
        results.extend(found);
    }
}

/// Run `f` for the file `path`; a panic anywhere in it becomes an FW999 finding for that file
/// (which is left unchanged: writing is the last step) and the run goes on
/// (`on_panic` turns that finding into a `T`).
fn guarded<T>(path: &Path, f: impl FnOnce() -> T, on_panic: impl FnOnce(FileResult) -> T) -> T {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|panic| on_panic(process::internal_error(path, panic.as_ref())))
}

/// Process one file, a panic becoming its FW999 finding.
fn run_guarded(job: &Job, file: &walk::Candidate, worker: &mut walk::Worker) -> FileResult {
    guarded(&file.path, || job.run(file, worker), |r| r)
}

/// Finish a file that passed the prefilter, a panic becoming its FW999 finding.
fn finish_guarded(job: &Job, pending: Pending) -> FileResult {
    let path = pending.path.clone();
    guarded(&path, || job.finish(pending), |r| r)
}

/// After a second, `n/total files` on stderr (`n files` while the total is not known).
fn progress(done: &AtomicUsize, total: &AtomicUsize, finished: &AtomicBool) {
    let start = Instant::now();
    let mut shown = false;
    while !finished.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(100));
        if start.elapsed() < Duration::from_secs(1) {
            continue;
        }
        shown = true;
        let n = done.load(Ordering::Relaxed);
        match total.load(Ordering::Relaxed) {
            0 => eprint!("\r\x1b[2Kfwmigrate: {n} files"),
            total => eprint!("\r\x1b[2Kfwmigrate: {n}/{total} files"),
        }
        let _ = std::io::stderr().flush();
    }
    if shown {
        eprint!("\r\x1b[2K");
    }
}

fn run_stdin(args: &Args) -> Result<u8, String> {
    let resolver = Resolver::new(&args.overrides()).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read stdin: {e}"))?;
    let name = process::stdin_name(args.stdin_filename.as_ref());
    let job = Job {
        resolver: &resolver,
        mode: args.mode(),
        max_file_size: args.max_file_size,
    };
    let result = job.run_stdin(&name, bytes);
    let config_errors = resolver.errors();
    if !config_errors.is_empty() {
        return Err(config_errors.join("\n"));
    }
    report(args, args.mode(), &[result], &[], true)
}

/// Print everything, in path order, and compute the exit status.
fn report(
    args: &Args,
    mode: Mode,
    results: &[FileResult],
    walk_errors: &[String],
    stdin: bool,
) -> Result<u8, String> {
    let style = style_for(args);
    let format = args.output_format.unwrap_or(OutputFormat::Full);
    let records: Vec<&Record> = results.iter().flat_map(|r| r.records.iter()).collect();
    let errors: Vec<String> = walk_errors
        .iter()
        .cloned()
        .chain(
            results
                .iter()
                .flat_map(|r| r.errors.iter().map(|e| format!("{}: {e}", r.path))),
        )
        .collect();
    let mut stdout = String::new();

    if stdin
        && mode == Mode::Apply
        && let Some(text) = results.first().and_then(|r| r.stdout_text.as_ref())
    {
        stdout.push_str(text);
    }
    if mode == Mode::Diff {
        for r in results {
            if let Some(diff) = &r.diff {
                stdout.push_str(diff);
            }
        }
    }
    let mut findings_text = String::new();
    if !args.silent && (args.statistics || mode != Mode::Diff) {
        let emitter = if args.statistics {
            &output::Statistics
        } else {
            output::emitter(format)
        };
        emitter.emit(&mut findings_text, &records, style)?;
    }
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    if stdin && mode == Mode::Apply {
        let _ = out.write_all(stdout.as_bytes());
        let _ = err.write_all(findings_text.as_bytes());
    } else {
        let _ = out.write_all(stdout.as_bytes());
        let _ = out.write_all(findings_text.as_bytes());
    }
    let _ = out.flush();
    if !args.silent {
        for e in &errors {
            let _ = writeln!(err, "{} {e}", style.red("error:"));
        }
    }

    let totals = Totals {
        remaining: records.len(),
        fixable: records.iter().filter(|r| r.fixable).count(),
        fixable_unsafe: records.iter().filter(|r| r.fixable_unsafe).count(),
        fixed: results.iter().map(|r| r.fixes_applied).sum(),
        changed_files: results.iter().filter(|r| r.changed).count(),
        // A path the walk could not read counts as one file not checked.
        unchecked: walk_errors.len()
            + results
                .iter()
                .filter(|r| r.errors.iter().any(FileError::unchecked))
                .count(),
        unwritten: results
            .iter()
            .filter(|r| r.errors.iter().any(|e| !e.unchecked()))
            .count(),
    };
    if !args.silent && !args.quiet {
        let summary = summary(mode, &totals);
        if !summary.is_empty() {
            let _ = writeln!(err, "{summary}");
        }
    }
    let changed_files = totals.changed_files;
    let mut code = u8::from(totals.remaining > 0 || !errors.is_empty());
    if mode == Mode::Apply && args.exit_non_zero_on_fix && changed_files > 0 {
        code = 1;
    }
    if args.exit_zero && code == 1 {
        code = 0;
    }
    Ok(code)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The counts the summary line reports.
struct Totals {
    remaining: usize,
    fixable: usize,
    fixable_unsafe: usize,
    fixed: usize,
    changed_files: usize,
    /// Files (and paths the walk could not read) that were not checked.
    unchecked: usize,
    /// Files checked whose fixes could not be written.
    unwritten: usize,
}

/// The summary for stderr. "All checks passed." only when the exit status is 0 for findings
/// and errors alike; files that could not be checked or written are counted on a line of
/// their own.
fn summary(mode: Mode, t: &Totals) -> String {
    let Totals {
        remaining,
        fixable,
        fixable_unsafe,
        fixed,
        changed_files,
        unchecked,
        unwritten,
    } = *t;
    let problems = [
        (unchecked, "could not be checked"),
        (unwritten, "could not be written"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{} {what}", plural(*n, "file")))
    .collect::<Vec<_>>();
    let problems = if problems.is_empty() {
        None
    } else {
        Some(format!("{}.", problems.join("; ")))
    };
    let mut s = match mode {
        Mode::Apply if fixed == 0 && remaining == 0 => String::new(),
        Mode::Apply => {
            let mut s = format!(
                "Fixed {} in {}, {remaining} remaining.",
                plural(fixed, "finding"),
                plural(changed_files, "file")
            );
            if fixable_unsafe > 0 {
                s.push_str(&format!(
                    " {} more can be fixed with --unsafe-fixes.",
                    fixable_unsafe
                ));
            }
            s
        }
        Mode::Diff if changed_files == 0 && remaining == 0 => String::new(),
        Mode::Diff => {
            let mut s = format!(
                "Would fix {} in {}; {remaining} would remain.",
                plural(fixed, "finding"),
                plural(changed_files, "file")
            );
            if fixable_unsafe > 0 {
                s.push_str(&format!(" {fixable_unsafe} more with --unsafe-fixes."));
            }
            s
        }
        Mode::Check if remaining == 0 => String::new(),
        Mode::Check => {
            let mut s = format!(
                "Found {} ({fixable} fixable with --apply, {fixable_unsafe} more with --unsafe-fixes).",
                plural(remaining, "finding")
            );
            if fixable > 0 {
                s.push_str("\nRun `fwmigrate --apply` to fix them");
                if fixable_unsafe > 0 {
                    s.push_str(", `fwmigrate --apply --unsafe-fixes` to include unsafe fixes");
                }
                s.push('.');
            } else if fixable_unsafe > 0 {
                s.push_str("\nRun `fwmigrate --apply --unsafe-fixes` to apply the unsafe fixes after review.");
            }
            s
        }
    };
    match (s.is_empty(), problems) {
        (true, None) => "All checks passed.".to_string(),
        (true, Some(p)) => format!("No findings in the files checked; {p}"),
        (false, None) => s,
        (false, Some(p)) => {
            // After the counts, before the advice on what to run.
            match s.find('\n') {
                Some(i) => s.insert_str(i, &format!("\n{p}")),
                None => {
                    s.push('\n');
                    s.push_str(&p);
                }
            }
            s
        }
    }
}

fn explain(code: &str) -> Result<u8, String> {
    let Some(meta) = registry::find(code) else {
        return Err(format!(
            "unknown rule `{code}` (see `fwmigrate --list-rules`)"
        ));
    };
    let fix = match meta.fix {
        Some(a) => a.as_str(),
        None => "none",
    };
    let mut out = format!("# {} `{}`\n\n{}\n\n", meta.code, meta.name, meta.summary);
    out.push_str(meta.explanation.trim());
    out.push_str(&format!(
        "\n\nCode: {} ({}), family `{}`, severity {}, fix: {fix}, targets: {}.\n",
        meta.code,
        meta.name,
        meta.family,
        meta.severity.as_str(),
        meta.targets.as_str()
    ));
    print!("{out}");
    Ok(0)
}

/// Every target, oldest first: tag, date, commit, SDK range, aliases (`latest` on the newest).
fn list_targets(args: &Args) {
    let latest = fwmigrate_api::Target::latest();
    let rows: Vec<(fwmigrate_api::Target, Vec<&str>)> = fwmigrate_api::Target::all()
        .map(|t| {
            let mut aliases: Vec<&str> = t.snapshot().aliases.iter().map(String::as_str).collect();
            if t == latest {
                aliases.push(fwmigrate_api::registry::LATEST);
            }
            (t, aliases)
        })
        .collect();
    if args.output_format == Some(OutputFormat::Json) {
        let list: Vec<_> = rows
            .iter()
            .map(|(t, aliases)| {
                let s = t.snapshot();
                serde_json::json!({
                    "tag": s.tag,
                    "date": s.date,
                    "commit": s.commit,
                    "sdk": s.sdk,
                    "declared_sdk": s.declared,
                    "aliases": aliases,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&list).unwrap_or_default()
        );
        return;
    }
    let mut out =
        String::from("tag                      date        commit    sdk              aliases\n");
    for (t, aliases) in &rows {
        let s = t.snapshot();
        out.push_str(
            format!(
                "{:<24} {:<11} {:<9} {:<16} {}",
                s.tag,
                s.date,
                s.commit.get(..8).unwrap_or(&s.commit),
                s.sdk,
                aliases.join(", ")
            )
            .trim_end(),
        );
        out.push('\n');
    }
    print!("{out}");
}

fn list_rules(args: &Args) {
    let rules = registry::all_rules();
    if args.output_format == Some(OutputFormat::Json) {
        let list: Vec<_> = rules
            .iter()
            .map(|m| {
                serde_json::json!({
                    "code": m.code.as_str(),
                    "name": m.name,
                    "family": m.family.as_str(),
                    "severity": m.severity.as_str(),
                    "fix": m.fix.map(|a| a.as_str()),
                    "targets": [m.targets.as_str()],
                    "summary": m.summary,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&list).unwrap_or_default()
        );
        return;
    }
    let mut out = String::new();
    out.push_str("code   name                          family        severity  fix           targets          summary\n");
    for m in rules {
        let fix = m.fix.map_or("none", |a| a.as_str());
        let targets = m.targets.as_str();
        out.push_str(&format!(
            "{:<6} {:<29} {:<13} {:<9} {:<13} {:<16} {}\n",
            m.code,
            m.name,
            m.family,
            m.severity.as_str(),
            fix,
            targets,
            m.summary
        ));
    }
    print!("{out}");
}

fn show_settings(resolver: &Resolver, path: &std::path::Path) -> Result<u8, String> {
    let s = resolver.settings_for(path).map_err(|e| e.to_string())?;
    let mut out = String::new();
    out.push_str(&format!("file: {}\n", path.display()));
    out.push_str(&format!(
        "config: {}\n",
        s.config
            .as_ref()
            .map_or("(none: defaults)".to_string(), |c| c
                .path
                .display()
                .to_string())
    ));
    let release = s.target.snapshot();
    out.push_str(&format!(
        "target: {} ({}, {}, fw-ai/cookbook@{})\n",
        s.target,
        release.tag,
        release.date,
        release.commit.get(..8).unwrap_or(&release.commit)
    ));
    out.push_str(&format!(
        "sdk-version: {} ({})\n",
        s.sdk_version, s.sdk_source
    ));
    let env = resolver
        .environment(s.config.as_deref())
        .map_err(|e| e.to_string())?;
    out.push_str(&match &env.found {
        Some(e) => format!(
            "python: {} — fireworks-ai {}\n",
            e.describe(),
            e.installed
                .as_ref()
                .map_or("not installed".to_string(), |i| i.version.clone())
        ),
        None => format!("python: none found ({})\n", env.searched),
    });
    out.push_str(&format!("unsafe-fixes: {}\n", s.unsafe_fixes));
    out.push_str(&format!("cookbook-modules: {:?}\n", s.cookbook_modules));
    out.push_str(&format!("exclude: {:?}\n", s.exclude));
    out.push_str(&format!("extend-exclude: {:?}\n", s.extend_exclude));
    out.push_str(&format!("excluded: {}\n", s.excludes(path)));
    out.push_str(&format!("enabled rules: {}\n", s.enabled.join(", ")));
    print!("{out}");
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals(remaining: usize, fixed: usize, unchecked: usize, unwritten: usize) -> Totals {
        Totals {
            remaining,
            fixable: remaining,
            fixable_unsafe: 0,
            fixed,
            changed_files: usize::from(fixed > 0),
            unchecked,
            unwritten,
        }
    }

    #[test]
    fn all_checks_passed_only_without_findings_or_problems() {
        for mode in [Mode::Check, Mode::Diff, Mode::Apply] {
            assert_eq!(summary(mode, &totals(0, 0, 0, 0)), "All checks passed.");
            assert_eq!(
                summary(mode, &totals(0, 0, 2, 0)),
                "No findings in the files checked; 2 files could not be checked."
            );
        }
        // A fix that could not be written leaves its findings: both are said.
        assert_eq!(
            summary(Mode::Apply, &totals(3, 0, 1, 1)),
            "Fixed 0 findings in 0 files, 3 remaining.\n1 file could not be checked; 1 file could not be written."
        );
        assert_eq!(
            summary(Mode::Check, &totals(1, 0, 0, 0)),
            "Found 1 finding (1 fixable with --apply, 0 more with --unsafe-fixes).\nRun `fwmigrate --apply` to fix them."
        );
        assert_eq!(
            summary(Mode::Check, &totals(1, 0, 1, 0)),
            "Found 1 finding (1 fixable with --apply, 0 more with --unsafe-fixes).\n1 file could not be checked.\nRun `fwmigrate --apply` to fix them."
        );
    }
}

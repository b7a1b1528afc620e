//! Command-line arguments (described in docs/configuration.md and docs/output-formats.md).

use std::path::PathBuf;

use clap::{ArgAction, Parser, ValueEnum};

/// A `--target` value the registry knows, kept as written (settings parse it again).
fn parse_target(value: &str) -> Result<String, String> {
    value.parse::<fwmigrate_api::Target>()?;
    Ok(value.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Full,
    Concise,
    Json,
    Github,
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Find and rewrite legacy Fireworks training-cookbook launch code.
///
/// With no mode flag, fwmigrate checks: it reports findings and changes nothing.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "fwmigrate",
    version,
    about,
    max_term_width = 100,
    after_help = "`fwmigrate server` starts the language server (LSP over stdio). \
                  `fwmigrate doctor` checks the installed fireworks-ai and explains a run's \
                  error (`fwmigrate doctor --help`). To check a folder named `server` or \
                  `doctor`, write `fwmigrate ./server`."
)]
pub struct Args {
    /// Files or folders to check (default: the current folder); `-` reads stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Report findings and change nothing (the default).
    #[arg(long, conflicts_with_all = ["diff", "apply"])]
    pub check: bool,
    /// Print a unified diff of what --apply would write; change nothing.
    #[arg(long, conflicts_with = "apply")]
    pub diff: bool,
    /// Write the fixes, then report what remains.
    #[arg(long)]
    pub apply: bool,

    /// Also apply unsafe fixes.
    #[arg(long, overrides_with = "no_unsafe_fixes")]
    pub unsafe_fixes: bool,
    #[arg(long, hide = true, overrides_with = "unsafe_fixes")]
    pub no_unsafe_fixes: bool,

    /// Rules to enable: codes or prefixes, comma-separated (`FW0,FW201`, `ALL`).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Option<Vec<String>>,
    /// Rules to disable: codes or prefixes, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
    /// Rules to enable on top of the selection.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub extend_select: Vec<String>,

    /// Cookbook release to migrate to: a tag (`cookbook-v2026.07.23.2` or `2026.07.23.2`),
    /// `2026.06`, `2026.08`, or `latest` (the default); `--list-targets` lists them.
    #[arg(long, value_name = "RELEASE", value_parser = parse_target)]
    pub target: Option<String>,
    /// The fireworks-ai SDK release the conformance rules check against (e.g. 1.2.12; default:
    /// what the project's fireworks-ai pin admits, else the newest known in the target's range).
    #[arg(long, value_name = "VERSION")]
    pub sdk_version: Option<String>,
    /// The project's Python environment, for FW502 installed-sdk: an interpreter or an
    /// environment folder (default: `.venv/` or `venv/` in the project folder).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Extra cookbook package roots (e.g. a vendored copy); repeatable.
    #[arg(long = "cookbook-module", value_name = "MODULE")]
    pub cookbook_modules: Vec<String>,

    /// Exclude files and folders matching these globs (replaces the configured or default list).
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub exclude: Option<Vec<String>>,
    /// Exclude these globs as well.
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub extend_exclude: Vec<String>,
    /// Apply exclusions to paths given on the command line too.
    #[arg(long)]
    pub force_exclude: bool,
    /// Do not honour .gitignore, .ignore and git excludes.
    #[arg(long)]
    pub no_respect_gitignore: bool,

    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,

    /// Use this configuration file for every checked file.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Ignore configuration files.
    #[arg(long)]
    pub isolated: bool,

    /// Exit 0 even when findings remain.
    #[arg(long)]
    pub exit_zero: bool,
    /// With --apply: exit 1 when any file was changed.
    #[arg(long)]
    pub exit_non_zero_on_fix: bool,

    /// How findings are printed.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub output_format: Option<OutputFormat>,
    /// Print counts per rule instead of findings.
    #[arg(long)]
    pub statistics: bool,
    /// Print findings only (no summary).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Print nothing.
    #[arg(long, short = 's')]
    pub silent: bool,
    /// When to use colours.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: ColorChoice,

    /// The file name to use for text read from stdin (`-`).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,

    /// Files larger than this many bytes are reported and skipped.
    #[arg(long, value_name = "BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_file_size: u64,

    /// Print a rule's documentation.
    #[arg(long, value_name = "CODE")]
    pub explain: Option<String>,
    /// List every rule.
    #[arg(long)]
    pub list_rules: bool,
    /// List every target (tagged cookbook release) with its date, commit, SDK range and aliases.
    #[arg(long)]
    pub list_targets: bool,
    /// Print the settings that apply to a file.
    #[arg(long, value_name = "PATH")]
    pub show_settings: Option<PathBuf>,
    /// List the files that would be checked.
    #[arg(long)]
    pub show_files: bool,

    #[arg(long, hide = true, action = ArgAction::SetTrue)]
    pub no_progress: bool,
}

impl Args {
    pub fn mode(&self) -> Mode {
        if self.apply {
            Mode::Apply
        } else if self.diff {
            Mode::Diff
        } else {
            Mode::Check
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Check,
    Diff,
    Apply,
}

impl Args {
    /// The command line's layer over the configuration files.
    pub fn overrides(&self) -> fwmigrate_workspace::Overrides {
        fwmigrate_workspace::Overrides {
            target: self.target.clone(),
            sdk_version: self.sdk_version.clone(),
            unsafe_fixes: match (self.unsafe_fixes, self.no_unsafe_fixes) {
                (true, _) => Some(true),
                (false, true) => Some(false),
                (false, false) => None,
            },
            select: self.select.clone(),
            extend_select: self.extend_select.clone(),
            ignore: self.ignore.clone(),
            cookbook_modules: self.cookbook_modules.clone(),
            exclude: self.exclude.clone(),
            extend_exclude: self.extend_exclude.clone(),
            python: self.python.clone(),
            config: self.config.clone(),
            isolated: self.isolated,
        }
    }
}

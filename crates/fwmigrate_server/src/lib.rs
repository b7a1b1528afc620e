//! `fwmigrate server`: the Language Server Protocol over stdio.
//!
//! Diagnostics for open Python files (on open, change and save), a quick fix per finding, a
//! "disable for this line" action, the `source.fixAll.fwmigrate` source action (what
//! `fwmigrate --apply` writes) and the `fwmigrate.applyAutofix` command. Settings come from the
//! `pyproject.toml` / `fwmigrate.toml` above each file, as on the command line, with the
//! editor's overrides as the command-line layer.
//!
//! The message loop only keeps documents and hands out work: linting runs on a worker thread,
//! debounced and coalesced per document, and requests that lint run on threads of their own, so
//! a large file never blocks the server. Everything that touches the engine goes through
//! [`adapter`].

mod actions;
pub mod adapter;
mod capabilities;
mod document;
mod handlers;
mod requests;
mod scheduling;
mod server;
mod settings;
mod shared;
mod snapshot;
mod store;
mod transport;

use std::process::ExitCode;

pub use server::{DEBOUNCE, serve};

const USAGE: &str = "\
Start the fwmigrate language server (the Language Server Protocol over stdio).

Usage: fwmigrate server

Configure your editor to run `fwmigrate server` for Python files; see docs/editors.md for
Neovim, VS Code and Helix. To check a folder named `server`, write `fwmigrate ./server`.
";

/// Run the server on stdin/stdout with the arguments after `server`; exit 0 after a clean
/// `shutdown` + `exit`, 1 when the client went away without them, 2 for bad arguments.
pub fn main(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let args: Vec<_> = args.into_iter().collect();
    if let Some(arg) = args.first() {
        if arg == "--help" || arg == "-h" {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "fwmigrate server: unexpected argument `{}`\n\n{USAGE}",
            arg.to_string_lossy()
        );
        return ExitCode::from(2);
    }
    // A panic is caught where it happens (an FW999 diagnostic, or an error answer to a request);
    // the log (stderr, which editors keep) gets one line, and a backtrace when
    // `RUST_BACKTRACE` asks for one.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("fwmigrate server: internal error: {info}");
        let trace = std::backtrace::Backtrace::capture();
        if trace.status() == std::backtrace::BacktraceStatus::Captured {
            eprintln!("{trace}");
        }
    }));
    match serve(std::io::stdin(), std::io::stdout()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("fwmigrate server: {why}");
            ExitCode::FAILURE
        }
    }
}

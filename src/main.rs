//! `fwmigrate`: find and rewrite legacy Fireworks training-cookbook launch code.

use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The commit this binary was built from (`abcdef123 2026-07-20`), when `build.rs` knew it.
const COMMIT: Option<&str> = option_env!("FWMIGRATE_COMMIT");

fn main() -> ExitCode {
    // `fwmigrate server` starts the language server, `fwmigrate doctor` explains a run's
    // error. Paths are positional, so a folder named `server` or `doctor` is checked as
    // `fwmigrate ./server` (or with any option before it).
    let mut args = std::env::args_os().skip(1);
    match args.next() {
        Some(first) if first == "server" => return fwmigrate_server::main(args),
        Some(first) if first == "doctor" => return fwmigrate_cli::doctor::main(args),
        _ => {}
    }
    fwmigrate_cli::main(COMMIT)
}

//! `fwmigrate`: find and rewrite legacy Fireworks training-cookbook launch code.

use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    fwmigrate_cli::main()
}

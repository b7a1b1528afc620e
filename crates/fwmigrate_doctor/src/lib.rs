//! First-line diagnosis (`fwmigrate doctor`, and rule FW502 `installed-sdk`).
//!
//! - [`environment`]: find the Python environment a project runs in and read the
//!   `fireworks-ai` installed there from its `*.dist-info` folder, without starting Python for
//!   a folder (an interpreter is asked once for its `sys.path`);
//! - [`traceback`]: the frames and error lines of a run's output (a Python traceback, a log);
//! - [`known`]: the table of known errors (`known-errors.toml`), each with its cause, remedy
//!   and the rules that find the cause statically.

pub mod environment;
pub mod known;
pub mod traceback;

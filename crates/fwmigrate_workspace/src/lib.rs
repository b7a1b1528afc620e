//! What the command line and the language server both resolve before linting a file:
//! configuration discovery (`pyproject.toml` `[tool.fwmigrate]`, `fwmigrate.toml`), per-file
//! settings (target, SDK version, selected rules, exclusions, the linter), the project's
//! `fireworks-ai` pin and installed SDK. Callers lay their own layer over the configuration with
//! [`Overrides`]; nothing here knows about command-line parsing or the editor protocol.

pub mod config;
pub mod includes;
pub mod installed;
mod overrides;
pub mod paths;
pub mod sdk_pin;
mod settings;

pub use config::{Config, ConfigError};
pub use overrides::Overrides;
pub use sdk_pin::{PinDeclaration, SdkSource};
pub use settings::{DEFAULT_EXCLUDE, EnvironmentLookup, FileSettings, Resolver, parent_dir};

use fwmigrate_registry as registry;

/// Debug builds only: `FWMIGRATE_DEBUG_PANIC_ON=NAME` makes processing a file named `NAME`
/// panic, for the tests of the panic guards (the command line's and the language server's).
pub fn debug_panic_hook(path: &std::path::Path) {
    #[cfg(debug_assertions)]
    if let Some(name) = std::env::var_os("FWMIGRATE_DEBUG_PANIC_ON")
        && path.file_name() == Some(name.as_os_str())
    {
        panic!(
            "FWMIGRATE_DEBUG_PANIC_ON: deliberate panic for {}",
            path.display()
        );
    }
    let _ = path;
}

//! Jupyter notebooks (not yet wired).

use std::path::Path;

use fwmigrate_engine::{Linter, Mode};

use crate::process::FileResult;

pub fn lint(_linter: &Linter, _path: &Path, _text: &str, _mode: Mode, _result: &mut FileResult) {}

//! The layer laid over the configuration files: the command line's flags, or the editor's
//! settings. Both callers build this one struct (the command line from its parsed flags, the
//! language server from the editor's JSON with serde), so the settings are resolved the same
//! way whoever asks.

use std::path::PathBuf;

use serde::Deserialize;

/// Settings that win over the configuration files. Every field left at its default defers to
/// the configuration (then to fwmigrate's defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Overrides {
    /// `--target`: a release tag (with or without `cookbook-v`), an alias, or `latest`.
    pub target: Option<String>,
    /// `--sdk-version`: the fireworks-ai release the conformance rules check against.
    pub sdk_version: Option<String>,
    /// `--unsafe-fixes` (`Some(true)`) / `--no-unsafe-fixes` (`Some(false)`).
    pub unsafe_fixes: Option<bool>,
    /// `--select`: starts the selection over.
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    /// `--cookbook-module`: added to the configuration's.
    pub cookbook_modules: Vec<String>,
    /// `--exclude`: replaces the configuration's list.
    pub exclude: Option<Vec<String>>,
    /// `--extend-exclude`: added to the configuration's.
    pub extend_exclude: Vec<String>,
    /// `--python`: the interpreter of the project's environment.
    pub python: Option<PathBuf>,
    /// `--config`: this file governs every path, instead of the discovered ones.
    pub config: Option<PathBuf>,
    /// `--isolated`: no configuration file at all.
    pub isolated: bool,
}

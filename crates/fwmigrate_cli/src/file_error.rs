//! Why a file was not checked, or its fixes not written: reported on stderr after the file's
//! name, counted in the summary and in the exit status (1).

use std::fmt;

use crate::write::WriteError;
use fwmigrate_workspace::ConfigError;

#[derive(Debug)]
pub enum FileError {
    /// The settings for the file could not be resolved (a bad configuration file: the run
    /// exits 2).
    Config(ConfigError),
    /// Opening or reading the file failed.
    Read(std::io::Error),
    /// Larger than `--max-file-size`.
    TooLarge { len: u64, limit: u64 },
    /// Contains NUL bytes.
    Binary,
    /// Not UTF-8; `valid_up_to` is the offset of the first bad byte.
    NotUtf8 { valid_up_to: usize },
    /// A `.ipynb` file that is not a notebook.
    Notebook(String),
    /// The file was checked, but its fixes could not be written.
    Write(WriteError),
}

impl FileError {
    /// Whether the file went unchecked (everything but a failed write).
    pub fn unchecked(&self) -> bool {
        !matches!(self, FileError::Write(_))
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Config(e) => e.fmt(f),
            FileError::Read(e) => write!(f, "cannot read: {e}"),
            FileError::TooLarge { len, limit } => write!(
                f,
                "skipped: {len} bytes is over the {limit}-byte limit (--max-file-size)"
            ),
            FileError::Binary => f.write_str("skipped: binary file (contains NUL bytes)"),
            FileError::NotUtf8 { valid_up_to } => write!(
                f,
                "skipped: not valid UTF-8 (byte {valid_up_to}); fwmigrate only rewrites UTF-8 files"
            ),
            FileError::Notebook(e) => write!(f, "not a valid notebook: {e}"),
            FileError::Write(e) => e.fmt(f),
        }
    }
}

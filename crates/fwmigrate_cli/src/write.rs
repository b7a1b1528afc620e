//! Writing fixes: only the text changes. Atomic writes (a temporary file in the same folder,
//! flushed, then renamed over the original) keep the file's permissions, and its owner and
//! group where the process may set them (as root, always). A symlink stays a symlink (its
//! target is rewritten). A file with more than one hard link is rewritten in place, through
//! the same inode, so that every name sees the fix (a rename would split it from its other
//! names). A file that changed on disk since it was read is not overwritten.

use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[derive(Debug)]
pub enum WriteError {
    /// Someone else changed the file since it was read.
    Changed,
    Io(std::io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Changed => {
                f.write_str("the file changed on disk since it was read; not overwritten")
            }
            WriteError::Io(e) => write!(f, "cannot write: {e}"),
        }
    }
}

impl From<std::io::Error> for WriteError {
    fn from(e: std::io::Error) -> Self {
        WriteError::Io(e)
    }
}

/// In-place writes under way. A file stopped in the middle of one would be neither old nor
/// new, so the process exits only between them (see [`stop_in_place_writes`]).
static IN_PLACE_WRITES: AtomicUsize = AtomicUsize::new(0);
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Let the in-place writes under way finish and start no other: after this returns, the
/// process may exit at once.
pub fn stop_in_place_writes() {
    STOPPING.store(true, Ordering::SeqCst);
    while IN_PLACE_WRITES.load(Ordering::SeqCst) > 0 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// The file a write to `path` really changes (through symlinks).
fn real_target(path: &Path) -> std::io::Result<PathBuf> {
    if fs::symlink_metadata(path)?.file_type().is_symlink() {
        fs::canonicalize(path)
    } else {
        Ok(path.to_path_buf())
    }
}

/// Replace `path`'s content with `new`, provided it still holds `original`.
pub fn write_atomic(path: &Path, original: &[u8], new: &[u8]) -> Result<(), WriteError> {
    let target = real_target(path)?;
    let meta = fs::metadata(&target)?;
    #[cfg(unix)]
    if std::os::unix::fs::MetadataExt::nlink(&meta) > 1 {
        return write_in_place(&target, original, new);
    }
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".fwmigrate-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(new)?;
    // The owner first: changing it may clear set-user-id and set-group-id bits.
    #[cfg(unix)]
    keep_owner(tmp.as_file(), &meta)?;
    tmp.as_file().set_permissions(meta.permissions())?;
    tmp.as_file().sync_all()?;
    // Last check before the rename: the file must still be what we read.
    if fs::read(&target)? != original {
        return Err(WriteError::Changed);
    }
    tmp.persist(&target).map_err(|e| WriteError::Io(e.error))?;
    Ok(())
}

/// Give the new file the original's owner and group. Only root may give a file away; another
/// user may still set the group to one of theirs. What the process may not set is left as it
/// is (the new file then belongs to the user running fwmigrate).
#[cfg(unix)]
fn keep_owner(file: &fs::File, original: &fs::Metadata) -> std::io::Result<()> {
    use std::io::ErrorKind;
    use std::os::unix::fs::{MetadataExt, fchown};
    let (uid, gid) = (original.uid(), original.gid());
    let new = file.metadata()?;
    if (new.uid(), new.gid()) == (uid, gid) {
        return Ok(());
    }
    let not_allowed = |e: &std::io::Error| {
        matches!(
            e.kind(),
            ErrorKind::PermissionDenied | ErrorKind::Unsupported | ErrorKind::InvalidInput
        )
    };
    match fchown(file, Some(uid), Some(gid)) {
        Ok(()) => Ok(()),
        Err(e) if not_allowed(&e) => match fchown(file, None, Some(gid)) {
            Err(e) if !not_allowed(&e) => Err(e),
            _ => Ok(()),
        },
        Err(e) => Err(e),
    }
}

/// Rewrite a hard-linked file through its own inode: every name sees the new text, and owner,
/// group, permissions and links stay as they are. Not atomic: the file is checked through the
/// open handle, then written over from the start, cut to length and flushed; if that fails,
/// the original text (kept in memory) is written back.
#[cfg(unix)]
fn write_in_place(target: &Path, original: &[u8], new: &[u8]) -> Result<(), WriteError> {
    let mut file = fs::OpenOptions::new().read(true).write(true).open(target)?;
    let mut current = Vec::with_capacity(original.len() + 1);
    file.read_to_end(&mut current)?;
    if current != original {
        return Err(WriteError::Changed);
    }
    IN_PLACE_WRITES.fetch_add(1, Ordering::SeqCst);
    if STOPPING.load(Ordering::SeqCst) {
        IN_PLACE_WRITES.fetch_sub(1, Ordering::SeqCst);
        return Err(WriteError::Io(std::io::ErrorKind::Interrupted.into()));
    }
    let result = overwrite(&mut file, new).map_err(|e| {
        let _ = overwrite(&mut file, original);
        WriteError::Io(e)
    });
    IN_PLACE_WRITES.fetch_sub(1, Ordering::SeqCst);
    result
}

/// `bytes` from the start of `file`, which is cut to their length and flushed to disk.
#[cfg(unix)]
fn overwrite(file: &mut fs::File, bytes: &[u8]) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(0))?;
    file.write_all(bytes)?;
    file.set_len(bytes.len() as u64)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_keeps_permissions_and_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.py");
        fs::write(&file, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&file, fs::Permissions::from_mode(0o750)).unwrap();
            let link = dir.path().join("link.py");
            std::os::unix::fs::symlink(&file, &link).unwrap();
            write_atomic(&link, b"old", b"new").unwrap();
            assert!(
                fs::symlink_metadata(&link)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
            assert_eq!(fs::read_to_string(&file).unwrap(), "new");
            let mode = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o750);
        }
        #[cfg(not(unix))]
        write_atomic(&file, b"old", b"new").unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_hard_linked_file_is_rewritten_in_place() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.py");
        let other = dir.path().join("b.py");
        fs::write(&file, "old text, longer than the new").unwrap();
        fs::hard_link(&file, &other).unwrap();
        let inode = fs::metadata(&file).unwrap().ino();
        write_atomic(&file, b"old text, longer than the new", b"new").unwrap();
        for name in [&file, &other] {
            assert_eq!(fs::read_to_string(name).unwrap(), "new");
            assert_eq!(fs::metadata(name).unwrap().ino(), inode);
        }
        assert_eq!(fs::metadata(&file).unwrap().nlink(), 2);
        // Longer than before, and through the other name.
        write_atomic(&other, b"new", b"newer and longer").unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "newer and longer");
        // Changed since it was read: left alone.
        assert!(matches!(
            write_atomic(&other, b"what was read", b"x"),
            Err(WriteError::Changed)
        ));
        assert_eq!(fs::read_to_string(&file).unwrap(), "newer and longer");
        assert_eq!(IN_PLACE_WRITES.load(Ordering::SeqCst), 0);
        // No temporary file.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn refuses_to_overwrite_a_changed_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.py");
        fs::write(&file, "changed by someone").unwrap();
        assert!(matches!(
            write_atomic(&file, b"old", b"new"),
            Err(WriteError::Changed)
        ));
        assert_eq!(fs::read_to_string(&file).unwrap(), "changed by someone");
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

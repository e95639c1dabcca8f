//! Files that hold secrets (the SQLite database with its webhook signing
//! secrets, the outbox's live links and one-time passwords, the generated
//! token key) are made readable by their owner only: directories 0700,
//! files 0600, from their creation on (docs/operations/configuration.md).

use std::io;
use std::path::Path;

/// Creates `dir` and any missing parent, each 0700. An existing directory
/// is left as it is (its owner chose its mode).
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Opens `path` for writing, created 0600 if missing (`truncate` empties an
/// existing file; without it the file is only made to exist).
pub fn open_private_file(path: &Path, truncate: bool) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(truncate);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Writes `contents` to a new file at `path`, 0600.
pub fn write_private_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn directories_and_files_are_the_owners_only() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        create_private_dir(&dir).unwrap();
        assert_eq!((mode(&root.path().join("a")), mode(&dir)), (0o700, 0o700));
        let db = dir.join("roster.db");
        open_private_file(&db, false).unwrap();
        write_private_file(&dir.join("x.eml"), b"mail").unwrap();
        assert_eq!((mode(&db), mode(&dir.join("x.eml"))), (0o600, 0o600));
        assert!(write_private_file(&dir.join("x.eml"), b"again").is_err());
    }
}

import Glibc
import SystemPackage

/// Writes a file so that readers see the old content or the new, never a part:
/// a temporary file beside it, fsync, rename. Used for migration records, the status
/// file and the metrics file (node_exporter's textfile collector reads it any time).
public enum AtomicFile {
  /// Replaces `path` with `bytes` (mode 0644), never following a symlink at `path`.
  public static func write(_ bytes: [UInt8], to path: String) -> Result<Void, MountSystemError> {
    let temporary = path + ".tmp"
    // A fresh file, never an existing one: a planted link at the temporary name is
    // removed, not written through or truncated.
    if case .failure(let error) = valueOrErrno({ system_unlink(temporary) }), error != .noSuchFileOrDirectory {
      return .failure(MountSystemError(call: "unlink", path: temporary, errno: error))
    }
    let fd: Int32
    switch valueOrErrno({ system_open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644) }) {
    case .success(let value): fd = value
    case .failure(let error): return .failure(MountSystemError(call: "open", path: temporary, errno: error))
    }
    let written = bytes.withUnsafeBytes { raw in
      valueOrErrno { system_write(fd, raw.baseAddress!, raw.count) }.map { $0 == raw.count }
    }
    let synced = valueOrErrno { system_fsync(fd) }
    system_close(fd)
    if case .failure(let error) = written { return .failure(MountSystemError(call: "write", path: temporary, errno: error)) }
    if case .success(false) = written { return .failure(MountSystemError(call: "write", path: temporary, errno: .ioError)) }
    if case .failure(let error) = synced { return .failure(MountSystemError(call: "fsync", path: temporary, errno: error)) }
    if case .failure(let error) = valueOrErrno({ system_rename(temporary, path) }) {
      return .failure(MountSystemError(call: "rename", path: path, errno: error))
    }
    return .success(())
  }
}

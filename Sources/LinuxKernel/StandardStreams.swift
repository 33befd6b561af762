import CMountShims
import Glibc
import SystemPackage

/// The process's standard error stream, without Foundation.
public enum StandardStreams {
  /// Writes all of `text` to stderr (fd 2), retrying partial writes and EINTR.
  public static func writeError(_ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let written = bytes.withUnsafeBytes { raw in Glibc.write(2, raw.baseAddress, raw.count) }
      if written < 0 {
        if errno == EINTR { continue }
        return
      }
      bytes = bytes.dropFirst(written)
    }
  }

  /// Whether stderr is a terminal. The corresponding C call is `isatty(3)`.
  public static var errorIsTerminal: Bool { isatty(2) == 1 }

  /// stderr's device and inode as `JOURNAL_STREAM` spells them ("dev:ino"), to tell
  /// whether systemd connected it to the journal.
  public static var errorStreamIdentity: String? {
    guard let status = try? FileDescriptor.standardError.status() else { return nil }
    return "\(status.deviceID.rawValue):\(status.inode.rawValue)"
  }

}

extension Files {
  /// Makes a fresh directory from a template ending in `XXXXXX`, mode 0700. The
  /// corresponding C call is `mkdtemp(3)`.
  public static func makeTemporaryDirectory(_ template: String) throws(KernelError) -> FilePath {
    var bytes = Array(template.utf8CString)
    guard let made = mkdtemp(&bytes) else { throw KernelError("mkdtemp", .current, path: FilePath(template)) }
    return FilePath(String(cString: made))
  }

  /// Removes an empty directory. The corresponding C call is `rmdir(2)`.
  public static func removeDirectory(_ path: FilePath) throws(KernelError) {
    guard path.withPlatformString({ rmdir($0) }) == 0 else { throw KernelError("rmdir", .current, path: path) }
  }

  /// Changes the owner of `path` itself, a symlink not followed. The corresponding C
  /// call is `lchown(2)`.
  public static func changeOwner(_ path: FilePath, uid: UInt32, gid: UInt32) throws(KernelError) {
    guard path.withPlatformString({ lchown($0, uid, gid) }) == 0 else {
      throw KernelError("lchown", .current, path: path)
    }
  }

  /// Swaps two paths atomically, as an attacker racing a mount would. The
  /// corresponding C call is `renameat2(2)` with `RENAME_EXCHANGE`.
  public static func exchange(_ first: FilePath, _ second: FilePath) throws(KernelError) {
    let done = first.withPlatformString { a in second.withPlatformString { b in rcs_rename_exchange(a, b) } }
    guard done == 0 else { throw KernelError("renameat2 RENAME_EXCHANGE", .current, path: first) }
  }

  /// `lstat(2)`: the entry itself, a symlink not followed.
  public static func linkStatus(_ path: FilePath) throws(KernelError) -> Stat {
    do {
      return try path.stat(followTargetSymlink: false)
    } catch {
      throw KernelError("lstat", error, path: path)
    }
  }
}

import CMountShims
import Glibc
import SystemPackage

/// Opening files and listing directories by path, for what reconcile reads from
/// places only root can write (`/etc/reconcile`, `/proc`). Paths under `root` are
/// reached with `Beneath` instead.
public enum Files {
  /// Opens `path` read-only, close-on-exec, never following a symlink at its last
  /// component and never blocking on a FIFO. The corresponding C call is `open(2)`.
  public static func openForReading(_ path: FilePath, directory: Bool = false) throws(KernelError) -> FileDescriptor {
    var flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY
    if directory { flags |= O_DIRECTORY }
    let fd = path.withPlatformString { open($0, flags) }
    guard fd >= 0 else { throw KernelError("open", .current, path: path) }
    return FileDescriptor(rawValue: fd)
  }

  /// An `O_PATH` descriptor on `path` itself: a symlink there is not followed but
  /// opened as such, and nothing (a device, a FIFO) is opened for I/O. Check it with
  /// `status()`, then `reopen` it. The corresponding C call is `open(2)`.
  public static func openPath(_ path: FilePath) throws(KernelError) -> FileDescriptor {
    let fd = path.withPlatformString { open($0, RCS_O_PATH | O_NOFOLLOW | O_CLOEXEC) }
    guard fd >= 0 else { throw KernelError("open", .current, path: path) }
    return FileDescriptor(rawValue: fd)
  }

  /// Opens for reading the very file an `O_PATH` descriptor names, through
  /// `/proc/self/fd`: what was checked is what is read.
  public static func reopenForReading(_ fd: FileDescriptor, path: FilePath, directory: Bool = false) throws(KernelError)
    -> FileDescriptor
  {
    var flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY
    if directory { flags |= O_DIRECTORY }
    let reopened = open("/proc/self/fd/\(fd.rawValue)", flags)
    guard reopened >= 0 else { throw KernelError("open", .current, path: path) }
    return FileDescriptor(rawValue: reopened)
  }

  /// The whole content of a file (a `/proc` file, say), read with one descriptor.
  public static func contents(of path: FilePath, limit: Int? = nil) throws(KernelError) -> [UInt8] {
    let fd = try openForReading(path)
    defer { try? fd.close() }
    do {
      return try fd.readAll(limit: limit)
    } catch {
      throw KernelError(error.call, error.errno, path: path)
    }
  }

  /// The working directory. The corresponding C call is `getcwd(3)`.
  public static func currentDirectory() throws(KernelError) -> FilePath {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buffer, buffer.count) != nil else { throw KernelError("getcwd", .current) }
    return FilePath(platformString: buffer)
  }
}

import CMountShims
import Glibc

/// Entering mount namespaces.
public enum Namespaces {
  /// Joins the mount namespace at `path` (e.g. `/proc/1/ns/mnt`). Call it before any
  /// other thread exists: `setns(CLONE_NEWNS)` refuses a process whose threads share
  /// filesystem state. The corresponding C call is `setns(2)`.
  public static func join(mountNamespace path: String) -> Result<Void, MountSystemError> {
    let fd: Int32
    switch valueOrErrno({ system_open(path, O_RDONLY | O_CLOEXEC) }) {
    case .success(let value): fd = value
    case .failure(let error): return .failure(MountSystemError(call: "open", path: path, errno: error))
    }
    defer { system_close(fd) }
    return valueOrErrno { rcs_setns(fd, RCS_CLONE_NEWNS) }.map { _ in () }
      .mapError { MountSystemError(call: "setns", path: path, errno: $0) }
  }

  /// Moves the calling thread into a new mount namespace and makes every mount in it
  /// private, so nothing done afterwards reaches the host. The corresponding C calls
  /// are `unshare(CLONE_NEWNS)` and `mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL)`.
  public static func enterPrivateMountNamespace() -> Result<Void, MountSystemError> {
    valueOrErrno { rcs_unshare_mount_namespace_private() }.map { _ in () }
      .mapError { MountSystemError(call: "unshare(CLONE_NEWNS)", path: "/", errno: $0) }
  }

  /// Whether this process is in another mount namespace than PID 1.
  public static var isPrivateFromInit: Bool {
    func inode(_ path: String) -> UInt64? {
      var info = stat()
      return stat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }
    guard let mine = inode("/proc/self/ns/mnt"), let initial = inode("/proc/1/ns/mnt") else {
      return false
    }
    return mine != initial
  }
}

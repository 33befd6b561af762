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

  /// The mount namespace this process is in, as `readlink /proc/self/ns/mnt` says
  /// (`mnt:[4026531841]`), or nil when it cannot be read.
  public static var currentMountNamespace: String? {
    var buffer = [CChar](repeating: 0, count: 64)
    let count = readlink("/proc/self/ns/mnt", &buffer, buffer.count - 1)
    guard count > 0 else { return nil }
    return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}

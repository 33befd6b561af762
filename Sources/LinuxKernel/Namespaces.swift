import CMountShims
import Glibc
import SystemPackage

/// Mount namespaces: joining the host's from a unit's private one, and making a
/// private one for the demo.
public enum Namespaces {
  /// Joins the mount namespace at `path` (e.g. `/proc/1/ns/mnt`). Call it before any
  /// other thread exists: `setns(CLONE_NEWNS)` refuses a process whose threads share
  /// filesystem state. The corresponding C call is `setns(2)`.
  public static func join(mountNamespace path: String) throws(KernelError) {
    // /proc/N/ns/mnt is a magic link: it must be followed.
    let raw = open(path, O_RDONLY | O_CLOEXEC)
    guard raw >= 0 else { throw KernelError("open", .current, path: FilePath(path)) }
    let fd = FileDescriptor(rawValue: raw)
    defer { try? fd.close() }
    try MountAPI.check("setns", FilePath(path)) { rcs_setns(fd.rawValue, RCS_CLONE_NEWNS) }
  }

  /// Moves the calling thread into a new mount namespace and makes every mount in it
  /// private, so nothing done afterwards reaches the host. The corresponding C calls
  /// are `unshare(CLONE_NEWNS)` and `mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL)`.
  public static func enterPrivateMountNamespace() throws(KernelError) {
    try MountAPI.check("unshare(CLONE_NEWNS)", "/") { rcs_unshare_mount_namespace_private() }
  }

  /// The mount namespace this process is in, as `readlink /proc/self/ns/mnt` says
  /// (`mnt:[4026531841]`), or nil when it cannot be read.
  public static var currentMountNamespace: String? {
    (try? Files.linkTarget(of: "/proc/self/ns/mnt"))?.string
  }
}

import CMountShims
import Glibc

/// Builds host states on purpose: the broken states of the seeds for `reconcile
/// demo` and the integration tests. Only for use inside a private mount namespace.
public enum HostFixture {
  /// Mounts a fresh tmpfs at `path`. The corresponding C call is `mount(2)`.
  public static func mountTmpfs(at path: String, options: String = "mode=0755") throws(MountSystemError) {
    try check("mount tmpfs", path) { system_mount("reconcile-test", path, "tmpfs", 0, options) }
  }

  /// A plain `mount --bind`, as the old helpers did: run twice, it stacks.
  public static func bind(_ source: String, at target: String) throws(MountSystemError) {
    try check("mount --bind", target) { system_mount(source, target, nil, UInt(MS_BIND), nil) }
  }

  /// Makes the mount at `path` shared, like every mount on a systemd host.
  public static func makeShared(_ path: String) throws(MountSystemError) {
    try check("mount --make-shared", path) { system_mount(nil, path, nil, UInt(MS_SHARED), nil) }
  }

  /// Unmounts the top mount at `path`; `detach` unmounts it lazily with everything
  /// below it, which only a throwaway tree may do (invariant 3 binds apply).
  public static func unmount(_ path: String, detach: Bool = false) throws(MountSystemError) {
    try check("umount", path) { system_umount2(path, detach ? Int32(MNT_DETACH) : 0) }
  }

  /// Swaps two paths atomically (renameat2 RENAME_EXCHANGE), as an attacker racing a
  /// mount would.
  public static func exchange(_ first: String, _ second: String) throws(MountSystemError) {
    try check("renameat2 RENAME_EXCHANGE \(second)", first) { rcs_rename_exchange(first, second) }
  }

  /// Sets an extended attribute without following symlinks.
  public static func setXattr(_ path: String, name: String, value: String) throws(MountSystemError) {
    try check("lsetxattr \(name)", path) { rcs_lsetxattr(path, name, value, value.utf8.count) }
  }

  /// Removes an extended attribute without following symlinks.
  public static func removeXattr(_ path: String, name: String) throws(MountSystemError) {
    try check("lremovexattr \(name)", path) { rcs_lremovexattr(path, name) }
  }

  /// Changes a path's owner without following symlinks.
  public static func chown(_ path: String, uid: UInt32, gid: UInt32) throws(MountSystemError) {
    try check("lchown", path) { lchown(path, uid, gid) }
  }

  /// Holds an exclusive `flock` on `path` (created if missing) until the returned
  /// lease is released or dropped, as the sandbox helper does for its build.
  public static func holdLease(_ path: String) throws(MountSystemError) -> HeldLease {
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw MountSystemError(call: "open", path: path, errno: .init(rawValue: errno)) }
    guard flock(fd, LOCK_EX) == 0 else {
      let error = MountSystemError(call: "flock", path: path, errno: .init(rawValue: errno))
      close(fd)
      throw error
    }
    return HeldLease(fd: fd)
  }

  private static func check(_ call: String, _ path: String, _ body: () -> Int32) throws(MountSystemError) {
    if case .failure(let error) = valueOrErrno(body) {
      throw MountSystemError(call: call, path: path, errno: error)
    }
  }
}

/// A lock file held with `flock`; released on `release()` or when dropped.
public final class HeldLease {
  private var fd: Int32

  init(fd: Int32) {
    self.fd = fd
  }

  /// Releases the lock now.
  public func release() {
    if fd >= 0 { close(fd) }
    fd = -1
  }

  deinit { release() }
}

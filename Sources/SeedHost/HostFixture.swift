import LinuxKernel
import SystemPackage

/// Builds host states on purpose: the broken states of the seeds for `reconcile
/// demo` and the integration tests, with powers apply never uses (stacking binds,
/// lazy unmount). Only for use inside a private mount namespace.
public enum HostFixture {
  /// Mounts a fresh tmpfs at `path`.
  public static func mountTmpfs(at path: String, options: String = "mode=0755") throws(KernelError) {
    try MountAPI.mount(source: "reconcile-test", target: path, type: "tmpfs", data: options)
  }

  /// A plain `mount --bind`, as the old helpers did: run twice, it stacks.
  public static func bind(_ source: String, at target: String) throws(KernelError) {
    try MountAPI.mount(source: source, target: target, type: nil, bind: true)
  }

  /// Makes the mount at `path` shared, like every mount on a systemd host.
  public static func makeShared(_ path: String) throws(KernelError) {
    try MountAPI.setPropagation(path, shared: true)
  }

  /// Unmounts the top mount at `path`; `detach` unmounts it lazily with everything
  /// below it, which only a throwaway tree may do (invariant 3 binds apply).
  public static func unmount(_ path: String, detach: Bool = false) throws(KernelError) {
    if detach { try MountAPI.detach(path) } else { try MountAPI.unmount(path) }
  }

  /// Swaps two paths atomically, as an attacker racing a mount would.
  public static func exchange(_ first: String, _ second: String) throws(KernelError) {
    try Files.exchange(FilePath(first), FilePath(second))
  }

  /// Sets an extended attribute without following symlinks.
  public static func setXattr(_ path: String, name: String, value: String) throws(KernelError) {
    try ExtendedAttributes.set(name, value, on: FilePath(path))
  }

  /// Removes an extended attribute without following symlinks.
  public static func removeXattr(_ path: String, name: String) throws(KernelError) {
    try ExtendedAttributes.remove(name, from: FilePath(path))
  }

  /// Changes a path's owner without following symlinks.
  public static func chown(_ path: String, uid: UInt32, gid: UInt32) throws(KernelError) {
    try Files.changeOwner(FilePath(path), uid: uid, gid: gid)
  }

  /// Holds an exclusive `flock` on `path` (created if missing) until the returned
  /// lease is released or dropped, as the sandbox helper does for its build.
  public static func holdLease(_ path: String) throws(KernelError) -> HeldLease {
    let fd: FileDescriptor
    do {
      fd = try FileDescriptor.open(
        FilePath(path), .readWrite, options: [.create, .closeOnExec], permissions: [.ownerReadWrite])
    } catch {
      throw KernelError("open", error as? Errno ?? .ioError, path: FilePath(path))
    }
    do throws(KernelError) {
      guard try fd.lockExclusive(waitingUpTo: 86_400) else {
        throw KernelError("flock", .wouldBlock, path: FilePath(path))
      }
    } catch {
      try? fd.close()
      throw error
    }
    return HeldLease(fd: fd)
  }
}

/// A lock file held with `flock`; released on `release()` or when dropped.
public final class HeldLease {
  private var fd: FileDescriptor?

  init(fd: FileDescriptor) {
    self.fd = fd
  }

  /// Releases the lock now.
  public func release() {
    try? fd?.close()
    fd = nil
  }

  deinit { release() }
}

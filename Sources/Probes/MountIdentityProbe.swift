import LinuxKernel
import SystemPackage

/// Which mount a path lands on, by mount id (as in mountinfo) rather than `st_dev`:
/// a bind mount of a directory on the same filesystem has the parent's `st_dev`
/// (the `os.path.ismount()` trap), but its own mount id. The applier uses it to check
/// which mount is on top of a target before unmounting it.
public struct MountIdentityProbe: Sendable {
  /// Makes a probe.
  public init() {}

  /// The id of the mount that `path` lands on; for a mount point, the top mount.
  ///
  /// - Parameter path: the path to look up; a final symlink is not followed, and an
  ///   automount point is not triggered.
  /// - Returns: the mount id, or the errno (`ENOSYS` before Linux 5.8).
  ///
  /// The corresponding C call is `statx(2)` with `STATX_MNT_ID` and
  /// `AT_SYMLINK_NOFOLLOW`.
  public func mountID(at path: String) -> Result<Int, Errno> {
    lookUp(path, followingFinalSymlink: false).map(\.mountID)
  }

  /// Mount id, device and inode of `path`.
  ///
  /// - Parameters:
  ///   - path: the path to look up.
  ///   - followingFinalSymlink: true to look through a final symlink, as the
  ///     holder scan does for procfs magic links (`/proc/<pid>/cwd`, `fd/<n>`).
  /// - Returns: the identity, or the errno.
  ///
  /// The corresponding C call is `statx(2)` with `STATX_MNT_ID`.
  public func lookUp(_ path: String, followingFinalSymlink: Bool) -> Result<FileIdentity, Errno> {
    Result(errnoOf: { () throws(KernelError) in
      let found = try Files.identity(of: FilePath(path), followingFinalSymlink: followingFinalSymlink)
      return FileIdentity(mountID: Int(truncatingIfNeeded: found.mountID), device: found.device, inode: found.inode)
    })
  }
}

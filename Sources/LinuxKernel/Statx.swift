import CMountShims
import Glibc
import SystemPackage

extension Files {
  /// The mount id (as `/proc/self/mountinfo` numbers mounts), device and inode of
  /// `path`, an automount point not triggered: which mount a path lands on, which
  /// `st_dev` cannot tell for a bind on the same filesystem. Fails with `ENOSYS`
  /// before Linux 5.8. The corresponding C call is `statx(2)` with `STATX_MNT_ID`.
  ///
  /// - Parameter followingFinalSymlink: look through a final symlink, as for procfs
  ///   magic links (`/proc/<pid>/cwd`, `fd/<n>`).
  public static func identity(
    of path: FilePath, followingFinalSymlink: Bool
  ) throws(KernelError) -> (mountID: UInt64, device: UInt64, inode: UInt64) {
    var flags = RCS_AT_NO_AUTOMOUNT
    if !followingFinalSymlink { flags |= RCS_AT_SYMLINK_NOFOLLOW }
    var mountID: UInt64 = 0
    var device: UInt64 = 0
    var inode: UInt64 = 0
    _ = try valueOrError("statx", at: path) { rcs_mount_id(AT_FDCWD, $0, flags, &mountID, &device, &inode) }
    return (mountID, device, inode)
  }

  /// The owner of `path` itself (a final symlink not followed, an automount point
  /// not triggered). The corresponding C call is `statx(2)`.
  public static func owner(of path: FilePath) throws(KernelError) -> (uid: UInt32, gid: UInt32) {
    var entry = rcs_entry_stat()
    _ = try valueOrError("statx", at: path) {
      rcs_statx_entry(AT_FDCWD, $0, RCS_AT_SYMLINK_NOFOLLOW | RCS_AT_NO_AUTOMOUNT, &entry)
    }
    return (entry.uid, entry.gid)
  }
}

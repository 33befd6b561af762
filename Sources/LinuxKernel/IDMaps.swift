import CMountShims
import SystemPackage

/// Idmapped mounts (5.12+): a mount takes the uid and gid maps of a user namespace.
public enum IDMaps {
  /// A user namespace with these maps (lines of "inner outer count", inner = the id on
  /// disk, outer = the id seen through the mount), made in a forked child that runs
  /// only async-signal-safe code and is reaped before return. The mount copies the
  /// maps, so the descriptor can be closed once `mount_setattr` has taken it.
  public static func userNamespace(uidMap: String, gidMap: String, path: FilePath) throws(KernelError) -> FileDescriptor
  {
    try MountAPI.descriptor("userns for idmap", path) { rcs_userns_fd(uidMap, gidMap) }
  }
}

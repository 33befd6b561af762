import CMountShims
import SystemPackage

/// Writing extended attributes of a path itself, never through a final symlink (the
/// seed host marks a fuse-era upperdir this way). Reading them is the xattr probe's.
public enum ExtendedAttributes {
  /// The corresponding C call is `lsetxattr(2)`.
  public static func set(_ name: String, _ value: String, on path: FilePath) throws(KernelError) {
    try MountAPI.check("lsetxattr \(name)", path) {
      path.withPlatformString { rcs_lsetxattr($0, name, value, value.utf8.count) }
    }
  }

  /// The corresponding C call is `lremovexattr(2)`.
  public static func remove(_ name: String, from path: FilePath) throws(KernelError) {
    try MountAPI.check("lremovexattr \(name)", path) { path.withPlatformString { rcs_lremovexattr($0, name) } }
  }
}

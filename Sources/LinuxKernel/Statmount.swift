import CMountShims
import SystemPackage

/// `statmount(2)` (6.8+): what the kernel reports about a mount by id, without
/// parsing mountinfo.
public enum Statmount {
  /// Succeeds when the kernel has `statmount`; `ENOSYS` when not. Asks about an id
  /// that need not exist, so nothing is read.
  public static func checkExists() throws(KernelError) {
    _ = try valueOrError("statmount") { rcs_statmount_supported() }
  }

  /// The kernel's `STATMOUNT_SUPPORTED_MASK` (6.15+) for the mount of "/", or 0 when
  /// it does not report one.
  public static func supportedMask() throws(KernelError) -> UInt64 {
    var mask: UInt64 = 0
    _ = try valueOrError("statmount STATMOUNT_SUPPORTED_MASK") { rcs_statmount_supported_mask(&mask) }
    return mask
  }

  /// The uid and gid maps of the top mount at `path` (a final symlink not followed),
  /// as lines of "inner outer count" (on disk, seen through the mount, count). The
  /// buffer grows while the kernel answers `ERANGE`, up to 1 MiB.
  ///
  /// - Throws: `EOPNOTSUPP` for a mount without maps or a kernel that does not
  ///   report them (before 6.15).
  ///
  /// The corresponding C calls are `statx(2)` (`STATX_MNT_ID_UNIQUE`) and
  /// `statmount(2)` with `STATMOUNT_MNT_UIDMAP | STATMOUNT_MNT_GIDMAP`.
  public static func idMaps(at path: FilePath) throws(KernelError) -> (uidMap: [String], gidMap: [String]) {
    var size = 4096
    while true {
      var uidCount: UInt32 = 0
      var gidCount: UInt32 = 0
      var buffer = [CChar](repeating: 0, count: size)
      let used: Int32
      do {
        used = try valueOrError("statmount", at: path) { rcs_statmount_idmaps($0, &buffer, size, &uidCount, &gidCount) }
      } catch let error where error.errno == .outOfRange && size < 1 << 20 {
        size *= 4
        continue
      }
      let lines = buffer[..<Int(used)].split(separator: 0, omittingEmptySubsequences: false)
        .prefix(Int(uidCount) + Int(gidCount))
        .map { String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
      return (Array(lines.prefix(Int(uidCount))), Array(lines.dropFirst(Int(uidCount))))
    }
  }
}

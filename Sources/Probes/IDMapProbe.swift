import SystemPackage

/// Reads the uid and gid maps of an idmapped mount from the kernel (`statmount`
/// with `STATMOUNT_MNT_UIDMAP`/`GIDMAP`, Linux 6.15+), so the controller can compare
/// an idmapped bind with the map its manifest asks for.
public struct IDMapProbe: Sendable {
  /// Makes a probe.
  public init() {}

  /// The maps of the mount on top at `path`.
  ///
  /// - Parameter path: a mount point; a final symlink is not followed.
  /// - Returns: the maps as lines of "inner outer count" (on disk, seen through the
  ///   mount, count), or nil when the mount is not idmapped, the kernel does not
  ///   report maps (before 6.15 the two cannot be told apart; check
  ///   `MountEntry.isIdmapped` first), or the path cannot be looked up.
  ///
  /// The corresponding C calls are `statx(2)` (`STATX_MNT_ID_UNIQUE`) and
  /// `statmount(2)`.
  public func idmap(at path: String) -> ObservedIDMap? {
    try? read(at: path).get()
  }

  /// As `idmap(at:)`, with the errno when the maps could not be read
  /// (`EOPNOTSUPP` for a mount without maps or a kernel that does not report them).
  ///
  /// - Parameter path: a mount point; a final symlink is not followed.
  /// - Returns: the maps, or why not.
  public func read(at path: String) -> Result<ObservedIDMap, Errno> {
    var size = 4096
    while true {
      var uidCount: UInt32 = 0
      var gidCount: UInt32 = 0
      var buffer = [UInt8](repeating: 0, count: size)
      let result = buffer.withUnsafeMutableBytes { raw in
        valueOrErrno { system_statmount_idmaps(path, raw, uidCount: &uidCount, gidCount: &gidCount) }
      }
      switch result {
      case .failure(.outOfRange) where size < 1 << 20:
        size *= 4
      case .failure(let error):
        return .failure(error)
      case .success(let used):
        let lines = buffer[..<Int(used)].split(separator: 0, omittingEmptySubsequences: false)
          .prefix(Int(uidCount) + Int(gidCount))
          .map { String(decoding: $0, as: UTF8.self) }
        return .success(
          ObservedIDMap(
            uidMap: Array(lines.prefix(Int(uidCount))),
            gidMap: Array(lines.dropFirst(Int(uidCount)))))
      }
    }
  }
}

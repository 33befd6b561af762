import SystemPackage

/// Reads the uid and gid maps of an idmapped mount from the kernel (`statmount`
/// with `STATMOUNT_MNT_UIDMAP`/`GIDMAP`, Linux 6.15+), or on older kernels compares
/// owners through the mount with owners through its source, so the controller can
/// compare an idmapped bind with the map its manifest asks for.
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

  /// The owners of the mount's root and of up to `limit` of its entries (one per
  /// distinct on-disk owner, from the first 256), seen through the mount at `target`
  /// and through `source`, which the mount binds. For kernels whose statmount does
  /// not report maps (before 6.15).
  ///
  /// - Returns: the samples with the kernel's overflow ids, or nil when the root
  ///   cannot be looked up on either side.
  ///
  /// The corresponding C calls are `statx(2)`, `opendir(3)` and `readdir(3)`.
  public func sampledOwners(at target: String, source: String, limit: Int = 16) -> ObservedIDMap? {
    guard let root = sample(target, source) else { return nil }
    var samples = [root]
    var owners: Set<[UInt32]> = [[root.onDiskUID, root.onDiskGID]]
    if let directory = system_opendir(source) {
      defer { _ = system_closedir(directory) }
      var read = 0
      while samples.count < limit + 1, read < 256, let name = system_readdir(directory) {
        read += 1
        guard name != ".", name != "..",
          let entry = sample(target + "/" + name, source + "/" + name),
          owners.insert([entry.onDiskUID, entry.onDiskGID]).inserted
        else { continue }
        samples.append(entry)
      }
    }
    return ObservedIDMap(
      uidMap: [], gidMap: [], samples: samples, overflowUID: Self.overflowID("overflowuid"),
      overflowGID: Self.overflowID("overflowgid"))
  }

  private func sample(_ throughMount: String, _ onDisk: String) -> IDSample? {
    guard let seen = system_owner(throughMount), let disk = system_owner(onDisk) else { return nil }
    return IDSample(onDiskUID: disk.uid, onDiskGID: disk.gid, seenUID: seen.uid, seenGID: seen.gid)
  }

  /// /proc/sys/kernel/overflowuid or overflowgid: what an unmapped id shows as.
  static func overflowID(_ name: String) -> UInt32 {
    guard case .success(let text) = FileReading.text(of: "/proc/sys/kernel/" + name) else { return 65534 }
    return UInt32(text.split(separator: "\n").first ?? "") ?? 65534
  }
}

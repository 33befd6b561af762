import LinuxKernel
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
    Result(errnoOf: { () throws(KernelError) in
      let maps = try Statmount.idMaps(at: FilePath(path))
      return ObservedIDMap(uidMap: maps.uidMap, gidMap: maps.gidMap)
    })
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
    if let directory = try? DirectoryStream(FilePath(source)) {
      var read = 0
      while samples.count < limit + 1, read < 256, let name = directory.next() {
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
    guard let seen = try? Files.owner(of: FilePath(throughMount)),
      let disk = try? Files.owner(of: FilePath(onDisk))
    else { return nil }
    return IDSample(onDiskUID: disk.uid, onDiskGID: disk.gid, seenUID: seen.uid, seenGID: seen.gid)
  }

  /// /proc/sys/kernel/overflowuid or overflowgid: what an unmapped id shows as.
  static func overflowID(_ name: String) -> UInt32 {
    guard let text = ProcFile.text(of: "/proc/sys/kernel/" + name) else { return 65534 }
    return UInt32(text.split(separator: "\n").first ?? "") ?? 65534
  }
}

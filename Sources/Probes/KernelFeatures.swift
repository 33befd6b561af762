/// What the running kernel can do, probed once per run and passed on as a value so
/// that planning and tests never consult globals.
public struct KernelFeatures: Hashable, Codable, Sendable {
  /// `open_tree`, `move_mount`, `fsopen`, `fsconfig`, `fsmount` (5.2).
  public var newMountAPI: Bool
  /// `mount_setattr` with `MOUNT_ATTR_IDMAP` (5.12).
  public var idmappedMounts: Bool
  /// overlayfs accepts one `lowerdir+` per layer through `fsconfig` (6.8).
  public var overlayLowerdirPlus: Bool
  /// `openat2` with `RESOLVE_*` (5.6).
  public var openat2: Bool
  /// `statmount` (6.8).
  public var statmount: Bool
  /// `statx` reports the mount id (`STATX_MNT_ID`, 5.8).
  public var statxMountID: Bool
  /// overlayfs takes its layers as fds (`FSCONFIG_SET_FD`, 6.13).
  public var overlayLayerFDs: Bool
  /// ... and those fds may be `O_PATH` (6.15).
  public var overlayLayerPathFDs: Bool
  /// `statmount` reports an idmapped mount's uid and gid maps (6.15).
  public var statmountIDMaps: Bool
  /// `fchmodat2`, which changes a mode through an `O_PATH` fd (6.6).
  public var fchmodat2: Bool

  public init(
    newMountAPI: Bool, idmappedMounts: Bool, overlayLowerdirPlus: Bool, openat2: Bool,
    statmount: Bool, statxMountID: Bool = true, overlayLayerFDs: Bool = false,
    overlayLayerPathFDs: Bool = false, statmountIDMaps: Bool = false, fchmodat2: Bool = false
  ) {
    self.newMountAPI = newMountAPI
    self.idmappedMounts = idmappedMounts
    self.overlayLowerdirPlus = overlayLowerdirPlus
    self.openat2 = openat2
    self.statmount = statmount
    self.statxMountID = statxMountID
    self.overlayLayerFDs = overlayLayerFDs
    self.overlayLayerPathFDs = overlayLayerPathFDs
    self.statmountIDMaps = statmountIDMaps
    self.fchmodat2 = fchmodat2
  }

  /// A kernel with every feature, for tests and for planning against a saved table.
  public static let modern = KernelFeatures(
    newMountAPI: true, idmappedMounts: true, overlayLowerdirPlus: true, openat2: true,
    statmount: true, statxMountID: true, overlayLayerFDs: true, overlayLayerPathFDs: true,
    statmountIDMaps: true, fchmodat2: true)

  /// What reconcile cannot do without and cannot emulate, missing on this kernel: the
  /// calls with the version that brought each. Everything newer has a fallback.
  public var missingRequirements: [KernelRequirement] {
    var missing: [KernelRequirement] = []
    if !newMountAPI { missing.append(KernelRequirement(call: "open_tree/move_mount/fsopen", version: "5.2")) }
    if !openat2 { missing.append(KernelRequirement(call: "openat2", version: "5.6")) }
    if !statxMountID { missing.append(KernelRequirement(call: "statx STATX_MNT_ID", version: "5.8")) }
    if !idmappedMounts { missing.append(KernelRequirement(call: "mount_setattr", version: "5.12")) }
    return missing
  }
}

extension KernelFeatures {
  /// Why reconcile cannot run on this kernel, naming each missing call with the Linux
  /// version that brought it; nil when nothing is missing.
  public func floorMessage(release: String) -> String? {
    let missing = missingRequirements
    guard !missing.isEmpty else { return nil }
    let needed = missing.map(\.version)
      .max {
        $0.split(separator: ".").compactMap { Int($0) }.lexicographicallyPrecedes(
          $1.split(separator: ".").compactMap { Int($0) })
      }!
    return "this kernel (Linux \(release)) lacks \(missing.map(\.description).joined(separator: ", ")): "
      + "reconcile needs Linux \(needed) or later (supported: 6.1 and later)"
  }
}

/// A kernel call reconcile needs, and the Linux version that brought it.
public struct KernelRequirement: Hashable, Codable, Sendable, CustomStringConvertible {
  public var call: String
  public var version: String

  public init(call: String, version: String) {
    self.call = call
    self.version = version
  }

  public var description: String { "\(call) (Linux \(version))" }
}

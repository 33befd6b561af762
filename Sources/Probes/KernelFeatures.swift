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

  public init(
    newMountAPI: Bool, idmappedMounts: Bool, overlayLowerdirPlus: Bool, openat2: Bool,
    statmount: Bool
  ) {
    self.newMountAPI = newMountAPI
    self.idmappedMounts = idmappedMounts
    self.overlayLowerdirPlus = overlayLowerdirPlus
    self.openat2 = openat2
    self.statmount = statmount
  }

  /// A kernel with every feature, for tests and for planning against a saved table.
  public static let modern = KernelFeatures(
    newMountAPI: true, idmappedMounts: true, overlayLowerdirPlus: true, openat2: true,
    statmount: true)
}

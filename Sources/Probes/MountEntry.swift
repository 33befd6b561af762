/// One line of `/proc/self/mountinfo`, decoded into plain values.
public struct MountEntry: Hashable, Codable, Sendable {
  /// The mount id (field 1). Unique at one moment; the kernel reuses ids later.
  public var id: Int
  /// The parent's id: for a mount stacked on another, the mount it covers.
  public var parentID: Int
  public var major: UInt32
  public var minor: UInt32
  /// The directory of the filesystem that this mount shows (not `/` for a bind).
  public var root: String
  /// The mount point, unescaped.
  public var target: String
  public var fsType: String
  public var source: String
  /// Per-mount options (field 6): `rw`/`ro`, `nosuid`, `idmapped`, ...
  public var mountOptions: [String]
  /// Superblock options (last field), split on commas before unescaping.
  public var superOptions: [String]
  public var propagation: Propagation
  /// For overlay mounts, the decoded layers; nil for every other type.
  public var overlay: OverlayLayers?

  public init(
    id: Int, parentID: Int, major: UInt32, minor: UInt32, root: String, target: String,
    fsType: String, source: String, mountOptions: [String], superOptions: [String],
    propagation: Propagation, overlay: OverlayLayers?
  ) {
    self.id = id
    self.parentID = parentID
    self.major = major
    self.minor = minor
    self.root = root
    self.target = target
    self.fsType = fsType
    self.source = source
    self.mountOptions = mountOptions
    self.superOptions = superOptions
    self.propagation = propagation
    self.overlay = overlay
  }

  /// The mount is read-only for its users (`ro` among the per-mount options).
  public var isReadOnly: Bool { mountOptions.contains("ro") }
  /// The mount carries an id mapping (`idmapped` among the per-mount options).
  public var isIdmapped: Bool { mountOptions.contains("idmapped") }
}

/// The propagation fields of a mountinfo line.
public struct Propagation: Hashable, Codable, Sendable {
  /// Peer group when shared (`shared:N`).
  public var sharedGroup: Int?
  /// Master peer group when a slave (`master:N`).
  public var masterGroup: Int?
  public var unbindable: Bool

  public init(sharedGroup: Int? = nil, masterGroup: Int? = nil, unbindable: Bool = false) {
    self.sharedGroup = sharedGroup
    self.masterGroup = masterGroup
    self.unbindable = unbindable
  }

  /// No shared or slave relation: nothing propagates in or out.
  public var isPrivate: Bool { sharedGroup == nil && masterGroup == nil }
}

/// The layers of an overlay mount, decoded from its superblock options.
public struct OverlayLayers: Hashable, Codable, Sendable {
  /// Lower layers, top first, unescaped.
  public var lowerdirs: [String]
  /// Data-only lower layers (after `::`, or `datadir+=`).
  public var dataLowerdirs: [String]
  public var upperdir: String?
  public var workdir: String?

  public init(
    lowerdirs: [String], dataLowerdirs: [String] = [], upperdir: String?, workdir: String?
  ) {
    self.lowerdirs = lowerdirs
    self.dataLowerdirs = dataLowerdirs
    self.upperdir = upperdir
    self.workdir = workdir
  }
}

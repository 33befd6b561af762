import StateModel

/// What the probes saw: what the controller *believes* the host looks like now.
public struct ObservedState: Hashable, Sendable {
  public var mounts: MountTable
  public var features: KernelFeatures
  /// Whether the filesystem was probed. False when planning against a saved table
  /// (`--mountinfo`): path, xattr and lease observations are then absent, and the
  /// planner treats them as unknown rather than as good or bad.
  public var filesystemProbed: Bool
  /// Lease state of every mount matching a lease rule, keyed by mount target.
  public var leases: [String: LeaseObservation]
  /// Refused xattrs found on upperdirs, keyed by upperdir path; only paths that carry
  /// one are present.
  public var taintedUpperdirs: [String: [String]]
  /// Lowerdirs and bind sources that do not resolve beneath their allowed root,
  /// keyed by path, with why.
  public var pathEscapes: [String: String]
  /// The subset of `pathEscapes` that failed only because the path or its root does
  /// not exist here: unusable for a mount, yet no sign that the manifest is wrong.
  public var absentPaths: Set<String>
  /// Users and groups resolved through NSS.
  public var identities: IdentityTable
  /// Observed id maps of idmapped mounts, keyed by target, when the kernel reports
  /// them (statmount, 6.15+).
  public var idmaps: [String: ObservedIDMap]
  /// Desired targets, upperdirs and workdirs that do not exist yet.
  public var missingDirectories: Set<String>
  /// Record of each configured migration, by id.
  public var migrationRecords: [String: MigrationRecordObservation]
  /// Lease lock files held right now, whether or not their mount exists yet: a build
  /// may hold its lock before making its staging bind. While any is held, no
  /// migration runs (invariant 6).
  public var heldLeaseLocks: [String]

  public init(
    mounts: MountTable, features: KernelFeatures, filesystemProbed: Bool = true,
    leases: [String: LeaseObservation] = [:], taintedUpperdirs: [String: [String]] = [:],
    pathEscapes: [String: String] = [:], absentPaths: Set<String> = [], identities: IdentityTable = IdentityTable(),
    idmaps: [String: ObservedIDMap] = [:], missingDirectories: Set<String> = [],
    migrationRecords: [String: MigrationRecordObservation] = [:], heldLeaseLocks: [String] = []
  ) {
    self.mounts = mounts
    self.features = features
    self.filesystemProbed = filesystemProbed
    self.leases = leases
    self.taintedUpperdirs = taintedUpperdirs
    self.pathEscapes = pathEscapes
    self.absentPaths = absentPaths
    self.identities = identities
    self.idmaps = idmaps
    self.missingDirectories = missingDirectories
    self.migrationRecords = migrationRecords
    self.heldLeaseLocks = heldLeaseLocks
  }
}

/// Whether a lease's lock file is held by a live process.
public struct LeaseObservation: Hashable, Codable, Sendable {
  public var lockPath: String
  public var held: Bool

  public init(lockPath: String, held: Bool) {
    self.lockPath = lockPath
    self.held = held
  }
}

/// Users and groups by name, as NSS resolved them. A name that did not resolve is
/// absent.
public struct IdentityTable: Hashable, Sendable {
  public var users: [String: UInt32]
  public var groups: [String: UInt32]
  /// Primary group of each resolved user.
  public var primaryGroups: [String: UInt32]

  public init(
    users: [String: UInt32] = [:], groups: [String: UInt32] = [:],
    primaryGroups: [String: UInt32] = [:]
  ) {
    self.users = users
    self.groups = groups
    self.primaryGroups = primaryGroups
  }

  /// The uid for a reference, or nil if the name did not resolve.
  public func uid(_ reference: IDReference) -> UInt32? {
    switch reference {
    case .number(let number): return number
    case .name(let name): return users[name]
    }
  }

  /// The gid for a reference, or nil if the name did not resolve.
  public func gid(_ reference: IDReference) -> UInt32? {
    switch reference {
    case .number(let number): return number
    case .name(let name): return groups[name]
    }
  }
}

/// What the kernel shows of an idmapped mount's mapping: its uid and gid maps as
/// lines of "inner outer count" (statmount, 6.15+), or, on older kernels, the owners
/// of the same entries seen through the mount and through its source.
public struct ObservedIDMap: Hashable, Codable, Sendable {
  public var uidMap: [String]
  public var gidMap: [String]
  /// Before 6.15: the mount's root and a few of its entries, one per distinct owner.
  public var samples: [IDSample]
  /// The ids the kernel shows for an id the mount does not map (overflowuid/gid).
  public var overflowUID: UInt32
  public var overflowGID: UInt32

  public init(
    uidMap: [String], gidMap: [String], samples: [IDSample] = [], overflowUID: UInt32 = 65534,
    overflowGID: UInt32 = 65534
  ) {
    self.uidMap = uidMap
    self.gidMap = gidMap
    self.samples = samples
    self.overflowUID = overflowUID
    self.overflowGID = overflowGID
  }

  /// Whether this is what a mount made with one uid range and one gid range shows.
  /// The maps are compared whole; samples only say how the ids they hold map, so
  /// ranges that differ only where no sampled id lies cannot be told apart.
  public func agrees(uids: IDMapRange, gids: IDMapRange) -> Bool {
    if !uidMap.isEmpty || !gidMap.isEmpty {
      return uidMap == [uids.mapLine] && gidMap == [gids.mapLine]
    }
    return samples.allSatisfy {
      $0.seenUID == uids.seen(for: $0.onDiskUID, overflow: overflowUID)
        && $0.seenGID == gids.seen(for: $0.onDiskGID, overflow: overflowGID)
    }
  }
}

/// One range of an id map: `count` ids from `onDisk` appear as `seen` onwards.
public struct IDMapRange: Hashable, Sendable {
  public var onDisk: UInt32
  public var seen: UInt32
  public var count: UInt32

  public init(onDisk: UInt32, seen: UInt32, count: UInt32) {
    self.onDisk = onDisk
    self.seen = seen
    self.count = count
  }

  /// The `uid_map` line, as statmount reports it.
  public var mapLine: String { "\(onDisk) \(seen) \(count)" }

  /// The id an on-disk id shows as through the mount.
  public func seen(for id: UInt32, overflow: UInt32) -> UInt32 {
    id >= onDisk && id - onDisk < count ? seen + (id - onDisk) : overflow
  }
}

/// The owner of one entry on disk (through the bind's source) and through the mount.
public struct IDSample: Hashable, Codable, Sendable {
  public var onDiskUID: UInt32
  public var onDiskGID: UInt32
  public var seenUID: UInt32
  public var seenGID: UInt32

  public init(onDiskUID: UInt32, onDiskGID: UInt32, seenUID: UInt32, seenGID: UInt32) {
    self.onDiskUID = onDiskUID
    self.onDiskGID = onDiskGID
    self.seenUID = seenUID
    self.seenGID = seenGID
  }
}

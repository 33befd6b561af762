import Probes

/// A mount with every name resolved to numbers and every path absolute: all that
/// `mount(2)`, `fsconfig(2)` or `open_tree(2)` need.
public enum ResolvedMount: Hashable, Codable, Sendable {
  case overlay(ResolvedOverlay)
  case bind(ResolvedBind)
}

/// An overlay mount, layers top first.
public struct ResolvedOverlay: Hashable, Codable, Sendable {
  public var lowerdirs: [String]
  /// The lowerdir root each layer is opened beneath, one per layer; empty: every
  /// layer beneath the mount's root. Upperdir and workdir are always opened beneath it.
  public var lowerdirRoots: [String]
  public var upperdir: String?
  public var workdir: String?
  public var readOnly: Bool

  public init(
    lowerdirs: [String], lowerdirRoots: [String] = [], upperdir: String?, workdir: String?, readOnly: Bool
  ) {
    self.lowerdirs = lowerdirs
    self.lowerdirRoots = lowerdirRoots
    self.upperdir = upperdir
    self.workdir = workdir
    self.readOnly = readOnly
  }
}

/// A bind mount of `source`, opened beneath `sourceRoot` without following symlinks.
public struct ResolvedBind: Hashable, Codable, Sendable {
  public var source: String
  public var sourceRoot: String
  public var readOnly: Bool
  public var idmap: ResolvedIDMap?

  public init(source: String, sourceRoot: String, readOnly: Bool, idmap: ResolvedIDMap?) {
    self.source = source
    self.sourceRoot = sourceRoot
    self.readOnly = readOnly
    self.idmap = idmap
  }
}

/// Numeric uid and gid ranges of an idmapped bind.
public struct ResolvedIDMap: Hashable, Codable, Sendable {
  public var users: IDRange
  public var groups: IDRange

  public init(users: IDRange, groups: IDRange) {
    self.users = users
    self.groups = groups
  }
}

/// One range: `count` ids from `onDisk` appear as `seenThroughMount` onwards.
public struct IDRange: Hashable, Codable, Sendable, CustomStringConvertible {
  public var onDisk: UInt32
  public var seenThroughMount: UInt32
  public var count: UInt32

  public init(onDisk: UInt32, seenThroughMount: UInt32, count: UInt32) {
    self.onDisk = onDisk
    self.seenThroughMount = seenThroughMount
    self.count = count
  }

  /// The `/proc/PID/uid_map` line. The kernel maps "inner outer count" with the
  /// on-disk id inner and the id seen through the mount outer (make_vfsuid() maps
  /// down through the mount's idmap), which is util-linux X-mount.idmap order.
  public var mapLine: String { "\(onDisk) \(seenThroughMount) \(count)" }

  public var description: String { "\(onDisk):\(seenThroughMount):\(count)" }

  /// The same range as the probes compare it.
  public var range: IDMapRange { IDMapRange(onDisk: onDisk, seen: seenThroughMount, count: count) }
}

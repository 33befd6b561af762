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
  /// How apply hands the layers to the kernel.
  public var method: OverlayMethod

  /// - Parameter method: what the planner chose from the observed kernel features;
  ///   left out (tests, the seed host), this kernel's.
  public init(
    lowerdirs: [String], lowerdirRoots: [String] = [], upperdir: String?, workdir: String?, readOnly: Bool,
    method: OverlayMethod = OverlayMethod(features: KernelFeatureProbe.probedOnce)
  ) {
    self.lowerdirs = lowerdirs
    self.lowerdirRoots = lowerdirRoots
    self.upperdir = upperdir
    self.workdir = workdir
    self.readOnly = readOnly
    self.method = method
  }
}

/// How an overlay's layers reach the kernel, chosen by the planner from the probed
/// features, so that a printed plan says what apply will do. Every way hands over
/// directories opened beneath their roots (invariant 14).
public enum OverlayMethod: String, Hashable, Codable, Sendable {
  /// `fsconfig(FSCONFIG_SET_FD)` with the `O_PATH` fds themselves (6.15+).
  case pathDescriptors = "fd"
  /// `fsconfig(FSCONFIG_SET_FD)` with `O_RDONLY` fds (6.13 and 6.14 refuse `O_PATH` ones).
  case readableDescriptors = "fd-rdonly"
  /// `fsconfig(SET_STRING, "lowerdir+")` with each path pinned to its fd in a private
  /// root (6.8 to 6.12).
  case pinnedLowerdirPlus = "pinned-lowerdir+"
  /// `mount(2)` data, one page at most, with the paths pinned likewise (before 6.8).
  case pinnedMountData = "pinned-mount-data"

  /// The best way this kernel has.
  public init(features: KernelFeatures) {
    if features.overlayLayerFDs {
      self = features.overlayLayerPathFDs ? .pathDescriptors : .readableDescriptors
    } else {
      self = features.overlayLowerdirPlus ? .pinnedLowerdirPlus : .pinnedMountData
    }
  }

  /// Whether the kernel takes the layer fds themselves.
  public var passesDescriptors: Bool { self == .pathDescriptors || self == .readableDescriptors }
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

/// A mount an instance wants, with every path absolute (resolved against `root`).
public enum MountSpec: Hashable, Codable, Sendable {
  case overlay(OverlaySpec)
  case bind(BindSpec)

  /// Where the mount goes.
  public var target: String {
    switch self {
    case .overlay(let overlay): return overlay.target
    case .bind(let bind): return bind.target
    }
  }
}

/// An overlayfs mount.
public struct OverlaySpec: Hashable, Codable, Sendable {
  public var target: String
  /// Lower layers, top first, as overlayfs orders them.
  public var lowerdirs: [String]
  /// Nil for a read-only overlay (then `workdir` is nil too).
  public var upperdir: String?
  public var workdir: String?
  public var readOnly: Bool

  public init(
    target: String, lowerdirs: [String], upperdir: String?, workdir: String?,
    readOnly: Bool = false
  ) {
    self.target = target
    self.lowerdirs = lowerdirs
    self.upperdir = upperdir
    self.workdir = workdir
    self.readOnly = readOnly
  }
}

/// A bind mount, optionally read-only and optionally idmapped.
public struct BindSpec: Hashable, Codable, Sendable {
  public var source: String
  public var target: String
  public var readOnly: Bool
  public var idmap: IDMapSpec?

  public init(source: String, target: String, readOnly: Bool = false, idmap: IDMapSpec? = nil) {
    self.source = source
    self.target = target
    self.readOnly = readOnly
    self.idmap = idmap
  }
}

/// A mount an instance wants, with where the manifest declared it.
public struct DesiredMount: Hashable, Codable, Sendable {
  public var spec: MountSpec
  public var location: SourceLocation

  public init(spec: MountSpec, location: SourceLocation) {
    self.spec = spec
    self.location = location
  }
}

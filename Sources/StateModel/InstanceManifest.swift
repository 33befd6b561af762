/// One instance's manifest (`instances.d/<name>.yaml`), decoded and validated.
public struct InstanceManifest: Hashable, Codable, Sendable {
  /// The instance name: the file name without `.yaml`.
  public var name: String
  public var file: String
  /// False: the instance wants no mounts, and its declared targets are unmounted.
  public var enabled: Bool
  /// Declared mounts; wanted only while `enabled`.
  public var mounts: [DesiredMount]

  public init(name: String, file: String, enabled: Bool, mounts: [DesiredMount]) {
    self.name = name
    self.file = file
    self.enabled = enabled
    self.mounts = mounts
  }

  /// The mounts the instance wants now: none when disabled.
  public var wantedMounts: [DesiredMount] { enabled ? mounts : [] }

  /// Every target the manifest declares, enabled or not.
  public var declaredTargets: [String] { mounts.map(\.spec.target) }
}

/// An instance whose manifest was refused. Its declared targets stay untouched
/// (invariant 1): a manifest that cannot be used never means "wants nothing".
public struct RefusedInstance: Hashable, Codable, Sendable {
  public var name: String
  public var file: String
  /// The targets the file declares, as far as they could be read.
  public var declaredTargets: [String]
  public var issues: [ManifestIssue]

  public init(name: String, file: String, declaredTargets: [String], issues: [ManifestIssue]) {
    self.name = name
    self.file = file
    self.declaredTargets = declaredTargets
    self.issues = issues
  }
}

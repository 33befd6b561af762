/// Everything the config and manifests ask for, plus what could not be used.
public struct DesiredState: Hashable, Codable, Sendable {
  public var config: SiteConfig
  /// Accepted instances, sorted by name.
  public var instances: [InstanceManifest]
  /// Instances refused at load time; their declared targets stay untouched.
  public var refused: [RefusedInstance]
  /// Every issue found, config and manifests alike.
  public var issues: [ManifestIssue]
  /// True when some manifest could not even be parsed: then no orphan is removed in
  /// this run (invariant 1), since that file might have wanted any mount.
  public var hasUnparseableManifest: Bool

  public init(
    config: SiteConfig, instances: [InstanceManifest], refused: [RefusedInstance],
    issues: [ManifestIssue], hasUnparseableManifest: Bool
  ) {
    self.config = config
    self.instances = instances
    self.refused = refused
    self.issues = issues
    self.hasUnparseableManifest = hasUnparseableManifest
  }
}

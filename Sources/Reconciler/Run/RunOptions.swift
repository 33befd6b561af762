/// What one `reconcile` run is asked to do (DESIGN 3.1).
public struct RunOptions: Hashable, Sendable {
  public var configFile: String
  /// Observe and plan only; change nothing at all (no mount, directory or lock file).
  public var dryRun: Bool
  /// Act only on these instances' declared targets; empty means all, with orphans.
  public var instances: [String]
  /// Plan against a saved mount table instead of the live one (implies a dry run).
  public var mountInfoPath: String?
  /// Seconds to wait for another run's lock before giving up with exit 75.
  public var lockTimeout: Double

  public init(
    configFile: String = "/etc/reconcile/site.yaml", dryRun: Bool = false, instances: [String] = [],
    mountInfoPath: String? = nil, lockTimeout: Double = 30
  ) {
    self.configFile = configFile
    self.dryRun = dryRun
    self.instances = instances
    self.mountInfoPath = mountInfoPath
    self.lockTimeout = lockTimeout
  }

  /// Whether this run may change anything.
  public var changesNothing: Bool { dryRun || mountInfoPath != nil }

  var scope: Planner.Scope { instances.isEmpty ? .all : .instances(Set(instances)) }
}

import Probes

/// What one `reconcile` run is asked to do (DESIGN 3.1).
public struct RunOptions: Sendable {
  public var configFile: String
  /// Observe and plan only; change nothing at all (no mount, directory or lock file).
  public var dryRun: Bool
  /// Act only on these instances' declared targets; empty means all, with orphans.
  public var instances: [String]
  /// Plan against a saved mount table instead of the live one (implies a dry run).
  public var mountInfoPath: String?
  /// Seconds to wait for another run's lock before giving up with exit 75.
  public var lockTimeout: Double
  /// `migrate`: seconds to wait for held leases before reporting the migration deferred.
  public var leaseWait: Double
  /// Called during a long ownership walk with the tree and the entries done so far.
  public var migrationProgress: (@Sendable (String, Int) -> Void)?
  /// Where to write Prometheus metrics after the run (textfile collector), if anywhere.
  public var metricsFile: String?
  /// The command as status.json names it (`reconcile --instance 2`).
  public var commandLine: String
  /// `reconcile watch`'s counters, recorded in status.json beside the run.
  public var watch: WatchStatistics?
  /// The uid that must own the config and manifests: root, always, for the command;
  /// tests that run as another user plan against their own files.
  var trustedOwner: UInt32 = 0

  public init(
    configFile: String = "/etc/reconcile/site.yaml", dryRun: Bool = false, instances: [String] = [],
    mountInfoPath: String? = nil, lockTimeout: Double = 30, leaseWait: Double = 0,
    migrationProgress: (@Sendable (String, Int) -> Void)? = nil, metricsFile: String? = nil,
    commandLine: String = "reconcile"
  ) {
    self.configFile = configFile
    self.dryRun = dryRun
    self.instances = instances
    self.mountInfoPath = mountInfoPath
    self.lockTimeout = lockTimeout
    self.leaseWait = leaseWait
    self.migrationProgress = migrationProgress
    self.metricsFile = metricsFile
    self.commandLine = commandLine
  }

  /// The live table, or the saved one `--mountinfo` names.
  var tableSource: MountTableSource { mountInfoPath.map { .saved(path: $0) } ?? .live }

  /// Whether this run may change anything.
  public var changesNothing: Bool { dryRun || mountInfoPath != nil }

  var scope: Planner.Scope { instances.isEmpty ? .all : .instances(Set(instances)) }
}

import LinuxKernel
import StateModel
import SystemPackage

/// What the watcher watches, from the site config: the config file's directory, the
/// instances directory, the directories that hold lease lock files, and `root`.
struct WatchTargets: Equatable {
  var configFile: FilePath
  var instancesDirectory: FilePath?
  var root: String
  var leaseDirectories: [FilePath]
  /// The filesystems of the lease directories (`st_dev`), whose `flock`s count.
  var leaseDevices: Set<UInt64>

  /// The targets of `config`; before any config could be read, only the config file.
  init(configFile: String, config: SiteConfig?) {
    self.configFile = FilePath(configFile)
    instancesDirectory = config.map { FilePath($0.instancesDirectory) }
    root = config?.root ?? "/nonexistent-reconcile-root"
    var directories: [FilePath] = []
    // A rule whose lock directory has a wildcard cannot be watched as one directory;
    // the periodic run covers it.
    for rule in config?.leases ?? [] {
      guard let directory = rule.lockDirectory.map({ FilePath($0) }), !directories.contains(directory) else { continue }
      directories.append(directory)
    }
    leaseDirectories = directories
    leaseDevices = Set(directories.compactMap { (try? Files.linkStatus($0)).map { UInt64($0.deviceID.rawValue) } })
  }

  /// Whether an absolute mount point lies at or below `root`.
  func covers(mountPoint: String) -> Bool {
    mountPoint == root || mountPoint.hasPrefix(root == "/" ? "/" : root + "/")
  }
}

/// The site config (`/etc/reconcile/site.yaml`), with every path made absolute.
public struct SiteConfig: Hashable, Codable, Sendable {
  /// The config file itself.
  public var file: String
  /// Everything the controller manages lies below this directory.
  public var root: String
  /// Directory of `<name>.yaml` instance manifests.
  public var instancesDirectory: String
  /// Lock, status and migration records.
  public var stateDirectory: String
  /// Lowerdirs and bind sources must resolve beneath one of these.
  public var lowerdirRoots: [String]
  /// Mounts below these that nothing wants are removed.
  public var managed: [String]
  /// Upperdirs carrying an xattr with one of these prefixes are never mounted.
  public var refuseUpperXattrs: [String]
  public var leases: [LeaseRule]
  public var migrations: [MigrationSpec]

  public init(
    file: String, root: String, instancesDirectory: String, stateDirectory: String,
    lowerdirRoots: [String], managed: [String], refuseUpperXattrs: [String],
    leases: [LeaseRule], migrations: [MigrationSpec]
  ) {
    self.file = file
    self.root = root
    self.instancesDirectory = instancesDirectory
    self.stateDirectory = stateDirectory
    self.lowerdirRoots = lowerdirRoots
    self.managed = managed
    self.refuseUpperXattrs = refuseUpperXattrs
    self.leases = leases
    self.migrations = migrations
  }

  /// The lock file apply holds for the whole run.
  public var lockFile: String { stateDirectory + "/lock" }
}

/// Mounts matching `pattern` are kept only while their lock file is `flock()`ed.
public struct LeaseRule: Hashable, Codable, Sendable {
  /// Absolute glob; `*` and `?` match within one path component.
  public var pattern: String
  /// Lock path template; `{mount}` stands for the mount's target.
  public var lockTemplate: String

  public init(pattern: String, lockTemplate: String) {
    self.pattern = pattern
    self.lockTemplate = lockTemplate
  }

  /// Whether `path` matches the pattern.
  public func matches(_ path: String) -> Bool {
    Glob.matches(pattern: pattern, path: path)
  }

  /// The lock file for a mount at `target`.
  public func lockPath(for target: String) -> String {
    lockTemplate.replacing("{mount}", with: target)
  }

  /// The one directory that holds this rule's lock files, or nil when the lock
  /// pattern's own directory has a wildcard (its locks are in many directories).
  public var lockDirectory: String? {
    let pattern = lockPath(for: self.pattern)
    guard let slash = pattern.lastIndex(of: "/") else { return nil }
    let directory = String(pattern[..<slash])
    return Glob.hasWildcard(directory) ? nil : directory
  }
}

/// A one-shot ownership migration, recorded under the state directory when done.
public struct MigrationSpec: Hashable, Codable, Sendable {
  public var id: String
  /// Absolute path of the tree to walk.
  public var path: String
  public var fromUser: IDReference
  /// The group to match; nil means the `from` user's primary group.
  public var fromGroup: IDReference?
  public var toUser: IDReference
  /// The new group; nil means the `to` user's primary group.
  public var toGroup: IDReference?
  public var location: SourceLocation

  public init(
    id: String, path: String, fromUser: IDReference, fromGroup: IDReference?,
    toUser: IDReference, toGroup: IDReference?, location: SourceLocation
  ) {
    self.id = id
    self.path = path
    self.fromUser = fromUser
    self.fromGroup = fromGroup
    self.toUser = toUser
    self.toGroup = toGroup
    self.location = location
  }
}

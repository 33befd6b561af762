/// Why `ManifestLoader.load()` could not produce a `DesiredState` at all.
///
/// Problems confined to one instance manifest never throw: they refuse that instance
/// and are reported in `DesiredState`. These cases are for a site config that cannot
/// be used, since without it no manifest can be checked.
public enum StateModelError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The site config file or the instances directory could not be read: it is
  /// missing, or reading it failed. `reason` says how.
  case unreadable(path: String, reason: String)
  /// The site config was refused: unsafe owner or mode, too large, not a regular file,
  /// not valid YAML, or invalid. Carries every issue found.
  case configRejected(file: String, issues: [ManifestIssue])
  /// The instances directory named by the config is not a directory, or is owned or
  /// writable by someone other than the trusted owner (invariant 10).
  case instancesDirectoryRejected(path: String, reason: String)

  /// The failure in words; a config's issues are listed one per line.
  public var description: String {
    switch self {
    case .unreadable(let path, let reason):
      return "cannot read '\(path)': \(reason)"
    case .configRejected(let file, let issues):
      let list = issues.map { "  - \($0)" }.joined(separator: "\n")
      return "site config '\(file)' rejected:\n\(list)"
    case .instancesDirectoryRejected(let path, let reason):
      return "instances directory '\(path)' refused: \(reason)"
    }
  }
}

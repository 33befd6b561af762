/// One problem found while loading or validating the site config or a manifest.
///
/// Validation returns every issue it finds rather than stopping at the first, so an
/// operator fixes a file in one pass.
public struct ManifestIssue: Hashable, Codable, Sendable, CustomStringConvertible {
  /// Where the problem is. Line and column are 0 when the problem concerns the whole
  /// file (unreadable, oversize, unsafe permissions).
  public var location: SourceLocation
  /// The instance the file declares, or nil for the site config.
  public var instance: String?
  /// The YAML key path, such as `mounts[1].lowerdirs[0]`; empty for the document.
  public var keyPath: String
  /// What is wrong, in words.
  public var message: String

  public init(location: SourceLocation, instance: String?, keyPath: String, message: String) {
    self.location = location
    self.instance = instance
    self.keyPath = keyPath
    self.message = message
  }

  public var description: String {
    let key = keyPath.isEmpty ? "" : "\(keyPath): "
    return "\(location): \(key)\(message)"
  }
}

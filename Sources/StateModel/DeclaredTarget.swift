/// A mount target a manifest declares, with where it was written; read even from a
/// manifest that is refused, because the planner must leave those targets untouched.
public struct DeclaredTarget: Hashable, Codable, Sendable {
  /// The absolute target path.
  public var path: String
  /// Where the target's value is written.
  public var location: SourceLocation
  /// Its key path, such as `mounts[0].target`.
  public var keyPath: String

  /// Creates a declared target.
  public init(path: String, location: SourceLocation, keyPath: String) {
    self.path = path
    self.location = location
    self.keyPath = keyPath
  }
}

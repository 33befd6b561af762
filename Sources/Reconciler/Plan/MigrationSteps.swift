/// Re-own what one user owns in a tree, once (DESIGN 3.3 `migrations:`, invariant 6).
public struct OwnershipStep: Hashable, Codable, Sendable {
  public var id: String
  /// The tree, opened beneath `root` without following symlinks.
  public var path: String
  public var root: String
  public var fromUID: UInt32
  public var fromGID: UInt32
  public var toUID: UInt32
  public var toGID: UInt32
  /// Lease lock files held when planned: while any is, the step is deferred, not run.
  public var deferredBy: [String]

  public init(
    id: String, path: String, root: String, fromUID: UInt32, fromGID: UInt32, toUID: UInt32,
    toGID: UInt32, deferredBy: [String]
  ) {
    self.id = id
    self.path = path
    self.root = root
    self.fromUID = fromUID
    self.fromGID = fromGID
    self.toUID = toUID
    self.toGID = toGID
    self.deferredBy = deferredBy
  }
}

/// Write the record that makes a finished migration cost nothing on later runs.
public struct RecordStep: Hashable, Codable, Sendable {
  public var id: String
  /// `<state>/migrations/<id>.json`.
  public var file: String
  public var stateDirectory: String
  public var root: String
  public var definition: String
  public var digest: String

  public init(
    id: String, file: String, stateDirectory: String, root: String, definition: String, digest: String
  ) {
    self.id = id
    self.file = file
    self.stateDirectory = stateDirectory
    self.root = root
    self.definition = definition
    self.digest = digest
  }
}

/// A one-shot change of owner: entries owned by `fromUID:fromGID` (both must match,
/// as `chown --from=U:G`) become `toUID:toGID`. Numeric, so the walk never consults
/// NSS; the caller resolves names first.
public struct OwnershipChange: Hashable, Codable, Sendable {
  /// The owner an entry must have, user id.
  public var fromUID: UInt32
  /// The owner an entry must have, group id.
  public var fromGID: UInt32
  /// The new owner, user id.
  public var toUID: UInt32
  /// The new owner, group id.
  public var toGID: UInt32

  /// A change from `fromUID:fromGID` to `toUID:toGID`.
  public init(fromUID: UInt32, fromGID: UInt32, toUID: UInt32, toGID: UInt32) {
    self.fromUID = fromUID
    self.fromGID = fromGID
    self.toUID = toUID
    self.toGID = toGID
  }

  /// Whether an entry with this owner is one to change.
  func matches(uid: UInt32, gid: UInt32) -> Bool {
    uid == fromUID && gid == fromGID
  }
}

// Stand-ins until the ownership walk lands from its branch (same names and fields).
public struct OwnershipChange: Hashable, Codable, Sendable {
  public var fromUID, fromGID, toUID, toGID: UInt32
  public init(fromUID: UInt32, fromGID: UInt32, toUID: UInt32, toGID: UInt32) {
    self.fromUID = fromUID
    self.fromGID = fromGID
    self.toUID = toUID
    self.toGID = toGID
  }
}
public struct OwnershipCounts: Hashable, Codable, Sendable {
  public var changed: Int
  public var skippedForeign: Int
  public var skippedOtherMounts: Int
  public var setIDBitsCleared: Int
  public init(changed: Int, skippedForeign: Int, skippedOtherMounts: Int, setIDBitsCleared: Int) {
    self.changed = changed
    self.skippedForeign = skippedForeign
    self.skippedOtherMounts = skippedOtherMounts
    self.setIDBitsCleared = setIDBitsCleared
  }
}
public struct OwnershipWalker {
  public init(change: OwnershipChange, dryRun: Bool = false, progress: ((Int) -> Void)? = nil) {}
  public func walk(_ path: String, beneath root: String) -> Result<OwnershipCounts, MountSystemError> {
    .failure(MountSystemError(call: "walk", path: path, errno: .noFunction))
  }
}

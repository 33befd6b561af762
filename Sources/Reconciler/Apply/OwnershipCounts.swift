/// What an ownership walk did (or, in a dry run, would do), entry by entry. Every
/// entry of the tree falls in exactly one of the first three counts.
public struct OwnershipCounts: Hashable, Codable, Sendable {
  /// Entries re-owned (dry run: that would be), directories and symlinks included.
  public var changed: Int
  /// Entries left alone because their uid or gid is not the change's `from`.
  public var skippedForeign: Int
  /// Entries that are other mounts (bind mounts of a directory or of a file): never
  /// entered, never re-owned.
  public var skippedOtherMounts: Int
  /// Regular files among `changed` that carried setuid or setgid bits, which the walk
  /// cleared before re-owning them. The kernel alone would keep setgid without
  /// group-exec.
  public var setIDBitsCleared: Int

  /// Counts with the given values, zero by default.
  public init(changed: Int = 0, skippedForeign: Int = 0, skippedOtherMounts: Int = 0, setIDBitsCleared: Int = 0) {
    self.changed = changed
    self.skippedForeign = skippedForeign
    self.skippedOtherMounts = skippedOtherMounts
    self.setIDBitsCleared = setIDBitsCleared
  }
}

extension OwnershipCounts {
  /// Adds another part of the same walk.
  mutating func add(_ other: OwnershipCounts) {
    changed += other.changed
    skippedForeign += other.skippedForeign
    skippedOtherMounts += other.skippedOtherMounts
    setIDBitsCleared += other.setIDBitsCleared
  }
}

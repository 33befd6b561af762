/// What `<state>/migrations/<id>.json` says about a finished migration.
public struct MigrationRecord: Hashable, Codable, Sendable {
  public var id: String
  /// The canonical definition it ran with, and its digest.
  public var definition: String
  public var digest: String
  /// When it finished, ISO 8601 in UTC.
  public var finishedAt: String
  public var changed: Int
  public var skippedForeign: Int
  public var skippedOtherMounts: Int
  public var durationSeconds: Double

  public init(
    id: String, definition: String, digest: String, finishedAt: String, changed: Int,
    skippedForeign: Int, skippedOtherMounts: Int, durationSeconds: Double
  ) {
    self.id = id
    self.definition = definition
    self.digest = digest
    self.finishedAt = finishedAt
    self.changed = changed
    self.skippedForeign = skippedForeign
    self.skippedOtherMounts = skippedOtherMounts
    self.durationSeconds = durationSeconds
  }

  enum CodingKeys: String, CodingKey {
    case id, definition, digest, changed
    case finishedAt = "finished_at"
    case skippedForeign = "skipped_foreign"
    case skippedOtherMounts = "skipped_other_mounts"
    case durationSeconds = "duration_seconds"
  }
}

/// A migration record as the probe found it.
public enum MigrationRecordObservation: Hashable, Sendable {
  /// No record: the migration has not finished yet.
  case absent
  case recorded(MigrationRecord)
  /// A file is there but cannot be read or decoded; the migration is not run again
  /// blindly, it is reported.
  case unreadable(String)
}

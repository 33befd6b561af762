import SystemPackage

/// The effects of a migration: the ownership walk and its record. The kernel
/// implementation is `KernelMigrationSystem`; tests substitute a fake.
public protocol MigrationSystem {
  /// Re-owns (or, with `dryRun`, counts) what `step`'s from user owns in its tree.
  func changeOwnership(_ step: OwnershipStep, dryRun: Bool) -> Result<OwnershipCounts, MountSystemError>
  /// Writes `record` to `step.file` atomically (temporary file, fsync, rename).
  func writeRecord(_ record: MigrationRecordFile, for step: RecordStep) -> Result<Void, MountSystemError>
}

/// The JSON a finished migration leaves in `<state>/migrations/<id>.json`; the same
/// keys as `Probes.MigrationRecord` reads back.
public struct MigrationRecordFile: Hashable, Codable, Sendable {
  public var id: String
  public var definition: String
  public var digest: String
  public var finished_at: String
  public var changed: Int
  public var skipped_foreign: Int
  public var skipped_other_mounts: Int
  public var duration_seconds: Double

  public init(step: RecordStep, counts: OwnershipCounts, finishedAt: String, duration: Double) {
    id = step.id
    definition = step.definition
    digest = step.digest
    finished_at = finishedAt
    changed = counts.changed
    skipped_foreign = counts.skippedForeign
    skipped_other_mounts = counts.skippedOtherMounts
    duration_seconds = duration
  }
}

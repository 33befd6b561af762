import Probes
import SystemPackage

/// The effects of a migration: the ownership walk and its record. The kernel
/// implementation is `KernelMigrationSystem`; tests substitute a fake.
public protocol MigrationSystem {
  /// Re-owns (or, with `dryRun`, counts) what `step`'s from user owns in its tree.
  func changeOwnership(_ step: OwnershipStep, dryRun: Bool) -> Result<OwnershipCounts, ReconcilerError>
  /// Writes `record` to `step.file` atomically (temporary file, fsync, rename).
  func writeRecord(_ record: MigrationRecord, for step: RecordStep) -> Result<Void, ReconcilerError>
}

extension MigrationRecord {
  /// The record of `step`'s finished walk: one type writes and reads
  /// `<state>/migrations/<id>.json`, so its keys cannot drift apart.
  public init(step: RecordStep, counts: OwnershipCounts, finishedAt: String, duration: Double) {
    self.init(
      id: step.id, definition: step.definition, digest: step.digest, finishedAt: finishedAt,
      changed: counts.changed, skippedForeign: counts.skippedForeign,
      skippedOtherMounts: counts.skippedOtherMounts, durationSeconds: duration)
  }
}

import FoundationEssentials
import Probes
import StateModel
import SystemPackage

/// `MigrationSystem` on the real filesystem.
public struct KernelMigrationSystem: MigrationSystem {
  /// Called with entries walked so far, a few times a second during a long walk.
  public var progress: ((String, Int) -> Void)?

  public init(progress: ((String, Int) -> Void)? = nil) {
    self.progress = progress
  }

  public func changeOwnership(_ step: OwnershipStep, dryRun: Bool) -> Result<OwnershipCounts, ReconcilerError> {
    let change = OwnershipChange(
      fromUID: step.fromUID, fromGID: step.fromGID, toUID: step.toUID, toGID: step.toGID)
    let report = progress.map { report in { (count: Int) in report(step.path, count) } }
    return OwnershipWalker(change: change, dryRun: dryRun, progress: report).walk(step.path, beneath: step.root)
      .mapError { ReconcilerError.ownershipWalk($0) }
  }

  public func writeRecord(_ record: MigrationRecord, for step: RecordStep) -> Result<Void, ReconcilerError> {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data: Data
    do {
      data = try encoder.encode(record)
    } catch {
      return .failure(.recordNotEncodable(id: step.id, reason: "\(error)"))
    }
    // Beneath root, never through a symlink, into root-owned directories only.
    do {
      let records = try StateDirectory.open(step.stateDirectory, beneath: step.root, create: true)!
        .subdirectory(MigrationSpec.recordDirectory, create: true)!
      try records.write(
        FilePath(step.file).lastComponent?.string ?? step.id + ".json", [UInt8](data) + [UInt8(ascii: "\n")])
      return .success(())
    } catch {
      return .failure(.state(error))
    }
  }
}

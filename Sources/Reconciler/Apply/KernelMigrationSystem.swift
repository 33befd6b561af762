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

  public func changeOwnership(_ step: OwnershipStep, dryRun: Bool) -> Result<OwnershipCounts, MountSystemError> {
    let change = OwnershipChange(
      fromUID: step.fromUID, fromGID: step.fromGID, toUID: step.toUID, toGID: step.toGID)
    let report = progress.map { report in { (count: Int) in report(step.path, count) } }
    return OwnershipWalker(change: change, dryRun: dryRun, progress: report).walk(step.path, beneath: step.root)
      .mapError { MountSystemError(call: $0.call, path: $0.printablePath, errno: $0.errno, detail: $0.detail) }
  }

  public func writeRecord(_ record: MigrationRecord, for step: RecordStep) -> Result<Void, MountSystemError> {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(record) else {
      return .failure(MountSystemError(call: "encode record", path: step.file, errno: .invalidArgument))
    }
    // Beneath root, never through a symlink, into root-owned directories only.
    do {
      let records = try StateDirectory.open(step.stateDirectory, beneath: step.root, create: true)!
        .subdirectory(MigrationSpec.recordDirectory, create: true)!
      try records.write(FilePath(step.file).lastComponent?.string ?? step.id + ".json", [UInt8](data) + [UInt8(ascii: "\n")])
      return .success(())
    } catch {
      switch error {
      case .system(let error):
        return .failure(MountSystemError(call: error.call, path: error.path?.string ?? step.file, errno: error.errno))
      case .untrusted(let path, let reason):
        return .failure(MountSystemError(call: "trust check", path: path, errno: .permissionDenied, detail: reason))
      }
    }
  }
}

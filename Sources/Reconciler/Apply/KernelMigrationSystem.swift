import Foundation
import Glibc
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
  }

  public func writeRecord(_ record: MigrationRecordFile, for step: RecordStep) -> Result<Void, MountSystemError> {
    let directory = step.stateDirectory + "/migrations"
    let system = KernelMountSystem(overlayLowerdirPlus: false)
    if case .failure(let error) = system.makeDirectory(directory, beneath: step.root) {
      return .failure(error)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(record) else {
      return .failure(MountSystemError(call: "encode record", path: step.file, errno: .invalidArgument))
    }
    let temporary = step.file + ".tmp"
    let fd: Int32
    switch valueOrErrno({ system_open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644) }) {
    case .success(let value): fd = value
    case .failure(let error): return .failure(MountSystemError(call: "open", path: temporary, errno: error))
    }
    let bytes = [UInt8](data) + [UInt8(ascii: "\n")]
    let written = bytes.withUnsafeBytes { raw in valueOrErrno { system_write(fd, raw.baseAddress!, raw.count) } }
    let synced = valueOrErrno { system_fsync(fd) }
    system_close(fd)
    for result in [written.map { _ in 0 }, synced.map { _ in 0 }] {
      if case .failure(let error) = result {
        return .failure(MountSystemError(call: "write", path: temporary, errno: error))
      }
    }
    if case .failure(let error) = valueOrErrno({ system_rename(temporary, step.file) }) {
      return .failure(MountSystemError(call: "rename", path: step.file, errno: error))
    }
    return .success(())
  }
}

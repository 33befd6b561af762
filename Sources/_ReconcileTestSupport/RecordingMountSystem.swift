import LinuxKernel
import Probes
import Reconciler
import SystemPackage

/// A `MountSystem` that simulates stacks of mount ids per path, records every call,
/// and fails the calls it is told to fail.
public final class RecordingMountSystem: MountSystem, MigrationSystem {
  /// Mount ids stacked on each path, bottom first; a path absent here is on mount 1.
  public var stacks: [String: [Int]]
  /// Calls made, as "unmount /path", "mountOverlay /path", ...
  public private(set) var trace: [String] = []
  /// Errors to return, by "call path".
  public var failures: [String: Errno] = [:]
  public var existingDirectories: Set<String> = []
  private var nextID = 1000

  public init(stacks: [String: [Int]] = [:]) {
    self.stacks = stacks
  }

  public func mountID(at path: String, beneath root: String) -> Result<Int, Errno> {
    .success(stacks[path]?.last ?? 1)
  }

  public func unmount(_ path: String, beneath root: String) -> Result<Void, Errno> {
    trace.append("unmount \(path)")
    if let error = failures["unmount \(path)"] { return .failure(error) }
    guard stacks[path]?.isEmpty == false else { return .failure(.invalidArgument) }
    stacks[path]!.removeLast()
    return .success(())
  }

  public func makeDirectory(_ path: String, beneath root: String) -> Result<Bool, ReconcilerError> {
    trace.append("mkdir \(path)")
    if let error = failures["mkdir \(path)"] {
      return .failure(ReconcilerError.kernel(KernelError("mkdirat", error, path: FilePath(path))))
    }
    return .success(existingDirectories.insert(path).inserted)
  }

  public func removeDirectory(_ path: String, beneath root: String) -> Result<Void, Errno> {
    trace.append("rmdir \(path)")
    if let error = failures["rmdir \(path)"] { return .failure(error) }
    return .success(())
  }

  public func mountOverlay(_ overlay: ResolvedOverlay, at target: String, beneath root: String)
    -> Result<Void, ReconcilerError>
  {
    attach("mountOverlay", target)
  }

  public func mountBind(_ bind: ResolvedBind, at target: String, beneath root: String)
    -> Result<Void, ReconcilerError>
  {
    attach("mountBind", target)
  }

  public func changeOwnership(_ step: OwnershipStep, dryRun: Bool) -> Result<OwnershipCounts, ReconcilerError> {
    trace.append("chown \(step.path)")
    if let error = failures["chown \(step.path)"] {
      return .failure(ReconcilerError.kernel(KernelError("fchownat", error, path: FilePath(step.path))))
    }
    return .success(OwnershipCounts(changed: 3, skippedForeign: 1, skippedOtherMounts: 1, setIDBitsCleared: 0))
  }

  public func writeRecord(_ record: MigrationRecord, for step: RecordStep) -> Result<Void, ReconcilerError> {
    trace.append("record \(step.file) changed=\(record.changed)")
    return .success(())
  }

  /// A fixed clock for records.
  public static func clock() -> (iso8601: String, seconds: Double) { ("2026-11-22T00:00:00Z", 0) }

  private func attach(_ call: String, _ target: String) -> Result<Void, ReconcilerError> {
    trace.append("\(call) \(target)")
    if let error = failures["\(call) \(target)"] {
      return .failure(ReconcilerError.kernel(KernelError(call, error, path: FilePath(target))))
    }
    nextID += 1
    stacks[target, default: []].append(nextID)
    return .success(())
  }
}

import LinuxKernel
import Probes
import SystemPackage

/// What can go wrong while reconciling, with its context. Errno and byte paths are
/// kept as they are until the text is printed.
public enum ReconcilerError: Error, Hashable, Sendable, CustomStringConvertible {
  /// A kernel call of apply failed; `detail` is what the filesystem itself said
  /// (overlayfs's context messages) or what the errno means here.
  case kernel(KernelError, detail: String? = nil)
  /// The ownership walk stopped where it says.
  case ownershipWalk(OwnershipWalkError)
  /// The state directory or a file in it cannot be used or trusted.
  case state(StateFileError)
  /// Another run holds the run lock (exit 75).
  case runLockBusy(path: String, waited: Double)
  /// Another build holds the lease (exit 75).
  case leaseHeld(path: String)
  /// The path is not a lock file of the config's lease rules.
  case notALeaseLock(path: String, reason: String)
  /// The file at a lease lock's path is not one root may lock.
  case untrustedLeaseLock(path: String, reason: String)
  /// A migration record could not be encoded.
  case recordNotEncodable(id: String, reason: String)

  /// The errno behind it, where there is one.
  public var errno: Errno? {
    switch self {
    case .kernel(let error, _): return error.errno
    case .ownershipWalk(let error): return error.errno
    case .state(.system(let error)): return error.errno
    default: return nil
    }
  }

  /// The path it is about, as printed.
  public var path: String? {
    switch self {
    case .kernel(let error, _): return error.path?.string
    case .ownershipWalk(let error): return error.printablePath
    case .state(.system(let error)): return error.path?.string
    case .state(.untrusted(let path, _)), .runLockBusy(let path, _), .leaseHeld(let path),
      .notALeaseLock(let path, _), .untrustedLeaseLock(let path, _):
      return path
    case .recordNotEncodable: return nil
    }
  }

  public var description: String {
    switch self {
    case .kernel(let error, let detail):
      guard let detail, !detail.isEmpty else { return error.description }
      return "\(error): \(detail)"
    case .ownershipWalk(let error): return error.description
    case .state(let error): return error.description
    case .runLockBusy(let path, let waited): return "another reconcile run holds \(path) (waited \(waited) s)"
    case .leaseHeld(let path): return "lease \(path) is held by another build"
    case .notALeaseLock(let path, let reason): return "not a lease lock: \(path): \(reason)"
    case .untrustedLeaseLock(let path, let reason): return "refusing lease lock \(path): \(reason)"
    case .recordNotEncodable(let id, let reason): return "migration record \(id) cannot be encoded: \(reason)"
    }
  }
}

extension KernelError {
  /// The error, naming `path` if the call did not.
  func located(_ path: String) -> KernelError {
    var located = self
    if located.path == nil { located.path = FilePath(path) }
    return located
  }
}

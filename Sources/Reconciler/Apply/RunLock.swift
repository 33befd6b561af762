import LinuxKernel
import Probes
import SystemPackage

/// The exclusive `flock` apply holds on `<state>/lock` for a whole run (invariant 7).
/// A lock on an open file dies with its process, so a SIGKILLed run never leaves a
/// stale lock behind (unlike PID files).
public final class RunLock {
  private let fd: FileDescriptor
  /// The state directory the lock lives in, opened safely: status and records are
  /// written through it.
  public let stateDirectory: StateDirectory

  private init(fd: FileDescriptor, stateDirectory: StateDirectory) {
    self.fd = fd
    self.stateDirectory = stateDirectory
  }

  deinit { try? fd.close() }

  /// Creates the state directory and lock file if needed (beneath `root`, never
  /// through a symlink, refusing ones root does not own), then waits up to `timeout`
  /// seconds for the lock.
  ///
  /// - Throws: `RunLockError.busy` when another run still holds it after `timeout`,
  ///   `RunLockError.unusable` when the directory or file cannot be made, opened or trusted.
  public static func acquire(stateDirectory: String, root: String, timeout: Double) throws(RunLockError) -> RunLock {
    let directory: StateDirectory
    let fd: FileDescriptor
    do {
      directory = try StateDirectory.open(stateDirectory, beneath: root, create: true)!
      fd = try directory.openLockFile("lock")
    } catch {
      throw .unusable(path: stateDirectory + "/lock", reason: error.description)
    }
    let path = directory.pathOf("lock")
    do {
      guard try fd.lockExclusive(waitingUpTo: timeout) else {
        try? fd.close()
        throw RunLockError.busy(path: path, waited: timeout)
      }
    } catch let error as RunLockError {
      throw error
    } catch {
      try? fd.close()
      throw .unusable(path: path, reason: "\(error)")
    }
    return RunLock(fd: fd, stateDirectory: directory)
  }
}

/// Why the run lock could not be taken.
public enum RunLockError: Error, Hashable, Sendable, CustomStringConvertible {
  /// Another run holds the lock (exit 75: try again later).
  case busy(path: String, waited: Double)
  /// The state directory or lock file cannot be made or opened.
  case unusable(path: String, reason: String)

  public var description: String {
    switch self {
    case .busy(let path, let waited):
      return "another reconcile run holds \(path) (waited \(waited) s)"
    case .unusable(let path, let reason):
      return "cannot lock \(path): \(reason)"
    }
  }
}

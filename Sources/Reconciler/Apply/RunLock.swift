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
  /// - Throws: `.runLockBusy` when another run still holds it after `timeout`; `.state`
  ///   or `.kernel` when the directory or file cannot be made, opened or trusted.
  public static func acquire(stateDirectory: String, root: String, timeout: Double) throws(ReconcilerError) -> RunLock {
    let directory: StateDirectory
    let fd: FileDescriptor
    do {
      directory = try StateDirectory.open(stateDirectory, beneath: root, create: true)!
      fd = try directory.openLockFile("lock")
    } catch {
      throw .state(error)
    }
    let path = directory.pathOf("lock")
    do {
      guard try fd.lockExclusive(waitingUpTo: timeout) else {
        try? fd.close()
        throw ReconcilerError.runLockBusy(path: path, waited: timeout)
      }
    } catch let error as ReconcilerError {
      throw error
    } catch {
      try? fd.close()
      throw .kernel((error as? KernelError ?? KernelError("flock", .ioError)).located(path))
    }
    return RunLock(fd: fd, stateDirectory: directory)
  }
}

import CMountShims
import Glibc
import SystemPackage

/// `flock(2)` locks: the run lock and builds' leases. A lock on an open file dies with
/// the last descriptor of it, so a SIGKILLed holder never leaves a stale lock.
extension FileDescriptor {
  public enum LockKind: Sendable {
    case shared, exclusive
  }

  /// Takes the lock without waiting. Returns false when another holds it.
  public func tryLock(_ kind: LockKind) throws(KernelError) -> Bool {
    while true {
      if flock(rawValue, (kind == .shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0 { return true }
      let error = Errno.current
      if error == .wouldBlock { return false }
      if error != .interrupted { throw KernelError("flock", error) }
    }
  }

  /// Takes an exclusive lock, waiting up to `timeout` seconds. Returns false when
  /// another still holds it then.
  public func lockExclusive(waitingUpTo timeout: Double) throws(KernelError) -> Bool {
    let milliseconds = Int32(max(0, min(timeout, 86_400)) * 1000)
    if rcs_flock_exclusive(rawValue, milliseconds) == 0 { return true }
    let error = Errno.current
    if error == .wouldBlock { return false }
    throw KernelError("flock", error)
  }

  /// Drops a lock this descriptor holds.
  public func unlock() {
    _ = flock(rawValue, LOCK_UN)
  }

  /// Keeps the descriptor open across `exec`, for a command that inherits a lock.
  public func keepOpenAcrossExec() {
    let flags = fcntl(rawValue, F_GETFD)
    if flags >= 0 { _ = fcntl(rawValue, F_SETFD, flags & ~FD_CLOEXEC) }
  }
}

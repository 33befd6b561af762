import LinuxKernel
import StateModel
import SystemPackage

/// Tells whether a lease's lock file is held by a live process, the way the holder
/// takes it: `flock`. A lock dies with its holder, so a SIGKILLed sandbox build
/// leaves a lock file nobody holds (peer lesson 10: no PID files).
///
/// The probe never creates the lock file (a dry run changes nothing): a missing file
/// is a lease nobody holds. It asks for a *shared* lock without blocking, so two
/// probes never stand in each other's way, while any exclusive holder makes it fail.
/// The shared lock, when granted, is dropped at once.
public struct LeaseProbe: Sendable {
  /// Lock files below it are opened from it with `openat2(RESOLVE_BENEATH |
  /// RESOLVE_NO_SYMLINKS)`: the lock directory may be the web app's, and a symlinked
  /// component must not lead root's open elsewhere.
  public var root: String?

  /// Makes a probe; lock files below `root` are reached beneath it.
  public init(beneath root: String? = nil) {
    self.root = root
  }

  /// Whether some process holds `lockPath` with `flock`.
  ///
  /// - Parameter lockPath: the lock file; a symlink is not followed.
  /// - Returns: true when held; false when free or missing. When the file cannot be
  ///   opened or locked for another reason (a symlink, a permission problem, an odd
  ///   error), the answer is true: a lease that cannot be ruled out is treated as
  ///   held, which keeps its mount and defers migrations rather than acting on a
  ///   guess.
  ///
  /// The corresponding C calls are `open(2)` (`O_RDONLY|O_NOFOLLOW`, never `O_CREAT`)
  /// and `flock(2)` (`LOCK_SH|LOCK_NB`).
  public func isHeld(lockPath: String) -> Bool {
    switch check(lockPath: lockPath) {
    case .success(let held): return held
    case .failure: return true
    }
  }

  /// The observation for a mount's lease.
  ///
  /// - Parameter lockPath: the lock file of the lease.
  /// - Returns: the lock path and whether it is held, as `isHeld(lockPath:)` decides.
  public func observe(lockPath: String) -> LeaseObservation {
    LeaseObservation(lockPath: lockPath, held: isHeld(lockPath: lockPath))
  }

  /// Held or not, or why that could not be told.
  ///
  /// - Parameter lockPath: the lock file; a symlink is not followed.
  /// - Returns: whether the lock is held; a missing file is not held; any other
  ///   failure to open or lock is returned as is.
  ///
  /// The corresponding C calls are `open(2)` and `flock(2)`.
  public func check(lockPath: String) -> Result<Bool, Errno> {
    Result(errnoOf: { () throws(KernelError) in
      let fd: FileDescriptor
      do throws(KernelError) {
        fd = try open(lockPath)
      } catch let error where error.errno == .noSuchFileOrDirectory {
        return false
      }
      defer { try? fd.close() }
      guard try fd.tryLock(.shared) else { return true }
      fd.unlock()
      return false
    })
  }

  /// Opens the lock read-only, never creating it or following a symlink.
  private func open(_ lockPath: String) throws(KernelError) -> FileDescriptor {
    guard let root, lockPath.hasPrefix(root + "/") else {
      return try Files.openForReading(FilePath(lockPath))
    }
    return try DirectoryHandle.open(FilePath(root))
      .openFile(PathRules.relative(lockPath, below: root), .readOnly)
  }
}

import LinuxKernel
import StateModel
import SystemPackage

/// A build's lease, taken for a hook: an exclusive `flock` on a lease rule's lock file
/// (`tmp/sandbox-idmap-9.lock`), held by the command reconcile then executes.
///
/// The lock directory may be the web app's, so the file is reached beneath `root`
/// with `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)`, created if missing but never
/// truncated, and refused unless it is a regular file with one link: a planted symlink
/// or hard link cannot make root create, truncate or lock another file.
public enum LeaseLock {
  /// Takes the lease at `lockPath` without waiting.
  ///
  /// - Parameters:
  ///   - lockPath: The lock file, written absolute or relative to `config.root`.
  ///   - config: Its lease rules name the lock files a lease may use.
  /// - Returns: The locked descriptor and the lock's path.
  /// - Throws: `.leaseHeld`, `.notALeaseLock`, `.untrustedLeaseLock` or `.kernel`.
  public static func take(_ lockPath: String, config: SiteConfig) throws(ReconcilerError) -> (
    fd: FileDescriptor, path: String
  ) {
    let path: String
    switch PathRules.resolve(lockPath, against: config.root) {
    case .success(let resolved): path = resolved
    case .failure(let violation): throw .notALeaseLock(path: lockPath, reason: "\(violation)")
    }
    guard PathRules.isStrictlyBeneath(path, config.root) else {
      throw .notALeaseLock(path: path, reason: "it is not below root \(config.root)")
    }
    guard config.leases.contains(where: { Glob.matches(pattern: $0.lockPath(for: $0.pattern), path: path) }) else {
      throw .notALeaseLock(path: path, reason: "no lease rule of \(config.file) names it as a lock file")
    }
    let relative = PathRules.relative(path, below: config.root)
    let fd: FileDescriptor
    do {
      fd = try DirectoryHandle.open(FilePath(config.root)).openFile(relative, .readWrite, options: [.create])
    } catch {
      throw .kernel(error)
    }
    do {
      let status = try fd.status()
      guard status.type == .regular, status.linkCount == 1 else {
        try? fd.close()
        throw ReconcilerError.untrustedLeaseLock(path: path, reason: "it is not a regular file with a single link")
      }
      guard try fd.tryLock(.exclusive) else {
        try? fd.close()
        throw ReconcilerError.leaseHeld(path: path)
      }
    } catch let error as ReconcilerError {
      throw error
    } catch {
      try? fd.close()
      throw .kernel((error as? KernelError ?? KernelError("flock", .ioError)).located(path))
    }
    return (fd, path)
  }
}

import CMountShims
import Glibc
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
  /// - Returns: The locked descriptor, inheritable (not close-on-exec).
  /// - Throws: `LeaseLockError`.
  public static func take(_ lockPath: String, config: SiteConfig) throws(LeaseLockError) -> (fd: Int32, path: String) {
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
    let rootFD: Int32
    switch valueOrErrno({ system_open(config.root, RCS_O_PATH | O_DIRECTORY | O_CLOEXEC) }) {
    case .success(let fd): rootFD = fd
    case .failure(let error): throw .system(call: "open", path: config.root, errno: error)
    }
    defer { system_close(rootFD) }
    let relative = relativeComponents(of: path, below: config.root).joined(separator: "/")
    let flags = UInt64(O_RDWR | O_CREAT | O_NOFOLLOW)
    let fd: Int32
    switch valueOrErrno({ system_openat2(rootFD, relative, flags: flags, mode: 0o600, resolve: resolveBeneathNoSymlinks) }) {
    case .success(let value): fd = value
    case .failure(let error): throw .system(call: "openat2 beneath \(config.root)", path: path, errno: error)
    }
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_nlink == 1 else {
      system_close(fd)
      throw .untrusted(path: path, reason: "it is not a regular file with a single link")
    }
    switch valueOrErrno({ flock(fd, LOCK_EX | LOCK_NB) }) {
    case .success: return (fd, path)
    case .failure(.wouldBlock):
      system_close(fd)
      throw .held(path: path)
    case .failure(let error):
      system_close(fd)
      throw .system(call: "flock", path: path, errno: error)
    }
  }
}

/// Why a lease could not be taken.
public enum LeaseLockError: Error, Hashable, Sendable, CustomStringConvertible {
  /// Another build holds it (exit 75).
  case held(path: String)
  /// The path is not a lease lock of the site config.
  case notALeaseLock(path: String, reason: String)
  /// The file there is not one root may lock.
  case untrusted(path: String, reason: String)
  /// A call failed.
  case system(call: String, path: String, errno: Errno)

  public var description: String {
    switch self {
    case .held(let path): return "lease \(path) is held by another build"
    case .notALeaseLock(let path, let reason): return "not a lease lock: \(path): \(reason)"
    case .untrusted(let path, let reason): return "refusing lease lock \(path): \(reason)"
    case .system(let call, let path, let errno): return "\(call) \(path): \(errno) (\(errnoName(errno)))"
    }
  }
}

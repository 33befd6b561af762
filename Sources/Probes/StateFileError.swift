import LinuxKernel

/// Why reconcile's state directory or a file in it cannot be used: the one error of
/// Probes besides `ProbeError`, kept apart because `StateDirectory` serves apply (the
/// run lock, status, migration records), whose callers tell exactly these two
/// outcomes apart.
public enum StateFileError: Error, Hashable, Sendable, CustomStringConvertible {
  /// A call failed.
  case system(KernelError)
  /// It is there but cannot be trusted: the wrong type, someone else's, writable by
  /// others, or hard-linked.
  case untrusted(path: String, reason: String)

  /// A symlink met on the way is a trust failure, said as such.
  init(_ error: KernelError) {
    if error.errno == .tooManySymbolicLinkLevels, let path = error.path {
      self = .untrusted(path: path.string, reason: "is a symlink; reconcile does not follow symlinks under root")
    } else if error.errno == .notDirectory, let path = error.path {
      self = .untrusted(path: path.string, reason: "is not a directory")
    } else {
      self = .system(error)
    }
  }

  static func wrap<T>(_ body: () throws(KernelError) -> T) throws(StateFileError) -> T {
    do {
      return try body()
    } catch {
      throw StateFileError(error)
    }
  }

  public var description: String {
    switch self {
    case .system(let error): return error.description
    case .untrusted(let path, let reason): return "refusing \(path): it \(reason)"
    }
  }
}

import LinuxKernel
import SystemPackage

/// Lists the extended attribute names of a path itself, never following a final
/// symlink, to find upperdirs left over from fuse-overlayfs (DESIGN invariant 5).
public struct XattrProbe: Sendable {
  /// Makes a probe.
  public init() {}

  /// Every xattr name on `path`.
  ///
  /// - Parameter path: the file or directory to read; a final symlink is read itself.
  /// - Returns: the names in the kernel's order; an empty list when the path does not
  ///   exist or its filesystem has no xattrs; the errno for any other failure.
  ///
  /// The corresponding C call is `llistxattr(2)`.
  public func names(at path: String) -> Result<[String], Errno> {
    switch Result(errnoOf: { () throws(KernelError) in try ExtendedAttributes.names(of: FilePath(path)) }) {
    case .success(let names): return .success(names)
    case .failure(let error): return Self.absentOrFailure(error)
    }
  }

  /// The xattr names on `path` that start with any of `prefixes`.
  ///
  /// - Parameters:
  ///   - path: the upperdir (or any path) to check.
  ///   - prefixes: refused prefixes, such as `user.fuseoverlayfs.`.
  /// - Returns: the matching names, empty when none match or the path is missing.
  ///
  /// The corresponding C call is `llistxattr(2)`.
  public func refusedNames(at path: String, prefixes: [String]) -> Result<[String], Errno> {
    names(at: path).map { names in
      names.filter { name in prefixes.contains { name.hasPrefix($0) } }
    }
  }

  /// A missing path, or a filesystem without xattrs, carries none.
  private static func absentOrFailure(_ error: Errno) -> Result<[String], Errno> {
    switch error {
    case .noSuchFileOrDirectory, .notSupported, .notSupportedOnSocket: return .success([])
    default: return .failure(error)
    }
  }
}

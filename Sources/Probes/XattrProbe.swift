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
    while true {
      // Ask for the size first, then read; the list may grow in between (ERANGE).
      let size: Int
      switch valueOrErrno({ system_llistxattr(path, UnsafeMutableRawBufferPointer(start: nil, count: 0)) }) {
      case .success(let n): size = n
      case .failure(let error): return Self.absentOrFailure(error)
      }
      if size == 0 { return .success([]) }
      var buffer = [UInt8](repeating: 0, count: size)
      let read = buffer.withUnsafeMutableBytes { raw in
        valueOrErrno { system_llistxattr(path, raw) }
      }
      switch read {
      case .success(let n):
        return .success(buffer[..<n].split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
      case .failure(.outOfRange): continue
      case .failure(let error): return Self.absentOrFailure(error)
      }
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

import CMountShims
import SystemPackage

extension ExtendedAttributes {
  /// The extended attribute names of `path` itself (a final symlink is read, never
  /// followed), in the kernel's order. Asks for the size first, then reads, and asks
  /// again when the list grew in between (`ERANGE`).
  ///
  /// - Throws: the errno as the kernel gave it (`ENOENT`, `EOPNOTSUPP` for a
  ///   filesystem without xattrs, ...); which of them mean "none" is the caller's call.
  ///
  /// The corresponding C call is `llistxattr(2)`.
  public static func names(of path: FilePath) throws(KernelError) -> [String] {
    while true {
      let size = try valueOrError("llistxattr", at: path) { rcs_llistxattr($0, nil, 0) }
      if size == 0 { return [] }
      var buffer = [CChar](repeating: 0, count: size)
      let count: Int
      do {
        count = try valueOrError("llistxattr", at: path) { rcs_llistxattr($0, &buffer, size) }
      } catch let error where error.errno == .outOfRange {
        continue
      }
      return buffer[..<count].split(separator: 0).map {
        String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      }
    }
  }
}

/// The lexical rules every path in the site config and manifests must follow.
///
/// These look at spelling only. Whether a path really stays beneath its root once
/// symlinks are followed is checked on the host by `Probes` (`openat2` with
/// `RESOLVE_BENEATH`).
public enum PathRules {
  /// Resolves a path as written in a config or manifest.
  ///
  /// A relative path is taken against `base`. The result is absolute and has no `..`
  /// component; `.` components and repeated or trailing slashes are dropped, since
  /// they never change which file a path names.
  /// - Parameters:
  ///   - text: The path as written.
  ///   - base: The absolute directory relative paths are taken against, or nil when
  ///     only absolute paths are allowed.
  /// - Returns: The resolved absolute path, or why it was refused.
  public static func resolve(_ text: String, against base: String?) -> Result<
    String, PathRuleViolation
  > {
    if text.isEmpty { return .failure(.empty) }
    if text.utf8.contains(0) { return .failure(.containsNUL) }
    // One pass over the bytes rather than swift-system's FilePath or String
    // splitting: loading 100 manifests spent a quarter of its instructions here.
    let slash = UInt8(ascii: "/")
    let dot = UInt8(ascii: ".")
    var bytes: [UInt8] = []
    if !text.hasPrefix("/") {
      guard let base else { return .failure(.notAbsolute(text)) }
      bytes.append(contentsOf: base.utf8)
      bytes.append(slash)
    }
    bytes.append(contentsOf: text.utf8)
    var normal: [UInt8] = []
    normal.reserveCapacity(bytes.count)
    var start = 0
    while start < bytes.count {
      var end = start
      while end < bytes.count && bytes[end] != slash { end += 1 }
      let length = end - start
      if length == 2 && bytes[start] == dot && bytes[start + 1] == dot {
        return .failure(.parentComponent(text))
      }
      if length > 0 && !(length == 1 && bytes[start] == dot) {
        normal.append(slash)
        normal.append(contentsOf: bytes[start..<end])
      }
      start = end + 1
    }
    return .success(normal.isEmpty ? "/" : String(decoding: normal, as: UTF8.self))
  }

  /// Checks that `text` is an absolute path already in lexically normal form, as
  /// `root` must be: every other path is resolved against it.
  /// - Returns: Nil when the path is acceptable, else the violation.
  public static func checkNormalAbsolute(_ text: String) -> PathRuleViolation? {
    switch resolve(text, against: nil) {
    case .failure(let violation):
      return violation
    case .success(let normal):
      return normal == text ? nil : .notNormal(text, normal: normal)
    }
  }

  /// Whether `path` lies strictly below `ancestor`, comparing whole components (so
  /// `/a/bc` is not below `/a/b`). Both must be resolved paths.
  public static func isStrictlyBeneath(_ path: String, _ ancestor: String) -> Bool {
    !ExactPath.sameBytes(path, ancestor) && isWithin(path, ancestor)
  }

  /// `path` below `ancestor` as a relative path (empty for `ancestor` itself), for
  /// opening it beneath a descriptor on `ancestor`. Both must be resolved paths and
  /// `path` within `ancestor`.
  public static func relative(_ path: String, below ancestor: String) -> String {
    let rest = path.utf8.dropFirst(isRoot(ancestor) ? 0 : ancestor.utf8.count)
    return String(decoding: rest.drop { $0 == UInt8(ascii: "/") }, as: UTF8.self)
  }

  /// Whether `path` is `ancestor` or lies below it, comparing whole components. Both
  /// must be resolved paths.
  ///
  /// On bytes, as the kernel compares names: `String`'s `==` and `hasPrefix` take
  /// canonically equivalent text as equal, so `é` and `e` with a combining accent, two
  /// different directories on disk, would count as one.
  public static func isWithin(_ path: String, _ ancestor: String) -> Bool {
    // Resolved paths are in normal form (no `.`, no repeated or trailing slash), so a
    // prefix test on the bytes is exact.
    let slash = UInt8(ascii: "/")
    if isRoot(ancestor) { return path.utf8.first == slash }
    guard ExactPath.startsWithBytes(path, ancestor) else { return false }
    let rest = path.utf8.dropFirst(ancestor.utf8.count)
    return rest.first == nil || rest.first == slash
  }

  private static func isRoot(_ path: String) -> Bool { path.utf8.count == 1 && path.utf8.first == UInt8(ascii: "/") }
}

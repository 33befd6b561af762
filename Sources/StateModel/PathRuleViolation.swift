/// Why a path from the site config or a manifest was refused by `PathRules`.
public enum PathRuleViolation: Error, Hashable, Sendable, CustomStringConvertible {
  /// The path is the empty string.
  case empty
  /// The path holds a NUL byte, which no file name can contain.
  case containsNUL
  /// The path is relative and there was nothing to resolve it against.
  case notAbsolute(String)
  /// The path has a `..` component. Such paths are refused rather than normalised, so
  /// no spelling can step out of an allowlisted directory.
  case parentComponent(String)
  /// The path is not written in its lexically normal form (`.` components, repeated or
  /// trailing slashes); `normal` is how to write it. Only demanded of `root`.
  case notNormal(String, normal: String)

  /// The problem, in words.
  public var description: String {
    switch self {
    case .empty: return "the path is empty"
    case .containsNUL: return "the path contains a NUL byte"
    case .notAbsolute(let path): return "'\(path)' is not an absolute path"
    case .parentComponent(let path): return "'\(path)' contains a '..' component"
    case .notNormal(let path, let normal):
      return "'\(path)' is not in normal form; write it as '\(normal)'"
    }
  }
}

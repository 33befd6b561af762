import SystemPackage

/// Why a path does not resolve beneath its allowed root.
public struct PathEscape: Hashable, Sendable, CustomStringConvertible {
  /// The reason, with the kernel's errno where one was returned.
  public enum Reason: Hashable, Sendable {
    /// The path is not even lexically below the root.
    case outsideRoot
    /// The root itself could not be opened as a directory.
    case rootUnusable(Errno)
    /// Resolution left the root, through `..` or an absolute symlink (`EXDEV`).
    case escapesRoot(Errno)
    /// A component is a symlink, which is refused even when it stays inside (`ELOOP`).
    case passesThroughSymlink(Errno)
    /// A component is missing (`ENOENT`).
    case missing(Errno)
    /// A component, or the path itself, is not a directory (`ENOTDIR`).
    case notADirectory(Errno)
    /// Any other error from the kernel.
    case unresolvable(Errno)

    /// Classifies an `openat2` error.
    public init(resolving error: Errno) {
      switch error {
      case .improperLink: self = .escapesRoot(error)
      case .tooManySymbolicLinkLevels: self = .passesThroughSymlink(error)
      case .noSuchFileOrDirectory: self = .missing(error)
      case .notDirectory: self = .notADirectory(error)
      default: self = .unresolvable(error)
      }
    }

    /// The kernel's error, when there was one.
    public var errno: Errno? {
      switch self {
      case .outsideRoot: return nil
      case .rootUnusable(let e), .escapesRoot(let e), .passesThroughSymlink(let e),
        .missing(let e), .notADirectory(let e), .unresolvable(let e):
        return e
      }
    }
  }

  /// The path that was checked.
  public var path: String
  /// The root it had to stay beneath.
  public var root: String
  /// Why it does not resolve beneath `root`.
  public var reason: Reason

  /// Makes an escape report.
  public init(path: String, root: String, reason: Reason) {
    self.path = path
    self.root = root
    self.reason = reason
  }

  /// The path or its root does not exist here. Such a path cannot be mounted, but
  /// unlike an escape it says nothing against the manifest (`validate` warns only).
  public var isAbsence: Bool {
    switch reason {
    case .missing: return true
    case .rootUnusable(let error): return error == .noSuchFileOrDirectory
    default: return false
    }
  }

  /// Why, in words, then the errno's own text: "escapes its root /r/overlays
  /// (Invalid cross-device link)".
  public var description: String {
    let words: String
    switch reason {
    case .outsideRoot: words = "is not below any lowerdir root (\(root))"
    case .rootUnusable: words = "cannot be checked: its root \(root) cannot be opened"
    case .escapesRoot: words = "escapes its root \(root)"
    case .passesThroughSymlink: words = "passes through a symlink below \(root)"
    case .missing: words = "does not exist below \(root)"
    case .notADirectory: words = "is not a directory, or passes through a non-directory below \(root)"
    case .unresolvable: words = "cannot be resolved below \(root)"
    }
    guard let error = reason.errno else { return words }
    return "\(words) (\(error.description))"
  }
}

import LinuxKernel
import StateModel
import SystemPackage

/// Checks that a path resolves beneath an allowed root with no symlink and no `..`
/// escape (DESIGN invariant 4), by asking the kernel to resolve it rather than by
/// string games: the root is opened, then the rest is resolved with `openat2` and
/// `RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS`.
///
/// Nothing is created; both opens are `O_PATH`, so not even atime changes.
public struct PathProbe: Sendable {
  /// Makes a probe.
  public init() {}

  /// Whether `path` resolves beneath `root` as a directory.
  ///
  /// - Parameters:
  ///   - path: an absolute path that should lie below `root`.
  ///   - root: the allowed root, an absolute directory. It may itself be reached
  ///     through symlinks: the site config chose it.
  /// - Returns: nil when the path is fine, otherwise why it is not.
  ///
  /// The corresponding C calls are `open(2)` and `openat2(2)`.
  public func escape(of path: String, beneath root: String) -> PathEscape? {
    guard let relative = Self.relativePath(of: path, below: root) else {
      return PathEscape(path: path, root: root, reason: .outsideRoot)
    }
    let rootDirectory: DirectoryHandle
    do {
      rootDirectory = try DirectoryHandle.open(FilePath(root))
    } catch {
      return PathEscape(path: path, root: root, reason: .rootUnusable(error.errno))
    }
    do {
      try rootDirectory.resolveDirectory(relative)
      return nil
    } catch {
      return PathEscape(path: path, root: root, reason: PathEscape.Reason(resolving: error.errno))
    }
  }

  /// The part of `path` below `root`, compared by whole components: `"."` when they
  /// are the same, nil when `path` is not lexically below `root`. A `..` inside the
  /// remainder is left for the kernel to judge.
  /// Components are compared as bytes, as the kernel compares names (`String`'s `==`
  /// would take `é` and `e` with a combining accent, two directories, as one).
  public static func relativePath(of path: String, below root: String) -> String? {
    let slash = UInt8(ascii: "/")
    guard path.utf8.first == slash, root.utf8.first == slash else { return nil }
    let rootParts = root.utf8.split(separator: slash)
    let pathParts = path.utf8.split(separator: slash)
    guard pathParts.starts(with: rootParts, by: { $0.elementsEqual($1) }) else { return nil }
    let rest = pathParts.dropFirst(rootParts.count)
    return rest.isEmpty ? "." : String(decoding: Array(rest.joined(separator: [slash])), as: UTF8.self)
  }

  /// The root among `roots` that `path` lies lexically below, the deepest when
  /// several nest.
  public static func allowedRoot(for path: String, among roots: [String]) -> String? {
    roots.filter { isLexicallyBelow(path, $0) }.max { componentCount($0) < componentCount($1) }
  }

  /// The non-empty components of a path, counted on its bytes (not its Characters).
  private static func componentCount(_ path: String) -> Int {
    var count = 0
    var previous = UInt8(ascii: "/")
    for byte in path.utf8 {
      if byte != UInt8(ascii: "/") && previous == UInt8(ascii: "/") { count += 1 }
      previous = byte
    }
    return count
  }

  /// `relativePath(of:below:) != nil`, without splitting when neither path has an empty
  /// component (a repeated or final `/`): then a prefix test on the text is the same.
  private static func isLexicallyBelow(_ path: String, _ root: String) -> Bool {
    guard hasEmptyComponent(path) || hasEmptyComponent(root) else {
      return root.hasPrefix("/") && PathRules.isWithin(path, root)
    }
    return relativePath(of: path, below: root) != nil
  }

  private static func hasEmptyComponent(_ path: String) -> Bool {
    var previous: UInt8 = 0
    for byte in path.utf8 {
      if byte == UInt8(ascii: "/") && previous == UInt8(ascii: "/") { return true }
      previous = byte
    }
    return previous == UInt8(ascii: "/") && path.utf8.count > 1
  }
}

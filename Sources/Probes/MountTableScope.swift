import LinuxKernel

/// Which part of a mount table an observation needs: the mounts at or below some
/// paths (with every mount on their ancestors, which can cover them), and the mounts
/// on some paths' ancestors (where a lookup of that path lands). A line whose target
/// is none of these costs a byte comparison, not a parse (`MountInfoParser`).
///
/// Stacks and covering mounts are seen exactly: every layer on a kept target is kept,
/// a mount below a subtree is kept whoever its parent is, and a mount on an ancestor
/// of a subtree (one that may hide it) is kept too. A mount's children lie at or below
/// its target, so every descendant of a kept mount below a subtree is kept.
public struct MountTableScope: Hashable, Sendable {
  /// Mounts at or below these, and on their ancestors; absolute, without a final `/`.
  public let subtrees: [String]
  /// Mounts on these or on their ancestors; absolute, without a final `/`.
  public let points: [String]
  /// Nil when the whole table is wanted.
  private let subtreeBytes: [[UInt8]]?
  private let pointBytes: [[UInt8]]

  /// The whole table: every line is parsed.
  public static let whole = MountTableScope(kept: ["/"], points: [], whole: true)

  private init(kept: [String], points: [String], whole: Bool) {
    self.subtrees = kept
    self.points = points
    self.subtreeBytes = whole ? nil : kept.map { Array($0.utf8) }
    self.pointBytes = points.map { Array($0.utf8) }
  }

  /// A scope of some subtrees and points. A subtree or point at or below another
  /// subtree adds nothing and is dropped, as is a point that is an ancestor of a
  /// subtree or of another point. A relative path, or `/`, makes it the whole table.
  ///
  /// - Parameters:
  ///   - subtrees: paths whose mounts at and below them are wanted.
  ///   - points: paths whose mounts on them and on their ancestors are wanted.
  public init(subtrees: [String], points: [String] = []) {
    let normalSubtrees = Set(subtrees.map(Self.normalized)).sorted()
    let normalPoints = Set(points.map(Self.normalized)).sorted()
    guard (normalSubtrees + normalPoints).allSatisfy({ $0.hasPrefix("/") }), !normalSubtrees.contains("/") else {
      self = .whole
      return
    }
    var kept: [String] = []
    for subtree in normalSubtrees where !kept.contains(where: { Self.isAtOrBelow(subtree, $0) }) {
      kept.append(subtree)
    }
    let candidates = normalPoints.filter { point in
      !kept.contains { Self.isAtOrBelow(point, $0) || Self.isAtOrBelow($0, point) }
    }
    let keptPoints = candidates.filter { point in
      !candidates.contains { $0 != point && Self.isAtOrBelow($0, point) }
    }
    self.init(kept: kept, points: keptPoints, whole: false)
  }

  /// Whether every line is wanted.
  public var isWhole: Bool { subtreeBytes == nil }

  /// Whether a mount on `target` (as mountinfo spells it, escaped) is wanted. A target
  /// holding an escape (`\040`) is always wanted: comparing it would need it
  /// unescaped, and such targets are rare.
  func keeps(target: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let subtreeBytes else { return true }
    if ByteScan.firstIndex(of: UInt8(ascii: "\\"), in: target, from: 0, to: target.count) != nil {
      return true
    }
    for subtree in subtreeBytes {
      let kept = subtree.withUnsafeBufferPointer {
        Self.isAtOrBelow(target, $0) || Self.isAtOrBelow($0, target)
      }
      if kept { return true }
    }
    for point in pointBytes {
      if point.withUnsafeBufferPointer({ Self.isAtOrBelow($0, target) }) { return true }
    }
    return false
  }

  /// Whether a mount on `target` (unescaped, as `MountEntry.target`) is wanted.
  ///
  /// - Parameter target: an absolute mount point.
  /// - Returns: whether a scoped parse keeps a mount there.
  public func keeps(_ target: String) -> Bool {
    var target = target
    return target.withUTF8 { keeps(target: $0) }
  }

  private static func normalized(_ path: String) -> String {
    var path = path
    while path.utf8.count > 1 && path.hasSuffix("/") { path.removeLast() }
    return path
  }

  private static func isAtOrBelow(_ path: String, _ base: String) -> Bool {
    Array(path.utf8).withUnsafeBufferPointer { path in
      Array(base.utf8).withUnsafeBufferPointer { isAtOrBelow(path, $0) }
    }
  }

  /// `path` is `base` or lies below it; every absolute path lies below `/`.
  private static func isAtOrBelow(_ path: UnsafeBufferPointer<UInt8>, _ base: UnsafeBufferPointer<UInt8>) -> Bool {
    let slash = UInt8(ascii: "/")
    if base.count == 1 && base[0] == slash { return !path.isEmpty && path[0] == slash }
    guard ByteScan.hasPrefix(base, in: path) else { return false }
    return path.count == base.count || path[base.count] == slash
  }
}

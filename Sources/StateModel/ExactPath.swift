import LinuxKernel

/// A path compared and hashed by its bytes, as the kernel names it, for dictionary
/// keys and sets of paths.
///
/// `String`'s own `==` and hash take canonically equivalent text as one: `é` and `e`
/// followed by a combining accent are one key, though they are two directories on
/// disk. Keyed that way, a mount table would show two mounts on those two directories
/// as one stack of two, and the planner would unmount the "upper" one, a mount that
/// is not stacked at all.
public struct ExactPath: Hashable, Sendable {
  public let path: String

  public init(_ path: String) { self.path = path }

  public static func == (lhs: ExactPath, rhs: ExactPath) -> Bool { sameBytes(lhs.path, rhs.path) }

  /// Whether `a` and `b` are the same bytes.
  public static func sameBytes(_ a: String, _ b: String) -> Bool {
    a.utf8.count == b.utf8.count && startsWithBytes(a, b)
  }

  /// Whether the bytes of `text` begin with those of `prefix`: `memcmp` on the strings'
  /// contiguous UTF-8 storage (`ByteScan.hasPrefix`). Walking two `UTF8View`s element
  /// by element was 11% of a dry run's instructions.
  public static func startsWithBytes(_ text: String, _ prefix: String) -> Bool {
    var text = text
    var prefix = prefix
    return text.withUTF8 { whole in prefix.withUTF8 { ByteScan.hasPrefix($0, in: whole) } }
  }

  public func hash(into hasher: inout Hasher) {
    var path = path
    path.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
  }
}

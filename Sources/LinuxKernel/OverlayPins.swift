import CMountShims
import Glibc
import SystemPackage

/// Overlays on kernels whose overlayfs takes layers as path strings only (before 6.13),
/// with every path pinned to a directory fd already opened beneath its root.
public enum OverlayPins {
  /// One directory bound at `path` in the private root before overlayfs resolves it.
  public struct Pin {
    public var path: String
    public var fd: FileDescriptor
    /// Clone the tree below too and mark it nosymfollow (upperdir and workdir share one
    /// pin of their common parent: overlayfs wants both on one mount).
    public var recursive: Bool

    public init(path: String, fd: FileDescriptor, recursive: Bool) {
      self.path = path
      self.fd = fd
      self.recursive = recursive
    }
  }

  /// A detached overlay mount whose layers the kernel finds only through `pins`: in a
  /// thread of its own, a private mount namespace whose root is a fresh tmpfs holding
  /// the pins. With `data`, `mount(2)` options (before 6.8); otherwise `settings` for
  /// `fsconfig` (6.8+, `lowerdir+`). The error names the failing stage and carries
  /// overlayfs's own messages.
  public static func mount(
    _ pins: [Pin], settings: [(key: String, value: String)], data: String?, readOnly: Bool, path: FilePath
  ) throws(OverlayPinError) -> FileDescriptor {
    var stage = [CChar](repeating: 0, count: 4200)
    var messages = [CChar](repeating: 0, count: 2048)
    let strings = pins.map { strdup($0.path) } + settings.flatMap { [strdup($0.key), strdup($0.value)] }
    defer { for string in strings { free(string) } }
    let shimPins = pins.enumerated().map { index, pin in
      rcs_pin(path: UnsafePointer(strings[index]), fd: pin.fd.rawValue, recursive_nosymfollow: pin.recursive ? 1 : 0)
    }
    let keys: [UnsafePointer<CChar>?] = settings.indices.map { UnsafePointer(strings[pins.count + 2 * $0]) }
    let values: [UnsafePointer<CChar>?] = settings.indices.map { UnsafePointer(strings[pins.count + 2 * $0 + 1]) }
    let fd: Int32
    if let data {
      fd = data.withCString {
        rcs_overlay_pinned(
          shimPins, Int32(shimPins.count), keys, values, Int32(keys.count), $0, readOnly ? 1 : 0, &stage,
          stage.count, &messages, messages.count)
      }
    } else {
      fd = rcs_overlay_pinned(
        shimPins, Int32(shimPins.count), keys, values, Int32(keys.count), nil, readOnly ? 1 : 0, &stage,
        stage.count, &messages, messages.count)
    }
    guard fd >= 0 else {
      let call = text(stage)
      throw OverlayPinError(
        error: KernelError(call.isEmpty ? "overlay" : call, .current, path: path), messages: text(messages))
    }
    return FileDescriptor(rawValue: fd)
  }

  private static func text(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}

/// A pinned overlay that failed: the call, and what overlayfs said.
public struct OverlayPinError: Error, Hashable, Sendable {
  public var error: KernelError
  public var messages: String
}

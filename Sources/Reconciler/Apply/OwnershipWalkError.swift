import LinuxKernel
import SystemPackage

/// Why an ownership walk stopped, at which path. Everything re-owned before it stays
/// re-owned; a rerun skips those entries (they are no longer owned by `from`) and
/// carries on.
public struct OwnershipWalkError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The kernel call that failed (`openat2`, `statx`, `fchownat`, ...) or the check.
  public var call: String
  /// The path, as raw bytes: a name may hold newlines or bytes that are not UTF-8.
  public var path: [UInt8]
  /// The kernel's error.
  public var errno: Errno
  /// What the walk found, when more than the errno is known.
  public var detail: String?

  /// An error of `call` at `path`.
  public init(call: String, path: [UInt8], errno: Errno, detail: String? = nil) {
    self.call = call
    self.path = path
    self.errno = errno
    self.detail = detail
  }

  /// The path for a log line: printable ASCII as is, `\n`, `\\` and any other byte
  /// as `\xHH`, so a newline in a name cannot forge a second line.
  public var printablePath: String {
    var text = ""
    for byte in path {
      switch byte {
      case UInt8(ascii: "\\"): text += "\\\\"
      case UInt8(ascii: "\n"): text += "\\n"
      case 0x20...0x7e: text.unicodeScalars.append(Unicode.Scalar(byte))
      default:
        let hex = String(byte, radix: 16)
        text += "\\x" + (hex.count == 1 ? "0" + hex : hex)
      }
    }
    return text
  }

  /// `call path: error (ENAME): detail`, the path printable.
  public var description: String {
    var text = "\(call) \(printablePath): \(errno.description) (\(errno.name))"
    if let detail { text += ": \(detail)" }
    return text
  }
}

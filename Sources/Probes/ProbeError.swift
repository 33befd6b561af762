/// Why a probe could not observe the host.
public enum ProbeError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The mount table file could not be opened or read.
  ///
  /// - Parameters:
  ///   - path: The file, e.g. `/proc/self/mountinfo`.
  ///   - errno: The errno of the failing `open(2)` or `read(2)`.
  ///   - message: `strerror(errno)`.
  case mountInfoUnreadable(path: String, errno: Int32, message: String)

  /// libmount stopped parsing the mount table before its end (for instance `ENOMEM`).
  ///
  /// - Parameters:
  ///   - path: The file.
  ///   - errno: The errno libmount returned.
  ///   - message: `strerror(errno)`.
  case mountInfoUnparsable(path: String, errno: Int32, message: String)

  /// The mount table held lines that are not valid mountinfo. Observing with them left
  /// out could hide a mount, so the table is not used.
  ///
  /// - Parameters:
  ///   - path: The file.
  ///   - lines: The lines that could not be read.
  case mountInfoMalformed(path: String, lines: [MalformedMountInfoLine])

  /// A one-line explanation for the operator.
  public var description: String {
    switch self {
    case .mountInfoUnreadable(let path, let errno, let message):
      return "cannot read mount table \(path): \(message) (errno \(errno))"
    case .mountInfoUnparsable(let path, let errno, let message):
      return "cannot parse mount table \(path): \(message) (errno \(errno))"
    case .mountInfoMalformed(let path, let lines):
      let first = lines.first.map { "; first at \($0)" } ?? ""
      return "mount table \(path) has \(lines.count) malformed line(s)\(first)"
    }
  }
}

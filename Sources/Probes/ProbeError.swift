import LinuxKernel
import SystemPackage

/// Why a probe could not observe the host. (The state directory's refusals are
/// `StateFileError`, the other error of this target.)
public enum ProbeError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The mount table file could not be opened or read.
  ///
  /// - Parameters:
  ///   - path: The file, e.g. `/proc/self/mountinfo`.
  ///   - errno: The errno of the failing `open(2)` or `read(2)`.
  case mountInfoUnreadable(path: FilePath, errno: Errno)

  /// libmount stopped parsing the mount table before its end (for instance `ENOMEM`).
  ///
  /// - Parameters:
  ///   - path: The file.
  ///   - errno: The errno libmount returned.
  case mountInfoUnparsable(path: FilePath, errno: Errno)

  /// libmount, which parses the mount table, could not be loaded (it is opened on first
  /// use; the package depends on libmount1).
  ///
  /// - Parameter reason: What dlopen(3) or dlsym(3) said.
  case libmountUnavailable(reason: String)

  /// The mount table held lines that are not valid mountinfo. Observing with them left
  /// out could hide a mount, so the table is not used.
  ///
  /// - Parameters:
  ///   - path: The file.
  ///   - lines: The lines that could not be read.
  case mountInfoMalformed(path: FilePath, lines: [MalformedMountInfoLine])

  /// A one-line explanation for the operator: `cannot read mount table /x: No such
  /// file or directory (ENOENT)`.
  public var description: String {
    switch self {
    case .mountInfoUnreadable(let path, let errno):
      return "cannot read mount table \(path.string): \(errno.description) (\(errno.name))"
    case .mountInfoUnparsable(let path, let errno):
      return "cannot parse mount table \(path.string): \(errno.description) (\(errno.name))"
    case .libmountUnavailable(let reason):
      return "cannot parse mount tables without libmount: \(reason)"
    case .mountInfoMalformed(let path, let lines):
      let first = lines.first.map { "; first at \($0)" } ?? ""
      return "mount table \(path.string) has \(lines.count) malformed line(s)\(first)"
    }
  }
}

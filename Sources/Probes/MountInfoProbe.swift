import LinuxKernel
import SystemPackage

/// Reads a mount table file (by default the live `/proc/self/mountinfo`) into a
/// `MountTable`. The file is read whole, in one pass, before parsing.
///
/// `/proc/self` names the thread group leader's view: a caller that `setns`es one
/// thread into another mount namespace should pass `/proc/thread-self/mountinfo`.
public struct MountInfoProbe: Sendable {
  /// The file to read.
  public var path: String

  /// Creates a probe for a mountinfo file.
  ///
  /// - Parameter path: The file; a saved table works as well as a `/proc` one.
  public init(path: String = "/proc/self/mountinfo") {
    self.path = path
  }

  /// Reads and parses the whole table, refusing a table with malformed lines.
  ///
  /// - Returns: Every entry, in file order.
  /// - Throws: `ProbeError.mountInfoUnreadable` when the file cannot be read,
  ///   `.mountInfoUnparsable` when libmount gives up, and `.mountInfoMalformed` when
  ///   any line is not valid mountinfo.
  /// - Parameter scope: the part of the table to parse; every line is checked anyway.
  public func read(scope: MountTableScope = .whole) throws(ProbeError) -> MountTable {
    let result = try readResult(scope: scope)
    guard result.malformedLines.isEmpty else {
      throw .mountInfoMalformed(path: FilePath(path), lines: result.malformedLines)
    }
    return result.table
  }

  /// Reads and parses the whole table, keeping malformed lines as diagnostics.
  ///
  /// - Returns: The entries and the lines that were skipped.
  /// - Throws: `ProbeError.mountInfoUnreadable` when the file cannot be read, and
  ///   `.mountInfoUnparsable` when libmount gives up.
  /// - Parameter scope: the part of the table to parse; every line is checked anyway.
  public func readResult(scope: MountTableScope = .whole) throws(ProbeError) -> MountInfoParseResult {
    let result: MountInfoParseResult
    do {
      result = try Files.withContents(of: FilePath(path)) {
        MountInfoParser.parse(bytes: $0, sourceName: path, scope: scope)
      }
    } catch {
      throw .mountInfoUnreadable(path: FilePath(path), errno: error.errno)
    }
    if let reason = result.libmountFailure { throw .libmountUnavailable(reason: reason) }
    if let errno = result.failureErrno {
      throw .mountInfoUnparsable(path: FilePath(path), errno: errno)
    }
    return result
  }
}

import SystemPackage

/// What `MountInfoParser.parse` read: the table, and what it had to leave out.
public struct MountInfoParseResult: Hashable, Sendable {
  /// Every entry that could be read, in file order.
  public var table: MountTable
  /// Lines that were skipped because they are not valid mountinfo, in file order.
  public var malformedLines: [MalformedMountInfoLine]
  /// Set when libmount stopped before the end of the text (the errno it returned, e.g.
  /// `ENOMEM`); `table` then holds only what came before. Nil when every line was read.
  public var failureErrno: Errno?
  /// Set, with `failureErrno` ELIBACC, when libmount itself could not be loaded: what
  /// dlopen(3) said.
  public var libmountFailure: String?

  /// Creates a result.
  ///
  /// - Parameters:
  ///   - table: The entries that were read.
  ///   - malformedLines: The lines that were skipped.
  ///   - failureErrno: Why reading stopped early, if it did.
  ///   - libmountFailure: Why libmount could not be loaded, if it could not.
  public init(
    table: MountTable, malformedLines: [MalformedMountInfoLine] = [], failureErrno: Errno? = nil,
    libmountFailure: String? = nil
  ) {
    self.table = table
    self.malformedLines = malformedLines
    self.failureErrno = failureErrno
    self.libmountFailure = libmountFailure
  }

  /// Every line was read and none was malformed.
  public var isComplete: Bool { malformedLines.isEmpty && failureErrno == nil }
}
